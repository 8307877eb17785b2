"""Issue 19: mail search over 100,000 stored mails against the plain mail list page.

The mail is shaped by benchmarks/mailgen.py (buyers, notices, suppliers in several
languages; each text about 1 KB). Searches: an order id (one mail), a buyer's name (a few
hundred), a product word (thousands) and a word most mail holds. Each page is rendered
many times and the fastest render counts; the figure is the slowest search's time over the
list page's. Queries must be as many for a word most mail holds as for one mail.
"""

import random
import time

from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from benchmarks import Figure, gather_statistics
from benchmarks.mailgen import LANGUAGES, NAMES, PRODUCTS, _order, _text
from benchmarks.people import assistant_client
from inbox.models import Folder, Mailbox, Message, MessageContent

MAILS, RENDERS = 100_000, 15


def _fill() -> str:
    rng = random.Random(7)
    now = timezone.now()
    box = Mailbox.objects.create(name="bench-search", host="h", port=1, use_ssl=False,
                                 username="u", password="p")  # fmt: skip
    inbox = Folder.objects.create(mailbox=box, role=Folder.Role.INBOX, name="INBOX")
    one_order = ""
    for start in range(0, MAILS, 5000):
        rows, texts = [], []
        for n in range(start, start + 5000):
            language = rng.choice(LANGUAGES)
            order = _order(rng)
            if n == MAILS // 2:
                one_order = order
            if n % 3 == 0:
                name = rng.choice(NAMES[language])
                subject, sender = f"Inquiry from Amazon customer {name} (Order: {order})", name
            else:
                subject, sender = f"Sold, ship now: {rng.choice(PRODUCTS)}", "Amazon Seller Central"
            rows.append(Message(mailbox=box, folder=inbox, origin=inbox, uid=n + 1,
                                content_hash=f"s{n}", subject=subject, from_name=sender,
                                from_address="seller-notification@amazon.com",
                                date=now, created_at=now, kind="keep"))  # fmt: skip
            texts.append(f"Order ID: {order}\n" + _text(rng, rng.randint(500, 1500), language))
        Message.objects.bulk_create(rows, batch_size=1000)
        MessageContent.objects.bulk_create(
            (MessageContent(message_id=row.pk, text=t) for row, t in zip(rows, texts, strict=True)),
            batch_size=1000,
        )  # fmt: skip
    return one_order


def _render(client, params) -> tuple[float, int]:
    times, queries = [], 0
    for _ in range(RENDERS):
        with CaptureQueriesContext(connection) as captured:
            started = time.perf_counter()
            response = client.get(reverse("mail-list"), params)
            times.append(time.perf_counter() - started)
        assert response.status_code == 200
        queries = len(captured)
    return min(times), queries


def run() -> list[Figure]:
    client = assistant_client("bench-search@desk.test", "Bench Search", "BS")
    try:
        one_order = _fill()
        gather_statistics()
        plain, _ = _render(client, {})
        searches = {
            "order id": one_order,
            "buyer name": "Jürgen Böhm",
            "product word": "Knoblauch",
            "common word": "order",
        }
        timed = {label: _render(client, {"q": q}) for label, q in searches.items()}
        found = client.get(reverse("mail-list"), {"q": one_order}).content.decode()
        assert one_order in Message.objects.get(content__text__contains=one_order).content.text
        assert found.count('class="subject"') >= 1
    finally:
        Message.objects.filter(mailbox__name="bench-search").delete()
        Mailbox.objects.filter(name="bench-search").delete()
        if connection.vendor == "sqlite":
            with connection.cursor() as cursor:
                cursor.execute("VACUUM")
    worst = max(seconds for seconds, _ in timed.values())
    counts = {queries for _, queries in timed.values()}
    return [
        Figure("search, 100,000 mails: x the plain list page", round(worst / plain, 2), "<= 2",
               worst / plain <= 2),
        Figure("search: SQL queries, one mail vs most mail", "/".join(map(str, sorted(counts))),
               "the same", len(counts) == 1),
        *(Figure(f"  ({label}: ms, list page {plain * 1000:.0f} ms)", f"{s * 1000:.0f}",
                 "info", True) for label, (s, _) in timed.items()),
    ]  # fmt: skip
