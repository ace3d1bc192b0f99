"""Checkpoints: orbax for the parameters, a small meta.json beside them. No pickle.

A checkpoint is a directory `<dir>/params` (orbax) + `<dir>/meta.json` (+ `<dir>/history.json`, the
training run's held-out checks, in checkpoints saved since it was recorded). It is written
into a temporary sibling directory and renamed into place, so an interrupted save never
leaves half a checkpoint, and an existing one is replaced only once the new one is whole.

A checkpoint proves what it is: meta.json holds a SHA-256 digest of every parameter file,
and `load` refuses files that do not match it before orbax reads a byte of them; it also holds
the digest of history.json, which `read_history` checks. meta.json is sealed too: its
"meta_digest" covers every other field (the config the network is rebuilt from, "converged",
the declared ranges), so an edited meta.json is refused as a changed parameter file is. What the
parameters were trained for (puzzle, part, task, convergence) is checked by `aocnn.nn.model`.
Writers take `lock(root)` so that two training runs never mix one weights directory.
"""

from __future__ import annotations

import errno
import fcntl
import hashlib
import json
import os
import shutil
import tempfile
from contextlib import contextmanager
from pathlib import Path
from typing import Any, Iterator

from aocnn.errors import WeightsError

META = "meta.json"
PARAMS = "params"
HISTORY = "history.json"
LOCK = ".aocnn-train.lock"
STAGING = (".tmp-", ".old-")  # markers of save's temporary siblings: `.<name>.tmp-XXXX`, `.<name>.old-XXXX`


def digest(params_dir: Path) -> str:
    """SHA-256 over every file under `params_dir`: its relative path and its bytes, in a fixed order."""
    sha = hashlib.sha256()
    files = sorted(p for p in Path(params_dir).rglob("*") if p.is_file())
    if not files:
        raise WeightsError(f"no parameter files under {params_dir}")
    for path in files:
        sha.update(path.relative_to(params_dir).as_posix().encode("utf-8") + b"\0")
        sha.update(path.read_bytes())
        sha.update(b"\0")
    return "sha256:" + sha.hexdigest()


def _bytes_digest(data: bytes) -> str:
    return "sha256:" + hashlib.sha256(data).hexdigest()


SEAL = "meta_digest"


def _meta_digest(meta: dict[str, Any]) -> str:
    """SHA-256 of meta.json's fields other than the seal, in one canonical JSON form."""
    body = {key: value for key, value in meta.items() if key != SEAL}
    return _bytes_digest(json.dumps(body, sort_keys=True, separators=(",", ":"), ensure_ascii=True).encode("utf-8"))


def sealed(meta: dict[str, Any]) -> dict[str, Any]:
    """`meta` with its seal: what `save` writes, and what a tool that rewrites meta.json must write."""
    return {**meta, SEAL: _meta_digest(meta)}


def write_meta(directory: Path, meta: dict[str, Any]) -> None:
    (Path(directory) / META).write_text(json.dumps(sealed(meta), indent=2, sort_keys=True) + "\n", encoding="utf-8")


def save(directory: Path, params: Any, meta: dict[str, Any], history: list[dict[str, Any]] | None = None) -> Path:
    """Parameters, meta.json and (if given) history.json, staged together and swapped in at once."""
    import orbax.checkpoint as ocp

    directory = Path(directory).absolute()
    directory.parent.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=f".{directory.name}.tmp-", dir=directory.parent))
    try:
        with ocp.StandardCheckpointer() as checkpointer:
            checkpointer.save(staging / PARAMS, params)
            checkpointer.wait_until_finished()
        meta = {**meta, "digest": digest(staging / PARAMS)}
        if history is not None:
            data = (json.dumps(list(history), indent=1) + "\n").encode("utf-8")
            (staging / HISTORY).write_bytes(data)
            meta["history_digest"] = _bytes_digest(data)
        write_meta(staging, meta)
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


def remove_stale_staging(parent: Path) -> list[Path]:
    """Delete what killed saves left in `parent` (hidden `.NAME.tmp-*` / `.NAME.old-*` folders).

    Only safe while holding `lock` on the weights root: then no save of ours is running.
    """
    removed = []
    if Path(parent).is_dir():
        for entry in Path(parent).iterdir():
            if entry.is_dir() and entry.name.startswith(".") and any(mark in entry.name for mark in STAGING):
                shutil.rmtree(entry, ignore_errors=True)
                removed.append(entry)
    return removed


@contextmanager
def lock(root: Path) -> Iterator[None]:
    """Exclusive right to write checkpoints under `root`; a second writer gets a one-line error."""
    root = Path(root)
    root.mkdir(parents=True, exist_ok=True)
    path = root / LOCK
    handle = open(path, "a+")
    try:
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError as exc:
            if exc.errno in (errno.EAGAIN, errno.EACCES):
                raise WeightsError(f"another `aocnn train` is writing weights in {root}; wait for it to finish") from exc
            raise
        yield
    finally:
        handle.close()


def read_meta(directory: Path) -> dict[str, Any]:
    path = Path(directory) / META
    try:
        meta = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError as exc:
        raise WeightsError(f"no trained weights at {directory} (missing {META})") from exc
    except (OSError, ValueError) as exc:
        raise WeightsError(f"corrupt weights metadata {path}: {exc}") from exc
    if not isinstance(meta, dict):
        raise WeightsError(f"corrupt weights metadata {path}: not a JSON object")
    if not isinstance(meta.get(SEAL), str):
        raise WeightsError(f"weights at {directory} carry no {SEAL} in {META}: they cannot prove what they are")
    if meta[SEAL] != _meta_digest(meta):
        raise WeightsError(f"weights at {directory} do not match the digest in their {META}: "
                           f"{META} itself was edited or damaged")
    return meta


def verify(directory: Path, meta: dict[str, Any]) -> None:
    """The parameter files are exactly those the checkpoint was saved with."""
    expected = meta.get("digest")
    if not isinstance(expected, str):
        raise WeightsError(f"weights at {directory} carry no digest in {META}: they cannot prove what they are")
    try:
        found = digest(Path(directory) / PARAMS)
    except OSError as exc:
        raise WeightsError(f"unreadable weights {Path(directory) / PARAMS}: {exc.strerror or exc}") from exc
    if found != expected:
        raise WeightsError(f"weights at {directory} do not match the digest in their {META}: "
                           "a parameter file was changed or damaged")


def load(directory: Path) -> tuple[Any, dict[str, Any]]:
    """Parameters as numpy arrays, and the metadata; refuses files that fail their digest."""
    import orbax.checkpoint as ocp

    directory = Path(directory).absolute()
    meta = read_meta(directory)
    verify(directory, meta)
    try:
        with ocp.StandardCheckpointer() as checkpointer:
            params = checkpointer.restore(directory / PARAMS)
    except Exception as exc:  # orbax/tensorstore raise many kinds; all mean unreadable
        raise WeightsError(f"corrupt weights {directory / PARAMS}: {type(exc).__name__}") from exc
    return params, meta


def read_history(directory: Path, meta: dict[str, Any]) -> list[dict[str, Any]] | None:
    """The training history saved with a checkpoint, checked against meta.json; None when none was
    recorded (checkpoints saved before histories were kept)."""
    path = Path(directory) / HISTORY
    try:
        data = path.read_bytes()
    except FileNotFoundError:
        return None
    except OSError as exc:
        raise WeightsError(f"unreadable training history {path}: {exc.strerror or exc}") from exc
    if meta.get("history_digest") != _bytes_digest(data):
        raise WeightsError(f"training history {path} does not match the digest in its {META}")
    try:
        history = json.loads(data)
    except ValueError as exc:
        raise WeightsError(f"corrupt training history {path}: {exc}") from exc
    if not isinstance(history, list) or not all(isinstance(row, dict) for row in history):
        raise WeightsError(f"corrupt training history {path}: not a list of objects")
    return history
