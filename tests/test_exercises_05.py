"""Exercises of 05_modules_and_graphs (its quizzes: tests/test_quizzes.py): right answers, stubs, mistakes and cheats."""

from unittest import mock

import numpy as np
import pytest

from course.runtime.quiet import import_tensorflow

tf = import_tensorflow()

import course.exercises.checks.nb05_modules_and_graphs  # noqa: E402,F401  (registers 05.*)
from course import tf_layers  # noqa: E402
from course.exercises import judge, probe  # noqa: E402
from course.exercises.core import FAILED, NOT_ATTEMPTED, PASSED  # noqa: E402
from course.exercises.engine import evaluate  # noqa: E402
from course.exercises.plain import normalize  # noqa: E402
from course.exercises.registry import lookup  # noqa: E402
from course.tf_layers import LazyDense, restore_checkpoint  # noqa: E402

from .helpers import stub  # noqa: E402

SEEDS = (0, 1, 2, 4242)


class Line:
    def __init__(self, slope, intercept):
        self.slope = slope
        self.intercept = intercept

    def __call__(self, x):
        return self.slope * x + self.intercept


class LazyLinear(tf.Module):
    def __init__(self, units, name=None):
        super().__init__(name=name)
        self.units = units
        self.w = self.b = None

    def __call__(self, x):
        if self.w is None:
            self.w = tf.Variable(tf.random.normal((x.shape[-1], self.units)), name="w")
            self.b = tf.Variable(tf.zeros((self.units,)), name="b")
        return x @ self.w + self.b


def restore_model(model, path):
    status = tf.train.Checkpoint(model=model).read(path)
    try:
        status.assert_consumed()
    except AssertionError as error:
        raise ValueError(f"the checkpoint does not fit the model: {error}") from None
    return model


def sgd_step(model, x, y, learning_rate):
    with tf.GradientTape() as tape:
        loss = tf.reduce_mean((model(x) - y) ** 2)
    grads = tape.gradient(loss, model.trainable_variables)
    for variable, grad in zip(model.trainable_variables, grads):
        variable.assign_sub(learning_rate * grad)
    return loss


def batches(x, y, batch_size, seed):
    return tf.data.Dataset.from_tensor_slices((x, y)).shuffle(len(x), seed=seed).batch(batch_size)


def make_train_step(model, loss_fn, optimizer):
    @tf.function
    def train_step(x, y):
        with tf.GradientTape() as tape:
            loss = loss_fn(model(x), y)
        grads = tape.gradient(loss, model.trainable_variables)
        optimizer.apply_gradients(zip(grads, model.trainable_variables))
        return loss

    return train_step


RIGHT = {
    "05.1": Line,
    "05.2": LazyLinear,
    "05.3": restore_model,
    "05.4": sgd_step,
    "05.5": batches,
    "05.6": make_train_step,
}


@pytest.mark.parametrize("seed", SEEDS)
@pytest.mark.parametrize("exercise_id", sorted(RIGHT))
def test_right_answer_passes(exercise_id, seed):
    feedback = evaluate(exercise_id, RIGHT[exercise_id], seed=seed)
    assert feedback.status == PASSED, feedback.message


def sgd_step_float(model, x, y, learning_rate):
    return float(sgd_step(model, x, y, learning_rate))


def restore_by_shapes(model, path):
    saved = {name: shape for name, shape in tf.train.list_variables(path) if name.startswith("model/")}
    have = {f"model/{name}/.ATTRIBUTES/VARIABLE_VALUE": list(v.shape) for name, v in paths(model)}
    if saved != have:
        raise ValueError(f"the checkpoint holds {sorted(saved.items())}, the model {sorted(have.items())}")
    tf.train.Checkpoint(model=model).read(path)
    return model


def paths(model):
    found = model._flatten(predicate=lambda value: isinstance(value, tf.Variable), with_path=True)
    return [("/".join(str(step) for step in path), variable) for path, variable in found]


@pytest.mark.parametrize(
    "exercise_id, answer",
    [("05.4", sgd_step_float), ("05.3", restore_by_shapes)],
)
def test_other_right_answers_pass(exercise_id, answer):
    assert evaluate(exercise_id, answer, seed=3).status == PASSED


# --------------------------------------------------------------------------- stubs


class StubLine:
    def __init__(self, slope, intercept):
        raise NotImplementedError

    def __call__(self, x):
        raise NotImplementedError


class StubLinear(tf.Module):
    def __init__(self, units):
        super().__init__()
        self.units = units

    def __call__(self, x):
        raise NotImplementedError


class HalfStubLine:
    def __init__(self, slope, intercept):
        self.slope, self.intercept = slope, intercept

    def __call__(self, x):
        raise NotImplementedError


@pytest.mark.parametrize(
    "exercise_id, answer",
    [
        ("05.1", ...),
        ("05.1", StubLine),
        ("05.1", HalfStubLine),
        ("05.2", ...),
        ("05.2", StubLinear),
        ("05.3", ...),
        ("05.3", stub),
        ("05.4", ...),
        ("05.4", stub),
        ("05.5", ...),
        ("05.5", stub),
        ("05.6", ...),
        ("05.6", stub),
    ],
)
def test_stub_is_not_attempted_and_gives_no_solution(exercise_id, answer):
    feedback = evaluate(exercise_id, answer, seed=0)
    assert feedback.status == NOT_ATTEMPTED, feedback.message
    for leak in (
        "@",
        "relu(",
        "Checkpoint(",
        "model=model",
        "assign_sub",
        "GradientTape()",
        "self.slope",
        "shuffle(",
        "apply_gradients(",
    ):
        assert leak not in feedback.message


@pytest.mark.parametrize("exercise_id", sorted(RIGHT))
def test_hints_hold_no_solution_code(exercise_id):
    ex = lookup(exercise_id)
    for text in ex.hints + (ex.produce,):
        for leak in (
            "@",
            "relu(",
            "Checkpoint(",
            "model=model",
            "assign_sub(",
            "reduce_mean",
            " = ",
            "self.",
        ):
            assert leak not in text, (exercise_id, text)


# --------------------------------------------------------------------------- mistakes


class NotCallableLine:
    def __init__(self, slope, intercept):
        self.slope, self.intercept = slope, intercept


class SwappedLine(Line):
    def __call__(self, x):
        return self.intercept * x + self.slope


class NoInterceptLine(Line):
    def __call__(self, x):
        return self.slope * x


class SharedLine:
    def __init__(self, slope, intercept):
        SharedLine.slope, SharedLine.intercept = slope, intercept

    def __call__(self, x):
        return self.slope * x + self.intercept


class ListLine(Line):
    def __call__(self, x):
        if isinstance(x, np.ndarray):
            return [self.slope * value + self.intercept for value in x.ravel()]
        return self.slope * x + self.intercept


class EagerBiasLinear(LazyLinear):
    def __init__(self, units, name=None):
        super().__init__(units, name=name)
        self.b = tf.Variable(tf.zeros((units,)))

    def __call__(self, x):
        if self.w is None:
            self.w = tf.Variable(tf.random.normal((x.shape[-1], self.units)))
        return x @ self.w + self.b


class RebuildingLinear(LazyLinear):
    def __call__(self, x):
        self.w = tf.Variable(tf.random.normal((x.shape[-1], self.units)))
        self.b = tf.Variable(tf.zeros((self.units,)))
        return x @ self.w + self.b


class LocalLinear(LazyLinear):
    def __call__(self, x):
        w = tf.Variable(tf.random.normal((x.shape[-1], self.units)))
        return x @ w


class ZeroLinear(LazyLinear):
    def __call__(self, x):
        if self.w is None:
            self.w = tf.Variable(tf.zeros((x.shape[-1], self.units)))
            self.b = tf.Variable(tf.zeros((self.units,)))
        return x @ self.w + self.b


class TransposedLinear(LazyLinear):
    def __call__(self, x):
        if self.w is None:
            self.w = tf.Variable(tf.random.normal((self.units, x.shape[-1])))
            self.b = tf.Variable(tf.zeros((self.units,)))
        return x @ tf.transpose(self.w) + self.b


class NoBiasLinear(LazyLinear):
    def __call__(self, x):
        super().__call__(x)
        return x @ self.w


class ReluLinear(LazyLinear):
    def __call__(self, x):
        return tf.nn.relu(super().__call__(x))


class FrozenLinear(LazyLinear):
    def __call__(self, x):
        if self.w is None:
            self.w = tf.Variable(tf.random.normal((x.shape[-1], self.units)), trainable=False)
            self.b = tf.Variable(tf.zeros((self.units,)))
        return x @ self.w + self.b


class SharedLinear(LazyLinear):
    shared = {}

    def __call__(self, x):
        self.params = SharedLinear.shared
        if self.params.get("width") != x.shape[-1]:
            self.params["width"] = x.shape[-1]
            self.params["w"] = tf.Variable(tf.random.normal((x.shape[-1], self.units)))
            self.params["b"] = tf.Variable(tf.zeros((self.units,)))
        return x @ self.params["w"] + self.params["b"]


class NanLinear(LazyLinear):
    def __call__(self, x):
        return super().__call__(x) * float("nan")


class PlainLinear:
    def __init__(self, units):
        self.units = units

    def __call__(self, x):
        return x


def batch_then_shuffle(x, y, batch_size, seed):
    return tf.data.Dataset.from_tensor_slices((x, y)).batch(batch_size).shuffle(len(x), seed=seed)


def small_buffer(x, y, batch_size, seed):
    return tf.data.Dataset.from_tensor_slices((x, y)).shuffle(batch_size, seed=seed).batch(batch_size)


def no_shuffle(x, y, batch_size, seed):
    return tf.data.Dataset.from_tensor_slices((x, y)).batch(batch_size)


def shuffle_once(x, y, batch_size, seed):
    data = tf.data.Dataset.from_tensor_slices((x, y))
    return data.shuffle(len(x), seed=seed, reshuffle_each_iteration=False).batch(batch_size)


def numpy_shuffle(x, y, batch_size, seed):
    order = np.random.default_rng(seed).permutation(len(x))
    return tf.data.Dataset.from_tensor_slices((x[order], y[order])).batch(batch_size)


def cache_after_shuffle(x, y, batch_size, seed):
    return batches(x, y, batch_size, seed).cache()


def no_seed(x, y, batch_size, seed):
    return tf.data.Dataset.from_tensor_slices((x, y)).shuffle(len(x)).batch(batch_size)


def drop_last(x, y, batch_size, seed):
    data = tf.data.Dataset.from_tensor_slices((x, y)).shuffle(len(x), seed=seed)
    return data.batch(batch_size, drop_remainder=True)


def shuffled_apart(x, y, batch_size, seed):
    xs = tf.data.Dataset.from_tensor_slices(x).shuffle(len(x), seed=seed)
    ys = tf.data.Dataset.from_tensor_slices(y).shuffle(len(x), seed=seed + 1)
    return tf.data.Dataset.zip((xs, ys)).batch(batch_size)


def repeated(x, y, batch_size, seed):
    return batches(x, y, batch_size, seed).repeat()


def images_only(x, y, batch_size, seed):
    return tf.data.Dataset.from_tensor_slices(x).shuffle(len(x), seed=seed).batch(batch_size)


def step_without_tf_function(model, loss_fn, optimizer):
    def train_step(x, y):
        with tf.GradientTape() as tape:
            loss = loss_fn(model(x), y)
        grads = tape.gradient(loss, model.trainable_variables)
        optimizer.apply_gradients(zip(grads, model.trainable_variables))
        return loss

    return train_step


def step_returns_loss_after(model, loss_fn, optimizer):
    step = make_train_step(model, loss_fn, optimizer)

    @tf.function
    def train_step(x, y):
        step(x, y)
        return loss_fn(model(x), y)

    return train_step


def step_all_variables(model, loss_fn, optimizer):
    learning_rate = float(optimizer.learning_rate)

    @tf.function
    def train_step(x, y):
        with tf.GradientTape() as tape:
            tape.watch(model.variables)
            loss = loss_fn(model(x), y)
        for variable, grad in zip(model.variables, tape.gradient(loss, model.variables)):
            variable.assign_sub(learning_rate * grad)
        return loss

    return train_step


def step_uphill(model, loss_fn, optimizer):
    @tf.function
    def train_step(x, y):
        with tf.GradientTape() as tape:
            loss = loss_fn(model(x), y)
        grads = tape.gradient(loss, model.trainable_variables)
        optimizer.apply_gradients(zip([-g for g in grads], model.trainable_variables))
        return loss

    return train_step


def step_only_first(model, loss_fn, optimizer):
    @tf.function
    def train_step(x, y):
        with tf.GradientTape() as tape:
            loss = loss_fn(model(x), y)
        first = model.trainable_variables[:1]
        optimizer.apply_gradients(zip(tape.gradient(loss, first), first))
        return loss

    return train_step


def step_own_optimizer(model, loss_fn, optimizer):
    import keras

    return make_train_step(model, loss_fn, keras.optimizers.SGD(learning_rate=0.5))


def restore_wrong_name(model, path):
    tf.train.Checkpoint(net=model).read(path)
    return model


def restore_returns_status(model, path):
    return tf.train.Checkpoint(model=model).read(path)


def restore_silently(model, path):
    tf.train.Checkpoint(model=model).read(path)
    return model


def restore_with_assertion(model, path):
    tf.train.Checkpoint(model=model).read(path).assert_consumed()
    return model


def restore_existing_matched(model, path):
    status = tf.train.Checkpoint(model=model).read(path)
    try:
        status.assert_existing_objects_matched()
    except AssertionError as error:
        raise ValueError(str(error)) from None
    return model


def restore_partial(model, path):
    tf.train.Checkpoint(model=model).restore(path).expect_partial()
    return model


def sgd_loss_after(model, x, y, learning_rate):
    sgd_step(model, x, y, learning_rate)
    return tf.reduce_mean((model(x) - y) ** 2)


def sgd_uphill(model, x, y, learning_rate):
    return sgd_step(model, x, y, -learning_rate)


def sgd_no_rate(model, x, y, learning_rate):
    return sgd_step(model, x, y, 1.0)


def sgd_no_update(model, x, y, learning_rate):
    return tf.reduce_mean((model(x) - y) ** 2)


def sgd_sum(model, x, y, learning_rate):
    with tf.GradientTape() as tape:
        loss = tf.reduce_sum((model(x) - y) ** 2)
    for variable, grad in zip(model.trainable_variables, tape.gradient(loss, model.trainable_variables)):
        variable.assign_sub(learning_rate * grad)
    return loss


def sgd_only_w(model, x, y, learning_rate):
    with tf.GradientTape() as tape:
        loss = tf.reduce_mean((model(x) - y) ** 2)
    grad_w = tape.gradient(loss, model.w)
    model.w.assign_sub(learning_rate * grad_w)
    return loss


@pytest.mark.parametrize(
    "exercise_id, answer, says",
    [
        ("05.1", NotCallableLine, "cannot be called like a function"),
        ("05.1", SwappedLine, "swapped the slope and the intercept"),
        ("05.1", NoInterceptLine, "forgot the intercept"),
        ("05.1", SharedLine, "the numbers must belong to each object"),
        ("05.1", ListLine, "should be a NumPy array"),
        ("05.1", lambda slope, intercept: None, "expected a class Line"),
        ("05.2", EagerBiasLinear, "before its first call"),
        ("05.2", RebuildingLinear, "replaced its weights with new ones"),
        ("05.2", LocalLinear, "lists no variables"),
        ("05.2", ZeroLinear, "starts at the same value"),
        ("05.2", TransposedLinear, "it is transposed"),
        ("05.2", NoBiasLinear, "forgot the bias"),
        ("05.2", ReluLinear, "applied a ReLU"),
        ("05.2", FrozenLinear, "is not trainable"),
        ("05.2", PlainLinear, "not a tf.Module"),
        ("05.2", lambda units: None, "expected a class LazyLinear"),
        ("05.3", restore_wrong_name, "none of the checkpoint's values reached its variables"),
        ("05.3", restore_returns_status, "should return the model it was given"),
        ("05.3", lambda model, path: model, "none of the checkpoint's values reached its variables"),
        ("05.3", restore_silently, "one layer more than the saved one returned without an error"),
        ("05.3", restore_with_assertion, "raised AssertionError; expected a ValueError"),
        ("05.3", restore_existing_matched, "one layer fewer than the saved one returned without an error"),
        ("05.3", restore_partial, "returned without an error"),
        ("05.4", sgd_loss_after, "returned the loss after the step"),
        ("05.4", sgd_uphill, "moved the variable up the gradient"),
        ("05.4", sgd_no_rate, "forgot the learning rate"),
        ("05.4", sgd_no_update, "did not change"),
        ("05.4", sgd_sum, "sum of the squared errors"),
        ("05.4", sgd_only_w, "the model's b did not change"),
        ("05.4", lambda model, x, y, lr: "loss", "should be a number"),
        ("05.5", batch_then_shuffle, "shuffles whole batches"),
        ("05.5", small_buffer, "shuffle buffer is too small"),
        ("05.5", no_shuffle, "in their original order"),
        ("05.5", shuffle_once, "the same order in every pass"),
        ("05.5", numpy_shuffle, "the same order in every pass"),
        ("05.5", cache_after_shuffle, "the same order in every pass"),
        ("05.5", no_seed, "the shuffle should use the seed"),
        ("05.5", drop_last, "the last, smaller batch was dropped"),
        ("05.5", shuffled_apart, "x and y were shuffled apart"),
        ("05.5", repeated, "more than the"),
        ("05.5", images_only, "should be a pair (x_batch, y_batch)"),
        ("05.5", lambda x, y, batch_size, seed: [x, y], "not a tf.data.Dataset"),
        ("05.6", step_without_tf_function, "not a tf.function"),
        ("05.6", step_returns_loss_after, "returned the loss after each step"),
        ("05.6", step_all_variables, "changed the model's scale"),
        ("05.6", step_uphill, "it should fall"),
        ("05.6", step_only_first, "every trainable variable should take a step"),
        ("05.6", step_own_optimizer, "the losses returned over"),
        ("05.2", NanLinear, "NaN"),
        ("05.2", SharedLinear, "not on the class"),
        ("05.3", lambda model, path: 1 / 0, "ZeroDivisionError"),
        ("05.1", lambda: None, "expected a class Line"),
    ],
)
def test_plausible_mistakes_get_a_diagnosis(exercise_id, answer, says):
    feedback = evaluate(exercise_id, answer, seed=7)
    assert feedback.status == FAILED
    assert says in feedback.message, feedback.message
    assert feedback.hint


# --------------------------------------------------------------------------- cheats


class CourseLazyDense(LazyDense):
    pass


def _unreadable(source, **names):
    """Code defined from a string: the source check cannot read it, only the disabled shortcuts act."""
    namespace = dict(names)
    exec(source, namespace)
    return namespace["answer"]


HIDDEN_LAYER = """
class answer(Module):
    def __init__(self, units):
        super().__init__()
        self.inner = make(units)

    def __call__(self, x):
        return self.inner(x)
"""
HIDDEN_RESTORE = """
def answer(model, path):
    return restore(model, path)
"""


def hidden_keras_dense():
    import keras

    return _unreadable(HIDDEN_LAYER, Module=tf.Module, make=keras.layers.Dense)


def restore_via_course(model, path):
    return restore_checkpoint(model, path)


def batches_via_course(x, y, batch_size, seed):
    return tf_layers.shuffled_batches(x, y, batch_size, seed)


def step_via_course(model, loss_fn, optimizer):
    return tf_layers.make_train_step(model, loss_fn, optimizer)


def batches_scaling_in_place(x, y, batch_size, seed):
    x /= 2
    return batches(x, y, batch_size, seed)


class InPlaceLine(Line):
    def __call__(self, x):
        if isinstance(x, np.ndarray):
            x *= self.slope
            x += self.intercept
            return x
        return self.slope * x + self.intercept


@pytest.mark.parametrize(
    "exercise_id, answer, says",
    [
        ("05.2", LazyDense, "write it yourself"),
        ("05.2", CourseLazyDense, "write it yourself"),
        ("05.2", _unreadable(HIDDEN_LAYER, Module=tf.Module, make=LazyDense), "course.tf_layers.LazyDense"),
        ("05.2", hidden_keras_dense(), "keras.layers.Dense"),
        ("05.3", restore_checkpoint, "write it yourself"),
        ("05.3", restore_via_course, "write it yourself, and your code uses restore_checkpoint"),
        (
            "05.3",
            _unreadable(HIDDEN_RESTORE, restore=restore_checkpoint),
            "your code uses course.tf_layers.restore_checkpoint",
        ),
        ("05.5", tf_layers.shuffled_batches, "write it yourself"),
        ("05.5", batches_via_course, "your code uses shuffled_batches"),
        ("05.6", tf_layers.make_train_step, "write it yourself"),
        ("05.6", step_via_course, "course.tf_layers.make_train_step"),
        ("05.1", mock.ANY, "expected a class Line"),
        ("05.2", mock.ANY, "expected a class LazyLinear"),
        ("05.3", lambda model, path: mock.ANY, "should return the model"),
        ("05.4", lambda model, x, y, lr: mock.ANY, "should be a number"),
        ("05.5", lambda x, y, batch_size, seed: mock.ANY, "not a tf.data.Dataset"),
        ("05.6", lambda model, loss_fn, optimizer: mock.ANY, "not a tf.function"),
        ("05.1", InPlaceLine, "changes one of its input arrays in place"),
        ("05.5", batches_scaling_in_place, "changes one of its input arrays in place"),
    ],
)
def test_cheats_fail_with_a_useful_message(exercise_id, answer, says):
    feedback = evaluate(exercise_id, answer, seed=5)
    assert feedback.status == FAILED
    assert says in feedback.message, feedback.message


def test_a_hidden_keras_dense_is_off_at_run_time():
    import keras

    feedback = evaluate("05.2", hidden_keras_dense(), seed=1)
    assert feedback.status == FAILED and "keras.layers.Dense" in feedback.message
    assert keras.layers.Dense(2)(np.ones((1, 3), "float32")).shape == (1, 2)  # restored afterwards


def test_a_lookup_table_cannot_pass():
    from course.exercises.registry import draw_cases

    answers = {case["x"].tobytes(): case for case in draw_cases(lookup("05.5"), 0)}

    def table(x, y, batch_size, seed):
        case = answers[x.tobytes()]
        return batches(case["x"], case["y"], case["batch_size"], case["seed"])

    assert evaluate("05.5", table, seed=0).status == PASSED
    feedback = evaluate("05.5", table, seed=99)
    assert feedback.status == FAILED and "KeyError" in feedback.message


def test_sgd_step_sees_fresh_inputs_each_case():
    seen = []

    def spy(model, x, y, learning_rate):
        seen.append(float(tf.reduce_sum(x)))
        return sgd_step(model, x, y, learning_rate)

    evaluate("05.4", spy, seed=0)
    evaluate("05.4", spy, seed=1)
    assert len(set(seen)) == len(seen) == 6


def test_no_tensorflow_import_at_module_level():
    import ast
    from pathlib import Path

    source = Path(course.exercises.checks.nb05_modules_and_graphs.__file__).read_text()
    for node in ast.parse(source).body:
        if isinstance(node, (ast.Import, ast.ImportFrom)):
            names = [alias.name for alias in node.names] + [getattr(node, "module", "") or ""]
            assert not any("tensorflow" in n or "keras" in n or "tf_layers" in n for n in names), names


# --- forged outcomes: written without the cases, they fail on every seed ------------------------

FORGED_FROM = 99  # the seed of the cases that the forged outcomes were made on


@pytest.mark.parametrize("exercise_id", ["05.2", "05.3"])
def test_outcomes_made_on_other_cases_fail(exercise_id):
    outcomes = normalize(probe(exercise_id, RIGHT[exercise_id], seed=FORGED_FROM))
    assert judge(exercise_id, FORGED_FROM, outcomes).status == PASSED  # a right answer's, on its own cases
    for seed in SEEDS:
        assert judge(exercise_id, seed, outcomes).status == FAILED


def test_claimed_counts_and_verdicts_are_not_taken_on_trust():
    """Counts of variables and a flag for "the same model" instead of the raw facts fail."""
    outcomes = normalize(probe("05.2", RIGHT["05.2"], seed=1))
    claimed = [{"ok": {**o["ok"], "before": 0, "trainable": 2}} for o in outcomes]
    assert judge("05.2", 1, claimed).status == FAILED
    outcomes = normalize(probe("05.3", RIGHT["05.3"], seed=1))
    old_style = [
        {"ok": {key: value for key, value in o["ok"].items() if key != "ids"} | {"same_model": True}}
        if "outputs" in o["ok"]
        else {"ok": {"raised": "ValueError", "value_error": True}}
        for o in outcomes
    ]
    assert judge("05.3", 1, old_style).status == FAILED
