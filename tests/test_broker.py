import uuid

import pytest
from django.conf import settings
from django_q.brokers import get_broker


@pytest.mark.django_db(transaction=True)
def test_the_configured_broker_round_trips_a_task():
    """SQLite runs use the ORM broker; CI's second pass uses Redis (REDIS_URL)."""
    broker = get_broker(list_key=f"sellerdesk-test-{uuid.uuid4().hex}")
    expected = "Redis" if settings.REDIS_URL else "ORM"
    assert type(broker).__name__ == expected
    assert broker.ping()
    broker.enqueue("payload-1")
    [(task_id, payload)] = broker.dequeue()
    # Redis hands back bytes, the ORM text: django-q2 signs and decodes either.
    assert payload in ("payload-1", b"payload-1")
    broker.acknowledge(task_id)
    broker.delete_queue()
