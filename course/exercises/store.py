"""The learner's progress: the latest verdict of every exercise and quiz, kept in the work folder.

Verdicts are written to ``progress.json`` in the work folder (``COURSE_WORKDIR``,
``work/`` by default) each time a check or quiz answers, so a kernel restart
loses nothing (:func:`course.progress` shows them as a table, one line per notebook).
The file is the course's, not the learner's: one that cannot be read is set
aside (renamed, never deleted) with a one-line message, and a work folder that
cannot be written to keeps verdicts for this session only, also with a message.
"""

import json
import os
import time
from contextlib import contextmanager

try:
    import fcntl
except ImportError:  # Windows: no file locks; two kernels checking at the same instant may lose one verdict
    fcntl = None

from ..runtime import validate
from ..runtime.settings import settings
from .core import FAILED, Feedback

FILE_NAME = "progress.json"

_memory = {}  # verdicts of this session, for a work folder that cannot be written
_warned = set()


def _path():
    return settings().workdir / FILE_NAME


def _say_once(message):
    if message not in _warned:
        _warned.add(message)
        print(message)


def load():
    """Every stored verdict: ``{id: {"status", "message", "failures", "time"}}``."""
    path = _path()
    stored = {}
    if path.is_file():
        try:
            stored = json.loads(path.read_text(encoding="utf-8"))
            if not isinstance(stored, dict):
                raise ValueError("not a JSON object")
        except (OSError, ValueError) as error:
            aside = path.with_name(f"{FILE_NAME}.unreadable-{int(time.time())}")
            try:
                path.rename(aside)
                _say_once(f"Note: {path} could not be read ({error}); it was renamed to {aside.name}.")
            except OSError:
                _say_once(f"Note: {path} could not be read ({error}); progress starts afresh.")
            stored = {}
    entries = {key: value for key, value in stored.items() if isinstance(value, dict)}
    return {**entries, **_memory}


def failures(item_id):
    """How many times ``item_id`` has been answered wrongly (since it last passed)."""
    validate.text(item_id, "item_id")
    return int(load().get(item_id, {}).get("failures", 0))


def _entry(feedback, previous, revision):
    count = int(previous.get("failures", 0)) + 1 if feedback.status == FAILED else 0
    entry = {"status": feedback.status, "message": feedback.message, "failures": count, "time": time.time()}
    return {**entry, "revision": revision} if revision is not None else entry


@contextmanager
def _locked(path):
    """Hold an exclusive lock on ``path``'s lock file (where the system has file locks)."""
    if fcntl is None:
        yield
        return
    with open(path.with_name(f"{FILE_NAME}.lock"), "a") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(lock, fcntl.LOCK_UN)


def record(feedback, revision=None):
    """Store ``feedback`` (a Feedback) as the latest verdict of its exercise; returns the entry.

    ``revision``: the exercise's revision that gave it (a pass of an older one is re-checked).
    """
    if not isinstance(feedback, Feedback):
        raise TypeError(f"feedback must be a Feedback, got {validate.received(feedback)}")
    if revision is not None:
        validate.integer(revision, "revision", minimum=1)
    path = _path()
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        with _locked(path):  # two notebooks open side by side: neither loses the other's verdict
            entries = load()
            entry = _entry(feedback, entries.get(feedback.exercise, {}), revision)
            entries[feedback.exercise] = entry
            partial = path.with_name(f"{FILE_NAME}.{os.getpid()}.part")
            partial.write_text(json.dumps(entries, indent=1, sort_keys=True), encoding="utf-8")
            os.replace(partial, path)
        _memory.pop(feedback.exercise, None)
    except OSError as error:
        entry = _entry(feedback, load().get(feedback.exercise, {}), revision)
        _memory[feedback.exercise] = entry
        _say_once(
            f"Note: progress cannot be saved in {path.parent} ({error.strerror or error}); "
            "it is kept for this session only. Set COURSE_WORKDIR to a folder you can write to."
        )
    return entry
