"""Fixtures for the owner's channels: Twilio's stand-in, a chat webhook, the owner's email."""

import re
from urllib.parse import urlsplit

import pytest
from django.conf import settings as django_settings
from django.urls import reverse

from escalations import gsm
from escalations.links import is_signed_token, link_escalation_ids, read_token, token_for
from sellerdesk.devservers.standin import Response, StandIn
from sellerdesk.devservers.twilio import TwilioStandIn

ACCOUNT_SID = "AC" + "0" * 31 + "1"
AUTH_TOKEN = "desk-test-twilio-token"
FROM_NUMBER = "+15005550006"
OWNER_PHONE = "+15551234567"
LINK = re.compile(r"(https?://\S+/o/(?P<token>[\w.\-]+)/)")


class ChatHook(StandIn):
    """A Slack-style incoming webhook: takes JSON {"text": ...}, answers "ok"."""

    def route(self, request):
        return Response(200, "ok")

    @property
    def posts(self) -> list[dict]:
        return [r.json() for r in self.requests if r.method == "POST"]


def twilio_settings(base_url: str) -> dict:
    return {
        "TWILIO_ACCOUNT_SID": ACCOUNT_SID,
        "TWILIO_AUTH_TOKEN": AUTH_TOKEN,
        "TWILIO_FROM_NUMBER": FROM_NUMBER,
        "TWILIO_API_URL": base_url,
        "OWNER_PHONE": OWNER_PHONE,
    }


@pytest.fixture
def twilio(settings):
    with TwilioStandIn(ACCOUNT_SID, AUTH_TOKEN) as standin:
        for name, value in twilio_settings(standin.base_url).items():
            setattr(settings, name, value)
        settings.TWILIO_TIMEOUT = 2
        yield standin


@pytest.fixture
def chat_hook(settings):
    with ChatHook() as hook:
        settings.OWNER_WEBHOOK_URL = hook.base_url + "/hooks/T000/B000"
        yield hook


@pytest.fixture
def owner_email(settings, smtp):
    settings.OWNER_EMAIL = "owner@seller.test"
    return smtp


def assert_good_text(body: str, *, reference: str, initials: str, client=None) -> str:
    """Every text the desk sends: one GSM-7 segment, signed, with the reference and a
    link that opens the owner's page. Returns the link."""
    assert gsm.is_gsm(body), body
    assert gsm.gsm_length(body) <= 160, (gsm.gsm_length(body), body)
    assert gsm.segments(body) == 1
    assert body.endswith(f" -{initials}"), body
    assert f"#{reference}" in body, body
    match = LINK.search(body)
    assert match, body
    if is_signed_token(match["token"]):
        read_token(match["token"])
    else:
        assert len(urlsplit(match[1]).path) <= 16, match[1]
        assert link_escalation_ids(match["token"])
    if client is not None:
        page = client.get(urlsplit(match[1]).path)
        assert page.status_code == 200, page
    return match[1]


def signed_link(kind: str, pk: int) -> str:
    """A link as texts carried before the short links (signed, the target in the token)."""
    return django_settings.SITE_URL + reverse("owner-link", args=[token_for(kind, pk)])
