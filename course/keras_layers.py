"""Keras building blocks for notebook 06: a custom layer and a subclassed model.

``DenseLayer`` and ``MLP`` are what the notebook's exercises ask you to write:
a layer that creates its weights in ``build`` and a model written as a Python
class. (The same Dense layer appears three times in the course, once per
framework: :mod:`course.autodiff.nn` on the course's own engine,
:mod:`course.tf_layers` on ``tf.Module``, and here on Keras.)

This module imports Keras (and so TensorFlow): ``import course`` does not import it.
"""

import keras
import numpy as np
import tensorflow as tf

from .runtime import validate


def _activation(activation):
    """Keras's function for ``activation``: None, a name such as ``"relu"``, a function, or a saved config."""
    if activation is not None and not isinstance(activation, (str, dict)) and not callable(activation):
        raise TypeError(
            f"activation must be a name such as 'relu', a function or None, got {validate.received(activation)}"
        )
    try:
        return keras.activations.get(activation)
    except ValueError:
        raise ValueError(
            f"activation must name a Keras activation such as 'relu' or 'softmax', got {activation!r}"
        ) from None


def _is_size(value):
    """Whether ``value`` is a whole number (a bool is not): one size of a shape."""
    return isinstance(value, (int, np.integer)) and not isinstance(value, (bool, np.bool_))


def _input_shape(input_shape):
    """``input_shape`` (a tuple, a list or a ``tf.TensorShape``) as a tuple of sizes, ``None`` for unknown."""
    if isinstance(input_shape, tf.TensorShape) and input_shape.rank is not None:
        input_shape = input_shape.as_list()
    if not isinstance(input_shape, (tuple, list)) or not all(n is None or _is_size(n) for n in input_shape):
        raise TypeError(
            "input_shape must be a shape such as (None, 784): a tuple of sizes, None where unknown; "
            f"got {validate.received(input_shape)}"
        )
    if not input_shape:
        raise ValueError("input_shape must have at least one axis (the features), got ()")
    if any(n is not None and n < 0 for n in input_shape):
        raise ValueError(f"input_shape must hold sizes >= 0, got {tuple(input_shape)}")
    return tuple(None if n is None else int(n) for n in input_shape)


def _inputs(inputs, width, layer):
    """``inputs`` checked and cast to the layer's dtype: numbers (an array, a tensor or a symbolic Keras
    tensor) with at least one axis, whose last axis has ``width`` entries (when the weights exist)."""
    name = f"{type(layer).__name__} {layer.name!r}"
    if isinstance(inputs, (keras.KerasTensor, keras.Variable, tf.Tensor, tf.Variable)):
        dtype = keras.backend.standardize_dtype(inputs.dtype)
        if not ("float" in dtype or "int" in dtype):
            raise TypeError(f"{name} expects numbers, got a tensor of dtype {dtype}")
        known_rank = getattr(inputs.shape, "rank", 0) is not None  # a tf.Tensor may have an unknown rank
        shape = tuple(inputs.shape) if known_rank else None
    else:
        inputs = validate.array(inputs, "inputs", allow_bool=False)
        shape = inputs.shape
    if shape == ():
        raise ValueError(f"{name} expects inputs of shape (batch, features), got a scalar")
    if width is not None and shape is not None and shape[-1] is not None and shape[-1] != width:
        raise ValueError(f"{name} expects inputs with {width} features on the last axis, got shape {shape}")
    return keras.ops.cast(inputs, layer.compute_dtype)


@keras.saving.register_keras_serializable(package="course")
class DenseLayer(keras.layers.Layer):
    """``activation(x @ kernel + bias)``, the layer ``keras.layers.Dense`` implements.

    The weights are created in :meth:`build`, on the first call, because only
    then is the number of input features (``input_shape[-1]``) known.
    """

    def __init__(self, units, activation=None, **kwargs):
        super().__init__(**kwargs)
        self.units = validate.integer(units, "units", minimum=1)
        self.activation = _activation(activation)

    def build(self, input_shape):
        input_shape = _input_shape(input_shape)
        if getattr(self, "kernel", None) is not None:
            raise ValueError(
                f"DenseLayer {self.name!r} is already built, for {self.kernel.shape[0]} input features"
            )
        n_inputs = input_shape[-1]
        if n_inputs is None:
            raise ValueError(
                f"the last axis of the input must be known to build the weights, got input shape {input_shape}"
            )
        validate.size_limit(n_inputs * self.units, "input features * units", validate.MAX_ELEMENTS)
        self.kernel = self.add_weight(
            shape=(n_inputs, self.units), initializer="glorot_uniform", name="kernel"
        )
        self.bias = self.add_weight(shape=(self.units,), initializer="zeros", name="bias")

    def call(self, inputs):
        if getattr(self, "kernel", None) is None:
            raise ValueError(
                f"DenseLayer {self.name!r} has no weights yet: call the layer itself, layer(x), which builds "
                "them from x's shape first (or layer.build(input_shape))"
            )
        inputs = _inputs(inputs, self.kernel.shape[0], self)
        return self.activation(keras.ops.matmul(inputs, self.kernel) + self.bias)

    def get_config(self):
        return {
            **super().get_config(),
            "units": self.units,
            "activation": keras.activations.serialize(self.activation),
        }


@keras.saving.register_keras_serializable(package="course")
class MLP(keras.Model):
    """The MNIST classifier as a subclassed model: hidden ReLU layer, softmax output.

    It computes the same function as
    ``Sequential([Input((784,)), Dense(hidden_units, "relu"), Dense(num_classes, "softmax")])``,
    and its weights come in the same order, so ``set_weights`` can copy them across.
    """

    def __init__(self, hidden_units=512, num_classes=10, **kwargs):
        super().__init__(**kwargs)
        self.hidden_units = validate.integer(hidden_units, "hidden_units", minimum=1)
        self.num_classes = validate.integer(num_classes, "num_classes", minimum=1)
        self.hidden = DenseLayer(hidden_units, activation="relu", name="hidden")
        self.classifier = DenseLayer(num_classes, activation="softmax", name="classifier")

    def call(self, inputs):
        kernel = getattr(self.hidden, "kernel", None)
        inputs = _inputs(inputs, None if kernel is None else kernel.shape[0], self)
        return self.classifier(self.hidden(inputs))

    def get_config(self):
        return {**super().get_config(), "hidden_units": self.hidden_units, "num_classes": self.num_classes}
