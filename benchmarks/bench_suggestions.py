"""Issue 19: a conversation page, with its answer suggestions, when 50,000 answered buyer
messages are in the history, against the same page with no history at all.

The suggestions are worked out ahead by the worker (`buyers.suggestions`); the page reads them
back, and weighs in the answers sent since. The target is the page as the assistant opens it
right after sending a reply to another buyer (before the worker's next pass): each timed view
comes after a new reply was accepted. The page opened with nothing kept (it works them out
itself from the history) is timed too, and printed beside.

Each page is rendered many times and the fastest render counts (benchmarks/__init__.py).
"""

import itertools
import random
import time

from django.db import connection
from django.urls import reverse
from django.utils import timezone

from benchmarks import Figure, gather_statistics
from benchmarks.mailgen import LANGUAGES, _text
from benchmarks.people import assistant_client
from buyers.models import BuyerMessage, Conversation, OfferedAnswers, Reply
from buyers.suggestions import suggestions_refresh
from inbox.models import Folder, Mailbox, Message, MessageContent

HISTORY, PER_CONVERSATION, RENDERS = 50_000, 10, 30
QUESTION = (
    "Hello, tracking says the package was delivered but I cannot find the parcel anywhere. "
    "Could you check with the carrier and send a replacement or a refund?"
)


def _mail(box, folder, n, now) -> Message:
    return Message(mailbox=box, folder=folder, origin=folder, uid=n + 1, content_hash=f"q{n}",
                   subject=f"Inquiry from Amazon customer (Order: 111-{n:07d}-0000000)",
                   from_address=f"b{n}@marketplace.amazon.com", date=now, created_at=now,
                   kind="buyer_message")  # fmt: skip


def _history(box, folder, now) -> None:
    rng = random.Random(11)
    for start in range(0, HISTORY, 5000):
        numbers = range(start, start + 5000)
        texts = [_text(rng, rng.randint(150, 600), rng.choice(LANGUAGES)) for _ in numbers]
        mails = Message.objects.bulk_create(
            [_mail(box, folder, n, now) for n in numbers],
            batch_size=1000,
        )
        MessageContent.objects.bulk_create(
            [MessageContent(message_id=m.pk, text=t) for m, t in zip(mails, texts, strict=True)],
            batch_size=1000,
        )
        conversations = Conversation.objects.bulk_create(
            Conversation(relay_address=f"c{n}@marketplace.amazon.com", buyer_name=f"Buyer {n}",
                         order_id=f"111-{n:07d}", state="answered")
            for n in numbers[::PER_CONVERSATION]
        )  # fmt: skip
        replies = Reply.objects.bulk_create(
            Reply(message=mails[i * PER_CONVERSATION], conversation=c, to="b@x", subject="Re",
                  from_address="orders@seller.test", header_message_id=f"<r{start}.{i}@desk>",
                  body=f"Answer {start + i}: " + _text(rng, 200), state="sent")
            for i, c in enumerate(conversations)
        )  # fmt: skip
        BuyerMessage.objects.bulk_create(
            (
                BuyerMessage(message=m, conversation=conversations[i // PER_CONVERSATION],
                             text=t, received_at=now, answered_at=now,
                             answered_by_reply=replies[i // PER_CONVERSATION])
                for i, (m, t) in enumerate(zip(mails, texts, strict=True))
            ),
            batch_size=1000,
        )  # fmt: skip


def _reply_sent(box, folder, now, rng, numbers) -> None:
    """What sending a reply leaves: a buyer's question answered by an accepted reply."""
    n = next(numbers)
    mail = Message.objects.create(**{
        f.attname: getattr(_mail(box, folder, n, now), f.attname)
        for f in Message._meta.concrete_fields if f.attname != "id"
    })  # fmt: skip
    text = _text(rng, rng.randint(150, 600))
    MessageContent.objects.create(message=mail, text=text)
    conversation = Conversation.objects.create(
        relay_address=f"s{n}@marketplace.amazon.com", buyer_name=f"Buyer {n}",
        order_id=f"112-{n:07d}", state="answered",
    )  # fmt: skip
    reply = Reply.objects.create(
        message=mail, conversation=conversation, to="b@x", subject="Re",
        from_address="orders@seller.test", header_message_id=f"<sent{n}@desk>",
        body=f"Answer {n}: " + _text(rng, 200), state="sent",
    )  # fmt: skip
    BuyerMessage.objects.create(
        message=mail, conversation=conversation, text=text, received_at=now, answered_at=now,
        answered_by_reply=reply,
    )  # fmt: skip


def _render(client, url, before=None) -> float:
    times = []
    for _ in range(RENDERS):
        if before:
            before()
        started = time.perf_counter()
        response = client.get(url)
        times.append(time.perf_counter() - started)
        assert response.status_code == 200
    return min(times)


def run() -> list[Figure]:
    client = assistant_client("bench-answers@desk.test", "Bench A", "BA")
    now = timezone.now()
    box = Mailbox.objects.create(name="bench-answers", host="h", port=1, use_ssl=False,
                                 username="u", password="p")  # fmt: skip
    folder = Folder.objects.create(mailbox=box, role=Folder.Role.INBOX, name="INBOX")
    try:
        asking = Conversation.objects.create(
            relay_address="ask@marketplace.amazon.com",
            buyer_name="Tom Ruiz",
            order_id="113-1111111",
        )
        mail = Message.objects.create(**{
            f.attname: getattr(_mail(box, folder, 10**7, now), f.attname)
            for f in Message._meta.concrete_fields if f.attname != "id"
        })  # fmt: skip
        MessageContent.objects.create(message=mail, text=QUESTION)
        BuyerMessage.objects.create(message=mail, conversation=asking, text=QUESTION,
                                    received_at=now)  # fmt: skip
        url = reverse("buyer-conversation", args=[asking.pk])
        empty = _render(client, url)
        _history(box, folder, now)
        gather_statistics()
        unworked = _render(client, url, OfferedAnswers.objects.all().delete)
        OfferedAnswers.objects.all().delete()
        started = time.perf_counter()
        suggestions_refresh()  # what the worker does once answers were sent
        worker = time.perf_counter() - started
        numbers, rng = itertools.count(2 * 10**7), random.Random(12)
        full = _render(client, url, lambda: _reply_sent(box, folder, now, rng, numbers))
        offered = client.get(url).context["inserts"]["suggestions"]
        read_back = _render(client, url)
    finally:
        BuyerMessage.objects.filter(message__mailbox=box).delete()
        Reply.objects.filter(message__mailbox=box).delete()
        Conversation.objects.all().delete()
        Message.objects.filter(mailbox=box).delete()
        box.delete()
        if connection.vendor == "sqlite":
            with connection.cursor() as cursor:
                cursor.execute("VACUUM")
    return [
        Figure("conversation page after a reply, 50,000: x none", round(full / empty, 2),
               "<= 1.5", full / empty <= 1.5),
        Figure(f"  (ms: none {empty * 1000:.0f}, 50,000 answered {full * 1000:.0f})",
               f"{len(offered)} offered", "info", True),
        Figure("  the same, no reply since the worker: x none", round(read_back / empty, 2),
               "info", True),
        Figure("  nothing kept (worked out on view): x none", round(unworked / empty, 2),
               "info", True),
        Figure(f"  (ms: that page {unworked * 1000:.0f}, the worker's pass {worker * 1000:.0f})",
               "", "info", True),
    ]  # fmt: skip
