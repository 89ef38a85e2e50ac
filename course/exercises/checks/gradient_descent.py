"""Exercises and quizzes of 04_gradient_descent: momentum and Adam steps, backpropagation by hand,
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


def _shape(rng):
    """A random shape: a vector or a small matrix."""
    if rng.random() < 0.4:
        return (int(rng.integers(2, 7)),)
    return (int(rng.integers(2, 5)), int(rng.integers(2, 5)))


def _pair(seen, names, what):
    return judging.items(seen, names, what)


def _swapped(got, options):
    """True when ``got`` (a list of observations) holds ``options`` in another order."""
    try:
        values = [np.asarray(item["value"], dtype=float) for item in got]
    except (KeyError, TypeError, ValueError):
        return False
    return all(v.shape == o.shape and np.allclose(v, o) for v, o in zip(values, options))


# ---------------------------------------------------------------------------
# 04.1 momentum
# ---------------------------------------------------------------------------


def _momentum_cases(rng):
    cases = []
    for _ in range(4):
        shape = _shape(rng)
        cases.append(
            {
                "w": rng.normal(size=shape),
                "g": rng.normal(size=shape),
                "velocity": rng.normal(size=shape),
                "learning_rate": round(float(rng.uniform(0.01, 0.4)), 3),
                "momentum": round(float(rng.uniform(0.5, 0.98)), 3),
            }
        )
    return cases


def _momentum_probe(answer, case):
    return observe(answer(case["w"], case["g"], case["velocity"], case["learning_rate"], case["momentum"]))


def _momentum_reference(case):
    w, g, v, lr, beta = (case[k] for k in ("w", "g", "velocity", "learning_rate", "momentum"))
    new_v = beta * v - lr * g
    return w + new_v, new_v


def _judge_momentum(case, seen):
    w, g, v, lr, beta = (case[k] for k in ("w", "g", "velocity", "learning_rate", "momentum"))
    want_w, want_v = _momentum_reference(case)
    got = _pair(seen, ("new_w", "new_velocity"), "momentum_step")
    if _swapped(got, (want_v, want_w)):
        raise Wrong("momentum_step returns the new velocity first: the pair is (new_w, new_velocity).")
    new_w = judging.array(got[0], "new_w", shape=w.shape)
    new_v = judging.array(got[1], "new_velocity", shape=w.shape)
    call = f"momentum_step(w, g, velocity, learning_rate={lr}, momentum={beta})"
    judging.close(
        new_v,
        want_v,
        f"the new velocity of {call}",
        near_misses={
            "added the gradient step to the velocity instead of subtracting it": beta * v + lr * g,
            "forgot the old velocity (the velocity should keep a fraction of its past)": -lr * g,
            "did not scale the old velocity by the momentum": v - lr * g,
            "forgot the learning rate": beta * v - g,
            "swapped the learning rate and the momentum": lr * v - beta * g,
        },
    )
    judging.close(
        new_w,
        want_w,
        f"the new w of {call}",
        near_misses={
            "moved w with the old velocity instead of the new one": w + v,
            "moved w against the velocity: the velocity already points downhill": w - want_v,
            "took a plain gradient-descent step and ignored the velocity": w - lr * g,
        },
    )
    return "momentum_step is right on every case: the velocity remembers past steps and w follows it."


exercise(
    id="04.1",
    title="A momentum step",
    produce="a function momentum_step(w, g, velocity, learning_rate, momentum) that takes the weights, "
    "their gradient and the velocity (NumPy arrays of one shape) and two floats, and returns the pair "
    "(new_w, new_velocity) as new NumPy arrays of that shape",
    cases=_momentum_cases,
    probe=_momentum_probe,
    judge=_judge_momentum,
    hints=(
        "Picture a ball rolling downhill: its velocity keeps a fraction of what it had (that fraction is "
        "the momentum) and gains a push against the slope.",
        "Update the velocity first, from the old velocity and the gradient step; then move w by the new "
        "velocity.",
        "The gradient step is the learning rate times g, and it points downhill, so it is taken away; "
        "w changes by the whole new velocity.",
    ),
    shortcuts=(Shortcut("course.autodiff.optim:momentum_step"),),
    forbidden_in_source=LIBRARIES,
)


# ---------------------------------------------------------------------------
# 04.2 Adam
# ---------------------------------------------------------------------------


def _adam_cases(rng):
    cases = []
    for t in (1, int(rng.integers(2, 6)), int(rng.integers(10, 200))):
        shape = _shape(rng)
        cases.append(
            {
                "w": rng.normal(size=shape),
                "g": rng.normal(size=shape),
                "m": 0.1 * rng.normal(size=shape),
                "v": rng.uniform(0.001, 0.1, size=shape),
                "t": t,
                "learning_rate": round(float(rng.uniform(0.001, 0.1)), 4),
            }
        )
    return cases


def _adam_probe(answer, case):
    return observe(answer(case["w"], case["g"], case["m"], case["v"], case["t"], case["learning_rate"]))


def _adam_update(w, m, v, t, lr, correct_m=True, correct_v=True):
    m_hat = m / (1 - ADAM_BETA_1**t) if correct_m else m
    v_hat = v / (1 - ADAM_BETA_2**t) if correct_v else v
    return w - lr * m_hat / (np.sqrt(v_hat) + ADAM_EPSILON)


def _judge_adam(case, seen):
    w, g, m, v, t, lr = (case[k] for k in ("w", "g", "m", "v", "t", "learning_rate"))
    b1, b2 = ADAM_BETA_1, ADAM_BETA_2
    want_m = b1 * m + (1 - b1) * g
    want_v = b2 * v + (1 - b2) * g * g
    want_w = _adam_update(w, want_m, want_v, t, lr)
    got = _pair(seen, ("new_w", "new_m", "new_v"), "adam_step")
    if _swapped(got, (want_m, want_v, want_w)) or _swapped(got, (want_w, want_v, want_m)):
        raise Wrong(
            "adam_step returns its three arrays in another order: the triple is (new_w, new_m, new_v)."
        )
    new_w = judging.array(got[0], "new_w", shape=w.shape)
    new_m = judging.array(got[1], "new_m", shape=w.shape)
    new_v = judging.array(got[2], "new_v", shape=w.shape)
    call = f"adam_step(w, g, m, v, t={t}, learning_rate={lr})"
    judging.close(
        new_m,
        want_m,
        f"the new m of {call}",
        near_misses={
            "swapped the two weights of the moving average (the old m should keep 0.9)": (1 - b1) * m
            + b1 * g,
            "forgot the old m": (1 - b1) * g,
            "used the old m unchanged": m,
        },
    )
    judging.close(
        new_v,
        want_v,
        f"the new v of {call}",
        near_misses={
            "averaged the gradient instead of its square": b2 * v + (1 - b2) * g,
            "swapped the two weights of the moving average (the old v should keep 0.999)": (1 - b2) * v
            + b2 * g * g,
            "used beta_1 (0.9) for v, which needs beta_2 (0.999)": b1 * v + (1 - b1) * g * g,
        },
    )
    misses = {
        "forgot the bias correction": _adam_update(w, want_m, want_v, t, lr, False, False),
        "corrected m for its bias but not v": _adam_update(w, want_m, want_v, t, lr, True, False),
        "corrected v for its bias but not m": _adam_update(w, want_m, want_v, t, lr, False, True),
        "used the step count t + 1 in the bias correction (t already counts from 1)": _adam_update(
            w, want_m, want_v, t + 1, lr
        ),
        "used m and v from before this step's update": _adam_update(w, m, v, t, lr),
        "added the step to w instead of subtracting it": 2 * w - want_w,
        "divided by v's square instead of its square root": w
        - lr * (want_m / (1 - b1**t)) / (want_v / (1 - b2**t) + ADAM_EPSILON),
    }
    if t > 1:
        misses["used the step count t - 1 in the bias correction (t already counts from 1)"] = _adam_update(
            w, want_m, want_v, t - 1, lr
        )
    # The step is small next to w: compare the change in w, so that no error hides in w's size.
    judging.close(
        new_w - w,
        want_w - w,
        f"the change in w made by {call}",
        near_misses={why: mistake - w for why, mistake in misses.items()},
        rtol=1e-5,
        atol=1e-12,
    )
    return "adam_step is right at the first step and later ones, bias correction included."


exercise(
    id="04.2",
    title="An Adam step",
    produce="a function adam_step(w, g, m, v, t, learning_rate) that takes the weights, their gradient "
    "and Adam's two moving averages (NumPy arrays of one shape), the step number t (an int, from 1) and "
    "the learning rate, and returns the triple (new_w, new_m, new_v) as new NumPy arrays of that shape",
    cases=_adam_cases,
    probe=_adam_probe,
    judge=_judge_adam,
    hints=(
        "Adam keeps two moving averages: one of the gradient (like momentum) and one of the squared "
        "gradient (like RMSProp). Update both first.",
        "Both averages start at zero, so early on they are too small: divide each by one minus its beta "
        "raised to the power t before using them.",
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
