"""Every page the desk serves, as each role may open it, at a phone's and a desktop's width:
nothing scrolls sideways, buttons are at least 44 px tall and menu links at least 24 px,
and axe-core finds no serious or critical violation. The pages come from the URL/role
matrix in tests/test_access.py, so a page added there is visited here."""

import json

import pytest
from django.urls import reverse

from buyers.models import Conversation, ReplyTemplate
from escalations.models import Escalation
from escalations.services import escalation_open
from inbox.models import EmailRule, Message
from inbox.sync import mailbox_sync
from tests.browser.conftest import axe_violations, log_in, pull_demo_amazon
from tests.inbox.conftest import load_samples
from tests.test_access import ACCESS, AD, AS, OK, OW

pytestmark = pytest.mark.django_db(transaction=True)

# Not pages: JSON, a fragment another page polls, a download, a link that needs a real token.
NOT_PAGES = {"checklist-json", "order-card", "mail-attachment", "owner-link"}

MEASURE = """() => {
  const doc = document.documentElement;
  const visible = (el) => { const r = el.getBoundingClientRect();
    return r.width > 0 && r.height > 0 && getComputedStyle(el).visibility !== 'hidden'; };
  const name = (el) => (el.textContent || el.value || el.getAttribute('aria-label') || '').trim()
    .slice(0, 40);
  const small = (sel, min) => [...document.querySelectorAll(sel)].filter(visible)
    .filter((el) => el.getBoundingClientRect().height < min)
    .map((el) => `${name(el)} ${Math.round(el.getBoundingClientRect().height)}px`);
  return {
    sideways: doc.scrollWidth - doc.clientWidth,
    buttons: small('main button, main .button, main input[type=submit], header button', 44),
    menu: small('header nav a', 24),
  };
}"""


def _pages(objects: dict) -> dict[str, list[str]]:
    """role -> the paths it may open."""
    pages = {AS: [], OW: [], AD: []}
    for name, (method, kwargs, who) in ACCESS.items():
        if method != "get" or name in NOT_PAGES:
            continue
        path = reverse(name, kwargs={"pk": objects[name]} if "pk" in kwargs else kwargs)
        for role in pages:
            if who[role] == OK and not (role == AD and name == "home"):
                pages[role].append(path)
    pages[AD] += ["/admin/", f"/admin/inbox/emailrule/{objects['rule']}/change/"]
    return pages


def _seed(mailbox, desk_mailbox, settings) -> dict:
    load_samples(mailbox)
    mailbox_sync(mailbox=desk_mailbox)
    pull_demo_amazon(settings)
    long_line = "https://example.com/" + "x" * 300  # a draft that must wrap on a phone
    escalation_open(
        about="draft", summary="Approve a reply to Ann", draft=f"Hello Ann.\n{long_line}"
    )
    return {
        "escalation-detail": Escalation.objects.order_by("-pk").first().pk,
        "mail-detail": Message.objects.order_by("pk").first().pk,
        "buyer-conversation": Conversation.objects.order_by("due_at").first().pk,
        "rule": EmailRule.objects.order_by("pk").first().pk,
        "saved-reply-edit": ReplyTemplate.objects.create(
            name="Tracking", body="Hello {buyer_name}, your parcel is on its way."
        ).pk,
    }


@pytest.mark.parametrize("width", [360, 1280])
def test_every_page_fits_and_passes_axe_core_for_every_role(
    browser, live_server, assistant, owner, admin_user, mailbox, desk_mailbox, seed_rules,
    settings, width,
):  # fmt: skip
    pages = _pages(_seed(mailbox, desk_mailbox, settings))
    # axe-core is injected as an inline script: the desk's CSP would refuse it.
    context = browser.new_context(viewport={"width": width, "height": 900}, bypass_csp=True)
    page = context.new_page()
    page.set_default_timeout(15_000)
    wrong = {}
    page.goto(live_server.url + "/login/")
    found = {"anonymous /login/": (page.evaluate(MEASURE), axe_violations(page))}
    for role, person in ((AS, assistant), (OW, owner), (AD, admin_user)):
        context.clear_cookies()
        log_in(page, live_server, person.email)
        for path in pages[role]:
            page.goto(live_server.url + path)
            found[f"{role} {path}"] = (page.evaluate(MEASURE), axe_violations(page))
    for where, (measured, violations) in found.items():
        problems = {k: v for k, v in measured.items() if v} | (
            {"axe": violations} if violations else {}
        )
        if problems:
            wrong[where] = problems
    context.close()
    assert len(found) > 25
    assert not wrong, json.dumps(wrong, indent=1)
