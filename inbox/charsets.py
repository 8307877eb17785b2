"""Charsets as real mail names them, and text from bytes whatever they claim. Pure.

Mail programs write charset names Python does not know (`iso-8859-8-i`, `x-mac-cyrillic`,
`ks_c_5601-1987`, `windows-874` ...) and label Windows-1252 text as ISO-8859-1 or ASCII.
Names are mapped the way browsers map them (the WHATWG Encoding Standard's labels); a name
nobody knows is decoded by detection (charset-normalizer), never by dropping the text.
"""

import codecs
import re

from charset_normalizer import from_bytes

# Mail's names for encodings Python knows under another name.
ALIASES = {
    "iso-8859-11": "cp874",
    "tis-620": "cp874",
    "windows-874": "cp874",
    "ks_c_5601-1989": "cp949",
    "ksc5601": "cp949",
    "korean": "cp949",
    "gb_2312-80": "gb18030",
    "chinese": "gb18030",
    "sjis": "cp932",
    "shift-jis": "cp932",
    "ms_kanji": "cp932",
    "windows-31j": "cp932",
    "unicode-1-1-utf-8": "utf-8",
    "unicode20utf8": "utf-8",
    "utf8mb4": "utf-8",
    "mac-roman": "mac_roman",
    "mac-ce": "mac_latin2",
    "mac-centraleurroman": "mac_latin2",
    "mac-cyrillic": "mac_cyrillic",
    "mac-ukrainian": "mac_cyrillic",
    "mac-greek": "mac_greek",
    "mac-turkish": "mac_turkish",
    "mac-icelandic": "mac_iceland",
}
# Encodings whose superset is what senders really write (browsers read them the same way):
# "ISO-8859-1" mail is full of Windows-1252's curly quotes, "EUC-KR" is Windows-949.
SUPERSETS = {
    "ascii": "cp1252",
    "iso8859-1": "cp1252",
    "iso8859-9": "cp1254",
    "euc_kr": "cp949",
    "gb2312": "gb18030",
    "gbk": "gb18030",
    "shift_jis": "cp932",
}
# Labels that say nothing about the bytes.
UNDECLARED = {"", "unknown-8bit", "unknown", "8bit", "default", "user-defined", "binary"}
# Detection guesses these for short Western text; mail declares them when it uses them.
_WIDE = ["utf_16", "utf_16_be", "utf_16_le", "utf_32", "utf_32_be", "utf_32_le", "utf_7"]
_ISO_DIRECTION = re.compile(r"^(iso-?8859-\d+)-[ie]$")  # -i / -e: visual vs logical order
_NUMBERED = re.compile(r"^(?:cp|windows|ibm|ms)[-_ ]?(\d{3,5})$")


def normalise(label: str | None) -> str:
    """A charset label as mail carries it, lowercased, unquoted, with the `x-` prefix of
    unregistered names and RFC 2231 language tags gone."""
    label = (label or "").strip().strip("\"'").strip().lower()
    label = label.split("'", 1)[0].split(";", 1)[0].strip()
    label = label.replace("_", "-") if label.startswith(("iso_", "iso-", "utf_")) else label
    return label.removeprefix("x-")


def codec_for(label: str | None) -> str | None:
    """The Python text codec for `label`, or None when nobody knows what it means."""
    name = normalise(label)
    if name in UNDECLARED:
        return None
    name = ALIASES.get(name, name)
    if found := _ISO_DIRECTION.match(name):
        name = found.group(1)
    if found := _NUMBERED.match(name):
        name = f"cp{found.group(1)}"
    try:
        info = codecs.lookup(name)
    except LookupError:
        return None
    # base64, rot13, zlib ... are codecs too, but not charsets.
    if not getattr(info, "_is_text_encoding", True) or info.name in ("undefined",):
        return None
    return info.name


def detect(data: bytes) -> str:
    """Text from bytes of an unknown encoding: UTF-8 if they are, else charset-normalizer's
    best guess (too few bytes make guesses wild: a few words read as Windows-1252), else
    Windows-1252 (every byte readable)."""
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        pass
    best = from_bytes(data[:200_000], cp_exclusion=_WIDE).best() if len(data) >= 32 else None
    if best is not None:
        try:
            return data.decode(best.encoding, "replace")
        except (LookupError, UnicodeError):
            pass
    return data.decode("cp1252", "replace")


def decode(data: bytes, label: str | None) -> tuple[str, bool]:
    """`data` as text, and whether `label` named a charset the desk knows."""
    codec = codec_for(label)
    if codec is None:
        return detect(data), normalise(label) in UNDECLARED
    if codec == "ascii" and not data.isascii():
        return detect(data), True  # 8-bit bytes in "ASCII" text: most often UTF-8
    try:
        return data.decode(SUPERSETS.get(codec, codec), "replace"), True
    except (LookupError, UnicodeError):
        return detect(data), False


def header_text(value: str) -> str:
    """A header value whose raw 8-bit bytes Python kept as surrogates, decoded: UTF-8 if
    they are, else Windows-1252."""
    raw = value.encode("ascii", "surrogateescape")
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError:
        return raw.decode("cp1252", "replace")
