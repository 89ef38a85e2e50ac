"""Exercises and quizzes of 04_gradient_descent: descent with momentum and with Adam, backpropagation by hand,
He initialisation, a training loop."""

import numpy as np

from .. import judging
from ..framework import exercise
from ..judging import Wrong
from ..probing import Shortcut, observe
from ..quizzes import multiple_choice

ADAM_BETA_1, ADAM_BETA_2, ADAM_EPSILON = 0.9, 0.999, 1e-7
# The exercises ask for the update rules in NumPy: the course's optimizers and the libraries' are off.
LIBRARIES = ("optim", "keras", "tensorflow", "tf", "torch")


# ---------------------------------------------------------------------------
# 04.1 momentum_descent and 04.2 adam_descent: optimizer loops
# ---------------------------------------------------------------------------


def _bowl_case(rng, learning_rates):
    """A random quadratic bowl L(w) = ½ wᵀAw - bᵀw in 1 to 3 dimensions, a start and a learning rate."""
    d = int(rng.integers(1, 4))
    q, _ = np.linalg.qr(rng.normal(size=(d, d)))
    a = q @ np.diag(rng.uniform(0.5, 4.0, size=d)) @ q.T
    return {
        "A": (a + a.T) / 2,
        "b": rng.normal(size=d),
        "w": rng.normal(size=d) * 2,
        "learning_rate": round(float(rng.uniform(*learning_rates)), 3),
        "steps": int(rng.integers(5, 25)),
    }


def _momentum_cases(rng):
    cases = [_bowl_case(rng, (0.02, 0.2)) for _ in range(4)]
    for case in cases:
        case["momentum"] = round(float(rng.uniform(0.5, 0.9)), 3)
    return cases


def _adam_cases(rng):
    return [_bowl_case(rng, (0.02, 0.3)) for _ in range(4)]


def _descent_probe(answer, case, *settings):
    a, b = case["A"], case["b"]
    calls = []

    def gradient(w):
        calls.append(1)
        return a @ np.asarray(w, dtype=float) - b

    path = answer(gradient, case["w"], case["learning_rate"], *settings, case["steps"])
    return {"path": observe(path), "calls": len(calls)}


def _run(case, update, state):
    """A path of ``case["steps"]`` steps of ``update(w, g, t, *state) -> (w, *state)`` from the case's start."""
    path = [np.array(case["w"], dtype=float)]
    for t in range(1, case["steps"] + 1):
        w, *state = update(path[-1], case["A"] @ path[-1] - case["b"], t, *state)
        path.append(w)
    return np.array(path)


def _judge_path(case, seen, name, want, mistakes, not_finite=""):
    steps, d = case["steps"], len(case["w"])
    what = f"{name} on a bowl in {d}-D, {steps} steps"
    value = seen["path"].get("value")
    if isinstance(value, np.ndarray) and value.dtype.kind == "f" and not np.all(np.isfinite(value)):
        raise Wrong(f"the path from {what} holds NaN or infinity{not_finite}.")
    path = judging.array(seen["path"], f"the path from {what}")
    if path.shape == (steps, d) and np.allclose(path, want[1:]):
        raise Wrong(
            f"{what}: the path should begin with the starting point, then hold one position per step."
        )
    if path.shape == (d,) and np.allclose(path, want[-1]):
        raise Wrong(f"{what} returned only the last position; return the whole path, the start first.")
    if path.shape != want.shape:
        raise Wrong(
            f"the path from {what} should have shape {want.shape} (steps + 1, d), got shape {path.shape}."
        )
    if seen["calls"] != steps:
        raise Wrong(
            f"{what} called gradient {seen['calls']} times; each step needs one gradient, at the current w."
        )
    judging.close(path, want, f"the path from {what}", near_misses=mistakes, rtol=1e-7, atol=1e-10)


def _momentum_update(momentum, lr, sign=-1.0, keep=None, step_with_old=False):
    def update(w, g, t, velocity):
        new_velocity = (momentum if keep is None else keep) * velocity + sign * lr * g
        return w + (velocity if step_with_old else new_velocity), new_velocity

    return update


def _judge_momentum(case, seen):
    lr, beta, d = case["learning_rate"], case["momentum"], len(case["w"])

    def path(**how):
        return _run(case, _momentum_update(beta, lr, **how), [np.zeros(d)])

    want = path()
    _judge_path(
        case,
        seen,
        "momentum_descent",
        want,
        {
            "added the gradient step to the velocity instead of subtracting it": path(sign=1.0),
            "took plain gradient-descent steps: the velocity must be carried from one step to the next": path(
                keep=0.0
            ),
            "did not scale the old velocity by the momentum": path(keep=1.0),
            "moved w with the old velocity instead of the new one": path(step_with_old=True),
        },
    )
    return "momentum_descent is right: the velocity carries over from step to step, and w follows it."


exercise(
    id="04.1",
    title="Descent with momentum",
    produce="a function momentum_descent(gradient, w, learning_rate, momentum, steps) that starts at the "
    "NumPy array w with zero velocity, takes steps momentum steps, calling gradient(w) once per step at the "
    "current weights, and returns the path: a new NumPy array of shape (steps + 1, len(w)), the start first",
    cases=_momentum_cases,
    probe=lambda answer, case: _descent_probe(answer, case, case["momentum"]),
    judge=_judge_momentum,
    hints=(
        "Picture a ball rolling downhill: its velocity keeps a fraction of what it had (that fraction is "
        "the momentum) and gains a push against the slope at every step.",
        "Keep two things between the steps: the current w and the velocity. Each step updates the velocity "
        "first, from the old velocity and the gradient step, then moves w by the new velocity.",
        "The gradient step is the learning rate times the gradient at the current w, and it points "
        "downhill, so it is taken away; collect every w in a list and turn it into an array at the end.",
    ),
    shortcuts=(
        Shortcut("course.autodiff.optim:momentum_step"),
        Shortcut("course.descent:gradient_descent"),
    ),
    forbidden_in_source=LIBRARIES,
)


def _adam_update(lr, correct=True, shift=0, beta_1=ADAM_BETA_1, beta_2=ADAM_BETA_2, sign=-1.0, forget=False):
    def update(w, g, t, m, v):
        if forget:
            m, v = np.zeros_like(m), np.zeros_like(v)
        m = beta_1 * m + (1 - beta_1) * g
        v = beta_2 * v + (1 - beta_2) * g * g
        m_hat = m / (1 - beta_1 ** (t + shift)) if correct else m
        v_hat = v / (1 - beta_2 ** (t + shift)) if correct else v
        return w + sign * lr * m_hat / (np.sqrt(v_hat) + ADAM_EPSILON), m, v

    return update


def _judge_adam(case, seen):
    lr, d = case["learning_rate"], len(case["w"])

    def path(**how):
        return _run(case, _adam_update(lr, **how), [np.zeros(d), np.zeros(d)])

    want = path()
    _judge_path(
        case,
        seen,
        "adam_descent",
        want,
        {
            "forgot the bias correction": path(correct=False),
            "used the step count t + 1 in the bias correction (t counts from 1)": path(shift=1),
            "started m and v afresh at every step: they are running averages kept between steps": path(
                forget=True
            ),
            "swapped beta_1 and beta_2": path(beta_1=ADAM_BETA_2, beta_2=ADAM_BETA_1),
            "added the step to w instead of subtracting it": path(sign=1.0),
        },
        not_finite=": the bias correction divides by 1 - beta to the power t, which is 0 at t = 0 (t counts from 1)",
    )
    return "adam_descent is right: both running averages, the bias correction from t = 1, and the step."


exercise(
    id="04.2",
    title="Descent with Adam",
    produce="a function adam_descent(gradient, w, learning_rate, steps) that starts at the NumPy array w "
    "with both of Adam's running averages at zero, takes steps Adam steps (beta_1 0.9, beta_2 0.999, epsilon "
    "1e-7), calling gradient(w) once per step at the current weights, and returns the path: a new NumPy array "
    "of shape (steps + 1, len(w)), the start first",
    cases=_adam_cases,
    probe=_descent_probe,
    judge=_judge_adam,
    hints=(
        "Adam keeps two running averages between the steps: one of the gradient (like momentum) and one "
        "of the squared gradient (like RMSProp). Update both at every step.",
        "Both averages start at zero, so early on they are too small: at step t (counting from 1) divide "
        "each by one minus its beta raised to the power t, before using them.",
        "The step divides the corrected average of g by the square root of the corrected average of g², "
        "plus epsilon, scales it by the learning rate, and goes downhill.",
    ),
    shortcuts=(Shortcut("course.autodiff.optim:adam_step"),),
    forbidden_in_source=LIBRARIES,
)

# ---------------------------------------------------------------------------
# 04.3 loss_and_grads: backpropagation by hand
# ---------------------------------------------------------------------------

PARAMETER_NAMES = ("W1", "b1", "W2", "b2")
# Whatever differentiates for the learner: off while a backward pass written by hand is probed.
BACKPROP_SHORTCUTS = (
    Shortcut("course.descent:mlp_loss_and_grads"),
    Shortcut("course.autodiff.tensor:Tensor", "course.autodiff.tensor.Tensor"),
    Shortcut("course.autodiff.reverse:Node", "course.autodiff.reverse.Node"),
    Shortcut("course.autodiff.numerical:numerical_gradient"),
    Shortcut("course.autodiff.numerical:central_difference"),
    Shortcut("tensorflow:GradientTape", "tf.GradientTape", only_if_loaded=True),
)
FRAMEWORKS = ("tf", "tensorflow", "keras", "torch", "jax", "GradientTape")


def _mlp_case(rng, n, d, h, k, scale=0.5):
    return {
        "params": {
            "W1": (scale * rng.normal(size=(d, h))).round(4),
            "b1": (0.1 * rng.normal(size=h)).round(4),
            "W2": (scale * rng.normal(size=(h, k))).round(4),
            "b2": (0.1 * rng.normal(size=k)).round(4),
        },
        "x": rng.normal(size=(n, d)).round(4),
        "y": rng.integers(0, k, size=n),
    }


def _backprop_cases(rng):
    """Distinct sizes (a transposed gradient shows in its shape), random ones, and one with huge logits."""
    cases = [_mlp_case(rng, 6, 4, 5, 3)]
    cases += [_mlp_case(rng, *(int(s) for s in rng.integers(2, 8, size=4))) for _ in range(3)]
    huge = _mlp_case(rng, 5, 3, 4, 3)
    huge["params"]["b2"] = np.array([800.0, -5.0, 0.0])  # e^800 is too large for a float
    cases.append(huge)
    return cases


def _backprop_probe(answer, case):
    result = answer(case["params"], case["x"], case["y"])
    seen = {"result": observe(result), "loss": None, "grads": None, "keys": None}
    if isinstance(result, (tuple, list)) and len(result) == 2:
        seen["loss"] = observe(result[0])
        if isinstance(result[1], dict):
            seen["keys"] = sorted(str(key) for key in result[1])
            seen["grads"] = {name: observe(result[1].get(name)) for name in PARAMETER_NAMES}
    return seen


def _backprop_variants(case, mean=True, mask=True, one_hot=True):
    """The gradients that a backward pass with one step left out would give (the judge's diagnoses)."""
    p, x, y = case["params"], case["x"], case["y"]
    z1 = x @ p["W1"] + p["b1"]
    h = np.maximum(z1, 0.0)
    logits = h @ p["W2"] + p["b2"]
    e = np.exp(logits - logits.max(axis=1, keepdims=True))
    delta = e / e.sum(axis=1, keepdims=True)
    if one_hot:
        delta[np.arange(len(x)), y] -= 1.0
    delta = delta / len(x) if mean else delta
    dz1 = delta @ p["W2"].T * ((z1 > 0) if mask else 1.0)
    return {"W1": x.T @ dz1, "b1": dz1.sum(axis=0), "W2": h.T @ delta, "b2": delta.sum(axis=0)}


def _judge_backprop(case, seen):
    from ...descent import mlp_loss_and_grads

    p, x, y = case["params"], case["x"], case["y"]
    shapes = ", ".join(f"{name} {p[name].shape}" for name in PARAMETER_NAMES)
    what = f"loss_and_grads on a batch of {len(x)} (x {x.shape}; {shapes})"
    if seen["loss"] is None:
        raise Wrong(f"{what} should return a pair (loss, grads), got {judging.described(seen['result'])}.")
    huge = float(np.max(np.abs(p["b2"]))) > 100
    loss_seen = seen["loss"]
    if huge and isinstance(loss_seen.get("value"), float) and not np.isfinite(loss_seen["value"]):
        raise Wrong(
            f"{what}: the loss is {loss_seen['value']} when a logit is 800. e^800 is too large for a float: "
            "compute the softmax and its log so that no large number is ever exponentiated."
        )
    want_loss, want = mlp_loss_and_grads(p, x, y)
    loss = judging.number(loss_seen, f"the loss from {what}")
    if not np.isclose(loss, want_loss, rtol=1e-6, atol=1e-9):
        if np.isclose(loss, want_loss * len(x), rtol=1e-6):
            raise Wrong(f"{what}: the loss is {loss:.6g}, the sum over the batch; it should be the mean.")
        raise Wrong(f"{what}: the loss is {loss:.6g}, which is not the mean softmax cross-entropy.")
    if seen["grads"] is None:
        raise Wrong(f"{what}: grads should be a dict, got {judging.described(seen['result']['items'][1])}.")
    if seen["keys"] != sorted(PARAMETER_NAMES):
        raise Wrong(
            f"{what}: grads should have exactly the keys {', '.join(PARAMETER_NAMES)}, got {seen['keys']}."
        )
    mistakes = {
        "forgot to divide by the batch size n (the loss is a mean over the batch)": _backprop_variants(
            case, mean=False
        ),
        "forgot the ReLU's derivative on the way back through the hidden layer": _backprop_variants(
            case, mask=False
        ),
        "forgot to subtract the one-hot labels from the softmax": _backprop_variants(case, one_hot=False),
        "divided by the batch size twice": {name: g / len(x) for name, g in want.items()},
    }
    for name in ("W2", "b2", "W1", "b1"):  # from the output back, as the backward pass goes
        got = judging.array(seen["grads"][name], f"the gradient of {name}")
        if name.startswith("b") and got.shape == (len(x), len(p[name])):
            raise Wrong(
                f"{what}: the gradient of {name} has shape {got.shape}, one row per example; it should have "
                f"the shape of {name}, {p[name].shape}: each example's contribution is summed."
            )
        judging.close(
            got,
            want[name],
            f"the gradient of {name} from {what}",
            near_misses={why: grads[name] for why, grads in mistakes.items()},
            rtol=1e-6,
            atol=1e-10,
        )
    return "loss_and_grads is right: the loss and all four gradients, also when the logits are huge."


exercise(
    id="04.3",
    title="Backpropagation by hand",
    produce="a function loss_and_grads(params, x, y) that takes a dict params of NumPy arrays W1 (d, h), "
    "b1 (h,), W2 (h, k), b2 (k,), a batch x of shape (n, d) and integer labels y of shape (n,), and "
    "returns the pair (loss, grads): the mean softmax cross-entropy of the ReLU MLP as a float, and a new "
    "dict with the same keys holding the gradient of the loss for each parameter, in its shape",
    cases=_backprop_cases,
    probe=_backprop_probe,
    judge=_judge_backprop,
    shortcuts=BACKPROP_SHORTCUTS,
    forbidden_in_source=FRAMEWORKS,
    hints=(
        "Write the forward pass keeping every intermediate array (pre-activation, hidden activation, "
        "logits): the backward pass needs them, in reverse order.",
        "At the logits the adjoint is δ, the softmax minus the one-hot labels, divided by n. A layer "
        "that computes h W + b sends back three things: its input's adjoint, W's gradient and b's gradient.",
        "Let the shapes lead: W's gradient has W's shape and is a product of the layer's input "
        "(transposed) with δ; b's gradient sums δ over the batch; through the ReLU the adjoint is kept "
        "only where the pre-activation was positive.",
    ),
)

# ---------------------------------------------------------------------------
# 04.4 he_init
# ---------------------------------------------------------------------------

INIT_SHORTCUTS = (
    Shortcut("course.descent:he_normal"),
    Shortcut("course.descent:glorot_normal"),
    Shortcut("keras:initializers.HeNormal", "keras.initializers.HeNormal", only_if_loaded=True),
)


def _init_cases(rng):
    sizes = [(300, 40), (60, 250), (1000, 8), (128, 128)]
    return [{"fan_in": a, "fan_out": b, "seed": int(rng.integers(0, 2**31))} for a, b in sizes]


def _init_probe(answer, case):
    fan_in, fan_out, seed = case["fan_in"], case["fan_out"], case["seed"]
    rng = np.random.default_rng(seed)
    first, again = answer(fan_in, fan_out, rng), answer(fan_in, fan_out, rng)
    replay = answer(fan_in, fan_out, np.random.default_rng(seed))
    if not isinstance(first, np.ndarray) or not np.issubdtype(first.dtype, np.floating) or first.size < 2:
        return {"result": observe(first)}
    values = first.astype(np.float64)
    std = float(values.std())
    return {
        "result": {"type": "numpy.ndarray", "shape": list(first.shape), "dtype": str(first.dtype)},
        "constant": bool(np.all(values == values.flat[0])),
        "mean": float(values.mean()),
        "std": std,
        "kurtosis": float(np.mean((values - values.mean()) ** 4) / std**4) if std > 0 else 0.0,
        "fresh": bool(
            not isinstance(again, np.ndarray) or again.shape != first.shape or np.any(again != first)
        ),
        "same_seed_same_weights": bool(isinstance(replay, np.ndarray) and np.array_equal(replay, first)),
    }


def _judge_init(case, seen):
    fan_in, fan_out = case["fan_in"], case["fan_out"]
    what = f"he_init({fan_in}, {fan_out}, rng)"
    result = seen["result"]
    if result.get("type") != "numpy.ndarray" or "std" not in seen:
        raise Wrong(f"{what} should return a NumPy array of floats, got {judging.described(result)}.")
    if tuple(result["shape"]) != (fan_in, fan_out):
        raise Wrong(f"{what} should have shape ({fan_in}, {fan_out}), got shape {tuple(result['shape'])}.")
    std, mean, size = seen["std"], seen["mean"], fan_in * fan_out
    if seen["constant"]:
        raise Wrong(
            f"{what} holds one value everywhere; the weights must be random, or all units stay alike."
        )
    if not seen["fresh"]:
        raise Wrong(f"{what} returns the same weights when called twice: each call should draw new ones.")
    if not seen["same_seed_same_weights"]:
        raise Wrong(
            f"{what}: two generators with the same seed gave different weights, so your code draws from "
            "somewhere else than the rng it is given; draw every number from that rng."
        )
    want = np.sqrt(2 / fan_in)
    if abs(mean) > 5 * want / np.sqrt(size) + 1e-12:
        raise Wrong(f"{what} has mean {mean:.3g}; the weights should be centred on 0.")
    if abs(std / want - 1) > 0.08:
        others = {
            "used the fan-out instead of the fan-in": np.sqrt(2 / fan_out),
            "left out the factor 2 that makes up for the ReLU setting half of the units to 0": np.sqrt(
                1 / fan_in
            ),
            "used the variance 2/fan_in as the standard deviation": 2 / fan_in,
            "used Glorot's scale, which counts the fan-in and the fan-out": np.sqrt(2 / (fan_in + fan_out)),
            "kept the standard normal's spread (1), whatever the layer's size": 1.0,
        }
        for why, wrong in others.items():
            if abs(std / wrong - 1) < 0.08 and abs(wrong / want - 1) > 0.2:
                raise Wrong(
                    f"{what} has standard deviation {std:.4g}, expected {want:.4g}: it looks like you {why}."
                )
        raise Wrong(
            f"{what} has standard deviation {std:.4g}; He initialisation gives {want:.4g} for this fan-in."
        )
    if not 2.5 < seen["kurtosis"] < 3.6:
        raise Wrong(
            f"{what} has the right spread, but its values are not normally distributed (their shape looks "
            f"{'flat, like a uniform distribution' if seen['kurtosis'] < 2.5 else 'too peaked'}); draw them "
            "from a normal distribution."
        )
    return "he_init draws fresh normal weights, centred on 0, with the spread He initialisation asks for."


exercise(
    id="04.4",
    title="He initialisation",
    produce="a function he_init(fan_in, fan_out, rng) that takes two ints and a NumPy random Generator and "
    "returns a new float array of shape (fan_in, fan_out) drawn from the rng: normal, mean 0, with the "
    "standard deviation of He initialisation",
    cases=_init_cases,
    probe=_init_probe,
    judge=_judge_init,
    shortcuts=INIT_SHORTCUTS,
    forbidden_in_source=FRAMEWORKS,
    hints=(
        "He initialisation keeps the variance of a ReLU layer's output equal to that of its input.",
        "Each output sums fan_in products, and the ReLU sets about half of them to 0: the variance of the "
        "weights must make up for both.",
        "The Generator has a method that draws normal numbers for a given mean, standard deviation (the "
        "square root of the variance) and shape.",
    ),
)

# ---------------------------------------------------------------------------
# 04.5 train: the training loop
# ---------------------------------------------------------------------------


def _train_cases(rng):
    cases = []
    for n, batch_size, epochs in ((23, 5, 3), (30, 8, 2)):
        case = _mlp_case(rng, n, 4, 6, 3, scale=0.3)
        case["x"][np.arange(n), case["y"]] += 2.0  # learnable: the label shows in the inputs
        case.update(batch_size=batch_size, epochs=epochs, learning_rate=0.5, seed=int(rng.integers(0, 2**31)))
        cases.append(case)
    return cases


def _row_index(rows, x):
    """The index in ``x`` of each of ``rows`` (-1 for a row that is not one of x's)."""
    rows = np.asarray(rows, dtype=np.float64)
    if rows.ndim != 2 or rows.shape[1] != x.shape[1]:
        return [-1] * max(len(rows), 1)
    distance = np.abs(rows[:, None, :] - x[None, :, :]).max(axis=2)
    nearest = distance.argmin(axis=1)
    return [int(i) if distance[k, i] < 1e-9 else -1 for k, i in enumerate(nearest)]


def _train_probe(answer, case):
    from ...descent import mlp_loss_and_grads

    x, y = case["x"], case["y"]
    calls = []

    def loss_and_grads(params, x_batch, y_batch):
        rows = _row_index(x_batch, x)
        calls.append({"rows": rows, "labels_match": bool(np.array_equal(np.asarray(y_batch), y[rows]))})
        loss, grads = mlp_loss_and_grads(params, x_batch, y_batch)
        calls[-1]["loss"] = loss
        return loss, grads

    result = answer(
        case["params"],
        x,
        y,
        loss_and_grads,
        case["epochs"],
        case["batch_size"],
        case["learning_rate"],
        np.random.default_rng(case["seed"]),
    )
    seen = {"result": observe(result), "calls": calls, "params": None, "losses": None}
    if isinstance(result, (tuple, list)) and len(result) == 2:
        if isinstance(result[0], dict):
            seen["params"] = {name: observe(result[0].get(name)) for name in PARAMETER_NAMES}
        seen["losses"] = observe(result[1])
    return seen


def _replay(case, batches, step=lambda w, g, lr: w - lr * g):
    """The parameters after SGD over ``batches`` (lists of row indices), and the loss on all data."""
    from ...descent import mlp_loss_and_grads

    params = {name: np.array(value, dtype=np.float64) for name, value in case["params"].items()}
    for rows in batches:
        _, grads = mlp_loss_and_grads(params, case["x"][rows], case["y"][rows])
        params = {name: step(params[name], grads[name], case["learning_rate"]) for name in params}
    return params, mlp_loss_and_grads(params, case["x"], case["y"])[0]


def _judge_batches(case, calls, what):
    n, size, epochs = len(case["x"]), case["batch_size"], case["epochs"]
    per_epoch = -(-n // size)
    if not calls:
        raise Wrong(f"{what} never called loss_and_grads: each step needs the gradient of one batch.")
    if any(-1 in call["rows"] for call in calls):
        raise Wrong(
            f"{what} passed loss_and_grads rows that are not rows of x; pass a batch of x's rows as they are."
        )
    if any(len(call["rows"]) > size for call in calls):
        raise Wrong(
            f"{what} passed loss_and_grads {max(len(c['rows']) for c in calls)} examples at once; each call "
            f"should get one batch of at most batch_size = {size}."
        )
    if not all(call["labels_match"] for call in calls):
        raise Wrong(
            f"{what}: the labels passed with a batch are not the labels of its rows; x and y must be picked alike."
        )
    if len(calls) == epochs * (n // size) and n % size:
        raise Wrong(
            f"{what} made {len(calls)} steps for {epochs} epochs of {n} examples in batches of {size}: the last, "
            f"smaller batch of each epoch ({n % size} examples) is missing."
        )
    if len(calls) != epochs * per_epoch:
        raise Wrong(
            f"{what} made {len(calls)} steps; {epochs} epochs of {n} examples in batches of {size} take "
            f"{epochs * per_epoch} (the last batch of an epoch may be smaller)."
        )
    epochs_rows = [
        [row for call in calls[e * per_epoch : (e + 1) * per_epoch] for row in call["rows"]]
        for e in range(epochs)
    ]
    if any(sorted(rows) != list(range(n)) for rows in epochs_rows):
        raise Wrong(
            f"{what}: in an epoch some examples were used twice and others never; an epoch visits each example once."
        )
    if any(rows == list(range(n)) for rows in epochs_rows) or all(
        rows == epochs_rows[0] for rows in epochs_rows
    ):
        raise Wrong(
            f"{what} visits the examples in the same order every epoch; each epoch should shuffle them anew."
        )


def _judge_train(case, seen):
    what = f"train(params, x of shape {case['x'].shape}, y, loss_and_grads, epochs={case['epochs']}, batch_size={case['batch_size']}, ...)"
    calls = seen["calls"]
    _judge_batches(case, calls, what)
    if seen["params"] is None:
        raise Wrong(
            f"{what} should return a pair (params, losses) with params a dict, got {judging.described(seen['result'])}."
        )
    batches = [call["rows"] for call in calls]
    want, final_loss = _replay(case, batches)
    start_loss = _replay(case, [])[1]
    mistakes = {
        "added the gradient step to the weights instead of subtracting it": _replay(
            case, batches, lambda w, g, lr: w + lr * g
        )[0],
        "forgot the learning rate": _replay(case, batches, lambda w, g, lr: w - g)[0],
        "returned the starting parameters (no update reached them)": _replay(case, [])[0],
        "kept only the last step: every step should start from the parameters the previous step left": _replay(
            case, batches[-1:]
        )[0],
    }
    for name in PARAMETER_NAMES:
        got = judging.array(seen["params"][name], f"the trained {name}", shape=case["params"][name].shape)
        judging.close(
            got,
            want[name],
            f"the trained {name} from {what}",
            near_misses={why: params[name] for why, params in mistakes.items()},
            rtol=1e-6,
            atol=1e-9,
        )
    losses = seen["losses"]
    if losses.get("type") not in ("list", "tuple") or losses.get("length") != len(calls):
        raise Wrong(
            f"{what} should return, after params, the list of the {len(calls)} batch losses, got {judging.described(losses)}."
        )
    got_losses = [judging.number(item, "a batch loss") for item in losses["items"]]
    if not np.allclose(got_losses, [call["loss"] for call in calls], rtol=1e-9):
        raise Wrong(
            f"{what}: the losses returned are not those loss_and_grads gave for each batch, in order."
        )
    return (
        f"train shuffles every epoch, steps through every batch and updates with SGD: on a fresh problem the "
        f"loss on all data fell from {start_loss:.3f} to {final_loss:.3f}."
    )


exercise(
    id="04.5",
    title="Your own training loop",
    produce="a function train(params, x, y, loss_and_grads, epochs, batch_size, learning_rate, rng) that "
    "trains the MLP with mini-batch SGD, calling loss_and_grads(params, x_batch, y_batch) once per batch "
    "(each epoch in a new random order from rng, the last batch smaller when needed), and returns the "
    "pair (trained params, a new dict; the list of the batch losses)",
    cases=_train_cases,
    probe=_train_probe,
    judge=_judge_train,
    shortcuts=(
        Shortcut("course.descent:train_mlp"),
        Shortcut("course.descent:fit_linear"),
        Shortcut("course.autodiff.nn:train_step"),
    ),
    forbidden_in_source=FRAMEWORKS,
    hints=(
        "Two loops: one over the epochs, and inside it one over the batches of a fresh random order of "
        "the example indices.",
        "Draw the order with the rng you are given; slice it into pieces of batch_size (the last piece may "
        "be shorter) and use each piece to pick rows of x and y alike.",
        "For each batch: get the loss and the gradients, keep the loss, and replace every parameter by a "
        "new array one step against its gradient, scaled by the learning rate.",
    ),
)

# ---------------------------------------------------------------------------
# Quizzes
# ---------------------------------------------------------------------------

multiple_choice(
    "04.q1",
    "In the explorer, on the 2-D ravine with momentum 0: what happens as you raise the learning rate "
    "from 0.05 to 0.25?",
    options=[
        "it converges faster and faster",
        "it starts zig-zagging across the ravine, then diverges",
        "nothing changes: the learning rate only matters in 1-D",
    ],
    answer="it starts zig-zagging across the ravine, then diverges",
    explanation="Along the steep axis (curvature 10) steps oscillate above 0.1 and diverge above 0.2.",
)

multiple_choice(
    "04.q2",
    "Open the explorer on the 2-D ravine at learning rate 0.02. Compare momentum 0 and momentum 0.9 "
    "after 40 steps. What do you see?",
    options=[
        "with momentum the path gets much closer to the minimum",
        "momentum makes it diverge",
        "both end at the same place",
    ],
    answer="with momentum the path gets much closer to the minimum",
    explanation="Along the flat floor the small steps add up into speed; plain descent crawls.",
)
