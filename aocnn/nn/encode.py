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


def pad_positions(inputs: dict[str, np.ndarray], length: int) -> dict[str, np.ndarray]:
    """The family's inputs with every per-position array (ids, scalars) right-padded with zeros (PAD) to
    `length` positions; `lengths` unchanged. The network computes the same (padded steps are the
    identity, pooling skips them), and training batches of any record size share one compiled step."""
    def pad(array: np.ndarray) -> np.ndarray:
        widths = [(0, 0), (0, length - array.shape[1])] + [(0, 0)] * (array.ndim - 2)
        return np.pad(array, widths)

    return {name: array if name == "lengths" else pad(array) for name, array in inputs.items()}


def chunks(items: list, size: int) -> list[list]:
    """`items` in consecutive slices of at most `size`: a long input is encoded and run piece by piece."""
    return [items[start:start + size] for start in range(0, len(items), size)]


def digit_ids(values, multiple: int = 4, min_width: int = 0) -> tuple[np.ndarray, np.ndarray]:
    """Non-negative integers as decimal digit ids, most significant first, digit d -> id d + 1, PAD
    after each number; and their lengths [N]. Any size (Python ints beyond int64 too)."""
    return char_ids([str(int(v)) for v in values], DIGIT_TABLE, multiple, min_width)


DIGIT_TABLE = char_table("0123456789")


def digits_value(digits: np.ndarray, lengths: np.ndarray) -> list[int]:
    """The inverse of `digit_ids` for class outputs 0-9 per position (positions past a length ignored)."""
    return [int("".join(map(str, row[:n]))) if n else 0 for row, n in zip(np.asarray(digits).tolist(), np.asarray(lengths).tolist())]


def aligned_digit_ids(values, width: int) -> np.ndarray:
    """[N, K] non-negative integers -> [N, width, K] ids: each number's decimal digits + 1, right-aligned
    and zero-padded to `width`, one decimal place per position (the family's digit-sequence channels)."""
    values = np.asarray(values, dtype=object)
    if width <= 18:  # int64 arithmetic; longer numbers go through their text
        places = 10 ** np.arange(width - 1, -1, -1, dtype=np.int64)
        digits = (values.astype(np.int64)[..., None] // places) % 10
    else:
        text = "".join(str(int(v)).zfill(width) for v in values.reshape(-1))
        digits = (np.frombuffer(text.encode("ascii"), np.uint8) - ord("0")).reshape(values.shape + (width,))
    return np.moveaxis(digits.astype(np.int32) + 1, -1, 1)
