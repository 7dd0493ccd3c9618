"""How large a request may be, and refusing larger ones before their body is read.

Django reads a multipart body whole before a view can look at it, spooling files to a
temporary folder, so without these a 500 MB POST to the log-in page would fill /tmp and a
2 GiB "report" would be written to disk before the deliverable's size limit refused it.

- `RequestSizeLimitMiddleware` answers 413 at once when the announced Content-Length is
  beyond the limit (honest clients: browsers always announce it);
- `LimitedUploadHandler` (first in FILE_UPLOAD_HANDLERS) counts the bytes the multipart
  parser actually reads and stops past the limit, for bodies that do not tell their length
  truthfully. Its `RequestDataTooBig` becomes the same 413 page (config.views.bad_request).

Anonymous visitors send only small forms (log-in, sign-up, password reset):
DATA_UPLOAD_MAX_MEMORY_SIZE. Logged-in users may upload: MAX_UPLOAD_BYTES.
"""

from django.conf import settings
from django.core.exceptions import RequestDataTooBig
from django.core.files.uploadhandler import FileUploadHandler
from django.shortcuts import render


def body_limit(request) -> int:
    """The largest body this request may have, in bytes."""
    user = getattr(request, "user", None)
    if user is not None and user.is_authenticated:
        return settings.MAX_UPLOAD_BYTES
    return settings.DATA_UPLOAD_MAX_MEMORY_SIZE


def announced_length(request) -> int:
    try:
        return max(int(request.META.get("CONTENT_LENGTH") or 0), 0)
    except ValueError:
        return 0  # Django reads no body then


def too_large_response(request, limit: int | None = None):
    """The 413 page: what the limit is and what to do."""
    limit = body_limit(request) if limit is None else limit
    return render(
        request,
        "413.html",
        {"limit_mb": f"{limit / 1024 / 1024:.1f}".removesuffix(".0")},
        status=413,
    )


class RequestSizeLimitMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        length = announced_length(request)
        # Only a long body costs the query behind request.user (the session's user).
        if length > settings.DATA_UPLOAD_MAX_MEMORY_SIZE:
            limit = body_limit(request)
            if length > limit:
                return too_large_response(request, limit)
        return self.get_response(request)


class LimitedUploadHandler(FileUploadHandler):
    """Passes every chunk on to the next handler, counting; past the limit, stops reading."""

    def handle_raw_input(self, input_data, META, content_length, boundary, encoding=None):
        self.limit = body_limit(self.request)
        self.received = 0
        if content_length > self.limit:
            raise RequestDataTooBig(f"Content-Length {content_length} beyond {self.limit}.")

    def receive_data_chunk(self, raw_data, start):
        self.received += len(raw_data)
        if self.received > self.limit:
            self.discard_partial_files()
            raise RequestDataTooBig(f"Uploaded files beyond {self.limit} bytes.")
        return raw_data

    def discard_partial_files(self):
        """The parser closes only finished files on an error; the file being received would
        stay on disk until the request is collected."""
        for handler in self.request.upload_handlers:
            partial = getattr(handler, "file", None)
            if partial is not None:
                partial.close()  # a temporary file is deleted when closed

    def file_complete(self, file_size):
        return None  # the next handler keeps the file
