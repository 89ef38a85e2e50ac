"""How verdicts and progress look: plain text in a terminal, HTML in Jupyter and on feedback pages.

One drawing of each, used by checks, quizzes, :func:`course.progress` and the
grader's feedback pages alike.
"""

import html

from ..runtime import validate
from .core import FAILED, NOT_ATTEMPTED, PASSED, RECHECK, Feedback

LABELS = {PASSED: "Passed", FAILED: "Not yet", NOT_ATTEMPTED: "Not attempted yet"}
COLOURS = {PASSED: "#1b7f3b", FAILED: "#b3261e", NOT_ATTEMPTED: "#6b6b6b"}
ICONS = {PASSED: "[passed]", FAILED: "[not yet]", NOT_ATTEMPTED: "[not attempted yet]"}
SYMBOLS = {PASSED: "✓", FAILED: "✗", NOT_ATTEMPTED: "·", RECHECK: "↻"}
LEGEND = (
    "✓ passed   ✗ not yet   · not attempted   ↻ re-check: the check changed since it passed, run it again"
)


def _expect_feedback(feedback):
    if not isinstance(feedback, Feedback):
        raise TypeError(f"feedback must be a Feedback, got {validate.received(feedback)}")


def verdict_text(feedback):
    """``[not yet] Exercise 00.1: message`` and the hint on a second line."""
    _expect_feedback(feedback)
    text = f"{ICONS[feedback.status]} {feedback.kind.capitalize()} {feedback.exercise}: {feedback.message}"
    return f"{text}\n  Hint: {feedback.hint}" if feedback.hint else text


def verdict_html(feedback, message=None):
    """The verdict's box; ``message`` replaces the feedback's own (a feedback page hides case numbers)."""
    _expect_feedback(feedback)
    if message is not None:
        validate.text(message, "message", allow_empty=True)
    colour = COLOURS[feedback.status]
    message = feedback.message if message is None else message
    hint = f"<div><i>Hint:</i> {html.escape(feedback.hint)}</div>" if feedback.hint else ""
    return (
        f'<div class="course-feedback" style="border-left:4px solid {colour};padding:4px 10px;margin:4px 0">'
        f'<b style="color:{colour}">{LABELS[feedback.status]}</b> &middot; {feedback.kind} '
        f"{html.escape(feedback.exercise)}<div>{html.escape(message)}</div>{hint}</div>"
    )


class Shown:
    """A verdict as Jupyter shows it (HTML) and as a terminal prints it (text)."""

    def __init__(self, feedback):
        _expect_feedback(feedback)
        self.feedback = feedback

    def _repr_html_(self):
        return verdict_html(self.feedback)

    def __repr__(self):
        return verdict_text(self.feedback)


class Progress:
    """A table of statuses: one row per notebook, one mark per exercise or quiz."""

    def __init__(self, rows):
        self.rows = rows  # [(notebook, [(item_id, title, status), ...]), ...]

    def _counts(self, items):
        done = sum(status == PASSED for _, _, status in items)
        return f"{done}/{len(items)}"

    def __str__(self):
        lines = []
        for notebook, items in self.rows:
            marks = "  ".join(f"{item_id} {SYMBOLS[status]}" for item_id, _, status in items)
            lines.append(f"{notebook:<24} {self._counts(items):>5} passed   {marks}")
        lines.append(LEGEND)
        return "\n".join(lines)

    def _repr_html_(self):
        colours = {**COLOURS, NOT_ATTEMPTED: "#8a8a8a", RECHECK: "#a15c00"}
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
            + f"</table><small>{html.escape(LEGEND).replace('   ', ' &nbsp; ')}</small>"
        )

    def __repr__(self):
        return str(self)
