"""Exercises of 06_keras (its quizzes: tests/test_quizzes.py): right answers, stubs, mistakes and cheats."""

from unittest import mock

import keras
import numpy as np
import pytest
from keras import layers

import course.exercises.checks.nb06_keras as checks
import course.exercises.judging.nb06_keras as judges
from course.early_stopping import early_stopping_epochs
from course.exercises import judge, probe
from course.exercises.core import FAILED, NOT_ATTEMPTED, PASSED
from course.exercises.engine import evaluate
from course.exercises.plain import normalize
from course.exercises.registry import draw_cases, lookup
from course.keras_layers import MLP, DenseLayer

from .answers.nb06_keras import (
    MnistMLP,
    MnistMLPStub,
    MyDense,
    MyDenseStub,
    log_softmax,
    pair_model,
    when_to_stop,
)
from .helpers import stub

SEEDS = (0, 1, 2, 777)


RIGHT = {  # the reference answers (every answer, right and wrong: tests/answers/nb06_keras.py)
    "06.1": log_softmax,
    "06.2": MyDense,
    "06.3": MnistMLP,
    "06.4": pair_model,
    "06.5": when_to_stop,
}


def test_the_rule_the_judge_applies_is_keras_rule():
    from .test_keras_helpers import keras_early_stopping

    for seed in SEEDS:
        for case in draw_cases(lookup("06.5"), seed):
            args = case["values"], case["patience"], case["min_delta"], case["mode"]
            assert judges._stopping(*args) == keras_early_stopping(*args), case


# --------------------------------------------------------------------------- stubs


@pytest.mark.parametrize(
    "exercise_id, answer",
    [
        ("06.1", ...),
        ("06.1", stub),
        ("06.2", ...),
        ("06.2", MyDenseStub),
        ("06.3", ...),
        ("06.3", MnistMLPStub),
        ("06.4", ...),
        ("06.4", stub),
        ("06.5", ...),
        ("06.5", stub),
    ],
)
def test_stub_is_not_attempted_and_gives_no_solution(exercise_id, answer):
    feedback = evaluate(exercise_id, answer, seed=0)
    assert feedback.status == NOT_ATTEMPTED, feedback.message
    for leak in ("relu", "np.exp(", "layers.Dense(", "keepdims=", "add_weight(", "matmul", "Concatenate("):
        assert leak not in feedback.message, leak


@pytest.mark.parametrize("exercise_id", sorted(RIGHT))
def test_hints_hold_no_solution_code(exercise_id):
    ex = lookup(exercise_id)
    for text in ex.hints + (ex.produce,):
        for leak in (
            "keepdims=",
            "np.",
            ".max(",
            "add_weight(",
            "matmul(",
            "Dense(hidden",
            "softmax)",
            "relu",
            "keras.Model(",
            "Concatenate()(",
            "wait +=",
            " = ",
        ):
            assert leak not in text, (exercise_id, text)


def crashes(*args):
    raise ZeroDivisionError("oops")


GARBAGE = [None, 3, "text", [1, 2], np.zeros(3), float("nan"), crashes]


@pytest.mark.parametrize("exercise_id", sorted(RIGHT))
@pytest.mark.parametrize("answer", GARBAGE, ids=range(len(GARBAGE)))
def test_garbage_gets_feedback(exercise_id, answer):
    feedback = evaluate(exercise_id, answer, seed=0)
    assert feedback.status == FAILED and feedback.message


# --------------------------------------------------------------------------- cheats


class SubDense(keras.layers.Dense):
    pass


class SubDenseLayer(DenseLayer):
    pass


class SubMLP(MLP):
    pass


class DenseInside(keras.layers.Layer):
    """Wraps Keras's Dense instead of writing one."""

    def __init__(self, units, activation=None, **kwargs):
        super().__init__(**kwargs)
        self.inner = keras.layers.Dense(units, activation=activation)

    def call(self, inputs):
        return self.inner(inputs)


class MLPInside(keras.Model):
    def __init__(self, hidden_units=512, num_classes=10, **kwargs):
        super().__init__(**kwargs)
        self.inner = MLP(hidden_units, num_classes)

    def call(self, inputs):
        return self.inner(inputs)


def log_softmax_by_tensorflow(logits):
    import tensorflow as tf

    return tf.nn.log_softmax(logits).numpy()


def log_softmax_by_keras(logits):
    return keras.ops.convert_to_numpy(keras.ops.log_softmax(logits))


def log_softmax_by_scipy(logits):
    from scipy.special import logsumexp

    return logits - logsumexp(logits, axis=-1, keepdims=True)


def log_softmax_by_logaddexp(logits):
    return logits - np.logaddexp.reduce(logits, axis=-1, keepdims=True)


def log_softmax_by_course(logits):
    from course.activations import softmax

    return np.log(softmax(logits))


TABLE = {case["logits"].tobytes(): log_softmax(case["logits"]) for case in draw_cases(lookup("06.1"), 0)}


def log_softmax_lookup(logits):
    return TABLE.get(np.asarray(logits).tobytes(), np.zeros_like(logits))


def stop_by_course(values, patience, min_delta, mode):
    from course.early_stopping import early_stopping_epochs

    return early_stopping_epochs(values, patience, min_delta, mode)


def stop_by_keras(values, patience, min_delta, mode):
    from .test_keras_helpers import keras_early_stopping

    return keras_early_stopping(values, patience, min_delta, mode)


@pytest.mark.parametrize(
    "exercise_id, answer, says",
    [
        ("06.1", log_softmax_by_tensorflow, "your code uses tensorflow.nn.log_softmax"),
        ("06.1", log_softmax_by_keras, "your code uses keras.ops.log_softmax"),
        ("06.1", log_softmax_by_scipy, "your code uses scipy.special.logsumexp"),
        ("06.1", log_softmax_by_logaddexp, "your code uses logaddexp"),
        ("06.1", log_softmax_by_course, "your code uses course.activations.softmax"),
        ("06.2", DenseLayer, "write it yourself, and your code uses course.keras_layers.DenseLayer"),
        ("06.2", keras.layers.Dense, "write it yourself, and your code uses keras.layers.Dense"),
        ("06.2", SubDense, "write it yourself, and your code uses keras.layers.Dense"),
        ("06.2", SubDenseLayer, "your code uses course.keras_layers.DenseLayer"),
        ("06.2", DenseInside, "your code uses keras.layers.Dense"),
        ("06.3", MLP, "write it yourself, and your code uses course.keras_layers.MLP"),
        ("06.3", SubMLP, "your code uses course.keras_layers.MLP"),
        ("06.3", MLPInside, "your code uses course.keras_layers.MLP"),
        ("06.5", stop_by_course, "your code uses course.early_stopping.early_stopping_epochs"),
        ("06.5", stop_by_keras, "your code uses keras.callbacks.EarlyStopping"),
        ("06.1", mock.ANY, "expected a function"),
        ("06.1", lambda logits: mock.ANY, "should be a NumPy array"),
        ("06.2", mock.ANY, "expected a class"),
        ("06.4", mock.ANY, "expected a function"),
        ("06.4", lambda n, u: mock.ANY, "should return a keras.Model"),
        ("06.5", lambda *args: mock.ANY, "should return a tuple (best_epoch, stop_epoch)"),
        ("06.5", lambda *args: (mock.ANY, mock.ANY), "should be a whole number"),
    ],
)
def test_cheats_fail_with_a_useful_message(exercise_id, answer, says):
    feedback = evaluate(exercise_id, answer, seed=5)
    assert feedback.status == FAILED
    assert says in feedback.message, feedback.message


def test_a_lookup_table_cannot_pass():
    assert evaluate("06.1", log_softmax_lookup, seed=0).status == PASSED
    feedback = evaluate("06.1", log_softmax_lookup, seed=1)
    assert feedback.status == FAILED and "is not right" in feedback.message or "off in" in feedback.message


def test_shortcuts_are_restored_after_the_check():
    evaluate("06.2", DenseLayer, seed=0)
    evaluate("06.3", MLP, seed=0)
    assert keras.layers.Dense(2)(np.ones((1, 3), "float32")).shape == (1, 2)
    assert MLP(4, 3)(np.ones((1, 5), "float32")).shape == (1, 3)
    evaluate("06.1", log_softmax_by_logaddexp, seed=0)
    evaluate("06.5", stop_by_course, seed=0)
    assert np.logaddexp(0.0, 0.0) == np.log(2)
    assert early_stopping_epochs([1.0, 2.0, 3.0], 1) == (1, 2)


def test_no_keras_import_at_module_level():
    import ast
    from pathlib import Path

    for module in (checks, judges):
        tree = ast.parse(Path(module.__file__).read_text())
        for node in tree.body:
            if isinstance(node, (ast.Import, ast.ImportFrom)):
                names = [alias.name for alias in node.names] + [getattr(node, "module", "") or ""]
                assert not any("tensorflow" in n or "keras" in n for n in names), names


# --- forged outcomes: written without the cases, they fail on every seed ------------------------

FORGED_FROM = 99  # the seed of the cases that the forged outcomes were made on


@pytest.mark.parametrize("exercise_id", ["06.2", "06.3", "06.4"])
def test_outcomes_made_on_other_cases_fail(exercise_id):
    outcomes = normalize(probe(exercise_id, RIGHT[exercise_id], seed=FORGED_FROM))
    assert judge(exercise_id, FORGED_FROM, outcomes).status == PASSED  # a right answer's, on its own cases
    for seed in SEEDS:
        assert judge(exercise_id, seed, outcomes).status == FAILED


def test_the_calls_of_a_layer_are_read_from_the_public_config():
    """checks.layer_calls reads Keras's serialized nodes: if an upgrade changes their form, this fails."""
    model = pair_model(3, 2)
    calls = checks.layer_calls(model)
    encoder, joiner, head = (layer.name for layer in model.layers[2:])
    inputs = [layer.name for layer in model.layers[:2]]
    assert calls[encoder] == [[inputs[0]], [inputs[1]]]
    assert calls[joiner] == [[encoder, encoder]]
    assert calls[head] == [[joiner]]
    assert checks.layer_calls(SubclassedModel()) is None
    assert checks.layer_calls(keras.Sequential([keras.Input((3,)), layers.Dense(2)])) is None


class SubclassedModel(keras.Model):
    def __init__(self):
        super().__init__()
        self.dense = layers.Dense(1)

    def call(self, inputs):
        return self.dense(inputs)


def test_claimed_counts_are_not_taken_on_trust():
    """Counts of weights, and of the calls of a layer, instead of the shapes and the graph, fail."""
    outcomes = normalize(probe("06.2", RIGHT["06.2"], seed=1))
    claimed = [
        {"ok": {**o["ok"], "weights_before_call": 0, "weights_after_second_call": 2}} for o in outcomes
    ]
    assert judge("06.2", 1, claimed).status == FAILED
    outcomes = normalize(probe("06.4", RIGHT["06.4"], seed=1))
    old_style = [
        {"ok": {key: value for key, value in o["ok"].items() if key != "layers"} | {"calls": {"any": 2}}}
        for o in outcomes
    ]
    assert judge("06.4", 1, old_style).status == FAILED
