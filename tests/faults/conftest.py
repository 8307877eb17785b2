"""A Dovecot of the fault tests' own, and the pictures they compare: the desk's and the
server's, after a fault and a normal run, against a fault-free run."""

import pytest

from inbox.models import Mailbox, Message
from sellerdesk.devservers.dovecot import DovecotServer
from tests.conftest import missing_server
from tests.inbox.conftest import MANIFEST, make_mail, sample


@pytest.fixture
def own_dovecot():
    """A Dovecot of this test's own, so killing it disturbs no other test."""
    if not DovecotServer.available():
        missing_server("Dovecot (apt-get install dovecot-imapd)")
    server = DovecotServer().start()
    yield server
    server.cleanup()


def fill(server: DovecotServer, user: str, plain: int) -> int:
    from imapclient import IMAPClient

    with IMAPClient("127.0.0.1", port=server.port, ssl=False, timeout=10) as client:
        client.login(user, server.password)
        for entry in MANIFEST:
            client.append(entry["folder"], sample(entry["file"]))
        for n in range(plain):
            client.append("INBOX" if n % 4 else "Spam", make_mail(n, body="z" * 2000))
    return len(MANIFEST) + plain


def on_server(server: DovecotServer, user: str) -> dict[str, list[str]]:
    """Each folder's Message-IDs, as the server holds them."""
    from imapclient import IMAPClient

    found = {}
    with IMAPClient("127.0.0.1", port=server.port, ssl=False, timeout=10) as client:
        client.login(user, server.password)
        for folder in ("INBOX", "Spam", "Trash"):
            client.select_folder(folder, readonly=True)
            data = client.fetch(client.search(), ["BODY.PEEK[HEADER.FIELDS (MESSAGE-ID)]"])
            found[folder] = sorted(
                next(b for k, b in v.items() if k.startswith(b"BODY")).decode().strip()
                for v in data.values()
            )
    return found


def desk_picture(mailbox: Mailbox) -> list[tuple]:
    return sorted(
        Message.objects.filter(mailbox=mailbox).values_list(
            "content_hash", "kind", "folder__role", "is_seen"
        )
    )


def mailbox_for(server: DovecotServer, user: str, port: int | None = None) -> Mailbox:
    return Mailbox.objects.create(
        name=user, host="127.0.0.1", port=port or server.port, use_ssl=False,
        username=user, password=server.password,
    )  # fmt: skip


def assert_ends_as_a_clean_run(server: DovecotServer, faulty: Mailbox, total: int) -> None:
    """`faulty` (synced after its fault) against a fault-free sync of the same mail, which
    `fill` put in the user "clean": the desk's rows and the server's folders alike."""
    from inbox.sync import mailbox_sync

    clean = mailbox_for(server, "clean")
    mailbox_sync(mailbox=clean)
    assert Message.objects.filter(mailbox=faulty).count() == total
    assert desk_picture(faulty) == desk_picture(clean)
    assert on_server(server, "faulty") == on_server(server, "clean")
    assert Mailbox.objects.get(pk=faulty.pk).last_error == ""
