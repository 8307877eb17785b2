"""The seller's daily checklist, computed from the data: what is done, what needs the
assistant, what waits on the owner. One read per figure, however much data there is."""

from dataclasses import dataclass

from django.urls import reverse
from django.utils import timezone

from buyers.selectors import buyer_checklist
from dashboard.selectors import amazon_summary
from escalations.models import KEPT
from escalations.selectors import owner_checklist
from escalations.sms import sms_provider_set
from inbox.selectors import mail_checklist

DONE, ACTION, OWNER, UNKNOWN = "done", "action", "owner", "unknown"
LABELS = {DONE: "Done", ACTION: "Needs action", OWNER: "Waiting on the owner", UNKNOWN: "Not known"}


@dataclass
class Item:
    key: str
    title: str
    why: str
    state: str
    figure: str
    link: str
    refreshed: object = None
    # Buttons beside the figure: (label, address).
    actions: tuple = ()

    @property
    def label(self) -> str:
        return LABELS[self.state]


def _ago(moment, now) -> str:
    if moment is None:
        return "never"
    minutes = int((now - moment).total_seconds() // 60)
    if minutes < 1:
        return "just now"
    if minutes < 120:
        return f"{minutes} min ago"
    return f"{minutes // 60} h ago"


def _left(due, now) -> str:
    if due is None:  # waiting with no answer-by time (set so in admin): no clock to show
        return "with no answer-by time"
    seconds = (due - now).total_seconds()
    minutes = int(abs(seconds) // 60)
    span = f"{minutes // 60} h {minutes % 60:02d} min"
    return f"{span} left" if seconds > 0 else f"overdue by {span}"


def _answer_link(first) -> str:
    """Where the owner's answer becomes the next step: the buyer's conversation (the answer
    sits above the reply box), else the escalation; the list when none waits."""
    if first is None:
        return reverse("escalation-list") + "?state=answered"
    if first["conversation_id"]:
        return reverse("buyer-conversation", args=[first["conversation_id"]])
    return reverse("escalation-detail", args=[first["pk"]])


def checklist_state(*, now=None) -> dict:
    """Everything the checklist page and `checklist --json` show."""
    now = now or timezone.now()
    amazon = amazon_summary()
    mail = mail_checklist()
    buyers = buyer_checklist(now=now)
    owner = owner_checklist()
    return {"now": now, "amazon": amazon, "mail": mail, "buyers": buyers, "owner": owner}


def checklist_items(state: dict) -> list[Item]:
    now, amazon, mail, buyers, owner = (
        state["now"],
        state["amazon"],
        state["mail"],
        state["buyers"],
        state["owner"],
    )
    items = []
    if not amazon["connected"]:
        unshipped = Item(
            "unshipped",
            "Unshipped orders",
            "Should be 0 once the day's orders are processed.",
            UNKNOWN,
            "Amazon is not connected.",
            reverse("amazon"),
        )
        performance = Item(
            "performance",
            "Seller performance",
            "Should be Good.",
            UNKNOWN,
            "Amazon is not connected.",
            reverse("amazon"),
        )
    else:
        count, late = amazon["unshipped"], amazon["late"] or 0
        unshipped = Item(
            "unshipped",
            "Unshipped orders",
            "Should be 0 once the day's orders are processed.",
            UNKNOWN if count is None else (DONE if count == 0 else ACTION),
            "Not pulled yet."
            if count is None
            else (f"{count} unshipped" + (f", {late} past ship-by" if late else "")),
            reverse("amazon"),
            amazon["last_pull"],
        )
        verdict = amazon["performance"]
        told = (
            (" The owner was told." if sms_provider_set() else f" {KEPT}: see the outbox.")
            if owner["amazon"]
            else " The owner was not told yet."
        )
        performance = Item(
            "performance",
            "Seller performance",
            "Should be Good; if not, tell the owner the failing areas.",
            UNKNOWN
            if verdict is None
            else (DONE if verdict == "Good" else (OWNER if owner["amazon"] else ACTION)),
            "Not known yet."
            if verdict is None
            else (
                verdict
                + (
                    ": " + ", ".join(amazon["failing_areas"]) + "." + told
                    if verdict != "Good"
                    else ""
                )
            ),
            reverse("amazon"),
            amazon["last_pull"],
        )
    items += [unshipped, performance]
    waiting, overdue = buyers["waiting"], buyers["overdue"]
    figure = (
        "No buyer is waiting."
        if not waiting
        else (
            f"{waiting} waiting, most urgent {_left(buyers['next_due'], now)}"
            + (f"; {overdue} overdue" if overdue else "")
            + "."
        )
    )
    items.append(
        Item(
            "buyers",
            "Buyer messages",
            "Answer every one within 24 hours.",
            DONE if not waiting else ACTION,
            figure,
            reverse("buyer-queue"),
            now,
        )
    )
    errors = "; ".join(f"{name}: {error}" for name, error in mail["errors"])
    mail_figure = (
        f"{mail['unprocessed']} mail not dealt with in Inbox and Spam"
        if mail["unprocessed"]
        else "Inbox and Spam are processed"
    )
    mail_figure += f"; last sync {_ago(mail['last_sync'], now)}." + (
        f" Sync error: {errors}" if errors else ""
    )
    items.append(
        Item(
            "mail",
            "Mailbox: Inbox and Spam",
            "Delete notices, answer buyers, report anything else.",
            UNKNOWN
            if not mail["mailboxes"]
            else (ACTION if mail["unprocessed"] or errors else DONE),
            mail_figure if mail["mailboxes"] else "No mailbox is connected.",
            reverse("mail-list"),
            mail["last_sync"],
            tuple(
                (
                    f"Reconnect {box['account']} with {box['label']}",
                    reverse("admin:inbox_mailbox_connect", args=[box["mailbox"], box["provider"]]),
                )
                for box in mail["reconnect"]
            ),
        )
    )
    waiting_owner = owner["waiting"]
    owner_figure = (
        "Nothing waits on the owner."
        if not waiting_owner
        else (
            f"{waiting_owner} waiting on the owner, the oldest opened {_ago(owner['oldest'], now)}"
            + (
                f"; next reminder {timezone.localtime(owner['next_step']):%a %H:%M}"
                if owner["next_step"]
                else ""
            )
            + "."
        )
    )
    items.append(
        Item(
            "owner",
            "Waiting on the owner",
            "Chased again after 2 days without an answer.",
            OWNER if waiting_owner else DONE,
            owner_figure,
            reverse("escalation-list"),
            now,
        )
    )
    answered = owner["answered"]
    items.append(
        Item(
            "owner_answered",
            "The owner answered",
            "Each answer becomes the next step: reply to the buyer, act on the mail.",
            ACTION if answered else DONE,
            f"{answered} answer(s) from the owner to act on."
            if answered
            else "No answer from the owner waits.",
            _answer_link(owner["answered_first"]),
            now,
        )
    )
    failed = owner["texts_failed"]
    items.append(
        Item(
            "texts",
            "Texts to the owner",
            "Every text to the owner goes out, or its failure is seen.",
            ACTION if failed else DONE,
            f"{failed} text(s) failed."
            if failed
            else "No text failed."
            if sms_provider_set()
            else "No SMS provider set: texts to the owner are kept in the outbox, not texted.",
            reverse("outbox") + ("?failed=1" if failed else ""),
            now,
        )
    )
    return items


def checklist_json(state: dict) -> dict:
    """The page's state as plain values (`checklist --json`, /checklist.json)."""
    amazon, mail, buyers, owner = state["amazon"], state["mail"], state["buyers"], state["owner"]
    items = checklist_items(state)

    def iso(value):
        return value.isoformat() if value else None

    return {
        "unshipped": amazon.get("unshipped"),
        "performance": amazon.get("performance"),
        "failing_areas": amazon.get("failing_areas", []),
        "buyer_messages_waiting": buyers["waiting"],
        "buyer_messages_overdue": buyers["overdue"],
        "mail_unprocessed": mail["unprocessed"],
        "escalations_waiting_owner": owner["waiting"],
        "owner_answered": owner["answered"],
        "texts_failed": owner["texts_failed"],
        "last_sync": iso(mail["last_sync"]),
        "last_amazon_pull": iso(amazon.get("last_pull")),
        "amazon_connected": amazon["connected"],
        "items": {item.key: {"state": item.state, "figure": item.figure} for item in items},
    }
