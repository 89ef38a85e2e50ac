"""Checkers, one module per notebook (``welcome`` for 00, ...).

A module registers its checkers with :func:`course.exercises.framework.exercise` and must
not import TensorFlow at module level: every module here is imported on the
first ``check`` of an unknown id.
"""
