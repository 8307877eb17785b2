"""UID sets both ways (inbox/uids.py): what the desk sends for a set of UIDs names exactly
those UIDs, and what a server's COPYUID answer says maps each moved mail to its new UID."""

import pytest
from hypothesis import given
from hypothesis import strategies as st

from inbox.uids import _expand, copied_uids, sequence_set


@pytest.mark.parametrize(
    ("uids", "expected"),
    [
        ([7], "7"),
        ([1, 2], "1:2"),
        ([1, 2, 3, 7, 9, 10], "1:3,7,9:10"),
        ([10, 9, 3, 1, 2, 7, 7], "1:3,7,9:10"),  # any order, repeats
        ([5, 7, 9], "5,7,9"),
        ([1, 3, 4, 5, 100000], "1,3:5,100000"),
        ({4, 2, 3}, "2:4"),
        ((2, 1), "1:2"),
    ],
)
def test_sequence_set_is_compact(uids, expected):
    assert sequence_set(uids) == expected


def test_an_empty_set_is_refused():
    with pytest.raises(ValueError, match=r"^an empty UID set$"):
        sequence_set([])


@given(st.sets(st.integers(min_value=1, max_value=5000), min_size=1, max_size=200))
def test_sequence_set_names_exactly_its_uids(uids):
    text = sequence_set(uids)
    assert sorted(_expand(text)) == sorted(uids)
    assert len(text.split(",")) == 1 + sum(1 for u in uids if u > min(uids) and u - 1 not in uids)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("7", [7]),
        ("3:5", [3, 4, 5]),
        ("5:3", [3, 4, 5]),  # a range may be written either way round
        ("1:2,9,11:12", [1, 2, 9, 11, 12]),
        ("4:4", [4]),
    ],
)
def test_expand(text, expected):
    assert _expand(text) == expected


def test_copyuid_answers_map_each_old_uid_to_its_new_one():
    answers = [b"1637 1:3,7 101:104", "1637 9 200"]
    assert copied_uids(answers) == {1: 101, 2: 102, 3: 103, 7: 104, 9: 200}


def test_copyuid_with_the_response_code_name_and_brackets():
    assert copied_uids([b"[COPYUID 38505 304,319:320 3956:3958] Done"]) == {
        304: 3956,
        319: 3957,
        320: 3958,
    }


@pytest.mark.parametrize("answers", [None, [], [b"OK no uids here"], [b"38505 x y"]])
def test_no_copyuid_answer_maps_nothing(answers):
    assert copied_uids(answers) == {}


def test_a_shorter_destination_set_maps_what_it_names():
    assert copied_uids([b"1 10:12 20:21"]) == {10: 20, 11: 21}
