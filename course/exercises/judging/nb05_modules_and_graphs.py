"""The judges of 05_modules_and_graphs: what each exercise's answer is compared with."""

import numpy as np

from ..checks.nb05_modules_and_graphs import OVERSHOOT, SHIFT, START, STEPS
from . import expect
from .expect import Wrong


def _relu(z):
    return np.maximum(z, 0.0)


def _line_misses(slope, intercept, x):
    return {
        "swapped the slope and the intercept": intercept * x + slope,
        "forgot the intercept": slope * x + 0 * x,
        "forgot the slope": x + intercept,
        "subtracted the intercept": slope * x - intercept,
        "multiplied the intercept by the slope too (mind the brackets)": slope * (x + intercept),
    }


def _judge_line(case, seen):
    slope, intercept, x, xs = case["slope"], case["intercept"], case["x"], case["xs"]
    made = f"Line({slope}, {intercept})"
    if not seen["callable"]:
        raise Wrong(
            f"{made} made {expect.described(seen['made'])} that cannot be called like a function: "
            "Python calls an object through its __call__ method."
        )
    other_slope, other_intercept = case["other"]
    got = expect.number(seen["number"], f"{made}({x})")
    if np.isclose(got, other_slope * x + other_intercept) and not np.isclose(got, slope * x + intercept):
        raise Wrong(
            f"{made}({x}) gives the value of the line made after it, Line({other_slope}, {other_intercept}): "
            "the numbers must belong to each object, not to the class or the module."
        )
    expect.close(got, slope * x + intercept, f"{made}({x})", near_misses=_line_misses(slope, intercept, x))
    values = expect.array(seen["array"], f"{made}(x) for an array x of shape {xs.shape}", shape=xs.shape)
    expect.close(
        values,
        slope * xs + intercept,
        f"{made}(x) for an array x of shape {xs.shape}",
        near_misses=_line_misses(slope, intercept, xs),
    )
    return "Line remembers its slope and intercept, and each object is called like a function."


def _weights_and_bias(variables, n_in, units, what):
    """The weight matrix and the bias among the observed variables, or a Wrong that says what is off."""
    if not variables:
        raise Wrong(
            f"after its first call {what} lists no variables: keep them as attributes of the layer "
            "(self), so that tf.Module finds them."
        )
    if len(variables) != 2:
        shapes = ", ".join(str(tuple(v["shape"])) for v in variables)
        raise Wrong(f"after its first call {what} has {len(variables)} variables ({shapes}); expected 2.")
    if not all(v["trainable"] for v in variables):
        raise Wrong(f"a variable of {what} is not trainable: training could never change it.")
    matrix, bias = sorted(variables, key=lambda v: -len(v["shape"]))
    if tuple(matrix["shape"]) == (units, n_in) and units != n_in:
        raise Wrong(
            f"{what}'s weight matrix has shape ({units}, {n_in}): it is transposed. Rows go with the "
            "input's columns."
        )
    if tuple(matrix["shape"]) != (n_in, units) or tuple(bias["shape"]) != (units,):
        raise Wrong(
            f"for inputs with {n_in} columns {what} made variables of shapes {tuple(matrix['shape'])} and "
            f"{tuple(bias['shape'])}; expected ({n_in}, {units}) and ({units},)."
        )
    w = expect.array(matrix["values"], f"{what}'s weight matrix")
    b = expect.array(bias["values"], f"{what}'s bias")
    if w.size > 1 and np.all(w == w.flat[0]):
        raise Wrong(
            f"every weight of {what} starts at the same value, {w.flat[0]:g}: all its units would compute "
            "the same thing and get the same gradients forever. Start the weights random."
        )
    return w.astype(np.float64), b.astype(np.float64)


def _lazy_output(seen, x, w, b, what):
    if not seen["tensor"]:
        raise Wrong(f"{what} should be a TensorFlow tensor, got {expect.described(seen['returned'])}.")
    if seen["dtype"] != "float32":
        raise Wrong(f"{what} has dtype {seen['dtype']}; the input is float32 and so should the output be.")
    got = expect.array(seen["values"], what)
    x = x.astype(np.float64)
    expect.close(
        got,
        x @ w + b,
        what,
        near_misses={
            "forgot the bias": x @ w,
            "applied a ReLU: this layer has no activation": _relu(x @ w + b),
        },
        rtol=1e-4,
        atol=1e-5,
    )
    return got


def _judge_lazy(case, seen):
    units, x, other_x = case["units"], case["x"], case["other_x"]
    made = f"LazyLinear({units})"
    if not seen["module"]:
        raise Wrong(
            f"{made} made {expect.described(seen['made'])}, not a tf.Module: inherit from tf.Module so "
            "that the layer can list its variables."
        )
    if not isinstance(seen.get("before"), list) or not isinstance(seen.get("trainable"), list):
        raise Wrong(f"the check could not read the variables of {made}.")
    if seen["before"]:
        raise Wrong(
            f"{made} already has {len(seen['before'])} variable(s) before its first call: the layer should make "
            "its variables when the first input arrives, which tells it the input's width."
        )
    _own_variables(seen, made)
    w, b = _weights_and_bias(seen["variables"], x.shape[1], units, made)
    if len(seen["trainable"]) != 2:
        raise Wrong(f"{made}.trainable_variables lists {len(seen['trainable'])} variables; expected 2.")
    what = f"{made}(x) for x of shape {x.shape}"
    _lazy_output(seen["first"], x, w, b, what)
    shifted = (w + SHIFT, b + SHIFT)
    now = [expect.array(v["values"], f"a variable of {made}") for v in seen["variables_again"]]
    if (
        len(now) != 2
        or {a.shape for a in now} != {w.shape, b.shape}
        or not any(a.shape == w.shape and np.allclose(a, shifted[0]) for a in now)
    ):
        raise Wrong(
            f"a second call of {made} replaced its weights with new ones: build them once, on the first "
            "call only, and reuse them afterwards."
        )
    _lazy_output(seen["again"], x, *shifted, f"{made}(x) once its variables hold other values")
    other_units = case["other_units"]
    other_made = f"another layer, LazyLinear({other_units}),"
    other_w, other_b = _weights_and_bias(seen["other_variables"], other_x.shape[1], other_units, other_made)
    _lazy_output(
        seen["other"], other_x, other_w, other_b, f"{other_made} called on x of shape {other_x.shape}"
    )
    _own_variables(seen, made)
    return "The layer waits for its first input, reads the width from it, and builds its weights once."


def _kept(seen):
    """Whether the layer kept its variables through the second call (each one now SHIFT above its start)."""
    first, again = seen.get("variables"), seen.get("variables_again")
    if not isinstance(first, list) or not isinstance(again, list) or len(first) != len(again) or not first:
        return False
    for start, now in zip(first, again):
        start, now = (v.get("values", {}).get("value") if isinstance(v, dict) else None for v in (start, now))
        if not isinstance(start, np.ndarray) or not isinstance(now, np.ndarray) or start.shape != now.shape:
            return False
        if not np.allclose(now, start + SHIFT, rtol=1e-6, atol=1e-6):
            return False
    return True


def _own_variables(seen, made):
    """A layer that kept its variables, yet whose output on the same input changes once another layer
    is built, shares its variables with that layer."""
    if not _kept(seen):
        return
    before, after = seen["again"], seen["first_after_other"]
    if not all(isinstance(s, dict) and s.get("tensor") for s in (before, after)):
        return
    before, after = before["values"], after["values"]
    if not all(isinstance(s, dict) and isinstance(s.get("value"), np.ndarray) for s in (before, after)):
        return
    before, after = before["value"], after["value"]
    if before.shape != after.shape or not np.allclose(before, after, rtol=1e-6, atol=1e-6, equal_nan=True):
        raise Wrong(
            f"building a second {made} changed the first one's output: each layer must keep its own "
            "variables on self, not on the class."
        )


def _mlp_outputs(weights, x):
    w0, b0, w1, b1 = (np.asarray(a, dtype=np.float64) for a in weights)
    return _relu(x @ w0 + b0) @ w1 + b1


def _judge_misfit(misfit, seen):
    what = f"restore_model(model, path) for {misfit}"
    if not isinstance(seen, dict) or "raised" not in seen:
        raise Wrong(f"the check could not read what {what} did.")
    if seen["raised"] is None:
        raise Wrong(
            f"{what} returned without an error. Reading a checkpoint fills the variables it can match and "
            "says nothing about the rest: ask whether every saved value found its variable and every "
            "variable its value, and raise a ValueError when not."
        )
    classes = seen.get("classes")
    if not isinstance(classes, list) or "ValueError" not in classes:
        raise Wrong(
            f"{what} raised {seen['raised']}; expected a ValueError, the error for a value that does not "
            "fit (turn the one you get into it)."
        )


def _judge_restore(case, seen):
    ids = seen.get("ids")
    if not isinstance(ids, list) or len(ids) != 2:
        raise Wrong("the check could not read which model restore_model returned.")
    given, returned = ids
    if given != returned:
        raise Wrong(
            f"restore_model(model, path) should return the model it was given, got "
            f"{expect.described(seen['returned'])}."
        )
    x = case["x"].astype(np.float64)
    got = expect.array(seen["outputs"], "the restored model's output")
    expect.close(
        got,
        _mlp_outputs(case["saved"], x),
        "the restored model's output",
        near_misses={
            "left the model as it was: none of the checkpoint's values reached its variables "
            "(a checkpoint finds each value by the name of the object it was saved under)": _mlp_outputs(
                case["fresh"], x
            ),
        },
        rtol=1e-5,
        atol=1e-5,
    )
    misfits = seen.get("misfits")
    if not isinstance(misfits, list) or len(misfits) != len(case["misfits"]):
        raise Wrong("the check could not read what restore_model did with the models that do not fit.")
    for misfit, outcome in zip(case["misfits"], misfits):
        _judge_misfit(misfit, outcome)
    return (
        "The saved values reach a model that fits, and each model that does not fit is refused with a "
        "ValueError."
    )


def _sgd_reference(case, w=None, b=None):
    """The model's prediction error ``(x @ w + b) * scale - y`` and the gradients of the mean squared error."""
    x, y, scale = case["x"].astype(np.float64), case["y"].astype(np.float64), case["scale"]
    w = case["w"].astype(np.float64) if w is None else w
    b = case["b"].astype(np.float64) if b is None else b
    error = (x @ w + b) * scale - y
    d_out = 2 * error * scale / error.size
    return error, x.T @ d_out, d_out.sum(axis=0)


def _judge_sgd(case, seen):
    y, lr, scale = case["y"], case["learning_rate"], case["scale"]
    w, b = case["w"].astype(np.float64), case["b"].astype(np.float64)
    error, grad_w, grad_b = _sgd_reference(case)
    loss = float(np.mean(error**2))
    outputs = y.shape[1]
    what = "the loss sgd_step returned"
    if seen["tensor"]:
        got = expect.array(seen["values"], what, shape=())
    else:
        got = expect.number(seen["returned"], what)
    after, _, _ = _sgd_reference(case, w - lr * grad_w, b - lr * grad_b)
    over_examples = (
        f"averaged over the examples only: with {outputs} outputs the mean runs over every entry of the "
        "error, examples and outputs alike"
    )
    expect.close(
        got,
        loss,
        what,
        near_misses={
            "returned the loss after the step: it should be the loss measured before it": np.mean(after**2),
            "used the sum of the squared errors instead of their mean": loss * y.size,
            over_examples: loss * outputs,
            "forgot to square the errors": np.mean(error),
        },
        rtol=1e-4,
    )
    now = expect.array(seen["scale"], "the model's scale after the step")
    if not np.allclose(now, np.float32(scale)):
        raise Wrong(
            "sgd_step changed the model's scale, a variable that is not trainable: only "
            "model.trainable_variables should move."
        )
    for name, before, grad, observed in (("w", w, grad_w, seen["w"]), ("b", b, grad_b, seen["b"])):
        now = expect.array(observed, f"the model's {name} after the step", shape=before.shape)
        if np.array_equal(now, before.astype(np.float32)):
            raise Wrong(f"the model's {name} did not change: every trainable variable should take a step.")
        expect.close(
            now - before,
            -lr * grad,
            f"the change of the model's {name}",
            near_misses={
                "moved the variable up the gradient: a step goes downhill": lr * grad,
                "forgot the learning rate": -grad,
                "took the gradient of the summed squared errors instead of their mean": -lr * grad * y.size,
                f"took the gradient of a loss {over_examples}": -lr * grad * outputs,
            },
            rtol=1e-3,
            atol=1e-6,
        )
    return (
        "One step of gradient descent: the loss is measured, differentiated and every weight moves downhill."
    )


def _pass_start(elements, case, which):
    """The example numbers of each batch of (the start of) a pass, after checking every batch's form."""
    x, y = case["x"], case["y"]
    if not isinstance(elements, list):
        raise Wrong(f"the check could not read {which}.")
    order = []
    for index, element in enumerate(elements):
        what = f"batch {index} of {which}"
        if not isinstance(element, list) or len(element) != 2:
            raise Wrong(
                f"{what} should be a pair (x_batch, y_batch), got {expect.described(element)}: keep the "
                "images and the labels together in one data set."
            )
        xb = expect.array(element[0], f"the x of {what}")
        yb = expect.array(element[1], f"the y of {what}")
        if xb.ndim != 2 or xb.shape[1] != x.shape[1] or yb.shape != (xb.shape[0],):
            raise Wrong(
                f"{what} holds x of shape {xb.shape} and y of shape {yb.shape}; expected (k, {x.shape[1]}) "
                "and (k,) for a batch of k examples."
            )
        if xb.dtype != x.dtype or yb.dtype != y.dtype:
            raise Wrong(f"{what} has dtypes {xb.dtype} and {yb.dtype}; expected {x.dtype} and {y.dtype}.")
        numbers = np.rint(xb[:, 0]).astype(int)
        if numbers.min() < 0 or numbers.max() >= len(x) or not np.array_equal(xb, x[numbers]):
            raise Wrong(f"{what} holds rows that are not rows of x.")
        if not np.array_equal(yb, y[numbers]):
            raise Wrong(
                f"in {what} the labels no longer belong to their examples: x and y were shuffled apart. "
                "Make one data set of (x, y) pairs, so that each pair travels together."
            )
        order.append(numbers)
    return order


def _pass_order(elements, case, which):
    """The example numbers of one whole pass, batch by batch: every example once."""
    order = _pass_start(elements, case, which)
    n, size = len(case["x"]), case["batch_size"]
    seen = np.concatenate(order) if order else np.array([], dtype=int)
    if len(seen) > n:
        raise Wrong(
            f"{which} gives more than the {n} examples: one pass should show each example once "
            "(the training loop's epochs do the repeating)."
        )
    missing = n - len(set(seen.tolist()))
    if missing or len(seen) != n:
        extra = " (the last, smaller batch was dropped)" if missing == n % size and missing else ""
        raise Wrong(
            f"{which} leaves out {missing} of the {n} examples{extra}: every example belongs in a pass."
        )
    return order


def _judge_batches(case, seen):
    n, size, seed = len(case["x"]), case["batch_size"], case["seed"]
    made = f"batches(x, y, {size}, {seed}) with {n} examples"
    if not seen["dataset"]:
        raise Wrong(f"{made} returned {expect.described(seen['made'])}, not a tf.data.Dataset.")
    first_batches, second_batches = (
        _pass_order(p, case, f"pass {k + 1} of {made}") for k, p in enumerate(seen["passes"])
    )
    first, second = np.concatenate(first_batches), np.concatenate(second_batches)
    if np.array_equal(first, np.arange(n)):
        raise Wrong(f"{made} gives the examples in their original order: they should come shuffled.")
    if all(
        batch[0] % size == 0 and np.array_equal(batch, np.arange(batch[0], batch[0] + len(batch)))
        for batch in first_batches
    ):
        raise Wrong(
            f"{made} shuffles whole batches: the examples inside each batch are still neighbours from the "
            "original order. Shuffle the examples first, then group them into batches."
        )
    sizes, want = (
        [len(batch) for batch in first_batches],
        [size] * (n // size) + ([n % size] if n % size else []),
    )
    if sizes != want:
        raise Wrong(f"pass 1 of {made} has batches of sizes {sizes}; expected {want} for batch_size={size}.")
    forward = int(max(np.max(order - np.arange(n)) for order in (first, second)))
    if forward < n / 2:  # a buffer of B examples moves none more than B - 1 places forward
        raise Wrong(
            f"in two passes of {made} no example moves more than {forward} places forward: the shuffle "
            "buffer is too small to mix the data, and the examples near the end can never come first."
        )
    if np.array_equal(first, second):
        raise Wrong(
            f"{made} gives the same order in every pass: the order should change from one pass to the next "
            "(a shuffle done once, outside tf.data, or a cache placed after the shuffle, freezes it)."
        )
    again = np.concatenate(_pass_start(seen["again"], case, f"the first pass of a second {made}"))
    if not np.array_equal(first[: len(again)], again) or len(again) < min(n, START * size):
        raise Wrong(
            f"two data sets made by {made.split(' with')[0]} give different orders: the shuffle should use "
            "the seed, so that a run can be repeated."
        )
    other = np.concatenate(
        _pass_start(seen["other_seed"], case, f"the first pass of batches(x, y, {size}, {seed + 1})")
    )
    if np.array_equal(first[: len(other)], other):
        raise Wrong(
            f"batches(x, y, {size}, {seed + 1}) gives the same order for another seed as for seed={seed}: "
            "the seed argument should choose the order."
        )
    return "Every pass shows every example once, in fresh batches of a fresh order, and the seed repeats it."


def _sgd_path(case, steps=STEPS, heavier_above=True):
    """Reference: the loss before each of ``steps`` SGD steps and after the last, and (w, b) after the
    first and the last. The check's loss counts a prediction above its target ``OVERSHOOT`` times; with
    ``heavier_above=False``, one below it (the loss called with its arguments the other way round)."""
    x, y, w, b = (case[k].astype(np.float64) for k in ("x", "y", "w", "b"))
    scale, lr = case["scale"], case["learning_rate"]
    losses, after = [], []
    for _ in range(steps + 1):
        error = (x @ w + b) * scale - y
        weights = np.where(error > 0 if heavier_above else error < 0, OVERSHOOT, 1.0)
        losses.append(float(np.mean(weights * error**2)))
        d_out = 2 * weights * error * scale / error.size
        w, b = w - lr * x.T @ d_out, b - lr * d_out.sum(axis=0)
        after.append((w, b))
    return np.array(losses), after[0], after[steps - 1]


def _step_size(moved, want, learning_rate):
    """Raises when the first step went the right way but by another length than the optimizer's."""
    ratio = float(moved @ want / (want @ want)) if np.any(want) else 1.0
    if (
        ratio <= 0
        or np.isclose(ratio, 1.0, rtol=1e-3)
        or not np.allclose(moved, ratio * want, rtol=1e-3, atol=1e-6)
    ):
        return
    if np.isclose(ratio, 1 / learning_rate, rtol=1e-3):
        raise Wrong(
            "one call of train_step moved the variables by their gradients themselves: it stepped without "
            "the optimizer's learning rate. Let the optimizer you were given make the step."
        )
    raise Wrong(
        f"one call of train_step moved the variables {ratio:.3g} times as far as the optimizer given to "
        "make_train_step would: the step should be made with that optimizer, another one or a learning "
        "rate of your own gives another size of step."
    )


def _judge_train_step(case, seen):
    made = "make_train_step(model, loss_fn, optimizer)"
    if not seen["function"]:
        raise Wrong(
            f"{made} returned {expect.described(seen['made'])}, not a tf.function: wrap the step with "
            "tf.function so that TensorFlow runs it as a graph."
        )
    losses = []
    for index, loss in enumerate(seen["losses"]):
        what = f"the loss returned by call {index + 1} of train_step"
        if loss["tensor"]:
            losses.append(float(expect.array(loss["values"], what, shape=())))
        else:
            losses.append(expect.number(loss["returned"], what))
    path, (w_one, b_one), (w_all, b_all) = _sgd_path(case)
    want = path[:-1]
    scale = np.float32(case["scale"])
    if not np.allclose(expect.array(seen["after_one"]["scale"], "scale"), scale) or not np.allclose(
        expect.array(seen["after_all"]["scale"], "scale"), scale
    ):
        raise Wrong(
            "train_step changed the model's scale, a variable that is not trainable: update only "
            "model.trainable_variables."
        )
    swapped, _, _ = _sgd_path(case, heavier_above=False)
    targets_first = "called loss_fn with the targets first: it takes (predictions, targets), in that order"
    if np.allclose(losses, swapped[:-1], rtol=1e-3, atol=1e-6) and not np.allclose(
        want, swapped[:-1], rtol=1e-3
    ):
        raise Wrong(
            f"the losses returned over {STEPS} steps are not right: it looks like you {targets_first}."
        )
    w0, b0 = case["w"], case["b"]
    moved = []
    for name, start, seen_after in (("w", w0, seen["after_one"]["w"]), ("b", b0, seen["after_one"]["b"])):
        now = expect.array(seen_after, f"the model's {name} after one step", shape=start.shape)
        if np.array_equal(now, start):
            raise Wrong(
                f"one call of train_step left the model's {name} as it was: every trainable variable should take a step."
            )
        moved.append((now.astype(np.float64) - start).ravel())
    reference = np.concatenate([(w_one - w0).ravel(), (b_one - b0).ravel()])
    _step_size(np.concatenate(moved), reference, case["learning_rate"])
    if losses[-1] >= losses[0]:
        raise Wrong(
            f"over {STEPS} steps the loss went from {losses[0]:.4g} to {losses[-1]:.4g}: it should fall. Are the "
            "variables moving against their gradients?"
        )
    expect.close(
        np.array(losses),
        want,
        f"the losses returned over {STEPS} steps",
        near_misses={
            "returned the loss after each step: return the one measured before the step": path[1:],
            targets_first: swapped[:-1],
        },
        rtol=1e-3,
        atol=1e-6,
    )
    for name, start, one, observed in (
        ("w", w0.astype(np.float64), w_one, seen["after_one"]["w"]),
        ("b", b0.astype(np.float64), b_one, seen["after_one"]["b"]),
    ):
        expect.close(
            expect.array(observed, f"the model's {name} after one step") - start,
            one - start,
            f"the change of the model's {name} in one step",
            rtol=1e-3,
            atol=1e-6,
        )
    expect.close(
        expect.array(seen["after_all"]["w"], "w"),
        w_all,
        f"the model's w after {STEPS} steps",
        rtol=1e-3,
        atol=1e-5,
    )
    expect.close(
        expect.array(seen["after_all"]["b"], "b"),
        b_all,
        f"the model's b after {STEPS} steps",
        rtol=1e-3,
        atol=1e-5,
    )
    return "train_step runs as one graph, moves every trainable variable downhill, and the loss falls."


JUDGES = {
    "05.1": _judge_line,
    "05.2": _judge_lazy,
    "05.3": _judge_restore,
    "05.4": _judge_sgd,
    "05.5": _judge_batches,
    "05.6": _judge_train_step,
}
