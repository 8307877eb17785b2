"""Print mutmut's kill rate from its exported stats; exit 1 under the floor. `make mutate`."""

import argparse
import json
import sys


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("stats", help="mutmut's mutmut-cicd-stats.json")
    parser.add_argument("--at-least", type=float, default=90.0, help="the lowest kill rate, %%")
    args = parser.parse_args()
    with open(args.stats) as handle:
        stats = json.load(handle)
    checked = stats["total"] - stats["skipped"]
    killed = stats["killed"] + stats["timeout"]
    rate = 100 * killed / max(checked, 1)
    print(
        f"mutants: {checked}, killed: {killed}, survived: {stats['survived']}, "
        f"no tests: {stats['no_tests']}, kill rate: {rate:.1f}% (at least {args.at_least:g}%)"
    )
    print("Survivors are listed in var/mutmut-survivors.txt; `mutmut show NAME` shows one.")
    return 0 if rate >= args.at_least else 1


if __name__ == "__main__":
    sys.exit(main())
