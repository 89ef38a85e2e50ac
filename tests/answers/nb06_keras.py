"""Answer tables of 06_keras: plausible mistakes and correct answers in other styles."""

import math
import operator

import keras
import numpy as np
from keras import layers

from . import Correct, Mistake, Table, mutations


def stub(*args, **kwargs):
    raise NotImplementedError


# --------------------------------------------------------------------------- 06.1 log_softmax


def log_softmax(logits):
    shifted = logits - logits.max(axis=-1, keepdims=True)
    return shifted - np.log(np.exp(shifted).sum(axis=-1, keepdims=True))


def log_softmax_by_logsumexp(logits):
    top = np.max(logits, axis=1)[:, None]
    return logits - (top + np.log(np.sum(np.exp(logits - top), axis=1))[:, None])


def log_softmax_scipy_style(logits):
    """As scipy.special.logsumexp writes it: the maximum made safe, then added back."""
    a_max = np.amax(logits, axis=-1, keepdims=True)
    a_max[~np.isfinite(a_max)] = 0
    out = np.log(np.sum(np.exp(logits - a_max), axis=-1, keepdims=True)) + a_max
    return logits - out


def log_softmax_row_by_row(logits):
    """One row at a time, with its own helper named like TensorFlow's function."""

    def reduce_logsumexp(row):
        top = max(row)
        return top + math.log(sum(math.exp(v - top) for v in row))

    return np.array([[v - reduce_logsumexp(row) for v in row] for row in logits.tolist()])


def log_softmax_keras_ops(logits):
    """keras.ops instead of NumPy (float64 in, float64 out)."""
    ops = keras.ops
    shifted = logits - ops.max(logits, axis=-1, keepdims=True)
    return ops.convert_to_numpy(shifted - ops.log(ops.sum(ops.exp(shifted), axis=-1, keepdims=True)))


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
    with np.errstate(all="ignore"):
        return np.log(np.exp(wide) / np.exp(wide).sum(axis=-1, keepdims=True)).astype(np.float64)


def log_softmax_without_keepdims(logits):
    shifted = logits - logits.max(axis=-1)
    return shifted - np.log(np.exp(shifted).sum(axis=-1))


def log_softmax_shift_by_mean(logits):
    """Takes away the row's mean: safe only while the row's scores stay close together."""
    shifted = logits - logits.mean(axis=-1, keepdims=True)
    with np.errstate(all="ignore"):
        return shifted - np.log(np.exp(shifted).sum(axis=-1, keepdims=True))


def log_softmax_shift_by_global_max(logits):
    """Takes away the largest score of the whole batch, not of each row."""
    shifted = logits - logits.max()
    with np.errstate(all="ignore"):
        return shifted - np.log(np.exp(shifted).sum(axis=-1, keepdims=True))


def log_softmax_batch_sum(logits):
    shifted = logits - logits.max(axis=-1, keepdims=True)
    return shifted - np.log(np.exp(shifted).sum())


def log_softmax_in_place(logits):
    logits -= logits.max(axis=-1, keepdims=True)
    logits -= np.log(np.exp(logits).sum(axis=-1, keepdims=True))
    return logits


# --------------------------------------------------------------------------- 06.2 MyDense


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


class MyDenseInitializerObjects(keras.layers.Layer):
    """Initializer objects, keras.ops.dot, the activation looked up at call time."""

    def __init__(self, units, activation=None, **kwargs):
        super().__init__(**kwargs)
        self.units, self.activation_name = units, activation

    def build(self, input_shape):
        features = int(input_shape[-1])
        self.w = self.add_weight(shape=[features, self.units], initializer=keras.initializers.GlorotUniform())
        self.b = self.add_weight(shape=[self.units], initializer=keras.initializers.Zeros())

    def call(self, inputs):
        out = keras.ops.add(keras.ops.dot(inputs, self.w), self.b)
        return out if self.activation_name is None else keras.activations.get(self.activation_name)(out)


class MyDenseMatmulOperator(keras.layers.Layer):
    """The @ operator and einsum-free Python, the activation kept as a function."""

    def __init__(self, units, activation=None, **kwargs):
        super().__init__(**kwargs)
        self.units = units
        self.act = keras.activations.get(activation)

    def build(self, input_shape):
        self.kernel = self.add_weight(
            name="kernel", shape=(input_shape[-1], self.units), initializer="glorot_uniform", trainable=True
        )
        self.bias = self.add_weight(name="bias", shape=(self.units,), initializer="zeros", trainable=True)
        super().build(input_shape)

    def call(self, inputs):
        return self.act(inputs @ self.kernel + self.bias)


class MyDenseStub(keras.layers.Layer):
    def __init__(self, units, activation=None, **kwargs):
        super().__init__(**kwargs)
        self.units = units
        self.activation = keras.activations.get(activation)

    def build(self, input_shape):
        raise NotImplementedError

    def call(self, inputs):
        raise NotImplementedError


class NoBias(MyDense):
    def call(self, inputs):
        return self.activation(keras.ops.matmul(inputs, self.kernel))


class NoActivation(MyDense):
    def call(self, inputs):
        return keras.ops.matmul(inputs, self.kernel) + self.bias


class AlwaysRelu(MyDense):
    """Applies a ReLU whatever activation was asked for."""

    def call(self, inputs):
        return keras.activations.relu(keras.ops.matmul(inputs, self.kernel) + self.bias)


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


def _kernel_initialized(initializer):
    class Initialized(MyDense):
        def build(self, input_shape):
            self.kernel = self.add_weight(shape=(input_shape[-1], self.units), initializer=initializer)
            self.bias = self.add_weight(shape=(self.units,), initializer="zeros")

    return Initialized


class TransposedKernel(MyDense):
    def build(self, input_shape):
        self.kernel = self.add_weight(shape=(self.units, input_shape[-1]))
        self.bias = self.add_weight(shape=(self.units,), initializer="zeros")

    def call(self, inputs):
        return self.activation(keras.ops.matmul(inputs, keras.ops.transpose(self.kernel)) + self.bias)


class BatchAxisKernel(MyDense):
    """Reads the number of features from the first entry of input_shape (the batch)."""

    def build(self, input_shape):
        self.kernel = self.add_weight(shape=(input_shape[0], self.units), initializer="glorot_uniform")
        self.bias = self.add_weight(shape=(self.units,), initializer="zeros")


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


# --------------------------------------------------------------------------- 06.3 MnistMLP


class MnistMLP(keras.Model):
    def __init__(self, hidden_units=512, num_classes=10, **kwargs):
        super().__init__(**kwargs)
        self.hidden = layers.Dense(hidden_units, activation="relu")
        self.classifier = layers.Dense(num_classes, activation="softmax")

    def call(self, inputs):
        return self.classifier(self.hidden(inputs))


class MnistMLPOutputFirst(keras.Model):
    """The layers made in another order: the weights are found by their shapes."""

    def __init__(self, hidden_units=512, num_classes=10, **kwargs):
        super().__init__(**kwargs)
        self.classifier = layers.Dense(num_classes, activation="softmax")
        self.hidden = layers.Dense(hidden_units, activation="relu")

    def call(self, inputs):
        return self.classifier(self.hidden(inputs))


class MnistMLPFlattenFirst(keras.Model):
    """A Flatten first (a no-op on flat inputs), the softmax from keras.ops in call."""

    def __init__(self, hidden_units=512, num_classes=10, **kwargs):
        super().__init__(**kwargs)
        self.flatten = layers.Flatten()
        self.hidden = layers.Dense(hidden_units, activation=keras.activations.relu)
        self.scores = layers.Dense(num_classes)

    def call(self, inputs, training=False):
        return keras.ops.softmax(self.scores(self.hidden(self.flatten(inputs))), axis=-1)


class MnistMLPLoop(keras.Model):
    """The layers in a list, applied in a loop."""

    def __init__(self, hidden_units=512, num_classes=10, name="mnist_mlp", **kwargs):
        super().__init__(name=name, **kwargs)
        self.stack = [
            layers.Dense(hidden_units, activation="relu"),
            layers.Dense(num_classes, activation="softmax"),
        ]

    def call(self, x):
        for layer in self.stack:
            x = layer(x)
        return x


class MnistMLPStub(keras.Model):
    def __init__(self, hidden_units=512, num_classes=10, **kwargs):
        super().__init__(**kwargs)
        raise NotImplementedError

    def call(self, inputs):
        raise NotImplementedError


class NoSoftmax(MnistMLP):
    def __init__(self, hidden_units=512, num_classes=10, **kwargs):
        super().__init__(hidden_units, num_classes, **kwargs)
        self.classifier = layers.Dense(num_classes)


class NoHiddenRelu(MnistMLP):
    def __init__(self, hidden_units=512, num_classes=10, **kwargs):
        super().__init__(hidden_units, num_classes, **kwargs)
        self.hidden = layers.Dense(hidden_units)


class SigmoidHidden(MnistMLP):
    def __init__(self, hidden_units=512, num_classes=10, **kwargs):
        super().__init__(hidden_units, num_classes, **kwargs)
        self.hidden = layers.Dense(hidden_units, activation="sigmoid")


class ReluOutput(MnistMLP):
    def __init__(self, hidden_units=512, num_classes=10, **kwargs):
        super().__init__(hidden_units, num_classes, **kwargs)
        self.classifier = layers.Dense(num_classes, activation="relu")


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


# --------------------------------------------------------------------------- 06.4 pair_model


def pair_model(n_features, units):
    left, right = keras.Input(shape=(n_features,)), keras.Input(shape=(n_features,))
    encoder = layers.Dense(units, activation="relu")
    joined = layers.Concatenate()([encoder(left), encoder(right)])
    return keras.Model([left, right], layers.Dense(1, activation="sigmoid")(joined))


def pair_model_head_first(n_features, units):
    """The output layer made first, and the inputs named: still the same model."""
    head = layers.Dense(1, activation="sigmoid", name="score")
    encoder = layers.Dense(units, activation="relu", name="encoder")
    left, right = keras.Input((n_features,), name="left"), keras.Input((n_features,), name="right")
    return keras.Model(
        inputs=[left, right], outputs=head(layers.concatenate([encoder(left), encoder(right)]))
    )


def pair_model_sequential_encoder(n_features, units):
    """The encoder is a small Sequential model, itself called twice; the codes joined by keras.ops."""
    encoder = keras.Sequential([layers.Dense(units, activation="relu")], name="encoder")
    inputs = [keras.Input(shape=(n_features,)) for _ in range(2)]
    codes = [encoder(tensor) for tensor in inputs]
    joined = keras.ops.concatenate(codes, axis=-1)
    return keras.Model(inputs=inputs, outputs=layers.Dense(1, activation="sigmoid")(joined))


def pair_model_activation_layers(n_features, units):
    """The activations as layers of their own (the ReLU layer shared too)."""
    left, right = keras.Input(shape=(n_features,)), keras.Input(shape=(n_features,))
    encoder, relu = layers.Dense(units), layers.ReLU()
    joined = layers.Concatenate(axis=-1)([relu(encoder(left)), relu(encoder(right))])
    score = layers.Activation("sigmoid")(layers.Dense(1)(joined))
    return keras.Model([left, right], score)


def two_encoders(n_features, units):
    left, right = keras.Input(shape=(n_features,)), keras.Input(shape=(n_features,))
    codes = [layers.Dense(units, activation="relu")(x) for x in (left, right)]
    return keras.Model([left, right], layers.Dense(1, activation="sigmoid")(layers.Concatenate()(codes)))


def right_code_first(n_features, units):
    left, right = keras.Input(shape=(n_features,)), keras.Input(shape=(n_features,))
    encoder = layers.Dense(units, activation="relu")
    joined = layers.Concatenate()([encoder(right), encoder(left)])
    return keras.Model([left, right], layers.Dense(1, activation="sigmoid")(joined))


def right_input_first(n_features, units):
    """The inputs listed the other way round when the model is made."""
    left, right = keras.Input(shape=(n_features,)), keras.Input(shape=(n_features,))
    encoder = layers.Dense(units, activation="relu")
    joined = layers.Concatenate()([encoder(left), encoder(right)])
    return keras.Model([right, left], layers.Dense(1, activation="sigmoid")(joined))


def left_input_twice(n_features, units):
    left, right = keras.Input(shape=(n_features,)), keras.Input(shape=(n_features,))
    encoder = layers.Dense(units, activation="relu")
    joined = layers.Concatenate()([encoder(left), encoder(left)])
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


def pair_with_softmax(n_features, units):
    left, right = keras.Input(shape=(n_features,)), keras.Input(shape=(n_features,))
    encoder = layers.Dense(units, activation="relu")
    joined = layers.Concatenate()([encoder(left), encoder(right)])
    return keras.Model([left, right], layers.Dense(1, activation="softmax")(joined))


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


# --------------------------------------------------------------------------- 06.5 when_to_stop


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


def when_to_stop_since_best(values, patience, min_delta=0.0, mode="min"):
    """Another way to write the rule: count the epochs since the best one."""
    better = (lambda a, b: a < b - min_delta) if mode == "min" else (lambda a, b: a > b + min_delta)
    best = 0
    for epoch in range(1, len(values)):
        if better(values[epoch], values[best]):
            best = epoch
        elif epoch - best >= patience:
            return best + 1, epoch + 1
    return best + 1, None


class _Watcher:
    """As the callback is written: a class with on_epoch_end, infinity to start, operator for the mode."""

    def __init__(self, patience, min_delta, mode):
        self.patience, self.wait, self.best_epoch, self.stopped = patience, 0, 0, None
        self.better = operator.lt if mode == "min" else operator.gt
        self.min_delta = -abs(min_delta) if mode == "min" else abs(min_delta)
        self.best = math.inf if mode == "min" else -math.inf

    def on_epoch_end(self, epoch, value):
        self.wait += 1
        if self.better(value - self.min_delta, self.best):
            self.best, self.best_epoch, self.wait = value, epoch, 0
        elif self.wait >= self.patience and epoch > 0:
            self.stopped = epoch


def when_to_stop_callback(values, patience, min_delta, mode):
    watcher = _Watcher(patience, min_delta, mode)
    for epoch, value in enumerate(values):
        watcher.on_epoch_end(epoch, value)
        if watcher.stopped is not None:
            return watcher.best_epoch + 1, watcher.stopped + 1
    return watcher.best_epoch + 1, None


def when_to_stop_flipped(values, patience, min_delta, mode):
    """Accuracies turned into losses first, then one rule for both."""
    losses = values if mode == "min" else [-v for v in values]
    best_epoch, waited = 1, 0
    for epoch in range(2, len(losses) + 1):
        if losses[epoch - 1] < losses[best_epoch - 1] - min_delta:
            best_epoch, waited = epoch, 0
            continue
        waited += 1
        if waited >= max(patience, 1):
            return best_epoch, epoch
    return best_epoch, None


def stop_from_zero(values, patience, min_delta, mode):
    best, stop = when_to_stop(values, patience, min_delta, mode)
    return best - 1, None if stop is None else stop - 1


def stop_ignoring_mode(values, patience, min_delta, mode):
    return when_to_stop(values, patience, min_delta, "min")


def stop_ignoring_min_delta(values, patience, min_delta, mode):
    return when_to_stop(values, patience, 0.0, mode)


def stop_one_late(values, patience, min_delta, mode):
    return when_to_stop(values, patience + 1, min_delta, mode)


def stop_one_early(values, patience, min_delta, mode):
    """Stops when the count reaches patience - 1 (counting the best epoch itself as one)."""
    sign = 1 if mode == "min" else -1
    best, best_epoch, wait = None, 0, 0
    for epoch, value in enumerate(values, start=1):
        if best is None or sign * value + min_delta < sign * best:
            best, best_epoch, wait = value, epoch, 1
        else:
            wait += 1
            if wait >= patience and epoch > 1:
                return best_epoch, epoch
    return best_epoch, None


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


def stop_min_delta_wrong_way(values, patience, min_delta, mode):
    """A value counts when it is less than min_delta worse than the best."""
    sign = 1 if mode == "min" else -1
    best, best_epoch, wait = None, 0, 0
    for epoch, value in enumerate(values, start=1):
        wait += 1
        if best is None or sign * value - min_delta < sign * best:
            best, best_epoch, wait = value, epoch, 0
        elif wait >= patience and epoch > 1:
            return best_epoch, epoch
    return best_epoch, None


def stop_against_previous(values, patience, min_delta, mode):
    """Compares each value with the epoch before, not with the best."""
    sign = 1 if mode == "min" else -1
    previous, best_epoch, wait = None, 0, 0
    for epoch, value in enumerate(values, start=1):
        wait += 1
        if previous is None or sign * value + min_delta < sign * previous:
            best_epoch, wait = epoch, 0
        elif wait >= patience and epoch > 1:
            return best_epoch, epoch
        previous = value
    return best_epoch, None


def stop_never_resetting(values, patience, min_delta, mode):
    """Counts every epoch without improvement, never starting the count again."""
    sign = 1 if mode == "min" else -1
    best, best_epoch, bad = None, 0, 0
    for epoch, value in enumerate(values, start=1):
        if best is None or sign * value + min_delta < sign * best:
            best, best_epoch = value, epoch
        else:
            bad += 1
            if bad >= patience:
                return best_epoch, epoch
    return best_epoch, None


def stop_at_the_end(values, patience, min_delta, mode):
    best, stop = when_to_stop(values, patience, min_delta, mode)
    return best, len(values) if stop is None else stop


def stop_best_of_all(values, patience, min_delta, mode):
    _, stop = when_to_stop(values, patience, min_delta, mode)
    best = int(np.argmin(values) if mode == "min" else np.argmax(values)) + 1
    return best, stop


def stop_as_floats(values, patience, min_delta, mode):
    best, stop = when_to_stop(values, patience, min_delta, mode)
    return float(best), stop


TABLES = {
    "06.1": Table(
        mistakes=(
            Mistake(
                "no shift: exp overflows",
                naive_log_softmax,
                "contains NaN or infinity: somewhere an exp overflowed",
            ),
            Mistake(
                "log of the stable softmax", log_of_stable_softmax, "underflowed to 0 (whose log is -inf)"
            ),
            Mistake("maximum not added back", log_softmax_not_added_back, "did not add it back"),
            Mistake("wrong axis: along the batch", log_softmax_over_batch, "normalised along the batch axis"),
            Mistake("softmax, not its log", softmax_not_log, "returned the softmax probabilities"),
            Mistake(
                "wider floats instead of the shift", log_softmax_in_longdouble, "contains NaN or infinity"
            ),
            Mistake(
                "keepdims forgotten", log_softmax_without_keepdims, "operands could not be broadcast together"
            ),
            Mistake("shifted by the row's mean", log_softmax_shift_by_mean, "contains NaN or infinity"),
            Mistake(
                "shifted by the batch's maximum", log_softmax_shift_by_global_max, "contains NaN or infinity"
            ),
            Mistake("summed over the whole batch", log_softmax_batch_sum, "exponentials of the whole batch"),
            Mistake("mutates its input", log_softmax_in_place, mutations.IN_PLACE),
            mutations.right_for_one_input(log_softmax, ("should have shape", "is off in")),
        ),
        correct=(
            Correct("shifted, keepdims", log_softmax),
            Correct("log-sum-exp, axis=1, [:, None]", log_softmax_by_logsumexp),
            Correct("scipy's way, the maximum made safe", log_softmax_scipy_style),
            Correct("row by row, a helper named reduce_logsumexp", log_softmax_row_by_row),
            Correct("keras.ops", log_softmax_keras_ops),
        ),
        not_attempted=(..., stub),
    ),
    "06.2": Table(
        mistakes=(
            Mistake("bias forgotten", NoBias, "forgot the bias"),
            Mistake("activation forgotten", NoActivation, "forgot the activation"),
            Mistake("always a ReLU", AlwaysRelu, "is off in"),
            Mistake(
                "activation before the bias", ActivationFirst, "applied the activation before adding the bias"
            ),
            Mistake("bias not zero at the start", RandomBias, "the bias of MyDense"),
            Mistake("kernel of zeros", ZeroKernel, "Glorot uniform"),
            Mistake("random_normal kernel", _kernel_initialized("random_normal"), "Glorot uniform"),
            Mistake("uniform kernel", _kernel_initialized("uniform"), "Glorot uniform"),
            Mistake("glorot_normal kernel", _kernel_initialized("glorot_normal"), "Glorot uniform"),
            Mistake("he_uniform kernel", _kernel_initialized("he_uniform"), "Glorot uniform"),
            Mistake("lecun_uniform kernel", _kernel_initialized("lecun_uniform"), "Glorot uniform"),
            Mistake(
                "kernel transposed", TransposedKernel, "should own two trainable weights, a kernel of shape"
            ),
            Mistake("features read from the batch axis", BatchAxisKernel, "Matrix size-incompatible"),
            Mistake("weights made in __init__", WeightsInInit, "weights before its first call"),
            Mistake("weights made at every call", WeightsOnEveryCall, "You cannot add new elements of state"),
            Mistake("not a layer", NotALayer, "should be a Keras layer"),
            Mistake("a function, not a class", log_softmax, "expected a class MyDense"),
        ),
        correct=(
            Correct("add_weight by name, keras.ops.matmul", MyDense),
            Correct("initializer objects, keras.ops.dot", MyDenseInitializerObjects),
            Correct("the @ operator, super().build", MyDenseMatmulOperator),
        ),
        not_attempted=(..., MyDenseStub),
    ),
    "06.3": Table(
        mistakes=(
            Mistake("softmax forgotten", NoSoftmax, "forgot the softmax"),
            Mistake("hidden ReLU forgotten", NoHiddenRelu, "forgot the ReLU of the hidden layer"),
            Mistake("sigmoid in the hidden layer", SigmoidHidden, "used a sigmoid in the hidden layer"),
            Mistake("ReLU on the output", ReluOutput, "put the ReLU on the output"),
            Mistake("sizes swapped", SwappedSizes, "should have shape"),
            Mistake("arguments ignored", FixedSizes, "should have"),
            Mistake("hidden size fixed", FixedHidden, "in the hidden layer"),
            Mistake(
                "other defaults", WrongDefaults, "MnistMLP() with no arguments should have 512 hidden units"
            ),
            Mistake("a Sequential subclass", SequentialMLP, "subclasses keras.Sequential"),
            Mistake("not a model", NotALayer, "should be a keras.Model"),
        ),
        correct=(
            Correct("two Dense attributes", MnistMLP),
            Correct("output layer made first", MnistMLPOutputFirst),
            Correct("Flatten first, softmax in call", MnistMLPFlattenFirst),
            Correct("layers in a list", MnistMLPLoop),
        ),
        not_attempted=(..., MnistMLPStub),
    ),
    "06.4": Table(
        mistakes=(
            Mistake("two encoders", two_encoders, "each input got its own encoder"),
            Mistake("right code first", right_code_first, "joined the two codes in the other order"),
            Mistake("right input first", right_input_first, "joined the two codes in the other order"),
            Mistake("left input twice", left_input_twice, "called the encoder on the left input twice"),
            Mistake("encoder ReLU forgotten", pair_without_relu, "forgot the ReLU of the shared encoder"),
            Mistake("output sigmoid forgotten", pair_without_sigmoid, "forgot the sigmoid of the output"),
            Mistake("softmax on one unit", pair_with_softmax, "a softmax over one number is always 1"),
            Mistake("codes added, not joined", pair_added, "an output kernel"),
            Mistake("one input only", one_input_only, "should have two inputs"),
            Mistake(
                "subclassed, not functional",
                lambda n, u: SubclassedPair(n, u),
                "not one built with the functional API",
            ),
            Mistake(
                "another model altogether",
                lambda n, u: MnistMLP(u, 1),
                "not one built with the functional API",
            ),
        ),
        correct=(
            Correct("Concatenate layer", pair_model),
            Correct("head made first, named inputs", pair_model_head_first),
            Correct("a Sequential encoder, keras.ops.concatenate", pair_model_sequential_encoder),
            Correct("activations as layers", pair_model_activation_layers),
        ),
        not_attempted=(..., stub),
    ),
    "06.5": Table(
        mistakes=(
            Mistake("epochs from 0", stop_from_zero, "counted the epochs from 0"),
            Mistake("mode ignored", stop_ignoring_mode, "treated mode='max' like mode='min'"),
            Mistake("min_delta ignored", stop_ignoring_min_delta, "ignored min_delta"),
            Mistake("min_delta the wrong way", stop_min_delta_wrong_way, "took min_delta the wrong way"),
            Mistake("one epoch late", stop_one_late, "stopped one epoch late"),
            Mistake("one epoch early", stop_one_early, "stopped one epoch early"),
            Mistake("a tie counts", stop_with_ties, "counted a value equal to the best"),
            Mistake(
                "compared with the epoch before",
                stop_against_previous,
                "compared each value with the epoch before",
            ),
            Mistake("count never reset", stop_never_resetting, "kept counting after an improvement"),
            Mistake("the last epoch for no stop", stop_at_the_end, "then the stop epoch is None"),
            Mistake("best of the whole list", stop_best_of_all, "took the best epoch of the whole list"),
            Mistake("floats", stop_as_floats, "should be a whole number (int), got the float"),
        ),
        correct=(
            Correct("the count, from 1", when_to_stop),
            Correct("epochs since the best", when_to_stop_since_best),
            Correct("a callback-like class", when_to_stop_callback),
            Correct("accuracies flipped into losses", when_to_stop_flipped),
        ),
        not_attempted=(..., stub),
    ),
}
