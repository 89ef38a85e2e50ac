"""Widget quizzes: multiple choice and "predict the shape", kept in a question bank.

Quizzes are declared in the notebook's module in ``checks/`` (``checks/nb03_autodiff.py``) with
:func:`multiple_choice` or :func:`predict_shape`, and a notebook shows one by id:
``quiz("03.q1")``. So neither the answer nor the explanation is in the
notebook; the explanation appears once the learner has answered right.

Each quiz is a plain object whose :meth:`judge` turns a response into a
:class:`~course.exercises.core.Feedback`; the ipywidgets view (built by
:meth:`widget`, shown when the quiz is the last expression of a cell) only
forwards the learner's click to ``judge``. Tests drive the widget headlessly:
set ``.value`` on the input, then ``click()`` the button.
"""

import html

from ..broadcasting import NO_SHAPE, parse_shape
from ..runtime import validate
from . import registry, store
from .core import FAILED, NOT_ATTEMPTED, PASSED, Feedback, UnknownExercise, order
from .rendering import verdict_html


class Quiz:
    """What every quiz shares: an id, a question and a widget around :meth:`judge`."""

    def __init__(self, quiz_id, question, explanation=""):
        self.id = validate.text(quiz_id, "quiz_id")
        self.question = validate.text(question, "question")
        self.explanation = validate.text(explanation, "explanation", allow_empty=True)

    def judge(self, response):
        raise NotImplementedError

    def _verdict(self, correct, message):
        if correct:
            return Feedback(self.id, PASSED, f"{message} {self.explanation}".strip())
        return Feedback(self.id, FAILED, message)

    def _input(self):
        raise NotImplementedError

    def widget(self):
        import ipywidgets as widgets

        answer = self._input()
        button = widgets.Button(description="Check", button_style="primary")
        result = widgets.HTML()

        def on_click(_):
            feedback = self.judge(answer.value)
            store.record(feedback)
            result.value = verdict_html(feedback)

        button.on_click(on_click)
        title = widgets.HTML(f"<b>{html.escape(self.id)} &middot; {html.escape(self.question)}</b>")
        box = widgets.VBox([title, answer, button, result])
        box.add_class("course-quiz")
        box.answer, box.button, box.result = answer, button, result  # handles for tests
        return box

    def _ipython_display_(self):
        from IPython.display import display

        display(self.widget())


class MultipleChoice(Quiz):
    """Pick one option; ``answer`` is the correct option's text."""

    def __init__(self, quiz_id, question, options, answer, explanation=""):
        super().__init__(quiz_id, question, explanation)
        if not isinstance(options, (list, tuple)) or not all(isinstance(option, str) for option in options):
            raise TypeError(f"options must be a list of strings, got {validate.received(options)}")
        options = list(options)
        validate.text(answer, "answer")
        if len(options) < 2 or len(set(options)) != len(options):
            raise ValueError(f"a multiple-choice quiz needs at least two distinct options, got {options!r}")
        if answer not in options:
            raise ValueError(f"the answer {answer!r} is not one of the options {options!r}")
        self.options, self.answer = options, answer

    def judge(self, response):
        if response is None:
            return Feedback(self.id, NOT_ATTEMPTED, "pick an option, then press Check.")
        if not isinstance(response, str):
            return Feedback(
                self.id,
                FAILED,
                f"an answer is one of the options (a str), got {validate.received(response)}.",
            )
        if response not in self.options:
            return Feedback(self.id, FAILED, f"{response!r} is not one of the options.")
        if response == self.answer:
            return self._verdict(True, "Right.")
        return self._verdict(False, f"Not {response!r}. Think again and try another option.")

    def _input(self):
        import ipywidgets as widgets

        return widgets.RadioButtons(options=self.options, value=None, layout={"width": "max-content"})


class PredictShape(Quiz):
    """Type the shape an expression produces, or ``error`` when it fails."""

    def __init__(self, quiz_id, question, shape, explanation=""):
        super().__init__(quiz_id, question, explanation)
        self.answer = (
            NO_SHAPE if isinstance(shape, str) and shape == NO_SHAPE else validate.shape(shape, "shape")
        )

    def judge(self, response):
        if response is None or (isinstance(response, str) and not response.strip()):
            return Feedback(self.id, NOT_ATTEMPTED, "type a shape such as (2, 3), then press Check.")
        try:
            guess = parse_shape(response)
        except (TypeError, ValueError) as error:
            return Feedback(self.id, FAILED, str(error))
        if guess == self.answer:
            return self._verdict(True, "Right." if guess == NO_SHAPE else f"Right: {guess}.")
        if self.answer == NO_SHAPE:
            return self._verdict(False, f"{guess} is not it: this operation raises an error.")
        return self._verdict(False, f"{guess} is not it. Work through the rule one axis at a time.")

    def _input(self):
        import ipywidgets as widgets

        return widgets.Text(placeholder="e.g. (2, 3) or error")


_BANK = {}


def _add(item):
    if item.id in _BANK:
        raise ValueError(f"quiz {item.id!r} is declared twice")
    _BANK[item.id] = item
    return item


def multiple_choice(quiz_id, question, options, answer, explanation):
    """Declare a multiple-choice quiz in the bank (in a ``checks/`` module)."""
    return _add(MultipleChoice(quiz_id, question, options, answer, explanation))


def predict_shape(quiz_id, question, shape, explanation):
    """Declare a "predict the shape" quiz in the bank; ``shape`` may be ``"error"``."""
    return _add(PredictShape(quiz_id, question, shape, explanation))


def known_quiz_ids():
    """Every quiz id in the bank, in course order."""
    registry.load_all()
    return sorted(_BANK, key=order)


def question(quiz_id):
    """The quiz ``quiz_id`` from the bank (its answer included: for tests and tools, not notebooks)."""
    validate.text(quiz_id, "quiz_id")
    if quiz_id not in _BANK:
        registry.load(quiz_id)
    if quiz_id not in _BANK:
        raise UnknownExercise(f"unknown quiz {quiz_id!r}; known quizzes: {', '.join(known_quiz_ids())}")
    return _BANK[quiz_id]


def quiz(quiz_id):
    """Show the quiz ``quiz_id`` (the last expression of a cell): ``quiz("03.q1")``."""
    return question(quiz_id)
