"""Reading puzzle text the same way for every puzzle and both solvers.

`normalize` is the one place where a user's copy of an input is tidied: a UTF-8 byte-order
mark, CRLF or CR line endings, trailing spaces, trailing blank lines and a missing final
newline all give the same text. Empty or whitespace-only input is an error here, for every
puzzle. Each puzzle's parser then reads `lines` of normalized text into validated records.
"""

from __future__ import annotations

from aocnn.errors import InputError

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
