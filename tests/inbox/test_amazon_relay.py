"""Only Amazon's relay is a buyer: exact domains in the seed rule and the reply guard, and
bare domains counted as links in a reply."""

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from buyers import parsing
from buyers.models import Conversation, Reply
from buyers.services import conversation_reply_send
from inbox.classify import active_ruleset
from inbox.models import MailKind
from inbox.relay import MARKETPLACES, is_amazon_relay
from inbox.rules import MailFacts
from inbox.sync import mailbox_sync
from tests.inbox.conftest import sample

LOOK_ALIKES = [
    "x7@marketplace.amazon.attacker.test",
    "x7@marketplace.amazon.com.evil.test",
    "x7@marketplace-amazon.com",
    "x7@amazon.com",
    "x7@evil.marketplace.amazon.com",
    "x7@marketplace.amazon.co",
    "x7@marketplace.amazon.comx",
    "x7@marketplace.amazon.de.attacker.test",
]


@pytest.mark.parametrize("address", LOOK_ALIKES)
def test_a_look_alike_is_not_amazons_relay(address):
    assert not is_amazon_relay(address)
    assert parsing.marketplace(address) == ""


@pytest.mark.parametrize("tld", sorted(MARKETPLACES))
def test_every_marketplace_domain_is_amazons_relay(tld):
    assert parsing.marketplace(f"a1b2c3@marketplace.amazon.{tld}") == MARKETPLACES[tld]


def _kind(address: str) -> str | None:
    rule = active_ruleset().first_match(
        MailFacts("inbox", address, "Jennifer Walsh - Amazon Marketplace",
                  "Inquiry from Amazon customer (Order: 114-3941689-8772232)", "Hello")
    )  # fmt: skip
    return rule.action if rule else None


@pytest.mark.django_db
@pytest.mark.parametrize("address", LOOK_ALIKES)
def test_the_seed_rule_does_not_take_a_look_alike_for_a_buyer(seed_rules, address):
    assert _kind(address) != MailKind.BUYER_MESSAGE


@pytest.mark.django_db
@pytest.mark.parametrize("tld", sorted(MARKETPLACES))
def test_the_seed_rule_takes_every_marketplace_for_a_buyer(seed_rules, tld):
    assert _kind(f"k3k3k3@marketplace.amazon.{tld}") == MailKind.BUYER_MESSAGE


@pytest.mark.django_db
def test_look_alike_buyer_mail_synced_from_the_server_is_no_buyer_message(
    mailbox, desk_mailbox, seed_rules, run_tasks_inline
):
    real = sample("buyer-inquiry.eml")
    relay = b"4kz7qf9rm3tlxy8@marketplace.amazon.com"
    assert relay in real
    for n, address in enumerate(LOOK_ALIKES):
        mailbox.append("INBOX", real.replace(relay, address.encode()).replace(
            b"Message-ID: <", b"Message-ID: <look-alike-%d-" % n))  # fmt: skip
    mailbox.append("INBOX", real)
    with run_tasks_inline():
        mailbox_sync(mailbox=desk_mailbox)
    [conversation] = Conversation.objects.all()
    assert conversation.relay_address == relay.decode()
    kinds = dict(desk_mailbox.messages.values_list("from_address", "kind"))
    assert all(kinds[address] != MailKind.BUYER_MESSAGE for address in LOOK_ALIKES), kinds


@pytest.mark.django_db
@pytest.mark.parametrize("address", LOOK_ALIKES)
def test_a_look_alike_conversation_cannot_be_replied_to(assistant, address):
    conversation = Conversation.objects.create(relay_address=address, order_id="1")
    with pytest.raises(ValidationError, match="not an Amazon relay address"):
        conversation_reply_send(conversation=conversation, body="Hello", by=assistant)
    assert not Reply.objects.exists()


@pytest.mark.parametrize(
    "body",
    ["Please see evil.test/x", "Our shop is example.com", "Go to www.example.com",
     "It is on пример.рф now", "Open 10.0.0.1/admin", "Try evil\uff0etest"],
)  # fmt: skip
def test_bare_domains_count_as_links(body):
    [problem] = parsing.reply_problems(body)
    assert "link or web address" in problem


@pytest.mark.parametrize(
    "body",
    ["Hello Jennifer, your order 114-3941689-8772232 ships on 12.05.2026 for $1,234.56.",
     "Thank you! e.g. a replacement, i.e. a new one. Version 2.0 of the mat."],
)  # fmt: skip
def test_plain_replies_pass(body):
    assert parsing.reply_problems(body) == []


@pytest.mark.django_db
def test_evil_test_x_in_a_reply_is_refused_with_the_reason(client, assistant, smtp):
    conversation = Conversation.objects.create(
        relay_address="k3k3k3@marketplace.amazon.com", order_id="114-3941689-8772232"
    )
    client.force_login(assistant)
    page = client.post(
        reverse("buyer-send", args=[conversation.pk]),
        {"action": "send", "body": "Hello, the manual is at evil.test/x"},
        follow=True,
    )
    assert page.redirect_chain[-1][0].startswith("/buyers/")
    assert "link or web address" in page.content.decode()
    assert not Reply.objects.exists() and not smtp.received
