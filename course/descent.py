"""Gradient descent you can watch: 1-D and 2-D loss surfaces, learning rates, momentum,
and mini-batch vs true vs batch SGD on a small regression; a two-layer MLP with its
backward pass written by hand in NumPy and trained by mini-batch SGD; weight
initialisations and how the signal spreads through a deep MLP.

The logic is plain functions returning arrays or matplotlib Figures; the
``*_explorer`` functions are :class:`course.explorer.Explorer` views over them.
"""

import numpy as np

from .autodiff.optim import momentum_step, sgd_step
from .autodiff.tensor import Tensor
from .plots import subplots
from .runtime.validate import array, choice, fraction, function, integer, number, received

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


# ---------------------------------------------------------------------------
# A two-layer MLP by hand: forward, softmax cross-entropy, backward, training loop
# ---------------------------------------------------------------------------

PARAMETER_NAMES = ("W1", "b1", "W2", "b2")
MAX_EPOCHS = 10_000


def _generator(rng):
    if not isinstance(rng, np.random.Generator):
        raise TypeError(
            f"rng must be a numpy.random.Generator (np.random.default_rng(seed)), got {received(rng)}"
        )
    return rng


def he_normal(fan_in, fan_out, rng):
    """Weights of shape (fan_in, fan_out) drawn from N(0, 2 / fan_in): He initialisation, for ReLU."""
    fan_in = integer(fan_in, "fan_in", minimum=1, maximum=MAX_EXAMPLES)
    fan_out = integer(fan_out, "fan_out", minimum=1, maximum=MAX_EXAMPLES)
    return _generator(rng).normal(0.0, np.sqrt(2.0 / fan_in), size=(fan_in, fan_out))


def glorot_normal(fan_in, fan_out, rng):
    """Weights drawn from N(0, 2 / (fan_in + fan_out)): Glorot (Xavier) initialisation, for tanh and sigmoid."""
    fan_in = integer(fan_in, "fan_in", minimum=1, maximum=MAX_EXAMPLES)
    fan_out = integer(fan_out, "fan_out", minimum=1, maximum=MAX_EXAMPLES)
    return _generator(rng).normal(0.0, np.sqrt(2.0 / (fan_in + fan_out)), size=(fan_in, fan_out))


def standard_normal(fan_in, fan_out, rng):
    """Weights drawn from N(0, 1), whatever the layer's size: the naive choice."""
    fan_in = integer(fan_in, "fan_in", minimum=1, maximum=MAX_EXAMPLES)
    fan_out = integer(fan_out, "fan_out", minimum=1, maximum=MAX_EXAMPLES)
    return _generator(rng).normal(0.0, 1.0, size=(fan_in, fan_out))


def init_mlp(n_inputs, n_hidden, n_classes, rng, init=he_normal):
    """The parameters of a two-layer MLP, a dict W1 (n_inputs, n_hidden), b1, W2 (n_hidden, n_classes), b2.

    Weights come from ``init(fan_in, fan_out, rng)``; biases start at zero.
    """
    n_inputs = integer(n_inputs, "n_inputs", minimum=1, maximum=MAX_EXAMPLES)
    n_hidden = integer(n_hidden, "n_hidden", minimum=1, maximum=MAX_EXAMPLES)
    n_classes = integer(n_classes, "n_classes", minimum=2, maximum=MAX_EXAMPLES)
    rng = _generator(rng)
    init = function(init, "init")
    return {
        "W1": array(init(n_inputs, n_hidden, rng), "init(n_inputs, n_hidden, rng)").astype(np.float64),
        "b1": np.zeros(n_hidden),
        "W2": array(init(n_hidden, n_classes, rng), "init(n_hidden, n_classes, rng)").astype(np.float64),
        "b2": np.zeros(n_classes),
    }


def _mlp(params, x, y=None):
    """Checked ``params``, ``x`` (and integer labels ``y``) of a two-layer MLP."""
    if not isinstance(params, dict) or sorted(params) != sorted(PARAMETER_NAMES):
        raise TypeError(
            f"params must be a dict with the keys {', '.join(PARAMETER_NAMES)}, got {received(params)}"
        )
    w1, b1 = array(params["W1"], "W1", ndim=2, finite=True), array(params["b1"], "b1", ndim=1, finite=True)
    w2, b2 = array(params["W2"], "W2", ndim=2, finite=True), array(params["b2"], "b2", ndim=1, finite=True)
    if not (len(b1) == w1.shape[1] == w2.shape[0] and len(b2) == w2.shape[1]):
        raise ValueError(
            f"the parameter shapes do not fit together: W1 {w1.shape}, b1 {b1.shape}, W2 {w2.shape}, b2 {b2.shape}"
        )
    x = array(x, "x", ndim=2, finite=True)
    if x.shape[1] != w1.shape[0] or len(x) == 0:
        raise ValueError(f"x must have shape (n, {w1.shape[0]}) with n > 0, got shape {x.shape}")
    if y is None:
        return (w1, b1, w2, b2), x
    y = array(y, "y", ndim=1)
    if not np.issubdtype(y.dtype, np.integer) or len(y) != len(x) or y.min() < 0 or y.max() >= len(b2):
        raise ValueError(f"y must hold {len(x)} integer labels from 0 to {len(b2) - 1}, got {received(y)}")
    return (w1, b1, w2, b2), x, y


def mlp_logits(params, x):
    """The logits of the MLP for a batch x: relu(x W1 + b1) W2 + b2."""
    (w1, b1, w2, b2), x = _mlp(params, x)
    return np.maximum(x @ w1 + b1, 0.0) @ w2 + b2


def mlp_loss_and_grads(params, x, y):
    """The mean softmax cross-entropy of the MLP on (x, y), and its gradient: ``(loss, grads)``.

    ``grads`` is a dict with the keys of ``params``, each of its parameter's shape.
    """
    (w1, b1, w2, b2), x, y = _mlp(params, x, y)
    n = len(x)
    z1 = x @ w1 + b1  # forward: pre-activation, activation, logits
    h = np.maximum(z1, 0.0)
    logits = h @ w2 + b2
    shifted = logits - logits.max(axis=1, keepdims=True)  # a stable softmax and log-softmax
    log_p = shifted - np.log(np.exp(shifted).sum(axis=1, keepdims=True))
    loss = -log_p[np.arange(n), y].mean()
    delta = np.exp(log_p)  # backward: δ = (softmax - one-hot) / n
    delta[np.arange(n), y] -= 1.0
    delta /= n
    dz1 = (delta @ w2.T) * (z1 > 0)
    grads = {"W1": x.T @ dz1, "b1": dz1.sum(axis=0), "W2": h.T @ delta, "b2": delta.sum(axis=0)}
    return float(loss), grads


def mlp_accuracy(params, x, y):
    """The fraction of examples whose largest logit is at their label."""
    _, x, y = _mlp(params, x, y)
    return float(np.mean(np.argmax(mlp_logits(params, x), axis=1) == y))


def train_mlp(params, x, y, loss_and_grads, epochs, batch_size, learning_rate, rng):
    """Mini-batch SGD: returns ``(trained params, the loss of every batch)``; ``params`` is left as it is.

    Each epoch visits the examples in a new random order, in batches of
    ``batch_size`` (the last one smaller when it does not divide evenly).
    """
    _mlp(params, x, y)
    loss_and_grads = function(loss_and_grads, "loss_and_grads")
    epochs = integer(epochs, "epochs", minimum=0, maximum=MAX_EPOCHS)
    batch_size = integer(batch_size, "batch_size", minimum=1)
    learning_rate = number(learning_rate, "learning_rate", positive=True)
    rng = _generator(rng)
    params, losses = {name: np.array(value, dtype=np.float64) for name, value in params.items()}, []
    for _ in range(epochs):
        order = rng.permutation(len(x))
        for start in range(0, len(x), batch_size):
            batch = order[start : start + batch_size]  # 1. sample a batch
            loss, grads = loss_and_grads(params, x[batch], y[batch])  # 2.-4. forward, loss, backward
            params = {name: params[name] - learning_rate * grads[name] for name in params}  # 5. update
            losses.append(float(loss))
    return params, losses


# ---------------------------------------------------------------------------
# Initialisation and gradient flow in a deep MLP
# ---------------------------------------------------------------------------

SPREAD_ACTIVATIONS = {  # name: (g, g')
    "sigmoid": (lambda z: 1 / (1 + np.exp(-z)), lambda z: np.exp(-z) / (1 + np.exp(-z)) ** 2),
    "tanh": (np.tanh, lambda z: 1 - np.tanh(z) ** 2),
    "relu": (lambda z: np.maximum(z, 0.0), lambda z: (z > 0).astype(np.float64)),
}


def layer_spreads(activation, init, depth=20, width=100, batch=100, seed=0):
    """How the signal spreads through a deep MLP at the start of training.

    A batch of N(0, 1) inputs goes forward through ``depth`` layers of ``width``
    units (weights from ``init(fan_in, fan_out, rng)``, no biases); a random
    adjoint at the output goes back. Returns a dict of two arrays, one value per
    layer: ``activations`` (the standard deviation of each layer's output) and
    ``gradients`` (that of each layer's weight gradient).
    """
    g, g_prime = SPREAD_ACTIVATIONS[choice(activation, "activation", SPREAD_ACTIVATIONS)]
    init = function(init, "init")
    depth = integer(depth, "depth", minimum=1, maximum=1000)
    width = integer(width, "width", minimum=1, maximum=10_000)
    batch = integer(batch, "batch", minimum=2, maximum=10_000)
    rng = np.random.default_rng(integer(seed, "seed", minimum=0))
    a = rng.normal(size=(batch, width))
    inputs, pre_activations, weights, spreads = [], [], [], []
    with np.errstate(over="ignore", under="ignore", invalid="ignore"):
        for _ in range(depth):
            w = array(init(width, width, rng), "init(width, width, rng)", ndim=2)
            if w.shape != (width, width):
                raise ValueError(f"init(width, width, rng) must have shape {(width, width)}, got {w.shape}")
            inputs.append(a)
            weights.append(w)
            pre_activations.append(a @ w)
            a = g(pre_activations[-1])
            spreads.append(a.std())
        adjoint, gradients = rng.normal(size=a.shape), []
        for a_in, z, w in zip(reversed(inputs), reversed(pre_activations), reversed(weights)):
            adjoint = adjoint * g_prime(z)
            gradients.append((a_in.T @ adjoint).std())
            adjoint = adjoint @ w.T
    return {"activations": np.array(spreads), "gradients": np.array(gradients[::-1])}
