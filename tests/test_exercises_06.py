"""Exercises of 06_keras (its quizzes: tests/test_quizzes.py): right answers, stubs, mistakes and cheats."""

import inspect
from unittest import mock

import keras
import numpy as np
import pytest
from keras import layers

import course.exercises.checks.keras_basics as checks
from course.exercises.framework import FAILED, NOT_ATTEMPTED, PASSED, draw_cases, evaluate, lookup
from course.keras_layers import MLP, DenseLayer

from .helpers import stub

SEEDS = (0, 1, 2, 777)


def dense_params(n_inputs, units):
    return n_inputs * units + units


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


def early_stop():
    return keras.callbacks.EarlyStopping(
        monitor="val_accuracy", mode="max", min_delta=0.001, patience=2, restore_best_weights=True
    )


RIGHT = {"06.1": dense_params, "06.2": MyDense, "06.3": MnistMLP, "06.4": early_stop()}


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


def test_other_right_answers_pass():
    assert evaluate("06.3", MnistMLPOutputFirst, seed=4).status == PASSED
    reordered = keras.callbacks.EarlyStopping(
        patience=2, restore_best_weights=True, min_delta=0.001, monitor="val_accuracy", mode="max", verbose=0
    )
    assert evaluate("06.4", reordered).status == PASSED


def test_the_defaults_the_judge_assumes_are_keras_defaults():
    parameters = inspect.signature(keras.callbacks.EarlyStopping.__init__).parameters
    for name, default in checks.DEFAULTS.items():
        assert parameters[name].default == default, name
    assert set(parameters) - {"self"} == set(checks.ASKED) | set(checks.DEFAULTS)


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
    ],
)
def test_stub_is_not_attempted_and_gives_no_solution(exercise_id, answer):
    feedback = evaluate(exercise_id, answer, seed=0)
    assert feedback.status == NOT_ATTEMPTED, feedback.message
    for leak in ("relu", "softmax", "layers.Dense(", "n_inputs * units", "add_weight(", "matmul", "monitor="):
        assert leak not in feedback.message, leak


@pytest.mark.parametrize("exercise_id", sorted(RIGHT))
def test_hints_hold_no_solution_code(exercise_id):
    ex = lookup(exercise_id)
    for text in ex.hints + (ex.produce,):
        for leak in (
            "n_inputs * units",
            "+ units",
            "add_weight(",
            "matmul(",
            "Dense(hidden",
            "softmax",
            "relu",
            "monitor=",
            "val_accuracy",
            "patience=",
            " = ",
        ):
            assert leak not in text, (exercise_id, text)


# --------------------------------------------------------------------------- mistakes


def params_no_bias(n_inputs, units):
    return n_inputs * units


def params_bias_per_input(n_inputs, units):
    return n_inputs * units + n_inputs


def params_float(n_inputs, units):
    return float(n_inputs * units + units)


def params_sum(n_inputs, units):
    return n_inputs + units


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
        ("06.1", params_no_bias, "forgot the biases"),
        ("06.1", params_bias_per_input, "one bias per input"),
        ("06.1", params_float, "should be a whole number (int)"),
        ("06.1", params_sum, "every input is connected to every unit"),
        ("06.2", NoBias, "forgot the bias"),
        ("06.2", NoActivation, "forgot the activation"),
        ("06.2", ActivationFirst, "applied the activation before adding the bias"),
        ("06.2", RandomBias, "the bias of MyDense"),
        ("06.2", ZeroKernel, "Glorot uniform"),
        ("06.2", TransposedKernel, "should own two trainable weights, a kernel of shape"),
        ("06.2", WeightsInInit, "weights before its first call"),
        ("06.2", WeightsOnEveryCall, "You cannot add new elements of state"),
        ("06.2", NotALayer, "should be a Keras layer"),
        ("06.2", dense_params, "expected a class MyDense"),
        ("06.3", NoSoftmax, "forgot the softmax"),
        ("06.3", NoHiddenRelu, "forgot the ReLU of the hidden layer"),
        ("06.3", SwappedSizes, "should have shape"),
        ("06.3", FixedSizes, "should have shape"),
        ("06.3", FixedHidden, "should have a kernel (784, 16)"),
        ("06.3", WrongDefaults, "MnistMLP() with no arguments should have 512 hidden units"),
        ("06.3", SequentialMLP, "subclasses keras.Sequential"),
        ("06.3", NotALayer, "should be a keras.Model"),
        (
            "06.4",
            keras.callbacks.EarlyStopping(monitor="val_loss", patience=2, restore_best_weights=True),
            "monitor is 'val_loss'",
        ),
        (
            "06.4",
            keras.callbacks.EarlyStopping(
                monitor="val_accuracy", mode="min", patience=2, min_delta=0.001, restore_best_weights=True
            ),
            "accuracy improves when it goes up",
        ),
        (
            "06.4",
            keras.callbacks.EarlyStopping(
                monitor="val_accuracy", patience=2, min_delta=0.001, restore_best_weights=True
            ),
            "mode is 'auto'",
        ),
        (
            "06.4",
            keras.callbacks.EarlyStopping(monitor="val_accuracy", mode="max", patience=2, min_delta=0.001),
            "restore_best_weights is the bool False",
        ),
        (
            "06.4",
            keras.callbacks.EarlyStopping(
                monitor="val_accuracy", mode="max", patience=3, min_delta=0.001, restore_best_weights=True
            ),
            "patience is 3",
        ),
        (
            "06.4",
            keras.callbacks.EarlyStopping(
                monitor="val_accuracy", mode="max", patience=2, min_delta=0.01, restore_best_weights=True
            ),
            "min_delta is 0.01",
        ),
        (
            "06.4",
            keras.callbacks.EarlyStopping(
                monitor="val_accuracy", mode="max", patience=2.0, min_delta=0.001, restore_best_weights=True
            ),
            "patience should be a whole number",
        ),
        (
            "06.4",
            keras.callbacks.EarlyStopping(
                monitor="val_accuracy", mode="max", patience=2, min_delta=0.001, restore_best_weights=1
            ),
            "restore_best_weights is the int 1",
        ),
        ("06.4", keras.callbacks.ModelCheckpoint("m.keras"), "should be a keras.callbacks.EarlyStopping"),
        ("06.4", keras.callbacks.EarlyStopping, "should be a keras.callbacks.EarlyStopping"),
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


def params_via_keras(n_inputs, units):
    layer = keras.layers.Dense(units)
    layer.build((None, n_inputs))
    return layer.count_params()


TABLE = {(case["n_inputs"], case["units"]): dense_params(**case) for case in draw_cases(lookup("06.1"), 0)}


def params_lookup(n_inputs, units):
    return TABLE.get((n_inputs, units), 0)


def with_extra(**extra):
    settings = dict(
        monitor="val_accuracy", mode="max", min_delta=0.001, patience=2, restore_best_weights=True
    )
    return keras.callbacks.EarlyStopping(**settings, **extra)


class EarlyStoppingSubclass(keras.callbacks.EarlyStopping):
    def on_epoch_end(self, epoch, logs=None):
        pass


@pytest.mark.parametrize(
    "exercise_id, answer, says",
    [
        ("06.1", params_via_keras, "write it yourself, and your code uses keras"),
        ("06.2", DenseLayer, "write it yourself, and your code uses course.keras_layers.DenseLayer"),
        ("06.2", keras.layers.Dense, "write it yourself, and your code uses keras.layers.Dense"),
        ("06.2", SubDense, "write it yourself, and your code uses keras.layers.Dense"),
        ("06.2", SubDenseLayer, "your code uses course.keras_layers.DenseLayer"),
        ("06.2", DenseInside, "your code uses keras.layers.Dense"),
        ("06.3", MLP, "write it yourself, and your code uses course.keras_layers.MLP"),
        ("06.3", SubMLP, "your code uses course.keras_layers.MLP"),
        ("06.3", MLPInside, "your code uses course.keras_layers.MLP"),
        ("06.1", mock.ANY, "expected a function"),
        ("06.1", lambda n, u: mock.ANY, "should be a whole number"),
        ("06.2", mock.ANY, "expected a class"),
        ("06.4", mock.ANY, "should be a keras.callbacks.EarlyStopping"),
        ("06.4", with_extra(baseline=0.999), "baseline is set"),
        ("06.4", with_extra(verbose=1), "verbose is set to the int 1"),
        ("06.4", with_extra(start_from_epoch=3), "start_from_epoch is set"),
        ("06.4", EarlyStoppingSubclass(monitor="val_accuracy"), "should be a keras.callbacks.EarlyStopping"),
    ],
)
def test_cheats_fail_with_a_useful_message(exercise_id, answer, says):
    feedback = evaluate(exercise_id, answer, seed=5)
    assert feedback.status == FAILED
    assert says in feedback.message, feedback.message


def test_a_lookup_table_cannot_pass():
    assert evaluate("06.1", params_lookup, seed=0).status == PASSED
    feedback = evaluate("06.1", params_lookup, seed=1)
    assert feedback.status == FAILED and "which is not right" in feedback.message


def test_an_early_stop_with_mock_settings_fails():
    answer = early_stop()
    answer.monitor, answer.patience = mock.ANY, mock.ANY
    feedback = evaluate("06.4", answer)
    assert feedback.status == FAILED and "monitor should be a string" in feedback.message


def test_shortcuts_are_restored_after_the_check():
    evaluate("06.2", DenseLayer, seed=0)
    evaluate("06.3", MLP, seed=0)
    assert keras.layers.Dense(2)(np.ones((1, 3), "float32")).shape == (1, 2)
    assert MLP(4, 3)(np.ones((1, 5), "float32")).shape == (1, 3)


def test_no_keras_import_at_module_level():
    import ast
    from pathlib import Path

    for node in ast.parse(Path(checks.__file__).read_text()).body:
        if isinstance(node, (ast.Import, ast.ImportFrom)):
            names = [alias.name for alias in node.names] + [getattr(node, "module", "") or ""]
            assert not any("tensorflow" in n or "keras" in n for n in names), names
