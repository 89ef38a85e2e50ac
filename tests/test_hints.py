"""Hints teach, never dictate: no rung of any ladder holds a line, an expression or a formula of
the exercise's solution.

The solution region of each exercise (between ``# BEGIN SOLUTION`` and ``# END SOLUTION`` in the
solution notebook's cell that checks it) is compared with each rung as normalised tokens: every
name becomes one placeholder, so ``(L - f) // s + 1`` in a hint matches ``(length - size) //
stride + 1`` in the solution. A run of :data:`RUN` tokens in common that holds an operator or a
number (not only names and brackets, which English shares with code) is a formula given away.
"""

import re

import nbformat
import pytest

from course.exercises import hints, known_ids
from course.tools.grading.blueprint import checks_in

from .helpers import SOLUTIONS

RUN = 5  # tokens in common that make a formula
TOKEN = re.compile(r"[A-Za-z_]\w*|\d+(?:\.\d+)?|\*\*|//|==|!=|<=|>=|[-+*/%@()\[\]{}<>=.,:]")
CODE_LIKE = {"+", "-", "*", "/", "//", "%", "**", "@", "="}
SOLUTION = re.compile(r"# BEGIN SOLUTION\n(.*?)# END SOLUTION", re.S)


def solution_code():
    """``{exercise id: the code of its solution region}``, comments dropped."""
    found = {}
    for path in SOLUTIONS:
        for cell in nbformat.read(path, as_version=4).cells:
            if cell.cell_type == "code":
                for exercise_id, _ in checks_in(cell.source):
                    code = "\n".join(SOLUTION.findall(cell.source))
                    found[exercise_id] = "\n".join(line.split("#")[0] for line in code.splitlines())
    return found


SOLUTION_CODE = solution_code()


def tokens(text):
    return ["N" if t[0].isalpha() or t[0] == "_" else t for t in TOKEN.findall(text)]


def runs(token_list):
    return {tuple(token_list[i : i + RUN]) for i in range(len(token_list) - RUN + 1)}


def formula(run):
    """Whether a run of tokens is code (an operator or a number in it), not English with brackets."""
    return sum(t != "N" for t in run) >= 3 and any(t in CODE_LIKE or t[0].isdigit() for t in run)


def given_away(rung, code):
    """The solution's line or formula that ``rung`` holds, or None."""
    for line in code.splitlines():
        line = " ".join(line.split())
        if len(line) >= 12 and line in " ".join(rung.split()):
            return line
    common = {run for run in runs(tokens(rung)) & runs(tokens(code)) if formula(run)}
    return " ".join(sorted(common)[0]) if common else None


def test_every_exercise_has_a_solution_region():
    assert sorted(set(known_ids()) - set(SOLUTION_CODE)) == []


@pytest.mark.parametrize("exercise_id", known_ids())
def test_no_rung_gives_the_solution_away(exercise_id):
    for number, rung in enumerate(hints(exercise_id), start=1):
        assert given_away(rung, SOLUTION_CODE[exercise_id]) is None, f"rung {number}: {rung}"


@pytest.mark.parametrize(
    "rung, code, caught",
    [
        ("The count is (L - f) // s + 1.", "return (length - size) // stride + 1", True),
        ("Use np.stack(channels, axis=1).", "return np.stack([x[..., c] for c in range(3)], axis=1)", True),
        ("return x.sum() / len(x)", "    return x.sum() / len(x)\n", True),
        (
            "Visit every (row, column) position with two loops.",
            "for row in range(h):\n    out[row, col] = 0",
            False,
        ),
        ("np.stack joins arrays along a new axis.", "return np.stack(parts, axis=1)", False),
    ],
)
def test_the_scan_tells_a_formula_from_a_pointer(rung, code, caught):
    assert (given_away(rung, code) is not None) == caught
