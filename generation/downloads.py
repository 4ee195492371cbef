"""Signed file downloads for storages that cannot sign URLs themselves (local disk)."""

import mimetypes

from django.core import signing
from django.http import FileResponse, Http404, HttpRequest
from django.views.decorators.http import require_GET

from generation import storage


@require_GET
def file_download(request: HttpRequest, token: str) -> FileResponse:
    """Stream a stored file to whoever holds an unexpired link minted by storage.download_url."""
    try:
        tenant_id, key, filename = storage.download_token_read(token)
    except signing.BadSignature as error:  # also SignatureExpired
        raise Http404("This download link is invalid or has expired.") from error
    if not key.startswith(storage.tenant_key(tenant_id) + "/"):
        raise Http404("This download link is invalid or has expired.")
    try:
        handle = storage.media_storage().open(key, "rb")
    except FileNotFoundError as error:
        raise Http404("The file is gone.") from error
    content_type = mimetypes.guess_type(key)[0] or "application/octet-stream"
    response = FileResponse(
        handle, as_attachment=True, filename=filename, content_type=content_type
    )
    response["Cache-Control"] = "private, max-age=3600"
    return response
