"""Exercises and quizzes of 02_tensor_ops: a naive relu, a naive matrix product, a rotation, a Dense layer."""

import numpy as np

from .. import judging
from ..framework import exercise
from ..judging import Wrong
from ..probing import Shortcut, ShortcutUsed, observe
from ..quizzes import predict_shape

# ---------------------------------------------------------------------------
# 02.1 naive_relu
# ---------------------------------------------------------------------------


def _relu_cases(rng):
    cases = []
    for _ in range(5):
        rows, columns = (int(n) for n in rng.integers(2, 7, size=2))
        if rows == columns:
            columns += 1
        cases.append({"x": rng.normal(size=(rows, columns)).round(3)})
    cases.append({"x": rng.integers(-9, 10, size=(int(rng.integers(2, 5)), 1))})
    cases.append({"x": np.zeros((0, int(rng.integers(1, 4))))})
    return cases


def _without_last(x, axis):
    z = np.maximum(x, 0)
    index = (slice(None), -1) if axis else (-1, slice(None))
    if x.shape[axis]:
        z[index] = x[index]
    return z


def _judge_relu(case, seen):
    x = case["x"]
    what = f"naive_relu(x of shape {x.shape})"
    got = judging.array(seen, what)
    if got.shape == x.shape and np.any(x > 0) and np.allclose(got, 0):
        raise Wrong(f"{what} is all zeros: the positive entries of x should stay as they are.")
    mistakes = {
        "took the absolute value; negative entries should become 0": np.abs(x),
        "kept the negative entries and zeroed the positive ones": np.minimum(x, 0),
        "returned x unchanged": x,
        "stopped the loop over rows one row early": _without_last(x, 0),
        "stopped the loop over columns one column early": _without_last(x, 1),
    }
    judging.close(got, np.maximum(x, 0), what, near_misses=mistakes)
    return "naive_relu is right for every matrix tried, and leaves its input alone."


exercise(
    id="02.1",
    title="A naive relu",
    produce="a function naive_relu(x) that takes a matrix x (a 2D NumPy array) and returns a new array of "
    "the same shape holding relu of every entry, computed with Python loops over the entries",
    cases=_relu_cases,
    probe=lambda answer, case: observe(answer(case["x"])),
    judge=_judge_relu,
    shortcuts=(
        Shortcut("course.tensor_ops:naive_relu"),
        Shortcut("course.activations:relu"),
        Shortcut("course.autodiff.tensor:relu"),
    ),
    forbidden_in_source=("maximum", "fmax", "clip", "where"),
    hints=(
        "relu keeps a positive number and turns a negative one into 0, one entry at a time.",
        "Start from a copy of x (the check hands you a read-only x), then visit every position with two "
        "nested loops, one per axis.",
        "Python's built-in max of two numbers does the work for one entry; x.shape tells how far each loop runs.",
    ),
)

# ---------------------------------------------------------------------------
# 02.2 naive_matrix_dot
# ---------------------------------------------------------------------------

MATRIX_DOT_SHORTCUTS = (
    Shortcut("course.tensor_ops:naive_matrix_dot"),
    Shortcut("course.tensor_ops:naive_matrix_vector_dot"),
    Shortcut("numpy:dot"),
    Shortcut("numpy:matmul"),
    Shortcut("numpy:einsum"),
    Shortcut("numpy:tensordot"),
    Shortcut("numpy:inner"),
    Shortcut("numpy:vdot"),
)
_NUMPY_ORIGINALS = {
    name: getattr(np, name) for name in ("dot", "matmul", "einsum", "tensordot", "inner", "vdot")
}


def _matrix_dot_cases(rng):
    shapes = [tuple(int(n) for n in rng.integers(1, 6, size=3)) for _ in range(3)]
    shapes += [(2, 3, 4), (4, 2, 3)]
    size = int(rng.integers(2, 5))
    shapes.append((size, size, size))
    order = rng.permutation(len(shapes))
    return [
        {"x": rng.normal(size=(n, k)).round(3), "y": rng.normal(size=(k, m)).round(3)}
        for n, k, m in (shapes[i] for i in order)
    ]


def _library_answer(answer, shortcuts):
    """The name of the NumPy function ``answer`` is, if it is one of ``shortcuts``, else None.

    A NumPy shortcut is disabled by replacing its module attribute, which does not reach an answer
    that *is* that function (``naive_matrix_dot = np.dot``): the probe asks here.
    """
    for shortcut in shortcuts:
        module, _, name = shortcut.target.partition(":")
        if module == "numpy" and answer is _NUMPY_ORIGINALS.get(name):
            return shortcut.name
    return None


def _matrix_dot_probe(answer, case):
    used = _library_answer(answer, MATRIX_DOT_SHORTCUTS)
    if used:
        raise ShortcutUsed(used)
    return observe(answer(case["x"], case["y"]))


def _judge_matrix_dot(case, seen):
    x, y = case["x"], case["y"]
    what = f"naive_matrix_dot(x of shape {x.shape}, y of shape {y.shape})"
    got = judging.array(seen, what)
    want = x @ y
    if got.dtype.kind in "iub" and np.any(np.trunc(want) != want):
        raise Wrong(
            f"{what} is an array of {got.dtype}: stored in integers, the entries lose their fractional part. "
            "The result should hold floats."
        )
    mistakes = {}
    if x.shape == y.shape == (x.shape[0], x.shape[0]):
        mistakes["multiplied in the other order (y times x)"] = y @ x
        mistakes["multiplied element by element instead of taking dot products"] = x * y
    mistakes["left every entry at 0"] = np.zeros_like(want)
    judging.close(got, want, what, near_misses=mistakes)
    return "naive_matrix_dot is right on square and non-square matrices."


exercise(
    id="02.2",
    title="A naive matrix product",
    produce="a function naive_matrix_dot(x, y) that takes x of shape (n, k) and y of shape (k, m) and returns "
    "their matrix product, an array of shape (n, m), computed with loops and tensor_ops.naive_vector_dot",
    cases=_matrix_dot_cases,
    probe=_matrix_dot_probe,
    judge=_judge_matrix_dot,
    shortcuts=MATRIX_DOT_SHORTCUTS,
    forbidden_in_source=("@", "dot", "matmul", "einsum", "tensordot", "inner", "vdot", "multi_dot"),
    hints=(
        "Each entry of the result is one vector dot product: which row of x and which column of y meet at "
        "entry (i, j)?",
        "The result has as many rows as x and as many columns as y; create it filled with zeros (floats) first.",
        "Two nested loops, one over the rows of the result and one over its columns; slicing gives you a row "
        "of x and a column of y as vectors.",
    ),
)

# ---------------------------------------------------------------------------
# 02.3 rotation_matrix
# ---------------------------------------------------------------------------


def _rotation(theta):
    c, s = np.cos(theta), np.sin(theta)
    return np.array([[c, -s], [s, c]])


def _judge_rotation(case, seen):
    theta = case["theta"]
    what = f"rotation_matrix({theta:.4g})"
    got = judging.array(seen, what, shape=(2, 2))
    want = _rotation(theta)
    c, s = np.cos(theta), np.sin(theta)
    near = {
        "turned the vectors clockwise; the rotation should be counter-clockwise": want.T,
        "read theta as degrees; it is in radians": _rotation(np.radians(theta)),
        "swapped cos and sin": np.array([[s, -c], [c, s]]),
        "lost the minus sign: this matrix stretches vectors instead of only turning them": np.array(
            [[c, s], [s, c]]
        ),
    }
    judging.close(got, want, what, near_misses=near, atol=1e-9)
    return "rotation_matrix turns vectors counter-clockwise by theta and keeps their length."


exercise(
    id="02.3",
    title="A rotation matrix",
    produce="a function rotation_matrix(theta) that takes an angle in radians (a float) and returns the 2 x 2 "
    "NumPy array that turns a 2D vector counter-clockwise by that angle (as a dot product with the vector)",
    cases=lambda rng: [{"theta": float(t)} for t in rng.uniform(-2 * np.pi, 2 * np.pi, size=6).round(4)],
    probe=lambda answer, case: observe(answer(case["theta"])),
    judge=_judge_rotation,
    hints=(
        "The columns of the matrix are where the two unit arrows (1, 0) and (0, 1) land after the turn.",
        "Where does (1, 0) land after a turn by theta? Where does (0, 1) land: a quarter turn further?",
        "Build the array from its two rows with np.array; np.cos and np.sin work in radians.",
    ),
)

# ---------------------------------------------------------------------------
# 02.4 dense
# ---------------------------------------------------------------------------


def _dense_cases(rng):
    cases = []
    for inputs, units in [(int(rng.integers(2, 8)), int(rng.integers(2, 6))) for _ in range(4)] + [
        (3, 3),
        (1, 1),
    ]:
        cases.append(
            {
                "x": rng.normal(size=inputs).round(3),
                "W": rng.normal(size=(units, inputs)).round(3),
                "b": rng.normal(size=units).round(3),
            }
        )
    return cases


def _relu(z):
    return np.maximum(z, 0)


def _judge_dense(case, seen):
    x, W, b = case["x"], case["W"], case["b"]
    what = f"dense(x of shape {x.shape}, W of shape {W.shape}, b of shape {b.shape})"
    got = judging.array(seen, what)
    units = W.shape[0]
    if got.shape in ((units, units), (1, units), (units, 1)) and got.shape != (units,):
        raise Wrong(
            f"{what} has shape {got.shape}, expected ({units},): one number per unit. Look at the shapes "
            "your operations broadcast together."
        )
    want = _relu(W @ x + b)
    mistakes = {
        "forgot the relu: negative values should become 0": W @ x + b,
        "forgot the bias": _relu(W @ x),
        "added the bias after the relu": _relu(W @ x) + b,
        "subtracted the bias instead of adding it": _relu(W @ x - b),
    }
    if W.shape[0] == W.shape[1]:
        mistakes["multiplied by W transposed (x meets the columns of W instead of its rows)"] = _relu(
            W.T @ x + b
        )
    judging.close(got, want, what, near_misses=mistakes)
    return "dense computes one layer of a neural network: a dot product, a bias, a relu."


exercise(
    id="02.4",
    title="A Dense layer on one vector",
    produce="a function dense(x, W, b) that takes x of shape (inputs,), W of shape (units, inputs) and b of "
    "shape (units,) and returns the output of a Dense layer with relu activation, a new array of shape (units,)",
    cases=_dense_cases,
    probe=lambda answer, case: observe(answer(case["x"], case["W"], case["b"])),
    judge=_judge_dense,
    hints=(
        "A Dense layer does three things in order: a dot product, an addition, an activation.",
        "Which operand comes first in the dot product so that the shapes (units, inputs) and (inputs,) meet?",
        "relu is applied last, element by element; np.maximum against 0 does it for a whole array.",
    ),
)

# ---------------------------------------------------------------------------
# Quizzes
# ---------------------------------------------------------------------------

predict_shape(
    "02.q1",
    "a has shape (8, 1, 6) and b has shape (7, 1). What is the shape of a + b? (or type error)",
    shape=(8, 7, 6),
    explanation="Aligned on the right: b becomes (1, 7, 1); then 8 vs 1 -> 8, 1 vs 7 -> 7, 6 vs 1 -> 6.",
)

predict_shape(
    "02.q2",
    "a has shape (5, 4) and b has shape (5,). What is the shape of a + b? (or type error)",
    shape="error",
    explanation="Aligned on the right, the last axes are 4 and 5: neither equal nor 1. To add b to every "
    "column, use b[:, np.newaxis], shape (5, 1).",
)

predict_shape(
    "02.q3",
    "x has shape (10, 4, 3) and W has shape (3, 8). What is the shape of np.dot(x, W)? (or type error)",
    shape=(10, 4, 8),
    explanation="The last axis of x (3) meets the first axis of W (3); both disappear, the rest stay in order.",
)

predict_shape(
    "02.q4",
    "A and B both have shape (3, 4). What is the shape of np.dot(A, B)? (or type error)",
    shape="error",
    explanation="A's last axis (4) must equal B's first axis (3). np.dot(A, B.T) works and has shape (3, 3); "
    "np.dot(A.T, B) has shape (4, 4).",
)
