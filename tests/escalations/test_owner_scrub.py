"""Nothing a mail's sender wrote becomes a link on the owner's phone: summaries carrying URLs,
bare domains, IP addresses and email addresses (with full-width dots, one-dot leaders and
zero-width spaces to slip past a filter) go through the real composing functions, and no
text, email or chat post to the owner carries any of them; only the desk's own link."""

import re
from datetime import timedelta

import pytest
from django.db import transaction
from django.utils import timezone
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from escalations.chase import notify_due
from escalations.models import Escalation, Notification
from escalations.services import escalation_open, escalations_open_for_mail
from inbox.models import Folder, Mailbox, Message, MessageContent

pytestmark = pytest.mark.django_db

# Words around the links: letters (some not ASCII), digits and punctuation with no dot or @,
# so any dot or @ between two characters in what the owner gets came from a link.
FILLER = st.text(
    alphabet=st.sampled_from(
        "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOP0123456789éüßжы ,!?-:()'\n"
    ),
    max_size=40,
)
DOTS = st.sampled_from([".", ".", "\u3002", "\uff0e", "\uff61", "\u2024", "\ufe52"])
ATS = st.sampled_from(["@", "@", "\uff20", "\ufe6b"])
INVISIBLE = st.sampled_from(["", "", "\u200b", "\u00ad", "\u2060", "\ufeff"])
LABEL = st.from_regex(r"[a-z0-9](?:[a-z0-9-]{0,8}[a-z0-9])?", fullmatch=True)
TLD = st.one_of(
    st.from_regex(r"[a-z]{2,8}", fullmatch=True),
    st.sampled_from(["com", "co.uk", "test", "xn--p1ai", "рф", "онлайн", "COM"]),
)
PATH = st.one_of(st.just(""), st.from_regex(r"/[a-zA-Z0-9/?=&%_-]{0,20}", fullmatch=True))


@st.composite
def domains(draw) -> str:
    labels = draw(st.lists(LABEL, min_size=1, max_size=3))
    dot = draw(DOTS)
    hidden = draw(INVISIBLE)
    return dot.join(labels) + hidden + dot + draw(TLD)


@st.composite
def links(draw) -> str:
    kind = draw(st.sampled_from(["bare", "url", "www", "email", "ip"]))
    if kind == "bare":
        return draw(domains()) + draw(PATH)
    if kind == "url":
        scheme = draw(st.sampled_from(["http", "https", "hxxps", "ftp", "HTTPS"]))
        return f"{scheme}://{draw(domains())}{draw(PATH)}"
    if kind == "www":
        return "www" + draw(DOTS) + draw(domains()) + draw(PATH)
    if kind == "email":
        local = draw(st.from_regex(r"[a-zA-Z0-9][a-zA-Z0-9._+-]{0,10}", fullmatch=True))
        return local + draw(ATS) + draw(domains())
    numbers = draw(st.lists(st.integers(0, 255), min_size=4, max_size=4))
    return draw(DOTS).join(map(str, numbers)) + draw(PATH)


@st.composite
def with_links(draw) -> str:
    """Filler with one to three links in it, sometimes glued to the words around them."""
    pieces = [draw(FILLER)]
    for link in draw(st.lists(links(), min_size=1, max_size=3)):
        pieces += [draw(st.sampled_from([" ", "", "(", " at "])), link, " ", draw(FILLER)]
    return "".join(pieces)


LEAK = re.compile(r"[^\W_][.@][^\W_]|www\s*\.|://", re.IGNORECASE)


def leaks(text: str, site_url: str) -> list[str]:
    """Dots and @ between word characters, and URL marks, outside the desk's own link."""
    text = re.sub(re.escape(site_url) + r"/o/[\w.\-]+/", " ", text)
    return LEAK.findall(text)


def _mail(name: str, address: str, subject: str, text: str) -> Message:
    mailbox = Mailbox.objects.create(name="shop", host="127.0.0.1", port=1, use_ssl=False,
                                     username="u", password="p")  # fmt: skip
    inbox = Folder.objects.create(mailbox=mailbox, role="inbox", name="INBOX")
    mail = Message.objects.create(
        mailbox=mailbox, folder=inbox, origin=inbox, uid=1, content_hash="h",
        from_name=name[:255], from_address=address[:320], subject=subject[:998],
    )  # fmt: skip
    MessageContent.objects.create(message=mail, text=text)
    return mail


def everything_the_owner_gets(escalation: Escalation) -> list[str]:
    """A text now, a reminder two days on, then email and chat: every row written."""
    now = timezone.now()
    for days in (1, 4, 8):
        notify_due(now=now + timedelta(days=days))
    escalation.refresh_from_db()
    assert escalation.step == Escalation.Step.OTHER_CHANNELS
    rows = Notification.objects.filter(items__escalation=escalation)
    assert {row.channel for row in rows} == {"sms", "email", "chat"}
    sent = [part for row in rows for part in (row.subject, row.body)]
    return [*sent, escalation.summary, escalation.details]


@pytest.fixture
def owner_channels(settings):
    """Email and chat configured (rows are written either way; nothing is delivered)."""
    settings.OWNER_EMAIL = "owner@seller.test"
    settings.OWNER_WEBHOOK_URL = "https://chat.seller.test/hooks/T000"
    return settings


PROPERTY = settings(
    max_examples=40,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)


@PROPERTY
@given(name=with_links(), address=links(), subject=with_links(), body=with_links())
@example(
    name="Amazon Seller Support",
    address="verify@amzn-verify.test",
    subject="Account on hold",
    body="Your account is on hold. Can you verify at evil.test/v now?",
)
def test_mail_summaries_never_carry_a_link_to_the_owner(
    owner_channels, assistant, name, address, subject, body
):
    with transaction.atomic():
        mail = _mail(name, address, subject, body + "\nCan you confirm by Friday?")
        [escalation] = escalations_open_for_mail(mails=[mail], notify_owner=True)
        for sent in everything_the_owner_gets(escalation):
            assert not leaks(sent, owner_channels.SITE_URL), sent
        transaction.set_rollback(True)


@PROPERTY
@given(buyer=with_links(), question=with_links())
def test_buyer_questions_never_carry_a_link_to_the_owner(
    owner_channels, assistant, buyer, question
):
    """The buyer's name and question (from their mail) in an escalation the desk opens."""
    with transaction.atomic():
        escalation = escalation_open(
            about="buyer_question",
            summary=f"Buyer {buyer} (order 114-3941689-8772232) asks: {question}",
            details=question,
        )
        for sent in everything_the_owner_gets(escalation):
            assert not leaks(sent, owner_channels.SITE_URL), sent
        transaction.set_rollback(True)


def test_the_phishing_line_from_the_issue_reads_link():
    from escalations.summaries import summarize_mail

    class Mail:
        from_name, from_address = "Amazon Seller Support", "verify@amzn-verify.test"
        subject, text = "Account on hold", "Can you verify at evil.test/v now?"

    assert summarize_mail(Mail()) == (
        'Amazon Seller Support about "Account on hold": Can you verify at [link] now?'
    )


@pytest.mark.parametrize(
    "hostile", ["X" * 200_000, "a." * 100_000, "1." * 100_000, "a@" * 100_000, "a-" * 100_000]
)
def test_scrubbing_a_hostile_mail_takes_linear_time(hostile):
    import time

    from escalations.scrub import owner_safe

    started = time.monotonic()
    owner_safe(hostile)
    assert time.monotonic() - started < 5  # about 0.2 s here; quadratic would be hours


@pytest.mark.parametrize(
    ("name", "address", "imitates"),
    [
        ("\u0410mazon Seller Supp\u043ert", "support@amzn-verify.test", True),
        ("A m a z o n  Payments", "pay@example.test", True),
        ("\uff21\uff4d\uff41\uff5a\uff4f\uff4e", "x@example.test", True),  # fullwidth
        ("Amazon Seller Central", "seller-notification@amazon.com", False),
        ("Jennifer Walsh - Amazon Marketplace", "q7w8@marketplace.amazon.com", False),
        ("Lin Wei", "lin@bamboo-supply.test", False),
    ],
)
def test_a_name_that_imitates_amazon_is_told_apart(name, address, imitates):
    from inbox.senders import imitates_amazon_name

    assert imitates_amazon_name(name, address) is imitates


def test_no_code_point_turns_a_scrubbed_summary_into_a_link_in_any_final_text():
    """Every code point from U+0080 to U+2FFFF between Latin labels, in a web address and an
    email address: after the scrub, neither the summary as the email and chat post carry it
    nor the text's GSM-7 words (after transliteration) hold a link or an address."""
    from escalations import gsm
    from escalations.compose import slack_text
    from escalations.scrub import owner_safe
    from sellerdesk.weblinks import has_email, has_link

    bad = []
    for start in range(0x80, 0x30000, 200):
        chars = [chr(cp) for cp in range(start, min(start + 200, 0x30000))]
        summary = owner_safe(" ".join(f"ab{c}com/x b@ab{c}com" for c in chars))
        for final in (summary, slack_text(summary), gsm.sender_words(summary)):
            if has_link(final) or has_email(final):
                bad += [
                    hex(ord(c)) for c in chars
                    if has_link(gsm.sender_words(owner_safe(f"ab{c}com")))
                    or has_email(gsm.sender_words(owner_safe(f"b@ab{c}com")))
                ] or [hex(start)]  # fmt: skip
                break
    assert bad == []
    text = gsm.compose(summary=owner_safe("Verify at amzn-verify\u06d4com/login today."),
                       reference="AP", link="https://desk.test/o/abc/", initials="KL")  # fmt: skip
    assert text == "Verify at [link] today. #AP https://desk.test/o/abc/ -KL"
    for other_script in ("\u043f\u0440\u0438\u043c\u0435\u0440\u3002com", "\u0441\u0430\u0439\u0442\u3002\u0440\u0443",
                         "\u4f8b\u3048\u3002com"):  # fmt: skip
        # Cyrillic labels become primer.com and sayt.ru only in Latin letters: scrubbed then
        final = gsm.sender_words(owner_safe(f"see {other_script} now"))
        assert not has_link(final) and not has_email(final), final
