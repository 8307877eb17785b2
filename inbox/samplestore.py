"""The demo's mailbox where no mail server is installed: the sample files, held in a state
file, behind the same interface as the IMAP adapter. The sync, the rules and every action
run through the same code; what they do "on the server" only changes this file, and the desk
labels such a mailbox as a demo with simulated server actions."""

import fcntl
import json
import time
from contextlib import contextmanager
from pathlib import Path

from inbox.mailstore import FetchedMail, FolderStatus, MailServerError

FOLDERS = ("INBOX", "Spam", "Trash")


class SampleMailStore:
    """A mailbox in a JSON file: {folder: {uidvalidity, uidnext, modseq, mail: {uid: {...}}}}."""

    condstore = True
    can_move = True

    def __init__(self, path: Path):
        self.path = Path(path)
        self.selected: str | None = None

    @classmethod
    def create(cls, path: Path, mails: list[tuple[str, bytes]]) -> "SampleMailStore":
        """A new store holding `mails` as (folder, raw bytes)."""
        state = {f: {"uidvalidity": int(time.time()), "uidnext": 1, "modseq": 1, "mail": {}}
                 for f in FOLDERS}  # fmt: skip
        for folder, raw in mails:
            box = state[folder]
            box["mail"][str(box["uidnext"])] = {
                "raw": raw.decode("latin-1"), "flags": [], "modseq": 1,
            }  # fmt: skip
            box["uidnext"] += 1
        path = Path(path)
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(json.dumps(state))
        return cls(path)

    def __enter__(self):
        if not self.path.exists():
            raise MailServerError(f"The demo mail file {self.path} is missing.", retryable=False)
        return self

    def __exit__(self, *exc):
        return None

    @contextmanager
    def _state(self, write: bool = False):
        with open(self.path, "r+" if write else "r") as handle:
            fcntl.flock(handle, fcntl.LOCK_EX if write else fcntl.LOCK_SH)
            state = json.load(handle)
            yield state
            if write:
                handle.seek(0)
                handle.truncate()
                json.dump(state, handle)

    def _box(self, state, folder: str) -> dict:
        if folder not in state:
            raise MailServerError(f"The demo mailbox has no folder {folder!r}.", retryable=False)
        return state[folder]

    def folder_names(self, *, spam_override: str = "", trash_override: str = "") -> dict:
        return {
            "inbox": "INBOX",
            "spam": spam_override or "Spam",
            "trash": trash_override or "Trash",
        }

    def examine(self, folder: str) -> FolderStatus:
        with self._state() as state:
            box = self._box(state, folder)
            self.selected = folder
            return FolderStatus(box["uidvalidity"], box["uidnext"], box["modseq"], len(box["mail"]))

    def _mail(self):
        with self._state() as state:
            return self._box(state, self.selected)["mail"]

    def uids_after(self, last_uid: int) -> list[int]:
        return sorted(int(uid) for uid in self._mail() if int(uid) > last_uid)

    def all_uids(self) -> set[int]:
        return {int(uid) for uid in self._mail()}

    def sizes(self, uids: list[int]) -> dict[int, int]:
        mail = self._mail()
        return {uid: len(mail[str(uid)]["raw"]) for uid in uids if str(uid) in mail}

    def fetch(self, uids: list[int]) -> list[FetchedMail]:
        mail = self._mail()
        return [
            FetchedMail(
                uid, tuple(mail[str(uid)]["flags"]), mail[str(uid)]["raw"].encode("latin-1"), None
            )
            for uid in sorted(uids)
            if str(uid) in mail
        ]

    def fetch_outline(self, uid: int, *, text_limit: int, keep_limit: int) -> FetchedMail:
        return self.fetch([uid])[0]

    def fetch_part(self, folder: str, uid: int, part: str) -> bytes:
        raise MailServerError(
            "The demo mailbox keeps every attachment in the desk.", retryable=False
        )

    def flags_changed_since(self, modseq: int | None, known: list[int]) -> dict:
        return {int(uid): tuple(m["flags"]) for uid, m in self._mail().items()
                if modseq is None or m["modseq"] > modseq}  # fmt: skip

    def move(self, folder: str, uids: list[int], destination: str) -> dict[int, int]:
        mapping = {}
        with self._state(write=True) as state:
            source, target = self._box(state, folder), self._box(state, destination)
            for uid in sorted(uids):
                mail = source["mail"].pop(str(uid), None)
                if mail is None:
                    continue
                new = target["uidnext"]
                target["uidnext"] += 1
                target["modseq"] += 1
                mail["modseq"] = target["modseq"]
                target["mail"][str(new)] = mail
                mapping[uid] = new
            source["modseq"] += 1
        return mapping

    def find_by_message_id(self, folder: str, message_id: str) -> int | None:
        return None

    def set_seen(self, folder: str, uids: list[int], seen: bool) -> None:
        with self._state(write=True) as state:
            box = self._box(state, folder)
            box["modseq"] += 1
            for uid in uids:
                mail = box["mail"].get(str(uid))
                if mail is not None:
                    flags = set(mail["flags"]) - {"\\Seen"}
                    mail["flags"] = sorted(flags | ({"\\Seen"} if seen else set()))
                    mail["modseq"] = box["modseq"]

    def idle(self, folder: str, seconds: float, started=None) -> bool:
        if started is not None:
            started(self.examine(folder))
        time.sleep(seconds)
        return False
