"""Reading what a buyer wrote as Amazon relays it, and what Amazon refuses in a reply.
Pure."""

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from buyers.parsing import buyer_name, buyer_text, language, order_id, reply_problems

EMAIL_PROBLEM = "It contains an email address; Amazon rejects replies with one."
LINK_PROBLEM = (
    "It contains a link or web address (a domain such as example.com counts); "
    "Amazon rejects replies with one."
)


def test_the_buyer_is_named_without_amazons_suffix():
    assert buyer_name("Jürgen Böhm - Amazon Marketplace") == "Jürgen Böhm"


@pytest.mark.parametrize("sender", [None, "", " - Amazon Marketplace"])
def test_a_buyer_without_a_name_is_called_buyer(sender):
    assert buyer_name(sender) == "Buyer"


def test_the_order_id_comes_from_the_subject_before_the_body():
    assert order_id("Order 114-3941689-8772232", "Order 302-7781120-6639125") == (
        "114-3941689-8772232"
    )
    assert order_id(None, "Order 302-7781120-6639125 arrived") == "302-7781120-6639125"


def test_without_an_order_id_there_is_none():
    assert order_id("Question", None) == ""
    assert order_id(None, None) == ""


def test_an_order_id_far_down_a_long_body_is_not_read():
    padding = "x" * 19_990
    assert order_id("", padding + " 302-7781120-6639125") == ""
    assert order_id("", "x" * 19_980 + " 302-7781120-6639125") == "302-7781120-6639125"


FRAMED = (
    "Dear seller,\n------------- Begin message -------------\n\n"
    "Where is my mat?\n\n------------- End message -------------\n"
    "Was this email helpful? Yes No"
)


def test_the_buyers_words_are_read_between_amazons_markers():
    assert buyer_text(FRAMED) == "Where is my mat?"


def test_without_markers_amazons_trailer_is_cut():
    text = "Where is my mat?\n\nWas this email helpful? Yes No\nCopyright 2026 Amazon"
    assert buyer_text(text) == "Where is my mat?"
    assert buyer_text("Hi\nCopyright 2026 Amazon, Inc.") == "Hi"


def test_markers_in_the_wrong_order_are_not_a_frame():
    text = "------ End message ------\nHello\n------ Begin message ------"
    assert buyer_text(text) == text


def test_only_one_marker_is_not_a_frame():
    assert buyer_text("Hi\n------ End message ------") == "Hi\n------ End message ------"
    assert buyer_text("------ Begin message ------\nHi") == "------ Begin message ------\nHi"


def test_no_text_is_no_words():
    assert buyer_text(None) == ""
    assert buyer_text("") == ""


@settings(deadline=None)
@given(st.text(alphabet="abc XYZ?!\n", max_size=60))
def test_plain_words_are_the_buyers_words(text):
    assert buyer_text(text) == text.strip()


@pytest.mark.parametrize(
    ("code", "expected"),
    [("DE", "de"), ("MX", "es"), ("SE", "sv"), ("JP", "ja"), ("BR", "pt"), ("US", "en"),
     ("UK", "en"), ("", "en")],
)  # fmt: skip
def test_the_reply_language_follows_the_marketplace(code, expected):
    assert language(code, "Hello") == expected
    assert language(code, None) == expected


def test_a_buyer_writing_in_kana_gets_a_japanese_reply_on_any_marketplace():
    assert language("US", "商品がまだ届きません") == "ja"


@pytest.mark.parametrize(
    ("code", "text", "expected"),
    [
        ("US", "배송이 아직 안 왔어요", "ko"),
        ("JP", "배송이 아직 안 왔어요", "ko"),
        ("SG", "我的订单还没有到", "zh"),
        ("US", "我的訂單還沒有到", "zh"),
        ("JP", "注文番号確認", "ja"),  # kanji alone on Amazon.co.jp: Japanese
        ("DE", "Wo ist mein Paket? 谢谢", "zh"),
        ("DE", "Wo ist mein Paket?", "de"),
        ("SG", "Where is my parcel?", "en"),
    ],
)
def test_the_buyers_script_decides_before_the_marketplace(code, text, expected):
    assert language(code, text) == expected


def test_a_reply_with_an_address_is_refused_with_the_reason():
    assert reply_problems("Write to me at ann@example.com") == [EMAIL_PROBLEM]


def test_a_reply_with_a_link_is_refused_with_the_reason():
    assert reply_problems("See evil.test/x") == [LINK_PROBLEM]


def test_a_reply_with_both_gets_both_reasons():
    assert reply_problems("ann@example.com or evil.test/x") == [EMAIL_PROBLEM, LINK_PROBLEM]


def test_an_empty_reply_has_no_problem():
    assert reply_problems("") == []
    assert reply_problems(None) == []


def test_a_buyer_writing_through_amazon_can_be_replied_to():
    from buyers.parsing import is_amazon_relay

    assert is_amazon_relay(" a1b2c3@Marketplace.Amazon.co.uk ")
    assert not is_amazon_relay("a1b2c3@marketplace.amazon.co.uk.attacker.test")
    assert not is_amazon_relay(None)


def test_an_order_id_at_the_end_of_what_is_read_is_read_whole():
    body = "x" * 19_980 + " 302-7781120-6639125" + "9 more"
    assert order_id("", body) == "302-7781120-6639125"


@pytest.mark.parametrize(
    "text",
    [
        "Order １１３-５５５０００４-００００００４",  # fullwidth
        "Order ١١٣-٥٥٥٠٠٠٤-٠٠٠٠٠٠٤",  # Arabic-Indic
        "Order ११३-५५५०००४-००००००४",  # Devanagari
    ],
)
def test_order_ids_are_ascii_digits_only(text):
    from amazon.services import ORDER_ID as AMAZON_ORDER_ID

    assert order_id(text, "") == ""
    assert AMAZON_ORDER_ID.fullmatch(text.split()[1]) is None


def test_an_order_id_right_after_japanese_words_is_found():
    assert order_id("注文番号111-2290471-6654829について", "") == "111-2290471-6654829"
