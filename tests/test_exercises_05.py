"""Exercises of 05_modules_and_graphs (its quizzes: tests/test_quizzes.py): right answers, stubs, mistakes and cheats."""

from unittest import mock

import numpy as np
import pytest

from course.runtime.quiet import import_tensorflow

tf = import_tensorflow()

import course.exercises.checks.modules  # noqa: E402,F401  (registers 05.*)
from course.exercises.framework import FAILED, NOT_ATTEMPTED, PASSED, evaluate, lookup  # noqa: E402
from course.tf_layers import Dense, LazyDense, restore_checkpoint  # noqa: E402

from .helpers import stub  # noqa: E402

SEEDS = (0, 1, 2, 4242)


class Line:
    def __init__(self, slope, intercept):
        self.slope = slope
        self.intercept = intercept

    def __call__(self, x):
        return self.slope * x + self.intercept


def dense_forward(x, w, b):
    return tf.nn.relu(x @ w + b)


def restore_model(model, path):
    tf.train.Checkpoint(model=model).read(path)
    return model


def sgd_step(model, x, y, learning_rate):
    with tf.GradientTape() as tape:
        loss = tf.reduce_mean((model(x) - y) ** 2)
    grads = tape.gradient(loss, model.trainable_variables)
    for variable, grad in zip(model.trainable_variables, grads):
        variable.assign_sub(learning_rate * grad)
    return loss


RIGHT = {"05.1": Line, "05.2": dense_forward, "05.3": restore_model, "05.4": sgd_step}


@pytest.mark.parametrize("seed", SEEDS)
@pytest.mark.parametrize("exercise_id", sorted(RIGHT))
def test_right_answer_passes(exercise_id, seed):
    feedback = evaluate(exercise_id, RIGHT[exercise_id], seed=seed)
    assert feedback.status == PASSED, feedback.message


def sgd_step_float(model, x, y, learning_rate):
    return float(sgd_step(model, x, y, learning_rate))


def restore_with_restore(model, path):
    tf.train.Checkpoint(model=model).restore(path).expect_partial()
    return model


@pytest.mark.parametrize(
    "exercise_id, answer",
    [("05.4", sgd_step_float), ("05.3", restore_with_restore)],
)
def test_other_right_answers_pass(exercise_id, answer):
    assert evaluate(exercise_id, answer, seed=3).status == PASSED


# --------------------------------------------------------------------------- stubs


class StubLine:
    def __init__(self, slope, intercept):
        raise NotImplementedError

    def __call__(self, x):
        raise NotImplementedError


class HalfStubLine:
    def __init__(self, slope, intercept):
        self.slope, self.intercept = slope, intercept

    def __call__(self, x):
        raise NotImplementedError


@pytest.mark.parametrize(
    "exercise_id, answer",
    [
        ("05.1", ...),
        ("05.1", StubLine),
        ("05.1", HalfStubLine),
        ("05.2", ...),
        ("05.2", stub),
        ("05.3", ...),
        ("05.3", stub),
        ("05.4", ...),
        ("05.4", stub),
    ],
)
def test_stub_is_not_attempted_and_gives_no_solution(exercise_id, answer):
    feedback = evaluate(exercise_id, answer, seed=0)
    assert feedback.status == NOT_ATTEMPTED, feedback.message
    for leak in ("@", "relu(", "Checkpoint(", "model=model", "assign_sub", "GradientTape()", "self.slope"):
        assert leak not in feedback.message


@pytest.mark.parametrize("exercise_id", sorted(RIGHT))
def test_hints_hold_no_solution_code(exercise_id):
    ex = lookup(exercise_id)
    for text in ex.hints + (ex.produce,):
        for leak in (
            "@",
            "relu(",
            "Checkpoint(",
            "model=model",
            "assign_sub(",
            "reduce_mean",
            " = ",
            "self.",
        ):
            assert leak not in text, (exercise_id, text)


# --------------------------------------------------------------------------- mistakes


class NotCallableLine:
    def __init__(self, slope, intercept):
        self.slope, self.intercept = slope, intercept


class SwappedLine(Line):
    def __call__(self, x):
        return self.intercept * x + self.slope


class NoInterceptLine(Line):
    def __call__(self, x):
        return self.slope * x


class SharedLine:
    def __init__(self, slope, intercept):
        SharedLine.slope, SharedLine.intercept = slope, intercept

    def __call__(self, x):
        return self.slope * x + self.intercept


class ListLine(Line):
    def __call__(self, x):
        if isinstance(x, np.ndarray):
            return [self.slope * value + self.intercept for value in x.ravel()]
        return self.slope * x + self.intercept


def dense_no_relu(x, w, b):
    return x @ w + b


def dense_no_bias(x, w, b):
    return tf.nn.relu(x @ w)


def dense_relu_first(x, w, b):
    return tf.nn.relu(x @ w) + b


def dense_numpy(x, w, b):
    return np.maximum(x.numpy() @ w.numpy() + b.numpy(), 0)


def dense_float64(x, w, b):
    return tf.cast(tf.nn.relu(x @ w + b), tf.float64)


def restore_wrong_name(model, path):
    tf.train.Checkpoint(net=model).read(path)
    return model


def restore_returns_status(model, path):
    return tf.train.Checkpoint(model=model).read(path)


def sgd_loss_after(model, x, y, learning_rate):
    sgd_step(model, x, y, learning_rate)
    return tf.reduce_mean((model(x) - y) ** 2)


def sgd_uphill(model, x, y, learning_rate):
    return sgd_step(model, x, y, -learning_rate)


def sgd_no_rate(model, x, y, learning_rate):
    return sgd_step(model, x, y, 1.0)


def sgd_no_update(model, x, y, learning_rate):
    return tf.reduce_mean((model(x) - y) ** 2)


def sgd_sum(model, x, y, learning_rate):
    with tf.GradientTape() as tape:
        loss = tf.reduce_sum((model(x) - y) ** 2)
    for variable, grad in zip(model.trainable_variables, tape.gradient(loss, model.trainable_variables)):
        variable.assign_sub(learning_rate * grad)
    return loss


def sgd_only_w(model, x, y, learning_rate):
    with tf.GradientTape() as tape:
        loss = tf.reduce_mean((model(x) - y) ** 2)
    grad_w = tape.gradient(loss, model.w)
    model.w.assign_sub(learning_rate * grad_w)
    return loss


@pytest.mark.parametrize(
    "exercise_id, answer, says",
    [
        ("05.1", NotCallableLine, "cannot be called like a function"),
        ("05.1", SwappedLine, "swapped the slope and the intercept"),
        ("05.1", NoInterceptLine, "forgot the intercept"),
        ("05.1", SharedLine, "the numbers must belong to each object"),
        ("05.1", ListLine, "should be a NumPy array"),
        ("05.1", lambda slope, intercept: None, "expected a class Line"),
        ("05.2", dense_no_relu, "forgot the ReLU"),
        ("05.2", dense_no_bias, "forgot the bias"),
        ("05.2", dense_relu_first, "applied the ReLU before adding the bias"),
        ("05.2", dense_numpy, "should be a TensorFlow tensor"),
        ("05.2", dense_float64, "dtype float64"),
        ("05.2", lambda x, w: x, "TypeError"),
        ("05.3", restore_wrong_name, "none of the checkpoint's values reached its variables"),
        ("05.3", restore_returns_status, "should return the model it was given"),
        ("05.3", lambda model, path: model, "none of the checkpoint's values reached its variables"),
        ("05.4", sgd_loss_after, "returned the loss after the step"),
        ("05.4", sgd_uphill, "moved the variable up the gradient"),
        ("05.4", sgd_no_rate, "forgot the learning rate"),
        ("05.4", sgd_no_update, "did not change"),
        ("05.4", sgd_sum, "sum of the squared errors"),
        ("05.4", sgd_only_w, "the model's b did not change"),
        ("05.4", lambda model, x, y, lr: "loss", "should be a number"),
        ("05.2", lambda x, w, b: tf.fill((x.shape[0], w.shape[1]), float("nan")), "NaN"),
        ("05.3", lambda model, path: 1 / 0, "ZeroDivisionError"),
        ("05.1", lambda: None, "expected a class Line"),
    ],
)
def test_plausible_mistakes_get_a_diagnosis(exercise_id, answer, says):
    feedback = evaluate(exercise_id, answer, seed=7)
    assert feedback.status == FAILED
    assert says in feedback.message, feedback.message
    assert feedback.hint


# --------------------------------------------------------------------------- cheats


def dense_via_course(x, w, b):
    layer = Dense(w.shape[0], w.shape[1], activation="relu")
    layer.w.assign(w)
    layer.b.assign(b)
    return layer(x)


def _unreadable(source, **names):
    """A function defined from a string: the source check cannot read it, only the disabled shortcuts act."""
    namespace = dict(names)
    exec(source, namespace)
    return namespace["answer"]


HIDDEN_DENSE = """
def answer(x, w, b):
    layer = make(w.shape[0], w.shape[1], activation="relu")
    return layer(x)
"""
HIDDEN_KERAS = """
def answer(x, w, b):
    layer = make(w.shape[1], activation="relu")
    return layer(x)
"""
HIDDEN_RESTORE = """
def answer(model, path):
    return restore(model, path)
"""


def hidden_keras_dense(x, w, b):
    import keras

    return _unreadable(HIDDEN_KERAS, make=keras.layers.Dense)(x, w, b)


def restore_via_course(model, path):
    return restore_checkpoint(model, path)


class InPlaceLine(Line):
    def __call__(self, x):
        if isinstance(x, np.ndarray):
            x *= self.slope
            x += self.intercept
            return x
        return self.slope * x + self.intercept


@pytest.mark.parametrize(
    "exercise_id, answer, says",
    [
        ("05.2", dense_via_course, "write it yourself, and your code uses Dense"),
        ("05.2", _unreadable(HIDDEN_DENSE, make=Dense), "your code uses course.tf_layers.Dense"),
        ("05.2", _unreadable(HIDDEN_DENSE, make=LazyDense), "course.tf_layers.LazyDense"),
        ("05.2", hidden_keras_dense, "keras"),
        ("05.3", restore_checkpoint, "write it yourself"),
        ("05.3", restore_via_course, "write it yourself, and your code uses restore_checkpoint"),
        (
            "05.3",
            _unreadable(HIDDEN_RESTORE, restore=restore_checkpoint),
            "your code uses course.tf_layers.restore_checkpoint",
        ),
        ("05.1", mock.ANY, "expected a class Line"),
        ("05.2", lambda x, w, b: mock.ANY, "should be a TensorFlow tensor"),
        ("05.3", lambda model, path: mock.ANY, "should return the model"),
        ("05.4", lambda model, x, y, lr: mock.ANY, "should be a number"),
        ("05.1", InPlaceLine, "changes one of its input arrays in place"),
    ],
)
def test_cheats_fail_with_a_useful_message(exercise_id, answer, says):
    feedback = evaluate(exercise_id, answer, seed=5)
    assert feedback.status == FAILED
    assert says in feedback.message, feedback.message


def test_a_hidden_keras_dense_is_off_at_run_time():
    import keras

    answer = _unreadable(HIDDEN_KERAS, make=keras.layers.Dense)
    feedback = evaluate("05.2", answer, seed=1)
    assert feedback.status == FAILED and "keras.layers.Dense" in feedback.message
    assert keras.layers.Dense(2)(np.ones((1, 3), "float32")).shape == (1, 2)  # restored afterwards


def test_a_lookup_table_cannot_pass():
    from course.exercises.framework import draw_cases

    answers = {
        case["x"].tobytes(): np.maximum(case["x"] @ case["w"] + case["b"], 0)
        for case in draw_cases(lookup("05.2"), 0)
    }

    def table(x, w, b):
        return tf.constant(answers[x.numpy().tobytes()])

    assert evaluate("05.2", table, seed=0).status == PASSED
    feedback = evaluate("05.2", table, seed=99)
    assert feedback.status == FAILED and "KeyError" in feedback.message


def test_sgd_step_sees_fresh_inputs_each_case():
    seen = []

    def spy(model, x, y, learning_rate):
        seen.append(float(tf.reduce_sum(x)))
        return sgd_step(model, x, y, learning_rate)

    evaluate("05.4", spy, seed=0)
    evaluate("05.4", spy, seed=1)
    assert len(set(seen)) == len(seen) == 6


def test_no_tensorflow_import_at_module_level():
    import ast
    from pathlib import Path

    source = Path(course.exercises.checks.modules.__file__).read_text()
    for node in ast.parse(source).body:
        if isinstance(node, (ast.Import, ast.ImportFrom)):
            names = [alias.name for alias in node.names] + [getattr(node, "module", "") or ""]
            assert not any("tensorflow" in n or "keras" in n or "tf_layers" in n for n in names), names
