"""The exercises of 02_tensor_ops (its quizzes: tests/test_quizzes.py): right answers pass, mistakes get a diagnosis, cheats fail."""

from unittest import mock

import numpy as np
import pytest

import course.exercises.checks.nb02_tensor_ops  # noqa: F401  (registers 02's exercises without the other notebooks)
from course import activations, tensor_ops
from course.exercises import FAILED, PASSED, evaluate, judge, probe
from course.exercises.plain import normalize

from .helpers import assert_hints_climb_without_code, assert_not_attempted_quietly, lookup_table, stub

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


def naive_broadcast_add(x, y):
    ndim = max(x.ndim, y.ndim)
    x_shape = (1,) * (ndim - x.ndim) + tuple(x.shape)
    y_shape = (1,) * (ndim - y.ndim) + tuple(y.shape)
    shape = []
    for n, m in zip(x_shape, y_shape):
        if n != m and n != 1 and m != 1:
            raise ValueError(f"shapes {x.shape} and {y.shape} do not broadcast")
        shape.append(max(n, m))
    z = np.zeros(shape)
    for index in np.ndindex(*shape):
        i = tuple(0 if n == 1 else k for n, k in zip(x_shape, index))
        j = tuple(0 if m == 1 else k for m, k in zip(y_shape, index))
        z[index] = x[i[ndim - x.ndim :]] + y[j[ndim - y.ndim :]]
    return z


def rotation_matrix(theta):
    return np.array([[np.cos(theta), -np.sin(theta)], [np.sin(theta), np.cos(theta)]])


def rotate(points, theta):
    R = np.array([[np.cos(theta), -np.sin(theta)], [np.sin(theta), np.cos(theta)]])
    return points @ R.T


def forward(x, layers):
    for number, (kernel, bias) in enumerate(layers):
        x = np.dot(x, kernel) + bias
        if number < len(layers) - 1:
            x = np.maximum(x, 0)
    return x


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


def broadcast_add_with_nested_loops_over_padded_shapes(x, y):
    rank = max(len(x.shape), len(y.shape))
    xs = [1] * (rank - len(x.shape)) + list(x.shape)
    ys = [1] * (rank - len(y.shape)) + list(y.shape)
    for a, b in zip(xs, ys):
        if a != b and 1 not in (a, b):
            raise ValueError("shapes do not broadcast")
    out = np.empty([max(a, b) for a, b in zip(xs, ys)], dtype=float)

    def read(t, padded, index):
        own = [0 if size == 1 else i for size, i in zip(padded, index)]
        return t[tuple(own[len(padded) - len(t.shape) :])]

    for index in np.ndindex(out.shape):
        out[index] = read(x, xs, index) + read(y, ys, index)
    return out


def rotate_by_complex_numbers(points, theta):
    turned = (points[:, 0] + 1j * points[:, 1]) * np.exp(1j * theta)
    return np.stack([turned.real, turned.imag], axis=1)


def forward_with_the_last_layer_apart(x, layers):
    for kernel, bias in layers[:-1]:
        x = np.clip(x @ kernel + bias, 0, None)
    kernel, bias = layers[-1]
    return x @ kernel + bias


@pytest.mark.parametrize(
    "exercise_id, answer",
    [
        ("02.1", relu_with_ndindex),
        ("02.2", broadcast_add_with_nested_loops_over_padded_shapes),
        ("02.3", dot_with_sums),
        ("02.4", lambda p, t: (rotation_matrix(t) @ p.T).T),
        ("02.4", rotate_by_complex_numbers),
        ("02.5", forward_with_the_last_layer_apart),
    ],
)
def test_other_right_answers_pass(exercise_id, answer):
    feedback = evaluate(exercise_id, answer, seed=11)
    assert feedback.status == PASSED, feedback.message


@pytest.mark.parametrize("exercise_id", sorted(RIGHT))
@pytest.mark.parametrize("answer", [..., stub], ids=["ellipsis", "raises NotImplementedError"])
def test_stubs_are_not_attempted_and_give_nothing_away(exercise_id, answer):
    assert_not_attempted_quietly(exercise_id, answer, SOLUTION_CODE[exercise_id])


@pytest.mark.parametrize("exercise_id", sorted(RIGHT))
def test_hints_give_no_solution_code(exercise_id):
    assert_hints_climb_without_code(exercise_id, SOLUTION_CODE[exercise_id])


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


def _broadcast_index(shape, padded, index):
    own = [0 if size == 1 else i for size, i in zip(padded, index)]
    return tuple(own[len(padded) - len(shape) :])


def broadcast_add_aligned_left(x, y):
    ndim = max(x.ndim, y.ndim)
    xs = tuple(x.shape) + (1,) * (ndim - x.ndim)
    ys = tuple(y.shape) + (1,) * (ndim - y.ndim)
    shape = [max(n, m) for n, m in zip(xs, ys)]
    if any(n != m and 1 not in (n, m) for n, m in zip(xs, ys)):
        raise ValueError("no")
    z = np.zeros(shape)
    for index in np.ndindex(*shape):
        i = tuple(0 if n == 1 else k for n, k in zip(xs, index))[: x.ndim]
        j = tuple(0 if m == 1 else k for m, k in zip(ys, index))[: y.ndim]
        z[index] = x[i] + y[j]
    return z


def broadcast_add_stretching_only_y(x, y):
    padded = (1,) * (x.ndim - y.ndim) + tuple(y.shape)
    if x.ndim < y.ndim or any(n != m and m != 1 for n, m in zip(x.shape, padded)):
        raise ValueError("no")
    z = np.zeros(x.shape)
    for index in np.ndindex(*x.shape):
        z[index] = x[index] + y[_broadcast_index(y.shape, padded, index)]
    return z


def broadcast_add_returning_the_shape_of_y(x, y):
    z = np.zeros(y.shape)
    for index in np.ndindex(*y.shape):
        z[index] = y[index]
    return z


def broadcast_add_without_the_check(x, y):
    ndim = max(x.ndim, y.ndim)
    xs = (1,) * (ndim - x.ndim) + tuple(x.shape)
    ys = (1,) * (ndim - y.ndim) + tuple(y.shape)
    shape = [max(n, m) for n, m in zip(xs, ys)]
    z = np.zeros(shape)
    for index in np.ndindex(*shape):
        i = tuple(min(k, n - 1) if n != 1 else 0 for n, k in zip(xs, index))
        j = tuple(min(k, m - 1) if m != 1 else 0 for m, k in zip(ys, index))
        z[index] = x[i[ndim - x.ndim :]] + y[j[ndim - y.ndim :]]
    return z


def broadcast_add_raising_index_error(x, y):
    ndim = max(x.ndim, y.ndim)
    xs = (1,) * (ndim - x.ndim) + tuple(x.shape)
    ys = (1,) * (ndim - y.ndim) + tuple(y.shape)
    shape = [max(n, m) for n, m in zip(xs, ys)]
    z = np.zeros(shape)
    for index in np.ndindex(*shape):
        z[index] = x[_broadcast_index(x.shape, xs, index)] + y[_broadcast_index(y.shape, ys, index)]
    return z


def broadcast_add_into_integers(x, y):
    return naive_broadcast_add(x, y).astype(int)


def broadcast_add_with_minus_zero_slices(x, y):
    ndim = max(x.ndim, y.ndim)
    xs = (1,) * (ndim - x.ndim) + tuple(x.shape)
    ys = (1,) * (ndim - y.ndim) + tuple(y.shape)
    if any(n != m and 1 not in (n, m) for n, m in zip(xs, ys)):
        raise ValueError("no")
    shape = [max(n, m) for n, m in zip(xs, ys)]
    z = np.zeros(shape)
    for index in np.ndindex(*shape):
        i = tuple(0 if n == 1 else k for n, k in zip(xs, index))[-x.ndim :]
        j = tuple(0 if m == 1 else k for m, k in zip(ys, index))[-y.ndim :]
        z[index] = x[i] + y[j]
    return z


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


def forward_relu_everywhere(x, layers):
    for kernel, bias in layers:
        x = np.maximum(x @ kernel + bias, 0)
    return x


def forward_without_relu(x, layers):
    for kernel, bias in layers:
        x = x @ kernel + bias
    return x


def forward_without_bias(x, layers):
    for number, (kernel, _) in enumerate(layers):
        x = x @ kernel
        if number < len(layers) - 1:
            x = np.maximum(x, 0)
    return x


def forward_bias_after_relu(x, layers):
    for number, (kernel, bias) in enumerate(layers):
        x = x @ kernel
        x = (np.maximum(x, 0) + bias) if number < len(layers) - 1 else x + bias
    return x


def forward_changing_its_weights(x, layers):
    layers[0][0].fill(0)
    return forward(x, layers)


WRONG = [
    ("02.1", lambda x: np.abs(x), "took the absolute value"),
    ("02.1", lambda x: np.minimum(x, 0), "kept the negative entries"),
    ("02.1", lambda x: x.copy(), "returned x unchanged"),
    ("02.1", relu_short_rows, "one row early"),
    ("02.1", relu_short_columns, "one column early"),
    ("02.1", relu_of_zeros, "all zeros"),
    ("02.1", lambda x: x.tolist(), "should be a NumPy array"),
    ("02.2", broadcast_add_aligned_left, "up on the right"),
    ("02.2", broadcast_add_stretching_only_y, "but these shapes broadcast to"),
    ("02.2", broadcast_add_returning_the_shape_of_y, "the shape of y"),
    ("02.2", broadcast_add_without_the_check, "it should raise a ValueError"),
    ("02.2", broadcast_add_raising_index_error, "should raise a ValueError that says so"),
    ("02.2", broadcast_add_into_integers, "lost their fractional part"),
    ("02.2", broadcast_add_with_minus_zero_slices, "IndexError"),
    ("02.3", dot_transposed, "it is transposed"),
    ("02.3", dot_into_integers, "stored in integers"),
    ("02.3", dot_left_empty, "left every entry at 0"),
    ("02.3", dot_short_columns, "naive_matrix_dot(x of shape"),
    ("02.4", lambda p, t: p @ rotation_matrix(t), "clockwise"),
    ("02.4", lambda p, t: p @ rotation_matrix(np.radians(t)).T, "degrees"),
    ("02.4", lambda p, t: rotation_matrix(t) @ p.T, "each row of the result should be one point"),
    (
        "02.4",
        lambda p, t: p @ np.array([[np.sin(t), -np.cos(t)], [np.cos(t), np.sin(t)]]).T,
        "swapped cos and sin",
    ),
    (
        "02.4",
        lambda p, t: p @ np.array([[np.cos(t), np.sin(t)], [np.sin(t), np.cos(t)]]),
        "lost a minus sign",
    ),
    ("02.4", lambda p, t: (p @ rotation_matrix(t).T).tolist(), "a list or a tensor is not an ndarray"),
    ("02.5", forward_relu_everywhere, "applied relu after the last layer too"),
    ("02.5", forward_without_relu, "left out the relu between the layers"),
    ("02.5", forward_without_bias, "forgot the biases"),
    ("02.5", forward_bias_after_relu, "added the bias after the relu"),
    ("02.5", lambda x, layers: forward(x, layers[:1]), "stopped after the first layer"),
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
    ("02.3", dot_with_a_helper, "write it yourself, and your code uses numpy.dot"),
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
