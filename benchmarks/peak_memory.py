"""Run a management command and print this process's peak resident memory in kB.

VmHWM belongs to the address space made at exec, so unlike ru_maxrss it does not count
the parent's pages that a fork copied before exec.
"""

import os
import sys


def main() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "sellerdesk.settings")
    import django

    django.setup()
    from django.core.management import call_command

    call_command(*sys.argv[1:])
    with open("/proc/self/status") as status:
        for line in status:
            if line.startswith("VmHWM:"):
                print("PEAK_KB", line.split()[1])


if __name__ == "__main__":
    main()
