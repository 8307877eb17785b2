"""The owner's one- or two-sentence summary of a mail, drafted from the mail alone."""

from types import SimpleNamespace

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from escalations.scrub import owner_safe
from escalations.summaries import summarize_mail
from tests.conftest import examples


def parsed(text="", subject="Invoice 7", from_name="Lin Wu", from_address="lin@bamboo.test"):
    """A mail as the parser gives it: the text on the mail itself."""
    return SimpleNamespace(
        from_name=from_name, from_address=from_address, subject=subject, text=text
    )


def stored(text="", subject="Invoice 7", from_name="Lin Wu", from_address="lin@bamboo.test"):
    """A mail as the desk stores it: the text on its content."""
    return SimpleNamespace(
        from_name=from_name, from_address=from_address, subject=subject,
        content=SimpleNamespace(text=text),
    )  # fmt: skip


def test_a_question_in_the_mail_is_the_summary_with_sender_and_subject():
    mail = parsed("Hello Sam,\nThe boards are ready. Shall we ship them on Monday?\nLin")
    assert summarize_mail(mail) == ('Lin Wu about "Invoice 7": Shall we ship them on Monday?')


def test_a_stored_mail_is_summarized_from_its_content():
    mail = stored("Please pay the open invoice of 300 EUR within 5 days.")
    assert summarize_mail(mail) == (
        'Lin Wu about "Invoice 7": Please pay the open invoice of 300 EUR within 5 days.'
    )


def test_a_question_wins_over_an_earlier_request():
    mail = parsed("Please read the terms below. Do you accept the new prices?")
    assert summarize_mail(mail).endswith(": Do you accept the new prices?")


def test_a_question_in_arabic_or_japanese_is_found_by_its_own_marks():
    arabic = parsed("مرحبا. لم يصل طلبي بعد. متى سيصل الطلب؟ شكرا لكم", from_name="سارة")
    assert summarize_mail(arabic).endswith(": متى سيصل الطلب؟")
    # Sentences end at 。 with no space after it; the full-width question mark reads as ?.
    japanese = parsed("お世話になっております。注文した商品がまだ届いていません。いつ届きますか？")
    assert summarize_mail(japanese).endswith(": いつ届きますか?")
    # A question in the middle of a line: no space after it either.
    japanese = parsed("いつ届きますか？よろしくお願いします。返品はできますか？")
    assert summarize_mail(japanese).endswith(": いつ届きますか?")


def test_a_request_is_found_when_there_is_no_question():
    mail = parsed("The order shipped today. Kindly confirm the delivery address.")
    assert summarize_mail(mail).endswith(": Kindly confirm the delivery address.")


def test_a_mail_that_asks_nothing_is_summarized_by_its_subject():
    mail = parsed("The order shipped today. It left the warehouse at noon.")
    assert summarize_mail(mail) == "Lin Wu: Invoice 7"


def test_quoted_lines_are_not_the_senders_ask():
    mail = parsed(
        "Thanks, noted.\n\nOn Mon, 3 Mar 2025, Sam wrote:\n> Could you send the invoice again?"
    )
    assert summarize_mail(mail) == "Lin Wu: Invoice 7"


@pytest.mark.parametrize(
    "sentence",
    ["Really?", "Ok?", "x" * 300 + "?", "Could you call me", "Please ship it by FEDEX"],
)
def test_a_sentence_too_short_too_long_or_unfinished_is_not_the_ask(sentence):
    assert summarize_mail(parsed(sentence)) == "Lin Wu: Invoice 7"


def test_a_sentence_of_8_or_300_characters_is_the_ask():
    assert summarize_mail(parsed("Why not?")).endswith(": Why not?")
    long = "Is it " + "x" * 293 + "?"
    summary = summarize_mail(parsed(long))  # the whole summary stops at 300
    assert summary == ('Lin Wu about "Invoice 7": ' + long)[:300]


def test_an_amount_and_a_deadline_are_added_when_the_ask_lacks_them():
    mail = parsed("Please confirm the new terms. The total is $1,240.00, due by March 5.")
    assert summarize_mail(mail) == (
        'Lin Wu about "Invoice 7": Please confirm the new terms. '
        "Amount $1,240.00, deadline due by March 5."
    )


def test_a_deadline_only_is_added_with_a_capital():
    mail = parsed("Please confirm the new terms. Payment is due within 10 days.", subject="Terms")
    assert summarize_mail(mail) == (
        'Lin Wu about "Terms": Please confirm the new terms. Deadline within 10 days.'
    )


def test_an_amount_only_is_added_with_a_capital():
    mail = parsed("Hello. Is this still open?\nBalance: 99.50 USD")
    assert summarize_mail(mail) == (
        'Lin Wu about "Invoice 7": Is this still open?. Amount 99.50 USD.'
    )


def test_a_deadline_already_in_the_subject_is_not_repeated():
    mail = parsed("Nothing to add.", subject="Renew before 2025-04-01")
    assert summarize_mail(mail) == "Lin Wu: Renew before 2025-04-01"


def test_an_amount_already_in_the_ask_is_not_repeated():
    mail = parsed("Can you pay the 300 EUR today?")
    assert summarize_mail(mail) == ('Lin Wu about "Invoice 7": Can you pay the 300 EUR today?')


@pytest.mark.parametrize(
    ("from_name", "from_address", "sender"),
    [
        ("  Lin \n Wu ", "lin@bamboo.test", "Lin Wu"),
        (None, "ops@bamboo.test", "ops"),
        ("", " ops@bamboo.test ", "ops"),
        ("Lin Wu", None, "Lin Wu"),
        ("Lin Wu", "not-an-address", "Lin Wu"),
        (None, "not-an-address", "not-an-address"),
        (None, '"ops@desk"@bamboo.test', '"ops@desk"'),  # a quoted local part with an @
        (None, None, "Unknown sender"),
        ("", "", "Unknown sender"),
    ],
)
def test_the_sender_is_named_without_their_domain(from_name, from_address, sender):
    mail = parsed("", from_name=from_name, from_address=from_address)
    assert summarize_mail(mail) == f"{sender}: Invoice 7"


def test_a_mail_without_subject_or_text_still_says_who_sent_it():
    assert summarize_mail(parsed(None, subject=None)) == "Lin Wu: (no subject)"
    assert summarize_mail(stored(None, subject="  ")) == "Lin Wu: (no subject)"


def test_a_long_subject_is_cut_in_the_summary():
    mail = parsed("Could you look at this?", subject="S" * 200)
    assert summarize_mail(mail) == (f'Lin Wu about "{"S" * 80}": Could you look at this?')


@settings(max_examples=200, deadline=None)
@given(text=st.text(max_size=2000), subject=st.text(max_size=300), name=st.text(max_size=100))
def test_any_mail_gets_a_summary_of_at_most_300_characters(text, subject, name):
    summary = summarize_mail(parsed(text, subject=subject, from_name=name))
    assert 0 < len(summary) <= 300


def test_only_the_first_4000_characters_are_read_for_the_ask():
    question = "Could you confirm it?"
    within = "a" * (4000 - len(question) - 1) + "\n" + question  # ends at the 4,000th
    assert summarize_mail(parsed(within)).endswith(": " + question)
    assert summarize_mail(parsed("a" + within)) == "Lin Wu: Invoice 7"


def test_only_the_first_8000_characters_are_read_for_an_amount():
    # The haystack is "Invoice 7", a newline, then the text: the amount ends at the 8,000th.
    within = "a" * (8000 - len("Invoice 7\n") - 4) + " $99"
    assert summarize_mail(parsed(within)).endswith(". Amount $99.")
    assert summarize_mail(parsed("a" + within)) == "Lin Wu: Invoice 7"


def test_a_subject_ending_in_a_capital_keeps_it_before_the_extras():
    mail = parsed("Nothing asked here. Total 40 USD", subject="Ship by FEDEX")
    assert summarize_mail(mail) == "Lin Wu: Ship by FEDEX. Amount 40 USD."


def test_a_text_already_scrubbed_gives_the_same_summary():
    text = "Could you verify at evil.test/v before Friday? Write to a@b.test. Amount $40."
    mail = stored(text)
    assert summarize_mail(mail, safe_text=owner_safe(text)) == summarize_mail(mail)
    assert "[link]" in summarize_mail(mail)
    assert summarize_mail(mail, safe_text="Can we talk?").endswith(": Can we talk?")


def _ask_whole(subject: str, text: str) -> str:
    """The first question, else the first asking sentence, found by cutting the whole text
    at line ends and after sentence ends first: what `_ask` must give, in one pass."""
    import re

    from escalations import summaries as s

    body = s._QUOTED.sub("", text)[:4000]
    cuts = r"(?<=[.!?\u061f])\s+|(?<=\u3002)\s*|(?<=[?!])(?=[\u3040-\u30ff\u3400-\u9fff])|\n+"
    pieces = (s._clean(piece) for piece in re.split(cuts, body))
    sentences = [p for p in pieces if 8 <= len(p) <= 300 and p[-1] in ".!?\u061f\u3002"]
    for sentence in sentences:
        if sentence.endswith(("?", "\u061f")):
            return sentence
    for sentence in sentences:
        if s._ASKING.search(sentence):
            return sentence
    return subject


WORDS = ["please", "confirm", "Shall we ship", "the boards", "x", "Monday", "> quoted?",
         "On Mon, Lin wrote:", "ok", "reply", "a" * 40, "いつ届きますか", "注文"]  # fmt: skip
SPACES = [" ", "  ", "\n", "\n\n", "\t", "\r\n", "\u00a0", "\u2028", " \n ", "\x0b"]
ENDS = [
    "",
    ".",
    "!",
    "?",
    ". ",
    "?\n",
    "!\t",
    "...",
    ".\u00a0",
    "\u061f",
    "\u061f ",
    "\u3002",
    "\u3002 ",
]


@settings(max_examples=examples(600), deadline=None)
@given(st.lists(st.tuples(st.sampled_from(WORDS), st.sampled_from(ENDS), st.sampled_from(SPACES)),
                max_size=40),
       st.text(alphabet=" .!?\n\tab\u00a0\u061f\u3002", max_size=60))  # fmt: skip
def test_the_question_is_found_as_cutting_the_whole_text_finds_it(parts, noise):
    from escalations.summaries import _ask

    text = "".join(w + e + s for w, e, s in parts) + noise
    assert _ask("Subject", text) == _ask_whole("Subject", text)
