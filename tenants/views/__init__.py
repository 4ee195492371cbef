"""Account pages and the brand dashboard (Django templates and htmx)."""
