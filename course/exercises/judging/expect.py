"""What judges expect: strict readers of a probe's plain observations, raising :class:`Wrong`.

A probe reports what the learner's code returned with
:func:`~course.exercises.probing.observe`: a dict such as
``{"type": "float", "value": 3.5}`` or ``{"type": "numpy.ndarray", "dtype":
"float64", "shape": [3, 2], "value": array}``. The helpers below check such an
observation strictly (a real number is an int or a float, never a bool, a
string or ``mock.ANY``; an array is a ``numpy.ndarray`` of numbers) and return
the value, or raise :class:`Wrong` with a message that says what is wrong
without saying how to fix it in code.
"""

import math

import numpy as np

from ...runtime import validate

NUMBER_TYPES = {
    "int",
    "float",
    "numpy.float64",
    "numpy.float32",
    "numpy.float16",
    "numpy.int64",
    "numpy.int32",
}
INTEGER_TYPES = {"int", "numpy.int64", "numpy.int32", "numpy.int16", "numpy.int8"}
ARRAY_TYPE = "numpy.ndarray"
SEQUENCE_TYPES = {"tuple", "list"}


class Wrong(ValueError):
    """Raised by a judge when the answer is wrong; the message says what is wrong."""


def described(seen):
    """A short description of an observation: "the float 2.5", "an ndarray of shape (3, 2)", ..."""
    if not isinstance(seen, dict) or not isinstance(seen.get("type"), str):
        return "something the check could not read"
    kind = seen["type"]
    short = kind.rsplit(".", 1)[-1]
    if kind == "NoneType":
        return "None"
    if "value" in seen and kind != ARRAY_TYPE:
        return f"the {short} {seen['value']!r}"
    if kind == ARRAY_TYPE:
        return f"an ndarray of shape {tuple(seen.get('shape', ()))} and dtype {seen.get('dtype')}"
    if "items" in seen:
        return f"a {short} of {seen.get('length', len(seen['items']))} items"
    if "shape" in seen:
        return f"a {kind} of shape {tuple(seen['shape'])}"
    if kind in ("function", "builtin_function_or_method", "method"):
        return "a function"
    return f"a {kind}"


def _is(seen, types):
    return isinstance(seen, dict) and seen.get("type") in types


def number(seen, what):
    """A real number (int or float, not a bool), finite."""
    validate.text(what, "what")
    if not _is(seen, NUMBER_TYPES) or isinstance(seen.get("value"), bool):
        extra = " (a TensorFlow tensor is not a number: turn it into one)" if "Tensor" in str(seen) else ""
        raise Wrong(f"{what} should be a number (int or float), got {described(seen)}{extra}.")
    value = seen["value"]
    if not math.isfinite(value):
        raise Wrong(f"{what} is {value}: a number was expected, not NaN or infinity.")
    return value


def whole_number(seen, what):
    """An int (not a bool, not a float that happens to be whole)."""
    validate.text(what, "what")
    if not _is(seen, INTEGER_TYPES) or isinstance(seen.get("value"), bool):
        raise Wrong(f"{what} should be a whole number (int), got {described(seen)}.")
    return seen["value"]


def text(seen, what):
    """A ``str``."""
    validate.text(what, "what")
    if not _is(seen, {"str"}):
        raise Wrong(f"{what} should be a string (str), got {described(seen)}.")
    return seen["value"]


def array(seen, what, shape=None):
    """A ``numpy.ndarray`` of numbers, finite, of ``shape`` when given."""
    validate.text(what, "what")
    if not _is(seen, {ARRAY_TYPE}):
        hint = (
            " (a list or a tensor is not an ndarray)" if _is(seen, SEQUENCE_TYPES) or "shape" in seen else ""
        )
        raise Wrong(f"{what} should be a NumPy array (np.ndarray), got {described(seen)}{hint}.")
    if "value" not in seen:
        raise Wrong(f"{what} should hold numbers, got {described(seen)}.")
    got = seen["value"]
    if shape is not None and tuple(got.shape) != tuple(shape):
        raise Wrong(f"{what} should have shape {tuple(shape)}, got shape {tuple(got.shape)}.")
    if got.dtype.kind == "f" and not np.all(np.isfinite(got)):
        raise Wrong(f"{what} contains NaN or infinity.")
    return got


def items(seen, names, what):
    """A tuple (or list) with one observation per name in ``names``; returns the observations."""
    validate.text(what, "what")
    if not _is(seen, SEQUENCE_TYPES) or seen.get("length") != len(names):
        raise Wrong(f"{what} should return a tuple ({', '.join(names)}), got {described(seen)}.")
    return seen["items"]


def _same(got, want, rtol, atol):
    return got.shape == want.shape and np.allclose(got, want, rtol=rtol, atol=atol)


def close(got, want, what, near_misses=None, rtol=1e-5, atol=1e-8):
    """Array ``got`` must match ``want``; a known near miss gets its own diagnosis.

    ``near_misses`` maps a diagnosis ("forgot the bias") to the array that
    mistake would give; one that equals ``want`` on these inputs is skipped. Transposed results, a wrong sign and a wrong shape are
    recognised for every answer.
    """
    validate.text(what, "what")
    got, want = np.asarray(got, dtype=float), np.asarray(want, dtype=float)
    if _same(got, want, rtol, atol):
        return got
    for diagnosis, mistake in (near_misses or {}).items():
        mistake = np.asarray(mistake, dtype=float)
        if _same(mistake, want, rtol, atol):  # on these inputs the mistake gives the right answer
            continue
        if _same(got, mistake, rtol, atol):
            raise Wrong(f"{what} is not right: it looks like you {diagnosis}.")
    if want.ndim == 2 and _same(got, want.T, rtol, atol) and want.shape != want.T.shape:
        raise Wrong(f"{what} has shape {got.shape}, expected {want.shape}: it is transposed.")
    if got.shape != want.shape:
        raise Wrong(f"{what} should have shape {want.shape}, got shape {got.shape}.")
    if np.any(want != 0) and _same(-got, want, rtol, atol):
        raise Wrong(f"{what} has the wrong sign everywhere.")
    if want.ndim == 0:
        raise Wrong(f"{what} is {got.item():.6g}, which is not right.")
    worst = np.unravel_index(np.argmax(np.abs(got - want)), want.shape)
    wrong = int(np.sum(~np.isclose(got, want, rtol=rtol, atol=atol)))
    raise Wrong(
        f"{what} is off in {wrong} of {want.size} entries; the largest difference is at index "
        f"{tuple(int(i) for i in worst)}."
    )


def equal(seen, want, what):
    """A plain value equal to ``want`` and of the same type (``1.0`` is not ``1``, ``True`` is not ``1``)."""
    validate.text(what, "what")
    kinds = {bool: {"bool"}, int: INTEGER_TYPES, float: NUMBER_TYPES, str: {"str"}}.get(type(want))
    if kinds is None:
        raise TypeError(f"want must be a bool, int, float or str, got {validate.received(want)}")
    if not _is(seen, kinds) or (type(want) is not bool and isinstance(seen.get("value"), bool)):
        raise Wrong(f"{what} should be a {type(want).__name__}, got {described(seen)}.")
    value = seen["value"]
    if isinstance(want, float) and math.isclose(value, want, rel_tol=1e-9, abs_tol=1e-12):
        return value
    if value != want:
        raise Wrong(f"{what} is {value!r}, which is not right.")
    return value
