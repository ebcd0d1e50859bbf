"""``python -m bench texture``: see bench.optimisers."""

from bench.optimisers import run_texture as run

__all__ = ["run"]
