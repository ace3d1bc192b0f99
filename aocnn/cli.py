"""The `aocnn` command. Thin: parse options, call the runner, render records."""

from __future__ import annotations

import atexit
import functools
import json
import os
import signal
import sys
import threading
import time
from pathlib import Path

import click

from aocnn import inputs, registry, report, runner
from aocnn import verify as verify_inputs
from aocnn.errors import AocnnError, RegistryError

PART = click.Choice(["1", "2"])
LOG_EVERY_S = 10.0  # progress lines from `train` when stderr is not a terminal
DEVICE = click.Choice(["cpu", "gpu"])
UNCONVERGED_HELP = "Use weights whose training did not converge; every answer then counts as low-confidence."


INTERRUPTED = 130  # the shell's status for a command ended by Ctrl-C (128 + SIGINT)
QUICK_EXIT = {"allowed": False}  # set by the commands that write nothing but their output (solve, verify)


def fail(message: str) -> None:
    click.echo(f"aocnn: error: {message}", err=True)
    sys.exit(2)


class OneLineErrors(click.Group):
    """Usage errors are one `aocnn: error:` line and exit 2, like every other error; Ctrl-C is one line and 130."""

    def main(self, args=None, prog_name=None, **extra):
        interruptible()
        try:
            status = super().main(args=args, prog_name=prog_name, standalone_mode=False, **extra)
        except click.exceptions.NoArgsIsHelpError as exc:
            click.echo(exc.ctx.get_help() if exc.ctx else "", err=True)
            sys.exit(2)
        except click.ClickException as exc:
            where = f" (see `{exc.ctx.command_path} --help`)" if getattr(exc, "ctx", None) else ""
            fail(exc.format_message() + where)
        except (click.Abort, KeyboardInterrupt):
            interrupted()
        sys.exit(status if isinstance(status, int) else 0)


def entry() -> None:
    """The `aocnn` console script: `main`, then, after a solve or verify that loaded JAX, an exit that
    skips the interpreter's teardown (freeing JAX's and XLA's objects module by module: about 0.25 s of a
    2 s cold solve, and nothing a read-only command needs). Output is flushed and atexit handlers run
    first; the exit status is the command's."""
    try:
        main(prog_name="aocnn")
        status = 0
    except SystemExit as exc:
        status = exc.code
    if not (QUICK_EXIT["allowed"] and "jax" in sys.modules):
        sys.exit(status)
    if isinstance(status, str):  # SystemExit("message"): the message on stderr and status 1, as Python does
        click.echo(status, err=True)
    code = status if isinstance(status, int) else 0 if status is None else 1
    atexit._run_exitfuncs()
    sys.stdout.flush()
    sys.stderr.flush()
    os._exit(code)


def interruptible() -> None:
    """Ctrl-C (SIGINT) always stops aocnn with one line, even when whoever started it ignored or blocked
    SIGINT (a shell's background job does): a long `train` must stay stoppable."""
    if threading.current_thread() is threading.main_thread():
        signal.signal(signal.SIGINT, signal.default_int_handler)
        signal.pthread_sigmask(signal.SIG_UNBLOCK, {signal.SIGINT})


def interrupted() -> None:
    """One line and status 130. Every `finally` (staging folders, locks) has run by now; the process
    ends at once, because tearing down the interpreter under XLA's running threads can crash."""
    click.echo("aocnn: interrupted", err=True)
    sys.stdout.flush()
    sys.stderr.flush()
    os._exit(INTERRUPTED)


def user_errors(command):
    """Errors become one line on stderr and exit 2; --debug shows the traceback instead."""

    @functools.wraps(command)
    def wrapper(*args, **kwargs):
        debug = click.get_current_context().find_root().params.get("debug", False)
        try:
            return command(*args, **kwargs)
        except click.ClickException:
            raise
        except KeyboardInterrupt:
            interrupted()
        except (AocnnError, OSError) as exc:
            if debug:
                raise
            fail(str(exc))
        except Exception as exc:  # a bug: still one line, unless asked for the traceback
            if debug:
                raise
            fail(f"unexpected {type(exc).__name__}: {exc} (rerun with --debug for the traceback)")

    return wrapper


def note(message: str) -> None:
    """Progress for people watching a terminal; silent when stderr is a pipe."""
    if sys.stderr.isatty():
        click.echo(message, err=True)


def status(message: str | None) -> None:
    """One progress line, rewritten in place on a terminal (None clears it); silent when stderr is a pipe."""
    if sys.stderr.isatty():
        click.echo("\r\x1b[K" + (f"aocnn: {message}..." if message else ""), err=True, nl=False)


def check_device(kind: str | None) -> None:
    """Asking for a backend that is not there is an error before anything runs, neural or not."""
    if kind is not None:
        from aocnn.nn import devices

        devices.select(kind)


@click.group(cls=OneLineErrors)
@click.option("--debug", is_flag=True, help="Show tracebacks instead of one-line errors.")
@click.version_option(package_name="aocnn")
def main(debug: bool) -> None:
    """Advent of Code, solved by a classical reference and by a network that learned the rule."""


@main.command("list")
@click.option("--json", "as_json", is_flag=True, help="One JSON list on stdout.")
@user_errors
def list_puzzles(as_json: bool) -> None:
    """Registered puzzles, their solvers and whether trained weights are present."""
    from aocnn.nn import opinions
    from aocnn.nn.checkpoint import META
    from aocnn.nn.model import weights_path

    rows = []
    for puzzle in registry.all_puzzles().values():
        weights = {str(p): (weights_path(t) / META).is_file() for p, t in puzzle.neural.items()}
        second = {str(p): len(opinions.paths(weights_path(t))) for p, t in puzzle.neural.items()}
        rows.append(
            {
                "year": puzzle.year,
                "day": puzzle.day,
                "title": puzzle.title,
                "classical": [1, 2],
                "neural": sorted(puzzle.neural),
                "family": {str(p): t.family for p, t in puzzle.neural.items()},
                "hints": {str(p): list(t.hints) for p, t in puzzle.neural.items()},
                "weights": weights,
                "opinions": second,
                "source": puzzle.source,
            }
        )
    if as_json:
        click.echo(json.dumps(rows))
        return

    def weights_cell(row):
        return " ".join(f"p{p}:{'yes' if ok else 'missing'}" + (f"+{row['opinions'][p]}" if row["opinions"][p] else "")
                        for p, ok in row["weights"].items()) or "-"

    click.echo(
        report.table(
            ["year", "day", "title", "classical", "neural", "weights"],
            [
                [r["year"], r["day"], r["title"], "1 2", " ".join(map(str, r["neural"])) or "-", weights_cell(r)]
                for r in rows
            ],
        )
    )


@main.command()
@click.argument("year", type=int)
@click.argument("day", type=int)
@click.option("--part", type=PART, help="Solve one part only.")
@click.option("--solver", type=click.Choice(["classical", "neural", "both"]), default="both", show_default=True)
@click.option("--input", "input_path", metavar="PATH|-", help="Solve this file (or stdin) instead of your aocd input.")
@click.option("--sample", is_flag=True, help="Solve a generated sample input (fixed seed).")
@click.option("--device", type=DEVICE, help="JAX backend for the neural solver (default: JAX's default).")
@click.option("--weights", "weights_root", type=click.Path(file_okay=False, path_type=Path), help="Weights root to load instead of the shipped ones.")
@click.option("--allow-unconverged", is_flag=True, help=UNCONVERGED_HELP)
@click.option("--json", "as_json", is_flag=True, help="Exactly one JSON object on stdout.")
@user_errors
def solve(year, day, part, solver, input_path, sample, device, weights_root, allow_unconverged, as_json) -> None:
    """Solve YEAR DAY with the classical solver, the neural solver, or both, and cross-check."""
    QUICK_EXIT["allowed"] = True
    if input_path is not None and sample:
        raise click.UsageError("--input and --sample exclude each other")
    puzzle = registry.get(year, day)
    check_device(device)
    solvers = runner.SOLVERS if solver == "both" else (solver,)
    parts = (int(part),) if part else (1, 2)
    if solver == "neural" and not any(p in puzzle.neural for p in parts):
        which = f"{year} day {day}" + (f" part {part}" if part else "")  # e.g. 2024/3 has one for part 1 only
        raise AocnnError(f"{which} has no neural solver yet; use --solver classical")
    puzzle_input, notice = inputs.resolve(puzzle, input_path, sample)
    if notice:
        click.echo(f"aocnn: {notice}", err=True)
    missing = [p for p in parts if p not in puzzle.neural]
    if "neural" in solvers and not missing:
        note("loading the neural solver (restore + compile)...")
    options = runner.RunOptions(parts=parts, solvers=solvers, device=device, weights=weights_root,
                                allow_unconverged=allow_unconverged)
    result = runner.solve(puzzle, puzzle_input, options)
    if "neural" in solvers and missing:  # said once the input has been read: a bad input stays one line
        click.echo(f"aocnn: no neural solver for {year} day {day} part {', '.join(map(str, missing))}: running classical only", err=True)
    if as_json:
        click.echo(json.dumps(result))
    else:
        click.echo(f"{year} day {day}: {puzzle.title}  (input: {puzzle_input.name})")
        click.echo(report.solve_table(result))
    errors = unique(r["error"] for r in result["parts"].values() if r["error"])
    if errors:  # the answers that were found are printed above; what failed is one line
        click.echo(f"aocnn: error: {'; '.join(errors)}", err=True)
    sys.exit(runner.solve_status(result))


def unique(items) -> list:
    return list(dict.fromkeys(items))


@main.command()
@click.argument("year", type=int)
@click.argument("day", type=int)
@click.option("--part", type=PART, help="Train one part only (default: every part with a neural solver).")
@click.option("--seed", type=int, default=0, show_default=True)
@click.option("--max-steps", type=click.IntRange(min=1), help="Stop after this many steps even if not exact.")
@click.option("--out", type=click.Path(file_okay=False, path_type=Path), help="Weights root to write (default: the shipped weights/).")
@click.option("--device", type=DEVICE, help="JAX backend to train on (all its local devices, data-parallel).")
@click.option("--set", "sets", multiple=True, metavar="SECTION.FIELD=VALUE",
              help="Change one field of the network's config (model, data or train section); repeatable.")
@click.option("--config", "config_path", type=click.Path(dir_okay=False, path_type=Path),
              help="Train this config instead of the shipped one: a JSON file with a \"config\" object "
                   "(`aocnn search --out`, or a weights meta.json); --set applies on top. Needs --part.")
@click.option("--continue-from", "continue_root", type=click.Path(file_okay=False, exists=True, path_type=Path),
              help="Continue the checkpoint under this weights root (same network and seed, e.g. an unconverged "
                   "run's --out) for --max-steps more steps, with a fresh optimizer and unseen data.")
@user_errors
def train(year, day, part, seed, max_steps, out, device, sets, config_path, continue_root) -> None:
    """Train YEAR DAY's neural solver on generated data (from scratch, or continuing saved weights),
    until held-out data are exact."""
    from aocnn.ablate import configured
    from aocnn.nn import checkpoint, model
    from aocnn.nn import devices as jax_devices

    puzzle = registry.get(year, day)
    if not puzzle.neural:
        raise AocnnError(f"{year} day {day} has no neural solver to train")
    parts = [int(part)] if part else sorted(puzzle.neural)
    for p in parts:
        if p not in puzzle.neural:
            raise AocnnError(f"{year} day {day} part {p} has no neural solver to train")
    if config_path is not None and part is None:
        raise click.UsageError("--config needs --part: a config belongs to one part's network")
    chosen = jax_devices.select(device)
    root = writable_root(out if out is not None else model.weights_root())  # checked before any training
    tasks: dict[str, list[int]] = {}  # parts may share one network (one checkpoint): train it once, for all of them
    for p in parts:
        tasks.setdefault(puzzle.neural[p].name, sorted(q for q, t in puzzle.neural.items() if t.name == puzzle.neural[p].name))
    failed = False
    with checkpoint.lock(root):  # one writer per weights root; what a killed run left is now stale
        for name in tasks:
            checkpoint.remove_stale_staging(model.weights_path(puzzle.neural[tasks[name][0]], root).parent)
        for name, task_parts in tasks.items():
            task = configured(from_config_file(puzzle.neural[task_parts[0]], config_path), sets)
            which = "part " + " and ".join(map(str, task_parts))
            start = None if continue_root is None else model.continue_from(
                task, f"{year}/{day}", task_parts[0], continue_root, seed)
            params, result = train_with_progress(task, which, seed, max_steps or task.train.max_steps, chosen, start)
            far = "-" if result.far_exact is None else f"{result.far_exact:.4%}"
            figures = (f"held-out {result.exact:.4%} in range, {far} beyond ({task.far}), {result.steps} steps, "
                       f"{result.examples:,} examples, {result.seconds:.1f} s, {result.parameters:,} parameters"
                       + (f"; every real record checked: {result.certified}" if result.certified else "")
                       + (swept_figures(result) if task.certify is None and result.hard_rounds else "")
                       + restart_figures(result))
            path = model.weights_path(task, root)
            if result.converged:
                model.save(task, f"{year}/{day}", task_parts, params, result, chosen, root)
                click.echo(f"{year} day {day} {which}: exact: {figures} -> {path}")
            elif out is None:  # never replace shipped weights with an inexact network
                click.echo(f"{year} day {day} {which}: NOT exact, weights not replaced (raise --max-steps, change "
                           f"--seed, or pass --out DIR to keep them): {figures}")
            elif holds_converged(path):
                click.echo(f"{year} day {day} {which}: NOT exact, converged weights at {path} kept: {figures}")
            else:
                model.save(task, f"{year}/{day}", task_parts, params, result, chosen, root)
                click.echo(f"{year} day {day} {which}: NOT exact (saved marked unconverged; solving needs "
                           f"--allow-unconverged): {figures} -> {path}")
            failed |= not result.converged
    sys.exit(1 if failed else 0)


@main.command()
@click.argument("year", type=int)
@click.argument("day", type=int)
@click.option("--part", type=PART, required=True, help="The part whose network gets a second opinion.")
@click.option("--from", "source", required=True, type=click.Path(file_okay=False, exists=True, path_type=Path),
              help="Weights root holding the opinion: the part's network trained from another seed "
                   "(`aocnn train YEAR DAY --part P --seed S --out DIR`).")
@click.option("--weights", "weights_root", type=click.Path(file_okay=False, exists=True, path_type=Path),
              help="Weights root to add it to (default: the shipped weights/).")
@user_errors
def opinion(year, day, part, source, weights_root) -> None:
    """Add a second opinion to YEAR DAY part P's network: another converged network of the same config,
    trained from another seed. A record then counts as sure only when both are sure and agree."""
    from aocnn.nn import checkpoint, model, opinions

    puzzle = registry.get(year, day)
    part = int(part)
    if part not in puzzle.neural:
        raise AocnnError(f"{year} day {day} part {part} has no neural solver")
    root = writable_root(weights_root or model.weights_root())
    with checkpoint.lock(root):
        target = opinions.add(puzzle.neural[part], f"{year}/{day}", part, source, root)
    count = len(opinions.paths(model.weights_path(puzzle.neural[part], root)))
    click.echo(f"{year} day {day} part {part}: second opinion added -> {target} ({count} in all)")


def restart_figures(result) -> str:
    """The attempts that ended unconverged before this one (train.restarts), and this one's polish."""
    polished = f"; polished {result.polished:,} steps (train.polish_steps)" if result.polished else ""
    polished += f"; annealed {result.annealed:,} steps (train.anneal_steps)" if result.annealed else ""
    polished += f"; far sweep (train.far_sweep): {result.far_swept}" if result.far_swept else ""
    if not result.restarts:
        return polished
    failed = result.restarts
    if len(failed) <= 4:
        tries = ", ".join(f"{r['steps']:,} steps at {r['held_out_exact']:.2%}"
                          + (" (far sweep: not exact)" if r.get("far_swept") else "") for r in failed)
    else:  # many cheap attempts: their range
        steps, exact = [r["steps"] for r in failed], [r["held_out_exact"] for r in failed]
        tries = (f"{min(steps):,}-{max(steps):,} steps at {min(exact):.2%}-{max(exact):.2%}; meta.json lists each")
    return (f"; after {len(failed)} restart(s) (attempts that ended unconverged: {tries}), "
            f"this attempt from seed {result.attempt_seed}" + polished)


def swept_figures(result) -> str:
    """What training's hard rounds drilled when sweeps of fresh records found them (train.sweep_size)."""
    rounds = result.hard_rounds
    found = ", ".join(f"{r['found']:,}" for r in rounds)
    last = (f", then {result.swept}" if result.swept else
            ", rounds used up" if result.converged else ", and the stop rule no longer held after the last")
    return (f"; {len(rounds)} hard round(s) ({', '.join(str(r['steps']) for r in rounds)} steps) on records "
            f"{rounds[0]['search']} found not exact at training's margin ({found} before each){last}")


def from_config_file(task, path: Path | None):
    """`task` configured from a JSON file holding {"config": ..., "task": optional name}; errors are one line."""
    if path is None:
        return task
    from aocnn.nn.config import Config, from_dict

    if task.configure is None:
        raise AocnnError(f"{task.name} is a bespoke network: it has no config to replace")
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except json.JSONDecodeError as exc:
        raise AocnnError(f"--config {path}: not JSON ({exc})") from None
    if not isinstance(data, dict) or not isinstance(data.get("config"), dict):
        raise AocnnError(f'--config {path}: expected a JSON object with a "config" object')
    if data.get("task", task.name) != task.name:
        raise AocnnError(f"--config {path}: a config for {data['task']}, not {task.name}")
    try:
        return task.configure(from_dict(Config, data["config"]))
    except (TypeError, ValueError) as exc:
        raise AocnnError(f"--config {path}: {exc}") from None


def writable_root(root: Path) -> Path:
    """The weights root, created if missing; an error now rather than after training if it cannot be written."""
    if root.exists() and not root.is_dir():
        raise AocnnError(f"--out {root}: exists and is not a directory")
    root.mkdir(parents=True, exist_ok=True)
    if not os.access(root, os.W_OK | os.X_OK):
        raise AocnnError(f"cannot write weights to {root}: permission denied")
    return root


def holds_converged(path: Path) -> bool:
    from aocnn.nn import checkpoint

    try:
        return checkpoint.read_meta(path).get("converged") is True
    except AocnnError:
        return False


def progress_figures(progress) -> str:
    """One evaluation of a training run, as `train` and `ablate` show it."""
    far = "-" if progress.far_exact is None else f"{progress.far_exact:.2%}"
    return (f"loss {progress.loss:.4f}  exact {progress.exact:.2%}  beyond {far}  "
            f"{progress.examples_per_s:,.0f} ex/s")


def train_with_progress(task, which: str, seed: int, steps: int, chosen: list, start=None):
    """Train one task, with a progress bar on a terminal and a line every LOG_EVERY_S seconds otherwise."""
    from aocnn.nn import devices as jax_devices
    from aocnn.nn import training

    label = f"{which} on {jax_devices.describe(chosen)}"
    with click.progressbar(length=steps, label=label, file=sys.stderr, show_eta=True,
                           item_show_func=lambda s: s) as bar:
        last_line = [time.monotonic()]

        def show(progress: training.Progress) -> None:
            figures = progress_figures(progress)
            bar.update(progress.step - bar.pos, figures)
            if not sys.stderr.isatty() and time.monotonic() - last_line[0] >= LOG_EVERY_S:  # logs, CI: a line now and then
                last_line[0] = time.monotonic()
                click.echo(f"{label}: step {progress.step}/{steps}  {figures}", err=True)

        return training.train(task, seed=seed, max_steps=steps, devices=chosen, progress=show, start=start)


@main.command()
@click.argument("year", type=int)
@click.argument("day", type=int)
@click.option("--part", type=PART, required=True, help="The part whose network to ablate.")
@click.option("--variant", "names", multiple=True, help="Only these variants (default: the shipped config and every declared one).")
@click.option("--seed", type=int, default=0, show_default=True)
@click.option("--max-steps", type=click.IntRange(min=1), help="Cap each run's steps (default: the config's).")
@click.option("--restarts", type=click.IntRange(min=0), help="Cap each variant's restarts (default: the config's).")
@click.option("--in-range", type=click.IntRange(min=1), default=10_000, show_default=True,
              help="Fresh records in the training range to measure each variant on.")
@click.option("--beyond", type=click.IntRange(min=1), default=2_000, show_default=True,
              help="Fresh records beyond the training range (the task's out-of-range set).")
@click.option("--device", type=DEVICE, help="JAX backend to train on.")
@click.option("--json", "as_json", is_flag=True, help="One JSON list of rows on stdout.")
@user_errors
def ablate(year, day, part, names, seed, max_steps, restarts, in_range, beyond, device, as_json) -> None:
    """Retrain YEAR DAY's network once per declared variant (one bias removed or changed) and
    measure each in the training range and beyond it. Nothing is saved."""
    from aocnn import ablate as ablation
    from aocnn.nn import devices as jax_devices

    puzzle = registry.get(year, day)
    if int(part) not in puzzle.neural:
        raise AocnnError(f"{year} day {day} part {part} has no neural solver to ablate")
    task = puzzle.neural[int(part)]
    chosen = ablation.variants(task, names)
    devices = jax_devices.select(device)
    last_line = [0.0]

    def show(name: str, progress) -> None:
        if time.monotonic() - last_line[0] >= (0 if sys.stderr.isatty() else LOG_EVERY_S):
            last_line[0] = time.monotonic()
            click.echo(f"aocnn: ablate {name}: step {progress.step}/{progress.max_steps}  {progress_figures(progress)}",
                       err=True)

    rows = []
    for number, variant in enumerate(chosen, 1):
        click.echo(f"aocnn: ablate {number}/{len(chosen)}: {variant.name} ({variant.why})", err=True)
        rows.extend(ablation.ablate(task, [variant], seed, max_steps, in_range, beyond, devices, show, restarts))
    if as_json:
        click.echo(json.dumps(rows))
        return
    click.echo(f"{year} day {day} part {part}: {task.name}, seed {seed}; beyond = {task.far}")
    click.echo(report.table(
        ["variant", "change", "converged", "failed attempts", "steps", "parameters", "exact", "beyond", "time"],
        [[r["variant"], " ".join(r["sets"]) or "-", "yes" if r["converged"] else "no", r["failed_attempts"], r["steps"],
          r["parameters"],
          f"{r['exact']:.2%}", f"{r['exact_beyond']:.2%}", report.seconds(r["seconds"])] for r in rows]))
    for r in rows:  # a task that checks every real record (`certify`) says what each converged variant got there
        if "certified" in r:
            click.echo(f"{r['variant']}: {r['certified']}")


def selected_puzzles(year: int | None, day: int | None) -> list[registry.Puzzle]:
    if day is not None:
        return [registry.get(year, day)]
    puzzles = [p for p in registry.all_puzzles().values() if year is None or p.year == year]
    if not puzzles:
        known = ", ".join(f"{y}/{d}" for y, d in registry.all_puzzles()) or "none"
        raise RegistryError(f"no puzzle registered for {year} (registered: {known})")
    return puzzles


@main.command()
@click.argument("year", type=int, required=False)
@click.argument("day", type=int, required=False)
@click.option("--inputs", "inputs_dir", type=click.Path(exists=True, file_okay=False, path_type=Path),
              help="Folder of inputs: YEAR_DAY.txt, or YEAR_DAY/*.txt for several (answers in NAME.answers).")
@click.option("--device", type=DEVICE, help="JAX backend for the neural solvers (default: JAX's default).")
@click.option("--weights", "weights_root", type=click.Path(file_okay=False, path_type=Path), help="Weights root to load instead of the shipped ones.")
@click.option("--allow-unconverged", is_flag=True, help=UNCONVERGED_HELP)
@click.option("--json", "as_json", is_flag=True, help="One JSON list of rows on stdout.")
@user_errors
def verify(year, day, inputs_dir, device, weights_root, allow_unconverged, as_json) -> None:
    """Cross-check every registered puzzle (or YEAR, or YEAR DAY): both parts, both solvers.

    Inputs: files in --inputs DIR, else your own input through aocd when a session token is set,
    else the puzzle's generated sample. Exit 0 when everything agrees, 1 on a disagreement or a
    wrong known answer, 2 when anything could not be checked (the error is shown in its row).
    """
    QUICK_EXIT["allowed"] = True
    puzzles = selected_puzzles(year, day)
    check_device(device)
    token = inputs.has_token()
    if inputs_dir is not None:
        stray = verify_inputs.unmatched(inputs_dir, list(registry.all_puzzles().values()))
        if stray:
            click.echo(f"aocnn: ignoring {', '.join(stray)} in {inputs_dir}: not named YEAR_DAY of a registered puzzle", err=True)
    jobs = []
    for puzzle in puzzles:
        status(f"{puzzle.year}/{puzzle.day}: finding inputs")
        jobs.extend((puzzle, found) for found in verify_inputs.inputs_for(puzzle, inputs_dir, token))
    status(None)
    samples = [f"{p.year}/{p.day}" for p, found in jobs if found.source == "sample"]
    if samples:
        click.echo(f"aocnn: no AoC session token: verifying generated samples for {', '.join(samples)}"
                   " (set AOC_SESSION, or pass --inputs DIR, to verify your own inputs)", err=True)
    networks = runner.Networks(device, weights_root, allow_unconverged)
    rows = []
    for puzzle, found in jobs:
        if isinstance(found, verify_inputs.Unavailable):
            rows.extend(runner.input_error_row(puzzle, part, found.source, found.name, found.message) for part in (1, 2))
        else:
            rows.extend(runner.verify_input(puzzle, found, networks, progress=status))
    status(None)
    if as_json:
        click.echo(json.dumps(rows))
    else:
        click.echo(report.verify_table(rows))
        click.echo(report.verify_summary(rows))
    sys.exit(runner.verify_status(rows))


@main.command()
@click.argument("year", type=int, required=False)
@click.argument("day", type=int, required=False)
@click.option("--part", type=PART, help="Explain one part only (default: every part with a neural solver).")
@click.option("--input", "input_path", metavar="PATH|-", help="Run the network on this file (or stdin) instead of your aocd input.")
@click.option("--sample", is_flag=True, help="Run it on a generated sample input (fixed seed).")
@click.option("--record", type=click.IntRange(min=0), default=0, show_default=True,
              help="Which record the network is given (0 = the first) to draw the internals of.")
@click.option("--out", type=click.Path(path_type=Path), help="New or empty folder for the pictures "
              "(default: a new aocnn-explain-YEAR-DD folder here).")
@click.option("--weights", "weights_root", type=click.Path(file_okay=False, path_type=Path), help="Weights root to load instead of the shipped ones.")
@click.option("--device", type=DEVICE, help="JAX backend to run the network on (default: JAX's default).")
@click.option("--study", "studies", multiple=True, metavar="NAME",
              help="Instead: draw these `aocnn search` studies (one per sampler), best so far against trials.")
@click.option("--storage", metavar="URL", help="The optuna storage holding --study (e.g. sqlite:///search.db).")
@click.option("--json", "as_json", is_flag=True, help="One JSON list of {path, what, data} on stdout.")
@user_errors
def explain(year, day, part, input_path, sample, record, out, weights_root, device, studies, storage, as_json) -> None:
    """Draw what YEAR DAY's networks learned: training curves, each layer on one record, the learned
    parameters, and the confidence of every record of the input (PNGs, with the plotted arrays as .npz).
    With --study: the search studies instead."""
    from aocnn import explain as explaining

    explaining.require_matplotlib()
    if studies:
        if storage is None:
            raise click.UsageError("--study needs --storage URL")
        folder = explaining.output_dir(out, 0, 0, name=f"aocnn-explain-study-{studies[0]}")
        show_pictures(explaining.explain_studies(list(studies), storage, folder), as_json)
        return
    if year is None or day is None:
        raise click.UsageError("give YEAR DAY (or --study NAME --storage URL)")
    if input_path is not None and sample:
        raise click.UsageError("--input and --sample exclude each other")
    puzzle = registry.get(year, day)
    parts = [int(part)] if part else sorted(puzzle.neural)
    if not parts or any(p not in puzzle.neural for p in parts):
        raise AocnnError(f"{year} day {day}{f' part {part}' if part else ''} has no neural solver to explain")
    check_device(device)
    folder = explaining.output_dir(out, year, day)
    puzzle_input, notice = inputs.resolve(puzzle, input_path, sample)
    if notice:
        click.echo(f"aocnn: {notice}", err=True)
    puzzle.records(puzzle_input.text)  # bad input is one error before any network is loaded
    pictures, notes = explaining.explain(puzzle, parts, puzzle_input.text, record, folder, weights_root, device,
                                         progress=lambda message: status(f"explain {year}/{day} {message}"))
    status(None)
    for line in notes:
        click.echo(f"aocnn: {line}", err=True)
    show_pictures(pictures, as_json)


def show_pictures(pictures, as_json: bool) -> None:
    if as_json:
        click.echo(json.dumps([p.as_json() for p in pictures]))
    else:
        for picture in pictures:
            click.echo(f"{picture.path}  {picture.what}")


@main.command()
@click.argument("year", type=int)
@click.argument("day", type=int)
@click.option("--part", type=PART, required=True, help="The part whose network to search for.")
@click.option("--sampler", type=click.Choice(["reinforce", "random", "tpe"]), default="reinforce", show_default=True,
              help="reinforce: a Flax LSTM controller trained with REINFORCE (Zoph & Le); random, tpe: optuna's.")
@click.option("--trials", type=click.IntRange(min=1), default=20, show_default=True,
              help="Trials to add to the study (a resumed study keeps its earlier ones).")
@click.option("--steps", type=click.IntRange(min=1), default=1000, show_default=True,
              help="Training steps per trial at most (a trial stops early once exact, or when pruned).")
@click.option("--workers", type=click.IntRange(min=1), default=1, show_default=True,
              help="Worker processes sharing the study's storage.")
@click.option("--storage", "url", metavar="URL",
              help="optuna RDB storage: sqlite:///PATH, or postgresql://USER:PASSWORD@HOST/DB for workers on many "
                   "machines (pip install 'aocnn[postgres]'). Default: search.sqlite3 in aocnn's data directory "
                   "($AOCNN_DATA_DIR, else $XDG_DATA_HOME/aocnn, else ~/.local/share/aocnn).")
@click.option("--study", "name", help="Study name; an existing study is resumed (default: YEAR-DAY-partP-SAMPLER-STEPSsteps).")
@click.option("--seed", type=int, default=0, show_default=True, help="Seeds the sampler and every trial's training.")
@click.option("--pruner", type=click.Choice(["median", "halving", "none"]), default="median", show_default=True,
              help="Stop unpromising trials on their held-out curve: optuna's median or successive-halving pruner.")
@click.option("--set", "sets", multiple=True, metavar="SECTION.FIELD=VALUE",
              help="Fix one config field (left out of the search space); repeatable.")
@click.option("--out", type=click.Path(dir_okay=False, path_type=Path),
              help="Write the best config as JSON; `aocnn train YEAR DAY --part P --config FILE` trains it.")
@click.option("--json", "as_json", is_flag=True, help="One JSON object on stdout: the study, its trials, the best.")
@user_errors
def search(year, day, part, sampler, trials, steps, workers, url, name, seed, pruner, sets, out, as_json) -> None:
    """Search YEAR DAY's network architecture: the shared family's config (layer kinds and count, widths,
    state, window, direction, gate, MLPs, the integer pull, learning rate, ...), narrowed by the puzzle.

    Each trial trains one candidate with the normal training loop and is scored on fresh held-out data:
    exactness in range, then beyond it (the out-of-range set), then fewer parameters and steps. Trials
    live in an optuna study: interrupted with Ctrl-C, the same command resumes it (the interrupted trial
    is kept, marked). Progress: a line per trial on stderr; then a table of trials (or --json).
    """
    from aocnn import search as searching
    from aocnn import search_space
    from aocnn.nn.config import Config, from_dict

    spec = searching.Search(year, day, int(part), sampler, steps, seed, tuple(sets), pruner)
    task = searching.task_of(spec)  # bad puzzle, part or --set: one line before any storage is touched
    decisions = searching.decisions_of(task, spec.sets)
    if not decisions:
        raise AocnnError(f"{task.name}: nothing left to search (every field of the space is fixed)")
    url = url or searching.default_storage()
    name = name or searching.default_study(spec)
    if out is not None and out.is_dir():
        raise AocnnError(f"--out {out}: is a directory")
    searching.storage(url)  # a bad URL or an unreachable server: one line, before anything else
    click.echo(f"aocnn: search {task.name}: {len(decisions)} decisions, sampler {sampler}, {trials} trials of at most "
               f"{steps} steps, {workers} worker(s), study {name!r} in {searching.redact(url)}", err=True)
    result = searching.run(spec, url, name, trials, workers)
    best = result["best"]
    if out is not None:
        if best is None:
            raise AocnnError(f"no trial of study {name!r} completed: nothing to write to {out}")
        searching.write_json(out, searching.best_config_file(result, task, spec))
    if as_json:
        click.echo(json.dumps(result))
        return
    click.echo(f"{year} day {day} part {part}: study {name!r}, sampler {sampler}, beyond = {task.far}")

    def cell(value):
        return "-" if value is None else f"{value:.2%}"

    def changes(r):
        if r["config"] is None:
            return r["error"] or "-"
        config = from_dict(Config, r["config"])
        return " ".join(search_space.differences(config, task.config, decisions)) or "(shipped)"

    click.echo(report.table(
        ["trial", "state", "exact", "beyond", "parameters", "steps", "time", "score", "change from shipped"],
        [[r["number"], r["state"], cell(r["exact"]), cell(r["exact_out_of_range"]), r["parameters"] or "-",
          r["steps"] or "-", report.seconds(r["seconds"] or 0), "-" if r["score"] is None else f"{r['score']:.5f}",
          changes(r)] for r in result["trials"]]))
    if best is not None:
        click.echo(f"best: trial {best['number']} (score {best['score']:.5f})" + (f" -> {out}" if out else ""))
    else:
        click.echo("best: none (no trial completed)")
