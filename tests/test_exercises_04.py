"""Exercises of 04_gradient_descent (its quizzes: tests/test_quizzes.py): stubs, garbage, cheats and forged outcomes.

The plausible mistakes and the right answers in other styles: tests/answers/nb04_gradient_descent.py."""

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

from .answers.nb04_gradient_descent import he_init, loss_and_grads, momentum_descent, train
from .helpers import stub

SEEDS = (0, 1, 2, 12345)


def adam_descent(gradient, w, learning_rate, steps):
    m, v, path = np.zeros_like(w, dtype=float), np.zeros_like(w, dtype=float), [np.array(w, dtype=float)]
    for t in range(1, steps + 1):
        g = gradient(path[-1])
        m = 0.9 * m + (1 - 0.9) * g
        v = 0.999 * v + (1 - 0.999) * g * g
        m_hat, v_hat = m / (1 - 0.9**t), v / (1 - 0.999**t)
        path.append(path[-1] - learning_rate * m_hat / (np.sqrt(v_hat) + 1e-7))
    return np.array(path)


RIGHT = {
    "04.1": momentum_descent,
    "04.2": adam_descent,
    "04.3": loss_and_grads,
    "04.4": he_init,
    "04.5": train,
}


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


# --------------------------------------------------------------------------- garbage (the mistakes: tests/answers)


def _raises(*args):
    raise RuntimeError("boom")


GARBAGE = [None, 3, "text", _raises, lambda *a: None, lambda *a: (np.nan, np.nan, np.nan), lambda *a: [1, 2]]


@pytest.mark.parametrize("exercise_id", sorted(RIGHT))
@pytest.mark.parametrize("answer", GARBAGE, ids=range(len(GARBAGE)))
def test_garbage_gets_feedback(exercise_id, answer):
    feedback = evaluate(exercise_id, answer, seed=0)
    assert feedback.status == FAILED and feedback.message and feedback.hint


# --------------------------------------------------------------------------- cheats


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
        ("04.1", "momentum_descent", "expected a function momentum_descent"),
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


def he_constant(fan_in, fan_out, rng):
    return np.full((fan_in, fan_out), np.sqrt(2 / fan_in))


CACHED = {}


def he_cached(fan_in, fan_out, rng):
    if (fan_in, fan_out) not in CACHED:
        CACHED[fan_in, fan_out] = he_init(fan_in, fan_out, rng)
    return CACHED[fan_in, fan_out]


def he_with_keras(fan_in, fan_out, rng):
    import keras

    return np.asarray(keras.initializers.HeNormal()((fan_in, fan_out)))


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
        ("04.4", lambda *args: mock.ANY, "should return a NumPy array"),
        ("04.5", descent.train_mlp, "your code uses course.descent.train_mlp"),
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
