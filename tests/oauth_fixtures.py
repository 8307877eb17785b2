"""The OAuth stand-in and the servers that check its tokens: a Dovecot with an `oauth2`
passdb (and users refused with Microsoft's and Google's words), and one like Exchange
Online (XOAUTH2 only, no CONDSTORE, no MOVE)."""

import pytest

from sellerdesk.devservers.dovecot import DovecotServer
from sellerdesk.devservers.oauth import OAuthStandIn
from tests.conftest import missing_server

MICROSOFT_BASIC = "Basic authentication is disabled"
GOOGLE_APP = "[ALERT] Application-specific password required: https://support.google.com/mail"


@pytest.fixture(scope="session")
def standin():
    with OAuthStandIn() as server:
        yield server


@pytest.fixture(scope="session")
def oauth_dovecot(standin):
    if not DovecotServer.available():
        missing_server("Dovecot (apt-get install dovecot-imapd)")
    server = DovecotServer(
        oauth_introspection_url=standin.introspection_url,
        refused={"basic@shop.test": MICROSOFT_BASIC, "apppw@shop.test": GOOGLE_APP},
    ).start()
    yield server
    server.cleanup()


@pytest.fixture(scope="session")
def plain_dovecot(standin):
    """Like Exchange Online: XOAUTH2 only, no CONDSTORE, no MOVE."""
    if not DovecotServer.available():
        missing_server("Dovecot (apt-get install dovecot-imapd)")
    server = DovecotServer(
        oauth_introspection_url=standin.introspection_url,
        oauth_mechanisms="xoauth2",
        capabilities="IMAP4rev1 SASL-IR LITERAL+ ID ENABLE IDLE UIDPLUS SPECIAL-USE",
    ).start()
    yield server
    server.cleanup()


@pytest.fixture
def oauth_settings(settings, standin):
    settings.OAUTH_MICROSOFT_CLIENT_ID = settings.OAUTH_GOOGLE_CLIENT_ID = standin.client_id
    settings.OAUTH_MICROSOFT_CLIENT_SECRET = standin.client_secret
    settings.OAUTH_GOOGLE_CLIENT_SECRET = standin.client_secret
    settings.OAUTH_MICROSOFT_AUTHORITY = standin.microsoft_authority
    settings.OAUTH_MICROSOFT_TENANT = "common"
    settings.OAUTH_GOOGLE_AUTH_URL = standin.google_auth_url
    settings.OAUTH_GOOGLE_TOKEN_URL = standin.google_token_url
    settings.SITE_URL = "http://desk.test"
    return settings
