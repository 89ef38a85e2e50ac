"""Keras building blocks for notebook 06: a custom layer and a subclassed model.

``DenseLayer`` and ``MLP`` are what the notebook's exercises ask you to write:
a layer that creates its weights in ``build`` and a model written as a Python
class. (The same Dense layer appears three times in the course, once per
framework: :mod:`course.autodiff.nn` on the course's own engine,
:mod:`course.tf_layers` on ``tf.Module``, and here on Keras.)

This module imports Keras (and so TensorFlow): ``import course`` does not import it.
"""

import keras

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
        return self.classifier(self.hidden(inputs))

    def get_config(self):
        return {**super().get_config(), "hidden_units": self.hidden_units, "num_classes": self.num_classes}
