"""Regenerate the README's pictures: for every registered puzzle, what its first network computes on
the first record of the puzzle's generated sample (the `partN-internals.png` of `aocnn explain`; its
learned parameters where no layer computes per position), drawn from the shipped weights at a small size.

    python scripts/readme_pictures.py                 # docs/pictures/YEAR_DD.png
    python scripts/readme_pictures.py --dpi 100       # full size
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from aocnn import inputs, plots, registry
from aocnn.errors import AocnnError, run_script
from aocnn.explain import explain_part, require_matplotlib

ROOT = Path(__file__).resolve().parent.parent


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=ROOT / "docs" / "pictures")
    parser.add_argument("--dpi", type=int, default=60)
    args = parser.parse_args()
    try:
        require_matplotlib()
    except AocnnError as exc:
        print(f"readme_pictures: {exc}", file=sys.stderr)
        return 2
    args.out.mkdir(parents=True, exist_ok=True)
    for puzzle in registry.all_puzzles().values():
        if not puzzle.neural:
            continue
        part = min(puzzle.neural)
        print(f"{puzzle.year}/{puzzle.day} part {part}: explaining...", file=sys.stderr, flush=True)
        item = explain_part(puzzle, part, inputs.sample(puzzle).text, 0)
        made = plots.figure_internals(item) if plots.has_positions(item) else plots.figures_parameters(item)[0]
        path = args.out / f"{puzzle.slug}.png"
        plots.save(*made, path, dpi=args.dpi)
        path.with_suffix(".npz").unlink()  # the README shows the picture; `aocnn explain` gives the data
        print(f"{path}  {path.stat().st_size // 1024} KiB")
    return 0


if __name__ == "__main__":
    run_script(lambda: sys.exit(main()))
