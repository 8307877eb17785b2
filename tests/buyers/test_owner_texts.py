"""The owner answers by text: `AH yes` to a draft reply sends it to the buyer, once;
`AH no` dismisses it; a reference to an item that is closed or does not exist files
nothing, anywhere, and the confirmation says so. Through the real twilio library to the
stand-in (texts out), Twilio's signed webhook (texts in), Dovecot and the SMTP fixture."""

import pytest
from django.urls import reverse

from buyers.models import Conversation, Reply
from escalations.chase import notify_due
from escalations.delivery import deliver_due
from escalations.inbound import answer_word
from escalations.models import Escalation, InboundText
from escalations.services import escalation_close, escalation_open
from tests.escalations.test_owner import inbound, signed_post

pytestmark = pytest.mark.django_db
ORDER = "111-2290471-6654829"  # Priya Natarajan's


@pytest.fixture
def draft(client, assistant, samples, smtp, twilio):
    conversation = Conversation.objects.get(order_id=ORDER)
    client.force_login(assistant)
    client.post(
        reverse("buyer-send", args=[conversation.pk]),
        {"action": "approval", "body": "Hello Priya, a refund is on its way."},
    )
    escalation = Escalation.objects.get(conversation=conversation, about="draft")
    notify_due()
    deliver_due()
    assert any(f"#{escalation.reference}" in m["body"] for m in twilio.accepted)
    client.logout()
    return escalation


def text_back(client, body: str, n: int, run_tasks_inline) -> None:
    with run_tasks_inline():
        response = signed_post(client, inbound(body, sid=f"SM{n:032d}"))
    assert response.status_code == 200
    deliver_due()


def confirmations(twilio) -> list[str]:
    return [m["body"] for m in twilio.accepted[1:]]


@pytest.mark.parametrize("word", ["yes", "Yes!", "ok", "OK send it", "approve", "👍", "y"])
def test_a_yes_by_text_sends_the_draft_once_even_texted_twice(
    client, draft, smtp, twilio, run_tasks_inline, word
):
    text_back(client, f"{draft.reference} {word}", 1, run_tasks_inline)
    text_back(client, f"{draft.reference} {word}", 2, run_tasks_inline)
    [sent] = smtp.received
    assert "a refund is on its way" in sent.message.get_content()
    draft.refresh_from_db()
    assert (draft.answer_kind, draft.answered_via) == ("approved", "text")
    assert draft.state == "resolved"  # the reply reached the buyer's relay
    assert Reply.objects.filter(conversation=draft.conversation, state="sent").count() == 1
    first, second = confirmations(twilio)
    assert first.startswith("Sending your approved reply to Priya Natarajan")
    assert f"#{draft.reference}" in first and first.endswith(" -MS")
    assert f"#{draft.reference} is already resolved" in second
    assert "nothing was sent" in second


def test_a_yes_without_a_reference_goes_to_the_draft_texted_last(
    client, draft, smtp, twilio, run_tasks_inline
):
    text_back(client, "YES", 1, run_tasks_inline)
    assert len(smtp.received) == 1
    assert "Priya Natarajan" in confirmations(twilio)[0]


@pytest.mark.parametrize("word", ["no", "No.", "dismiss", "don't send it", "do not send"])
def test_a_no_by_text_dismisses_the_draft(client, draft, smtp, twilio, run_tasks_inline, word):
    text_back(client, f"#{draft.reference} {word}", 1, run_tasks_inline)
    assert smtp.received == []
    draft.refresh_from_db()
    assert (draft.state, draft.answer_kind) == ("answered", "dismissed")
    assert confirmations(twilio)[0].startswith(f"Dismissed #{draft.reference}")


def test_words_to_a_draft_are_an_answer_in_words(client, draft, smtp, twilio, run_tasks_inline):
    text_back(client, f"{draft.reference} say sorry for the wait first", 1, run_tasks_inline)
    assert smtp.received == []
    draft.refresh_from_db()
    assert (draft.answer_kind, draft.answer) == ("text", "say sorry for the wait first")
    assert confirmations(twilio)[0].startswith(f"Thanks, noted on #{draft.reference}")
    client.force_login(draft.opened_by or Escalation.objects.get(pk=draft.pk).opened_by)
    page = client.get(reverse("buyer-conversation", args=[draft.conversation_id]))
    assert "say sorry for the wait first" in page.content.decode()  # the assistant sees it


@pytest.mark.parametrize("state", ["cancelled", "resolved"])
def test_a_text_naming_a_closed_item_is_filed_nowhere(client, twilio, assistant, state,
                                                      run_tasks_inline):  # fmt: skip
    closed = escalation_open(about="note", summary="Refund the cancelled order?")
    texted_last = escalation_open(about="note", summary="Unshipped orders need a look.")
    notify_due()
    deliver_due()
    escalation_close(escalation=closed, by=None, cancel=state == "cancelled")
    text_back(client, f"{closed.reference} no, do not refund", 1, run_tasks_inline)
    texted_last.refresh_from_db()
    closed.refresh_from_db()
    assert texted_last.state == "open" and texted_last.answer == ""
    assert closed.answer == ""
    note = InboundText.objects.get()
    assert note.escalation == closed and state in note.note
    confirmation = twilio.accepted[-1]["body"]
    assert f"#{closed.reference} is already {state}" in confirmation
    assert "not filed anywhere" in confirmation


def test_a_text_naming_no_item_is_filed_nowhere(client, twilio, assistant, run_tasks_inline):
    waiting = escalation_open(about="note", summary="Unshipped orders need a look.")
    notify_due()
    deliver_due()
    text_back(client, "#ZZZ9 ok", 1, run_tasks_inline)
    waiting.refresh_from_db()
    assert waiting.state == "open"
    assert "There is no #ZZZ9" in twilio.accepted[-1]["body"]


@pytest.mark.parametrize(
    ("text", "word"),
    [
        ("yes", "yes"), ("Yes please", "yes"), ("ok, send it", "yes"), ("Send", "yes"),
        ("sure thing", None), ("👍", "yes"), ("no", "no"), ("Nope!", "no"),
        ("don’t send", "no"), ("do not send it", "no"), ("no, do not refund", None),
        ("yes but change the date", None), ("", None), ("call me", None), ("not yet", None),
        ("not sure", None), ("not ok", None), ("not approved", None), ("OK, not send", "no"),
    ],
)  # fmt: skip
def test_answer_words(text, word):
    assert answer_word(text) == word


def test_a_draft_with_the_owner_shows_in_its_conversation_and_the_queue(client, assistant, draft):
    client.force_login(assistant)
    url = reverse("buyer-conversation", args=[draft.conversation_id])
    page = client.get(url).content.decode()
    assert f"Draft with the owner (#{draft.reference}, since" in page
    assert "a refund is on its way" in page
    queue = client.get(reverse("buyer-queue")).content.decode()
    assert "Draft with the owner" in queue
    back = client.post(
        reverse("escalation-close", args=[draft.pk]), {"how": "withdraw", "next": url}
    )
    assert back.status_code == 302 and back["Location"] == url
    draft.refresh_from_db()
    assert draft.state == "cancelled"
    assert "Draft with the owner" not in client.get(url).content.decode()
    evil = client.post(
        reverse("escalation-close", args=[draft.pk]),
        {"how": "withdraw", "next": "https://evil.test/"},
    )
    assert evil["Location"] == reverse("escalation-detail", args=[draft.pk])


def test_a_draft_the_owner_approved_cannot_be_withdrawn(
    client, assistant, owner, draft, smtp, run_tasks_inline
):
    client.force_login(owner)
    with run_tasks_inline():
        client.post(reverse("owner-home"), {"escalation": draft.pk, "action": "approve"})
    client.force_login(assistant)
    page = client.post(
        reverse("escalation-close", args=[draft.pk]), {"how": "withdraw"}, follow=True
    )
    assert "was answered already: nothing was withdrawn" in page.content.decode()
    draft.refresh_from_db()
    assert draft.state == "resolved" and "Reply sent" in draft.resolved_reason


def test_after_approval_the_thread_says_the_owner_edited_and_approved_it(
    client, assistant, owner, draft, smtp, run_tasks_inline
):
    client.force_login(owner)
    with run_tasks_inline():
        client.post(
            reverse("owner-home"),
            {"escalation": draft.pk, "action": "approve",
             "text": "Hello Priya, your refund is on its way today."},
        )  # fmt: skip
    client.force_login(assistant)
    page = client.get(reverse("buyer-conversation", args=[draft.conversation_id])).content
    assert f"edited and approved by the owner (#{draft.reference})" in page.decode()
    assert "your refund is on its way today" in smtp.received[0].message.get_content()


@pytest.mark.parametrize(
    ("body", "held"),
    [
        ("Hello Ann, No, walnut is hand wash only as well. Best, Maria", True),
        ("Hello Ann,\n\nno walnut is HAND WASH only as well!\n\nMaria", True),
        ("Hello Ann, the walnut board is hand wash only too. Best, Maria", False),
        ("Tell him: wipe it dry", False),  # five words of twelve: the buyer's words too
        ("Hello Ann, yes, a refund is fine.", False),
        ("as you see, walnut is hand wash only as we say", True),
        ("", False),
    ],
)
def test_a_reply_holding_the_owners_note_word_for_word_is_caught(body, held):
    from buyers.services import holds_owner_words

    note = "No, walnut is hand wash only as well. Tell him: wipe it dry"
    assert holds_owner_words(body, note) is held
    assert not holds_owner_words(body, "Yes")  # a short note: words any reply may hold
    assert not holds_owner_words(body, "refund them")


def test_a_bare_yes_after_a_digest_is_words_not_an_approval(
    client,
    assistant,
    samples,
    smtp,
    twilio,
    run_tasks_inline,
):
    conversation = Conversation.objects.get(order_id=ORDER)
    client.force_login(assistant)
    client.post(
        reverse("buyer-send", args=[conversation.pk]),
        {"action": "approval", "body": "Hello Priya, a refund is on its way."},
    )
    note = escalation_open(about="note", summary="Carrier wants a new pickup date.")
    notify_due()
    deliver_due()
    [digest] = [m["body"] for m in twilio.accepted]
    assert digest.startswith("2 items need you")
    text_back(client, "yes", 1, run_tasks_inline)
    assert smtp.received == []  # which item the yes was for is not known: nothing is sent
    draft = Escalation.objects.get(conversation=conversation, about="draft")
    answered = [e for e in (draft, note) if Escalation.objects.get(pk=e.pk).answer == "yes"]
    assert len(answered) == 1 and Escalation.objects.get(pk=answered[0].pk).answer_kind == "text"
