"""Project-wide guarantees: migrations match the models, schedules are never duplicated,
and `rundesk` serves the desk with its worker."""

import contextlib
import hashlib
import html
import io
import os
import re
import signal
import sqlite3
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import pytest
import requests
from django.contrib.auth import get_user_model
from django.core.management import call_command
from django_q.models import Schedule

from sellerdesk.devservers import free_port
from sellerdesk.schedules import PREFIX, _schedules, install_schedules
from sellerdesk.tasks import worker_heartbeat

ROOT = Path(__file__).resolve().parent.parent


STOP_WITHIN = 5.0  # seconds from Ctrl-C until no process of the desk is left


def descendants(*roots: int | None) -> set[int]:
    """`roots` and every process below them, read from /proc."""
    tree: dict[int, list[int]] = {}
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                ppid = int((entry / "stat").read_text().rsplit(")", 1)[1].split()[1])
            except (OSError, IndexError, ValueError):
                continue
            tree.setdefault(ppid, []).append(int(entry.name))
    found: set[int] = set()
    todo = [pid for pid in roots if pid]
    while todo:
        pid = todo.pop()
        if pid not in found:
            found.add(pid)
            todo.extend(tree.get(pid, []))
    return found


def alive(pid: int) -> bool:
    try:
        return Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0] != "Z"
    except (OSError, IndexError):
        return False


def command_line(pid: int) -> str:
    try:
        return Path(f"/proc/{pid}/cmdline").read_bytes().replace(b"\0", b" ").decode()
    except OSError:
        return ""


def demo_dovecot_pid(var_dir: Path) -> int | None:
    """The demo mailbox's Dovecot master: a daemon, so no child of rundesk."""
    key = hashlib.sha256(str(var_dir).encode()).hexdigest()[:12]
    pid_file = Path(tempfile.gettempdir()) / f"sellerdesk-demo-mail-{key}" / "run" / "master.pid"
    try:
        return int(pid_file.read_text().strip())
    except (OSError, ValueError):
        return None


def task_succeeded(database: Path, name: str) -> bool:
    with contextlib.closing(sqlite3.connect(database)) as db:
        query = "SELECT count(*) FROM django_q_task WHERE name = ? AND success"
        return db.execute(query, (name,)).fetchone()[0] > 0


@pytest.mark.django_db
def test_no_missing_migrations():
    out = io.StringIO()
    call_command("makemigrations", "--check", "--dry-run", stdout=out)
    assert "No changes detected" in out.getvalue()


@pytest.mark.django_db
def test_schedules_are_installed_once_however_often_it_runs():
    install_schedules()
    install_schedules()
    call_command("install_schedules", stdout=io.StringIO())
    names = list(Schedule.objects.filter(name__startswith=PREFIX).values_list("name", flat=True))
    assert sorted(names) == sorted(PREFIX + task.name for task in _schedules())


@pytest.mark.django_db
def test_stale_schedules_are_removed():
    Schedule.objects.create(name=PREFIX + "gone", func="x.y", schedule_type=Schedule.MINUTES)
    install_schedules()
    assert not Schedule.objects.filter(name=PREFIX + "gone").exists()


@pytest.mark.django_db
def test_home_warns_when_the_worker_is_not_running(client, assistant):
    client.force_login(assistant)
    assert b"The worker is not running" in client.get("/").content
    worker_heartbeat()
    assert b"The worker is not running" not in client.get("/").content


@pytest.mark.django_db
def test_a_worker_that_starts_is_seen_before_its_first_scheduled_beat(client, assistant):
    from django_q.signals import post_spawn

    client.force_login(assistant)
    assert b"The worker is not running" in client.get("/").content
    post_spawn.send(sender="django_q", proc_name="Process-1")
    assert b"The worker is not running" not in client.get("/").content


def test_rundesk_serves_the_desk_with_its_worker(tmp_path):
    """What `make run` does after setup: web server and qcluster, the demo logins printed
    last; Ctrl-C ends every process of the desk within STOP_WITHIN seconds."""
    env = {
        **os.environ,
        "DATABASE_URL": f"sqlite:///{tmp_path / 'desk.db'}",
        "SELLERDESK_VAR_DIR": str(tmp_path / "var"),
    }
    env.pop("REDIS_URL", None)
    env.pop("IMAP_URL", None)
    manage = [sys.executable, "manage.py"]
    subprocess.run([*manage, "migrate", "-v0"], cwd=ROOT, env=env, check=True, timeout=120)
    subprocess.run(
        [*manage, "demo"], cwd=ROOT, env=env, check=True, timeout=60, capture_output=True
    )
    port = free_port()
    desk = subprocess.Popen(
        [*manage, "rundesk", "--demo", "--addr", f"127.0.0.1:{port}"],
        cwd=ROOT,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )
    try:
        session = requests.Session()
        deadline = time.monotonic() + 30
        while True:
            try:
                login = session.get(f"http://127.0.0.1:{port}/login/", timeout=2)
                break
            except requests.ConnectionError:
                assert time.monotonic() < deadline, "the desk did not come up"
                time.sleep(0.2)
        response = session.post(
            f"http://127.0.0.1:{port}/login/",
            data={
                "username": "assistant@demo.test",
                "password": "sellerdesk-demo",
                "csrfmiddlewaretoken": session.cookies["csrftoken"],
            },
            headers={"Referer": login.url},
            timeout=5,
        )
        assert "Today's checklist" in response.text
        # The demo mailbox was served by a local Dovecot and synced before the desk opened.
        mail = session.get(f"http://127.0.0.1:{port}/mail/?folder=spam", timeout=5).text
        assert "Marcus Lee - Amazon Marketplace" in mail
        # The unknown samples are escalated and texted to the outbox: Amazon's account-level
        # mail alone (urgent), the rest in one digest naming its items. The assistant sees
        # the texts with the owner's link masked; the owner logs in to answer.
        escalations = session.get(f"http://127.0.0.1:{port}/escalations/", timeout=5).text
        assert "A-to-z Guarantee" in escalations and "Lin Wei" in escalations
        outbox = session.get(f"http://127.0.0.1:{port}/escalations/outbox/", timeout=5).text
        texts = [html.unescape(t) for t in re.findall(r'<span class="sms">(.*?)</span>', outbox)]
        assert any("A-to-z" in t and "items need you" not in t for t in texts), texts
        assert any(re.search(r"\d items need you: \S.*: ", t) for t in texts), texts
        # The texts themselves show the link masked; the demo (no SMS provider) offers the
        # owner's side of each kept text as "Open as the owner", and nowhere else.
        assert not any(re.search(r"/o/[\w\-]{12}/", t) for t in texts), texts
        opens = re.findall(r'href="(/o/[\w\-]{12}/)"[^>]*>Open as the owner<', outbox)
        assert len(opens) == len(re.findall(r"/o/[\w\-]{12}/", outbox)) == len(texts)
        owner_side = requests.get(f"http://127.0.0.1:{port}{opens[0]}", timeout=5)
        assert owner_side.status_code == 200 and "waiting for you" in owner_side.text
        # No SMS provider is set: the texts are kept, and nothing claims they were sent.
        assert "Kept, not texted (no SMS provider)" in outbox
        assert not re.search(r"<td[^>]*>(Sent|Delivered)\b", outbox), outbox
        owner = requests.Session()
        login = owner.get(f"http://127.0.0.1:{port}/login/", timeout=5)
        owner_page = owner.post(
            f"http://127.0.0.1:{port}/login/",
            data={"username": "owner@demo.test", "password": "sellerdesk-demo",
                  "csrfmiddlewaretoken": owner.cookies["csrftoken"]},
            headers={"Referer": login.url}, timeout=5,
        )  # fmt: skip
        assert owner_page.status_code == 200 and "Send answer" in owner_page.text
        # Buyers wait with live clocks; the composer offers templates and earlier answers.
        buyers = session.get(f"http://127.0.0.1:{port}/buyers/", timeout=5).text
        assert "Jennifer Walsh" in buyers and " left" in buyers and "overdue by" in buyers
        assert 'hx-trigger="every 30s"' in buyers
        marcus = re.search(r'href="(/buyers/\d+/)">Marcus Lee', buyers)
        composer = session.get(f"http://127.0.0.1:{port}{marcus[1]}", timeout=5).text
        assert "Start from a saved reply" in composer and "Delivered but not found" in composer
        assert "hand wash only" in composer
        # Amazon's figures from the demo's SP-API stand-in: one area not Good.
        home = session.get(f"http://127.0.0.1:{port}/", timeout=5).text
        assert "6 unshipped, 1 past ship-by" in home  # one a demo buyer asks about
        assert "Fair" in home and "Late Shipment Rate" in home
        amazon = session.get(f"http://127.0.0.1:{port}/amazon/", timeout=5).text
        assert "Late Shipment Rate" in amazon and "Bamboo cutting board" in amazon
        processes = descendants(desk.pid, demo_dovecot_pid(tmp_path / "var"))
        commands = [command_line(pid) for pid in processes]
        assert any("qcluster" in c for c in commands), commands
        assert any("manage.py runserver" in c for c in commands), "the web server is not running"
        # The worker said it started: no warning, although no scheduled beat has run yet.
        assert "The worker is not running" not in home
        # The worker takes tasks from the broker: an enqueued heartbeat is run.
        subprocess.run(
            [
                *manage,
                "shell",
                "-c",
                "from django_q.tasks import async_task; async_task('sellerdesk.tasks.worker_heartbeat', task_name='probe')",
            ],
            cwd=ROOT,
            env=env,
            check=True,
            timeout=60,
            capture_output=True,
        )
        deadline = time.monotonic() + 30
        while not task_succeeded(tmp_path / "desk.db", "probe"):
            assert time.monotonic() < deadline, "the worker never ran the task"
            time.sleep(0.5)
        processes |= descendants(desk.pid)

        os.killpg(desk.pid, signal.SIGINT)  # what Ctrl-C in the terminal sends
        stopped = time.monotonic() + STOP_WITHIN
        while time.monotonic() < stopped and any(map(alive, processes)):
            time.sleep(0.1)
        left = [command_line(pid) for pid in processes if alive(pid)]
        assert not left, f"still running {STOP_WITHIN} s after Ctrl-C: {left}"
        output = desk.communicate(timeout=5)[0].decode()
        # The demo logins are printed last, after the servers' own lines, and stay there.
        shown = output.split("Stopping ...")[0].strip().splitlines()
        assert shown[-4].startswith("Demo people"), output
        assert "assistant@demo.test" in shown[-3]
    finally:
        # A failed assertion must not leave the desk's process groups behind.
        leftover = descendants(desk.pid)
        if desk.poll() is None:
            os.killpg(desk.pid, signal.SIGKILL)
        for pid in leftover:
            if alive(pid):
                with contextlib.suppress(OSError):
                    os.killpg(os.getpgid(pid), signal.SIGKILL)
        if (pid := demo_dovecot_pid(tmp_path / "var")) and alive(pid):
            os.killpg(pid, signal.SIGKILL)


@pytest.mark.django_db
def test_demo_without_dovecot_serves_the_sample_mail(settings, tmp_path):
    from inbox.models import Message
    from sellerdesk.management.commands.rundesk import Command

    settings.VAR_DIR = tmp_path
    command = Command(stdout=io.StringIO(), stderr=io.StringIO())
    command.start_sample_mailbox()
    assert "simulated" in command.stdout.getvalue()
    assert Message.objects.filter(folder__role="spam").count() == 1
    assert Message.objects.filter(mailbox__demo_file__endswith="demo-mail.json").count() == 15


@pytest.mark.django_db
def test_loading_the_demo_again_keeps_everyone_signed_in(client, settings):
    """`make run` loads the demo each time: a password already the demo's is not set again
    (a new hash would sign everyone out); one changed since is put back."""
    settings.DEMO_ENABLED = True
    call_command("demo", stdout=io.StringIO())
    User = get_user_model()
    assistant = User.objects.get(email="assistant@demo.test")
    client.force_login(assistant)
    assert client.get("/").status_code == 200
    call_command("demo", stdout=io.StringIO())
    assert client.get("/").status_code == 200  # still signed in

    assistant.set_password("changed-by-hand-7")
    assistant.save()
    call_command("demo", stdout=io.StringIO())
    assistant.refresh_from_db()
    assert assistant.check_password("sellerdesk-demo")
