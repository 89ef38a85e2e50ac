"""Checking an answer in a learner's kernel: :func:`check` on top of the probe and the judge.

:func:`evaluate` looks the exercise up once, draws its cases once, runs the
probe (:mod:`.probing`) and the judge (:mod:`.judging`) on them and returns the
verdict; :func:`check` also keeps it in the learner's progress (:mod:`.store`)
and shows it (:mod:`.rendering`). The grader runs the very same probe in a
sandbox and the very same judge in its own process.

In a grading sandbox the judging half is not installed: there :func:`check`
says that the answer is checked when the notebook is graded, and never raises.
"""

from ..runtime import validate
from ..runtime.settings import settings
from . import store
from .core import FAILED, NOT_ATTEMPTED, NOTEBOOKS, PASSED, RECHECK, CheckFailed, Feedback
from .plain import NotPlain, normalize
from .probing import run
from .quizzes import known_quiz_ids, question
from .registry import draw_cases, known_ids, lookup, new_seed
from .rendering import Progress, Shown

try:
    from .judging import judge, verdict
except ImportError:  # a grading sandbox: the judges are not installed there
    judge = verdict = None

GRADED_LATER = "this notebook is being graded: your answer is checked after every cell has run."


def evaluate(exercise_id, answer, attempt=1, seed=None):
    """Judge ``answer`` and return a :class:`~.core.Feedback`; never raises for anything the learner passes.

    Only KeyboardInterrupt goes through. ``seed`` fixes the test cases (a fresh
    one is drawn when it is None).
    """
    ex = lookup(exercise_id)
    attempt = validate.integer(attempt, "attempt", minimum=1)
    seed = new_seed() if seed is None else validate.integer(seed, "seed", minimum=0)
    if verdict is None:
        return Feedback(ex.id, NOT_ATTEMPTED, GRADED_LATER)
    cases = draw_cases(ex, seed)
    outcomes = run(ex, answer, cases)
    try:
        outcomes = normalize(outcomes)
    except NotPlain as error:
        outcomes = [{"unreadable": str(error)}]
    return verdict(ex, cases, outcomes, attempt)


def check(exercise_id, answer):
    """Check an answer, show the feedback and keep it in the learner's progress.

    A wrong answer shows the next hint of the ladder each time. With
    ``COURSE_STRICT=1`` a wrong answer raises :class:`~.core.CheckFailed`.
    """
    feedback = evaluate(exercise_id, answer, attempt=store.failures(exercise_id) + 1)
    if verdict is not None:
        store.record(feedback, revision=lookup(exercise_id).revision)
    show(feedback)
    if feedback.status == FAILED and settings().strict:
        raise CheckFailed(str(Shown(feedback)))


def show(feedback):
    """Rich HTML in Jupyter, plain text elsewhere."""
    shown = Shown(feedback)
    try:
        from IPython import get_ipython
        from IPython.display import display
    except ImportError:  # pragma: no cover - IPython ships with ipykernel
        get_ipython = None
    if get_ipython is not None and get_ipython() is not None:
        display(shown)
    else:
        print(shown)


def progress(notebook=None):
    """The latest status of every exercise and quiz, one line per notebook.

    ``progress("03")`` (or ``"03_autodiff"``) shows that notebook's line alone.
    """
    if notebook is not None:
        validate.text(notebook, "notebook")
        if notebook[:2] not in NOTEBOOKS:
            raise ValueError(f"notebook must be one of {', '.join(NOTEBOOKS)}, got {notebook!r}")
    stored = store.load()
    revisions = {i: lookup(i).revision for i in known_ids()}
    titles = [(i, lookup(i).title) for i in revisions] + [(i, question(i).question) for i in known_quiz_ids()]
    rows = []
    for number, name in NOTEBOOKS.items():
        if notebook is None or number == notebook[:2]:
            items = [
                (i, title, _status(stored.get(i), revisions.get(i))) for i, title in titles if i[:2] == number
            ]
            rows.append((name, items))
    return Progress(rows)


def _status(entry, revision):
    """The status to show: a pass given by an older revision of the exercise is to be re-checked."""
    status = entry.get("status") if isinstance(entry, dict) else None
    if status == PASSED and revision is not None and _revision_of(entry) < revision:
        return RECHECK
    return status if status in (PASSED, FAILED) else NOT_ATTEMPTED


def _revision_of(entry):
    revision = entry.get("revision", 1)
    return revision if isinstance(revision, int) and not isinstance(revision, bool) else 1
