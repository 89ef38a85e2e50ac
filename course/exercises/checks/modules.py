"""Exercises and quizzes of 05_modules_and_graphs (TensorFlow is imported inside the probes only)."""

import shutil
import tempfile

import numpy as np

from .. import judging
from ..framework import exercise
from ..judging import Wrong
from ..probing import Shortcut, observe
from ..quizzes import multiple_choice, predict_shape


def _tensor(value):
    """What the probe saw of a returned tensor: its observation, and its values as an ndarray."""
    import tensorflow as tf

    seen = {"returned": observe(value), "tensor": bool(tf.is_tensor(value)), "values": None}
    if seen["tensor"]:
        seen["dtype"] = value.dtype.name
        seen["values"] = observe(np.asarray(value.numpy()))
    return seen


def _relu(z):
    return np.maximum(z, 0.0)


# ---------------------------------------------------------------------------
# 05.1 a callable Line
# ---------------------------------------------------------------------------


def _line_cases(rng):
    cases = []
    for _ in range(3):
        slope, intercept, other_slope, other_intercept = (round(float(v), 2) for v in rng.uniform(-5, 5, 4))
        shape = tuple(int(n) for n in rng.integers(1, 5, size=int(rng.integers(1, 3))))
        cases.append(
            {
                "slope": slope,
                "intercept": intercept,
                "other": [other_slope, other_intercept],
                "x": round(float(rng.uniform(-10, 10)), 2),
                "xs": rng.uniform(-10, 10, size=shape).round(2),
            }
        )
    return cases


def _line_probe(answer, case):
    line = answer(case["slope"], case["intercept"])
    if not callable(line):
        return {"callable": False, "made": observe(line)}
    answer(*case["other"])  # a second line, made before the first one is used
    return {"callable": True, "number": observe(line(case["x"])), "array": observe(line(case["xs"]))}


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
            f"{made} made {judging.described(seen['made'])} that cannot be called like a function: "
            "Python calls an object through its __call__ method."
        )
    other_slope, other_intercept = case["other"]
    got = judging.number(seen["number"], f"{made}({x})")
    if np.isclose(got, other_slope * x + other_intercept) and not np.isclose(got, slope * x + intercept):
        raise Wrong(
            f"{made}({x}) gives the value of the line made after it, Line({other_slope}, {other_intercept}): "
            "the numbers must belong to each object, not to the class or the module."
        )
    judging.close(got, slope * x + intercept, f"{made}({x})", near_misses=_line_misses(slope, intercept, x))
    values = judging.array(seen["array"], f"{made}(x) for an array x of shape {xs.shape}", shape=xs.shape)
    judging.close(
        values,
        slope * xs + intercept,
        f"{made}(x) for an array x of shape {xs.shape}",
        near_misses=_line_misses(slope, intercept, xs),
    )
    return "Line remembers its slope and intercept, and each object is called like a function."


exercise(
    id="05.1",
    title="A callable Line",
    produce="a class Line: Line(slope, intercept) makes an object that, called on x (a number or a "
    "NumPy array), returns the value of the straight line at x (a number, or an array of x's shape)",
    answer="class",
    cases=_line_cases,
    probe=_line_probe,
    judge=_judge_line,
    hints=(
        "An object keeps what it needs as attributes, set up when it is created.",
        "__init__ stores the two numbers on self; a second method, the one Python runs when you call "
        "the object, computes with them.",
        "That method takes x, which can be a number or an array: the same arithmetic works on both.",
    ),
)


# ---------------------------------------------------------------------------
# 05.2 a layer that builds its weights on the first call
# ---------------------------------------------------------------------------


def _lazy_cases(rng):
    cases = []
    for _ in range(2):
        units = int(rng.integers(1, 6))
        widths = [int(n) for n in rng.choice(np.arange(1, 8), size=2, replace=False)]
        cases.append(
            {
                "units": units,
                "x": rng.normal(size=(int(rng.integers(2, 6)), widths[0])).astype(np.float32),
                "other_x": rng.normal(size=(int(rng.integers(2, 6)), widths[1])).astype(np.float32),
            }
        )
    return cases


def _variables_seen(module):
    return [
        {"shape": [int(n) for n in v.shape], "trainable": bool(v.trainable), "values": observe(v.numpy())}
        for v in module.variables
    ]


SHIFT = 0.5  # added to every variable after the first call


def _lazy_probe(answer, case):
    import tensorflow as tf

    layer = answer(case["units"])
    if not isinstance(layer, tf.Module):
        return {"module": False, "made": observe(layer)}
    seen = {"module": True, "before": len(layer.variables)}
    x = tf.constant(case["x"])
    seen["first"] = _tensor(layer(x))
    seen["variables"] = _variables_seen(layer)
    seen["trainable"] = len(layer.trainable_variables)
    for variable in layer.variables:  # other values, so that a zero bias cannot hide
        variable.assign_add(tf.fill(variable.shape, SHIFT))
    seen["again"] = _tensor(layer(x))
    seen["variables_again"] = _variables_seen(layer)
    other = answer(case["units"])  # a fresh layer, for inputs of another width
    seen["other"] = _tensor(other(tf.constant(case["other_x"])))
    seen["other_variables"] = _variables_seen(other)
    seen["first_after_other"] = _tensor(layer(x))
    return seen


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
    w = judging.array(matrix["values"], f"{what}'s weight matrix")
    b = judging.array(bias["values"], f"{what}'s bias")
    if w.size > 1 and np.all(w == w.flat[0]):
        raise Wrong(
            f"every weight of {what} starts at the same value, {w.flat[0]:g}: all its units would compute "
            "the same thing and get the same gradients forever. Start the weights random."
        )
    return w.astype(np.float64), b.astype(np.float64)


def _lazy_output(seen, x, w, b, what):
    if not seen["tensor"]:
        raise Wrong(f"{what} should be a TensorFlow tensor, got {judging.described(seen['returned'])}.")
    if seen["dtype"] != "float32":
        raise Wrong(f"{what} has dtype {seen['dtype']}; the input is float32 and so should the output be.")
    got = judging.array(seen["values"], what)
    x = x.astype(np.float64)
    judging.close(
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
            f"{made} made {judging.described(seen['made'])}, not a tf.Module: inherit from tf.Module so "
            "that the layer can list its variables."
        )
    if seen["before"]:
        raise Wrong(
            f"{made} already has {seen['before']} variable(s) before its first call: the layer should make "
            "its variables when the first input arrives, which tells it the input's width."
        )
    w, b = _weights_and_bias(seen["variables"], x.shape[1], units, made)
    if seen["trainable"] != 2:
        raise Wrong(f"{made}.trainable_variables lists {seen['trainable']} variables; expected 2.")
    what = f"{made}(x) for x of shape {x.shape}"
    _lazy_output(seen["first"], x, w, b, what)
    shifted = (w + SHIFT, b + SHIFT)
    now = [judging.array(v["values"], f"a variable of {made}") for v in seen["variables_again"]]
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
    later = judging.array(
        seen["first_after_other"]["values"], f"the first {made} after another one was built"
    )
    if not np.allclose(later, seen["again"]["values"]["value"], rtol=1e-6, atol=1e-6):
        raise Wrong(
            f"building a second {made} changed the first one's output: each layer must keep its own "
            "variables on self, not on the class."
        )
    return "The layer waits for its first input, reads the width from it, and builds its weights once."


exercise(
    id="05.2",
    title="A layer that builds itself",
    produce="a class LazyLinear, a tf.Module: LazyLinear(units) makes a layer with no variables yet; its "
    "first call on a float32 tensor x of shape (batch, in_features) creates a random weight matrix of "
    "shape (in_features, units) and a bias of shape (units,), both trainable tf.Variables, and every call "
    "returns the affine map of x (weighted sums plus bias, no activation): a float32 tensor of shape "
    "(batch, units)",
    answer="class",
    cases=_lazy_cases,
    probe=_lazy_probe,
    judge=_judge_lazy,
    hints=(
        "The width of the input is only known when the first input arrives; until then the layer "
        "remembers how many units it will have and nothing more.",
        "In the method that runs on a call, ask whether the weights exist yet; if not, read the input's "
        "last dimension and make the two variables, kept as attributes of the layer.",
        "The weight matrix starts random (tf.random has several ways), the bias can start at zero; the "
        "output is the input times the matrix, plus the bias.",
    ),
    shortcuts=(
        Shortcut("course.tf_layers:LazyDense"),
        Shortcut("course.tf_layers:Dense"),
        Shortcut("keras.layers:Dense"),
    ),
    forbidden_in_source=("LazyDense", "Dense", "keras"),
    time_limit=20,
)


# ---------------------------------------------------------------------------
# 05.3 restoring a checkpoint
# ---------------------------------------------------------------------------


def _weights(rng, sizes):
    return [
        array
        for n_in, n_out in zip(sizes, sizes[1:])
        for array in (
            rng.normal(size=(n_in, n_out)).astype(np.float32),
            rng.normal(size=(n_out,)).astype(np.float32),
        )
    ]


MISFITS = {  # a model that does not fit the checkpoint: how its layer widths differ from the saved ones
    "one layer more": lambda sizes: sizes + [2],
    "one layer fewer": lambda sizes: sizes[:2],
    "a wider hidden layer": lambda sizes: [sizes[0], sizes[1] + 1, sizes[2]],
}


def _restore_cases(rng):
    cases = []
    for misfit in [None, None, *MISFITS]:
        sizes = [int(n) for n in rng.integers(2, 7, size=3)]
        cases.append(
            {
                "sizes": sizes,
                "saved": _weights(rng, sizes),
                "fresh": _weights(rng, sizes),
                "x": rng.normal(size=(int(rng.integers(2, 5)), sizes[0])).astype(np.float32),
                "misfit": misfit,
            }
        )
    return cases


def _mlp(sizes, weights=None):
    """Dense layers for the widths ``sizes`` (ReLU between them), holding ``weights`` when given."""
    from ...tf_layers import Dense, Sequential

    last = len(sizes) - 2
    model = Sequential(
        [
            Dense(n_in, n_out, activation=None if index == last else "relu")
            for index, (n_in, n_out) in enumerate(zip(sizes, sizes[1:]))
        ]
    )
    for index, layer in enumerate(model.layers if weights is not None else []):
        layer.w.assign(weights[2 * index])
        layer.b.assign(weights[2 * index + 1])
    return model


def _restore_probe(answer, case):
    import tensorflow as tf

    from ...tf_layers import save_checkpoint

    folder = tempfile.mkdtemp(prefix="course-check-05.3-")
    try:
        path = save_checkpoint(_mlp(case["sizes"], case["saved"]), f"{folder}/model")
        if case["misfit"]:
            try:
                answer(_mlp(MISFITS[case["misfit"]](case["sizes"])), path)
            except NotImplementedError:
                raise
            except Exception as error:  # what the answer raises for a model that does not fit is the outcome
                return {"raised": type(error).__name__, "value_error": isinstance(error, ValueError)}
            return {"raised": None}
        fresh = _mlp(case["sizes"], case["fresh"])
        returned = answer(fresh, path)
        outputs = fresh(tf.constant(case["x"])).numpy()
        return {
            "same_model": returned is fresh,
            "returned": observe(returned),
            "outputs": observe(outputs),
        }
    finally:
        shutil.rmtree(folder, ignore_errors=True)


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
    if not seen["value_error"]:
        raise Wrong(
            f"{what} raised {seen['raised']}; expected a ValueError, the error for a value that does not "
            "fit (turn the one you get into it)."
        )
    return "The saved values reach a model that fits, and a model that does not fit is refused with a ValueError."


def _judge_restore(case, seen):
    if case["misfit"]:
        return _judge_misfit(case, seen)
    if not seen["same_model"]:
        raise Wrong(
            f"restore_model(model, path) should return the model it was given, got "
            f"{judging.described(seen['returned'])}."
        )
    x = case["x"].astype(np.float64)
    got = judging.array(seen["outputs"], "the restored model's output")
    judging.close(
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


exercise(
    id="05.3",
    title="Restore a checkpoint",
    produce="a function restore_model(model, path) that takes a tf.Module model and the path of a "
    "checkpoint written by save_checkpoint, loads the saved values into model's variables and returns "
    "model; when the checkpoint does not fit the model (a saved value with no variable to go to, a "
    "variable with no saved value, or shapes that differ) it raises a ValueError instead",
    cases=_restore_cases,
    probe=_restore_probe,
    judge=_judge_restore,
    hints=(
        "A checkpoint stores every variable under its path, starting from the name the module was "
        "saved under; reading it fills what matches and stays silent about the rest.",
        "Make a checkpoint object that holds the model under the same name as when it was written, "
        "read the file into it, and ask the status that the read returns whether everything was "
        "consumed.",
        "That question raises an AssertionError when something is left over: turn it into a ValueError. "
        "When all is well, hand back the model.",
    ),
    shortcuts=(Shortcut("course.tf_layers:restore_checkpoint"),),
    forbidden_in_source=("restore_checkpoint",),
    time_limit=20,
)


# ---------------------------------------------------------------------------
# 05.4 one step of gradient descent
# ---------------------------------------------------------------------------


def _sgd_cases(rng):
    cases = []
    for _ in range(3):
        batch, n_in, n_out = int(rng.integers(3, 9)), int(rng.integers(1, 5)), int(rng.integers(1, 4))
        cases.append(
            {
                "x": rng.normal(size=(batch, n_in)).astype(np.float32),
                "y": rng.normal(size=(batch, n_out)).astype(np.float32),
                "w": rng.normal(size=(n_in, n_out)).astype(np.float32),
                "b": rng.normal(size=(n_out,)).astype(np.float32),
                "learning_rate": round(float(rng.uniform(0.01, 0.3)), 3),
            }
        )
    return cases


def _sgd_probe(answer, case):
    import tensorflow as tf

    from ...tf_layers import Dense

    n_in, n_out = case["w"].shape
    model = Dense(n_in, n_out)
    model.w.assign(case["w"])
    model.b.assign(case["b"])
    loss = answer(model, tf.constant(case["x"]), tf.constant(case["y"]), case["learning_rate"])
    seen = _tensor(loss)
    seen["w"], seen["b"] = observe(model.w.numpy()), observe(model.b.numpy())
    return seen


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
        got = judging.array(seen["values"], what, shape=())
    else:
        got = judging.number(seen["returned"], what)
    after = float(np.mean(((x @ (w - lr * grad_w) + (b - lr * grad_b)) - y) ** 2))
    judging.close(
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
        now = judging.array(observed, f"the model's {name} after the step", shape=before.shape)
        if np.array_equal(now, before.astype(np.float32)):
            raise Wrong(f"the model's {name} did not change: every trainable variable should take a step.")
        judging.close(
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


exercise(
    id="05.4",
    title="One gradient-descent step",
    produce="a function sgd_step(model, x, y, learning_rate) that takes a tf.Module model, float32 "
    "tensors x and y and a float, takes one step of plain gradient descent on the mean squared error "
    "of model(x) against y (changing the model's trainable variables), and returns that loss as "
    "measured before the step (a scalar tensor or a float)",
    cases=_sgd_cases,
    probe=_sgd_probe,
    judge=_judge_sgd,
    hints=(
        "Four moves: measure the loss while TensorFlow records, ask for its gradients, step, report.",
        "The recording happens inside a GradientTape block; the gradients are taken with respect to "
        "model.trainable_variables, one per variable, in the same order.",
        "A variable changes in place through its own methods; each one moves by the learning rate times "
        "its gradient, downhill.",
    ),
    forbidden_in_source=("keras", "optimizers", "apply_gradients"),
    time_limit=20,
)


# ---------------------------------------------------------------------------
# 05.5 shuffled batches with tf.data
# ---------------------------------------------------------------------------

PASSES = 2  # passes over the data set the probe reads


def _batches_cases(rng):
    cases = []
    for _ in range(2):
        n, features = int(rng.integers(40, 71)), int(rng.integers(1, 4))
        x = rng.normal(size=(n, features + 1)).astype(np.float32)
        x[:, 0] = np.arange(n)  # the first column numbers the examples, so the check can follow each one
        cases.append(
            {
                "x": x,
                "y": rng.integers(0, 10, size=n).astype(np.int32),
                "batch_size": int(rng.integers(4, 11)),
                "seed": int(rng.integers(0, 2**31 - 1)),
            }
        )
    return cases


def _one_pass(dataset, most):
    """Every element of one pass (at most ``most``), each as a list of arrays when it is a pair."""
    elements = []
    for element in dataset.take(most):
        if isinstance(element, (tuple, list)):
            elements.append([observe(np.asarray(part)) for part in element])
        else:
            elements.append(observe(element))
    return elements


def _batches_probe(answer, case):
    import tensorflow as tf

    x, y, size, seed = case["x"], case["y"], case["batch_size"], case["seed"]
    dataset = answer(x, y, size, seed)
    if not isinstance(dataset, tf.data.Dataset):
        return {"dataset": False, "made": observe(dataset)}
    most = len(x) // size + 2  # enough to see one pass, and a data set that never ends
    passes = [_one_pass(dataset, most) for _ in range(PASSES)]
    again = _one_pass(answer(x, y, size, seed), most)
    return {"dataset": True, "passes": passes, "again": again}


def _pass_order(elements, case, which):
    """The example numbers of one pass in the order they came, after checking every batch's form."""
    x, y, size = case["x"], case["y"], case["batch_size"]
    order = []
    for index, element in enumerate(elements):
        what = f"batch {index} of {which}"
        if not isinstance(element, list) or len(element) != 2:
            raise Wrong(
                f"{what} should be a pair (x_batch, y_batch), got {judging.described(element)}: keep the "
                "images and the labels together in one data set."
            )
        xb = judging.array(element[0], f"the x of {what}")
        yb = judging.array(element[1], f"the y of {what}")
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
        raise Wrong(f"{made} returned {judging.described(seen['made'])}, not a tf.data.Dataset.")
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


exercise(
    id="05.5",
    title="Shuffled batches with tf.data",
    produce="a function batches(x, y, batch_size, seed) that takes a NumPy float32 array x of shape "
    "(n, features), a NumPy int32 array y of shape (n,) and two ints, and returns a tf.data.Dataset of "
    "(x_batch, y_batch) pairs: each pass over it gives every example exactly once, with its own label, "
    "in a new random order at every pass (the same sequence of orders again for the same seed), in "
    "batches of batch_size examples (only the last one smaller)",
    cases=_batches_cases,
    probe=_batches_probe,
    judge=_judge_batches,
    hints=(
        "Start from one data set of (example, label) pairs, then chain the steps shown above in the "
        "order that keeps pairs together and mixes the examples before grouping them.",
        "The shuffle needs a buffer as large as the data set to mix it fully, and the seed; by default "
        "it draws a new order at every pass.",
        "Batching comes after shuffling; leave the last, smaller batch in.",
    ),
    shortcuts=(Shortcut("course.tf_layers:shuffled_batches"),),
    forbidden_in_source=("shuffled_batches",),
    time_limit=20,
)


# ---------------------------------------------------------------------------
# 05.6 a training step as a tf.function
# ---------------------------------------------------------------------------

STEPS = 8  # training steps the probe takes


def _train_step_cases(rng):
    cases = []
    for _ in range(2):
        n, n_in, n_out = int(rng.integers(8, 17)), int(rng.integers(2, 5)), int(rng.integers(1, 3))
        x = rng.normal(size=(n, n_in)).astype(np.float32)
        cases.append(
            {
                "x": x,
                "y": (x @ rng.normal(size=(n_in, n_out)) + 0.1 * rng.normal(size=(n, n_out))).astype(
                    np.float32
                ),
                "w": rng.normal(size=(n_in, n_out)).astype(np.float32),
                "b": rng.normal(size=(n_out,)).astype(np.float32),
                "scale": round(float(rng.uniform(0.5, 1.5)), 2),
                "learning_rate": round(float(rng.uniform(0.02, 0.08)), 3),
            }
        )
    return cases


def _scaled_linear(w, b, scale):
    """A tf.Module ``(x @ w + b) * scale`` whose ``scale`` is a variable that is not trainable."""
    import tensorflow as tf

    class ScaledLinear(tf.Module):
        def __init__(self):
            super().__init__(name="scaled_linear")
            self.w = tf.Variable(w, name="w")
            self.b = tf.Variable(b, name="b")
            self.scale = tf.Variable(scale, trainable=False, name="scale")

        def __call__(self, x):
            return (x @ self.w + self.b) * self.scale

    return ScaledLinear()


def _mean_squared_error(predictions, targets):
    import tensorflow as tf

    return tf.reduce_mean(tf.square(predictions - targets))


def _model_values(model):
    return {name: observe(np.asarray(getattr(model, name).numpy())) for name in ("w", "b", "scale")}


def _loss_seen(loss):
    return _tensor(loss) if hasattr(loss, "numpy") else {"returned": observe(loss), "tensor": False}


def _train_step_probe(answer, case):
    import keras
    import tensorflow as tf

    model = _scaled_linear(case["w"], case["b"], np.float32(case["scale"]))
    optimizer = keras.optimizers.SGD(learning_rate=case["learning_rate"])
    step = answer(model, _mean_squared_error, optimizer)
    function = isinstance(step, tf.types.experimental.PolymorphicFunction)
    if not function:
        return {"function": False, "made": observe(step)}
    x, y = tf.constant(case["x"]), tf.constant(case["y"])
    losses = [_loss_seen(step(x, y))]
    after_one = _model_values(model)
    losses += [_loss_seen(step(x, y)) for _ in range(STEPS - 1)]
    return {
        "function": True,
        "losses": losses,
        "after_one": after_one,
        "after_all": _model_values(model),
    }


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
            f"{made} returned {judging.described(seen['made'])}, not a tf.function: wrap the step with "
            "tf.function so that TensorFlow runs it as a graph."
        )
    losses = []
    for index, loss in enumerate(seen["losses"]):
        what = f"the loss returned by call {index + 1} of train_step"
        if loss["tensor"]:
            losses.append(float(judging.array(loss["values"], what, shape=())))
        else:
            losses.append(judging.number(loss["returned"], what))
    path, (w_one, b_one), (w_all, b_all) = _sgd_path(case)
    want = path[:-1]
    scale = np.float32(case["scale"])
    if not np.allclose(judging.array(seen["after_one"]["scale"], "scale"), scale) or not np.allclose(
        judging.array(seen["after_all"]["scale"], "scale"), scale
    ):
        raise Wrong(
            "train_step changed the model's scale, a variable that is not trainable: update only "
            "model.trainable_variables."
        )
    w0, b0 = case["w"], case["b"]
    for name, start, seen_after in (("w", w0, seen["after_one"]["w"]), ("b", b0, seen["after_one"]["b"])):
        now = judging.array(seen_after, f"the model's {name} after one step", shape=start.shape)
        if np.array_equal(now, start):
            raise Wrong(
                f"one call of train_step left the model's {name} as it was: every trainable variable should take a step."
            )
    if losses[-1] >= losses[0]:
        raise Wrong(
            f"over {STEPS} steps the loss went from {losses[0]:.4g} to {losses[-1]:.4g}: it should fall. Are the "
            "variables moving against their gradients?"
        )
    judging.close(
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
        judging.close(
            judging.array(observed, f"the model's {name} after one step") - start,
            one - start,
            f"the change of the model's {name} in one step",
            near_misses={
                "stepped without the optimizer's learning rate": (one - start) / case["learning_rate"]
            },
            rtol=1e-3,
            atol=1e-6,
        )
    judging.close(
        judging.array(seen["after_all"]["w"], "w"),
        w_all,
        f"the model's w after {STEPS} steps",
        rtol=1e-3,
        atol=1e-5,
    )
    judging.close(
        judging.array(seen["after_all"]["b"], "b"),
        b_all,
        f"the model's b after {STEPS} steps",
        rtol=1e-3,
        atol=1e-5,
    )
    return "train_step runs as one graph, moves every trainable variable downhill, and the loss falls."


exercise(
    id="05.6",
    title="A training step as a graph",
    produce="a function make_train_step(model, loss_fn, optimizer) that takes a tf.Module model, a function "
    "loss_fn(predictions, targets) returning a scalar tensor and a Keras optimizer, and returns a "
    "tf.function train_step(x, y) that takes one step of the optimizer on loss_fn(model(x), y), changing "
    "only the model's trainable variables, and returns that loss as measured before the step",
    cases=_train_step_cases,
    probe=_train_step_probe,
    judge=_judge_train_step,
    hints=(
        "make_train_step defines a function inside itself that uses model, loss_fn and optimizer, turns it "
        "into a graph function, and returns it.",
        "Inside the step: the forward pass and the loss under a GradientTape, then the gradients with "
        "respect to the model's trainable variables.",
        "The optimizer takes (gradient, variable) pairs and applies the update itself; the step returns "
        "the loss it measured.",
    ),
    shortcuts=(Shortcut("course.tf_layers:make_train_step"),),
    time_limit=30,
)


# ---------------------------------------------------------------------------
# Quizzes
# ---------------------------------------------------------------------------

multiple_choice(
    "05.q1",
    "ScaleAndShift.__init__ forgets the line super().__init__(factor). What happens when you call "
    "ScaleAndShift(2, 1).apply(10)?",
    options=[
        "It returns 21 as before: Python calls the parent's __init__ automatically",
        "AttributeError: the object has no attribute 'factor'",
        "It returns 11: factor defaults to 1",
        "TypeError when the object is created",
    ],
    answer="AttributeError: the object has no attribute 'factor'",
    explanation="Python runs only the __init__ it finds first (the child's); the parent's runs only if you "
    "call it.",
)

predict_shape(
    "05.q2",
    "model = Sequential([Dense(8, 16, activation='relu'), Dense(16, 4)]) and x has shape (5, 8). "
    "What is the shape of model(x)?",
    shape=(5, 4),
    explanation="The batch axis passes through; each layer changes only the last axis: 8 -> 16 -> 4.",
)

predict_shape(
    "05.q3",
    "model = Sequential([Dense(8, 16), Dense(4, 2)]) and x has shape (5, 8). What is the shape of "
    "model(x)? (Type error if it fails.)",
    shape="error",
    explanation="The first layer outputs 16 columns but the second expects in_features=4.",
)

multiple_choice(
    "05.q4",
    "f is a @tf.function without input_signature. You call f(tf.ones((4, 2))), f(tf.ones((4, 2))), "
    "f(tf.zeros((4, 2))), f(tf.ones((8, 2))). How many times is f traced?",
    options=["1", "2", "3", "4"],
    answer="2",
    explanation="Values do not matter for tensors, only shape and dtype: (4, 2) once, (8, 2) once.",
)
