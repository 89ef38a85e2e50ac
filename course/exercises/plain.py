"""Plain data: what a probe may hand to a judge.

A probe runs the learner's code and reports what it saw as *plain data*:
``None``, bools, ints, floats, strings, NumPy arrays of numbers or bools, and
lists and string-keyed dicts of these. Plain data crosses a process boundary
without pickle: :func:`dumps` writes it as one line of JSON text, each array as
the base64 bytes of a ``.npy`` file, and :func:`loads` reads it back
(``allow_pickle=False``). In self-study :func:`normalize` gives the judge
exactly what :func:`loads` would (tuples become lists, NumPy scalars become
Python numbers), so a verdict never depends on where the probe ran.
"""

import base64
import binascii
import io
import json
import math

import numpy as np

from ..runtime import validate

ARRAY_KEY = "__npy__"
FLOAT_KEY = "__float__"
MAX_DEPTH = 20


class NotPlain(TypeError):
    """A value that plain data cannot hold (a function, an object, an array of objects, ...)."""


def normalize(value):
    """``value`` as plain data (copied); :class:`NotPlain` naming what cannot be held."""
    return _normalize(value, 0)


def _normalize(value, depth):
    if depth > MAX_DEPTH:
        raise NotPlain(f"plain data nests at most {MAX_DEPTH} levels deep")
    if value is None or isinstance(value, (bool, str)):
        return value
    if isinstance(value, np.bool_):
        return bool(value)
    if isinstance(value, (int, np.integer)):
        return int(value)
    if isinstance(value, (float, np.floating)):
        return float(value)
    if isinstance(value, np.ndarray):
        if value.dtype == object or not (np.issubdtype(value.dtype, np.number) or value.dtype == bool):
            raise NotPlain(f"plain data holds arrays of numbers or bools, not of dtype {value.dtype}")
        if np.iscomplexobj(value):
            raise NotPlain("plain data holds real arrays, not complex ones")
        return np.array(value, copy=True)
    if isinstance(value, (list, tuple)):
        return [_normalize(item, depth + 1) for item in value]
    if isinstance(value, dict):
        if not all(isinstance(key, str) for key in value):
            raise NotPlain("plain data dicts have string keys")
        return {key: _normalize(item, depth + 1) for key, item in value.items()}
    raise NotPlain(f"plain data cannot hold a {type(value).__name__}")


def _encode(value):
    if isinstance(value, np.ndarray):
        buffer = io.BytesIO()
        np.save(buffer, value, allow_pickle=False)
        return {ARRAY_KEY: base64.b64encode(buffer.getvalue()).decode("ascii")}
    if isinstance(value, float) and not math.isfinite(value):
        return {FLOAT_KEY: repr(value)}
    if isinstance(value, list):
        return [_encode(item) for item in value]
    if isinstance(value, dict):
        if ARRAY_KEY in value or FLOAT_KEY in value:
            raise NotPlain(f"plain data dicts cannot use the reserved keys {ARRAY_KEY!r} or {FLOAT_KEY!r}")
        return {key: _encode(item) for key, item in value.items()}
    return value


def dumps(value):
    """Plain ``value`` as one line of JSON text (arrays as base64 ``.npy`` bytes, no pickle)."""
    return json.dumps(_encode(normalize(value)), allow_nan=False)


def _decode(value):
    if isinstance(value, list):
        return [_decode(item) for item in value]
    if isinstance(value, dict):
        if set(value) == {ARRAY_KEY}:
            raw = base64.b64decode(value[ARRAY_KEY], validate=True)
            return np.load(io.BytesIO(raw), allow_pickle=False)
        if set(value) == {FLOAT_KEY}:
            return float(value[FLOAT_KEY])
        if ARRAY_KEY in value or FLOAT_KEY in value:
            raise ValueError(f"a dict that holds the reserved key {ARRAY_KEY!r} or {FLOAT_KEY!r} with others")
        return {key: _decode(item) for key, item in value.items()}
    return value


def loads(text):
    """The plain data :func:`dumps` wrote; ValueError when ``text`` is not plain data."""
    validate.text(text, "text", allow_empty=True)
    try:
        return normalize(_decode(json.loads(text)))
    except (ValueError, TypeError, binascii.Error) as error:  # JSON, base64, .npy (object arrays refused)
        raise ValueError(f"not plain data: {type(error).__name__}: {str(error)[:200]}") from None
