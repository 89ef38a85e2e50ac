"""A multilayer perceptron on the tensor engine: Dense layers, a model, a training step.

The layers follow Keras's vocabulary (``Dense(units, activation)``), but
everything underneath is the course's own engine: the forward pass records a
graph, ``loss.backward()`` fills every weight's ``.grad``, an optimizer steps.
"""

import numpy as np

from ..runtime.validate import MAX_ELEMENTS, array, choice, integer, received, size_limit
from .tensor import Tensor, leaky_relu, relu, sigmoid, softmax_cross_entropy, tanh

ACTIVATIONS = {None: lambda x: x, "relu": relu, "leaky_relu": leaky_relu, "sigmoid": sigmoid, "tanh": tanh}
MAX_PARAMETERS = MAX_ELEMENTS  # weights and biases of a whole model, all layers together
MAX_LAYERS = 1_000


def _float_dtype(dtype):
    """``dtype`` as a NumPy floating dtype (np.float32, "float64", ...)."""
    try:
        dtype = np.dtype(dtype)
    except TypeError:
        raise TypeError(f"dtype must be a float dtype such as np.float32, got {received(dtype)}") from None
    if not np.issubdtype(dtype, np.floating):
        raise ValueError(f"dtype must be a float dtype such as np.float32, got {dtype}")
    return dtype


def _inputs(x, layer):
    """``x`` as a Tensor of shape (batch, features) that ``layer`` (a Dense) accepts."""
    x = x if isinstance(x, Tensor) else Tensor._constant(array(x, "x").astype(layer.W.dtype))
    if x.ndim != 2:
        raise ValueError(f"x must have shape (batch, features), got shape {x.shape}")
    if x.shape[1] != layer.W.shape[0]:
        raise ValueError(f"x.shape[-1] ({x.shape[-1]}) must equal in_features ({layer.W.shape[0]})")
    return x


def _generator(rng):
    """``rng``: a NumPy Generator, or None for a fixed one (seed 0)."""
    if rng is None:
        return np.random.default_rng(0)
    if not isinstance(rng, np.random.Generator):
        raise TypeError(f"rng must be a numpy.random.Generator or None, got {received(rng)}")
    return rng


class Dense:
    """activation(x @ W + b), with W of shape (in_features, out_features), Glorot-uniform initialised."""

    def __init__(self, in_features, out_features, activation=None, rng=None, dtype=np.float32):
        in_features = integer(in_features, "in_features", minimum=1)
        out_features = integer(out_features, "out_features", minimum=1)
        size_limit(in_features * out_features, "in_features * out_features", MAX_ELEMENTS)
        activation = choice(activation, "activation", ACTIVATIONS)
        rng = _generator(rng)
        dtype = _float_dtype(dtype)
        limit = np.sqrt(6 / (in_features + out_features))
        self.W = Tensor(
            rng.uniform(-limit, limit, (in_features, out_features)).astype(dtype),
            requires_grad=True,
            name="W",
        )
        self.b = Tensor(np.zeros(out_features, dtype), requires_grad=True, name="b")
        self.activation = activation

    def __call__(self, x):
        x = _inputs(x, self)
        return ACTIVATIONS[self.activation](x @ self.W + self.b)

    def parameters(self):
        return [self.W, self.b]


class MLP:
    """Dense layers of the given sizes; ReLU between them, logits at the end.

    At most :data:`MAX_PARAMETERS` weights and biases in all (and :data:`MAX_LAYERS` layers):
    a larger model is refused before anything is allocated.
    """

    def __init__(self, sizes, activation="relu", seed=0, dtype=np.float32):
        if not isinstance(sizes, (list, tuple)):
            raise TypeError(f"sizes must be a list of layer sizes like [64, 32, 10], got {received(sizes)}")
        if len(sizes) < 2:
            raise ValueError(f"sizes lists the input size and at least one layer size, got {sizes!r}")
        size_limit(len(sizes) - 1, "the number of layers", MAX_LAYERS)
        sizes = [integer(n, f"sizes[{i}]", minimum=1) for i, n in enumerate(sizes)]
        size_limit(
            sum((n_in + 1) * n_out for n_in, n_out in zip(sizes[:-1], sizes[1:])),
            "the number of parameters (weights and biases of all layers)",
            MAX_PARAMETERS,
        )
        activation = choice(activation, "activation", ACTIVATIONS)
        rng = np.random.default_rng(integer(seed, "seed", minimum=0))
        last = len(sizes) - 2
        self.layers = [
            Dense(n_in, n_out, None if i == last else activation, rng, dtype)
            for i, (n_in, n_out) in enumerate(zip(sizes[:-1], sizes[1:]))
        ]

    def __call__(self, x):
        for layer in self.layers:
            x = layer(x)
        return x

    def parameters(self):
        return [p for layer in self.layers for p in layer.parameters()]

    def weights(self):
        """Copies of the weight arrays, in order (e.g. to give another framework the same start)."""
        return [p.value.copy() for p in self.parameters()]


def train_step(model, optimizer, x, y):
    """Forward, loss, backward, update: one step of the training loop. Returns the loss."""
    _model(model)
    _optimizer(optimizer)
    loss = softmax_cross_entropy(model(x), y)
    loss.backward()
    optimizer.step()
    return float(loss.value)


def accuracy(model, x, y):
    """The fraction of examples whose largest logit is the right class.

    ``y`` holds integer class numbers (as for :func:`~course.autodiff.tensor.softmax_cross_entropy`):
    float labels such as ``[0.0, 1.0]`` are refused, not compared with the class numbers.
    """
    _model(model)
    y = array(y, "y", ndim=1)
    if y.size and not np.issubdtype(y.dtype, np.integer):  # an empty list reads as floats: no labels at all
        raise TypeError(
            f"y must hold integer class numbers such as [3, 0, 7], got an array of dtype {y.dtype}"
        )
    logits = model(x).value
    if logits.ndim != 2 or len(logits) == 0 or len(y) != len(logits):
        raise ValueError(
            f"x and y must hold the same number of examples, at least one: got {len(logits)} and {len(y)}"
        )
    classes = logits.shape[1]
    if y.min() < 0 or y.max() >= classes:
        raise ValueError(f"y must hold classes in 0..{classes - 1}, got values from {y.min()} to {y.max()}")
    return float(np.mean(np.argmax(logits, axis=1) == y))


def _model(model):
    """``model``, which must be a layer or a model of this module (callable, with parameters)."""
    if not (callable(model) and hasattr(model, "parameters")):
        raise TypeError(f"model must be an MLP or a Dense layer, got {received(model)}")
    return model


def _optimizer(optimizer):
    """``optimizer``, which must have a ``step`` method (an optimizer of :mod:`course.autodiff.optim`)."""
    if not callable(getattr(optimizer, "step", None)):
        raise TypeError(f"optimizer must be an optimizer such as optim.Adam(...), got {received(optimizer)}")
    return optimizer
