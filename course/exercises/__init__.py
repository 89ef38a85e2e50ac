"""Exercises and quizzes: one definition each, feedback that teaches, progress that is kept.

================  ==============================================================
``framework``     :func:`exercise` definitions, :func:`check`/:func:`evaluate`, and
                  the two halves a grader runs apart: :func:`probe`, :func:`judge`
``probing``       running learner code: read-only inputs, time limit, shortcuts off
``judging``       helpers for judges (:class:`Wrong`, strict types, diagnoses)
``plain``         the plain data a probe returns, as JSON + ``.npy`` files
``quizzes``       the question bank and its widgets: ``quiz("03.q1")``
``store``         verdicts kept in the work folder; :func:`progress` shows them
``checks/``       every notebook's exercises and quizzes, one module per notebook
================  ==============================================================
"""

from .framework import (
    FAILED,
    NOT_ATTEMPTED,
    PASSED,
    RENAMES,
    Feedback,
    check,
    current_id,
    evaluate,
    hints,
    judge,
    known_ids,
    probe,
)
from .quizzes import known_quiz_ids, quiz
from .store import progress

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
