"""Choosing the JAX backend: `--device cpu|gpu`."""

from __future__ import annotations

from aocnn.errors import DeviceError

KINDS = ("cpu", "gpu")


def select(kind: str | None = None) -> list:
    """The local devices of one backend (default: JAX's default backend)."""
    import jax

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
