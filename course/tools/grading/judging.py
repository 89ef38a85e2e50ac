"""Judging in the grader's process: read what each probe exported, decide the verdict.

Only the folder ``<exercise id>-<seed>`` of each restored check is read, with
the seed the grader drew for this run; anything else the kernel wrote counts
for nothing. The data is loaded with :func:`course.exercises.plain.load` (JSON
and ``.npy``, no pickle) after a size check, and each judge runs under a time
limit. Whatever the folder holds, a verdict comes out: data that is missing,
too big, malformed or that makes a judge raise gives a plain verdict and a
note for the teacher, never an exception in the grader.
"""

from ...exercises import judging, plain
from ...exercises.core import FAILED, NOT_ATTEMPTED, Feedback
from ...exercises.limits import TimeLimitExceeded, time_limit

MAX_EXPORT_BYTES = 64_000_000
JUDGE_SECONDS = 30


def _size(folder):
    return sum(p.stat().st_size for p in folder.iterdir() if p.is_file() and not p.is_symlink())


def _read(folder, exercise_id):
    """The outcomes a probe exported and the machinery it found replaced; ValueError when unusable."""
    if not folder.is_dir() or folder.is_symlink():
        return None, []
    if any(p.is_symlink() for p in folder.iterdir()):
        raise ValueError("the export holds symbolic links")
    if _size(folder) > MAX_EXPORT_BYTES:
        raise ValueError(f"the export is larger than {MAX_EXPORT_BYTES} bytes")
    report = plain.load(folder)
    if not isinstance(report, dict) or report.get("exercise") != exercise_id:
        raise ValueError("the export is not a report of this exercise")
    outcomes, changed = report.get("outcomes"), report.get("changed", [])
    if not isinstance(changed, list):
        raise ValueError("the export's list of changes is not a list")
    return outcomes, [str(c)[:120] for c in changed[:20]]


def judge(exercise_id, seed, export_folder, limit=JUDGE_SECONDS):
    """The verdict (a Feedback with a note for the teacher) of one exercise from ``export_folder/<id>-<seed>``."""
    folder = export_folder / f"{exercise_id}-{seed}"
    try:
        with time_limit(limit):
            outcomes, changed = _read(folder, exercise_id)
            if outcomes is None:
                return Feedback(exercise_id, NOT_ATTEMPTED, "this check did not run.")
            feedback = judging.judge(exercise_id, seed, outcomes)
    except TimeLimitExceeded:
        return Feedback(
            exercise_id, FAILED, "the check could not judge your answer in time.", note="judge timed out"
        )
    except Exception as error:  # anything the kernel wrote: nothing in it may stop the grader
        why = f"{type(error).__name__}: {str(error)[:200]}"
        return Feedback(exercise_id, FAILED, "the check could not read what your code returned.", note=why)
    note = f"replaced during the run: {', '.join(changed)}" if changed else ""
    return Feedback(exercise_id, feedback.status, feedback.message, feedback.hint, note)
