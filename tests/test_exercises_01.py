"""The exercises of 01_tensors (its quizzes: tests/test_quizzes.py): stubs, hints and cheats.

The right answers and the plausible mistakes are in the answer table, tests/answers/nb01_tensors.py.
"""

import math
from unittest import mock

import numpy as np
import pytest

import course.exercises.checks.nb01_tensors  # noqa: F401  (registers 01's exercises without the other notebooks)
from course import tensors
from course.exercises import FAILED, evaluate

from .answers.nb01_tensors import batches, channels_first, crop_center, memory_bytes, one_hot_texts
from .helpers import assert_hints_climb_without_code, assert_not_attempted_quietly, lookup_table, stub

RIGHT = {
    "01.1": crop_center,
    "01.2": batches,
    "01.3": one_hot_texts,
    "01.4": channels_first,
    "01.5": memory_bytes,
}

# What the solutions contain: no message or hint may show it.
SOLUTION_CODE = {
    "01.1": ("(height - size) // 2", "images.shape[1] - size", "top + size", "[:, top"),
    "01.2": ("permutation(len(images))", "order[start", "range(0, len(order), batch_size)", "yield images["),
    "01.3": ("tensor[s, t, ord(character)] = 1", "text[:length]", "np.zeros((len(texts), length, 128)"),
    "01.4": ("images[:, :, :, c]", "axis=1)", "range(images.shape[-1])"),
    "01.5": ("count *= size", "count = 1", "* np.dtype", "itemsize *", "* itemsize"),
}


@pytest.mark.parametrize("exercise_id", sorted(RIGHT))
@pytest.mark.parametrize("answer", [..., stub], ids=["ellipsis", "raises NotImplementedError"])
def test_stubs_are_not_attempted_and_give_nothing_away(exercise_id, answer):
    assert_not_attempted_quietly(exercise_id, answer, SOLUTION_CODE[exercise_id])


@pytest.mark.parametrize("exercise_id", sorted(RIGHT))
def test_hints_give_no_solution_code(exercise_id):
    assert_hints_climb_without_code(exercise_id, SOLUTION_CODE[exercise_id])


def blank_images(images, size):
    images.fill(0)
    return crop_center(images, size)


def shuffle_in_place(images, labels, batch_size, seed):
    np.random.default_rng(seed).shuffle(images)
    yield from batches(images, labels, batch_size, seed)


def one_hot_writing_into_texts(texts, length):
    texts.append("x")
    return one_hot_texts(texts[:-1], length)


def memory_with_nbytes(shape, dtype):
    return np.zeros(shape, dtype).nbytes


def memory_with_math_prod(shape, dtype):
    return math.prod(shape) * np.dtype(dtype).itemsize


def channels_with_transpose(images):
    return np.transpose(images, (0, 3, 1, 2))


def channels_with_moveaxis(images):
    return np.moveaxis(images, -1, 1)


def channels_with_dot_t(images):
    return images.T.T.copy()


CHEATS = [
    ("01.1", blank_images, "changes one of its input arrays in place"),
    ("01.2", shuffle_in_place, "changes one of its input arrays in place"),
    ("01.2", tensors.batches, "write it yourself, and your code uses course.tensors.batches"),
    (
        "01.2",
        lambda *args: tensors.batches(*args),
        "write it yourself, and your code uses course.tensors.batches",
    ),
    ("01.4", channels_with_transpose, "write it yourself, and your code uses transpose"),
    ("01.4", channels_with_moveaxis, "write it yourself, and your code uses moveaxis"),
    ("01.4", channels_with_dot_t, "write it yourself, and your code uses T"),
    ("01.5", memory_with_nbytes, "write it yourself, and your code uses nbytes"),
    ("01.5", memory_with_math_prod, "write it yourself, and your code uses prod"),
    ("01.1", mock.ANY, "expected a function"),
    ("01.1", lambda *args: mock.ANY, "should be a NumPy array"),
    ("01.2", lambda *args: mock.ANY, "returned a unittest.mock._ANY; it should yield the batches"),
    ("01.2", lambda *args: iter([mock.ANY]), "should return a tuple"),
    ("01.3", lambda *args: mock.ANY, "should be a NumPy array"),
    ("01.4", lambda *args: mock.ANY, "should be a NumPy array"),
    ("01.5", lambda *args: mock.ANY, "should be a whole number"),
    ("01.5", lambda *args: True, "should be a whole number"),
    ("01.5", mock.ANY, "expected a function"),
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
    from course.exercises.registry import draw_cases, lookup

    first, second = (repr(draw_cases(lookup(exercise_id), seed)) for seed in (0, 1))
    assert first != second
