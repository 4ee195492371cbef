import subprocess
import sys
from pathlib import Path

from tests.devstack.running_stack import free_port, stack_env


def test_manage_without_a_running_stack_says_so_in_one_sentence(tmp_path: Path):
    result = subprocess.run(
        [sys.executable, "-m", "devstack", "manage", "--", "check"],
        cwd=Path(__file__).parents[2],
        env=stack_env(tmp_path / "data", free_port()),
        capture_output=True,
        text=True,
        timeout=60,
    )

    assert result.returncode == 1
    assert result.stderr.strip() == (
        "`make run` is not running: start it first, then run this again."
    )
