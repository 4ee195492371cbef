"""Celery entry points of the library: each loads ids, enters the brand's scope, calls a service."""

from celery import shared_task

from library import uploads
from tenants.context import tenant_scope


@shared_task(name="library.upload_batch_process", acks_late=True, reject_on_worker_lost=True)
def upload_batch_process(*, tenant_id: int, batch_id: int) -> None:
    """Add a batch's files one transaction each, so its progress shows as it goes; a redelivered
    task carries on with the items still pending."""
    with tenant_scope(tenant_id):
        item_ids = uploads.upload_batch_start(tenant_id=tenant_id, batch_id=batch_id)
    for item_id in item_ids:
        with tenant_scope(tenant_id):
            uploads.upload_item_process(tenant_id=tenant_id, item_id=item_id)
    with tenant_scope(tenant_id):
        uploads.upload_batch_finish(tenant_id=tenant_id, batch_id=batch_id)
