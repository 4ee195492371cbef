"""Child processes that cannot outlive the supervisor."""

import contextlib
import ctypes
import os
import pwd
import signal
import subprocess
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path
from typing import IO, Any

_PR_SET_PDEATHSIG = 1


def _die_with_parent(sig: int) -> Callable[[], None]:
    def set_parent_death_signal() -> None:
        # Linux delivers `sig` to this child when the supervisor dies, even by SIGKILL, so a
        # killed `make run` leaves no orphan postgres, redis or celery behind. It runs after
        # the setuid of `user=`, which would otherwise clear the setting.
        ctypes.CDLL(None, use_errno=True).prctl(_PR_SET_PDEATHSIG, sig, 0, 0, 0)

    return set_parent_death_signal


def user_credentials(user: str | None) -> dict[str, Any]:
    """`subprocess` arguments that run a child as `user` with only that user's own group.

    `user=` alone keeps root's group (gid 0), so root's 0700 folders (pytest's tmp dirs, /root)
    stay closed to the child: for a member of a folder's group, the group bits decide, not the
    "other" bits that postgres.py opens for traversal.
    """
    if user is None:
        return {}
    return {"user": user, "group": pwd.getpwnam(user).pw_gid, "extra_groups": []}


def spawn(
    args: Sequence[str | Path],
    *,
    env: Mapping[str, str] | None = None,
    stdout: IO[bytes] | int | None = None,
    user: str | None = None,
    stop_signal: int = signal.SIGTERM,
    own_group: bool = True,
    cwd: Path | None = None,
) -> subprocess.Popen[bytes]:
    """Start a child that gets `stop_signal` when the supervisor dies.

    With `own_group` the child has its own process group, so a Ctrl-C in the terminal reaches
    only the supervisor, which then stops the children in order.
    """
    return subprocess.Popen(
        [str(a) for a in args],
        env=dict(env) if env is not None else None,
        stdout=stdout,
        stderr=subprocess.STDOUT if stdout is not None else None,
        stdin=subprocess.DEVNULL,
        **user_credentials(user),
        process_group=0 if own_group else None,
        preexec_fn=_die_with_parent(stop_signal),
        cwd=cwd,
    )


def stop(
    process: subprocess.Popen[bytes], *, sig: int = signal.SIGTERM, timeout: float = 20
) -> None:
    """Ask a child (and its process group) to stop; kill it if it does not within `timeout`."""
    if process.poll() is not None:
        return
    try:
        os.killpg(process.pid, sig)
    except (ProcessLookupError, PermissionError):
        process.send_signal(sig)
    try:
        process.wait(timeout)
    except subprocess.TimeoutExpired:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(process.pid, signal.SIGKILL)
        process.wait()
