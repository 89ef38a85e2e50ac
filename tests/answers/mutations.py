"""Mistakes made from a right answer: the families that any exercise can be tried against.

Each function takes a correct answer (a function) and returns a :class:`Mistake` row for an
answer table, named for the mistake a learner makes. Write a mistake by hand where it is
particular to the exercise (an off-by-one in a loop, a wrong axis); use these for the families
that every exercise should catch::

    from . import mutations

    Table(
        mistakes=(
            mutations.transposed(matrix_dot, diagnosis="it is transposed"),
            mutations.writes_into_input(matrix_dot),
            mutations.right_for_one_input(matrix_dot, diagnosis="for inputs with"),
            ...
        ),
        correct=(...),
    )

A diagnosis is the phrase that the check's message must contain; where the engine words a family
the same way for every exercise (an input changed in place), it is the default.
"""

import copy
import functools

import numpy as np

from . import Mistake

IN_PLACE = "changes one of its input arrays in place"


def _like(fn, name, answer, diagnosis):
    functools.update_wrapper(answer, fn, assigned=("__module__", "__doc__"), updated=())
    answer.__name__ = answer.__qualname__ = f"{getattr(fn, '__name__', 'answer')}_{name.replace(' ', '_')}"
    return Mistake(name, answer, diagnosis)


def transposed(fn, diagnosis, name="result transposed"):
    """The right numbers, with the result's axes reversed (a matrix read column by column)."""
    return _like(fn, name, lambda *args, **kwargs: np.transpose(fn(*args, **kwargs)), diagnosis)


def writes_into_input(fn, argument=0, diagnosis=IN_PLACE, name="writes into its input"):
    """The right result, but one number of the input array ``argument`` is changed on the way."""

    def answer(*args, **kwargs):
        result = fn(*copy.deepcopy(args), **copy.deepcopy(kwargs))
        array = args[argument]
        array.flat[0] = array.flat[0] + 1 if array.flat[0] == 0 else -array.flat[0]
        return result

    return _like(fn, name, answer, diagnosis)


def swaps_arguments(fn, diagnosis, first=0, second=1, name="arguments swapped"):
    """The arguments at positions ``first`` and ``second`` taken in the other order."""

    def answer(*args, **kwargs):
        args = list(args)
        args[first], args[second] = args[second], args[first]
        return fn(*args, **kwargs)

    return _like(fn, name, answer, diagnosis)


def ignores_argument(fn, argument, value, diagnosis, name=None):
    """The argument at position ``argument`` replaced by a fixed ``value`` (the notebook's, say)."""

    def answer(*args, **kwargs):
        args = list(args)
        args[argument] = value
        return fn(*args, **kwargs)

    return _like(fn, name or f"ignores argument {argument}", answer, diagnosis)


def right_for_one_input(fn, diagnosis, name="right for one input only"):
    """What ``fn`` gives for the first input it ever sees, returned for every input after it:
    an answer written down for the notebook's example instead of computed. A check that tries one
    case per seed lets it pass the first time."""
    first = []

    def answer(*args, **kwargs):
        if not first:
            first.append(fn(*args, **kwargs))
        return copy.deepcopy(first[0])

    return _like(fn, name, answer, diagnosis)


def changes_dtype(fn, dtype, diagnosis, name=None):
    """The right numbers in another dtype (floats for counts or pixels, float64 for float32)."""
    return _like(
        fn,
        name or f"returns {np.dtype(dtype).name}",
        lambda *args, **kwargs: np.asarray(fn(*args, **kwargs)).astype(dtype),
        diagnosis,
    )


def scaled(fn, factor, diagnosis, name=None):
    """The right result times a constant: a mean where a sum is due, a factor 2 forgotten."""
    return _like(
        fn, name or f"scaled by {factor}", lambda *args, **kwargs: fn(*args, **kwargs) * factor, diagnosis
    )
