import io
from pathlib import Path

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from PIL import Image

from generation.models import Job, Render
from tests.tenants.factories import TenantFactory, rows

SCRIPT = Path(__file__).parent / "fixtures" / "scripts" / "skincare_zh.txt"


def run(*args: str) -> list[str]:
    out = io.StringIO()
    call_command("generate", *args, stdout=out)
    return out.getvalue().splitlines()


@pytest.mark.celery_worker
def test_generate_waits_for_the_workers_and_prints_the_files(celery_worker):
    tenant = TenantFactory(slug="lumiere")

    lines = run(
        "--tenant", "lumiere", "--script", str(SCRIPT), "--channels", "live_1080x1920",
        "--variants", "2", "--wait", "--timeout", "60",
    )  # fmt: skip

    assert lines[0].startswith("Job ") and lines[0].endswith(": 2 renders.")
    files = [Path(line.split("  (")[0]) for line in lines[1:-1]]
    assert len(files) == 2
    for path in files:
        assert Image.open(path).size == (1080, 1920)
    assert lines[-1].endswith("succeeded.")
    assert [job.status for job in rows(Job, tenant)] == [Job.Status.SUCCEEDED]
    # Posters the ad-law check holds are marked: the brand gets them after its review.
    states = sorted(render.compliance_state for render in rows(Render, tenant))
    marks = sorted(
        line.rsplit("(", 1)[1].split(":")[0] if line.endswith("ad-law review)") else "passed"
        for line in lines[1:-1]
    )
    assert marks == states


@pytest.mark.django_db
def test_generate_inline_renders_in_the_command_itself():
    TenantFactory(slug="solo")

    lines = run("--tenant", "solo", "--script", str(SCRIPT), "--channels", "main_800x800",
                "--variants", "1", "--inline")  # fmt: skip

    assert Image.open(lines[1].split("  (")[0]).size == (800, 800)
    assert lines[-1].endswith("succeeded.")


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--tenant", "nope", "--channels", "main_800x800"], "No brand has the slug 'nope'."),
        (["--tenant", "t", "--script", "/no/such/file", "--channels", "main_800x800"],
         "Cannot read /no/such/file"),
        (["--tenant", "t", "--script", str(SCRIPT), "--channels", "poster"],
         "Unknown channel 'poster'"),
        (["--tenant", "t", "--channels", "main_800x800"], "Give a script or at least one product"),
        (["--tenant", "t", "--script", str(SCRIPT), "--channels", "main_800x800",
          "--variants", "500"], "Variants must be between 1 and 200."),
    ],
)  # fmt: skip
def test_bad_arguments_end_with_one_clear_sentence(args, message):
    TenantFactory(slug="t")

    with pytest.raises(CommandError) as refused:
        run(*args)

    assert message in str(refused.value)
    assert "Traceback" not in str(refused.value)
