"""Argument checks: one error policy for every public function of the course.

=====================  ========================================================
wrong type             ``TypeError``
wrong value or shape   ``ValueError``
missing file           ``FileNotFoundError``
=====================  ========================================================

Each message names the parameter, what was expected and what was received::

    >>> integer(2.5, "steps", minimum=1)
    Traceback (most recent call last):
    TypeError: steps must be an int, got float 2.5

Every checker returns the checked value in a convenient form (an ``int``, a
``float``, a ``Path``, a NumPy array), so a function starts with one line per
argument: ``x = array(x, "x", ndim=2)``.
"""

import math
import os
from pathlib import Path

import numpy as np

RANK_NAMES = {0: "a scalar", 1: "a vector", 2: "a matrix"}
MAX_ELEMENTS = 10**8  # the most array elements a course function will allocate (about 800 MB of float64)


def received(value):
    """A short description of ``value`` for an error message: its type, and its value when short."""
    if isinstance(value, np.ndarray):
        return f"an array of dtype {value.dtype} and shape {value.shape}"
    shown = _short_repr(value)
    kind = type(value).__name__
    return f"{kind} {shown}" if shown is not None else kind


def _short_repr(value):
    try:
        text = repr(value)
    except Exception:  # an object whose repr raises is described by its type alone
        return None
    return text if len(text) <= 40 else None


def _is_int(value):
    return isinstance(value, (int, np.integer)) and not isinstance(value, (bool, np.bool_))


def _is_real(value):
    return isinstance(value, (int, float, np.integer, np.floating)) and not isinstance(
        value, (bool, np.bool_)
    )


def _range_text(minimum, maximum):
    if minimum is not None and maximum is not None:
        return f"between {minimum} and {maximum}"
    if minimum is not None:
        return f">= {minimum}"
    return f"<= {maximum}"


def integer(value, name, minimum=None, maximum=None):
    """``value`` as an ``int`` (bools refused), within ``[minimum, maximum]`` when given."""
    if not _is_int(value):
        raise TypeError(f"{name} must be an int, got {received(value)}")
    value = int(value)
    if (minimum is not None and value < minimum) or (maximum is not None and value > maximum):
        raise ValueError(f"{name} must be {_range_text(minimum, maximum)}, got {value}")
    return value


def number(value, name, minimum=None, maximum=None, positive=False):
    """``value`` as a finite ``float`` (bools refused); ``positive`` means strictly above 0."""
    if not _is_real(value):
        raise TypeError(f"{name} must be a number, got {received(value)}")
    value = float(value)
    if not math.isfinite(value):
        raise ValueError(f"{name} must be a finite number, got {value}")
    if positive and value <= 0:
        raise ValueError(f"{name} must be > 0, got {value}")
    if (minimum is not None and value < minimum) or (maximum is not None and value > maximum):
        raise ValueError(f"{name} must be {_range_text(minimum, maximum)}, got {value}")
    return value


def fraction(value, name):
    """``value`` as a float in ``[0, 1)``: a decay rate such as momentum, rho or Adam's betas."""
    value = number(value, name)
    if not 0 <= value < 1:
        raise ValueError(f"{name} must be >= 0 and < 1, got {value}")
    return value


def boolean(value, name):
    """``value``, which must be ``True`` or ``False`` (a NumPy bool too)."""
    if not isinstance(value, (bool, np.bool_)):
        raise TypeError(f"{name} must be True or False, got {received(value)}")
    return bool(value)


def text(value, name, allow_empty=False):
    """``value`` as a ``str`` (non-empty unless ``allow_empty``)."""
    if not isinstance(value, str):
        raise TypeError(f"{name} must be a string, got {received(value)}")
    if not allow_empty and not value.strip():
        raise ValueError(f"{name} must not be empty")
    return value


def choice(value, name, options):
    """``value``, which must be one of ``options`` (compared with ``==``)."""
    options = list(options)
    kinds = tuple({type(option) for option in options if option is not None})
    if value is not None and kinds and not isinstance(value, kinds):
        raise TypeError(f"{name} must be one of {options}, got {received(value)}")
    if value not in options:
        raise ValueError(f"{name} must be one of {options}, got {value!r}")
    return value


def function(value, name):
    """``value``, which must be callable."""
    if not callable(value):
        raise TypeError(f"{name} must be a function, got {received(value)}")
    return value


def path(value, name, must_exist=False):
    """``value`` as a ``Path``: a ``str`` or ``os.PathLike`` only.

    Numbers and bools are refused: ``open(2)`` would use (and then close) the
    process's own stderr. With ``must_exist``, a missing path raises FileNotFoundError.
    """
    if not isinstance(value, (str, os.PathLike)):
        raise TypeError(f"{name} must be a path (str or pathlib.Path), got {received(value)}")
    as_text = os.fspath(value)
    if not isinstance(as_text, str):
        raise TypeError(f"{name} must be a path (str or pathlib.Path), got {received(value)}")
    if not as_text or "\x00" in as_text:
        raise ValueError(f"{name} must be a non-empty path without NUL characters, got {as_text!r}")
    result = Path(as_text)
    if must_exist and not result.exists():
        raise FileNotFoundError(f"{name}: no file or folder at {as_text!r}")
    return result


def integers(value, name, minimum=None):
    """``value`` as a tuple of ints, each ``>= minimum`` when given (an int ``n`` means ``(n,)``)."""
    if _is_int(value):
        value = (value,)
    if not isinstance(value, (tuple, list)) or not all(_is_int(n) for n in value):
        raise TypeError(f"{name} must be a tuple of whole numbers like (32, 10), got {received(value)}")
    if minimum is not None and any(n < minimum for n in value):
        raise ValueError(f"{name} must hold whole numbers >= {minimum}, got {tuple(value)}")
    return tuple(int(n) for n in value)


def shape(value, name):
    """``value`` as a shape: a tuple of non-negative ints (an int ``n`` means ``(n,)``)."""
    return integers(value, name, minimum=0)


def items(value, name, kind, expected):
    """``value`` as a list whose every item is a ``kind`` (described as ``expected`` in messages)."""
    if not isinstance(value, (tuple, list)):
        raise TypeError(f"{name} must be a list, each item {expected}; got {received(value)}")
    for index, item in enumerate(value):
        if not isinstance(item, kind):
            raise TypeError(f"{name}[{index}] must be {expected}, got {received(item)}")
    return list(value)


def pair(value, name, minimum=1):
    """``value`` as a pair of ints ``>= minimum``; a single int ``n`` means ``(n, n)``."""
    values = (value, value) if _is_int(value) else value
    if not isinstance(values, (tuple, list)) or len(values) != 2 or not all(_is_int(v) for v in values):
        raise TypeError(f"{name} must be an int or a pair of ints, got {received(value)}")
    if any(v < minimum for v in values):
        raise ValueError(f"{name} must be >= {minimum}, got {tuple(values)}")
    return int(values[0]), int(values[1])


def rank_text(ndim):
    return f"{ndim}-D ({RANK_NAMES[ndim]})" if ndim in RANK_NAMES else f"{ndim}-D"


def array(value, name, ndim=None, min_ndim=0, finite=False, allow_bool=True):
    """``value`` as a NumPy array of real numbers.

    TypeError for what is not numbers (None, text, dicts, ragged lists, complex
    or object arrays); ValueError for a wrong rank (``ndim``: an int or a tuple
    of allowed ranks), for NaN or infinity when ``finite``, and for arrays
    larger than :data:`MAX_ELEMENTS`.
    """
    if value is None or isinstance(value, (str, bytes, dict, set)) or callable(value):
        raise TypeError(f"{name} must be an array of numbers, got {received(value)}")
    try:
        result = np.asarray(value)
    except Exception as error:  # ragged lists, objects whose __array__ raises
        raise TypeError(
            f"{name} must be an array of numbers, got {type(value).__name__} that NumPy cannot read ({type(error).__name__})"
        ) from None
    numeric = np.issubdtype(result.dtype, np.integer) or np.issubdtype(result.dtype, np.floating)
    if not (numeric or (allow_bool and result.dtype == bool)):
        raise TypeError(f"{name} must be an array of real numbers, got an array of dtype {result.dtype}")
    allowed = (ndim,) if _is_int(ndim) else ndim
    if allowed is not None and result.ndim not in allowed:
        wanted = " or ".join(rank_text(n) for n in allowed)
        raise ValueError(f"{name} must be {wanted}, got a {result.ndim}-D array of shape {result.shape}")
    if result.ndim < min_ndim:
        raise ValueError(f"{name} must have at least {min_ndim} axes, got shape {result.shape}")
    if result.size > MAX_ELEMENTS:
        raise ValueError(
            f"{name} is too large: {result.size:,} elements, the course handles at most {MAX_ELEMENTS:,}"
        )
    if finite and np.issubdtype(result.dtype, np.floating) and not np.all(np.isfinite(result)):
        raise ValueError(f"{name} must hold finite numbers, got NaN or infinity")
    return result


def same_length(a, b, name_a, name_b):
    """Raise ValueError unless ``len(a) == len(b)``."""
    if len(a) != len(b):
        raise ValueError(f"{name_a} and {name_b} must have the same length, got {len(a)} and {len(b)}")


def size_limit(count, name, limit):
    """Raise ValueError when ``count`` exceeds ``limit`` (work that would not end in reasonable time)."""
    if count > limit:
        raise ValueError(f"{name} is {count:,}; the most this function handles is {limit:,}")
    return count
