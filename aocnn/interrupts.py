"""Ctrl-C that is never lost.

Python turns SIGINT into a KeyboardInterrupt wherever the main thread happens to be. When that is
inside a garbage-collector callback (JAX registers one) or a `__del__`, the exception is printed as
"Exception ignored in ..." and dropped, and a long training run or search goes on as if nothing had
been pressed. `watch()` installs a SIGINT handler that remembers the signal before it raises; long
loops call `check()` at safe points, which raises again if the first KeyboardInterrupt was swallowed.
`deferred()` holds a Ctrl-C back until a block that must not stop half-way (a database transaction)
has ended: a KeyboardInterrupt inside sqlite's commit left its write lock held, and the next write
of the same process (the search marking its trial interrupted) waited on it for good.
"""

from __future__ import annotations

import signal
import threading
from contextlib import contextmanager
from typing import Iterator

_pending = False
_deferring = 0  # how many `deferred()` blocks the main thread is in


def _on_sigint(signum, frame) -> None:
    global _pending
    _pending = True
    if not _deferring:
        raise KeyboardInterrupt


def watch() -> None:
    """From now on remember Ctrl-C (main thread only; a handler someone else installed is left alone)."""
    if threading.current_thread() is threading.main_thread() and signal.getsignal(signal.SIGINT) is signal.default_int_handler:
        signal.signal(signal.SIGINT, _on_sigint)


def check() -> None:
    """Raise KeyboardInterrupt if Ctrl-C came since the last check, even if its first raise was swallowed."""
    global _pending
    if _pending:
        _pending = False
        raise KeyboardInterrupt


def forget() -> None:
    """The KeyboardInterrupt was seen (it reached the code that handles it): nothing is pending."""
    global _pending
    _pending = False


@contextmanager
def deferred() -> Iterator[None]:
    """Ctrl-C inside the block is remembered, not raised; it is raised when the block ends (if the block
    raises something else, the next `check()` raises it). From a thread other than the main one, a no-op:
    signals reach only the main thread."""
    global _deferring
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    watch()
    _deferring += 1
    try:
        yield
    finally:
        _deferring -= 1
    if not _deferring:
        check()
