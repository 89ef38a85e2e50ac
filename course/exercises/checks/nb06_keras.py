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
    mixed[:, 1] = 1000.0 + rng.normal(size=len(mixed))  # and one far above: no shift but the maximum is safe
    return [{"logits": logits(2.0)}, {"logits": huge}, {"logits": negative}, {"logits": mixed}]


exercise(
    id="06.1",
    revision=2,  # stricter since the first release: earlier passes are re-checked
    title="A log-softmax that cannot overflow",
    produce="a function log_softmax(logits) that takes a NumPy array of class scores of shape (batch, classes) "
    "and returns a float NumPy array of the same shape: the logarithm of the softmax of each row, "
    "finite for every finite input (scores near 1000 or near -1000 included), without a library's "
    "softmax, log-softmax or log-sum-exp",
    cases=_log_softmax_cases,
    probe=lambda answer, case: observe(answer(case["logits"])),
    hints=(
        "Take the log of the softmax formula first, on paper: log softmax(z)_i is z_i minus the log of "
        "a sum of exponentials. Which of these steps can overflow, and which can give log(0)?",
        "Softmax does not change when the same number is taken away from every score of a row. Which "
        "number makes every exponent at most 0, even in a row that holds both 1000 and -1000? Each row "
        "needs its own number, and the shapes must let it line up with its row.",
        "A worked example on other numbers: for the row (3, 1) take away 3 to get (0, -2); the log of "
        "e^0 + e^-2 is about 0.127, and log softmax is (0 - 0.127, -2 - 0.127), that is (-0.127, -2.127). "
        "Check that yours gives the same, and that exp of the result adds up to 1.",
    ),
    shortcuts=LOG_SOFTMAX_SHORTCUTS,
    forbidden_in_source=("logaddexp", "reduce_logsumexp"),
)


# ---------------------------------------------------------------------------
# 06.2 a custom Dense layer
# ---------------------------------------------------------------------------

DENSE_SHORTCUTS = ("keras.layers:Dense", "course.keras_layers:DenseLayer")


WIDE = (160, 60)  # the inputs and units of one more layer, large enough to see its initializer's law


def _my_dense_cases(rng):
    """Three layers of different units, each on a batch whose size differs from its width, with a
    kernel and bias that give pre-activations of both signs (an activation shows on the negatives)."""
    cases = []
    for activation, units in zip((None, "relu", "tanh"), rng.choice(np.arange(1, 6), size=3, replace=False)):
        units = int(units)
        sizes = np.delete(np.arange(2, 8), units - 2) if units >= 2 else np.arange(2, 8)
        n_in, batch = (int(n) for n in rng.choice(sizes, size=2, replace=False))
        x = rng.normal(size=(batch, n_in)).astype(np.float32)
        kernel = rng.normal(size=(n_in, units)).astype(np.float32)
        z = x @ kernel
        bias = (-np.median(z, axis=0) + rng.uniform(-0.1, 0.1, units)).astype(np.float32)  # signs mixed
        cases.append(
            {
                "units": units,
                "activation": activation,
                "x": x,
                "kernel": kernel,
                "bias": bias,
                "wide": list(WIDE) if activation is None else None,
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
    if case["wide"]:
        n_in, units = case["wide"]
        wide = answer(units)
        wide(np.zeros((1, n_in), np.float32))
        seen["wide"] = [observe(np.asarray(w.numpy())) for w in wide.trainable_weights]
    return seen


exercise(
    id="06.2",
    revision=2,  # stricter since the first release: earlier passes are re-checked
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
        "known; call(inputs) runs every time. Which of your two methods makes weights, and which only "
        "computes with them?",
        "Read the exercise's text again for the two initializers: add_weight takes one by name. For the "
        "shapes, which entry of input_shape is the number of features (the batch size is another one)?",
        "On other numbers: 3 input features and 2 units give a kernel of shape (3, 2) and a bias of shape "
        "(2,); a batch of 5 rows then gives an output of shape (5, 2). An activation such as the ReLU only "
        "changes the negative values, so test yours on inputs that give some.",
    ),
    shortcuts=tuple(Shortcut(target) for target in DENSE_SHORTCUTS),
    time_limit=KERAS_TIME_LIMIT,
)


# ---------------------------------------------------------------------------
# 06.3 a subclassed model
# ---------------------------------------------------------------------------

MODEL_SHORTCUTS = ("course.keras_layers:MLP",)


def _mlp_cases(rng):
    """One model of sizes all different from each other and from the defaults (512, 10), on inputs of
    some width other than MNIST's 784 (a model must not depend on it); MnistMLP() is built there too.
    Building a subclassed model is the slow part of this check, hence one case."""
    n_in, hidden = int(rng.integers(3, 40)), int(rng.integers(4, 24))
    classes = int(rng.integers(2, 12))
    classes += classes in (hidden, 10)  # distinct sizes: every weight has its own shape
    classes += classes in (hidden, 10)
    return [
        {
            "hidden_units": hidden,
            "num_classes": classes,
            "x": rng.random((int(rng.integers(2, 6)), n_in)).astype(np.float32),
            "weights": [
                (0.3 * rng.normal(size=shape)).astype(np.float32)
                for shape in ((n_in, hidden), (hidden,), (hidden, classes), (classes,))
            ],
        }
    ]


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
    default = answer()  # MnistMLP() with no arguments, on one example of the case
    default(case["x"][:1])
    seen["default_shapes"] = _shapes(default.weights)
    return seen


exercise(
    id="06.3",
    revision=2,  # stricter since the first release: earlier passes are re-checked
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
        "Look at mnist_model above: how many layers hold weights, how many units each, and which "
        "activation each one ends with? Your class gets the sizes from its arguments instead.",
        "Check the output: each row should hold num_classes probabilities that add up to 1, and "
        "MnistMLP() with no arguments should have as many weights as mnist_model.",
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

    model = answer(case["n_features"], case["units"])
    seen = {"is_model": isinstance(model, keras.Model), "made": observe(model)}
    if not seen["is_model"]:
        return seen
    calls = layer_calls(model)
    seen["functional"] = calls is not None
    if not seen["functional"]:
        return seen
    seen["inputs"] = [[None if d is None else int(d) for d in tensor.shape] for tensor in model.inputs]
    seen["outputs"] = [[None if d is None else int(d) for d in tensor.shape] for tensor in model.outputs]
    seen["shapes"] = _shapes(model.weights)
    seen["layers"] = [  # each layer that owns a weight, and its calls in the model's graph
        {"shapes": _shapes(layer.weights), "calls": calls.get(layer.name, [])}
        for layer in model.layers
        if layer.weights
    ]
    if len(seen["inputs"]) != 2 or len(seen["outputs"]) != 1:
        return seen
    _assign_by_shape(model.weights, case["weights"])
    seen["out"] = _values(model([case["left"], case["right"]]))
    return seen


def layer_calls(model):
    """``{layer name: [[names of the layers whose outputs it was called on], ...] for each call}``, read
    from the model's public config; None for a model not built with the functional API (its config,
    if any, names no input layers).

    Keras writes each call of a layer (a node) as the layer's arguments, where every tensor is a
    ``{"class_name": "__keras_tensor__", "config": {"keras_history": [layer, node, index]}}``;
    tests/test_exercises_06.py checks that this still holds for the version installed.
    """
    try:
        config = model.get_config()
    except Exception:  # a subclassed model need not have a config
        return None
    if not isinstance(config, dict) or not {"layers", "input_layers", "output_layers"} <= set(config):
        return None
    return {
        str(layer.get("name")): [_tensor_sources(node) for node in layer.get("inbound_nodes") or []]
        for layer in config["layers"]
        if isinstance(layer, dict)
    }


def _tensor_sources(arguments):
    """The names of the layers that made the tensors found anywhere in a node's arguments, in order."""
    if isinstance(arguments, dict):
        if arguments.get("class_name") == "__keras_tensor__":
            history = (arguments.get("config") or {}).get("keras_history") or [""]
            return [str(history[0])]
        return [name for value in arguments.values() for name in _tensor_sources(value)]
    if isinstance(arguments, (list, tuple)):
        return [name for value in arguments for name in _tensor_sources(value)]
    return []


exercise(
    id="06.4",
    revision=2,  # stricter since the first release: earlier passes are re-checked
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
        "Count the layer objects: how many times is each one created, and how many times called? Weights "
        "are shared only between calls of the same object. Then check the order: which input comes "
        "first, and which code comes first when they are joined?",
        "On other numbers: two codes of shape (batch, 4) joined side by side give (batch, 8), so the "
        "top layer's kernel is (8, 1). model.summary() shows each layer once, with its shape, and the "
        "layers it was called on.",
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


def _descent(rng, mode, start=None):
    """A few epochs that each improve by far more than any min_delta of the cases."""
    start = rng.uniform(0.8, 1.6) if start is None else start
    steps = rng.uniform(0.08, 0.2, int(rng.integers(2, 5)))
    values = start - np.concatenate([[0.0], np.cumsum(steps)])
    return values if mode == "min" else 2 - values


def _rounded(values):
    return [round(float(v), 4) for v in values]


def _stop_case(rng, mode, after_best, patience, min_delta=0.0, tail=3):
    """A descent to the best value b, then ``after_best(b)`` (values as worse-or-better offsets, for
    'min'), then ``patience + tail`` epochs clearly worse than b."""
    sign = 1 if mode == "min" else -1
    best = _descent(rng, mode)
    b = float(best[-1])
    worse = b + sign * rng.uniform(0.15, 0.4, patience + tail)
    middle = [b + sign * offset for offset in after_best(rng)]
    return {
        "values": _rounded([*best, *middle, *worse]),
        "patience": patience,
        "min_delta": min_delta,
        "mode": mode,
    }


def _stop_cases(rng):
    """Each case tells Keras's rule from some plausible other rule, on every draw; then noisy curves.

    In order: a worsening smaller than min_delta (no improvement, but one for a min_delta taken the
    wrong way); a gain smaller than min_delta (no improvement, but one if min_delta is ignored); an
    exact tie with the best (no improvement); a bounce that beats the epoch before but not the best
    (compared with the last value instead of the best, it counts); gains every second epoch (the
    count starts again at each, so training never stops); accuracies in mode 'max'; a new best after
    training stopped (not part of the answer); a curve that falls to the end (no stop).
    """
    delta = float(rng.choice([0.01, 0.02, 0.04]))
    patience = int(rng.integers(2, 4))
    low, zigzag = rng.uniform(1.2, 1.6), []
    for _ in range(int(rng.integers(3, 5))):  # a new best, then one epoch worse, again and again
        zigzag += [low, low + rng.uniform(0.05, 0.1)]
        low -= rng.uniform(0.05, 0.1)
    late = _stop_case(rng, "min", lambda rng: [], int(rng.integers(1, 4)))
    late["values"] = late["values"] + _rounded(min(late["values"]) - rng.uniform(0.1, 0.3, 2))
    cases = [
        _stop_case(rng, "min", lambda rng: [delta / 2], patience, delta),
        _stop_case(rng, "max", lambda rng: [-delta / 2], int(rng.integers(2, 4)), delta),
        _stop_case(rng, "min", lambda rng: [0.0], int(rng.integers(2, 4))),
        _stop_case(rng, "min", lambda rng: [0.3, 0.1], int(rng.integers(2, 4))),
        {"values": _rounded(zigzag), "patience": 2, "min_delta": 0.0, "mode": "min"},
        _stop_case(rng, "max", lambda rng: [], int(rng.integers(1, 4)), float(rng.choice([0.0, 0.01]))),
        late,
        {"values": _rounded(_descent(rng, "min")), "patience": 1, "min_delta": 0.0, "mode": "min"},
    ]
    for mode in ("min", "max"):
        length = int(rng.integers(8, 16))
        cases.append(
            {
                "values": _curve(rng, length, mode),
                "patience": int(rng.integers(0, 4)),
                "min_delta": float(rng.choice([0.0, 0.01, 0.03])),
                "mode": mode,
            }
        )
    return cases


def _stop_probe(answer, case):
    return observe(answer(case["values"], case["patience"], case["min_delta"], case["mode"]))


exercise(
    id="06.5",
    revision=2,  # stricter since the first release: earlier passes are re-checked
    title="The rule of early stopping",
    produce="a function when_to_stop(values, patience, min_delta, mode) that takes the list of a monitored "
    "quantity's values, one per epoch, an int patience, a float min_delta >= 0 and mode 'min' or 'max', and "
    "returns the tuple (best_epoch, stop_epoch) of keras.callbacks.EarlyStopping with these settings: two ints "
    "counted from 1, stop_epoch None when training runs to the end",
    cases=_stop_cases,
    probe=_stop_probe,
    hints=(
        "Walk through the epochs once. What do you need to remember from one epoch to the next to decide "
        "whether to stop?",
        "Test your rule by hand on short lists where two readings of the text differ: a value equal to "
        "the best, a value a little better than the best but by less than min_delta, a value better "
        "than the epoch before but not than the best, and the same in mode 'max'.",
        "The example of the notebook, worked through: [1.0, 0.8, 0.7, 0.75, 0.72, 0.9] with patience 2 "
        "gives improvements at epochs 1, 2 and 3; epochs 4 and 5 bring none (0.72 beats 0.75 but not "
        "0.7), so the count reaches 2 at epoch 5: (3, 5).",
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
