"""Benchmarks: each module `bench_*.py` here defines `run() -> list[Figure]`.

Every figure is a ratio or a count measured against a baseline in the same run, never a
wall-clock time on its own, so the table means the same on a slow or a busy machine.
"""

from dataclasses import dataclass

from django.db import connection


@dataclass
class Figure:
    name: str
    value: float
    target: str
    ok: bool

    def line(self) -> str:
        value = f"{self.value:.2f}" if isinstance(self.value, float) else str(self.value)
        verdict = "ok" if self.ok else "MISS"
        return f"{self.name:<48}  {value:>10}  target {self.target:<14}  {verdict}"


def gather_statistics() -> None:
    """PostgreSQL plans from statistics that autovacuum gathers on a running server once a
    tenth of a table has changed; a benchmark that loads a table and times it at once would
    time plans made for empty tables (and autovacuum may be off where it runs)."""
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")
