"""The log records and the redaction (sellerdesk/logs.py) as units: what one outside call
logs, in words and in JSON, and that no secret the desk knows survives into a record or an
error report. The whole path through the real adapters is in test_logs.py."""

import json
import logging

import pytest
from django.test import RequestFactory

from sellerdesk.logs import FIELDS, JsonFormatter, SafeReports, _quote, outside_call, redact


@pytest.fixture
def secrets(settings):
    settings.SECRET_KEY = "django-secret-key-123"
    settings.TWILIO_AUTH_TOKEN = "twilio-token-456"
    settings.EMAIL_HOST_PASSWORD = "smtp-pass-789"
    settings.SPAPI_LWA_CLIENT_SECRET = "lwa-secret-000"
    settings.SPAPI_REFRESH_TOKEN = "Atzr|refresh-111"
    return settings


def test_every_secret_setting_is_redacted(secrets):
    text = (
        "key django-secret-key-123 sms twilio-token-456 mail smtp-pass-789 "
        "lwa lwa-secret-000 refresh Atzr|refresh-111 and twice twilio-token-456"
    )
    assert redact(text) == "key *** sms *** mail *** lwa *** refresh *** and twice ***"


def test_secrets_from_the_database_too_and_short_or_empty_ones_are_left(secrets):
    assert redact("login pw-in-db failed", ("pw-in-db",)) == "login *** failed"
    assert redact("abc failed", ("abc", "")) == "abc failed"  # under 4 characters: no mask
    assert redact("abcd failed", ("abcd",)) == "*** failed"
    secrets.TWILIO_AUTH_TOKEN = ""
    assert redact("nothing here") == "nothing here"


def test_quote():
    assert _quote("ok") == "ok"
    assert _quote(12.5) == "12.5"
    assert _quote("two words") == '"two words"'
    assert _quote("") == '""'
    assert _quote('say "x"') == '"say \\"x\\""'
    assert _quote('a"b') == '"a\\"b"'


def test_an_outside_call_logs_its_fields(caplog, monkeypatch):
    clock = iter([10.0, 10.25])
    monkeypatch.setattr("sellerdesk.logs.time.monotonic", lambda: next(clock))
    with caplog.at_level(logging.INFO, logger="sellerdesk.outside"), outside_call("imap", "login"):
        pass
    [record] = caplog.records
    assert record.name == "sellerdesk.outside" and record.levelno == logging.INFO
    assert record.getMessage() == "system=imap operation=login duration_ms=250.0 outcome=ok"
    assert (record.system, record.operation, record.duration_ms) == ("imap", "login", 250.0)
    assert (record.outcome, record.detail) == ("ok", "")


def test_a_failed_call_logs_a_warning_with_the_error_redacted_and_cut(caplog, secrets):
    with (
        caplog.at_level(logging.INFO, logger="sellerdesk.outside"),
        pytest.raises(ValueError, match="boom"),
        outside_call("smtp", "send", secrets=("pw-in-db",)),
    ):
        raise ValueError("boom pw-in-db smtp-pass-789 " + "x" * 400)
    [record] = caplog.records
    assert record.levelno == logging.WARNING
    assert record.outcome == "ValueError"
    assert record.detail.startswith("boom *** *** x") and len(record.detail) == 300
    assert "outcome=ValueError" in record.getMessage()
    assert 'detail="boom *** *** x' in record.getMessage()


def test_an_adapter_may_set_its_own_outcome_and_detail(caplog):
    with caplog.at_level(logging.INFO, logger="sellerdesk.outside"):
        with outside_call("twilio", "send") as call:
            call.outcome, call.detail = "queued", "SM123"
        with pytest.raises(OSError), outside_call("twilio", "send") as call:
            call.outcome = "refused"
            raise OSError("link down")
    first, second = caplog.records
    assert (first.outcome, first.detail, first.levelno) == ("queued", "SM123", logging.WARNING)
    assert (second.outcome, second.detail) == ("refused", "link down")


def record(**extra) -> logging.LogRecord:
    made = logging.LogRecord(
        "sellerdesk.outside", logging.WARNING, __file__, 1, "m %s", ("x",), None
    )
    made.__dict__.update(extra)
    return made


def test_json_records_carry_the_fields_they_have():
    data = json.loads(JsonFormatter().format(record(system="imap", outcome="ok")))
    assert data["level"] == "WARNING" and data["logger"] == "sellerdesk.outside"
    assert data["message"] == "m x"
    assert (data["system"], data["outcome"]) == ("imap", "ok")
    assert "operation" not in data and "exception" not in data
    assert data["time"][:2] == "20" and data["time"][10] == "T"
    assert set(FIELDS) == {"system", "operation", "duration_ms", "outcome", "detail"}


def test_json_records_keep_non_ascii_and_the_exception():
    try:
        raise RuntimeError("ü")
    except RuntimeError:
        import sys

        made = record(detail="注文", exc_info=sys.exc_info())
    text = JsonFormatter().format(made)
    assert "注文" in text
    assert "RuntimeError: ü" in json.loads(text)["exception"]


def test_error_reports_hide_passwords_in_urls_and_known_secrets(secrets):
    reports = SafeReports()
    assert (
        reports.cleanse_setting("DATABASE_URL", "postgres://desk:hunter22@db:5432/desk")
        == "postgres://desk:********************@db:5432/desk"
    )
    assert reports.cleanse_setting("SITE_URL", "https://desk.test/") == "https://desk.test/"
    assert reports.cleanse_setting("NOTE", "uses twilio-token-456") == "uses ***"
    assert reports.cleanse_setting("COUNT", 3) == 3


def test_error_reports_hide_form_fields_named_like_secrets():
    request = RequestFactory().post(
        "/x/", {"password": "p", "api_token": "t", "client_secret": "s", "name": "n"}
    )
    params = SafeReports().get_post_parameters(request)
    assert params["name"] == "n"
    assert {params[k] for k in ("password", "api_token", "client_secret")} == {"*" * 20}
    assert SafeReports().get_post_parameters(RequestFactory().post("/x/", {})) == {}
    assert not SafeReports().get_post_parameters(None)


def test_a_secret_setting_that_is_not_set_hides_nothing(settings):
    del settings.TWILIO_AUTH_TOKEN
    assert redact("XXXX and None stay") == "XXXX and None stay"


def test_json_records_write_any_value_as_text():
    from datetime import UTC, datetime
    from decimal import Decimal

    data = json.loads(
        JsonFormatter().format(
            record(duration_ms=Decimal("1.5"), detail=datetime(2026, 1, 2, tzinfo=UTC))
        )
    )
    assert data["duration_ms"] == "1.5" and data["detail"].startswith("2026-01-02")


def test_error_reports_hide_settings_named_like_secrets():
    reports = SafeReports()
    assert reports.cleanse_setting("API_PASSWORD", "plain") == "*" * 20
    assert reports.cleanse_setting("AN_ACCESS_TOKEN", "plain") == "*" * 20


def test_an_owners_link_never_reaches_a_log_line(settings):
    from sellerdesk.logs import MaskOwnerLinks

    refused = logging.LogRecord(
        "django.security.csrf", logging.WARNING, __file__, 1,
        "Forbidden (%s): %s", ("Referer checking failed - no Referer.", "/o/Xy7_kQ2pLm9Vb3Rt/"),
        None,
    )  # fmt: skip
    assert MaskOwnerLinks().filter(refused)
    assert refused.getMessage() == "Forbidden (Referer checking failed - no Referer.): /o/***/"
    plain = logging.LogRecord("x", logging.INFO, __file__, 1, "GET /owner/ %s", (200,), None)
    assert MaskOwnerLinks().filter(plain) and plain.getMessage() == "GET /owner/ 200"
    assert settings.LOGGING["handlers"]["console"]["filters"] == ["owner_links"]


def test_request_lines_go_through_the_handler_that_masks_owner_links(settings):
    assert settings.LOGGING["loggers"]["django.server"]["handlers"] == ["console"]


def test_oauth_callback_code_and_state_are_masked():
    import logging

    from sellerdesk.logs import MaskOwnerLinks

    line = '"GET /oauth/callback/?code=M.C5_BAY.2.abc&state=Zk9x-1 HTTP/1.1" 302 0'
    record = logging.LogRecord("django.server", logging.INFO, "", 0, line, None, None)
    MaskOwnerLinks().filter(record)
    assert record.getMessage() == '"GET /oauth/callback/?code=***&state=*** HTTP/1.1" 302 0'
