"""Mail search on the database's full-text index: by the beginning of words, best first,
kept in step with the mail by triggers, and paged without counting every match."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from inbox.models import Folder, Mailbox, Message, MessageContent
from inbox.search import history_unindexed, index_history
from inbox.selectors import message_page
from inbox.tasks import index_history_mail

pytestmark = pytest.mark.django_db


@pytest.fixture
def inbox():
    box = Mailbox.objects.create(name="s", host="h", port=1, use_ssl=False, username="u",
                                 password="p")  # fmt: skip
    return Folder.objects.create(mailbox=box, role=Folder.Role.INBOX, name="INBOX")


def _mail(folder, n, subject, text="", sender="buyer@example.com", history=False):
    message = Message.objects.create(mailbox=folder.mailbox, folder=folder, uid=n,
                                     content_hash=f"h{n}", subject=subject,
                                     from_address=sender, is_history=history)  # fmt: skip
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


def test_a_word_in_much_mail_ranks_the_newest_matches_then_lists_the_older(inbox, monkeypatch):
    monkeypatch.setattr("inbox.search.WINDOW", 3)
    # The older mail says "refund" most often: it would rank first if every match were scored.
    for n in range(1, 4):
        _mail(inbox, n, f"Old {n}", "refund " * 10)
    _mail(inbox, 4, "New 4", "refund")
    _mail(inbox, 5, "New 5", "refund refund refund")
    _mail(inbox, 6, "New 6", "refund refund")
    _mail(inbox, 7, "Other", "shipping")
    expected = ["New 5", "New 6", "New 4", "Old 3", "Old 2", "Old 1"]
    assert _found("refund") == expected
    paged = [s for n in (1, 2, 3) for s in _found("refund", per_page=2, page=n)]
    assert paged == expected
    assert _found("refund", per_page=2, page=4) == []
    last = message_page(folder="all", search="refund", per_page=2, page=3)
    assert last.has_previous() and not last.has_next()
    monkeypatch.setattr("inbox.search.WINDOW", 100)
    assert _found("refund")[:3] == ["Old 3", "Old 2", "Old 1"]


def test_the_window_is_of_all_mail_and_a_folder_shows_its_part_of_it(inbox, monkeypatch):
    monkeypatch.setattr("inbox.search.WINDOW", 2)
    spam = Folder.objects.create(mailbox=inbox.mailbox, role=Folder.Role.SPAM, name="Spam")
    _mail(inbox, 1, "Kept 1", "refund refund")
    _mail(inbox, 2, "Kept 2", "refund")
    _mail(spam, 3, "Spam 3", "refund refund refund")
    _mail(spam, 4, "Spam 4", "refund")
    assert [m.subject for m in message_page(folder="inbox", search="refund")] == [
        "Kept 2",
        "Kept 1",
    ]
    assert [m.subject for m in message_page(folder="spam", search="refund")] == [
        "Spam 3",
        "Spam 4",
    ]


def test_the_same_queries_when_a_word_matches_beyond_the_window(inbox, monkeypatch):
    monkeypatch.setattr("inbox.search.WINDOW", 5)
    _mail(inbox, 1, "Lone", "garlic")
    for n in range(2, 30):
        _mail(inbox, n, f"Refund {n}", "refund")
    with CaptureQueriesContext(connection) as one:
        assert len(message_page(folder="all", search="garlic", per_page=10)) == 1
    with CaptureQueriesContext(connection) as most:
        assert len(message_page(folder="all", search="refund", per_page=10)) == 10
    assert len(one) == len(most) == 2


def test_sharing_most_puts_the_mail_holding_most_of_the_words_first(inbox):
    from inbox.search import sharing_most

    _mail(inbox, 1, "Oldest", "parcel carrier refund tracking")
    _mail(inbox, 2, "Two words", "parcel carrier and more")
    _mail(inbox, 3, "Three words", "the parcel, the carrier, a refund")
    _mail(inbox, 4, "Left out", "parcel carrier refund tracking")
    _mail(inbox, 5, "One word", "a refund")
    _mail(inbox, 6, "None", "dishwasher safe?")
    rows = Message.objects.exclude(subject="Left out")  # the newest four: from "Two words" on

    def found(limit=10, newest=4):
        return [s for (s,) in sharing_most(rows, "tracking parcel carrier refund",
                                           key="inbox_message.id", newest=newest,
                                           limit=limit, fields=("subject",))]  # fmt: skip

    assert found() == ["Three words", "Two words", "One word"]
    assert found(limit=2) == ["Three words", "Two words"]
    assert found(newest=5)[0] == "Oldest"
    assert found(newest=50, limit=4) == ["Oldest", "Three words", "Two words", "One word"]


def test_history_goes_into_the_index_after_it_is_stored_and_new_mail_at_once(inbox):
    _mail(inbox, 1, "Old claim Knoblauchpresse", "history text", history=True)
    _mail(inbox, 2, "New claim", "arrived later")
    assert _found("claim") == ["New claim"]
    assert history_unindexed(inbox.mailbox_id)
    assert index_history() == 1
    assert sorted(_found("claim")) == ["New claim", "Old claim Knoblauchpresse"]
    assert _found("history") == ["Old claim Knoblauchpresse"]  # its text too
    assert index_history() == 0 and not history_unindexed(inbox.mailbox_id)


def test_history_changed_or_deleted_before_it_was_indexed_is_indexed_as_it_is_now(inbox):
    renamed = _mail(inbox, 1, "Before", "old words", history=True)
    gone = _mail(inbox, 2, "Deleted one", "", history=True)
    renamed.subject = "After"
    renamed.save()
    MessageContent.objects.filter(message=renamed).update(text="new words")
    gone.delete()
    assert index_history() == 1
    assert _found("after") == ["After"] and _found("before") == []
    assert _found("new") == ["After"] and _found("old") == []
    renamed.delete()  # out of the index with it
    assert _found("after") == []


def test_history_is_indexed_a_chunk_at_a_time_and_goes_on_where_it_stopped(inbox):
    for n in range(5):
        _mail(inbox, n + 1, f"Parcel {n}", history=True)
    assert index_history(chunk=2) == 5
    assert len(_found("parcel")) == 5


def test_the_task_records_the_mailboxes_whose_history_is_in(inbox):
    from django.utils import timezone

    Mailbox.objects.filter(pk=inbox.mailbox_id).update(history_imported_at=timezone.now())
    _mail(inbox, 1, "Old", history=True)
    other = Mailbox.objects.create(name="still importing", host="h", port=1, use_ssl=False,
                                   username="v", password="p")  # fmt: skip
    assert index_history_mail() == 1
    inbox.mailbox.refresh_from_db()
    other.refresh_from_db()
    assert inbox.mailbox.history_indexed_at is not None
    assert other.history_indexed_at is None  # its first sync has not finished


def test_the_minute_sync_catches_up_history_whose_indexing_was_lost(inbox, settings):
    from datetime import timedelta

    from django.utils import timezone

    from inbox.tasks import sync_all_mailboxes

    settings.IMAP_URL = ""
    _mail(inbox, 1, "Old parcel", history=True)
    box = Mailbox.objects.filter(pk=inbox.mailbox_id)
    box.update(is_active=False, history_imported_at=timezone.now())
    sync_all_mailboxes()
    assert _found("parcel") == []  # just imported: its queued task does it
    box.update(history_imported_at=timezone.now() - timedelta(minutes=11))
    sync_all_mailboxes()
    assert _found("parcel") == ["Old parcel"] and box.get().history_indexed_at is not None


@pytest.mark.skipif(connection.vendor != "postgresql", reason="PostgreSQL's word function")
def test_the_word_function_splits_as_before_only_faster():
    """Migration 0018 rewrote `inbox_search_words` with replace(): the same words as the
    translate() it replaced, for addresses, order ids, every script, and text past 100,000
    characters."""
    texts = [
        "orders@shop-example.co.uk 302-1234567-7654321 some_thing v1.2",
        "Jürgen Böhm: Knoblauchpresse — ΣΟΦΊΑ ИВАН مكسورة 注文番号 3_4-5@6.7",
        "x" * 99_990 + " tail-end words_here",
        "",
        None,
    ]
    old = ("to_tsvector('simple'::regconfig, "
           "translate(left(coalesce(%s, ''), 100000), '-@._', '    '))")  # fmt: skip
    with connection.cursor() as cursor:
        for text in texts:
            cursor.execute(f"SELECT inbox_search_words(%s) = {old}, inbox_search_words(%s)",
                           [text, text, text])  # fmt: skip
            same, words = cursor.fetchone()
            assert same, (text and text[:80], words)
