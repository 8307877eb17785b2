"""Throw-away local servers: a Dovecot IMAP server, an SMTP sink and HTTP stand-ins.

The test suite starts them on free loopback ports; `make run` serves the demo desk with them.
Nothing here is used when the desk is pointed at real accounts.
"""

import socket


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def wait_for_port(port: int, *, open_: bool = True, timeout: float = 10.0) -> None:
    import time

    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.2):
                if open_:
                    return
        except OSError:
            if not open_:
                return
        time.sleep(0.02)
    state = "open" if open_ else "close"
    raise TimeoutError(f"port {port} did not {state} within {timeout}s")
