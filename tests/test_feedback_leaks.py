"""No failure message gives away a hidden expected value.

A case's inputs may be quoted back to the learner, and so may what their own code gave; the value
a right answer gives on a hidden case may not (a message that prints it is an oracle: copy the
number and pass). For every exercise whose answers do not train a model, each mistake of its
answer table runs on the same cases as a right answer of that table; every number in the
mistake's message must be one of the case's inputs or of the mistake's own outcome, never one
that only the right answer produced.
"""

import re

import numpy as np
import pytest

from course.exercises.checks import nb03_autodiff as nb03_checks
from course.exercises.judging import verdict
from course.exercises.plain import normalize
from course.exercises.probing import run
from course.exercises.registry import draw_cases, lookup

from .answers import SEEDS, Built
from .test_answer_tables import TABLES

NUMBER = re.compile(r"(?<![\w.])-?\d+(?:,\d{3})*(?:\.\d+)?(?:e[-+]?\d+)?")
LEAK_SEEDS = 3
# numbers this small are everywhere (indices, counts, 0 and 1 of a mask): not evidence of a leak
SMALL = 10


def numbers_in(value, found, sizes=False):
    """Every number in a plain outcome or case, recursively: array entries, numbers written in
    text, and with ``sizes`` the lengths and shapes too (those of a case are visible to the
    learner; those of a right answer's outcome are not counted: a message may say what shape is due)."""
    if isinstance(value, bool):
        return found
    if isinstance(value, (int, float)):
        found.append(float(value))
    elif isinstance(value, str):
        found.extend(quoted(value))
    elif isinstance(value, np.ndarray):
        if value.dtype.kind in "iuf":
            found.extend(value.astype(float).ravel()[:20_000].tolist())
        if sizes:
            found.extend(float(n) for n in value.shape)
    elif isinstance(value, dict):
        for key, item in value.items():
            if sizes or key not in ("shape", "length", "dtype"):
                numbers_in(item, found, sizes)
    elif isinstance(value, (list, tuple)):
        if sizes:
            found.append(float(len(value)))
        for item in value:
            numbers_in(item, found, sizes)
    return found


def quoted(message):
    return [float(text.replace(",", "")) for text in NUMBER.findall(message)]


def near(number, pool):
    pool = np.asarray(pool, dtype=float)
    pool = pool[np.isfinite(pool)]
    tolerance = 5e-4 * max(1.0, abs(number))
    return pool.size > 0 and bool(np.any(np.abs(pool - number) <= tolerance))


def leaks(message, right, allowed):
    return [n for n in quoted(message) if abs(n) >= SMALL and near(n, right) and not near(n, allowed)]


def graph_size(case):
    """The number of nodes of the graph the learner's code is given (the check's own builder)."""
    seen, stack = set(), [nb03_checks._build(case)]
    while stack:
        node = stack.pop()
        if id(node) not in seen:
            seen.add(id(node))
            stack.extend(node.inputs)
    return len(seen)


# Numbers a learner sees that are not written in a case: a graph's number of nodes, say.
SEEN_BY_THE_LEARNER = {"03.3": graph_size, "03.4": graph_size}


def plain_outcomes(ex, answer, cases):
    return normalize(run(ex, answer, cases))


def rows():
    return [
        pytest.param(exercise_id, id=exercise_id)
        for exercise_id, table in sorted(TABLES.items())
        if table.seeds == SEEDS and not any(isinstance(row.answer, Built) for row in table.correct)
    ]


@pytest.mark.parametrize("exercise_id", rows())
def test_no_message_holds_a_hidden_expected_value(exercise_id):
    ex, table = lookup(exercise_id), TABLES[exercise_id]
    found = []
    for seed in range(LEAK_SEEDS):
        cases = draw_cases(ex, seed)
        right = numbers_in(plain_outcomes(ex, table.correct[0].answer, cases), [])
        inputs = numbers_in(cases, quoted(f"{ex.title} {ex.produce}"), sizes=True)
        if exercise_id in SEEN_BY_THE_LEARNER:
            inputs += [float(SEEN_BY_THE_LEARNER[exercise_id](case)) for case in cases]
        for mistake in table.mistakes:
            if isinstance(mistake.answer, Built):
                continue
            outcomes = plain_outcomes(ex, mistake.answer, cases)
            message = verdict(ex, cases, outcomes).message
            leaked = leaks(message, right, inputs + numbers_in(outcomes, [], sizes=True))
            if leaked:
                found.append(f"seed {seed}, {mistake.name}: {leaked} in {message!r}")
    assert found == []


def test_the_scan_finds_an_expected_value_in_a_message():
    right, allowed = [261.7, 3.0], [98.3]
    assert leaks("celsius_to_fahrenheit(98.3) should be 261.7.", right, allowed) == [261.7]
    assert leaks("celsius_to_fahrenheit(98.3) is 100.4, which is not right.", right, allowed + [100.4]) == []
    assert leaks("the total is 1,234,567", [1234567.0], []) == [1234567.0]
