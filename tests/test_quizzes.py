import html
import json

import nbformat
import pytest

from course.exercises import FAILED, NOT_ATTEMPTED, PASSED, known_quiz_ids, quiz
from course.exercises.framework import UnknownExercise
from course.exercises.quizzes import NO_SHAPE, MultipleChoice, PredictShape, parse_shape, question

from .helpers import ROOT


@pytest.fixture
def choice():
    return MultipleChoice("t.q1", "Pick b", options=["a", "b", "c"], answer="b", explanation="b is right.")


def test_multiple_choice_logic(choice):
    assert choice.judge("b").status == PASSED
    assert "b is right" in choice.judge("b").message
    assert choice.judge("a").status == FAILED
    assert choice.judge(None).status == NOT_ATTEMPTED
    assert choice.judge("zzz").status == FAILED


def test_multiple_choice_widget_click(choice, progress_file):
    box = choice.widget()
    box.answer.value = "c"
    box.button.click()
    assert "Not yet" in box.result.value
    box.answer.value = "b"
    box.button.click()
    assert "Passed" in box.result.value
    assert json.loads(progress_file.read_text())["t.q1"]["status"] == PASSED


def test_bad_quiz_definitions_are_refused():
    with pytest.raises(ValueError, match="not one of the options"):
        MultipleChoice("x", "q", ["a", "b"], "c")
    with pytest.raises(ValueError, match="two distinct options"):
        MultipleChoice("x", "q", ["a", "a"], "a")
    with pytest.raises(ValueError, match="quiz_id must not be empty"):
        PredictShape("", "q", (1,))
    with pytest.raises(TypeError, match="quiz_id must be a string, got int 3"):
        PredictShape(3, "q", (1,))
    with pytest.raises(TypeError, match="options must be a list of strings"):
        MultipleChoice("x", "q", "ab", "a")
    with pytest.raises(TypeError, match="shape must be a tuple of whole numbers"):
        PredictShape("x", "q", "(1, 2)")


@pytest.mark.parametrize(
    "text, shape",
    [("(2, 3)", (2, 3)), ("2,3", (2, 3)), ("(4,)", (4,)), ("4", (4,)), ("()", ()), (" Error ", NO_SHAPE)],
)
def test_parse_shape(text, shape):
    assert parse_shape(text) == shape


@pytest.mark.parametrize("text", ["(2, -1)", "two", "(2.5, 3)", "[", ""])
def test_parse_shape_garbage(text):
    with pytest.raises(ValueError):
        parse_shape(text)


def test_predict_shape_widget():
    quiz = PredictShape("t.q2", "shape?", (3, 4))
    box = quiz.widget()
    for typed, says in [
        ("", "Not attempted"),
        ("(4, 3)", "Not yet"),
        ("banana", "could not read"),
        ("(3,4)", "Passed"),
    ]:
        box.answer.value = typed
        box.button.click()
        assert says in box.result.value
    error_quiz = PredictShape("t.q3", "shape?", NO_SHAPE)
    assert error_quiz.judge("error").status == PASSED
    assert "raises an error" in error_quiz.judge("(2, 2)").message


def _notebook_code(folder):
    for path in sorted((ROOT / folder).glob("*.ipynb")):
        for cell in nbformat.read(path, as_version=4).cells:
            yield path.name, cell


def test_notebooks_show_quizzes_by_id_and_hold_no_answer():
    shown = []
    for folder in ("solutions", "notebooks"):
        for name, cell in _notebook_code(folder):
            for banned in ("MultipleChoice(", "PredictShape(", "explanation=", "answer="):
                assert banned not in cell.source, (folder, name, banned)
            for quiz_id in known_quiz_ids():
                item = question(quiz_id)
                assert item.explanation not in cell.source, (folder, name, quiz_id)
            if folder == "solutions":
                shown += [
                    line.strip() for line in cell.source.splitlines() if line.strip().startswith("quiz(")
                ]
    assert sorted(shown) == sorted(f'quiz("{quiz_id}")' for quiz_id in known_quiz_ids())


def test_quiz_by_id_shows_the_question_and_keeps_the_explanation_for_a_right_answer():
    item = quiz("00.q1")
    box = item.widget()
    assert "00.q1" in box.children[0].value and "course-quiz" in box._dom_classes
    assert item.explanation not in str(box.children[0].value)
    box.answer.value = item.options[0]
    box.button.click()
    assert "Not yet" in box.result.value and html.escape(item.explanation) not in box.result.value
    box.answer.value = item.answer
    box.button.click()
    assert "Passed" in box.result.value and html.escape(item.explanation) in box.result.value
    with pytest.raises(UnknownExercise, match="known quizzes: 00.q1"):
        quiz("00.q9")
    with pytest.raises(TypeError, match="quiz_id must be a string"):
        quiz(1)
