"""Where an owner's answer goes next.

Escalations sit below the apps whose work they are about, so they never import them. An app
that must act on an answer (the reply queue drafts or sends a buyer's reply) registers a
handler here, keyed by the kind of escalation it opens, from its `AppConfig.ready()`. The
answer is in the escalation's columns before any handler runs; a handler runs inside the
transaction that records it and sends nothing before that transaction commits.
"""

from collections.abc import Callable

from escalations.models import Escalation

AnswerHandler = Callable[..., None]  # handler(*, escalation=...)

_on_answer: dict[str, list[AnswerHandler]] = {}


def on_answer(about: str, handler: AnswerHandler) -> None:
    """Call `handler(escalation=...)` whenever the owner answers an escalation about `about`."""
    if about not in Escalation.About.values:
        raise ValueError(f"Unknown kind of escalation {about!r}.")
    handlers = _on_answer.setdefault(about, [])
    if handler not in handlers:
        handlers.append(handler)


def answered(*, escalation: Escalation) -> None:
    for handler in _on_answer.get(escalation.about, ()):
        handler(escalation=escalation)
