import signal
import subprocess
import sys
import time

from django.core.management.base import BaseCommand


class Command(BaseCommand):
    help = (
        "Serve the desk and its worker together: the web server and `qcluster` as two "
        "processes. Ctrl-C stops both; if either stops, so does the other."
    )

    def add_arguments(self, parser):
        parser.add_argument("--addr", default="127.0.0.1:8000", help="host:port to serve on.")

    def handle(self, *args, **opts):
        manage = [sys.executable, "manage.py"]
        procs = {
            "worker": subprocess.Popen([*manage, "qcluster"]),
            "web": subprocess.Popen([*manage, "runserver", "--noreload", opts["addr"]]),
        }
        self.stdout.write(f"SellerDesk at http://{opts['addr']}/ with its worker. Ctrl-C stops.")

        def stop(*_):
            raise KeyboardInterrupt

        # Set both: a process started in the background inherits SIGINT ignored.
        signal.signal(signal.SIGINT, stop)
        signal.signal(signal.SIGTERM, stop)
        try:
            while all(p.poll() is None for p in procs.values()):
                time.sleep(0.5)
            ended = [name for name, p in procs.items() if p.poll() is not None]
            self.stderr.write(f"{', '.join(ended)} stopped; stopping the rest.")
        except KeyboardInterrupt:
            pass
        finally:
            for proc in procs.values():
                if proc.poll() is None:
                    proc.terminate()  # both stop cleanly on SIGTERM
            deadline = time.monotonic() + 15
            for proc in procs.values():
                try:
                    proc.wait(timeout=max(0.1, deadline - time.monotonic()))
                except subprocess.TimeoutExpired:
                    proc.kill()
