import os
import signal
import time

import pytest

from tests.celery_tasks import count_and_sleep

pytestmark = pytest.mark.celery_worker


def _wait_for(predicate, timeout: float) -> None:
    deadline = time.monotonic() + timeout
    while not predicate():
        if time.monotonic() > deadline:
            raise AssertionError("condition not reached in time")
        time.sleep(0.1)


def test_a_task_whose_pool_process_is_killed_runs_again(celery_worker, redis_client):
    result = count_and_sleep.delay(key="lost-child", seconds=2)
    _wait_for(lambda: redis_client.llen("lost-child:pids") == 1, timeout=20)
    pid = int(redis_client.lindex("lost-child:pids", 0))

    os.kill(pid, signal.SIGKILL)

    assert result.get(timeout=30) == 2
    assert int(redis_client.get("lost-child")) == 2


def test_a_task_of_a_killed_worker_comes_back_within_seconds_on_another(start_worker, redis_client):
    # The first worker holds the task unacknowledged when the whole machine "dies".
    first = start_worker()
    result = count_and_sleep.delay(key="lost-worker", seconds=3)
    _wait_for(lambda: redis_client.llen("lost-worker:pids") == 1, timeout=20)
    first.kill_everything()

    # A worker whose visibility timeout is 5 s re-queues it once 5 s have passed since delivery.
    started = time.monotonic()
    start_worker(APP_BROKER_VISIBILITY_TIMEOUT="5", APP_TASK_TIME_LIMIT="4")

    assert result.get(timeout=30) == 2
    assert time.monotonic() - started < 15
    assert int(redis_client.get("lost-worker")) == 2


def test_a_finished_task_is_acknowledged_once_and_never_redelivered(celery_worker, redis_client):
    result = count_and_sleep.delay(key="done-once", seconds=0)

    assert result.get(timeout=20) == 1
    time.sleep(2)
    assert int(redis_client.get("done-once")) == 1
