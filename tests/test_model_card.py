"""The generated block of a model card is replaced in place; the hand-written text around it stays."""

from __future__ import annotations

import pytest

from models.card import BEGIN, END, write_evaluation


def test_the_block_between_the_markers_is_replaced_and_the_rest_kept(tmp_path):
    card = tmp_path / "MODEL_CARD.md"
    card.write_text(f"# Card\nbefore\n{BEGIN}\nold table\n{END}\nafter\n", encoding="utf-8")
    write_evaluation(card, "| new | table |")
    assert card.read_text(encoding="utf-8") == f"# Card\nbefore\n{BEGIN}\n| new | table |\n{END}\nafter\n"
    write_evaluation(card, "second")
    assert card.read_text(encoding="utf-8").count(BEGIN) == 1


def test_a_card_without_markers_is_refused_and_left_alone(tmp_path):
    card = tmp_path / "MODEL_CARD.md"
    card.write_text("# Card\nno block here\n", encoding="utf-8")
    with pytest.raises(SystemExit, match="no <!-- evaluate:begin -->"):
        write_evaluation(card, "table")
    assert card.read_text(encoding="utf-8") == "# Card\nno block here\n"
