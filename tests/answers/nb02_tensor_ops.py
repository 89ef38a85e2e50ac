"""Answer tables of 02_tensor_ops: plausible mistakes and correct answers in other styles."""

import functools
import itertools

import numpy as np

from course import tensor_ops

from . import Correct, Mistake, Table, mutations


def stub(*args, **kwargs):
    raise NotImplementedError


STUBS = (..., stub)

# ---------------------------------------------------------------------------
# 02.1 naive_relu
# ---------------------------------------------------------------------------


def naive_relu(x):
    z = x.copy()
    for i in range(x.shape[0]):
        for j in range(x.shape[1]):
            z[i, j] = max(x[i, j], 0)
    return z


def relu_with_ndindex(x):
    z = np.zeros_like(x)
    for index in np.ndindex(x.shape):
        z[index] = x[index] if x[index] > 0 else 0
    return z


def relu_by_rows_of_lists(x):
    rows = [[value if value > 0 else 0.0 for value in row] for row in x.tolist()]
    return np.array(rows, dtype=float).reshape(x.shape)


def relu_with_half_the_absolute_value(x):
    z = np.empty(x.shape)
    for i, j in itertools.product(range(x.shape[0]), range(x.shape[1])):
        z[i, j] = (x[i, j] + abs(x[i, j])) / 2
    return z


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


def relu_with_rows_for_both_loops(x):
    z = x.copy()
    for i in range(x.shape[0]):
        for j in range(x.shape[0]):
            z[i, j] = max(x[i, j], 0)
    return z


def relu_of_zeros(x):
    return np.zeros(x.shape)


def relu_in_place(x):
    for i in range(x.shape[0]):
        for j in range(x.shape[1]):
            if x[i, j] < 0:
                x[i, j] = 0
    return x


def relu_into_integers(x):
    z = np.zeros(x.shape, dtype=int)
    for i in range(x.shape[0]):
        for j in range(x.shape[1]):
            z[i, j] = max(x[i, j], 0)
    return z


def relu_leaky(x):
    z = x.copy()
    for i in range(x.shape[0]):
        for j in range(x.shape[1]):
            z[i, j] = max(x[i, j], 0.01 * x[i, j])
    return z


def relu_from_the_first_row(x):
    rows, columns = len(x), len(x[0])
    z = np.zeros((rows, columns))
    for i in range(rows):
        for j in range(columns):
            z[i, j] = max(x[i, j], 0)
    return z


RELU = Table(
    mistakes=(
        Mistake("absolute value", lambda x: np.abs(x), "took the absolute value"),
        Mistake("keeps the negatives", lambda x: np.minimum(x, 0), "kept the negative entries"),
        Mistake("returns a copy of x", lambda x: x.copy(), "returned x unchanged"),
        Mistake("row loop one short", relu_short_rows, "one row early"),
        Mistake("column loop one short", relu_short_columns, "one column early"),
        Mistake("columns counted with the rows", relu_with_rows_for_both_loops, "the loop over columns"),
        Mistake("all zeros", relu_of_zeros, "all zeros"),
        Mistake("writes into x", relu_in_place, mutations.IN_PLACE),
        mutations.right_for_one_input(naive_relu, ("should have shape", "is off in")),
        Mistake("results stored as integers", relu_into_integers, "lost their fractional part"),
        Mistake("leaky relu", relu_leaky, "kept a small slope for the negative entries"),
        Mistake(
            "columns from the first row (no rows: IndexError)", relu_from_the_first_row, "raised IndexError"
        ),
        Mistake("a nested list", lambda x: x.tolist(), "should be a NumPy array"),
    ),
    correct=(
        Correct("the notebook's loops", naive_relu),
        Correct("np.ndindex and a conditional", relu_with_ndindex),
        Correct("lists of rows, back to an array", relu_by_rows_of_lists),
        Correct("half the sum with the absolute value", relu_with_half_the_absolute_value),
    ),
    not_attempted=STUBS,
)

# ---------------------------------------------------------------------------
# 02.2 naive_broadcast_add
# ---------------------------------------------------------------------------


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


def broadcast_add_from_the_right(x, y):
    """Shapes read from their last axis backwards; indices by modulo (size 1 gives 0)."""
    shape = []
    for back in range(1, max(x.ndim, y.ndim) + 1):
        n = x.shape[-back] if back <= x.ndim else 1
        m = y.shape[-back] if back <= y.ndim else 1
        if n != m and 1 not in (n, m):
            raise ValueError(f"operands could not be broadcast together with shapes {x.shape} {y.shape}")
        shape.insert(0, max(n, m))
    z = np.zeros(shape)
    for index in itertools.product(*(range(n) for n in shape)):
        i = tuple(k % n for k, n in zip(index[len(index) - x.ndim :], x.shape))
        j = tuple(k % m for k, m in zip(index[len(index) - y.ndim :], y.shape))
        z[index] = x[i] + y[j]
    return z


def broadcast_add_recursively(x, y):
    rank = max(x.ndim, y.ndim)
    xs = (1,) * (rank - x.ndim) + tuple(x.shape)
    ys = (1,) * (rank - y.ndim) + tuple(y.shape)
    if any(n != m and 1 not in (n, m) for n, m in zip(xs, ys)):
        raise ValueError("these shapes do not broadcast")
    shape = tuple(max(n, m) for n, m in zip(xs, ys))
    z = np.zeros(shape, dtype=np.float64)

    def fill(prefix):
        if len(prefix) == rank:
            i = [min(k, n - 1) for k, n in zip(prefix, xs)][rank - x.ndim :]
            j = [min(k, m - 1) for k, m in zip(prefix, ys)][rank - y.ndim :]
            z[prefix] = x[tuple(i)] + y[tuple(j)]
            return
        for k in range(shape[len(prefix)]):
            fill(prefix + (k,))

    fill(())
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


def broadcast_add_requiring_equal_sizes(x, y):
    ndim = max(x.ndim, y.ndim)
    xs = (1,) * (ndim - x.ndim) + tuple(x.shape)
    ys = (1,) * (ndim - y.ndim) + tuple(y.shape)
    if xs != ys:
        raise ValueError(f"shapes {x.shape} and {y.shape} do not broadcast")
    z = np.zeros(xs)
    for index in np.ndindex(*xs):
        z[index] = x[index[ndim - x.ndim :]] + y[index[ndim - y.ndim :]]
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


def broadcast_add_with_an_assert(x, y):
    ndim = max(x.ndim, y.ndim)
    xs = (1,) * (ndim - x.ndim) + tuple(x.shape)
    ys = (1,) * (ndim - y.ndim) + tuple(y.shape)
    for n, m in zip(xs, ys):
        assert n == m or 1 in (n, m), "shapes do not broadcast"
    return naive_broadcast_add(x, y)


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


def broadcast_add_as_nested_lists(x, y):
    return naive_broadcast_add(x, y).tolist()


BROADCAST = Table(
    mistakes=(
        Mistake("shapes lined up on the left", broadcast_add_aligned_left, "up on the right"),
        Mistake("stretches only y", broadcast_add_stretching_only_y, "but these shapes broadcast"),
        Mistake(
            "no stretching: sizes must be equal",
            broadcast_add_requiring_equal_sizes,
            "but these shapes broadcast",
        ),
        Mistake("result shaped like y", broadcast_add_returning_the_shape_of_y, "the shape of y"),
        Mistake(
            "no check: clashing shapes give a result",
            broadcast_add_without_the_check,
            "it should raise a ValueError",
        ),
        Mistake(
            "clashing shapes raise IndexError",
            broadcast_add_raising_index_error,
            "should raise a ValueError that says so",
        ),
        Mistake(
            "clashing shapes fail an assert",
            broadcast_add_with_an_assert,
            "should raise a ValueError that says so",
        ),
        Mistake("sums stored as integers", broadcast_add_into_integers, "lost their fractional part"),
        Mistake("index[-0:] for a scalar", broadcast_add_with_minus_zero_slices, "IndexError"),
        Mistake("a nested list", broadcast_add_as_nested_lists, "should be a NumPy array"),
    ),
    correct=(
        Correct("the notebook's padded shapes", naive_broadcast_add),
        Correct("a helper that reads one input", broadcast_add_with_nested_loops_over_padded_shapes),
        Correct("from the last axis, indices by modulo", broadcast_add_from_the_right),
        Correct("recursion over the axes, indices clamped", broadcast_add_recursively),
    ),
    not_attempted=STUBS,
)

# ---------------------------------------------------------------------------
# 02.3 naive_matrix_dot
# ---------------------------------------------------------------------------


def naive_matrix_dot(x, y):
    z = np.zeros((x.shape[0], y.shape[1]))
    for i in range(x.shape[0]):
        for j in range(y.shape[1]):
            z[i, j] = tensor_ops.naive_vector_dot(x[i, :], y[:, j])
    return z


def dot_with_sums(x, y):
    z = np.zeros((x.shape[0], y.shape[1]))
    for i in range(x.shape[0]):
        for j in range(y.shape[1]):
            z[i, j] = np.sum(x[i, :] * y[:, j])
    return z


def dot_with_three_loops(x, y):
    n, k = x.shape
    m = y.shape[1]
    z = np.zeros((n, m))
    for j in range(m):
        for i in range(n):
            for p in range(k):
                z[i, j] += x[i, p] * y[p, j]
    return z


def dot_as_a_comprehension(x, y):
    return np.array(
        [[tensor_ops.naive_vector_dot(row, column) for column in y.T] for row in x], dtype=float
    ).reshape(x.shape[0], y.shape[1])


def dot_in_a_variable_named_dot(x, y):
    z = np.zeros((len(x), len(y[0])))
    for i in range(len(x)):
        for j in range(len(y[0])):
            dot = tensor_ops.naive_vector_dot(x[i], y[:, j])
            z[i, j] = dot
    return z


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


def dot_with_rows_of_y(x, y):
    z = np.zeros((x.shape[0], y.shape[1]))
    for i in range(x.shape[0]):
        for j in range(y.shape[1]):
            z[i, j] = tensor_ops.naive_vector_dot(x[i, :], y[j, :])
    return z


def dot_shaped_like_x(x, y):
    z = np.zeros(x.shape)
    for i in range(x.shape[0]):
        for j in range(min(x.shape[1], y.shape[1])):
            z[i, j] = tensor_ops.naive_vector_dot(x[i, :], y[:, j])
    return z


def dot_with_one_running_total(x, y):
    z = np.zeros((x.shape[0], y.shape[1]))
    total = 0.0
    for i in range(x.shape[0]):
        for j in range(y.shape[1]):
            for p in range(x.shape[1]):
                total += x[i, p] * y[p, j]
            z[i, j] = total
    return z


MATRIX_DOT = Table(
    mistakes=(
        mutations.transposed(naive_matrix_dot, "it is transposed"),
        mutations.writes_into_input(naive_matrix_dot, argument=1),
        Mistake("result stored as integers", dot_into_integers, "stored in integers"),
        Mistake("never fills the result", dot_left_empty, "left every entry at 0"),
        Mistake("column loop one short", dot_short_columns, "stopped the loop over columns one column early"),
        Mistake("rows of y instead of columns", dot_with_rows_of_y, "raised ValueError"),
        Mistake("result shaped like x", dot_shaped_like_x, "should have shape"),
        Mistake(
            "one running total for every entry", dot_with_one_running_total, "kept adding to the same total"
        ),
    ),
    correct=(
        Correct("the notebook's loops", naive_matrix_dot),
        Correct("sums of products", dot_with_sums),
        Correct("three loops, columns outside", dot_with_three_loops),
        Correct("a comprehension over rows and columns", dot_as_a_comprehension),
        Correct("a variable named dot", dot_in_a_variable_named_dot),
    ),
    not_attempted=STUBS,
)

# ---------------------------------------------------------------------------
# 02.4 rotate
# ---------------------------------------------------------------------------


def rotation_matrix(theta):
    return np.array([[np.cos(theta), -np.sin(theta)], [np.sin(theta), np.cos(theta)]])


def rotate(points, theta):
    R = np.array([[np.cos(theta), -np.sin(theta)], [np.sin(theta), np.cos(theta)]])
    return points @ R.T


def rotate_by_complex_numbers(points, theta):
    turned = (points[:, 0] + 1j * points[:, 1]) * np.exp(1j * theta)
    return np.stack([turned.real, turned.imag], axis=1)


def rotate_with_a_row_vector_matrix(points, theta):
    c, s = np.cos(theta), np.sin(theta)
    return np.dot(points, np.array([[c, s], [-s, c]]))


def rotate_point_by_point(points, theta):
    c, s = np.cos(theta), np.sin(theta)
    turned = np.empty_like(points, dtype=float)
    for n, (x, y) in enumerate(points):
        turned[n] = (c * x - s * y, s * x + c * y)
    return turned


def rotate_sequentially(points, theta):
    c, s = np.cos(theta), np.sin(theta)
    turned = np.array(points, dtype=float)
    for n in range(len(turned)):
        turned[n, 0] = c * turned[n, 0] - s * turned[n, 1]
        turned[n, 1] = s * turned[n, 0] + c * turned[n, 1]
    return turned


def rotate_around_the_centre(points, theta):
    centre = points.mean(axis=0)
    return (points - centre) @ rotation_matrix(theta).T + centre


def rotate_a_quarter_turn(points, theta):
    return points @ rotation_matrix(np.pi / 2).T


def rotate_with_the_matrix_in_front(points, theta):
    return np.dot(rotation_matrix(theta), points)


ROTATE = Table(
    mistakes=(
        Mistake("clockwise (R, not its transpose)", lambda p, t: p @ rotation_matrix(t), "clockwise"),
        Mistake("theta read as degrees", lambda p, t: p @ rotation_matrix(np.radians(t)).T, "degrees"),
        Mistake(
            "points returned as columns",
            lambda p, t: rotation_matrix(t) @ p.T,
            "each row of the result should be one point",
        ),
        Mistake(
            "cos and sin swapped",
            lambda p, t: p @ np.array([[np.sin(t), -np.cos(t)], [np.cos(t), np.sin(t)]]).T,
            "swapped cos and sin",
        ),
        Mistake(
            "minus sign lost",
            lambda p, t: p @ np.array([[np.cos(t), np.sin(t)], [np.sin(t), np.cos(t)]]),
            "lost a minus sign",
        ),
        Mistake(
            "a nested list",
            lambda p, t: (p @ rotation_matrix(t).T).tolist(),
            "a list or a tensor is not an ndarray",
        ),
        Mistake("new x used to compute y", rotate_sequentially, "used the new x"),
        mutations.right_for_one_input(rotate, ("should have shape", "is off in")),
        Mistake("turned around the centre of the points", rotate_around_the_centre, "around the origin"),
        Mistake(
            "always a quarter turn (the notebook's example)",
            rotate_a_quarter_turn,
            "by another angle than theta",
        ),
        Mistake("matrix in front of the points", rotate_with_the_matrix_in_front, "raised ValueError"),
    ),
    correct=(
        Correct("the notebook's matrix, transposed", rotate),
        Correct("the matrix in front, result transposed back", lambda p, t: (rotation_matrix(t) @ p.T).T),
        Correct("complex numbers", rotate_by_complex_numbers),
        Correct("the matrix for row vectors", rotate_with_a_row_vector_matrix),
        Correct("point by point", rotate_point_by_point),
    ),
    not_attempted=STUBS,
)

# ---------------------------------------------------------------------------
# 02.5 forward
# ---------------------------------------------------------------------------


def forward(x, layers):
    for number, (kernel, bias) in enumerate(layers):
        x = np.dot(x, kernel) + bias
        if number < len(layers) - 1:
            x = np.maximum(x, 0)
    return x


def forward_with_the_last_layer_apart(x, layers):
    for kernel, bias in layers[:-1]:
        x = np.clip(x @ kernel + bias, 0, None)
    kernel, bias = layers[-1]
    return x @ kernel + bias


def forward_with_reduce(x, layers):
    def dense(inputs, layer):
        kernel, bias = layer
        return np.maximum(inputs @ kernel + bias, 0)

    hidden = functools.reduce(dense, layers[:-1], x)
    return hidden @ layers[-1][0] + layers[-1][1]


def forward_kernel_first(x, layers):
    out = np.asarray(x).T
    for number, (kernel, bias) in enumerate(layers):
        out = kernel.T @ out + bias[:, None]
        if number != len(layers) - 1:
            out = out * (out > 0)
    return out.T


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


def forward_relu_on_the_inputs(x, layers):
    for kernel, bias in layers:
        x = np.maximum(x, 0) @ kernel + bias
    return x


def forward_relu_skipped_before_the_last_two(x, layers):
    for number, (kernel, bias) in enumerate(layers):
        x = x @ kernel + bias
        if number < len(layers) - 2:
            x = np.maximum(x, 0)
    return x


def forward_kernel_transposed(x, layers):
    for number, (kernel, bias) in enumerate(layers):
        x = x @ kernel.T + bias
        if number < len(layers) - 1:
            x = np.maximum(x, 0)
    return x


def forward_adding_in_place(x, layers):
    x += 0
    return forward(x, layers)


FORWARD = Table(
    mistakes=(
        Mistake(
            "relu after the last layer too", forward_relu_everywhere, "applied relu after the last layer too"
        ),
        Mistake("no relu at all", forward_without_relu, "left out the relu between the layers"),
        Mistake("no biases", forward_without_bias, "forgot the biases"),
        Mistake("bias added after the relu", forward_bias_after_relu, "added the bias after the relu"),
        Mistake(
            "stops after the first layer",
            lambda x, layers: forward(x, layers[:1]),
            "stopped after the first layer",
        ),
        Mistake("relu before each layer", forward_relu_on_the_inputs, "applied relu to the inputs"),
        Mistake(
            "off by one: no relu before the last two layers",
            forward_relu_skipped_before_the_last_two,
            "layer before the last",
        ),
        Mistake("kernel transposed", forward_kernel_transposed, "raised ValueError"),
        Mistake("adds into x in place", forward_adding_in_place, mutations.IN_PLACE),
        Mistake("a list of outputs", lambda x, layers: [forward(x, layers)], "should be a NumPy array"),
    ),
    correct=(
        Correct("the notebook's loop", forward),
        Correct("the last layer apart, clip for relu", forward_with_the_last_layer_apart),
        Correct("functools.reduce", forward_with_reduce),
        Correct("columns as samples, kernel first", forward_kernel_first),
    ),
    not_attempted=STUBS,
)

TABLES = {"02.1": RELU, "02.2": BROADCAST, "02.3": MATRIX_DOT, "02.4": ROTATE, "02.5": FORWARD}
