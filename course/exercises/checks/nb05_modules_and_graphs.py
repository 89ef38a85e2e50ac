"""Exercises and quizzes of 05_modules_and_graphs (TensorFlow is imported inside the probes only)."""

import shutil
import tempfile

import numpy as np

from ..probing import observe
from ..quizzes import multiple_choice, predict_shape
from ..registry import exercise
from ..shortcuts import Shortcut


def _tensor(value):
    """What the probe saw of a returned tensor: its observation, and its values as an ndarray."""
    import tensorflow as tf

    seen = {"returned": observe(value), "tensor": bool(tf.is_tensor(value)), "values": None}
    if seen["tensor"]:
        seen["dtype"] = value.dtype.name
        seen["values"] = observe(np.asarray(value.numpy()))
    return seen


# ---------------------------------------------------------------------------
# 05.1 a callable Line
# ---------------------------------------------------------------------------


def _line_cases(rng):
    cases = []
    for dimensions in (1, 2, int(rng.integers(1, 3))):  # a 2-D array in every draw: a flat result shows
        slope, intercept, other_slope, other_intercept = (round(float(v), 2) for v in rng.uniform(-5, 5, 4))
        shape = tuple(int(n) for n in rng.integers(2, 5, size=dimensions))
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


exercise(
    id="05.1",
    revision=2,  # stricter since the first release: earlier passes are re-checked
    title="A callable Line",
    produce="a class Line: Line(slope, intercept) makes an object that, called on x (a number or a "
    "NumPy array), returns the value of the straight line at x (a number, or an array of x's shape)",
    answer="class",
    cases=_line_cases,
    probe=_line_probe,
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
    """Two layers of different units, each called on inputs whose width and batch size differ from
    every units and from each other: a layer that reads the wrong size, or ignores units, cannot come
    out right by chance."""
    units, other_units = (int(u) for u in rng.choice(np.arange(1, 6), size=2, replace=False))
    free = [n for n in range(1, 10) if n not in (units, other_units)]
    widths_and_rows = [int(n) for n in rng.choice(free, size=4, replace=False)]
    (width, other_width), (rows, other_rows) = widths_and_rows[:2], widths_and_rows[2:]
    return [
        {
            "units": units,
            "x": rng.normal(size=(rows, width)).astype(np.float32),
            "other_units": other_units,
            "other_x": rng.normal(size=(other_rows, other_width)).astype(np.float32),
        }
    ]


def _variables_seen(module):
    return [
        {"shape": [int(n) for n in v.shape], "trainable": bool(v.trainable), "values": observe(v.numpy())}
        for v in module.variables
    ]


def _shapes(variables):
    """The shape of each variable, in the order the module lists them."""
    return [[int(n) for n in v.shape] for v in variables]


SHIFT = 0.5  # added to every variable after the first call


def _lazy_probe(answer, case):
    import tensorflow as tf

    layer = answer(case["units"])
    if not isinstance(layer, tf.Module):
        return {"module": False, "made": observe(layer)}
    seen = {"module": True, "before": _shapes(layer.variables)}
    x = tf.constant(case["x"])
    seen["first"] = _tensor(layer(x))
    seen["variables"] = _variables_seen(layer)
    seen["trainable"] = _shapes(layer.trainable_variables)
    for variable in layer.variables:  # other values, so that a zero bias cannot hide
        variable.assign_add(tf.fill(variable.shape, tf.constant(SHIFT, variable.dtype)))
    seen["again"] = _tensor(layer(x))
    seen["variables_again"] = _variables_seen(layer)
    other = answer(case["other_units"])  # a fresh layer, for inputs of another width
    seen["other"] = _tensor(other(tf.constant(case["other_x"])))
    seen["other_variables"] = _variables_seen(other)
    seen["first_after_other"] = _tensor(layer(x))
    return seen


exercise(
    id="05.2",
    revision=2,  # stricter since the first release: earlier passes are re-checked
    title="A layer that builds itself",
    produce="a class LazyLinear, a tf.Module: LazyLinear(units) makes a layer with no variables yet; its "
    "first call on a float32 tensor x of shape (batch, in_features) creates a random weight matrix of "
    "shape (in_features, units) and a bias of shape (units,), both trainable tf.Variables, and every call "
    "returns the affine map of x (weighted sums plus bias, no activation): a float32 tensor of shape "
    "(batch, units)",
    answer="class",
    cases=_lazy_cases,
    probe=_lazy_probe,
    hints=(
        "The width of the input is only known when the first input arrives; until then the layer "
        "remembers how many units it will have and nothing more.",
        "Every call runs the same method, so that method has to tell the first call from the later ones: "
        "what does the layer hold after its first call that it did not hold before? And where must the "
        "variables live so that tf.Module lists them?",
        "Check the shapes on paper: for an input of shape (2, 3) and 4 units, which matrix shape turns "
        "(2, 3) into (2, 4), and which axis of the input told you the 3? A batch of 5 rows must give the "
        "same matrix.",
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


MISFITS = {  # a model that does not fit the checkpoint: how it differs from the saved one
    "a model with one layer more than the saved one": lambda sizes: _mlp(sizes + [2]),
    "a model with one layer fewer than the saved one": lambda sizes: _mlp(sizes[:2]),
    "a model with a wider hidden layer than the saved one": lambda sizes: _mlp(
        [sizes[0], sizes[1] + 1, sizes[2]]
    ),
    # as many variables, of the same shapes, but under other paths: nothing of the file reaches it
    "a model that holds the saved layers under other names": lambda sizes: _renamed_mlp(sizes),
}


def _restore_cases(rng):
    """One checkpoint, restored into a model that fits it and into each model of ``MISFITS``."""
    sizes = [int(n) for n in rng.integers(2, 7, size=3)]
    return [
        {
            "sizes": sizes,
            "saved": _weights(rng, sizes),
            "fresh": _weights(rng, sizes),
            "x": rng.normal(size=(int(rng.integers(2, 5)), sizes[0])).astype(np.float32),
            "misfits": list(MISFITS),
        }
    ]


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


def _renamed_mlp(sizes):
    """The layers of ``_mlp(sizes)`` kept as the attributes ``hidden`` and ``output``, not in a list."""
    import tensorflow as tf

    from ...tf_layers import Dense

    class TwoLayers(tf.Module):
        def __init__(self):
            super().__init__()
            self.hidden = Dense(sizes[0], sizes[1], activation="relu")
            self.output = Dense(sizes[1], sizes[2])

        def __call__(self, x):
            return self.output(self.hidden(x))

    return TwoLayers()


def _restore_probe(answer, case):
    import tensorflow as tf

    from ...tf_layers import save_checkpoint

    folder = tempfile.mkdtemp(prefix="course-check-05.3-")
    try:
        path = save_checkpoint(_mlp(case["sizes"], case["saved"]), f"{folder}/model")
        fresh = _mlp(case["sizes"], case["fresh"])
        returned = answer(fresh, path)
        outputs = fresh(tf.constant(case["x"])).numpy()
        seen = {
            "ids": [id(fresh), id(returned)],  # the model given and the one returned
            "returned": observe(returned),
            "outputs": observe(outputs),
            "misfits": [],
        }
        for misfit in case["misfits"]:
            try:
                answer(MISFITS[misfit](case["sizes"]), path)
            except NotImplementedError:
                raise
            except Exception as error:  # what the answer raises for a model that does not fit is the outcome
                outcome = {
                    "raised": type(error).__name__,
                    "classes": [c.__name__ for c in type(error).__mro__],
                }
            else:
                outcome = {"raised": None}
            seen["misfits"].append(outcome)
        return seen
    finally:
        shutil.rmtree(folder, ignore_errors=True)


exercise(
    id="05.3",
    revision=2,  # stricter since the first release: earlier passes are re-checked
    title="Restore a checkpoint",
    produce="a function restore_model(model, path) that takes a tf.Module model and the path of a "
    "checkpoint written by save_checkpoint, loads the saved values into model's variables and returns "
    "model; when the checkpoint does not fit the model (a saved value with no variable to go to, a "
    "variable with no saved value, or shapes that differ) it raises a ValueError instead",
    cases=_restore_cases,
    probe=_restore_probe,
    hints=(
        "A checkpoint stores every variable under its path, starting from the name the module was "
        "saved under; reading it fills what matches and stays silent about the rest. So your function "
        "has two jobs: the reading, and finding out whether anything was left over on either side.",
        "Counting or comparing shapes is not enough: a model can have as many variables, of the same "
        "shapes, under other paths. The object that the read returns knows what was matched; look at "
        "its methods (help() lists them), and try them on the notebook's model with one layer more.",
        "The method that complains raises an error of its own type, and the exercise asks for a "
        "ValueError. Converting works like this, on another example: int('x') raises a ValueError; "
        "a try/except around it can raise a KeyError instead, with a message of your own.",
    ),
    shortcuts=(Shortcut("course.tf_layers:restore_checkpoint"),),
    forbidden_in_source=("restore_checkpoint",),
    time_limit=20,
)


# ---------------------------------------------------------------------------
# 05.4 one step of gradient descent
# ---------------------------------------------------------------------------


def _sgd_cases(rng):
    """One, two and three outputs in some order: a mean over the examples alone shows with two or more."""
    cases = []
    for n_out in rng.permutation([1, 2, 3]):
        batch, n_in = int(rng.integers(3, 9)), int(rng.integers(1, 5))
        cases.append(
            {
                "x": rng.normal(size=(batch, n_in)).astype(np.float32),
                "y": rng.normal(size=(batch, int(n_out))).astype(np.float32),
                "w": rng.normal(size=(n_in, int(n_out))).astype(np.float32),
                "b": rng.normal(size=(int(n_out),)).astype(np.float32),
                "scale": round(float(rng.uniform(0.5, 1.5)), 2),
                "learning_rate": round(float(rng.uniform(0.01, 0.3)), 3),
            }
        )
    return cases


def _sgd_probe(answer, case):
    """The model is ``(x @ w + b) * scale`` whose ``scale`` is a variable that is not trainable."""
    import tensorflow as tf

    model = _scaled_linear(case["w"], case["b"], np.float32(case["scale"]))
    loss = answer(model, tf.constant(case["x"]), tf.constant(case["y"]), case["learning_rate"])
    seen = _tensor(loss)
    seen.update(_model_values(model))
    return seen


exercise(
    id="05.4",
    revision=2,  # stricter since the first release: earlier passes are re-checked
    title="One gradient-descent step",
    produce="a function sgd_step(model, x, y, learning_rate) that takes a tf.Module model, float32 "
    "tensors x and y and a float, takes one step of plain gradient descent on the mean squared error "
    "of model(x) against y (changing the model's trainable variables), and returns that loss as "
    "measured before the step (a scalar tensor or a float)",
    cases=_sgd_cases,
    probe=_sgd_probe,
    hints=(
        "Four moves: measure the loss while TensorFlow records, ask for its gradients, step, report.",
        "Which variables should move? A model can hold variables that are not meant to train (the "
        "check's model does); ask the model for the right list, and make sure the mean runs over every "
        "entry of the error, whatever the number of outputs.",
        "A worked example on other numbers: with a learning rate of 0.1, a weight of 2.0 whose gradient "
        "is 0.5 becomes 1.95. Computing 1.95 as a new tensor is not enough: the variable itself has to "
        "hold it afterwards.",
    ),
    forbidden_in_source=("keras", "optimizers", "apply_gradients"),
    time_limit=20,
)


# ---------------------------------------------------------------------------
# 05.5 shuffled batches with tf.data
# ---------------------------------------------------------------------------

PASSES = 2  # passes over the data set the probe reads
START = 2  # batches read from the start of a pass of two more data sets (the same seed, and another)


def _batches_cases(rng):
    """One data set of 64 to 96 examples, whose size is never a multiple of the batch size.

    With a buffer of B examples, the example at place i of a pass is at most the (B + i)-th: none moves
    more than B - 1 places forward. A full shuffle of 64 or more examples moves one at least n / 2
    places forward in all but about 1 pass in 10**5 (and the check looks at two passes), so a buffer of
    half the data set, or of 32, is told apart from a full one on every draw.
    """
    n, features = int(rng.integers(64, 97)), int(rng.integers(1, 4))
    batch_size = int(rng.choice([size for size in range(6, 15) if n % size]))
    x = rng.normal(size=(n, features + 1)).astype(np.float32)
    x[:, 0] = np.arange(n)  # the first column numbers the examples, so the check can follow each one
    return [
        {
            "x": x,
            "y": rng.integers(0, 10, size=n).astype(np.int32),
            "batch_size": batch_size,
            "seed": int(rng.integers(0, 2**31 - 2)),
        }
    ]


def _one_pass(dataset, most):
    """The first ``most`` elements of one pass (or all), each as a list of arrays when it is a pair."""
    elements, iterator = [], iter(dataset)  # one iterator, read by hand: quicker than dataset.take(most)
    for _ in range(most):
        try:
            element = next(iterator)
        except StopIteration:
            break
        if isinstance(element, (tuple, list)):
            elements.append([observe(np.asarray(part)) for part in element])
        else:
            elements.append(observe(element))
    return elements


def _quick(dataset):
    """The same data set, read without the background work that only pays off on long pipelines
    (an injected prefetch, autotuning, the default rewrites): the elements and their order are the
    same, each pass takes a few milliseconds instead of tens."""
    import tensorflow as tf

    options = tf.data.Options()
    options.experimental_optimization.inject_prefetch = False
    options.experimental_optimization.apply_default_optimizations = False
    options.autotune.enabled = False
    return dataset.with_options(options)


def _batches_probe(answer, case):
    import tensorflow as tf

    x, y, size, seed = case["x"], case["y"], case["batch_size"], case["seed"]
    dataset = answer(x, y, size, seed)
    if not isinstance(dataset, tf.data.Dataset):
        return {"dataset": False, "made": observe(dataset)}
    most = len(x) // size + 2  # enough to see one pass, and a data set that never ends
    dataset = _quick(dataset)
    passes = [_one_pass(dataset, most) for _ in range(PASSES)]
    # the start of a pass is enough to compare orders
    again = _one_pass(_quick(answer(x, y, size, seed)), START)
    other_seed = _one_pass(_quick(answer(x, y, size, seed + 1)), START)
    return {"dataset": True, "passes": passes, "again": again, "other_seed": other_seed}


exercise(
    id="05.5",
    revision=2,  # stricter since the first release: earlier passes are re-checked
    title="Shuffled batches with tf.data",
    produce="a function batches(x, y, batch_size, seed) that takes a NumPy float32 array x of shape "
    "(n, features), a NumPy int32 array y of shape (n,) and two ints, and returns a tf.data.Dataset of "
    "(x_batch, y_batch) pairs: each pass over it gives every example exactly once, with its own label, "
    "in a new random order at every pass (the same sequence of orders again for the same seed), in "
    "batches of batch_size examples (only the last one smaller)",
    cases=_batches_cases,
    probe=_batches_probe,
    hints=(
        "Think of a pipeline of steps, each one a method of the data set before it: where do the pairs "
        "come from, where are they mixed, where are they grouped? The order of the steps matters.",
        "The shuffle step hands out a random element of a buffer and refills it from its input: an "
        "example can only come out once it is in the buffer. How large must the buffer be for the last "
        "example to come out first? Also check what a pass does with the examples left over at the end.",
        "On other numbers: 10 examples and a buffer of 3 means the first element out is always one of "
        "examples 0, 1 and 2, so examples 3 to 9 can never come first. And with 10 examples in batches "
        "of 4, a pass holds batches of 4, 4 and 2.",
    ),
    shortcuts=(Shortcut("course.tf_layers:shuffled_batches"),),
    forbidden_in_source=("shuffled_batches",),
    time_limit=20,
)


# ---------------------------------------------------------------------------
# 05.6 a training step as a tf.function
# ---------------------------------------------------------------------------

STEPS = 6  # training steps the probe takes


def _train_step_cases(rng):
    """One small regression (tracing a graph is the slow part of this check, so one case)."""
    n, n_in, n_out = int(rng.integers(8, 17)), int(rng.integers(2, 5)), int(rng.integers(1, 3))
    x = rng.normal(size=(n, n_in)).astype(np.float32)
    return [
        {
            "x": x,
            "y": (x @ rng.normal(size=(n_in, n_out)) + 0.1 * rng.normal(size=(n, n_out))).astype(np.float32),
            "w": rng.normal(size=(n_in, n_out)).astype(np.float32),
            "b": rng.normal(size=(n_out,)).astype(np.float32),
            "scale": round(float(rng.uniform(0.5, 1.5)), 2),
            "learning_rate": round(float(rng.uniform(0.02, 0.08)), 3),
        }
    ]


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


OVERSHOOT = 2.0  # the check's loss weighs a prediction above its target this many times more


def _lopsided_squared_error(predictions, targets):
    """The mean squared error with overshoots counted ``OVERSHOOT`` times: called with its two
    arguments the other way round, it gives another loss (a plain squared error would not tell)."""
    import tensorflow as tf

    weights = tf.where(predictions > targets, OVERSHOOT, 1.0)
    return tf.reduce_mean(weights * tf.square(predictions - targets))


def _model_values(model):
    return {name: observe(np.asarray(getattr(model, name).numpy())) for name in ("w", "b", "scale")}


def _loss_seen(loss):
    return _tensor(loss) if hasattr(loss, "numpy") else {"returned": observe(loss), "tensor": False}


def _train_step_probe(answer, case):
    import keras
    import tensorflow as tf

    model = _scaled_linear(case["w"], case["b"], np.float32(case["scale"]))
    optimizer = keras.optimizers.SGD(learning_rate=case["learning_rate"])
    step = answer(model, _lopsided_squared_error, optimizer)
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


exercise(
    id="05.6",
    revision=2,  # stricter since the first release: earlier passes are re-checked
    title="A training step as a graph",
    produce="a function make_train_step(model, loss_fn, optimizer) that takes a tf.Module model, a function "
    "loss_fn(predictions, targets) returning a scalar tensor and a Keras optimizer, and returns a "
    "tf.function train_step(x, y) that takes one step of the optimizer on loss_fn(model(x), y), changing "
    "only the model's trainable variables, and returns that loss as measured before the step",
    cases=_train_step_cases,
    probe=_train_step_probe,
    hints=(
        "make_train_step does not train anything itself: it builds the step and hands it back. A function "
        "defined inside it can use model, loss_fn and optimizer without taking them as arguments.",
        "Compare with your sgd_step of exercise 05.4: what stays the same, and which part does the "
        "optimizer now do for you? Look at the order of loss_fn's arguments, and at which of the model's "
        "variables may move (the check's model has one that must not).",
        "Two things tell a graph function from a plain one: how it is made (section 6 of the notebook), "
        "and that the check can see it. The number the step returns is the loss from before the "
        "variables moved.",
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
