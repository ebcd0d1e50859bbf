"""Many images through one filter or chain: ``holst apply FILTER IN... -o OUTDIR/``.

* IN may be files, folders (their PNG/JPEG/WebP/TIFF/BMP files, not recursive) or globs (``"shoot/**/*.jpg"``,
  quoted so that Holst expands them).
* Each output is ``OUTDIR/<input name><--suffix>.<--format or the input's own extension>``. An output that
  exists is left alone and reported unless ``--overwrite``.
* ``--jobs N`` runs N worker processes; each builds the chain and its ONNX sessions once, then takes
  images one by one. With one job the work runs in this process.
* Progress: on a terminal one bar with count, rate and ETA; otherwise one plain line per image.
* A bad input (unreadable, corrupt, a mask that does not fit) is reported and the others go on; the
  run ends with a one-line summary. Exit 2 when any input was bad, else 1 when a filter or a save
  failed, else 0. Ctrl+C stops the workers between tiles and exits 130; every output is written
  atomically, so only complete files are left.
"""

from __future__ import annotations

import argparse
import glob
import multiprocessing
import os
import signal
import sys
import time
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TextIO

from plugins.cancel import CancelToken
from plugins.errors import Cancelled, HolstError

DONE, BAD, FAILED, SKIPPED, CANCELLED = "done", "bad", "failed", "skipped", "cancelled"
GLOB_CHARS = frozenset("*?[")
NAMED_IN_SUMMARY = 3


@dataclass(frozen=True)
class Task:
    source: str
    output: str


@dataclass(frozen=True)
class Outcome:
    task: Task
    status: str                  # DONE | BAD | FAILED | SKIPPED | CANCELLED
    message: str = ""
    seconds: float = 0.0
    notes: tuple[str, ...] = ()


@dataclass(frozen=True)
class Settings:
    """Everything a worker needs to build the chain itself (picklable)."""

    filter_text: str
    raw: dict[str, str]
    mask: str | None
    provider: str = "auto"
    tile: int | None = None
    quality: int = 95
    overwrite: bool = False
    threads: int | None = None


# -- planning --------------------------------------------------------------------------------------
def is_batch(inputs: Sequence[str], output: str) -> bool:
    """Several inputs, or an output that names a folder (ends with '/'), make a batch."""
    return len(inputs) > 1 or output.endswith(("/", os.sep))


def expand(patterns: Iterable[str]) -> tuple[list[str], list[Outcome]]:
    """Files to process, in the given order (folders and globs sorted within), each once; and the
    patterns that gave nothing, as BAD outcomes."""
    from plugins.imageio.formats import SUPPORTED_LIST, SUPPORTED_READ

    files: list[str] = []
    problems: list[Outcome] = []
    for pattern in patterns:
        if os.path.isdir(pattern):
            found = sorted(str(p) for p in Path(pattern).iterdir() if p.is_file()
                           and not p.name.startswith(".") and p.suffix[1:].lower() in SUPPORTED_READ)
            if not found:
                why = f"the folder holds no {SUPPORTED_LIST} files"
                problems.append(Outcome(Task(pattern, ""), BAD, why))
            files += found
        elif os.path.exists(pattern) or not GLOB_CHARS & set(pattern):
            files.append(pattern)   # a missing file is reported by the loader, with its usual message
        else:
            found = sorted(p for p in glob.glob(pattern, recursive=True) if os.path.isfile(p))
            if not found:
                problems.append(Outcome(Task(pattern, ""), BAD, "matches no file"))
            files += found
    seen: set[str] = set()
    unique = []
    for path in files:
        key = os.path.realpath(path)
        if key not in seen:
            seen.add(key)
            unique.append(path)
    return unique, problems


def output_name(source: str, outdir: str, suffix: str, ext: str | None) -> str:
    """``OUTDIR/<stem><suffix>.<ext>``; without ``ext`` the input's extension (PNG when unwritable)."""
    from plugins.imageio import SUPPORTED_WRITE

    stem, own = os.path.splitext(os.path.basename(source))
    own = own[1:].lower()
    chosen = ext or (own if own in SUPPORTED_WRITE else "png")
    return os.path.join(outdir, f"{stem}{suffix}.{chosen}")


def plan(sources: Sequence[str], outdir: str, suffix: str,
         ext: str | None) -> tuple[list[Task], list[Outcome]]:
    """One task per source; a second source whose output name is taken is a BAD outcome."""
    tasks: list[Task] = []
    problems: list[Outcome] = []
    taken: dict[str, str] = {}
    for source in sources:
        output = output_name(source, outdir, suffix, ext)
        key = os.path.normcase(os.path.abspath(output))
        if key in taken:
            problems.append(Outcome(Task(source, output), BAD,
                                    f"its output {output} would also be that of {taken[key]} "
                                    "(rename one, or run them separately with another --suffix)"))
            continue
        taken[key] = source
        tasks.append(Task(source, output))
    return tasks, problems


# -- the work of one image (in a worker process, or in this one with --jobs 1) ----------------------
class SharedCancel(CancelToken):
    """A cancel token that also follows a multiprocessing Event set by the parent on Ctrl+C."""

    def __init__(self, event: Any = None) -> None:
        super().__init__()
        self._shared = event

    @property
    def cancelled(self) -> bool:
        return super().cancelled or (self._shared is not None and self._shared.is_set())

    def raise_if_cancelled(self) -> None:
        if self.cancelled:
            raise Cancelled("cancelled")


@dataclass
class Worker:
    """The chain and runtime of one process, built once and used for every image it is given."""

    settings: Settings
    cancel: CancelToken = field(default_factory=CancelToken)
    chain: Any = None
    runtime: Any = None

    def __post_init__(self) -> None:
        from plugins import cli
        from plugins.runtime import Runtime

        self.chain = cli.build_chain(self.settings.filter_text, self.settings.raw, self.settings.mask)
        self.runtime = Runtime(self.settings.provider, threads=self.settings.threads)

    def process(self, task: Task) -> Outcome:
        start = time.perf_counter()
        status, message, notes = self._process(task)
        return Outcome(task, status, message, time.perf_counter() - start, tuple(notes))

    def _process(self, task: Task) -> tuple[str, str, list[str]]:
        from plugins import chain, cli
        from plugins.imageio import format_for_path, load_image, load_mask

        notes: list[str] = []
        if self.cancel.cancelled:
            return CANCELLED, "", notes
        if not self.settings.overwrite and os.path.exists(task.output):
            return SKIPPED, f"{task.output} exists (--overwrite replaces it)", notes
        try:
            with cli._quiet_stderr(sys.stderr):
                image = load_image(task.source)
                mask = load_mask(self.settings.mask, image.size) if self.settings.mask else None
            result = chain.run(self.chain, image.pixels, mask=mask, runtime=self.runtime, cancel=self.cancel,
                               tile=self.settings.tile, notify=notes.append)
            if not self.settings.overwrite and os.path.exists(task.output):
                return SKIPPED, f"{task.output} appeared meanwhile (--overwrite replaces it)", notes
            cli.save_result(task.output, result, image.meta, format_for_path(task.output) or "PNG",
                            self.settings.quality, notes.append)
        except Cancelled:
            return CANCELLED, "", notes
        except HolstError as exc:
            return (BAD if cli._exit_code(exc) == cli.EXIT_USAGE else FAILED), str(exc), notes
        except MemoryError:
            return FAILED, "not enough memory", notes
        except Exception as exc:  # noqa: BLE001 - a bug in one image must not stop the others
            return FAILED, f"internal error: {type(exc).__name__}: {exc}", notes
        return DONE, "", notes


_WORKER: Worker | None = None


def _init_worker(settings: Settings, event: Any) -> None:
    """Pool initializer: Ctrl+C is the parent's to handle; it sets ``event`` and the work stops."""
    global _WORKER
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    _WORKER = Worker(settings, SharedCancel(event))


def _work(task: Task) -> Outcome:
    assert _WORKER is not None
    return _WORKER.process(task)


def run_tasks(tasks: Sequence[Task], settings: Settings, jobs: int,
              on_outcome: Callable[[Outcome], None]) -> bool:
    """Process every task, calling ``on_outcome`` in this process as each finishes.

    Returns False when interrupted (Ctrl+C): the tasks not finished are then reported CANCELLED.
    """
    if jobs <= 1 or len(tasks) <= 1:
        return _run_here(tasks, settings, on_outcome)
    return _run_pool(tasks, settings, jobs, on_outcome)


def _run_here(tasks: Sequence[Task], settings: Settings, on_outcome: Callable[[Outcome], None]) -> bool:
    from plugins import cli

    worker = Worker(settings)
    finished = 0
    try:
        with cli._interrupt_cancels(worker.cancel):
            for task in tasks:
                on_outcome(worker.process(task))
                finished += 1
    except KeyboardInterrupt:
        for task in tasks[finished:]:
            on_outcome(Outcome(task, CANCELLED))
        return False
    return True


def _run_pool(tasks: Sequence[Task], settings: Settings, jobs: int,
              on_outcome: Callable[[Outcome], None]) -> bool:
    from concurrent.futures import FIRST_COMPLETED, ProcessPoolExecutor, wait

    context = multiprocessing.get_context("spawn")   # the same on every OS; no threads forked
    event = context.Event()
    reported: set[Task] = set()
    completed = True

    def deliver(future: Any) -> None:
        reported.add(futures[future])
        on_outcome(_outcome_of(future, futures[future]))

    with ProcessPoolExecutor(max_workers=jobs, mp_context=context, initializer=_init_worker,
                             initargs=(settings, event)) as pool:
        futures = {pool.submit(_work, task): task for task in tasks}
        pending = set(futures)
        try:
            while pending:
                done, pending = wait(pending, return_when=FIRST_COMPLETED)
                for future in done:
                    deliver(future)
        except KeyboardInterrupt:
            completed = False
            event.set()                      # running images stop at their next tile
            for future in pending:
                future.cancel()
            for future in pending:
                if not future.cancelled():
                    deliver(future)
    for task in tasks:
        if task not in reported:
            on_outcome(Outcome(task, CANCELLED))
    return completed


def _outcome_of(future: Any, task: Task) -> Outcome:
    """``_work`` never raises; a worker process that died (killed, out of memory) fails its image."""
    try:
        return future.result()
    except Exception as exc:  # noqa: BLE001 - BrokenProcessPool and friends
        return Outcome(task, FAILED, f"the worker process stopped ({type(exc).__name__}: {exc})")


# -- reporting -------------------------------------------------------------------------------------
@dataclass
class Tally:
    total: int
    counts: dict[str, int] = field(default_factory=lambda: dict.fromkeys((DONE, BAD, FAILED, SKIPPED,
                                                                           CANCELLED), 0))
    names: dict[str, list[str]] = field(default_factory=lambda: {BAD: [], FAILED: []})
    started: float = field(default_factory=time.perf_counter)

    def add(self, outcome: Outcome) -> None:
        self.counts[outcome.status] += 1
        if outcome.status in self.names:
            self.names[outcome.status].append(outcome.task.source)

    @property
    def finished(self) -> int:
        return sum(self.counts.values())

    def exit_code(self, interrupted: bool) -> int:
        from plugins.cli import EXIT_FAILED, EXIT_INTERRUPTED, EXIT_OK, EXIT_USAGE

        if interrupted:
            return EXIT_INTERRUPTED
        if self.counts[BAD]:
            return EXIT_USAGE
        return EXIT_FAILED if self.counts[FAILED] else EXIT_OK

    def summary(self, outdir: str) -> str:
        elapsed = time.perf_counter() - self.started
        parts = [f"{self.counts[DONE]} done"]
        for status, word in ((BAD, "bad input"), (FAILED, "failed")):
            if self.counts[status]:
                names = self.names[status]
                shown = ", ".join(names[:NAMED_IN_SUMMARY])
                more = f" and {len(names) - NAMED_IN_SUMMARY} more" if len(names) > NAMED_IN_SUMMARY else ""
                parts.append(f"{self.counts[status]} {word} ({shown}{more})")
        if self.counts[SKIPPED]:
            parts.append(f"{self.counts[SKIPPED]} skipped (output exists)")
        if self.counts[CANCELLED]:
            parts.append(f"{self.counts[CANCELLED]} not run (cancelled)")
        return f"{', '.join(parts)}; {elapsed:.1f} s → {outdir}"


class Progress:
    """A bar with count, rate and ETA rewritten in place on a terminal; plain lines otherwise."""

    WIDTH = 24

    def __init__(self, label: str, tally: Tally, stream: TextIO, tty: bool) -> None:
        self.label = label
        self.tally = tally
        self.stream = stream
        self.tty = tty
        self.drawn = False

    def report(self, outcome: Outcome, prog: str) -> None:
        count = f"[{self.tally.finished}/{self.tally.total}]"
        source = outcome.task.source
        lines = [f"{prog}: note: {source}: {' '.join(note.split())}" for note in outcome.notes]
        if outcome.status in (BAD, FAILED):
            lines.append(f"{prog}: error: {source}: {' '.join(outcome.message.split())}")
        elif outcome.status == SKIPPED:
            lines.append(f"{prog}: skipped {source}: {outcome.message}")
        elif outcome.status == DONE and not self.tty:
            lines.append(f"{count} {source} → {outcome.task.output} ({outcome.seconds:.1f} s)")
        if lines:
            self._clear()
            for line in lines:
                print(line, file=self.stream)
        if self.tty:
            self.draw()

    def draw(self) -> None:
        done, total = self.tally.finished, max(1, self.tally.total)
        elapsed = time.perf_counter() - self.tally.started
        rate = done / elapsed if elapsed > 0 and done else 0.0
        eta = (total - done) / rate if rate else None
        filled = int(self.WIDTH * done / total)
        bar = "#" * filled + "." * (self.WIDTH - filled)
        eta_text = "--:--" if eta is None else _clock(eta)
        self.stream.write(f"\r{self.label} [{bar}] {done}/{total}  {rate:.2f} img/s  ETA {eta_text} ")
        self.stream.flush()
        self.drawn = True

    def _clear(self) -> None:
        if self.drawn:
            self.stream.write("\r\033[K")
            self.drawn = False

    def close(self) -> None:
        if self.drawn:
            self.stream.write("\n")
            self.drawn = False


def _clock(seconds: float) -> str:
    seconds = int(round(seconds))
    hours, rest = divmod(seconds, 3600)
    return f"{hours}:{rest // 60:02d}:{rest % 60:02d}" if hours else f"{rest // 60}:{rest % 60:02d}"


# -- the command -----------------------------------------------------------------------------------
def run_command(args: argparse.Namespace, err: TextIO) -> int:
    """``holst apply`` with several inputs or ``-o OUTDIR/`` (called by plugins.cli)."""
    from plugins import cli
    from plugins.imageio import SUPPORTED_WRITE

    raw = cli.parse_sets(args.sets)
    cli.check_run_options(args)
    if args.jobs < 1:
        raise cli.UsageError(f"--jobs must be at least 1, got {args.jobs}")
    ext = None
    if args.out_ext is not None:
        ext = args.out_ext.lower().lstrip(".")
        if ext not in SUPPORTED_WRITE:
            raise cli.UsageError(f"--format {args.out_ext} is not supported (use one of "
                                 f"{', '.join(sorted(SUPPORTED_WRITE))})")
    work = cli.build_chain(args.filter, raw, args.mask)   # bad filter or parameters: exit 2 before any work
    cli.note_untiled(work, args.tile, err)
    if args.mask:
        from plugins.imageio import load_mask

        with cli._quiet_stderr(err):
            load_mask(args.mask)                          # unreadable mask: exit 2 before any work
    outdir = _output_folder(args.output, cli.UsageError)
    settings = Settings(args.filter, raw, args.mask, args.provider, args.tile, args.quality, args.overwrite,
                        threads=_threads_per_job(args.jobs))
    sources, problems = expand(args.inputs)
    tasks, clashes = plan(sources, outdir, args.suffix or "", ext)
    tally = Tally(len(tasks) + len(problems) + len(clashes))
    progress = Progress(args.filter, tally, err, cli._isatty(err))

    def on_outcome(outcome: Outcome) -> None:
        tally.add(outcome)
        progress.report(outcome, cli.PROG)

    if progress.tty:
        progress.draw()                                   # 0/N at once: the first image may take a while
    for outcome in problems + clashes:
        on_outcome(outcome)
    completed = True
    try:
        completed = run_tasks(tasks, settings, args.jobs, on_outcome)
    finally:
        progress.close()
    print(f"{cli.PROG}: {'cancelled: ' if not completed else ''}{tally.summary(outdir)}", file=err)
    return tally.exit_code(not completed)


def _output_folder(output: str, usage_error: type[Exception]) -> str:
    folder = output.rstrip("/" + os.sep) or output
    if os.path.isdir(folder):
        if not os.access(folder, os.W_OK):
            raise usage_error(f"cannot write into '{folder}': permission denied")
        return folder
    if os.path.exists(folder):
        raise usage_error(f"with several inputs -o names a folder, and '{folder}' is a file")
    if not output.endswith(("/", os.sep)):
        raise usage_error(f"with several inputs -o names a folder: write '{output}/' to create it")
    try:
        os.makedirs(folder)
    except OSError as exc:
        raise usage_error(f"cannot create the folder '{folder}': {exc.strerror or exc}") from None
    return folder


def _threads_per_job(jobs: int) -> int | None:
    """With several workers each gets its share of the cores (None: onnxruntime's default)."""
    if jobs <= 1:
        return None
    return max(1, (os.cpu_count() or 1) // jobs)

