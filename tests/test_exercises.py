import json

import numpy as np
import pytest
from hypothesis import given
from hypothesis import settings as hsettings
from hypothesis import strategies as st

from course.exercises import framework as exercises
from course.exercises.framework import (
    FAILED,
    NOT_ATTEMPTED,
    PASSED,
    CheckFailed,
    UnknownExercise,
    check,
    evaluate,
)


def right(c):
    return c * 9 / 5 + 32


def stub(c):
    raise NotImplementedError


def crashes(c):
    raise ZeroDivisionError("oops")


def test_correct_function_passes():
    assert evaluate("00.1", right).status == PASSED
    assert evaluate("00.2", [n * n for n in range(10)]).status == PASSED


@pytest.mark.parametrize("answer", [..., stub, [..., 1]])
def test_stub_is_not_attempted(answer):
    exercise_id = "00.1" if answer is not ... else "00.2"
    feedback = evaluate(exercise_id, answer)
    assert feedback.status == NOT_ATTEMPTED
    assert "not attempted" in str(feedback).lower()


@pytest.mark.parametrize(
    "answer, says",
    [
        (lambda c: c * 9 / 5 + 23, "expected"),
        (crashes, "ZeroDivisionError: oops"),
        (None, "should be a function"),
        ("text", "should be a function"),
        (lambda c: None, "should be a number, got None"),
        (lambda c: float("nan"), "NaN"),
        (lambda c: np.zeros(3), "shape"),
        (lambda: 1, "TypeError"),
    ],
)
def test_wrong_or_garbage_gets_feedback_not_a_traceback(answer, says):
    feedback = evaluate("00.1", answer)
    assert feedback.status == FAILED
    assert says in feedback.message
    assert feedback.hint


@pytest.mark.parametrize(
    "answer", [None, 3, "squares", list(range(10)), [0, 1, 4], {"a": 1}, np.arange(10) ** 2]
)
def test_wrong_values_for_a_value_exercise(answer):
    feedback = evaluate("00.2", answer)
    assert feedback.status == FAILED
    assert feedback.message


@hsettings(max_examples=60, deadline=None)
@given(st.one_of(st.none(), st.integers(), st.floats(), st.text(), st.lists(st.integers()), st.binary()))
def test_no_answer_ever_raises(answer):
    for exercise_id in ("00.1", "00.2"):
        assert evaluate(exercise_id, answer).status in (FAILED, NOT_ATTEMPTED)


def test_unknown_id_lists_known_ids():
    with pytest.raises(UnknownExercise, match="known exercises: .*00.1.*00.2"):
        evaluate("99.9", 1)
    with pytest.raises(TypeError, match="exercise_id must be a string, got int 1"):
        evaluate(1, 1)


def test_strict_mode_raises_only_on_failure(monkeypatch, capsys):
    monkeypatch.setenv("COURSE_STRICT", "1")
    with pytest.raises(CheckFailed, match="00.1"):
        check("00.1", crashes)
    check("00.1", stub)  # not attempted: no raise
    check("00.1", right)
    monkeypatch.setenv("COURSE_STRICT", "0")
    check("00.1", crashes)
    assert "[not yet]" in capsys.readouterr().out


def test_results_are_recorded_for_the_grader(monkeypatch, tmp_path, capsys):
    target = tmp_path / "results.jsonl"
    monkeypatch.setenv("COURSE_STRICT", "0")
    monkeypatch.setenv(exercises.RESULTS_FILE_VARIABLE, str(target))
    check("00.2", ...)
    check("00.2", [n * n for n in range(10)])
    lines = [json.loads(line) for line in target.read_text().splitlines()]
    assert [(r["exercise"], r["status"]) for r in lines] == [("00.2", NOT_ATTEMPTED), ("00.2", PASSED)]
    assert exercises.results()["00.2"].status == PASSED


def test_feedback_renders_as_html_and_text():
    feedback = evaluate("00.1", lambda c: "<b>")
    assert "&lt;b&gt;" in feedback._repr_html_() or "Not yet" in feedback._repr_html_()
    assert "<script" not in feedback._repr_html_()
    assert str(feedback).startswith("[not yet] Exercise 00.1")


def test_registering_twice_is_refused():
    with pytest.raises(ValueError, match="registered twice"):
        exercises.exercise("00.1", "dup", expects="x")(lambda a: None)


def test_describe_names_shapes():
    assert exercises.describe(np.zeros((2, 3), np.float32)) == "a ndarray of shape (2, 3) and dtype float32"
    assert exercises.describe(None) == "None"
    assert "length 2" in exercises.describe([1, 2])


def test_suite_flags_notebook_checks_with_the_wrong_verdict(tmp_path):
    from conftest import ROOT, check_verdicts

    results = tmp_path / "results.jsonl"
    lines = [
        {"exercise": "00.1", "status": "passed", "message": "ok", "folder": str(ROOT / "solutions")},
        {"exercise": "00.2", "status": "not attempted", "message": "stub", "folder": str(ROOT / "solutions")},
        {"exercise": "00.1", "status": "not attempted", "message": "stub", "folder": str(ROOT / "notebooks")},
        {"exercise": "00.2", "status": "passed", "message": "left in", "folder": str(ROOT / "notebooks")},
        {"exercise": "00.2", "status": "failed", "message": "elsewhere", "folder": str(tmp_path)},
    ]
    results.write_text("".join(json.dumps(line) + "\n" for line in lines))
    assert check_verdicts(results) == [
        "solutions: exercise 00.2 is 'not attempted', expected 'passed': stub",
        "notebooks: exercise 00.2 is 'passed', expected 'not attempted': left in",
    ]
    assert check_verdicts(tmp_path / "missing.jsonl") == []


def test_expect_tuple_names_the_parts():
    from course.exercises.framework import Wrong, expect_tuple

    assert expect_tuple((1, 2), ("w", "v"), "step") == (1, 2)
    with pytest.raises(Wrong, match=r"step should return a tuple \(w, v\), got a tuple of length 3"):
        expect_tuple((1, 2, 3), ("w", "v"), "step")
    with pytest.raises(Wrong, match=r"got None"):
        expect_tuple(None, ("w", "v"), "step")


def test_feedback_and_describe_refuse_or_survive_bad_values():
    from course.exercises.framework import Feedback, describe, record

    with pytest.raises(ValueError, match="status must be one of"):
        Feedback("00.1", "great", "message")
    with pytest.raises(TypeError, match="message must be a string"):
        Feedback("00.1", PASSED, None)
    with pytest.raises(TypeError, match="feedback must be a Feedback, got str"):
        record("passed")

    class Hostile:
        def __getattr__(self, name):
            raise RuntimeError(name)

    assert describe(Hostile()) == "a Hostile"
