"""The owner's side: the page from a text's link or after logging in, and answers by text
to the desk's number (Twilio's inbound webhook, signature checked)."""

from datetime import timedelta
from urllib.parse import urlencode, urlsplit

import pytest
import time_machine
from django.urls import reverse
from django.utils import timezone
from twilio.request_validator import RequestValidator

from escalations.chase import notify_due
from escalations.delivery import deliver_due
from escalations.models import Escalation, InboundText, Notification
from escalations.services import escalation_close, escalation_open
from tests.escalations.fixtures import AUTH_TOKEN, OWNER_PHONE, assert_good_text, signed_link

pytestmark = pytest.mark.django_db


def path_of(url: str) -> str:
    return urlsplit(url).path


def texted(summary="The supplier asks to confirm 200 units by Friday.", **kwargs) -> Escalation:
    escalation = escalation_open(about=kwargs.pop("about", "note"), summary=summary, **kwargs)
    notify_due()
    deliver_due()
    return escalation


# --- The page ---------------------------------------------------------------------------


def test_the_link_in_a_text_opens_that_escalation_without_logging_in(client, twilio, assistant):
    escalation = texted()
    link = assert_good_text(twilio.accepted[0]["body"], reference=escalation.reference,
                            initials="MS")  # fmt: skip
    page = client.get(path_of(link))
    assert page.status_code == 200
    assert escalation.summary in page.content.decode()
    answered = client.post(path_of(link), {"escalation": escalation.pk, "action": "answer",
                                           "text": "Yes, 200 units."})  # fmt: skip
    assert answered.status_code == 302
    escalation.refresh_from_db()
    assert escalation.state == "answered" and escalation.answer == "Yes, 200 units."
    assert escalation.answered_via == "link"


def test_the_link_answers_only_its_own_escalation(client, assistant):
    mine = escalation_open(about="note", summary="Mine")
    other = escalation_open(about="note", summary="Other")
    page = client.post(path_of(signed_link("e", mine.pk)),
                       {"escalation": other.pk, "action": "answer", "text": "x"})  # fmt: skip
    assert page.status_code == 302
    other.refresh_from_db()
    assert other.state == "open"
    assert "Other" not in client.get(path_of(signed_link("e", mine.pk))).content.decode()


def test_an_expired_link_asks_to_log_in(client, assistant, settings):
    escalation = escalation_open(about="note", summary="Old one")
    link = signed_link("e", escalation.pk)
    with time_machine.travel(timezone.now() + timedelta(days=settings.OWNER_LINK_DAYS, hours=1)):
        page = client.get(path_of(link))
    assert page.status_code == 302 and page["Location"].startswith(reverse("login"))


def test_a_link_to_a_closed_escalation_says_what_became_of_it_without_a_login_form(
    client, assistant
):
    escalation = escalation_open(about="note", summary="Supplier price list")
    escalation_close(escalation=escalation, by=assistant, reason="Answered by phone.")
    page = client.get(path_of(signed_link("e", escalation.pk)))
    body = page.content.decode()
    assert page.status_code == 200
    assert "Nothing from this text waits for you now." in body
    assert "Answered by phone." in body and f"#{escalation.reference}" in body
    assert 'type="password"' not in body and "<textarea" not in body


def test_a_forged_link_is_not_found(client, assistant):
    escalation = escalation_open(about="note", summary="Secret")
    token = path_of(signed_link("e", escalation.pk)).split("/")[2]
    forged = token[:-2] + ("AA" if not token.endswith("AA") else "BB")
    assert client.get(f"/o/{forged}/").status_code == 404


def test_owner_page_lists_waiting_items_newest_first_and_approves_a_draft(client, owner):
    escalation_open(about="note", summary="Older question")
    draft = escalation_open(about="draft", summary="Reply to Ann about her refund",
                            draft="Hello Ann, your refund is on its way.")  # fmt: skip
    client.force_login(owner)
    body = client.get(reverse("owner-home")).content.decode()
    assert body.index("Reply to Ann") < body.index("Older question")
    client.post(reverse("owner-home"), {"escalation": draft.pk, "action": "approve", "text": ""})
    draft.refresh_from_db()
    assert draft.answer_kind == "approved"
    assert draft.answer == "Hello Ann, your refund is on its way."


def test_owner_edits_and_approves_or_dismisses(client, owner):
    draft = escalation_open(about="draft", summary="Reply to Bo", draft="Hi Bo.")
    other = escalation_open(about="note", summary="FYI")
    client.force_login(owner)
    client.post(reverse("owner-home"), {"escalation": draft.pk, "action": "edit",
                                        "text": "Hi Bo, sorry for the wait."})  # fmt: skip
    client.post(reverse("owner-home"), {"escalation": other.pk, "action": "dismiss"})
    draft.refresh_from_db()
    other.refresh_from_db()
    assert (draft.answer_kind, draft.answer) == ("edited", "Hi Bo, sorry for the wait.")
    assert other.answer_kind == "dismissed" and other.state == "answered"


def test_an_empty_answer_is_refused_and_changes_nothing(client, owner):
    escalation = escalation_open(about="note", summary="Question")
    client.force_login(owner)
    page = client.post(reverse("owner-home"),
                       {"escalation": escalation.pk, "action": "answer", "text": "  "})  # fmt: skip
    assert page.status_code == 200
    assert "Write your answer first" in page.content.decode()
    escalation.refresh_from_db()
    assert escalation.state == "open"


def test_owner_page_fits_a_phone(client, owner):
    client.force_login(owner)
    body = client.get(reverse("owner-home")).content.decode()
    assert 'name="viewport" content="width=device-width' in body


# --- Answers by text --------------------------------------------------------------------

INBOUND = "http://127.0.0.1:8000/sms/inbound"


def signed_post(client, params, *, url=INBOUND, token=AUTH_TOKEN, path="/sms/inbound"):
    signature = RequestValidator(token).compute_signature(url, params)
    return client.post(path, urlencode(params), content_type="application/x-www-form-urlencoded",
                       HTTP_X_TWILIO_SIGNATURE=signature)  # fmt: skip


def inbound(body, sid="SM" + "a" * 32):
    return {"MessageSid": sid, "AccountSid": "AC1", "From": OWNER_PHONE, "To": "+15005550006",
            "Body": body, "NumMedia": "0"}  # fmt: skip


def test_a_signed_reply_is_filed_on_the_escalation_it_names_and_confirmed(client, twilio,
                                                                          assistant):  # fmt: skip
    first = texted("First question")
    second = texted("Second question")
    response = signed_post(client, inbound(f"#{first.reference} yes go ahead"))
    assert response.status_code == 200 and response["Content-Type"] == "text/xml"
    first.refresh_from_db()
    second.refresh_from_db()
    assert (first.state, first.answer, first.answered_via) == ("answered", "yes go ahead", "text")
    assert second.state == "open"
    deliver_due()
    confirmation = twilio.accepted[-1]
    assert confirmation["to"] == OWNER_PHONE
    assert f"#{first.reference}" in confirmation["body"]
    assert confirmation["body"].endswith(" -MS") and len(confirmation["body"]) <= 160


def test_a_reply_without_a_reference_goes_to_the_latest_texted(client, twilio, assistant):
    first = texted("First question")
    second = texted("Second question")
    signed_post(client, inbound("no, wait a week"))
    first.refresh_from_db()
    second.refresh_from_db()
    assert second.answer == "no, wait a week" and first.state == "open"


def test_a_text_with_nothing_open_is_kept_as_a_note_the_assistant_sees(client, twilio,
                                                                       assistant):  # fmt: skip
    signed_post(client, inbound("Call the supplier about the red mugs tomorrow"))
    note = InboundText.objects.get()
    assert note.escalation is None and note.note
    deliver_due()
    assert "kept it as a note" in twilio.accepted[-1]["body"]
    client.force_login(assistant)
    page = client.get(reverse("outbox")).content.decode()
    assert "Texts from the owner that named no open item" in page
    assert "Call the supplier about the red mugs tomorrow" in page


def test_twilio_resending_a_reply_records_it_once(client, twilio, assistant):
    texted()
    signed_post(client, inbound("ok"))
    signed_post(client, inbound("ok"))
    assert InboundText.objects.count() == 1
    assert Notification.objects.filter(to=OWNER_PHONE, body__startswith="Thanks").count() == 1


@pytest.mark.parametrize(
    "tamper",
    ["unsigned", "forged", "other_url", "other_token", "changed_body"],
)
def test_unsigned_forged_or_replayed_replies_get_403_and_change_nothing(client, twilio,
                                                                        assistant, tamper):  # fmt: skip
    escalation = texted()
    before = Notification.objects.count()
    params = inbound("approve everything")
    if tamper == "unsigned":
        response = client.post("/sms/inbound", params)
    elif tamper == "forged":
        response = client.post(
            "/sms/inbound", params, HTTP_X_TWILIO_SIGNATURE="bm90IGEgc2lnbmF0dXJl"
        )
    elif tamper == "other_url":
        response = signed_post(client, params, url="http://127.0.0.1:8000/sms/status")
    elif tamper == "other_token":
        response = signed_post(client, params, token="someone-elses-token")
    else:
        signature = RequestValidator(AUTH_TOKEN).compute_signature(INBOUND, params)
        response = client.post("/sms/inbound", {**params, "Body": "dismiss all"},
                               HTTP_X_TWILIO_SIGNATURE=signature)  # fmt: skip
    assert response.status_code == 403
    escalation.refresh_from_db()
    assert escalation.state == "open" and escalation.answer == ""
    assert InboundText.objects.count() == 0
    assert Notification.objects.count() == before


def test_a_delivery_report_marks_the_text_delivered_and_bad_ones_are_refused(client, twilio,
                                                                             assistant):  # fmt: skip
    texted()
    sid = Notification.objects.get().provider_id
    params = {"MessageSid": sid, "MessageStatus": "delivered", "AccountSid": "AC1"}
    url = "http://127.0.0.1:8000/sms/status"
    assert client.post("/sms/status", params).status_code == 403
    assert signed_post(client, params, url=url, path="/sms/status").status_code == 204
    assert Notification.objects.get().state == Notification.State.DELIVERED


def test_a_second_answer_claims_nothing_and_changes_nothing(client, owner):
    """The answer claims the escalation (open -> answered) with one conditional UPDATE: a
    replayed post, logged in or through the link, finds nothing to claim."""
    escalation = escalation_open(about="draft", summary="Reply to Bo", draft="Hi Bo.")
    client.force_login(owner)
    post = {"escalation": escalation.pk, "action": "approve", "text": "Hi Bo, edited."}
    client.post(reverse("owner-home"), post)
    client.post(reverse("owner-home"), {**post, "text": "Hi Bo, a second edit."})
    client.logout()
    client.post(path_of(signed_link("e", escalation.pk)), {**post, "text": "Third."})
    escalation.refresh_from_db()
    assert (escalation.answer_kind, escalation.answer) == ("edited", "Hi Bo, edited.")
    assert escalation.draft == "Hi Bo."


@pytest.mark.parametrize("path", ["/o/abc%00/", "/o/abc%0Adef/", "/o/%C3%A9t%C3%A9/", "/o/a%20b/"])
def test_a_link_path_with_an_odd_byte_is_not_found(client, path):
    assert client.get(path).status_code == 404
    assert client.post(path, {"escalation": "1"}).status_code in (403, 404)
