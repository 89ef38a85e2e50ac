"""Exercise checks: a registry of checkers, verdicts, and how they are shown.

A notebook calls ``check("00.1", answer)``. The checker registered for
``"00.1"`` looks at the answer and either returns (correct) or raises
:class:`Wrong` with a message that says what was expected. The framework turns
everything else into feedback too: a stub answer (``...`` or a function that
raises ``NotImplementedError``) is "not attempted", and any other surprise
(``None``, a wrong type, a function that crashes) is a failed check with the
expectation spelled out, never a traceback.

Checkers live in ``course/exercises/checks/``, one module per notebook, and use the
``expect_*`` helpers below.
"""

import html
import importlib
import json
import math
import os
import pkgutil
import time
from dataclasses import dataclass

import numpy as np

from ..runtime import validate
from ..runtime.settings import settings

PASSED, FAILED, NOT_ATTEMPTED = "passed", "failed", "not attempted"
STATUSES = (PASSED, FAILED, NOT_ATTEMPTED)
RESULTS_FILE_VARIABLE = "COURSE_RESULTS_FILE"


class Wrong(ValueError):
    """Raised by a checker when the answer is wrong (a wrong value); the message says why."""

    def __init__(self, message, hint=""):
        super().__init__(message)
        self.hint = hint


class CheckFailed(AssertionError):
    """Raised by :func:`check` in strict mode when an answer is wrong."""


class UnknownExercise(KeyError, ValueError):
    """An exercise id that no checker is registered for (a wrong value, and a missing key)."""

    def __str__(self):
        return self.args[0]


@dataclass(frozen=True)
class Feedback:
    exercise: str
    status: str
    message: str
    hint: str = ""

    def __post_init__(self):
        for name in ("exercise", "message", "hint"):
            validate.text(getattr(self, name), name, allow_empty=name != "exercise")
        validate.choice(self.status, "status", STATUSES)

    @property
    def passed(self):
        return self.status == PASSED

    def __str__(self):
        icon = {PASSED: "[passed]", FAILED: "[not yet]", NOT_ATTEMPTED: "[not attempted yet]"}[self.status]
        text = f"{icon} Exercise {self.exercise}: {self.message}"
        return f"{text}\n  Hint: {self.hint}" if self.hint else text

    def _repr_html_(self):
        colour = {PASSED: "#1b7f3b", FAILED: "#b3261e", NOT_ATTEMPTED: "#6b6b6b"}[self.status]
        label = {PASSED: "Passed", FAILED: "Not yet", NOT_ATTEMPTED: "Not attempted yet"}[self.status]
        hint = f"<div><i>Hint:</i> {html.escape(self.hint)}</div>" if self.hint else ""
        return (
            f'<div style="border-left:4px solid {colour};padding:4px 10px;margin:4px 0">'
            f'<b style="color:{colour}">{label}</b> &middot; exercise {html.escape(self.exercise)}'
            f"<div>{html.escape(self.message)}</div>{hint}</div>"
        )


@dataclass(frozen=True)
class Exercise:
    id: str
    title: str
    expects: str
    checker: object
    hint: str = ""

    def __post_init__(self):
        for name in ("id", "title", "expects"):
            validate.text(getattr(self, name), name)
        validate.text(self.hint, "hint", allow_empty=True)
        validate.function(self.checker, "checker")


_REGISTRY = {}
_RESULTS = {}


def exercise(exercise_id, title, expects, hint=""):
    """Decorator that registers ``checker(answer)`` under ``exercise_id``."""

    validate.text(exercise_id, "exercise_id")

    def register(checker):
        if exercise_id in _REGISTRY:
            raise ValueError(f"exercise {exercise_id!r} is registered twice")
        _REGISTRY[exercise_id] = Exercise(exercise_id, title, expects, checker, hint)
        return checker

    return register


def _load_checkers():
    from . import checks

    for module in pkgutil.iter_modules(checks.__path__):
        importlib.import_module(f"{checks.__name__}.{module.name}")


def known_ids():
    """Every registered exercise id, sorted."""
    _load_checkers()
    return sorted(_REGISTRY)


def lookup(exercise_id):
    validate.text(exercise_id, "exercise_id")
    if exercise_id not in _REGISTRY:
        _load_checkers()
    if exercise_id not in _REGISTRY:
        raise UnknownExercise(f"unknown exercise {exercise_id!r}; known exercises: {', '.join(known_ids())}")
    return _REGISTRY[exercise_id]


def is_stub(answer):
    """``...`` (or a tuple/list holding ``...``) is the learner copy's placeholder."""
    if answer is Ellipsis:
        return True
    return isinstance(answer, (tuple, list)) and any(item is Ellipsis for item in answer)


def evaluate(exercise_id, answer):
    """Judge ``answer`` and return a :class:`Feedback`; never raises for a bad answer."""
    ex = lookup(exercise_id)
    if is_stub(answer):
        return Feedback(ex.id, NOT_ATTEMPTED, f"replace the ... with your answer ({ex.expects}).")
    try:
        message = ex.checker(answer)
    except NotImplementedError:
        return Feedback(ex.id, NOT_ATTEMPTED, f"fill in the code marked 'YOUR CODE HERE' ({ex.expects}).")
    except Wrong as wrong:
        return Feedback(ex.id, FAILED, str(wrong), wrong.hint or ex.hint)
    except Exception as error:  # garbage answers must give feedback, not a traceback
        return Feedback(
            ex.id,
            FAILED,
            f"expected {ex.expects}, got {describe(answer)} "
            f"(checking it raised {type(error).__name__}: {error}).",
            ex.hint,
        )
    return Feedback(ex.id, PASSED, message or f"{ex.title}: correct.")


def check(exercise_id, answer):
    """Check an answer, show the feedback and record it for grading.

    With ``COURSE_STRICT=1`` a wrong answer raises :class:`CheckFailed`.
    """
    feedback = evaluate(exercise_id, answer)
    record(feedback)
    show(feedback)
    if feedback.status == FAILED and settings().strict:
        raise CheckFailed(str(feedback))


def show(feedback):
    """Rich HTML in Jupyter, plain text elsewhere."""
    _expect_feedback(feedback)
    try:
        from IPython import get_ipython
        from IPython.display import display
    except ImportError:  # pragma: no cover - IPython ships with ipykernel
        get_ipython = None
    if get_ipython is not None and get_ipython() is not None:
        display(feedback)
    else:
        print(feedback)


def _expect_feedback(feedback):
    if not isinstance(feedback, Feedback):
        raise TypeError(f"feedback must be a Feedback, got {validate.received(feedback)}")


def record(feedback):
    """Remember the latest verdict per exercise; append it to ``$COURSE_RESULTS_FILE`` if set."""
    _expect_feedback(feedback)
    _RESULTS[feedback.exercise] = feedback
    path = os.environ.get(RESULTS_FILE_VARIABLE)
    if path:
        line = {
            "exercise": feedback.exercise,
            "status": feedback.status,
            "message": feedback.message,
            "folder": os.getcwd(),
            "time": time.time(),
        }
        with open(path, "a", encoding="utf-8") as out:
            out.write(json.dumps(line) + "\n")


def results():
    """The latest :class:`Feedback` of each exercise checked in this session."""
    return dict(_RESULTS)


# ---------------------------------------------------------------------------
# Helpers for checkers: each raises Wrong with a message a learner can act on.
# ---------------------------------------------------------------------------


def describe(value):
    """A short, human description of any value: type, and shape for arrays. Never raises."""
    try:
        return _description(value)
    except Exception:  # an answer whose attributes raise is described by its type alone
        return f"a {type(value).__name__}"


def _description(value):
    if value is None:
        return "None"
    if value is Ellipsis:
        return "... (the placeholder)"
    if isinstance(value, bool):
        return f"the bool {value}"
    if isinstance(value, (int, float, np.number)):
        return f"the number {value!r}"
    if isinstance(value, str):
        shown = value if len(value) <= 40 else value[:37] + "..."
        return f"the string {shown!r}"
    shape = getattr(value, "shape", None)
    dtype = getattr(value, "dtype", None)
    if shape is not None and dtype is not None:
        return f"a {type(value).__name__} of shape {tuple(shape)} and dtype {dtype}"
    if isinstance(value, (list, tuple, dict, set)):
        return f"a {type(value).__name__} of length {len(value)}"
    if callable(value):
        return f"the function {getattr(value, '__name__', repr(value))}"
    return f"a {type(value).__name__}"


def _shown(value):
    """``repr(value)``, or its description when the repr raises."""
    try:
        return repr(value)
    except Exception:
        return describe(value)


def expect_callable(value, what="your answer"):
    validate.text(what, "what")
    if not callable(value):
        raise Wrong(f"{what} should be a function, got {describe(value)}.")
    return value


def call(function, *args, what=None):
    """Call the learner's function; its crash becomes feedback, a stub stays a stub."""
    expect_callable(function)
    name = (
        validate.text(what, "what")
        if what is not None
        else f"{describe(function)[len('the function ') :]}(...)"
    )
    try:
        return function(*args)
    except NotImplementedError:
        raise
    except Exception as error:
        raise Wrong(
            f"calling {name} on {', '.join(describe(a) for a in args)} raised {type(error).__name__}: {error}"
        ) from None


def expect_tuple(value, parts, what="your function"):
    """``value`` must be a tuple (or list) with one item per name in ``parts``."""
    validate.text(what, "what")
    if not isinstance(parts, (tuple, list)) or not all(isinstance(part, str) for part in parts):
        raise TypeError(f"parts must be a list of names, got {validate.received(parts)}")
    if not isinstance(value, (tuple, list)) or len(value) != len(parts):
        raise Wrong(f"{what} should return a tuple ({', '.join(parts)}), got {describe(value)}.")
    return value


def expect_array(value, shape=None, what="your answer"):
    """Turn ``value`` into a NumPy array, checking it is numeric, finite and of ``shape``."""
    validate.text(what, "what")
    shape = None if shape is None else validate.shape(shape, "shape")
    kind = "a number" if shape == () else "an array"
    if value is None or isinstance(value, (str, bytes, dict, set)) or callable(value):
        raise Wrong(f"{what} should be {kind}, got {describe(value)}.")
    try:
        array = np.asarray(value)
    except Exception:
        raise Wrong(f"{what} should be {kind}, got {describe(value)}.") from None
    if array.dtype == object or not (np.issubdtype(array.dtype, np.number) or array.dtype == bool):
        raise Wrong(f"{what} should hold numbers, got {describe(value)}.")
    if shape is not None and array.shape != shape:
        raise Wrong(f"{what} should have shape {shape}, got shape {array.shape}.")
    if np.issubdtype(array.dtype, np.floating) and not np.all(np.isfinite(array)):
        raise Wrong(f"{what} contains NaN or infinity.")
    return array


def expect_close(got, want, what="your answer", rtol=1e-5, atol=1e-8):
    """``got`` must match the array or number ``want`` in shape and value."""
    want = validate.array(want, "want")
    rtol, atol = validate.number(rtol, "rtol", minimum=0), validate.number(atol, "atol", minimum=0)
    got = expect_array(got, shape=want.shape, what=what)
    if not np.allclose(got, want, rtol=rtol, atol=atol):
        worst = np.unravel_index(np.argmax(np.abs(got - want)), want.shape) if want.shape else ()
        raise Wrong(
            f"{what} is off: at index {worst} you have {got[worst]!r}, expected {want[worst]!r}."
            if want.shape
            else f"{what} is {got.item()!r}, expected {want.item()!r}."
        )
    return got


def _plainly_equal(got, want):
    """``got == want`` as a plain bool; False when the comparison raises or gives an array."""
    try:
        same = got == want
    except Exception:
        return False
    return isinstance(same, (bool, np.bool_)) and bool(same)


def expect_equal(got, want, what="your answer"):
    """Exact equality for plain values (numbers, strings, tuples)."""
    validate.text(what, "what")
    if isinstance(want, np.ndarray):
        raise TypeError(
            "want must be a plain value (number, string, tuple); compare arrays with expect_close"
        )
    if isinstance(want, float) and isinstance(got, (int, float)) and math.isclose(got, want, rel_tol=1e-9):
        return got
    if not _plainly_equal(got, want):
        raise Wrong(f"{what} is {_shown(got)}, expected {_shown(want)}.")
    return got
