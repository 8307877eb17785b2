"""`make bench`: run every benchmark against a throw-away test database, print the table,
exit non-zero when any figure misses its target."""

import importlib
import os
import pkgutil
import sys


def main() -> int:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "sellerdesk.settings")
    import django

    django.setup()
    import logging

    # One log line per IMAP command, or per queued task, would bury the table.
    logging.getLogger("sellerdesk.outside").setLevel(logging.WARNING)
    logging.getLogger("django-q").setLevel(logging.WARNING)
    from django.db import connection
    from django.test.utils import setup_test_environment, teardown_test_environment

    import benchmarks

    names = sorted(
        m.name for m in pkgutil.iter_modules(benchmarks.__path__) if m.name.startswith("bench_")
    )
    only = sys.argv[1:]
    if only:
        names = [n for n in names if any(word in n for word in only)]

    setup_test_environment()
    old_name = connection.creation.create_test_db(verbosity=0, autoclobber=True)
    figures = []
    try:
        print(f"{'figure':<48}  {'value':>10}  target")
        for name in names:
            module = importlib.import_module(f"benchmarks.{name}")
            for figure in module.run():
                print(figure.line(), flush=True)
                figures.append(figure)
        if not figures:
            print("(no benchmarks yet)")
    finally:
        connection.creation.destroy_test_db(old_name, verbosity=0)
        teardown_test_environment()
    missed = [f.name for f in figures if not f.ok]
    if missed:
        print(f"MISSED: {', '.join(missed)}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
