"""Time limits for learner code in self-study: an alarm in the main thread, else a watched thread.

A grader does not rely on these (the code it runs could switch an alarm off): it
times each probe request from outside the kernel. In a learner's own kernel they
give a prompt verdict for a loop that never ends.
"""

import ctypes
import signal
import threading
import time
from contextlib import contextmanager

from ..runtime import validate

RETRY_SECONDS = 0.05


class TimeLimitExceeded(BaseException):
    """Code ran past its time limit (a BaseException: ``except Exception`` cannot swallow it)."""


class AlarmSwitchedOff(BaseException):
    """Code inside :func:`time_limit` replaced its alarm's handler or stopped its timer."""


def _alarm_usable():
    return hasattr(signal, "setitimer") and threading.current_thread() is threading.main_thread()


@contextmanager
def time_limit(seconds):
    """Raise :class:`TimeLimitExceeded` in the block after ``seconds`` (SIGALRM, main thread).

    An alarm set by an outer caller is kept: if it is due first, its own
    handler runs; after the block it is re-armed with the time it had left. A block
    that replaced the alarm's handler or stopped its timer raises :class:`AlarmSwitchedOff`
    when it ends (if it ends).
    """
    if not _alarm_usable():
        yield
        return
    started = time.monotonic()
    outer_handler = signal.getsignal(signal.SIGALRM)
    outer_left, _ = signal.getitimer(signal.ITIMER_REAL)
    outer_first = 0 < outer_left <= seconds

    def on_alarm(signum, frame):
        if outer_first and callable(outer_handler):
            outer_handler(signum, frame)
        # Fire again soon: an exception raised inside a __del__ or a callback is swallowed.
        signal.setitimer(signal.ITIMER_REAL, RETRY_SECONDS)
        raise TimeLimitExceeded(seconds)

    signal.signal(signal.SIGALRM, on_alarm)
    signal.setitimer(signal.ITIMER_REAL, outer_left if outer_first else seconds)
    try:
        yield
        intact = signal.getsignal(signal.SIGALRM) is on_alarm and signal.getitimer(signal.ITIMER_REAL)[0] > 0
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, outer_handler)
        if outer_left > 0:
            signal.setitimer(signal.ITIMER_REAL, max(outer_left - (time.monotonic() - started), 0.001))
    if not intact:
        raise AlarmSwitchedOff


def call_with_time_limit(function, seconds):
    """``function()`` stopped after ``seconds``: by SIGALRM in the main thread, else in a worker thread."""
    validate.function(function, "function")
    seconds = validate.number(seconds, "seconds", minimum=0.001)
    if _alarm_usable():
        with time_limit(seconds):
            return function()
    box = {}

    def work():
        try:
            box["value"] = function()
        except BaseException as error:  # handed back to the caller's thread below
            box["error"] = error

    worker = threading.Thread(target=work, daemon=True)
    worker.start()
    worker.join(seconds)
    if worker.is_alive():  # interrupt pure-Python code; C code finishes on its own, abandoned
        ctypes.pythonapi.PyThreadState_SetAsyncExc(
            ctypes.c_ulong(worker.ident), ctypes.py_object(TimeLimitExceeded)
        )
        raise TimeLimitExceeded(seconds)
    if "error" in box:
        raise box["error"]
    return box.get("value")
