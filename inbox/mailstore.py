"""What a mail store is to the desk: the interface the IMAP adapter (`inbox.imap`) and the
demo's file of sample mail (`inbox.samplestore`) both implement, its values and its errors.
The sync, the actions and the watcher are written against this, never against a vendor."""

from dataclasses import dataclass
from datetime import datetime
from typing import Protocol


class MailServerError(Exception):
    def __init__(self, message: str, *, retryable: bool):
        super().__init__(message)
        self.retryable = retryable


class MailLoginError(MailServerError):
    def __init__(self, message: str):
        super().__init__(message, retryable=False)


class FolderMissing(MailServerError):
    def __init__(self, message: str):
        super().__init__(message, retryable=False)


@dataclass(frozen=True)
class FolderStatus:
    uidvalidity: int
    uidnext: int | None
    highest_modseq: int | None
    exists: int


@dataclass
class OutlinePart:
    """One leaf of a mail's BODYSTRUCTURE, with its content when it was fetched."""

    part: str
    content_type: str
    charset: str
    encoding: str
    size: int  # as sent, transfer-encoded
    filename: str
    disposition: str
    content: bytes | None = None  # transfer-encoded, as the server sent it
    truncated: bool = False


@dataclass
class FetchedMail:
    uid: int
    flags: tuple[str, ...]
    raw: bytes  # the whole mail; only its header when `parts` is set
    internaldate: datetime | None
    size: int = 0
    parts: list[OutlinePart] | None = None


class MailStore(Protocol):
    """One open mailbox. Use as a context manager; every method may raise MailServerError."""

    condstore: bool
    can_move: bool

    def __enter__(self) -> "MailStore": ...
    def __exit__(self, *exc) -> None: ...
    def folder_names(self, *, spam_override: str = "", trash_override: str = "") -> dict: ...
    def examine(self, folder: str) -> FolderStatus: ...
    def uids_after(self, last_uid: int) -> list[int]: ...
    def all_uids(self) -> set[int]: ...
    def sizes(self, uids: list[int]) -> dict[int, int]: ...
    def fetch(self, uids: list[int]) -> list[FetchedMail]: ...
    def fetch_outline(self, uid: int, *, text_limit: int, keep_limit: int) -> FetchedMail: ...
    def fetch_part(self, folder: str, uid: int, part: str) -> bytes: ...
    def flags_changed_since(self, modseq: int | None, known: list[int]) -> dict: ...
    def move(self, folder: str, uids: list[int], destination: str) -> dict[int, int]: ...
    def find_by_message_id(self, folder: str, message_id: str) -> int | None: ...
    def set_seen(self, folder: str, uids: list[int], seen: bool) -> None: ...
    def idle(self, folder: str, seconds: float, started=None) -> bool: ...
