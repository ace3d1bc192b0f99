"""Checkpoints: orbax for the parameters, a small meta.json beside them. No pickle.

A checkpoint is a directory `<dir>/params` (orbax) + `<dir>/meta.json`. It is written
into a temporary sibling directory and renamed into place, so an interrupted save never
leaves half a checkpoint, and an existing one is replaced only once the new one is whole.
"""

from __future__ import annotations

import json
import os
import shutil
import tempfile
from pathlib import Path
from typing import Any

from aocnn.errors import WeightsError

META = "meta.json"
PARAMS = "params"


def save(directory: Path, params: Any, meta: dict[str, Any]) -> Path:
    import orbax.checkpoint as ocp

    directory = Path(directory).absolute()
    directory.parent.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=f".{directory.name}.tmp-", dir=directory.parent))
    try:
        checkpointer = ocp.StandardCheckpointer()
        checkpointer.save(staging / PARAMS, params)
        checkpointer.wait_until_finished()
        checkpointer.close()
        (staging / META).write_text(json.dumps(meta, indent=2, sort_keys=True) + "\n", encoding="utf-8")
        _swap_into_place(staging, directory)
    finally:
        shutil.rmtree(staging, ignore_errors=True)
    return directory


def _swap_into_place(staging: Path, directory: Path) -> None:
    if not directory.exists():
        os.replace(staging, directory)
        return
    retired = Path(tempfile.mkdtemp(prefix=f".{directory.name}.old-", dir=directory.parent))
    os.replace(directory, retired / directory.name)
    try:
        os.replace(staging, directory)
    except OSError:
        os.replace(retired / directory.name, directory)  # put the old one back
        raise
    finally:
        shutil.rmtree(retired, ignore_errors=True)


def read_meta(directory: Path) -> dict[str, Any]:
    path = Path(directory) / META
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError as exc:
        raise WeightsError(f"no trained weights at {directory} (missing {META})") from exc
    except (OSError, ValueError) as exc:
        raise WeightsError(f"corrupt weights metadata {path}: {exc}") from exc


def load(directory: Path) -> tuple[Any, dict[str, Any]]:
    """Parameters as numpy arrays, and the metadata."""
    import orbax.checkpoint as ocp

    directory = Path(directory).absolute()
    meta = read_meta(directory)
    try:
        with ocp.StandardCheckpointer() as checkpointer:
            params = checkpointer.restore(directory / PARAMS)
    except Exception as exc:  # orbax/tensorstore raise many kinds; all mean unreadable
        raise WeightsError(f"corrupt weights {directory / PARAMS}: {type(exc).__name__}") from exc
    return params, meta
