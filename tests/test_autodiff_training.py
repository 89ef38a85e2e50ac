"""Optimizers, the MLP, the descent demos and the checkers of 03 (04's are in test_exercises_04.py)."""

import numpy as np
import pytest

from course import descent
from course.autodiff import numerical, optim
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


def test_adagrad_steps_shrink_as_gradients_add_up():
    w, square_sum, steps = np.array([1.0]), np.zeros(1), []
    for _ in range(5):
        new_w, square_sum = optim.adagrad_step(w, np.array([1.0]), square_sum, 0.1)
        steps.append(float((w - new_w)[0]))
        w = new_w
    assert np.allclose(
        steps, 0.1 / np.sqrt(np.arange(1, 6)), rtol=1e-5
    )  # the same gradient, ever smaller steps
    weights = Tensor(np.array([3.0, -2.0]), requires_grad=True)
    optimizer = optim.Adagrad([weights], learning_rate=0.5)
    for _ in range(100):
        weights.grad = 2 * weights.value
        optimizer.step()
    assert np.all(np.abs(weights.value) < 0.5)


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


OPTIMIZERS = [optim.SGD, lambda p: optim.SGD(p, momentum=0.9), optim.Adagrad, optim.RMSProp, optim.Adam]


@pytest.mark.parametrize("make", OPTIMIZERS, ids=["sgd", "momentum", "adagrad", "rmsprop", "adam"])
def test_a_step_never_writes_into_the_array_a_parameter_was_made_from(make):
    start = np.array([1.0, -2.0, 0.5])
    w = Tensor(start, requires_grad=True)
    optimizer = make([w])
    w.grad = np.ones(3)
    optimizer.step()
    np.testing.assert_array_equal(start, [1.0, -2.0, 0.5])
    assert not np.array_equal(w.value, start)


@pytest.mark.parametrize("make", OPTIMIZERS, ids=["sgd", "momentum", "adagrad", "rmsprop", "adam"])
def test_a_parameter_listed_twice_is_refused(make):
    p, q = Tensor(np.ones(2), requires_grad=True), Tensor(np.ones(2), requires_grad=True)
    with pytest.raises(ValueError, match=r"params\[2\] is the same Tensor as params\[0\]"):
        make([p, q, p])
    model = MLP([3, 2])
    with pytest.raises(ValueError, match="the same Tensor"):
        make(model.parameters() + model.parameters())


def test_a_step_that_cannot_update_every_parameter_updates_none():
    w, b = Tensor(np.ones(2), requires_grad=True), Tensor(np.zeros(1), requires_grad=True)
    optimizer = optim.Adam([w, b], learning_rate=0.1)
    w.grad, b.grad = np.ones(2), np.ones(3)  # b's gradient has the wrong shape
    with pytest.raises(ValueError, match=r"g must have the shape of w, \(1,\), got shape \(3,\)"):
        optimizer.step()
    np.testing.assert_array_equal(w.value, [1.0, 1.0])
    assert optimizer.iterations == 0
    b.grad = np.ones(1)
    optimizer.step()
    assert optimizer.iterations == 1 and w.value[0] < 1.0


def test_update_rules_of_the_optimizers_can_be_called_by_hand():
    w = Tensor(np.ones(2), requires_grad=True)
    sgd = optim.SGD([w], learning_rate=0.1, momentum=0.9)
    (velocity,) = sgd.initial_state(np.ones(2))
    new_w, velocity = sgd.update(np.ones(2), np.ones(2), velocity)
    np.testing.assert_allclose(new_w, [0.9, 0.9])
    with pytest.raises(ValueError, match="velocity is needed with momentum"):
        sgd.update(np.ones(2), np.ones(2))
    new_w, m, v = optim.Adam([w], learning_rate=0.1).update(np.ones(2), np.ones(2), np.zeros(2), np.zeros(2))
    np.testing.assert_allclose(new_w, [0.9, 0.9], rtol=1e-5)  # Adam's first step is learning_rate long
    with pytest.raises(TypeError, match="w must be an array of numbers, got str"):
        optim.RMSProp([w]).initial_state("w")


def test_a_model_too_large_is_refused_before_anything_is_allocated():
    import time

    start = time.perf_counter()
    with pytest.raises(
        ValueError, match=r"the number of parameters \(weights and biases of all layers\) is 1,300,130,000"
    ):
        MLP([10_000] * 14)  # each layer alone is under the per-layer limit
    with pytest.raises(ValueError, match="the number of layers is 100,000"):
        MLP([2] * 100_001)
    assert time.perf_counter() - start < 1


def test_accuracy_needs_integer_class_numbers():
    model = MLP([4, 3])
    x = np.zeros((2, 4))
    with pytest.raises(
        TypeError, match="y must hold integer class numbers .*, got an array of dtype float64"
    ):
        accuracy(model, x, [0.0, 1.0])
    with pytest.raises(TypeError, match="y must hold integer class numbers"):
        accuracy(model, x, np.array([True, False]))
    with pytest.raises(ValueError, match=r"y must hold classes in 0..2, got values from 0 to 3"):
        accuracy(model, x, [0, 3])
    assert accuracy(model, x, np.array([0, 1], np.uint8)) in (0.0, 0.5, 1.0)


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


# --------------------------------------------------------------------------- the MLP by hand (descent)


def _small_mlp(seed=0):
    rng = np.random.default_rng(seed)
    params = descent.init_mlp(5, 7, 3, rng)
    params = {
        name: value + 0.1 * rng.normal(size=value.shape) for name, value in params.items()
    }  # biases too
    return params, rng.normal(size=(9, 5)), rng.integers(0, 3, size=9)


def test_the_backward_pass_by_hand_matches_central_differences_and_the_tape():
    import tensorflow as tf

    params, x, y = _small_mlp()
    loss, grads = descent.mlp_loss_and_grads(params, x, y)
    for name in params:
        ok, error = numerical.gradient_check(
            lambda value, name=name: descent.mlp_loss_and_grads({**params, name: value}, x, y)[0],
            lambda value, name=name: grads[name],
            params[name],
        )
        assert ok, (name, error)
    variables = {name: tf.Variable(value) for name, value in params.items()}
    with tf.GradientTape() as tape:
        logits = tf.nn.relu(x @ variables["W1"] + variables["b1"]) @ variables["W2"] + variables["b2"]
        tf_loss = tf.reduce_mean(tf.nn.sparse_softmax_cross_entropy_with_logits(y, logits))
    assert np.isclose(loss, float(tf_loss))
    for name, tf_grad in tape.gradient(tf_loss, variables).items():
        assert np.allclose(grads[name], tf_grad.numpy()), name
    assert np.allclose(descent.mlp_logits(params, x), logits.numpy())


def test_huge_logits_give_a_finite_loss():
    params, x, y = _small_mlp()
    params["b2"] = np.array([900.0, 0.0, -900.0])
    with np.errstate(over="raise", invalid="raise"):
        loss, grads = descent.mlp_loss_and_grads(params, x, y)
    assert np.isfinite(loss) and all(np.all(np.isfinite(g)) for g in grads.values())


def test_train_mlp_learns_and_leaves_its_inputs_alone():
    rng = np.random.default_rng(1)
    y = rng.integers(0, 3, size=60)
    x = rng.normal(size=(60, 4))
    x[np.arange(60), y] += 2.0
    params = descent.init_mlp(4, 16, 3, rng)
    before = {name: value.copy() for name, value in params.items()}
    trained, losses = descent.train_mlp(params, x, y, descent.mlp_loss_and_grads, 20, 8, 0.3, rng)
    assert len(losses) == 20 * 8  # 7 batches of 8 and one of 4 per epoch
    assert all(np.array_equal(params[name], before[name]) for name in params)
    assert descent.mlp_accuracy(trained, x, y) > 0.9 > descent.mlp_accuracy(params, x, y)


@pytest.mark.parametrize(
    "init, factor", [("he_normal", 2.0), ("glorot_normal", None), ("standard_normal", None)]
)
def test_initialisations_have_their_spread(init, factor):
    weights = getattr(descent, init)(400, 100, np.random.default_rng(0))
    want = {"he_normal": np.sqrt(2 / 400), "glorot_normal": np.sqrt(2 / 500), "standard_normal": 1.0}[init]
    assert weights.shape == (400, 100) and abs(weights.std() / want - 1) < 0.02 and abs(weights.mean()) < 0.01


def test_layer_spreads_show_vanishing_exploding_and_steady_signals():
    he = descent.layer_spreads("relu", descent.he_normal)
    glorot = descent.layer_spreads("relu", descent.glorot_normal)
    exploding = descent.layer_spreads("relu", descent.standard_normal)
    vanishing = descent.layer_spreads("sigmoid", descent.glorot_normal)
    assert he["activations"].shape == he["gradients"].shape == (20,)
    assert 0.3 < he["activations"][-1] / he["activations"][0] < 3  # He keeps the signal steady
    assert glorot["activations"][-1] < 0.01 * glorot["activations"][0]  # halves its variance per layer
    assert exploding["activations"][-1] > 1e10
    assert (
        vanishing["gradients"][0] < 1e-6 * vanishing["gradients"][-1]
    )  # sigmoid' <= 0.25, layer after layer


@pytest.mark.parametrize(
    "call, error, says",
    [
        (lambda: descent.he_normal(3, 4, 0), TypeError, "rng must be a numpy.random.Generator"),
        (lambda: descent.init_mlp(3, 4, 1, np.random.default_rng()), ValueError, "n_classes"),
        (lambda: descent.mlp_logits({"W1": 1}, [[1.0]]), TypeError, "params must be a dict with the keys"),
        (
            lambda: descent.mlp_loss_and_grads(_small_mlp()[0], np.ones((2, 5)), [0, 3]),
            ValueError,
            "integer labels",
        ),
        (
            lambda: descent.mlp_logits(_small_mlp()[0], np.ones((2, 4))),
            ValueError,
            r"x must have shape \(n, 5\)",
        ),
        (lambda: descent.layer_spreads("softsign", descent.he_normal), ValueError, "activation"),
        (
            lambda: descent.layer_spreads("relu", lambda a, b, rng: np.ones((2, 2))),
            ValueError,
            "must have shape",
        ),
    ],
)
def test_the_mlp_helpers_refuse_bad_arguments(call, error, says):
    with pytest.raises(error, match=says):
        call()
