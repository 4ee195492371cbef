"""The AI-generated label on copy (《人工智能生成合成内容标识办法》 Art. 4(1): a text prompt at
the start, the end or a suitable place in the middle of generated text)."""

from typing import Any

COPY_LABELS = {"zh": "【AI生成】", "en": "[AI-generated]"}
# The copy fields that are published as text; headline, bullets and CTA go on the poster,
# which carries its own visible label.
TEXT_FIELDS = ("social_post", "host_line")


def label_text(text: str, *, language: str, position: str) -> str:
    """`text` with the label at its start or end; an empty text stays empty."""
    if not text.strip():
        return text
    label = COPY_LABELS.get(language, COPY_LABELS["zh"])
    if label in text:
        return text
    return f"{label}{text}" if position == "start" else f"{text}{label}"


def labelled_copy(copy: dict[str, Any], *, language: str, position: str) -> dict[str, Any]:
    """A render's copy with the label on each field that is published as text."""
    return {
        name: label_text(value, language=language, position=position)
        if name in TEXT_FIELDS and isinstance(value, str)
        else value
        for name, value in copy.items()
    }
