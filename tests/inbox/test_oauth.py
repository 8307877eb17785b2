"""Mailboxes at Microsoft and Google: OAuth 2.0 sign-in to a real Dovecot (its `oauth2`
passdb checks tokens at the OAuth stand-in) and to a real SMTP server (aiosmtpd taking
XOAUTH2 against the same stand-in), through Authlib speaking HTTP to the stand-in."""

import subprocess
import sys
import time
import uuid
from email.message import EmailMessage
from urllib.parse import parse_qs, urlsplit

import pytest
import requests
from django.core.mail import EmailMessage as DjangoEmailMessage
from django.db import connection
from django.urls import reverse

from inbox.imap import MailLoginError, MailServerError
from inbox.models import Mailbox
from inbox.sync import mailbox_sync
from inbox.tasks import sync_all_mailboxes
from sellerdesk import oauth
from sellerdesk.devservers.dovecot import DovecotServer
from sellerdesk.devservers.oauth import OAuthStandIn
from sellerdesk.devservers.smtp import SmtpServer
from sellerdesk.models import OAuthGrant, OAuthRequest
from sellerdesk.smtp import MailSendError, smtp_check, smtp_send
from tests.conftest import ROOT, manage_env


def account() -> str:
    return f"support-{uuid.uuid4().hex[:8]}@shop.test"


def make_mailbox(server: DovecotServer, address: str, provider: str = "microsoft") -> Mailbox:
    return Mailbox.objects.create(
        name=address.split("@")[0],
        host="127.0.0.1",
        port=server.port,
        use_ssl=False,
        username=address,
        oauth_provider=provider,
    )


def consent(url: str, *, allow: bool = True, as_account: str | None = None) -> str:
    """What the seller does in the browser at the provider: the consent page, Allow (or
    Deny). Returns the desk's callback address the provider sends the browser to."""
    page = requests.get(url, timeout=10)
    assert page.status_code == 200, page.text
    form = {k: v[0] for k, v in parse_qs(urlsplit(url).query).items()}
    form["account"] = as_account or form.get("login_hint", "")
    form["decision"] = "allow" if allow else "deny"
    answer = requests.post(url.split("?")[0], data=form, allow_redirects=False, timeout=10)
    assert answer.status_code == 302
    return answer.headers["Location"]


def connect(client, address: str, provider: str = "microsoft", **kwargs):
    url = oauth.start(provider_name=provider, account=address)
    back = consent(url, **kwargs)
    assert back.startswith("http://desk.test/oauth/callback/?")
    return client.get("/oauth/callback/?" + back.split("?", 1)[1])


def append_mail(
    server: DovecotServer, standin: OAuthStandIn, user: str, subject: str = "Hello"
) -> None:
    """Put a mail in the user's Inbox as a mail client would (a token of its own)."""
    from imapclient import IMAPClient

    message = EmailMessage()
    message["From"], message["To"] = "someone@example.com", user
    message["Subject"], message["Message-ID"] = subject, f"<{uuid.uuid4().hex}@example.com>"
    message.set_content("A question about the shop.")
    token = standin._issue(user, "mail", new_refresh=False).body["access_token"]
    with IMAPClient("127.0.0.1", port=server.port, ssl=False, timeout=10) as client:
        client.oauth2_login(user, token)
        client.append("INBOX", message.as_bytes())


# --- the flow, IMAP ---
@pytest.mark.django_db
@pytest.mark.parametrize(
    ("provider", "mechanism"), [("microsoft", "OAUTHBEARER"), ("google", "OAUTHBEARER")]
)
def test_connect_then_first_sync_over_oauth(
    client, oauth_settings, oauth_dovecot, standin, provider, mechanism
):
    address = account()
    box = make_mailbox(oauth_dovecot, address, provider)
    append_mail(oauth_dovecot, standin, address, "Where is my order?")

    answer = connect(client, address, provider)
    assert answer.status_code == 200
    assert "is connected with" in answer.content.decode()

    grant = OAuthGrant.objects.get(provider=provider, account=address)
    assert grant.state == OAuthGrant.State.ACTIVE and grant.refresh_token
    # Encrypted at rest: the column holds no token.
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT refresh_token, access_token FROM sellerdesk_oauthgrant WHERE id = %s",
            [grant.pk],
        )
        stored = cursor.fetchone()
    assert grant.refresh_token not in stored[0] and grant.access_token not in stored[1]

    report = mailbox_sync(mailbox=box)
    assert sum(f.new for f in report.folders) == 1
    assert f"user=<{address}>, method={mechanism}" in oauth_dovecot.log_tail(200)
    # Google is asked for lasting access, Microsoft through offline_access.
    asked = [r for r in standin.requests if r.method == "GET"][-1]
    query = {k: v[0] for k, v in asked.query.items()}
    assert query["code_challenge_method"] == "S256"
    if provider == "google":
        assert query["access_type"] == "offline" and query["prompt"] == "consent"
        assert query["scope"] == "https://mail.google.com/"
    else:
        assert query["scope"].split() == [
            "https://outlook.office.com/IMAP.AccessAsUser.All",
            "https://outlook.office.com/SMTP.Send",
            "offline_access",
        ]


@pytest.mark.django_db
def test_xoauth2_where_the_server_offers_only_that_and_no_condstore_or_move(
    client, oauth_settings, plain_dovecot, standin
):
    address = account()
    box = make_mailbox(plain_dovecot, address)
    append_mail(plain_dovecot, standin, address)
    connect(client, address)
    report = mailbox_sync(mailbox=box)
    assert sum(f.new for f in report.folders) == 1
    assert f"user=<{address}>, method=XOAUTH2" in plain_dovecot.log_tail(200)
    # The minute sync keeps working too.
    append_mail(plain_dovecot, standin, address, "Second")
    assert sync_all_mailboxes()[box.name] == "ok"
    assert box.folders.get(role="inbox").messages.count() == 2


@pytest.mark.django_db
def test_callback_acts_once_and_a_refusal_connects_nothing(client, oauth_settings):
    address = account()
    url = oauth.start(provider_name="microsoft", account=address)
    back = "/oauth/callback/?" + consent(url).split("?", 1)[1]
    assert client.get(back).status_code == 200
    again = client.get(back)  # a reload, or the link replayed
    assert again.status_code == 400
    assert "already finished or has expired" in again.content.decode()
    assert OAuthGrant.objects.filter(account=address).count() == 1

    other = account()
    url = oauth.start(provider_name="google", account=other)
    refused = client.get("/oauth/callback/?" + consent(url, allow=False).split("?", 1)[1])
    assert refused.status_code == 400
    assert "cancelled or refused" in refused.content.decode()
    assert not OAuthGrant.objects.filter(account=other).exists()
    assert OAuthRequest.objects.get(account=other).outcome == OAuthRequest.Outcome.FAILED


@pytest.mark.django_db
def test_no_app_registration_says_which_settings(client, settings):
    settings.OAUTH_MICROSOFT_CLIENT_ID = ""
    with pytest.raises(oauth.OAuthProblem, match="OAUTH_MICROSOFT_CLIENT_ID"):
        oauth.start(provider_name="microsoft", account="a@shop.test")


# --- token lifetime ---
@pytest.mark.django_db
def test_expired_access_token_is_refreshed_before_the_login(
    client, oauth_settings, oauth_dovecot, standin
):
    address = account()
    box = make_mailbox(oauth_dovecot, address)
    connect(client, address)
    OAuthGrant.objects.filter(account=address).update(access_expires_at="2000-01-01T00:00Z")
    before = len([r for r in standin.requests if r.path.endswith("/token")])
    mailbox_sync(mailbox=box)
    assert len([r for r in standin.requests if r.path.endswith("/token")]) == before + 1
    grant = OAuthGrant.objects.get(account=address)
    assert grant.access_expires_at.year > 2000


@pytest.mark.django_db
def test_token_refused_by_the_server_is_renewed_once(
    client, oauth_settings, oauth_dovecot, standin
):
    """The desk thinks its token good for another hour; the server no longer takes it (it
    ran out mid-sync, or was cut short): renewed, tried once more, and the sync finishes."""
    address = account()
    box = make_mailbox(oauth_dovecot, address)
    append_mail(oauth_dovecot, standin, address)
    connect(client, address)
    standin.expire_access_tokens()
    report = mailbox_sync(mailbox=box)
    assert sum(f.new for f in report.folders) == 1
    assert Mailbox.objects.get(pk=box.pk).last_error == ""


@pytest.mark.django_db
def test_revoked_grant_stops_that_mailbox_only_with_words_and_reconnect(
    client, admin_client, oauth_settings, oauth_dovecot, standin, mailbox, desk_mailbox
):
    address = account()
    box = make_mailbox(oauth_dovecot, address)
    connect(client, address)
    standin.revoke(address)
    standin.expire_access_tokens()

    summary = sync_all_mailboxes()
    words = f"Microsoft no longer lets the desk read {address}: reconnect."
    assert summary[box.name] == f"failed: {words}"
    assert summary[desk_mailbox.name] == "ok"  # the password mailbox goes on
    assert Mailbox.objects.get(pk=box.pk).last_error == words
    grant = OAuthGrant.objects.get(account=address)
    assert grant.state == OAuthGrant.State.REVOKED and grant.access_token == ""

    # Next minute: no call to Microsoft for a grant known to be gone.
    calls = len(standin.requests)
    sync_all_mailboxes()
    assert len(standin.requests) == calls

    page = admin_client.get(reverse("home")).content.decode()
    assert words in page
    reconnect = reverse("admin:inbox_mailbox_connect", args=[box.pk, "microsoft"])
    assert f'href="{reconnect}"' in page
    # Reconnect: off to Microsoft, and back the mailbox syncs again.
    to_provider = admin_client.get(reconnect)
    assert to_provider.status_code == 302
    back = consent(to_provider["Location"])
    returned = admin_client.get("/oauth/callback/?" + back.split("?", 1)[1])
    assert returned.status_code == 302
    assert returned["Location"] == reverse("admin:inbox_mailbox_change", args=[box.pk])
    assert Mailbox.objects.get(pk=box.pk).last_error == ""
    mailbox_sync(mailbox=box)


# --- refusals in words ---
@pytest.mark.django_db
@pytest.mark.parametrize(
    ("user", "words"),
    [
        ("basic@shop.test", "Microsoft needs the desk connected with Microsoft: use Connect "
                            "with Microsoft."),
        ("apppw@shop.test", "Google needs the desk connected with Google: use Connect with "
                            "Google."),
        ("nobody@shop.test", "refused the login for nobody@shop.test"),
    ],
)  # fmt: skip
def test_password_refusals_in_words(oauth_dovecot, user, words):
    box = Mailbox.objects.create(
        name="pw", host="127.0.0.1", port=oauth_dovecot.port, use_ssl=False, username=user,
        password="wrong" if user.startswith("nobody") else oauth_dovecot.password,
    )  # fmt: skip
    with pytest.raises(MailLoginError) as raised:
        mailbox_sync(mailbox=box)
    assert words in str(raised.value)
    assert words in Mailbox.objects.get(pk=box.pk).last_error


@pytest.mark.django_db
def test_host_not_found_and_tls_in_words(oauth_dovecot):
    missing = Mailbox.objects.create(
        name="nohost", host="no-such-host.invalid", port=993, username="a@b.test", password="x"
    )
    with pytest.raises(MailServerError, match="There is no mail server called no-such-host"):
        mailbox_sync(mailbox=missing)
    tls = Mailbox.objects.create(
        name="tls", host="127.0.0.1", port=oauth_dovecot.port, use_ssl=True,
        username="a@b.test", password="x",
    )  # fmt: skip
    with pytest.raises(MailServerError, match=r"secure \(TLS\) connection.*check the port"):
        mailbox_sync(mailbox=tls)


# --- SMTP ---
@pytest.fixture
def oauth_smtp(settings, standin):
    server = SmtpServer(oauth_introspection_url=standin.introspection_url).start()
    settings.EMAIL_BACKEND = "sellerdesk.smtp.OAuthEmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT = "127.0.0.1", server.port
    settings.EMAIL_USE_TLS = settings.EMAIL_USE_SSL = False
    settings.EMAIL_HOST_PASSWORD = ""
    settings.EMAIL_OAUTH = "microsoft"
    yield server
    server.stop()


def reply(to: str) -> DjangoEmailMessage:
    return DjangoEmailMessage("Re: your order", "It ships today.", to=[to])


@pytest.mark.django_db
def test_reply_goes_out_over_xoauth2_with_the_same_grant(
    client, oauth_settings, oauth_smtp, standin
):
    address = account()
    oauth_settings.EMAIL_HOST_USER = oauth_settings.SELLER_EMAIL = address
    connect(client, address)
    smtp_send(reply("buyer@example.com"))
    assert oauth_smtp.sink.signed_in == [address]
    assert oauth_smtp.received[0].rcpt_tos == ["buyer@example.com"]

    standin.expire_access_tokens()  # refused once: renewed and sent
    smtp_send(reply("buyer2@example.com"))
    assert len(oauth_smtp.received) == 2

    assert "took the sign-in as" in smtp_check() and len(oauth_smtp.received) == 2

    standin.revoke(address)
    standin.expire_access_tokens()
    with pytest.raises(MailSendError) as raised:
        smtp_send(reply("buyer3@example.com"))
    assert str(raised.value) == f"Microsoft no longer lets the desk read {address}: reconnect."
    assert not raised.value.retryable
    assert len(oauth_smtp.received) == 2


@pytest.mark.django_db
def test_smtp_password_refused_by_microsoft_in_words(settings):
    server = SmtpServer(
        refuse_passwords="535 5.7.139 Authentication unsuccessful, basic authentication is "
        "disabled."
    ).start()
    try:
        settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
        settings.EMAIL_HOST, settings.EMAIL_PORT = "127.0.0.1", server.port
        settings.EMAIL_USE_TLS = settings.EMAIL_USE_SSL = False
        settings.EMAIL_HOST_USER, settings.EMAIL_HOST_PASSWORD = "a@shop.test", "secret"
        settings.EMAIL_OAUTH = ""
        with pytest.raises(MailSendError, match="use Connect with Microsoft") as raised:
            smtp_send(reply("buyer@example.com"))
        assert not raised.value.retryable
    finally:
        server.stop()


# --- Test connection ---
@pytest.mark.django_db
@pytest.mark.parametrize("full", [True, False])
def test_test_connection_shows_capabilities_folders_and_counts(
    client, admin_client, oauth_settings, oauth_dovecot, plain_dovecot, oauth_smtp, standin, full
):
    server = oauth_dovecot if full else plain_dovecot
    address = account()
    oauth_settings.EMAIL_HOST_USER = address
    box = make_mailbox(server, address)
    append_mail(server, standin, address)
    append_mail(server, standin, address)
    connect(client, address)
    page = admin_client.get(reverse("admin:inbox_mailbox_test", args=[box.pk]))
    html = page.content.decode()
    assert page.status_code == 200
    for name in ("CONDSTORE", "MOVE"):
        row = html.split(f'data-capability="{name}"')[1].split("</tr>")[0]
        assert ("<td>yes</td>" if full else "<td>no</td>") in row
    idle = html.split('data-capability="IDLE"')[1].split("</tr>")[0]
    assert "<td>yes</td>" in idle
    inbox = html.split('data-role="Inbox"')[1].split("</tr>")[0]
    assert "<td>INBOX</td><td>2</td>" in inbox
    assert "<td>Spam</td><td>0</td>" in html.split('data-role="Spam"')[1]
    assert "<td>Trash</td><td>0</td>" in html.split('data-role="Trash"')[1]
    assert "took the sign-in" in html and "nothing was sent" in html
    assert oauth_smtp.received == []
    # Nothing of the grant reaches the page.
    grant = OAuthGrant.objects.get(account=address)
    assert grant.access_token not in html and grant.refresh_token not in html


@pytest.mark.django_db
def test_test_connection_says_a_refusal_in_the_same_words(admin_client, oauth_dovecot, smtp):
    box = Mailbox.objects.create(
        name="basic", host="127.0.0.1", port=oauth_dovecot.port, use_ssl=False,
        username="basic@shop.test", password=oauth_dovecot.password,
    )  # fmt: skip
    html = admin_client.get(reverse("admin:inbox_mailbox_test", args=[box.pk])).content.decode()
    assert "Microsoft needs the desk connected with Microsoft" in html


# --- connect_mailbox, for a server without a browser ---
@pytest.mark.django_db(transaction=True)
def test_connect_mailbox_command_waits_for_the_callback(client, oauth_settings, standin):
    address = account()
    env = manage_env(
        IMAP_URL=f"imaps://{address.replace('@', '%40')}@127.0.0.1:993?oauth=microsoft",
        OAUTH_MICROSOFT_CLIENT_ID=standin.client_id,
        OAUTH_MICROSOFT_CLIENT_SECRET=standin.client_secret,
        OAUTH_MICROSOFT_AUTHORITY=standin.microsoft_authority,
        SITE_URL="http://desk.test",
    )
    command = subprocess.Popen(
        [sys.executable, "manage.py", "connect_mailbox", "--timeout", "60"],
        cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
    )  # fmt: skip
    try:
        url = ""
        deadline = time.monotonic() + 30
        while not url and time.monotonic() < deadline:
            line = command.stdout.readline()
            if line.startswith("http"):
                url = line.strip()
        assert url.startswith(standin.microsoft_authority + "/common/oauth2/v2.0/authorize?")
        back = consent(url)
        assert client.get("/oauth/callback/?" + back.split("?", 1)[1]).status_code == 200
        out, err = command.communicate(timeout=30)
    finally:
        command.kill()
    assert command.returncode == 0, err
    assert f"Connected {address} with Microsoft" in out
    assert OAuthGrant.objects.get(account=address).state == OAuthGrant.State.ACTIVE


@pytest.mark.django_db(transaction=True)
def test_connect_mailbox_command_gives_up_after_its_timeout(standin):
    env = manage_env(
        IMAP_URL="imaps://a%40shop.test@127.0.0.1:993?oauth=google",
        OAUTH_GOOGLE_CLIENT_ID=standin.client_id,
        OAUTH_GOOGLE_CLIENT_SECRET=standin.client_secret,
        OAUTH_GOOGLE_AUTH_URL=standin.google_auth_url,
        OAUTH_GOOGLE_TOKEN_URL=standin.google_token_url,
    )
    done = subprocess.run(
        [sys.executable, "manage.py", "connect_mailbox", "--timeout", "1"],
        cwd=ROOT, env=env, capture_output=True, text=True, timeout=60,
    )  # fmt: skip
    assert done.returncode != 0
    assert "Nobody finished the sign-in within 1 s" in done.stderr
    assert "accounts.google.com" not in done.stdout and standin.google_auth_url in done.stdout


# --- presets: the host from the address alone ---
@pytest.mark.django_db
def test_presets_fill_the_host_and_say_what_each_provider_needs(admin_client):
    def add(**fields):
        form = {
            "name": fields.pop("name"), "username": "", "oauth_provider": "", "host": "",
            "port": "", "use_ssl": "on", "password": "", "spam_folder": "",
            "trash_folder": "", "is_active": "on", **fields,
        }  # fmt: skip
        return admin_client.post(reverse("admin:inbox_mailbox_add"), form)

    assert add(name="g", username="shop@gmail.com", oauth_provider="google").status_code == 302
    gmail = Mailbox.objects.get(name="g")
    assert (gmail.host, gmail.port, gmail.use_ssl, gmail.password) == (
        "imap.gmail.com",
        993,
        True,
        "",
    )
    # Microsoft 365 on the shop's own domain: the provider says where.
    add(name="m", username="support@shop.com", oauth_provider="microsoft")
    assert Mailbox.objects.get(name="m").host == "outlook.office365.com"
    add(name="y", username="shop@yahoo.com", password="app-pass")
    assert Mailbox.objects.get(name="y").host == "imap.mail.yahoo.com"

    refused = add(name="o", username="shop@outlook.com").content.decode()
    assert "Microsoft refuses passwords" in refused and "Choose Microsoft here" in refused
    unknown = add(name="u", username="shop@example.org", password="x").content.decode()
    assert "The desk knows no settings for this address: fill in the host" in unknown
    assert not Mailbox.objects.filter(name__in=["o", "u"]).exists()

    page = admin_client.get(reverse("admin:inbox_mailbox_change", args=[gmail.pk]))
    html = page.content.decode()
    assert "Gmail / Google Workspace" in html and "Connect with Google" in html
    assert "EMAIL_URL=smtp://shop%40gmail.com@smtp.gmail.com:587?tls=true&amp;oauth=google" in html


@pytest.mark.django_db
def test_tokens_never_reach_the_log(client, caplog, oauth_settings, oauth_dovecot, standin):
    import logging

    caplog.set_level(logging.DEBUG)
    address = account()
    box = make_mailbox(oauth_dovecot, address)
    connect(client, address)
    standin.expire_access_tokens()  # a refused login, a renewal, a second login
    mailbox_sync(mailbox=box)
    grant = OAuthGrant.objects.get(account=address)
    assert "login_refused" in caplog.text  # the refusal was logged ...
    assert any(r.name == "imapclient.imaplib" for r in caplog.records)  # and every line
    for secret in (grant.access_token, grant.refresh_token):
        assert secret and secret not in caplog.text  # ... without the tokens


@pytest.mark.django_db
def test_a_token_goes_to_the_providers_own_host_over_tls_only(admin_client):
    def add(**fields):
        form = {
            "name": "x", "username": "support@shop.com", "oauth_provider": "microsoft",
            "port": "993", "use_ssl": "on", "password": "", "spam_folder": "",
            "trash_folder": "", "is_active": "on", **fields,
        }  # fmt: skip
        return admin_client.post(reverse("admin:inbox_mailbox_add"), form).content.decode()

    assert "is read at outlook.office365.com" in add(host="mail.old-hosting.example")
    assert "goes only over TLS" in add(host="outlook.office365.com", use_ssl="")
    assert not Mailbox.objects.exists()


@pytest.mark.parametrize(
    "url",
    [
        "imap://support%40shop.com@outlook.office365.com:143?oauth=microsoft",
        "smtp://support%40shop.com@smtp.office365.com:587?oauth=microsoft",
    ],
)
def test_an_oauth_url_without_tls_stops_start_up(url):
    from django.core.exceptions import ImproperlyConfigured

    from sellerdesk.env import env_oauth_provider

    with pytest.raises(ImproperlyConfigured, match="the token goes only over TLS"):
        env_oauth_provider("IMAP_URL", url)
