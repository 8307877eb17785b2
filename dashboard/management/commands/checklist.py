import json

from django.core.management.base import BaseCommand

from dashboard.checklist import checklist_items, checklist_json, checklist_state


class Command(BaseCommand):
    help = "Print today's checklist as the desk's home page shows it (--json: as data)."

    def add_arguments(self, parser):
        parser.add_argument("--json", action="store_true", help="Print the state as JSON.")

    def handle(self, *args, **opts):
        state = checklist_state()
        if opts["json"]:
            self.stdout.write(json.dumps(checklist_json(state), indent=2))
            return
        for item in checklist_items(state):
            self.stdout.write(f"[{item.label:<20}] {item.title}: {item.figure}")
