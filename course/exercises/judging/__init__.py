"""The judging half: from a probe's plain outcomes to a verdict, with the judges that know the answers.

Each notebook's judges live in ``judging/nbNN_name.py`` (``JUDGES``: exercise id
to ``judge(case, seen)``), next to the reference implementations they compare
with; :mod:`.expect` reads observations strictly. A judge compares what the probe
saw on one case with the reference computed from the pristine case, and raises
:class:`~.expect.Wrong` with a diagnosis; it returns a success message or None.

This package is the one part of the course a grading sandbox does not contain:
the grader judges in its own process, from cases it draws again from its seed.
"""

import importlib

from ...runtime import validate
from ..core import FAILED, NOT_ATTEMPTED, PASSED, Exercise, Feedback, module_name
from ..registry import draw_cases, lookup
from .expect import Wrong, described


def judge_of(exercise_id):
    """The judge function of ``exercise_id`` (from its notebook's module here)."""
    ex = lookup(exercise_id)
    return importlib.import_module(f"{__name__}.{module_name(ex.id)}").JUDGES[ex.id]


def judge(exercise_id, seed, outcomes, attempt=1):
    """The :class:`~course.exercises.core.Feedback` for a probe's plain ``outcomes``.

    ``attempt`` (1 for the first wrong try, 2 for the second, ...) picks the
    hint from the ladder. Cases are drawn again from ``seed``, so the judge
    compares with references computed from inputs the learner's code never touched.
    """
    ex = lookup(exercise_id)
    return verdict(ex, draw_cases(ex, validate.integer(seed, "seed", minimum=0)), outcomes, attempt)


def verdict(ex, cases, outcomes, attempt=1):
    """The verdict on ``outcomes`` (one per case, as :func:`course.exercises.probing.run` gives)."""
    if not isinstance(ex, Exercise):
        raise TypeError(f"ex must be an Exercise, got {validate.received(ex)}")
    if not isinstance(cases, list):
        raise TypeError(f"cases must be a list of plain-data cases, got {validate.received(cases)}")
    attempt = validate.integer(attempt, "attempt", minimum=1)
    if not isinstance(outcomes, list) or not outcomes:
        return _failed(ex, "the check received nothing from your code.", attempt)
    judge_case = judge_of(ex.id)
    last = None
    for case, outcome in zip(cases, outcomes):
        if not isinstance(outcome, dict) or "ok" not in outcome:
            return _outcome_feedback(ex, outcome, attempt)
        try:
            last = judge_case(case, outcome["ok"])
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
        return _failed(ex, f"expected {ex.produce}; got {described(outcome['wrong_kind'])}.", attempt)
    if "timeout" in outcome:
        return _failed(
            ex,
            f"your code did not return within {ex.time_limit:g} s. Look for a loop that never ends "
            "or work that grows much faster than it should.",
            attempt,
        )
    if "alarm_off" in outcome:
        return _failed(
            ex,
            "your code switched off the check's time limit (a signal handler or timer of its own); "
            "the check cannot stop it if it never ends. Leave signals and timers alone in an answer.",
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
