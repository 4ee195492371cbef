import signal
import time

from tests.devstack.running_stack import (
    Browser,
    Supervisor,
    free_port,
    processes_mentioning,
    wait_until_gone,
)


def test_sigkilled_supervisor_takes_every_child_down_and_a_new_run_starts_on_the_stale_data_dir(
    tmp_path,
):
    data_dir = tmp_path / "data"
    port = free_port()
    first = Supervisor(data_dir, port, tmp_path / "first.log")
    try:
        first.wait_for_banner(timeout=120)
        cluster = (data_dir / "postgres" / "PG_VERSION").stat()
        processes = first.processes()
        for role in ("postgres", "redis", "worker", "beat", "web"):
            assert len(processes[role]) == 1, (role, processes)
        children = first.all_processes()

        first.process.send_signal(signal.SIGKILL)
        assert first.process.wait(10) == -signal.SIGKILL
        killed_at = time.monotonic()

        assert wait_until_gone(children, timeout=30) == []
        assert time.monotonic() - killed_at < 30
        assert processes_mentioning(data_dir) == []
    finally:
        first.ensure_stopped()
    # What the killed run left: a lock file naming a dead pid (its flock died with it).
    assert (data_dir / "stack.lock").read_text() == str(first.pid)

    # Same data dir and the same port, whose connections may still be in TIME_WAIT.
    second = Supervisor(data_dir, port, tmp_path / "second.log")
    try:
        second.wait_for_banner(timeout=120)
        response = Browser(second.base_url).request("/readyz")
        assert response.status == 200, response.text
        assert response.json()["status"] == "ready"
        # The killed run's cluster was started again, not thrown away and created anew.
        again = (data_dir / "postgres" / "PG_VERSION").stat()
        assert (again.st_ino, again.st_mtime_ns) == (cluster.st_ino, cluster.st_mtime_ns)
        restarted = second.all_processes()

        assert second.stop(signal.SIGINT, timeout=60) == 130
        assert wait_until_gone(restarted, timeout=5) == []
        assert processes_mentioning(data_dir) == []
    finally:
        second.ensure_stopped()
