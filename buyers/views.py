"""The reply queue's pages: the queue, one conversation with its composer; and the
answer to an escalated mail, sent from the escalation's page."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.views.decorators.http import require_POST

from buyers import replies, saved_replies
from buyers import services as service
from buyers.composer import composer_inserts
from buyers.forms import BuyerReplyForm, NoResponseForm, QueueSearchForm, SavedReplyForm
from buyers.models import BuyerMessage, Conversation, Reply, ReplyTemplate
from buyers.order_cards import order_context
from buyers.selectors import (
    conversation_history,
    conversation_queue,
    conversation_search,
    drafts_with_owner,
    next_waiting,
    saved_replies_page,
)
from buyers.suggestions import suggestions_for
from escalations.forms import MailReplyForm
from escalations.models import Escalation
from escalations.selectors import owner_answer_for_conversation
from sellerdesk import once
from sellerdesk.refused import form_as_left, form_refused, refuse, refused_form
from sellerdesk.roles import Role, role_required


@role_required(Role.ASSISTANT)
def queue(request):
    state = "answered" if request.GET.get("state") == "answered" else "waiting"
    form = QueueSearchForm(request.GET)
    search = form.cleaned_data["q"].strip() if form.is_valid() else ""
    found = conversation_search(text=search) if search else conversation_queue(state=state)
    template = (
        "buyers/queue_rows.html" if request.headers.get("HX-Request") else "buyers/queue.html"
    )
    return render(request, template, {"conversations": found[:200], "state": state,
                                      "form": form, "search": search,
                                      "now": timezone.now()})  # fmt: skip


@role_required(Role.ASSISTANT)
def conversation(request, pk: int):
    item = get_object_or_404(Conversation, pk=pk)
    refused = refused_form(request, _reply_form(pk))
    if refused:  # a send refused a moment ago: its words and why, beside the reply box
        typed = refused["data"]
        form = BuyerReplyForm(
            initial={"body": typed.get("body", ""), "owner_words": bool(typed.get("owner_words"))}
        )
        return _render(request, item, form, reply_errors=refused["errors"])
    return _render(request, item, BuyerReplyForm(initial={"body": item.draft}))


def _reply_form(pk: int) -> str:
    return f"reply:{pk}"


def _refused(request, item, errors: list[str]):
    """Back to the conversation with the reply as typed and why it was refused, next to the
    reply box (`sellerdesk.refused`); a file is not kept, so it is asked for again."""
    again = ["Choose the attachment again."] if request.FILES.get("attachment") else []
    return refuse(request, form=_reply_form(item.pk), errors=errors + again,
                  to="buyer-conversation", pk=item.pk)  # fmt: skip


def _render(request, item, form, suggestions=None, status=200, reply_errors=()):
    if suggestions is None:
        suggestions = suggestions_for(conversation=item)
    answer = owner_answer_for_conversation(conversation_id=item.pk)
    if answer is not None:  # the owner's note shows once, as the owner's, not as an earlier answer
        note = " ".join(answer.answer.split())
        suggestions = [s for s in suggestions if " ".join(s["answer"].split()) != note]
    context = {
        "owner_answer": answer,
        "framed_answer": service.owner_answer_framed(
            conversation=item, escalation=answer, by=request.user
        )
        if answer
        else "",
        "conversation": item,
        "drafts": drafts_with_owner(conversation=item),
        "history": conversation_history(conversation=item),
        "form": form,
        "reply_errors": list(reply_errors),
        "inserts": composer_inserts(
            conversation=item, assistant=request.user, suggestions=suggestions
        ),
        "no_response_form": NoResponseForm(),
        "next_buyer": next_waiting(after=item),
        "now": timezone.now(),
        **order_context(conversation=item),
    }
    return render(request, "buyers/conversation.html", context, status=status)


@require_POST
@role_required(Role.ASSISTANT)
def send(request, pk: int):
    item = get_object_or_404(Conversation, pk=pk)
    form = BuyerReplyForm(request.POST, request.FILES)
    if not form.is_valid():
        return _refused(request, item, [e for errors in form.errors.values() for e in errors])
    action, body = form.cleaned_data["action"], form.cleaned_data["body"]
    upload = form.cleaned_data.get("attachment")
    attachments = (
        [(upload.name, upload.content_type or "application/octet-stream", upload.read())]
        if upload
        else []
    )
    if action == "ask_owner" and "summary" not in request.POST:
        # First the summary the owner will get, for the assistant to edit (nothing is sent).
        return render(
            request,
            "buyers/ask_owner.html",
            {
                "conversation": item,
                "summary": service.ask_owner_summary(item),
                "question": service.unanswered_text(item),
            },
        )
    if (again := once.repeated(request, *_after_send(item, action))) is not None:
        return again
    try:
        with once.acting(request):
            reply, escalation = _act(request, item, action, body, attachments, form)
    except ValidationError as exc:
        once.release(request)
        if action == "ask_owner":  # the summary the assistant wrote comes back with the reason
            return render(
                request,
                "buyers/ask_owner.html",
                {
                    "conversation": item,
                    "summary": request.POST["summary"],
                    "question": service.unanswered_text(item),
                    "errors": exc.messages,
                },
                status=400,
            )
        return _refused(request, item, exc.messages)
    if escalation is not None:
        messages.success(request, f"Sent to the owner for approval as #{escalation.reference}.")
        return redirect("buyer-conversation", pk=pk)
    if reply.state != Reply.State.SENT:  # stays here, whichever button: the reply to mend
        messages.error(request, f"The reply was not sent: {reply.error} It is kept; try again.")
        return redirect("buyer-conversation", pk=pk)
    done = "Holding reply sent and the owner asked" if action == "ask_owner" else "Reply sent"
    messages.success(request, f"{done} to {item.buyer_name}: the mail server accepted it.")
    return redirect(*_after_send(item, action))


def _after_send(item, action: str) -> tuple:
    """Where a sent reply leads (`redirect`'s arguments): the next waiting buyer for "Send
    and next" (the queue when none is left), else back to the conversation."""
    if action != "send_next":
        return ("buyer-conversation", item.pk)
    following = next_waiting(after=item)
    return ("buyer-conversation", following.pk) if following else ("buyer-queue",)


def _act(request, item, action, body, attachments, form):
    """What the composer's button asked for: (the reply sent, or None; the escalation
    opened for approval, or None)."""
    if action == "ask_owner":
        summary = request.POST["summary"]
        return service.conversation_ask_owner(
            conversation=item, by=request.user, summary=summary
        ), None
    if action == "approval":
        return None, service.conversation_send_for_approval(
            conversation=item, body=body, by=request.user
        )
    reply = service.conversation_reply_send(
        conversation=item,
        body=body,
        by=request.user,
        attachments=attachments,
        owner_words_confirmed=form.cleaned_data["owner_words"],
    )
    return reply, None


@require_POST
@role_required(Role.ASSISTANT)
def retry(request, pk: int):
    reply = get_object_or_404(Reply, pk=pk)
    back = (
        ("buyer-conversation", reply.conversation_id) if reply.conversation_id else ("buyer-queue",)
    )
    if (again := once.repeated(request, *back)) is not None:
        return again
    reply = service.reply_retry(reply=reply)
    if reply.state == Reply.State.SENT:
        messages.success(request, "Reply sent: the mail server accepted it.")
    else:
        messages.error(request, f"Still not sent: {reply.error}")
    return (
        redirect("buyer-conversation", pk=reply.conversation_id)
        if reply.conversation_id
        else redirect("buyer-queue")
    )


@require_POST
@role_required(Role.ASSISTANT)
def no_response(request, pk: int):
    buyer_message = get_object_or_404(BuyerMessage, pk=pk)
    form = NoResponseForm(request.POST)
    if form.is_valid():
        try:
            service.buyer_message_no_response(
                buyer_message=buyer_message, by=request.user, why=form.cleaned_data["why"]
            )
            messages.success(request, "Recorded: no response needed.")
        except ValidationError as exc:
            messages.error(request, " ".join(exc.messages))
    else:
        messages.error(request, "Say why no response is needed.")
    return redirect("buyer-conversation", pk=buyer_message.conversation_id)


# --- An escalated mail --------------------------------------------------------------------


@require_POST
@role_required(Role.ASSISTANT)
def escalation_reply(request, pk: int):
    escalation = get_object_or_404(Escalation.objects.select_related("mail"), pk=pk)
    form = MailReplyForm(request.POST)
    if not form.is_valid():
        errors = [e for errs in form.errors.values() for e in errs]
        return refuse(request, form="mail-reply", errors=errors, to="escalation-detail", pk=pk)
    if (again := once.repeated(request, "escalation-detail", pk=pk)) is not None:
        return again
    try:
        reply = replies.escalation_mail_reply(
            escalation=escalation, by=request.user, body=form.cleaned_data["body"]
        )
    except ValidationError as exc:
        once.release(request)
        return refuse(request, form="mail-reply", errors=exc.messages, to="escalation-detail",
                      pk=pk)  # fmt: skip
    else:
        if reply.state == reply.State.SENT:
            messages.success(request, f"Reply sent to {reply.to}; the mail is marked read.")
        else:
            messages.error(request, f"The reply was not sent: {reply.error}")
    return redirect("escalation-detail", pk=pk)


@require_POST
@role_required(Role.ASSISTANT)
def escalation_handled(request, pk: int):
    escalation = get_object_or_404(Escalation.objects.select_related("mail"), pk=pk)
    if (again := once.repeated(request, "escalation-detail", pk=pk)) is not None:
        return again
    try:
        replies.escalation_mail_handled(
            escalation=escalation, by=request.user, note=request.POST.get("note", "")[:180]
        )
    except ValidationError as exc:
        once.release(request)
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(request, f"#{escalation.reference} resolved; the mail is marked read.")
    return redirect("escalation-detail", pk=pk)


# --- The assistant's saved replies -------------------------------------------------------


@role_required(Role.ASSISTANT)
def saved_reply_list(request):
    return render(request, "buyers/saved_replies.html", saved_replies_page())


@role_required(Role.ASSISTANT)
def saved_reply_edit(request, pk: int | None = None):
    """A new saved reply, or one changed. A refused one comes back by a redirect (a reload
    posts nothing) as typed, each reason beside its field, the first of them focused."""
    template = get_object_or_404(ReplyTemplate, pk=pk) if pk else None
    name = f"saved-reply:{pk or 'new'}"
    if request.method == "POST":
        form = SavedReplyForm(request.POST, instance=template)
        if not form.is_valid():
            return form_refused(request, name=name)
        if (again := once.repeated(request, "saved-replies")) is not None:
            return again
        saved = saved_replies.saved_reply_save(form=form, by=request.user)
        messages.success(request, f"Saved “{saved.name}”: the composer offers it now.")
        return redirect("saved-replies")
    form = form_as_left(request, SavedReplyForm, name=name, instance=template)
    return render(request, "buyers/saved_reply_edit.html", {"form": form, "template": template})


# Set aside and put back: (the service, what it did, what was so already).
SET_ASIDE = {
    "remove": (saved_replies.saved_reply_remove,
               "Removed “{}”: Put back is under Removed, at the foot of the page.",
               "“{}” was removed already: nothing more was done."),
    "restore": (saved_replies.saved_reply_restore, "Put back “{}”: the composer offers it again.",
                "“{}” is offered already: nothing more was done."),
}  # fmt: skip


@require_POST
@role_required(Role.ASSISTANT)
def saved_reply_set_aside(request, pk: int, how: str):
    template = get_object_or_404(ReplyTemplate, pk=pk)
    act, done, already = SET_ASIDE[how]
    if act(template=template, by=request.user):
        messages.success(request, done.format(template.name))
    else:
        messages.info(request, already.format(template.name))
    return redirect("saved-replies")
