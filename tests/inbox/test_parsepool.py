"""Parsing on every core gives what parsing here gives, in the same order."""

from pathlib import Path

from inbox.parsepool import parse_many
from inbox.parsing import parse_mail

SAMPLES = sorted((Path(__file__).resolve().parents[2] / "inbox" / "samples").glob("*.eml"))


def test_the_pool_parses_like_this_process_in_order():
    raws = [path.read_bytes() for path in SAMPLES] * 3
    pooled = parse_many(raws, max_attachment_bytes=1000, pool_from=1)
    assert pooled == [parse_mail(raw, max_attachment_bytes=1000) for raw in raws]
