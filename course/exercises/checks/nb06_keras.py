"""Exercises and quizzes of 06_keras. Keras is imported inside the probes, never at import time."""

import numpy as np

from ..probing import observe
from ..quizzes import multiple_choice, predict_shape
from ..registry import exercise
from ..shortcuts import Shortcut

KERAS_TIME_LIMIT = 30  # the first Keras call of a session builds and traces: seconds on a slow laptop


def _values(value):
    """What a Keras call returned: its observation and, for a tensor or an array, its values."""
    import keras

    seen = {"returned": observe(value), "values": None}
    if keras.ops.is_tensor(value) or isinstance(value, np.ndarray):
        seen["values"] = observe(np.asarray(keras.ops.convert_to_numpy(value)))
    return seen


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


exercise(
    id="06.1",
    title="A log-softmax that cannot overflow",
    produce="a function log_softmax(logits) that takes a NumPy array of class scores of shape (batch, classes) "
    "and returns a float NumPy array of the same shape: the logarithm of the softmax of each row, "
    "finite for every finite input (scores near 1000 or near -1000 included), without a library's "
    "softmax, log-softmax or log-sum-exp",
    cases=_log_softmax_cases,
    probe=lambda answer, case: observe(answer(case["logits"])),
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
    """Give each weight the one array of its shape (when there is exactly one)."""
    for weight in weights:
        matches = [a for a in arrays if tuple(a.shape) == tuple(weight.shape)]
        if len(matches) == 1:
            weight.assign(matches[0])


def _shapes(weights):
    """The shape of each weight, in the order the layer or model lists them."""
    return [[int(n) for n in w.shape] for w in weights]


def _my_dense_probe(answer, case):
    import keras

    args = (case["units"],) if case["activation"] is None else (case["units"], case["activation"])
    layer = answer(*args)
    seen = {"is_layer": isinstance(layer, keras.layers.Layer), "made": observe(layer)}
    if not seen["is_layer"]:
        return seen
    seen["weights_before_call"] = _shapes(layer.weights)
    if seen["weights_before_call"]:  # weights made too early: the call below may fail, keep what we saw
        return seen
    seen["first"] = _values(layer(case["x"]))
    seen["trainable"] = [observe(np.asarray(w.numpy())) for w in layer.trainable_weights]
    _assign_by_shape(layer.trainable_weights, [case["kernel"], case["bias"]])
    seen["second"] = _values(layer(case["x"]))
    seen["weights_after_second_call"] = _shapes(layer.weights)
    return seen


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
    seen["shapes"] = _shapes(model.weights)
    _assign_by_shape(model.weights, case["weights"])
    seen["second"] = _values(model(case["x"]))
    default = answer()
    default(case["x"][:1])
    seen["default_shapes"] = _shapes(default.weights)
    return seen


exercise(
    id="06.3",
    title="A subclassed model",
    produce="a class MnistMLP(hidden_units=512, num_classes=10, **kwargs), a subclass of keras.Model written "
    "by you: the MNIST classifier of this notebook (one hidden layer of hidden_units units), which maps a "
    "batch of shape (batch, features) to class probabilities of shape (batch, num_classes)",
    answer="class",
    cases=_mlp_cases,
    probe=_mlp_probe,
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
    seen["shapes"] = _shapes(model.weights)
    seen["layers"] = [  # each layer that owns a weight, and its calls in the model's graph
        {"shapes": _shapes(layer.weights), "calls": _calls(layer)} for layer in model.layers if layer.weights
    ]
    if len(seen["inputs"]) != 2 or len(seen["outputs"]) != 1:
        return seen
    _assign_by_shape(model.weights, case["weights"])
    seen["out"] = _values(model([case["left"], case["right"]]))
    return seen


def _calls(layer):
    """Each call of ``layer`` in its model's graph: the names of the layers that made its inputs."""
    calls = []
    for node in getattr(layer, "_inbound_nodes", []):
        history = [getattr(tensor, "_keras_history", None) for tensor in node.input_tensors]
        calls.append([str(h.operation.name) if h is not None else "" for h in history])
    return calls


exercise(
    id="06.4",
    title="Two inputs, one shared layer",
    produce="a function pair_model(n_features, units) that returns a keras.Model built with the functional API: "
    "two inputs of shape (n_features,), the left one first; one Dense layer of units units with a ReLU that "
    "encodes each input (the same layer, so the same weights, for both); the two codes joined side by side, "
    "left code first; and a Dense layer with one unit and a sigmoid on top. Output shape: (batch, 1)",
    cases=_pair_cases,
    probe=_pair_probe,
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


def _stop_probe(answer, case):
    return observe(answer(case["values"], case["patience"], case["min_delta"], case["mode"]))


exercise(
    id="06.5",
    title="The rule of early stopping",
    produce="a function when_to_stop(values, patience, min_delta, mode) that takes the list of a monitored "
    "quantity's values, one per epoch, an int patience, a float min_delta >= 0 and mode 'min' or 'max', and "
    "returns the tuple (best_epoch, stop_epoch) of keras.callbacks.EarlyStopping with these settings: two ints "
    "counted from 1, stop_epoch None when training runs to the end",
    cases=_stop_cases,
    probe=_stop_probe,
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
