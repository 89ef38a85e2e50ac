"""Exercises: checks with feedback, widget quizzes, and one checker module per notebook.

================  ==============================================================
``framework``     the registry, ``check``/``evaluate``, :class:`Feedback`, and the
                  ``expect_*`` helpers checkers are written with
``quizzes``       multiple-choice and "predict the shape" widgets
``checks/``       the checkers, one module per notebook (``welcome`` for 00, ...)
================  ==============================================================

Notebooks use ``course.check(id, answer)`` and the quiz classes below.
"""

from .framework import FAILED, NOT_ATTEMPTED, PASSED, Feedback, check, evaluate, known_ids, results
from .quizzes import MultipleChoice, PredictShape

__all__ = [
    "FAILED",
    "NOT_ATTEMPTED",
    "PASSED",
    "Feedback",
    "MultipleChoice",
    "PredictShape",
    "check",
    "evaluate",
    "known_ids",
    "results",
]
