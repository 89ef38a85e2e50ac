"""Optimizers, the MLP, the descent demos and the checkers of 03 (04's are in test_exercises_04.py)."""

import numpy as np
import pytest

from course import descent
from course.autodiff import optim
from course.autodiff.nn import MLP, Dense, accuracy, train_step
from course.autodiff.tensor import Tensor


def quadratic_run(make_course, make_keras, steps=5):
    """Run our optimizer and Keras's on the same quadratic; return both final weights."""
    import keras

    start = np.array([1.0, -2.0, 0.5], dtype=np.float32)
    w = Tensor(start.copy(), requires_grad=True)
    opt = make_course([w])
    v = keras.Variable(start.copy())
    keras_opt = make_keras()
    for _ in range(steps):
        w.grad = 2 * w.value * np.array([1, 3, 5], np.float32)
        opt.step()
        keras_opt.apply_gradients([(2 * v * np.array([1, 3, 5], np.float32), v)])
    return w.value, np.asarray(v.numpy())


@pytest.mark.parametrize(
    "make_course, make_keras",
    [
        (lambda p: optim.SGD(p, 0.1), lambda: __import__("keras").optimizers.SGD(learning_rate=0.1)),
        (
            lambda p: optim.SGD(p, 0.1, momentum=0.9),
            lambda: __import__("keras").optimizers.SGD(learning_rate=0.1, momentum=0.9),
        ),
        (lambda p: optim.Adam(p, 0.1), lambda: __import__("keras").optimizers.Adam(learning_rate=0.1)),
    ],
    ids=["sgd", "momentum", "adam"],
)
def test_optimizers_match_keras(make_course, make_keras):
    pytest.importorskip("tensorflow")
    ours, theirs = quadratic_run(make_course, make_keras)
    assert np.allclose(ours, theirs, rtol=1e-4, atol=1e-5)


def test_rmsprop_decreases_a_quadratic():
    w = Tensor(np.array([3.0, -4.0]), requires_grad=True)
    opt = optim.RMSProp([w], learning_rate=0.05)
    for _ in range(200):
        w.grad = 2 * w.value
        opt.step()
    assert np.all(np.abs(w.value) < 0.1)


def test_optimizer_errors():
    w = Tensor(np.ones(2), requires_grad=True)
    with pytest.raises(ValueError, match="learning_rate"):
        optim.SGD([w], learning_rate=-1)
    with pytest.raises(ValueError, match="no gradient"):
        optim.Adam([w]).step()
    with pytest.raises(ValueError, match="empty"):
        optim.SGD([], 0.1)
    with pytest.raises(ValueError, match=r"t \(the step count, from 1\) must be >= 1, got 0"):
        optim.adam_step(1.0, 1.0, 0.0, 0.0, 0, 0.1)


def test_mlp_learns_digits_quickly():
    from course.data.mnist import load_digits

    (x, y), (x_test, y_test) = load_digits()
    x, x_test = x.reshape(len(x), -1), x_test.reshape(len(x_test), -1)
    model = MLP([64, 32, 10])
    opt = optim.Adam(model.parameters(), learning_rate=0.01)
    before = accuracy(model, x_test, y_test)
    rng = np.random.default_rng(0)
    for _ in range(3):
        order = rng.permutation(len(x))
        for i in range(0, len(x), 64):
            train_step(model, opt, x[order[i : i + 64]], y[order[i : i + 64]])
    assert before < 0.3 and accuracy(model, x_test, y_test) > 0.85


def test_dense_errors():
    with pytest.raises(ValueError, match="in_features"):
        Dense(0, 3)
    with pytest.raises(ValueError, match="activation"):
        Dense(2, 3, activation="swish")
    with pytest.raises(ValueError, match=r"x.shape\[-1\] \(5\) must equal in_features \(2\)"):
        Dense(2, 3)(Tensor(np.ones((1, 5))))


def test_descent_regimes():
    bowl = descent.SURFACES_1D["bowl: w²"][1]
    assert descent.verdict(descent.gradient_descent(bowl, 2.0, 0.1, 30)) == "converges"
    assert descent.verdict(descent.gradient_descent(bowl, 2.0, 0.8, 30)) == "oscillates"
    assert descent.verdict(descent.gradient_descent(bowl, 2.0, 1.2, 30)) == "diverges"
    assert (
        descent.verdict(descent.gradient_descent(descent.ravine_gradient, [-4, 1.5], 0.25, 40)) == "diverges"
    )


def test_momentum_escapes_the_local_minimum():
    valleys = descent.SURFACES_1D["two valleys: w⁴ - 3w² + w"][1]
    assert descent.gradient_descent(valleys, 2.0, 0.01, 200)[-1] > 1  # stuck in the right-hand valley
    assert (
        descent.gradient_descent(valleys, 2.0, 0.01, 200, momentum=0.9)[-1] < -1
    )  # rolls into the deeper one


def test_batch_sizes_all_fit_the_line():
    x, y = descent.linear_data()
    for batch in (1, 32, len(x)):
        history = descent.fit_linear(x, y, batch, updates=150)
        assert history[-1] < 0.12 < history[0]
    with pytest.raises(ValueError, match="batch_size"):
        descent.fit_linear(x, y, 0)


def test_learning_rate_explorer_headless():
    widget = descent.learning_rate_explorer()
    surface, rate, momentum = widget.children[:3]
    rate.value = 1.5
    assert "diverges" in widget.result.axes[0].get_title()
    surface.value = "2-D ravine"
    rate.value = 0.05
    momentum.value = 0.5
    assert "momentum=0.5" in widget.result.axes[0].get_title()


def test_difference_demo_rejects_unknown_function():
    with pytest.raises(ValueError, match="surface must be one of"):
        descent.plot_descent_1d("cliff")
