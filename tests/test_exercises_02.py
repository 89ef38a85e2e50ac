"""The exercises of 02_tensor_ops (its quizzes: tests/test_quizzes.py): right answers pass, mistakes get a diagnosis, cheats fail."""

from unittest import mock

import numpy as np
import pytest

import course.exercises.checks.tensor_ops  # noqa: F401  (registers 02's exercises without the other notebooks)
from course import activations, tensor_ops
from course.exercises import FAILED, NOT_ATTEMPTED, PASSED, evaluate, hints

from .helpers import lookup_table, stub

SEEDS = (0, 1, 2, 3, 2024)


def naive_relu(x):
    z = x.copy()
    for i in range(x.shape[0]):
        for j in range(x.shape[1]):
            z[i, j] = max(x[i, j], 0)
    return z


def naive_matrix_dot(x, y):
    z = np.zeros((x.shape[0], y.shape[1]))
    for i in range(x.shape[0]):
        for j in range(y.shape[1]):
            z[i, j] = tensor_ops.naive_vector_dot(x[i, :], y[:, j])
    return z


def rotation_matrix(theta):
    return np.array([[np.cos(theta), -np.sin(theta)], [np.sin(theta), np.cos(theta)]])


def dense(x, W, b):
    return np.maximum(np.dot(W, x) + b, 0)


RIGHT = {"02.1": naive_relu, "02.2": naive_matrix_dot, "02.3": rotation_matrix, "02.4": dense}

# What the solutions contain: no message or hint may show it.
SOLUTION_CODE = {
    "02.1": ("x.copy()", "max(x[i, j], 0)", "z[i, j] ="),
    "02.2": (
        "naive_vector_dot(x[i, :], y[:, j])",
        "x[i, :]",
        "y[:, j]",
        "np.zeros((x.shape[0], y.shape[1]))",
    ),
    "02.3": ("[[np.cos", "-np.sin(theta)", "cos(theta), -sin", "[[c, -s]"),
    "02.4": ("np.dot(W, x) + b", "W @ x", "dot(W, x)", "relu(W", "maximum(np.dot"),
}


@pytest.mark.parametrize("seed", SEEDS)
@pytest.mark.parametrize("exercise_id", sorted(RIGHT))
def test_the_right_answer_passes(exercise_id, seed):
    feedback = evaluate(exercise_id, RIGHT[exercise_id], seed=seed)
    assert feedback.status == PASSED, feedback.message


def relu_with_ndindex(x):
    z = np.zeros_like(x)
    for index in np.ndindex(x.shape):
        z[index] = x[index] if x[index] > 0 else 0
    return z


def dot_with_sums(x, y):
    z = np.zeros((x.shape[0], y.shape[1]))
    for i in range(x.shape[0]):
        for j in range(y.shape[1]):
            z[i, j] = np.sum(x[i, :] * y[:, j])
    return z


@pytest.mark.parametrize(
    "exercise_id, answer",
    [
        ("02.1", relu_with_ndindex),
        ("02.2", dot_with_sums),
        ("02.3", lambda t: np.array([[np.cos(t), np.sin(-t)], [np.sin(t), np.cos(-t)]])),
        ("02.4", lambda x, W, b: np.clip(W @ x + b, 0, None)),
    ],
)
def test_other_right_answers_pass(exercise_id, answer):
    feedback = evaluate(exercise_id, answer, seed=11)
    assert feedback.status == PASSED, feedback.message


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


def relu_short_rows(x):
    z = x.copy()
    for i in range(x.shape[0] - 1):
        for j in range(x.shape[1]):
            z[i, j] = max(x[i, j], 0)
    return z


def relu_short_columns(x):
    z = x.copy()
    for i in range(x.shape[0]):
        for j in range(x.shape[1] - 1):
            z[i, j] = max(x[i, j], 0)
    return z


def relu_of_zeros(x):
    return np.zeros(x.shape)


def dot_transposed(x, y):
    return naive_matrix_dot(x, y).T


def dot_into_integers(x, y):
    z = np.zeros((x.shape[0], y.shape[1]), dtype=int)
    for i in range(x.shape[0]):
        for j in range(y.shape[1]):
            z[i, j] = tensor_ops.naive_vector_dot(x[i, :], y[:, j])
    return z


def dot_left_empty(x, y):
    return np.zeros((x.shape[0], y.shape[1]))


def dot_short_columns(x, y):
    z = np.zeros((x.shape[0], y.shape[1]))
    for i in range(x.shape[0]):
        for j in range(y.shape[1] - 1):
            z[i, j] = tensor_ops.naive_vector_dot(x[i, :], y[:, j])
    return z


WRONG = [
    ("02.1", lambda x: np.abs(x), "took the absolute value"),
    ("02.1", lambda x: np.minimum(x, 0), "kept the negative entries"),
    ("02.1", lambda x: x.copy(), "returned x unchanged"),
    ("02.1", relu_short_rows, "one row early"),
    ("02.1", relu_short_columns, "one column early"),
    ("02.1", relu_of_zeros, "all zeros"),
    ("02.1", lambda x: x.tolist(), "should be a NumPy array"),
    ("02.2", dot_transposed, "it is transposed"),
    ("02.2", dot_into_integers, "stored in integers"),
    ("02.2", dot_left_empty, "left every entry at 0"),
    ("02.2", dot_short_columns, "naive_matrix_dot(x of shape"),
    ("02.3", lambda t: rotation_matrix(t).T, "clockwise"),
    ("02.3", lambda t: rotation_matrix(np.radians(t)), "degrees"),
    ("02.3", lambda t: np.array([[np.sin(t), -np.cos(t)], [np.cos(t), np.sin(t)]]), "swapped cos and sin"),
    ("02.3", lambda t: np.array([[np.cos(t), np.sin(t)], [np.sin(t), np.cos(t)]]), "lost the minus sign"),
    (
        "02.3",
        lambda t: [[np.cos(t), -np.sin(t)], [np.sin(t), np.cos(t)]],
        "a list or a tensor is not an ndarray",
    ),
    ("02.4", lambda x, W, b: W @ x + b, "forgot the relu"),
    ("02.4", lambda x, W, b: np.maximum(W @ x, 0), "forgot the bias"),
    ("02.4", lambda x, W, b: np.maximum(W @ x, 0) + b, "added the bias after the relu"),
    ("02.4", lambda x, W, b: np.maximum(W @ x - b, 0), "subtracted the bias"),
    ("02.4", lambda x, W, b: np.maximum(W @ x[:, None] + b, 0), "one number per unit"),
]


@pytest.mark.parametrize("exercise_id, answer, says", WRONG)
def test_plausible_mistakes_get_a_diagnosis(exercise_id, answer, says):
    for seed in SEEDS[:3]:
        feedback = evaluate(exercise_id, answer, seed=seed)
        assert feedback.status == FAILED and says in feedback.message, feedback.message
        assert feedback.hint


def relu_in_place(x):
    x[x < 0] = 0
    return x


def dense_zeroing_weights(x, W, b):
    W.fill(0)
    return np.maximum(b, 0)


def rotation_with_ndarray_trick(theta):
    out = np.empty((2, 2))
    out.fill(0)
    return out


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
    ("02.4", dense_zeroing_weights, "changes one of its input arrays in place"),
    ("02.1", tensor_ops.naive_relu, "write it yourself, and your code uses course.tensor_ops.naive_relu"),
    ("02.1", activations.relu, "write it yourself"),
    ("02.1", relu_with_maximum, "write it yourself, and your code uses maximum"),
    ("02.1", relu_with_where, "write it yourself, and your code uses where"),
    (
        "02.2",
        tensor_ops.naive_matrix_dot,
        "write it yourself, and your code uses course.tensor_ops.naive_matrix_dot",
    ),
    ("02.2", dot_by_columns, "course.tensor_ops.naive_matrix_vector_dot"),
    ("02.2", dot_matmul, "write it yourself, and your code uses @"),
    ("02.2", dot_method, "write it yourself, and your code uses dot"),
    ("02.2", dot_einsum, "write it yourself, and your code uses einsum"),
    ("02.2", dot_with_a_helper, "write it yourself, and your code uses numpy.dot"),
    ("02.2", np.dot, "write it yourself, and your code uses numpy.dot"),
    ("02.2", np.matmul, "write it yourself, and your code uses numpy.matmul"),
    ("02.2", np.einsum, "write it yourself, and your code uses numpy.einsum"),
    ("02.2", np.inner, "write it yourself, and your code uses numpy.inner"),
    ("02.3", rotation_with_ndarray_trick, "is off in"),
    ("02.1", mock.ANY, "expected a function"),
    ("02.2", lambda *args: mock.ANY, "should be a NumPy array"),
    ("02.3", lambda *args: mock.ANY, "should be a NumPy array"),
    ("02.4", lambda *args: mock.ANY, "should be a NumPy array"),
    ("02.4", mock.ANY, "expected a function"),
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
    evaluate("02.2", dot_with_a_helper, seed=0)
    x = np.arange(6.0).reshape(2, 3)
    assert np.array_equal(np.dot(x, x.T), x @ x.T)
    assert np.array_equal(tensor_ops.naive_matrix_dot(x, x.T), x @ x.T)
