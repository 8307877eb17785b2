"""Oversized input on every form a person fills in: a clear error, never a crash, and
nothing changed. A request body over Django's limit is refused whole."""

import pytest
from django.urls import reverse

from buyers.models import Conversation, Reply
from dashboard.models import Shift
from dashboard.services import shift_start
from escalations.models import Escalation
from escalations.services import escalation_open

pytestmark = pytest.mark.django_db

HUGE = "A" * 1_000_000


def messages_of(response) -> str:
    return " ".join(str(m) for m in response.context["messages"])


def test_a_shift_note_too_long_is_refused_and_the_shift_goes_on(client, assistant):
    shift_start(assistant=assistant)
    client.force_login(assistant)
    page = client.post(reverse("shift-end"), {"note": HUGE[:6000]}, follow=True)
    assert "keep it under 5,000" in page.content.decode()  # beside the note's box
    assert Shift.objects.get().ended_at is None


def test_a_new_item_for_the_owner_with_a_huge_summary_is_refused(client, assistant):
    client.force_login(assistant)
    page = client.post(reverse("escalation-new"), {"summary": HUGE, "details": HUGE})
    assert page.status_code == 302  # back to the form: a reload posts nothing
    page = client.get(page["Location"])
    assert "Ensure this value has at most 300 characters" in page.content.decode()
    assert not Escalation.objects.exists()


def test_editing_a_summary_to_a_huge_one_changes_nothing(client, assistant):
    escalation = escalation_open(about="note", summary="Supplier asks about January prices")
    client.force_login(assistant)
    page = client.post(reverse("escalation-edit", args=[escalation.pk]), {"summary": HUGE},
                       follow=True)  # fmt: skip
    assert page.status_code == 200
    escalation.refresh_from_db()
    assert escalation.summary == "Supplier asks about January prices"


def test_the_owner_answering_with_a_megabyte_changes_nothing(client, owner, assistant):
    escalation = escalation_open(about="note", summary="Supplier asks about January prices")
    client.force_login(owner)
    page = client.post(reverse("owner-home"),
                       {"escalation": escalation.pk, "action": "answer", "text": HUGE})  # fmt: skip
    assert page.status_code == 200
    assert "at most 5000 characters" in page.content.decode()
    escalation.refresh_from_db()
    assert escalation.state == "open" and escalation.answered_at is None


def test_a_search_of_ten_thousand_characters_is_an_error_on_the_page(client, assistant):
    client.force_login(assistant)
    page = client.get(reverse("mail-list"), {"q": HUGE[:10_000]})
    assert page.status_code == 200
    assert "at most 200 characters" in page.content.decode()


def test_a_buyer_reply_too_long_is_refused_before_sending(client, assistant, smtp):
    conversation = Conversation.objects.create(
        relay_address="q1@marketplace.amazon.com", order_id="111-1111111-1111111",
        buyer_name="Jennifer",
    )  # fmt: skip
    client.force_login(assistant)
    page = client.post(reverse("buyer-send", args=[conversation.pk]),
                       {"action": "send", "body": HUGE[:25_000]}, follow=True)  # fmt: skip
    assert page.redirect_chain[-1][0].startswith("/buyers/")
    assert "at most 20000 characters" in page.content.decode()
    assert not Reply.objects.exists()
    assert not smtp.received


def test_a_request_body_over_the_limit_is_refused_whole(client, assistant, settings):
    shift_start(assistant=assistant)
    client.force_login(assistant)
    body = {"note": "x" * (settings.DATA_UPLOAD_MAX_MEMORY_SIZE + 1)}
    page = client.post(reverse("shift-end"), body)
    assert page.status_code == 400
    assert Shift.objects.get().ended_at is None
