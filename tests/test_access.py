"""Who may open what: every URL the project defines, for an anonymous visitor, the
assistant, the owner and an admin. A URL added without an entry here fails this test."""

import pytest
from django.urls import URLResolver, get_resolver, reverse

pytestmark = pytest.mark.django_db

A, AS, OW, AD = "anonymous", "assistant", "owner", "admin"
OK, LOGIN, NO = "ok", "login", "forbidden"
DESK = {A: LOGIN, AS: OK, OW: NO, AD: OK}  # the assistant's pages
OWNER = {A: LOGIN, AS: NO, OW: OK, AD: OK}
PUBLIC = {A: OK, AS: OK, OW: OK, AD: OK}
SIGNED = {A: NO, AS: NO, OW: NO, AD: NO}  # Twilio's webhooks: a valid signature or 403

# name: (method, kwargs, who gets what)
ACCESS = {
    "login": ("get", {}, PUBLIC),
    "logout": ("post", {}, {A: LOGIN, AS: LOGIN, OW: LOGIN, AD: LOGIN}),  # then the login page
    "home": ("get", {}, {A: LOGIN, AS: OK, OW: OK, AD: OK}),  # the owner is sent to theirs
    "checklist-json": ("get", {}, DESK),
    "checklist-refresh": ("post", {}, DESK),
    "shift-start": ("post", {}, DESK),
    "shift-end": ("post", {}, DESK),
    "shift-log": ("get", {}, OWNER),
    "amazon": ("get", {}, DESK),
    # The order card a page polls: the assistant's conversation page, the owner's page.
    "order-card": ("get", {"order_id": "113-0000000-0000000"}, {A: LOGIN, AS: OK, OW: OK, AD: OK}),
    "health": ("get", {}, {A: LOGIN, AS: OK, OW: OK, AD: OK}),
    "owner-home": ("get", {}, OWNER),
    "owner-link": (
        "get",
        {"token": "e1.1.forged"},
        {A: "missing", AS: "missing", OW: "missing", AD: "missing"},
    ),
    # Microsoft or Google sends the browser back here: the single-use state is the proof
    # (without one: 400, "already finished or has expired").
    "oauth-callback": ("get", {}, PUBLIC),
    "sms-inbound": ("post", {}, SIGNED),
    "sms-status": ("post", {}, SIGNED),
    "escalation-list": ("get", {}, DESK),
    "escalation-new": ("get", {}, DESK),
    "outbox": ("get", {}, DESK),
    "notification-retry": ("post", {"pk": 999999}, DESK),
    "escalation-detail": ("get", {"pk": 999999}, DESK),
    "escalation-edit": ("post", {"pk": 999999}, DESK),
    "escalation-close": ("post", {"pk": 999999}, DESK),
    "escalation-reply": ("post", {"pk": 999999}, DESK),
    "escalation-handled": ("post", {"pk": 999999}, DESK),
    "mail-list": ("get", {}, DESK),
    "mail-detail": ("get", {"pk": 999999}, DESK),
    "mail-act": ("post", {"pk": 999999}, DESK),
    "mail-classify": ("post", {"pk": 999999}, DESK),
    "mail-action-undo": ("post", {"pk": 999999}, DESK),
    "mail-attachment": ("get", {"pk": 999999}, DESK),
    "buyer-queue": ("get", {}, DESK),
    "buyer-conversation": ("get", {"pk": 999999}, DESK),
    "buyer-send": ("post", {"pk": 999999}, DESK),
    "buyer-reply-retry": ("post", {"pk": 999999}, DESK),
    "buyer-no-response": ("post", {"pk": 999999}, DESK),
    "saved-replies": ("get", {}, DESK),
    "saved-reply-new": ("get", {}, DESK),
    "saved-reply-edit": ("get", {"pk": 999999}, DESK),
    "saved-reply-remove": ("post", {"pk": 999999}, DESK),
    "saved-reply-restore": ("post", {"pk": 999999}, DESK),
}


def _names(patterns, prefix=""):
    for pattern in patterns:
        if isinstance(pattern, URLResolver):
            if str(pattern.pattern) == "admin/":
                yield "admin"
                continue
            yield from _names(pattern.url_patterns, prefix + str(pattern.pattern))
        else:
            yield pattern.name


def test_every_url_has_an_entry():
    defined = set(_names(get_resolver().url_patterns))
    assert defined - {"admin"} == set(ACCESS), (
        f"URLs without an access entry: {defined - {'admin'} - set(ACCESS)}; "
        f"entries for URLs that are gone: {set(ACCESS) - defined}"
    )


def _outcome(response) -> str:
    if response.status_code == 403:
        return NO
    if response.status_code == 404:
        return "missing"
    if response.status_code in (301, 302):
        return LOGIN if "/login/" in response["Location"] else OK  # done, and sent on
    return OK


@pytest.fixture
def people(assistant, owner, admin_user):
    return {A: None, AS: assistant, OW: owner, AD: admin_user}


@pytest.mark.parametrize("who", [A, AS, OW, AD])
def test_each_role_gets_exactly_what_it_may(client, people, who):
    if people[who]:
        client.force_login(people[who])
    wrong = {}
    for name, (method, kwargs, expected) in ACCESS.items():
        response = getattr(client, method)(reverse(name, kwargs=kwargs))
        outcome = _outcome(response)
        # A page the role may open answers; a missing object is fine (404) for it.
        if expected[who] == OK and outcome == "missing":
            outcome = OK
        if outcome != expected[who]:
            wrong[name] = (outcome, expected[who], response.status_code)
        if name == "logout" and people[who]:
            client.force_login(people[who])
    assert not wrong, wrong


@pytest.mark.parametrize("who", [A, AS, OW])
def test_admin_is_only_for_admins(client, people, who):
    if people[who]:
        client.force_login(people[who])
    response = client.get("/admin/")
    assert response.status_code == 302 and "/admin/login/" in response["Location"]


def test_admin_opens_admin(client, admin_user):
    client.force_login(admin_user)
    assert client.get("/admin/").status_code == 200


def test_every_form_post_needs_the_csrf_token(admin_user):
    """Every POST URL but Twilio's signed webhooks refuses a request without the token,
    even from a signed-in admin."""
    from django.test import Client

    client = Client(enforce_csrf_checks=True)
    client.force_login(admin_user)
    posts = [name for name, (method, _kwargs, who) in ACCESS.items()
             if method == "post" and who is not SIGNED]  # fmt: skip
    assert len(posts) > 10
    allowed = {}
    for name in posts:
        response = client.post(reverse(name, kwargs=ACCESS[name][1]))
        if response.status_code != 403 or b"CSRF" not in response.content:
            allowed[name] = response.status_code
    assert not allowed, f"POST without a CSRF token was not refused: {allowed}"


def test_no_page_for_the_assistant_shows_a_working_owner_link(client, assistant, twilio):
    """The owner's links answer as the owner without logging in: the assistant's outbox and
    escalation pages show the texts with the token taken out."""
    import re

    from escalations.chase import notify_due
    from escalations.delivery import deliver_due
    from escalations.services import escalation_open

    escalation = escalation_open(about="draft", summary="Approve a reply to Ann", draft="Hi Ann.")
    notify_due()
    deliver_due()
    [sent] = [m["body"] for m in twilio.accepted]
    token = re.search(r"/o/([\w.\-]+)/", sent)[1]
    client.force_login(assistant)
    pages = [reverse("outbox"), reverse("escalation-list"), reverse("home"),
             reverse("escalation-detail", kwargs={"pk": escalation.pk})]  # fmt: skip
    for page in pages:
        html = client.get(page, follow=True).content.decode()
        assert token not in html, page
        for shown in re.findall(r"/o/([\w.\-]+)/", html):
            client.logout()
            assert client.get(f"/o/{shown}/").status_code in (302, 404), (page, shown)
            client.force_login(assistant)
    assert "owner&#x27;s link" in client.get(reverse("outbox")).content.decode()
