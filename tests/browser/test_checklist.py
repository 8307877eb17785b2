"""The checklist in Chromium: live without reloading, shifts, accessibility (axe-core) at a
phone's and a desktop's width, and the README's screenshot."""

from datetime import timedelta
from pathlib import Path

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from buyers.models import Conversation
from escalations.services import escalation_open
from inbox.models import Mailbox
from inbox.sync import mailbox_sync
from tests.browser.conftest import log_in, pull_demo_amazon
from tests.inbox.conftest import load_samples

pytestmark = pytest.mark.django_db(transaction=True)
AXE = Path(__file__).parent / "vendor" / "axe.min.js"
SCREENSHOT = Path(__file__).resolve().parents[2] / "docs" / "checklist.png"


def test_an_item_turns_done_without_reloading_and_the_shift_ends(page, live_server, assistant):
    Conversation.objects.create(
        relay_address="q1@marketplace.amazon.com",
        order_id="111-1",
        buyer_name="Ann",
        due_at=timezone.now() + timedelta(hours=5),
    )
    log_in(page, live_server, assistant.email)
    buyers = page.locator('[data-item="buyers"]')
    expect(buyers).to_contain_text("Needs action")
    page.get_by_role("button", name="Start shift").click()
    page.evaluate("window.loadedOnce = true")  # gone if the page reloads
    Conversation.objects.update(state="answered", due_at=None)  # answered elsewhere
    expect(buyers).to_contain_text("Done", timeout=25_000)
    assert page.evaluate("window.loadedOnce") is True
    page.get_by_role("button", name="End shift").click()
    expect(page.get_by_role("status")).to_contain_text("Shift ended")


def _axe(page) -> list[dict]:
    page.add_script_tag(path=str(AXE))
    result = page.evaluate("async () => await axe.run(document, {resultTypes: ['violations']})")
    return [
        {"id": v["id"], "impact": v["impact"], "nodes": [n["target"] for n in v["nodes"]][:5]}
        for v in result["violations"]
        if v["impact"] in ("serious", "critical")
    ]


@pytest.mark.parametrize("width", [360, 1280])
def test_pages_pass_axe_core_at_phone_and_desktop_width(
    browser, live_server, assistant, owner, mailbox, desk_mailbox, seed_rules, width
):
    load_samples(mailbox)
    mailbox_sync(mailbox=desk_mailbox)
    escalation_open(about="draft", summary="Approve a reply to Ann", draft="Hello Ann.")
    conversation = Conversation.objects.order_by("due_at").first()
    # axe-core is injected as an inline script: the desk's CSP would refuse it.
    context = browser.new_context(viewport={"width": width, "height": 900}, bypass_csp=True)
    page = context.new_page()
    log_in(page, live_server, assistant.email)
    found = {}
    for path in [
        "/",
        "/mail/",
        f"/buyers/{conversation.pk}/",
        "/buyers/",
        "/escalations/",
        "/amazon/",
        "/escalations/outbox/",
        "/health/",
    ]:
        page.goto(live_server.url + path)
        found[path] = _axe(page)
    context.clear_cookies()
    log_in(page, live_server, owner.email)
    page.goto(live_server.url + "/owner/")
    found["/owner/"] = _axe(page)
    page.set_content('<html lang="en"><body><main><img src="x.png"></main></body></html>')
    assert any(v["id"] == "image-alt" for v in _axe(page)), "axe-core did not run"
    context.close()
    assert not any(found.values()), {k: v for k, v in found.items() if v}


def test_readme_screenshot_of_the_checklist(
    page, live_server, assistant, mailbox, desk_mailbox, seed_rules, settings
):
    """The demo's data (the sample mail, the SP-API stand-in's orders and report), the
    worker running: the picture in the README."""
    from escalations.chase import notify_due
    from escalations.delivery import deliver_due
    from sellerdesk.models import WorkerBeat

    load_samples(mailbox)
    Mailbox.objects.filter(pk=desk_mailbox.pk).update(text_owner_about_history=True)
    mailbox_sync(mailbox=desk_mailbox)
    notify_due()
    deliver_due()
    pull_demo_amazon(settings)
    WorkerBeat.objects.update_or_create(name="scheduler", defaults={"seen_at": timezone.now()})
    log_in(page, live_server, assistant.email)
    expect(page.locator('[data-item="performance"]')).to_contain_text("Fair")
    SCREENSHOT.parent.mkdir(exist_ok=True)
    page.screenshot(path=str(SCREENSHOT), full_page=True)
