"""Issue 4: classifying 10,000 stored mails against 100 rules.

Classifying is the loop that claims a batch of undecided mail, runs the rules on each and
records each decision. Baseline, in the same run: the same loop with the rules reduced to
one `contains` condition. Queries are counted at 1,000 and 10,000 mails: they may grow
with the number of batches, not with the number of mails. Acting on the decisions (queuing
the server actions, the reply queue, the escalations) is the next step; its rate is shown.
"""

import random
import time

from django.db import connection
from django.test.utils import CaptureQueriesContext

from benchmarks import Figure
from benchmarks.mailgen import make_mail
from buyers.models import BuyerMessage
from escalations.models import Escalation
from inbox.classify import BATCH, act_on_decisions, classify_pending
from inbox.models import (
    EmailRule,
    Folder,
    MailAction,
    Mailbox,
    Message,
    MessageContent,
)
from inbox.parsing import parse_mail
from inbox.rules import Condition, Rule, RuleSet

MAILS = 10_000


def _store(count: int) -> Mailbox:
    Message.objects.all().delete()
    Mailbox.objects.filter(name="classify").delete()
    mailbox = Mailbox.objects.create(
        name="classify", host="127.0.0.1", port=1, use_ssl=False, username="u", password="p"
    )
    inbox = Folder.objects.create(mailbox=mailbox, role="inbox", name="INBOX")
    spam = Folder.objects.create(mailbox=mailbox, role="spam", name="Spam")
    rng = random.Random(7)
    rows, contents = [], []
    for n in range(count):
        mail = parse_mail(make_mail(rng, n))
        folder = spam if n % 5 == 0 else inbox
        rows.append(Message(
            mailbox=mailbox, folder=folder, origin=folder, uid=n + 1,
            content_hash=mail.content_hash, message_id=mail.message_id,
            from_name=mail.from_name, from_address=mail.from_address, subject=mail.subject,
            date=mail.date,
        ))  # fmt: skip
        contents.append(MessageContent(text=mail.text, headers=mail.headers))
    Message.objects.bulk_create(rows, batch_size=1000)
    for row, content in zip(rows, contents, strict=True):
        content.message = row
    MessageContent.objects.bulk_create(contents, batch_size=1000)
    return mailbox


def _reset() -> None:
    MailAction.objects.all().delete()
    BuyerMessage.objects.all().delete()
    Escalation.objects.all().delete()
    Message.objects.update(kind="", rule=None, rule_name="", classified_at=None, acted_at=None)


def _hundred_rules() -> RuleSet:
    """Rules an admin might add (suppliers, banks, carriers...) ahead of the seed's, 100 in
    all."""
    from inbox.classify import active_ruleset

    seed = active_ruleset().compiled
    assert len(seed) == EmailRule.objects.filter(is_active=True).count()  # the seed's rules
    fields = ["subject", "sender_address", "sender_name", "body"]
    rules = []
    for n in range(100 - len(seed)):
        field = fields[n % 4]
        if n % 3 == 0:
            condition = Condition(field, "regex", rf"(invoice|statement)\s+#?{n}\d{{4}}\b")
        elif n % 3 == 1:
            condition = Condition(field, "contains", f"supplier-{n}-notice")
        else:
            condition = Condition(field, "starts_with", f"Weekly report {n}")
        rules.append(Rule(1000 + n, f"rule {n}", "keep", frozenset({"inbox", "spam"}),
                          (condition,)))  # fmt: skip
    return RuleSet([*rules, *(c.rule for c in seed)])


def _run(ruleset: RuleSet) -> tuple[float, int]:
    _reset()
    with CaptureQueriesContext(connection) as queries:
        started = time.perf_counter()
        report = classify_pending(ruleset=ruleset)
        seconds = time.perf_counter() - started
    assert report.total == Message.objects.count()
    return seconds, len(queries)


def run() -> list[Figure]:
    assert EmailRule.objects.exists()  # the rules the seed migrations install, and no other
    hundred = _hundred_rules()
    one = RuleSet([Rule(1, "one", "trash", frozenset({"inbox", "spam"}),
                        (Condition("subject", "contains", "zzz-no-match"),))])  # fmt: skip

    _store(1_000)
    _, queries_small = _run(hundred)
    _store(MAILS)
    best = min(_run(hundred)[0] for _ in range(3))
    baseline = min(_run(one)[0] for _ in range(3))
    _, queries_big = _run(hundred)
    started = time.perf_counter()
    acted = act_on_decisions()
    acting = time.perf_counter() - started
    assert acted == MAILS
    Message.objects.all().delete()

    rate = MAILS / best
    per_batch_small = queries_small / -(-1_000 // BATCH)
    per_batch_big = queries_big / -(-MAILS // BATCH)
    return [
        # Issue 15's figure is SQLite's; on PostgreSQL the cost is the database's (updating
        # each decided row), so there 100 rules are held to the one-rule loop's pace.
        Figure("classify 10,000 mails, 100 rules: mails/s", round(rate), ">= 20000",
               rate >= 20_000)
        if connection.vendor == "sqlite"
        else Figure("classify, 100 rules: x the one-rule loop", round(rate * baseline / MAILS, 2),
                    ">= 0.8", rate * baseline / MAILS >= 0.8),
        Figure("  one-contains baseline: mails/s", round(MAILS / baseline), "info", True),
        Figure("  acting on 10,000 decisions: mails/s", round(MAILS / acting), "info", True),
        Figure("classify: queries per batch, 10,000 mails", round(per_batch_big, 1),
               f"<= {per_batch_small + 1:.1f} (1,000)", per_batch_big <= per_batch_small + 1),
    ]  # fmt: skip
