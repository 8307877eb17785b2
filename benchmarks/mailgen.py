"""Realistic seller mail for benchmarks, shaped like inbox/samples/: Amazon's notices as
multipart/alternative with quoted-printable text and HTML, marketing with a base64 HTML
part, buyer messages relayed by Amazon in several languages and scripts (RFC 2047 names and
subjects, quoted-printable, base64, ISO-2022-JP), supplier mail; bodies of 1-10 KB, and 2%
of all mail with a PDF of 200-400 KB. Deterministic for a given seed."""

import base64
import binascii
import random
from email.header import Header
from email.message import EmailMessage

_VOCABULARY = {
    "en": (
        "order package delivery refund return item arrived damaged tracking shipping box "
        "garlic press bamboo board silicone mat replacement week today customer seller "
        "account policy invoice payment listing price stock warehouse carrier label"
    ),
    "de": (
        "Bestellung Paket Lieferung Rückerstattung Rücksendung Artikel angekommen beschädigt "
        "Sendungsverfolgung Versand Knoblauchpresse Schneidebrett Größe bitte danke Woche "
        "heute Kunde Verkäufer Rechnung Zahlung Preis Lager Spediteur Etikett"
    ),
    "fr": (
        "commande colis livraison remboursement retour article arrivé endommagé suivi "
        "expédition presse-ail planche à découper s'il vous plaît merci semaine aujourd'hui "
        "client vendeur facture paiement prix entrepôt transporteur étiquette"
    ),
    "ja": (
        "注文 荷物 配送 返金 返品 商品 届きました 破損 追跡 発送 ガーリックプレス まな板 "
        "シリコン マット 交換 今週 今日 お客様 出品者 請求書 支払い 価格 在庫 倉庫 ラベル"
    ),
    "ru": (
        "заказ посылка доставка возврат товар прибыл повреждён отслеживание отправка "
        "чеснокодавка доска коврик замена неделя сегодня покупатель продавец счёт оплата"
    ),
    "el": "παραγγελία δέμα παράδοση επιστροφή προϊόν έφτασε κατεστραμμένο αποστολή",
}
WORDS = {language: words.split() for language, words in _VOCABULARY.items()}
LANGUAGES = ["en", "en", "en", "de", "de", "fr", "ja", "ru", "el"]
NAMES = {
    "en": ["Marcus Lee", "Sarah O'Neil", "Priya Patel", "John Smith"],
    "de": ["Jürgen Böhm", "Anna Müller", "Björn Weiß"],
    "fr": ["Hélène Dubois", "François Lefèvre"],
    "ja": ["山田 花子", "佐藤 健"],
    "ru": ["Ирина Смирнова", "Алексей Иванов"],
    "el": ["Γιώργος Παπαδόπουλος"],
}
MARKETS = {"en": "co.uk", "de": "de", "fr": "fr", "ja": "co.jp", "ru": "de", "el": "de"}
PRODUCTS = ["Stainless Steel Garlic Press", "Bamboo Cutting Board Set of 3",
            "Silicone Baking Mat", "Knoblauchpresse Edelstahl", "Größe M Schürze"]  # fmt: skip


def _text(rng: random.Random, size: int, language: str = "en") -> str:
    words, total, pool = [], 0, WORDS[language]
    while total < size:
        word = rng.choice(pool)
        words.append(word)
        total += len(word.encode()) + 1
    lines = [" ".join(words[i : i + 12]) for i in range(0, len(words), 12)]
    return "\n".join(lines) + "\n"


def _html(text: str, title: str) -> str:
    paragraphs = "".join(f"<p style='margin:0 0 8px'>{line}</p>" for line in text.splitlines())
    return (
        "<!DOCTYPE html><html><head><meta charset='utf-8'><style>td{font-family:Arial}"
        f"</style></head><body><table width='100%'><tr><td><h2>{title}</h2>{paragraphs}"
        "<a href='https://sellercentral.amazon.com/orders'>Manage Orders</a></td></tr>"
        "</table></body></html>"
    )


def _order(rng: random.Random) -> str:
    low, high = 10**6, 10**7 - 1
    return f"{rng.randint(100, 999)}-{rng.randint(low, high)}-{rng.randint(low, high)}"


def _header(value: str) -> str:
    """RFC 2047 encoded words for anything not ASCII, as mail programs write them."""
    if value.isascii():
        return value
    return Header(value, "utf-8").encode()


def _part(content_type: str, body: str, cte: str, charset: str = "utf-8") -> bytes:
    data = body.encode(charset)
    if cte == "quoted-printable":
        data = binascii.b2a_qp(data.replace(b"\n", b"\r\n")).replace(b"=0D\r\n", b"\r\n")
    elif cte == "base64":
        data = base64.encodebytes(data)
    head = f'Content-Type: {content_type}; charset="{charset}"\r\n'
    return (head + f"Content-Transfer-Encoding: {cte}\r\n\r\n").encode() + data


def _multipart(subtype: str, parts: list[bytes], boundary: str) -> bytes:
    joined = b"".join(b"--" + boundary.encode() + b"\r\n" + p + b"\r\n" for p in parts)
    head = f'Content-Type: multipart/{subtype};\r\n boundary="{boundary}"\r\n\r\n'
    return head.encode() + joined + f"--{boundary}--\r\n".encode()


def _alternative(text: str, html: str, text_cte: str, html_cte: str, boundary: str) -> bytes:
    return _multipart("alternative", [
        _part("text/plain", text, text_cte), _part("text/html", html, html_cte),
    ], boundary)  # fmt: skip


def _notice(rng, n, order, boundary):
    product = rng.choice(PRODUCTS)
    text = (
        "Dear Seller,\n\nYou've sold an item on Amazon. Please ship it now.\n\n"
        f"Order ID: {order}\nItem: {product}\nQuantity: 1\nShip by: 2026-11-22\n\n"
        + _text(rng, rng.randint(600, 4000))
    )
    body = _alternative(text, _html(text, "Sold, ship now"), "quoted-printable",
                        "quoted-printable", boundary)  # fmt: skip
    sender = "Amazon Seller Central <seller-notification@amazon.com>"
    return sender, f"Sold, ship now: {product}", body


def _marketing(rng, n, order, boundary):
    text = _text(rng, rng.randint(1000, 5000))
    body = _alternative(text, _html(text, "FBA"), "quoted-printable", "base64", boundary)
    subject = f"Fulfillment by Amazon: save on inbound shipping {n}"
    return "Fulfillment by Amazon <fba-noreply@amazon.com>", subject, body


def _buyer(rng, n, order, boundary):
    language = rng.choice(LANGUAGES)
    name = rng.choice(NAMES[language])
    domain = f"marketplace.amazon.{MARKETS[language]}"
    sender = f"{_header(name + ' - Amazon Marketplace')} <b{n:06d}x@{domain}>"
    subject = f"Inquiry from Amazon customer {name} (Order: {order})"
    text = (
        "------------- Begin message -------------\n\n"
        + _text(rng, rng.randint(300, 3000), language)
        + "\n------------- End message -------------\n\n"
        f"Order ID: {order}\nASIN: B0{rng.randint(10000000, 99999999)}\n"
        "Was this email helpful? Respond through Seller Central to keep your response "
        "time metrics up to date.\n"
    )
    shape = rng.random()
    if language == "ja" and shape < 0.5:
        body = _part("text/plain", text, "7bit", "iso-2022-jp")
    elif shape < 0.4:
        body = _part("text/plain", text, "quoted-printable")
    elif shape < 0.7:
        body = _part("text/plain", text, "base64")
    else:
        body = _alternative(text, _html(text, "Message from a buyer"), "quoted-printable",
                            "quoted-printable", boundary)  # fmt: skip
    return sender, subject, body


def _other(rng, n, order, boundary):
    text = _text(rng, rng.randint(800, 8000), rng.choice(["en", "de"]))
    body = _alternative(text, _html(text, "Invoice"), "quoted-printable", "base64", boundary)
    sender = f"{_header(f'Großhandel Nr. {n}')} <sales{n}@supplier.test>"
    return sender, f"Rechnung {n} für Ihre Lieferung \u2013 invoice {n}", body


def make_mail(rng: random.Random, n: int) -> bytes:
    kind, order = rng.random(), _order(rng)
    shape = (
        _buyer if kind < 0.35 else _notice if kind < 0.7 else _marketing if kind < 0.85 else _other
    )
    boundary = f"=_{n}_{rng.getrandbits(48):012x}"
    sender, subject, body = shape(rng, n, order, boundary + "a")
    if rng.random() < 0.02:
        pdf = b"%PDF-1.4\n" + rng.randbytes(rng.randint(200 * 1024, 400 * 1024)) + b"\n%%EOF\n"
        attachment = (
            b'Content-Type: application/pdf; name="Rechnung-%d.pdf"\r\n'
            b'Content-Disposition: attachment; filename="Rechnung-%d.pdf"\r\n'
            b"Content-Transfer-Encoding: base64\r\n\r\n" % (n, n)
        ) + base64.encodebytes(pdf)
        body = _multipart("mixed", [body, attachment], boundary + "m")
    head = (
        f"From: {sender}\r\nTo: orders@seller.test\r\nSubject: {_header(subject)}\r\n"
        f"Date: Fri, {1 + n % 28:02d} Nov 2026 12:{n % 60:02d}:00 +0000\r\n"
        f"Message-ID: <bench{n}.{rng.randint(10**7, 10**8)}@corpus.sellerdesk.test>\r\n"
        "MIME-Version: 1.0\r\n"
    )
    return head.encode() + body.replace(b"\r\n", b"\n").replace(b"\n", b"\r\n")


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
