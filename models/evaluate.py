"""Benchmarks of the shipped filters: ``python -m models.evaluate <filter> [options]``.

Each filter registers a callable ``(argv) -> None`` that prints its table and writes it into the
filter's model card. Every built-in filter (found by discovery, ``plugins.registry.builtin_filters``)
that has a ``models/<filter>/evaluate.py`` is registered without an edit here; that module is imported
only when asked, so one filter's heavy imports (or its absence) never affect another's.
"""

from __future__ import annotations

import importlib
import json
import sys
from collections.abc import Callable, Sequence
from pathlib import Path

from plugins import registry

Evaluator = Callable[[Sequence[str]], None]
MODELS = Path(__file__).resolve().parent


def builtin_with_evaluation() -> list[str]:
    """The built-in filters that have an evaluation script (``models/<id>/evaluate.py``)."""
    return [e.id for e in registry.builtin_filters() if (MODELS / e.id / "evaluate.py").is_file()]


def _lazy(filter_id: str) -> Evaluator:
    def run(argv: Sequence[str]) -> None:
        module = importlib.import_module(f"models.{filter_id}.evaluate")
        module.main(list(argv))

    run.__name__ = f"evaluate_{filter_id}"
    return run


EVALUATORS: dict[str, Evaluator] = {name: _lazy(name) for name in builtin_with_evaluation()}


def _own_painting(argv: Sequence[str]) -> None:
    """Stylize's "own painting" optimisation mode (models/stylize/own_painting.py)."""
    importlib.import_module("models.stylize.own_painting").main(list(argv))


EVALUATORS["own_painting"] = _own_painting


class ScoreCache:
    """Per-image scores of a deterministic baseline (OpenCV's inpainting, a flat canvas), kept in a JSON
    file under runs/ so that re-evaluating a network does not recompute them. A key names everything
    the scores depend on (method, image, mask seed, …); ``version`` invalidates the file when the
    metric code changes."""

    def __init__(self, path: str | Path, version: str) -> None:
        self.path, self.version = Path(path), version
        data = json.loads(self.path.read_text()) if self.path.exists() else {}
        self.scores: dict[str, list[float]] = data.get("scores", {}) if data.get("version") == version else {}

    def get(self, key: str) -> list[float] | None:
        return self.scores.get(key)

    def put(self, key: str, values: Sequence[float]) -> None:
        self.scores[key] = [float(v) for v in values]

    def save(self) -> None:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        self.path.write_text(json.dumps({"version": self.version, "scores": self.scores}))


def register(filter_id: str, evaluator: Evaluator) -> None:
    """Add (or replace) the evaluator of a filter."""
    EVALUATORS[filter_id] = evaluator


def main(argv: Sequence[str] | None = None) -> int:
    args = list(sys.argv[1:] if argv is None else argv)
    if not args or args[0] in {"-h", "--help"}:
        print(f"usage: python -m models.evaluate FILTER [options]   (FILTER: {', '.join(EVALUATORS)})")
        return 0 if args else 2
    filter_id, rest = args[0], args[1:]
    if filter_id not in EVALUATORS:
        print(f"unknown filter '{filter_id}'; known: {', '.join(EVALUATORS)}", file=sys.stderr)
        return 2
    try:
        EVALUATORS[filter_id](rest)
    except ModuleNotFoundError as exc:
        if exc.name and exc.name.startswith(f"models.{filter_id}"):
            print(f"filter '{filter_id}' has no evaluation script yet ({exc.name})", file=sys.stderr)
            return 2
        raise
    return 0


if __name__ == "__main__":
    sys.exit(main())
