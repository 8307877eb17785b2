"""Reading a buyer's message as Amazon relays it. Pure."""

import re

from inbox.relay import is_amazon_relay as is_amazon_relay  # the reply guard's check
from inbox.relay import relay_marketplace
from sellerdesk.weblinks import has_email, has_link

ORDER_ID = re.compile(r"\b\d{3}-\d{7}-\d{7}\b", re.ASCII)  # ASCII digits and word edges
_SUFFIX = re.compile(r"\s*-\s*Amazon Marketplace\s*$", re.IGNORECASE)


def buyer_name(sender_name: str) -> str:
    return _SUFFIX.sub("", sender_name or "").strip() or "Buyer"


def order_id(subject: str, body: str) -> str:
    found = ORDER_ID.search(subject or "") or ORDER_ID.search((body or "")[:20_000])
    return found.group(0) if found else ""


def marketplace(relay_address: str) -> str:
    return relay_marketplace(relay_address)


_BEGIN = re.compile(r"-{3,}\s*Begin message\s*-{3,}", re.IGNORECASE)
_END = re.compile(r"-{3,}\s*End message\s*-{3,}", re.IGNORECASE)
_TRAILER = re.compile(r"\n\s*(Was this email helpful\?|Copyright \d{4} Amazon).*", re.DOTALL)
LANGUAGES = {"DE": "de", "FR": "fr", "IT": "it", "ES": "es", "MX": "es", "NL": "nl", "SE": "sv",
             "PL": "pl", "TR": "tr", "JP": "ja", "BR": "pt"}  # fmt: skip
_KANA = re.compile(r"[\u3040-\u30ff]")
_HANGUL = re.compile(r"[\u1100-\u11ff\uac00-\ud7af]")
_HAN = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff]")


def buyer_text(text: str) -> str:
    """What the buyer wrote, without the frame Amazon puts around it."""
    text = text or ""
    begin, end = _BEGIN.search(text), _END.search(text)
    if begin and end and end.start() > begin.end():
        return text[begin.end() : end.start()].strip()
    return _TRAILER.sub("", text).strip()


def language(marketplace_code: str, text: str) -> str:
    """The buyer's language: by the script they wrote in (kana: Japanese, Hangul: Korean,
    Chinese characters without kana outside Japan: Chinese), else by the marketplace."""
    if _KANA.search(text or ""):
        return "ja"
    if _HANGUL.search(text or ""):
        return "ko"
    if marketplace_code != "JP" and _HAN.search(text or ""):
        return "zh"
    return LANGUAGES.get(marketplace_code, "en")


def reply_problems(body: str) -> list[str]:
    """Why Amazon would reject this reply to a buyer (it refuses links and addresses)."""
    problems = []
    if has_email(body):
        problems.append("It contains an email address; Amazon rejects replies with one.")
    if has_link(body):
        problems.append(
            "It contains a link or web address (a domain such as example.com counts); "
            "Amazon rejects replies with one."
        )
    return problems
