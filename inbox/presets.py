"""What the desk knows about the big mail providers, from the address alone (no look-up):
where their IMAP and SMTP servers are and how they let the desk sign in."""

from dataclasses import dataclass

from sellerdesk.mailwords import LOOPBACK


@dataclass(frozen=True)
class Preset:
    key: str
    name: str
    imap_host: str
    smtp_host: str
    smtp_port: int
    # How the desk signs in: "microsoft"/"google" (OAuth) or "app password".
    sign_in: str
    advice: str
    # The folders the desk uses there; found by their \\Junk and \\Trash flags, so these are
    # shown, not set (Gmail's names change with the account's language).
    spam: str
    trash: str
    imap_port: int = 993
    use_ssl: bool = True

    @property
    def email_url_example(self) -> str:
        scheme = "smtps" if self.smtp_port == 465 else "smtp"
        tls = "" if self.smtp_port == 465 else "?tls=true"
        oauth = ""
        if self.sign_in in ("microsoft", "google"):
            oauth = ("&" if tls else "?") + f"oauth={self.sign_in}"
            return f"{scheme}://ADDRESS@{self.smtp_host}:{self.smtp_port}{tls}{oauth}"
        return f"{scheme}://ADDRESS:APP-PASSWORD@{self.smtp_host}:{self.smtp_port}{tls}"


PRESETS = {
    p.key: p
    for p in (
        Preset(
            "google", "Gmail / Google Workspace", "imap.gmail.com", "smtp.gmail.com", 587,
            "google",
            "Google takes no normal password: use Connect with Google (or an app password, "
            "which needs 2-Step Verification and which Workspace admins can switch off).",
            "[Gmail]/Spam", "[Gmail]/Trash",
        ),
        Preset(
            "microsoft", "Outlook.com / Microsoft 365", "outlook.office365.com",
            "smtp.office365.com", 587, "microsoft",
            "Microsoft refuses passwords (basic authentication is disabled): use Connect with "
            "Microsoft.",
            "Junk Email", "Deleted Items",
        ),
        Preset(
            "yahoo", "Yahoo Mail", "imap.mail.yahoo.com", "smtp.mail.yahoo.com", 465,
            "app password",
            "Yahoo needs an app password: Account security, Generate app password.",
            "Bulk", "Trash",
        ),
        Preset(
            "icloud", "iCloud Mail", "imap.mail.me.com", "smtp.mail.me.com", 587, "app password",
            "Apple needs an app-specific password: account.apple.com, Sign-In and Security.",
            "Junk", "Deleted Messages",
        ),
        Preset(
            "zoho", "Zoho Mail", "imap.zoho.com", "smtp.zoho.com", 465, "app password",
            "Zoho takes the password, or an app password when two-factor sign-in is on; "
            "IMAP access must be switched on in Zoho's settings.",
            "Spam", "Trash",
        ),
        Preset(
            "fastmail", "Fastmail", "imap.fastmail.com", "smtp.fastmail.com", 465,
            "app password",
            "Fastmail needs an app password: Settings, Privacy & Security, App passwords.",
            "Spam", "Trash",
        ),
    )
}  # fmt: skip

DOMAINS = {
    **dict.fromkeys(("gmail.com", "googlemail.com"), "google"),
    **dict.fromkeys(
        (
            "outlook.com", "outlook.de", "outlook.fr", "outlook.es", "outlook.it", "outlook.jp",
            "hotmail.com", "hotmail.co.uk", "hotmail.de", "hotmail.fr", "hotmail.es",
            "hotmail.it", "live.com", "live.co.uk", "live.de", "live.fr", "msn.com",
        ),
        "microsoft",
    ),
    **dict.fromkeys(
        ("yahoo.com", "yahoo.co.uk", "yahoo.de", "yahoo.fr", "yahoo.es", "yahoo.it",
         "yahoo.ca", "yahoo.com.au", "ymail.com", "rocketmail.com"),
        "yahoo",
    ),
    **dict.fromkeys(("icloud.com", "me.com", "mac.com"), "icloud"),
    **dict.fromkeys(("zoho.com", "zohomail.com"), "zoho"),
    **dict.fromkeys(("fastmail.com", "fastmail.fm"), "fastmail"),
}  # fmt: skip

# The IMAP hosts, so a mailbox typed in by hand is recognised too.
HOSTS = {p.imap_host: p.key for p in PRESETS.values()} | {"imap.googlemail.com": "google"}


def preset_for(address: str = "", *, provider: str = "", host: str = "") -> Preset | None:
    """The preset for a mailbox: by its sign-in provider (a Microsoft 365 or Google
    Workspace mailbox has the shop's own domain), else its address's domain, else its host."""
    if provider in PRESETS:
        return PRESETS[provider]
    domain = address.rpartition("@")[2].strip().lower()
    key = DOMAINS.get(domain) or HOSTS.get(host.strip().lower())
    return PRESETS.get(key) if key else None


# Where a provider's OAuth grant may be used: its own IMAP hosts (a token for Microsoft goes
# to no other server), and this machine (a local stand-in).
OAUTH_HOSTS = {
    "microsoft": {"outlook.office365.com", "outlook.office.com", "imap-mail.outlook.com"},
    "google": {"imap.gmail.com", "imap.googlemail.com"},
}


def oauth_host_problem(provider: str, host: str, use_ssl: bool) -> str:
    """Why a mailbox signing in with `provider` must not be read at `host`, or ""."""
    host = host.strip().lower()
    if host in LOOPBACK:
        return ""
    if host not in OAUTH_HOSTS.get(provider, set()):
        preset = PRESETS[provider]
        return (
            f"A mailbox that signs in with {provider.title()} is read at {preset.imap_host}: "
            "leave the host empty to fill it in (the sign-in token goes to no other server)."
        )
    if not use_ssl:
        return "The sign-in token goes only over TLS: tick TLS (port 993)."
    return ""
