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

import errno
import math
import os
import stat
from pathlib import Path

import numpy as np

RANK_NAMES = {0: "a scalar", 1: "a vector", 2: "a matrix"}
# Text, raw bytes and mappings: NumPy would read bytes, bytearray and memoryview as numbers
# (``np.asarray(bytearray(b"ab"))`` is ``[97, 98]``), which is never what a learner meant.
NOT_ARRAYS = (str, bytes, bytearray, memoryview, dict, set)
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


PATH_KINDS = ("file", "folder")
NAME_MAX = 255  # the longest file or folder name most file systems take (bytes)
PATH_MAX = 4096  # the longest path Linux takes (bytes)
FILE_KINDS = (
    (stat.S_ISDIR, "a folder"),
    (stat.S_ISLNK, "a symbolic link"),
    (stat.S_ISFIFO, "a FIFO (named pipe)"),
    (stat.S_ISSOCK, "a socket"),
    (stat.S_ISCHR, "a character device"),
    (stat.S_ISBLK, "a block device"),
)


def file_kind(mode):
    """What a file of ``mode`` (``st_mode``) that is not a regular file is, in words ("a FIFO (named pipe)")."""
    mode = integer(mode, "mode", minimum=0)
    return next((words for test, words in FILE_KINDS if test(mode)), "not a regular file")


def path_length_problem(as_text):
    """Why the path ``as_text`` is too long for the file system (a sentence), or None when it is not."""
    encoded = os.fsencode(as_text)
    if len(encoded) > PATH_MAX:
        return f"it is {len(encoded):,} bytes long, the most a path may have is {PATH_MAX:,}"
    longest = max(encoded.split(b"/"), key=len)
    if len(longest) > NAME_MAX:
        return f"one of its names is {len(longest):,} bytes long, the most a name may have is {NAME_MAX}"
    return None


def _shown(as_text):
    """``as_text`` for a message: quoted, and shortened when it is very long."""
    return repr(as_text) if len(as_text) <= 200 else repr(as_text[:80] + "..." + as_text[-40:])


def path(value, name, must_exist=False, kind=None):
    """``value`` as a ``Path``: a ``str`` or ``os.PathLike`` only.

    Numbers and bools are refused: ``open(2)`` would use (and then close) the
    process's own stderr. A path too long for the file system is a ValueError.

    With ``must_exist``, a missing path (or a symbolic link to nothing) raises
    FileNotFoundError, and what is there must be a regular file or a folder:
    a FIFO, socket or device (which would block or never end when read) is a
    ValueError that says it is not a regular file. So is a symbolic link loop,
    and a file or folder that cannot be read.

    ``kind`` asks for one of the two: ``"file"`` (a regular file, e.g. data to
    read) or ``"folder"``. Without ``must_exist`` the path may be missing (a
    file or folder still to be made), but what is there must be of that kind.
    """
    if not isinstance(value, (str, os.PathLike)):
        raise TypeError(f"{name} must be a path (str or pathlib.Path), got {received(value)}")
    as_text = os.fspath(value)
    if not isinstance(as_text, str):
        raise TypeError(f"{name} must be a path (str or pathlib.Path), got {received(value)}")
    if not as_text or "\x00" in as_text:
        raise ValueError(f"{name} must be a non-empty path without NUL characters, got {_shown(as_text)}")
    if kind is not None and kind not in PATH_KINDS:
        raise ValueError(f"kind must be one of {list(PATH_KINDS)} or None, got {kind!r}")
    problem = path_length_problem(as_text)
    if problem:
        raise ValueError(f"{name} is too long for the file system: {problem}, got {_shown(as_text)}")
    result = Path(as_text)
    if must_exist or kind is not None:
        _check_existing(result, name, as_text, must_exist, kind)
    return result


def _check_existing(result, name, as_text, must_exist, kind):
    """The checks of :func:`path` that look at what is on disk."""
    shown = _shown(as_text)
    try:
        mode = os.stat(result).st_mode
    except OSError as error:
        if error.errno in (errno.ENOENT, errno.ENOTDIR):
            if os.path.islink(result):
                raise FileNotFoundError(
                    f"{name}: {shown} is a symbolic link to {os.readlink(result)!r}, which does not exist"
                ) from None
            if must_exist:
                raise FileNotFoundError(f"{name}: no file or folder at {shown}") from None
            return
        if error.errno == errno.ELOOP:
            raise ValueError(
                f"{name}: {shown} is a symbolic link loop (the links point at each other)"
            ) from None
        if error.errno == errno.ENAMETOOLONG:
            raise ValueError(f"{name} is too long for the file system, got {shown}") from None
        raise ValueError(f"{name}: cannot look at {shown} ({error.strerror or error})") from None
    is_folder, is_file = stat.S_ISDIR(mode), stat.S_ISREG(mode)
    if not (is_folder or is_file):
        raise ValueError(
            f"{name}: {shown} is not a regular file, it is {file_kind(mode)}; the course reads "
            "data only from regular files (reading this one could block for ever)"
        )
    if kind == "file" and is_folder:
        raise ValueError(f"{name} must name a file, got the folder {shown}")
    if kind == "folder" and is_file:
        raise ValueError(f"{name} must be a folder, got the file {shown}")
    if must_exist and not os.access(result, os.R_OK | (os.X_OK if is_folder else 0)):
        what = "folder" if is_folder else "file"
        raise ValueError(
            f"{name}: the {what} {shown} cannot be read (permission denied): change its permissions "
            "or use a copy you can read"
        )


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
    if value is None or isinstance(value, NOT_ARRAYS) or callable(value):
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
