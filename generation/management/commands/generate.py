import time
from pathlib import Path
from typing import Any

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError, CommandParser

from generation import jobs, rendering, storage
from generation.models import Job, Render
from tenants.context import tenant_scope
from tenants.models import Tenant


class Command(BaseCommand):
    help = (
        "Submit a generation job for a brand, as POST /api/v1/jobs does; with --wait, wait for "
        "the workers to finish it and print the files."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--tenant", required=True, help="The brand's slug.")
        parser.add_argument("--script", type=Path, help="A UTF-8 text file with the script.")
        parser.add_argument("--products", default="", help="Comma-separated product ids.")
        parser.add_argument("--channels", required=True, help="e.g. live_1080x1920,main_800x800")
        parser.add_argument("--variants", type=int, default=4)
        parser.add_argument("--seed", type=int, default=None)
        parser.add_argument("--lane", choices=Job.Lane.values, default=Job.Lane.INTERACTIVE)
        parser.add_argument("--format", choices=["jpeg", "webp", "png"], default="jpeg")
        parser.add_argument("--wait", action="store_true", help="Wait for the job to finish.")
        parser.add_argument(
            "--inline",
            action="store_true",
            help="Render in this process instead of on the workers (implies --wait).",
        )
        parser.add_argument("--timeout", type=float, default=600, help="Seconds to wait.")

    def handle(self, *args: Any, **options: Any) -> None:
        brand = Tenant.objects.filter(slug=options["tenant"]).first()
        if brand is None:
            raise CommandError(f"No brand has the slug {options['tenant']!r}.")
        script = ""
        if options["script"] is not None:
            try:
                script = options["script"].read_text(encoding="utf-8")
            except (OSError, UnicodeDecodeError) as error:
                raise CommandError(f"Cannot read {options['script']}: {error}.") from error
        try:
            product_ids = tuple(int(pk) for pk in options["products"].split(",") if pk.strip())
        except ValueError as error:
            raise CommandError("--products takes comma-separated numeric ids.") from error
        request = jobs.JobRequest(
            script=script,
            product_ids=product_ids,
            channels=tuple(c.strip() for c in options["channels"].split(",") if c.strip()),
            variants=options["variants"],
            seed=options["seed"],
            lane=options["lane"],
            output_format=options["format"],
        )
        try:
            with tenant_scope(brand.pk):
                job, _ = jobs.job_create(tenant=brand, user=None, request=request)
        except ValidationError as error:
            raise CommandError(" ".join(error.messages)) from error
        self.stdout.write(f"Job {job.pk}: {len(request.channels) * request.variants} renders.")
        if options["inline"]:
            self._run_inline(brand.pk, job.pk)
        elif not options["wait"]:
            return
        job = self._wait(brand.pk, job.pk, options["timeout"])
        self._print_files(brand.pk, job)

    def _run_inline(self, tenant_id: int, job_id: int) -> None:
        with tenant_scope(tenant_id):
            render_ids = jobs.job_plan(tenant_id=tenant_id, job_id=job_id)
        for render_id in render_ids:
            with tenant_scope(tenant_id):
                rendering.render_execute(tenant_id=tenant_id, render_id=render_id)
        with tenant_scope(tenant_id):
            jobs.job_finalize(tenant_id=tenant_id, job_id=job_id)

    def _wait(self, tenant_id: int, job_id: int, timeout: float) -> Job:
        deadline = time.monotonic() + timeout
        while True:
            with tenant_scope(tenant_id):
                job = Job.objects.get(tenant_id=tenant_id, pk=job_id)
            if job.is_finished:
                return job
            if time.monotonic() > deadline:
                raise CommandError(
                    f"Job {job_id} is still {job.status} after {timeout:.0f} s; is a worker "
                    "running (make run starts one)? Follow it with GET /api/v1/jobs/{job_id}."
                )
            time.sleep(0.25)

    def _print_files(self, tenant_id: int, job: Job) -> None:
        with tenant_scope(tenant_id):
            renders = list(
                Render.objects.filter(tenant_id=tenant_id, job=job)
                .select_related("asset")
                .order_by("channel", "variant")
            )
        media = storage.media_storage()
        for render in renders:
            if render.asset is None:
                self.stdout.write(
                    f"{render.channel} #{render.variant + 1}: {render.status} {render.error}"
                )
                continue
            name = render.asset.file.name
            try:
                location = media.path(name)
            except NotImplementedError:  # S3: a signed link instead of a path
                location = storage.download_url(
                    tenant_id=tenant_id, key=name, filename=Path(name).name
                )
            if render.is_released:
                self.stdout.write(location)
            else:  # the operator sees the file; the brand gets it only once a reviewer approves
                self.stdout.write(f"{location}  ({render.compliance_state}: ad-law review)")
        if job.variants_dropped:
            self.stdout.write(
                f"{job.variants_dropped} variant(s) dropped: their copy stayed blocked by the "
                "ad-law check."
            )
        self.stdout.write(f"Job {job.pk} {job.status}.")
        if job.status != Job.Status.SUCCEEDED:
            raise CommandError(
                f"Job {job.pk} finished {job.status}: {job.error or 'see the renders above'}."
            )
