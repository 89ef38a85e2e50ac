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

from .answers.nb05_modules_and_graphs import (  # noqa: E402
    HalfStubLine,
    LazyLinear,
    Line,
    StubLine,
    StubLinear,
    batches,
    make_train_step,
    restore_model,
    sgd_step,
)
from .helpers import stub  # noqa: E402

SEEDS = (0, 1, 2, 4242)

RIGHT = {  # the reference answers (every answer, right and wrong: tests/answers/nb05_modules_and_graphs.py)
    "05.1": Line,
    "05.2": LazyLinear,
    "05.3": restore_model,
    "05.4": sgd_step,
    "05.5": batches,
    "05.6": make_train_step,
}


# --------------------------------------------------------------------------- stubs


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
        return batches(case["x"], case["y"], case["batch_size"], seed)

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
        for o in outcomes
    ]
    assert judge("05.3", 1, old_style).status == FAILED
    verdicts = [
        {
            "ok": o["ok"]
            | {"misfits": [{"raised": "ValueError", "value_error": True}] * len(o["ok"]["misfits"])}
        }
        for o in outcomes
    ]
    assert judge("05.3", 1, verdicts).status == FAILED
