"""The assistant's daily tools, through the views: "Send and next" against the SMTP fixture
and Dovecot's buyer mail; the saved replies page, kept in the table admin edits."""

import pytest
from django.contrib.admin.models import LogEntry
from django.urls import reverse

from buyers.models import Conversation, Reply, ReplyTemplate
from buyers.selectors import conversation_queue
from sellerdesk import once

pytestmark = pytest.mark.django_db


def send_next(client, conversation, body: str, key: str | None = None):
    return client.post(
        reverse("buyer-send", args=[conversation.pk]),
        {"action": "send_next", "body": body, once.FIELD: key or once.new_key()},
    )


def test_send_and_next_opens_the_next_waiting_buyer_then_the_queue(
    client,
    assistant,
    samples,
    smtp,
    run_tasks_inline,
):
    client.force_login(assistant)
    waiting = list(conversation_queue(state="waiting"))
    assert len(waiting) >= 2
    for at, conversation in enumerate(waiting):
        with run_tasks_inline():
            page = send_next(client, conversation, f"Hello, answer number {at}.")
        following = waiting[at + 1] if at + 1 < len(waiting) else None
        expected = (reverse("buyer-conversation", args=[following.pk]) if following
                    else reverse("buyer-queue"))  # fmt: skip
        assert page.status_code == 302 and page["Location"] == expected
        landed = client.get(page["Location"])
        assert f"Reply sent to {conversation.buyer_name}" in landed.content.decode()
    assert len(smtp.received) == len(waiting)
    assert not Conversation.objects.filter(state="waiting").exists()


def test_a_second_click_on_send_and_next_sends_nothing_more_and_still_goes_on(
    client,
    assistant,
    samples,
    smtp,
    run_tasks_inline,
):
    client.force_login(assistant)
    first, second = list(conversation_queue(state="waiting"))[:2]
    key = once.new_key()
    with run_tasks_inline():
        one = send_next(client, first, "Hello, a replacement ships today.", key)
        two = send_next(client, first, "Hello, a replacement ships today.", key)
    assert one["Location"] == two["Location"] == reverse("buyer-conversation", args=[second.pk])
    assert len(smtp.received) == 1 and Reply.objects.count() == 1


def test_a_refused_send_and_next_stays_on_the_conversation(client, assistant, samples, smtp):
    client.force_login(assistant)
    first = conversation_queue(state="waiting").first()
    page = send_next(client, first, "The manual is at example.com/manual")
    assert page["Location"] == reverse("buyer-conversation", args=[first.pk])
    assert "link or web address" in client.get(page["Location"]).content.decode()
    assert not smtp.received


def test_saved_replies_are_written_changed_removed_and_put_back_from_their_page(client, assistant):
    client.force_login(assistant)
    before = ReplyTemplate.objects.count()  # the ones a new desk starts with
    new = reverse("saved-reply-new")
    refused = client.post(new, {"name": "Tracking", "purpose": "reply", "language": "",
                                "body": "Hello {buyer}, see example.com/track"})  # fmt: skip
    assert refused.status_code == 302 and refused["Location"] == new  # a reload posts nothing
    words = client.get(new).content.decode()
    assert "{buyer} is not filled in by the desk" in words
    assert "autofocus" in words and "example.com/track" in words  # as typed, focused
    assert ReplyTemplate.objects.count() == before

    key = once.new_key()
    fields = {"name": "Tracking", "purpose": "reply", "language": "DE",
              "body": "Hallo {buyer_name}, Ihr Paket zu {order_id} ist unterwegs.", once.FIELD: key}  # fmt: skip
    assert client.post(new, fields)["Location"] == reverse("saved-replies")
    client.post(new, fields)  # a double click
    [saved] = ReplyTemplate.objects.filter(name="Tracking")
    assert ReplyTemplate.objects.count() == before + 1
    assert (saved.language, saved.removed_at) == ("de", None)
    conversation = Conversation.objects.create(
        relay_address="b1@marketplace.amazon.de", order_id="302-1-1", buyer_name="Jürgen Böhm",
        language="de",
    )  # fmt: skip
    composer = reverse("buyer-conversation", args=[conversation.pk])
    assert "Ihr Paket zu 302-1-1 ist unterwegs" in client.get(composer).content.decode()

    edit = reverse("saved-reply-edit", args=[saved.pk])
    fields.update({"name": "Tracking (DE)", once.FIELD: once.new_key()})
    client.post(edit, fields)
    saved.refresh_from_db()
    assert saved.name == "Tracking (DE)"

    client.post(reverse("saved-reply-remove", args=[saved.pk]))
    assert "Ihr Paket" not in client.get(composer).content.decode()
    page = client.get(reverse("saved-replies")).content.decode()
    assert "Put back" in page and "Tracking (DE)" in page
    client.post(reverse("saved-reply-restore", args=[saved.pk]))
    assert "Ihr Paket zu 302-1-1" in client.get(composer).content.decode()
    history = list(LogEntry.objects.filter(object_id=str(saved.pk)).order_by("pk"))
    assert [e.get_change_message() for e in history] == [
        "Written on the saved replies page.",
        "Changed on the saved replies page: name.",
        "Removed on the saved replies page (can be put back there).",
        "Put back on the saved replies page.",
    ]
    assert {e.user_id for e in history} == {assistant.pk}


@pytest.mark.parametrize(
    "body, why",
    [
        ("Hello {buyer}, thanks.", "{buyer} is not filled in by the desk"),
        ("Order {order_id is on its way.", "A brace is left open"),
        ("Order order_id} is on its way.", "A brace is left open"),
        ("Write to help@shop.test", "email address"),
    ],
)
def test_a_saved_reply_the_desk_would_send_broken_is_refused(body, why):
    from buyers.forms import SavedReplyForm

    form = SavedReplyForm({"name": "X", "purpose": "reply", "language": "", "body": body})
    assert not form.is_valid() and why in " ".join(form.errors["body"])
    good = SavedReplyForm({"name": "X", "purpose": "reply", "language": "",
                           "body": "Your parcel for {order_id} is on its way, {buyer_name}."})  # fmt: skip
    assert good.is_valid(), good.errors
