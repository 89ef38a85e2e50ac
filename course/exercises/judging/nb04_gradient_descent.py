"""The judges of 04_gradient_descent: what each exercise's answer is compared with."""

import numpy as np

from ..checks.nb04_gradient_descent import MOST_CALLS_SEEN, PARAMETER_NAMES
from . import expect
from .expect import Wrong

ADAM_BETA_1, ADAM_BETA_2, ADAM_EPSILON = 0.9, 0.999, 1e-7


def _run(case, update, state):
    """A path of ``case["steps"]`` steps of ``update(w, g, t, *state) -> (w, *state)`` from the case's start."""
    path = [np.array(case["w"], dtype=float)]
    for t in range(1, case["steps"] + 1):
        w, *state = update(path[-1], case["A"] @ path[-1] - case["b"], t, *state)
        path.append(w)
    return np.array(path)


def _judge_path(case, seen, name, want, mistakes, not_finite="", accepted=()):
    """``accepted``: other paths that are right too (a library's form of the same rule)."""
    steps, d = case["steps"], len(case["w"])
    what = f"{name} on a bowl in {d}-D, {steps} steps"
    value = seen["path"].get("value")
    if isinstance(value, np.ndarray) and value.dtype.kind == "f" and not np.all(np.isfinite(value)):
        raise Wrong(f"the path from {what} holds NaN or infinity{not_finite}.")
    path = expect.array(seen["path"], f"the path from {what}")
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
    for other in accepted:
        if np.allclose(path, other, rtol=1e-7, atol=1e-10):
            want = other
    if steps > 1 and np.all(path == path[-1]) and not np.allclose(want, want[-1]):
        raise Wrong(
            f"{what}: every row of the path holds the same numbers, the last position. The path keeps the "
            "same array again and again, changed in place, instead of each position as it was at its step."
        )
    calls = _gradient_calls(seen, what)
    if calls != steps:
        raise Wrong(f"{what} called gradient {calls} times; each step needs one gradient, at the current w.")
    expect.close(path, want, f"the path from {what}", near_misses=mistakes, rtol=1e-7, atol=1e-10)
    points = seen["calls"]
    if not isinstance(points, np.ndarray) or not np.allclose(points, want[:-1], rtol=1e-7, atol=1e-10):
        raise Wrong(
            f"{what}: the path is right, but gradient was not called at the position of each step; "
            "each step needs the gradient at the current w."
        )


def _gradient_calls(seen, what):
    """How often the learner's code called gradient: the number of points the probe saw it called at."""
    points = seen.get("calls")
    if not isinstance(points, (list, np.ndarray)):
        raise Wrong("the check could not read where your code called gradient.")
    calls = len(points)
    if calls >= MOST_CALLS_SEEN:
        raise Wrong(
            f"{what} called gradient at least {MOST_CALLS_SEEN:,} times; each step needs one gradient, "
            "at the current w."
        )
    return calls


def _momentum_update(momentum, lr, sign=-1.0, keep=None, step_with_old=False, damped=False):
    def update(w, g, t, velocity):
        push = (1 - momentum) * lr * g if damped else lr * g
        new_velocity = (momentum if keep is None else keep) * velocity + sign * push
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
            "scaled the gradient step by (1 - momentum), as in a running average; here the velocity keeps "
            "a fraction of itself and gains the whole gradient step": path(damped=True),
        },
    )
    return "momentum_descent is right: the velocity carries over from step to step, and w follows it."


def _adam_update(
    lr,
    correct=True,
    shift=0,
    beta_1=ADAM_BETA_1,
    beta_2=ADAM_BETA_2,
    sign=-1.0,
    forget=False,
    root=np.sqrt,
    correct_v=True,
):
    def update(w, g, t, m, v):
        if forget:
            m, v = np.zeros_like(m), np.zeros_like(v)
        m = beta_1 * m + (1 - beta_1) * g
        v = beta_2 * v + (1 - beta_2) * g * g
        m_hat = m / (1 - beta_1 ** (t + shift)) if correct else m
        v_hat = v / (1 - beta_2 ** (t + shift)) if correct and correct_v else v
        return w + sign * lr * m_hat / (root(v_hat) + ADAM_EPSILON), m, v

    return update


def _adam_update_keras(lr):
    """Adam as Keras writes it: the bias correction folded into the step size, epsilon added to the root
    of the raw average (so it weighs a little differently in the first steps); just as right."""

    def update(w, g, t, m, v):
        alpha = lr * np.sqrt(1 - ADAM_BETA_2**t) / (1 - ADAM_BETA_1**t)
        m = m + (g - m) * (1 - ADAM_BETA_1)
        v = v + (g * g - v) * (1 - ADAM_BETA_2)
        return w - alpha * m / (np.sqrt(v) + ADAM_EPSILON), m, v

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
            "left out the square root of the average of g²": path(root=lambda v: v),
            "corrected only the average of the gradient: both averages start at zero": path(correct_v=False),
        },
        accepted=(_run(case, _adam_update_keras(lr), [np.zeros(d), np.zeros(d)]),),
        not_finite=": the bias correction divides by 1 - beta to the power t, which is 0 at t = 0 (t counts from 1)",
    )
    return "adam_descent is right: both running averages, the bias correction from t = 1, and the step."


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

    from ...descent import mlp_loss_and_grads  # course.descent imports matplotlib: only when 04 runs

    p, x, y = case["params"], case["x"], case["y"]
    shapes = ", ".join(f"{name} {p[name].shape}" for name in PARAMETER_NAMES)
    what = f"loss_and_grads on a batch of {len(x)} (x {x.shape}; {shapes})"
    if seen["loss"] is None:
        raise Wrong(f"{what} should return a pair (loss, grads), got {expect.described(seen['result'])}.")
    huge = float(np.max(np.abs(p["b2"]))) > 100
    loss_seen = seen["loss"]
    if huge and isinstance(loss_seen.get("value"), float) and not np.isfinite(loss_seen["value"]):
        raise Wrong(
            f"{what}: the loss is {loss_seen['value']} when a logit is 800. e^800 is too large for a float: "
            "compute the softmax and its log so that no large number is ever exponentiated."
        )
    want_loss, want = mlp_loss_and_grads(p, x, y)
    loss = expect.number(loss_seen, f"the loss from {what}")
    if not np.isclose(loss, want_loss, rtol=1e-6, atol=1e-9):
        if np.isclose(loss, want_loss * len(x), rtol=1e-6):
            raise Wrong(f"{what}: the loss is {loss:.6g}, the sum over the batch; it should be the mean.")
        raise Wrong(f"{what}: the loss is {loss:.6g}, which is not the mean softmax cross-entropy.")
    if seen["grads"] is None:
        raise Wrong(f"{what}: grads should be a dict, got {expect.described(seen['result']['items'][1])}.")
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
        got = expect.array(seen["grads"][name], f"the gradient of {name}")
        if name.startswith("b") and got.shape == (len(x), len(p[name])):
            raise Wrong(
                f"{what}: the gradient of {name} has shape {got.shape}, one row per example; it should have "
                f"the shape of {name}, {p[name].shape}: each example's contribution is summed."
            )
        expect.close(
            got,
            want[name],
            f"the gradient of {name} from {what}",
            near_misses={why: grads[name] for why, grads in mistakes.items()},
            rtol=1e-6,
            atol=1e-10,
        )
    return "loss_and_grads is right: the loss and all four gradients, also when the logits are huge."


def _draw(seen, what):
    """A float array of at least two numbers from one of he_init's observed results, else None."""
    if not isinstance(seen, dict) or seen.get("type") != "numpy.ndarray":
        return None
    value = seen.get("value")
    if not isinstance(value, np.ndarray) or value.dtype.kind != "f" or value.size < 2:
        return None
    return value


def _judge_init(case, seen):
    fan_in, fan_out = case["fan_in"], case["fan_out"]
    what = f"he_init({fan_in}, {fan_out}, rng)"
    first = _draw(seen.get("first"), what)
    if first is None:
        raise Wrong(
            f"{what} should return a NumPy array of floats, got {expect.described(seen.get('first'))}."
        )
    if first.shape != (fan_in, fan_out):
        raise Wrong(f"{what} should have shape ({fan_in}, {fan_out}), got shape {first.shape}.")
    values = first.astype(np.float64)
    if np.all(values == values.flat[0]):
        raise Wrong(
            f"{what} holds one value everywhere; the weights must be random, or all units stay alike."
        )
    again, replay = _draw(seen.get("again"), what), _draw(seen.get("replay"), what)
    if again is not None and again.shape == first.shape and np.array_equal(again, first):
        raise Wrong(f"{what} returns the same weights when called twice: each call should draw new ones.")
    if replay is None or not np.array_equal(replay, first):
        raise Wrong(
            f"{what}: two generators with the same seed gave different weights, so your code draws from "
            "somewhere else than the rng it is given; draw every number from that rng."
        )
    _judge_spread(values, fan_in, fan_out, what)
    return "he_init draws fresh normal weights, centred on 0, with the spread He initialisation asks for."


def _judge_spread(values, fan_in, fan_out, what):
    """The weights' mean, standard deviation and kurtosis, computed here from the values themselves."""
    want, mean, std = np.sqrt(2 / fan_in), float(values.mean()), float(values.std())
    if abs(mean) > 5 * std / np.sqrt(values.size) + 1e-12:  # five standard errors of the mean
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
                raise Wrong(f"{what} has standard deviation {std:.4g}: it looks like you {why}.")
        raise Wrong(
            f"{what} has standard deviation {std:.4g}, which is too {'large' if std > want else 'small'} for "
            "He initialisation with this fan-in."
        )
    kurtosis = float(np.mean((values - mean) ** 4) / std**4)
    if not 2.5 < kurtosis < 3.6:
        raise Wrong(
            f"{what} has the right spread, but its values are not normally distributed (their shape looks "
            f"{'flat, like a uniform distribution' if kurtosis < 2.5 else 'too peaked'}); draw them "
            "from a normal distribution."
        )


def _replay(case, batches, step=lambda w, g, lr: w - lr * g):
    """SGD over ``batches`` (lists of row indices): the parameters, the loss on all data, the batch losses."""
    from ...descent import mlp_loss_and_grads  # course.descent imports matplotlib: only when 04 runs

    params = {name: np.array(value, dtype=np.float64) for name, value in case["params"].items()}
    losses = []
    for rows in batches:
        loss, grads = mlp_loss_and_grads(params, case["x"][rows], case["y"][rows])
        losses.append(loss)
        params = {name: step(params[name], grads[name], case["learning_rate"]) for name in params}
    return params, mlp_loss_and_grads(params, case["x"], case["y"])[0], losses


def _row_index(rows, x):
    """The index in ``x`` of each of ``rows`` (-1 for a row that is not one of x's)."""
    if not isinstance(rows, np.ndarray) or rows.ndim != 2 or rows.shape[1] != x.shape[1]:
        return [-1] * max(len(rows) if isinstance(rows, np.ndarray) and rows.ndim else 1, 1)
    if not len(rows):
        return []
    distance = np.abs(rows[:, None, :] - x[None, :, :]).max(axis=2)
    nearest = distance.argmin(axis=1)
    return [int(i) if distance[k, i] < 1e-9 else -1 for k, i in enumerate(nearest)]


def _batches(case, calls):
    """Each call of loss_and_grads as the judge reads it: the rows of x it got, and whether its labels are theirs."""
    if not isinstance(calls, list) or not all(isinstance(call, dict) for call in calls):
        raise Wrong("the check could not read the batches your code passed to loss_and_grads.")
    batches = []
    for call in calls:
        rows = _row_index(call.get("x"), case["x"])
        labels = call.get("y", {}).get("value") if isinstance(call.get("y"), dict) else None
        match = isinstance(labels, np.ndarray) and np.array_equal(labels, case["y"][rows])
        batches.append({"rows": rows, "labels_match": bool(match)})
    return batches


def _judge_batches(case, calls, what):
    n, size, epochs = len(case["x"]), case["batch_size"], case["epochs"]
    per_epoch = -(-n // size)
    if not calls:
        raise Wrong(f"{what} never called loss_and_grads: each step needs the gradient of one batch.")
    if any(-1 in call["rows"] for call in calls):
        raise Wrong(
            f"{what} passed loss_and_grads rows that are not rows of x; pass a batch of x's rows as they are."
        )
    if any(not call["rows"] for call in calls):
        raise Wrong(
            f"{what} passed loss_and_grads an empty batch; when batch_size divides the number of examples, "
            "count how many batches an epoch really has."
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
        left = n % size
        raise Wrong(
            f"{what} made {len(calls)} steps for {epochs} epochs of {n} examples in batches of {size}: the last, "
            f"smaller batch of each epoch ({left} example{'s' if left > 1 else ''}) is missing."
        )
    if len(calls) != epochs * per_epoch:
        raise Wrong(
            f"{what} made {len(calls)} steps for {epochs} epochs of {n} examples in batches of {size}, which is "
            "not one step per batch: count the batches of one epoch again (the last one may be smaller, even "
            "of one example)."
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


def _judge_order_source(case, calls, seen, what):
    """The batches of runs with a Generator of the same seed, then of another seed, as the first run's."""
    rows = [call["rows"] for call in calls]

    def run(key):
        points = seen.get(key)
        if not isinstance(points, list):
            raise Wrong("the check could not read the batches your code passed to loss_and_grads.")
        return [_row_index(point, case["x"]) for point in points]

    if run("same_seed_calls") != rows:
        raise Wrong(
            f"{what}: two runs with Generators of the same seed gave different batches, so the order does not "
            "come only from the rng it is given; draw every random order from that rng."
        )
    if run("other_seed_calls") == rows:
        raise Wrong(
            f"{what}: runs with Generators of different seeds gave the same batches, so the order does not "
            "come from the rng it is given; draw every random order from that rng."
        )


def _judge_train(case, seen):
    what = f"train(params, x of shape {case['x'].shape}, y, loss_and_grads, epochs={case['epochs']}, batch_size={case['batch_size']}, ...)"
    calls = _batches(case, seen.get("calls"))
    _judge_batches(case, calls, what)
    _judge_order_source(case, calls, seen, what)
    if seen["params"] is None:
        raise Wrong(
            f"{what} should return a pair (params, losses) with params a dict, got {expect.described(seen['result'])}."
        )
    batches = [call["rows"] for call in calls]
    want, final_loss, batch_losses = _replay(case, batches)
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
        got = expect.array(seen["params"][name], f"the trained {name}", shape=case["params"][name].shape)
        expect.close(
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
            f"{what} should return, after params, the list of the {len(calls)} batch losses, got {expect.described(losses)}."
        )
    got_losses = [expect.number(item, "a batch loss") for item in losses["items"]]
    if not np.allclose(got_losses, batch_losses, rtol=1e-7, atol=1e-12):
        raise Wrong(
            f"{what}: the losses returned are not those loss_and_grads gave for each batch, in order."
        )
    return (
        f"train shuffles every epoch, steps through every batch and updates with SGD: on a fresh problem the "
        f"loss on all data fell from {start_loss:.3f} to {final_loss:.3f}."
    )


JUDGES = {
    "04.1": _judge_momentum,
    "04.2": _judge_adam,
    "04.3": _judge_backprop,
    "04.4": _judge_init,
    "04.5": _judge_train,
}
