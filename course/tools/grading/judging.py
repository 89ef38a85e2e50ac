"""Judging in the grader's process: from each probe's reply to a verdict.

The grader draws each exercise's cases from its own secret seed, sends the kernel only what a
probe may see, and judges the reply here, with the judges the sandbox does not have, on the very
cases it drew. A reply counts only if it answers this request (its nonce) for this exercise.
Whatever the reply holds, a verdict comes out: one that is missing, too big, malformed, or that
makes a judge raise or run too long gives a plain verdict and a note for the teacher (the review
column), never an exception in the grader.
"""

from ...exercises import judging, plain
from ...exercises.core import FAILED, NOT_ATTEMPTED, Feedback
from ...exercises.limits import TimeLimitExceeded, time_limit
from .inkernel import MAX_REPLY
from .runner import CRASHED, KERNEL_LOST, TIME_LIMIT

JUDGE_SECONDS = 30
STOPPED = {
    TIME_LIMIT: "your code did not finish within the check's time limit, so the grader stopped it. "
    "Look for a loop that never ends or work that grows much faster than it should.",
    CRASHED: "the kernel ended while your code was being checked (a crash, memory, or code that ends "
    "the process).",
    KERNEL_LOST: "this exercise could not be checked: the kernel ended before its turn, twice.",
}


def _report(text, nonce, exercise_id):
    """The outcomes and the list of replaced machinery in a reply; ValueError when it is not usable."""
    if not isinstance(text, str) or len(text) > MAX_REPLY + 1000:
        raise ValueError("the reply is missing or too large")
    report = plain.loads(text)
    if not isinstance(report, dict) or report.get("nonce") != nonce:
        raise ValueError("the reply does not answer this request (wrong nonce)")
    if report.get("exercise") != exercise_id:
        raise ValueError("the reply is about another exercise")
    changed = report.get("changed", [])
    if not isinstance(changed, list):
        raise ValueError("the reply's list of changes is not a list")
    return report.get("outcomes"), [str(c)[:120] for c in changed[:20]]


def judge(exercise_id, seed, reply=None, stopped="", limit=JUDGE_SECONDS):
    """The verdict (a Feedback, with a note for the teacher) of one exercise.

    ``reply``: ``(text, nonce)`` from the probe request, or None when there was none;
    ``stopped``: why the request has no reply (time limit, crashed, kernel lost).
    """
    if stopped:
        return Feedback(exercise_id, FAILED, STOPPED[stopped], note=stopped)
    if reply is None:
        return Feedback(exercise_id, NOT_ATTEMPTED, "this check did not run.")
    try:
        with time_limit(limit):
            outcomes, changed = _report(*reply, exercise_id)
            feedback = judging.judge(exercise_id, seed, outcomes)
    except TimeLimitExceeded:
        return Feedback(
            exercise_id, FAILED, "the check could not judge your answer in time.", note="judge timed out"
        )
    except Exception as error:  # anything the kernel sent: nothing in it may stop the grader
        why = f"{type(error).__name__}: {str(error)[:200]}"
        return Feedback(exercise_id, FAILED, "the check could not read what your code returned.", note=why)
    note = f"replaced during the run: {', '.join(changed)}" if changed else ""
    return Feedback(exercise_id, feedback.status, feedback.message, feedback.hint, note)
