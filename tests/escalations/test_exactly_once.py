"""Exactly once: 500 escalations, two worker processes sending at once, a Twilio stand-in
that fails or hangs after accepting on every fifth call, one worker killed mid-run. Then a
normal worker runs until nothing is left. Twilio must have accepted exactly one text per
escalation step. (PostgreSQL in CI's second run.)"""

import signal
import subprocess
import sys
import time
from collections import Counter
from datetime import timedelta

import pytest
import time_machine
from django.utils import timezone

from escalations.chase import notify_due
from escalations.delivery import deliver_due
from escalations.models import Escalation, EscalationPolicy, Notification
from tests.conftest import ROOT, manage_env
from tests.escalations.fixtures import twilio_settings

pytestmark = pytest.mark.django_db(transaction=True)


def test_500_escalations_two_workers_flaky_twilio_one_worker_killed(twilio, assistant,
                                                                    settings, tmp_path):  # fmt: skip
    EscalationPolicy.objects.update_or_create(pk=1, defaults={"digest_minutes": 0})
    now = timezone.now()
    Escalation.objects.bulk_create(
        Escalation(about="note", summary=f"Supplier {n} asks about the order of week {n % 52}.",
                   next_step_at=now)
        for n in range(500)
    )  # fmt: skip
    twilio.flaky_every, twilio.hang_seconds = 5, 0.8
    settings.TWILIO_TIMEOUT = 0.4
    env = manage_env(**twilio_settings(twilio.base_url), TWILIO_TIMEOUT="0.4")
    logs = [tmp_path / f"worker{n}.log" for n in range(2)]
    workers = [
        subprocess.Popen([sys.executable, "manage.py", "notify_due", "--drain"], cwd=ROOT, env=env,
                         stdout=log.open("wb"), stderr=subprocess.STDOUT)
        for log in logs
    ]  # fmt: skip
    deadline = time.monotonic() + 120
    while len(twilio.accepted) < 150 and time.monotonic() < deadline:
        assert any(w.poll() is None for w in workers), [log.read_text() for log in logs]
        time.sleep(0.02)
    # Kill one that is still at work. (A worker that found everything taken by the other,
    # which was still writing it, drains nothing and ends: that is right, and it may.)
    victim = next(w for w in workers if w.poll() is None)
    victim.send_signal(signal.SIGKILL)
    victim.wait(timeout=30)
    for worker, log in zip(workers, logs, strict=True):
        if worker is not victim:
            assert worker.wait(timeout=300) == 0, log.read_text()

    # The worker that is left, as the schedule runs it, with time moving on.
    with time_machine.travel(timezone.now(), tick=True) as clock:
        for _ in range(40):
            if not Notification.objects.exclude(state=Notification.State.SENT).exists():
                break
            clock.shift(timedelta(minutes=30))
            notify_due()
            deliver_due()

    assert Notification.objects.filter(state=Notification.State.SENT).count() == 500
    per_escalation = Counter()
    references = {e.reference for e in Escalation.objects.all()}
    for message in twilio.accepted:
        named = [word[1:] for word in message["body"].split() if word.startswith("#")]
        assert len(named) == 1 and named[0] in references, message["body"]
        per_escalation[named[0]] += 1
    assert len(per_escalation) == 500
    assert set(per_escalation.values()) == {1}, per_escalation.most_common(3)
    faults = twilio.sends // 5
    assert faults >= 100, "the stand-in failed or hung on every fifth call"
    assert Escalation.objects.filter(step=Escalation.Step.TEXTED).count() == 500
