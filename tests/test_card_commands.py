"""The model cards' "how to reproduce" training commands use flags the training scripts still have.

Every ``python -m models.<filter>.train …`` command written in a card (backslash continuations
joined; abbreviated ones with "…" skipped) is parsed by that script's own command line, without
running it.
"""

from __future__ import annotations

import dataclasses
import importlib
import re
import shlex
from pathlib import Path

import pytest

pytest.importorskip("torch")

from models import training  # noqa: E402

FILTERS = Path(__file__).resolve().parents[1] / "plugins" / "filters"
#: The cards of the filters whose training moved to the scaffold with this test (stylize's card is its
#: owner's to update).
CARDS = [FILTERS / name / "MODEL_CARD.md" for name in ("colorize", "edges2photo", "inpaint", "upscale")]
COMMAND = re.compile(r"python -m (models\.\w+\.train)\b([^#]*)")
FENCE = re.compile(r"^```[^\n]*\n(.*?)^```", re.S | re.M)


def _snippets(text: str) -> list[str]:
    """Fenced lines (backslash continuations joined) and inline code spans (line breaks as spaces)."""
    snippets = []
    for block in FENCE.findall(text):
        snippets += block.replace("\\\n", " ").splitlines()
    prose = FENCE.sub("", text)
    snippets += [span.replace("\n", " ") for span in re.findall(r"`([^`]+)`", prose)]
    return snippets


def _commands() -> list[tuple[str, str, str]]:
    found = []
    for card in CARDS:
        for snippet in _snippets(card.read_text(encoding="utf-8")):
            for match in COMMAND.finditer(snippet):
                if "…" not in match.group(0):
                    found.append((card.parent.name, match.group(1), " ".join(match.group(2).split())))
    return found


def _config_class(module_name: str) -> type[training.RunConfig]:
    module = importlib.import_module(module_name)
    classes = {c for c in vars(module).values() if isinstance(c, type) and issubclass(c, training.RunConfig)
               and c is not training.RunConfig and dataclasses.is_dataclass(c)}
    assert len(classes) == 1, f"{module_name} defines {classes}"
    return classes.pop()


def test_the_cards_hold_training_commands() -> None:
    assert {card for card, _, _ in _commands()} >= {"upscale", "colorize", "inpaint", "edges2photo"}


@pytest.mark.parametrize(("card", "module", "args"), _commands())
def test_each_training_command_parses(card: str, module: str, args: str) -> None:
    cls = _config_class(module)
    argv = shlex.split(args)
    try:
        training.parse_config(cls, module, argv)
    except SystemExit as exc:
        pytest.fail(f"{card}: `python -m {module} {args}` is refused ({exc})")
