"""The NumPy tensor engine: every op against central differences (float64) and tf.GradientTape."""

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays

from course.autodiff import tensor as T
from course.autodiff.numerical import numerical_gradient

rng = np.random.default_rng(0)

# name: (course function of tensors, TF function of tensors, input shapes, positive inputs?)
OPS = {
    "add broadcast": (lambda a, b: a + b, lambda a, b: a + b, [(4, 3), (3,)], False),
    "add broadcast keepdims": (lambda a, b: a + b, lambda a, b: a + b, [(4, 1), (1, 3)], False),
    "sub": (lambda a, b: a - b, lambda a, b: a - b, [(2, 3), (2, 1)], False),
    "mul broadcast": (lambda a, b: a * b, lambda a, b: a * b, [(2, 4, 3), (4, 1)], False),
    "div": (lambda a, b: a / b, lambda a, b: a / b, [(3, 2), (2,)], True),
    "pow": (lambda a: a**3, lambda a: a**3, [(5,)], False),
    "pow fractional": (lambda a: a**0.5, lambda a: a**0.5, [(5,)], True),
    "matmul": (lambda a, b: a @ b, lambda a, b: a @ b, [(3, 4), (4, 2)], False),
    "sum all": (lambda a: a.sum(), lambda a: T_tf().reduce_sum(a), [(3, 4)], False),
    "sum axis": (lambda a: a.sum(axis=0), lambda a: T_tf().reduce_sum(a, axis=0), [(3, 4)], False),
    "mean keepdims": (
        lambda a: a.mean(axis=1, keepdims=True),
        lambda a: T_tf().reduce_mean(a, axis=1, keepdims=True),
        [(3, 4)],
        False,
    ),
    "reshape": (lambda a: a.reshape(6, 2), lambda a: T_tf().reshape(a, (6, 2)), [(3, 4)], False),
    "transpose": (
        lambda a: a.transpose((2, 0, 1)),
        lambda a: T_tf().transpose(a, (2, 0, 1)),
        [(2, 3, 4)],
        False,
    ),
    "exp": (T.exp, lambda a: T_tf().exp(a), [(4,)], False),
    "log": (T.log, lambda a: T_tf().math.log(a), [(4,)], True),
    "relu": (T.relu, lambda a: T_tf().nn.relu(a), [(3, 3)], False),
    "leaky_relu": (T.leaky_relu, lambda a: T_tf().nn.leaky_relu(a, alpha=0.2), [(3, 3)], False),
    "sigmoid": (T.sigmoid, lambda a: T_tf().sigmoid(a), [(5,)], False),
    "tanh": (T.tanh, lambda a: T_tf().tanh(a), [(5,)], False),
}


def T_tf():
    import tensorflow as tf

    return tf


def inputs_for(shapes, positive):
    arrays_ = [rng.normal(size=s) for s in shapes]
    arrays_ = [
        np.abs(a) + 0.5 if positive else np.where(np.abs(a) < 0.05, 0.3, a) for a in arrays_
    ]  # away from kinks
    return arrays_


def weighted(out, weights):
    """A scalar that depends on every output entry differently."""
    return (out * weights).sum()


def course_gradients(f, values, weights):
    tensors = [T.Tensor(v, requires_grad=True) for v in values]
    weighted(f(*tensors), weights).backward()
    return [t.grad for t in tensors]


@pytest.mark.parametrize("name", OPS)
def test_gradient_against_central_differences(name):
    f, _, shapes, positive = OPS[name]
    values = inputs_for(shapes, positive)
    weights = rng.normal(size=f(*[T.Tensor(v) for v in values]).shape)
    grads = course_gradients(f, values, weights)
    for i, v in enumerate(values):

        def scalar(x, i=i):
            args = [T.Tensor(x if j == i else w) for j, w in enumerate(values)]
            return float(weighted(f(*args), weights).value)

        assert grads[i].shape == v.shape
        assert np.allclose(grads[i], numerical_gradient(scalar, v), rtol=1e-6, atol=1e-7), name


@pytest.mark.parametrize("name", OPS)
def test_gradient_against_tensorflow(name):
    tf = T_tf()
    f, tf_f, shapes, positive = OPS[name]
    values = inputs_for(shapes, positive)
    weights = rng.normal(size=f(*[T.Tensor(v) for v in values]).shape)
    grads = course_gradients(f, values, weights)
    variables = [tf.Variable(v) for v in values]
    with tf.GradientTape() as tape:
        out = tf.reduce_sum(tf_f(*variables) * weights)
    for mine, theirs in zip(grads, tape.gradient(out, variables)):
        assert np.allclose(mine, theirs.numpy(), rtol=1e-7, atol=1e-10), (
            name
        )  # TF keeps leaky_relu's alpha in float32


def test_softmax_cross_entropy_against_tensorflow_and_differences():
    tf = T_tf()
    logits, labels = rng.normal(size=(6, 4)) * 3, rng.integers(0, 4, 6)
    x = T.Tensor(logits, requires_grad=True)
    loss = T.softmax_cross_entropy(x, labels)
    loss.backward()
    v = tf.Variable(logits)
    with tf.GradientTape() as tape:
        want = tf.reduce_mean(tf.nn.sparse_softmax_cross_entropy_with_logits(labels, v))
    assert np.isclose(loss.value, want.numpy()) and np.allclose(x.grad, tape.gradient(want, v).numpy())
    numeric = numerical_gradient(lambda z: float(T.softmax_cross_entropy(T.Tensor(z), labels).value), logits)
    assert np.allclose(x.grad, numeric, atol=1e-8)


def test_softmax_cross_entropy_is_stable():
    x = T.Tensor(np.array([[1e4, 0.0, -1e4], [-1e4, 1e4, 0.0]]), requires_grad=True)
    with np.errstate(over="raise", invalid="raise", divide="raise"):
        loss = T.softmax_cross_entropy(x, np.array([1, 1]))
        loss.backward()
    assert np.isclose(loss.value, 5e3) and np.all(np.isfinite(x.grad))


def test_second_derivatives_against_tensorflow():
    tf = T_tf()
    a, b = rng.normal(size=(3, 2)), rng.normal(size=(2,))

    def f(x, y, lib):
        tanh = T.tanh if lib is T else tf.tanh
        total = (lambda t: t.sum()) if lib is T else tf.reduce_sum
        return total(tanh(x * y) * x + (x + y) ** 3)

    x, y = T.Tensor(a, requires_grad=True), T.Tensor(b, requires_grad=True)
    gx, gy = T.grad(f(x, y, T), [x, y])
    (gx * gx).sum().backward()  # d/dx and d/dy of |df/dx|^2: needs second derivatives
    vx, vy = tf.Variable(a), tf.Variable(b)
    with tf.GradientTape(persistent=True) as outer:
        with tf.GradientTape() as inner:
            out = f(vx, vy, tf)
        tgx = inner.gradient(out, vx)
        squared = tf.reduce_sum(tgx * tgx)
    assert np.allclose(gx.value, tgx.numpy())
    assert np.allclose(x.grad, outer.gradient(squared, vx).numpy()) and np.allclose(
        y.grad, outer.gradient(squared, vy).numpy()
    )


@settings(max_examples=25, deadline=None)
@given(st.integers(1, 4), st.integers(1, 4), st.sampled_from(["leading", "row", "column", "scalar"]))
def test_broadcast_gradients_sum_over_broadcast_axes(n, m, kind):
    a = T.Tensor(np.ones((n, m)), requires_grad=True)
    shape = {"leading": (m,), "row": (1, m), "column": (n, 1), "scalar": ()}[kind]
    b = T.Tensor(np.ones(shape), requires_grad=True)
    (a * b).sum().backward()
    assert b.grad.shape == b.shape and np.allclose(b.grad, (n * m) / b.size)


@settings(max_examples=25, deadline=None)
@given(arrays(np.float64, st.tuples(st.integers(1, 4), st.integers(1, 4)), elements=st.floats(-3, 3)))
def test_backward_idempotent_and_matches_differences(x):
    t = T.Tensor(x, requires_grad=True)
    loss = (T.sigmoid(t) * t).mean()
    loss.backward()
    first = t.grad.copy()
    loss.backward()
    assert np.array_equal(first, t.grad)
    assert np.allclose(
        first, numerical_gradient(lambda v: float((T.sigmoid(T.Tensor(v)) * v).mean().value), x), atol=1e-8
    )


def test_long_chain_is_iterative():
    x = T.Tensor(np.ones(3), requires_grad=True)
    y = x
    for _ in range(10_000):
        y = y * 1.0001
    y.sum().backward()
    assert np.allclose(x.grad, 1.0001**10_000)


@pytest.mark.parametrize(
    "make, message",
    [
        (lambda: T.Tensor(np.ones((2, 3))) + T.Tensor(np.ones(4)), r"a.shape \(2, 3\) with b.shape \(4,\)"),
        (lambda: T.Tensor(np.ones((2, 3))) * np.ones((3, 2)), r"a.shape \(2, 3\) with b.shape \(3, 2\)"),
        (
            lambda: T.Tensor(np.ones((2, 3))) @ T.Tensor(np.ones((4, 2))),
            r"a.shape\[1\] \(3\) must equal b.shape\[0\] \(4\)",
        ),
        (lambda: T.Tensor(np.ones(3)) @ T.Tensor(np.ones(3)), r"two matrices"),
        (
            lambda: T.Tensor(np.ones((2, 3))).reshape(4, 2),
            r"shape \(2, 3\) \(6 entries\) into shape \(4, 2\)",
        ),
        (lambda: T.Tensor(np.ones((2, 3))).sum(axis=2), r"axis must be between -2 and 1, got 2"),
        (lambda: T.Tensor(np.ones((2, 3))).sum(axis=(0, 0)), r"axis must name each axis at most once"),
        (lambda: T.Tensor(np.ones((2, 3))).mean(axis=(1, -1)), r"axis must name each axis at most once"),
        (lambda: T.Tensor(np.ones((2, 3))).transpose((0, 0)), r"not a permutation"),
        (lambda: T.Tensor("x"), r"a Tensor's value must be an array of numbers, got str"),
        (lambda: T.softmax_cross_entropy(T.Tensor(np.ones((2, 3))), np.array([0, 3])), r"0..2"),
        (
            lambda: T.softmax_cross_entropy(T.Tensor(np.ones((2, 3))), np.array([0])),
            r"one class per example: 2, got 1",
        ),
        (lambda: T.Tensor(np.ones(3), requires_grad=True).exp().backward(), r"scalar output"),
    ],
)
def test_clear_errors(make, message):
    with pytest.raises((ValueError, TypeError), match=message):
        make()


def test_numpy_arrays_defer_to_tensors():
    x = T.Tensor(np.ones(2), requires_grad=True)
    for product in (np.array([2.0, 3.0]) * x, np.float64(2.0) * x, np.ones((3, 2)) + x):
        assert isinstance(product, T.Tensor)
    y = np.array([2.0, 3.0]) * x
    y.sum().backward()
    np.testing.assert_allclose(x.grad, [2.0, 3.0])
    assert isinstance(np.ones((1, 2)) @ T.Tensor(np.ones((2, 1))), T.Tensor)


@pytest.mark.parametrize(
    "make, error, says",
    [
        (lambda: T.Tensor(np.array([1, None], dtype=object)), TypeError, "must be an array of real numbers"),
        (lambda: T.Tensor(np.array([1j])), TypeError, "must be an array of real numbers"),
        (lambda: T.Tensor(1.0, requires_grad="yes"), TypeError, "requires_grad must be True or False"),
        (lambda: T.Tensor(1.0, name=None), TypeError, "name must be a string"),
        (
            lambda: T.Tensor(1.0) + "a",
            TypeError,
            "an operand of a Tensor operation must be an array of numbers",
        ),
        (lambda: T.Tensor(1.0) ** None, TypeError, "the exponent"),
        (lambda: T.Tensor(np.ones(2)).sum(axis="0"), TypeError, "axis must be an int"),
        (
            lambda: T.Tensor(np.ones(2)).reshape(None),
            TypeError,
            "the shape or axis order must be a tuple of whole numbers",
        ),
        (
            lambda: T.Tensor(np.ones(2)).transpose([None]),
            TypeError,
            "the shape or axis order must be a tuple of whole numbers",
        ),
        (lambda: T.exp(T.Tensor(1000.0)), ValueError, r"exp: an entry is 1000, too large for float64"),
        (lambda: T.exp(T.Tensor(np.float32(100.0))), ValueError, "too large for float32"),
        (lambda: T.Tensor(1.0) / T.Tensor(np.zeros(2)), ValueError, "division by zero"),
        (lambda: T.Tensor(0.0) ** -1, ValueError, "divides by zero"),
        (lambda: T.Tensor(-8.0) ** 0.5, ValueError, "is not a real number"),
        (lambda: T.Tensor(np.zeros(0)).mean(), ValueError, "the mean of no entries is undefined"),
        (
            lambda: T.softmax_cross_entropy(np.zeros((0, 3)), np.zeros(0, int)),
            ValueError,
            "at least one example",
        ),
        (
            lambda: T.softmax_cross_entropy(np.zeros((2, 0)), [0, 0]),
            ValueError,
            "at least one example and one class",
        ),
        (lambda: T.softmax_cross_entropy(np.zeros((2, 3)), [0.0, 1.0]), TypeError, "labels must be integers"),
        (lambda: T.softmax_cross_entropy(np.zeros((2, 3)), None), TypeError, "labels must be an array"),
        (lambda: T.grad(3.0, []), TypeError, "output must be a Tensor"),
        (lambda: T.grad(T.Tensor(1.0), None), TypeError, "inputs must be a list, each item a Tensor"),
        (lambda: T.leaky_relu(T.Tensor(1.0), alpha=1), ValueError, "alpha must be >= 0 and < 1"),
    ],
)
def test_tensor_errors_follow_the_policy(make, error, says):
    with pytest.raises(error, match=says):
        make()


def test_a_graph_5000_deep_runs_backward_and_grad():
    x = T.Tensor(np.full(2, 0.5), requires_grad=True)
    y = x
    for _ in range(5000):
        y = T.tanh(y)
    y.sum().backward()
    assert np.all((0 < x.grad) & (x.grad < 1))
    (dx,) = T.grad(y.sum(), [x])
    np.testing.assert_allclose(dx.value, x.grad)


def test_a_tensor_holds_its_own_copy_of_its_values():
    start = np.array([1.0, 2.0, 3.0])
    weights = T.Tensor(start, requires_grad=True)
    assert not np.shares_memory(weights.value, start)
    weights.value[0] = 100.0
    np.testing.assert_array_equal(start, [1.0, 2.0, 3.0])
    frozen = np.ones(3)
    frozen.flags.writeable = False
    thawed = T.Tensor(frozen, requires_grad=True)
    thawed.value += 1  # its own writable copy
    assert frozen[0] == 1.0 and thawed.value[0] == 2.0
    with pytest.raises(TypeError, match=r"got a Tensor: pass its array \(tensor.value\)"):
        T.Tensor(weights)


def test_an_operand_changed_after_the_forward_pass_does_not_change_the_gradient():
    x = np.array([1.0, 2.0])
    w = T.Tensor(np.ones(2), requires_grad=True)
    loss = (w * x).sum()
    x[:] = 100.0  # the graph keeps the values it was built with
    loss.backward()
    np.testing.assert_array_equal(w.grad, [1.0, 2.0])


def test_softmax_cross_entropy_refuses_infinite_logits():
    with pytest.raises(ValueError, match="logits must hold finite numbers"):
        T.softmax_cross_entropy(np.array([[np.inf, 0.0]]), [0])


@pytest.mark.parametrize(
    "call, error, says",
    [
        (lambda: T.MatMul().compute(None, np.ones((2, 2))), TypeError, "MatMul.compute: a must be an array"),
        (lambda: T.Add().compute(np.ones(2)), TypeError, r"Add.compute needs the arguments \(a, b\)"),
        (lambda: T.Add().compute(np.ones(2), c=1), TypeError, r"Add.compute needs the arguments \(a, b\)"),
        (lambda: T.Add()(np.ones(2)), TypeError, r"Add takes 2 inputs \(a, b\), got 1"),
        (lambda: T.Exp().compute(T.Tensor(1.0)), TypeError, "compute works on arrays: use tensor.value"),
        (
            lambda: T.Log().compute(np.array([1j])),
            TypeError,
            "Log.compute: a must be an array of real numbers",
        ),
        (
            lambda: T.MatMul().vjp(np.ones((2, 3)), np.ones((2, 2)), np.ones((2, 3)), np.ones((3, 2))),
            ValueError,
            r"MatMul.vjp: g must have the shape of the output for these inputs, \(2, 2\), got shape \(2, 3\)",
        ),
        (
            lambda: T.MatMul().vjp(np.ones((2, 2)), np.ones((2, 2)), np.ones((2, 3)), np.ones((2, 2))),
            ValueError,
            r"matmul: a.shape\[1\] \(3\) must equal b.shape\[0\] \(2\)",
        ),
        (
            lambda: T.Add().vjp(None, np.ones(2), np.ones(2), np.ones(2)),
            TypeError,
            "Add.vjp: g must be an array",
        ),
        (
            lambda: T.Tensor(1.0, requires_grad=True).unit_adjoint("yes"),
            TypeError,
            "as_graph must be True or False",
        ),
    ],
)
def test_the_rules_of_an_op_check_their_arguments(call, error, says):
    with pytest.raises(error, match=says):
        call()


def test_a_rule_called_by_hand_gives_what_backward_gives():
    a = rng.normal(size=(3, 4))
    ones = np.ones(4)
    (by_hand,) = T.Sum(axis=0).vjp(ones, a.sum(axis=0), a)  # Sum's axes come from its own compute
    np.testing.assert_array_equal(by_hand, np.ones((3, 4)))
    t = T.Tensor(a, requires_grad=True)
    (t.T.sum(axis=1) * T.Tensor(ones)).sum().backward()
    (by_hand,) = T.Transpose().vjp(np.ones((4, 3)), a.T, a)
    np.testing.assert_array_equal(by_hand, t.grad)
    ga, gb = T.MatMul().vjp(
        T.Tensor(np.ones((3, 2))), T.Tensor(a @ np.ones((4, 2))), T.Tensor(a), np.ones((4, 2))
    )
    assert isinstance(ga, T.Tensor) and ga.shape == (3, 4) and gb.shape == (4, 2)  # on Tensors: graphs


def test_an_op_of_ones_own_gets_the_checks_too():
    class Square(T.Op):
        name = "square"

        def compute(self, a):
            return a * a

        def vjp(self, g, out, a):
            return (2 * g * a,)

    x = T.Tensor(np.array([1.0, -2.0]), requires_grad=True)
    Square()(x).sum().backward()
    np.testing.assert_array_equal(x.grad, [2.0, -4.0])
    with pytest.raises(TypeError, match="Square.compute: a must be an array of numbers, got str"):
        Square().compute("a")
    with pytest.raises(ValueError, match=r"Square.vjp: out must have the shape of the output"):
        Square().vjp(np.ones(2), np.ones(3), np.ones(2))
