"""What the composer offers to insert: each template and each earlier answer, rendered for
this buyer and framed in their language's greeting and sign-off, ready for a
`data-insert` button (static/js/composer.js puts it at the reply's cursor)."""

from buyers.greetings import framed, unframed
from buyers.models import Conversation
from buyers.selectors import reply_templates_for


def composer_inserts(*, conversation: Conversation, assistant, suggestions: list[dict]) -> dict:
    signature = getattr(assistant, "full_name", "") or ""

    def frame(text: str) -> str:
        return framed(unframed(text), language=conversation.language or "en",
                      buyer_name=conversation.buyer_name, signature=signature)  # fmt: skip

    templates = []
    for template in reply_templates_for(conversation=conversation):
        text = template.render(
            buyer_name=conversation.buyer_name,
            order_id=conversation.order_id,
            assistant_name=signature,
        )
        templates.append({"name": template.name, "insert": frame(text)})
    answers = [
        {**s, "bare": unframed(s["answer"]), "insert": frame(s["answer"])} for s in suggestions
    ]
    return {"templates": templates, "suggestions": answers}
