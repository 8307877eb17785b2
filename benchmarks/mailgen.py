"""Realistic seller mail for benchmarks: buyer messages, order notices, marketing, the rest;
1-10 KB each, some with a small attachment. Deterministic for a given seed."""

import base64
import random
from email.message import EmailMessage

WORDS = [
    "order",
    "package",
    "delivery",
    "refund",
    "return",
    "item",
    "arrived",
    "damaged",
    "tracking",
    "shipping",
    "box",
    "please",
    "thanks",
    "garlic",
    "press",
    "bamboo",
    "board",
    "silicone",
    "mat",
    "replacement",
    "week",
    "today",
    "customer",
    "seller",
    "account",
    "policy",
    "invoice",
    "payment",
    "listing",
    "price",
    "stock",
    "warehouse",
    "carrier",
    "label",
]


def _text(rng: random.Random, size: int) -> str:
    words, total = [], 0
    while total < size:
        word = rng.choice(WORDS)
        words.append(word)
        total += len(word) + 1
    lines = [" ".join(words[i : i + 12]) for i in range(0, len(words), 12)]
    return "\n".join(lines) + "\n"


def make_mail(rng: random.Random, n: int) -> bytes:
    kind = rng.random()
    order = (
        f"{rng.randint(100, 999)}-{rng.randint(1000000, 9999999)}-{rng.randint(1000000, 9999999)}"
    )
    message = EmailMessage()
    if kind < 0.35:
        name = f"Buyer {n}"
        message["From"] = f"{name} - Amazon Marketplace <b{n:06d}x@marketplace.amazon.com>"
        message["Subject"] = f"Inquiry from Amazon customer {name} (Order: {order})"
    elif kind < 0.7:
        message["From"] = "Amazon Seller Central <seller-notification@amazon.com>"
        message["Subject"] = f"Sold, ship now: Item {n}"
    elif kind < 0.85:
        message["From"] = "Fulfillment by Amazon <fba-noreply@amazon.com>"
        message["Subject"] = f"Fulfillment by Amazon: offer {n}"
    else:
        message["From"] = f"Supplier {n} <sales{n}@supplier.test>"
        message["Subject"] = f"Invoice {n} for your last shipment"
    message["To"] = "orders@seller.test"
    message["Date"] = "Fri, 20 Nov 2026 12:00:00 +0000"
    message["Message-ID"] = f"<bench{n}@corpus.sellerdesk.test>"
    body_size = rng.randint(700, 9000)
    message.set_content(f"Order ID: {order}\n\n" + _text(rng, body_size))
    if rng.random() < 0.05:
        blob = bytes(rng.getrandbits(8) for _ in range(rng.randint(300, 900)))
        message.add_attachment(blob, maintype="image", subtype="jpeg", filename=f"photo{n}.jpg")
    return message.as_bytes()


def big_attachment_mail(size: int) -> bytes:
    message = EmailMessage()
    message["From"] = "Supplier <big@supplier.test>"
    message["To"] = "orders@seller.test"
    message["Subject"] = "Catalogue with a large attachment"
    message["Message-ID"] = "<bench-big@corpus.sellerdesk.test>"
    message.set_content("The catalogue is attached.\n")
    message.add_attachment(b"\x89PNG" + b"\x00" * size, maintype="application",
                           subtype="pdf", filename="catalogue.pdf")  # fmt: skip
    return message.as_bytes()


def b64len(n: int) -> int:
    return len(base64.b64encode(b"x" * n))
