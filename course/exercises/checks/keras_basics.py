"""Checkers for 06_keras. Keras is imported inside each checker, never at import time."""

import numpy as np

from ..framework import Wrong, call, exercise, expect_array, expect_callable, expect_close, expect_equal


@exercise(
    "06.1",
    "Parameters of a Dense layer",
    expects="a function dense_params(n_inputs, units) returning the number of weights of Dense(units) on n_inputs features",
    hint="Each of the `units` outputs has one weight per input plus one bias.",
)
def _dense_params(answer):
    for n_inputs, units in [(4, 3), (1, 3), (784, 512), (512, 10), (3, 1)]:
        got = call(answer, n_inputs, units, what=f"dense_params({n_inputs}, {units})")
        if isinstance(got, bool) or not isinstance(got, (int, np.integer)):
            raise Wrong(f"dense_params({n_inputs}, {units}) should return a whole number (int), got {got!r}.")
        expect_equal(int(got), n_inputs * units + units, what=f"dense_params({n_inputs}, {units})")
    return (
        "dense_params(784, 512) = 401,920 and dense_params(512, 10) = 5,130: the 407,050 of the MNIST model."
    )


def _new_layer(cls, *args):
    import keras

    layer = call(cls, *args, what=f"MyDense{args}")
    if not isinstance(layer, keras.layers.Layer):
        raise Wrong(
            f"MyDense{args} should be a keras.layers.Layer, got a {type(layer).__name__}: subclass keras.layers.Layer."
        )
    return layer


def _weight_by_shape(layer, shape, role):
    matches = [w for w in layer.trainable_weights if tuple(w.shape) == shape]
    if len(matches) != 1:
        shapes = [tuple(w.shape) for w in layer.trainable_weights]
        raise Wrong(
            f"expected one trainable {role} of shape {shape}, the layer has trainable weights of shapes {shapes}."
        )
    return np.asarray(matches[0].numpy())


@exercise(
    "06.2",
    "A custom Dense layer",
    expects="a keras.layers.Layer subclass MyDense(units, activation=None) that makes its kernel and bias in build()",
    hint="In build(input_shape): self.kernel = self.add_weight(shape=(input_shape[-1], self.units)), "
    "self.bias = self.add_weight(shape=(self.units,), initializer='zeros'); call returns "
    "self.activation(keras.ops.matmul(inputs, self.kernel) + self.bias).",
)
def _my_dense(answer):
    expect_callable(answer, what="MyDense")
    rng = np.random.default_rng(6)
    for n_inputs, units, activation, act in [
        (4, 3, None, lambda z: z),
        (7, 2, "relu", lambda z: np.maximum(z, 0)),
    ]:
        args = (units,) if activation is None else (units, activation)
        layer = _new_layer(answer, *args)
        x = rng.normal(size=(5, n_inputs)).astype("float32")
        out = expect_array(
            call(layer, x, what=f"MyDense{args}(x)"),
            shape=(5, units),
            what=f"MyDense{args} on x of shape {x.shape}",
        )
        if len(layer.trainable_weights) != 2:
            raise Wrong(
                f"after its first call the layer should own 2 trainable weights (kernel, bias), it owns {len(layer.trainable_weights)}."
            )
        kernel = _weight_by_shape(layer, (n_inputs, units), "kernel (input features, units)")
        bias = _weight_by_shape(layer, (units,), "bias (units,)")
        expect_close(out, act(x @ kernel + bias), what=f"MyDense{args}(x)", rtol=1e-4, atol=1e-5)
        # new values for both weights (a zero bias would hide a forgotten "+ bias")
        kernel, bias = (
            rng.normal(size=kernel.shape).astype("float32"),
            rng.normal(size=bias.shape).astype("float32"),
        )
        for weight in layer.trainable_weights:
            weight.assign(kernel if tuple(weight.shape) == kernel.shape else bias)
        again = expect_array(call(layer, x, what="a second call"), shape=(5, units), what="a second call")
        if len(layer.trainable_weights) != 2:
            raise Wrong("a second call added weights: create them in build(), which Keras runs once.")
        expect_close(
            again, act(x @ kernel + bias), what=f"MyDense{args}(x) with a non-zero bias", rtol=1e-4, atol=1e-4
        )
    return "MyDense builds its weights on the first call and computes activation(x @ kernel + bias)."


@exercise(
    "06.3",
    "A subclassed model",
    expects="a keras.Model subclass MnistMLP(hidden_units=512, num_classes=10): Dense(hidden_units, relu) then Dense(num_classes, softmax)",
    hint="Make the two layers in __init__ (after super().__init__()), and chain them in call(inputs).",
)
def _mnist_mlp(answer):
    import keras

    expect_callable(answer, what="MnistMLP")
    rng = np.random.default_rng(6)
    for hidden, classes in [(16, 10), (8, 3)]:
        model = call(answer, hidden, classes, what=f"MnistMLP({hidden}, {classes})")
        if not isinstance(model, keras.Model) or isinstance(model, keras.Sequential):
            raise Wrong(
                f"MnistMLP(...) should be an instance of your keras.Model subclass, got a {type(model).__name__}."
            )
        x = rng.random((4, 784)).astype("float32")
        expect_array(
            call(model, x, what=f"MnistMLP({hidden}, {classes})(x)"),
            shape=(4, classes),
            what="the output for 4 images",
        )
        expect_equal(
            model.count_params(),
            784 * hidden + hidden + hidden * classes + classes,
            what=f"the number of parameters of MnistMLP({hidden}, {classes})",
        )
        reference = keras.Sequential(
            [
                keras.Input((784,)),
                keras.layers.Dense(hidden, activation="relu"),
                keras.layers.Dense(classes, activation="softmax"),
            ]
        )
        if [tuple(w.shape) for w in model.get_weights()] != [tuple(w.shape) for w in reference.get_weights()]:
            raise Wrong(
                f"the weights should be, in order, kernel (784, {hidden}), bias ({hidden},), kernel ({hidden}, {classes}), bias ({classes},)."
            )
        model.set_weights(reference.get_weights())
        expect_close(
            call(model, x, what="the model with copied weights"),
            reference(x),
            what="the output with the weights of a Sequential model",
            rtol=1e-4,
            atol=1e-6,
        )
    return "MnistMLP computes the same function as the Sequential model."


@exercise(
    "06.4",
    "Setting up early stopping",
    expects="a keras.callbacks.EarlyStopping on val_accuracy (higher is better), patience 2, min_delta 0.001, restoring the best weights",
    hint="keras.callbacks.EarlyStopping(monitor='val_accuracy', mode='max', patience=2, min_delta=0.001, restore_best_weights=True)",
)
def _early_stop(answer):
    import keras

    if not isinstance(answer, keras.callbacks.EarlyStopping):
        raise Wrong(f"early_stop should be a keras.callbacks.EarlyStopping, got a {type(answer).__name__}.")
    expect_equal(answer.monitor, "val_accuracy", what="monitor")
    if answer.mode not in ("max", "auto"):
        raise Wrong(f"mode is {answer.mode!r}: accuracy improves when it goes UP, so use mode='max'.")
    expect_equal(answer.patience, 2, what="patience")
    if not np.isclose(abs(answer.min_delta), 0.001):
        raise Wrong(f"min_delta is {abs(answer.min_delta)!r}, expected 0.001.")
    if answer.restore_best_weights is not True:
        raise Wrong("restore_best_weights should be True, so the model ends with its best epoch's weights.")
    return (
        "early_stop watches val_accuracy, waits 2 epochs for a gain of 0.001 and restores the best weights."
    )
