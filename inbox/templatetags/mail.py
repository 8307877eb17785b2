import nh3
from django import template
from django.conf import settings
from django.utils.safestring import mark_safe

from inbox.senders import imitates_amazon_name, seller_central_page, why_no_reply

register = template.Library()


@register.filter
def no_reply_reason(mail) -> str:
    """Why no reply is offered to `mail` (a Message), or ""."""
    return why_no_reply(mail.from_address, mail.subject) if mail else ""


@register.filter
def seller_central(mail) -> str:
    """Where Amazon's account-level `mail` is answered, or "" for any other mail."""
    return seller_central_page(mail.from_address, mail.subject) if mail else ""


# No images (a remote image is a tracking request), no styles, no scripts, no forms.
ALLOWED_TAGS = {
    "a", "b", "blockquote", "br", "caption", "code", "div", "em", "h1", "h2", "h3", "h4",
    "h5", "h6", "hr", "i", "li", "ol", "p", "pre", "s", "small", "span", "strong", "sub",
    "sup", "table", "tbody", "td", "tfoot", "th", "thead", "tr", "u", "ul",
}  # fmt: skip


@register.filter
def sanitized(html: str) -> str:
    """Mail HTML made safe to show inside the desk's page."""
    return mark_safe(  # noqa: S308 - nh3 output is safe by construction
        nh3.clean(
            html or "",
            tags=ALLOWED_TAGS,
            attributes={"a": {"href", "title"}, "td": {"colspan", "rowspan"}},
            url_schemes={"http", "https", "mailto"},
            link_rel="noopener noreferrer nofollow",
            clean_content_tags={"script", "style", "title", "head"},
        )
    )


@register.filter
def inert(html: str) -> str:
    """Mail HTML for the owner's page: as `sanitized`, and no link at all (a link's words
    stay, as text): nothing a sender wrote reaches the owner as a link."""
    return mark_safe(  # noqa: S308 - nh3 output is safe by construction
        nh3.clean(
            html or "",
            tags=ALLOWED_TAGS - {"a"},
            attributes={"td": {"colspan", "rowspan"}},
            url_schemes=set(),
            clean_content_tags={"script", "style", "title", "head"},
        )
    )


_BIDI = dict.fromkeys(
    map(ord, "\u061c\u200e\u200f\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069")
)


@register.filter
def plain(text: str) -> str:
    """A sender's words without the controls that turn text around (a subject or name that
    reads backwards to hide what it says)."""
    return (text or "").translate(_BIDI)


@register.filter
def imitates_amazon(mail) -> bool:
    """A sender whose name reads as Amazon (look-alike letters too) but whose address is
    not Amazon's: the owner's page says so beside the address."""
    return bool(mail) and imitates_amazon_name(mail.from_name, mail.from_address)


def _span(seconds: float) -> str:
    minutes = int(abs(seconds) // 60)
    hours, minutes = divmod(minutes, 60)
    return f"{hours} h {minutes:02d} min" if hours else f"{minutes} min"


@register.filter
def time_left(due, now) -> str:
    """Amazon's clock for a waiting conversation: '3 h 05 min left' or 'overdue by 40 min'."""
    if not due:
        return ""
    seconds = (due - now).total_seconds()
    return f"{_span(seconds)} left" if seconds > 0 else f"overdue by {_span(seconds)}"


@register.filter
def urgency(due, now) -> str:
    """A CSS class: overdue, or soon (inside the warning window), or nothing."""
    if not due:
        return ""
    seconds = (due - now).total_seconds()
    if seconds <= 0:
        return "overdue"
    return "soon" if seconds <= settings.BUYER_WARN_HOURS * 3600 else ""
