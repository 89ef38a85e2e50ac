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

RANK_NAMES = {0: "a scalar", 1: "a vector", 2: "a matrix"}


def as_tensor(x, name="x", ndim=None):
    """``x`` as a NumPy array of numbers, with ``ndim`` axes when ``ndim`` is given.

    Raises TypeError for things that are not numbers (None, text, ragged lists)
    and ValueError for a wrong rank.
    """
    if x is None or isinstance(x, (str, bytes, dict, set)):
        raise TypeError(f"{name} must be a NumPy array of numbers, got {type(x).__name__}")
    try:
        array = np.asarray(x)
    except ValueError as error:  # ragged nested lists
        raise TypeError(
            f"{name} must be a NumPy array of numbers, got {type(x).__name__} that NumPy cannot read ({error})"
        ) from None
    if not (np.issubdtype(array.dtype, np.number) or array.dtype == bool):
        raise TypeError(f"{name} must be a NumPy array of numbers, got an array of dtype {array.dtype}")
    if ndim is not None and array.ndim != ndim:
        wanted = f"{ndim}D ({RANK_NAMES[ndim]})" if ndim in RANK_NAMES else f"{ndim}D"
        raise ValueError(f"{name} must be {wanted}, got a {array.ndim}D tensor of shape {array.shape}")
    return array


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
    x = as_tensor(x)
    z = x.copy()  # work on a copy: the caller's tensor stays as it was
    for index in np.ndindex(x.shape):
        z[index] = max(x[index], 0)
    return z


def naive_add(x, y):
    """``x + y`` element by element, for two tensors of the same shape (any rank)."""
    x, y = as_tensor(x, "x"), as_tensor(y, "y")
    if x.shape != y.shape:
        raise ValueError(
            f"naive_add needs equal shapes, got x.shape {x.shape} and y.shape {y.shape} "
            "(for a matrix and a vector use naive_add_matrix_and_vector)"
        )
    z = np.empty(x.shape, dtype=np.result_type(x, y))
    for index in np.ndindex(x.shape):
        z[index] = x[index] + y[index]
    return z


def naive_add_matrix_and_vector(x, y):
    """``x + y`` for a matrix ``x`` (rows, columns) and a vector ``y`` (columns,).

    This is broadcasting done by hand: ``y`` is added to every row of ``x``, as
    if it had been copied ``rows`` times, but no copy is ever made.
    """
    x, y = as_tensor(x, "x", ndim=2), as_tensor(y, "y", ndim=1)
    _same_size(x, y, 1, 0)
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
    x, y = as_tensor(x, "x", ndim=1), as_tensor(y, "y", ndim=1)
    _same_size(x, y, 0, 0)
    total = np.result_type(x, y).type(0)
    for i in range(x.shape[0]):
        total += x[i] * y[i]
    return total


def naive_matrix_vector_dot(x, y):
    """Matrix (n, k) times vector (k,): a vector (n,) whose entry i is ``dot(x[i, :], y)``."""
    x, y = as_tensor(x, "x", ndim=2), as_tensor(y, "y", ndim=1)
    _same_size(x, y, 1, 0)
    z = np.zeros(x.shape[0], dtype=np.result_type(x, y))
    for i in range(x.shape[0]):
        z[i] = naive_vector_dot(x[i, :], y)
    return z


def naive_matrix_dot(x, y):
    """Matrix (n, k) times matrix (k, m): a matrix (n, m) whose entry (i, j) is ``dot(x[i, :], y[:, j])``.

    Row of the left times column of the right: swap ``x`` and ``y`` and you
    pair other rows with other columns, which is why ``dot`` is not commutative.
    """
    x, y = as_tensor(x, "x", ndim=2), as_tensor(y, "y", ndim=2)
    _same_size(x, y, 1, 0)
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
    if isinstance(shape, (int, np.integer)) and not isinstance(shape, bool):
        shape = (shape,)
    if not isinstance(shape, (tuple, list)) or not all(
        isinstance(n, (int, np.integer)) and not isinstance(n, bool) and n >= -1 for n in shape
    ):
        raise ValueError(
            f"shape must be a tuple of whole numbers >= 0 (one of them may be -1), got {shape!r}"
        )
    shape = tuple(int(n) for n in shape)
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
    x = as_tensor(x)
    shape = _target_shape(shape, x.size)
    elements = [x[index] for index in np.ndindex(x.shape)]  # last axis moves fastest
    z = np.empty(shape, dtype=x.dtype)
    for position, index in enumerate(np.ndindex(shape)):
        z[index] = elements[position]
    return z


def naive_transpose(x, axes=None):
    """Reorder the axes of ``x``: output axis k is input axis ``axes[k]``.

    Without ``axes`` the order is reversed, so a matrix's rows become its
    columns: ``z[j, i] = x[i, j]``.
    """
    x = as_tensor(x)
    if axes is None:
        axes = tuple(reversed(range(x.ndim)))
    is_ordering = isinstance(axes, (tuple, list)) and all(
        isinstance(a, (int, np.integer)) and not isinstance(a, bool) for a in axes
    )
    if not is_ordering or sorted(axes) != list(range(x.ndim)):
        raise ValueError(
            f"axes must be an ordering of 0..{x.ndim - 1} for x of shape {x.shape}, got {axes!r}"
        )
    z = np.empty(tuple(x.shape[a] for a in axes), dtype=x.dtype)
    for index in np.ndindex(x.shape):
        z[tuple(index[a] for a in axes)] = x[index]
    return z
