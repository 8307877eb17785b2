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

from django.db import transaction
from django.utils import timezone

from inbox import buyers
from inbox.models import (
    BuyerMessage,
    EmailRule,
    Folder,
    MailAction,
    MailKind,
    Message,
)
from inbox.rules import BODY_LIMIT, Condition, MailFacts, Rule, RuleSet

log = logging.getLogger(__name__)

BATCH = 500
FACT_FIELDS = ("from_address", "from_name", "subject", "text", "headers")


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


def facts_for(message: Message, folder_role: str) -> MailFacts:
    return MailFacts(
        folder=folder_role,
        sender_address=message.from_address,
        sender_name=message.from_name,
        subject=message.subject,
        body=message.text[:BODY_LIMIT],
        headers=message.headers,
    )


def classify_pending(*, mailbox=None, ruleset: RuleSet | None = None) -> ClassifyReport:
    """Decide on every located, unclassified mail in the Inbox and Spam folders."""
    ruleset = ruleset or active_ruleset()
    report = ClassifyReport()
    while True:
        with transaction.atomic():
            pending = Message.objects.filter(
                classified_at__isnull=True,
                uid__isnull=False,
                folder__role__in=[Folder.Role.INBOX, Folder.Role.SPAM],
            )
            if mailbox is not None:
                pending = pending.filter(mailbox=mailbox)
            batch = list(
                pending.select_for_update(skip_locked=True, of=("self",))
                .select_related("folder", "mailbox")
                .only(
                    *FACT_FIELDS,
                    "is_seen",
                    "is_history",
                    "date",
                    "created_at",
                    "folder__role",
                    "mailbox__text_owner_about_history",
                )
                .order_by("pk")[:BATCH]
            )
            if not batch:
                return report
            decisions = [
                (message, ruleset.first_match(facts_for(message, message.folder.role)))
                for message in batch
            ]
            record_decisions(decisions, by=None)
        for _, rule in decisions:
            report.decided[rule.action if rule else MailKind.ESCALATE] += 1


def record_decisions(decisions, *, by) -> None:
    """Write what was decided for each (message, rule or None, [kind]) and queue what
    follows from it. Call inside a transaction that holds the messages."""
    now = timezone.now()
    groups: dict[tuple, list[Message]] = defaultdict(list)
    for decision in decisions:
        message, rule = decision[0], decision[1]
        kind = decision[2] if len(decision) > 2 else (rule.action if rule else MailKind.ESCALATE)
        groups[(kind, rule.key if rule else None, rule.name if rule else "")].append(message)
    for (kind, rule_id, rule_name), messages in groups.items():
        Message.objects.filter(pk__in=[m.pk for m in messages]).update(
            kind=kind, rule_id=rule_id, rule_name=rule_name, classified_at=now,
            classified_by=by,
        )  # fmt: skip
        reason = f"rule: {rule_name}" if rule_name else ("chosen by hand" if by else "no rule")
        _follow(kind, messages, reason=reason, by=by)


def _follow(kind: str, messages: list[Message], *, reason: str, by) -> None:
    if kind == MailKind.TRASH:
        MailAction.objects.bulk_create(
            MailAction(message=m, kind=MailAction.Kind.TRASH, reason=reason, requested_by=by)
            for m in messages
        )
    elif kind == MailKind.BUYER_MESSAGE:
        BuyerMessage.objects.bulk_create(
            [
                BuyerMessage(
                    message=m,
                    buyer_name=buyers.buyer_name(m.from_name),
                    relay_address=m.from_address,
                    order_id=buyers.order_id(m.subject, m.text),
                    marketplace=buyers.marketplace(m.from_address),
                    received_at=m.date or m.created_at,
                )
                for m in messages
            ],
            ignore_conflicts=True,
        )
    elif kind == MailKind.ESCALATE:
        from escalations.services import escalations_open_for_mail

        # The seed: keep it unread, so it is gone back to.
        MailAction.objects.bulk_create(
            MailAction(message=m, kind=MailAction.Kind.MARK_UNREAD, reason=reason, requested_by=by)
            for m in messages
            if m.is_seen
        )
        by_notify = defaultdict(list)
        for m in messages:
            by_notify[not m.is_history or m.mailbox.text_owner_about_history].append(m)
        for notify, mails in by_notify.items():
            escalations_open_for_mail(mails=mails, notify_owner=notify, by=by)


def message_classify(*, message: Message, by, kind: str | None = None) -> str:
    """Re-run the rules on one mail, or set its kind by hand; acts on the new decision."""
    if kind is not None and kind not in MailKind.values:
        from django.core.exceptions import ValidationError

        raise ValidationError(f"Unknown kind {kind!r}.")
    with transaction.atomic():
        message = (
            Message.objects.select_for_update(of=("self",))
            .select_related("folder", "mailbox")
            .get(pk=message.pk)
        )
        if kind is None:
            rule = active_ruleset().first_match(facts_for(message, message.folder.role))
            decision = (message, rule)
            kind = rule.action if rule else MailKind.ESCALATE
        else:
            decision = (message, None, kind)
        if message.kind == kind:
            Message.objects.filter(pk=message.pk).update(
                classified_at=timezone.now(), classified_by=by
            )
            return kind
        record_decisions([decision], by=by)
    return kind
