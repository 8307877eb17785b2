"""No SMS provider: a text to the owner is kept in the outbox, never sent. Every page the
desk serves (each role's, admin's lists and the escalation's own pages) says "Kept" for it,
never "Texted" or "Sent"."""

import json
import re

import pytest
from django.urls import reverse

from escalations.chase import notify_due
from escalations.delivery import deliver_due
from escalations.models import Escalation, Notification
from tests.browser.conftest import log_in
from tests.browser.test_every_page import _pages, _seed
from tests.test_access import AD, AS, OW

pytestmark = pytest.mark.django_db(transaction=True)

# What a kept text must never be called, wherever it shows.
# (Not the columns "Sent (or kept) at" and "Delivered at", nor the saved reply "Delivered
# but not found".)
SENT_WORDS = re.compile(
    r"\b(Texted|texted again|Text sent|Sent(?! \(or kept\) at)|Delivered(?! but not| at))\b"
)
# Admin's filters list every state a text may be in; they say nothing of this one.
WITHOUT_FILTERS = """() => { const main = document.body.cloneNode(true);
  main.querySelectorAll('#changelist-filter').forEach((el) => el.remove());
  return main.innerText; }"""


def test_a_kept_text_is_kept_on_every_page(
    browser, live_server, assistant, owner, admin_user, mailbox, desk_mailbox, seed_rules,
    settings,
):  # fmt: skip
    settings.TWILIO_ACCOUNT_SID = ""
    objects = _seed(mailbox, desk_mailbox, settings)
    notify_due()
    deliver_due()
    kept = Notification.objects.filter(channel=Notification.Channel.SMS)
    assert kept.exists() and all(n.kept for n in kept)
    told = Escalation.objects.filter(step=Escalation.Step.TEXTED)
    assert told.exists()

    pages = _pages(objects)
    pages[AS] += [reverse("escalation-detail", args=[e.pk]) for e in told[:3]]
    pages[AS].append(reverse("escalation-list") + "?state=all")
    pages[AD] += [
        "/admin/escalations/escalation/",
        "/admin/escalations/notification/",
        f"/admin/escalations/escalation/{told[0].pk}/change/",
        f"/admin/escalations/notification/{kept[0].pk}/change/",
    ]
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    page = context.new_page()
    page.set_default_timeout(15_000)
    found = {}
    for role, person in ((AS, assistant), (OW, owner), (AD, admin_user)):
        context.clear_cookies()
        log_in(page, live_server, person.email)
        for path in pages[role]:
            page.goto(live_server.url + path)
            text = page.evaluate(WITHOUT_FILTERS)
            words = {text[max(0, m.start() - 30) : m.end() + 30] for m in SENT_WORDS.finditer(text)}
            if words:
                found[f"{role} {path}"] = sorted(words)
    # The outbox and the escalation's page say Kept; the demo offers the owner's side.
    context.clear_cookies()
    log_in(page, live_server, assistant.email)
    page.goto(live_server.url + reverse("outbox"))
    assert page.get_by_text("Kept, not texted").count() == kept.count()
    with context.expect_page() as opened:
        page.get_by_role("link", name="Open as the owner").first.click()
    owner_page = opened.value
    owner_page.wait_for_load_state()
    assert "/o/" in owner_page.url and owner_page.get_by_text(told[0].summary).count()
    page.goto(live_server.url + reverse("escalation-detail", args=[told[0].pk]))
    assert page.get_by_text("Kept in the outbox, not texted").count()
    context.close()
    assert not found, json.dumps(found, indent=1)
