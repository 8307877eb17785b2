"""IMAP UID sets, both ways: the compact form the desk sends (`1:3,7`) and the COPYUID
answers it reads back (RFC 4315), as plain lists and mappings. Pure."""

import re


def sequence_set(uids) -> str:
    """`[1, 2, 3, 7, 9, 10]` -> `1:3,7,9:10`."""
    ordered = sorted(set(uids))
    if not ordered:
        raise ValueError("an empty UID set")
    ranges, start = [], ordered[0]
    for previous, current in zip(ordered, [*ordered[1:], None], strict=True):
        if current != previous + 1 if current is not None else True:
            ranges.append(f"{start}:{previous}" if previous != start else str(start))
            start = current
    return ",".join(ranges)


def _expand(uid_set: str) -> list[int]:
    uids = []
    for piece in uid_set.split(","):
        low, _, high = piece.partition(":")
        first, last = int(low), int(high or low)
        uids.extend(range(min(first, last), max(first, last) + 1))
    return uids


def copied_uids(responses) -> dict[int, int]:
    """{old: new} from `COPYUID <validity> <source set> <destination set>` responses."""
    mapping = {}
    for response in responses or ():
        text = response.decode() if isinstance(response, bytes) else str(response)
        match = re.search(r"(\d+)\s+([\d:,]+)\s+([\d:,]+)", text)
        if match:
            mapping.update(zip(_expand(match.group(2)), _expand(match.group(3)), strict=False))
    return mapping
