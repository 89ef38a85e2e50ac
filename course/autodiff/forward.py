"""Forward-mode automatic differentiation with dual numbers.

A dual number ``a + b·ε`` with ``ε² = 0`` carries a value ``a`` and a tangent ``b``.
Expanding f(a + bε) = f(a) + f'(a)·b·ε shows that evaluating f on a dual number
computes the value and the derivative in one pass:

    (a + bε)(c + dε) = ac + (ad + bc)ε          the product rule, for free

Seed the tangent of one input with 1 (and of the others with 0) and every output's
tangent is the derivative with respect to that input: one column of the Jacobian per pass.
"""

import math

import numpy as np

from ..runtime.validate import array, function, number, size_limit
from . import floats

MAX_INPUTS = 10_000  # one forward pass per input: more would take far too long


class Dual:
    """A value and a tangent (the derivative along the seeded direction).

    Both are finite floats: a result too large for a float, or undefined (``0 ** -1``,
    ``log(-1)``, division by 0), raises ValueError.
    """

    __slots__ = ("value", "tangent")
    __array_ufunc__ = None  # array * dual: NumPy steps aside, Dual.__rmul__ answers (with a TypeError)

    def __init__(self, value, tangent=0.0):
        self.value = number(value, "a Dual's value")
        self.tangent = number(tangent, "a Dual's tangent")

    def __repr__(self):
        return f"Dual({self.value!r}, {self.tangent!r})"

    def __add__(self, other):
        other = lift(other)
        return Dual(self.value + other.value, self.tangent + other.tangent)

    __radd__ = __add__

    def __neg__(self):
        return Dual(-self.value, -self.tangent)

    def __sub__(self, other):
        return self + (-lift(other))

    def __rsub__(self, other):
        return lift(other) + (-self)

    def __mul__(self, other):
        other = lift(other)
        return Dual(self.value * other.value, self.tangent * other.value + self.value * other.tangent)

    __rmul__ = __mul__

    def __truediv__(self, other):
        other = lift(other)
        value = floats.divide(self.value, other.value)
        return Dual(value, (self.tangent - value * other.tangent) / other.value)

    def __rtruediv__(self, other):
        return lift(other) / self

    def __pow__(self, other):
        if isinstance(other, Dual):  # a^b = exp(b log a)
            return exp(other * log(self))
        n = number(other, "the exponent")
        slope = n * floats.power(self.value, n - 1) if n else 0.0  # d(a^n)/da = n a^(n-1)
        return Dual(floats.power(self.value, n), slope * self.tangent)

    def __rpow__(self, base):  # c^x = exp(x log c)
        return exp(self * floats.log(number(base, "the base")))


def lift(x):
    """A plain number becomes a constant dual number (tangent 0)."""
    return x if isinstance(x, Dual) else Dual(x, 0.0)


def _unary(f, df):
    """Make a function that works on numbers and, by the chain rule, on dual numbers."""

    def apply(x):
        if isinstance(x, Dual):
            return Dual(f(x.value), df(x.value) * x.tangent)
        return f(number(x, "x"))

    return apply


def _sigmoid(x):
    return 1 / (1 + math.exp(-x)) if x >= 0 else math.exp(x) / (1 + math.exp(x))


exp = _unary(floats.exp, floats.exp)
log = _unary(floats.log, lambda x: 1 / x)
sin = _unary(math.sin, math.cos)
cos = _unary(math.cos, lambda x: -math.sin(x))
tanh = _unary(math.tanh, lambda x: 1 - math.tanh(x) ** 2)
sigmoid = _unary(_sigmoid, lambda x: _sigmoid(x) * (1 - _sigmoid(x)))


def derivative(f, x):
    """f'(x) of a function of one number: one forward pass with tangent 1."""
    f = function(f, "f")
    x = number(x, "x")
    return lift(f(Dual(x, 1.0))).tangent


def _as_vector(x, name):
    """``x`` as a float vector of finite numbers, at most :data:`MAX_INPUTS` long."""
    x = array(x, name, ndim=1, finite=True).astype(np.float64)
    size_limit(len(x), f"the length of {name}", MAX_INPUTS)
    return x


def jvp(f, x, v):
    """Jacobian-vector product: (f(x), J(x) @ v) in ONE forward pass.

    ``f`` maps a list of numbers to a list (or a single number); ``x`` and ``v`` are vectors.
    """
    f = function(f, "f")
    x = _as_vector(x, "x")
    v = _as_vector(v, "v")
    if x.shape != v.shape:
        raise ValueError(f"x.shape {x.shape} and v.shape {v.shape} must be equal")
    outputs = f([Dual(xi, vi) for xi, vi in zip(x, v)])
    outputs = [lift(y) for y in (outputs if isinstance(outputs, (list, tuple)) else [outputs])]
    return np.array([y.value for y in outputs]), np.array([y.tangent for y in outputs])


def jacobian(f, x):
    """The Jacobian of f at x, one column per forward pass (n passes for n inputs)."""
    f = function(f, "f")
    x = _as_vector(x, "x")
    if len(x) == 0:
        raise ValueError("x must hold at least one number, got an empty vector")
    columns = []
    for i in range(len(x)):
        seed = np.zeros(len(x))
        seed[i] = 1.0  # tangent 1 for input i, 0 for the others
        columns.append(jvp(f, x, seed)[1])
    return np.stack(columns, axis=1)
