"""Reading puzzle text the same way for every puzzle and both solvers.

`normalize` is the one place where a user's copy of an input is tidied: a UTF-8 byte-order
mark, CRLF or CR line endings, trailing spaces, trailing blank lines and a missing final
newline all give the same text. Empty or whitespace-only input is an error here, for every
puzzle. Each puzzle's parser then reads `lines` of normalized text into validated records.
"""

from __future__ import annotations

import re
from typing import Iterator

from aocnn.errors import InputError, line_error

BOM = "\ufeff"


def normalize(text: str) -> str:
    """The input as lines without trailing whitespace, joined by '\\n', no blank lines at the end."""
    rows = lines(text.removeprefix(BOM))
    if not rows:
        raise InputError("empty input: the puzzle input has no text")
    return "\n".join(rows)


def lines(text: str) -> list[str]:
    """Lines without line endings or trailing whitespace; blank lines at the end dropped."""
    rows = [line.rstrip() for line in text.replace("\r\n", "\n").replace("\r", "\n").split("\n")]
    while rows and not rows[-1]:
        rows.pop()
    return rows


def matched_lines(text: str, pattern: re.Pattern[str], expected: str) -> Iterator[tuple[int, str, re.Match[str]]]:
    """(line number, line, match) for every line, each matching `pattern` whole; the first that does not
    is an error naming it: "line N: expected ...: 'the line'"."""
    for number, line in enumerate(lines(text), 1):
        found = pattern.fullmatch(line)
        if found is None:
            raise line_error(number, line, f"expected {expected}")
        yield number, line, found
