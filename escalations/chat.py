"""The owner's chat channel: a Slack-style incoming webhook (a JSON POST of {"text": ...}).
The one module that calls it."""

import requests
from django.conf import settings

from sellerdesk.logs import outside_call


class ChatError(Exception):
    def __init__(self, message: str, *, retryable: bool):
        super().__init__(message)
        self.retryable = retryable


def chat_post(*, text: str, url: str | None = None, timeout: float = 10.0) -> None:
    with outside_call("chat", "post"):
        _post(text=text, url=url or settings.OWNER_WEBHOOK_URL, timeout=timeout)


def _post(*, text: str, url: str, timeout: float) -> None:
    try:
        response = requests.post(url, json={"text": text}, timeout=timeout)
    except requests.Timeout:
        raise ChatError("The chat webhook did not answer in time.", retryable=True) from None
    except requests.RequestException as exc:
        raise ChatError(f"Could not reach the chat webhook: {exc}", retryable=True) from None
    if response.status_code >= 300:
        retryable = response.status_code == 429 or response.status_code >= 500
        raise ChatError(
            f"The chat webhook answered {response.status_code}: {response.text[:200]}",
            retryable=retryable,
        )
