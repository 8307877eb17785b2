"""Run a management command and print the peak resident memory, in kB, of this process
together with every process it started (the sync's mail parsing workers), shared pages
counted once.

This process's own peak is its VmHWM: it belongs to the address space made at exec, so
unlike ru_maxrss it does not count the parent's pages that a fork copied before exec. The
workers come and go, so the whole tree's resident memory is sampled while the command runs
and the highest sum is kept; the larger of the two is printed.
"""

import os
import sys
import threading
from pathlib import Path


def _children() -> dict[int, list[int]]:
    tree: dict[int, list[int]] = {}
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except OSError:  # the process ended while being read
            continue
        tree.setdefault(int(fields[1]), []).append(int(stat.parent.name))
    return tree


def _resident_kb(pid: int) -> int:
    """Proportional resident memory (Pss): pages shared between the fork server and its
    workers are counted once across them, not once per process."""
    try:
        for line in Path(f"/proc/{pid}/smaps_rollup").read_text().splitlines():
            if line.startswith("Pss:"):
                return int(line.split()[1])
    except (OSError, IndexError, ValueError):
        pass
    return 0


def tree_resident_kb(root: int) -> int:
    tree, total, todo = _children(), 0, [root]
    while todo:
        pid = todo.pop()
        total += _resident_kb(pid)
        todo.extend(tree.get(pid, []))
    return total


def main() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "sellerdesk.settings")
    import django

    django.setup()
    from django.core.management import call_command

    peak, done = [0], threading.Event()

    def sample() -> None:
        while not done.wait(0.02):
            peak[0] = max(peak[0], tree_resident_kb(os.getpid()))

    sampler = threading.Thread(target=sample, daemon=True)
    sampler.start()
    try:
        call_command(*sys.argv[1:])
    finally:
        done.set()
        sampler.join()
    with open("/proc/self/status") as status:
        for line in status:
            if line.startswith("VmHWM:"):
                print("PEAK_KB", max(peak[0], int(line.split()[1])))


if __name__ == "__main__":
    main()
