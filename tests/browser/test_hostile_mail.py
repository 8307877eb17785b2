"""Hostile HTML mail shown in the desk executes nothing and leaks no request, in Chromium."""

import pytest

from inbox.models import Folder, Mailbox, Message, MessageContent
from tests.browser.conftest import log_in

pytestmark = pytest.mark.django_db(transaction=True)

HOSTILE = [
    '<script>window.pwned = "script"</script>',
    '<img src="x" onerror="window.pwned = \'onerror\'">',
    '<svg onload="window.pwned = \'svg\'"><script>window.pwned = "svg-script"</script></svg>',
    '<a href="javascript:window.pwned = \'js-link\'" id="jslink">click</a>',
    "<iframe src=\"javascript:parent.pwned = 'iframe'\"></iframe>",
    '<div style="background:url(http://tracker.example/bg.png)">styled</div>',
    '<img src="http://tracker.example/pixel.gif">',
    '<link rel="stylesheet" href="http://tracker.example/x.css">',
    '<form action="http://phish.example/"><input name="p"><button id="go">go</button></form>',
    '<meta http-equiv="refresh" content="0;url=http://phish.example/">',
    '<object data="http://tracker.example/o.swf"></object>',
    "<body onload=\"window.pwned = 'body'\">",
    "<math><mtext><table><mglyph><style><img src=x onerror=\"window.pwned='mxss'\">",
]


def test_hostile_html_runs_nothing_and_fetches_nothing(page, live_server, assistant):
    box = Mailbox.objects.create(
        name="m", host="h", port=1, use_ssl=False, username="u", password="p"
    )
    inbox = Folder.objects.create(mailbox=box, role="inbox", name="INBOX")
    message = Message.objects.create(
        mailbox=box,
        folder=inbox,
        uid=1,
        content_hash="x",
        subject="Your invoice",
        from_address="x@evil.example",
    )
    MessageContent.objects.create(
        message=message, text="plain part", html="<p>Hello</p>" + "".join(HOSTILE)
    )
    outside = []
    page.on(
        "request", lambda r: None if r.url.startswith(live_server.url) else outside.append(r.url)
    )
    dialogs = []
    page.on("dialog", lambda d: (dialogs.append(d.message), d.dismiss()))
    log_in(page, live_server, assistant.email)
    page.goto(f"{live_server.url}/mail/{message.pk}/")
    page.wait_for_load_state("networkidle")
    assert page.get_by_text("Hello").is_visible()
    if page.locator("#jslink").count():
        page.locator("#jslink").click()
    assert page.evaluate("window.pwned") is None
    assert page.url.startswith(live_server.url)
    assert not outside, outside
    assert not dialogs
