import pytest

from course.exercises import FAILED, NOT_ATTEMPTED, PASSED, results
from course.exercises.quizzes import NO_SHAPE, MultipleChoice, PredictShape, parse_shape


@pytest.fixture
def choice():
    return MultipleChoice("t.q1", "Pick b", options=["a", "b", "c"], answer="b", explanation="b is right.")


def test_multiple_choice_logic(choice):
    assert choice.judge("b").status == PASSED
    assert "b is right" in choice.judge("b").message
    assert choice.judge("a").status == FAILED
    assert choice.judge(None).status == NOT_ATTEMPTED
    assert choice.judge("zzz").status == FAILED


def test_multiple_choice_widget_click(choice):
    box = choice.widget()
    box.answer.value = "c"
    box.button.click()
    assert "Not yet" in box.result.value
    box.answer.value = "b"
    box.button.click()
    assert "Passed" in box.result.value
    assert results()["t.q1"].status == PASSED


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
