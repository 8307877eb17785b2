from django.apps import AppConfig


class InboxConfig(AppConfig):
    name = "inbox"
    verbose_name = "Mailbox"

    def ready(self):
        from inbox.connection import on_grant_connected
        from sellerdesk.oauth import grant_connected

        grant_connected.connect(on_grant_connected, dispatch_uid="inbox-grant-connected")
