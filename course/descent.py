"""Gradient descent you can watch: 1-D and 2-D loss surfaces, learning rates, momentum,
and mini-batch vs true vs batch SGD on a small regression.

The logic is plain functions returning arrays or matplotlib Figures; the
``*_explorer`` functions are :class:`course.explorer.Explorer` views over them.
"""

import numpy as np

from .autodiff.optim import momentum_step, sgd_step
from .autodiff.tensor import Tensor
from .plots import subplots
from .runtime.validate import array, choice, fraction, function, integer, number

MAX_STEPS = 100_000  # far more than any picture needs; a path of 10**9 steps would never end
MAX_EXAMPLES = 10**6

SURFACES_1D = {  # name: (loss, gradient, start)
    "bowl: w²": (lambda w: w**2, lambda w: 2 * w, 2.0),
    "two valleys: w⁴ - 3w² + w": (lambda w: w**4 - 3 * w**2 + w, lambda w: 4 * w**3 - 6 * w + 1, 2.0),
}


def _points(w):
    """``w`` as an array of 2-D points: shape (..., 2)."""
    w = array(w, "w", min_ndim=1)
    if w.shape[-1] != 2:
        raise ValueError(f"w must hold 2-D points, shape (..., 2), got shape {w.shape}")
    return w


def ravine(w):
    """A 2-D bowl ten times steeper along y than along x: 0.5 (x² + 10 y²)."""
    w = _points(w)
    return 0.5 * (w[..., 0] ** 2 + 10 * w[..., 1] ** 2)


def ravine_gradient(w):
    """The gradient of :func:`ravine`: (x, 10 y)."""
    w = _points(w)
    return np.stack([w[..., 0], 10 * w[..., 1]], axis=-1)


def gradient_descent(gradient, start, learning_rate, steps, momentum=0.0):
    """The path of gradient descent (with optional momentum): an array of steps + 1 positions.

    The path stops early once a position is no longer finite or leaves the box
    ``|w| <= 1e6``: the descent diverged, and its last position says so.
    """
    gradient = function(gradient, "gradient")
    start = array(start, "start", finite=True)
    learning_rate = number(learning_rate, "learning_rate", positive=True)
    steps = integer(steps, "steps", minimum=0, maximum=MAX_STEPS)
    momentum = fraction(momentum, "momentum")
    w = np.array(start, dtype=np.float64)
    velocity = np.zeros_like(w)
    path = [w]
    with np.errstate(over="ignore", invalid="ignore"):
        for _ in range(steps):
            g = array(gradient(w), "gradient(w)")
            w, velocity = (
                momentum_step(w, g, velocity, learning_rate, momentum)
                if momentum
                else (sgd_step(w, g, learning_rate), velocity)
            )
            path.append(w)
            if not np.all(np.isfinite(w)) or np.max(np.abs(w)) > 1e6:
                break  # diverged: stop before the numbers overflow
    return np.array(path)


def verdict(path):
    """'diverges', 'oscillates' or 'converges': how a descent path behaved.

    Diverges: it ends farther from 0 than it started (every surface here has its
    minima near 0). Oscillates: along some coordinate, most steps reverse the previous one.
    """
    path = array(path, "path", min_ndim=1)
    if len(path) == 0:
        raise ValueError("path must hold at least one position, got an empty path")
    flat = path.reshape(len(path), -1)
    distance = np.linalg.norm(flat, axis=1)
    if not np.all(np.isfinite(distance)) or distance[-1] > distance[0]:
        return "diverges"
    steps = np.diff(flat, axis=0)
    reversals = np.sum(steps[1:] * steps[:-1] < 0, axis=0)
    return "oscillates" if len(steps) > 1 and np.max(reversals) > (len(steps) - 1) // 2 else "converges"


def plot_descent_1d(surface="bowl: w²", learning_rate=0.1, momentum=0.0, steps=20):
    """The loss curve and the points gradient descent visits on it."""
    surface = choice(surface, "surface", SURFACES_1D)
    loss, gradient, start = SURFACES_1D[surface]
    path = gradient_descent(gradient, start, learning_rate, steps, momentum)
    w = np.linspace(-2.5, 2.5, 300)
    fig, ax = subplots(figsize=(7, 3.8))
    ax.plot(w, loss(w), color="0.3")
    shown = path[np.abs(path) < 2.5]
    ax.plot(shown, loss(shown), "o-", color="tab:red", ms=4, lw=0.8, alpha=0.8)
    ax.set_ylim(min(loss(w)) - 0.5, max(loss(w)) * 0.8)
    ax.set_xlabel("weight w")
    ax.set_ylabel("loss")
    ending = "left the picture" if verdict(path) == "diverges" else f"ends at w = {path[-1]:.3f}"
    ax.set_title(f"lr={learning_rate:g}, momentum={momentum:g}: {verdict(path)}, {ending}", fontsize=10)
    return fig


def plot_descent_2d(learning_rate=0.05, momentum=0.0, steps=40):
    """Gradient descent on the ravine 0.5 (x² + 10 y²), drawn over its contour lines."""
    path = gradient_descent(ravine_gradient, [-4.0, 1.5], learning_rate, steps, momentum)
    x, y = np.meshgrid(np.linspace(-5, 5, 200), np.linspace(-2.5, 2.5, 100))
    fig, ax = subplots(figsize=(7, 3.8))
    ax.contour(x, y, ravine(np.stack([x, y], axis=-1)), levels=20, cmap="viridis", linewidths=0.7)
    inside = path[(np.abs(path[:, 0]) < 5) & (np.abs(path[:, 1]) < 2.5)]
    ax.plot(inside[:, 0], inside[:, 1], "o-", color="tab:red", ms=3, lw=0.8)
    ax.plot([0], [0], "k*", ms=10)
    ax.set_xlabel("w₁")
    ax.set_ylabel("w₂")
    final = ravine(path[-1]) if np.all(np.isfinite(path[-1])) else np.inf
    ax.set_title(
        f"lr={learning_rate:g}, momentum={momentum:g}: {verdict(path)}, final loss {final:.3g}", fontsize=10
    )
    return fig


def learning_rate_explorer():
    """Sliders for the learning rate and momentum over a 1-D curve or the 2-D ravine (an Explorer)."""
    import ipywidgets as widgets

    from .explorer import Explorer

    def show(surface, learning_rate, momentum):
        if surface == "2-D ravine":
            return plot_descent_2d(learning_rate, momentum)
        return plot_descent_1d(surface, learning_rate, momentum)

    return Explorer(
        show,
        surface=widgets.Dropdown(options=[*SURFACES_1D, "2-D ravine"]),
        learning_rate=widgets.FloatLogSlider(value=0.1, base=10, min=-3, max=0.3, step=0.05),
        momentum=widgets.FloatSlider(value=0.0, min=0.0, max=0.95, step=0.05),
    )


def linear_data(n=256, seed=0):
    """y = 3x - 1 + noise: data for comparing batch sizes."""
    n = integer(n, "n", minimum=1, maximum=MAX_EXAMPLES)
    seed = integer(seed, "seed", minimum=0)
    rng = np.random.default_rng(seed)
    x = rng.uniform(-1, 1, (n, 1))
    return x, 3 * x - 1 + 0.3 * rng.normal(size=(n, 1))


def fit_linear(x, y, batch_size, learning_rate=0.1, updates=100, seed=0):
    """Fit y ~ x w + b with SGD on batches of ``batch_size``; returns the full-data loss after each update.

    batch_size=1 is "true" SGD, batch_size=len(x) is batch gradient descent, anything between is mini-batch SGD.
    """
    x = array(x, "x", ndim=2, finite=True).astype(np.float64)
    y = array(y, "y", ndim=2, finite=True).astype(np.float64)
    if len(x) == 0 or y.shape != (len(x), 1):
        raise ValueError(
            f"x must be (n, d) with n > 0 and y (n, 1), got x.shape {x.shape} and y.shape {y.shape}"
        )
    batch_size = integer(batch_size, "batch_size", minimum=1, maximum=len(x))
    learning_rate = number(learning_rate, "learning_rate", positive=True)
    updates = integer(updates, "updates", minimum=1, maximum=MAX_STEPS)
    seed = integer(seed, "seed", minimum=0)
    rng = np.random.default_rng(seed)
    w = Tensor(np.zeros((x.shape[1], 1)), requires_grad=True)
    b = Tensor(np.zeros(1), requires_grad=True)
    history = []
    for _ in range(updates):
        batch = rng.choice(len(x), batch_size, replace=False)  # 1. sample a batch
        prediction = Tensor(x[batch]) @ w + b  # 2. forward
        loss = ((prediction - y[batch]) ** 2).mean()  # 3. loss
        loss.backward()  # 4. backward
        for p in (w, b):  # 5. update
            p.value[...] = sgd_step(p.value, p.grad, learning_rate)
        history.append(float(np.mean((x @ w.value + b.value - y) ** 2)))
    return np.array(history)
