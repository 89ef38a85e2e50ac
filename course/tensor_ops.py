"""Tensor operations written as plain Python loops, to be read rather than used.

NumPy does each of these in one call, in compiled code that hands the work to
BLAS (``np.maximum(x, 0)``, ``x + y``, ``np.dot(x, y)``, ``x.reshape(shape)``,
``x.T``). The loops below spell out what that call computes, one element at a
time, so that the rule behind each operation is visible.

Every function here:

* accepts NumPy arrays (or nested lists of numbers) and returns a new array,
  never changing its inputs;
* checks ranks and shapes first, and names the shapes and the broken rule when
  they do not fit, e.g. ``x.shape[1] (3) must equal y.shape[0] (4)``.

``np.ndindex(shape)`` appears often: it yields every index tuple of ``shape``
in row-major order, ``(0, 0), (0, 1), ..., (1, 0), ...``, so one ``for`` loop
over it is the same as one nested ``for`` loop per axis.

Convolution and pooling follow the same idea for images: see :mod:`course.convolution`.
"""

import numpy as np

from .runtime.validate import array, integers, size_limit

LOOP_LIMIT = 10**7  # the most loop steps a naive operation takes (a few seconds of pure Python)


def _loop_work(steps):
    """Refuse work that pure Python loops would take minutes over: NumPy is the tool for that."""
    return size_limit(steps, "the number of loop steps", LOOP_LIMIT)


def _same_size(x, y, axis_x, axis_y, names=("x", "y")):
    if x.shape[axis_x] != y.shape[axis_y]:
        raise ValueError(
            f"{names[0]}.shape[{axis_x}] ({x.shape[axis_x]}) must equal {names[1]}.shape[{axis_y}] ({y.shape[axis_y]}): "
            f"{names[0]} has shape {x.shape}, {names[1]} has shape {y.shape}"
        )


# ---------------------------------------------------------------------------
# Element-wise operations
# ---------------------------------------------------------------------------


def naive_relu(x):
    """``relu(x) = max(x, 0)`` for every element of a tensor of any rank.

    Each output element depends on one input element only: that is what
    *element-wise* means, and why the work splits so well across many cores.
    """
    x = array(x, "x")
    _loop_work(x.size)
    z = x.copy()  # work on a copy: the caller's tensor stays as it was
    for index in np.ndindex(x.shape):
        z[index] = max(x[index], 0)
    return z


def naive_add(x, y):
    """``x + y`` element by element, for two tensors of the same shape (any rank)."""
    x = array(x, "x")
    y = array(y, "y")
    if x.shape != y.shape:
        raise ValueError(
            f"naive_add needs equal shapes, got x.shape {x.shape} and y.shape {y.shape} "
            "(for a matrix and a vector use naive_add_matrix_and_vector)"
        )
    _loop_work(x.size)
    z = np.empty(x.shape, dtype=np.result_type(x, y))
    for index in np.ndindex(x.shape):
        z[index] = x[index] + y[index]
    return z


def naive_add_matrix_and_vector(x, y):
    """``x + y`` for a matrix ``x`` (rows, columns) and a vector ``y`` (columns,).

    This is broadcasting done by hand: ``y`` is added to every row of ``x``, as
    if it had been copied ``rows`` times, but no copy is ever made.
    """
    x = array(x, "x", ndim=2)
    y = array(y, "y", ndim=1)
    _same_size(x, y, 1, 0)
    _loop_work(x.size)
    z = np.empty(x.shape, dtype=np.result_type(x, y))
    for i in range(x.shape[0]):
        for j in range(x.shape[1]):
            z[i, j] = x[i, j] + y[j]
    return z


# ---------------------------------------------------------------------------
# Dot products
# ---------------------------------------------------------------------------


def naive_vector_dot(x, y):
    """The dot product of two vectors of equal length: ``sum_i x[i] * y[i]``, a scalar."""
    x = array(x, "x", ndim=1)
    y = array(y, "y", ndim=1)
    _same_size(x, y, 0, 0)
    _loop_work(x.size)
    total = np.result_type(x, y).type(0)
    for i in range(x.shape[0]):
        total += x[i] * y[i]
    return total


def naive_matrix_vector_dot(x, y):
    """Matrix (n, k) times vector (k,): a vector (n,) whose entry i is ``dot(x[i, :], y)``."""
    x = array(x, "x", ndim=2)
    y = array(y, "y", ndim=1)
    _same_size(x, y, 1, 0)
    _loop_work(x.size)
    z = np.zeros(x.shape[0], dtype=np.result_type(x, y))
    for i in range(x.shape[0]):
        z[i] = naive_vector_dot(x[i, :], y)
    return z


def naive_matrix_dot(x, y):
    """Matrix (n, k) times matrix (k, m): a matrix (n, m) whose entry (i, j) is ``dot(x[i, :], y[:, j])``.

    Row of the left times column of the right: swap ``x`` and ``y`` and you
    pair other rows with other columns, which is why ``dot`` is not commutative.
    """
    x = array(x, "x", ndim=2)
    y = array(y, "y", ndim=2)
    _same_size(x, y, 1, 0)
    _loop_work(x.shape[0] * x.shape[1] * y.shape[1])
    z = np.zeros((x.shape[0], y.shape[1]), dtype=np.result_type(x, y))
    for i in range(x.shape[0]):
        for j in range(y.shape[1]):
            z[i, j] = naive_vector_dot(x[i, :], y[:, j])
    return z


# ---------------------------------------------------------------------------
# Reshaping and transposing
# ---------------------------------------------------------------------------


def _target_shape(shape, size):
    """``shape`` with its one allowed ``-1`` filled in so that it holds ``size`` elements."""
    shape = integers(shape, "shape", minimum=-1)
    if shape.count(-1) > 1:
        raise ValueError(f"shape {shape} has more than one -1; only one size can be inferred")
    known = int(np.prod([n for n in shape if n != -1]))
    if -1 in shape:
        if known == 0 or size % known:
            raise ValueError(
                f"cannot infer the -1 in shape {shape}: {size} elements do not split into pieces of {known}"
            )
        shape = tuple(size // known if n == -1 else n for n in shape)
    elif known != size:
        raise ValueError(f"cannot reshape {size} elements into shape {shape}, which holds {known}")
    return shape


def naive_reshape(x, shape):
    """The elements of ``x`` read in row-major order and written into a tensor of ``shape``.

    The number of elements must stay the same; one size may be ``-1``, meaning
    "whatever makes the count right", as in ``images.reshape(len(images), -1)``.
    """
    x = array(x, "x")
    shape = _target_shape(shape, x.size)
    _loop_work(x.size)
    elements = [x[index] for index in np.ndindex(x.shape)]  # last axis moves fastest
    z = np.empty(shape, dtype=x.dtype)
    for position, index in enumerate(np.ndindex(shape)):
        z[index] = elements[position]
    return z


def _axis_order(axes, x):
    """``axes`` as a tuple, checked to be an ordering of ``0 .. x.ndim - 1``."""
    axes = integers(axes, "axes")
    if sorted(axes) != list(range(x.ndim)):
        raise ValueError(f"axes must be an ordering of 0..{x.ndim - 1} for x of shape {x.shape}, got {axes}")
    return axes


def naive_transpose(x, axes=None):
    """Reorder the axes of ``x``: output axis k is input axis ``axes[k]``.

    Without ``axes`` the order is reversed, so a matrix's rows become its
    columns: ``z[j, i] = x[i, j]``.
    """
    x = array(x, "x")
    axes = tuple(reversed(range(x.ndim))) if axes is None else _axis_order(axes, x)
    _loop_work(x.size)
    z = np.empty(tuple(x.shape[a] for a in axes), dtype=x.dtype)
    for index in np.ndindex(x.shape):
        z[tuple(index[a] for a in axes)] = x[index]
    return z
