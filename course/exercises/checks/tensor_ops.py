"""Checkers for 02_tensor_ops: a naive relu, a naive matrix product, a rotation, a Dense layer."""

import numpy as np

from ..framework import Wrong, call, exercise, expect_array, expect_close


def _unchanged(before, after, what):
    if not np.array_equal(before, after):
        raise Wrong(f"{what} changed its input; work on a copy (x = x.copy()) or fill a new array.")


@exercise(
    "02.1",
    "A naive relu",
    expects="a function naive_relu(x) that returns a new matrix with max(x[i, j], 0) in every place, "
    "leaving x unchanged",
    hint="Copy x first (z = x.copy()), then loop: for i in range(x.shape[0]): for j in range(x.shape[1]): "
    "z[i, j] = max(x[i, j], 0).",
)
def _naive_relu(answer):
    rng = np.random.default_rng(1)
    for shape in [(3, 4), (1, 5), (6, 1), (0, 3)]:
        x = rng.normal(size=shape)
        original = x.copy()
        what = f"naive_relu(x of shape {shape})"
        got = call(answer, x, what=what)
        expect_close(got, np.maximum(x, 0), what=what)
        _unchanged(original, x, what)
    return "naive_relu matches np.maximum(x, 0) and leaves x alone."


@exercise(
    "02.2",
    "A naive matrix product",
    expects="a function naive_matrix_dot(x, y) for x of shape (n, k) and y of shape (k, m) returning the (n, m) "
    "matrix whose entry (i, j) is the dot product of row i of x and column j of y",
    hint="Start from z = np.zeros((x.shape[0], y.shape[1])); fill z[i, j] = naive_vector_dot(x[i, :], y[:, j]) "
    "in two nested loops.",
)
def _naive_matrix_dot(answer):
    rng = np.random.default_rng(2)
    for n, k, m in [(2, 3, 4), (3, 3, 3), (1, 5, 1), (4, 2, 3)]:
        x, y = rng.normal(size=(n, k)), rng.normal(size=(k, m))
        originals = x.copy(), y.copy()
        what = f"naive_matrix_dot(x of shape {x.shape}, y of shape {y.shape})"
        got = expect_array(call(answer, x, y, what=what), what=what)
        if got.shape == (m, n) and n != m:
            raise Wrong(f"{what} has shape {got.shape}; expected ({n}, {m}): rows of x times columns of y.")
        expect_close(got, x @ y, what=what)
        _unchanged(originals[0], x, what)
        _unchanged(originals[1], y, what)
    return "naive_matrix_dot matches np.dot on square and non-square matrices."


@exercise(
    "02.3",
    "A rotation matrix",
    expects="a function rotation_matrix(theta) returning the 2x2 array that turns a vector counter-clockwise "
    "by theta radians",
    hint="np.array([[np.cos(theta), -np.sin(theta)], [np.sin(theta), np.cos(theta)]]). "
    "Check: rotating [1, 0] by a quarter turn (np.pi / 2) gives [0, 1].",
)
def _rotation_matrix(answer):
    for theta in [0.0, np.pi / 2, np.pi / 3, -1.0, 2.5]:
        what = f"rotation_matrix({theta:.4g})"
        got = expect_array(call(answer, theta, what=what), shape=(2, 2), what=what)
        want = np.array([[np.cos(theta), -np.sin(theta)], [np.sin(theta), np.cos(theta)]])
        if not np.allclose(got, want, atol=1e-6) and np.allclose(got, want.T, atol=1e-6):
            raise Wrong(f"{what} turns vectors clockwise; swap the signs of the two sin terms.")
        expect_close(got, want, what=what, atol=1e-6)
    return "rotation_matrix turns vectors counter-clockwise by theta and keeps their length."


@exercise(
    "02.4",
    "A Dense layer on one vector",
    expects="a function dense(x, W, b) returning relu(dot(W, x) + b) for x of shape (inputs,), "
    "W of shape (units, inputs) and b of shape (units,)",
    hint="np.maximum(np.dot(W, x) + b, 0): a dot product, an addition, a relu.",
)
def _dense(answer):
    rng = np.random.default_rng(4)
    for inputs, units in [(4, 3), (784, 16), (1, 1)]:
        x, W, b = rng.normal(size=inputs), rng.normal(size=(units, inputs)), rng.normal(size=units)
        what = f"dense(x {x.shape}, W {W.shape}, b {b.shape})"
        got = expect_array(call(answer, x, W, b, what=what), what=what)
        want = np.maximum(W @ x + b, 0)
        if got.shape == want.shape and not np.allclose(got, want) and np.allclose(got, W @ x + b):
            raise Wrong(f"{what} forgot the relu: negative values should become 0.")
        expect_close(got, want, what=what)
    return "dense computes relu(dot(W, x) + b): one layer of a neural network."
