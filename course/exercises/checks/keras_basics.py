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
# 06.1 parameters of a Dense layer
# ---------------------------------------------------------------------------


def _params_cases(rng):
    pairs = [(int(n), int(u)) for n, u in zip(rng.integers(1, 1000, 5), rng.integers(1, 600, 5))]
    return [{"n_inputs": n, "units": u} for n, u in pairs + [(1, int(rng.integers(2, 20)))]]


def _judge_params(case, seen):
    n, u = case["n_inputs"], case["units"]
    what = f"dense_params({n}, {u})"
    got = judging.whole_number(seen, what)
    misses = {
        n * u: "forgot the biases",
        n * u + n: "counted one bias per input; there is one per unit",
        (n + 1) * (u + 1): "added a bias to both sides; only the units have one",
        n + u: "added the two sizes; every input is connected to every unit",
    }
    if got == n * u + u:
        return "dense_params is right: one weight per input and unit, plus one bias per unit."
    if got in misses:
        raise Wrong(f"{what} is {got}: it looks like you {misses[got]}.")
    raise Wrong(f"{what} is {got}, which is not right.")


exercise(
    id="06.1",
    title="Parameters of a Dense layer",
    produce="a function dense_params(n_inputs, units) that takes two ints and returns, as an int, the "
    "number of parameters of a Dense(units) layer that receives n_inputs features",
    cases=_params_cases,
    probe=lambda answer, case: observe(answer(case["n_inputs"], case["units"])),
    judge=_judge_params,
    hints=(
        "A Dense layer connects every input feature to every unit, and each unit has a bias.",
        "Count the kernel (its shape is in the text above) and the bias separately, then add them.",
    ),
    shortcuts=(Shortcut("keras.layers:Dense"), Shortcut("course.keras_layers:DenseLayer")),
    forbidden_in_source=("keras", "count_params", "layers"),
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
# 06.4 early stopping
# ---------------------------------------------------------------------------

EARLY_STOPPING = "keras.src.callbacks.early_stopping.EarlyStopping"
ASKED = {
    "monitor": "val_accuracy",
    "mode": "max",
    "min_delta": 0.001,
    "patience": 2,
    "restore_best_weights": True,
}
# Keras's defaults for the settings the exercise does not ask for (a test compares them with Keras).
DEFAULTS = {"verbose": 0, "baseline": None, "start_from_epoch": 0}


def _early_stop_probe(answer, case):
    import keras

    seen = {"exact": type(answer) is keras.callbacks.EarlyStopping, "made": observe(answer)}
    if seen["exact"]:
        seen["settings"] = {name: observe(getattr(answer, name, None)) for name in [*ASKED, *DEFAULTS]}
    return seen


def _judge_early_stop(case, seen):
    if not seen["exact"]:
        raise Wrong(
            f"early_stop should be a keras.callbacks.EarlyStopping, got {judging.described(seen['made'])}."
        )
    settings = seen["settings"]
    monitor = judging.text(settings["monitor"], "monitor")
    if monitor != ASKED["monitor"]:
        raise Wrong(f"monitor is {monitor!r}: the callback should watch the validation accuracy.")
    mode = judging.text(settings["mode"], "mode")
    if mode == "min":
        raise Wrong("mode is 'min', but accuracy improves when it goes up.")
    if mode != "max":
        raise Wrong(
            f"mode is {mode!r}: the exercise asks you to state the direction of improvement yourself."
        )
    patience = judging.whole_number(settings["patience"], "patience")
    if patience != ASKED["patience"]:
        raise Wrong(f"patience is {patience}: training should stop after 2 epochs without improvement.")
    min_delta = judging.number(settings["min_delta"], "min_delta")
    if not np.isclose(min_delta, ASKED["min_delta"], rtol=1e-9, atol=0):
        raise Wrong(f"min_delta is {min_delta!r}: an improvement should count only from a gain of 0.001.")
    if settings["restore_best_weights"].get("value") is not True:
        raise Wrong(
            f"restore_best_weights is {judging.described(settings['restore_best_weights'])}: the model should "
            "end with the weights of its best epoch."
        )
    for name, default in DEFAULTS.items():
        item = settings[name]
        if default is None:
            if item.get("type") != "NoneType":
                raise Wrong(
                    f"{name} is set to {judging.described(item)}; the exercise asks for no other settings: "
                    "leave it at Keras's default."
                )
        elif item.get("type") not in judging.INTEGER_TYPES or item.get("value") != default:
            raise Wrong(
                f"{name} is set to {judging.described(item)}; the exercise asks for no other settings: "
                "leave it at Keras's default."
            )
    return (
        "early_stop watches val_accuracy, waits 2 epochs for a gain of 0.001 and restores the best weights."
    )


exercise(
    id="06.4",
    title="Setting up early stopping",
    produce="a keras.callbacks.EarlyStopping named early_stop with the settings the exercise lists, and no "
    "other settings",
    answer="value",
    cases=lambda rng: [{}],
    probe=_early_stop_probe,
    judge=_judge_early_stop,
    hints=(
        "Every requirement of the exercise is one keyword argument of EarlyStopping; its docstring "
        "(EarlyStopping? in a cell) lists them.",
        "The quantity to watch is the name Keras logs for the validation accuracy; the direction, the "
        "smallest gain that counts and the patience each have their own argument.",
        "Keeping the best epoch's weights is one more True/False setting; leave everything else at its "
        "default.",
    ),
    time_limit=KERAS_TIME_LIMIT,
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
