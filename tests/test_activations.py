import warnings

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays

from course import activations as act
from course.autodiff.numerical import numerical_gradient

HUGE = np.array([-1e4, -800.0, -50.0, 0.0, 50.0, 800.0, 1e4])
PAIRS = [
    (act.sigmoid, act.sigmoid_derivative),
    (act.relu, act.relu_derivative),
    (act.leaky_relu, act.leaky_relu_derivative),
    (act.tanh, act.tanh_derivative),
    (act.elu, act.elu_derivative),
]


@pytest.mark.parametrize("f, df", PAIRS, ids=lambda f: getattr(f, "__name__", ""))
def test_stable_for_huge_inputs(f, df):
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # an overflow RuntimeWarning fails the test
        with np.errstate(over="raise", invalid="raise", divide="raise"):
            values, slopes = f(HUGE), df(HUGE)
    assert np.all(np.isfinite(values)) and np.all(np.isfinite(slopes))


def test_softmax_stable_and_normalised():
    with np.errstate(over="raise", invalid="raise", divide="raise"):
        s = act.softmax(np.array([[1e4, 0.0, -1e4], [5.0, 5.0, 5.0]]))
    assert np.allclose(s.sum(axis=1), 1) and np.allclose(s[0], [1, 0, 0]) and np.allclose(s[1], 1 / 3)


@settings(max_examples=30, deadline=None)
@given(arrays(np.float64, st.integers(1, 6), elements=st.floats(-5, 5)))
@pytest.mark.parametrize("f, df", PAIRS, ids=lambda f: getattr(f, "__name__", ""))
def test_derivatives_match_central_differences(f, df, x):
    x = x[np.abs(x) > 1e-3]  # away from the kinks of relu and leaky_relu
    numeric = np.array([numerical_gradient(lambda v: f(v).sum(), np.array([xi]))[0] for xi in x])
    assert np.allclose(df(x), numeric, atol=1e-6)


def test_softmax_jacobian_matches_differences():
    x = np.array([0.3, -1.2, 2.0])
    numeric = np.stack([numerical_gradient(lambda v, i=i: act.softmax(v)[i], x) for i in range(3)])
    assert np.allclose(act.softmax_jacobian(x), numeric, atol=1e-8)
    assert act.softmax_jacobian(np.zeros((4, 3))).shape == (4, 3, 3)


def test_against_tensorflow():
    tf = pytest.importorskip("tensorflow")
    x = np.linspace(-6, 6, 25) + 0.01
    pairs = [
        (act.sigmoid, act.sigmoid_derivative, tf.nn.sigmoid),
        (act.relu, act.relu_derivative, tf.nn.relu),
        (act.leaky_relu, act.leaky_relu_derivative, tf.nn.leaky_relu),
        (act.tanh, act.tanh_derivative, tf.nn.tanh),
    ]
    for f, df, tf_f in pairs:
        v = tf.Variable(x)
        with tf.GradientTape() as tape:
            y = tf_f(v)
        assert np.allclose(f(x), y.numpy()) and np.allclose(df(x), tape.gradient(y, v).numpy())
    assert np.allclose(act.softmax(x.reshape(5, 5)), tf.nn.softmax(x.reshape(5, 5)).numpy())


def test_bad_inputs_are_explained():
    with pytest.raises(TypeError, match="numbers"):
        act.sigmoid("abc")
    with pytest.raises(ValueError, match="alpha"):
        act.leaky_relu(1.0, alpha=2)
    with pytest.raises(ValueError, match="scalar"):
        act.softmax(3.0)
    with pytest.raises(ValueError, match="shape"):
        act.softmax_jacobian(np.zeros((2, 2, 2)))


FUNCTIONS = [f for pair in PAIRS for f in pair] + [act.softmax, act.softmax_jacobian]


@pytest.mark.parametrize("f", FUNCTIONS, ids=lambda f: f.__name__)
@pytest.mark.parametrize(
    "bad",
    [None, "abc", {"x": 1}, np.array([1, None], dtype=object), np.array([1 + 2j]), [[1.0], [2.0, 3.0]]],
    ids=["None", "str", "dict", "object array", "complex", "ragged"],
)
def test_what_is_not_real_numbers_is_a_type_error(f, bad):
    with pytest.raises(TypeError, match="x must be an array of"):
        f(bad)


def test_bad_parameters_name_themselves():
    with pytest.raises(TypeError, match="alpha must be a number, got str"):
        act.leaky_relu(1.0, alpha="0.2")
    with pytest.raises(ValueError, match=r"alpha must be >= 0 and < 1, got 1.0"):
        act.leaky_relu_derivative(1.0, alpha=1)
    with pytest.raises(ValueError, match="axis must be between -2 and 1, got 2"):
        act.softmax(np.zeros((2, 3)), axis=2)
    with pytest.raises(TypeError, match="axis must be an int, got NoneType"):
        act.softmax(np.zeros(3), axis=None)


def test_softmax_of_nothing_is_refused_not_nan():
    with pytest.raises(ValueError, match=r"at least one entry along axis -1, got shape \(2, 0\)"):
        act.softmax(np.zeros((2, 0)))
    assert act.softmax(np.zeros((0, 3))).shape == (0, 3)  # no examples, each of 3 entries: nothing to do


def test_softmax_of_an_infinite_entry_is_its_limit_not_nan():
    with np.errstate(over="raise", invalid="raise", divide="raise"):
        np.testing.assert_array_equal(act.softmax([np.inf, 0.0]), [1.0, 0.0])
        np.testing.assert_array_equal(act.softmax([np.inf, np.inf, -3.0]), [0.5, 0.5, 0.0])
        np.testing.assert_array_equal(act.softmax([-np.inf, 0.0]), [0.0, 1.0])
        np.testing.assert_array_equal(act.softmax([-np.inf, -np.inf]), [0.5, 0.5])  # equal logits
        rows = act.softmax(np.array([[np.inf, 1.0], [1.0, 2.0]]))
        np.testing.assert_allclose(rows, [[1.0, 0.0], act.softmax([1.0, 2.0])])  # the other row as it was
        np.testing.assert_array_equal(
            act.softmax(np.array([[np.inf, 1.0], [0.0, 2.0]]), axis=0)[:, 0], [1, 0]
        )
        assert np.all(np.isfinite(act.softmax_jacobian([np.inf, 0.0])))
    assert np.all(np.isnan(act.softmax([np.nan, 0.0])))  # NaN reaches the whole row through the sum


def test_nan_in_means_nan_in_the_same_place_out():
    out = act.sigmoid(np.array([np.nan, 0.0]))
    assert np.isnan(out[0]) and out[1] == 0.5


def test_prelu_and_rrelu_are_leaky_relus_with_their_own_slopes():
    x = np.array([[-2.0, 3.0], [-1.0, -4.0]])
    assert np.allclose(act.prelu(x, np.array([0.1, 0.5])), [[-0.2, 3.0], [-0.1, -2.0]])
    assert np.allclose(act.prelu(x, 0.2), act.leaky_relu(x, 0.2))
    assert np.allclose(act.rrelu(x, 0.1, 0.3), act.leaky_relu(x, 0.2))  # testing: the mean slope
    trained = act.rrelu(np.full(1000, -1.0), 0.1, 0.3, rng=np.random.default_rng(0))
    assert -0.3 <= trained.min() < -0.29 and -0.11 < trained.max() <= -0.1  # slopes spread over the range
    assert np.array_equal(act.rrelu(x, rng=np.random.default_rng(1))[x > 0], x[x > 0])


def test_elu_is_smooth_at_zero_and_bounded_below():
    assert act.elu_derivative(np.array([-1e-9, 1e-9])) == pytest.approx([1.0, 1.0])
    assert act.elu(np.array(-1e4), alpha=0.5) == pytest.approx(-0.5)


@pytest.mark.parametrize(
    "call, error, says",
    [
        (lambda: act.prelu([1.0, 2.0], [0.1, 0.2, 0.3]), ValueError, "does not broadcast"),
        (lambda: act.rrelu([1.0], 0.5, 0.1), ValueError, "lower must not be larger than upper"),
        (lambda: act.rrelu([1.0], rng=0), TypeError, "rng must be a numpy.random.Generator"),
        (lambda: act.elu([1.0], alpha=-1), ValueError, "alpha"),
    ],
)
def test_new_activations_refuse_bad_arguments(call, error, says):
    with pytest.raises(error, match=says):
        call()
