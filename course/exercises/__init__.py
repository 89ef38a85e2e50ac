"""Exercises and quizzes: one definition each, feedback that teaches, progress that is kept.

The modules, from the bottom up (each imports only modules above it in this list):

================  ==============================================================
``core``          statuses, the verdict (:class:`Feedback`), the exercise, ids
                  and their order, renames
``plain``         the plain data a probe returns (JSON + ``.npy``, no pickle)
``registry``      :func:`exercise` declarations, found by id (one notebook's
                  module imported per look-up)
``limits``        time limits for learner code in self-study
``shortcuts``     what an exercise asks the learner to write, disabled
``sources``       what an answer's source calls (its syntax tree)
``probing``       running learner code: read-only inputs, limits, shortcuts off
``judging/``      the judges and references, and outcomes to verdicts (never
                  in a grading sandbox)
``rendering``     verdicts and progress as text and HTML
``store``         verdicts kept in the work folder
``quizzes``       the question bank and its widgets: ``quiz("03.q1")``
``engine``        :func:`check`, :func:`evaluate`, :func:`progress`
``checks/``       every notebook's exercises and quizzes, ``nbNN_name.py``
================  ==============================================================
"""

from .core import FAILED, NOT_ATTEMPTED, PASSED, RENAMES, Feedback, current_id
from .engine import check, evaluate, judge, progress
from .probing import probe
from .quizzes import known_quiz_ids, quiz
from .registry import hints, known_ids

__all__ = [
    "FAILED",
    "NOT_ATTEMPTED",
    "PASSED",
    "RENAMES",
    "Feedback",
    "check",
    "current_id",
    "evaluate",
    "hints",
    "judge",
    "known_ids",
    "known_quiz_ids",
    "probe",
    "progress",
    "quiz",
]
