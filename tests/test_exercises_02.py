"""The exercises of 02_tensor_ops (its quizzes: tests/test_quizzes.py): stubs, hints, cheats and forged outcomes.

The right answers and the plausible mistakes are in the answer table, tests/answers/nb02_tensor_ops.py.
"""

from unittest import mock

import numpy as np
import pytest

import course.exercises.checks.nb02_tensor_ops  # noqa: F401  (registers 02's exercises without the other notebooks)
from course import activations, tensor_ops
from course.exercises import FAILED, PASSED, evaluate, judge, probe
from course.exercises.plain import normalize

from .answers.nb02_tensor_ops import (
    forward,
    naive_broadcast_add,
    naive_matrix_dot,
    naive_relu,
    rotate,
    rotation_matrix,
)
from .helpers import assert_hints_climb_without_code, assert_not_attempted_quietly, lookup_table, stub

SEEDS = (0, 1, 2, 3, 2024)


RIGHT = {
    "02.1": naive_relu,
    "02.2": naive_broadcast_add,
    "02.3": naive_matrix_dot,
    "02.4": rotate,
    "02.5": forward,
}

# What the solutions contain: no message or hint may show it.
SOLUTION_CODE = {
    "02.1": ("x.copy()", "max(x[i, j], 0)", "z[i, j] ="),
    "02.2": ("zip(x_shape, index)", "x[i[ndim - x.ndim :]]", "0 if n == 1 else k", "(1,) * (ndim - x.ndim)"),
    "02.3": (
        "naive_vector_dot(x[i, :], y[:, j])",
        "x[i, :]",
        "y[:, j]",
        "np.zeros((x.shape[0], y.shape[1]))",
    ),
    "02.4": ("[[np.cos", "-np.sin(theta)", "cos(theta), -sin", "[[c, -s]", "points @ R.T", "R.T"),
    "02.5": ("np.dot(x, kernel) + bias", "x @ kernel", "number < len(layers) - 1", "maximum(x, 0)"),
}


@pytest.mark.parametrize("exercise_id", sorted(RIGHT))
@pytest.mark.parametrize("answer", [..., stub], ids=["ellipsis", "raises NotImplementedError"])
def test_stubs_are_not_attempted_and_give_nothing_away(exercise_id, answer):
    assert_not_attempted_quietly(exercise_id, answer, SOLUTION_CODE[exercise_id])


@pytest.mark.parametrize("exercise_id", sorted(RIGHT))
def test_hints_give_no_solution_code(exercise_id):
    assert_hints_climb_without_code(exercise_id, SOLUTION_CODE[exercise_id])


def broadcast_add_by_copying(x, y):
    xa, ya = np.zeros(x.shape), np.zeros(y.shape)
    for index in np.ndindex(*x.shape):
        xa[index] = x[index]
    for index in np.ndindex(*y.shape):
        ya[index] = y[index]
    return xa + ya


def broadcast_add_with_numpy(x, y):
    return np.add(np.asarray(x, dtype=float), np.asarray(y, dtype=float))


def broadcast_add_with_broadcast_to(x, y):
    return np.broadcast_to(x, np.broadcast_shapes(x.shape, y.shape)) + y


def broadcast_add_with_the_course_rule(x, y):
    from course.broadcasting import broadcast_shape

    shape = broadcast_shape(x.shape, y.shape)
    return np.zeros(shape)


def forward_changing_its_weights(x, layers):
    layers[0][0].fill(0)
    return forward(x, layers)


def relu_in_place(x):
    x[x < 0] = 0
    return x


def rotate_in_place(points, theta):
    points[:] = points @ rotation_matrix(theta).T
    return points


def dot_with_a_helper(x, y):
    return helper_product(x, y)


def helper_product(x, y):
    return np.dot(x, y)


def dot_method(x, y):
    return x.dot(y)


def dot_einsum(x, y):
    return np.einsum("ik,kj->ij", x, y)


def dot_matmul(x, y):
    return x @ y


def dot_by_columns(x, y):
    z = np.zeros((x.shape[0], y.shape[1]))
    for j in range(y.shape[1]):
        z[:, j] = tensor_ops.naive_matrix_vector_dot(x, y[:, j])
    return z


def relu_with_maximum(x):
    return np.maximum(x, 0)


def relu_with_where(x):
    return np.where(x > 0, x, 0)


CHEATS = [
    ("02.1", relu_in_place, "changes one of its input arrays in place"),
    ("02.5", forward_changing_its_weights, "changes one of its input arrays in place"),
    ("02.4", rotate_in_place, "changes one of its input arrays in place"),
    ("02.2", broadcast_add_by_copying, "the sums did not come from your loops"),
    ("02.2", broadcast_add_with_numpy, "cannot become a NumPy array"),
    ("02.2", broadcast_add_with_broadcast_to, "write it yourself, and your code uses broadcast_to"),
    ("02.2", broadcast_add_with_the_course_rule, "course.broadcasting.broadcast_shape"),
    ("02.2", lambda x, y: x + y, "unsupported operand"),
    ("02.2", lambda x, y: np.zeros(x.shape, dtype=x.dtype), "it has .shape and .ndim"),
    ("02.1", tensor_ops.naive_relu, "write it yourself, and your code uses course.tensor_ops.naive_relu"),
    ("02.1", activations.relu, "write it yourself"),
    ("02.1", relu_with_maximum, "write it yourself, and your code uses maximum"),
    ("02.1", relu_with_where, "write it yourself, and your code uses where"),
    (
        "02.3",
        tensor_ops.naive_matrix_dot,
        "write it yourself, and your code uses course.tensor_ops.naive_matrix_dot",
    ),
    ("02.3", dot_by_columns, "course.tensor_ops.naive_matrix_vector_dot"),
    ("02.3", dot_matmul, "write it yourself, and your code uses @"),
    ("02.3", dot_method, "write it yourself, and your code uses dot"),
    ("02.3", dot_einsum, "write it yourself, and your code uses einsum"),
    ("02.3", dot_with_a_helper, "write it yourself, and your code uses dot"),
    ("02.3", np.dot, "write it yourself, and your code uses numpy.dot"),
    ("02.3", np.matmul, "write it yourself, and your code uses numpy.matmul"),
    ("02.3", np.einsum, "write it yourself, and your code uses numpy.einsum"),
    ("02.3", np.inner, "write it yourself, and your code uses numpy.inner"),
    ("02.1", mock.ANY, "expected a function"),
    ("02.3", lambda *args: mock.ANY, "should be a NumPy array"),
    ("02.2", lambda *args: mock.ANY, "should be a NumPy array"),
    ("02.4", lambda *args: mock.ANY, "should be a NumPy array"),
    ("02.5", lambda *args: mock.ANY, "should be a NumPy array"),
    ("02.5", mock.ANY, "expected a function"),
]


@pytest.mark.parametrize("exercise_id, answer, says", CHEATS)
def test_cheats_fail(exercise_id, answer, says):
    feedback = evaluate(exercise_id, answer, seed=5)
    assert feedback.status == FAILED and says in feedback.message, feedback.message


@pytest.mark.parametrize("exercise_id", sorted(RIGHT))
def test_a_lookup_table_of_outputs_fails(exercise_id):
    feedback = evaluate(exercise_id, lookup_table(exercise_id, RIGHT[exercise_id], seed=0), seed=1)
    assert feedback.status == FAILED, feedback.message


def test_shortcuts_work_again_after_the_check():
    evaluate("02.3", dot_with_a_helper, seed=0)
    evaluate("02.2", broadcast_add_with_the_course_rule, seed=0)
    from course.broadcasting import broadcast_shape

    assert broadcast_shape((2, 1), (3,)) == (2, 3)
    x = np.arange(6.0).reshape(2, 3)
    assert np.array_equal(np.dot(x, x.T), x @ x.T)
    assert np.array_equal(tensor_ops.naive_matrix_dot(x, x.T), x @ x.T)


# --- forged outcomes: written without the cases, they fail on every seed ------------------------

FORGED_FROM = 99  # the seed of the cases that the forged outcomes were made on


def test_outcomes_made_on_other_cases_fail():
    outcomes = normalize(probe("02.2", RIGHT["02.2"], seed=FORGED_FROM))
    assert judge("02.2", FORGED_FROM, outcomes).status == PASSED  # a right answer's, on its own cases
    for seed in SEEDS:
        assert judge("02.2", seed, outcomes).status == FAILED


def test_a_count_of_reads_is_not_taken_on_trust():
    """The probe logs every read; a count of reads claimed instead (the right sums, but no log) fails."""
    for seed in SEEDS:
        outcomes = normalize(probe("02.2", RIGHT["02.2"], seed=seed))
        claimed = [
            {"ok": {**outcome["ok"], "reads": [10**6, 10**6]}} if "reads" in outcome["ok"] else outcome
            for outcome in outcomes
        ]
        feedback = judge("02.2", seed, claimed)
        assert feedback.status == FAILED and "the sums did not come from your loops" in feedback.message
