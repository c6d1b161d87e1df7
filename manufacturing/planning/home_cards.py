"""Planning's card on the planner's home (config.admin_home): the current plan's exceptions,
counted per kind, the latest listed. Two queries whatever the plan's size."""

from django.db.models import Count
from django.urls import reverse

from config.admin_home import LISTED, CardLine, HomeCard, home_card_register
from manufacturing.planning.models import ExceptionKind, PlanException


def exceptions_card(request) -> HomeCard | None:
    if not request.user.has_perm("manufacturing.view_planexception"):
        return None
    current = PlanException.objects.filter(run__is_current=True)
    per_kind = dict(
        current.order_by().values("kind").annotate(n=Count("pk")).values_list("kind", "n")
    )
    count = sum(per_kind.values())
    changelist = reverse("admin:manufacturing_planexception_changelist")
    lines = [
        CardLine(f"{n} {ExceptionKind(kind).label.lower()}", f"{changelist}?kind__exact={kind}")
        for kind, n in sorted(per_kind.items())
    ]
    latest = list(current.select_related("item").order_by("date", "position")[:LISTED])
    lines += [
        CardLine(
            f"{e.item.number}: {e.message}",
            reverse("admin:manufacturing_planexception_change", args=[e.pk]),
            f"{e.date:%a %d %b}",
        )
        for e in latest
    ]
    return HomeCard(
        key="mrp-exceptions",
        title="MRP exceptions",
        count=count,
        url=changelist,
        lines=lines,
        empty="The current plan has no exceptions (or MRP has not run yet).",
        tone="alert" if count else "info",
        more=max(count - len(latest), 0),
    )


def register() -> None:
    home_card_register("mrp-exceptions", exceptions_card, order=25)
