"""Choosing the JAX backend (`--device cpu|gpu`), and JAX's persistent compilation cache.

The cache keeps compiled programs on disk between processes, so a second `aocnn solve` skips the
compile its first one paid for. It lives in aocnn's user cache directory: `$AOCNN_CACHE_DIR`, else
`$XDG_CACHE_HOME/aocnn`, else `~/.cache/aocnn`; `AOCNN_COMPILATION_CACHE=off` turns it off.
"""

from __future__ import annotations

import gc
import os
import sys
from pathlib import Path

from aocnn.errors import DeviceError

KINDS = ("cpu", "gpu")
OFF = ("0", "off", "false", "no")


def cache_dir() -> Path | None:
    """Where compiled programs are kept, or None when the cache is turned off."""
    if os.environ.get("AOCNN_COMPILATION_CACHE", "").strip().lower() in OFF:
        return None
    root = os.environ.get("AOCNN_CACHE_DIR") or Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache") / "aocnn"
    return Path(root) / "jax"


def enable_compilation_cache() -> None:
    import jax

    directory = cache_dir()
    if directory is None or jax.config.jax_compilation_cache_dir == str(directory):
        return
    try:
        directory.mkdir(parents=True, exist_ok=True)
    except OSError:
        return  # an unwritable cache only costs compile time
    jax.config.update("jax_compilation_cache_dir", str(directory))
    jax.config.update("jax_persistent_cache_min_compile_time_secs", 0.0)
    jax.config.update("jax_persistent_cache_min_entry_size_bytes", 0)


def import_stack() -> None:
    """Import JAX, Flax and orbax once, with the cyclic garbage collector paused: they create a few
    hundred thousand objects that live as long as the process, and collecting them over and over while
    they load cost a cold 2023/1 solve about 0.1 s (a bare import of the three, 0.2 s). Then they are frozen
    out of later collections."""
    if "orbax.checkpoint" in sys.modules:
        return
    collecting = gc.isenabled()
    gc.disable()
    try:
        import flax.linen  # noqa: F401
        import jax  # noqa: F401
        import orbax.checkpoint  # noqa: F401
    finally:
        gc.freeze()
        if collecting:
            gc.enable()


def select(kind: str | None = None) -> list:
    """The local devices of one backend (default: JAX's default backend)."""
    import_stack()
    import jax

    enable_compilation_cache()
    if kind is None:
        return jax.local_devices()
    try:
        devices = jax.local_devices(backend=kind)
    except RuntimeError:
        devices = []
    if not devices:
        available = sorted({d.platform for d in jax.devices()})
        raise DeviceError(f"no {kind} device available to JAX (available: {', '.join(available)})")
    return devices


def describe(devices: list) -> str:
    kind = devices[0].platform
    return kind if len(devices) == 1 else f"{kind}x{len(devices)}"
