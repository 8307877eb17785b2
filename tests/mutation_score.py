"""Print mutmut's kill rate from its exported stats, and every survivor with the reason no
test kills it (tests/mutation_equivalents.toml) or as owed a test; exit 1 under the floor.
`make mutate` runs it and writes the same report to var/mutmut-report.md."""

import argparse
import datetime
import json
import os
import re
import sys
import tomllib

SURVIVED = re.compile(r"^\s*(\S+): survived\s*$")


def survivors(path: str | None) -> list[str]:
    if not path or not os.path.exists(path):
        return []
    with open(path) as handle:
        return sorted(m[1] for line in handle if (m := SURVIVED.match(line)))


def reasons(path: str | None) -> dict[str, str]:
    if not path:
        return {}
    with open(path, "rb") as handle:
        table = tomllib.load(handle)
    return {
        name: entry["why"] for entry in table.get("equivalent", []) for name in entry["mutants"]
    }


def report(stats: dict, alive: list[str], why: dict[str, str], seconds: float | None) -> str:
    checked = stats["total"] - stats["skipped"]
    killed = stats["killed"] + stats["timeout"]
    rate = 100 * killed / max(checked, 1)
    took = f", in {seconds // 60:.0f} min {seconds % 60:.0f} s" if seconds else ""
    lines = [
        f"Last run: {datetime.date.today().isoformat()}, {checked:,} mutants, {killed:,} killed "
        f"({stats['timeout']} by timeout), {rate:.1f}%{took} on {os.cpu_count()} cores; "
        f"{len(alive)} survived, {stats['no_tests']} without tests.",
    ]
    grouped: dict[str, list[str]] = {}
    owed = []
    for name in alive:
        if name in why:
            grouped.setdefault(why[name], []).append(name)
        else:
            owed.append(name)
    if grouped:
        lines += ["", "Survivors, and why no test kills them:", ""]
        lines += [
            f"- {', '.join(f'`{n}`' for n in names)} — {reason}"
            for reason, names in grouped.items()
        ]
    if owed:
        lines += ["", "Survivors without a reason (each is owed a test):", ""]
        lines += [f"- `{name}`" for name in owed]
    return "\n".join(lines) + "\n"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("stats", help="mutmut's mutmut-cicd-stats.json")
    parser.add_argument("--at-least", type=float, default=90.0, help="the lowest kill rate, %%")
    parser.add_argument("--survivors", help="what `mutmut results` printed")
    parser.add_argument("--reasons", help="TOML of the survivors no test can kill, with why")
    parser.add_argument("--report", help="also write the report (Markdown) here")
    parser.add_argument("--seconds", type=float, help="how long the run took")
    args = parser.parse_args()
    with open(args.stats) as handle:
        stats = json.load(handle)
    text = report(stats, survivors(args.survivors), reasons(args.reasons), args.seconds)
    print(text, end="")
    if args.report:
        with open(args.report, "w") as handle:
            handle.write(text)
    checked = stats["total"] - stats["skipped"]
    rate = 100 * (stats["killed"] + stats["timeout"]) / max(checked, 1)
    print(f"kill rate: {rate:.1f}% (at least {args.at_least:g}%); `mutmut show NAME` shows one.")
    return 0 if rate >= args.at_least else 1


if __name__ == "__main__":
    sys.exit(main())
