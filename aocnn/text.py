"""Reading puzzle text the way every puzzle wants it: tolerant of CRLF, trailing spaces and blank tail."""

from __future__ import annotations


def lines(text: str) -> list[str]:
    """Lines without line endings or trailing whitespace; blank lines at the end dropped."""
    rows = [line.rstrip() for line in text.replace("\r\n", "\n").replace("\r", "\n").split("\n")]
    while rows and not rows[-1]:
        rows.pop()
    return rows
