"""Ctrl-C that is never lost.

Python turns SIGINT into a KeyboardInterrupt wherever the main thread happens to be. When that is
inside a garbage-collector callback (JAX registers one) or a `__del__`, the exception is printed as
"Exception ignored in ..." and dropped, and a long training run or search goes on as if nothing had
been pressed. `watch()` installs a SIGINT handler that remembers the signal before it raises; long
loops call `check()` at safe points, which raises again if the first KeyboardInterrupt was swallowed.
"""

from __future__ import annotations

import signal
import threading

_pending = False


def _on_sigint(signum, frame) -> None:
    global _pending
    _pending = True
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
