from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_POST

from inbox import actions, attachments, classify
from inbox.forms import MailActionForm, MailKindForm, MailSearchForm
from inbox.imap import MailServerError
from inbox.models import Attachment, MailAction, MailKind, Message
from inbox.selectors import mailbox_status, message_detail, message_page
from sellerdesk.roles import Role, role_required


@role_required(Role.ASSISTANT)
def mail_list(request):
    form = MailSearchForm(request.GET or None)
    folder, search = "inbox", ""
    if form.is_valid():
        folder = form.cleaned_data["folder"] or "inbox"
        search = form.cleaned_data["q"]
    page = message_page(folder=folder, search=search, page=request.GET.get("page"))
    return render(
        request,
        "inbox/list.html",
        {
            "form": form,
            "page": page,
            "folder": folder,
            "search": search,
            "mailboxes": mailbox_status(),
        },
    )


@role_required(Role.ASSISTANT)
def mail_detail(request, pk: int):
    try:
        message = message_detail(pk=pk)
    except Message.DoesNotExist:
        raise Http404 from None
    return render(
        request,
        "inbox/detail.html",
        {
            "message": message,
            "show_html": request.GET.get("view") != "text",
            "kind_form": MailKindForm(initial={"kind": ""}),
        },
    )


@require_POST
@role_required(Role.ASSISTANT)
def mail_classify(request, pk: int):
    message = get_object_or_404(Message, pk=pk)
    form = MailKindForm(request.POST)
    if not form.is_valid():
        messages.error(request, "Choose a kind, or re-run the rules.")
        return redirect("mail-detail", pk=pk)
    kind = classify.message_classify(
        message=message, by=request.user, kind=form.cleaned_data["kind"] or None
    )
    messages.success(request, f"Decided: {MailKind(kind).label}.")
    return redirect("mail-detail", pk=pk)


@require_POST
@role_required(Role.ASSISTANT)
def mail_act(request, pk: int):
    message = get_object_or_404(Message, pk=pk)
    form = MailActionForm(request.POST)
    if not form.is_valid():
        messages.error(request, "Choose an action.")
        return redirect("mail-detail", pk=pk)
    try:
        action = actions.mail_act_by_hand(
            message=message, kind=form.cleaned_data["kind"], by=request.user
        )
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(request, f"{action.get_kind_display()}: on its way to the server.")
    return redirect("mail-detail", pk=pk)


@require_POST
@role_required(Role.ASSISTANT)
def mail_action_undo(request, pk: int):
    action = get_object_or_404(MailAction, pk=pk)
    try:
        undo = actions.mail_action_undo(action=action, by=request.user)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(request, f"Undo: {undo.get_kind_display().lower()} requested.")
    return redirect("mail-detail", pk=action.message_id)


@role_required(Role.ASSISTANT)
def attachment_download(request, pk: int):
    attachment = get_object_or_404(Attachment.objects.select_related("message"), pk=pk)
    try:
        content = attachments.attachment_content(attachment=attachment)
    except MailServerError as exc:
        messages.error(request, f"The attachment could not be fetched from the server: {exc}")
        return redirect("mail-detail", pk=attachment.message_id)
    # Always a download, never rendered in the desk's origin.
    response = HttpResponse(content, content_type="application/octet-stream")
    response["Content-Disposition"] = f'attachment; filename="{_safe_name(attachment.filename)}"'
    return response


def _safe_name(name: str) -> str:
    return "".join(ch if ch.isalnum() or ch in "._- " else "_" for ch in name)[:120] or "file"
