"""Numerical differentiation: the derivative from its definition, with a small step h.

    forward difference   f'(x) ~ (f(x + h) - f(x)) / h                error ~ h      (truncation)
    central difference   f'(x) ~ (f(x + h) - f(x - h)) / (2h)         error ~ h^2    (truncation)

Both also suffer rounding error ~ eps / h (eps ~ 1e-16 for float64): subtracting two
nearly equal numbers loses digits, and dividing by a tiny h magnifies the loss.
Too big an h: truncation error. Too small: rounding error. The best h sits between.
"""

import numpy as np


def _check_step(h):
    if isinstance(h, bool) or not isinstance(h, (int, float, np.floating)) or not h > 0:
        raise ValueError(f"the step h must be a positive number, got {h!r}")


def forward_difference(f, x, h=1e-6):
    """(f(x + h) - f(x)) / h: one extra evaluation, error of order h."""
    _check_step(h)
    return (f(x + h) - f(x)) / h


def central_difference(f, x, h=1e-5):
    """(f(x + h) - f(x - h)) / (2h): symmetric, error of order h^2."""
    _check_step(h)
    return (f(x + h) - f(x - h)) / (2 * h)


def numerical_gradient(f, x, h=1e-5):
    """The gradient of a scalar function ``f`` of an array ``x``, one central difference per entry.

    Costs 2 * x.size evaluations of f: fine for checking, far too slow for training.
    """
    _check_step(h)
    x = np.array(x, dtype=np.float64)  # a copy we may poke
    grad = np.zeros_like(x)
    for index in np.ndindex(x.shape):
        saved = x[index]
        x[index] = saved + h
        up = float(f(x))
        x[index] = saved - h
        down = float(f(x))
        x[index] = saved
        grad[index] = (up - down) / (2 * h)
    return grad


def relative_error(a, b):
    """max |a - b| / max(1, |a|, |b|): near 0 when two gradients agree."""
    a, b = np.asarray(a, dtype=np.float64), np.asarray(b, dtype=np.float64)
    if a.shape != b.shape:
        raise ValueError(f"cannot compare gradients of shapes {a.shape} and {b.shape}")
    scale = max(1.0, float(np.max(np.abs(a), initial=0)), float(np.max(np.abs(b), initial=0)))
    return float(np.max(np.abs(a - b), initial=0)) / scale


def gradient_check(f, grad, x, tolerance=1e-6):
    """Compare an analytic gradient ``grad(x)`` with central differences of ``f`` at ``x``.

    Returns ``(ok, error)``: the relative error and whether it is below ``tolerance``.
    """
    error = relative_error(grad(np.array(x, dtype=np.float64)), numerical_gradient(f, x))
    return error < tolerance, error


def difference_errors(f, derivative, x, steps):
    """Absolute errors of the forward and central differences of f at x for each step h.

    Returns a dict with arrays ``h``, ``forward`` and ``central`` (for a log-log plot).
    """
    steps = np.asarray(steps, dtype=np.float64)
    if steps.ndim != 1 or not np.all(steps > 0):
        raise ValueError(f"steps must be a 1-D array of positive numbers, got {steps!r}")
    exact = derivative(x)
    forward = np.array([abs(forward_difference(f, x, h) - exact) for h in steps])
    central = np.array([abs(central_difference(f, x, h) - exact) for h in steps])
    return {"h": steps, "forward": forward, "central": central}
