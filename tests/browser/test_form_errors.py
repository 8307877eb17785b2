"""A refused reply says why where the eye is: next to the reply box, in the viewport, with the
box focused and the words as typed; the page after it is a GET, so a reload posts nothing
again. A file too large for Amazon is refused when it is chosen, before any upload."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone
from playwright.sync_api import expect

from buyers.models import Conversation, Reply
from tests.browser.conftest import desk_page

pytestmark = pytest.mark.django_db(transaction=True)

IN_VIEW = """(el) => { const r = el.getBoundingClientRect();
  return r.top >= 0 && r.bottom <= innerHeight && r.width > 0; }"""


@pytest.mark.parametrize("width", [360, 1280])
def test_a_refused_reply_shows_why_in_view_and_a_reload_posts_nothing(
    browser, live_server, assistant, width
):
    conversation = Conversation.objects.create(
        relay_address="q7@marketplace.amazon.com", order_id="114-3941689-8772232",
        buyer_name="Jennifer Ortiz",
    )  # fmt: skip
    posts = []
    page = desk_page(browser, live_server, assistant, width, posts)
    url = live_server.url + reverse("buyer-conversation", args=[conversation.pk])

    for body, why in (
        ("", "Write the reply first."),
        ("Hello Jennifer, the manual is at example.com/manual", "link or web address"),
    ):
        page.goto(url)
        page.locator("#id_body").fill(body)
        page.get_by_role("button", name="Send to the buyer").click()
        error = page.locator("#reply-errors")
        expect(error).to_contain_text(why)
        assert page.url == url
        assert error.evaluate(IN_VIEW), f"{why!r} is out of view at {width} px"
        assert page.evaluate("document.activeElement.id") == "id_body"
        expect(page.locator("#id_body")).to_have_value(body)
        before = len(posts)
        page.reload()
        assert len(posts) == before  # the page after the refusal is a GET
        expect(page.locator("#reply-errors")).to_have_count(0)
    assert not Reply.objects.exists()

    # A 12 MB file is refused when chosen: nothing is uploaded.
    page.goto(url)
    page.locator("#id_body").fill("Hello Jennifer, the photo is attached.")
    page.locator("#id_attachment").set_input_files(
        {"name": "photo.jpg", "mimeType": "image/jpeg", "buffer": b"\0" * (12 * 1024 * 1024)}
    )
    error = page.locator("#attachment-error")
    expect(error).to_contain_text("photo.jpg is 12.0 MB; Amazon takes at most 10 MB.")
    assert error.evaluate(IN_VIEW)
    before = len(posts)
    page.get_by_role("button", name="Send to the buyer").click()
    page.wait_for_timeout(300)
    assert len(posts) == before and not Reply.objects.exists()
    page.context.close()


@pytest.mark.parametrize("width", [360, 1280])
def test_other_forms_say_why_beside_the_field_in_view_and_a_reload_posts_nothing(
    browser, live_server, assistant, width
):
    """Ending a shift with items open and no note; an escalation's summary left blank; a note
    to the owner without a summary: each reason beside its field, in view, the field focused,
    the words as typed, and the page after it a GET."""
    from dashboard.models import Shift
    from escalations.models import Escalation

    Conversation.objects.create(  # an open item: a buyer waiting, so the shift needs a note
        relay_address="q8@marketplace.amazon.com", order_id="114-3941689-8772233",
        buyer_name="Jennifer Ortiz", due_at=timezone.now() + timedelta(hours=3),
    )  # fmt: skip
    escalation = Escalation.objects.create(about="mail", summary="A supplier asks to be paid.")
    posts = []
    page = desk_page(browser, live_server, assistant, width, posts)

    def refused(url, field, typed, why):
        error = page.locator(".field-error").first
        expect(error).to_contain_text(why)
        assert page.url == url
        assert error.evaluate(IN_VIEW), f"{why!r} is out of view at {width} px"
        assert page.evaluate("document.activeElement.id") == field
        expect(page.locator(f"#{field}")).to_have_value(typed)
        before = len(posts)
        page.reload()
        assert len(posts) == before
        expect(page.locator(".field-error")).to_have_count(0)

    home = live_server.url + "/"
    page.goto(home)
    page.get_by_role("button", name="Start shift").click()
    page.locator("#id_note").fill("   ")
    page.get_by_role("button", name="End shift").click()
    refused(home, "id_note", "   ", "leave a note on them for the owner")
    assert Shift.objects.get().ended_at is None

    detail = live_server.url + reverse("escalation-detail", args=[escalation.pk])
    page.goto(detail)
    page.locator("#id_summary").fill("  ")
    page.get_by_role("button", name="Save summary").click()
    refused(detail, "id_summary", "  ", "required")
    escalation.refresh_from_db()
    assert escalation.summary == "A supplier asks to be paid."

    new = live_server.url + reverse("escalation-new")
    page.goto(new)
    page.locator("#id_summary").fill(" ")
    page.locator("#id_details").fill("The invoice is attached to the mail of March 3.")
    page.get_by_role("button", name="Open and text the owner").click()
    refused(new, "id_summary", " ", "required")
    assert Escalation.objects.count() == 1
    page.context.close()
