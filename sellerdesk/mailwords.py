"""What a mail server's refusal or a failed connection means, in words that say what to do:
the same for the IMAP adapter (`inbox.imap`) and the SMTP adapter (`sellerdesk.smtp`)."""

import socket
import ssl

# This machine: a local stand-in may be spoken to without TLS.
LOOPBACK = frozenset({"127.0.0.1", "::1", "localhost"})
PROVIDER_NAMES = {"microsoft": "Microsoft", "google": "Google"}


MICROSOFT_REFUSAL = "Microsoft needs the desk connected with Microsoft: use Connect with Microsoft."
GOOGLE_REFUSAL = (
    "Google needs the desk connected with Google: use Connect with Google. (Or, if the "
    "account has 2-Step Verification and its admin allows it, create an app password at "
    "myaccount.google.com/apppasswords and save it as the mailbox's password.)"
)


def login_words(*, host: str, username: str, answer: str, oauth_provider: str = "") -> str:
    """A refused login (IMAP or SMTP), said plainly: Microsoft's and Google's refusals of
    passwords name what to do; a refused token says to reconnect."""
    text = answer.lower()
    if "basic authentication is disabled" in text or "basicauthblocked" in text:
        return MICROSOFT_REFUSAL
    if "application-specific password required" in text:
        return GOOGLE_REFUSAL
    if oauth_provider:
        name = PROVIDER_NAMES.get(oauth_provider, oauth_provider)
        return (
            f"{name} did not accept the desk's sign-in for {username}: use Connect with "
            f"{name} again, signing in as {username}."
        )
    detail = f" ({answer.strip()})" if answer.strip() else ""
    return (
        f"The mail server at {host} refused the login for {username}{detail}: check the user "
        "name and password."
    )


def connection_words(exc: BaseException, *, host: str, port: int, where: str, ports: str):
    """(words, retryable) for a host that does not exist or TLS that failed; None for any
    other failure. `where` names the setting to check, `ports` the usual ports and TLS."""
    if isinstance(exc, socket.gaierror):
        return f"There is no mail server called {host}: check {where}.", True
    if isinstance(exc, ssl.SSLCertVerificationError):
        return (
            f"The mail server at {host}:{port} could not prove it is {host} "
            f"({exc.verify_message}): check {where}.",
            False,
        )
    if isinstance(exc, ssl.SSLError):
        return (
            f"The desk could not set up a secure (TLS) connection to {host}:{port} "
            f"({exc.reason or exc}): check the port and TLS ({ports}).",
            True,
        )
    return None
