"""Cold-start cost of aocnn commands, as ratios to bare imports, from one interleaved run.

    taskset -c 0 python scripts/speed_cold.py [--repeats 7] [--before DIR]

`--before DIR` also times every aocnn command with DIR (another checkout, e.g. `git archive` of an
older commit) first on PYTHONPATH, in the same rounds: before and after, measured interleaved.

Each command is a fresh process, timed whole (interpreter start to exit). The commands take turns
(round-robin, `--repeats` rounds) so that load from other work on the machine spreads over all of
them; each command's time is its median. Printed: medians and the ratios the goals are stated in
(issue 12): `aocnn list` and a classical solve against `python -c "import click, aocd"` (goal <= 2x),
a neural solve of both parts of a 2023/1 input against `python -c "import jax, flax.linen,
orbax.checkpoint"` (goal <= 1.25x), with JAX's persistent compilation cache warm (a private one,
filled by an untimed first run) and with it turned off.
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from aocnn.errors import run_script

# the console script (`aocnn`: cli.entry); a checkout from before it had cli.main alone
CLI = "from aocnn import cli; cli.entry() if hasattr(cli, 'entry') else cli.main(prog_name='aocnn')"


def commands(input_path: Path) -> dict[str, list[str]]:
    py = sys.executable
    solve = [py, "-c", CLI, "solve", "2023", "1", "--input", str(input_path), "--json"]
    return {
        "bare click+aocd": [py, "-c", "import click, aocd"],
        "bare jax+flax+orbax": [py, "-c", "import jax, flax.linen, orbax.checkpoint"],
        "aocnn list": [py, "-c", CLI, "list"],
        "classical solve 2023/1": [*solve, "--solver", "classical"],
        "neural solve 2023/1 (cache warm)": [*solve, "--solver", "neural"],
        "neural solve 2023/1 (cache off)": [*solve, "--solver", "neural"],
    }


def run(argv: list[str], env: dict[str, str]) -> float:
    start = time.perf_counter()
    # run from / : `python -c` puts the working directory first on sys.path, ahead of PYTHONPATH
    result = subprocess.run(argv, capture_output=True, text=True, env=env, cwd="/")
    seconds = time.perf_counter() - start
    if result.returncode != 0:
        raise SystemExit(f"failed ({result.returncode}): {' '.join(argv)}\n{result.stderr}")
    return seconds


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=7)
    parser.add_argument("--before", type=Path, help="an older checkout to time the same aocnn commands from")
    args = parser.parse_args()

    from solvers.y2023 import d01

    with tempfile.TemporaryDirectory(prefix="aocnn-speed-") as tmp:
        input_path = Path(tmp) / "input.txt"
        text = d01.generate_input(2023)
        input_path.write_text(text)
        cache = {**os.environ, "AOCNN_CACHE_DIR": str(Path(tmp) / "cache"), "AOCNN_COMPILATION_CACHE": "on"}
        envs = {name: cache for name in commands(input_path)}
        envs["neural solve 2023/1 (cache off)"] = {**os.environ, "AOCNN_COMPILATION_CACHE": "off"}
        todo = commands(input_path)
        if args.before:
            path = os.pathsep.join([str(args.before.absolute()), os.environ.get("PYTHONPATH", "")])
            for name in [n for n in todo if not n.startswith("bare")]:
                todo[f"{name} [before]"] = todo[name]
                envs[f"{name} [before]"] = {**envs[name], "PYTHONPATH": path,
                                            "AOCNN_CACHE_DIR": str(Path(tmp) / "cache-before")}
            run(todo["neural solve 2023/1 (cache warm) [before]"], envs["neural solve 2023/1 (cache warm) [before]"])
        run(todo["neural solve 2023/1 (cache warm)"], cache)  # fills the private cache: untimed
        times: dict[str, list[float]] = {name: [] for name in todo}
        for round_ in range(args.repeats):
            for name, argv in todo.items():
                times[name].append(run(argv, envs[name]))
            print(f"round {round_ + 1}/{args.repeats} done", file=sys.stderr, flush=True)

    median = {name: statistics.median(ts) for name, ts in times.items()}
    print(f"input: 2023/1 generated, {len(text.splitlines()):,} lines, {len(text):,} characters; "
          f"medians of {args.repeats} interleaved runs, python {sys.version.split()[0]}, affinity {sorted(os.sched_getaffinity(0))}")
    for name, seconds in median.items():
        print(f"  {name:<43} {seconds:6.2f} s")
    base_cli, base_dl = median["bare click+aocd"], median["bare jax+flax+orbax"]
    print("ratios:")
    for tag in ([" [before]", ""] if args.before else [""]):
        for name in ("aocnn list", "classical solve 2023/1"):
            print(f"  {name + tag:<43} {median[name + tag] / base_cli:5.2f}x  bare click+aocd     (goal <= 2x)")
        for name in ("neural solve 2023/1 (cache warm)", "neural solve 2023/1 (cache off)"):
            print(f"  {name + tag:<43} {median[name + tag] / base_dl:5.2f}x  bare jax+flax+orbax (goal <= 1.25x)")


if __name__ == "__main__":
    run_script(main)
