"""Connecting a Microsoft mailbox in Chromium, with the admin pages only: add the mailbox,
Connect with Microsoft, the sign-in stand-in's consent page, back to the desk, first sync;
then Test connection, a revoked grant on the checklist, and a password Microsoft refuses."""

import pytest
from playwright.sync_api import expect

from inbox.models import Mailbox, Message
from inbox.tasks import sync_all_mailboxes
from tests.browser.conftest import log_in
from tests.inbox.test_oauth import append_mail
from tests.oauth_fixtures import MICROSOFT_BASIC

pytestmark = pytest.mark.django_db(transaction=True)


def test_admin_connects_a_microsoft_mailbox_and_it_syncs(
    page, live_server, admin_user, oauth_settings, oauth_dovecot, standin, tasks_run_at_once,
):  # fmt: skip
    oauth_settings.SITE_URL = live_server.url
    address = "support@shop-browser.test"
    append_mail(oauth_dovecot, standin, address, "Where is my parcel?")
    log_in(page, live_server, admin_user.email)

    page.goto(f"{live_server.url}/admin/inbox/mailbox/add/")
    page.locator("#id_name").fill("support")
    page.locator("#id_username").fill(address)
    page.locator("#id_oauth_provider").select_option("microsoft")
    page.locator("#id_host").fill("127.0.0.1")
    page.locator("#id_port").fill(str(oauth_dovecot.port))
    page.locator("#id_use_ssl").uncheck()
    page.get_by_role("button", name="Save and continue editing").click()
    expect(page.locator(".messagelist")).to_contain_text("was added successfully")

    page.get_by_role("link", name="Connect with Microsoft").click()
    expect(page.get_by_role("heading")).to_contain_text("Let SellerDesk read and send")
    expect(page.get_by_label("Account")).to_have_value(address)
    page.get_by_role("button", name="Allow").click()

    expect(page.locator(".messagelist")).to_contain_text(
        f"Connected {address} with Microsoft. The first sync has started."
    )
    box = Mailbox.objects.get(name="support")
    assert box.last_sync_at is not None and box.last_error == ""
    assert Message.objects.filter(folder__mailbox=box, subject="Where is my parcel?").exists()
    assert "Reconnect with Microsoft" in page.content()

    page.get_by_role("link", name="Test connection").click()
    expect(page.locator("#imap-ok")).to_contain_text("OAUTHBEARER")
    expect(page.locator('[data-role="Inbox"]')).to_contain_text("1")

    # The seller removes the desk's access at Microsoft: the checklist says so in words
    # and offers Reconnect.
    standin.revoke(address)
    standin.expire_access_tokens()
    sync_all_mailboxes()
    page.goto(f"{live_server.url}/")
    expect(page.locator('[data-item="mail"]')).to_contain_text(
        f"Microsoft no longer lets the desk read {address}: reconnect."
    )
    page.get_by_role("link", name=f"Reconnect {address} with Microsoft").click()
    page.get_by_role("button", name="Allow").click()
    expect(page.locator(".messagelist")).to_contain_text(f"Connected {address} with Microsoft")
    assert Mailbox.objects.get(pk=box.pk).last_error == ""


def test_a_password_microsoft_refuses_is_said_in_words(
    page, live_server, admin_user, oauth_dovecot
):
    box = Mailbox.objects.create(
        name="old", host="127.0.0.1", port=oauth_dovecot.port, use_ssl=False,
        username="basic@shop.test", password=oauth_dovecot.password,
    )  # fmt: skip
    log_in(page, live_server, admin_user.email)
    page.goto(f"{live_server.url}/admin/inbox/mailbox/{box.pk}/change/")
    page.get_by_role("link", name="Test connection").click()
    expect(page.locator("#imap-problem")).to_have_text(
        "Microsoft needs the desk connected with Microsoft: use Connect with Microsoft."
    )
    assert MICROSOFT_BASIC  # the words Dovecot was told to refuse with
