"""Text and numbers to padded id arrays with numpy (no Python loop over characters; no jax)."""

from __future__ import annotations

import numpy as np

PAD = 0


def char_table(alphabet: str) -> np.ndarray:
    """Byte -> id: PAD is 0, the alphabet is 1..n, anything else is n+1."""
    table = np.full(256, len(alphabet) + 1, dtype=np.int32)
    table[np.frombuffer(alphabet.encode("ascii"), np.uint8)] = np.arange(1, len(alphabet) + 1)
    return table


def char_ids(lines: list[str], table: np.ndarray, multiple: int = 8, min_width: int = 0) -> tuple[np.ndarray, np.ndarray]:
    """ids [N, L] (L: the longest line rounded up to `multiple`, at least `min_width`; PAD after each line) and lengths [N].

    Fixed widths keep jit from compiling once per batch shape."""
    lengths = np.fromiter(map(len, lines), dtype=np.int32, count=len(lines))
    flat = table[np.frombuffer("".join(lines).encode("ascii", "replace"), np.uint8)]
    width = max(multiple, min_width, -(-int(lengths.max(initial=0)) // multiple) * multiple)
    ids = np.full((len(lines), width), PAD, dtype=np.int32)
    rows = np.repeat(np.arange(len(lines)), lengths)
    cols = np.arange(len(flat)) - np.repeat(np.cumsum(lengths) - lengths, lengths)
    ids[rows, cols] = flat
    return ids, lengths


def chunks(items: list, size: int) -> list[list]:
    """`items` in consecutive slices of at most `size`: a long input is encoded and run piece by piece."""
    return [items[start:start + size] for start in range(0, len(items), size)]


def to_digits(values: np.ndarray, width: int) -> np.ndarray:
    """Non-negative integers as [N, width] digit ids, most significant first, zero-padded on the left."""
    values = np.asarray(values, dtype=object if width > 18 else np.int64).reshape(-1)
    out = np.zeros((len(values), width), dtype=np.int32)
    for position in range(width - 1, -1, -1):
        out[:, position] = (values % 10).astype(np.int32)
        values = values // 10
    if np.any(values != 0):
        raise ValueError(f"a value has more than {width} digits")
    return out


def from_digits(digits: np.ndarray) -> np.ndarray:
    """[N, width] digit ids back to integers (int64 up to 18 digits, Python ints beyond)."""
    digits = np.asarray(digits)
    width = digits.shape[-1]
    dtype = object if width > 18 else np.int64
    values = np.zeros(digits.shape[:-1], dtype=dtype)
    for position in range(width):
        values = values * 10 + digits[..., position].astype(dtype)
    return values


def width_of(values: np.ndarray) -> int:
    return max(len(str(int(v))) for v in np.asarray(values).reshape(-1))
