"""The bases of the API's endpoints (config/api.py assembles them; docs/ARCHITECTURE.md
"The API"): the page of a list, the conditional GET of the public endpoints, the error body.

Here, at the bottom, so that every app's `api.py` can build on them; who is asking (a
personal access token) is decided in accounts/api.py, above.
"""

import hashlib
import time
from typing import Generic, TypeVar
from urllib.parse import urlencode

from django.http import HttpRequest, HttpResponse, HttpResponseNotModified
from django.utils.translation import get_language
from ninja import Field, Schema

from . import caching

T = TypeVar("T")

PAGE_SIZE = 50
MAX_PAGE_SIZE = 200
MAX_OFFSET = 1_000_000_000
PUBLIC_SECONDS = 60  # how long a client or proxy may keep a public answer without asking


class Error(Schema):
    """Every error of the API: a sentence saying what went wrong."""

    detail: str


class PageQuery(Schema):
    limit: int = Field(PAGE_SIZE, ge=1, le=MAX_PAGE_SIZE, description="Items per page.")
    # Bounded, so that a number past the database's integers is a clear 422, not a failed query.
    offset: int = Field(0, ge=0, le=MAX_OFFSET, description="Items to skip.")


class Page(Schema, Generic[T]):
    """One page of a list: `count` items in all; `next` and `previous` are the addresses of
    the neighbouring pages (null at either end)."""

    count: int
    next: str | None
    previous: str | None
    items: list[T]


def paginate(request: HttpRequest, items, page: PageQuery) -> dict:
    """A page of `items` (a queryset: two queries, a count and the page; or a list)."""
    count = items.count() if hasattr(items, "model") else len(items)
    chosen = list(items[page.offset : page.offset + page.limit])

    def link(offset: int) -> str:
        query = request.GET.copy()
        query["limit"], query["offset"] = str(page.limit), str(offset)
        return request.build_absolute_uri(f"{request.path}?{urlencode(sorted(query.items()))}")

    after = page.offset + page.limit
    return {
        "count": count,
        "next": link(after) if after < count else None,
        "previous": link(max(page.offset - page.limit, 0)) if page.offset > 0 else None,
        "items": chosen,
    }


def public_answer(
    request: HttpRequest, response: HttpResponse, scopes: list[str]
) -> HttpResponse | None:
    """The conditional GET of a public endpoint, before it reads anything.

    The ETag is made of the content versions of what the answer shows (course/caching.py:
    any write to it makes a new one), the address, the language, who asks and the minute
    (what changes with the clock alone, such as a session being held, shows within one).
    A client that has it gets 304 at the cost of one cache read. Anonymous answers may be
    kept `PUBLIC_SECONDS` by anyone; answers to a token only by its client.
    """
    user = request.user
    tokens = caching.versions([caching.CATALOGUE, *scopes])
    who = str(user.pk) if user.is_authenticated else "-"
    minute = str(int(time.time() // 60))
    digest = hashlib.sha256(
        "|".join([*tokens, request.get_full_path(), get_language() or "", who, minute]).encode()
    ).hexdigest()[:32]
    etag = f'"{digest}"'
    headers = {
        "ETag": etag,
        "Cache-Control": (
            "private, no-cache" if user.is_authenticated else f"public, max-age={PUBLIC_SECONDS}"
        ),
        "Vary": "Authorization, Accept-Language",
    }
    if etag in [tag.strip() for tag in request.headers.get("If-None-Match", "").split(",")]:
        not_modified = HttpResponseNotModified()
        for name, value in headers.items():
            not_modified[name] = value
        return not_modified
    for name, value in headers.items():
        response[name] = value
    return None


def private_answer(response: HttpResponse) -> None:
    """A person's own or a staff answer: never kept by a proxy or the browser."""
    response["Cache-Control"] = "private, no-store"
    response["Vary"] = "Authorization"
