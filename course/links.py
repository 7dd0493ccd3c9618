"""Checking that lecture videos and the offering's external links still answer."""

import urllib.error
import urllib.request
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass

from django.utils import timezone
from django_tasks import task

from .caching import bump_offering
from .models import Offering, VideoLecture

USER_AGENT = "coursesite link checker"


@dataclass
class LinkResult:
    label: str
    url: str
    status: str  # ok | broken | unreachable
    detail: str
    lecture_id: int | None = None


def check_url(url: str, timeout: float) -> tuple[str, str]:
    """("ok" | "broken" | "unreachable", what happened). Never raises."""
    for method in ("HEAD", "GET"):  # some servers refuse HEAD; GET settles it
        request = urllib.request.Request(url, method=method, headers={"User-Agent": USER_AGENT})
        try:
            with urllib.request.urlopen(request, timeout=timeout) as response:
                final = response.geturl()
                moved = f", redirected to {final}" if final != url else ""
                return "ok", f"HTTP {response.status}{moved}"
        except urllib.error.HTTPError as error:
            if method == "HEAD" and error.code in (403, 405, 501):
                continue
            return "broken", f"HTTP {error.code}"
        except (urllib.error.URLError, OSError, ValueError) as error:
            reason = getattr(error, "reason", error)
            return "unreachable", f"{type(reason).__name__}: {reason}"[:200]
    return "broken", "refused"


def links_of(offering: Offering) -> list[LinkResult]:
    links = [
        LinkResult(f"{lecture.speaker}, {lecture.title}", lecture.url, "", "", lecture.pk)
        for lecture in VideoLecture.objects.filter(module__offering=offering).exclude(url="")
    ]
    for label, url in (
        ("video platform", offering.video_platform_url),
        ("discussion group", offering.discussion_group_url),
    ):
        if url:
            links.append(LinkResult(label, url, "", ""))
    return links


def check_links(offering: Offering, *, timeout: float = 5.0, workers: int = 8) -> list[LinkResult]:
    """Check every link at once (threads), record each lecture's result, return them all."""
    links = links_of(offering)
    with ThreadPoolExecutor(max_workers=max(1, workers)) as pool:
        outcomes = list(pool.map(lambda link: check_url(link.url, timeout), links))
    now = timezone.now()
    for link, (status, detail) in zip(links, outcomes, strict=True):
        link.status, link.detail = status, detail
        if link.lecture_id:
            VideoLecture.objects.filter(pk=link.lecture_id).update(
                link_status=status, link_checked_at=now
            )
    bump_offering(offering.pk)  # the lectures page marks broken links
    return links


@task()
def check_offering_links(offering_id: int) -> str:
    """check_links() on the task worker: the admin's "Check links now" and the nightly jobs
    queue it (a check waits up to a timeout per link: never inside a request)."""
    offering = Offering.objects.filter(pk=offering_id).first()
    if offering is None:
        return "no such offering"
    results = check_links(offering)
    broken = sum(1 for r in results if r.status != "ok")
    return f"{len(results)} link(s) checked, {broken} not working"
