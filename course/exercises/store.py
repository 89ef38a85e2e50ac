"""The learner's progress: the latest verdict of every exercise and quiz, kept in the work folder.

Verdicts are written to ``progress.json`` in the work folder (``COURSE_WORKDIR``,
``work/`` by default) each time a check or quiz answers, so a kernel restart
loses nothing. :func:`progress` shows them as a table, one line per notebook.
The file is the course's, not the learner's: one that cannot be read is set
aside (renamed, never deleted) with a one-line message, and a work folder that
cannot be written to keeps verdicts for this session only, also with a message.
"""

import html
import json
import os
import time

from ..runtime import validate
from ..runtime.settings import settings

FILE_NAME = "progress.json"
SYMBOLS = {"passed": "✓", "failed": "✗", "not attempted": "·"}

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


def record(feedback):
    """Store ``feedback`` (a Feedback) as the latest verdict of its exercise; returns the entry."""
    from .framework import Feedback

    if not isinstance(feedback, Feedback):
        raise TypeError(f"feedback must be a Feedback, got {validate.received(feedback)}")
    entries = load()
    previous = entries.get(feedback.exercise, {})
    count = int(previous.get("failures", 0)) + 1 if feedback.status == "failed" else 0
    entry = {"status": feedback.status, "message": feedback.message, "failures": count, "time": time.time()}
    entries[feedback.exercise] = entry
    path = _path()
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        partial = path.with_name(f"{FILE_NAME}.{os.getpid()}.part")
        partial.write_text(json.dumps(entries, indent=1, sort_keys=True), encoding="utf-8")
        os.replace(partial, path)
        _memory.pop(feedback.exercise, None)
    except OSError as error:
        _memory[feedback.exercise] = entry
        _say_once(
            f"Note: progress cannot be saved in {path.parent} ({error.strerror or error}); "
            "it is kept for this session only. Set COURSE_WORKDIR to a folder you can write to."
        )
    return entry


def _status(stored):
    return stored if stored in SYMBOLS else "not attempted"


class Progress:
    """A table of statuses: one row per notebook, one mark per exercise or quiz."""

    def __init__(self, rows):
        self.rows = rows  # [(notebook, [(item_id, title, status), ...]), ...]

    def _counts(self, items):
        done = sum(status == "passed" for _, _, status in items)
        return f"{done}/{len(items)}"

    def __str__(self):
        lines = []
        for notebook, items in self.rows:
            marks = "  ".join(f"{item_id} {SYMBOLS[status]}" for item_id, _, status in items)
            lines.append(f"{notebook:<24} {self._counts(items):>5} passed   {marks}")
        lines.append("✓ passed   ✗ not yet   · not attempted")
        return "\n".join(lines)

    def _repr_html_(self):
        colours = {"passed": "#1b7f3b", "failed": "#b3261e", "not attempted": "#8a8a8a"}
        body = []
        for notebook, items in self.rows:
            marks = " ".join(
                f'<span title="{html.escape(title)}: {status}" style="color:{colours[status]};'
                f'margin-right:8px">{html.escape(item_id)}&nbsp;{SYMBOLS[status]}</span>'
                for item_id, title, status in items
            )
            body.append(
                f"<tr><td style='text-align:left'><b>{html.escape(notebook)}</b></td>"
                f"<td>{self._counts(items)}</td><td style='text-align:left'>{marks}</td></tr>"
            )
        return (
            '<table class="course-progress"><tr><th>notebook</th><th>passed</th><th>exercises and quizzes</th></tr>'
            + "".join(body)
            + "</table><small>✓ passed &nbsp; ✗ not yet &nbsp; · not attempted</small>"
        )

    def __repr__(self):
        return str(self)


def progress(notebook=None):
    """The latest status of every exercise and quiz, one line per notebook.

    ``progress("03")`` (or ``"03_autodiff"``) shows that notebook's line alone.
    """
    from . import checks
    from .framework import known_ids, lookup
    from .quizzes import known_quiz_ids, question

    if notebook is not None:
        validate.text(notebook, "notebook")
        prefix = notebook[:2]
        if prefix not in checks.NOTEBOOKS:
            raise ValueError(f"notebook must be one of {', '.join(checks.NOTEBOOKS)}, got {notebook!r}")
    stored = load()
    titles = [(i, lookup(i).title) for i in known_ids()] + [
        (i, question(i).question) for i in known_quiz_ids()
    ]
    rows = []
    for number, name in checks.NOTEBOOKS.items():
        if notebook is None or number == notebook[:2]:
            items = [
                (i, title, _status(stored.get(i, {}).get("status"))) for i, title in titles if i[:2] == number
            ]
            rows.append((name, items))
    return Progress(rows)
