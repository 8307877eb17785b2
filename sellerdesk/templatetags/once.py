from django import template
from django.utils.html import format_html

from sellerdesk.once import FIELD, new_key

register = template.Library()


@register.simple_tag
def once() -> str:
    """A hidden one-time key for a form whose post must act once (`sellerdesk.once`)."""
    return format_html('<input type="hidden" name="{}" value="{}">', FIELD, new_key())
