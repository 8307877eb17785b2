"""The owner's words without a mail's links, checked without the database (fast enough to
run against every mutant of `escalations/scrub.py` and `sellerdesk/weblinks.py`)."""

import re

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from escalations.scrub import owner_safe
from sellerdesk.weblinks import EMAIL, LINK, has_email, has_link, replace_links

PLAIN = st.text(alphabet="abcdefghijklmnopqrstuvwxyzABCDEFGHIJ0123456789éüßж ,!?-:()'\n")


def test_the_phishing_line_reads_link():
    assert owner_safe("Can you verify at evil.test/v now?") == "Can you verify at [link] now?"


def test_an_email_address_reads_email_not_link():
    assert owner_safe("Write to verify@amzn-verify.test today") == "Write to [email] today"


@pytest.mark.parametrize(
    "hidden", ["\u00ad", "\u061c", "\u180e", "\u200b", "\u200f", "\u202a", "\u202e",
               "\u2060", "\u206f", "\ufeff"],
)  # fmt: skip
def test_an_invisible_character_does_not_hide_a_domain_from_the_owner(hidden):
    assert owner_safe(f"see evil{hidden}.test now") == "see [link] now"


@pytest.mark.parametrize("dot", ["\uff0e", "\u2024", "\ufe52"])
def test_a_look_alike_dot_is_a_dot_for_the_owner_too(dot):
    assert owner_safe(f"see evil{dot}test now") == "see [link] now"


def test_no_text_is_empty_for_the_owner():
    assert owner_safe(None) == ""
    assert owner_safe("") == ""


@settings(deadline=None)
@given(PLAIN)
def test_words_without_links_reach_the_owner_unchanged(text):
    assert owner_safe(text) == text
    assert replace_links(text) == text
    assert not has_link(text) and not has_email(text)


def test_links_are_replaced_by_the_words_given():
    assert replace_links("a.test or b@c.test", link="L", email="E") == "L or E"
    assert replace_links("a.test or b@c.test") == "[link] or [email]"
    assert replace_links(None) == ""


def test_an_address_after_an_ideographic_full_stop_is_no_link():
    assert not has_link("\u6ce8\u6587\u3002ann@example.com")
    assert has_email("\u6ce8\u6587\u3002ann@example.com")


def test_an_invisible_character_between_words_is_dropped_for_the_owner():
    assert owner_safe("Thanks\u200b for\u00ad the order") == "Thanks for the order"


LINKISH = st.lists(
    st.sampled_from(
        ["a", "Z", "7", "é", "ж", "-", "_", ".", "\u3002", "\uff0e", "@", "\uff20", ":", "/",
         "?", "#", "www", "http://", "xn--p1ai", "com", "test", " ", "\u3000", "\xa0", "\n",
         "\t", "\x1c", "\x85", "\u2028", "\u2003", "\x0b", "(", ")", "'", "1.2.3.4", "x@y.test",
         "a.test"]
    ),
    max_size=30,
).map("".join)  # fmt: skip


@settings(max_examples=1000, deadline=None)
@given(LINKISH)
def test_run_by_run_finds_what_the_patterns_find_over_the_whole_text(text):
    assert replace_links(text, link="L", email="E") == LINK.sub("L", EMAIL.sub("E", text))


def test_the_runs_are_split_where_the_patterns_see_a_space():
    """replace_links finds its runs with str.split(): it must split at exactly the
    characters the patterns' \\s matches, in every script."""
    space = re.compile(r"\s")
    differ = [hex(c) for c in range(0x110000) if chr(c).isspace() != bool(space.match(chr(c)))]
    assert differ == []
