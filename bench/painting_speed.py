"""``python -m bench painting``: see bench.optimisers."""

from bench.optimisers import run_painting as run

__all__ = ["run"]
