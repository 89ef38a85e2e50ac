"""Exercises of 04_gradient_descent (its quizzes: tests/test_quizzes.py): right answers, stubs, mistakes and cheats."""

import re
from unittest import mock

import numpy as np
import pytest

import course.exercises.checks.nb04_gradient_descent as checks
from course import descent
from course.autodiff import optim
from course.exercises import judge, probe
from course.exercises.core import FAILED, NOT_ATTEMPTED, PASSED
from course.exercises.engine import evaluate
from course.exercises.plain import normalize
from course.exercises.registry import lookup

from .helpers import stub

SEEDS = (0, 1, 2, 12345)


def momentum_descent(gradient, w, learning_rate, momentum, steps):
    velocity, path = np.zeros_like(w, dtype=float), [np.array(w, dtype=float)]
    for _ in range(steps):
        velocity = momentum * velocity - learning_rate * gradient(path[-1])
        path.append(path[-1] + velocity)
    return np.array(path)


def adam_path(t_start=1, beta_1=0.9, beta_2=0.999, correct=True, reset=False, sign=-1.0):
    """Adam's loop, with one piece that can be changed into a mistake."""

    def adam_descent(gradient, w, learning_rate, steps):
        m, v, path = np.zeros_like(w, dtype=float), np.zeros_like(w, dtype=float), [np.array(w, dtype=float)]
        for t in range(t_start, t_start + steps):
            if reset:
                m, v = np.zeros_like(m), np.zeros_like(v)
            g = gradient(path[-1])
            m = beta_1 * m + (1 - beta_1) * g
            v = beta_2 * v + (1 - beta_2) * g * g
            with np.errstate(divide="ignore", invalid="ignore"):
                m_hat = m / (1 - beta_1**t) if correct else m
                v_hat = v / (1 - beta_2**t) if correct else v
                path.append(path[-1] + sign * learning_rate * m_hat / (np.sqrt(v_hat) + 1e-7))
        return np.array(path)

    return adam_descent


adam_descent = adam_path()


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
    "04.1": momentum_descent,
    "04.2": adam_descent,
    "04.3": loss_and_grads,
    "04.4": he_init,
    "04.5": train,
}


@pytest.mark.parametrize("seed", SEEDS)
@pytest.mark.parametrize("exercise_id", sorted(RIGHT))
def test_right_answer_passes(exercise_id, seed):
    feedback = evaluate(exercise_id, RIGHT[exercise_id], seed=seed)
    assert feedback.status == PASSED, feedback.message


def test_a_path_built_in_place_passes():
    def momentum_in_an_array(gradient, w, learning_rate, momentum, steps):
        path, velocity = np.zeros((steps + 1, len(w))), 0.0
        path[0] = w
        for k in range(steps):
            velocity = momentum * velocity - learning_rate * gradient(path[k])
            path[k + 1] = path[k] + velocity
        return path

    assert evaluate("04.1", momentum_in_an_array, seed=3).status == PASSED


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


def momentum_with(step):
    """The momentum loop with its update ``step(w, g, velocity, lr, beta) -> (w, velocity)`` swapped."""

    def answer(gradient, w, learning_rate, momentum, steps):
        velocity, path = np.zeros_like(w, dtype=float), [np.array(w, dtype=float)]
        for _ in range(steps):
            new_w, velocity = step(path[-1], gradient(path[-1]), velocity, learning_rate, momentum)
            path.append(new_w)
        return np.array(path)

    return answer


def momentum_gradient_at_the_start(gradient, w, learning_rate, momentum, steps):
    g = gradient(w)
    velocity, path = np.zeros_like(w, dtype=float), [np.array(w, dtype=float)]
    for _ in range(steps):
        velocity = momentum * velocity - learning_rate * g
        path.append(path[-1] + velocity)
    return np.array(path)


@pytest.mark.parametrize(
    "exercise_id, answer, says",
    [
        (
            "04.1",
            momentum_with(lambda w, g, v, lr, beta: (w + beta * v + lr * g, beta * v + lr * g)),
            "added the gradient step to the velocity instead of subtracting it",
        ),
        (
            "04.1",
            momentum_with(lambda w, g, v, lr, beta: (w - lr * g, -lr * g)),
            "the velocity must be carried from one step to the next",
        ),
        (
            "04.1",
            momentum_with(lambda w, g, v, lr, beta: (w + v - lr * g, v - lr * g)),
            "did not scale the old velocity",
        ),
        (
            "04.1",
            momentum_with(lambda w, g, v, lr, beta: (w + v, beta * v - lr * g)),
            "moved w with the old velocity instead of the new one",
        ),
        ("04.1", lambda *args: momentum_descent(*args)[1:], "should begin with the starting point"),
        ("04.1", lambda *args: momentum_descent(*args)[-1], "returned only the last position"),
        ("04.1", lambda *args: list(momentum_descent(*args)), "should be a NumPy array"),
        ("04.1", lambda *args: momentum_descent(*args).T, "should have shape"),
        ("04.1", momentum_gradient_at_the_start, "called gradient 1 times"),
        ("04.1", lambda *args: 1 / 0, "ZeroDivisionError"),
        ("04.1", "momentum_descent", "expected a function momentum_descent"),
        ("04.2", adam_path(correct=False), "forgot the bias correction"),
        ("04.2", adam_path(t_start=2), "used the step count t + 1"),
        ("04.2", adam_path(t_start=0), "which is 0 at t = 0"),
        ("04.2", adam_path(reset=True), "running averages kept between steps"),
        ("04.2", adam_path(beta_1=0.999, beta_2=0.9), "swapped beta_1 and beta_2"),
        ("04.2", adam_path(sign=1.0), "added the step to w instead of subtracting it"),
    ],
)
def test_plausible_mistakes_get_a_diagnosis(exercise_id, answer, says):
    for seed in (0, 7):
        feedback = evaluate(exercise_id, answer, seed=seed)
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


def momentum_in_place(gradient, w, learning_rate, momentum, steps):
    velocity, path = np.zeros_like(w, dtype=float), [w.copy()]
    for _ in range(steps):
        velocity = momentum * velocity - learning_rate * gradient(w)
        w += velocity
        path.append(w.copy())
    return np.array(path)


def momentum_via_course(gradient, w, learning_rate, momentum, steps):
    velocity, path = np.zeros_like(w, dtype=float), [np.array(w, dtype=float)]
    for _ in range(steps):
        new_w, velocity = optim.momentum_step(path[-1], gradient(path[-1]), velocity, learning_rate, momentum)
        path.append(new_w)
    return np.array(path)


def momentum_via_descent(gradient, w, learning_rate, momentum, steps):
    return descent.gradient_descent(gradient, w, learning_rate, steps, momentum)


def adam_via_course(gradient, w, learning_rate, steps):
    m, v, path = np.zeros_like(w, dtype=float), np.zeros_like(w, dtype=float), [np.array(w, dtype=float)]
    for t in range(1, steps + 1):
        new_w, m, v = optim.adam_step(path[-1], gradient(path[-1]), m, v, t, learning_rate)
        path.append(new_w)
    return np.array(path)


def adam_via_keras(gradient, w, learning_rate, steps):
    import keras

    variable, optimizer, path = (
        keras.Variable(np.array(w)),
        keras.optimizers.Adam(learning_rate),
        [np.array(w)],
    )
    for _ in range(steps):
        optimizer.apply_gradients([(gradient(np.asarray(variable)), variable)])
        path.append(np.asarray(variable))
    return np.array(path)


@pytest.mark.parametrize(
    "exercise_id, answer, says",
    [
        ("04.1", momentum_in_place, "changes one of its input arrays in place"),
        ("04.1", momentum_via_course, "write it yourself, and your code uses optim"),
        (
            "04.1",
            momentum_via_descent,
            "write it yourself, and your code uses course.descent.gradient_descent",
        ),
        ("04.2", adam_via_course, "write it yourself, and your code uses optim"),
        ("04.2", adam_via_keras, "write it yourself, and your code uses keras"),
        ("04.1", mock.ANY, "expected a function"),
        ("04.1", lambda *args: mock.ANY, "should be a NumPy array"),
        ("04.2", lambda *args: np.full((2, 2), mock.ANY), "should hold numbers"),
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


HIDDEN_MOMENTUM = """
def answer(gradient, w, learning_rate, momentum, steps):
    return run(gradient, w, learning_rate, steps, momentum)
"""
HIDDEN_ADAM = """
def answer(gradient, w, learning_rate, steps):
    m, v, path = 0 * w, 0 * w, [w]
    for t in range(1, steps + 1):
        new_w, m, v = step(path[-1], gradient(path[-1]), m, v, t, learning_rate)
        path.append(new_w)
    return path
"""


def test_the_course_optimizers_are_off_at_run_time_too():
    feedback = evaluate("04.1", _unreadable(HIDDEN_MOMENTUM, run=descent.gradient_descent), seed=2)
    assert feedback.status == FAILED and "course.descent.gradient_descent" in feedback.message, (
        feedback.message
    )
    feedback = evaluate("04.2", _unreadable(HIDDEN_ADAM, step=optim.adam_step), seed=2)
    assert feedback.status == FAILED and "course.autodiff.optim.adam_step" in feedback.message, (
        feedback.message
    )
    # restored afterwards
    assert np.allclose(optim.momentum_step(np.ones(2), np.ones(2), np.ones(2), 0.1, 0.9)[1], 0.8)
    assert len(descent.gradient_descent(lambda w: 2 * w, [1.0], 0.1, 3)) == 4


def test_a_lookup_table_cannot_pass_every_seed():
    table = {}

    def recording(gradient, w, *args):
        table[w.tobytes()] = momentum_descent(gradient, w, *args)
        return table[w.tobytes()]

    assert evaluate("04.1", recording, seed=0).status == PASSED
    first = next(iter(table.values()))
    replay = lambda gradient, w, *args: table.get(w.tobytes(), first)  # noqa: E731
    assert evaluate("04.1", replay, seed=99).status == FAILED


def test_cases_vary_with_the_seed():
    first = checks._momentum_cases(np.random.default_rng(0))
    second = checks._momentum_cases(np.random.default_rng(1))
    assert not np.allclose(first[0]["w"][:1], second[0]["w"][:1])
    assert {
        len(case["w"]) for seed in range(5) for case in checks._adam_cases(np.random.default_rng(seed))
    } == {1, 2, 3}


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


# --------------------------------------------------------------------------- forged outcomes

FORGED_FROM = 99  # the seed of the cases that the forged outcomes were made on


@pytest.mark.parametrize("exercise_id", ["04.1", "04.2", "04.4", "04.5"])
def test_outcomes_made_on_other_cases_fail(exercise_id):
    outcomes = normalize(probe(exercise_id, RIGHT[exercise_id], seed=FORGED_FROM))
    assert judge(exercise_id, FORGED_FROM, outcomes).status == PASSED  # a right answer's, on its own cases
    for seed in SEEDS:
        assert judge(exercise_id, seed, outcomes).status == FAILED


def _old_init_outcome(fan_in, fan_out):
    """What 04.4's probe once reported: statistics computed in the kernel, no weights."""
    return {
        "ok": {
            "result": {"type": "numpy.ndarray", "shape": [fan_in, fan_out], "dtype": "float64"},
            "constant": False,
            "mean": 0.0,
            "std": float(np.sqrt(2 / fan_in)),
            "kurtosis": 3.0,
            "fresh": True,
            "same_seed_same_weights": True,
        }
    }


def _drawn_outcome(fan_in, fan_out, rng):
    """He weights drawn from a generator of the forger's own, for a guessed layer size."""
    first, again = he_init(fan_in, fan_out, rng), he_init(fan_in, fan_out, rng)
    return {
        "ok": {
            "first": {
                "type": "numpy.ndarray",
                "dtype": "float64",
                "shape": [fan_in, fan_out],
                "value": first,
            },
            "again": {
                "type": "numpy.ndarray",
                "dtype": "float64",
                "shape": [fan_in, fan_out],
                "value": again,
            },
            "replay": {
                "type": "numpy.ndarray",
                "dtype": "float64",
                "shape": [fan_in, fan_out],
                "value": first,
            },
        }
    }


@pytest.mark.parametrize("seed", SEEDS)
def test_he_statistics_or_draws_made_without_the_cases_fail(seed):
    sizes = [(300, 40), (60, 250), (1000, 8), (128, 128)]  # the sizes the check once used
    assert judge("04.4", seed, [_old_init_outcome(*size) for size in sizes]).status == FAILED
    rng = np.random.default_rng(0)
    assert judge("04.4", seed, [_drawn_outcome(*size, rng) for size in sizes]).status == FAILED


def test_batches_and_losses_are_read_from_the_calls_not_claimed():
    """A claimed batch (row numbers, a flag, a loss) instead of the arrays passed fails."""
    outcomes = normalize(probe("04.5", RIGHT["04.5"], seed=1))
    claimed = [
        {"ok": {**o["ok"], "calls": [{"rows": [0, 1], "labels_match": True, "loss": 1.0}]}} for o in outcomes
    ]
    assert judge("04.5", 1, claimed).status == FAILED
