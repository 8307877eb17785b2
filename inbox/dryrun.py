"""What a rule would do to recent mail, before anyone saves it."""

from dataclasses import dataclass

from inbox.classify import facts_for
from inbox.models import Folder, MailKind, Message
from inbox.rules import Rule, RuleSet

DRY_RUN_MESSAGES = 200


@dataclass
class DryRun:
    checked: int
    matches: list[Message]
    action: str
    # Mail this rule would take from a rule earlier in the order (shown, not counted).
    shadowed: int

    @property
    def action_label(self) -> str:
        return MailKind(self.action).label

    @property
    def warning(self) -> str:
        if self.action == MailKind.TRASH and self.checked and len(self.matches) * 2 > self.checked:
            return (
                f"This rule would move {len(self.matches)} of the last {self.checked} mails to "
                "Trash: more than half. Check its conditions."
            )
        return ""


def rule_dry_run(*, rule: Rule, earlier: RuleSet, limit: int = DRY_RUN_MESSAGES) -> DryRun:
    candidate = RuleSet([rule])
    recent = (
        Message.objects.filter(folder__role__in=[Folder.Role.INBOX, Folder.Role.SPAM, "trash"])
        .select_related("folder", "origin", "content")
        .defer("content__raw", "content__html")
        .order_by("-created_at", "-id")[:limit]
    )
    checked, matches, shadowed = 0, [], 0
    for message in recent:
        checked += 1
        role = (message.origin or message.folder).role
        facts = facts_for(message, role)
        if candidate.first_match(facts):
            if earlier.first_match(facts):
                shadowed += 1
            else:
                matches.append(message)
    return DryRun(checked=checked, matches=matches, action=rule.action, shadowed=shadowed)
