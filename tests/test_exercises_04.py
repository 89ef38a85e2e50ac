"""Exercises of 04_gradient_descent (its quizzes: tests/test_quizzes.py): right answers, stubs, mistakes and cheats."""

import re
from unittest import mock

import numpy as np
import pytest

import course.exercises.checks.gradient_descent as checks
from course.autodiff import optim
from course.exercises.framework import FAILED, NOT_ATTEMPTED, PASSED, evaluate, lookup

from .helpers import stub

SEEDS = (0, 1, 2, 12345)


def momentum_step(w, g, velocity, learning_rate, momentum):
    velocity = momentum * velocity - learning_rate * g
    return w + velocity, velocity


def adam_step(w, g, m, v, t, learning_rate):
    m = 0.9 * m + 0.1 * g
    v = 0.999 * v + 0.001 * g * g
    m_hat, v_hat = m / (1 - 0.9**t), v / (1 - 0.999**t)
    return w - learning_rate * m_hat / (np.sqrt(v_hat) + 1e-7), m, v


RIGHT = {"04.1": momentum_step, "04.2": adam_step}


@pytest.mark.parametrize("seed", SEEDS)
@pytest.mark.parametrize("exercise_id", sorted(RIGHT))
def test_right_answer_passes(exercise_id, seed):
    feedback = evaluate(exercise_id, RIGHT[exercise_id], seed=seed)
    assert feedback.status == PASSED, feedback.message


def test_a_tuple_of_lists_order_and_a_list_result_are_fine():
    def as_list(w, g, velocity, learning_rate, momentum):
        return list(momentum_step(w, g, velocity, learning_rate, momentum))

    assert evaluate("04.1", as_list, seed=3).status == PASSED


# --------------------------------------------------------------------------- stubs


@pytest.mark.parametrize("exercise_id", sorted(RIGHT))
@pytest.mark.parametrize("answer", [..., stub], ids=["ellipsis", "raises"])
def test_stub_is_not_attempted_and_gives_no_solution(exercise_id, answer):
    feedback = evaluate(exercise_id, answer, seed=0)
    assert feedback.status == NOT_ATTEMPTED
    for leak in ("momentum * velocity", "learning_rate * g", "0.9 * m", "sqrt", "1 - 0.9", "**t", "w + v"):
        assert leak not in feedback.message


@pytest.mark.parametrize("exercise_id", sorted(RIGHT))
def test_hints_hold_no_solution_code(exercise_id):
    for hint in lookup(exercise_id).hints + (lookup(exercise_id).produce,):
        assert not re.search(r"[a-z_]+\s*[-+*/]=?\s*[a-z_]+\s*\*", hint), hint
        for leak in ("momentum * velocity", "learning_rate * g", "0.9 * m", "np.", "**", " = "):
            assert leak not in hint, (exercise_id, hint)


# --------------------------------------------------------------------------- mistakes


def mom_plus(w, g, velocity, learning_rate, momentum):
    velocity = momentum * velocity + learning_rate * g
    return w + velocity, velocity


def mom_no_memory(w, g, velocity, learning_rate, momentum):
    velocity = -learning_rate * g
    return w + velocity, velocity


def mom_old_velocity(w, g, velocity, learning_rate, momentum):
    return w + velocity, momentum * velocity - learning_rate * g


def mom_sgd(w, g, velocity, learning_rate, momentum):
    return w - learning_rate * g, momentum * velocity - learning_rate * g


def mom_swapped(w, g, velocity, learning_rate, momentum):
    return tuple(reversed(momentum_step(w, g, velocity, learning_rate, momentum)))


def mom_swapped_rates(w, g, velocity, learning_rate, momentum):
    return momentum_step(w, g, velocity, momentum, learning_rate)


def mom_one(w, g, velocity, learning_rate, momentum):
    return momentum_step(w, g, velocity, learning_rate, momentum)[0]


def mom_no_velocity(w, g, velocity, learning_rate, momentum):
    return momentum_step(w, g, velocity, learning_rate, momentum)[0], None


def adam_no_correction(w, g, m, v, t, learning_rate):
    m = 0.9 * m + 0.1 * g
    v = 0.999 * v + 0.001 * g * g
    return w - learning_rate * m / (np.sqrt(v) + 1e-7), m, v


def adam_off_by_one(w, g, m, v, t, learning_rate):
    return adam_step(w, g, m, v, t + 1, learning_rate)


def adam_g_not_squared(w, g, m, v, t, learning_rate):
    m = 0.9 * m + 0.1 * g
    v = 0.999 * v + 0.001 * g
    return w, m, v


def adam_swapped_weights(w, g, m, v, t, learning_rate):
    return w, 0.1 * m + 0.9 * g, v


def adam_uphill(w, g, m, v, t, learning_rate):
    new_w, m, v = adam_step(w, g, m, v, t, learning_rate)
    return 2 * w - new_w, m, v


def adam_old_moments(w, g, m, v, t, learning_rate):
    _, new_m, new_v = adam_step(w, g, m, v, t, learning_rate)
    return w - learning_rate * (m / (1 - 0.9**t)) / (np.sqrt(v / (1 - 0.999**t)) + 1e-7), new_m, new_v


def adam_order(w, g, m, v, t, learning_rate):
    new_w, m, v = adam_step(w, g, m, v, t, learning_rate)
    return m, v, new_w


@pytest.mark.parametrize(
    "exercise_id, answer, says",
    [
        ("04.1", mom_plus, "added the gradient step to the velocity instead of subtracting it"),
        ("04.1", mom_no_memory, "forgot the old velocity"),
        ("04.1", mom_old_velocity, "moved w with the old velocity instead of the new one"),
        ("04.1", mom_sgd, "took a plain gradient-descent step"),
        ("04.1", mom_swapped, "returns the new velocity first"),
        ("04.1", mom_swapped_rates, "swapped the learning rate and the momentum"),
        ("04.1", mom_one, "should return a tuple (new_w, new_velocity)"),
        ("04.1", mom_no_velocity, "new_velocity should be a NumPy array"),
        ("04.1", lambda *args: 1 / 0, "ZeroDivisionError"),
        ("04.1", "momentum_step", "expected a function momentum_step"),
        ("04.2", adam_no_correction, "forgot the bias correction"),
        ("04.2", adam_off_by_one, "used the step count t + 1"),
        ("04.2", adam_g_not_squared, "averaged the gradient instead of its square"),
        ("04.2", adam_swapped_weights, "swapped the two weights of the moving average"),
        ("04.2", adam_uphill, "added the step to w instead of subtracting it"),
        ("04.2", adam_old_moments, "used m and v from before this step's update"),
        ("04.2", adam_order, "another order"),
    ],
)
def test_plausible_mistakes_get_a_diagnosis(exercise_id, answer, says):
    feedback = evaluate(exercise_id, answer, seed=7)
    assert feedback.status == FAILED
    assert says in feedback.message, feedback.message
    assert feedback.hint


def _raises(*args):
    raise RuntimeError("boom")


GARBAGE = [None, 3, "text", _raises, lambda *a: None, lambda *a: (np.nan, np.nan, np.nan), lambda *a: [1, 2]]


@pytest.mark.parametrize("exercise_id", sorted(RIGHT))
@pytest.mark.parametrize("answer", GARBAGE, ids=range(len(GARBAGE)))
def test_garbage_gets_feedback(exercise_id, answer):
    feedback = evaluate(exercise_id, answer, seed=0)
    assert feedback.status == FAILED and feedback.message and feedback.hint


# --------------------------------------------------------------------------- cheats


def mom_in_place(w, g, velocity, learning_rate, momentum):
    velocity *= momentum
    velocity -= learning_rate * g
    return w + velocity, velocity


def mom_updates_g_in_place(w, g, velocity, learning_rate, momentum):
    g *= learning_rate
    velocity = momentum * velocity - g
    return w + velocity, velocity


def mom_zeroes_inputs(w, g, velocity, learning_rate, momentum):
    w.fill(0)
    g.fill(0)
    velocity.fill(0)
    return w, velocity


def adam_in_place(w, g, m, v, t, learning_rate):
    m *= 0.9
    m += 0.1 * g
    return adam_step(w, g, m / 0.9 - g / 9, v, t, learning_rate)


def mom_via_course(w, g, velocity, learning_rate, momentum):
    return optim.momentum_step(w, g, velocity, learning_rate, momentum)


def mom_via_sgd_class(w, g, velocity, learning_rate, momentum):
    from course.autodiff.tensor import Tensor

    weights = Tensor(np.array(w), requires_grad=True)
    weights.grad = np.array(g)
    optimizer = optim.SGD([weights], learning_rate=learning_rate, momentum=momentum)
    optimizer.state = [[np.array(velocity)]]
    optimizer.step()
    return weights.value, optimizer.state[0][0]


def mom_via_keras(w, g, velocity, learning_rate, momentum):
    import keras

    return keras.ops.convert_to_numpy(w), velocity


def adam_via_course(w, g, m, v, t, learning_rate):
    return optim.adam_step(w, g, m, v, t, learning_rate)


FIXED = momentum_step(*(np.ones((2, 2)),) * 3, 0.1, 0.9)


def mom_lookup(w, g, velocity, learning_rate, momentum):
    return FIXED


@pytest.mark.parametrize(
    "exercise_id, answer, says",
    [
        ("04.1", mom_in_place, "changes one of its input arrays in place"),
        ("04.1", mom_updates_g_in_place, "changes one of its input arrays in place"),
        ("04.1", mom_zeroes_inputs, "changes one of its input arrays in place"),
        ("04.2", adam_in_place, "changes one of its input arrays in place"),
        (
            "04.1",
            optim.momentum_step,
            "write it yourself, and your code uses course.autodiff.optim.momentum_step",
        ),
        ("04.1", mom_via_course, "write it yourself, and your code uses optim"),
        ("04.1", mom_via_sgd_class, "write it yourself, and your code uses optim"),
        ("04.1", mom_via_keras, "write it yourself, and your code uses keras"),
        ("04.2", optim.adam_step, "write it yourself, and your code uses course.autodiff.optim.adam_step"),
        ("04.2", adam_via_course, "write it yourself, and your code uses optim"),
        ("04.1", mock.ANY, "expected a function"),
        ("04.1", lambda *args: mock.ANY, "should return a tuple"),
        ("04.2", lambda *args: (mock.ANY, mock.ANY, mock.ANY), "should be a NumPy array"),
        ("04.1", mom_lookup, "should have shape"),
    ],
)
def test_cheats_fail_with_a_useful_message(exercise_id, answer, says):
    feedback = evaluate(exercise_id, answer, seed=5)
    assert feedback.status == FAILED
    assert says in feedback.message, feedback.message


def _unreadable(source, **names):
    """A function defined from a string: the source check cannot read it, only the disabled shortcuts act."""
    namespace = dict(names)
    exec(source, namespace)
    return namespace["answer"]


HIDDEN_SGD = """
def answer(w, g, velocity, learning_rate, momentum):
    weights = Tensor(np.array(w), requires_grad=True)
    weights.grad = np.array(g)
    optimizer = SGD([weights], learning_rate=learning_rate, momentum=momentum)
    optimizer.state = [[np.array(velocity)]]
    optimizer.step()
    return weights.value, optimizer.state[0][0]
"""
HIDDEN_ADAM = """
def answer(w, g, m, v, t, learning_rate):
    return step(w, g, m, v, t, learning_rate)
"""


def test_the_course_optimizers_are_off_at_run_time_too():
    from course.autodiff.tensor import Tensor

    sgd = _unreadable(HIDDEN_SGD, Tensor=Tensor, SGD=optim.SGD, np=np)
    feedback = evaluate("04.1", sgd, seed=2)
    assert feedback.status == FAILED and "course.autodiff.optim.momentum_step" in feedback.message
    adam = _unreadable(HIDDEN_ADAM, step=optim.adam_step)
    feedback = evaluate("04.2", adam, seed=2)
    assert feedback.status == FAILED and "course.autodiff.optim.adam_step" in feedback.message
    # restored afterwards
    assert np.allclose(optim.momentum_step(np.ones(2), np.ones(2), np.ones(2), 0.1, 0.9)[1], 0.8)


def test_a_lookup_table_cannot_pass_every_seed():
    cases = {}
    for seed in (0, 1):
        from course.exercises.framework import draw_cases

        for case in draw_cases(lookup("04.1"), seed):
            cases[case["w"].tobytes()] = momentum_step(
                case["w"], case["g"], case["velocity"], case["learning_rate"], case["momentum"]
            )

    def table(w, g, velocity, learning_rate, momentum):
        return cases[np.asarray(w).tobytes()]

    assert evaluate("04.1", table, seed=0).status == PASSED
    assert evaluate("04.1", table, seed=99).status == FAILED


def test_cases_vary_with_the_seed():
    first = checks._momentum_cases(np.random.default_rng(0))
    second = checks._momentum_cases(np.random.default_rng(1))
    assert not np.allclose(first[0]["w"].ravel()[:2], second[0]["w"].ravel()[:2])
    assert {case["t"] for case in checks._adam_cases(np.random.default_rng(0))} >= {1}
