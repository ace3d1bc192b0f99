"""Rendering runner records for people: plain aligned tables."""

from __future__ import annotations

from typing import Any, Iterable

MARKS = {True: "✔", False: "✖", None: "?"}


def seconds(value: float | None) -> str:
    if value is None:
        return "-"
    if value < 1e-3:
        return f"{value * 1e6:.0f} µs"
    if value < 1:
        return f"{value * 1e3:.1f} ms"
    return f"{value:.2f} s"


def table(header: list[str], rows: Iterable[list[str]]) -> str:
    rows = [header, *rows]
    widths = [max(len(str(row[i])) for row in rows) for i in range(len(header))]
    return "\n".join("  ".join(str(cell).ljust(w) for cell, w in zip(row, widths)).rstrip() for row in rows)


PART_HEADER = ["classical", "time", "neural", "load", "solve", "low-conf", "device", "agree", "known"]


def failed(record: dict[str, Any]) -> list[str]:
    """The solvers whose failure the record's `error` names."""
    error = record.get("error") or ""
    return [s for s in ("classical", "neural") if error.startswith(f"{s}: ") or f"; {s}: " in error]


def part_cells(record: dict[str, Any]) -> list[str]:
    classical, neural = record.get("classical"), record.get("neural")
    cells = [
        classical["answer"] if classical else "-",
        seconds(classical["seconds"]) if classical else "-",
        neural["answer"] if neural else "n/a",
        seconds(neural["load_seconds"]) if neural else "-",
        seconds(neural["seconds"]) if neural else "-",
        str(neural["low_confidence"]) if neural else "-",
        neural["device"] if neural else "-",
        MARKS[record["agree"]] if classical and neural else "-",
        MARKS[record["correct"]] + (f" {record['known']}" if record["known"] else ""),
    ]
    for solver in failed(record):
        cells[0 if solver == "classical" else 2] = "error"
    return cells


def solve_table(result: dict[str, Any]) -> str:
    rows = [[part, *part_cells(record)] for part, record in result["parts"].items()]
    return table(["part", *PART_HEADER], rows)


VERIFY_HEADER = ["puzzle", "part", "input", *PART_HEADER, "error"]


def verify_cells(row: dict[str, Any]) -> list[str]:
    return [f"{row['year']}/{row['day']}", str(row["part"]), row["input_name"], *part_cells(row), row["error"] or ""]


def verify_table(rows: list[dict[str, Any]]) -> str:
    return table(VERIFY_HEADER, [verify_cells(row) for row in rows])


def verify_summary(rows: list[dict[str, Any]]) -> str:
    """The last line of `aocnn verify`: how many parts agree out of how many were compared, and what else."""
    compared = [r for r in rows if r["agree"] is not None]
    agree = sum(r["agree"] for r in compared)
    right = sum(r["correct"] is True for r in rows)
    wrong = sum(r["correct"] is False for r in rows)
    classical_only = sum("classical" in r and "neural" not in r and not r["error"] for r in rows)
    errors = sum(bool(r["error"]) for r in rows)
    puzzles = len({(r["year"], r["day"]) for r in rows})
    inputs = len({(r["year"], r["day"], r["input_name"]) for r in rows})
    parts = [
        f"{agree} of {len(compared)} parts agree (classical = neural)",
        f"known answers: {right} right, {wrong} wrong, {len(rows) - right - wrong} unknown",
    ]
    if classical_only:
        parts.append(f"{classical_only} classical only (no neural solver)")
    parts.append(count(errors, "error"))
    return f"verified {count(len(rows), 'part')} ({count(puzzles, 'puzzle')}, {count(inputs, 'input')}): " + "; ".join(parts)


def count(n: int, noun: str) -> str:
    return f"{n} {noun}{'s' * (n != 1)}"
