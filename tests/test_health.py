"""The worker health page: each schedule's last run and outcome, the queue, failed tasks;
linked from the checklist. The tasks run through django-q2's own scheduler and worker code."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone
from django_q.brokers import get_broker
from django_q.models import Schedule
from django_q.scheduler import scheduler
from django_q.tasks import _sync

from sellerdesk.schedules import PREFIX, install_schedules


def run_queued(broker) -> int:
    ran = 0
    while broker.queue_size():
        for task_id, payload in broker.dequeue() or []:
            _sync(payload)
            broker.acknowledge(task_id)
            ran += 1
    return ran


@pytest.mark.django_db(transaction=True)
def test_the_health_page_shows_every_schedule_its_last_run_and_the_queue(
    client, assistant, monkeypatch
):
    install_schedules()
    broker = get_broker()
    broker.delete_queue()
    client.force_login(assistant)
    assert reverse("health") in client.get(reverse("home")).content.decode()

    Schedule.objects.filter(name__startswith=PREFIX).update(
        next_run=timezone.now() - timedelta(minutes=1)
    )
    scheduler(broker)
    count = Schedule.objects.filter(name__startswith=PREFIX).count()
    page = client.get(reverse("health")).content.decode()
    assert f"Waiting: <strong>{count}</strong>" in page
    assert page.count("not yet") == count
    assert "The worker is not running" in page

    def amazon_down():
        raise RuntimeError("Amazon answered 503 three times")

    monkeypatch.setattr("dashboard.tasks.pull_amazon", amazon_down)
    assert run_queued(broker) == count

    page = client.get(reverse("health")).content.decode()
    assert "Waiting: <strong>0</strong>" in page
    assert "not yet" not in page
    assert "failed: Amazon answered 503 three times" in page
    assert page.count('<td data-label="Outcome">ok</td>') == count - 1
    assert "Failed tasks, last 24 hours: 1" in page
    assert "The worker is running" in page  # its heartbeat ran with the others


@pytest.mark.django_db
def test_a_broker_that_does_not_answer_is_shown_not_raised(client, owner, monkeypatch):
    broker_class = type(get_broker())

    def down(self):
        raise ConnectionError("Connection refused")

    monkeypatch.setattr(broker_class, "queue_size", down)
    client.force_login(owner)
    page = client.get(reverse("health")).content.decode()
    assert "The broker did not answer: ConnectionError: Connection refused" in page


@pytest.mark.django_db
def test_the_health_page_shows_the_mail_watcher_per_folder(client, owner):
    from sellerdesk.models import WorkerBeat
    from sellerdesk.tasks import watcher_beat

    client.force_login(owner)
    assert "No mail watcher has run" in client.get(reverse("health")).content.decode()
    watcher_beat("shop", "INBOX", listening=True)
    watcher_beat("shop", "Spam", listening=False)
    watcher_beat("old", "INBOX", listening=True)
    WorkerBeat.objects.filter(name="watch old/INBOX").update(
        seen_at=timezone.now() - timedelta(minutes=5)
    )
    html = client.get(reverse("health")).content.decode()
    assert "<strong>shop/INBOX</strong>: Listening, seen" in html
    assert "<strong>shop/Spam</strong>: Reconnecting" in html
    assert "<strong>old/INBOX</strong>: Not listening since" in html
