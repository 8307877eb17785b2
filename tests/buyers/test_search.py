"""Search in Buyers (name, order id, what the buyer wrote, what the desk replied) and in
Escalations (reference, words, mail, buyer), in every script, case folded; and the
conversation "Send and next" leads to."""

from datetime import timedelta

import pytest
from django.utils import timezone

from buyers.models import Conversation
from buyers.selectors import conversation_search, next_waiting
from escalations.models import Escalation
from escalations.selectors import escalation_search
from tests.buyers.test_suggestions import asked

pytestmark = pytest.mark.django_db


def found(text: str) -> list[str]:
    return [c.buyer_name for c in conversation_search(text=text)]


def waiting(name: str, order_id: str, *, due_in_hours: int = 20) -> Conversation:
    now = timezone.now()
    return Conversation.objects.create(
        relay_address=f"{order_id}@marketplace.amazon.com", order_id=order_id, buyer_name=name,
        waiting_since=now, due_at=now + timedelta(hours=due_in_hours),
    )  # fmt: skip


def test_a_name_is_found_whatever_its_case_in_any_script(folder):
    waiting("Иван Петров", "171-1111111-1111111")
    waiting("Jürgen Böhm", "302-2222222-2222222")
    waiting("Σοφία Παπαδοπούλου", "403-3333333-3333333")
    waiting("Marcus Lee", "111-4444444-4444444")
    waiting("محمد العلي", "171-5555555-5555555")
    assert found("العلي") == ["محمد العلي"]
    assert found("ИВАН") == ["Иван Петров"]
    assert found("иван петров") == ["Иван Петров"]
    assert found("JÜRGEN") == ["Jürgen Böhm"]
    assert found("ΣΟΦΊΑ") == ["Σοφία Παπαδοπούλου"]
    assert found("lee") == ["Marcus Lee"]
    assert found("Nobody") == []
    assert found("   ") == []


def test_an_order_id_is_found_whole_in_part_or_without_its_dashes(folder):
    waiting("Jennifer Walsh", "114-3941689-8772232")
    waiting("Marcus Lee", "111-4444444-4444444")
    assert found("114-3941689-8772232") == ["Jennifer Walsh"]
    assert found("11439416898772232") == ["Jennifer Walsh"]
    assert found("8772232") == ["Jennifer Walsh"]


def test_what_the_buyer_wrote_and_what_the_desk_replied_are_found(folder):
    asked(folder, "Die Knoblauchpresse kam zerbrochen an.")
    lost = asked(folder, "Das Paket ist nicht angekommen.", answer="Wir schicken Ersatz heute.")
    asked(folder, "荷物がまだ届きません。")
    arabic = asked(folder, "وصلت الطلبية مكسورة، أريد بديلا")
    assert found("knoblauch") == [Conversation.objects.order_by("pk")[0].buyer_name]
    assert found("ERSATZ") == [lost.conversation.buyer_name]
    assert len(found("荷物がまだ届きません")) == 1
    assert found("مكسورة") == [arabic.conversation.buyer_name]


def test_waiting_conversations_come_first_the_soonest_due_first(folder):
    waiting("Anna Later", "111-0000001-0000001", due_in_hours=20)
    waiting("Anna Sooner", "111-0000002-0000002", due_in_hours=2)
    done = waiting("Anna Answered", "111-0000003-0000003")
    Conversation.objects.filter(pk=done.pk).update(state="answered", due_at=None)
    assert found("anna") == ["Anna Sooner", "Anna Later", "Anna Answered"]


def test_send_and_next_leads_to_the_first_other_waiting_conversation(folder):
    first = waiting("First", "111-0000001-0000001", due_in_hours=1)
    second = waiting("Second", "111-0000002-0000002", due_in_hours=5)
    assert next_waiting(after=first) == second
    assert next_waiting(after=second) == first
    Conversation.objects.filter(pk=first.pk).update(state="answered")
    assert next_waiting(after=second) is None


def test_escalations_are_found_by_reference_words_and_buyer(folder):
    buyer = waiting("Иван Петров", "171-1111111-1111111")
    tax = Escalation.objects.create(about="mail", summary="Ein Steuerbescheid ist gekommen.")
    claim = Escalation.objects.create(
        about="buyer_question", summary="Asks for a refund.", conversation=buyer,
        state=Escalation.State.RESOLVED,
    )  # fmt: skip
    greek = Escalation.objects.create(about="mail", summary="Ο προμηθευτής ζητά πληρωμή.")

    def refs(text):
        return [e.reference for e in escalation_search(text=text)]

    assert refs(f"#{tax.reference}") == [tax.reference]
    assert refs(tax.reference) == [tax.reference]
    assert refs(tax.reference.lower()) == [tax.reference]
    assert set(refs(f"#{tax.reference} #{greek.reference}")) == {tax.reference, greek.reference}
    assert refs("STEUER") == [tax.reference]
    assert refs("иван") == [claim.reference]  # any state, by the buyer's name
    assert refs("171-1111111") == [claim.reference]
    assert refs("ΠΡΟΜΗΘΕΥΤΉΣ") == [greek.reference]
    assert refs("nothing like it") == []
