"""Plain data: what a probe may hand to a judge.

A probe runs the learner's code and reports what it saw as *plain data*:
``None``, bools, ints, floats, strings, NumPy arrays of numbers or bools, and
lists and string-keyed dicts of these. Plain data crosses a process boundary
without pickle: :func:`dump` writes it as one JSON file plus one ``.npy`` file
per array, and :func:`load` reads it back (``allow_pickle=False``). In
self-study :func:`normalize` gives the judge exactly what :func:`load` would
(tuples become lists, NumPy scalars become Python numbers), so a verdict never
depends on where the probe ran.
"""

import json
import math
from pathlib import Path

import numpy as np

from ..runtime import validate

ARRAY_KEY = "__npy__"
DATA_FILE = "data.json"
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


def _encode(value, arrays):
    if isinstance(value, np.ndarray):
        arrays.append(value)
        return {ARRAY_KEY: f"{len(arrays) - 1}.npy"}
    if isinstance(value, float) and not math.isfinite(value):
        return {"__float__": repr(value)}
    if isinstance(value, list):
        return [_encode(item, arrays) for item in value]
    if isinstance(value, dict):
        if ARRAY_KEY in value or "__float__" in value:
            raise NotPlain(f"plain data dicts cannot use the reserved keys {ARRAY_KEY!r} or '__float__'")
        return {key: _encode(item, arrays) for key, item in value.items()}
    return value


def dump(value, folder):
    """Write plain ``value`` into ``folder`` (created) as ``data.json`` and ``N.npy`` files."""
    folder = validate.path(folder, "folder")
    arrays = []
    encoded = _encode(normalize(value), arrays)
    folder.mkdir(parents=True, exist_ok=True)
    for number, array in enumerate(arrays):
        np.save(folder / f"{number}.npy", array, allow_pickle=False)
    (folder / DATA_FILE).write_text(json.dumps(encoded, allow_nan=False), encoding="utf-8")
    return folder


def _decode(value, folder):
    if isinstance(value, list):
        return [_decode(item, folder) for item in value]
    if isinstance(value, dict):
        if set(value) == {ARRAY_KEY}:
            name = value[ARRAY_KEY]
            if not isinstance(name, str) or Path(name).name != name or not name.endswith(".npy"):
                raise ValueError(f"plain data in {folder} names an array file {name!r} outside its folder")
            return np.load(folder / name, allow_pickle=False)
        if set(value) == {"__float__"}:
            return float(value["__float__"])
        return {key: _decode(item, folder) for key, item in value.items()}
    return value


def load(folder):
    """Read what :func:`dump` wrote; ValueError when the files are not plain data."""
    folder = validate.path(folder, "folder", must_exist=True)
    source = folder / DATA_FILE
    if not source.is_file():
        raise FileNotFoundError(f"no {DATA_FILE} in {folder}")
    try:
        return _decode(json.loads(source.read_text(encoding="utf-8")), folder)
    except (json.JSONDecodeError, UnicodeDecodeError, OSError) as error:
        raise ValueError(f"{source} is not plain data: {error}") from None
