"""The planner's home: cards above the admin's app list that say what needs attention, each a
count with links. An area registers its cards at start-up (`home_card_register`, from its
`AppConfig.ready()`), so `config` knows no domain and a new area (MRP exceptions, say) adds its
card without touching this module. Each provider runs a fixed number of queries, whatever the
number of rows behind its count (tests/config/test_admin_home.py holds the page to a budget)."""

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import timedelta

from django.db.models import Count, Q
from django.urls import reverse
from django.utils import timezone


@dataclass(frozen=True)
class CardLine:
    text: str
    url: str = ""
    note: str = ""  # a detail after the text (the shortest component, a date)


@dataclass(frozen=True)
class HomeCard:
    key: str  # the card's id in the page (`home-card-<key>`)
    title: str
    count: int
    url: str = ""  # the list behind the count
    lines: list[CardLine] = field(default_factory=list)
    empty: str = "Nothing to do."  # shown when the count is 0
    tone: str = "info"  # "info" | "warn" | "alert": the card's colour when count > 0
    more: int = 0  # rows behind the count not listed


# (order, key, provider): provider(request) -> HomeCard | None (None: nothing to show, e.g. the
# user may not see the area).
_PROVIDERS: list[tuple[int, str, Callable]] = []

LISTED = 5  # lines per card


def home_card_register(key: str, provider: Callable, *, order: int = 100) -> None:
    """Add a card to the home page; registering a key again replaces its provider."""
    _PROVIDERS[:] = [p for p in _PROVIDERS if p[1] != key]
    _PROVIDERS.append((order, key, provider))
    _PROVIDERS.sort(key=lambda p: (p[0], p[1]))


def home_card_keys() -> list[str]:
    return [key for _, key, _ in _PROVIDERS]


def home_cards(request) -> list[HomeCard]:
    return [card for _, _, provider in _PROVIDERS if (card := provider(request)) is not None]


# --- the jobs card (config.jobs is cross-cutting, so its card lives here) ---------------------


def jobs_card(request) -> HomeCard | None:
    """Jobs running or queued now, and failed in the last 7 days (one query for the counts, one
    for the latest failures)."""
    from config.jobs.models import JobStatus
    from config.jobs.selectors import job_list

    user = request.user
    if not (user.is_active and user.is_staff):
        return None
    since = timezone.now() - timedelta(days=7)
    jobs = job_list(user=user)
    counts = jobs.aggregate(
        active=Count("pk", filter=Q(status__in=[JobStatus.QUEUED, JobStatus.RUNNING])),
        failed=Count("pk", filter=Q(status=JobStatus.FAILED, created_at__gte=since)),
    )
    failed = list(jobs.filter(status=JobStatus.FAILED, created_at__gte=since)[:LISTED])
    changelist = reverse("admin:config_job_changelist")
    lines = []
    if counts["active"]:
        lines.append(
            CardLine(
                f"{counts['active']} running or queued", f"{changelist}?status__in=queued,running"
            )
        )
    lines += [
        CardLine(str(job), reverse("admin:config_job_change", args=[job.pk]), "failed")
        for job in failed
    ]
    return HomeCard(
        key="jobs",
        title="Background jobs",
        count=counts["active"] + counts["failed"],
        url=f"{changelist}?status__exact=failed" if counts["failed"] else changelist,
        lines=lines,
        empty="No job running, none failed this week.",
        tone="alert" if counts["failed"] else "info",
        more=max(counts["failed"] - len(failed), 0),
    )
