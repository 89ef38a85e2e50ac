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
# 05.2 the forward pass of a Dense layer
# ---------------------------------------------------------------------------


def _dense_cases(rng):
    cases = []
    for _ in range(3):
        batch, n_in, n_out = (int(n) for n in rng.integers(2, 7, size=3))
        cases.append(
            {
                "x": rng.normal(size=(batch, n_in)).astype(np.float32),
                "w": rng.normal(size=(n_in, n_out)).astype(np.float32),
                "b": rng.normal(size=(n_out,)).astype(np.float32),
            }
        )
    return cases


def _dense_probe(answer, case):
    import tensorflow as tf

    return _tensor(answer(tf.constant(case["x"]), tf.constant(case["w"]), tf.constant(case["b"])))


def _judge_dense(case, seen):
    x, w, b = (case[k].astype(np.float64) for k in ("x", "w", "b"))
    want = _relu(x @ w + b)
    what = f"dense_forward(x, w, b) for x of shape {x.shape} and w of shape {w.shape}"
    if not seen["tensor"]:
        raise Wrong(
            f"{what} should be a TensorFlow tensor, got {judging.described(seen['returned'])}: "
            "stay with TensorFlow operations."
        )
    if seen["dtype"] != "float32":
        raise Wrong(f"{what} has dtype {seen['dtype']}; the inputs are float32 and so should the output be.")
    got = judging.array(seen["values"], what)
    judging.close(
        got,
        want,
        what,
        near_misses={
            "forgot the ReLU (the output has negative values)": x @ w + b,
            "forgot the bias": _relu(x @ w),
            "applied the ReLU before adding the bias": _relu(x @ w) + b,
            "subtracted the bias": _relu(x @ w - b),
        },
        rtol=1e-4,
        atol=1e-5,
    )
    return "dense_forward computes the whole layer: weighted sums, bias, ReLU, for every row at once."


exercise(
    id="05.2",
    title="A Dense forward pass",
    produce="a function dense_forward(x, w, b) that takes TensorFlow float32 tensors x of shape "
    "(batch, in_features), w of shape (in_features, out_features) and b of shape (out_features,), and "
    "returns the output of a Dense layer with a ReLU activation: a float32 tensor of shape "
    "(batch, out_features)",
    cases=_dense_cases,
    probe=_dense_probe,
    judge=_judge_dense,
    hints=(
        "Every output unit is a weighted sum of all input features plus its bias, passed through the "
        "activation.",
        "With a batch of rows, one matrix product gives every weighted sum of every row; the bias "
        "broadcasts over the batch.",
        "The ReLU comes last, after the bias is added; TensorFlow has it in tf.nn.",
    ),
    shortcuts=(
        Shortcut("course.tf_layers:Dense"),
        Shortcut("course.tf_layers:LazyDense"),
        Shortcut("keras.layers:Dense"),
    ),
    forbidden_in_source=("Dense", "LazyDense", "keras"),
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


def _restore_cases(rng):
    cases = []
    for _ in range(2):
        sizes = [int(n) for n in rng.integers(2, 7, size=3)]
        cases.append(
            {
                "sizes": sizes,
                "saved": _weights(rng, sizes),
                "fresh": _weights(rng, sizes),
                "x": rng.normal(size=(int(rng.integers(2, 5)), sizes[0])).astype(np.float32),
            }
        )
    return cases


def _mlp(sizes, weights):
    from ...tf_layers import Dense, Sequential

    model = Sequential([Dense(sizes[0], sizes[1], activation="relu"), Dense(sizes[1], sizes[2])])
    for index, layer in enumerate(model.layers):
        layer.w.assign(weights[2 * index])
        layer.b.assign(weights[2 * index + 1])
    return model


def _restore_probe(answer, case):
    import tensorflow as tf

    from ...tf_layers import save_checkpoint

    folder = tempfile.mkdtemp(prefix="course-check-05.3-")
    try:
        path = save_checkpoint(_mlp(case["sizes"], case["saved"]), f"{folder}/model")
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


def _judge_restore(case, seen):
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
    "checkpoint written from a model of the same structure, loads the saved values into model's "
    "variables, and returns model",
    cases=_restore_cases,
    probe=_restore_probe,
    judge=_judge_restore,
    hints=(
        "A checkpoint stores every variable under its path, starting from the name the module was "
        "saved under.",
        "Make a checkpoint object that holds the model under the same name as when it was written, "
        "then read the file into it.",
        "The function hands back the model it received, now holding the saved values.",
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
