"""Handing out a stored file after the view has checked who may have it.

With the filesystem storage the file is streamed by the app server. With an S3 bucket
(settings.S3_BUCKET) the app server redirects to a presigned address of the object, valid
for a few minutes, that names the file and its type: the bucket stays private, and large
files never pass through the app server. Either way nothing caches the answer.
"""

from urllib.parse import quote

from django.core.files.storage import default_storage
from django.http import FileResponse, HttpResponse, HttpResponseRedirect

# How long a presigned address works: enough to start the download, too short to share.
PRESIGNED_SECONDS = 120


def stored_file_response(
    name: str, *, filename: str, content_type: str, attachment: bool, in_memory_up_to: int = 0
) -> HttpResponse:
    """The file `name` of the default storage, as `filename`, to a visitor already allowed.

    From the filesystem, a file of at most `in_memory_up_to` bytes is read whole into the
    response instead of streamed (a response the page cache can keep)."""
    disposition = (
        f'{"attachment" if attachment else "inline"}; filename="{filename}"; '
        f"filename*=UTF-8''{quote(filename)}"
    )
    if hasattr(default_storage, "bucket_name"):  # S3Storage (django-storages)
        url = default_storage.url(
            name,
            parameters={
                "ResponseContentDisposition": disposition,
                "ResponseContentType": content_type,
            },
            expire=PRESIGNED_SECONDS,
        )
        response: HttpResponse = HttpResponseRedirect(url)
    elif in_memory_up_to and default_storage.size(name) <= in_memory_up_to:
        with default_storage.open(name, "rb") as stored:
            response = HttpResponse(stored.read(), content_type=content_type)
        response["Content-Disposition"] = disposition
    else:
        response = FileResponse(default_storage.open(name, "rb"), content_type=content_type)
        response["Content-Disposition"] = disposition
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "private, no-store"
    return response
