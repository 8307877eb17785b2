"""`make bench`: run every benchmark against a throw-away test database, print the table,
exit non-zero when any figure misses its target.

Run on SQLite (no `DATABASE_URL`), it then runs the same benchmarks on PostgreSQL, the engine
for production, at `BENCH_POSTGRES_URL` (default a local server; the test database beside
it is made and dropped). `python -m benchmarks [name ...]` runs only the benchmarks whose
module names hold one of the names, on the configured engine only."""

import importlib
import os
import pkgutil
import subprocess
import sys

POSTGRES_URL = "postgres://postgres@127.0.0.1:5432/sellerdesk_bench"


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
    only = [name for name in sys.argv[1:] if name != "all"]
    if only:
        names = [n for n in names if any(word in n for word in only)]

    setup_test_environment()
    old_name = connection.creation.create_test_db(verbosity=0, autoclobber=True)
    figures = []
    try:
        print(f"== {connection.display_name}, {os.cpu_count()} cores")
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
    if connection.vendor == "sqlite" and not only and not _on_postgresql():
        missed.append("PostgreSQL")
    return 1 if missed else 0


def _on_postgresql() -> bool:
    """The same benchmarks on PostgreSQL, in a process of its own; whether all held."""
    url = os.environ.get("BENCH_POSTGRES_URL", POSTGRES_URL)
    print(flush=True)
    try:
        import psycopg

        from sellerdesk.env import env_database

        config = env_database("BENCH_POSTGRES_URL", POSTGRES_URL)
        psycopg.connect(
            host=config["HOST"], port=config["PORT"] or 5432, user=config["USER"],
            password=config["PASSWORD"], dbname="postgres", connect_timeout=5,
        ).close()  # fmt: skip
    except Exception as error:  # any reason it cannot be reached is said
        print(f"== PostgreSQL: MISS, not run: no server at {url} ({error}).")
        print("   Start one, or set BENCH_POSTGRES_URL to one where a test database may be made.")
        return False
    env = {**os.environ, "DATABASE_URL": url}
    return subprocess.run([sys.executable, "-m", "benchmarks", "all"], env=env).returncode == 0


if __name__ == "__main__":
    sys.exit(main())
