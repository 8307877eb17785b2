"""Reads on escalations, for pages and for other apps."""

from django.db.models import (
    Case,
    Count,
    Min,
    OuterRef,
    Prefetch,
    Q,
    QuerySet,
    Subquery,
    Value,
    When,
)

from escalations.links import digest_of
from escalations.models import (
    Escalation,
    InboundText,
    Notification,
    NotificationItem,
    number_for,
)

LIST_FILTERS = {
    "waiting": {"state": Escalation.State.OPEN},
    "answered": {"state": Escalation.State.ANSWERED},
    "closed": {"state__in": [Escalation.State.RESOLVED, Escalation.State.CANCELLED]},
    "all": {},
}
# What a search of the escalations reads.
SEARCHED = ("summary", "details", "draft", "answer", "mail__subject", "mail__from_name",
            "mail__from_address", "conversation__buyer_name", "conversation__order_id")  # fmt: skip


def digest_escalation_ids(*, kind: str, pk: int) -> list[int]:
    """The escalations one digest text was about, from its link's key (`links`)."""
    if kind == "d":
        escalation_pk, step = digest_of(pk)
        first = NotificationItem.objects.filter(
            escalation_id=escalation_pk, step=step, channel=Notification.Channel.SMS
        ).values("notification_id")
        items = NotificationItem.objects.filter(notification_id__in=first)
    else:
        items = NotificationItem.objects.filter(notification_id=pk)
    return list(items.values_list("escalation_id", flat=True))


def with_owner_told(escalations: QuerySet[Escalation]) -> QuerySet[Escalation]:
    """Each escalation with its current step's text (backend and state), for
    `Escalation.owner_told`, in the same query."""
    text = NotificationItem.objects.filter(
        escalation=OuterRef("pk"), step=OuterRef("step"), channel=Notification.Channel.SMS
    )
    return escalations.annotate(
        told_backend=Subquery(text.values("notification__backend")[:1]),
        told_state=Subquery(text.values("notification__state")[:1]),
    )


def escalation_list(*, state: str = "waiting") -> QuerySet[Escalation]:
    return with_owner_told(
        Escalation.objects.filter(**LIST_FILTERS.get(state, LIST_FILTERS["waiting"]))
        .select_related("mail")
        .order_by("-created_at", "-pk")
    )


def escalation_search(*, text: str) -> QuerySet[Escalation]:
    """Every escalation, in any state, whose reference (`#K7`), summary, details, draft,
    owner's answer, mail (subject, sender) or buyer (name, order id) holds `text`, newest
    first."""
    text = " ".join(text.split())[:200]
    if not text:
        return Escalation.objects.none()
    found = Q()
    for field in SEARCHED:
        found |= Q(**{f"{field}__folded": text})
    # References as the texts quote them ("#K7 #M2Q"), or one bare short code ("k7").
    codes = [w for w in text.split() if w.startswith("#")] or ([text] if len(text) <= 3 else [])
    for number in filter(None, map(number_for, codes)):
        found |= Q(pk=number)
    return with_owner_told(
        Escalation.objects.filter(found).select_related("mail").order_by("-created_at", "-pk")
    )


def owner_items(*, pks=None) -> QuerySet[Escalation]:
    """What the owner sees: everything waiting for them, the urgent first, each group newest
    first; then the answers they gave that the assistant has not closed yet."""
    items = Escalation.objects.filter(
        state__in=[Escalation.State.OPEN, Escalation.State.ANSWERED]
    ).select_related("mail", "mail__content", "conversation")
    if pks is not None:
        items = items.filter(pk__in=pks)
    urgent_first = Case(When(urgency=Escalation.Urgency.URGENT, then=Value(0)), default=Value(1))
    return items.order_by("-state", urgent_first, "-created_at", "-pk")


def owner_done(*, pks) -> QuerySet[Escalation]:
    """Of the escalations `pks`, those closed (resolved or cancelled), the latest first:
    what became of what a text asked."""
    return (
        Escalation.objects.filter(
            pk__in=pks, state__in=[Escalation.State.RESOLVED, Escalation.State.CANCELLED]
        )
        .select_related("conversation")
        .order_by("-resolved_at", "-pk")
    )


def escalation_timeline(*, escalation: Escalation) -> list[tuple]:
    """(when, what, detail, notification) for everything that happened, oldest first."""
    events = [(escalation.created_at, "Opened", escalation.get_about_display(), None)]
    items = NotificationItem.objects.filter(escalation=escalation).select_related("notification")
    for item in items:
        n = item.notification
        events.append(
            (n.created_at, f"{n.get_channel_display()} written", item.get_step_display(), n)
        )
        if n.kept:
            events.append((n.sent_at or n.created_at, "Kept in the outbox, not texted", "", n))
        elif n.sent_at:
            events.append((n.sent_at, f"{n.get_channel_display()} sent", n.to, n))
        if n.delivered_at:
            events.append((n.delivered_at, "Delivered", n.to, n))
        if n.failed:
            events.append((n.created_at, "Not sent", n.error, n))
    for text in InboundText.objects.filter(escalation=escalation):
        events.append((text.received_at, "Owner texted back", text.body, None))
    if escalation.answered_at:
        events.append(
            (escalation.answered_at, escalation.get_answer_kind_display(), escalation.answer, None)
        )
    if escalation.resolved_at:
        events.append((escalation.resolved_at, escalation.get_state_display(), "", None))
    return sorted(events, key=lambda e: e[0])


def outbox(*, failed_only: bool = False) -> QuerySet[Notification]:
    notifications = Notification.objects.prefetch_related(
        Prefetch("items", queryset=NotificationItem.objects.select_related("escalation"))
    )
    if failed_only:
        notifications = notifications.filter(
            state__in=[Notification.State.FAILED, Notification.State.UNDELIVERED]
        )
    return notifications.order_by("-created_at", "-pk")


def owner_notes(*, limit: int = 20) -> QuerySet[InboundText]:
    """Texts from the owner that named no open item: kept as notes for the assistant."""
    return InboundText.objects.filter(escalation__isnull=True).order_by("-received_at")[:limit]


def texts_failed_count() -> int:
    return Notification.objects.filter(
        state__in=[Notification.State.FAILED, Notification.State.UNDELIVERED]
    ).count()


# The owner answered in words (or approved words): the escalation_owner_answer index's rows.
ACTED_ON = [
    Escalation.AnswerKind.TEXT,
    Escalation.AnswerKind.EDITED,
    Escalation.AnswerKind.APPROVED,
]


def owner_answers(*, limit: int = 2000) -> list[tuple[str, str]]:
    """(what was asked, what the owner answered) for answered questions, newest first."""
    return list(
        Escalation.objects.filter(answer_kind__in=ACTED_ON)
        .exclude(answer="")
        .order_by("-answered_at")
        .values_list("details", "answer")[:limit]
    )


def owner_answers_mark() -> str:
    """When the owner last answered in words: it moves with every new answer. One index
    lookup."""
    newest = (
        Escalation.objects.filter(answer_kind__in=ACTED_ON)
        .order_by("-answered_at")
        .values_list("answered_at", flat=True)
        .first()
    )
    return newest.isoformat() if newest else ""


def owner_checklist() -> dict:
    """Escalations waiting on the owner (how many, the oldest, the next re-notify), texts
    that failed, and whether Amazon alerts were told. Each figure reads an index."""
    waiting = Escalation.objects.filter(state=Escalation.State.OPEN)
    figures = waiting.aggregate(waiting=Count("pk"), oldest=Min("created_at"))
    figures["next_step"] = (
        waiting.filter(next_step_at__isnull=False)
        .order_by("next_step_at")
        .values_list("next_step_at", flat=True)
        .first()
    )
    figures["amazon"] = waiting.filter(about=Escalation.About.AMAZON).count()
    answers = answers_for_the_assistant()
    figures["answered"] = answers.count()
    # The answer to act on first (the oldest): its conversation, or else its escalation.
    figures["answered_first"] = (
        answers.order_by("answered_at", "pk").values("pk", "conversation_id").first()
    )
    figures["texts_failed"] = texts_failed_count()
    return figures


def open_escalations_caused_by(*, cause: str) -> QuerySet[Escalation]:
    """Escalations still waiting (open or answered) that `cause` opened."""
    return Escalation.objects.filter(
        cause=cause, state__in=[Escalation.State.OPEN, Escalation.State.ANSWERED]
    )


def answers_for_the_assistant() -> QuerySet[Escalation]:
    """The owner answered and the assistant has not finished with it yet."""
    return Escalation.objects.filter(state=Escalation.State.ANSWERED, answer_kind__in=ACTED_ON)


def owner_answer_for_conversation(*, conversation_id: int) -> Escalation | None:
    """The owner's latest answer to a question about this conversation, still to be used."""
    return (
        Escalation.objects.filter(
            conversation_id=conversation_id,
            # A question answered, or a draft answered in words instead of approved.
            about__in=[Escalation.About.BUYER_QUESTION, Escalation.About.DRAFT],
            state=Escalation.State.ANSWERED,
            answer_kind=Escalation.AnswerKind.TEXT,
        )
        .order_by("-answered_at", "-pk")
        .first()
    )
