"""The checklist, computed from the data: each seed item's state for a database in each
state, and `checklist --json` agreeing with the page."""

import io
import json
from datetime import timedelta

import pytest
from django.core.management import call_command
from django.test import override_settings
from django.utils import timezone

from amazon.models import Order, SellerAccount
from buyers.models import Conversation
from dashboard.models import AmazonSnapshot, Shift
from dashboard.services import shift_end, shift_start
from escalations.models import Escalation, Notification
from inbox.models import Folder, Mailbox, Message

pytestmark = pytest.mark.django_db


def page_and_json(client, assistant):
    client.force_login(assistant)
    page = client.get("/").content.decode()
    out = io.StringIO()
    call_command("checklist", "--json", stdout=out)
    data = json.loads(out.getvalue())
    assert client.get("/checklist.json").json() == data
    for key, item in data["items"].items():  # the page says what the command says
        assert f'data-item="{key}"' in page
        assert item["figure"].replace("'", "&#x27;") in page, (key, item["figure"])
    return page, data


def test_an_empty_desk(client, assistant, settings):
    settings.SPAPI_REFRESH_TOKEN = ""
    _, data = page_and_json(client, assistant)
    assert data["items"]["unshipped"]["state"] == "unknown"
    assert data["items"]["buyers"]["state"] == "done"
    assert data["items"]["owner"]["state"] == "done"
    assert data["items"]["mail"]["state"] == "unknown"
    assert data["unshipped"] is None and data["performance"] is None


def amazon(unshipped: int, performance: str, areas=()):
    account, _ = SellerAccount.objects.get_or_create(
        name="default", defaults={"lwa_app_id": "a", "lwa_client_secret": "s", "refresh_token": "r"}
    )
    now = timezone.now()
    Order.objects.all().delete()
    Order.objects.bulk_create(
        Order(account=account, marketplace="US", order_id=f"111-{n:07d}-0000000", is_unshipped=True,
              status="UNSHIPPED", ship_by=now + timedelta(hours=-1 if n == 0 else 20))
        for n in range(unshipped)
    )  # fmt: skip
    AmazonSnapshot.objects.update(is_latest=False)
    AmazonSnapshot.objects.create(
        is_latest=True,
        account=account,
        marketplace="US",
        unshipped=unshipped,
        late=1 if unshipped else 0,
        performance=performance,
        failing_areas=list(areas),
    )


def test_unshipped_orders_and_performance_from_the_latest_pull(client, assistant, settings):
    settings.SPAPI_REFRESH_TOKEN = ""
    amazon(0, "Good")
    _, data = page_and_json(client, assistant)
    assert data["items"]["unshipped"]["state"] == "done"
    assert data["items"]["performance"]["state"] == "done"
    amazon(3, "Fair", ["Late Shipment Rate"])
    _, data = page_and_json(client, assistant)
    assert data["unshipped"] == 3 and data["performance"] == "Fair"
    assert data["items"]["unshipped"]["figure"] == "3 unshipped, 1 past ship-by"
    assert data["items"]["performance"]["state"] == "action"  # nobody told the owner yet
    Escalation.objects.create(about="amazon", summary="Performance is Fair")
    _, data = page_and_json(client, assistant)
    assert data["items"]["performance"]["state"] == "owner"
    # No SMS provider: the text is kept, and the checklist says so in the outbox's words.
    assert "Kept, not texted" in data["items"]["performance"]["figure"]
    assert "was told" not in data["items"]["performance"]["figure"]
    with override_settings(TWILIO_ACCOUNT_SID="AC" + "0" * 32):
        _, data = page_and_json(client, assistant)
    assert "The owner was told" in data["items"]["performance"]["figure"]


def test_buyers_waiting_and_overdue(client, assistant):
    now = timezone.now()
    Conversation.objects.create(
        relay_address="a@marketplace.amazon.com",
        order_id="1",
        buyer_name="A",
        waiting_since=now - timedelta(hours=30),
        due_at=now - timedelta(hours=6),
    )
    Conversation.objects.create(
        relay_address="b@marketplace.amazon.com",
        order_id="2",
        buyer_name="B",
        waiting_since=now,
        due_at=now + timedelta(hours=24),
    )
    _, data = page_and_json(client, assistant)
    assert (data["buyer_messages_waiting"], data["buyer_messages_overdue"]) == (2, 1)
    assert data["items"]["buyers"]["state"] == "action"
    assert "overdue by 6 h" in data["items"]["buyers"]["figure"]


def test_a_waiting_buyer_without_an_answer_by_time_does_not_break_the_page(client, assistant):
    """A conversation waiting with no due time (made or edited so in admin)."""
    Conversation.objects.create(relay_address="c@marketplace.amazon.com", order_id="3",
                                buyer_name="C")  # fmt: skip
    _, data = page_and_json(client, assistant)
    assert "1 waiting, most urgent with no answer-by time" in data["items"]["buyers"]["figure"]


def test_mail_not_dealt_with_and_sync_errors(client, assistant):
    box = Mailbox.objects.create(
        name="m", host="h", port=1, use_ssl=False, username="u", password="p"
    )
    inbox = Folder.objects.create(mailbox=box, role="inbox", name="INBOX")
    Message.objects.create(mailbox=box, folder=inbox, uid=1, content_hash="x", subject="new")
    Mailbox.objects.filter(pk=box.pk).update(last_sync_at=timezone.now())
    _, data = page_and_json(client, assistant)
    assert data["mail_unprocessed"] == 1 and data["items"]["mail"]["state"] == "action"
    Message.objects.update(classified_at=timezone.now(), kind="keep")
    Mailbox.objects.filter(pk=box.pk).update(last_error="login refused")
    _, data = page_and_json(client, assistant)
    assert data["mail_unprocessed"] == 0 and "login refused" in data["items"]["mail"]["figure"]
    Mailbox.objects.filter(pk=box.pk).update(last_error="")
    _, data = page_and_json(client, assistant)
    assert data["items"]["mail"]["state"] == "done"


def test_waiting_on_the_owner_and_failed_texts(client, assistant):
    Escalation.objects.create(about="note", summary="Q", next_step_at=timezone.now())
    Notification.objects.create(channel="sms", body="x", state="failed", error="21211")
    _, data = page_and_json(client, assistant)
    assert data["escalations_waiting_owner"] == 1 and data["items"]["owner"]["state"] == "owner"
    assert data["texts_failed"] == 1 and data["items"]["texts"]["state"] == "action"


def test_ending_a_shift_with_open_items_needs_a_note(assistant, owner, client):
    from django.core.exceptions import ValidationError

    Conversation.objects.create(
        relay_address="a@marketplace.amazon.com",
        order_id="1",
        buyer_name="A",
        due_at=timezone.now(),
    )
    shift_start(assistant=assistant)
    with pytest.raises(ValidationError, match="leave a note"):
        shift_end(assistant=assistant)
    shift = shift_end(assistant=assistant, note="Buyer A needs the owner's answer first.")
    assert shift.ended_at and "1 waiting" in " ".join(shift.left_open)
    client.force_login(owner)
    log = client.get("/shifts/").content.decode()
    assert "Buyer A needs the owner" in log and "Left open" in log
    assert Shift.objects.count() == 1


def test_trends_chart_the_last_30_days(client, assistant, settings):
    settings.SPAPI_REFRESH_TOKEN = ""
    for unshipped in (4, 2, 0):
        amazon(unshipped, "Good")
    client.force_login(assistant)
    page = client.get("/amazon/").content.decode()
    # One day of figures is not a trend: the chart says so rather than draw a dot.
    assert "Unshipped orders (daily peak)" in page and "<polyline" not in page
    assert "Not enough data for a trend yet" in page
    for days_ago, snapshot in enumerate(AmazonSnapshot.objects.order_by("-pk")):
        AmazonSnapshot.objects.filter(pk=snapshot.pk).update(
            taken_at=timezone.now() - timedelta(days=days_ago)
        )
    page = client.get("/amazon/").content.decode()
    assert "<polyline" in page and 'class="axis"' in page
    assert "Buyer response time" in page
