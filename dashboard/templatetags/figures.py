"""Amazon's figures as people read them: rates as percentages with their target in words,
times in the desk's time zone ("today 02:00", "Fri 28 Nov"), orders linked to Seller
Central."""

from datetime import datetime, timedelta

from django import template
from django.utils import timezone

from amazon.selectors import seller_central_url

register = template.Library()

# Amazon's targetCondition -> the word before the target.
CONDITIONS = {
    "LESS_THAN": "under",
    "LESS_THAN_OR_EQUAL_TO": "at most",
    "GREATER_THAN": "over",
    "GREATER_THAN_OR_EQUAL_TO": "at least",
    "EQUAL_TO": "exactly",
}


def _trimmed(value: float, places: int) -> str:
    text = f"{value:.{places}f}"
    return text.rstrip("0").rstrip(".") if "." in text else text


@register.filter
def figure(value, places: int = 1) -> str:
    """A number for people: at most `places` decimals, none when they are zeros."""
    if value is None or value == "":
        return "—"
    try:
        return _trimmed(float(value), int(places))
    except (TypeError, ValueError):
        return str(value)


@register.filter
def percent(rate) -> str:
    """A fraction (0.032) as a percentage ("3.2 %"); small ones keep two decimals."""
    if rate is None or rate == "":
        return "—"
    value = float(rate) * 100
    return f"{_trimmed(value, 1 if abs(value) >= 1 or value == 0 else 2)} %"


@register.filter
def target_words(metric: dict) -> str:
    """ "target under 4 %" for a rate, "target 0" for a count; "" without a target."""
    target = metric.get("target")
    if target is None:
        return ""
    word = CONDITIONS.get(str(metric.get("condition") or "").upper(), "")
    shown = percent(target) if metric.get("rate") is not None else figure(target)
    return " ".join(p for p in ("target", word, shown) if p)


@register.filter
def measured(metric: dict) -> str:
    """The metric's figure with its target: "3.2 %, target under 4 %"; the health rating's
    own word (and score, where Amazon gives one)."""
    if metric.get("rating"):
        score = metric.get("score")
        if score is None:
            return f"{metric['rating'].capitalize()} (Amazon's report gives no score)"
        return f"{metric['rating'].capitalize()}, score {figure(score, 0)}"
    if metric.get("rate") is not None:
        shown = percent(metric["rate"])
    elif metric.get("count") is not None:
        shown = f"{metric['count']}"
    else:
        shown = ""
    target = target_words(metric)
    return ", ".join(p for p in (shown, target) if p) or "No figure in Amazon's report"


@register.filter
def when(moment, now=None) -> str:
    """A time in the desk's time zone as people say it: "today 02:00", "yesterday 18:30",
    "tomorrow 09:00", "Fri 28 Nov, 14:05", or with the year when it is not this one."""
    if not isinstance(moment, datetime):
        return "" if moment in (None, "") else str(moment)
    local = timezone.localtime(moment)
    today = timezone.localtime(now or timezone.now()).date()
    clock = local.strftime("%H:%M")
    names = {today: "today", today - timedelta(days=1): "yesterday",
             today + timedelta(days=1): "tomorrow"}  # fmt: skip
    if local.date() in names:
        return f"{names[local.date()]} {clock}"
    day = f"{local.strftime('%a')} {local.day} {local.strftime('%b')}"
    if local.year != today.year:
        day += f" {local.year}"
    return f"{day}, {clock}"


@register.filter
def day(value) -> str:
    """A date as "Fri 28 Nov"."""
    if value is None:
        return ""
    return f"{value.strftime('%a')} {value.day} {value.strftime('%b')}"


@register.simple_tag
def seller_central(order_id: str, marketplace: str) -> str:
    """The order's page in Seller Central on its marketplace's domain."""
    return seller_central_url(order_id=order_id, marketplace=marketplace)


STATUS_WORDS = {"GOOD": "Good", "BAD": "Failing", "NONE": "No data"}


@register.filter
def status_words(status: str) -> str:
    return STATUS_WORDS.get(str(status or "").upper(), str(status or "—").capitalize())
