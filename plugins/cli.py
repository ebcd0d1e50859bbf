"""The headless command line (design.md §4): ``holst filters [--json]`` and ``holst apply ...``.

Exit codes: 0 success; 2 bad arguments or input (unreadable or unsupported image, unknown or
untrained filter, bad parameter, unusable output path) with one line on stderr and no traceback;
1 when a filter fails while running or the output cannot be written; 130 when interrupted (Ctrl+C).
The output file is written atomically after the filter has finished, so it is complete or absent.
Never imports torch or Qt.
"""

from __future__ import annotations

import argparse
import json
import os
import signal
import sys
import traceback
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from typing import Any, TextIO

from plugins.contract import MAX_TILE, MIN_TILE
from plugins.errors import (
    Cancelled,
    HolstError,
    ImageLoadError,
    ModelIntegrityError,
    ModelMissingError,
    ParamError,
)

PROG = "holst"
EXIT_OK, EXIT_FAILED, EXIT_USAGE, EXIT_INTERRUPTED = 0, 1, 2, 130
PROVIDERS = ("auto", "cpu", "cuda", "tensorrt", "directml", "coreml")
DEBUG_ENV = "HOLST_DEBUG"

_DESCRIPTION = """\
Holst: an image editor whose filters are neural networks.

  holst [IMAGE]                 open the editor (a bundled sample when no IMAGE is given)
  holst filters [--json]        list filters, their status and parameters
  holst apply FILTER INPUT -o OUTPUT [--mask MASK] [--set NAME=VALUE ...]
              [--provider auto|cpu|cuda|tensorrt|directml|coreml] [--tile N]
  holst apply FILTER IN... -o OUTDIR/ [--jobs N] [--suffix S] [--format EXT] [--overwrite]
              many files, folders or globs into a folder (see plugins/batch.py)
  holst apply A+B+C ... [--set B.NAME=VALUE]
              several filters in a row, in memory; presets: restore-old-photo (inpaint+colorize+upscale)
"""


class UsageError(Exception):
    """Bad command-line arguments: reported as one line, exit code 2."""


class _Parser(argparse.ArgumentParser):
    """argparse prints the whole usage block on an error; Holst promises a single line."""

    def error(self, message: str) -> None:  # type: ignore[override]
        raise UsageError(message)


def build_parser() -> argparse.ArgumentParser:
    parser = _Parser(prog=PROG, description=_DESCRIPTION,
                     formatter_class=argparse.RawDescriptionHelpFormatter)
    commands = parser.add_subparsers(dest="command", metavar="COMMAND")
    listing = commands.add_parser("filters", help="list filters with their status and parameters")
    listing.add_argument("--json", action="store_true", help="machine-readable output")
    apply = commands.add_parser("apply", help="run a filter on an image file")
    apply.add_argument("filter", metavar="FILTER",
                       help="filter id (see 'holst filters'), ids joined by '+' for a chain, or a preset")
    apply.add_argument("inputs", nargs="+", metavar="INPUT",
                       help="image to read (PNG, JPEG, WebP, TIFF, BMP); several files, folders or globs "
                            "with -o OUTDIR/")
    apply.add_argument("-o", "--output", required=True, metavar="OUTPUT",
                       help="file to write (the extension picks the format), or a folder ending in '/' "
                            "for a batch")
    apply.add_argument("--mask", metavar="MASK",
                       help="mask image, white = act here; resized if it has the image's aspect ratio")
    apply.add_argument("--set", action="append", default=[], metavar="NAME=VALUE", dest="sets",
                       help="set a filter parameter (repeatable)")
    apply.add_argument("--provider", choices=PROVIDERS, default="auto",
                       help="execution provider (default: the best one that loads)")
    apply.add_argument("--tile", type=int, metavar="N",
                       help=f"tile edge in pixels ({MIN_TILE} to {MAX_TILE})")
    apply.add_argument("--quality", type=int, default=95, metavar="Q",
                       help="JPEG/WebP quality 1..100 (default 95)")
    batch = apply.add_argument_group("batch (-o OUTDIR/)")
    batch.add_argument("--jobs", type=int, default=1, metavar="N",
                       help="worker processes (default 1); each loads the models once")
    batch.add_argument("--suffix", default=None, metavar="S",
                       help="added to each input's name (default: none)")
    batch.add_argument("--format", default=None, metavar="EXT", dest="out_ext",
                       help="output format: png, jpg, webp, tif, bmp (default: the input's own)")
    batch.add_argument("--overwrite", action="store_true",
                       help="replace outputs that exist (default: leave them and say so)")
    return parser


def run(argv: Sequence[str] | None = None, *, stderr: TextIO | None = None,
        stdout: TextIO | None = None) -> int:
    """Run the command line and return the exit code (never raises, never prints a traceback
    unless $HOLST_DEBUG is set)."""
    out = stdout or sys.stdout
    err = stderr or sys.stderr
    try:
        try:
            args = build_parser().parse_args(list(sys.argv[1:] if argv is None else argv))
        except SystemExit as exc:  # --help
            return exc.code if isinstance(exc.code, int) else EXIT_OK
        if args.command == "filters":
            return _list_filters(args.json, out)
        if args.command == "apply":
            return _apply(args, err)
        build_parser().print_help(out)
        return EXIT_OK
    except UsageError as exc:
        return fail(str(exc), EXIT_USAGE, err)
    except Interrupted as exc:
        print(("\n" if _isatty(err) else "") + f"{PROG}: stopped by {exc.name}", file=err)
        return 128 + exc.signum
    except (KeyboardInterrupt, Cancelled):
        # on a terminal the shell has echoed ^C without a line break
        print(("\n" if _isatty(err) else "") + f"{PROG}: cancelled", file=err)
        return EXIT_INTERRUPTED
    except HolstError as exc:
        return fail(str(exc), _exit_code(exc), err)
    except BrokenPipeError:  # `holst filters | head`: the reader left; say nothing more
        _silence_stdout()
        return EXIT_FAILED
    except (Exception, SystemExit) as exc:  # noqa: BLE001 - a bug: still one line, traceback on request
        if os.environ.get(DEBUG_ENV):
            traceback.print_exc(file=err)
        return fail(f"internal error: {type(exc).__name__}: {exc} (set {DEBUG_ENV}=1 for the traceback)",
                    EXIT_FAILED, err)


class Interrupted(KeyboardInterrupt):
    """SIGTERM or SIGHUP while a filter runs or its output is written: handled like Ctrl+C (the
    temporary file is removed), then the exit status is 128 + the signal's number."""

    def __init__(self, signum: int) -> None:
        super().__init__(signum)
        self.signum = signum
        self.name = signal.Signals(signum).name


def _silence_stdout() -> None:
    try:
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
    except (OSError, ValueError, AttributeError):
        pass


def fail(message: str, code: int, stream: TextIO | None = None) -> int:
    """Print ``holst: error: message`` as exactly one line and return ``code``."""
    line = " ".join(str(message).split())
    print(f"{PROG}: error: {line}", file=stream or sys.stderr)
    return code


def _exit_code(exc: HolstError) -> int:
    """Bad input of any kind is 2; a failure while running (plugin bug, out of memory, disk) is 1."""
    if isinstance(exc, (ParamError, ImageLoadError, ModelMissingError, ModelIntegrityError, _BeforeRun)):
        return EXIT_USAGE
    return EXIT_FAILED


class _BeforeRun(HolstError):
    """Wraps an error raised while checking the request (e.g. unknown or broken filter): exit 2."""


# -- filters ---------------------------------------------------------------------------------------
def _list_filters(as_json: bool, out: TextIO) -> int:
    from plugins import registry

    entries = registry.all_filters()
    registry.load_modules(entries)  # a module that fails, exits or hangs at import is listed as broken
    if as_json:
        json.dump([_entry_json(e) for e in entries], out, indent=2, default=_json_default)
        out.write("\n")
        return EXIT_OK
    if not entries:
        print("no filters found", file=out)
    id_width = max((len(e.id) for e in entries), default=0)
    for entry in entries:
        name = entry.spec.name if entry.spec else entry.folder.name
        print(f"{entry.id:<{id_width}}  {name}: {entry.status_text()}", file=out)
        params = entry.spec.params if entry.spec else ()
        width = max((len(p.name) for p in params), default=0)
        for param in params:
            default = "" if param.default in (None, "") else f" (default {_show(param.default)})"
            print(f"    {param.name:<{width}}  {param.type:<6}  {param.describe_type()}{default}", file=out)
    return EXIT_OK


def _entry_json(entry: Any) -> dict[str, Any]:
    data: dict[str, Any] = {"id": entry.id, "status": entry.status, "status_text": entry.status_text(),
                            "reason": entry.reason, "source": entry.source, "folder": str(entry.folder)}
    spec = entry.spec
    if spec is None:
        return data | {"name": entry.folder.name, "params": []}
    return data | {
        "name": spec.name, "category": spec.category, "version": spec.version,
        "description": spec.description, "input": spec.input, "output": spec.output,
        "requires_mask": spec.requires_mask, "params": [p.to_json() for p in spec.params],
        "tiling": {"mode": spec.tiling.mode} | ({"tile": spec.tiling.tile, "overlap": spec.tiling.overlap}
                                               if spec.tiling.tiled else {}),
        "commands": [{"id": c.id, "role": c.role, "label": c.label, "params": [p.to_json() for p in c.params]}
                     for c in spec.commands],
    }


def _json_default(value: Any) -> Any:
    if isinstance(value, tuple):
        return list(value)
    return str(value)


def _show(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float):
        return f"{value:g}"
    if isinstance(value, tuple):
        return ",".join(str(v) for v in value)
    return str(value)


# -- apply -----------------------------------------------------------------------------------------
def parse_sets(items: Sequence[str]) -> dict[str, str]:
    """``["a=1", "b=x=y"]`` → ``{"a": "1", "b": "x=y"}``; a later setting of a name wins."""
    raw: dict[str, str] = {}
    for item in items:
        name, sep, value = item.partition("=")
        if not sep or not name.strip():
            raise UsageError(f"--set expects NAME=VALUE, got '{item}'")
        raw[name.strip()] = value
    return raw


def _check_output(path: str) -> str:
    """The output's format, or a UsageError before any work is done (also when the output exists and
    is not a writable regular file)."""
    from plugins.imageio import SUPPORTED_WRITE, format_for_path
    from plugins.imageio.atomic import target_problem

    fmt = format_for_path(path)
    if fmt is None:
        ext = os.path.splitext(path)[1]
        kinds = ", ".join("." + e for e in sorted(SUPPORTED_WRITE))
        what = f"the output extension '{ext}'" if ext else f"the output '{path}' has no extension and"
        raise UsageError(f"{what} is not supported (use one of {kinds})" if ext else
                         f"{what} the format cannot be chosen (use one of {kinds})")
    if os.path.isdir(path):
        raise UsageError(f"the output '{path}' is a folder")
    folder = os.path.dirname(os.path.abspath(path))
    if not os.path.isdir(folder):
        raise UsageError(f"cannot write '{path}': the folder '{folder}' does not exist")
    if not os.access(folder, os.W_OK):
        raise UsageError(f"cannot write '{path}': permission denied for the folder '{folder}'")
    why = target_problem(path)
    if why is not None:
        raise UsageError(f"cannot write '{path}': {why}")
    return fmt


def resolve_filter(filter_id: str) -> Any:
    """A usable registry entry; an unknown or broken filter is a _BeforeRun (exit 2)."""
    from plugins import pipeline, registry

    try:
        entry = pipeline.resolve(registry.get(filter_id))
        entry.module()  # imported now (time-limited): a module that cannot load is bad input, not a run
        return entry
    except ModelMissingError:
        raise
    except HolstError as exc:
        raise _BeforeRun(str(exc)) from None


def build_chain(filter_text: str, raw: dict[str, str], mask: str | None) -> Any:
    """The filter or chain to run (plugins.chain), checked before any image is read."""
    from plugins import chain

    work = chain.build(filter_text, raw, resolve=resolve_filter)
    needy = next((step for step in work.steps if step.spec.requires_mask), None)
    if needy is not None and not mask:
        raise UsageError(f"filter '{needy.entry.id}' needs --mask MASK (white marks the pixels to change)")
    if mask and not any(chain.works_on_region(step.spec) for step in work.steps):
        takes = "takes" if len(work.steps) == 1 else "in the chain takes"
        raise UsageError(f"no filter {takes} a mask ('{work.name}'); leave out --mask")
    return work


def _apply(args: argparse.Namespace, err: TextIO) -> int:
    from plugins import batch

    if batch.is_batch(args.inputs, args.output):
        return batch.run_command(args, err)
    if args.suffix is not None or args.out_ext is not None:
        raise UsageError("--suffix and --format name the files of a batch: give -o a folder ending in '/'")
    args.input = args.inputs[0]
    return _apply_one(args, err)


def _apply_one(args: argparse.Namespace, err: TextIO) -> int:
    from plugins import chain
    from plugins.cancel import CancelToken
    from plugins.imageio import load_image, load_mask
    from plugins.runtime import Runtime

    raw = parse_sets(args.sets)
    out_format = _check_output(args.output)
    check_run_options(args)
    work = build_chain(args.filter, raw, args.mask)
    note_untiled(work, args.tile, err)

    with _quiet_stderr(err):
        image = load_image(args.input)
        mask = load_mask(args.mask, image.size) if args.mask else None
    _check_output_size(work, image, out_format, args.output)
    runtime = Runtime(args.provider)
    cancel = CancelToken()
    progress = _ProgressLine(work.name, err) if _isatty(err) else None
    with _interrupt_cancels(cancel):
        try:
            result = chain.run(work, image.pixels, mask=mask, runtime=runtime, progress=progress,
                               cancel=cancel, tile=args.tile, notify=lambda text: _note(text, err, progress))
        finally:
            if progress is not None:
                progress.close()
        save_result(args.output, result, image.meta, out_format, args.quality, lambda text: _note(text, err))
    _report_provider(runtime, args.provider, err)
    return EXIT_OK


def note_untiled(work: Any, tile: int | None, err: TextIO) -> None:
    """Say so when ``--tile`` is given for filters that are not tiled (it changes nothing for them)."""
    untiled = [step.entry.id for step in work.steps if not step.spec.tiling.tiled]
    if tile is None or not untiled:
        return
    if len(untiled) == 1:
        _note(f"filter '{untiled[0]}' is not tiled: --tile has no effect", err)
    else:
        names = ", ".join(repr(i) for i in untiled)
        _note(f"filters {names} are not tiled: --tile has no effect on them", err)


def check_run_options(args: argparse.Namespace) -> None:
    if args.tile is not None and not MIN_TILE <= args.tile <= MAX_TILE:
        raise UsageError(f"--tile must be from {MIN_TILE} to {MAX_TILE} pixels, got {args.tile}")
    if not 1 <= args.quality <= 100:
        raise UsageError(f"--quality must be between 1 and 100, got {args.quality}")


def save_result(path: str, result: Any, meta: Any, out_format: str, quality: int,
                note: Callable[[str], None]) -> None:
    """Write a filter's result atomically: 16 bits when the source had them and the format can."""
    from plugins.imageio import flattens_alpha, save_image

    if flattens_alpha(out_format, result):
        note(f"{out_format} has no transparency: transparent areas were flattened onto white")
    save_image(path, result, meta, fmt=out_format, quality=quality,
               bit_depth=output_bit_depth(meta, out_format))


def output_bit_depth(meta: Any, out_format: str) -> int:
    """16 when the source had 16 bits per channel and the format can hold them, else 8."""
    from plugins.imageio.formats import DEEP_FORMATS

    return 16 if meta.bit_depth >= 16 and out_format in DEEP_FORMATS else 8


def _check_output_size(work: Any, image: Any, out_format: str, path: str) -> None:
    """Refuse before the run an output the format cannot hold (a TIFF over 4 GiB)."""
    from plugins.errors import ImageSaveError
    from plugins.imageio.save import check_file_size
    from plugins.pipeline import expected_size

    width, height = image.size
    size: tuple[int, int] | None = (height, width)
    for step in work.steps:
        size = expected_size(step.entry, step.params, *size) if size is not None else None
    if size is None:
        return  # any size (a new layer): save_image checks the real one
    channels = 4 if image.meta.has_alpha or image.pixels[:, :, 3].min() < 255 else 3
    try:
        check_file_size(path, out_format, size[1], size[0], channels,
                        output_bit_depth(image.meta, out_format))
    except ImageSaveError as exc:
        raise UsageError(str(exc)) from None


def _report_provider(runtime: Any, requested: str, err: TextIO) -> None:
    """Say when the provider asked for did not run the filter. With ``auto`` a fallback is expected,
    so the runtime's notices are shown only on a terminal."""
    from plugins.runtime import PROVIDER_LABELS

    if requested == "auto" and not _isatty(err):
        return
    notices = list(runtime.notices)
    if requested not in ("auto", "cpu"):
        label = PROVIDER_LABELS[requested]
        used = PROVIDER_LABELS.get(runtime.active_provider, runtime.active_provider)
        if used != label and not any(label in notice for notice in notices):
            notices.append(f"{label} is not available here; the filter ran on the {used}.")
    for notice in notices:
        _note(notice, err)


@contextmanager
def _quiet_stderr(err: TextIO) -> Iterator[None]:
    """Silence file descriptor 2 while decoding: libtiff prints its own complaints there from C
    (e.g. "ZIPDecode: Decoding error"), and the user is promised one clear line, which is ours."""
    try:
        target = err.fileno()
    except (AttributeError, ValueError, OSError):
        target = -1
    if target != 2:
        yield
        return
    err.flush()
    saved = os.dup(2)
    try:
        with open(os.devnull, "wb") as sink:
            os.dup2(sink.fileno(), 2)
            yield
    finally:
        os.dup2(saved, 2)
        os.close(saved)


def _isatty(stream: TextIO) -> bool:
    try:
        return bool(stream.isatty())
    except (AttributeError, ValueError):
        return False


def _note(text: str, err: TextIO, progress: _ProgressLine | None = None) -> None:
    if progress is not None:
        progress.break_line()
    print(f"{PROG}: note: {' '.join(str(text).split())}", file=err)


class _ProgressLine:
    """``filter: 42%`` rewritten in place on a terminal's stderr."""

    def __init__(self, label: str, stream: TextIO) -> None:
        self.label = label
        self.stream = stream
        self.shown = -1

    def __call__(self, fraction: float) -> None:
        percent = int(max(0.0, min(1.0, fraction)) * 100)
        if percent != self.shown:
            self.shown = percent
            self.stream.write(f"\r{self.label}: {percent:3d}%")
            self.stream.flush()

    def break_line(self) -> None:
        if self.shown >= 0:
            self.stream.write("\n")
            self.shown = -1

    def close(self) -> None:
        self.break_line()


@contextmanager
def _interrupt_cancels(cancel: Any) -> Iterator[None]:
    """Ctrl+C sets the cancel token (stopping tiled work between tiles) and interrupts at once.

    The output is only written after the filter has finished, and atomically, so an interrupt at any
    moment leaves either the old file or none.
    """
    if not _in_main_thread():
        yield
        return

    def handler(signum: int, frame: Any) -> None:
        cancel.cancel()
        if signum == signal.SIGINT:
            raise KeyboardInterrupt
        raise Interrupted(signum)

    previous = {}
    for number in _STOP_SIGNALS:
        previous[number] = signal.signal(number, handler)
    try:
        yield
    finally:
        for number, old in previous.items():
            signal.signal(number, old)


#: Signals that stop a run the way Ctrl+C does: no partial output, no temporary file left behind.
_STOP_SIGNALS = tuple(getattr(signal, name) for name in ("SIGINT", "SIGTERM", "SIGHUP")
                      if hasattr(signal, name))


def _in_main_thread() -> bool:
    import threading

    return threading.current_thread() is threading.main_thread()
