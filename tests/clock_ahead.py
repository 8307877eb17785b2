"""Run pytest with the system clock moved ahead (`make test-ahead`; CI runs it): a test that
freezes the clock and then checks against the real one, or that holds a date, fails the day
it is written rather than the day it goes off.

The clock is moved for this process and everything it starts (the desk's commands, Dovecot,
Chromium) by libfaketime; monotonic clocks are left alone, so timeouts and sleeps keep
their length.

    python tests/clock_ahead.py [--days N] [pytest arguments ...]
"""

import argparse
import os
import sys

import libfaketime


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--days", type=int, default=365, help="how far ahead (default 365)")
    args, pytest_args = parser.parse_known_args()
    _, preload = libfaketime.get_reload_information()
    env = {
        **os.environ,
        # The package's settings as a whole: without its monotonic fix switched off, a
        # server the tests start (Dovecot) stops answering a while in.
        **preload,
        "FAKETIME": f"{args.days:+d}d",
        "FAKETIME_DONT_FAKE_MONOTONIC": "1",
        "FAKETIME_DID_REEXEC": "true",
    }
    print(f"Clock moved {args.days:+d} days for the test run.", flush=True)
    os.execvpe(sys.executable, [sys.executable, "-m", "pytest", *pytest_args], env)  # noqa: S606


if __name__ == "__main__":
    main()
