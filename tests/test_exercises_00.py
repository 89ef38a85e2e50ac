"""Exercises of 00_welcome (its quizzes: tests/test_quizzes.py): stubs and cheats.

The right answers and the plausible mistakes are in the answer table, tests/answers/nb00_welcome.py.
"""

from unittest import mock

import pytest

from course.exercises import FAILED, NOT_ATTEMPTED, evaluate, hints

from .answers.nb00_welcome import celsius_to_fahrenheit
from .helpers import lookup_table, stub

SOLUTION_CODE = {"00.1": ["c * 9 / 5 + 32", "9 / 5"], "00.2": ["n * n for n in range(10)", "range(10)]"]}


@pytest.mark.parametrize(
    "exercise_id, answer", [("00.1", ...), ("00.1", stub), ("00.2", ...), ("00.2", [..., 1])]
)
def test_stubs_are_not_attempted_and_give_nothing_away(exercise_id, answer):
    feedback = evaluate(exercise_id, answer, seed=0)
    assert feedback.status == NOT_ATTEMPTED
    for text in [feedback.message, *hints(exercise_id)]:
        for code in SOLUTION_CODE[exercise_id]:
            assert code not in text


def test_a_mistake_gets_the_first_hint():
    feedback = evaluate("00.1", lambda c: c * 9 / 5 + 23, seed=5)
    assert feedback.status == FAILED
    assert feedback.hint == hints("00.1")[0]


FOUR_TEMPERATURES = {0: 32.0, 100: 212.0, -40: -40.0, 37: 98.6}

CHEATS = [
    ("00.1", lambda c: FOUR_TEMPERATURES.get(c, 32.0), "which is not right"),
    ("00.1", lookup_table("00.1", celsius_to_fahrenheit, seed=0), "which is not right"),
    ("00.1", lambda c: mock.ANY, "should be a number (int or float), got a unittest.mock._ANY"),
    ("00.1", mock.ANY, "expected a function"),
    ("00.2", mock.ANY, "squares should be a list, got a unittest.mock._ANY"),
    ("00.2", [mock.ANY] * 10, "squares[0] should be a whole number (int)"),
    (
        "00.2",
        [True, 1, 4, 9, 16, 25, 36, 49, 64, 81],
        "squares[0] should be a whole number (int), got the bool",
    ),
]


@pytest.mark.parametrize("exercise_id, answer, says", CHEATS)
def test_cheats_fail(exercise_id, answer, says):
    feedback = evaluate(exercise_id, answer, seed=9)
    assert feedback.status == FAILED
    assert says in feedback.message
