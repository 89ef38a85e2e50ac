"""Exercises of 00_welcome (its quizzes: tests/test_quizzes.py): right answers, stubs, mistakes and cheats."""

from unittest import mock

import numpy as np
import pytest

from course.exercises import FAILED, NOT_ATTEMPTED, PASSED, evaluate, hints

from .helpers import lookup_table, stub

SEEDS = (0, 1, 2, 777)
SOLUTION_CODE = {"00.1": ["c * 9 / 5 + 32", "9 / 5"], "00.2": ["n * n for n in range(10)", "range(10)]"]}


def celsius_to_fahrenheit(c):
    return c * 9 / 5 + 32


RIGHT = {"00.1": celsius_to_fahrenheit, "00.2": [n * n for n in range(10)]}


@pytest.mark.parametrize("seed", SEEDS)
@pytest.mark.parametrize("exercise_id", sorted(RIGHT))
def test_the_right_answer_passes(exercise_id, seed):
    feedback = evaluate(exercise_id, RIGHT[exercise_id], seed=seed)
    assert feedback.status == PASSED, feedback.message


@pytest.mark.parametrize(
    "answer", [lambda c: (c * 9 + 160) / 5, lambda c: 32 + 1.8 * c, lambda c: np.float64(c * 1.8 + 32)]
)
def test_other_right_answers_pass(answer):
    assert evaluate("00.1", answer, seed=3).status == PASSED


@pytest.mark.parametrize(
    "exercise_id, answer", [("00.1", ...), ("00.1", stub), ("00.2", ...), ("00.2", [..., 1])]
)
def test_stubs_are_not_attempted_and_give_nothing_away(exercise_id, answer):
    feedback = evaluate(exercise_id, answer, seed=0)
    assert feedback.status == NOT_ATTEMPTED
    for text in [feedback.message, *hints(exercise_id)]:
        for code in SOLUTION_CODE[exercise_id]:
            assert code not in text


MISTAKES = [
    ("00.1", lambda c: c * 9 / 5 + 23, "which is not right"),
    ("00.1", lambda c: c * 5 / 9 + 32, "the factor 9/5 seems upside down"),
    ("00.1", lambda c: c * 9 / 5, "the offset of the Fahrenheit scale is missing"),
    ("00.1", lambda c: str(c * 9 / 5 + 32), "should be a number (int or float), got the str"),
    ("00.1", lambda c: [c * 9 / 5 + 32], "should be a number (int or float), got a list"),
    ("00.1", lambda c: None, "got None"),
    ("00.1", lambda: 32.0, "raised TypeError"),
    ("00.1", "c * 9 / 5 + 32", "expected a function celsius_to_fahrenheit(c)"),
    ("00.2", [n * n for n in range(1, 11)], "squares[0] is 1, which is not the square of 0"),
    ("00.2", [n * n for n in range(9)], "should hold 10 numbers"),
    ("00.2", [2 * n for n in range(10)], "squares[1] is 2, which is not the square of 1"),
    ("00.2", [float(n * n) for n in range(10)], "squares[0] should be a whole number (int), got the float"),
    ("00.2", tuple(n * n for n in range(10)), "squares should be a list, got a tuple"),
    ("00.2", np.arange(10) ** 2, "squares should be a list, got an ndarray of shape (10,)"),
]


@pytest.mark.parametrize("exercise_id, answer, says", MISTAKES)
def test_mistakes_get_their_diagnosis_and_a_hint(exercise_id, answer, says):
    feedback = evaluate(exercise_id, answer, seed=5)
    assert feedback.status == FAILED
    assert says in feedback.message
    assert feedback.hint == hints(exercise_id)[0]


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
