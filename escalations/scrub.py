"""What the owner is sent carries no link, bare domain or email address that came from a
mail: a sender's "verify at evil.test/v" must not become a tap on the owner's phone, the
channel they trust most. Each is replaced by a word; the desk's own link is added after,
by the code that composes the text. Pure.

Applied where text enters an escalation (its summary, drafted from the mail, and its
details), so texts, emails, chat posts and the owner's page all show the same words.
"""

import re
import unicodedata

from sellerdesk.weblinks import replace_links

LINK_WORD = "[link]"
EMAIL_WORD = "[email]"
# Invisible characters (zero-width space, soft hyphen ...): the SMS alphabet drops them, so
# `evil\u200b.test` would arrive as `evil.test`.
_FORMAT = re.compile(r"[\u00ad\u061c\u180e\u200b-\u200f\u202a-\u202e\u2060-\u206f\ufeff]")


def owner_safe(text: str) -> str:
    """`text` with every URL, bare domain, IP address and email address replaced by a word.
    Compatibility forms are folded first (NFKC), as the SMS alphabet folds them later: a
    full-width dot (U+FF0E) or a one-dot leader (U+2024) is a dot on the phone, so here too."""
    text = unicodedata.normalize("NFKC", _FORMAT.sub("", text or ""))
    return replace_links(text, link=LINK_WORD, email=EMAIL_WORD)
