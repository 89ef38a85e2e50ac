"""The judges of 05_modules_and_graphs: what each exercise's answer is compared with."""

import numpy as np

from ..checks.nb05_modules_and_graphs import SHIFT, STEPS
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
    other_w, other_b = _weights_and_bias(seen["other_variables"], other_x.shape[1], units, f"another {made}")
    _lazy_output(
        seen["other"], other_x, other_w, other_b, f"another {made}, called on x of shape {other_x.shape}"
    )
    later = expect.array(seen["first_after_other"]["values"], f"the first {made} after another one was built")
    if not np.allclose(later, seen["again"]["values"]["value"], rtol=1e-6, atol=1e-6):
        raise Wrong(
            f"building a second {made} changed the first one's output: each layer must keep its own "
            "variables on self, not on the class."
        )
    return "The layer waits for its first input, reads the width from it, and builds its weights once."


def _mlp_outputs(weights, x):
    w0, b0, w1, b1 = (np.asarray(a, dtype=np.float64) for a in weights)
    return _relu(x @ w0 + b0) @ w1 + b1


def _judge_misfit(case, seen):
    what = f"restore_model(model, path) for a model with {case['misfit']} than the saved one"
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
    return "The saved values reach a model that fits, and a model that does not fit is refused with a ValueError."


def _judge_restore(case, seen):
    if case["misfit"]:
        return _judge_misfit(case, seen)
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
    return "The fresh model now gives exactly the saved model's outputs."


def _sgd_reference(case, scale=1.0):
    """Loss before, gradients of the mean squared error (times ``scale``), and the loss after the step."""
    x, y, w, b = (case[k].astype(np.float64) for k in ("x", "y", "w", "b"))
    error = x @ w + b - y
    d_out = scale * 2 * error / error.size
    return float(np.mean(error**2)), x.T @ d_out, d_out.sum(axis=0)


def _judge_sgd(case, seen):
    x, y, w, b, lr = (case[k] for k in ("x", "y", "w", "b", "learning_rate"))
    w, b = w.astype(np.float64), b.astype(np.float64)
    loss, grad_w, grad_b = _sgd_reference(case)
    _, sum_w, sum_b = _sgd_reference(case, scale=y.size)
    what = "the loss sgd_step returned"
    if seen["tensor"]:
        got = expect.array(seen["values"], what, shape=())
    else:
        got = expect.number(seen["returned"], what)
    after = float(np.mean(((x @ (w - lr * grad_w) + (b - lr * grad_b)) - y) ** 2))
    expect.close(
        got,
        loss,
        what,
        near_misses={
            "returned the loss after the step: it should be the loss measured before it": after,
            "used the sum of the squared errors instead of their mean": loss * y.size,
            "forgot to square the errors": np.mean(x @ w + b - y),
        },
        rtol=1e-4,
    )
    for name, before, grad, total, observed in (
        ("w", w, grad_w, sum_w, seen["w"]),
        ("b", b, grad_b, sum_b, seen["b"]),
    ):
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
                "took the gradient of the summed squared errors instead of their mean": -lr * total,
            },
            rtol=1e-3,
            atol=1e-6,
        )
    return (
        "One step of gradient descent: the loss is measured, differentiated and every weight moves downhill."
    )


def _pass_order(elements, case, which):
    """The example numbers of one pass in the order they came, after checking every batch's form."""
    x, y, size = case["x"], case["y"], case["batch_size"]
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
    n, seen = len(x), np.concatenate(order) if order else np.array([], dtype=int)
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
    if np.max(first - np.arange(n)) < n / 4:
        raise Wrong(
            f"in {made} no example moves more than {int(np.max(first - np.arange(n)))} places forward: the "
            "shuffle buffer is too small to mix the data. A buffer as large as the data set shuffles it fully."
        )
    if np.array_equal(first, second):
        raise Wrong(
            f"{made} gives the same order in every pass: the order should change from one pass to the next "
            "(a shuffle done once, outside tf.data, or a cache placed after the shuffle, freezes it)."
        )
    again = np.concatenate(_pass_order(seen["again"], case, f"the first pass of a second {made}"))
    if not np.array_equal(first, again):
        raise Wrong(
            f"two data sets made by {made.split(' with')[0]} give different orders: the shuffle should use "
            "the seed, so that a run can be repeated."
        )
    return "Every pass shows every example once, in fresh batches of a fresh order, and the seed repeats it."


def _sgd_path(case, steps=STEPS):
    """Reference: the loss before each of ``steps`` SGD steps and after the last, and (w, b) after the first and the last."""
    x, y, w, b = (case[k].astype(np.float64) for k in ("x", "y", "w", "b"))
    scale, lr = case["scale"], case["learning_rate"]
    losses, after = [], []
    for _ in range(steps + 1):
        error = (x @ w + b) * scale - y
        losses.append(float(np.mean(error**2)))
        d_out = 2 * error * scale / error.size
        w, b = w - lr * x.T @ d_out, b - lr * d_out.sum(axis=0)
        after.append((w, b))
    return np.array(losses), after[0], after[steps - 1]


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
    w0, b0 = case["w"], case["b"]
    for name, start, seen_after in (("w", w0, seen["after_one"]["w"]), ("b", b0, seen["after_one"]["b"])):
        now = expect.array(seen_after, f"the model's {name} after one step", shape=start.shape)
        if np.array_equal(now, start):
            raise Wrong(
                f"one call of train_step left the model's {name} as it was: every trainable variable should take a step."
            )
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
            near_misses={
                "stepped without the optimizer's learning rate": (one - start) / case["learning_rate"]
            },
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
