"""Holst's entry point (also the ``holst`` console script).

``main.py`` / ``main.py IMAGE`` open the editor; ``main.py filters ...`` and ``main.py apply ...`` are
the headless command line (plugins/cli.py). The command-line paths import neither Qt nor torch: the
editor is imported only when it is really started.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Sequence

CLI_COMMANDS = frozenset({"filters", "apply"})


def main(argv: Sequence[str] | None = None) -> int:
    """Dispatch to the CLI or the editor and return the process exit code."""
    args = list(sys.argv[1:] if argv is None else argv)
    if args and (args[0] in CLI_COMMANDS or args[0].startswith("-")):
        from plugins.cli import run

        return run(args)
    if len(args) > 1:
        from plugins.cli import EXIT_USAGE, fail

        return fail(f"unknown command '{args[0]}' (commands: filters, apply; or give one IMAGE to open)",
                    EXIT_USAGE)
    path = args[0] if args else None
    if path is not None and not os.path.exists(path):
        from plugins.cli import EXIT_USAGE, fail

        return fail(f"cannot open '{path}': the file does not exist", EXIT_USAGE)
    return _run_editor(path)


def _run_editor(path: str | None) -> int:
    try:
        from editor.app import run_app
    except ImportError as exc:
        from plugins.cli import EXIT_FAILED, fail

        return fail(f"the editor cannot start ({exc}); the command line still works: "
                    "'holst filters', 'holst apply'", EXIT_FAILED)
    return int(run_app(path) or 0)


if __name__ == "__main__":
    sys.exit(main())
