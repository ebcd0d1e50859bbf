"""The generated part of a model card: the block between two markers that an evaluation script rewrites."""

from __future__ import annotations

from pathlib import Path

BEGIN, END = "<!-- evaluate:begin -->", "<!-- evaluate:end -->"


def write_evaluation(card: Path, text: str) -> None:
    """Replace what stands between the evaluate markers of ``card`` with ``text``.

    A card without the markers is an error rather than something to append to: the block's place in
    the card is chosen by whoever writes the card.
    """
    content = card.read_text(encoding="utf-8")
    if BEGIN not in content or END not in content:
        raise SystemExit(f"{card} has no {BEGIN} … {END} block")
    head, rest = content.split(BEGIN, 1)
    tail = rest.split(END, 1)[1]
    card.write_text(f"{head}{BEGIN}\n{text}\n{END}{tail}", encoding="utf-8")
