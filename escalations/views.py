import re

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_not_required
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import Http404, HttpResponse, HttpResponseForbidden
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST

from escalations import delivery, inbound, services
from escalations.forms import (
    EscalationEditForm,
    EscalationListForm,
    MailReplyForm,
    NoteForm,
    OwnerAnswerForm,
)
from escalations.links import (
    LinkExpired,
    LinkInvalid,
    is_signed_token,
    link_escalation_ids,
    read_token,
)
from escalations.models import Escalation, Notification
from escalations.selectors import (
    digest_escalation_ids,
    escalation_list,
    escalation_search,
    escalation_timeline,
    outbox,
    owner_done,
    owner_items,
    owner_notes,
)
from escalations.sms import signature_valid
from sellerdesk import once
from sellerdesk.refused import form_as_left, form_refused, refuse
from sellerdesk.roles import Role, has_role, role_required
from sellerdesk.selectors import the_owner

TOKEN = re.compile(r"[A-Za-z0-9_.:\-]{1,300}")
EMPTY_TWIML = '<?xml version="1.0" encoding="UTF-8"?><Response></Response>'


# --- The owner --------------------------------------------------------------------------


def _owner_page(request, items, *, action_for, via: str, by, done=()):
    """The owner's list; a POST answers one of `items`."""
    forms = {}
    if request.method == "POST":
        try:
            pk = int(request.POST.get("escalation", ""))
        except ValueError:
            pk = None
        target = next((item for item in items if item.pk == pk), None)
        if target is None:
            messages.error(
                request,
                "That item is closed already or not yours to answer here: nothing was sent.",
            )
            return None
        form = OwnerAnswerForm(request.POST)
        if form.is_valid():
            try:
                services.escalation_answer(
                    escalation=target,
                    kind=form.kind,
                    text=form.cleaned_data["text"],
                    via=via,
                    by=by,
                )
            except ValidationError as exc:
                messages.info(request, " ".join(exc.messages))
                return None
            else:
                messages.success(request, _answered_words(target, form.kind))
                return None
        forms[target.pk] = form
    return render(
        request,
        "escalations/owner_home.html",
        {
            "items": [
                (item, forms.get(item.pk) or OwnerAnswerForm(initial={"text": item.draft}))
                for item in items
                if item.state == Escalation.State.OPEN
            ],
            # Answered: with the assistant now, apart from what still waits.
            "answered": [item for item in items if item.state == Escalation.State.ANSWERED],
            "urgent": sum(
                item.state == Escalation.State.OPEN and item.urgency == Escalation.Urgency.URGENT
                for item in items
            ),
            "action_for": action_for,
            "done": done,
            "from_link": via == "link",
        },
    )


def _answered_words(item: Escalation, kind: str) -> str:
    if kind == Escalation.AnswerKind.DISMISSED:
        return f"Dismissed #{item.reference}."
    if kind in (Escalation.AnswerKind.APPROVED, Escalation.AnswerKind.EDITED):
        return f"Approved #{item.reference}: the reply goes to the buyer now (see Done below)."
    return f"Thanks: #{item.reference} is answered."


@role_required(Role.OWNER)
def owner_home(request):
    items = list(owner_items())
    page = _owner_page(
        request, items, action_for=reverse("owner-home"), via="page", by=request.user
    )
    return page or redirect("owner-home")


@login_not_required
def owner_link(request, token: str):
    """The link in a text: that escalation (or a digest's) without logging in, until the
    link expires or the escalation is closed; then the owner logs in instead. An answer
    through it is the owner's; once its items are closed, it says what became of them (an
    expired link asks the owner to log in). Links from before the short ones (signed) still
    open."""
    if not TOKEN.fullmatch(token):  # a NUL or any odd byte: no such link
        raise Http404
    try:
        if is_signed_token(token):
            target = read_token(token)
            pks = (
                [target.pk]
                if target.kind == "e"
                else digest_escalation_ids(kind=target.kind, pk=target.pk)
            )
        else:
            pks = link_escalation_ids(token)
    except LinkExpired:
        messages.info(request, "That link has expired: log in to see what is waiting.")
        return redirect_to_login(reverse("owner-home"))
    except LinkInvalid:
        raise Http404 from None
    items = list(owner_items(pks=pks))
    # What this link's items came to: the owner's flow ends on what happened (the reply
    # reached the buyer, the item was closed), never on a login form.
    done = list(owner_done(pks=pks))
    if not items and not done:
        raise Http404
    by = request.user if has_role(request.user, Role.OWNER) else the_owner()
    page = _owner_page(request, items, action_for=request.path, via="link", by=by, done=done)
    return page or redirect(request.path)


# --- The assistant ----------------------------------------------------------------------


@role_required(Role.ASSISTANT)
def escalation_index(request):
    form = EscalationListForm(request.GET or None)
    state = (
        form.cleaned_data["state"] if form.is_valid() and form.cleaned_data["state"] else "waiting"
    )
    search = form.cleaned_data["q"].strip() if form.is_valid() else ""
    found = escalation_search(text=search) if search else escalation_list(state=state)
    page = Paginator(found, 50).get_page(request.GET.get("page"))
    return render(request, "escalations/list.html",
                  {"form": form, "page": page, "state": state, "search": search})  # fmt: skip


@role_required(Role.ASSISTANT)
def escalation_detail(request, pk: int):
    escalation = get_object_or_404(Escalation.objects.select_related("mail", "opened_by"), pk=pk)
    return render(
        request,
        "escalations/detail.html",
        {
            "escalation": escalation,
            "timeline": escalation_timeline(escalation=escalation),
            "edit_form": EscalationEditForm(
                initial={"summary": escalation.summary, "urgency": escalation.urgency}
            ),
            "reply_form": MailReplyForm(
                initial={
                    "body": escalation.answer
                    if escalation.answer_kind in ("approved", "edited")
                    else ""
                }
            ),
            "replies": escalation.mail.replies.all() if escalation.mail else [],
        },
    )


@require_POST
@role_required(Role.ASSISTANT)
def escalation_edit(request, pk: int):
    escalation = get_object_or_404(Escalation, pk=pk)
    form = EscalationEditForm(request.POST)
    if form.is_valid():
        services.escalation_edit(
            escalation=escalation,
            summary=form.cleaned_data["summary"],
            urgency=form.cleaned_data["urgency"] or None,
        )
        messages.success(request, "Summary saved.")
    else:
        errors = [e for errs in form.errors.values() for e in errs]
        return refuse(request, form="escalation-edit", errors=errors, to="escalation-detail",
                      pk=pk)  # fmt: skip
    return redirect("escalation-detail", pk=pk)


@require_POST
@role_required(Role.ASSISTANT)
def escalation_close(request, pk: int):
    escalation = get_object_or_404(Escalation, pk=pk)
    how = request.POST.get("how")
    if how == "withdraw":  # a draft taken back from the owner: only while it waits
        if services.escalation_withdraw(escalation=escalation, by=request.user):
            messages.success(request, f"#{escalation.reference} withdrawn from the owner.")
        else:
            messages.error(
                request, f"#{escalation.reference} was answered already: nothing was withdrawn."
            )
    else:
        cancel = how == "cancel"
        services.escalation_close(escalation=escalation, by=request.user, cancel=cancel)
        messages.success(
            request, f"#{escalation.reference} {'cancelled' if cancel else 'resolved'}."
        )
    back = request.POST.get("next", "")
    if back and url_has_allowed_host_and_scheme(
        back, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return redirect(back)
    return redirect("escalation-detail", pk=pk)


@role_required(Role.ASSISTANT)
def escalation_new(request):
    if request.method == "GET":
        form = form_as_left(request, NoteForm, name="note")
        return render(request, "escalations/new.html", {"form": form})
    form = NoteForm(request.POST)
    if not form.is_valid():
        return form_refused(request, name="note")
    if (again := once.repeated(request, "escalation-list")) is not None:
        return again
    escalation = services.escalation_open(
        about=Escalation.About.DRAFT if form.cleaned_data["draft"] else Escalation.About.NOTE,
        by=request.user,
        **form.cleaned_data,
    )
    messages.success(request, f"#{escalation.reference} opened; the owner will be texted.")
    return redirect("escalation-detail", pk=escalation.pk)


@role_required(Role.ASSISTANT)
def outbox_view(request):
    failed = request.GET.get("failed") == "1"
    page = Paginator(outbox(failed_only=failed), 50).get_page(request.GET.get("page"))
    return render(
        request,
        "escalations/outbox.html",
        # The demo (no SMS provider) offers the owner's side of a kept text to try.
        {"page": page, "failed": failed, "notes": owner_notes(), "demo": settings.DEMO_ENABLED},
    )


@require_POST
@role_required(Role.ASSISTANT)
def notification_retry(request, pk: int):
    notification = get_object_or_404(Notification, pk=pk)
    delivery.notification_retry(notification=notification)
    messages.success(request, "It will be tried again in a moment.")
    return redirect("outbox")


# --- Twilio's webhooks ------------------------------------------------------------------


def _signed(request) -> bool:
    """Twilio signs the URL it called: the public one (SITE_URL), not the one behind a
    proxy."""
    url = settings.SITE_URL + request.get_full_path()
    return signature_valid(url, request.POST, request.headers.get("X-Twilio-Signature", ""))


@csrf_exempt
@login_not_required
@require_POST
def sms_inbound(request):
    if not _signed(request):
        return HttpResponseForbidden("Bad or missing signature.")
    sid = request.POST.get("MessageSid", "").strip()
    sender = request.POST.get("From", "").strip()
    if not sid or not sender:
        return HttpResponse("MessageSid and From are required.", status=400)
    if settings.OWNER_PHONE and sender != settings.OWNER_PHONE:
        return HttpResponse(EMPTY_TWIML, content_type="text/xml")  # not the owner: ignored
    inbound.inbound_text_record(
        message_sid=sid, from_number=sender, body=request.POST.get("Body", "")[:5000]
    )
    return HttpResponse(EMPTY_TWIML, content_type="text/xml")


@csrf_exempt
@login_not_required
@require_POST
def sms_status(request):
    if not _signed(request):
        return HttpResponseForbidden("Bad or missing signature.")
    inbound.delivery_report(
        message_sid=request.POST.get("MessageSid", ""),
        status=request.POST.get("MessageStatus", ""),
        error_code=request.POST.get("ErrorCode", ""),
    )
    return HttpResponse(status=204)
