"""The exercises of 01_tensors (its quizzes: tests/test_quizzes.py): right answers pass, mistakes get a diagnosis, cheats fail."""

import math
from unittest import mock

import numpy as np
import pytest

import course.exercises.checks.tensors  # noqa: F401  (registers 01's exercises without the other notebooks)
from course.exercises import FAILED, NOT_ATTEMPTED, PASSED, evaluate, hints

from .helpers import lookup_table, stub

SEEDS = (0, 1, 2, 3, 2024)


def crop_center(images, size):
    top = (images.shape[1] - size) // 2
    left = (images.shape[2] - size) // 2
    return images[:, top : top + size, left : left + size]


def get_batch(images, batch_size, n):
    return images[batch_size * n : batch_size * (n + 1)]


def memory_bytes(shape, dtype):
    return math.prod(shape) * np.dtype(dtype).itemsize


RIGHT = {"01.1": crop_center, "01.2": get_batch, "01.3": memory_bytes}

# What the solutions contain: no message or hint may show it.
SOLUTION_CODE = {
    "01.1": ("(height - size) // 2", "images.shape[1] - size", "top + size", "[:, top"),
    "01.2": ("batch_size * n", "batch_size * (n + 1)", "n * batch_size"),
    "01.3": ("prod(shape", "* np.dtype", "itemsize *", "* itemsize"),
}


@pytest.mark.parametrize("seed", SEEDS)
@pytest.mark.parametrize("exercise_id", sorted(RIGHT))
def test_the_right_answer_passes(exercise_id, seed):
    feedback = evaluate(exercise_id, RIGHT[exercise_id], seed=seed)
    assert feedback.status == PASSED, feedback.message


def test_other_right_answers_pass():
    assert evaluate(
        "01.1", lambda im, s: im[:, (im.shape[1] - s) // 2 :][:, :s, (im.shape[2] - s) // 2 :][:, :, :s]
    ).passed
    assert evaluate("01.2", lambda images, size, n: images[n * size :][:size]).passed
    assert evaluate(
        "01.3", lambda shape, dtype: int(np.prod(shape, dtype=np.int64)) * np.dtype(dtype).itemsize
    ).passed


@pytest.mark.parametrize("exercise_id", sorted(RIGHT))
@pytest.mark.parametrize("answer", [..., stub], ids=["ellipsis", "raises NotImplementedError"])
def test_stubs_are_not_attempted_and_give_nothing_away(exercise_id, answer):
    feedback = evaluate(exercise_id, answer, seed=0)
    assert feedback.status == NOT_ATTEMPTED
    for code in SOLUTION_CODE[exercise_id]:
        assert code not in feedback.message


@pytest.mark.parametrize("exercise_id", sorted(RIGHT))
def test_hints_give_no_solution_code(exercise_id):
    ladder = hints(exercise_id)
    assert 2 <= len(ladder) <= 3
    for hint in ladder:
        for code in SOLUTION_CODE[exercise_id]:
            assert code not in hint


def crop_one_image(images, size):
    return crop_center(images, size)[0]


def crop_rounding_up(images, size):
    top = -(-(images.shape[1] - size) // 2)
    left = -(-(images.shape[2] - size) // 2)
    return images[:, top : top + size, left : left + size]


def crop_left_edge(images, size):
    top = (images.shape[1] - size) // 2
    return images[:, top : top + size, :size]


def crop_as_floats(images, size):
    return crop_center(images, size).astype(float)


def scalar_is_empty(shape, dtype):
    return (math.prod(shape) if shape else 0) * np.dtype(dtype).itemsize


def memory_float(shape, dtype):
    return float(math.prod(shape) * np.dtype(dtype).itemsize)


WRONG = [
    ("01.1", lambda images, size: images[:, :size, :size], "top-left corner"),
    ("01.1", crop_one_image, "every image should be cropped"),
    ("01.1", crop_rounding_up, "the extra one goes below"),
    ("01.1", crop_as_floats, "keeps the pixels as they are"),
    ("01.1", crop_left_edge, "centre"),
    ("01.1", lambda images, size: images[:, 7:-7, 7:-7], "should have shape"),
    ("01.2", lambda images, size, n: images[n : n + size], "started batch n at image n"),
    ("01.2", lambda images, size, n: images[size * (n - 1) : size * n], "counted the batches from 1"),
    ("01.2", lambda images, size, n: images[size * (n + 1) : size * (n + 2)], "the batch after batch n"),
    ("01.2", lambda images, size, n: images[size * n : size * (n + 1) + 1], "one image too many"),
    ("01.2", lambda images, size, n: list(images[size * n : size * (n + 1)]), "should be a NumPy array"),
    ("01.3", lambda shape, dtype: math.prod(shape), "number of elements, not of bytes"),
    ("01.3", lambda shape, dtype: math.prod(shape) * 4, "4 bytes per element"),
    ("01.3", lambda shape, dtype: 8 * math.prod(shape) * np.dtype(dtype).itemsize, "bits, not of bytes"),
    ("01.3", lambda shape, dtype: sum(shape) * np.dtype(dtype).itemsize, "the element count is a product"),
    ("01.3", scalar_is_empty, "a scalar (shape ()) holds one element"),
    ("01.3", memory_float, "a number of bytes is a whole number"),
]


@pytest.mark.parametrize("exercise_id, answer, says", WRONG)
def test_plausible_mistakes_get_a_diagnosis(exercise_id, answer, says):
    for seed in SEEDS[:3]:
        feedback = evaluate(exercise_id, answer, seed=seed)
        assert feedback.status == FAILED and says in feedback.message, feedback.message
        assert feedback.hint


def blank_images(images, size):
    images.fill(0)
    return crop_center(images, size)


def blank_batch(images, batch_size, n):
    images[:] = 0
    return get_batch(images, batch_size, n)


def memory_with_nbytes(shape, dtype):
    return np.zeros(shape, dtype).nbytes


CHEATS = [
    ("01.1", blank_images, "changes one of its input arrays in place"),
    ("01.2", blank_batch, "changes one of its input arrays in place"),
    ("01.3", memory_with_nbytes, "write it yourself, and your code uses nbytes"),
    ("01.1", mock.ANY, "expected a function"),
    ("01.1", lambda *args: mock.ANY, "should be a NumPy array"),
    ("01.2", lambda *args: mock.ANY, "should be a NumPy array"),
    ("01.3", lambda *args: mock.ANY, "should be a whole number"),
    ("01.3", lambda *args: True, "should be a whole number"),
    ("01.3", mock.ANY, "expected a function"),
]


@pytest.mark.parametrize("exercise_id, answer, says", CHEATS)
def test_cheats_fail(exercise_id, answer, says):
    feedback = evaluate(exercise_id, answer, seed=5)
    assert feedback.status == FAILED and says in feedback.message, feedback.message


@pytest.mark.parametrize("exercise_id", sorted(RIGHT))
def test_a_lookup_table_of_outputs_fails(exercise_id):
    feedback = evaluate(exercise_id, lookup_table(exercise_id, RIGHT[exercise_id], seed=0), seed=1)
    assert feedback.status == FAILED, feedback.message


@pytest.mark.parametrize("exercise_id", sorted(RIGHT))
def test_cases_vary_with_the_seed(exercise_id):
    from course.exercises.framework import draw_cases, lookup

    first, second = (repr(draw_cases(lookup(exercise_id), seed)) for seed in (0, 1))
    assert first != second
