"""The exercise framework: verdicts, the two halves, protections, hints, progress, ids.

Each notebook's own table of right, wrong and cheating answers is in
``tests/test_exercises_NN.py``; the garbage table here runs against every exercise.
"""

import base64
import dataclasses
import io
import json
import os
import subprocess
import sys
import time
from unittest import mock

import numpy as np
import pytest
from hypothesis import given
from hypothesis import settings as hsettings
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

from course.exercises import (
    FAILED,
    NOT_ATTEMPTED,
    PASSED,
    check,
    core,
    current_id,
    evaluate,
    hints,
    judge,
    known_ids,
    limits,
    plain,
    probe,
    probing,
    progress,
    registry,
    shortcuts,
    sources,
)
from course.exercises.core import CheckFailed, UnknownExercise

from .helpers import ROOT


def right(c):
    return c * 9 / 5 + 32


def stub(c):
    raise NotImplementedError


def test_right_answer_passes_on_fresh_inputs_each_time():
    assert {evaluate("00.1", right, seed=seed).status for seed in range(5)} == {PASSED}
    assert evaluate("00.1", right).status == PASSED  # a fresh seed
    cases = [registry.draw_cases(registry.lookup("00.1"), seed) for seed in (1, 2)]
    assert cases[0] != cases[1]


@pytest.mark.parametrize("answer", [..., stub])
def test_stub_says_what_to_produce(answer):
    feedback = evaluate("00.1", answer)
    assert feedback.status == NOT_ATTEMPTED
    assert "celsius_to_fahrenheit(c)" in feedback.message
    assert "9" not in feedback.message and "32" not in feedback.message


def test_hints_climb_one_rung_per_failed_attempt():
    ladder = hints("00.1")
    assert len(ladder) == 3
    shown = [evaluate("00.1", lambda c: c, attempt=n, seed=1).hint for n in (1, 2, 3, 4)]
    assert shown == [ladder[0], ladder[1], ladder[2], ladder[2]]


def test_check_keeps_failures_and_climbs_the_ladder(monkeypatch, progress_file, capsys):
    monkeypatch.setenv("COURSE_STRICT", "0")
    for _ in range(2):
        check("00.1", lambda c: c)
    out = capsys.readouterr().out
    assert hints("00.1")[0] in out and hints("00.1")[1] in out
    stored = json.loads(progress_file.read_text())
    assert stored["00.1"]["status"] == FAILED and stored["00.1"]["failures"] == 2
    check("00.1", right)
    assert json.loads(progress_file.read_text())["00.1"]["failures"] == 0


def test_strict_mode_raises_only_on_failure(monkeypatch):
    monkeypatch.setenv("COURSE_STRICT", "1")
    with pytest.raises(CheckFailed, match="00.1"):
        check("00.1", lambda c: c)
    check("00.1", stub)
    check("00.1", right)


def test_unknown_ids_and_bad_arguments():
    with pytest.raises(UnknownExercise, match="known exercises: .*00.1.*00.2"):
        evaluate("99.9", 1)
    with pytest.raises(TypeError, match="exercise_id must be a string, got int 1"):
        evaluate(1, 1)
    with pytest.raises(ValueError, match="attempt must be"):
        evaluate("00.1", right, attempt=0)
    with pytest.raises(ValueError, match="registered twice"):
        registry.exercise(
            **{f.name: getattr(registry.lookup("00.1"), f.name) for f in dataclasses.fields(core.Exercise)}
        )


def test_ids_are_in_order_and_renames_map_old_notebooks():
    ids = known_ids()
    assert ids == sorted(ids, key=core.order)
    assert current_id("07.1", scheme=core.ID_SCHEME) == "07.1"
    with pytest.raises(ValueError, match="newer than this course"):
        current_id("07.1", scheme=core.ID_SCHEME + 1)
    for scheme, renames in core.RENAMES.items():
        for old in renames:
            assert current_id(old, scheme) in [*ids, None], (scheme, old)


def test_renames_follow_an_id_through_every_scheme(monkeypatch):
    monkeypatch.setattr(core, "ID_SCHEME", 3)
    monkeypatch.setattr(
        core, "RENAMES", {1: {"07.1": "07.2", "07.2": "07.1"}, 2: {"07.2": "07.5", "07.1": None}}
    )
    assert current_id("07.1", scheme=1) == "07.5" and current_id("07.2", scheme=1) is None
    assert current_id("07.2", scheme=2) == "07.5" and current_id("03.1", scheme=1) == "03.1"


# ---------------------------------------------------------------------------
# The two halves: probe output is plain data that survives JSON text
# ---------------------------------------------------------------------------


def test_probe_and_judge_apart_give_the_verdict_of_evaluate():
    for answer, status in [(right, PASSED), (lambda c: c + 32, FAILED), (stub, NOT_ATTEMPTED)]:
        outcomes = probe("00.1", answer, seed=7)
        verdict = judge("00.1", 7, plain.loads(plain.dumps(outcomes)))
        assert verdict.status == status
        assert verdict == evaluate("00.1", answer, seed=7)


def test_judge_never_trusts_a_forged_outcome():
    assert judge("00.1", 3, [{"ok": {"type": "float", "value": 1.0}}] * 6).status == FAILED
    assert judge("00.1", 3, [{"ok": {"type": "float", "value": 1.0}}]).status == FAILED  # too few cases
    for forged in ([], "passed", [{"status": "passed"}], None, [{"ok": "passed"}] * 6):
        assert judge("00.1", 3, forged).status == FAILED


plain_values = st.recursive(
    st.none()
    | st.booleans()
    | st.integers(-(2**60), 2**60)
    | st.floats(allow_nan=False)
    | st.text(max_size=10)
    | hnp.arrays(st.sampled_from(["f8", "i4", "bool", "f4"]), hnp.array_shapes(max_dims=3, max_side=3)),
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=5), inner, max_size=3),
    max_leaves=8,
)


def _same(a, b):
    if isinstance(a, np.ndarray):
        return isinstance(b, np.ndarray) and a.dtype == b.dtype and np.array_equal(a, b, equal_nan=True)
    if isinstance(a, list):
        return isinstance(b, list) and len(a) == len(b) and all(map(_same, a, b))
    if isinstance(a, dict):
        return isinstance(b, dict) and a.keys() == b.keys() and all(_same(a[k], b[k]) for k in a)
    return type(a) is type(b) and a == b


@hsettings(max_examples=40, deadline=None)
@given(plain_values)
def test_plain_data_round_trips_through_text(value):
    assert _same(plain.loads(plain.dumps(value)), plain.normalize(value))


def npy_text(array):
    """An array as plain.dumps encodes one, pickled objects allowed (what an attacker could send)."""
    buffer = io.BytesIO()
    np.save(buffer, array, allow_pickle=True)
    return json.dumps({"__npy__": base64.b64encode(buffer.getvalue()).decode()})


def test_plain_data_refuses_what_it_cannot_hold():
    for value in (object(), np.array([object()]), {1: 2}, [lambda: 1], np.array([1j])):
        with pytest.raises(plain.NotPlain):
            plain.normalize(value)
    for text, says in [
        (npy_text(np.array([object()])), "allow_pickle"),
        (npy_text(np.array([1j])), "real arrays"),
        ('{"__npy__": "not base64!"}', "base64"),
        ("{not json", "not plain data"),
        ('{"__float__": "nan", "x": 1}', "reserved"),
    ]:
        with pytest.raises(ValueError, match=says):
            plain.loads(text)
    with pytest.raises(TypeError, match="text must be a string"):
        plain.loads(b"[]")


# ---------------------------------------------------------------------------
# Running learner code: read-only inputs, time limit, shortcuts
# ---------------------------------------------------------------------------


def test_inputs_reach_the_learner_read_only_and_the_original_stays_pristine():
    case = {"w": np.ones(3), "nested": [np.zeros(2)]}
    guarded = probing.protect(case)
    with pytest.raises(ValueError, match="read-only"):
        guarded["w"][0] = 5
    with pytest.raises(ValueError, match="read-only"):
        guarded["nested"][0].fill(1)
    assert case["w"].flags.writeable and np.all(case["w"] == 1)


def test_time_limit_stops_an_endless_loop_and_keeps_an_outer_alarm():
    def endless():
        while True:
            pass

    start = time.monotonic()
    with pytest.raises(limits.TimeLimitExceeded):
        limits.call_with_time_limit(endless, 0.3)
    assert time.monotonic() - start < 2
    assert limits.call_with_time_limit(lambda: 4, 0.3) == 4


def test_an_answer_that_switches_the_alarm_off_is_told_so():
    import signal

    def quiet(c):
        signal.signal(signal.SIGALRM, signal.SIG_IGN)
        return c * 9 / 5 + 32

    def stopped(c):
        signal.setitimer(signal.ITIMER_REAL, 0)
        return c * 9 / 5 + 32

    for answer in (quiet, stopped):
        feedback = evaluate("00.1", answer, seed=3)
        assert feedback.status == FAILED and "switched off the check's time limit" in feedback.message
    assert signal.getsignal(signal.SIGALRM) in (signal.SIG_DFL, None, signal.default_int_handler)
    assert signal.getitimer(signal.ITIMER_REAL) == (0.0, 0.0)
    assert evaluate("00.1", right, seed=3).status == PASSED  # the alarm works again


def test_a_check_imports_only_its_own_notebooks_modules():
    code = """
import math, sys, course
course.check("03.1", lambda x: 2 * x * math.sin(x) + x * x * math.cos(x))
print(sorted(m for m in sys.modules if m.startswith(("course.exercises.checks.", "course.exercises.judging."))))
"""
    done = subprocess.run(
        [sys.executable, "-c", code],
        capture_output=True,
        text=True,
        timeout=120,
        env={**os.environ, "COURSE_STRICT": "0", "COURSE_WORKDIR": "/nonexistent-dir/x"},
    )
    assert done.stdout.strip().splitlines()[-1] == str(
        [
            "course.exercises.checks.nb03_autodiff",
            "course.exercises.judging.expect",
            "course.exercises.judging.nb03_autodiff",
        ]
    ), done.stdout + done.stderr


def test_time_limit_in_a_worker_thread_when_there_is_no_alarm(monkeypatch):
    monkeypatch.setattr(limits, "_alarm_usable", lambda: False)

    def endless():
        while True:
            pass

    with pytest.raises(limits.TimeLimitExceeded):
        limits.call_with_time_limit(endless, 0.3)
    assert limits.call_with_time_limit(lambda: 5, 1) == 5
    with pytest.raises(ZeroDivisionError):
        limits.call_with_time_limit(lambda: 1 / 0, 1)


def test_shortcut_disables_a_function_even_when_imported_earlier():
    from course.tensor_ops import naive_relu

    before = naive_relu(np.array([-1.0, 2.0]))
    shortcut = shortcuts.Shortcut("course.tensor_ops:naive_relu")
    with shortcuts.disabled([shortcut]):
        with pytest.raises(shortcuts.ShortcutUsed, match="course.tensor_ops.naive_relu"):
            naive_relu(np.array([1.0]))
    assert np.array_equal(naive_relu(np.array([-1.0, 2.0])), before)


def test_shortcut_disables_a_class_and_a_builtin():
    import course.exercises.plain as target

    class Layer:
        def __init__(self, n):
            self.n = n

    with mock.patch.object(target, "Layer", Layer, create=True):
        with shortcuts.disabled([shortcuts.Shortcut("course.exercises.plain:Layer", "Layer")]):
            with pytest.raises(shortcuts.ShortcutUsed, match="Layer"):
                Layer(3)
        assert Layer(3).n == 3
    with shortcuts.disabled([shortcuts.Shortcut("numpy:dot")]):
        with pytest.raises(shortcuts.ShortcutUsed, match="numpy.dot"):
            np.dot([1], [2])
    assert np.dot([1], [2]) == 2


def test_shortcut_on_a_library_attribute_path_only_when_loaded():
    nested = shortcuts.Shortcut("course.exercises.plain:np.linalg.norm", only_if_loaded=True)
    absent = shortcuts.Shortcut("a_module_nobody_imported:f", only_if_loaded=True)
    missing = shortcuts.Shortcut("numpy:no_such_function", only_if_loaded=True)
    with shortcuts.disabled([nested, absent, missing]):
        with pytest.raises(shortcuts.ShortcutUsed, match="course.exercises.plain.np.linalg.norm"):
            np.linalg.norm([3.0, 4.0])
    assert np.linalg.norm([3.0, 4.0]) == 5.0
    assert absent.resolve() == (None, None, None) and "a_module_nobody_imported" not in sys.modules
    with pytest.raises(AttributeError):
        shortcuts.Shortcut("numpy:no_such_function").resolve()


SOURCE_EXAMPLES = """
import functools
import operator

import numpy as np
import tensorflow as tf


@functools.cache
def uses_matmul(a, b):
    return a @ b


def loops(a, b):
    return [[sum(x * y for x, y in zip(row, col)) for col in zip(*b)] for row in a]


def own_variable_named_dot(a, b):
    dot = 0.0
    for x, y in zip(a, b):
        dot += x * y
    return dot


def own_attribute_named_dot(a, b):
    box = types.SimpleNamespace()
    box.dot = sum(x * y for x, y in zip(a, b))
    return box.dot


def numpy_dot(a, b):
    return np.dot(a, b)


def method_dot(a, b):
    return a.dot(b)


def imported_dot(a, b):
    from numpy import dot

    return dot(a, b)


def getattr_dot(a, b):
    return getattr(np, "dot")(a, b)


def operator_matmul(a, b):
    return functools.reduce(operator.matmul, [a, b])


def partial_dot(a, b):
    return functools.partial(np.dot, a)(b)


def raw_matmul(a, b):
    return tf.raw_ops.MatMul(a=a, b=b)


def through_a_helper(a, b):
    return numpy_dot(a, b)


def transposed(x):
    return x.T
"""
FORBIDDEN = ("dot", "matmul", "T")
SOURCE_USES = {
    "uses_matmul": "@",
    "loops": None,
    "own_variable_named_dot": None,
    "own_attribute_named_dot": None,
    "numpy_dot": "dot",
    "method_dot": "dot",
    "imported_dot": "dot",
    "getattr_dot": "dot",
    "operator_matmul": "matmul",
    "partial_dot": "dot",
    "raw_matmul": "MatMul",
    "through_a_helper": "dot",
    "transposed": "T",
}


@pytest.mark.parametrize("name, used", sorted(SOURCE_USES.items()))
def test_the_source_check_reads_calls_not_names(name, used, tmp_path):
    path = tmp_path / "answers.py"
    path.write_text(SOURCE_EXAMPLES)
    namespace = {"__name__": "answers", "types": __import__("types")}
    exec(compile(SOURCE_EXAMPLES, str(path), "exec"), namespace)
    assert sources.source_uses(namespace[name], FORBIDDEN, ("@",)) == used
    assert sources.source_uses(len, ("dot",), ("@",)) is None  # no source: not inspected
    assert sources.source_uses(namespace["loops"], ("tf",), ()) is None
    assert sources.source_uses(namespace["raw_matmul"], ("tf",), ()) == "tf"


def test_keyboard_interrupt_goes_through():
    def interrupted(c):
        raise KeyboardInterrupt

    with pytest.raises(KeyboardInterrupt):
        evaluate("00.1", interrupted)


# ---------------------------------------------------------------------------
# Garbage: every exercise, never "passed", never a traceback, always in time
# ---------------------------------------------------------------------------


class Hostile:
    """An object whose every attribute, comparison and conversion raises."""

    def __getattribute__(self, name):
        raise RuntimeError(f"no {name}")

    def __eq__(self, other):
        raise RuntimeError("no ==")

    def __array__(self, *args, **kwargs):
        raise RuntimeError("no array")

    def __repr__(self):
        raise RuntimeError("no repr")

    def __len__(self):
        raise RuntimeError("no len")

    __hash__ = object.__hash__


class BadShape:
    @property
    def shape(self):
        raise RuntimeError("no shape")

    def __call__(self, *args, **kwargs):
        return self


def endless(*args, **kwargs):
    while True:
        pass


def exits(*args, **kwargs):
    raise SystemExit(0)


def raises(*args, **kwargs):
    raise RuntimeError("boom")


def _huge(*args, **kwargs):
    return np.zeros(3_000_000)


GARBAGE = {
    "None": None,
    "zero": 0,
    "empty string": "",
    "nan": float("nan"),
    "huge array": np.zeros(3_000_000),
    "hostile object": Hostile(),
    "bad shape": BadShape(),
    "generator": (n for n in range(3)),
    "mock.ANY": mock.ANY,
    "raising function": raises,
    "endless loop": endless,
    "SystemExit": exits,
    "returns None": lambda *a, **k: None,
    "returns nan": lambda *a, **k: float("nan"),
    "returns mock.ANY": lambda *a, **k: mock.ANY,
    "returns a hostile object": lambda *a, **k: Hostile(),
    "returns a generator": lambda *a, **k: (n for n in range(3)),
    "returns a huge array": _huge,
    "a class": type("Garbage", (), {}),
}
SHORT_LIMIT = 0.2  # long enough for a check to answer, short for the endless loop that each one meets


@pytest.fixture
def short_time_limits(monkeypatch):
    from course.runtime.quiet import import_tensorflow

    import_tensorflow()  # imported once here, so that the time measured is the check's own
    registry.known_ids()
    for exercise_id, item in list(registry._REGISTRY.items()):
        monkeypatch.setitem(
            registry._REGISTRY, exercise_id, dataclasses.replace(item, time_limit=SHORT_LIMIT)
        )


@pytest.mark.parametrize("exercise_id", known_ids())
def test_garbage_never_passes_and_always_answers_in_time(exercise_id, short_time_limits):
    for name, answer in GARBAGE.items():
        start = time.monotonic()
        feedback = evaluate(exercise_id, answer, seed=11)
        took = time.monotonic() - start
        assert feedback.status in (FAILED, NOT_ATTEMPTED), (name, feedback)
        assert feedback.message, name
        assert took < SHORT_LIMIT + 5, (name, took)


# ---------------------------------------------------------------------------
# Feedback never gives the answer away
# ---------------------------------------------------------------------------


def _solution_lines():
    """Every line of solution code in solutions/ (between BEGIN and END SOLUTION)."""
    import nbformat

    lines = set()
    for path in sorted((ROOT / "solutions").glob("*.ipynb")):
        for cell in nbformat.read(path, as_version=4).cells:
            inside = False
            for line in cell.source.splitlines():
                stripped = line.strip()
                if stripped == "# BEGIN SOLUTION":
                    inside = True
                elif stripped == "# END SOLUTION":
                    inside = False
                elif inside and len(stripped) >= 12 and not stripped.startswith("#"):
                    lines.add(stripped)
    return lines


def test_no_stub_message_or_hint_contains_solution_code():
    solution = _solution_lines()
    assert len(solution) > 30
    for exercise_id in known_ids():
        texts = [
            evaluate(exercise_id, ...).message,
            *hints(exercise_id),
            registry.lookup(exercise_id).produce,
        ]
        for text in texts:
            leaked = [line for line in solution if line in text]
            assert not leaked, (exercise_id, leaked)


def test_the_leak_test_can_fail():
    solution = _solution_lines()
    assert any(line in "return c * 9 / 5 + 32" for line in solution)


# ---------------------------------------------------------------------------
# Progress survives a kernel restart
# ---------------------------------------------------------------------------


def _in_a_new_process(code, workdir):
    env = {"COURSE_WORKDIR": str(workdir), "COURSE_STRICT": "0", "PATH": "/usr/bin:/bin"}
    done = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, env=env, cwd=ROOT, timeout=120
    )
    assert done.returncode == 0, done.stderr
    return done.stdout


def test_progress_survives_a_restart(tmp_path):
    _in_a_new_process(
        "import course; course.check('00.1', lambda c: c * 9 / 5 + 32); course.check('00.2', [1])", tmp_path
    )
    shown = _in_a_new_process("import course; print(course.progress('00'))", tmp_path)
    assert "00.1 ✓" in shown and "00.2 ✗" in shown and "00.q1 ·" in shown
    assert "01_tensors" not in shown
    everything = _in_a_new_process("import course; print(course.progress())", tmp_path)
    assert "08_saving_loading" in everything


def test_a_pass_under_an_older_revision_of_the_check_is_to_be_rechecked(progress_file, monkeypatch):
    check("00.1", right)
    check("00.2", [n * n for n in range(10)])
    entries = json.loads(progress_file.read_text())
    assert entries["00.1"]["revision"] == registry.lookup("00.1").revision
    del entries["00.2"]["revision"]  # stored before revisions were kept: revision 1
    progress_file.write_text(json.dumps(entries))
    assert "00.1 ✓" in str(progress("00")) and "00.2 ✓" in str(progress("00"))
    stricter = dataclasses.replace(registry.lookup("00.1"), revision=registry.lookup("00.1").revision + 1)
    monkeypatch.setitem(registry._REGISTRY, "00.1", stricter)
    shown = progress("00")
    assert "00.1 ↻" in str(shown) and "00.2 ✓" in str(shown) and "re-check" in str(shown)
    assert "↻" in shown._repr_html_()
    check("00.1", right)  # run again: passed under today's check
    assert "00.1 ✓" in str(progress("00"))


def test_a_damaged_progress_file_is_set_aside_not_deleted(progress_file, capsys):
    progress_file.parent.mkdir(parents=True, exist_ok=True)
    progress_file.write_text("{damaged")
    assert "00.1 ·" in str(progress("00"))
    assert "could not be read" in capsys.readouterr().out
    kept = list(progress_file.parent.glob("progress.json.unreadable-*"))
    assert len(kept) == 1 and kept[0].read_text() == "{damaged"


def test_progress_refuses_an_unknown_notebook():
    with pytest.raises(ValueError, match="notebook must be one of 00, 01"):
        progress("42")
    with pytest.raises(TypeError, match="notebook must be a string"):
        progress(3)
