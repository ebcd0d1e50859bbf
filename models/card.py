"""The generated part of a model card: the block between two markers that an evaluation script rewrites."""

from __future__ import annotations

from pathlib import Path

BEGIN, END = "<!-- evaluate:begin -->", "<!-- evaluate:end -->"


def write_evaluation(card: Path, text: str, block: str = "evaluate") -> None:
    """Replace what stands between the ``<!-- {block}:begin -->`` / ``end`` markers of ``card`` with ``text``.

    A card without the markers is an error rather than something to append to: the block's place in
    the card is chosen by whoever writes the card. A card may hold several named blocks (the stylize
    card: ``evaluate`` for the network, ``own-painting`` for the optimisation mode).
    """
    begin, end = f"<!-- {block}:begin -->", f"<!-- {block}:end -->"   # BEGIN, END for "evaluate"
    content = card.read_text(encoding="utf-8")
    if begin not in content or end not in content:
        raise SystemExit(f"{card} has no {begin} … {end} block")
    head, rest = content.split(begin, 1)
    tail = rest.split(end, 1)[1]
    card.write_text(f"{head}{begin}\n{text}\n{end}{tail}", encoding="utf-8")
