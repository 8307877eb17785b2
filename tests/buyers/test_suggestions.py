"""Answer suggestions kept per conversation: read back while what they were drawn from holds,
worked out again as soon as it moves, and worked out ahead by the worker."""

from datetime import timedelta
from itertools import count

import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from buyers import suggestions
from buyers.models import BuyerMessage, Conversation, OfferedAnswers, Reply
from buyers.suggestions import suggestions_for, suggestions_refresh
from escalations.models import Escalation
from escalations.services import escalation_answer, escalation_open
from inbox.models import Message, MessageContent

pytestmark = pytest.mark.django_db
NUMBERS = count(1)
LOST = "Tracking says the parcel was delivered but I cannot find the package anywhere."


def asked(folder, text: str, *, answer: str = "", conversation=None) -> BuyerMessage:
    """A buyer's question stored as the sync stores it; `answer`: a reply accepted for it."""
    n, now = next(NUMBERS), timezone.now()
    conversation = conversation or Conversation.objects.create(
        relay_address=f"b{n}@marketplace.amazon.com", order_id=f"111-{n:07d}",
        buyer_name=f"Buyer {n}", waiting_since=now, due_at=now + timedelta(hours=24),
    )  # fmt: skip
    mail = Message.objects.create(mailbox=folder.mailbox, folder=folder, origin=folder, uid=n,
                                  content_hash=f"h{n}", subject="Inquiry", date=now,
                                  from_address=conversation.relay_address, kind="buyer_message")  # fmt: skip
    MessageContent.objects.create(message=mail, text=text)
    question = BuyerMessage.objects.create(message=mail, conversation=conversation, text=text,
                                           received_at=now)  # fmt: skip
    if answer:
        answered(question, answer)
    return question


def answered(question: BuyerMessage, body: str) -> None:
    """A reply accepted for `question`, written straight to the tables (no hook runs)."""
    reply = Reply.objects.create(message=question.message, conversation=question.conversation,
                                 to="x@marketplace.amazon.com", subject="Re", body=body,
                                 from_address="shop@seller.test", state=Reply.State.SENT,
                                 header_message_id=f"<r{question.pk}@desk>")  # fmt: skip
    BuyerMessage.objects.filter(pk=question.pk).update(
        answered_at=timezone.now(), answered_by_reply=reply
    )
    Conversation.objects.filter(pk=question.conversation_id).update(
        state=Conversation.State.ANSWERED, waiting_since=None, due_at=None
    )


def searches(queries) -> int:
    return sum("inbox_message_search" in q["sql"] for q in queries.captured_queries)


def test_what_was_worked_out_is_read_back_without_searching_again(folder):
    asked(folder, LOST, answer="It is often left with a neighbour.")
    tom = asked(folder, "The package shows delivered, I cannot find the parcel.").conversation
    first = suggestions_for(conversation=tom)
    assert first and "neighbour" in first[0]["answer"]
    with CaptureQueriesContext(connection) as queries:
        assert suggestions_for(conversation=tom) == first
    assert searches(queries) == 0
    assert OfferedAnswers.objects.get(conversation=tom).offered == first


def test_an_answer_sent_after_they_were_worked_out_is_offered_at_the_next_view(folder):
    """The answers sent since are weighed against what is kept: no search of the history."""
    asked(folder, "Is the lid dishwasher safe?", answer="Yes, top rack.")
    asked(folder, "Where is my parcel? I cannot find it.", answer="Let me ask the carrier.")
    tom = asked(folder, "The package shows delivered, I cannot find the parcel.").conversation
    before = suggestions_for(conversation=tom)
    assert [s["answer"] for s in before] == ["Let me ask the carrier."]
    asked(folder, LOST, answer="It is often left with a neighbour.")  # no hook, no task
    asked(folder, "Do you ship to Norway?", answer="Yes, in 5 days.")
    with CaptureQueriesContext(connection) as queries:
        offered = suggestions_for(conversation=tom)
    assert [s["answer"] for s in offered] == [
        "It is often left with a neighbour.",
        "Let me ask the carrier.",
    ]
    assert searches(queries) == 0
    # The same as working them out from the whole history.
    assert suggestions._worked_out(tom, suggestions._terms(tom_text(tom)), 3, []) == offered
    with CaptureQueriesContext(connection) as queries:
        assert suggestions_for(conversation=tom) == offered
    assert len(queries) <= 5 and searches(queries) == 0


def test_many_answers_sent_since_have_them_worked_out_afresh(folder, monkeypatch):
    monkeypatch.setattr(suggestions, "TOP_UP_AT_MOST", 1)
    tom = asked(folder, "The package shows delivered, I cannot find the parcel.").conversation
    assert suggestions_for(conversation=tom) == []
    asked(folder, LOST, answer="It is often left with a neighbour.")
    asked(folder, "Where is my parcel? I cannot find it.", answer="Let me ask the carrier.")
    with CaptureQueriesContext(connection) as queries:
        offered = suggestions_for(conversation=tom)
    assert len(offered) == 2 and searches(queries) == 1


def test_an_answer_that_no_longer_answers_is_no_longer_offered(folder):
    """The newest reply came back undelivered (`buyers.bounces` takes it off its question):
    the mark goes back, and what was kept is worked out afresh."""
    lost = asked(folder, LOST, answer="It is often left with a neighbour.")
    tom = asked(folder, "The package shows delivered, I cannot find the parcel.").conversation
    assert "neighbour" in suggestions_for(conversation=tom)[0]["answer"]
    BuyerMessage.objects.filter(pk=lost.pk).update(answered_at=None, answered_by_reply=None)
    assert suggestions_for(conversation=tom) == []


def tom_text(conversation) -> str:
    return BuyerMessage.objects.get(conversation=conversation).text


def test_an_older_question_answered_later_is_offered_too(folder):
    """The mark is the newest reply, not the newest question: answering a question that
    came before others moves it all the same."""
    early = asked(folder, LOST)
    asked(folder, "Is the lid dishwasher safe?", answer="Yes, top rack.")
    tom = asked(folder, "The package shows delivered, I cannot find the parcel.").conversation
    assert all("neighbour" not in s["answer"] for s in suggestions_for(conversation=tom))
    answered(early, "It is often left with a neighbour.")
    assert "neighbour" in suggestions_for(conversation=tom)[0]["answer"]


def test_an_older_reply_accepted_after_a_newer_one_is_offered_once_the_worker_ran(folder):
    """Reply ids are handed out when a reply is written: one written first and accepted
    last (sent again after a failure, two assistants at once) moves no mark. The worker's
    pass after every acceptance works the waiting conversations out regardless."""
    from buyers.tasks import refresh_suggestions

    early = asked(folder, LOST)
    written_first = Reply.objects.create(
        message=early.message, conversation=early.conversation, to="x@marketplace.amazon.com",
        subject="Re", body="It is often left with a neighbour.", from_address="s@seller.test",
        header_message_id="<first@desk>",
    )  # fmt: skip
    asked(folder, "Is the lid dishwasher safe?", answer="Yes, top rack.")
    tom = asked(folder, "The package shows delivered, I cannot find the parcel.").conversation
    assert suggestions_for(conversation=tom) == []
    Reply.objects.filter(pk=written_first.pk).update(state=Reply.State.SENT)
    BuyerMessage.objects.filter(pk=early.pk).update(
        answered_at=timezone.now(), answered_by_reply=written_first
    )
    assert suggestions_for(conversation=tom) == []  # the mark did not move
    assert refresh_suggestions() >= 1
    assert "neighbour" in suggestions_for(conversation=tom)[0]["answer"]


def test_the_owners_new_answer_is_offered_at_the_next_view(folder, owner):
    tom = asked(folder, "The package shows delivered, I cannot find the parcel.").conversation
    assert suggestions_for(conversation=tom) == []
    question = escalation_open(about="note", summary="Lost parcel", details=LOST,
                               notify_owner=False)  # fmt: skip
    escalation_answer(escalation=question, kind=Escalation.AnswerKind.TEXT, via="web",
                      text="Send a replacement at once.", by=owner)  # fmt: skip
    offered = suggestions_for(conversation=tom)
    assert offered and offered[0]["answer"] == "Send a replacement at once."
    assert offered[0]["source"] == "the owner's answer"


def test_a_new_question_in_the_conversation_is_worked_out_anew(folder):
    asked(folder, LOST, answer="It is often left with a neighbour.")
    asked(folder, "Is the lid dishwasher safe?", answer="Yes, the lid is dishwasher safe.")
    tom = asked(folder, "Is the lid dishwasher safe, and the bowl?").conversation
    assert "dishwasher" in suggestions_for(conversation=tom)[0]["answer"]
    asked(folder, "Also the package shows delivered but I cannot find the parcel.",
          conversation=tom)  # fmt: skip
    answers = [s["answer"] for s in suggestions_for(conversation=tom)]
    assert any("neighbour" in a for a in answers)


def test_what_was_kept_is_worked_out_again_after_a_while(folder):
    question = asked(folder, LOST, answer="It is often left with a neighbour.")
    tom = asked(folder, "The package shows delivered, I cannot find the parcel.").conversation
    assert suggestions_for(conversation=tom)
    # An answer edited in admin moves no mark: it shows once what is kept grows old.
    Reply.objects.filter(answers=question).update(body="Ask your neighbours, please.")
    assert "neighbour." in suggestions_for(conversation=tom)[0]["answer"]
    with time_machine.travel(timezone.now() + suggestions.FRESH_FOR + timedelta(minutes=1)):
        assert suggestions_for(conversation=tom)[0]["answer"] == "Ask your neighbours, please."


def test_the_worker_works_out_the_waiting_conversations_ahead(folder, client, assistant):
    asked(folder, LOST, answer="It is often left with a neighbour.")
    tom = asked(folder, "The package shows delivered, I cannot find the parcel.").conversation
    ann = asked(folder, "Where is my parcel? It says delivered.").conversation
    done = asked(folder, "Thanks!", answer="You are welcome.").conversation
    assert suggestions_refresh() == 2  # the two waiting ones with a question; not the answered
    assert suggestions_refresh() == 0  # nothing moved: nothing to work out again
    assert not OfferedAnswers.objects.filter(conversation=done).exists()
    client.force_login(assistant)
    with CaptureQueriesContext(connection) as queries:
        page = client.get(reverse("buyer-conversation", args=[tom.pk]))
    assert "neighbour" in page.content.decode() and searches(queries) == 0
    assert OfferedAnswers.objects.filter(conversation=ann).exists()


def test_the_worker_works_out_at_most_so_many_the_soonest_due_first(folder):
    late, soon, middle = (asked(folder, f"Where is parcel {n}?").conversation for n in range(3))
    now = timezone.now()
    for conversation, hours in ((late, 20), (soon, 2), (middle, 9)):
        Conversation.objects.filter(pk=conversation.pk).update(due_at=now + timedelta(hours=hours))
    assert suggestions_refresh(at_most=2) == 2
    kept = set(OfferedAnswers.objects.values_list("conversation_id", flat=True))
    assert kept == {soon.pk, middle.pk}


def test_an_answer_of_the_owners_in_words_has_the_worker_work_them_out(
    folder, owner, run_tasks_inline
):
    tom = asked(folder, "The package shows delivered, I cannot find the parcel.").conversation
    question = escalation_open(about="mail", summary="Lost parcel", details=LOST,
                               notify_owner=False)  # fmt: skip
    with run_tasks_inline():
        escalation_answer(escalation=question, kind=Escalation.AnswerKind.TEXT, via="web",
                          text="Send a replacement at once.", by=owner)  # fmt: skip
    assert OfferedAnswers.objects.get(conversation=tom).offered[0]["answer"] == (
        "Send a replacement at once."
    )


def test_only_an_answer_in_words_has_the_worker_work_them_out(folder, owner, monkeypatch):
    told = []
    monkeypatch.setattr(suggestions, "refresh_soon", lambda: told.append("refresh"))
    for kind, text in ((Escalation.AnswerKind.DISMISSED, ""), (Escalation.AnswerKind.TEXT, "No.")):
        question = escalation_open(about="mail", summary="Spam?", notify_owner=False)
        escalation_answer(escalation=question, kind=kind, text=text, via="web", by=owner)
        told.append(kind)
    assert told == [Escalation.AnswerKind.DISMISSED, "refresh", Escalation.AnswerKind.TEXT]
