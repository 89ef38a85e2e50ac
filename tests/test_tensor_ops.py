"""Each naive loop operation equals NumPy, leaves its inputs alone, and names the shapes when they do not fit."""

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

from course.tensor_ops import (
    naive_add,
    naive_add_matrix_and_vector,
    naive_matrix_dot,
    naive_matrix_vector_dot,
    naive_relu,
    naive_reshape,
    naive_transpose,
    naive_vector_dot,
)

FAST = settings(max_examples=40, deadline=None)
SIDE = st.integers(0, 5)  # 0 included: empty dimensions must work too
FLOATS = st.floats(-1e3, 1e3, allow_nan=False, width=64)
INTS = st.integers(-1000, 1000)


ANY_SHAPE = hnp.array_shapes(min_dims=0, max_dims=4, min_side=0, max_side=4)


def tensors(shape=ANY_SHAPE, elements=None):
    """Float64 or int64 arrays of the given shape (strategy)."""
    return st.sampled_from([(np.float64, FLOATS), (np.int64, INTS)]).flatmap(
        lambda kind: hnp.arrays(kind[0], shape, elements=elements or kind[1])
    )


def unchanged(op, *arrays):
    """Call ``op`` and check it did not write into any argument."""
    copies = [a.copy() for a in arrays]
    out = op(*arrays)
    for before, after in zip(copies, arrays):
        np.testing.assert_array_equal(before, after)
    return out


@FAST
@given(tensors())
def test_relu_equals_numpy_for_any_rank(x):
    got = unchanged(naive_relu, x)
    np.testing.assert_array_equal(got, np.maximum(x, 0))
    assert got.dtype == x.dtype and got is not x


@FAST
@given(
    hnp.array_shapes(min_dims=0, max_dims=4, min_side=0, max_side=4).flatmap(
        lambda s: st.tuples(tensors(s), tensors(s))
    )
)
def test_add_equals_numpy_for_equal_shapes(pair):
    x, y = pair
    got = unchanged(naive_add, x, y)
    np.testing.assert_array_equal(got, x + y)
    assert got.dtype == (x + y).dtype


@FAST
@given(st.tuples(SIDE, SIDE).flatmap(lambda s: st.tuples(tensors(s), tensors((s[1],)))))
def test_add_matrix_and_vector_equals_numpy_broadcasting(pair):
    x, y = pair
    np.testing.assert_array_equal(unchanged(naive_add_matrix_and_vector, x, y), x + y)


@FAST
@given(SIDE.flatmap(lambda n: st.tuples(tensors((n,)), tensors((n,)))))
def test_vector_dot_equals_numpy(pair):
    x, y = pair
    got = unchanged(naive_vector_dot, x, y)
    assert np.ndim(got) == 0
    np.testing.assert_allclose(got, np.dot(x, y), rtol=1e-9, atol=1e-6)


@FAST
@given(st.tuples(SIDE, SIDE).flatmap(lambda s: st.tuples(tensors(s), tensors((s[1],)))))
def test_matrix_vector_dot_equals_numpy(pair):
    x, y = pair
    got = unchanged(naive_matrix_vector_dot, x, y)
    assert got.shape == (x.shape[0],)
    np.testing.assert_allclose(got, np.dot(x, y), rtol=1e-9, atol=1e-6)


@FAST
@given(st.tuples(SIDE, SIDE, SIDE).flatmap(lambda s: st.tuples(tensors((s[0], s[1])), tensors((s[1], s[2])))))
def test_matrix_dot_equals_numpy(pair):
    x, y = pair
    got = unchanged(naive_matrix_dot, x, y)
    assert got.shape == (x.shape[0], y.shape[1])
    np.testing.assert_allclose(got, np.dot(x, y), rtol=1e-9, atol=1e-6)


@FAST
@given(tensors(), st.data())
def test_reshape_equals_numpy(x, data):
    # any factorisation of x.size into up to 3 sizes, with a -1 sometimes
    sizes = []
    rest = x.size
    for _ in range(data.draw(st.integers(0, 2))):
        divisors = [d for d in range(1, rest + 1) if rest % d == 0] or [0]
        size = data.draw(st.sampled_from(divisors))
        sizes.append(size)
        rest = rest // size if size else 0
    shape = tuple(sizes) + (rest,)
    if x.size and data.draw(st.booleans()):
        shape = tuple(-1 if i == len(shape) - 1 else n for i, n in enumerate(shape))
    np.testing.assert_array_equal(unchanged(lambda a: naive_reshape(a, shape), x), x.reshape(shape))


@FAST
@given(tensors(), st.data())
def test_transpose_equals_numpy(x, data):
    np.testing.assert_array_equal(unchanged(naive_transpose, x), np.transpose(x))
    axes = tuple(data.draw(st.permutations(range(x.ndim))))
    np.testing.assert_array_equal(naive_transpose(x, axes), np.transpose(x, axes))


def test_dot_is_not_commutative():
    x, y = np.array([[1, 2], [3, 4]]), np.array([[0, 1], [1, 0]])
    assert not np.array_equal(naive_matrix_dot(x, y), naive_matrix_dot(y, x))


@pytest.mark.parametrize(
    "op, args, error, message",
    [
        (
            naive_add,
            (np.zeros((2, 3)), np.zeros((3, 2))),
            ValueError,
            r"x.shape \(2, 3\) and y.shape \(3, 2\)",
        ),
        (
            naive_add_matrix_and_vector,
            (np.zeros((2, 3)), np.zeros(4)),
            ValueError,
            r"x.shape\[1\] \(3\) must equal y.shape\[0\] \(4\)",
        ),
        (
            naive_add_matrix_and_vector,
            (np.zeros(3), np.zeros(3)),
            ValueError,
            r"x must be 2-D \(a matrix\), got a 1-D array of shape \(3,\)",
        ),
        (
            naive_add_matrix_and_vector,
            (np.zeros((2, 3)), np.zeros((1, 3))),
            ValueError,
            r"y must be 1-D \(a vector\), got a 2-D",
        ),
        (
            naive_vector_dot,
            (np.zeros(3), np.zeros(4)),
            ValueError,
            r"x.shape\[0\] \(3\) must equal y.shape\[0\] \(4\)",
        ),
        (naive_vector_dot, (np.zeros((2, 2)), np.zeros(2)), ValueError, r"x must be 1-D \(a vector\)"),
        (
            naive_matrix_vector_dot,
            (np.zeros((2, 3)), np.zeros(2)),
            ValueError,
            r"x.shape\[1\] \(3\) must equal y.shape\[0\] \(2\)",
        ),
        (
            naive_matrix_dot,
            (np.zeros((2, 3)), np.zeros((2, 3))),
            ValueError,
            r"x.shape\[1\] \(3\) must equal y.shape\[0\] \(2\)",
        ),
        (
            naive_matrix_dot,
            (np.zeros((2, 3, 4)), np.zeros((4, 2))),
            ValueError,
            r"x must be 2-D \(a matrix\), got a 3-D array of shape \(2, 3, 4\)",
        ),
        (
            naive_reshape,
            (np.zeros((3, 2)), (4,)),
            ValueError,
            r"cannot reshape 6 elements into shape \(4,\), which holds 4",
        ),
        (naive_reshape, (np.zeros((3, 2)), (-1, -1)), ValueError, "more than one -1"),
        (naive_reshape, (np.zeros((3, 2)), (4, -1)), ValueError, r"cannot infer the -1 in shape \(4, -1\)"),
        (
            naive_reshape,
            (np.zeros(6), (2.5, 2)),
            TypeError,
            r"shape must be a tuple of whole numbers like \(32, 10\), got tuple \(2.5, 2\)",
        ),
        (naive_reshape, (np.zeros(6), "6"), TypeError, "shape must be a tuple of whole numbers"),
        (
            naive_reshape,
            (np.zeros(6), (-2, -3)),
            ValueError,
            r"shape must hold whole numbers >= -1, got \(-2, -3\)",
        ),
        (naive_transpose, (np.zeros((2, 3)), "10"), TypeError, "axes must be a tuple"),
        (
            naive_transpose,
            (np.zeros((2, 3)), (0, None)),
            TypeError,
            r"axes must be a tuple of whole numbers like \(32, 10\), got tuple \(0, None\)",
        ),
        (
            naive_transpose,
            (np.zeros((2, 3)), (0, 0)),
            ValueError,
            r"axes must be an ordering of 0..1 for x of shape \(2, 3\)",
        ),
        (naive_relu, (None,), TypeError, "x must be an array of numbers, got NoneType"),
        (naive_relu, ("abc",), TypeError, "got str"),
        (naive_relu, ([[1, 2], [3]],), TypeError, "NumPy cannot read"),
        (
            naive_add,
            (np.zeros(2), np.array(["a", "b"])),
            TypeError,
            "y must be an array of real numbers, got an array of dtype <U1",
        ),
    ],
)
def test_bad_input_is_named(op, args, error, message):
    with pytest.raises(error, match=message):
        op(*args)


def test_nested_lists_are_accepted():
    assert naive_vector_dot([1, 2, 3], [4, 5, 6]) == 32
    np.testing.assert_array_equal(naive_relu([[-1, 2]]), [[0, 2]])
    assert naive_relu(5).ndim == 0


@pytest.mark.parametrize(
    "op, args",
    [
        (naive_relu, (np.array([1j, 2j]),)),
        (naive_relu, (np.array([None, 1], dtype=object),)),
        (naive_add, ({"a": 1}, np.zeros(1))),
        (naive_matrix_dot, (np.zeros((2, 2)), [[1, "a"], [2, 3]])),
    ],
)
def test_what_is_not_real_numbers_is_a_type_error(op, args):
    with pytest.raises(TypeError, match="must be an array of"):
        op(*args)


@pytest.mark.parametrize(
    "op, args",
    [
        (naive_relu, (np.zeros((4000, 4000)),)),
        (naive_matrix_dot, (np.zeros((300, 300)), np.zeros((300, 300)))),
        (naive_transpose, (np.zeros((10, 1000, 1001)),)),
    ],
)
def test_work_too_big_for_python_loops_is_refused_at_once(op, args):
    with pytest.raises(ValueError, match="the number of loop steps is .*; the most this function handles"):
        op(*args)
