"""A throw-away Dovecot IMAP server on 127.0.0.1.

Any user name logs in with DovecotServer.password and gets a fresh Maildir with INBOX,
Spam (\\Junk), Trash (\\Trash) and Sent, so each test can take a user of its own.
"""

import contextlib
import os
import shutil
import signal
import tempfile
import time
from pathlib import Path

from sellerdesk.devservers import free_port, wait_for_port

DOVECOT_BIN = shutil.which("dovecot") or "/usr/sbin/dovecot"

CONFIG = """\
protocols = imap
listen = 127.0.0.1
base_dir = {root}/run
state_dir = {root}/state
log_path = {root}/dovecot.log
ssl = no
disable_plaintext_auth = no
auth_mechanisms = plain login{oauth_mechanisms}
auth_failure_delay = 0{capability}{environment}
first_valid_uid = 1
mail_location = maildir:~/Maildir
mail_fsync = never
default_login_user = dovenull
default_internal_user = dovecot
{extra_passdbs}passdb {{
  driver = static
  args = password={password}
  mechanisms = plain login
}}
userdb {{
  driver = static
  args = uid={uid} gid={gid} home={root}/home/%u
}}
service imap-login {{
  inet_listener imap {{
    address = 127.0.0.1
    port = {port}
  }}
  inet_listener imaps {{
    port = 0
  }}
}}
service anvil {{
  unix_listener anvil-auth-penalty {{
    mode = 0
  }}
}}
namespace inbox {{
  inbox = yes
  separator = /
  mailbox Spam {{
    auto = subscribe
    special_use = \\Junk
  }}
  mailbox Trash {{
    auto = subscribe
    special_use = \\Trash
  }}
  mailbox Sent {{
    auto = subscribe
    special_use = \\Sent
  }}
}}
"""


# An OAuth 2.0 passdb: tokens are checked at an introspection endpoint (RFC 7662).
OAUTH_PASSDB = """\
passdb {{
  driver = oauth2
  mechanisms = {mechanisms}
  args = {root}/oauth2.conf.ext
}}
"""
OAUTH_ARGS = """\
introspection_mode = post
introspection_url = {url}
force_introspection = yes
username_attribute = username
active_attribute = active
active_value = true
"""
# Users refused with the server's own words, whatever password they give (Microsoft's
# "Basic authentication is disabled", Google's "Application-specific password required").
REFUSE_PASSDB = """\
passdb {{
  driver = passwd-file
  mechanisms = plain login
  args = {root}/refused.passwd
}}
"""


class DovecotNotAvailable(RuntimeError):
    pass


class DovecotServer:
    password = "desk-test-pass"

    def __init__(
        self,
        root: str | None = None,
        port: int | None = None,
        *,
        oauth_introspection_url: str = "",
        oauth_mechanisms: str = "xoauth2 oauthbearer",
        capabilities: str = "",
        refused: dict[str, str] | None = None,
    ):
        """`oauth_introspection_url`: also log in with OAuth 2.0 tokens (`oauth_mechanisms`)
        checked there. `capabilities`: announce these instead of Dovecot's own (a server
        without CONDSTORE or MOVE). `refused`: user -> the words the login is refused with."""
        self.oauth_introspection_url = oauth_introspection_url
        self.oauth_mechanisms = oauth_mechanisms
        self.capabilities = capabilities
        self.refused = refused or {}
        base = "/dev/shm" if os.path.isdir("/dev/shm") else None
        self.root = Path(root or tempfile.mkdtemp(prefix="sellerdesk-dovecot-", dir=base))
        self.port = port or free_port()
        self.pid: int | None = None

    @staticmethod
    def available() -> bool:
        return os.path.exists(DOVECOT_BIN)

    @property
    def config_path(self) -> Path:
        return self.root / "dovecot.conf"

    def start(self) -> "DovecotServer":
        if not self.available():
            raise DovecotNotAvailable(
                "Dovecot is not installed (apt-get install dovecot-imapd); `make test` "
                "installs it when run as root."
            )
        import pwd

        mail_user = pwd.getpwnam("dovecot")
        self._stop_leftover()
        # The mail processes run as the dovecot user and must reach the homes below.
        self.root.mkdir(parents=True, exist_ok=True)
        self.root.chmod(0o711)
        for sub in ("run", "state", "home"):
            (self.root / sub).mkdir(parents=True, exist_ok=True)
        os.chown(self.root / "home", mail_user.pw_uid, mail_user.pw_gid)
        extra = ""
        if self.refused:
            extra += REFUSE_PASSDB.format(root=self.root)
            (self.root / "refused.passwd").write_text(
                "".join(
                    f"{user}:{{PLAIN}}{self.password}::::::nologin=y "
                    f"reason=%{{env:SELLERDESK_REFUSED_{index}}}\n"
                    for index, user in enumerate(self.refused)
                )
            )
        if self.oauth_introspection_url:
            extra += OAUTH_PASSDB.format(root=self.root, mechanisms=self.oauth_mechanisms)
            (self.root / "oauth2.conf.ext").write_text(
                OAUTH_ARGS.format(url=self.oauth_introspection_url)
            )
        self.config_path.write_text(
            CONFIG.format(
                extra_passdbs=extra,
                oauth_mechanisms=(
                    " " + self.oauth_mechanisms if self.oauth_introspection_url else ""
                ),
                capability=(
                    f"\nimap_capability = {self.capabilities}" if self.capabilities else ""
                ),
                # Extra fields are split at spaces: the words come from the environment.
                environment=(
                    "\nimport_environment = TZ "
                    + " ".join(f"SELLERDESK_REFUSED_{i}" for i in range(len(self.refused)))
                    if self.refused
                    else ""
                ),
                root=self.root,
                port=self.port,
                password=self.password,
                uid=mail_user.pw_uid,
                gid=mail_user.pw_gid,
            )
        )
        # The daemon keeps the caller's stdio open: hand it a file, never a pipe.
        with open(self.root / "start.log", "ab") as log:
            environment = {
                **os.environ,
                **{f"SELLERDESK_REFUSED_{i}": r for i, r in enumerate(self.refused.values())},
            }
            code = os.spawnve(
                os.P_WAIT, DOVECOT_BIN, [DOVECOT_BIN, "-c", str(self.config_path)], environment
            )
            log.write(f"dovecot exited {code}\n".encode())
        if code != 0:
            raise DovecotNotAvailable(f"dovecot failed to start: {self.log_tail()}")
        wait_for_port(self.port)
        self.pid = self._read_pid()
        return self

    def _read_pid(self, timeout: float = 10.0) -> int:
        """The master's pid; the port can answer a moment before the file is written."""
        pid_file = self.root / "run" / "master.pid"
        deadline = time.monotonic() + timeout
        while True:
            try:
                return int(pid_file.read_text().strip())
            except (FileNotFoundError, ValueError):
                if time.monotonic() > deadline:
                    raise DovecotNotAvailable(
                        f"dovecot wrote no pid file: {self.log_tail()}"
                    ) from None
                time.sleep(0.05)

    def _stop_leftover(self) -> None:
        """A Dovecot left running on this directory by a process that was killed."""
        pid_file = self.root / "run" / "master.pid"
        if pid_file.exists():
            with contextlib.suppress(ValueError, ProcessLookupError, PermissionError):
                os.killpg(int(pid_file.read_text().strip()), signal.SIGKILL)
                time.sleep(0.2)
            pid_file.unlink(missing_ok=True)

    def stop(self) -> None:
        if self.pid:
            # The master calls setsid: its pid is its process group.
            with contextlib.suppress(ProcessLookupError):
                os.killpg(self.pid, signal.SIGKILL)
            wait_for_port(self.port, open_=False)
            self.pid = None

    def cleanup(self) -> None:
        self.stop()
        shutil.rmtree(self.root, ignore_errors=True)

    def log_tail(self, lines: int = 20) -> str:
        log = self.root / "dovecot.log"
        return "\n".join(log.read_text().splitlines()[-lines:]) if log.exists() else ""

    def url(self, user: str, password: str | None = None) -> str:
        return f"imap://{user}:{password or self.password}@127.0.0.1:{self.port}"

    def __enter__(self):
        return self.start()

    def __exit__(self, *exc):
        self.cleanup()
