"""A reply's frame in the buyer's language: the greeting before the words and the sign-off
after them. Pure: the composer wraps a template, an earlier answer or the owner's answer in
it, so the buyer never reads a bare sentence or an English greeting they did not write in."""

# language code (as `buyers.parsing.language` gives it) -> (greeting, sign-off)
FRAMES = {
    "en": ("Hello {name},", "Best regards,"),
    "de": ("Hallo {name},", "Mit freundlichen Grüßen"),
    "fr": ("Bonjour {name},", "Cordialement,"),
    "it": ("Buongiorno {name},", "Cordiali saluti,"),
    "es": ("Hola {name}:", "Saludos cordiales,"),
    "nl": ("Hallo {name},", "Met vriendelijke groet,"),
    "sv": ("Hej {name},", "Med vänliga hälsningar,"),
    "pl": ("Dzień dobry {name},", "Pozdrawiam serdecznie,"),
    "tr": ("Merhaba {name},", "Saygılarımızla,"),
    "pt": ("Olá {name},", "Atenciosamente,"),
    "ja": ("{name} 様", "よろしくお願いいたします。"),
    "zh": ("{name}，您好：", "此致"),
    "ko": ("{name} 님, 안녕하세요.", "감사합니다."),
}
# Without a usable name, the greeting addresses the buyer without one.
NAMELESS = {
    "en": "Hello,", "de": "Hallo,", "fr": "Bonjour,", "it": "Buongiorno,", "es": "Hola:",
    "nl": "Hallo,", "sv": "Hej,", "pl": "Dzień dobry,", "tr": "Merhaba,", "pt": "Olá,",
    "ja": "お客様", "zh": "您好：", "ko": "안녕하세요.",
}  # fmt: skip


def greeting(*, language: str, buyer_name: str = "") -> str:
    hello, _ = FRAMES.get(language, FRAMES["en"])
    name = (buyer_name or "").strip()
    if not name or name == "Buyer":
        return NAMELESS.get(language, NAMELESS["en"])
    return hello.format(name=name)


def sign_off(*, language: str, signature: str = "") -> str:
    _, closing = FRAMES.get(language, FRAMES["en"])
    return f"{closing}\n{signature.strip()}" if signature.strip() else closing


def framed(text: str, *, language: str, buyer_name: str = "", signature: str = "") -> str:
    """`text` between the greeting and the sign-off. Text that already opens with the
    greeting or closes with the sign-off keeps its own, so framing twice changes nothing."""
    body = (text or "").strip()
    hello = greeting(language=language, buyer_name=buyer_name)
    closing = sign_off(language=language, signature=signature)
    signed = closing.splitlines()[0] in body.splitlines()[-3:]
    parts = [body] if body.startswith(hello) else [hello, body]
    if not signed:
        parts.append(closing)
    return "\n\n".join(p for p in parts if p)


# Openers and closings a stored reply may carry besides the frames above.
_OPENERS = {"hi", "dear", "guten tag", "sehr geehrte", "sehr geehrter", "bonjour", "hola"}
_CLOSINGS = {"kind regards,", "regards,", "thanks,", "thank you,", "viele grüße"}


def _is_greeting(line: str) -> bool:
    line = line.strip()
    if not line or len(line) > 60:
        return False
    if line in NAMELESS.values():
        return True
    openers = _OPENERS | {
        hello.split("{name}")[0].strip().casefold() for hello, _ in FRAMES.values()
    }
    word = line.casefold()
    if any(o and word.startswith(o) and line[-1] in ",:!" for o in openers):
        return True
    return line.endswith(" 様")


def unframed(text: str) -> str:
    """`text` without the greeting it opens with and the sign-off it closes with (and the
    name under it): an earlier reply to another buyer, ready to be framed for this one."""
    lines = (text or "").strip().splitlines()
    if lines and _is_greeting(lines[0]):
        lines = lines[1:]
    closings = _CLOSINGS | {closing.casefold() for _, closing in FRAMES.values()}
    for i in range(len(lines) - 1, max(-1, len(lines) - 4), -1):
        if lines[i].strip().casefold() in closings:
            lines = lines[:i]
            break
    return "\n".join(lines).strip()
