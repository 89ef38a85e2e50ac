"""The learner's progress: the latest verdict of every exercise and quiz, kept in the work folder.

Verdicts are written to ``progress.json`` in the work folder (``COURSE_WORKDIR``,
``work/`` by default) each time a check or quiz answers, so a kernel restart
loses nothing (:func:`course.progress` shows them as a table, one line per notebook).
The file is the course's, not the learner's: one that cannot be read is set
aside (renamed, never deleted) with a one-line message, and a work folder that
cannot be written to keeps verdicts for this session only, also with a message.

A damaged entry costs only what is damaged: a field of the wrong kind (``"failures": "abc"``,
a list as the status) counts as absent, an entry nested too deep to be read counts as no
verdict, each with a one-line note; recording a verdict rewrites that exercise's entry alone
and copies every other entry as it was, character for character.
"""

import json
import math
import os
import re
import time
from contextlib import contextmanager

try:
    import fcntl
except ImportError:  # Windows: no file locks; two kernels checking at the same instant may lose one verdict
    fcntl = None

from ..runtime import validate
from ..runtime.settings import settings
from .core import FAILED, STATUSES, Feedback

FILE_NAME = "progress.json"

_memory = {}  # verdicts of this session, for a work folder that cannot be written
_warned = set()


def _path():
    return settings().workdir / FILE_NAME


def _say_once(message):
    if message not in _warned:
        _warned.add(message)
        print(message)


# --- reading: the file's entries, each one's own text -------------------------------------------------

_SPACE = re.compile(r"[ \t\n\r]*")
_STRING = re.compile(r'"(?:[^"\\]|\\.)*"', re.S)
_BRACKET_OR_STRING = re.compile(r'[\[\]{}"]')
_SCALAR = re.compile(r"[^,:\[\]{}\s]+")
_DECODER = json.JSONDecoder()


def _skip_space(text, at):
    return _SPACE.match(text, at).end()


def _value_end(text, at):
    """Where the JSON value starting at ``text[at]`` ends, found without parsing it (so at any depth)."""
    if text[at : at + 1] == '"':
        found = _STRING.match(text, at)
        if found is None:
            raise ValueError(f"an unterminated string at character {at}")
        return found.end()
    if text[at : at + 1] not in ("{", "["):
        found = _SCALAR.match(text, at)
        if found is None:
            raise ValueError(f"a value is missing at character {at}")
        return found.end()
    depth, position = 0, at
    while True:
        found = _BRACKET_OR_STRING.search(text, position)
        if found is None:
            raise ValueError(f"the value at character {at} is never closed")
        mark = found.group()
        if mark == '"':
            string = _STRING.match(text, found.start())
            if string is None:
                raise ValueError(f"an unterminated string at character {found.start()}")
            position = string.end()
            continue
        depth += 1 if mark in "[{" else -1
        position = found.end()
        if depth == 0:
            return position


def _split(text):
    """``[(key, the value's own text)]`` of a JSON object's text, the values left unparsed.

    ValueError when the text is not one JSON object.
    """
    at = _skip_space(text, 0)
    if text[at : at + 1] != "{":
        raise ValueError("not a JSON object")
    at, pairs = _skip_space(text, at + 1), []
    if text[at : at + 1] == "}":
        at += 1
    else:
        while True:
            if text[at : at + 1] != '"':
                raise ValueError(f"a name was expected at character {at}")
            key, at = _DECODER.raw_decode(text, at)
            at = _skip_space(text, at)
            if text[at : at + 1] != ":":
                raise ValueError(f"':' was expected at character {at}")
            start = _skip_space(text, at + 1)
            end = _value_end(text, start)
            pairs.append((key, text[start:end]))
            at = _skip_space(text, end)
            if text[at : at + 1] == ",":
                at = _skip_space(text, at + 1)
                continue
            if text[at : at + 1] != "}":
                raise ValueError(f"',' or '}}' was expected at character {at}")
            at += 1
            break
    if _skip_space(text, at) != len(text):
        raise ValueError(f"extra data at character {at}")
    return pairs


def _check_whole(text):
    """ValueError unless ``text`` is one JSON object; a value nested too deep to parse is let through."""
    try:
        stored = json.loads(text)
    except RecursionError:  # valid or not, the entries are read one by one and the deep one set aside
        return
    if not isinstance(stored, dict):
        raise ValueError("not a JSON object")


def _read(path):
    """``{key: the entry's JSON text}`` of the progress file; a file that cannot be read is set aside."""
    if not path.is_file():
        return {}
    try:
        text = path.read_text(encoding="utf-8")
        _check_whole(text)
        return dict(_split(text))
    except (OSError, ValueError) as error:
        aside = path.with_name(f"{FILE_NAME}.unreadable-{int(time.time())}")
        try:
            path.rename(aside)
            _say_once(f"Note: {path} could not be read ({error}); it was renamed to {aside.name}.")
        except OSError:
            _say_once(f"Note: {path} could not be read ({error}); progress starts afresh.")
        return {}


# --- the fields of an entry -----------------------------------------------------------------------------


def _is_count(value):
    return isinstance(value, int) and not isinstance(value, bool) and value >= 0


FIELDS = {  # what each field of an entry must be; one that is not counts as absent
    "status": lambda value: isinstance(value, str) and value in STATUSES,
    "message": lambda value: isinstance(value, str),
    "failures": _is_count,
    "time": lambda value: (
        isinstance(value, (int, float)) and not isinstance(value, bool) and math.isfinite(value)
    ),
    "revision": lambda value: _is_count(value) and value >= 1,
}


def _clean(item_id, entry, path):
    """The readable fields of one stored entry (the others dropped, with a one-line note); None for none."""
    if not isinstance(entry, dict):
        _say_once(f"Note: {path}: the entry of {item_id} is not a verdict; it counts as none.")
        return None
    damaged = [key for key, ok in FIELDS.items() if key in entry and not ok(entry[key])]
    if damaged:
        named = damaged[0] if len(damaged) == 1 else f"{', '.join(damaged[:-1])} and {damaged[-1]}"
        _say_once(f"Note: {path}: the {named} of {item_id} could not be read; counted as absent.")
    return {key: value for key, value in entry.items() if key not in damaged}


def _entries(texts, path):
    """The readable entries among ``{key: JSON text}``."""
    entries = {}
    for item_id, text in texts.items():
        try:
            entry = json.loads(text)
        except (ValueError, RecursionError):
            _say_once(f"Note: {path}: the entry of {item_id} could not be read; it counts as none.")
            continue
        entry = _clean(item_id, entry, path)
        if entry is not None:
            entries[item_id] = entry
    return entries


def load():
    """Every stored verdict: ``{id: {"status", "message", "failures", "time"}}``.

    A field that cannot be read is left out (it counts as absent), so every value is what its name says.
    """
    path = _path()
    return {**_entries(_read(path), path), **_memory}


def failures(item_id):
    """How many times ``item_id`` has been answered wrongly (since it last passed)."""
    validate.text(item_id, "item_id")
    return load().get(item_id, {}).get("failures", 0)


def _entry(feedback, previous, revision):
    count = previous.get("failures", 0) + 1 if feedback.status == FAILED else 0
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


def _text(texts):
    """The progress file's text: one entry per line, each entry's JSON text as given."""
    lines = [f"{json.dumps(key)}: {texts[key]}" for key in sorted(texts)]
    return "{\n" + ",\n".join(lines) + "\n}\n"


def record(feedback, revision=None):
    """Store ``feedback`` (a Feedback) as the latest verdict of its exercise; returns the entry.

    ``revision``: the exercise's revision that gave it (a pass of an older one is re-checked).
    The other entries of the file are copied as they are.
    """
    if not isinstance(feedback, Feedback):
        raise TypeError(f"feedback must be a Feedback, got {validate.received(feedback)}")
    if revision is not None:
        validate.integer(revision, "revision", minimum=1)
    path = _path()
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        with _locked(path):  # two notebooks open side by side: neither loses the other's verdict
            texts = _read(path)
            entries = {**_entries(texts, path), **_memory}
            entry = _entry(feedback, entries.get(feedback.exercise, {}), revision)
            texts.update({key: json.dumps(value, sort_keys=True) for key, value in _memory.items()})
            texts[feedback.exercise] = json.dumps(entry, sort_keys=True)
            partial = path.with_name(f"{FILE_NAME}.{os.getpid()}.part")
            partial.write_text(_text(texts), encoding="utf-8")
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
