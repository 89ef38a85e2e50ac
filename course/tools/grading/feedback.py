"""Feedback pages: each student's executed notebook with every exercise's verdict, as HTML.

The grader's own cell is left out; each verdict is shown under the student's
answer cell with the judge's message and hint. The
inputs drawn for the run are never shown: a number of the hidden cases that a
message would quote is replaced by "…". Outputs are sanitized (no scripts).
"""

import html
import re
from pathlib import Path

import nbformat

from ...exercises import registry
from ...exercises.rendering import verdict_html
from .blueprint import GRADER_CELL


def _numbers(value, found):
    if isinstance(value, bool):
        return
    if isinstance(value, (int, float)):
        if isinstance(value, float) or abs(value) >= 10:
            found.add(value)
    elif isinstance(value, dict):
        for item in value.values():
            _numbers(item, found)
    elif isinstance(value, list):
        for item in value:
            _numbers(item, found)


def scrub(message, exercise_id, seed):
    """``message`` with every number of the exercise's hidden cases (as a judge may print it) replaced."""
    found = set()
    try:
        _numbers(registry.draw_cases(registry.lookup(exercise_id), seed), found)
    except Exception:  # noqa: BLE001 - no cases, no numbers to hide
        return message
    spellings = set()
    for x in found:
        spellings |= {repr(x), str(x)}
        if isinstance(x, float):
            spellings |= {f"{x:.{digits}g}" for digits in range(2, 8)} | {f"{x:.{d}f}" for d in range(1, 5)}
    for text in sorted(spellings, key=len, reverse=True):
        message = re.sub(rf"(?<![\w.]){re.escape(text)}(?![\w])", "…", message)
    return message


def _shown(plan, verdict, ours):
    message = scrub(verdict.message, verdict.exercise, plan.seeds[verdict.exercise])
    shown = nbformat.v4.new_output("display_data", data={"text/html": verdict_html(verdict, message)})
    ours.add(id(shown))
    return shown


def feedback_notebook(plan, verdicts, heading):
    """The executed notebook as the student should see it, and the ids of the verdict outputs.

    Each verdict goes under the exercise's answer cell; one without an answer cell, at the end.
    """
    page = nbformat.v4.new_notebook(metadata={"language_info": {"name": "python"}})
    ours = set()  # ids of the verdict outputs (the only HTML of ours)
    page.cells = [nbformat.v4.new_markdown_cell(heading)]
    under = {}
    for exercise, number in plan.answers.items():
        under.setdefault(number, []).append(exercise)
    for cell, number in zip(plan.notebook.cells, plan.cell_numbers):
        if GRADER_CELL in cell.metadata:
            continue
        page.cells.append(cell)
        for exercise in under.get(number, []):
            if exercise in verdicts:
                cell.setdefault("outputs", []).append(_shown(plan, verdicts[exercise], ours))
    for exercise, verdict in verdicts.items():
        if exercise not in plan.answers:
            holder = nbformat.v4.new_code_cell(f"# exercise {exercise}: no answer cell was found")
            holder.outputs = [_shown(plan, verdict, ours)]
            page.cells.append(holder)
    return page, ours


ANSI = re.compile(r"\x1b\[[0-9;]*m")


def _plain_html(page, verdict_outputs):
    """A simple page for when nbconvert cannot be used: code and text outputs escaped, verdicts."""
    parts = []
    for cell in page.cells:
        parts.append(f"<pre>{html.escape(cell.source)}</pre>")
        for output in cell.get("outputs", []):
            if id(output) in verdict_outputs:
                parts.append(output["data"]["text/html"])
                continue
            data = output.get("data", {})
            text = output.get("text") or data.get("text/plain") or "\n".join(output.get("traceback", []))
            if text:
                parts.append(f"<pre>{html.escape(ANSI.sub('', str(text)))}</pre>")
    return "<!DOCTYPE html><meta charset='utf-8'><body>" + "\n".join(parts) + "</body>"


def write(plan, verdicts, heading, path):
    """Write the feedback page for one graded notebook to ``path`` (HTML)."""
    page, ours = feedback_notebook(plan, verdicts, heading)
    try:
        from nbconvert import HTMLExporter

        body, _ = HTMLExporter(template_name="lab", sanitize_html=True).from_notebook_node(page)
    except Exception:  # noqa: BLE001 - nbconvert missing or failing: a plain page instead
        body = _plain_html(page, ours)
    Path(path).parent.mkdir(parents=True, exist_ok=True)
    Path(path).write_text(body, encoding="utf-8")
