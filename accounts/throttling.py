"""Throttling: of log-ins, and of the requests that send mail (docs/SECURITY.md, "Logging in").

- **Log-ins** (`/accounts/login/` and `/admin/login/`) go through django-axes with its
  database handler, so that every app server sees the same failures. Wrong passwords count
  per account and per client address, each against its own limit
  (`LOGIN_FAILURES_PER_ACCOUNT`, `LOGIN_FAILURES_PER_ADDRESS`), within
  `LOGIN_COOL_OFF_MINUTES` of each failure. At a limit the log-in is refused, even with the
  right password, until enough failures are older than the cool-off
  (`login_lockout_wait()` says when) or staff unlock it (`login_unlock()`,
  `login_attempts_clear()`).
- **Requests that send mail** (sign-up, password reset, a new confirmation link):
  `mail_request_throttle()` counts them in the shared cache per client address and per
  target email address, in fixed windows.
- **The client's address** for both: `client_address()`, which trusts a forwarding header
  only as far as `TRUSTED_PROXY_COUNT` says.
- **Personal data**: axes' records name the account (the address typed), the client's
  address and browser. `login_records_erase()` deletes a person's with their account
  (sessions/privacy.py); `login_records_purge()` is part of the nightly retention purge.
"""

import hashlib
import ipaddress
import logging
import math
import time
from datetime import datetime, timedelta

from axes.handlers.database import AxesDatabaseHandler
from axes.helpers import get_client_username
from axes.models import AccessAttempt, AccessFailureLog, AccessLog
from django.conf import settings
from django.core.cache import cache
from django.db import transaction
from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils import timezone

from .models import UserManager

logger = logging.getLogger(__name__)


# The client's address ---------------------------------------------------------------------


def client_address(request: HttpRequest) -> str | None:
    """The address the request came from, as far as the site can trust it.

    Without proxies (`TRUSTED_PROXY_COUNT` 0) it is REMOTE_ADDR: nothing the client sends
    changes it. Behind N proxies that each append the address they received the request
    from to `CLIENT_ADDRESS_HEADER` (X-Forwarded-For), it is the N-th entry from the right:
    the one the outermost trusted proxy wrote. Entries further left were written by the
    client and are never used. A request with fewer entries than proxies did not come
    through them (a health check on the node itself), so its REMOTE_ADDR is the client.

    An IPv6 address is reduced to its /64 network: one home or server gets a whole /64 and
    could otherwise take a new address for every try.
    """
    address = request.META.get("REMOTE_ADDR", "")
    proxies = settings.TRUSTED_PROXY_COUNT
    if proxies > 0:
        header = request.META.get(settings.CLIENT_ADDRESS_HEADER, "")
        entries = [entry.strip() for entry in header.split(",") if entry.strip()]
        if len(entries) >= proxies:
            forwarded = _parsed(entries[-proxies])
            if forwarded is not None:
                return forwarded
            logger.warning("A trusted proxy forwarded an address that is none: %r", header)
    return _parsed(address)


def _parsed(value: str) -> str | None:
    """An address as the proxies write it ("192.0.2.1", "192.0.2.1:5100", "[2001:db8::1]:443",
    "2001:db8::1"), IPv6 as its /64 network; None when it is no address."""
    value = value.strip()
    if value.startswith("[") and "]" in value:
        value = value[1 : value.index("]")]
    elif value.count(":") == 1:
        value = value.split(":", 1)[0]  # an IPv4 address with its port
    try:
        address = ipaddress.ip_address(value)
    except ValueError:
        return None
    if isinstance(address, ipaddress.IPv6Address):
        if address.ipv4_mapped is not None:
            return str(address.ipv4_mapped)
        return str(ipaddress.IPv6Network((address, 64), strict=False).network_address)
    return str(address)


# Log-ins ----------------------------------------------------------------------------------


def login_username(request: HttpRequest, credentials: dict | None = None) -> str | None:
    """The account a log-in is for, as stored: "ADA@Example.org" and "ada@example.org" are
    one account and share its count (django-axes' AXES_USERNAME_CALLABLE)."""
    source = credentials if credentials is not None else getattr(request, "POST", {})
    typed = source.get(settings.AXES_USERNAME_FORM_FIELD)
    return UserManager.canonical_email(typed) if typed else None


def _cool_off() -> timedelta:
    return timedelta(minutes=settings.LOGIN_COOL_OFF_MINUTES)


def _counted(
    *, username: str | None, address: str | None, now: datetime
) -> list[tuple[QuerySet[AccessAttempt], int]]:
    """The failures that count now, by account and by address, each with its limit."""
    recent = AccessAttempt.objects.filter(attempt_time__gte=now - _cool_off())
    counted = []
    if username:
        counted.append((recent.filter(username=username), settings.LOGIN_FAILURES_PER_ACCOUNT))
    if address:  # a request without an address (a script's) counts by account only
        counted.append((recent.filter(ip_address=address), settings.LOGIN_FAILURES_PER_ADDRESS))
    return counted


def _sum(attempts: QuerySet[AccessAttempt]) -> int:
    return sum(attempts.values_list("failures_since_start", flat=True))


class LoginThrottleHandler(AxesDatabaseHandler):
    """django-axes' database handler with a limit per account and a higher one per address
    (axes compares every lockout parameter with one limit, AXES_FAILURE_LIMIT, which is the
    account's).

    `get_failures()` is what axes compares with that limit: the account's failures, or the
    address's scaled to the account's limit, whichever is higher. With a and b the account's
    and the address's limits, floor(address failures * a / b) reaches a exactly when the
    address failures reach b.
    """

    def get_failures(self, request, credentials: dict | None = None) -> int:
        per_account = settings.LOGIN_FAILURES_PER_ACCOUNT
        failures = 0
        for attempts, limit in _counted(
            username=get_client_username(request, credentials),
            address=request.axes_ip_address,
            now=request.axes_attempt_time or timezone.now(),
        ):
            failures = max(failures, _sum(attempts) * per_account // limit)
        return failures

    def user_logged_in(self, sender, request, user, **kwargs):
        """The right password forgives the account's earlier wrong ones (not the address's
        count of other accounts' failures: logging in to one's own account must not reset
        a guesser's count)."""
        super().user_logged_in(sender, request, user, **kwargs)
        AccessAttempt.objects.filter(username=user.get_username()).delete()


def login_lockout_wait(request: HttpRequest, credentials: dict | None = None) -> timedelta:
    """How long until this client may try this account again (zero when it may now).

    Each stored attempt (an account, an address and a browser, with its failures) stops
    counting a cool-off after its last failure; a limit holds until enough of them have.
    """
    now = timezone.now()
    lifted_at = now
    for attempts, limit in _counted(
        username=login_username(request, credentials), address=client_address(request), now=now
    ):
        rows = list(
            attempts.order_by("attempt_time").values_list("attempt_time", "failures_since_start")
        )
        remaining = sum(failures for _, failures in rows)
        for attempt_time, failures in rows:  # the oldest stop counting first
            if remaining < limit:
                break
            remaining -= failures
            lifted_at = max(lifted_at, attempt_time + _cool_off())
    return lifted_at - now


def wait_minutes(wait: timedelta) -> int:
    """A wait in whole minutes, rounded up, at least one: what the refusal pages say."""
    return max(1, math.ceil(wait.total_seconds() / 60))


def login_unlock(*, username: str, by) -> int:
    """Staff unlock an account (the admin's users): its failed log-ins are forgotten, from
    every address, so its owner can log in at once. Returns how many attempt records went.
    Side effect: logged, with who did it."""
    username = UserManager.canonical_email(username)
    with transaction.atomic():
        count, _ = AccessAttempt.objects.filter(username=username).delete()
    logger.info("Log-in unlocked for %s by %s (%d attempt records)", username, by.pk, count)
    return count


def login_attempts_clear(*, attempts: QuerySet[AccessAttempt], by) -> int:
    """Staff clear chosen attempt records (the admin's list of them): an address locked out
    as a whole, e.g. a lecture hall's network after many typing errors. Returns how many
    went. Side effect: logged, with who did it."""
    with transaction.atomic():
        count, _ = attempts.delete()
    logger.info("%d log-in attempt records cleared by %s", count, by.pk)
    return count


def login_records_erase(*, username: str) -> int:
    """Delete axes' records of an account (erasure at the person's request): its attempts,
    failures and log-ins. Returns how many rows went."""
    username = UserManager.canonical_email(username)
    total = 0
    for model in (AccessAttempt, AccessFailureLog, AccessLog):
        count, _ = model.objects.filter(username=username).delete()
        total += count
    return total


def login_records_purge(*, now: datetime | None = None) -> int:
    """The nightly purge (README "Retention"): log-ins and wrong passwords older than
    RETENTION_LOGIN_RECORDS_DAYS, and attempts that no longer count (older than the
    cool-off). Returns how many rows went."""
    now = now or timezone.now()
    before = now - timedelta(days=settings.RETENTION_LOGIN_RECORDS_DAYS)
    with transaction.atomic():
        total = AccessAttempt.objects.filter(attempt_time__lt=now - _cool_off()).delete()[0]
        total += AccessFailureLog.objects.filter(attempt_time__lt=before).delete()[0]
        total += AccessLog.objects.filter(attempt_time__lt=before).delete()[0]
    return total


# Requests that send mail ------------------------------------------------------------------


class MailRequestKind:
    SIGNUP = "signup"
    PASSWORD_RESET = "password_reset"
    VERIFY_RESEND = "verify_resend"


def mail_request_throttle(request: HttpRequest, *, kind: str, email: str) -> timedelta | None:
    """Count a request of `kind` that would mail `email`; None when it may go ahead, else
    the wait until it may (and then nothing must be sent).

    Counted in the shared cache (every app server sees the same counts), in fixed windows:
    per client address (`MAIL_REQUESTS_PER_ADDRESS` in
    `MAIL_REQUESTS_ADDRESS_WINDOW_MINUTES`), then per target address
    (`MAIL_REQUESTS_PER_EMAIL` in `MAIL_REQUESTS_EMAIL_WINDOW_MINUTES`); a request refused
    for its client address does not use up the target's count. Keys hold hashes, not
    addresses. When the cache cannot be reached the request goes ahead (logged): the
    sign-up and reset pages must keep working, and the outbox's own interval still limits
    each inbox.
    """
    limits = (
        ("address", client_address(request) or "", settings.MAIL_REQUESTS_PER_ADDRESS,
         settings.MAIL_REQUESTS_ADDRESS_WINDOW_MINUTES),
        ("email", UserManager.canonical_email(email), settings.MAIL_REQUESTS_PER_EMAIL,
         settings.MAIL_REQUESTS_EMAIL_WINDOW_MINUTES),
    )  # fmt: skip
    for scope, value, limit, minutes in limits:
        try:
            wait = _counted_in_window(f"{kind}:{scope}", value, limit=limit, minutes=minutes)
        except Exception:
            logger.exception("Request throttling skipped: the cache cannot be reached")
            return None
        if wait:
            return wait
    return None


def _counted_in_window(name: str, value: str, *, limit: int, minutes: int) -> timedelta | None:
    """Counts one request of `value` under `name` in the shared cache, in fixed windows of
    `minutes`: None while within `limit`, else the wait until the window ends. The key
    holds a hash of the value, never the value. Raises when the cache cannot be reached."""
    window = minutes * 60
    now = time.time()
    number = int(now // window)
    digest = hashlib.sha256(value.encode()).hexdigest()[:32]
    key = f"throttle:{name}:{digest}:{number}"
    try:
        cache.add(key, 0, timeout=window + 60)
        count = cache.incr(key)
    except ValueError:  # expired between add and incr: a new window
        cache.set(key, 1, timeout=window + 60)
        count = 1
    if count > limit:
        return timedelta(seconds=(number + 1) * window - now)
    return None


# API requests -------------------------------------------------------------------------------


def api_request_throttle(*, key: str, limit: int, minutes: int) -> timedelta | None:
    """Count one API request of `key` (a token's id, or a client address): None when it may
    go ahead, else the wait until the window ends.

    Counted in the shared cache, so every app server agrees, in fixed windows of `minutes`.
    When the cache cannot be reached the request goes ahead (logged), as for mail requests.
    """
    try:
        return _counted_in_window("api", key, limit=limit, minutes=minutes)
    except Exception:
        logger.exception("API throttling skipped: the cache cannot be reached")
        return None
