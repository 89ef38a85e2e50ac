"""Activation functions and their derivatives, in NumPy, safe for huge inputs.

Every function takes an array (or a number) and returns a float64 array of the
same shape. "Safe" means no overflow warning and no NaN even at ``|x| = 1e4``:
``exp`` is only ever called on numbers that are <= 0, so it can underflow to 0
(harmless) but never overflow to infinity.

Inputs must be real numbers: None, text, complex or object arrays raise
TypeError. An infinite input gives the function's limit (``sigmoid(inf)`` is 1,
``softmax([inf, 0])`` is ``[1, 0]``). A NaN in the input gives NaN in the same
place of the output (for softmax, in its whole row: it enters every entry through the sum).
"""

import numpy as np

from .runtime.validate import array, fraction, integer, number, received


def _as_float_array(x):
    """``x`` (a number or an array of real numbers) as a float64 array."""
    return array(x, "x").astype(np.float64)


def sigmoid(x):
    """1 / (1 + e^-x), computed from e^-|x| so that exp never overflows."""
    x = _as_float_array(x)
    e = np.exp(-np.abs(x))  # in (0, 1]
    return np.where(x >= 0, 1.0 / (1.0 + e), e / (1.0 + e))


def sigmoid_derivative(x):
    """sigmoid'(x) = sigmoid(x) * (1 - sigmoid(x))."""
    s = sigmoid(x)
    return s * (1.0 - s)


def relu(x):
    """max(0, x)."""
    return np.maximum(_as_float_array(x), 0.0)


def relu_derivative(x):
    """1 where x > 0, else 0 (we pick 0 at the kink x = 0, as TensorFlow does)."""
    return (_as_float_array(x) > 0).astype(np.float64)


def leaky_relu(x, alpha=0.2):
    """x for x > 0, alpha * x otherwise (alpha=0.2 like ``tf.nn.leaky_relu``)."""
    alpha = fraction(alpha, "alpha")
    x = _as_float_array(x)
    return np.where(x > 0, x, alpha * x)


def leaky_relu_derivative(x, alpha=0.2):
    """1 where x > 0, alpha otherwise."""
    alpha = fraction(alpha, "alpha")
    return np.where(_as_float_array(x) > 0, 1.0, alpha)


def prelu(x, alpha):
    """Leaky ReLU whose slope ``alpha`` is a weight the network learns (He et al., 2015).

    ``alpha`` is a number or an array that broadcasts against ``x`` (one slope per channel).
    """
    x = _as_float_array(x)
    alpha = array(alpha, "alpha", finite=True).astype(np.float64)
    try:
        np.broadcast_shapes(x.shape, alpha.shape)
    except ValueError:
        raise ValueError(
            f"alpha of shape {alpha.shape} does not broadcast against x of shape {x.shape}"
        ) from None
    return np.where(x > 0, x, alpha * x)


def rrelu(x, lower=1 / 8, upper=1 / 3, rng=None):
    """Randomized leaky ReLU: a random slope in [lower, upper] for each negative entry while training.

    With a NumPy ``rng`` (training) every entry draws its own slope; without one
    (testing) every negative entry uses the mean slope (lower + upper) / 2.
    """
    x = _as_float_array(x)
    lower, upper = fraction(lower, "lower"), fraction(upper, "upper")
    if lower > upper:
        raise ValueError(f"lower must not be larger than upper, got lower={lower} and upper={upper}")
    if rng is None:
        slope = (lower + upper) / 2
    elif isinstance(rng, np.random.Generator):
        slope = rng.uniform(lower, upper, size=x.shape)
    else:
        raise TypeError(f"rng must be a numpy.random.Generator or None, got {received(rng)}")
    return np.where(x > 0, x, slope * x)


def elu(x, alpha=1.0):
    """x for x > 0, alpha (e^x - 1) otherwise: smooth, and it lets outputs go below 0 (down to -alpha)."""
    alpha = number(alpha, "alpha", positive=True)
    x = _as_float_array(x)
    return np.where(x > 0, x, alpha * np.expm1(np.minimum(x, 0.0)))


def elu_derivative(x, alpha=1.0):
    """1 where x > 0, alpha e^x otherwise."""
    alpha = number(alpha, "alpha", positive=True)
    x = _as_float_array(x)
    return np.where(x > 0, 1.0, alpha * np.exp(np.minimum(x, 0.0)))


def tanh(x):
    """(e^x - e^-x) / (e^x + e^-x); NumPy's tanh is already stable."""
    return np.tanh(_as_float_array(x))


def tanh_derivative(x):
    """tanh'(x) = 1 - tanh(x)^2."""
    return 1.0 - np.tanh(_as_float_array(x)) ** 2


def softmax(x, axis=-1):
    """e^x / sum(e^x) along ``axis``, after subtracting the maximum (which changes nothing).

    Infinite entries give softmax's limit, as sigmoid(inf) gives 1: ``[inf, 0]`` gives
    ``[1, 0]``, and the entries equal to an infinite maximum share the whole mass
    (``[inf, inf, 0]`` gives ``[0.5, 0.5, 0]``; a row of only ``-inf`` gives equal shares).
    A NaN makes its whole row NaN (it enters every entry through the sum).
    """
    x = _as_float_array(x)
    if x.ndim == 0:
        raise ValueError("softmax needs at least one axis to normalise over, got a scalar")
    axis = integer(axis, "axis", minimum=-x.ndim, maximum=x.ndim - 1)
    if x.shape[axis] == 0:
        raise ValueError(f"softmax needs at least one entry along axis {axis}, got shape {x.shape}")
    top = x.max(axis=axis, keepdims=True)
    infinite = np.isinf(top)  # rows whose maximum is inf, or that hold only -inf
    shifted = x - np.where(infinite, 0.0, top)  # every exponent <= 0 where the maximum is finite
    e = np.where(infinite, x == top, np.exp(np.where(infinite, 0.0, shifted)))
    return e / e.sum(axis=axis, keepdims=True)


def softmax_jacobian(x):
    """The Jacobian of softmax over the last axis: diag(s) - s s^T.

    For x of shape (k,) the result is (k, k); for a batch (n, k) it is (n, k, k).
    """
    x = _as_float_array(x)
    if x.ndim not in (1, 2):
        raise ValueError(f"softmax_jacobian takes shape (k,) or (n, k), got shape {x.shape}")
    s = softmax(x)
    eye = np.eye(s.shape[-1])
    return s[..., :, None] * eye - s[..., :, None] * s[..., None, :]
