"""A Ctrl-C whose KeyboardInterrupt is swallowed (raised inside a garbage-collector callback, where
Python only prints "Exception ignored") still stops the next safe point of a long loop."""

from __future__ import annotations

import gc
import os
import signal

import pytest

from aocnn import interrupts


@pytest.fixture
def watched():
    before = signal.getsignal(signal.SIGINT)
    signal.signal(signal.SIGINT, signal.default_int_handler)
    interrupts.watch()
    yield
    signal.signal(signal.SIGINT, before)


@pytest.mark.filterwarnings("ignore::pytest.PytestUnraisableExceptionWarning")  # the swallowed one, as intended
def test_a_swallowed_ctrl_c_is_raised_again_at_the_next_check(watched):
    def in_gc_callback(phase, info):
        if phase == "start":
            os.kill(os.getpid(), signal.SIGINT)  # delivered while the collector runs its callbacks

    gc.callbacks.append(in_gc_callback)
    try:
        gc.collect()  # the KeyboardInterrupt raised in the callback is printed and dropped
    finally:
        gc.callbacks.remove(in_gc_callback)
    with pytest.raises(KeyboardInterrupt):
        interrupts.check()
    interrupts.check()  # raised once, then forgotten


def test_nothing_pending_and_a_delivered_ctrl_c_is_forgotten_once_handled(watched):
    interrupts.check()
    with pytest.raises(KeyboardInterrupt):  # not swallowed: raised at once, and remembered as well
        os.kill(os.getpid(), signal.SIGINT)
        for _ in range(1000):  # the handler runs between bytecodes
            pass
    interrupts.forget()  # what the training loop does when the interrupt reaches it
    interrupts.check()


def test_a_ctrl_c_inside_a_deferred_block_waits_for_the_block_to_end(watched):
    finished = []
    with pytest.raises(KeyboardInterrupt):
        with interrupts.deferred():
            os.kill(os.getpid(), signal.SIGINT)
            for _ in range(1000):  # the handler has run by now, and raised nothing
                pass
            finished.append("the rest of the block")  # e.g. a database transaction's commit
    assert finished == ["the rest of the block"]
    interrupts.forget()
    with interrupts.deferred():  # nothing pending: a block that ends quietly
        with interrupts.deferred():  # nested: only the outermost block raises
            pass


def test_outside_a_deferred_block_ctrl_c_is_raised_at_once_again(watched):
    with interrupts.deferred():
        pass
    with pytest.raises(KeyboardInterrupt):
        os.kill(os.getpid(), signal.SIGINT)
        for _ in range(1000):
            pass
    interrupts.forget()
