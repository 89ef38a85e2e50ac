"""The words of the exercise engine: statuses, verdicts, exercises, ids and their order.

Everything else in ``course.exercises`` builds on this module, which builds on
nothing of the package's but :mod:`course.runtime.validate`.

* A **verdict** (:class:`Feedback`) is what a check says: passed, failed or not
  attempted, a message for the learner, the hint of the ladder it reached, and,
  in grading only, a note for the teacher.
* An **exercise** (:class:`Exercise`) is the probe's half of a check: what to
  produce, how input cases are drawn, how the learner's code is run on one case,
  the hint ladder. Its judge lives apart, in ``judges/`` (never in a grading
  sandbox).
* Exercise ids are ``"NN.k"`` (notebook ``NN``, exercise ``k``) and quiz ids
  ``"NN.qk"``; :func:`order` sorts them in course order, and :data:`RENAMES`
  maps the ids of an older notebook to today's.
"""

from dataclasses import dataclass

from ..runtime import validate

PASSED, FAILED, NOT_ATTEMPTED = "passed", "failed", "not attempted"
STATUSES = (PASSED, FAILED, NOT_ATTEMPTED)
RECHECK = "re-check"  # in progress only: passed under an older revision of the exercise
ANSWER_KINDS = ("function", "class", "value")
DEFAULT_TIME_LIMIT = 10.0
# The notebooks, by number: each has one module of exercises and quizzes (``checks/nbNN_name.py``)
# and one of judges (``judging/nbNN_name.py``).
NOTEBOOKS = {
    "00": "00_welcome",
    "01": "01_tensors",
    "02": "02_tensor_ops",
    "03": "03_autodiff",
    "04": "04_gradient_descent",
    "05": "05_modules_and_graphs",
    "06": "06_keras",
    "07": "07_cnn_flowers",
    "08": "08_saving_loading",
}

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
    """Raised by :func:`course.check` in strict mode when an answer is wrong."""


class UnknownExercise(KeyError, ValueError):
    """An exercise id that no exercise is registered for (a wrong value, and a missing key)."""

    def __str__(self):
        return self.args[0]


@dataclass(frozen=True)
class Feedback:
    """A verdict: of a check or a quiz, in self-study or in grading (``note`` is the teacher's)."""

    exercise: str
    status: str
    message: str
    hint: str = ""
    note: str = ""

    def __post_init__(self):
        for name in ("exercise", "message", "hint", "note"):
            validate.text(getattr(self, name), name, allow_empty=name != "exercise")
        validate.choice(self.status, "status", STATUSES)

    @property
    def kind(self):
        """The word for this item: quiz for an id such as ``03.q1``, else exercise."""
        return "quiz" if ".q" in self.exercise else "exercise"

    @property
    def passed(self):
        return self.status == PASSED


@dataclass(frozen=True)
class Exercise:
    """The probe's half of an exercise (see :func:`course.exercises.registry.exercise`)."""

    id: str
    title: str
    produce: str
    cases: object
    probe: object
    hints: tuple
    answer: str = "function"
    shortcuts: tuple = ()
    forbidden_in_source: tuple = ()
    time_limit: float = DEFAULT_TIME_LIMIT
    success: str = ""
    revision: int = 1  # raised when the exercise's judge or cases change: older passes are re-checked

    def __post_init__(self):
        for name in ("id", "title", "produce"):
            validate.text(getattr(self, name), name)
        validate.text(self.success, "success", allow_empty=True)
        for name in ("cases", "probe"):
            validate.function(getattr(self, name), name)
        validate.choice(self.answer, "answer", ANSWER_KINDS)
        if not isinstance(self.hints, tuple) or not 2 <= len(self.hints) <= 3:
            raise ValueError(
                f"exercise {self.id}: hints must be a tuple of 2 or 3 strings, got {self.hints!r}"
            )
        for hint in self.hints:
            validate.text(hint, "a hint")
        validate.number(self.time_limit, "time_limit", minimum=0.1)
        validate.integer(self.revision, "revision", minimum=1)

    @property
    def notebook(self):
        return self.id[:2]


def module_name(item_id):
    """``nb03_autodiff`` for ``"03.2"`` or ``"03.q1"``: the name of its notebook's modules; None if unknown."""
    name = NOTEBOOKS.get(item_id[:2]) if isinstance(item_id, str) else None
    return f"nb{name}" if name else None


def order(item_id):
    """The sort key that puts exercise and quiz ids in course order (exercises before quizzes)."""
    validate.text(item_id, "item_id")
    notebook, _, number = item_id.partition(".")
    digits = number.lstrip("q")
    return (notebook, number.startswith("q"), int(digits) if digits.isdigit() else 0)


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
