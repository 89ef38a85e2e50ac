"""Exercises and quizzes of 06_keras. Keras is imported inside the probes, never at import time."""

import numpy as np

from .. import judging
from ..framework import exercise
from ..judging import Wrong
from ..probing import Shortcut, observe
from ..quizzes import multiple_choice, predict_shape

ACTIVATIONS = {
    None: lambda z: z,
    "relu": lambda z: np.maximum(z, 0.0),
    "tanh": np.tanh,
}
KERAS_TIME_LIMIT = 30  # the first Keras call of a session builds and traces: seconds on a slow laptop


def _values(value):
    """What a Keras call returned: its observation and, for a tensor or an array, its values."""
    import keras

    seen = {"returned": observe(value), "values": None}
    if keras.ops.is_tensor(value) or isinstance(value, np.ndarray):
        seen["values"] = observe(np.asarray(keras.ops.convert_to_numpy(value)))
    return seen


def _softmax(z):
    z = z - z.max(axis=-1, keepdims=True)
    return np.exp(z) / np.exp(z).sum(axis=-1, keepdims=True)


# ---------------------------------------------------------------------------
# 06.1 a stable log-softmax
# ---------------------------------------------------------------------------

# What computes a log-softmax or a log-sum-exp for the learner, refused while their code runs.
LOG_SOFTMAX_SHORTCUTS = (Shortcut("course.activations:softmax"),) + tuple(
    Shortcut(target, only_if_loaded=True)
    for target in (
        "tensorflow:nn.log_softmax",
        "tensorflow:nn.softmax",
        "tensorflow:math.log_softmax",
        "tensorflow:math.reduce_logsumexp",
        "tensorflow:reduce_logsumexp",
        "keras:ops.log_softmax",
        "keras:ops.logsumexp",
        "keras:ops.softmax",
        "keras:activations.log_softmax",
        "keras:activations.softmax",
        "scipy.special:log_softmax",
        "scipy.special:logsumexp",
        "scipy.special:softmax",
        "numpy:logaddexp",
    )
)


def _log_softmax_cases(rng):
    """Ordinary logits first (a wrong formula shows there), then huge ones, then very negative ones."""

    def logits(scale, shift=0.0):
        batch, classes = int(rng.integers(2, 6)), int(rng.integers(3, 11))
        classes += classes == batch  # a batch as long as a row would hide a wrong axis
        return rng.normal(shift, scale, size=(batch, classes))

    huge = logits(3.0, 1000.0)
    huge[-1] += 30_000.0  # beyond even np.longdouble's exp
    negative = logits(3.0, -1000.0)
    mixed = logits(2.0)
    mixed[:, 0] = -1000.0 + rng.normal(size=len(mixed))  # one class far below the others
    return [{"logits": logits(2.0)}, {"logits": huge}, {"logits": negative}, {"logits": mixed}]


def _log_softmax(z):
    shifted = z - z.max(axis=-1, keepdims=True)
    return shifted - np.log(np.exp(shifted).sum(axis=-1, keepdims=True))


def _judge_log_softmax(case, seen):
    z = case["logits"]
    what = f"log_softmax of logits of shape {z.shape} (between {z.min():.0f} and {z.max():.0f})"
    value = seen.get("value") if isinstance(seen, dict) else None
    if isinstance(value, np.ndarray) and value.dtype.kind == "f" and not np.all(np.isfinite(value)):
        raise Wrong(
            f"{what} contains NaN or infinity: somewhere an exp overflowed to inf or underflowed to 0 "
            "(whose log is -inf). The result itself is an ordinary number for these logits."
        )
    got = judging.array(seen, what, shape=z.shape)
    if got.dtype.kind != "f":
        raise Wrong(f"{what} is an array of {got.dtype}: it should hold floats.")
    want = _log_softmax(z)
    with np.errstate(all="ignore"):
        along_batch = z - z.max(axis=0, keepdims=True)
        along_batch = along_batch - np.log(np.exp(along_batch).sum(axis=0, keepdims=True))
        judging.close(
            got,
            want,
            what,
            near_misses={
                "normalised along the batch axis instead of along each row of class scores": along_batch,
                "returned the softmax probabilities, not their logarithm": np.exp(want),
                "took away the maximum but did not add it back (log-sum-exp of z is max(z) + the "
                "log-sum-exp of z - max(z))": want + z.max(axis=-1, keepdims=True),
                "forgot the log-sum-exp term: only the maximum was taken away": z
                - z.max(axis=-1, keepdims=True),
            },
            rtol=1e-6,
            atol=1e-6,
        )
    rows = np.exp(got).sum(axis=-1)
    if not np.allclose(rows, 1.0, atol=1e-6):
        raise Wrong(f"the exponentials of each row of {what} should add up to 1.")
    return "log_softmax stays finite for logits near 1000 and near -1000, and matches the exact values row by row."


exercise(
    id="06.1",
    title="A log-softmax that cannot overflow",
    produce="a function log_softmax(logits) that takes a NumPy array of class scores of shape (batch, classes) "
    "and returns a float NumPy array of the same shape: the logarithm of the softmax of each row, "
    "finite for every finite input (scores near 1000 or near -1000 included), without a library's "
    "softmax, log-softmax or log-sum-exp",
    cases=_log_softmax_cases,
    probe=lambda answer, case: observe(answer(case["logits"])),
    judge=_judge_log_softmax,
    hints=(
        "Take the log of the softmax formula first, on paper: log softmax(z)_i is z_i minus the log of "
        "a sum of exponentials.",
        "Softmax does not change when the same number is taken away from every score of a row; the "
        "largest score of the row is a good choice, because then no exponent is above 0.",
        "Work along the last axis and keep it (keepdims) so that each row's numbers broadcast back "
        "over that row; and the number you took away inside the log-sum-exp must come back outside.",
    ),
    shortcuts=LOG_SOFTMAX_SHORTCUTS,
    forbidden_in_source=("logaddexp", "reduce_logsumexp"),
)


# ---------------------------------------------------------------------------
# 06.2 a custom Dense layer
# ---------------------------------------------------------------------------

DENSE_SHORTCUTS = ("keras.layers:Dense", "course.keras_layers:DenseLayer")


def _my_dense_cases(rng):
    cases = []
    for activation in (None, "relu", "tanh"):
        n_in, units = int(rng.integers(2, 8)), int(rng.integers(1, 6))
        cases.append(
            {
                "units": units,
                "activation": activation,
                "x": rng.normal(size=(int(rng.integers(2, 6)), n_in)).astype(np.float32),
                "kernel": rng.normal(size=(n_in, units)).astype(np.float32),
                "bias": rng.normal(size=(units,)).astype(np.float32),
            }
        )
    return cases


def _assign_by_shape(weights, arrays):
    """Give each weight the one array of its shape (when there is exactly one); how many were set."""
    done = 0
    for weight in weights:
        matches = [a for a in arrays if tuple(a.shape) == tuple(weight.shape)]
        if len(matches) == 1:
            weight.assign(matches[0])
            done += 1
    return done


def _my_dense_probe(answer, case):
    import keras

    args = (case["units"],) if case["activation"] is None else (case["units"], case["activation"])
    layer = answer(*args)
    seen = {"is_layer": isinstance(layer, keras.layers.Layer), "made": observe(layer)}
    if not seen["is_layer"]:
        return seen
    seen["weights_before_call"] = len(layer.weights)
    if seen["weights_before_call"]:  # weights made too early: the call below may fail, keep what we saw
        return seen
    seen["first"] = _values(layer(case["x"]))
    seen["trainable"] = [observe(np.asarray(w.numpy())) for w in layer.trainable_weights]
    seen["assigned"] = _assign_by_shape(layer.trainable_weights, [case["kernel"], case["bias"]])
    seen["second"] = _values(layer(case["x"]))
    seen["weights_after_second_call"] = len(layer.weights)
    return seen


def _judge_my_dense(case, seen):
    units, activation, x = case["units"], case["activation"], case["x"].astype(np.float64)
    made = f"MyDense({units})" if activation is None else f"MyDense({units}, {activation!r})"
    if not seen["is_layer"]:
        raise Wrong(f"{made} should be a Keras layer, got {judging.described(seen['made'])}.")
    if seen["weights_before_call"]:
        raise Wrong(
            f"{made} owns {seen['weights_before_call']} weights before its first call: the number of input "
            "features is not known yet, so the weights belong to the step that runs on the first call."
        )
    shapes = {"kernel": (x.shape[1], units), "bias": (units,)}
    found = [tuple(np.shape(item.get("value"))) for item in seen["trainable"]]
    if len(found) != 2 or sorted(found, key=len) != [shapes["bias"], shapes["kernel"]]:
        raise Wrong(
            f"after its first call on inputs with {x.shape[1]} features, {made} should own two trainable "
            f"weights, a kernel of shape {shapes['kernel']} and a bias of shape {shapes['bias']}; "
            f"it owns {len(found)} of shapes {found}."
        )
    initial = {
        name: next(
            np.asarray(item["value"]) for item in seen["trainable"] if tuple(np.shape(item["value"])) == shape
        )
        for name, shape in shapes.items()
    }
    if np.any(initial["bias"] != 0):
        raise Wrong(f"the bias of {made} should start at zero.")
    limit = np.sqrt(6 / (x.shape[1] + units)) * (1 + 1e-6)  # float32 rounding at the edge
    if np.all(initial["kernel"] == initial["kernel"].flat[0]) or np.any(np.abs(initial["kernel"]) > limit):
        raise Wrong(
            f"the kernel of {made} should start with random values from the Glorot uniform initializer."
        )
    act = ACTIVATIONS[activation]
    what = f"{made} on a batch of shape {x.shape}"
    first = judging.array(seen["first"]["values"], what, shape=(x.shape[0], units))
    kernel, bias = initial["kernel"].astype(np.float64), initial["bias"].astype(np.float64)
    judging.close(
        first,
        act(x @ kernel + bias),
        what,
        near_misses={"forgot the activation": x @ kernel + bias} if activation else {},
        rtol=1e-4,
        atol=1e-5,
    )
    if seen["weights_after_second_call"] != 2:
        raise Wrong(
            f"{made} owns {seen['weights_after_second_call']} weights after a second call: the weights "
            "should be made once, not on every call."
        )
    kernel, bias = case["kernel"].astype(np.float64), case["bias"].astype(np.float64)
    what = f"{made} on a batch of shape {x.shape}, with a non-zero bias"
    second = judging.array(seen["second"]["values"], what, shape=(x.shape[0], units))
    misses = {
        "forgot the bias": act(x @ kernel),
        "applied the activation before adding the bias": act(x @ kernel) + bias,
    }
    if activation:
        misses["forgot the activation"] = x @ kernel + bias
    judging.close(second, act(x @ kernel + bias), what, near_misses=misses, rtol=1e-4, atol=1e-5)
    return "MyDense makes its weights on the first call and computes what a Dense layer computes."


exercise(
    id="06.2",
    title="A custom Dense layer",
    produce="a class MyDense(units, activation=None), a subclass of keras.layers.Layer written by you, that "
    "makes its kernel and bias once it knows the number of input features (kernel initializer "
    '"glorot_uniform", bias initializer "zeros") and computes the output of a Dense layer: '
    "(batch, features) in, (batch, units) out",
    answer="class",
    cases=_my_dense_cases,
    probe=_my_dense_probe,
    judge=_judge_my_dense,
    hints=(
        "Keras runs build(input_shape) once, on the first call, when the input's last dimension is "
        "known; call(inputs) runs every time.",
        "build makes two weights with add_weight: a kernel with one row per input feature and one "
        "column per unit, and a bias with one entry per unit.",
        "call uses keras.ops for the matrix product, adds the bias, and applies the stored activation last.",
    ),
    shortcuts=tuple(Shortcut(target) for target in DENSE_SHORTCUTS),
    time_limit=KERAS_TIME_LIMIT,
)


# ---------------------------------------------------------------------------
# 06.3 a subclassed model
# ---------------------------------------------------------------------------

MODEL_SHORTCUTS = ("course.keras_layers:MLP",)


def _mlp_cases(rng):
    cases = []
    for n_in in (784, int(rng.integers(3, 40))):
        hidden = int(rng.integers(4, 24))
        classes = int(rng.integers(2, 12))
        classes += classes == hidden  # distinct sizes: every weight has its own shape
        cases.append(
            {
                "hidden_units": hidden,
                "num_classes": classes,
                "x": rng.random((int(rng.integers(2, 6)), n_in)).astype(np.float32),
                "weights": [
                    (0.3 * rng.normal(size=shape)).astype(np.float32)
                    for shape in ((n_in, hidden), (hidden,), (hidden, classes), (classes,))
                ],
            }
        )
    return cases


def _mlp_probe(answer, case):
    import keras

    seen = {"sequential": isinstance(answer, type) and issubclass(answer, keras.Sequential)}
    model = answer(case["hidden_units"], case["num_classes"])
    seen["is_model"] = isinstance(model, keras.Model)
    seen["made"] = observe(model)
    if not seen["is_model"] or seen["sequential"]:
        return seen
    seen["first"] = _values(model(case["x"]))
    seen["shapes"] = [[int(n) for n in w.shape] for w in model.weights]
    seen["assigned"] = _assign_by_shape(model.weights, case["weights"])
    seen["second"] = _values(model(case["x"]))
    default = answer()
    default(case["x"][:1])
    seen["default_shapes"] = sorted([int(n) for n in w.shape] for w in default.weights)
    return seen


def _judge_mlp(case, seen):
    hidden, classes, x = case["hidden_units"], case["num_classes"], case["x"].astype(np.float64)
    made = f"MnistMLP({hidden}, {classes})"
    if seen["sequential"]:
        raise Wrong(
            "MnistMLP subclasses keras.Sequential: the exercise asks for a keras.Model subclass "
            "whose own call says how the data flows."
        )
    if not seen["is_model"]:
        raise Wrong(
            f"{made} should be a keras.Model (an instance of your subclass), got "
            f"{judging.described(seen['made'])}."
        )
    what = f"{made} on a batch of shape {x.shape}"
    judging.array(seen["first"]["values"], what, shape=(x.shape[0], classes))
    want_shapes = [list(w.shape) for w in case["weights"]]
    if sorted(seen["shapes"]) != sorted(want_shapes):
        raise Wrong(
            f"on inputs with {x.shape[1]} features, {made} should have a kernel {tuple(want_shapes[0])} and a "
            f"bias {tuple(want_shapes[1])} in the hidden layer, then a kernel {tuple(want_shapes[2])} and a "
            f"bias {tuple(want_shapes[3])}; its weights have shapes {[tuple(s) for s in seen['shapes']]}."
        )
    w0, b0, w1, b1 = (w.astype(np.float64) for w in case["weights"])
    hidden_out = np.maximum(x @ w0 + b0, 0)
    got = judging.array(seen["second"]["values"], f"{what} (with other weights)", shape=(x.shape[0], classes))
    judging.close(
        got,
        _softmax(hidden_out @ w1 + b1),
        f"{what} (with other weights)",
        near_misses={
            "forgot the softmax: the outputs are not probabilities that sum to 1": hidden_out @ w1 + b1,
            "forgot the ReLU of the hidden layer": _softmax((x @ w0 + b0) @ w1 + b1),
            "put the ReLU on the output instead of the softmax": np.maximum(hidden_out @ w1 + b1, 0),
        },
        rtol=1e-4,
        atol=1e-6,
    )
    want_default = sorted([[x.shape[1], 512], [512], [512, 10], [10]])
    if seen["default_shapes"] != want_default:
        raise Wrong(
            "MnistMLP() with no arguments should have 512 hidden units and 10 classes; its weights have "
            f"shapes {[tuple(s) for s in seen['default_shapes']]}."
        )
    return "MnistMLP computes the same function as the Sequential MNIST model."


exercise(
    id="06.3",
    title="A subclassed model",
    produce="a class MnistMLP(hidden_units=512, num_classes=10, **kwargs), a subclass of keras.Model written "
    "by you: the MNIST classifier of this notebook (one hidden layer of hidden_units units), which maps a "
    "batch of shape (batch, features) to class probabilities of shape (batch, num_classes)",
    answer="class",
    cases=_mlp_cases,
    probe=_mlp_probe,
    judge=_judge_mlp,
    hints=(
        "A subclassed model makes its layers once, in __init__, and says how data flows through them in "
        "call.",
        "The layers are the two Dense layers of the Sequential MNIST model, with the same activations; "
        "store each one as an attribute.",
        "call passes the inputs through the hidden layer, then through the output layer, and returns the "
        "result.",
    ),
    shortcuts=tuple(Shortcut(target) for target in MODEL_SHORTCUTS),
    time_limit=KERAS_TIME_LIMIT,
)


# ---------------------------------------------------------------------------
# 06.4 a two-input model with a shared layer (functional API)
# ---------------------------------------------------------------------------


def _pair_cases(rng):
    cases = []
    for _ in range(2):
        n, units = int(rng.integers(3, 9)), int(rng.integers(2, 7))
        units += units == n  # every weight has its own shape
        units += 2 * units == n
        batch = int(rng.integers(2, 5))
        cases.append(
            {
                "n_features": n,
                "units": units,
                "left": rng.normal(size=(batch, n)).astype(np.float32),
                "right": rng.normal(size=(batch, n)).astype(np.float32),
                "weights": [  # small enough that the sigmoid does not saturate
                    (0.5 * rng.normal(size=shape)).astype(np.float32)
                    for shape in ((n, units), (units,), (2 * units, 1), (1,))
                ],
            }
        )
    return cases


def _pair_probe(answer, case):
    import keras
    from keras.src.models.functional import Functional

    model = answer(case["n_features"], case["units"])
    seen = {"is_model": isinstance(model, keras.Model), "made": observe(model)}
    if not seen["is_model"]:
        return seen
    seen["functional"] = isinstance(model, Functional)
    if not seen["functional"]:
        return seen
    seen["inputs"] = [[None if d is None else int(d) for d in tensor.shape] for tensor in model.inputs]
    seen["outputs"] = [[None if d is None else int(d) for d in tensor.shape] for tensor in model.outputs]
    seen["shapes"] = [[int(d) for d in w.shape] for w in model.weights]
    seen["calls"] = {  # how often each layer that owns a weight is called inside the model
        "x".join(str(int(d)) for d in layer.weights[0].shape): len(getattr(layer, "_inbound_nodes", []))
        for layer in model.layers
        if layer.weights
    }
    if len(seen["inputs"]) != 2 or len(seen["outputs"]) != 1:
        return seen
    seen["assigned"] = _assign_by_shape(model.weights, case["weights"])
    seen["out"] = _values(model([case["left"], case["right"]]))
    return seen


def _judge_pair(case, seen):
    n, units = case["n_features"], case["units"]
    made = f"pair_model({n}, {units})"
    if not seen["is_model"]:
        raise Wrong(f"{made} should return a keras.Model, got {judging.described(seen['made'])}.")
    if not seen["functional"]:
        raise Wrong(
            f"{made} is a keras.Model, but not one built with the functional API: connect keras.Input "
            "tensors through layers and make the model from its inputs and outputs."
        )
    if seen["inputs"] != [[None, n], [None, n]]:
        raise Wrong(
            f"{made} should have two inputs of shape (None, {n}); its inputs have shapes {seen['inputs']}."
        )
    if seen["outputs"] != [[None, 1]]:
        raise Wrong(
            f"{made} should have one output of shape (None, 1); its outputs have shapes {seen['outputs']}."
        )
    kernel = f"{n}x{units}"
    encoders = sum(shape == [n, units] for shape in seen["shapes"])
    if encoders > 1:
        raise Wrong(
            f"{made} has {encoders} kernels of shape ({n}, {units}): each input got its own encoder. "
            "Both inputs should go through one and the same layer, so that its weights are shared."
        )
    want = sorted([[n, units], [units], [2 * units, 1], [1]])
    if sorted(seen["shapes"]) != want:
        raise Wrong(
            f"{made} should own an encoder kernel ({n}, {units}) and bias ({units},), and an output kernel "
            f"({2 * units}, 1) and bias (1,); its weights have shapes {[tuple(s) for s in seen['shapes']]}."
        )
    if seen["calls"].get(kernel, 0) != 2:
        raise Wrong(f"the encoder of {made} should be called twice, once on each input.")
    w, b, v, c = (array.astype(np.float64) for array in case["weights"])
    left, right = case["left"].astype(np.float64), case["right"].astype(np.float64)

    def sigmoid(t):
        return 1 / (1 + np.exp(-t))

    def code(x):
        return np.maximum(x @ w + b, 0)

    joined = np.concatenate([code(left), code(right)], axis=1)
    what = f"{made} on a pair of batches of shape {left.shape}"
    got = judging.array(seen["out"]["values"], what, shape=(len(left), 1))
    judging.close(
        got,
        sigmoid(joined @ v + c),
        what,
        near_misses={
            "joined the two codes in the other order (the right input's code should come second)": sigmoid(
                np.concatenate([code(right), code(left)], axis=1) @ v + c
            ),
            "forgot the ReLU of the shared encoder": sigmoid(
                np.concatenate([left @ w + b, right @ w + b], axis=1) @ v + c
            ),
            "forgot the sigmoid of the output": joined @ v + c,
        },
        rtol=1e-4,
        atol=1e-5,
    )
    return (
        f"{made} sends both inputs through one shared encoder and scores the pair: Sequential cannot do that."
    )


exercise(
    id="06.4",
    title="Two inputs, one shared layer",
    produce="a function pair_model(n_features, units) that returns a keras.Model built with the functional API: "
    "two inputs of shape (n_features,), the left one first; one Dense layer of units units with a ReLU that "
    "encodes each input (the same layer, so the same weights, for both); the two codes joined side by side, "
    "left code first; and a Dense layer with one unit and a sigmoid on top. Output shape: (batch, 1)",
    cases=_pair_cases,
    probe=_pair_probe,
    judge=_judge_pair,
    hints=(
        "In the functional API you first make the input tensors, then call layers on tensors to get new "
        "tensors, and finally make a Model from the inputs and the output tensor.",
        "Make the encoder layer once, store it in a variable, and call that same object on each input; "
        "calling a layer twice reuses its weights.",
        "Concatenate joins a list of tensors along the last axis; the model's inputs are given as a list, "
        "in the order its callers will pass the data.",
    ),
    time_limit=KERAS_TIME_LIMIT,
)


# ---------------------------------------------------------------------------
# 06.5 the rule of early stopping
# ---------------------------------------------------------------------------

STOP_SHORTCUTS = (
    Shortcut("course.early_stopping:early_stopping_epochs"),
    Shortcut("keras:callbacks.EarlyStopping", only_if_loaded=True),
)


def _curve(rng, length, mode):
    """A noisy learning curve: a loss that falls then rises, or an accuracy that rises then falls."""
    epochs = np.arange(length)
    turn = rng.uniform(0.3, 1.2) * length
    loss = 1.5 * np.exp(-epochs / (0.3 * length)) + 0.02 * np.maximum(epochs - turn, 0) ** 1.5
    loss = loss + rng.normal(0, 0.03, length)
    values = loss if mode == "min" else 1 - loss / 3
    return [round(float(v), 4) for v in values]


def _stop_cases(rng):
    cases = []
    for mode in ("min", "max", "min", "max"):
        length = int(rng.integers(8, 16))
        cases.append(
            {
                "values": _curve(rng, length, mode),
                "patience": int(rng.integers(1, 4)),
                "min_delta": float(rng.choice([0.0, 0.01, 0.03])),
                "mode": mode,
            }
        )
    flat = [0.9, 0.7, 0.7, 0.7, 0.6, 0.6, 0.6, 0.6]  # ties are no improvement
    cases.append({"values": flat, "patience": 2, "min_delta": 0.0, "mode": "min"})
    falling = sorted(rng.uniform(0.1, 2.0, 6).round(3).tolist(), reverse=True)  # never stops
    cases.append({"values": falling, "patience": 1, "min_delta": 0.0, "mode": "min"})
    cases.append({"values": _curve(rng, 10, "min"), "patience": 0, "min_delta": 0.0, "mode": "min"})
    return cases


def _stopping(values, patience, min_delta, mode, ties=False, late=False):
    """Keras's rule, or one of its plausible mistakes: (best epoch, stop epoch or None), from 1."""
    sign = 1 if mode == "min" else -1
    best, best_epoch, wait = np.inf, 0, 0
    for epoch, value in enumerate(values):
        wait += 1
        score = sign * value
        if score + min_delta < best or (ties and score + min_delta <= best):
            best, best_epoch, wait = score, epoch, 0
        elif (wait > patience if late else wait >= patience) and epoch > 0:
            return best_epoch + 1, epoch + 1
    return best_epoch + 1, None


def _stop_probe(answer, case):
    return observe(answer(case["values"], case["patience"], case["min_delta"], case["mode"]))


def _epoch(seen, what):
    if seen.get("type") == "NoneType":
        return None
    return judging.whole_number(seen, what)


def _judge_stop(case, seen):
    values, patience, min_delta, mode = case["values"], case["patience"], case["min_delta"], case["mode"]
    call = f"when_to_stop({len(values)} values, patience={patience}, min_delta={min_delta}, mode={mode!r})"
    best_seen, stop_seen = judging.items(seen, ("best_epoch", "stop_epoch"), call)
    got = (
        judging.whole_number(best_seen, f"the best epoch of {call}"),
        _epoch(stop_seen, f"the stop epoch of {call}"),
    )
    want = _stopping(values, patience, min_delta, mode)
    if got == want:
        return "when_to_stop applies the rule of keras.callbacks.EarlyStopping, in both directions."
    other = "max" if mode == "min" else "min"
    misses = {
        "counted the epochs from 0; Keras's log counts them from 1": tuple(
            None if e is None else e - 1 for e in want
        ),
        f"treated mode={mode!r} like mode={other!r}": _stopping(values, patience, min_delta, other),
        "ignored min_delta: a smaller gain than min_delta is no improvement": _stopping(
            values, patience, 0.0, mode
        ),
        "counted a value equal to the best (after min_delta) as an improvement; only a strictly better one "
        "counts": _stopping(values, patience, min_delta, mode, ties=True),
        f"stopped one epoch late: training stops as soon as {patience} epochs in a row bring no improvement": (
            _stopping(values, patience, min_delta, mode, late=True)
        ),
    }
    for diagnosis, mistake in misses.items():
        if mistake != want and got == mistake:
            raise Wrong(f"{call} returned {got}, expected {want}: it looks like you {diagnosis}.")
    raise Wrong(f"{call} returned {got}, expected {want} (best epoch, stop epoch) for the values {values}.")


exercise(
    id="06.5",
    title="The rule of early stopping",
    produce="a function when_to_stop(values, patience, min_delta, mode) that takes the list of a monitored "
    "quantity's values, one per epoch, an int patience, a float min_delta >= 0 and mode 'min' or 'max', and "
    "returns the tuple (best_epoch, stop_epoch) of keras.callbacks.EarlyStopping with these settings: two ints "
    "counted from 1, stop_epoch None when training runs to the end",
    cases=_stop_cases,
    probe=_stop_probe,
    judge=_judge_stop,
    hints=(
        "Walk through the epochs once, keeping the best value so far, the epoch it came from, and how many "
        "epochs have passed without an improvement.",
        "An improvement beats the best value so far by more than min_delta: downwards for 'min', upwards for "
        "'max'; it resets the count of epochs without improvement.",
        "Keras adds one to the count at every epoch and stops when the count reaches patience, though never "
        "on the very first epoch; epochs in its log start at 1.",
    ),
    shortcuts=STOP_SHORTCUTS,
)


# ---------------------------------------------------------------------------
# Quizzes
# ---------------------------------------------------------------------------

predict_shape(
    "06.q1",
    "matrix_in = keras.Sequential([keras.Input(shape=(4, 1)), layers.Dense(3)]). "
    "What is the shape of matrix_in(x) for a batch x of 2 samples?",
    shape=(2, 4, 3),
    explanation="Dense maps the last axis (1 feature) to 3 units and keeps the other axes: "
    "(2, 4, 1) -> (2, 4, 3).",
)

multiple_choice(
    "06.q2",
    "fit(..., epochs=6, validation_data=..., validation_freq=2): after which epochs does Keras evaluate "
    "on the validation data?",
    options=[
        "1, 3 and 5",
        "2, 4 and 6",
        "only after epoch 6",
        "after every epoch, but it prints every second one",
    ],
    answer="2, 4 and 6",
    explanation="An int n means: every n-th epoch (epoch 2, 4, 6). A list such as [1, 5] names the epochs.",
)

multiple_choice(
    "06.q3",
    "features.trainable = False; model_high = Sequential([features, Dense(5)]). How many trainable "
    "variables does model_high have?",
    options=["0", "2", "4"],
    answer="2",
    explanation="Only the new Dense(5) trains: its kernel and its bias. The frozen features layer's kernel "
    "and bias do not.",
)
