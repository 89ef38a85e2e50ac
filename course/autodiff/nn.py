"""A multilayer perceptron on the tensor engine: Dense layers, a model, a training step.

The layers follow Keras's vocabulary (``Dense(units, activation)``), but
everything underneath is the course's own engine: the forward pass records a
graph, ``loss.backward()`` fills every weight's ``.grad``, an optimizer steps.
"""

import numpy as np

from .tensor import Tensor, leaky_relu, relu, sigmoid, softmax_cross_entropy, tanh

ACTIVATIONS = {None: lambda x: x, "relu": relu, "leaky_relu": leaky_relu, "sigmoid": sigmoid, "tanh": tanh}


class Dense:
    """activation(x @ W + b), with W of shape (in_features, out_features), Glorot-uniform initialised."""

    def __init__(self, in_features, out_features, activation=None, rng=None, dtype=np.float32):
        for name, n in (("in_features", in_features), ("out_features", out_features)):
            if isinstance(n, bool) or not isinstance(n, (int, np.integer)) or n < 1:
                raise ValueError(f"{name} must be a positive int, got {n!r}")
        if activation not in ACTIVATIONS:
            raise ValueError(f"unknown activation {activation!r}; choose one of {list(ACTIVATIONS)}")
        rng = rng if rng is not None else np.random.default_rng(0)
        limit = np.sqrt(6 / (in_features + out_features))
        self.W = Tensor(
            rng.uniform(-limit, limit, (in_features, out_features)).astype(dtype),
            requires_grad=True,
            name="W",
        )
        self.b = Tensor(np.zeros(out_features, dtype), requires_grad=True, name="b")
        self.activation = activation

    def __call__(self, x):
        if x.shape[-1] != self.W.shape[0]:
            raise ValueError(f"x.shape[-1] ({x.shape[-1]}) must equal in_features ({self.W.shape[0]})")
        return ACTIVATIONS[self.activation](x @ self.W + self.b)

    def parameters(self):
        return [self.W, self.b]


class MLP:
    """Dense layers of the given sizes; ReLU between them, logits at the end."""

    def __init__(self, sizes, activation="relu", seed=0, dtype=np.float32):
        if len(sizes) < 2:
            raise ValueError(f"sizes lists the input size and at least one layer size, got {sizes!r}")
        rng = np.random.default_rng(seed)
        last = len(sizes) - 2
        self.layers = [
            Dense(n_in, n_out, None if i == last else activation, rng, dtype)
            for i, (n_in, n_out) in enumerate(zip(sizes[:-1], sizes[1:]))
        ]

    def __call__(self, x):
        x = x if isinstance(x, Tensor) else Tensor(np.asarray(x, dtype=self.layers[0].W.dtype))
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
    loss = softmax_cross_entropy(model(x), y)
    loss.backward()
    optimizer.step()
    return float(loss.value)


def accuracy(model, x, y):
    """The fraction of examples whose largest logit is the right class."""
    return float(np.mean(np.argmax(model(x).value, axis=1) == np.asarray(y)))
