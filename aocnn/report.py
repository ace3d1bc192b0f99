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


def part_cells(record: dict[str, Any]) -> list[str]:
    classical, neural = record.get("classical"), record.get("neural")
    return [
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


def solve_table(result: dict[str, Any]) -> str:
    rows = [[part, *part_cells(record)] for part, record in result["parts"].items()]
    return table(["part", *PART_HEADER], rows)
