from django.conf import settings
from django.contrib.auth.models import AbstractBaseUser, BaseUserManager, PermissionsMixin
from django.core.validators import RegexValidator
from django.db import models
from django.utils import timezone

from sellerdesk.crypto import EncryptedTextField
from sellerdesk.roles import Role

phone_validator = RegexValidator(
    r"^\+[1-9]\d{6,14}$", "Enter the phone number in international form, e.g. +15551234567."
)
initials_validator = RegexValidator(r"^[A-Z]{1,4}$", "Initials are 1 to 4 capital letters.")


class UserManager(BaseUserManager):
    use_in_migrations = True

    def create_user(self, email, password=None, **fields):
        if not email:
            raise ValueError("A person needs an email address.")
        user = self.model(email=self.normalize_email(email).lower(), **fields)
        user.set_password(password)
        user.save(using=self._db)
        return user

    def create_superuser(self, email, password=None, **fields):
        fields.setdefault("is_staff", True)
        fields.setdefault("is_superuser", True)
        return self.create_user(email, password, **fields)


class User(AbstractBaseUser, PermissionsMixin):
    """A person who uses the desk: the assistant, the seller (owner) or an admin."""

    email = models.EmailField(unique=True)
    full_name = models.CharField(max_length=120)
    initials = models.CharField(
        max_length=4,
        validators=[initials_validator],
        help_text="The assistant signs every text to the owner with these, e.g. -MS.",
    )
    phone = models.CharField(max_length=16, blank=True, validators=[phone_validator])
    is_active = models.BooleanField(default=True)
    is_staff = models.BooleanField(default=False, help_text="May use Django admin.")
    date_joined = models.DateTimeField(default=timezone.now)

    objects = UserManager()

    USERNAME_FIELD = "email"
    EMAIL_FIELD = "email"
    REQUIRED_FIELDS = ["full_name", "initials"]

    class Meta:
        ordering = ["full_name"]

    def __str__(self):
        return f"{self.full_name} <{self.email}>"

    def get_full_name(self):
        return self.full_name

    def get_short_name(self):
        return self.full_name.split(" ")[0] if self.full_name else self.email

    @property
    def roles(self) -> list[str]:
        return sorted(g.name for g in self.groups.all() if g.name in Role.values)


class WorkerBeat(models.Model):
    """The last time the worker ran a scheduled task: the desk warns when this goes stale."""

    name = models.CharField(max_length=300, unique=True)
    seen_at = models.DateTimeField()
    # For the mail watcher's beats ("watch <mailbox>/<folder>"): listening, or reconnecting.
    state = models.CharField(max_length=20, blank=True)

    def __str__(self):
        return f"{self.name} seen {self.seen_at:%Y-%m-%d %H:%M}"


class FormKey(models.Model):
    """A one-time key a form carried, claimed when its post acted (`sellerdesk.once`): the
    same form posted again (a double click, a retry, a reload) finds it taken."""

    key = models.CharField(max_length=64, unique=True)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now, db_index=True)

    def __str__(self):
        return f"form key of {self.created_at:%Y-%m-%d %H:%M}"


class OAuthProvider(models.TextChoices):
    MICROSOFT = "microsoft", "Microsoft"
    GOOGLE = "google", "Google"


class OAuthGrant(models.Model):
    """What a seller allowed the desk at Microsoft or Google for one mail account: read the
    mailbox over IMAP and send over SMTP (`sellerdesk.oauth`). The IMAP mailbox and the
    SMTP sender with the same provider and address share it."""

    class State(models.TextChoices):
        ACTIVE = "active", "Connected"
        REVOKED = "revoked", "Reconnect needed"

    provider = models.CharField(max_length=20, choices=OAuthProvider.choices)
    account = models.CharField(max_length=255, help_text="The mail address, lower case.")
    state = models.CharField(max_length=10, choices=State.choices, default=State.ACTIVE)
    refresh_token = EncryptedTextField(blank=True)
    access_token = EncryptedTextField(blank=True)
    access_expires_at = models.DateTimeField(null=True, blank=True)
    scope = models.TextField(blank=True)
    connected_at = models.DateTimeField(default=timezone.now)
    refreshed_at = models.DateTimeField(null=True, blank=True)
    # Why the grant stopped working, in words (for the checklist and the mailbox page).
    problem = models.TextField(blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["provider", "account"], name="one_grant_per_account")
        ]

    def __str__(self):
        return f"{self.get_provider_display()} grant for {self.account}"


class OAuthRequest(models.Model):
    """One authorization in progress: the browser was sent to the provider with `state`
    and a PKCE challenge; the callback finishes it once (claimed by a conditional UPDATE).
    `connect_mailbox` waits for `finished_at`."""

    class Outcome(models.TextChoices):
        WAITING = "waiting", "Waiting for the browser"
        GRANTED = "granted", "Connected"
        FAILED = "failed", "Failed"

    state = models.CharField(max_length=64, unique=True)
    provider = models.CharField(max_length=20, choices=OAuthProvider.choices)
    account = models.CharField(max_length=255)
    code_verifier = EncryptedTextField()
    redirect_uri = models.CharField(max_length=500)
    # Where the browser goes once the grant is stored (a path of the desk), if anywhere.
    return_to = models.CharField(max_length=500, blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    claimed_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    outcome = models.CharField(max_length=10, choices=Outcome.choices, default=Outcome.WAITING)
    error = models.TextField(blank=True)

    def __str__(self):
        return f"{self.get_provider_display()} sign-in for {self.account} ({self.outcome})"
