"""Orders a buyer names, through the real `sp_api` library against the SP-API stand-in
(every answer validated against Amazon's `orders_2026-01-01.json`)."""

import threading
from datetime import UTC, datetime, timedelta

import pytest
import time_machine
from django.db import connection
from django.urls import reverse

from amazon.models import Order
from amazon.selectors import order_card, seller_central_url
from amazon.services import order_refresh, order_refresh_request
from amazon.spapi import RATE_LIMITS
from buyers.models import Conversation
from buyers.services import buyer_messages_file
from inbox.models import Folder, Mailbox, Message, MessageContent
from sellerdesk.devservers.spapi import THROTTLED, amazon_error, make_order
from sellerdesk.devservers.standin import Fault

pytestmark = pytest.mark.django_db

US_ORDER = "113-4455667-8899001"


def buyer_mail(order_id: str, *, n: int = 1, tld: str = "com", name: str = "Jane Buyer"):
    """A buyer's mail as the rules file it: stored, kind buyer_message."""
    box = Mailbox.objects.first() or Mailbox.objects.create(
        name="m", host="h", port=1, use_ssl=False, username="u", password="p"
    )
    inbox = Folder.objects.get_or_create(mailbox=box, role="inbox", name="INBOX")[0]
    message = Message.objects.create(
        mailbox=box, folder=inbox, uid=n, content_hash=f"h{n}", kind="buyer_message",
        subject=f"Inquiry from Amazon customer {name} (Order: {order_id})",
        from_name=f"{name} - Amazon Marketplace",
        from_address=f"buyer{n}@marketplace.amazon.{tld}",
    )  # fmt: skip
    MessageContent.objects.create(message=message, text="Where is my order?")
    return message


def open_conversation(client, conversation):
    return client.get(reverse("buyer-conversation", args=[conversation.pk])).content.decode()


def signed_in(spapi) -> None:
    """One call first, so the next request is the API's and not Login with Amazon's."""
    order = order_refresh_request(order_id="119-0000000-0000000", marketplace="US")
    order_refresh(order_pk=order.pk)


@pytest.fixture
def enqueued(monkeypatch):
    """The refresh tasks the desk queues, not run: the test plays the workers."""
    queued = []
    monkeypatch.setattr(
        "django_q.tasks.async_task", lambda name, *args, **kw: queued.append((name, args))
    )
    return queued


def test_a_buyer_message_naming_an_order_shows_its_items_and_status(
    spapi, client, assistant, run_tasks_inline
):
    spapi.orders = [
        make_order(1, order_id=US_ORDER, title="Walnut serving board", quantity=2, ship_by_hours=5)
    ]
    with run_tasks_inline():  # the sync files the mail; the worker fetches the order
        buyer_messages_file([buyer_mail(US_ORDER)])
    assert spapi.count("getOrder") == 1
    request = next(r for r in spapi.requests if r.path.endswith(US_ORDER))
    assert request.query["includedData"] == ["FULFILLMENT,PACKAGES"]  # no buyer data asked
    client.force_login(assistant)
    page = open_conversation(client, Conversation.objects.get())
    assert "2 × Walnut serving board" in page and "Unshipped" in page
    assert "SKU-1" in page and "B000000001" in page and "ship by" in page
    assert f'href="https://sellercentral.amazon.com/orders-v3/order/{US_ORDER}"' in page
    assert spapi.count("getOrder") == 1  # the page read what was stored


def test_two_views_and_two_workers_make_one_get_order(
    spapi, client, assistant, enqueued, django_capture_on_commit_callbacks
):
    def open_conversation(client, conversation):  # a request commits: its tasks are queued
        with django_capture_on_commit_callbacks(execute=True):
            return client.get(
                reverse("buyer-conversation", args=[conversation.pk])
            ).content.decode()

    spapi.orders = [make_order(2, order_id=US_ORDER)]
    conversation = Conversation.objects.create(
        relay_address="b@marketplace.amazon.com", order_id=US_ORDER, buyer_name="B",
        marketplace="US",
    )  # fmt: skip
    client.force_login(assistant)
    assert "Looking the order up at Amazon" in open_conversation(client, conversation)
    open_conversation(client, conversation)
    assert len(enqueued) == 1  # two views, one task
    [(_, (order_pk,))] = enqueued
    order_refresh(order_pk=order_pk)  # worker one
    order_refresh(order_pk=order_pk)  # worker two, same task handed out again
    assert spapi.count("getOrder") == 1
    open_conversation(client, conversation)
    assert len(enqueued) == 1  # fresh: nothing queued within ORDER_REFRESH_MINUTES
    with time_machine.travel(datetime.now(UTC) + timedelta(minutes=6), tick=True):
        open_conversation(client, conversation)
        assert len(enqueued) == 2
        order_refresh(order_pk=order_pk)
    assert spapi.count("getOrder") == 2


@pytest.mark.django_db(transaction=True)
def test_two_workers_at_once_make_one_get_order(spapi, settings):
    if connection.vendor == "sqlite":
        settings.SPAPI_TIMEOUT = 10
    spapi.orders = [make_order(3, order_id=US_ORDER)]
    order = order_refresh_request(order_id=US_ORDER, marketplace="US")
    spapi.fail_next(Fault(delay=0.5))  # the first call is slow: the other worker is waiting
    start = threading.Barrier(2)
    outcomes = []

    def worker():
        start.wait()
        try:
            outcomes.append(order_refresh(order_pk=order.pk).lookup)
        finally:
            connection.close()

    threads = [threading.Thread(target=worker) for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert spapi.count("getOrder") == 1
    assert Order.objects.get().lookup == "found"


def test_an_order_not_in_the_account_says_so_and_is_not_asked_again(
    spapi, client, assistant, run_tasks_inline
):
    conversation = Conversation.objects.create(
        relay_address="b@marketplace.amazon.com", order_id="114-0000000-0000001", buyer_name="B",
        marketplace="US",
    )  # fmt: skip
    client.force_login(assistant)
    with run_tasks_inline():
        open_conversation(client, conversation)
    page = open_conversation(client, conversation)
    assert "not in this seller" in page and "Open in Seller Central" in page
    later = datetime.now(UTC) + timedelta(hours=2)
    with time_machine.travel(later, tick=True), run_tasks_inline():
        open_conversation(client, conversation)
    assert spapi.count("getOrder") == 1  # remembered, not re-asked at every view
    assert Order.objects.get().lookup == "not_found"


def test_a_malformed_order_id_says_so_without_asking_amazon(spapi):
    assert order_refresh_request(order_id="12-345", marketplace="US") is None
    card = order_card(order_id="12-345", marketplace="US")
    assert "is not an Amazon order id" in card.note
    assert not spapi.calls


def test_an_id_amazon_refuses_is_shown_as_invalid_and_never_asked_again(spapi):
    signed_in(spapi)
    order = order_refresh_request(order_id=US_ORDER, marketplace="US")
    spapi.fail_next(Fault(amazon_error(400, "InvalidInput", "Invalid orderId")))
    assert order_refresh(order_pk=order.pk).lookup == "invalid"
    assert "not a valid order id" in order_card(order_id=US_ORDER).note
    with time_machine.travel(datetime.now(UTC) + timedelta(days=2), tick=True):
        assert order_refresh(order_pk=order.pk).lookup == "invalid"
    assert len([r for r in spapi.requests if r.path.endswith(US_ORDER)]) == 1


def test_429_is_retried_within_the_get_order_bucket(spapi, monkeypatch):
    spapi.orders = [make_order(4, order_id=US_ORDER)]
    order = order_refresh_request(order_id=US_ORDER, marketplace="US")
    signed_in(spapi)
    spapi.fail_next(Fault(THROTTLED))
    waited = []
    with time_machine.travel(datetime.now(UTC), tick=True) as clock:

        def wait(seconds):
            waited.append(seconds)
            clock.shift(timedelta(seconds=seconds))

        monkeypatch.setattr("amazon.spapi._sleep", wait)
        assert order_refresh(order_pk=order.pk).lookup == "found"
    rate, burst = RATE_LIMITS["getOrder"]
    assert waited and max(waited) >= 0.9 / rate  # the bucket emptied: wait for a token, ~2 s
    assert len([r for r in spapi.requests if r.path.endswith(US_ORDER)]) == 2
    from amazon.models import RateBudget

    assert RateBudget.objects.get(operation="getOrder").tokens < burst - 1


def test_throttling_that_outlasts_the_retries_shows_as_such(spapi, settings, client, assistant):
    settings.SPAPI_RETRIES = 0
    spapi.orders = [make_order(5, order_id=US_ORDER)]
    order = order_refresh_request(order_id=US_ORDER, marketplace="US")
    signed_in(spapi)
    spapi.fail_next(Fault(THROTTLED))
    assert order_refresh(order_pk=order.pk).lookup == "failed"
    card = order_card(order_id=US_ORDER, marketplace="US")
    assert "throttling" in card.problem
    assert order_refresh(order_pk=order.pk).lookup == "failed"  # not again at once
    assert len([r for r in spapi.requests if r.path.endswith(US_ORDER)]) == 1


def test_a_shipped_order_shows_tracking_and_a_delivered_one_is_final(spapi, client, assistant):
    uk_order = "202-1234567-8901234"
    spapi.orders = [
        make_order(6, order_id=uk_order, marketplace_id="A1F83G8C2ARO7P", status="SHIPPED",
                   tracking=("Royal Mail", "RR123456789GB", "IN_TRANSIT")),
    ]  # fmt: skip
    order = order_refresh_request(order_id=uk_order, marketplace="UK")
    order_refresh(order_pk=order.pk)
    card = order_card(order_id=uk_order, marketplace="UK")
    assert card.status == "Shipped" and card.packages[0]["tracking_number"] == "RR123456789GB"
    assert card.seller_central_url == (
        f"https://sellercentral.amazon.co.uk/orders-v3/order/{uk_order}"
    )
    assert not Order.objects.get().is_final  # in transit: worth asking again later
    spapi.orders[0]["packages"][0]["packageStatus"]["status"] = "DELIVERED"
    with time_machine.travel(datetime.now(UTC) + timedelta(minutes=6), tick=True):
        order_refresh(order_pk=order.pk)
    assert order_card(order_id=uk_order).status == "Delivered"
    assert Order.objects.get().is_final
    with time_machine.travel(datetime.now(UTC) + timedelta(days=3), tick=True):
        order_refresh(order_pk=order.pk)
    assert spapi.count("getOrder") == 2


def test_seller_central_is_on_the_marketplaces_own_domain():
    assert seller_central_url(order_id="1", marketplace="DE").startswith(
        "https://sellercentral.amazon.de/"
    )
    assert "sellercentral.amazon.co.jp" in seller_central_url(order_id="1", marketplace="JP")


def test_the_owner_sees_a_compact_card_beside_a_draft_to_approve(spapi, client, owner):
    from escalations.services import escalation_open

    spapi.orders = [make_order(7, order_id=US_ORDER, title="Oak cheese board", quantity=1)]
    order_refresh(order_pk=order_refresh_request(order_id=US_ORDER, marketplace="US").pk)
    conversation = Conversation.objects.create(
        relay_address="b@marketplace.amazon.com", order_id=US_ORDER, buyer_name="B",
        marketplace="US",
    )  # fmt: skip
    escalation_open(
        about="draft", summary="Approve a reply to B", draft="It ships today.",
        conversation=conversation, notify_owner=False,
    )  # fmt: skip
    client.force_login(owner)
    page = client.get(reverse("owner-home")).content.decode()
    assert f"Order {US_ORDER}</strong>: Unshipped, 1 × Oak cheese board" in " ".join(page.split())
    assert f"sellercentral.amazon.com/orders-v3/order/{US_ORDER}" in page


def test_the_unshipped_pull_keeps_the_table_in_step(spapi):
    from dashboard.services import account_from_settings, account_pull

    spapi.orders = [make_order(n) for n in range(3)]
    account_pull(account=account_from_settings())
    assert Order.objects.filter(is_unshipped=True).count() == 3
    spapi.orders[0]["fulfillment"]["fulfillmentStatus"] = "SHIPPED"
    Order.objects.update(tried_at=None)  # let the next pull's time pass for searchOrders
    with time_machine.travel(datetime.now(UTC) + timedelta(minutes=20), tick=True):
        account_pull(account=account_from_settings())
    assert Order.objects.filter(is_unshipped=True).count() == 2
    assert Order.objects.count() == 3  # kept: a buyer may still ask about it


def test_the_demo_buyers_orders_show_their_cards(
    spapi, client, assistant, mailbox, desk_mailbox, seed_rules, run_tasks_inline
):
    """`make run`: the sample buyers write about orders the stand-in knows."""
    from inbox.sync import mailbox_sync
    from sellerdesk.devservers.spapi import buyer_orders
    from tests.inbox.conftest import load_samples

    spapi.orders = buyer_orders()
    load_samples(mailbox)
    with run_tasks_inline():
        mailbox_sync(mailbox=desk_mailbox)
    # Mail already there when the mailbox is connected is history: looked up when opened.
    assert spapi.count("getOrder") == 0
    client.force_login(assistant)
    for conversation in Conversation.objects.all():
        with run_tasks_inline():
            open_conversation(client, conversation)
        card = order_card(order_id=conversation.order_id, marketplace=conversation.marketplace)
        assert card.found, (conversation.order_id, card.note, card.problem)
        assert card.order.items[0]["title"] in open_conversation(client, conversation)
    german = order_card(order_id="302-7781120-6639125")
    assert german.seller_central_url.startswith("https://sellercentral.amazon.de/")
    assert german.packages[0]["tracking_number"]
    assert spapi.count("getOrder") == Conversation.objects.count()
