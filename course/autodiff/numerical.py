"""Numerical differentiation: the derivative from its definition, with a small step h.

    forward difference   f'(x) ~ (f(x + h) - f(x)) / h                error ~ h      (truncation)
    central difference   f'(x) ~ (f(x + h) - f(x - h)) / (2h)         error ~ h^2    (truncation)

Both also suffer rounding error ~ eps / h (eps ~ 1e-16 for float64): subtracting two
nearly equal numbers loses digits, and dividing by a tiny h magnifies the loss.
Too big an h: truncation error. Too small: rounding error. The best h sits between.
"""

import numpy as np

from ..runtime.validate import array, function, number, size_limit

MAX_EVALUATIONS = 10**6  # calls of f for one gradient or one error curve


def _scalar(f, x):
    """``f(x)``, which must be one finite number (a float, or an array holding one)."""
    value = array(f(x), "f(x)", finite=True)
    if value.size != 1:
        raise ValueError(f"f(x) must be a single number, got an array of shape {value.shape}")
    return float(value.item())


def forward_difference(f, x, h=1e-6):
    """(f(x + h) - f(x)) / h: one extra evaluation, error of order h."""
    f = function(f, "f")
    x = number(x, "x")
    h = number(h, "h", positive=True)
    return (_scalar(f, x + h) - _scalar(f, x)) / h


def central_difference(f, x, h=1e-5):
    """(f(x + h) - f(x - h)) / (2h): symmetric, error of order h^2."""
    f = function(f, "f")
    x = number(x, "x")
    h = number(h, "h", positive=True)
    return (_scalar(f, x + h) - _scalar(f, x - h)) / (2 * h)


def numerical_gradient(f, x, h=1e-5):
    """The gradient of a scalar function ``f`` of an array ``x``, one central difference per entry.

    Costs 2 * x.size evaluations of f: fine for checking, far too slow for training.
    """
    f = function(f, "f")
    x = array(x, "x", finite=True).astype(np.float64)  # a copy we may poke
    h = number(h, "h", positive=True)
    size_limit(2 * x.size, "the number of evaluations of f (2 * x.size)", MAX_EVALUATIONS)
    grad = np.zeros_like(x)
    for index in np.ndindex(x.shape):
        saved = x[index]
        x[index] = saved + h
        up = _scalar(f, x)
        x[index] = saved - h
        down = _scalar(f, x)
        x[index] = saved
        grad[index] = (up - down) / (2 * h)
    return grad


def relative_error(a, b):
    """max |a - b| / max(1, |a|, |b|): near 0 when two gradients agree."""
    a = array(a, "a", finite=True).astype(np.float64)
    b = array(b, "b", finite=True).astype(np.float64)
    if a.shape != b.shape:
        raise ValueError(f"cannot compare gradients of shapes {a.shape} and {b.shape}")
    scale = max(1.0, float(np.max(np.abs(a), initial=0)), float(np.max(np.abs(b), initial=0)))
    return float(np.max(np.abs(a - b), initial=0)) / scale


def gradient_check(f, grad, x, tolerance=1e-6):
    """Compare an analytic gradient ``grad(x)`` with central differences of ``f`` at ``x``.

    Returns ``(ok, error)``: the relative error and whether it is below ``tolerance``.
    """
    f = function(f, "f")
    grad = function(grad, "grad")
    x = array(x, "x", finite=True).astype(np.float64)
    tolerance = number(tolerance, "tolerance", positive=True)
    error = relative_error(array(grad(x.copy()), "grad(x)"), numerical_gradient(f, x))
    return error < tolerance, error


def difference_errors(f, derivative, x, steps):
    """Absolute errors of the forward and central differences of f at x for each step h.

    Returns a dict with arrays ``h``, ``forward`` and ``central`` (for a log-log plot).
    """
    f = function(f, "f")
    derivative = function(derivative, "derivative")
    x = number(x, "x")
    steps = array(steps, "steps", ndim=1, finite=True).astype(np.float64)
    if len(steps) == 0 or not np.all(steps > 0):
        raise ValueError(f"steps must be a non-empty list of positive numbers, got {steps!r}")
    size_limit(3 * len(steps), "the number of evaluations of f (3 per step)", MAX_EVALUATIONS)
    exact = _scalar(derivative, x)
    forward = np.array([abs(forward_difference(f, x, h) - exact) for h in steps])
    central = np.array([abs(central_difference(f, x, h) - exact) for h in steps])
    return {"h": steps, "forward": forward, "central": central}
