"""A reply framed in the buyer's language, once."""

import pytest
from hypothesis import given
from hypothesis import strategies as st

from buyers.greetings import FRAMES, framed


def test_a_german_buyer_is_greeted_and_signed_off_in_german():
    text = framed("Nur Handwäsche.", language="de", buyer_name="Jonas Weber", signature="Shop")
    assert text == "Hallo Jonas Weber,\n\nNur Handwäsche.\n\nMit freundlichen Grüßen\nShop"


def test_a_japanese_buyer_is_addressed_with_sama():
    assert framed("ok", language="ja", buyer_name="田中").startswith("田中 様\n\n")


@pytest.mark.parametrize("name", ["", "Buyer", "  "])
def test_without_a_name_the_greeting_has_none(name):
    assert framed("Thanks.", language="en", buyer_name=name).startswith("Hello,\n\nThanks.")


def test_an_unknown_language_is_framed_in_english():
    assert framed("x", language="xx", buyer_name="Ann") == "Hello Ann,\n\nx\n\nBest regards,"


@given(
    st.text(max_size=200),
    st.sampled_from(sorted(FRAMES)),
    st.text(min_size=1, max_size=30).filter(str.strip),
)
def test_framing_twice_changes_nothing(text, language, name):
    once = framed(text, language=language, buyer_name=name, signature="Kitchen Co")
    assert framed(once, language=language, buyer_name=name, signature="Kitchen Co") == once
    assert text.strip() in once


def test_an_earlier_reply_loses_its_own_frame_before_it_is_framed_again():
    from buyers.greetings import unframed

    earlier = "Hello Jennifer Walsh,\n\nIt is often with a neighbour.\n\nBest regards,\nAnna"
    assert unframed(earlier) == "It is often with a neighbour."
    german = "Guten Tag Ann,\n\nes tut mir leid.\n\nMit freundlichen Grüßen\nBob"
    assert unframed(german) == "es tut mir leid."
    assert framed(unframed(earlier), language="de", buyer_name="Max", signature="Anna") == (
        "Hallo Max,\n\nIt is often with a neighbour.\n\nMit freundlichen Grüßen\nAnna"
    )
    assert unframed("No frame at all.") == "No frame at all."


def test_an_unknown_language_without_a_name_is_greeted_in_english():
    assert framed("x", language="xx", buyer_name="Buyer") == "Hello,\n\nx\n\nBest regards,"


def test_without_a_name_or_signature_the_reply_still_greets_and_signs_off():
    from buyers.greetings import greeting, sign_off

    assert greeting(language="fr") == "Bonjour,"
    assert sign_off(language="fr") == "Cordialement,"
    assert framed("Merci.", language="fr") == "Bonjour,\n\nMerci.\n\nCordialement,"


def test_an_empty_reply_is_only_the_greeting_and_sign_off():
    assert framed(None, language="en", buyer_name="Ann") == "Hello Ann,\n\nBest regards,"


def test_a_sign_off_higher_up_in_the_text_still_gets_one_at_the_end():
    text = "Best regards,\nthe old answer\nline two\nline three"
    assert framed(text, language="en", buyer_name="Ann").endswith("line three\n\nBest regards,")


@pytest.mark.parametrize(
    ("text", "bare"),
    [
        ("", ""),
        ("Hello Ann,\nIt left today.\nIt arrives Friday.", "It left today.\nIt arrives Friday."),
        ("田中 様\n本日発送しました。", "本日発送しました。"),
        ("お客様\n本日発送しました。", "本日発送しました。"),
        ("Hello " + "n" * 53 + ",\nIt left today.", "It left today."),  # 60 characters
        ("Hello " + "n" * 54 + ",\nIt left today.", "Hello " + "n" * 54 + ",\nIt left today."),
        ("It left today!\nIt arrives Friday.", "It left today!\nIt arrives Friday."),
        ("Hello from the BOX\nIt left today.", "Hello from the BOX\nIt left today."),
        ("Dzień Ann,\nIt left today.", "Dzień Ann,\nIt left today."),
        ("It left today.\nBest regards,", "It left today."),
        ("Best regards,\nAnna", ""),
        ("It left today.\nBest regards,\nAnna\nShop\nBerlin", "It left today.\nBest regards,\nAnna\nShop\nBerlin"),
    ],
    ids=["empty", "no blank line", "sama", "nameless ja", "60", "61", "no opener", "no comma",
         "not the whole opener", "last line", "only a sign-off", "sign-off too high"],
)  # fmt: skip
def test_only_a_greeting_and_a_sign_off_near_the_end_are_taken_off(text, bare):
    from buyers.greetings import unframed

    assert unframed(text) == bare
