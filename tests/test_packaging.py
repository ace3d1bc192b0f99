"""A non-editable install must carry the puzzles and every shipped checkpoint."""

from __future__ import annotations

import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent


@pytest.mark.slow
def test_wheel_holds_solvers_and_every_shipped_checkpoint(tmp_path):
    built = subprocess.run([sys.executable, "-m", "pip", "wheel", "--no-deps", "-q", "-w", str(tmp_path), str(ROOT)],
                           capture_output=True, text=True, timeout=300)
    assert built.returncode == 0, built.stderr
    [wheel] = tmp_path.glob("aocnn-*.whl")
    names = set(zipfile.ZipFile(wheel).namelist())
    shipped = [p.relative_to(ROOT).as_posix() for p in (ROOT / "weights").rglob("*") if p.is_file()
               and "__pycache__" not in p.parts and not p.name.startswith(".")]  # not a training run's lock file
    assert shipped and all(name in names for name in shipped)
    modules = [p.relative_to(ROOT).as_posix() for p in (ROOT / "solvers").rglob("*.py")]
    assert all(name in names for name in modules)
    assert "aocnn/cli.py" in names
