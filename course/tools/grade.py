"""``python -m course grade``: see :mod:`course.tools.grading`."""

from .grading.cli import cli

__all__ = ["cli"]
