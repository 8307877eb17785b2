"""Project-wide guarantees: migrations match the models, schedules are never duplicated,
and `rundesk` serves the desk with its worker."""

import io
import os
import re
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
import requests
from django.core.management import call_command
from django_q.models import Schedule

from sellerdesk.devservers import free_port
from sellerdesk.schedules import PREFIX, _schedules, install_schedules
from sellerdesk.tasks import worker_heartbeat

ROOT = Path(__file__).resolve().parent.parent


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


def test_rundesk_serves_the_desk_with_its_worker(tmp_path):
    """What `make run` does after setup: web server and qcluster, Ctrl-C ends both."""
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
        # The unknown samples are escalated and texted to the outbox; a text's link opens
        # the owner's page without logging in.
        escalations = session.get(f"http://127.0.0.1:{port}/escalations/", timeout=5).text
        assert "A-to-z Guarantee" in escalations and "Lin Wei" in escalations
        outbox = session.get(f"http://127.0.0.1:{port}/escalations/outbox/", timeout=5).text
        links = re.findall(rf'href="(http://127\.0\.0\.1:{port}/o/[^"]+)"', outbox)
        assert links, outbox
        owner_page = requests.get(links[0], timeout=5)
        assert owner_page.status_code == 200 and "Waiting for you" in owner_page.text
        assert "Send answer" in owner_page.text
        # Buyers wait with live clocks; the composer offers templates and earlier answers.
        buyers = session.get(f"http://127.0.0.1:{port}/buyers/", timeout=5).text
        assert "Jennifer Walsh" in buyers and " left" in buyers and "overdue by" in buyers
        assert 'hx-trigger="every 30s"' in buyers
        marcus = re.search(r'href="(/buyers/\d+/)">Marcus Lee', buyers)
        composer = session.get(f"http://127.0.0.1:{port}{marcus[1]}", timeout=5).text
        assert "Start from a template" in composer and "Delivered but not found" in composer
        assert "hand wash only" in composer
        # Amazon's figures from the demo's SP-API stand-in: one area not Good.
        home = session.get(f"http://127.0.0.1:{port}/", timeout=5).text
        assert "6 unshipped, 1 past ship-by" in home  # one a demo buyer asks about
        assert "Fair" in home and "Late Shipment Rate" in home
        amazon = session.get(f"http://127.0.0.1:{port}/amazon/", timeout=5).text
        assert "Late Shipment Rate" in amazon and "Bamboo cutting board" in amazon
        children = subprocess.run(
            ["pgrep", "-f", "-s", str(desk.pid), "manage.py qcluster"],
            capture_output=True,
            text=True,
        )
        assert children.stdout.strip(), "qcluster is not running beside the web server"
        # The worker takes tasks from the broker: an enqueued heartbeat reaches the page.
        subprocess.run(
            [
                *manage,
                "shell",
                "-c",
                "from django_q.tasks import async_task; async_task('sellerdesk.tasks.worker_heartbeat')",
            ],
            cwd=ROOT,
            env=env,
            check=True,
            timeout=60,
            capture_output=True,
        )
        deadline = time.monotonic() + 30
        while "The worker is not running" in session.get(f"http://127.0.0.1:{port}/").text:
            assert time.monotonic() < deadline, "the worker never ran the task"
            time.sleep(0.5)
    finally:
        desk.send_signal(signal.SIGINT)
        try:
            desk.wait(timeout=30)
        finally:
            os.killpg(desk.pid, signal.SIGKILL) if desk.poll() is None else None
    left = subprocess.run(["pgrep", "-s", str(desk.pid)], capture_output=True, text=True)
    assert left.stdout.strip() == "", "Ctrl-C left processes running"


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
