"""An admin edits the mail rules in Django admin, and tries them before saving."""

import pytest
from django.urls import reverse

from inbox.models import EmailRule
from inbox.sync import mailbox_sync
from tests.inbox.conftest import load_samples


def rule_form(name="Supplier mail", action="keep", order=5, conditions=(), dryrun=False, **extra):
    data = {
        "order": order, "name": name, "is_active": "on", "folders": "both", "action": action,
        "conditions-TOTAL_FORMS": len(conditions), "conditions-INITIAL_FORMS": 0,
        "conditions-MIN_NUM_FORMS": 1, "conditions-MAX_NUM_FORMS": 1000,
    }  # fmt: skip
    for i, (field, operator, value) in enumerate(conditions):
        data.update({
            f"conditions-{i}-field": field, f"conditions-{i}-operator": operator,
            f"conditions-{i}-value": value, f"conditions-{i}-header": "",
        })  # fmt: skip
    if dryrun:
        data["_dryrun"] = "1"
    data.update(extra)
    return data


@pytest.fixture
def admin_client(client, admin_user):
    client.force_login(admin_user)
    return client


def test_seed_rules_are_listed_in_order(admin_client):
    page = admin_client.get(reverse("admin:inbox_emailrule_changelist")).content.decode()
    assert page.index("Buyer message") < page.index("Your e-mail to") < page.index("Fulfillment")


def test_create_a_rule(admin_client):
    response = admin_client.post(
        reverse("admin:inbox_emailrule_add"),
        rule_form(conditions=[("sender_address", "contains", "bamboo-supply")]),
    )
    assert response.status_code == 302
    rule = EmailRule.objects.get(name="Supplier mail")
    assert [str(c) for c in rule.conditions.all()] == ["sender_address contains 'bamboo-supply'"]


def test_invalid_regex_is_refused_with_its_reason(admin_client):
    response = admin_client.post(
        reverse("admin:inbox_emailrule_add"),
        rule_form(conditions=[("subject", "regex", "(?<=x)y")]),
    )
    assert response.status_code == 200
    assert "Look-arounds and back-references are not supported" in response.content.decode()
    assert not EmailRule.objects.filter(name="Supplier mail").exists()


def test_a_rule_without_conditions_is_refused(admin_client):
    response = admin_client.post(reverse("admin:inbox_emailrule_add"), rule_form())
    assert response.status_code == 200
    assert "Please submit at least 1 form" in response.content.decode()
    assert not EmailRule.objects.filter(name="Supplier mail").exists()


def test_reorder_and_disable_from_the_list(admin_client):
    rules = list(EmailRule.objects.order_by("order"))
    data = {"form-TOTAL_FORMS": len(rules), "form-INITIAL_FORMS": len(rules), "_save": "Save"}
    for i, rule in enumerate(rules):
        data[f"form-{i}-id"] = rule.pk
        data[f"form-{i}-order"] = 100 - i  # reverse the order
        if i != 0:
            data[f"form-{i}-is_active"] = "on"  # switch the first one off
    response = admin_client.post(reverse("admin:inbox_emailrule_changelist"), data)
    assert response.status_code == 302
    reordered = list(EmailRule.objects.order_by("order"))
    assert [r.pk for r in reordered] == [r.pk for r in reversed(rules)]
    assert not EmailRule.objects.get(pk=rules[0].pk).is_active


def test_dry_run_of_an_unsaved_rule_shows_matches_and_saves_nothing(
    admin_client, mailbox, desk_mailbox
):
    load_samples(mailbox)
    mailbox_sync(mailbox=desk_mailbox)
    response = admin_client.post(
        reverse("admin:inbox_emailrule_add"),
        rule_form(conditions=[("sender_address", "contains", "bamboo-supply")], dryrun=True),
    )
    page = response.content.decode()
    assert "Dry run: nothing was saved" in page
    assert "would match <strong>1</strong>" in page and "Price increase from January" in page
    # The result opens the form, in a neutral box, not under Django's red error note.
    assert "Please correct the error" not in page
    assert page.index('class="dry-run"') < page.index('id="emailrule_form"') + 400
    assert page.index('class="dry-run"') < page.index('name="name"')
    assert not EmailRule.objects.filter(name="Supplier mail").exists()


def test_dry_run_warns_when_a_rule_would_trash_most_mail(admin_client, mailbox, desk_mailbox):
    load_samples(mailbox)
    mailbox_sync(mailbox=desk_mailbox)
    response = admin_client.post(
        reverse("admin:inbox_emailrule_add"),
        rule_form(action="trash", order=1, conditions=[("subject", "regex", ".")], dryrun=True),
    )
    assert "more than half" in response.content.decode()


def test_dry_run_of_a_saved_rule_being_edited(admin_client, mailbox, desk_mailbox):
    load_samples(mailbox)
    mailbox_sync(mailbox=desk_mailbox)
    fba = EmailRule.objects.get(name__startswith="Fulfillment")
    response = admin_client.post(
        reverse("admin:inbox_emailrule_change", args=[fba.pk]),
        rule_form(name=fba.name, action="trash", order=fba.order,
                  conditions=[("subject", "contains", "newsletter")], dryrun=True),
    )  # fmt: skip
    page = response.content.decode()
    assert "would match <strong>1</strong>" in page and "Fulfillment by Amazon newsletter" in page
    assert sorted(fba.conditions.values_list("value", flat=True)) == [  # unchanged
        "@([a-z0-9-]+\\.)*amazon\\.[a-z.]+$",
        "Fulfillment by Amazon",
    ]


def test_dry_run_with_an_invalid_regex(admin_client):
    response = admin_client.post(
        reverse("admin:inbox_emailrule_add"),
        rule_form(conditions=[("subject", "regex", "(")], dryrun=True),
    )
    assert "Fix the conditions first" in response.content.decode()
