"""Mail search on the database's full-text index: by the beginning of words, best first,
kept in step with the mail by triggers, and paged without counting every match."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from inbox.models import Folder, Mailbox, Message, MessageContent
from inbox.selectors import message_page

pytestmark = pytest.mark.django_db


@pytest.fixture
def inbox():
    box = Mailbox.objects.create(name="s", host="h", port=1, use_ssl=False, username="u",
                                 password="p")  # fmt: skip
    return Folder.objects.create(mailbox=box, role=Folder.Role.INBOX, name="INBOX")


def _mail(folder, n, subject, text="", sender="buyer@example.com"):
    message = Message.objects.create(mailbox=folder.mailbox, folder=folder, uid=n,
                                     content_hash=f"h{n}", subject=subject,
                                     from_address=sender)  # fmt: skip
    MessageContent.objects.create(message=message, text=text)
    return message


def _found(search, **kwargs):
    return [m.subject for m in message_page(folder="all", search=search, **kwargs)]


def test_words_match_by_their_beginning_in_subject_sender_and_text(inbox):
    _mail(inbox, 1, "Frage zur Lieferung", "Die Knoblauchpresse ist kaputt.")
    _mail(inbox, 2, "Sold, ship now: Garlic Press", "Order ID: 204-1183392-0077361")
    _mail(inbox, 3, "Invoice", "", sender="sales@supplier.test")
    assert _found("Knoblauchpresse") == ["Frage zur Lieferung"]
    assert _found("knob") == ["Frage zur Lieferung"]
    assert _found("garlic pre") == ["Sold, ship now: Garlic Press"]
    assert _found("1183392") == ["Sold, ship now: Garlic Press"]
    assert _found("supplier") == ["Invoice"]
    assert _found("garlic kaputt") == []
    assert _found("@@@") == []


def test_the_index_follows_changed_and_deleted_mail(inbox):
    message = _mail(inbox, 1, "Old subject", "first text")
    message.subject = "New subject"
    message.save()
    MessageContent.objects.filter(message=message).update(text="second text")
    assert _found("new") == ["New subject"] and _found("old") == []
    assert _found("second") == ["New subject"] and _found("first") == []
    message.delete()
    assert _found("second") == []


def test_best_match_first(inbox):
    _mail(inbox, 1, "Shipping", "refund")
    _mail(inbox, 2, "Refund refund", "refund refund refund")
    assert _found("refund")[0] == "Refund refund"


def test_pages_without_counting_with_the_same_queries(inbox):
    for n in range(1, 8):
        _mail(inbox, n, f"Refund {n}", "refund")
    first = message_page(folder="all", search="refund", per_page=3)
    assert len(first) == 3 and first.has_next() and not first.has_previous()
    last = message_page(folder="all", search="refund", per_page=3, page="3")
    assert len(last) == 1 and not last.has_next() and last.has_previous()
    with CaptureQueriesContext(connection) as few:
        list(message_page(folder="all", search="refund", per_page=3))
    for n in range(8, 60):
        _mail(inbox, n, f"Refund {n}", "refund")
    with CaptureQueriesContext(connection) as many:
        list(message_page(folder="all", search="refund", per_page=3))
    assert len(many) == len(few) == 2
