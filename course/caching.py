"""Pages from the shared cache, keyed by content versions.

Most pages are the same for many requests until something they show changes. Such a page is
kept in the cache (Redis when REDIS_URL is set: every app server shares it; a folder every
process of the machine shares otherwise; local memory in tests) under a key made of its
address, the language, whose page it is and the *content versions* of what it shows:

- `catalogue`: every course and offering listing (part of every key: the navigation shows
  the offerings);
- `course:<slug>`, `offering:<course>/<offering>`: what an offering's public pages show;
- `records:<offering id>`: its records (attendance, enrolments, groups, submissions,
  grades), which only staff and students' own pages show;
- `person:<user id>`: a person's account, enrolments and places among the staff.

A version is a random token in the cache. A write bumps the versions of what it changed
(`bump_offering()`, `bump_records()`, `bump_person()`), so the very next request on any
machine builds the page again: no timeout decides when a change shows. The models whose rows
appear on pages are watched (`watch()`, `watch_records()`, `watch_person()`, called by each
app's AppConfig.ready() for its models): saving or deleting one, through a service, the
admin, a command or the shell, bumps it. Writes that bypass save() (`QuerySet.update()`,
`bulk_create()`) bump themselves. What changes with the clock alone (registration opens, a
deadline passes, check-in opens) is in `CLOCK_EDGES`: a page is never kept past the next
such moment of its offerings, and never longer than PAGE_SECONDS.

Who gets a kept page:
- **public pages** (views marked with CachedPublicPageMixin / cached_public_page): anonymous
  visitors without a session or a waiting message, served by
  config.middleware.PublicPageCacheMiddleware before the session, the user and the view are
  looked at (a hit is one round trip to the cache and no query); a page that sets a cookie
  or carries a CSRF token made for this visitor is not kept;
- **a person's own pages** (accounts.pages.PersonalPageMixin, `serve_personal()`): only the
  same person in the same browser (the key holds the user and the CSRF cookie the page's
  forms carry a token of), under their own version and every version of their offerings;
  never while a message waits to be shown;
- **fragments** of staff pages (`fragment_key()`, `records_cached()`), under the offering's
  versions.
"""

import hashlib
import secrets
from collections.abc import Callable
from contextvars import ContextVar
from datetime import datetime
from typing import Any

from django.conf import settings
from django.core.cache import cache
from django.core.exceptions import ObjectDoesNotExist
from django.db import transaction
from django.db.models.signals import m2m_changed, post_delete, post_save
from django.http import HttpResponse
from django.urls import Resolver404, resolve
from django.utils import timezone
from django.utils.cache import set_response_etag
from django.utils.translation import get_language, get_language_from_request

from .models import Offering

PAGE_SECONDS = 60
CATALOGUE = "catalogue"


def course_scope(course_slug: str) -> str:
    return f"course:{course_slug}"


def offering_scope(course_slug: str, offering_slug: str) -> str:
    return f"offering:{course_slug}/{offering_slug}"


def _version_key(scope: str) -> str:
    return f"cv:{scope}"


def versions(scopes: list[str]) -> list[str]:
    """The current token of each scope (a scope without one gets one)."""
    keys = [_version_key(s) for s in scopes]
    found = cache.get_many(keys)
    missing = {key: secrets.token_hex(8) for key in keys if key not in found}
    if missing:
        for key, token in missing.items():
            # add(): two servers making the first token at once agree on one of them.
            if not cache.add(key, token, timeout=None):
                missing[key] = cache.get(key) or token
        found.update(missing)
    return [found[key] for key in keys]


def bump(*scopes: str) -> None:
    """New versions: every cached page of these scopes is made again on its next request.

    Now, and once more when the transaction commits: a page made by another request while
    the change was not committed yet (the old content, under the new version) is not kept.
    """

    def new_tokens():
        cache.set_many({_version_key(s): secrets.token_hex(8) for s in scopes}, timeout=None)

    new_tokens()
    memo = request_versions.get()
    if memo is not None:
        memo.clear()  # what this request reads next reads the new versions
    if transaction.get_connection().in_atomic_block:
        transaction.on_commit(new_tokens)


# The content versions read during the current request, so that a page asks the cache for
# them once (set to a dict by config.middleware.PageCacheMiddleware; None outside requests,
# where every read asks again).
request_versions: ContextVar[dict | None] = ContextVar("request_versions", default=None)


def offering_cached(offering, name: str, load: Callable[[], Any]) -> Any:
    """What `load()` reads about the offering, kept in the cache under the offering's
    content versions: for data every page of the offering reads and only watched writes
    change (its sessions, deliverables, grading scales...)."""
    memo = request_versions.get()
    tokens = memo.get(offering.pk) if memo is not None else None
    if tokens is None:
        course_slug = offering.course.slug
        tokens = versions(
            [CATALOGUE, course_scope(course_slug), offering_scope(course_slug, offering.slug)]
        )
        if memo is not None:
            memo[offering.pk] = tokens
    key = f"data:{name}:{offering.pk}:{'.'.join(tokens)}"
    value = cache.get(key)
    if value is None:
        value = load()
        cache.set(key, value, PAGE_SECONDS)
    return value


def records_scope(offering_id: int) -> str:
    return f"records:{offering_id}"


def person_scope(user_id: int) -> str:
    return f"person:{user_id}"


def bump_person(user_id: int | None) -> None:
    """After a change to a person's account, enrolments or teaching: their own pages."""
    if user_id is not None:
        bump(person_scope(user_id))


def _on_save_and_delete(model, changed, uid: str) -> None:
    post_save.connect(changed, sender=model, weak=False, dispatch_uid=uid + ":save")
    post_delete.connect(changed, sender=model, weak=False, dispatch_uid=uid + ":delete")


def watch_person(model, user_id_of: Callable[[Any], int | None]) -> None:
    """Bump the person of every row of `model` saved or deleted (their account, their
    enrolments and their places among an offering's staff)."""

    def changed(sender, instance, **kwargs):
        if not kwargs.get("raw"):
            bump_person(user_id_of(instance))

    uid = f"course.caching.person:{model._meta.label}"
    _on_save_and_delete(model, changed, uid)


# What changes with the clock alone: the moments at which an offering's pages change without
# a write (a session starts and check-in opens, a deadline passes, registration opens). Each
# app registers a function giving the next such moment after `now` among the offerings'
# (one query); a cached page never outlives the earliest of them.
CLOCK_EDGES: list[Callable[[list[int], datetime], datetime | None]] = []


def seconds_to_keep(offering_ids: list[int], *, scopes: list[str] | None = None) -> int:
    """How long a page of these offerings may be kept: PAGE_SECONDS, or less when one of
    their clock edges comes sooner (0: do not keep it).

    With `scopes` (the offerings' content scopes), the next edge is kept in the cache under
    their versions: it stays the next one until it passes or the content changes.
    """
    now = timezone.now()
    if not offering_ids:
        return PAGE_SECONDS
    key = None
    if scopes is not None:
        raw = "|".join([*map(str, offering_ids), *scopes, *versions([CATALOGUE, *scopes])])
        key = "edge:" + hashlib.sha256(raw.encode()).hexdigest()
        stored = cache.get(key)
        if stored is not None and (stored[0] is None or stored[0] > now):
            return _seconds_until(stored[0], now)
    edges = [edge for find in CLOCK_EDGES if (edge := find(offering_ids, now)) is not None]
    edge = min(edges, default=None)
    if key is not None:
        cache.set(key, (edge,), EDGE_SECONDS)
    return _seconds_until(edge, now)


EDGE_SECONDS = 60 * 60


def _seconds_until(edge: datetime | None, now: datetime) -> int:
    if edge is None:
        return PAGE_SECONDS
    return max(0, min(PAGE_SECONDS, int((edge - now).total_seconds())))


def bump_offering(offering_id: int | None) -> None:
    """After a change to something an offering's public pages show (its staff pages too)."""
    for course_slug, offering_slug in Offering.objects.filter(pk=offering_id).values_list(
        "course__slug", "slug"
    ):
        bump(
            course_scope(course_slug),
            offering_scope(course_slug, offering_slug),
            records_scope(offering_id),  # type: ignore[arg-type]
        )


def bump_records(offering_id: int | None) -> None:
    """After a change to the offering's records (attendance, enrolments, submissions,
    assessments, grades): the staff's and students' own pages, not the public ones."""
    if offering_id is not None:
        bump(records_scope(offering_id))


def fragment_key(offering, *parts) -> str:
    """A key for a fragment of a staff or student page (`{% cache %}`): the offering's
    content and records versions, the language it is written in, and what else the
    fragment depends on (the sort, the student)."""
    course_slug = offering.course.slug
    tokens = versions(
        [
            CATALOGUE,
            course_scope(course_slug),
            offering_scope(course_slug, offering.slug),
            records_scope(offering.pk),
        ]
    )
    return ":".join([str(offering.pk), *tokens, get_language() or "", *map(str, parts)])


def records_cached(
    offering, name: str, load: Callable[[], Any], keep: Callable[[Any], bool] | None = None
) -> Any:
    """What `load()` reads of the offering's content and records (a grade sheet), kept for
    PAGE_SECONDS under their versions: for pages only, never for a write's decisions.
    With `keep`, only a value it accepts is kept (a value costing more to store than to
    read again is not)."""
    key = f"records:{name}:{fragment_key(offering)}"
    value = cache.get(key)
    if value is None:
        value = load()
        if keep is None or keep(value):
            cache.set(key, value, PAGE_SECONDS)
    return value


def watch_records(model, offering_id_of: Callable[[Any], int | None]) -> None:
    """Bump the records of the offering of every row of `model` saved or deleted."""

    def changed(sender, instance, **kwargs):
        if kwargs.get("raw"):
            return
        try:
            offering_id = offering_id_of(instance)
        except ObjectDoesNotExist:
            return
        bump_records(offering_id)

    uid = f"course.caching.records:{model._meta.label}"
    _on_save_and_delete(model, changed, uid)


def bump_catalogue() -> None:
    """After a change to a course or an offering itself: every public page."""
    bump(CATALOGUE)


def watch(model, offering_id_of: Callable[[Any], int | None]) -> None:
    """Bump the offering of every row of `model` saved or deleted (and of its many-to-many
    changes). `offering_id_of(row)` gives the id of the row's offering, or None."""

    def changed(sender, instance, **kwargs):
        if kwargs.get("raw"):  # loading fixtures
            return
        if kwargs.get("action", "post_").startswith("pre_"):
            return
        try:
            offering_id = offering_id_of(instance)
        except ObjectDoesNotExist:  # its parent is being deleted too, which bumps
            return
        bump_offering(offering_id)

    uid = f"course.caching.watch:{model._meta.label}"
    _on_save_and_delete(model, changed, uid)
    for field in model._meta.many_to_many:
        m2m_changed.connect(
            changed,
            sender=field.remote_field.through,
            weak=False,
            dispatch_uid=f"{uid}:{field.name}",
        )


def watch_catalogue(model) -> None:
    """Every save or deletion of `model` (courses, offerings) bumps the catalogue."""

    def changed(sender, instance, **kwargs):
        if not kwargs.get("raw"):
            bump_catalogue()

    uid = f"course.caching.catalogue:{model._meta.label}"
    _on_save_and_delete(model, changed, uid)


# Serving ------------------------------------------------------------------------------------
#
# A kept page is stored with the versions it was made under, under a key that does not hold
# them: one round trip to the cache reads the page and the current versions together, and
# the page is served only when they are the same.


def may_use_cache(request) -> bool:
    """Only for anonymous visitors without anything personal in their cookies."""
    return (
        request.method in ("GET", "HEAD")
        and settings.SESSION_COOKIE_NAME not in request.COOKIES
        and not request.COOKIES.get("messages")
    )


def _language(request) -> str:
    """The language the page is made in: LocaleMiddleware's choice (the cookie, else the
    browser's preference), or a logged-in person's own (config.middleware)."""
    return getattr(request, "LANGUAGE_CODE", "") or (
        get_language_from_request(request) if settings.USE_I18N else ""
    )


def _entry_key(kind: str, *parts: str) -> str:
    return f"{kind}:" + hashlib.sha256("|".join(parts).encode()).hexdigest()


def _lookup(key: str, scopes: list[str]) -> tuple[Any, list[str]]:
    """What is kept under `key` if it was kept under the current versions of `scopes` (else
    None), and those versions; one round trip when they exist."""
    version_keys = [_version_key(s) for s in scopes]
    found = cache.get_many([*version_keys, key])
    tokens = [found.get(k) for k in version_keys]
    if None in tokens:  # made now, before the page is: a bump meanwhile is not missed
        return None, versions(scopes)
    stored = found.get(key)
    if stored is not None and stored[0] == tokens:
        return stored[1], tokens
    return None, tokens


def _response_of(page: tuple) -> HttpResponse:
    status, headers, content = page
    response = HttpResponse(content, status=status)
    for name, value in headers:
        response[name] = value
    response["X-Page-Cache"] = "hit"
    return response


def may_keep(request, response: HttpResponse, *, same_csrf_cookie: bool = False) -> bool:
    """Nothing in the response is for this visitor only: no cookie set, no CSRF token made
    for a new cookie, no message shown. With `same_csrf_cookie` (a person's own page, kept
    for their browser only), a page whose forms carry a token of the browser's own CSRF
    cookie may be kept: Django sends that cookie again with every such page, unchanged."""
    cookies = dict(response.cookies)
    if same_csrf_cookie:
        sent = cookies.get(settings.CSRF_COOKIE_NAME)
        if sent is not None and sent.value == request.COOKIES.get(settings.CSRF_COOKIE_NAME):
            del cookies[settings.CSRF_COOKIE_NAME]
    return not (
        response.status_code != 200
        or response.streaming
        or cookies
        or (request.META.get("CSRF_COOKIE_NEEDS_UPDATE") and not same_csrf_cookie)
        or (getattr(request, "_messages", None) and request._messages.used)
    )


def _keep(key: str, tokens: list[str], payload, seconds: int) -> None:
    if seconds > 0:
        cache.set(key, (tokens, payload), seconds)


def _page(response: HttpResponse, headers: list[tuple[str, str]]) -> tuple:
    """The response as kept: its status, headers (with an ETag, made once) and content."""
    if not response.has_header("ETag"):
        set_response_etag(response)
        headers = [*headers, ("ETag", response["ETag"])]
    response["X-Page-Cache"] = "miss"
    return (response.status_code, headers, response.content)


# Public pages: served by config.middleware.PublicPageCacheMiddleware, before the session,
# the user and the view are looked at; a hit is one round trip to the cache and no query.


class CachedPublicPageMixin:
    """Marks a public view whose page anonymous visitors get from the shared cache.

    `page_scopes(kwargs)` names what the page shows; by default the offering (or course)
    of the URL, from its slugs, so that a hit costs no database query.
    """

    @classmethod
    def page_scopes(cls, kwargs: dict) -> list[str]:
        return scopes_of(kwargs)


def cached_public_page(view):
    """The same for a function view (the Atom feed)."""

    def cached(request, *args, **kwargs):
        return view(request, *args, **kwargs)

    cached.page_scopes = scopes_of  # type: ignore[attr-defined]
    return cached


#: What public_page() answers for a page kept for whoever has its secret address.
SECRET = "secret"


def public_page(request) -> tuple[list[str], dict] | str | None:
    """The scopes and URL arguments of the public page asked for, if it is one; SECRET for
    a page at a secret address (its view class says `secret_page = True`)."""
    try:
        match = resolve(request.path_info)
    except Resolver404:
        return None
    view = getattr(match.func, "view_class", match.func)
    if getattr(view, "secret_page", False):
        return SECRET
    scopes_for = getattr(view, "page_scopes", None)
    if scopes_for is None:
        return None
    return scopes_for(match.kwargs), match.kwargs


def serve_public(request, scopes: list[str], kwargs: dict, make) -> HttpResponse:
    """The public page from the cache, or made by `make()` and kept (with all its headers
    but cookies, which it must not have) when it may be."""
    key = _entry_key("page", request.get_full_path(), _language(request), *scopes)
    page, tokens = _lookup(key, [CATALOGUE, *scopes])
    if page is not None:
        return _response_of(page)
    response = make()
    if may_keep(request, response):
        course_slug, offering_slug = kwargs.get("course_slug"), kwargs.get("offering_slug")
        offering_ids = _offering_ids(course_slug, offering_slug) if course_slug else []
        headers = [(name, value) for name, value in response.items() if name != "X-Page-Cache"]
        seconds = seconds_to_keep(offering_ids, scopes=scopes_of(kwargs))
        _keep(key, tokens, _page(response, headers), seconds)
    return response


def _offering_ids(course_slug: str, offering_slug: str | None) -> list[int]:
    """The ids of the course's offerings (or of the one offering), kept under the catalogue's
    version."""
    key = f"ids:{course_slug}/{offering_slug or ''}:{versions([CATALOGUE])[0]}"
    ids = cache.get(key)
    if ids is None:
        offerings = Offering.objects.filter(course__slug=course_slug)
        if offering_slug:
            offerings = offerings.filter(slug=offering_slug)
        ids = list(offerings.values_list("pk", flat=True))
        cache.set(key, ids, EDGE_SECONDS)
    return ids


def scopes_of(kwargs: dict) -> list[str]:
    """What a page about the offering (or course) named in its URL shows."""
    course_slug = kwargs.get("course_slug", "")
    offering_slug = kwargs.get("offering_slug")
    if offering_slug:
        return [course_scope(course_slug), offering_scope(course_slug, offering_slug)]
    return [course_scope(course_slug)] if course_slug else []


# Headers a page kept by a view keeps (the middleware below the view adds the rest).
KEPT_HEADERS = ("Content-Type", "Content-Disposition", "Content-Language", "Last-Modified")


#: The scopes each secret page was last kept with, remembered by this process (at most
#: SECRET_SCOPES_REMEMBERED addresses): a hit then reads the page and those scopes' versions
#: in one round trip. Only a hint: what the kept page says it shows decides.
_secret_scopes: dict[str, list[str]] = {}
SECRET_SCOPES_REMEMBERED = 10_000


def _remember_secret_scopes(key: str, scopes: list[str]) -> None:
    if key not in _secret_scopes and len(_secret_scopes) >= SECRET_SCOPES_REMEMBERED:
        _secret_scopes.pop(next(iter(_secret_scopes)))  # the oldest remembered
    _secret_scopes[key] = scopes


def secret_hit(request) -> HttpResponse | None:
    """The kept page at a secret address, if what it shows is unchanged (served by
    config.middleware.PublicPageCacheMiddleware before the session, the user and the view).

    One round trip to the cache and no query: the page, the catalogue's version and the
    versions of the owner (their account: a new secret address or a closed account ends the
    old one) and of what the page showed, as this process remembers them from when it kept
    or served the page (a second round trip when it does not). On a miss, what was read is
    left on the request for serve_secret().
    """
    key = _entry_key("secret", request.get_full_path(), _language(request))
    remembered = _secret_scopes.get(key, [])
    version_keys = [_version_key(s) for s in [CATALOGUE, *remembered]]
    found = cache.get_many([*version_keys, key])
    catalogue_token = found.get(version_keys[0])
    request._secret_lookup = (key, catalogue_token)
    stored = found.get(key)
    if catalogue_token is not None and stored is not None and stored[0] == [catalogue_token]:
        scopes, tokens, page = stored[1]
        current = [found.get(_version_key(s)) for s in scopes]
        if scopes != remembered or None in current:
            current = versions(scopes)
            _remember_secret_scopes(key, scopes)
        if current == tokens:
            return _response_of(page)
    return None


def serve_secret(request, find: Callable[[], tuple[Any, list[str]]], make) -> HttpResponse:
    """For a page kept for whoever has its secret address (a person's calendar feed, which
    calendar apps fetch without logging in every few minutes): its view class says
    `secret_page = True`, and hits are served by the middleware (secret_hit()).

    `find()` gives the address's owner and the content scopes of what the page shows (or
    raises Http404); `make(owner)` makes the page, which is kept.
    """
    if not may_use_cache(request):
        owner, _ = find()
        return make(owner)
    if not hasattr(request, "_secret_lookup"):  # not through the middleware
        hit = secret_hit(request)
        if hit is not None:
            return hit
    key, catalogue_token = request._secret_lookup
    catalogue_tokens = [catalogue_token] if catalogue_token is not None else versions([CATALOGUE])
    owner, shown = find()
    scopes = [person_scope(owner.pk), *shown]
    tokens = versions(scopes)
    response = make(owner)
    if may_keep(request, response) and not response.has_header("Vary"):
        headers = [(name, response[name]) for name in KEPT_HEADERS if response.has_header(name)]
        _keep(key, catalogue_tokens, (scopes, tokens, _page(response, headers)), PAGE_SECONDS)
        _remember_secret_scopes(key, scopes)
    return response


# A person's own pages ------------------------------------------------------------------------


def personal_offerings(user, load: Callable[[], list[tuple[int, str, str]]]):
    """The offerings a person studies or teaches, as (id, course slug, offering slug), kept
    under the person's version (bumped by their enrolments and staff places)."""
    tokens = versions([CATALOGUE, person_scope(user.pk)])
    key = f"mine:{user.pk}:{'.'.join(tokens)}"
    value = cache.get(key)
    if value is None:
        value = load()
        cache.set(key, value, PAGE_SECONDS)
    return value


def serve_personal(request, load_offerings: Callable[[], list[tuple[int, str, str]]], make):
    """A logged-in person's own page from the cache, kept under their version and all of
    their offerings' (content and records): any change to what it could show, theirs or
    the offering's, makes it again. Only ever served to the same person, in the same
    browser (the key holds the CSRF cookie the page's forms carry a token of); never when
    a message waits to be shown.

    A hit is two round trips to the cache: the page with the person's version (unchanged,
    so are their offerings), then the versions of the offerings the page was made with.
    """
    user = request.user
    if (
        request.method not in ("GET", "HEAD")
        or request.COOKIES.get("messages")
        or request.session.get("_messages")
    ):
        return make()
    csrf_cookie = request.COOKIES.get(settings.CSRF_COOKIE_NAME, "")
    key = _entry_key(
        "mine-page", request.get_full_path(), _language(request), str(user.pk), csrf_cookie
    )
    kept, person_tokens = _lookup(key, [CATALOGUE, person_scope(user.pk)])
    if kept is not None:
        scopes, tokens, page = kept
        if versions(scopes) == tokens:
            return _response_of(page)
    offerings = personal_offerings(user, load_offerings)
    scopes = []
    for offering_id, course_slug, offering_slug in offerings:
        scopes += [
            course_scope(course_slug),
            offering_scope(course_slug, offering_slug),
            records_scope(offering_id),
        ]
    tokens = versions(scopes) if scopes else []
    response = make()

    def keep(rendered):
        if may_keep(request, rendered, same_csrf_cookie=True):
            headers = [(n, rendered[n]) for n in KEPT_HEADERS if rendered.has_header(n)]
            seconds = seconds_to_keep(
                [offering_id for offering_id, _, _ in offerings],
                scopes=[
                    scope
                    for _, course_slug, offering_slug in offerings
                    for scope in scopes_of(
                        {"course_slug": course_slug, "offering_slug": offering_slug}
                    )
                ],
            )
            _keep(key, person_tokens, (scopes, tokens, _page(rendered, headers)), seconds)

    if hasattr(response, "add_post_render_callback") and not response.is_rendered:
        response.add_post_render_callback(keep)
    else:
        keep(response)
    return response
