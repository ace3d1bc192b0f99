"""AoC 2024 day 3's training memories, a batch at a time.

The laws of `d03.training_memory` (and of the `generate_line`, `near_miss` and `junk` it calls), drawn for
every memory of a batch at once: the same distributions of sizes, lines, instruction counts, operands,
near-miss kinds, gaps and junk, from other draws of the random stream, so the memories are not the same
ones. `d03.training_memory` stays the one-memory reference, which the measuring sets use;
`tests/test_2024_03.py` compares the two laws. A batch of 128 training memories takes about 1 ms here,
about 10 ms one memory at a time (every piece, gap and junk character was a Python step)."""

from __future__ import annotations

import numpy as np

from solvers.y2024 import d03

JUNK_UNITS = list(d03.JUNK) + list(d03.WORDS)  # a junk unit: one JUNK character, or (8% of units) a word
JUNK_BYTES = np.frombuffer("".join(JUNK_UNITS).encode("ascii"), np.uint8)
JUNK_LENGTHS = np.array([len(unit) for unit in JUNK_UNITS])
JUNK_STARTS = np.cumsum(JUNK_LENGTHS) - JUNK_LENGTHS
PIECES = ("mul", "do", "dont", "miss", "misspelt")  # the columns of a line's counts


def operands(rng: np.random.Generator, n: int, small: bool) -> list[str]:
    """`n` operands: `d03.small_operand`'s law (0-30 written with 1-3 digits) or `d03.operand`'s."""
    if small:
        values = rng.integers(0, 31, n)
        widths = rng.integers(np.where(values >= 10, 2, 1), 4)
        return [str(v).zfill(w) for v, w in zip(values.tolist(), widths.tolist())]
    below = np.where(rng.random(n) < 0.8, 1000, 10 ** rng.integers(1, 3, n))
    return [str(v) for v in rng.integers(1, below).tolist()]


def too_long(rng: np.random.Generator, n: int, small: bool) -> list[str]:
    """`n` four-digit operands, `d03.too_long`'s law."""
    if small:
        return [x.zfill(4) for x in operands(rng, n, True)]
    return [str(v) for v in rng.integers(1000, 10_000, n).tolist()]


def near_misses(rng: np.random.Generator, n: int, small: bool) -> list[str]:
    """`n` near-misses, `d03.near_miss`'s law: a kind, uniform, and what it needs."""
    xs, ys, ts = operands(rng, n, small), operands(rng, n, small), too_long(rng, n, small)
    kinds = rng.integers(0, len(d03.NEAR_MISSES), n).tolist()
    switches = rng.integers(0, len(d03.SWITCH_MISSES), n).tolist()
    names = rng.integers(0, len(d03.NAME_MISSES), n).tolist()
    words = [d03.SWITCH_MISSES[s] if k == d03.SWITCH_KIND else d03.NAME_MISSES[m] for k, s, m in zip(kinds, switches, names)]
    return [d03.NEAR_MISSES[k](x, y, t, w) for k, x, y, t, w in zip(kinds, xs, ys, ts, words)]


def pieces_of(rng: np.random.Generator, counts: np.ndarray, small: bool) -> tuple[list[str], np.ndarray]:
    """Every line's pieces (`counts`: lines x PIECES), each line's in random order, and the line of each."""
    muls, dos, donts, misses, misspelt = counts.sum(axis=0).tolist()
    xs, ys = operands(rng, muls + misspelt, small), operands(rng, muls + misspelt, small)
    names = rng.integers(0, len(d03.MISSPELT), misspelt).tolist()
    texts = ([f"mul({x},{y})" for x, y in zip(xs[:muls], ys[:muls])] + ["do()"] * dos + ["don't()"] * donts
             + near_misses(rng, misses, small)
             + [f"{d03.MISSPELT[m]}({x},{y})" for m, x, y in zip(names, xs[muls:], ys[muls:])])
    lines = np.concatenate([np.repeat(np.arange(len(counts)), counts[:, k]) for k in range(len(PIECES))])
    order = np.lexsort((rng.random(len(texts)), lines))  # by line, in random order within it
    return [texts[i] for i in order.tolist()], lines[order]


def gap_sizes(rng: np.random.Generator, rooms: np.ndarray, slots: np.ndarray) -> np.ndarray:
    """How each line's `rooms` characters of junk fall into its `slots` gaps (before, between and after its
    pieces), `generate_line`'s law: a multinomial over weights uniform in [0, 1), a third of them 0 (a line
    whose weights are all 0 gets no junk). Gap sizes, line by line."""
    line = np.repeat(np.arange(len(slots)), slots)
    weights = rng.random(line.size) * (rng.random(line.size) > 0.33)
    totals = np.bincount(line, weights, minlength=len(slots))
    rooms = np.where(totals > 0, rooms, 0)
    ends = np.cumsum(slots)
    within = np.cumsum(weights) - np.repeat(np.cumsum(weights)[ends - 1] - totals, slots)  # cumulative within a line
    keys = line + within / np.where(totals > 0, totals, 1)[line]
    keys[ends[totals > 0] - 1] = np.flatnonzero(totals > 0) + 1.0  # each line's last slot ends at exactly line + 1
    units = np.repeat(np.arange(len(slots)), rooms) + rng.random(int(rooms.sum()))  # a character's line + U[0, 1)
    slot = np.searchsorted(keys, units, side="right")  # the first slot whose key is past it: weight 0 is never chosen
    return np.bincount(slot, minlength=line.size)


def junk(rng: np.random.Generator, total: int) -> np.ndarray:
    """`total` junk units, `d03.junk`'s law: a word (with probability 0.08) or a character, as JUNK_UNITS ids."""
    return np.where(rng.random(total) < 0.08, len(d03.JUNK) + rng.integers(0, len(d03.WORDS), total),
                    rng.integers(0, len(d03.JUNK), total))


def gap_bytes(rng: np.random.Generator, gaps: np.ndarray) -> np.ndarray:
    """The junk of every gap, concatenated: gap g is `gaps[g]` units long and cut to `gaps[g]` bytes."""
    units = junk(rng, int(gaps.sum()))
    lengths = JUNK_LENGTHS[units]
    ends = np.cumsum(lengths)
    first = np.cumsum(gaps) - gaps  # each gap's first unit
    starts = np.zeros(len(gaps), np.int64)
    starts[gaps > 0] = (ends - lengths)[first[gaps > 0]]
    gap_start = np.repeat(starts, gaps)  # the byte where each unit's gap starts
    ramp = np.arange(int(ends[-1]) if len(ends) else 0) - np.repeat(ends - lengths, lengths)
    source = np.repeat(JUNK_STARTS[units], lengths) + ramp
    place = np.repeat(ends - lengths - gap_start, lengths) + ramp  # the byte's place in its gap
    return JUNK_BYTES[source[place < np.repeat(np.repeat(gaps, gaps), lengths)]]


def lines_of(rng: np.random.Generator, shares: np.ndarray, switches: float, small: bool) -> list[str]:
    """One line of about `shares[i]` characters each, `d03.generate_line`'s law with `training_memory`'s
    counts: a valid `mul` and a near-miss every 25 characters, a `do()` and a `don't()` every `switches`, a
    misspelt `mul` every 100 (Poisson)."""
    counts = rng.poisson(shares[:, None] / np.array([25, switches, switches, 25, 100]))
    texts, line_of = pieces_of(rng, counts, small)
    pieces = np.bincount(line_of, minlength=len(shares))
    sizes = np.array([len(t) for t in texts], np.int64)
    rooms = np.maximum(shares - np.bincount(line_of, sizes, minlength=len(shares)).astype(np.int64), 0)
    gaps = gap_sizes(rng, rooms, pieces + 1)
    junk_text = gap_bytes(rng, gaps).tobytes().decode("ascii")
    gaps = gaps.tolist()
    out, at, g, p = [], 0, 0, 0
    for n in pieces.tolist():  # gap, piece, gap, ..., piece, gap
        parts = []
        for k in range(n + 1):
            parts.append(junk_text[at:at + gaps[g + k]])
            at += gaps[g + k]
            if k < n:
                parts.append(texts[p + k])
        out.append("".join(parts))
        g, p = g + n + 1, p + n
    return out


def training_memories(rng: np.random.Generator, n: int, length: tuple[int, int], far: bool,
                      switches: float = 60) -> list[list[str]]:
    """`n` memories, `d03.training_memory`'s law: 1-3 lines of `length` characters in all; beyond training,
    real operands and (half the lines) a run of 5-39 near-misses back to back after the line."""
    sizes = rng.integers(length[0], length[1] + 1, n)
    lines = rng.integers(1, 4, n)
    thirds = rng.multinomial(sizes, [1 / 3] * 3)  # `training_memory`'s multinomial(size, ones(k) / 3): the
    shares = np.where(lines[:, None] == 3, thirds, 0)  # last of k shares takes what the first k - 1 leave
    shares[:, 0] += np.where(lines == 1, sizes, 0)
    shares[:, :2] += np.where((lines == 2)[:, None], np.stack([thirds[:, 0], sizes - thirds[:, 0]], 1), 0)
    memory, kept = np.nonzero(shares)  # empty shares make no line
    texts = lines_of(rng, shares[memory, kept], switches, small=not far)
    if far:
        runs = np.where(rng.random(len(texts)) < 0.5, rng.integers(5, 40, len(texts)), 0)
        misses = near_misses(rng, int(runs.sum()), small=False)
        ends = np.cumsum(runs)
        texts = [text + "".join(misses[end - run:end]) for text, run, end in zip(texts, runs.tolist(), ends.tolist())]
    else:
        texts = [text[:share] for text, share in zip(texts, shares[memory, kept].tolist())]
    out: list[list[str]] = [[] for _ in range(n)]
    for m, text in zip(memory.tolist(), texts):
        out[m].append(text)
    return [m or [""] for m in out]
