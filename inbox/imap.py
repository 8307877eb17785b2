"""The IMAP adapter: the only module that talks to a mail server (through imapclient), and
`connect()`, which opens a mailbox's store: this server, or the demo's file of sample mail
(`inbox.samplestore`), both behind the `MailStore` interface.

Every call has a timeout and failures raise MailServerError, which says whether trying
again later can help. Reading uses EXAMINE and BODY.PEEK, so syncing never marks mail read.
"""

import logging
import ssl

import imapclient
from django.conf import settings
from django.views.decorators.debug import sensitive_variables
from imapclient.exceptions import IMAPClientAbortError, IMAPClientError, LoginError
from imapclient.imapclient import JUNK, TRASH

from inbox.fetchreader import read_fetch
from inbox.mailstore import (
    FetchedMail,
    FolderMissing,
    FolderStatus,
    MailLoginError,
    MailServerError,
    MailStore,
    OutlinePart,
)
from inbox.samplestore import SampleMailStore
from inbox.uids import copied_uids, sequence_set
from sellerdesk import oauth
from sellerdesk.logs import outside_call
from sellerdesk.mailwords import connection_words, login_words

PROTOCOL_LOG = "imapclient.imaplib"  # imapclient's logger for every line of the protocol


def unlogged_protocol(client: imapclient.IMAPClient) -> imapclient.IMAPClient:
    """The client without imaplib's debug output unless its logger (PROTOCOL_LOG) is on:
    imapclient sets imaplib's debug level to 5, and imaplib then formats every line for
    that logger, the repr of each fetched mail twice, whether the logger keeps it or not."""
    if not logging.getLogger(PROTOCOL_LOG).isEnabledFor(logging.DEBUG):
        client._imap.debug = 0
    return client


log = logging.getLogger(__name__)

SPAM_NAMES = (
    "Spam",
    "Junk",
    "Junk E-mail",
    "Junk Email",
    "[Gmail]/Spam",
    "Bulk Mail",
    "INBOX.Spam",
)
TRASH_NAMES = ("Trash", "Deleted Items", "Deleted Messages", "[Gmail]/Trash", "INBOX.Trash")
SEEN = b"\\Seen"


def _flags(values) -> tuple[str, ...]:
    return tuple(
        (v.decode("utf-8", "replace") if isinstance(v, bytes) else str(v))
        for v in values
        if v != b"\\Recent"
    )


class ImapConnection:
    """One logged-in connection. Use as a context manager."""

    def __init__(
        self, *, host, port, use_ssl, username, password, timeout: float = 30, oauth_provider=""
    ):
        self.host, self.port, self.use_ssl = host, port, use_ssl
        self.username, self.password, self.timeout = username, password, timeout
        self.oauth_provider = oauth_provider
        self.secrets: tuple[str, ...] = (password,) if password else ()
        self.mechanism = ""  # how it signed in: LOGIN, XOAUTH2 or OAUTHBEARER
        self.capabilities: tuple[str, ...] = ()
        self.client: imapclient.IMAPClient | None = None
        self.condstore = False
        self.selected: str | None = None
        self.writable = False  # the selected folder was opened read-write (SELECT)

    def __enter__(self) -> "ImapConnection":
        self.connect()
        return self

    def __exit__(self, *exc):
        self.close()

    def _call(self, operation: str, func, *args, **kwargs):
        with outside_call("imap", operation, secrets=self.secrets) as call:
            try:
                return func(*args, **kwargs)
            except LoginError as exc:
                call.outcome = "login_refused"
                answer = _text(exc.args[0] if exc.args else "")
                raise MailLoginError(self.login_words(answer)) from None
            except TimeoutError as exc:
                raise MailServerError(
                    f"The mail server at {self.host}:{self.port} did not answer in time ({exc}).",
                    retryable=True,
                ) from None
            except (OSError, EOFError, IMAPClientAbortError) as exc:
                said = connection_words(
                    exc, host=self.host, port=self.port, where="the host name",
                    ports="993 with TLS, 143 without",
                )  # fmt: skip
                if said:
                    raise MailServerError(said[0], retryable=said[1]) from None
                raise MailServerError(
                    f"Cannot reach the mail server at {self.host}:{self.port}: {exc}",
                    retryable=True,
                ) from None
            except IMAPClientError as exc:
                text = str(exc)
                raise MailServerError(
                    f"The mail server refused {operation}: {text}",
                    retryable="NONEXISTENT" not in text and "doesn't exist" not in text,
                ) from None
            except (ValueError, KeyError, IndexError, TypeError) as exc:
                # imapclient could not read the server's answer; the command may have been
                # carried out. Every caller's work is safe to repeat, so it is retried.
                call.outcome = "unreadable_answer"
                raise MailServerError(
                    f"The mail server's answer to {operation} could not be read: {exc}",
                    retryable=True,
                ) from None

    def connect(self) -> None:
        context = ssl.create_default_context() if self.use_ssl else None
        self.client = self._call(
            "connect",
            imapclient.IMAPClient,
            self.host,
            port=self.port,
            ssl=self.use_ssl,
            ssl_context=context,
            timeout=self.timeout,
        )
        unlogged_protocol(self.client)
        self.client.normalise_times = False  # keep the server's time zone: aware datetimes
        if self.oauth_provider:
            self._oauth_login()
        else:
            self._call("login", self.client.login, self.username, self.password)
            self.mechanism = "LOGIN"
        capabilities = self._call("capability", self.client.capabilities)
        self.capabilities = tuple(_text(c) for c in capabilities)
        if b"CONDSTORE" in capabilities:
            self._call("enable", self.client.enable, "CONDSTORE")
            self.condstore = True
        self.can_move = b"MOVE" in capabilities

    @sensitive_variables("token")
    def _oauth_login(self) -> None:
        """SASL OAUTHBEARER where the server offers it, else XOAUTH2, with the grant's access
        token; a refused token is renewed and tried once more (it may have been revoked
        early, or the clock is off)."""
        try:
            oauth.check_transport(host=self.host, encrypted=self.use_ssl, what=self.host)
        except oauth.OAuthProblem as exc:
            raise MailLoginError(str(exc)) from None
        offered = self._call("capability", self.client.capabilities)
        bearer = b"AUTH=OAUTHBEARER" in offered
        self.mechanism = "OAUTHBEARER" if bearer else "XOAUTH2"
        for renew in (False, True):
            token = self._access_token(renew=renew)
            self.secrets = (token,)
            login = self.client.oauthbearer_login if bearer else self.client.oauth2_login
            try:
                self._call("login " + self.mechanism.lower(), login, self.username, token)
                return
            except MailLoginError:
                if renew:
                    raise

    def _access_token(self, *, renew: bool) -> str:
        try:
            return oauth.access_token(self.oauth_provider, self.username, renew=renew)
        except oauth.OAuthProblem as exc:
            if exc.retryable:
                raise MailServerError(str(exc), retryable=True) from None
            raise MailLoginError(str(exc)) from None

    def login_words(self, answer: str) -> str:
        """The server's refusal of a login, in words that say what to do."""
        return login_words(
            host=self.host,
            username=self.username,
            answer=answer,
            oauth_provider=self.oauth_provider,
        )

    def close(self) -> None:
        if self.client is not None:
            try:
                self.client.logout()
            except Exception:  # already gone: nothing left to close
                try:
                    self.client.shutdown()
                except Exception:
                    log.debug("imap shutdown after failed logout also failed")
            self.client = None

    def folder_names(self, *, spam_override: str = "", trash_override: str = "") -> dict:
        """The server's names for the Inbox, Spam and Trash folders."""
        listed = self._call("list", self.client.list_folders)
        by_flag, names = {}, set()
        for flags, _delim, name in listed:
            names.add(name)
            for flag in flags:
                by_flag.setdefault(flag, name)

        def pick(override, flag, candidates, label):
            if override:
                if override not in names:
                    raise FolderMissing(f"The {label} folder {override!r} does not exist.")
                return override
            if flag in by_flag:
                return by_flag[flag]
            lowered = {n.lower(): n for n in names}
            for candidate in candidates:
                if candidate.lower() in lowered:
                    return lowered[candidate.lower()]
            return None

        return {
            "inbox": "INBOX",
            "spam": pick(spam_override, JUNK, SPAM_NAMES, "Spam"),
            "trash": pick(trash_override, TRASH, TRASH_NAMES, "Trash"),
        }

    def examine(self, folder: str) -> FolderStatus:
        """Open `folder` read-only and return where it stands."""
        self.selected, self.writable = None, False
        info = self._call(f"examine {folder}", self.client.select_folder, folder, readonly=True)
        self.selected = folder
        return FolderStatus(
            uidvalidity=int(info[b"UIDVALIDITY"]),
            uidnext=int(info[b"UIDNEXT"]) if b"UIDNEXT" in info else None,
            highest_modseq=int(info[b"HIGHESTMODSEQ"]) if b"HIGHESTMODSEQ" in info else None,
            exists=int(info.get(b"EXISTS", 0)),
        )

    def _open(self, folder: str) -> None:
        """Select `folder` read-write, unless it is selected so already: one round trip
        less for each further chunk of moves or flags in the same folder."""
        if self.selected == folder and self.writable:
            return
        self.selected, self.writable = None, False
        self._call(f"select {folder}", self.client.select_folder, folder)
        self.selected, self.writable = folder, True

    def uids_after(self, last_uid: int) -> list[int]:
        found = self._call("search", self.client.search, ["UID", f"{last_uid + 1}:*"])
        return sorted(uid for uid in found if uid > last_uid)

    def all_uids(self) -> set[int]:
        return set(self._call("search", self.client.search, "ALL"))

    def _uid_fetch(self, operation: str, uids, items: list[str]) -> dict:
        """UID FETCH with the UIDs sent as a compact set (1:9000,9002), which imapclient's
        fetch() cannot send: a list of 100,000 UIDs is longer than servers accept."""

        def run():
            client = self.client
            tag = client._imap._command("UID", "FETCH", sequence_set(uids), f"({' '.join(items)})")
            typ, data = client._imap._command_complete("FETCH", tag)
            client._checkok("fetch", typ, data)
            typ, data = client._imap._untagged_response(typ, data, "FETCH")
            return read_fetch(data, client.normalise_times)

        return self._call(operation, run)

    def sizes(self, uids: list[int]) -> dict[int, int]:
        data = self._uid_fetch("fetch sizes", uids, ["RFC822.SIZE"])
        return {uid: int(item.get(b"RFC822.SIZE", 0)) for uid, item in data.items()}

    def fetch(self, uids: list[int]) -> list[FetchedMail]:
        wanted = set(uids)
        data = self._uid_fetch("fetch", uids, ["BODY.PEEK[]", "FLAGS", "INTERNALDATE"])
        data = {uid: item for uid, item in data.items() if uid in wanted}
        return [
            FetchedMail(
                uid=uid,
                flags=_flags(item.get(b"FLAGS", ())),
                raw=item.get(b"BODY[]") or b"",
                internaldate=item.get(b"INTERNALDATE"),
            )
            for uid, item in sorted(data.items())
        ]

    def fetch_outline(self, uid: int, *, text_limit: int, keep_limit: int) -> FetchedMail:
        """A large mail without its large parts: header, structure, the text parts (cut at
        `text_limit`) and the attachments no larger than `keep_limit`."""
        wanted = ["BODY.PEEK[HEADER]", "BODYSTRUCTURE", "FLAGS", "INTERNALDATE", "RFC822.SIZE"]
        item = self._call("fetch outline", self.client.fetch, [uid], wanted).get(uid, {})
        parts = list(_leaves(item.get(b"BODYSTRUCTURE")))
        for part in parts:
            is_text = part.content_type in ("text/plain", "text/html")
            if is_text and part.disposition != "attachment" and not part.filename:
                spec = f"BODY.PEEK[{part.part}]<0.{text_limit}>"
                key = f"BODY[{part.part}]<0>".encode()
                part.truncated = part.size > text_limit
            elif part.size <= keep_limit:
                spec, key = f"BODY.PEEK[{part.part}]", f"BODY[{part.part}]".encode()
            else:
                continue
            data = self._call("fetch part", self.client.fetch, [uid], [spec]).get(uid, {})
            part.content = data.get(key, b"")
        return FetchedMail(
            uid=uid,
            flags=_flags(item.get(b"FLAGS", ())),
            raw=item.get(b"BODY[HEADER]") or b"",
            internaldate=item.get(b"INTERNALDATE"),
            size=int(item.get(b"RFC822.SIZE", 0)),
            parts=parts,
        )

    def flags_changed_since(self, modseq: int | None, known: list[int]) -> dict:
        """Flags of the mail changed since `modseq` (all of `known` without CONDSTORE)."""
        if modseq is not None and self.condstore:
            uids = self._call("search modseq", self.client.search, ["MODSEQ", str(modseq + 1)])
        else:
            uids = known
        if not uids:
            return {}
        data = self._uid_fetch("fetch flags", uids, ["FLAGS"])
        return {uid: _flags(item.get(b"FLAGS", ())) for uid, item in data.items()}

    def fetch_part(self, folder: str, uid: int, part: str) -> bytes:
        self.examine(folder)
        key = f"BODY[{part}]".encode()
        data = self._call("fetch part", self.client.fetch, [uid], [f"BODY.PEEK[{part}]"])
        return (data.get(uid) or {}).get(key, b"")

    def move(self, folder: str, uids: list[int], destination: str) -> dict[int, int]:
        """Move mail; returns {old UID: new UID} as far as the server says (UIDPLUS)."""
        self._open(folder)
        untagged = self.client._imap.untagged_responses
        mapping: dict[int, int] = {}
        ordered = sorted(uids)
        for start in range(0, len(ordered), 1000):
            chunk = sequence_set(ordered[start : start + 1000])
            untagged.pop("COPYUID", None)
            if self.can_move:
                self._call("move", self.client.move, chunk, destination)
            else:
                # Without MOVE: copy, then flag the original deleted. It is left for the
                # mailbox's own expunge; the desk never expunges.
                self._call("copy", self.client.copy, chunk, destination)
                self._call(
                    "flag deleted", self.client.add_flags, chunk, [b"\\Deleted"], silent=True
                )
            mapping.update(copied_uids(untagged.pop("COPYUID", None)))
        return mapping

    def find_by_message_id(self, folder: str, message_id: str) -> int | None:
        self._open(folder)
        found = self._call("search", self.client.search, ["HEADER", "Message-ID", message_id])
        return max(found) if found else None

    def set_seen(self, folder: str, uids: list[int], seen: bool) -> None:
        """Add or remove \\Seen. STORE .SILENT: the server sends no FETCH answer per mail,
        and imapclient reads back nothing it could misread for a compact UID set (2:3)."""
        self._open(folder)
        change = self.client.add_flags if seen else self.client.remove_flags
        ordered = sorted(uids)
        for start in range(0, len(ordered), 1000):
            chunk = sequence_set(ordered[start : start + 1000])
            self._call("store flags", change, chunk, [SEEN], silent=True)

    def idle(self, folder: str, seconds: float, started=None) -> bool:
        """Wait up to `seconds` for the server to report a change in `folder`. `started`,
        if given, is called with the folder's status once the server is listening: from
        then on every change is reported; what came before, the status shows."""
        status = self.examine(folder)
        self._call("idle", self.client.idle)
        try:
            if started is not None:
                started(status)
            responses = self._call("idle wait", self.client.idle_check, timeout=seconds)
        finally:
            self._call("idle done", self.client.idle_done)
        return bool(responses)


def connect(mailbox, *, timeout: float | None = None) -> MailStore:
    """The store behind a Mailbox row: its IMAP server, or the demo's sample file."""
    if mailbox.demo_file:
        return SampleMailStore(mailbox.demo_file)
    return ImapConnection(
        host=mailbox.host,
        port=mailbox.port,
        use_ssl=mailbox.use_ssl,
        username=mailbox.username,
        password=mailbox.password,
        timeout=timeout or settings.IMAP_TIMEOUT,
        oauth_provider=mailbox.oauth_provider,
    )


def _text(value) -> str:
    if value is None:
        return ""
    return value.decode("utf-8", "replace") if isinstance(value, bytes) else str(value)


def _params(values) -> dict[str, str]:
    if not isinstance(values, tuple | list):
        return {}
    items = [_text(v) for v in values]
    return {items[i].lower(): items[i + 1] for i in range(0, len(items) - 1, 2)}


def _leaves(body, number: str = ""):
    """The leaf parts of a BODYSTRUCTURE, numbered as IMAP numbers them (1, 2.1, ...)."""
    if body is None:
        return
    if getattr(body, "is_multipart", False):
        for index, child in enumerate(body[0], start=1):
            yield from _leaves(child, f"{number}.{index}" if number else str(index))
        return
    kind = f"{_text(body[0])}/{_text(body[1])}".lower()
    params = _params(body[2])
    # Text has a line count after the size, message/rfc822 three fields: the disposition
    # sits at a different place in each.
    if kind.startswith("text/"):
        at = 9
    elif kind == "message/rfc822":
        at = 11
    else:
        at = 8
    disposition, filename = "", params.get("name", "")
    if len(body) > at and isinstance(body[at], tuple) and body[at]:
        disposition = _text(body[at][0]).lower()
        filename = _params(body[at][1] if len(body[at]) > 1 else None).get("filename", filename)
    yield OutlinePart(
        part=number or "1",
        content_type=kind[:100],
        charset=params.get("charset", ""),
        encoding=_text(body[5]).lower(),
        size=int(body[6] or 0),
        filename=filename,
        disposition=disposition,
    )
