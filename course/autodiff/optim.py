"""Optimizers written from scratch: each update rule is a small pure function.

Every ``*_step`` function takes the weights ``w``, their gradient ``g`` and the
optimizer's state, and returns the new weights and the new state. The classes
below apply a rule to every parameter of a model (tensors with ``.grad``).

    SGD        w <- w - lr g
    momentum   v <- beta v - lr g;             w <- w + v           (a ball that keeps rolling)
    Adagrad    s <- s + g^2;                   w <- w - lr g / (sqrt(s) + eps)  (steps shrink for good)
    RMSProp    s <- rho s + (1 - rho) g^2;     w <- w - lr g / (sqrt(s) + eps)
    Adam       m <- b1 m + (1 - b1) g;  v <- b2 v + (1 - b2) g^2    (momentum + RMSProp)
               w <- w - lr m_hat / (sqrt(v_hat) + eps),  m_hat = m / (1 - b1^t), v_hat = v / (1 - b2^t)
"""

import numpy as np

from ..runtime.validate import array, fraction, integer, items, number
from .tensor import Tensor


def _same_shape(value, name, w):
    """``value`` (a gradient or a piece of optimizer state) as an array shaped like the weights ``w``."""
    value = array(value, name)
    if value.shape != w.shape:
        raise ValueError(f"{name} must have the shape of w, {w.shape}, got shape {value.shape}")
    return value


def sgd_step(w, g, learning_rate):
    """Plain gradient descent: a step against the gradient."""
    w = array(w, "w")
    g = _same_shape(g, "g", w)
    learning_rate = number(learning_rate, "learning_rate", positive=True)
    return w - learning_rate * g


def momentum_step(w, g, velocity, learning_rate, momentum=0.9):
    """Returns (w, velocity): the velocity remembers past steps, the weights follow it."""
    w = array(w, "w")
    g = _same_shape(g, "g", w)
    velocity = _same_shape(velocity, "velocity", w)
    learning_rate = number(learning_rate, "learning_rate", positive=True)
    momentum = fraction(momentum, "momentum")
    velocity = momentum * velocity - learning_rate * g
    return w + velocity, velocity


def adagrad_step(w, g, square_sum, learning_rate, epsilon=1e-7):
    """Returns (w, square_sum): each weight's step is scaled by all its past gradients, so steps only shrink."""
    w = array(w, "w")
    g = _same_shape(g, "g", w)
    square_sum = _same_shape(square_sum, "square_sum", w)
    learning_rate = number(learning_rate, "learning_rate", positive=True)
    epsilon = number(epsilon, "epsilon", positive=True)
    square_sum = square_sum + g * g
    return w - learning_rate * g / (np.sqrt(square_sum) + epsilon), square_sum


def rmsprop_step(w, g, mean_square, learning_rate, rho=0.9, epsilon=1e-7):
    """Returns (w, mean_square): each weight's step is scaled by its recent gradient size."""
    w = array(w, "w")
    g = _same_shape(g, "g", w)
    mean_square = _same_shape(mean_square, "mean_square", w)
    learning_rate = number(learning_rate, "learning_rate", positive=True)
    rho = fraction(rho, "rho")
    epsilon = number(epsilon, "epsilon", positive=True)
    mean_square = rho * mean_square + (1 - rho) * g * g
    return w - learning_rate * g / (np.sqrt(mean_square) + epsilon), mean_square


def adam_step(w, g, m, v, t, learning_rate, beta_1=0.9, beta_2=0.999, epsilon=1e-7):
    """Returns (w, m, v) after step number ``t`` (counting from 1)."""
    w = array(w, "w")
    g = _same_shape(g, "g", w)
    m = _same_shape(m, "m", w)
    v = _same_shape(v, "v", w)
    t = integer(t, "t (the step count, from 1)", minimum=1)
    learning_rate = number(learning_rate, "learning_rate", positive=True)
    beta_1 = fraction(beta_1, "beta_1")
    beta_2 = fraction(beta_2, "beta_2")
    epsilon = number(epsilon, "epsilon", positive=True)
    m = beta_1 * m + (1 - beta_1) * g
    v = beta_2 * v + (1 - beta_2) * g * g
    m_hat, v_hat = m / (1 - beta_1**t), v / (1 - beta_2**t)
    return w - learning_rate * m_hat / (np.sqrt(v_hat) + epsilon), m, v


def _parameters(params):
    """``params`` as a non-empty list of distinct Tensors.

    A Tensor listed twice is refused (as PyTorch refuses a parameter in two groups): every step
    would update it twice, with twice the learning rate and two sets of state.
    """
    params = items(params, "params", Tensor, "a Tensor (e.g. from model.parameters())")
    if not params:
        raise ValueError("params is empty: the optimizer has nothing to update")
    first = {}
    for index, p in enumerate(params):
        if id(p) in first:
            raise ValueError(
                f"params[{index}] is the same Tensor as params[{first[id(p)]}]: list each parameter once, "
                "or every step would update it twice"
            )
        first[id(p)] = index
    return list(params)


class Optimizer:
    """Updates ``params`` (Tensors with ``.value`` and ``.grad``) in place; keeps per-parameter state.

    Subclasses define ``initial_state(w)`` (a tuple of arrays shaped like ``w``) and
    ``update(w, g, *state)``, which returns the new weights followed by the new state.
    """

    def __init__(self, params, learning_rate):
        self.params = _parameters(params)
        self.learning_rate = number(learning_rate, "learning_rate", positive=True)
        self.iterations = 0
        self.state = [self.initial_state(p.value) for p in self.params]

    def initial_state(self, w):
        array(w, "w")
        return ()

    def step(self):
        """One update of every parameter from its current ``.grad``.

        All or nothing: when one parameter cannot be updated (no gradient, a gradient of the
        wrong shape) none is, and the step count stays as it was.
        """
        for i, p in enumerate(self.params):
            if p.grad is None:
                raise ValueError(
                    f"parameter {i} ({p.name or p.shape}) has no gradient: call loss.backward() first"
                )
        self.iterations += 1
        try:
            updates = [self.update(p.value, p.grad, *state) for p, state in zip(self.params, self.state)]
        except BaseException:
            self.iterations -= 1
            raise
        for i, (p, (new_w, *state)) in enumerate(zip(self.params, updates)):
            p.value[...] = new_w
            self.state[i] = state

    def update(self, w, g, *state):
        raise NotImplementedError


class SGD(Optimizer):
    """Gradient descent, with optional momentum (Keras's definition)."""

    def __init__(self, params, learning_rate=0.01, momentum=0.0):
        self.momentum = fraction(momentum, "momentum")
        super().__init__(params, learning_rate)

    def initial_state(self, w):
        return (np.zeros_like(array(w, "w")),) if self.momentum else ()

    def update(self, w, g, velocity=None):
        """Returns ``(w,)``, or ``(w, velocity)`` with momentum (which needs the ``velocity`` from the last step)."""
        if not self.momentum:
            return (sgd_step(w, g, self.learning_rate),)
        if velocity is None:
            raise ValueError("velocity is needed with momentum: start from initial_state(w)[0]")
        return momentum_step(w, g, velocity, self.learning_rate, self.momentum)


class Adagrad(Optimizer):
    def __init__(self, params, learning_rate=0.01, epsilon=1e-7):
        self.epsilon = number(epsilon, "epsilon", positive=True)
        super().__init__(params, learning_rate)

    def initial_state(self, w):
        return (np.zeros_like(array(w, "w")),)

    def update(self, w, g, square_sum):
        return adagrad_step(w, g, square_sum, self.learning_rate, self.epsilon)


class RMSProp(Optimizer):
    def __init__(self, params, learning_rate=0.001, rho=0.9, epsilon=1e-7):
        self.rho = fraction(rho, "rho")
        self.epsilon = number(epsilon, "epsilon", positive=True)
        super().__init__(params, learning_rate)

    def initial_state(self, w):
        return (np.zeros_like(array(w, "w")),)

    def update(self, w, g, mean_square):
        return rmsprop_step(w, g, mean_square, self.learning_rate, self.rho, self.epsilon)


class Adam(Optimizer):
    def __init__(self, params, learning_rate=0.001, beta_1=0.9, beta_2=0.999, epsilon=1e-7):
        self.beta_1 = fraction(beta_1, "beta_1")
        self.beta_2 = fraction(beta_2, "beta_2")
        self.epsilon = number(epsilon, "epsilon", positive=True)
        super().__init__(params, learning_rate)

    def initial_state(self, w):
        w = array(w, "w")
        return (np.zeros_like(w), np.zeros_like(w))

    def update(self, w, g, m, v):
        t = max(self.iterations, 1)  # the step in progress (called by hand before any step: the first)
        return adam_step(w, g, m, v, t, self.learning_rate, self.beta_1, self.beta_2, self.epsilon)
