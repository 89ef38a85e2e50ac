import html
import json
import re

import nbformat
import pytest

from course.exercises import FAILED, NOT_ATTEMPTED, PASSED, known_ids, known_quiz_ids, quiz
from course.exercises.core import UnknownExercise
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


# Every quiz of the bank, with a right and a wrong answer as a learner would click or type them.
QUIZ_ANSWERS = {
    "00.q1": ("It is gone until you run its cell again", "It is reset to an empty list"),
    "00.q2": ("(3, 4)", "(4, 3)"),
    "01.q1": ("(90, 14, 7)", "(90, 14, 28)"),
    "01.q2": ("(5, 14)", "(5, 14, 1)"),
    "01.q3": ("(16, 3, 32, 32)", "(16, 32, 32, 3)"),
    "02.q1": ("(8, 7, 6)", "(8, 1, 6)"),
    "02.q2": ("error", "(5, 4)"),
    "02.q3": ("(10, 4, 8)", "(10, 8)"),
    "02.q4": ("error", "(3, 3)"),
    "02.q5": ("(2, 3, 4)", "()"),
    "03.q1": ("h = 1e-5", "h = 1e-13"),
    "03.q2": ("2", "1"),
    "03.q3": ("forward: 1,000,000, reverse: 1", "both need 1"),
    "03.q4": ("(3,)", "(32, 3)"),
    "04.q1": ("it starts zig-zagging across the ravine, then diverges", "it converges faster and faster"),
    "04.q2": ("with momentum the path gets much closer to the minimum", "momentum makes it diverge"),
    "05.q1": (
        "AttributeError: the object has no attribute 'factor'",
        "It returns 21 as before: Python calls the parent's __init__ automatically",
    ),
    "05.q2": ("(5, 4)", "(5, 16)"),
    "05.q3": ("error", "(5, 2)"),
    "05.q4": ("2", "1"),
    "06.q1": ("(2, 4, 3)", "(2, 3)"),
    "06.q2": ("2, 4 and 6", "1, 3 and 5"),
    "06.q3": ("2", "0"),
    "07.q1": ("(1, 28, 28, 8)", "(1, 32, 32, 8)"),
    "07.q2": ("(1, 90, 90, 16)", "(1, 89, 89, 16)"),
    "07.q3": ("it keeps 28×28 and mixes the 256 channels into 64", "it shrinks 28×28 to 1×1"),
    "07.q4": ("adding each block's input to its output (a skip connection)", "running on two GPUs"),
    "08.q1": ("model.save('model.keras')", "a pickle of the model object"),
    "08.q2": (
        "Do not load it: ask for the code that builds the model, or a file without Lambda layers",
        "Rename it to best_digits.h5 so that safe mode does not apply",
    ),
    "08.q3": ("a SavedModel folder written by model.export()", "a .weights.h5 file"),
}


def test_every_quiz_of_the_bank_has_its_answers_in_the_table():
    assert sorted(QUIZ_ANSWERS) == known_quiz_ids()


@pytest.mark.parametrize("quiz_id", sorted(QUIZ_ANSWERS))
def test_a_quiz_explains_only_a_right_answer(quiz_id):
    right, wrong = QUIZ_ANSWERS[quiz_id]
    item = question(quiz_id)
    assert item.judge(right).status == PASSED and item.explanation in item.judge(right).message
    assert item.judge(wrong).status == FAILED and item.explanation not in item.judge(wrong).message
    assert item.judge(None).status == NOT_ATTEMPTED


@pytest.mark.parametrize("folder", ["solutions", "notebooks"])
@pytest.mark.parametrize("notebook", sorted(path.name for path in (ROOT / "solutions").glob("*.ipynb")))
def test_a_notebook_poses_its_exercises_and_quizzes_in_order_and_ends_with_progress(folder, notebook):
    cells = nbformat.read(ROOT / folder / notebook, as_version=4).cells
    text = "\n".join(cell.source for cell in cells)
    prose = "\n".join(cell.source for cell in cells if cell.cell_type == "markdown")
    number = notebook[:2]
    checked = re.findall(r'course\.check\("(\d\d\.\d+)"', text)
    assert checked == [i for i in known_ids() if i.startswith(number + ".")]
    assert re.findall(r"Exercise (\d\d\.\d+)", prose) == checked
    quizzes = re.findall(r'quiz\("(\d\d\.q\d+)"\)', text)
    assert quizzes == [i for i in known_quiz_ids() if i.startswith(number + ".")]
    for quiz_id in quizzes:
        answer = question(quiz_id).answer
        if isinstance(answer, str) and len(answer) >= 12:  # a short answer such as "2" stands in any text
            assert answer not in text, quiz_id
    assert cells[-1].source == f'course.progress("{number}")'
    assert cells[-2].source.startswith("## Your progress")
