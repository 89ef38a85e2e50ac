"""Exercises of 04_gradient_descent (its quizzes: tests/test_quizzes.py): right answers, stubs, mistakes and cheats."""

import re
from unittest import mock

import numpy as np
import pytest

import course.exercises.checks.gradient_descent as checks
from course import descent
from course.autodiff import optim
from course.exercises.framework import FAILED, NOT_ATTEMPTED, PASSED, evaluate, lookup

from .helpers import stub

SEEDS = (0, 1, 2, 12345)


def momentum_step(w, g, velocity, learning_rate, momentum):
    velocity = momentum * velocity - learning_rate * g
    return w + velocity, velocity


def adam_step(w, g, m, v, t, learning_rate):
    m = 0.9 * m + 0.1 * g
    v = 0.999 * v + 0.001 * g * g
    m_hat, v_hat = m / (1 - 0.9**t), v / (1 - 0.999**t)
    return w - learning_rate * m_hat / (np.sqrt(v_hat) + 1e-7), m, v


def loss_and_grads(params, x, y):
    n = len(x)
    z1 = x @ params["W1"] + params["b1"]
    h = np.maximum(z1, 0.0)
    logits = h @ params["W2"] + params["b2"]
    shifted = logits - logits.max(axis=1, keepdims=True)
    log_p = shifted - np.log(np.exp(shifted).sum(axis=1, keepdims=True))
    delta = np.exp(log_p)
    delta[np.arange(n), y] -= 1.0
    delta /= n
    dz1 = (delta @ params["W2"].T) * (z1 > 0)
    grads = {"W1": x.T @ dz1, "b1": dz1.sum(axis=0), "W2": h.T @ delta, "b2": delta.sum(axis=0)}
    return float(-log_p[np.arange(n), y].mean()), grads


def he_init(fan_in, fan_out, rng):
    return rng.normal(0.0, np.sqrt(2 / fan_in), size=(fan_in, fan_out))


def train(params, x, y, loss_and_grads, epochs, batch_size, learning_rate, rng):
    losses = []
    for _ in range(epochs):
        order = rng.permutation(len(x))
        for start in range(0, len(x), batch_size):
            batch = order[start : start + batch_size]
            loss, grads = loss_and_grads(params, x[batch], y[batch])
            params = {name: params[name] - learning_rate * grads[name] for name in params}
            losses.append(loss)
    return params, losses


RIGHT = {
    "04.1": momentum_step,
    "04.2": adam_step,
    "04.3": loss_and_grads,
    "04.4": he_init,
    "04.5": train,
}


@pytest.mark.parametrize("seed", SEEDS)
@pytest.mark.parametrize("exercise_id", sorted(RIGHT))
def test_right_answer_passes(exercise_id, seed):
    feedback = evaluate(exercise_id, RIGHT[exercise_id], seed=seed)
    assert feedback.status == PASSED, feedback.message


def test_a_tuple_of_lists_order_and_a_list_result_are_fine():
    def as_list(w, g, velocity, learning_rate, momentum):
        return list(momentum_step(w, g, velocity, learning_rate, momentum))

    assert evaluate("04.1", as_list, seed=3).status == PASSED


# --------------------------------------------------------------------------- stubs


@pytest.mark.parametrize("exercise_id", sorted(RIGHT))
@pytest.mark.parametrize("answer", [..., stub], ids=["ellipsis", "raises"])
def test_stub_is_not_attempted_and_gives_no_solution(exercise_id, answer):
    feedback = evaluate(exercise_id, answer, seed=0)
    assert feedback.status == NOT_ATTEMPTED
    for leak in ("momentum * velocity", "learning_rate * g", "0.9 * m", "sqrt", "1 - 0.9", "**t", "w + v"):
        assert leak not in feedback.message
    for leak in ("x.T", "z1 > 0", "np.", "rng.normal", "permutation", "2 / fan_in"):
        assert leak not in feedback.message


@pytest.mark.parametrize("exercise_id", sorted(RIGHT))
def test_hints_hold_no_solution_code(exercise_id):
    for hint in lookup(exercise_id).hints + (lookup(exercise_id).produce,):
        assert not re.search(r"[a-z_]+\s*[-+*/]=?\s*[a-z_]+\s*\*", hint), hint
        for leak in ("momentum * velocity", "learning_rate * g", "0.9 * m", "np.", "**", " = "):
            assert leak not in hint, (exercise_id, hint)


# --------------------------------------------------------------------------- mistakes


def mom_plus(w, g, velocity, learning_rate, momentum):
    velocity = momentum * velocity + learning_rate * g
    return w + velocity, velocity


def mom_no_memory(w, g, velocity, learning_rate, momentum):
    velocity = -learning_rate * g
    return w + velocity, velocity


def mom_old_velocity(w, g, velocity, learning_rate, momentum):
    return w + velocity, momentum * velocity - learning_rate * g


def mom_sgd(w, g, velocity, learning_rate, momentum):
    return w - learning_rate * g, momentum * velocity - learning_rate * g


def mom_swapped(w, g, velocity, learning_rate, momentum):
    return tuple(reversed(momentum_step(w, g, velocity, learning_rate, momentum)))


def mom_swapped_rates(w, g, velocity, learning_rate, momentum):
    return momentum_step(w, g, velocity, momentum, learning_rate)


def mom_one(w, g, velocity, learning_rate, momentum):
    return momentum_step(w, g, velocity, learning_rate, momentum)[0]


def mom_no_velocity(w, g, velocity, learning_rate, momentum):
    return momentum_step(w, g, velocity, learning_rate, momentum)[0], None


def adam_no_correction(w, g, m, v, t, learning_rate):
    m = 0.9 * m + 0.1 * g
    v = 0.999 * v + 0.001 * g * g
    return w - learning_rate * m / (np.sqrt(v) + 1e-7), m, v


def adam_off_by_one(w, g, m, v, t, learning_rate):
    return adam_step(w, g, m, v, t + 1, learning_rate)


def adam_g_not_squared(w, g, m, v, t, learning_rate):
    m = 0.9 * m + 0.1 * g
    v = 0.999 * v + 0.001 * g
    return w, m, v


def adam_swapped_weights(w, g, m, v, t, learning_rate):
    return w, 0.1 * m + 0.9 * g, v


def adam_uphill(w, g, m, v, t, learning_rate):
    new_w, m, v = adam_step(w, g, m, v, t, learning_rate)
    return 2 * w - new_w, m, v


def adam_old_moments(w, g, m, v, t, learning_rate):
    _, new_m, new_v = adam_step(w, g, m, v, t, learning_rate)
    return w - learning_rate * (m / (1 - 0.9**t)) / (np.sqrt(v / (1 - 0.999**t)) + 1e-7), new_m, new_v


def adam_order(w, g, m, v, t, learning_rate):
    new_w, m, v = adam_step(w, g, m, v, t, learning_rate)
    return m, v, new_w


@pytest.mark.parametrize(
    "exercise_id, answer, says",
    [
        ("04.1", mom_plus, "added the gradient step to the velocity instead of subtracting it"),
        ("04.1", mom_no_memory, "forgot the old velocity"),
        ("04.1", mom_old_velocity, "moved w with the old velocity instead of the new one"),
        ("04.1", mom_sgd, "took a plain gradient-descent step"),
        ("04.1", mom_swapped, "returns the new velocity first"),
        ("04.1", mom_swapped_rates, "swapped the learning rate and the momentum"),
        ("04.1", mom_one, "should return a tuple (new_w, new_velocity)"),
        ("04.1", mom_no_velocity, "new_velocity should be a NumPy array"),
        ("04.1", lambda *args: 1 / 0, "ZeroDivisionError"),
        ("04.1", "momentum_step", "expected a function momentum_step"),
        ("04.2", adam_no_correction, "forgot the bias correction"),
        ("04.2", adam_off_by_one, "used the step count t + 1"),
        ("04.2", adam_g_not_squared, "averaged the gradient instead of its square"),
        ("04.2", adam_swapped_weights, "swapped the two weights of the moving average"),
        ("04.2", adam_uphill, "added the step to w instead of subtracting it"),
        ("04.2", adam_old_moments, "used m and v from before this step's update"),
        ("04.2", adam_order, "another order"),
    ],
)
def test_plausible_mistakes_get_a_diagnosis(exercise_id, answer, says):
    feedback = evaluate(exercise_id, answer, seed=7)
    assert feedback.status == FAILED
    assert says in feedback.message, feedback.message
    assert feedback.hint


def _raises(*args):
    raise RuntimeError("boom")


GARBAGE = [None, 3, "text", _raises, lambda *a: None, lambda *a: (np.nan, np.nan, np.nan), lambda *a: [1, 2]]


@pytest.mark.parametrize("exercise_id", sorted(RIGHT))
@pytest.mark.parametrize("answer", GARBAGE, ids=range(len(GARBAGE)))
def test_garbage_gets_feedback(exercise_id, answer):
    feedback = evaluate(exercise_id, answer, seed=0)
    assert feedback.status == FAILED and feedback.message and feedback.hint


# --------------------------------------------------------------------------- cheats


def mom_in_place(w, g, velocity, learning_rate, momentum):
    velocity *= momentum
    velocity -= learning_rate * g
    return w + velocity, velocity


def mom_updates_g_in_place(w, g, velocity, learning_rate, momentum):
    g *= learning_rate
    velocity = momentum * velocity - g
    return w + velocity, velocity


def mom_zeroes_inputs(w, g, velocity, learning_rate, momentum):
    w.fill(0)
    g.fill(0)
    velocity.fill(0)
    return w, velocity


def adam_in_place(w, g, m, v, t, learning_rate):
    m *= 0.9
    m += 0.1 * g
    return adam_step(w, g, m / 0.9 - g / 9, v, t, learning_rate)


def mom_via_course(w, g, velocity, learning_rate, momentum):
    return optim.momentum_step(w, g, velocity, learning_rate, momentum)


def mom_via_sgd_class(w, g, velocity, learning_rate, momentum):
    from course.autodiff.tensor import Tensor

    weights = Tensor(np.array(w), requires_grad=True)
    weights.grad = np.array(g)
    optimizer = optim.SGD([weights], learning_rate=learning_rate, momentum=momentum)
    optimizer.state = [[np.array(velocity)]]
    optimizer.step()
    return weights.value, optimizer.state[0][0]


def mom_via_keras(w, g, velocity, learning_rate, momentum):
    import keras

    return keras.ops.convert_to_numpy(w), velocity


def adam_via_course(w, g, m, v, t, learning_rate):
    return optim.adam_step(w, g, m, v, t, learning_rate)


FIXED = momentum_step(*(np.ones((2, 2)),) * 3, 0.1, 0.9)


def mom_lookup(w, g, velocity, learning_rate, momentum):
    return FIXED


@pytest.mark.parametrize(
    "exercise_id, answer, says",
    [
        ("04.1", mom_in_place, "changes one of its input arrays in place"),
        ("04.1", mom_updates_g_in_place, "changes one of its input arrays in place"),
        ("04.1", mom_zeroes_inputs, "changes one of its input arrays in place"),
        ("04.2", adam_in_place, "changes one of its input arrays in place"),
        (
            "04.1",
            optim.momentum_step,
            "write it yourself, and your code uses course.autodiff.optim.momentum_step",
        ),
        ("04.1", mom_via_course, "write it yourself, and your code uses optim"),
        ("04.1", mom_via_sgd_class, "write it yourself, and your code uses optim"),
        ("04.1", mom_via_keras, "write it yourself, and your code uses keras"),
        ("04.2", optim.adam_step, "write it yourself, and your code uses course.autodiff.optim.adam_step"),
        ("04.2", adam_via_course, "write it yourself, and your code uses optim"),
        ("04.1", mock.ANY, "expected a function"),
        ("04.1", lambda *args: mock.ANY, "should return a tuple"),
        ("04.2", lambda *args: (mock.ANY, mock.ANY, mock.ANY), "should be a NumPy array"),
        ("04.1", mom_lookup, "should have shape"),
    ],
)
def test_cheats_fail_with_a_useful_message(exercise_id, answer, says):
    feedback = evaluate(exercise_id, answer, seed=5)
    assert feedback.status == FAILED
    assert says in feedback.message, feedback.message


def _unreadable(source, **names):
    """A function defined from a string: the source check cannot read it, only the disabled shortcuts act."""
    namespace = dict(names)
    exec(source, namespace)
    return namespace["answer"]


HIDDEN_SGD = """
def answer(w, g, velocity, learning_rate, momentum):
    weights = Tensor(np.array(w), requires_grad=True)
    weights.grad = np.array(g)
    optimizer = SGD([weights], learning_rate=learning_rate, momentum=momentum)
    optimizer.state = [[np.array(velocity)]]
    optimizer.step()
    return weights.value, optimizer.state[0][0]
"""
HIDDEN_ADAM = """
def answer(w, g, m, v, t, learning_rate):
    return step(w, g, m, v, t, learning_rate)
"""


def test_the_course_optimizers_are_off_at_run_time_too():
    from course.autodiff.tensor import Tensor

    sgd = _unreadable(HIDDEN_SGD, Tensor=Tensor, SGD=optim.SGD, np=np)
    feedback = evaluate("04.1", sgd, seed=2)
    assert feedback.status == FAILED and "course.autodiff.optim.momentum_step" in feedback.message
    adam = _unreadable(HIDDEN_ADAM, step=optim.adam_step)
    feedback = evaluate("04.2", adam, seed=2)
    assert feedback.status == FAILED and "course.autodiff.optim.adam_step" in feedback.message
    # restored afterwards
    assert np.allclose(optim.momentum_step(np.ones(2), np.ones(2), np.ones(2), 0.1, 0.9)[1], 0.8)


def test_a_lookup_table_cannot_pass_every_seed():
    cases = {}
    for seed in (0, 1):
        from course.exercises.framework import draw_cases

        for case in draw_cases(lookup("04.1"), seed):
            cases[case["w"].tobytes()] = momentum_step(
                case["w"], case["g"], case["velocity"], case["learning_rate"], case["momentum"]
            )

    def table(w, g, velocity, learning_rate, momentum):
        return cases[np.asarray(w).tobytes()]

    assert evaluate("04.1", table, seed=0).status == PASSED
    assert evaluate("04.1", table, seed=99).status == FAILED


def test_cases_vary_with_the_seed():
    first = checks._momentum_cases(np.random.default_rng(0))
    second = checks._momentum_cases(np.random.default_rng(1))
    assert not np.allclose(first[0]["w"].ravel()[:2], second[0]["w"].ravel()[:2])
    assert {case["t"] for case in checks._adam_cases(np.random.default_rng(0))} >= {1}


# --------------------------------------------------------------------------- 04.3-04.5: build an MLP's training


def _forward(params, x):
    z1 = x @ params["W1"] + params["b1"]
    h = np.maximum(z1, 0.0)
    return z1, h, h @ params["W2"] + params["b2"]


def backprop_naive_softmax(params, x, y):
    n = len(x)
    z1, h, logits = _forward(params, x)
    with np.errstate(over="ignore", invalid="ignore", divide="ignore"):  # the mistake: e^800 overflows
        p = np.exp(logits) / np.exp(logits).sum(axis=1, keepdims=True)
        loss = float(-np.log(p[np.arange(n), y]).mean())
    delta = p.copy()
    delta[np.arange(n), y] -= 1.0
    delta /= n
    dz1 = (delta @ params["W2"].T) * (z1 > 0)
    grads = {"W1": x.T @ dz1, "b1": dz1.sum(axis=0), "W2": h.T @ delta, "b2": delta.sum(axis=0)}
    return loss, grads


def backprop_variant(mean=True, mask=True, one_hot=True, sum_b=True, transpose_w2=False):
    def answer(params, x, y):
        n = len(x)
        loss, _ = loss_and_grads(params, x, y)
        z1, h, logits = _forward(params, x)
        e = np.exp(logits - logits.max(axis=1, keepdims=True))
        delta = e / e.sum(axis=1, keepdims=True)
        if one_hot:
            delta[np.arange(n), y] -= 1.0
        delta = delta / n if mean else delta
        dz1 = (delta @ params["W2"].T) * ((z1 > 0) if mask else 1.0)
        w2 = h.T @ delta
        grads = {
            "W1": x.T @ dz1,
            "b1": dz1.sum(axis=0) if sum_b else dz1,
            "W2": w2.T if transpose_w2 else w2,
            "b2": delta.sum(axis=0) if sum_b else delta,
        }
        return loss, grads

    return answer


def backprop_summed_loss(params, x, y):
    loss, grads = loss_and_grads(params, x, y)
    return loss * len(x), grads


def backprop_with_the_tape(params, x, y):
    import tensorflow as tf

    variables = {name: tf.Variable(value) for name, value in params.items()}
    with tf.GradientTape() as tape:
        hidden = tf.nn.relu(x @ variables["W1"] + variables["b1"])
        logits = hidden @ variables["W2"] + variables["b2"]
        loss = tf.reduce_mean(tf.nn.sparse_softmax_cross_entropy_with_logits(y, logits))
    grads = tape.gradient(loss, variables)
    return float(loss), {name: g.numpy() for name, g in grads.items()}


HIDDEN_TAPE = """
def answer(params, x, y):
    variables = {name: tf.Variable(value) for name, value in params.items()}
    with tf.GradientTape() as tape:
        logits = tf.nn.relu(x @ variables["W1"] + variables["b1"]) @ variables["W2"] + variables["b2"]
        loss = tf.reduce_mean(tf.nn.sparse_softmax_cross_entropy_with_logits(y, logits))
    return float(loss), {name: g.numpy() for name, g in tape.gradient(loss, variables).items()}
"""


def backprop_with_the_engine(params, x, y):
    from course.autodiff.tensor import Tensor, relu, softmax_cross_entropy

    weights = {name: Tensor(value, requires_grad=True) for name, value in params.items()}
    loss = softmax_cross_entropy(
        relu(Tensor(x) @ weights["W1"] + weights["b1"]) @ weights["W2"] + weights["b2"], y
    )
    loss.backward()
    return float(loss.value), {name: w.grad for name, w in weights.items()}


def backprop_numerically(params, x, y):
    from course.autodiff import numerical

    grads = {}
    for name in params:
        grads[name] = numerical.numerical_gradient(
            lambda value, name=name: loss_and_grads({**params, name: value}, x, y)[0], params[name]
        )
    return loss_and_grads(params, x, y)[0], grads


def backprop_in_place(params, x, y):
    params["W1"][...] = 0.0
    return loss_and_grads(params, x, y)


def he_fan_out(fan_in, fan_out, rng):
    return rng.normal(0.0, np.sqrt(2 / fan_out), size=(fan_in, fan_out))


def he_without_two(fan_in, fan_out, rng):
    return rng.normal(0.0, np.sqrt(1 / fan_in), size=(fan_in, fan_out))


def he_variance_as_std(fan_in, fan_out, rng):
    return rng.normal(0.0, 2 / fan_in, size=(fan_in, fan_out))


def he_glorot(fan_in, fan_out, rng):
    return rng.normal(0.0, np.sqrt(2 / (fan_in + fan_out)), size=(fan_in, fan_out))


def he_uniform(fan_in, fan_out, rng):
    limit = np.sqrt(6 / fan_in)
    return rng.uniform(-limit, limit, size=(fan_in, fan_out))


def he_global_random(fan_in, fan_out, rng):
    return np.random.normal(0.0, np.sqrt(2 / fan_in), size=(fan_in, fan_out))


def he_transposed(fan_in, fan_out, rng):
    return he_init(fan_out, fan_in, rng) * np.sqrt(fan_out / fan_in)


def he_constant(fan_in, fan_out, rng):
    return np.full((fan_in, fan_out), np.sqrt(2 / fan_in))


def he_shifted(fan_in, fan_out, rng):
    return he_init(fan_in, fan_out, rng) + 0.5


CACHED = {}


def he_cached(fan_in, fan_out, rng):
    if (fan_in, fan_out) not in CACHED:
        CACHED[fan_in, fan_out] = he_init(fan_in, fan_out, rng)
    return CACHED[fan_in, fan_out]


def he_with_keras(fan_in, fan_out, rng):
    import keras

    return np.asarray(keras.initializers.HeNormal()((fan_in, fan_out)))


def train_loop(order_of, batches_of=None, step=lambda w, g, lr: w - lr * g, labels_of=None):
    """A training loop with one piece swapped: the epoch's order, the batches, the update, the labels."""

    def answer(params, x, y, loss_and_grads, epochs, batch_size, learning_rate, rng):
        losses = []
        for _ in range(epochs):
            order = order_of(rng, len(x))
            starts = batches_of(len(x), batch_size) if batches_of else range(0, len(x), batch_size)
            for start in starts:
                batch = order[start : start + batch_size]
                labels = y[labels_of(rng, batch)] if labels_of else y[batch]
                loss, grads = loss_and_grads(params, x[batch], labels)
                params = {name: step(params[name], grads[name], learning_rate) for name in params}
                losses.append(loss)
        return params, losses

    return answer


def permutation(rng, n):
    return rng.permutation(n)


def train_full_batch(params, x, y, loss_and_grads, epochs, batch_size, learning_rate, rng):
    losses = []
    for _ in range(epochs):
        loss, grads = loss_and_grads(params, x, y)
        params = {name: params[name] - learning_rate * grads[name] for name in params}
        losses.append(loss)
    return params, losses


def train_from_the_start_each_step(params, x, y, loss_and_grads, epochs, batch_size, learning_rate, rng):
    losses, start_params = [], params
    for _ in range(epochs):
        order = rng.permutation(len(x))
        for start in range(0, len(x), batch_size):
            batch = order[start : start + batch_size]
            loss, grads = loss_and_grads(start_params, x[batch], y[batch])
            params = {name: start_params[name] - learning_rate * grads[name] for name in start_params}
            losses.append(loss)
    return params, losses


def train_in_place(params, x, y, loss_and_grads, epochs, batch_size, learning_rate, rng):
    losses = []
    for _ in range(epochs):
        order = rng.permutation(len(x))
        for start in range(0, len(x), batch_size):
            batch = order[start : start + batch_size]
            loss, grads = loss_and_grads(params, x[batch], y[batch])
            for name in params:
                params[name] -= learning_rate * grads[name]
            losses.append(loss)
    return params, losses


def train_without_losses(*args):
    return train(*args)[0]


def train_float32_rows(params, x, y, loss_and_grads, epochs, batch_size, learning_rate, rng):
    return train(
        params, (x + 1e-3).astype(np.float32), y, loss_and_grads, epochs, batch_size, learning_rate, rng
    )


@pytest.mark.parametrize(
    "exercise_id, answer, says",
    [
        ("04.3", backprop_naive_softmax, "too large for a float"),
        ("04.3", backprop_variant(mean=False), "forgot to divide by the batch size n"),
        ("04.3", backprop_variant(mask=False), "forgot the ReLU's derivative"),
        ("04.3", backprop_variant(one_hot=False), "forgot to subtract the one-hot labels"),
        ("04.3", backprop_variant(sum_b=False), "one row per example"),
        ("04.3", backprop_variant(transpose_w2=True), "transposed"),
        ("04.3", backprop_summed_loss, "the sum over the batch; it should be the mean"),
        ("04.3", lambda params, x, y: loss_and_grads(params, x, y)[1], "should return a pair (loss, grads)"),
        ("04.3", lambda params, x, y: (loss_and_grads(params, x, y)[0], [1, 2]), "grads should be a dict"),
        (
            "04.3",
            lambda params, x, y: (loss_and_grads(params, x, y)[0], {"w1": 0}),
            "grads should have exactly the keys",
        ),
        ("04.4", he_fan_out, "used the fan-out instead of the fan-in"),
        ("04.4", he_without_two, "left out the factor 2"),
        ("04.4", he_variance_as_std, "used the variance 2/fan_in as the standard deviation"),
        ("04.4", he_glorot, "used Glorot's scale"),
        (
            "04.4",
            lambda fan_in, fan_out, rng: rng.normal(size=(fan_in, fan_out)),
            "kept the standard normal's spread",
        ),
        ("04.4", he_uniform, "like a uniform distribution"),
        ("04.4", he_shifted, "the weights should be centred on 0"),
        ("04.4", he_transposed, "should have shape"),
        (
            "04.4",
            lambda fan_in, fan_out, rng: he_init(fan_in, fan_out, rng).tolist(),
            "should return a NumPy array",
        ),
        ("04.5", train_loop(lambda rng, n: np.arange(n)), "same order every epoch"),
        (
            "04.5",
            train_loop(permutation, lambda n, size: range(0, n - size + 1, size)),
            "smaller batch of each epoch",
        ),
        (
            "04.5",
            train_loop(lambda rng, n: rng.integers(0, n, n)),
            "some examples were used twice and others never",
        ),
        ("04.5", train_loop(permutation, step=lambda w, g, lr: w + lr * g), "added the gradient step"),
        ("04.5", train_loop(permutation, step=lambda w, g, lr: w - g), "forgot the learning rate"),
        (
            "04.5",
            train_loop(permutation, labels_of=lambda rng, batch: rng.permutation(batch)),
            "x and y must be picked alike",
        ),
        ("04.5", train_full_batch, "at most batch_size"),
        ("04.5", train_from_the_start_each_step, "kept only the last step"),
        ("04.5", train_without_losses, "should return a pair (params, losses)"),
        ("04.5", train_float32_rows, "rows that are not rows of x"),
        ("04.5", lambda params, *args: (params, []), "never called loss_and_grads"),
    ],
)
def test_building_mistakes_get_a_diagnosis(exercise_id, answer, says):
    for seed in (0, 3):
        feedback = evaluate(exercise_id, answer, seed=seed)
        assert feedback.status == FAILED and says in feedback.message, feedback.message
        assert feedback.hint


@pytest.mark.parametrize(
    "exercise_id, answer, says",
    [
        ("04.3", backprop_with_the_tape, "your code uses tensorflow"),
        ("04.3", backprop_with_the_engine, "your code uses course.autodiff.tensor.Tensor"),
        ("04.3", backprop_numerically, "your code uses course.autodiff.numerical.numerical_gradient"),
        ("04.3", backprop_in_place, "changes one of its input arrays in place"),
        ("04.3", descent.mlp_loss_and_grads, "your code uses course.descent.mlp_loss_and_grads"),
        ("04.3", lambda *args: (mock.ANY, mock.ANY), "should be a number"),
        ("04.4", descent.he_normal, "your code uses course.descent.he_normal"),
        (
            "04.4",
            lambda fan_in, fan_out, rng: descent.glorot_normal(fan_in, fan_out, rng) * 1.2,
            "course.descent.glorot_normal",
        ),
        ("04.4", he_with_keras, "your code uses keras"),
        ("04.4", he_constant, "one value everywhere"),
        ("04.4", he_cached, "returns the same weights when called twice"),
        ("04.4", he_global_random, "draws from somewhere else than the rng it is given"),
        ("04.4", lambda *args: mock.ANY, "should return a NumPy array"),
        ("04.5", descent.train_mlp, "your code uses course.descent.train_mlp"),
        ("04.5", train_in_place, "changes one of its input arrays in place"),
        ("04.5", lambda *args: (mock.ANY, mock.ANY), "never called loss_and_grads"),
    ],
)
def test_building_cheats_fail(exercise_id, answer, says):
    feedback = evaluate(exercise_id, answer, seed=5)
    assert feedback.status == FAILED and says in feedback.message, feedback.message


def test_the_tape_is_off_even_where_the_source_cannot_be_read():
    import tensorflow as tf

    feedback = evaluate("04.3", _unreadable(HIDDEN_TAPE, tf=tf), seed=1)
    assert feedback.status == FAILED and "tf.GradientTape" in feedback.message, feedback.message
    variable = tf.Variable(2.0)
    with tf.GradientTape() as tape:
        square = variable * variable
    assert float(tape.gradient(square, variable)) == 4.0  # restored afterwards


def test_a_loop_with_another_way_of_batching_passes():
    def train_with_shuffle(params, x, y, loss_and_grads, epochs, batch_size, learning_rate, rng):
        losses, order = [], np.arange(len(x))
        for _ in range(epochs):
            rng.shuffle(order)
            for batch in np.array_split(order, range(batch_size, len(x), batch_size)):
                loss, grads = loss_and_grads(params, x[batch], y[batch])
                params = {name: value - learning_rate * grads[name] for name, value in params.items()}
                losses.append(loss)
        return params, tuple(losses)

    assert evaluate("04.5", train_with_shuffle, seed=4).status == PASSED


def test_the_training_check_reports_a_falling_loss():
    message = evaluate("04.5", train, seed=2).message
    before, after = (float(word.rstrip(".")) for word in message.split("from ")[-1].split(" to "))
    assert after < before
