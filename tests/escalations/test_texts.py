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
    with pytest.raises(LinkInvalid):
        read_token(f"{target}.{stamp}.{signature[:-1]}A")
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
