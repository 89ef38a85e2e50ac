"""Exercises: one definition each, checked in two halves.

An exercise is declared once, in its notebook's module in ``checks/``, with
:func:`exercise`::

    exercise(
        id="00.1",
        title="Celsius to Fahrenheit",
        produce="a function celsius_to_fahrenheit(c) that takes a temperature in °C "
                "(a float) and returns it in °F as a float",
        cases=lambda rng: [{"c": float(c)} for c in rng.uniform(-60, 160, size=6)],
        probe=lambda answer, case: observe(answer(case["c"])),
        judge=lambda case, seen: ...,  # compare with the reference, raise Wrong(why)
        hints=("an idea", "more specific", "most specific, still no code"),
    )

* ``cases(rng)`` draws fresh inputs (plain data) from a seeded generator, so
  every check sees new numbers and a lookup table cannot pass.
* ``probe(answer, case)`` runs the learner's answer on one case and returns plain
  data (see :mod:`.plain`). It is the only half that touches learner code, and
  it runs under :func:`.probing.run`: read-only input copies, a time limit, the
  exercise's shortcuts disabled.
* ``judge(case, seen)`` compares what the probe saw with the reference computed
  from the pristine case, and raises :class:`~.judging.Wrong` with a diagnosis.
  It never sees the learner's objects, only plain data, so it can run in
  another process (the grader's) on cases the learner never saw.

:func:`evaluate` runs both halves here; :func:`probe` and :func:`judge` are
the halves, for a grader that runs them apart.
"""

import html
import json
import os
import secrets
import time
from dataclasses import dataclass

import numpy as np

from ..runtime import validate
from ..runtime.settings import settings
from . import probing
from .judging import Wrong
from .plain import NotPlain, normalize

PASSED, FAILED, NOT_ATTEMPTED = "passed", "failed", "not attempted"
STATUSES = (PASSED, FAILED, NOT_ATTEMPTED)
RESULTS_FILE_VARIABLE = "COURSE_RESULTS_FILE"
ANSWER_KINDS = ("function", "class", "value")
DEFAULT_TIME_LIMIT = 10.0

# Exercise ids are renumbered only with a new id scheme; each notebook's metadata
# says which scheme it was built with ("course": {"id_scheme": N}). RENAMES[N] maps
# an id of scheme N to its id in scheme N + 1, or to None for an exercise retired then.
ID_SCHEME = 3
RENAMES = {
    1: {"07.1": "07.2", "07.2": "07.1"},  # 07's exercises now appear in order
    2: {
        "07.2": "07.4",
        "07.3": "07.5",
        "07.4": "07.6",
        "07.5": None,
        "01.2": None,  # the n-th batch gave way to a shuffled batch iterator (01.2)
        "01.3": "01.5",
        "02.2": "02.3",
        "02.3": None,  # the rotation matrix gave way to turning a cloud of points (02.4)
        "02.4": None,  # a Dense layer on one vector gave way to a whole network on a batch (02.5)
        "03.2": None,  # multiplying two dual numbers gave way to the whole Jacobian in forward mode (03.2)
        "03.4": "03.6",
        "04.1": None,  # one momentum step gave way to a whole descent with momentum (04.1)
        "04.2": None,  # one Adam step gave way to a whole descent with Adam (04.2)
        "05.2": None,  # the Dense formula gave way to a layer that builds its weights (05.2)
        "06.1": None,  # dense_params gave way to a stable log-softmax
        "06.4": None,  # configuring EarlyStopping gave way to writing its rule (06.5)
        "08.1": None,  # the checkpoint file pattern gave way to finding the latest checkpoint (08.1)
        "08.2": None,  # restore_latest from given helpers gave way to a whole resume routine (08.2)
    },  # notebooks 01-08 gained exercises where learners build things
}


class CheckFailed(AssertionError):
    """Raised by :func:`check` in strict mode when an answer is wrong."""


class UnknownExercise(KeyError, ValueError):
    """An exercise id that no exercise is registered for (a wrong value, and a missing key)."""

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
    def kind(self):
        """The word for this item: quiz for an id such as ``03.q1``, else exercise."""
        return "quiz" if ".q" in self.exercise else "exercise"

    @property
    def passed(self):
        return self.status == PASSED

    def __str__(self):
        icon = {PASSED: "[passed]", FAILED: "[not yet]", NOT_ATTEMPTED: "[not attempted yet]"}[self.status]
        text = f"{icon} {self.kind.capitalize()} {self.exercise}: {self.message}"
        return f"{text}\n  Hint: {self.hint}" if self.hint else text

    def _repr_html_(self):
        colour = {PASSED: "#1b7f3b", FAILED: "#b3261e", NOT_ATTEMPTED: "#6b6b6b"}[self.status]
        label = {PASSED: "Passed", FAILED: "Not yet", NOT_ATTEMPTED: "Not attempted yet"}[self.status]
        hint = f"<div><i>Hint:</i> {html.escape(self.hint)}</div>" if self.hint else ""
        return (
            f'<div class="course-feedback" style="border-left:4px solid {colour};padding:4px 10px;margin:4px 0">'
            f'<b style="color:{colour}">{label}</b> &middot; {self.kind} {html.escape(self.exercise)}'
            f"<div>{html.escape(self.message)}</div>{hint}</div>"
        )


@dataclass(frozen=True)
class Exercise:
    id: str
    title: str
    produce: str
    cases: object
    probe: object
    judge: object
    hints: tuple
    answer: str = "function"
    shortcuts: tuple = ()
    forbidden_in_source: tuple = ()
    time_limit: float = DEFAULT_TIME_LIMIT
    success: str = ""

    def __post_init__(self):
        for name in ("id", "title", "produce"):
            validate.text(getattr(self, name), name)
        validate.text(self.success, "success", allow_empty=True)
        for name in ("cases", "probe", "judge"):
            validate.function(getattr(self, name), name)
        validate.choice(self.answer, "answer", ANSWER_KINDS)
        if not isinstance(self.hints, tuple) or not 2 <= len(self.hints) <= 3:
            raise ValueError(
                f"exercise {self.id}: hints must be a tuple of 2 or 3 strings, got {self.hints!r}"
            )
        for hint in self.hints:
            validate.text(hint, "a hint")
        validate.number(self.time_limit, "time_limit", minimum=0.1)


_REGISTRY = {}


def exercise(**definition):
    """Register one :class:`Exercise` (keyword arguments as its fields)."""
    if "hints" in definition and isinstance(definition["hints"], list):
        definition["hints"] = tuple(definition["hints"])
    for name in ("shortcuts", "forbidden_in_source"):
        if isinstance(definition.get(name), list):
            definition[name] = tuple(definition[name])
    item = Exercise(**definition)
    if item.id in _REGISTRY:
        raise ValueError(f"exercise {item.id!r} is registered twice")
    _REGISTRY[item.id] = item
    return item


def _load_checks():
    from . import checks

    checks.load_all()


def known_ids():
    """Every registered exercise id, in course order."""
    _load_checks()
    return sorted(_REGISTRY, key=_order)


def _order(item_id):
    notebook, _, number = item_id.partition(".")
    return (notebook, number.startswith("q"), int(number.lstrip("q")) if number.lstrip("q").isdigit() else 0)


def lookup(exercise_id):
    validate.text(exercise_id, "exercise_id")
    if exercise_id not in _REGISTRY:
        _load_checks()
    if exercise_id not in _REGISTRY:
        raise UnknownExercise(f"unknown exercise {exercise_id!r}; known exercises: {', '.join(known_ids())}")
    return _REGISTRY[exercise_id]


def current_id(exercise_id, scheme):
    """The id today of ``exercise_id`` from a notebook built with id ``scheme``.

    None when that exercise has been retired since.
    """
    validate.text(exercise_id, "exercise_id")
    validate.integer(scheme, "scheme", minimum=1)
    if scheme > ID_SCHEME:
        raise ValueError(f"id scheme {scheme} is newer than this course's ({ID_SCHEME}): update the course")
    for step in range(scheme, ID_SCHEME):
        exercise_id = RENAMES.get(step, {}).get(exercise_id, exercise_id)
        if exercise_id is None:
            return None
    return exercise_id


def hints(exercise_id):
    """The hint ladder of an exercise, from the idea to the specifics (a list of strings)."""
    return list(lookup(exercise_id).hints)


def new_seed():
    return secrets.randbits(32)


def draw_cases(ex, seed):
    """The exercise's input cases for ``seed``, as plain data."""
    if not isinstance(ex, Exercise):
        raise TypeError(f"ex must be an Exercise, got {validate.received(ex)}")
    seed = validate.integer(seed, "seed", minimum=0)
    return normalize(ex.cases(np.random.default_rng(seed)))


# ---------------------------------------------------------------------------
# The two halves
# ---------------------------------------------------------------------------


def probe(exercise_id, answer, seed):
    """The half that runs learner code: a list of plain outcomes (see :func:`.probing.run`)."""
    ex = lookup(exercise_id)
    return probing.run(ex, answer, draw_cases(ex, seed))


def judge(exercise_id, seed, outcomes, attempt=1):
    """The half that decides: a :class:`Feedback` from the probe's plain ``outcomes``.

    ``attempt`` (1 for the first wrong try, 2 for the second, ...) picks the
    hint from the ladder. Cases are drawn again from ``seed``, so the judge
    compares with references computed from inputs the learner's code never touched.
    """
    ex = lookup(exercise_id)
    attempt = validate.integer(attempt, "attempt", minimum=1)
    if not isinstance(outcomes, list) or not outcomes:
        return _failed(ex, "the check received nothing from your code.", attempt)
    cases = draw_cases(ex, seed)
    last = None
    for case, outcome in zip(cases, outcomes):
        if not isinstance(outcome, dict) or "ok" not in outcome:
            return _outcome_feedback(ex, outcome, attempt)
        try:
            last = ex.judge(case, outcome["ok"])
        except Wrong as wrong:
            return _failed(ex, str(wrong), attempt)
    if len(outcomes) < len(cases):
        return _failed(ex, "your code did not answer every test case.", attempt)
    message = last if isinstance(last, str) and last else ex.success or f"{ex.title}: correct."
    return Feedback(ex.id, PASSED, message)


def _failed(ex, message, attempt):
    return Feedback(ex.id, FAILED, message, ex.hints[min(attempt, len(ex.hints)) - 1])


def _outcome_feedback(ex, outcome, attempt):
    outcome = outcome if isinstance(outcome, dict) else {}
    if "stub" in outcome:
        return Feedback(ex.id, NOT_ATTEMPTED, f"{ex.title}: write {ex.produce}, then run this cell again.")
    if "wrong_kind" in outcome:
        from .judging import described

        return _failed(ex, f"expected {ex.produce}; got {described(outcome['wrong_kind'])}.", attempt)
    if "timeout" in outcome:
        return _failed(
            ex,
            f"your code did not return within {ex.time_limit:g} s. Look for a loop that never ends "
            "or work that grows much faster than it should.",
            attempt,
        )
    if "shortcut" in outcome:
        return _failed(
            ex,
            f"this exercise asks you to write it yourself, and your code uses {outcome['shortcut']}. "
            "Build it from the simpler pieces the notebook introduces.",
            attempt,
        )
    raised = outcome.get("raised")
    if isinstance(raised, dict):
        message = str(raised.get("message", ""))
        if "read-only" in message:
            return _failed(
                ex,
                "your code changes one of its input arrays in place; during the check the inputs are "
                "read-only. Leave the inputs as they are and return new values.",
                attempt,
            )
        return _failed(ex, f"your code raised {raised.get('type', 'an error')}: {message}", attempt)
    if "unreadable" in outcome:
        return _failed(
            ex, f"the check could not read what your code returned ({outcome['unreadable']}).", attempt
        )
    return _failed(ex, "the check could not read what your code returned.", attempt)


# ---------------------------------------------------------------------------
# Self-study: both halves here
# ---------------------------------------------------------------------------


def evaluate(exercise_id, answer, attempt=1, seed=None):
    """Judge ``answer`` and return a :class:`Feedback`; never raises for anything the learner passes.

    Only KeyboardInterrupt goes through. ``seed`` fixes the test cases (a fresh
    one is drawn when it is None).
    """
    ex = lookup(exercise_id)
    seed = new_seed() if seed is None else validate.integer(seed, "seed", minimum=0)
    outcomes = probe(ex.id, answer, seed)
    try:
        outcomes = normalize(outcomes)
    except NotPlain as error:
        outcomes = [{"unreadable": str(error)}]
    return judge(ex.id, seed, outcomes, attempt)


def check(exercise_id, answer):
    """Check an answer, show the feedback and keep it in the learner's progress.

    A wrong answer shows the next hint of the ladder each time. With
    ``COURSE_STRICT=1`` a wrong answer raises :class:`CheckFailed`.
    """
    from . import store

    feedback = evaluate(exercise_id, answer, attempt=store.failures(exercise_id) + 1)
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
    """Keep the verdict in the learner's progress; append it to ``$COURSE_RESULTS_FILE`` if set."""
    from . import store

    _expect_feedback(feedback)
    store.record(feedback)
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
