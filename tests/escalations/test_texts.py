"""Every text fits one GSM-7 segment, is signed, carries its reference and a working link,
whatever the summary, the initials and the Unicode in them."""

import secrets
import time

import pytest
from django.core.signing import b62_encode
from hypothesis import given, settings
from hypothesis import strategies as st

from escalations import gsm
from escalations.links import LinkExpired, LinkInvalid, read_token, token_for
from escalations.models import reference_for

SITES = ["http://127.0.0.1:8000", "https://desk.example-seller.com", "https://d.co"]


@settings(max_examples=600, deadline=None)
@given(
    summary=st.text(max_size=400),
    initials=st.text(alphabet=st.characters(codec="utf-8"), max_size=6),
    number=st.integers(min_value=1, max_value=10**7),
    site=st.sampled_from(SITES),
    reminder=st.booleans(),
)
def test_every_text_is_one_gsm7_segment_signed_with_reference_and_link(
    summary, initials, number, site, reminder
):
    from django.test import override_settings

    with override_settings(SITE_URL=site):
        link = f"{site}/o/{secrets.token_urlsafe(9)}/"
        reference = reference_for(number)
        body = gsm.compose(summary=summary, reference=reference, link=link,
                           initials=initials, prefix="Reminder:" if reminder else "")  # fmt: skip
        assert gsm.is_gsm(body)
        assert gsm.gsm_length(body) <= gsm.SEGMENT
        assert gsm.segments(body) == 1
        signed = gsm.to_gsm(initials).replace(" ", "")[:6] or "SD"
        assert body.endswith(f" -{signed}")
        assert f" #{reference} " in body
        assert f"{link} -" in body


@pytest.mark.parametrize(
    ("raw", "plain"),
    [
        ("Lin’s “final” offer — 8% off…", 'Lin\'s "final" offer - 8% off...'),
        ("price\u00a0rises\u2009now", "price rises now"),
        ("Grüße aus Köln, café", "Grüße aus Köln, café"),
        ("Zoë naïve Ångström", "Zoe naive Ångström"),
        ("👍 ok 🙂", "ok"),
        ("注文が届きません order", "(Japanese text) order"),
        ("tab\there\nnew line", "tab here new line"),
    ],
)
def test_look_alikes_are_replaced_and_nothing_forces_ucs2(raw, plain):
    assert gsm.to_gsm(raw) == plain
    assert gsm.is_gsm(gsm.to_gsm(raw))


def test_extension_characters_count_twice_and_are_never_cut_in_half():
    assert gsm.gsm_length("{}[]") == 8
    assert gsm.segments("€" * 80) == 1
    assert gsm.segments("€" * 81) == 2
    assert gsm.shorten("€" * 100, 11) == "€€€€..."


def test_a_long_summary_is_cut_at_a_word_with_an_ellipsis():
    summary = "The supplier wants to know whether you accept the new prices " * 5
    body = gsm.compose(summary=summary, reference="K7", link="https://d.co/o/x/", initials="MS")
    assert len(body) <= 160
    assert "... #K7 https://d.co/o/x/ -MS" in body
    assert " wan..." not in body


def test_a_site_url_too_long_for_any_summary_is_refused():
    with pytest.raises(ValueError, match="SITE_URL"):
        gsm.compose(summary="x", reference="K7", link="https://" + "a" * 150, initials="MS")


def test_a_link_expires_and_cannot_be_forged_or_moved_to_another_escalation(settings):
    settings.OWNER_LINK_DAYS = 7
    token = token_for("e", 42)
    assert read_token(token).pk == 42
    with pytest.raises(LinkExpired):
        read_token(token, now=time.time() + 8 * 86400)
    target, stamp, signature = token.split(".")
    with pytest.raises(LinkInvalid):
        read_token(f"e{b62_encode(43)}.{stamp}.{signature}")
    other = "B" if signature.endswith("A") else "A"  # a signature one character off
    with pytest.raises(LinkInvalid):
        read_token(f"{target}.{stamp}.{signature[:-1]}{other}")
    for junk in ["", "...", "e1", "x1.1.1", "e0.1.aaaa", "e1." + "9" * 50 + ".a"]:
        with pytest.raises(LinkInvalid):
            read_token(junk)


SCRIPTS = {
    "accented Latin": "àáâãäåæçèéêëìíîïñòóôõöøùúûüýÿőűčšžłęą",
    "Cyrillic": "абвгдеёжзийклмнопрстуфхцчшщъыьэюяЖЩЮ",
    "Greek": "αβγδεζηθικλμνξοπρστυφχψωΆΈΉ",
    "Arabic": "ابتثجحخدذرزسشصضطظعغفقكلمنهوي",
    "Chinese": "我你他的是不了在人有这中大来上国个到说们为子和",
    "Japanese": "あいうえおかきくけこアイウエオカキクケコ注文配送届",
    "emoji": "😀😂👍🙂🎉📦🚚❤️🔥✨",
}
words_in = st.sampled_from(list(SCRIPTS.values())).flatmap(
    lambda letters: st.text(alphabet=letters, min_size=1, max_size=12)
)
ORDER = "503-1209934-7716251"


@settings(max_examples=300, deadline=None)
@given(
    words=st.lists(
        st.one_of(words_in, st.sampled_from(["the", "order", "asks", ","])), min_size=1, max_size=30
    ),
    number=st.integers(min_value=1, max_value=10**6),
    site=st.sampled_from(SITES),
    with_order=st.booleans(),
)
def test_a_summary_in_any_script_is_one_segment_without_placeholders(
    words, number, site, with_order
):
    """Every text, whatever script the summary is in: one GSM-7 segment, no `?` standing
    for a character GSM-7 lacks, and still the reference, the order id and the link."""
    summary = " ".join(words)
    if with_order:
        summary = f"Buyer {words[0]} (order {ORDER}) asks: {summary}"
    link = f"{site}/o/{secrets.token_urlsafe(9)}/"
    reference = reference_for(number)
    body = gsm.compose(summary=summary, reference=reference, link=link, initials="MS")
    assert gsm.is_gsm(body) and gsm.segments(body) == 1, body
    assert "?" not in body, body
    assert f" #{reference} {link} -MS" in body
    if with_order:
        assert ORDER in body, body


@pytest.mark.parametrize(
    ("raw", "plain"),
    [
        ("Где мой заказ", "Gde moy zakaz"),
        ("Ελληνικά", "Ellinika"),
        ("配送はいつですか", "(Japanese text)"),
        ("我的订单在哪里", "(Chinese text)"),
        ("주문", "(Korean text)"),
    ],
)
def test_scripts_are_transliterated_or_said_in_words(raw, plain):
    assert gsm.to_gsm(raw) == plain


def test_a_160_character_text_is_one_segment_and_161_is_two():
    assert gsm.segments("a" * 160) == 1
    assert gsm.segments("a" * 161) == 2
    assert gsm.segments("a" * 306) == 2  # a long text's segments hold 153 each
    assert gsm.segments("a" * 307) == 3


def test_one_character_outside_gsm7_makes_a_text_ucs2_of_70_a_segment():
    assert gsm.segments("Gr\u00fc\u00dfe \u2013 " + "a" * 62) == 1  # the dash: 70 in UCS-2
    assert gsm.segments("\u2013" + "a" * 69) == 1
    assert gsm.segments("\u2013" + "a" * 70) == 2
    assert gsm.segments("\u6ce8" * 134) == 2  # long UCS-2 texts hold 67 a segment
    assert gsm.segments("\u6ce8" * 135) == 3
    assert gsm.segments("\U0001f642" * 35) == 1  # an emoji costs two UTF-16 units
    assert gsm.segments("\U0001f642" * 36) == 2


def test_the_segment_count_is_a_whole_number():
    for text in ["ok", "a" * 400, "\u2013" * 71, "\u2013" * 300]:
        assert type(gsm.segments(text)) is int


def test_a_character_outside_gsm7_is_named_when_its_length_is_asked():
    with pytest.raises(ValueError, match="'\u2013' is not a GSM-7 character"):
        gsm.gsm_length("a\u2013b")


@pytest.mark.parametrize(
    ("raw", "plain"),
    [
        ("\ufb01ne print\u2122", "fine printTM"),  # ligatures and symbols spelled out
        ("dis\u00adcount\u200b code\ufeff", "discount code"),  # invisible characters
        ("\u02c2a\u02e5b", "ab"),  # modifier symbols
        ("a\ud800b", "ab"),  # a lone surrogate half
        ("a\ue000b", "ab"),  # private use
        ("a\u0378b", "ab"),  # unassigned
        ("a\x07b\x1b", "ab"),  # control characters
        ("\u200eab\u202e", "ab"),  # direction marks
        ("Zoe\u0308", "Zoe"),  # a combining mark on its own
        ("a\u20ddb", "ab"),  # an enclosing mark
        ("\u0416\u0416 ok", "ZhZh ok"),  # letters GSM-7 cannot show: transliterated
    ],
)
def test_characters_a_phone_cannot_show_are_dropped_or_spelled_in_latin(raw, plain):
    assert gsm.to_gsm(raw) == plain


@pytest.mark.parametrize(
    ("text", "budget", "short"),
    [
        ("abcde", 5, "abcde"),  # fits exactly: untouched
        ("abcdefghij", 8, "abcde..."),
        ("abcdef", 4, "a..."),  # the smallest budget that holds anything
        ("abcdef", 3, ""),  # no room for a letter and the dots
        ("Ship the order today or tomorrow morning", 30, "Ship the order today or..."),
        ("abcdefghij klmnop", 15, "abcdefghij..."),  # the last word goes
        ("abcdefgh ijklmnop", 15, "abcdefgh ijk..."),  # cutting there would lose a third
        ("abc defghijklmnop", 13, "abc defghi..."),
        ("Two boxes, please ship", 16, "Two boxes..."),  # no comma before the dots
        ("Ship it by FEDEX tomorrow", 19, "Ship it by FEDEX..."),
    ],
)
def test_a_text_is_cut_to_its_budget_at_a_word_when_that_loses_little(text, budget, short):
    assert gsm.shorten(text, budget) == short
    assert gsm.gsm_length(short) <= budget


def test_a_short_text_reads_summary_reference_link_and_initials():
    link = "https://d.co/o/x/"
    assert (
        gsm.compose(summary="Buyer asks for a refund", reference="K7", link=link, initials="MS")
        == "Buyer asks for a refund #K7 https://d.co/o/x/ -MS"
    )
    assert (
        gsm.compose(
            summary="Buyer asks for a refund",
            reference="K7",
            link=link,
            initials="MS",
            prefix="Reminder:",
        )
        == "Reminder: Buyer asks for a refund #K7 https://d.co/o/x/ -MS"
    )
    assert (
        gsm.compose(summary=" \u200b", reference="K7", link=link, initials="")
        == "(no summary) #K7 https://d.co/o/x/ -SD"
    )
    assert gsm.compose(summary="Hi", reference="K7", link=link, initials="A B C D E F G H") == (
        "Hi #K7 https://d.co/o/x/ -ABCDEF"
    )


@pytest.mark.parametrize("prefix", ["", "Reminder:"])
def test_a_long_summary_fills_the_segment_to_the_last_character(prefix):
    body = gsm.compose(summary="x" * 300, reference="K7", link="https://d.co/o/x/",
                       initials="MS", prefix=prefix)  # fmt: skip
    assert gsm.gsm_length(body) == gsm.SEGMENT
    assert body.startswith(f"{prefix} xxx" if prefix else "xxx")
    assert "x... #K7 https://d.co/o/x/ -MS" in body


def test_a_link_that_leaves_ten_characters_for_the_summary_is_the_longest_allowed():
    # The fixed parts " #K7 <link> -MS" take 9 characters besides the link.
    body = gsm.compose(summary="x" * 50, reference="K7", link="h" * 141, initials="MS")
    assert body == "xxxxxxx... #K7 " + "h" * 141 + " -MS"
    with pytest.raises(ValueError) as refused:
        gsm.compose(summary="x", reference="K7", link="h" * 142, initials="MS")
    assert str(refused.value) == (
        "The link and signature leave no room for a summary: shorten SITE_URL."
    )


def test_a_digest_names_its_items_in_order_then_reference_link_and_initials():
    link = "https://d.co/o/x/"
    labels = ["Refund asked", "Late delivery", " \u200b"]
    assert gsm.compose_list(
        lead="3 items:", labels=labels, reference="K7 #K8 #K9", link=link, initials="M S"
    ) == ("3 items: Refund asked; Late delivery; (no summary) #K7 #K8 #K9 https://d.co/o/x/ -MS")
    assert gsm.compose_list(
        lead="1 item:", labels=["Refund asked"], reference="K7", link=link, initials="",
        prefix="Reminder:",
    ) == "Reminder: 1 item: Refund asked #K7 https://d.co/o/x/ -SD"  # fmt: skip
    assert gsm.compose_list(
        lead="1 item:", labels=["Hi"], reference="K7", link=link, initials="A B C D E F G H"
    ) == ("1 item: Hi #K7 https://d.co/o/x/ -ABCDEF")


def test_a_digest_fills_its_segment_and_counts_the_items_left_out():
    labels = [f"Buyer {n} asks where the order is" for n in range(10)]
    body = gsm.compose_list(lead="10 items:", labels=labels, reference="K1 +9",
                            link="https://d.co/o/x/", initials="MS")  # fmt: skip
    assert body == (
        "10 items: Buyer 0 asks where the order is; Buyer 1 asks where the order is; "
        "Buyer 2 asks where the order is; Buyer 3...; +6 more #K1 +9 https://d.co/o/x/ -MS"
    )
    assert gsm.gsm_length(body) <= gsm.SEGMENT


def test_a_digest_item_is_cut_to_48_characters_at_most():
    body = gsm.compose_list(lead="2 items:", labels=["x" * 100, "Short one"], reference="K1",
                            link="https://d.co/o/x/", initials="MS")  # fmt: skip
    assert body == f"2 items: {'x' * 45}...; Short one #K1 https://d.co/o/x/ -MS"


@pytest.mark.parametrize(
    ("link_length", "second"), [(98, "yyyyyyyyy..."), (99, "+1 more")], ids=["12 left", "11 left"]
)
def test_a_digest_item_is_shown_only_with_room_for_twelve_characters(link_length, second):
    body = gsm.compose_list(lead="2 items:", labels=["x" * 30, "y" * 30], reference="K1",
                            link="h" * link_length, initials="MS")  # fmt: skip
    assert body == f"2 items: {'x' * 30}; {second} #K1 {'h' * link_length} -MS"


def test_the_first_digest_item_may_use_all_the_room_left_before_the_count():
    body = gsm.compose_list(lead="2 items:", labels=["x" * 30, "y" * 30], reference="K1",
                            link="h" * 121, initials="MS")  # fmt: skip
    assert body == f"2 items: xxxxxxxxx...; +1 more #K1 {'h' * 121} -MS"


def test_a_digest_with_no_room_for_an_item_only_counts_them():
    labels = [f"Buyer {n} asks where the order is" for n in range(10)]
    # " #K1 +9 <link> -MS" and "10 items: " leave ten characters with a 128-character link.
    body = gsm.compose_list(lead="10 items:", labels=labels, reference="K1 +9", link="h" * 128,
                            initials="MS")  # fmt: skip
    assert body == "10 items: +10 more #K1 +9 " + "h" * 128 + " -MS"
    with pytest.raises(ValueError) as refused:
        gsm.compose_list(lead="10 items:", labels=labels, reference="K1 +9", link="h" * 129,
                         initials="MS")  # fmt: skip
    assert str(refused.value) == (
        "The link and signature leave no room for a summary: shorten SITE_URL."
    )


def test_marks_and_signs_without_letters_are_dropped_and_unknown_letters_too():
    # A combining small a, an enclosing hundred-thousands sign, the Arabic number sign, an
    # Ethiopic word space (transliterated to a bare space) and a letter with no Latin form.
    assert gsm.to_gsm("a\u0363b\u0488c\u0600d\u1361e\u01b8f") == "abcdef"


def test_no_unassigned_code_point_becomes_a_letter():
    """A code point this Python calls unassigned gives nothing, even where the transliteration
    table (from a later Unicode) knows a letter for it: the owner's phone may not."""
    import unicodedata

    unassigned = [chr(cp) for cp in range(0x80, 0x30000) if unicodedata.category(chr(cp)) == "Cn"]
    assert len(unassigned) > 1000
    assert [ch for ch in unassigned if gsm._plain(ch)] == []


def test_a_summary_in_a_chat_post_mentions_no_one():
    from escalations.compose import slack_text

    assert slack_text("Hi <!channel> and <@U024BE7LH> & co") == (
        "Hi &lt;!channel&gt; and &lt;@U024BE7LH&gt; &amp; co"
    )


def test_what_a_sender_wrote_is_scrubbed_again_after_transliteration():
    assert gsm.sender_words("see ab.com now") == "see [link] now"
    assert gsm.sender_words("write to b@ab.com now") == "write to [email] now"
    assert gsm.sender_words("пример。com or сайт。ру") == "[link] or [link]"  # primer.com, sayt.ru
    assert gsm.sender_words("Price up 8% from 1 January.") == "Price up 8% from 1 January."
