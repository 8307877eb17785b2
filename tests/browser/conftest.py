"""Pages in a real browser: Debian's Chromium driven by Playwright against the desk served
on 127.0.0.1 (pytest-django's live server)."""

import os
from pathlib import Path

import pytest

from tests.conftest import missing_server

CHROMIUM = "/usr/bin/chromium"


@pytest.fixture(scope="package")
def browser():
    if not Path(CHROMIUM).exists():
        missing_server("chromium (apt-get install chromium; `make test` installs it as root)")
    from playwright.sync_api import sync_playwright

    # Playwright runs an event loop in this thread; the test's own database calls are
    # still synchronous. Only while the browser tests run: commands they start must not
    # inherit it (`check --deploy` refuses it).
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    try:
        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(
                executable_path=CHROMIUM,
                args=["--disable-background-networking", "--no-sandbox",
                      "--disable-dev-shm-usage"],
            )  # fmt: skip
            yield browser
            browser.close()
    finally:
        os.environ.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)


@pytest.fixture
def page(browser):
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    page = context.new_page()
    page.set_default_timeout(15_000)
    yield page
    context.close()


@pytest.fixture
def phone(browser):
    context = browser.new_context(viewport={"width": 360, "height": 740}, is_mobile=True,
                                  has_touch=True)  # fmt: skip
    page = context.new_page()
    page.set_default_timeout(15_000)
    yield page
    context.close()


@pytest.fixture
def tasks_run_at_once():
    """The live server runs in a thread of this process: tasks run there, as queued."""
    from django_q.conf import Conf

    Conf.SYNC = True
    yield
    Conf.SYNC = False


def desk_page(browser, live_server, who, width: int, posts: list | None = None):
    """A new browser window `width` px wide, signed in as `who`; each POST it sends is
    added to `posts`."""
    context = browser.new_context(viewport={"width": width, "height": 900})
    page = context.new_page()
    page.set_default_timeout(15_000)
    if posts is not None:
        page.on("request", lambda r: posts.append(r.url) if r.method == "POST" else None)
    log_in(page, live_server, who.email)
    return page


def log_in(page, live_server, email: str, password: str = "pass-for-tests-9") -> None:
    page.goto(f"{live_server.url}/login/")
    page.get_by_label("Email").fill(email)
    page.get_by_label("Password").fill(password)
    page.get_by_role("button", name="Log in").click()


def pull_demo_amazon(settings, *, bad=("lateShipmentRate",)) -> None:
    """The SP-API stand-in's orders and health report, pulled as the worker would."""
    from sp_api.auth import access_token_client

    from dashboard.services import pull_all_accounts
    from sellerdesk.devservers.spapi import SpApiStandIn, health_report, make_order

    # sp_api keeps access tokens for the process: one from an earlier test's stand-in is
    # refused by this one.
    access_token_client.cache.clear()
    with SpApiStandIn() as standin:
        standin.orders = [make_order(n, ship_by_hours=h) for n, h in enumerate([-5, 3, 20])]
        standin.report_document = health_report(bad=bad)
        settings.SPAPI_ENDPOINT = standin.base_url
        settings.SPAPI_TOKEN_URL = standin.base_url + "/auth/o2/token"
        settings.SPAPI_REFRESH_TOKEN = standin.refresh_token
        settings.SPAPI_LWA_APP_ID = standin.client_id
        settings.SPAPI_LWA_CLIENT_SECRET = standin.client_secret
        settings.SPAPI_POLL_SECONDS = 0.01
        pull_all_accounts()


AXE = Path(__file__).parent / "vendor" / "axe.min.js"


def axe_violations(page) -> list[dict]:
    """axe-core's serious and critical violations on the page as it stands."""
    page.add_script_tag(path=str(AXE))
    result = page.evaluate("async () => await axe.run(document, {resultTypes: ['violations']})")
    return [
        {"id": v["id"], "impact": v["impact"], "nodes": [n["target"] for n in v["nodes"]][:5]}
        for v in result["violations"]
        if v["impact"] in ("serious", "critical")
    ]


DOCS = Path(__file__).resolve().parents[2] / "docs"


def readme_screenshot(page, name: str) -> None:
    """A picture for the README (docs/<name>.png), taken as the test sees the page."""
    DOCS.mkdir(exist_ok=True)
    page.screenshot(path=str(DOCS / f"{name}.png"), full_page=True)
