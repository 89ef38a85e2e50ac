"""The checkers of 01_tensors and 02_tensor_ops: right answers pass, wrong and garbage answers get feedback."""

import math

import numpy as np
import pytest

from course.exercises import FAILED, NOT_ATTEMPTED, PASSED, evaluate


def stub(*args):
    raise NotImplementedError


def crashes(*args):
    raise IndexError("index 28 is out of bounds")


RIGHT = {
    "01.1": lambda images, size: images[:, (images.shape[1] - size) // 2 :][
        :, :size, (images.shape[2] - size) // 2 :
    ][:, :, :size],
    "01.2": lambda images, batch_size, n: images[batch_size * n : batch_size * (n + 1)],
    "01.3": lambda shape, dtype: math.prod(shape) * np.dtype(dtype).itemsize,
    "02.1": lambda x: np.maximum(x, 0),
    "02.2": lambda x, y: x @ y,
    "02.3": lambda t: np.array([[np.cos(t), -np.sin(t)], [np.sin(t), np.cos(t)]]),
    "02.4": lambda x, W, b: np.maximum(W @ x + b, 0),
}


def relu_in_place(x):
    x[x < 0] = 0
    return x


WRONG = [
    ("01.1", lambda images, size: images[:, :size, :size], "wrong pixels"),
    ("01.1", lambda images, size: images[:, 7:-7, 7:-7], "should have shape"),
    ("01.2", lambda images, batch_size, n: images[n : n + batch_size], "expected image"),
    ("01.3", lambda shape, dtype: math.prod(shape), "expected"),
    ("01.3", lambda shape, dtype: math.prod(shape) * 4, "expected"),
    ("02.1", relu_in_place, "changed its input"),
    ("02.1", lambda x: np.abs(x), "is off"),
    ("02.2", lambda x, y: (x @ y).T, "expected"),
    ("02.2", lambda x, y: x * y.sum(), "should have shape"),
    ("02.3", lambda t: np.array([[np.cos(t), np.sin(t)], [-np.sin(t), np.cos(t)]]), "clockwise"),
    ("02.4", lambda x, W, b: W @ x + b, "forgot the relu"),
    ("02.4", lambda x, W, b: np.maximum(x @ W.T, 0), "is off"),
]

GARBAGE = [
    None,
    3,
    "answer",
    [1, 2],
    np.zeros(3),
    crashes,
    lambda *a: None,
    lambda *a: float("nan"),
    lambda *a: "text",
    lambda: 1,
]


@pytest.mark.parametrize("exercise_id", sorted(RIGHT))
def test_right_answers_pass(exercise_id):
    feedback = evaluate(exercise_id, RIGHT[exercise_id])
    assert feedback.status == PASSED, feedback.message


@pytest.mark.parametrize("exercise_id", sorted(RIGHT))
def test_stubs_are_not_attempted(exercise_id):
    assert evaluate(exercise_id, stub).status == NOT_ATTEMPTED
    assert evaluate(exercise_id, ...).status == NOT_ATTEMPTED


@pytest.mark.parametrize("exercise_id, answer, says", WRONG)
def test_wrong_answers_say_what_is_wrong(exercise_id, answer, says):
    feedback = evaluate(exercise_id, answer)
    assert feedback.status == FAILED and says in feedback.message, feedback.message
    assert feedback.hint


@pytest.mark.parametrize("exercise_id", sorted(RIGHT))
@pytest.mark.parametrize("answer", GARBAGE, ids=range(len(GARBAGE)))
def test_garbage_gets_feedback_not_a_traceback(exercise_id, answer):
    feedback = evaluate(exercise_id, answer)
    assert feedback.status == FAILED and feedback.message


def test_a_crashing_answer_is_quoted():
    feedback = evaluate("01.1", crashes)
    assert "IndexError: index 28 is out of bounds" in feedback.message
