"""Keras building blocks for notebook 06: a custom layer, a subclassed model, early stopping.

``DenseLayer`` and ``MLP`` are what the notebook's exercises ask you to write:
a layer that creates its weights in ``build`` and a model written as a Python
class. ``early_stopping_epochs`` replays, on a list of validation losses, the
rule ``keras.callbacks.EarlyStopping`` applies during training, so that the rule
can be explored without training anything.

This module imports Keras (and so TensorFlow): ``import course`` does not import it.
"""

import keras
import numpy as np


@keras.saving.register_keras_serializable(package="course")
class DenseLayer(keras.layers.Layer):
    """``activation(x @ kernel + bias)``, the layer ``keras.layers.Dense`` implements.

    The weights are created in :meth:`build`, on the first call, because only
    then is the number of input features (``input_shape[-1]``) known.
    """

    def __init__(self, units, activation=None, **kwargs):
        super().__init__(**kwargs)
        if isinstance(units, bool) or not isinstance(units, int) or units < 1:
            raise ValueError(f"units must be a positive int, got {units!r}")
        self.units = units
        self.activation = keras.activations.get(activation)

    def build(self, input_shape):
        n_inputs = input_shape[-1]
        if n_inputs is None:
            raise ValueError(f"the last axis of the input must be known to build the weights, got input shape {input_shape}")
        self.kernel = self.add_weight(shape=(n_inputs, self.units), initializer="glorot_uniform", name="kernel")
        self.bias = self.add_weight(shape=(self.units,), initializer="zeros", name="bias")

    def call(self, inputs):
        return self.activation(keras.ops.matmul(inputs, self.kernel) + self.bias)

    def get_config(self):
        return {**super().get_config(), "units": self.units, "activation": keras.activations.serialize(self.activation)}


@keras.saving.register_keras_serializable(package="course")
class MLP(keras.Model):
    """The MNIST classifier as a subclassed model: hidden ReLU layer, softmax output.

    It computes the same function as
    ``Sequential([Input((784,)), Dense(hidden_units, "relu"), Dense(num_classes, "softmax")])``,
    and its weights come in the same order, so ``set_weights`` can copy them across.
    """

    def __init__(self, hidden_units=512, num_classes=10, **kwargs):
        super().__init__(**kwargs)
        for name, value in (("hidden_units", hidden_units), ("num_classes", num_classes)):
            if isinstance(value, bool) or not isinstance(value, int) or value < 1:
                raise ValueError(f"{name} must be a positive int, got {value!r}")
        self.hidden_units, self.num_classes = hidden_units, num_classes
        self.hidden = DenseLayer(hidden_units, activation="relu", name="hidden")
        self.classifier = DenseLayer(num_classes, activation="softmax", name="classifier")

    def call(self, inputs):
        return self.classifier(self.hidden(inputs))

    def get_config(self):
        return {**super().get_config(), "hidden_units": self.hidden_units, "num_classes": self.num_classes}


def early_stopping_epochs(val_losses, patience, min_delta=0.0):
    """Where ``EarlyStopping(monitor="val_loss", patience=..., min_delta=...)`` stops.

    Returns ``(best_epoch, stop_epoch)``, both counted from 1 like Keras's log;
    ``stop_epoch`` is ``None`` when training would run to the end. An epoch is an
    improvement when its loss is below the best so far by more than ``min_delta``;
    training stops once ``patience`` epochs in a row bring no improvement.
    With ``restore_best_weights=True`` the model ends with the weights of ``best_epoch``.
    """
    losses = np.asarray(val_losses, dtype=float)
    if losses.ndim != 1 or len(losses) == 0 or not np.all(np.isfinite(losses)):
        raise ValueError(f"val_losses should be a non-empty list of finite numbers, got shape {losses.shape}")
    if isinstance(patience, bool) or not isinstance(patience, int) or patience < 0:
        raise ValueError(f"patience must be a non-negative int, got {patience!r}")
    if not min_delta >= 0:
        raise ValueError(f"min_delta must be >= 0, got {min_delta!r}")
    best, best_epoch, wait = np.inf, 0, 0
    for epoch, loss in enumerate(losses):
        wait += 1
        if loss + min_delta < best:
            best, best_epoch, wait = loss, epoch, 0
        elif wait >= patience and epoch > 0:
            return best_epoch + 1, epoch + 1
    return best_epoch + 1, None


def early_stopping_explorer(val_losses):
    """A patience slider over ``course.plots.early_stopping_plot`` for these losses."""
    import ipywidgets as widgets

    from .plots import early_stopping_plot

    early_stopping_epochs(val_losses, 0)  # validate once, before any widget exists
    patience = widgets.IntSlider(value=2, min=0, max=max(1, len(val_losses) - 1), description="patience")
    return widgets.interactive(lambda patience: early_stopping_plot(val_losses, patience), patience=patience)
