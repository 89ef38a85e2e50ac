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

from .helpers import stub

SEEDS = (0, 1, 2, 777)


def log_softmax(logits):
    shifted = logits - logits.max(axis=-1, keepdims=True)
    return shifted - np.log(np.exp(shifted).sum(axis=-1, keepdims=True))


class MyDense(keras.layers.Layer):
    def __init__(self, units, activation=None, **kwargs):
        super().__init__(**kwargs)
        self.units = units
        self.activation = keras.activations.get(activation)

    def build(self, input_shape):
        self.kernel = self.add_weight(
            shape=(input_shape[-1], self.units), initializer="glorot_uniform", name="kernel"
        )
        self.bias = self.add_weight(shape=(self.units,), initializer="zeros", name="bias")

    def call(self, inputs):
        return self.activation(keras.ops.matmul(inputs, self.kernel) + self.bias)


class MnistMLP(keras.Model):
    def __init__(self, hidden_units=512, num_classes=10, **kwargs):
        super().__init__(**kwargs)
        self.hidden = layers.Dense(hidden_units, activation="relu")
        self.classifier = layers.Dense(num_classes, activation="softmax")

    def call(self, inputs):
        return self.classifier(self.hidden(inputs))


def pair_model(n_features, units):
    left, right = keras.Input(shape=(n_features,)), keras.Input(shape=(n_features,))
    encoder = layers.Dense(units, activation="relu")
    joined = layers.Concatenate()([encoder(left), encoder(right)])
    return keras.Model([left, right], layers.Dense(1, activation="sigmoid")(joined))


def when_to_stop(values, patience, min_delta, mode):
    sign = 1 if mode == "min" else -1
    best, best_epoch, wait = None, 0, 0
    for epoch, value in enumerate(values, start=1):
        wait += 1
        if best is None or sign * value + min_delta < sign * best:
            best, best_epoch, wait = value, epoch, 0
        elif wait >= patience and epoch > 1:
            return best_epoch, epoch
    return best_epoch, None


RIGHT = {"06.1": log_softmax, "06.2": MyDense, "06.3": MnistMLP, "06.4": pair_model, "06.5": when_to_stop}


@pytest.mark.parametrize("seed", SEEDS)
@pytest.mark.parametrize("exercise_id", sorted(RIGHT))
def test_right_answer_passes(exercise_id, seed):
    feedback = evaluate(exercise_id, RIGHT[exercise_id], seed=seed)
    assert feedback.status == PASSED, feedback.message


class MnistMLPOutputFirst(keras.Model):
    """The layers made in another order: the weights are found by their shapes."""

    def __init__(self, hidden_units=512, num_classes=10, **kwargs):
        super().__init__(**kwargs)
        self.classifier = layers.Dense(num_classes, activation="softmax")
        self.hidden = layers.Dense(hidden_units, activation="relu")

    def call(self, inputs):
        return self.classifier(self.hidden(inputs))


def log_softmax_by_logsumexp(logits):
    top = np.max(logits, axis=1)[:, None]
    return logits - (top + np.log(np.sum(np.exp(logits - top), axis=1))[:, None])


def pair_model_head_first(n_features, units):
    """The output layer made first, and the inputs named: still the same model."""
    head = layers.Dense(1, activation="sigmoid", name="score")
    encoder = layers.Dense(units, activation="relu", name="encoder")
    left, right = keras.Input((n_features,), name="left"), keras.Input((n_features,), name="right")
    return keras.Model(
        inputs=[left, right], outputs=head(layers.concatenate([encoder(left), encoder(right)]))
    )


def test_other_right_answers_pass():
    assert evaluate("06.1", log_softmax_by_logsumexp, seed=3).status == PASSED
    assert evaluate("06.3", MnistMLPOutputFirst, seed=4).status == PASSED
    assert evaluate("06.4", pair_model_head_first, seed=4).status == PASSED
    assert evaluate("06.5", early_stopping_epochs_loop, seed=4).status == PASSED


def early_stopping_epochs_loop(values, patience, min_delta=0.0, mode="min"):
    """Another way to write the rule: count the epochs since the best one."""
    better = (lambda a, b: a < b - min_delta) if mode == "min" else (lambda a, b: a > b + min_delta)
    best = 0
    for epoch in range(1, len(values)):
        if better(values[epoch], values[best]):
            best = epoch
        elif epoch - best >= patience:
            return best + 1, epoch + 1
    return best + 1, None


def test_the_rule_the_judge_applies_is_keras_rule():
    from .test_keras_helpers import keras_early_stopping

    for seed in SEEDS:
        for case in draw_cases(lookup("06.5"), seed):
            args = case["values"], case["patience"], case["min_delta"], case["mode"]
            assert judges._stopping(*args) == keras_early_stopping(*args), case


# --------------------------------------------------------------------------- stubs


class MyDenseStub(keras.layers.Layer):
    def __init__(self, units, activation=None, **kwargs):
        super().__init__(**kwargs)
        self.units = units
        self.activation = keras.activations.get(activation)

    def build(self, input_shape):
        raise NotImplementedError

    def call(self, inputs):
        raise NotImplementedError


class MnistMLPStub(keras.Model):
    def __init__(self, hidden_units=512, num_classes=10, **kwargs):
        super().__init__(**kwargs)
        raise NotImplementedError

    def call(self, inputs):
        raise NotImplementedError


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


# --------------------------------------------------------------------------- mistakes


def naive_log_softmax(logits):
    return np.log(np.exp(logits) / np.exp(logits).sum(axis=-1, keepdims=True))


def log_of_stable_softmax(logits):
    e = np.exp(logits - logits.max(axis=-1, keepdims=True))
    return np.log(e / e.sum(axis=-1, keepdims=True))


def log_softmax_not_added_back(logits):
    return logits - np.log(np.exp(logits - logits.max(axis=-1, keepdims=True)).sum(axis=-1, keepdims=True))


def log_softmax_over_batch(logits):
    shifted = logits - logits.max(axis=0, keepdims=True)
    return shifted - np.log(np.exp(shifted).sum(axis=0, keepdims=True))


def softmax_not_log(logits):
    e = np.exp(logits - logits.max(axis=-1, keepdims=True))
    return e / e.sum(axis=-1, keepdims=True)


def log_softmax_in_longdouble(logits):
    """Wider floats push the overflow further out, but not out of the way."""
    wide = logits.astype(np.longdouble)
    return np.log(np.exp(wide) / np.exp(wide).sum(axis=-1, keepdims=True)).astype(np.float64)


def log_softmax_without_keepdims(logits):
    shifted = logits - logits.max(axis=-1)
    return shifted - np.log(np.exp(shifted).sum(axis=-1))


def two_encoders(n_features, units):
    left, right = keras.Input(shape=(n_features,)), keras.Input(shape=(n_features,))
    codes = [layers.Dense(units, activation="relu")(x) for x in (left, right)]
    return keras.Model([left, right], layers.Dense(1, activation="sigmoid")(layers.Concatenate()(codes)))


def right_code_first(n_features, units):
    left, right = keras.Input(shape=(n_features,)), keras.Input(shape=(n_features,))
    encoder = layers.Dense(units, activation="relu")
    joined = layers.Concatenate()([encoder(right), encoder(left)])
    return keras.Model([left, right], layers.Dense(1, activation="sigmoid")(joined))


def pair_without_relu(n_features, units):
    left, right = keras.Input(shape=(n_features,)), keras.Input(shape=(n_features,))
    encoder = layers.Dense(units)
    joined = layers.Concatenate()([encoder(left), encoder(right)])
    return keras.Model([left, right], layers.Dense(1, activation="sigmoid")(joined))


def pair_without_sigmoid(n_features, units):
    left, right = keras.Input(shape=(n_features,)), keras.Input(shape=(n_features,))
    encoder = layers.Dense(units, activation="relu")
    joined = layers.Concatenate()([encoder(left), encoder(right)])
    return keras.Model([left, right], layers.Dense(1)(joined))


def pair_added(n_features, units):
    """Adds the two codes instead of joining them: the output kernel has the wrong shape."""
    left, right = keras.Input(shape=(n_features,)), keras.Input(shape=(n_features,))
    encoder = layers.Dense(units, activation="relu")
    return keras.Model(
        [left, right], layers.Dense(1, activation="sigmoid")(layers.Add()([encoder(left), encoder(right)]))
    )


def one_input_only(n_features, units):
    inputs = keras.Input(shape=(n_features,))
    return keras.Model(
        inputs, layers.Dense(1, activation="sigmoid")(layers.Dense(units, activation="relu")(inputs))
    )


class SubclassedPair(keras.Model):
    def __init__(self, n_features, units):
        super().__init__()
        self.encoder = layers.Dense(units, activation="relu")
        self.head = layers.Dense(1, activation="sigmoid")

    def call(self, inputs):
        left, right = inputs
        return self.head(keras.ops.concatenate([self.encoder(left), self.encoder(right)], axis=-1))


def stop_from_zero(values, patience, min_delta, mode):
    best, stop = when_to_stop(values, patience, min_delta, mode)
    return best - 1, None if stop is None else stop - 1


def stop_ignoring_mode(values, patience, min_delta, mode):
    return when_to_stop(values, patience, min_delta, "min")


def stop_ignoring_min_delta(values, patience, min_delta, mode):
    return when_to_stop(values, patience, 0.0, mode)


def stop_one_late(values, patience, min_delta, mode):
    return when_to_stop(values, patience + 1, min_delta, mode)


def stop_with_ties(values, patience, min_delta, mode):
    sign = 1 if mode == "min" else -1
    best, best_epoch, wait = None, 0, 0
    for epoch, value in enumerate(values, start=1):
        wait += 1
        if best is None or sign * value + min_delta <= sign * best:
            best, best_epoch, wait = value, epoch, 0
        elif wait >= patience and epoch > 1:
            return best_epoch, epoch
    return best_epoch, None


def stop_as_floats(values, patience, min_delta, mode):
    best, stop = when_to_stop(values, patience, min_delta, mode)
    return float(best), stop


class NoBias(MyDense):
    def call(self, inputs):
        return self.activation(keras.ops.matmul(inputs, self.kernel))


class NoActivation(MyDense):
    def call(self, inputs):
        return keras.ops.matmul(inputs, self.kernel) + self.bias


class ActivationFirst(MyDense):
    def call(self, inputs):
        return self.activation(keras.ops.matmul(inputs, self.kernel)) + self.bias


class RandomBias(MyDense):
    def build(self, input_shape):
        self.kernel = self.add_weight(shape=(input_shape[-1], self.units), name="kernel")
        self.bias = self.add_weight(shape=(self.units,), name="bias")


class ZeroKernel(MyDense):
    def build(self, input_shape):
        self.kernel = self.add_weight(shape=(input_shape[-1], self.units), initializer="zeros")
        self.bias = self.add_weight(shape=(self.units,), initializer="zeros")


class TransposedKernel(MyDense):
    def build(self, input_shape):
        self.kernel = self.add_weight(shape=(self.units, input_shape[-1]))
        self.bias = self.add_weight(shape=(self.units,), initializer="zeros")

    def call(self, inputs):
        return self.activation(keras.ops.matmul(inputs, keras.ops.transpose(self.kernel)) + self.bias)


class WeightsInInit(keras.layers.Layer):
    """Makes fixed-size weights in __init__: wrong for any other input size."""

    def __init__(self, units, activation=None, **kwargs):
        super().__init__(**kwargs)
        self.kernel = self.add_weight(shape=(4, units))
        self.bias = self.add_weight(shape=(units,), initializer="zeros")

    def call(self, inputs):
        return keras.ops.matmul(inputs, self.kernel) + self.bias


class WeightsOnEveryCall(MyDense):
    def build(self, input_shape):
        pass

    def call(self, inputs):
        self.kernel = self.add_weight(shape=(inputs.shape[-1], self.units))
        self.bias = self.add_weight(shape=(self.units,), initializer="zeros")
        return self.activation(keras.ops.matmul(inputs, self.kernel) + self.bias)


class NotALayer:
    def __init__(self, units, activation=None):
        self.units = units


class NoSoftmax(MnistMLP):
    def __init__(self, hidden_units=512, num_classes=10, **kwargs):
        super().__init__(hidden_units, num_classes, **kwargs)
        self.classifier = layers.Dense(num_classes)

    def build(self, input_shape):
        self.hidden.build(input_shape)
        self.classifier.build((None, self.hidden.units))


class NoHiddenRelu(MnistMLP):
    def __init__(self, hidden_units=512, num_classes=10, **kwargs):
        super().__init__(hidden_units, num_classes, **kwargs)
        self.hidden = layers.Dense(hidden_units)

    def build(self, input_shape):
        self.hidden.build(input_shape)
        self.classifier.build((None, self.hidden.units))


class SwappedSizes(MnistMLP):
    def __init__(self, hidden_units=512, num_classes=10, **kwargs):
        super().__init__(num_classes, hidden_units, **kwargs)


class FixedSizes(MnistMLP):
    def __init__(self, hidden_units=512, num_classes=10, **kwargs):
        super().__init__(**kwargs)


class FixedHidden(MnistMLP):
    def __init__(self, hidden_units=512, num_classes=10, **kwargs):
        super().__init__(32, num_classes, **kwargs)


class WrongDefaults(MnistMLP):
    def __init__(self, hidden_units=256, num_classes=10, **kwargs):
        super().__init__(hidden_units, num_classes, **kwargs)


class SequentialMLP(keras.Sequential):
    def __init__(self, hidden_units=512, num_classes=10, **kwargs):
        super().__init__(
            [layers.Dense(hidden_units, activation="relu"), layers.Dense(num_classes, activation="softmax")]
        )


@pytest.mark.parametrize(
    "exercise_id, answer, says",
    [
        ("06.1", naive_log_softmax, "contains NaN or infinity: somewhere an exp overflowed"),
        ("06.1", log_of_stable_softmax, "underflowed to 0 (whose log is -inf)"),
        ("06.1", log_softmax_not_added_back, "took away the maximum but did not add it back"),
        ("06.1", log_softmax_over_batch, "normalised along the batch axis"),
        ("06.1", softmax_not_log, "returned the softmax probabilities, not their logarithm"),
        ("06.1", log_softmax_in_longdouble, "contains NaN or infinity"),
        ("06.1", log_softmax_without_keepdims, "operands could not be broadcast together"),
        ("06.2", NoBias, "forgot the bias"),
        ("06.2", NoActivation, "forgot the activation"),
        ("06.2", ActivationFirst, "applied the activation before adding the bias"),
        ("06.2", RandomBias, "the bias of MyDense"),
        ("06.2", ZeroKernel, "Glorot uniform"),
        ("06.2", TransposedKernel, "should own two trainable weights, a kernel of shape"),
        ("06.2", WeightsInInit, "weights before its first call"),
        ("06.2", WeightsOnEveryCall, "You cannot add new elements of state"),
        ("06.2", NotALayer, "should be a Keras layer"),
        ("06.2", log_softmax, "expected a class MyDense"),
        ("06.3", NoSoftmax, "forgot the softmax"),
        ("06.3", NoHiddenRelu, "forgot the ReLU of the hidden layer"),
        ("06.3", SwappedSizes, "should have shape"),
        ("06.3", FixedSizes, "should have shape"),
        ("06.3", FixedHidden, "should have a kernel (784, 16)"),
        ("06.3", WrongDefaults, "MnistMLP() with no arguments should have 512 hidden units"),
        ("06.3", SequentialMLP, "subclasses keras.Sequential"),
        ("06.3", NotALayer, "should be a keras.Model"),
        ("06.4", two_encoders, "each input got its own encoder"),
        ("06.4", right_code_first, "joined the two codes in the other order"),
        ("06.4", pair_without_relu, "forgot the ReLU of the shared encoder"),
        ("06.4", pair_without_sigmoid, "forgot the sigmoid of the output"),
        ("06.4", pair_added, "an output kernel"),
        ("06.4", one_input_only, "should have two inputs"),
        ("06.4", lambda n, u: SubclassedPair(n, u), "not one built with the functional API"),
        ("06.4", lambda n, u: MnistMLP(u, 1), "not one built with the functional API"),
        ("06.5", stop_from_zero, "counted the epochs from 0"),
        ("06.5", stop_ignoring_mode, "treated mode='max' like mode='min'"),
        ("06.5", stop_ignoring_min_delta, "ignored min_delta"),
        ("06.5", stop_one_late, "stopped one epoch late"),
        ("06.5", stop_with_ties, "counted a value equal to the best"),
        ("06.5", stop_as_floats, "should be a whole number (int), got the float"),
    ],
)
def test_plausible_mistakes_get_a_diagnosis(exercise_id, answer, says):
    feedback = evaluate(exercise_id, answer, seed=7)
    assert feedback.status == FAILED
    assert says in feedback.message, feedback.message
    assert feedback.hint


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


def log_softmax_in_place(logits):
    logits -= logits.max(axis=-1, keepdims=True)
    logits -= np.log(np.exp(logits).sum(axis=-1, keepdims=True))
    return logits


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
        ("06.1", log_softmax_in_place, "changes one of its input arrays in place"),
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
