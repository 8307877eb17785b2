"""Every page in the access matrix, asked for by each role, says `Cache-Control: no-store`:
what the desk shows (mail, buyers, escalations, the owner's items) stays out of browser and
proxy caches. Detail pages are asked for with real rows, so they answer 200, not 404."""

import pytest
from django.urls import reverse

from buyers.models import Conversation
from escalations.links import token_for
from escalations.services import escalation_open
from inbox.models import Attachment, Folder, Mailbox, Message, MessageContent
from tests.test_access import ACCESS, AD, AS, OK, OW, A

pytestmark = pytest.mark.django_db


@pytest.fixture
def rows():
    mailbox = Mailbox.objects.create(name="shop", host="127.0.0.1", port=1, use_ssl=False,
                                     username="u", password="p")  # fmt: skip
    inbox = Folder.objects.create(mailbox=mailbox, role="inbox", name="INBOX")
    mail = Message.objects.create(
        mailbox=mailbox, folder=inbox, origin=inbox, uid=1, content_hash="h",
        from_name="Lin Wei", from_address="lin@bamboo-supply.test", subject="Prices",
    )  # fmt: skip
    MessageContent.objects.create(message=mail, text="Prices rise in January.")
    attachment = Attachment.objects.create(message=mail, filename="prices.pdf",
                                           content_type="application/pdf", size=4,
                                           content=b"%PDF", part="2")  # fmt: skip
    conversation = Conversation.objects.create(
        relay_address="k3k3@marketplace.amazon.com",
        order_id="114-3941689-8772232",
        state=Conversation.State.ANSWERED,
    )
    escalation = escalation_open(about="mail", summary="Prices rise in January.", mail=mail)
    return {
        "mail-detail": {"pk": mail.pk},
        "mail-attachment": {"pk": attachment.pk},
        "buyer-conversation": {"pk": conversation.pk},
        "escalation-detail": {"pk": escalation.pk},
        "owner-link": {"token": token_for("e", escalation.pk)},
    }


@pytest.mark.parametrize("who", [A, AS, OW, AD])
def test_every_page_says_no_store(client, assistant, owner, admin_user, rows, who):
    person = {A: None, AS: assistant, OW: owner, AD: admin_user}[who]
    cached, shown = {}, set()
    for name, (method, kwargs, expected) in ACCESS.items():
        if person:
            client.force_login(person)
        response = getattr(client, method)(reverse(name, kwargs=rows.get(name, kwargs)))
        if "no-store" not in response.get("Cache-Control", ""):
            cached[name] = (response.status_code, response.get("Cache-Control"))
        if method == "get" and expected[who] == OK and response.status_code == 200:
            shown.add(name)
    assert not cached, f"pages a browser may keep: {cached}"
    if who == AS:  # the desk's pages with real rows, not their 404s
        assert set(rows) - {"owner-link"} <= shown
    if who == A:  # the owner's phone, let in by the link in a text
        page = client.get(reverse("owner-link", kwargs=rows["owner-link"]), follow=True)
        assert page.status_code == 200 and "Prices rise" in page.content.decode()
        assert "no-store" in page["Cache-Control"]
    if who == OW:
        assert "owner-home" in shown  # the link itself sends on to it (302, no-store too)


def test_static_files_keep_their_caching(client):
    response = client.get("/static/css/desk.css")
    assert response.status_code == 200
    assert "no-store" not in response.get("Cache-Control", "")
