"""Apply the mail rules: every new mail gets one decision, recorded on it, acted upon once.

The worker classifies right after each sync. A batch of unclassified mail is claimed with
SELECT ... FOR UPDATE SKIP LOCKED (PostgreSQL; SQLite serialises writers anyway) inside one
transaction that also writes the decisions, the server actions, the reply-queue entries and
the escalations: two workers never decide on one mail twice, and a worker that dies leaves
nothing half done. The number of queries grows with batches, not with mail.
"""

import logging
from collections import defaultdict
from dataclasses import dataclass, field

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Case, F, TextField, Value, When
from django.db.models.functions import Coalesce, Substr
from django.utils import timezone

from escalations.services import escalations_open_for_mail
from inbox import handoff
from inbox.models import (
    EmailRule,
    Folder,
    MailAction,
    MailKind,
    Message,
)
from inbox.rules import BODY_LIMIT, Condition, MailFacts, Rule, RuleSet
from sellerdesk.bulkinsert import insert_rows

log = logging.getLogger(__name__)

BATCH = 1000


@dataclass
class ClassifyReport:
    decided: dict[str, int] = field(default_factory=lambda: defaultdict(int))

    @property
    def total(self) -> int:
        return sum(self.decided.values())


def rule_from_model(rule: EmailRule, conditions) -> Rule:
    folders = {"both": {"inbox", "spam"}, "inbox": {"inbox"}, "spam": {"spam"}}[rule.folders]
    return Rule(
        key=rule.pk,
        name=rule.name,
        action=rule.action,
        folders=frozenset(folders),
        conditions=tuple(
            Condition(c.field, c.operator, c.value, c.header, c.case_sensitive) for c in conditions
        ),
    )


def active_ruleset() -> RuleSet:
    rules = EmailRule.objects.filter(is_active=True).prefetch_related("conditions")
    ruleset = RuleSet((rule_from_model(r, r.conditions.all()) for r in rules), skip_broken=True)
    for rule, reason in ruleset.broken:
        log.warning("mail rule %r is skipped: %s", rule.name, reason)
    return ruleset


def decide(ruleset: RuleSet, facts: MailFacts) -> tuple[str, Rule | None]:
    """The one decision on a mail's kind, at store time (the sync) and after (the rules run
    again, `classify_mail`): the first matching rule's action; mail no rule knows goes to
    the owner, as the seed says."""
    return decision(ruleset.first_match(facts))


def decision(rule: Rule | None) -> tuple[str, Rule | None]:
    """The kind a matching rule (or none) gives a mail."""
    return (rule.action if rule else MailKind.ESCALATE), rule


def facts_for(message: Message, folder_role: str) -> MailFacts:
    return MailFacts(
        folder=folder_role,
        sender_address=message.from_address,
        sender_name=message.from_name,
        subject=message.subject,
        body=message.content.text[:BODY_LIMIT],
        headers=message.content.headers,
    )


def _claimed_batches(queryset, read):
    """Yield batches of `queryset`, each locked for this worker inside its own transaction
    (SKIP LOCKED: another worker takes other rows) and read by `read(locked queryset)`.
    Stops when nothing is left."""
    while True:
        with transaction.atomic():
            locked = queryset.select_for_update(skip_locked=True, of=("self",)).order_by("pk")
            batch = list(read(locked)[:BATCH])
            if not batch:
                return
            yield batch


def classify_pending(*, mailbox=None, ruleset: RuleSet | None = None) -> ClassifyReport:
    """Decide on every located, undecided mail in the Inbox and Spam folders and record
    the decisions; act_on_decisions() then queues what they call for."""
    ruleset = ruleset or active_ruleset()
    report = ClassifyReport()
    pending = Message.objects.filter(
        classified_at__isnull=True,
        uid__isnull=False,
        folder__role__in=[Folder.Role.INBOX, Folder.Role.SPAM],
    )
    if mailbox is not None:
        pending = pending.filter(mailbox=mailbox)
    columns = ("pk", "folder__role", "from_address", "from_name", "subject")

    def read(locked):
        # Only a mail larger than the rules' window is cut in the database: cutting costs
        # more than reading a small text whole. Mail stored without content reads as empty.
        window = Case(
            When(size__gt=BODY_LIMIT, then=Substr("content__text", 1, BODY_LIMIT)),
            default=F("content__text"),
            output_field=TextField(),
        )
        body = Coalesce(window, Value(""), output_field=TextField())
        headers = Coalesce("content__headers", Value(""), output_field=TextField())
        return locked.annotate(body=body, all_headers=headers).values_list(
            *columns, "all_headers", "body"
        )

    for batch in _claimed_batches(pending, read):
        decisions = [
            (
                pk,
                *decide(
                    ruleset, MailFacts(role, address, name, subject, body[:BODY_LIMIT], headers)
                ),
            )
            for pk, role, address, name, subject, headers, body in batch
        ]
        record_decisions(decisions, by=None)
        for _, kind, _ in decisions:
            report.decided[kind] += 1
    return report


def record_decisions(decisions, *, by) -> None:
    """Write what was decided for each (message id, kind, rule or None). Call inside a
    transaction that holds the messages; act_on_decisions() does what they call for."""
    now = timezone.now()
    groups: dict[tuple, list[int]] = defaultdict(list)
    for pk, kind, rule in decisions:
        groups[(kind, rule.key if rule else None, rule.name if rule else "")].append(pk)
    for (kind, rule_id, rule_name), ids in groups.items():
        Message.objects.filter(pk__in=ids).update(
            kind=kind, rule_id=rule_id, rule_name=rule_name, classified_at=now,
            classified_by=by, acted_at=None,
        )  # fmt: skip


ACT_FIELDS = (
    "kind", "rule_name", "classified_by", "from_name", "from_address", "subject",
    "content__text", "date", "created_at", "is_seen", "is_history",
    "mailbox__text_owner_about_history", "rule__urgency",
)  # fmt: skip


def act_on_decisions(*, mailbox=None) -> int:
    """Queue what each new decision calls for, once: the server action, the reply-queue
    entry, or the escalation to the owner."""
    decided = Message.objects.filter(classified_at__isnull=False, acted_at__isnull=True)
    if mailbox is not None:
        decided = decided.filter(mailbox=mailbox)
    acted = 0
    for batch in _claimed_batches(
        decided,
        lambda locked: locked.select_related("mailbox", "content", "rule").only(*ACT_FIELDS),
    ):
        act_on_stored(batch)
        Message.objects.filter(pk__in=[m.pk for m in batch]).update(acted_at=timezone.now())
        acted += len(batch)
    return acted


def act_on_stored(messages: list[Message], *, drafts: dict | None = None) -> None:
    """Queue what the decisions of `messages` call for, inside the transaction that marks
    them acted on. The sync calls it for the mail it has just stored, with the instances
    it made from the mail in memory (ACT_FIELDS set), in the insert's own transaction, and
    the escalations' drafts it made as it read the mail (by id)."""
    groups: dict[tuple, list[Message]] = defaultdict(list)
    for message in messages:
        groups[(message.kind, message.rule_name, message.classified_by_id)].append(message)
    for (kind, rule_name, by_id), group in groups.items():
        _follow(kind, group, reason=decision_reason(rule_name, by_id), by_id=by_id,
                drafts=drafts)  # fmt: skip


def owner_drafted(ruleset: RuleSet) -> frozenset:
    """The keys of the rules (None: no rule) whose mail goes to the owner: the sync drafts
    the escalation's summary as it reads such mail, on its parse workers."""
    rules = [compiled.rule for compiled in ruleset.compiled]
    return frozenset(
        rule.key if rule else None
        for rule in [*rules, None]
        if decision(rule)[0] == MailKind.ESCALATE
    )


def _follow(kind: str, messages: list[Message], *, reason: str, by_id, drafts=None) -> None:
    if kind == MailKind.TRASH:
        queue_actions(MailAction.Kind.TRASH, [m.pk for m in messages], reason, by_id)
    elif kind == MailKind.ESCALATE:
        taken = handoff.taken_before_escalating(messages)  # e.g. a bounce of a reply sent
        messages = [m for m in messages if m.pk not in taken]
        # The seed: keep it unread, so it is gone back to.
        seen = [m.pk for m in messages if m.is_seen]
        queue_actions(MailAction.Kind.MARK_UNREAD, seen, reason, by_id)
        by_notify = defaultdict(list)
        for m in messages:
            notify = not m.is_history or m.mailbox.text_owner_about_history
            by_notify[(notify, m.rule.urgency if m.rule else "normal")].append(m)
        for (notify, urgency), mails in by_notify.items():
            escalations_open_for_mail(
                mails=mails, notify_owner=notify, urgency=urgency, by_id=by_id, drafts=drafts
            )
    else:
        handoff.hand_on(kind, messages)


def decision_reason(rule_name: str, by_id) -> str:
    """Why a server action was queued, in the words the mail's history shows."""
    return f"rule: {rule_name}" if rule_name else ("chosen by hand" if by_id else "no rule")


def queue_actions(kind: str, message_ids: list[int], reason: str, by_id=None) -> None:
    """One pending server action per mail (thousands at once on a first sync)."""
    now, kind, pending = timezone.now(), MailAction.Kind(kind).value, MailAction.State.PENDING.value
    insert_rows(
        MailAction,
        ["message", "kind", "reason", "requested_by", "state", "requested_at", "attempts",
         "next_attempt_at", "last_error", "claim", "from_folder", "to_folder"],
        [(pk, kind, reason[:255], by_id, pending, now, 0, now, "", "", "", "")
         for pk in message_ids],
    )  # fmt: skip


def message_classify(*, message: Message, by, kind: str | None = None) -> str:
    """Re-run the rules on one mail, or set its kind by hand; acts on the new decision."""
    if kind is not None and kind not in MailKind.values:
        raise ValidationError(f"Unknown kind {kind!r}.")
    with transaction.atomic():
        message = (
            Message.objects.select_for_update(of=("self",))
            .select_related("folder", "mailbox", "content")
            .get(pk=message.pk)
        )
        if kind is None:
            kind, rule = decide(active_ruleset(), facts_for(message, message.folder.role))
        else:
            rule = None
        decision = (message.pk, kind, rule)
        if message.kind == kind:
            Message.objects.filter(pk=message.pk).update(
                classified_at=timezone.now(), classified_by=by
            )
            return kind
        record_decisions([decision], by=by)
    act_on_decisions(mailbox=message.mailbox)
    return kind
