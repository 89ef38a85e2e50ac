"""Running the learner's code: the probe half of an exercise.

Everything that touches the learner's answer happens here, and everything that
comes out is plain data (:mod:`.plain`), so that the same probe runs in a
learner's kernel and in a grading sandbox, while the judge runs elsewhere.

* :func:`protect` hands the learner read-only copies of the inputs, so an answer
  that changes its inputs in place is caught instead of changing the reference.
* :func:`observe` describes any returned value as plain data, never raising.
* :func:`run` runs one exercise's probe on every case, with the exercise's
  shortcuts disabled (:mod:`.shortcuts`) and its time limit (:mod:`.limits`),
  and returns one outcome per case; :func:`probe` draws the cases first.
"""

import time
from contextlib import suppress

import numpy as np

from ..runtime import validate
from .core import Exercise
from .limits import AlarmSwitchedOff, TimeLimitExceeded, call_with_time_limit
from .plain import NotPlain, normalize
from .registry import draw_cases, lookup
from .shortcuts import ShortcutUsed, disabled
from .sources import source_uses

MAX_OBSERVED_ELEMENTS = 1_000_000
MAX_OBSERVED_ITEMS = 100
MAX_TEXT = 300
PRIVATE = "_"  # a case's keys that begin with this are for the judge only (see visible)


# ---------------------------------------------------------------------------
# Describing values as plain data
# ---------------------------------------------------------------------------


MAX_CONFIG_DEPTH = 10  # a config nested deeper than this is observed, not copied


def type_name(value):
    """``module.Class`` of ``value`` (just ``Class`` for builtins). Never raises."""
    cls = type(value)
    module = getattr(cls, "__module__", "") or ""
    return cls.__qualname__ if module == "builtins" else f"{module}.{cls.__qualname__}"


def _short(text):
    text = str(text)
    return text if len(text) <= MAX_TEXT else text[: MAX_TEXT - 3] + "..."


def observe(value, _depth=0):
    """What ``value`` is, as plain data: ``{"type": ..., "value"/"items"/"shape"...}``. Never raises.

    Numbers, strings and bools keep their value; arrays keep dtype, shape and
    (up to a million elements) their values; lists and tuples keep up to 100
    observed items; anything else is described by its type name alone.
    """
    try:
        return _observe(value, _depth)
    except (Exception, SystemExit):
        return {"type": type_name(value)}


def _observe(value, depth):
    kind = type_name(value)
    if (
        value is None
        or isinstance(value, (bool, int, float, np.bool_, np.number))
        and not isinstance(value, (complex, np.complexfloating))
    ):
        return {"type": kind, "value": normalize(value)}
    if isinstance(value, str):
        return {"type": kind, "value": _short(value)}
    if isinstance(value, np.ndarray):
        seen = {"type": kind, "dtype": str(value.dtype), "shape": [int(n) for n in value.shape]}
        numeric = value.dtype != object and (np.issubdtype(value.dtype, np.number) or value.dtype == bool)
        if numeric and not np.iscomplexobj(value) and value.size <= MAX_OBSERVED_ELEMENTS:
            seen["value"] = np.array(value, copy=True)
        return seen
    if isinstance(value, (list, tuple)) and depth < 3:
        return {
            "type": kind,
            "length": len(value),
            "items": [observe(item, depth + 1) for item in list(value)[:MAX_OBSERVED_ITEMS]],
        }
    shape = getattr(value, "shape", None)  # a tensor: report its shape, not its values
    if shape is not None and not callable(shape):
        with suppress(Exception):
            return {"type": kind, "shape": [int(n) for n in tuple(shape)]}
    return {"type": kind}


def visible(case):
    """The part of a case that the learner's code may see: without its keys that begin with ``_``.

    A case can carry what only its judge may know (the labels of test images, say) under such
    keys; the probe, in self-study and in a grading sandbox alike, never receives them.
    """
    if not isinstance(case, dict):
        raise TypeError(f"case must be a dict of plain data, got {validate.received(case)}")
    return {key: value for key, value in case.items() if not key.startswith(PRIVATE)}


def plain_config(value, _depth=0):
    """A Keras config (``layer.get_config()``) as plain data: dicts and lists kept, a leaf that
    plain data cannot hold observed, a nesting deeper than MAX_CONFIG_DEPTH observed. Never raises."""
    if isinstance(value, dict) and _depth < MAX_CONFIG_DEPTH:
        return {str(key): plain_config(item, _depth + 1) for key, item in value.items()}
    if isinstance(value, (list, tuple)) and _depth < MAX_CONFIG_DEPTH:
        return [plain_config(item, _depth + 1) for item in value]
    try:
        return normalize(value)
    except Exception:  # an object, or a nesting too deep: its observation stands for it
        return observe(value)


def protect(value):
    """A copy of plain ``value`` whose arrays are read-only (deep, so the original stays pristine)."""
    value = normalize(value)
    return _freeze(value)


def _freeze(value):
    if isinstance(value, np.ndarray):
        value.flags.writeable = False
    elif isinstance(value, list):
        for item in value:
            _freeze(item)
    elif isinstance(value, dict):
        for item in value.values():
            _freeze(item)
    return value


# ---------------------------------------------------------------------------
# One probe run
# ---------------------------------------------------------------------------


def _raised(error):
    return {"raised": {"type": type(error).__name__, "message": _short(_safe_str(error))}}


def _safe_str(error):
    try:
        return str(error)
    except (Exception, SystemExit):
        return ""


def run(exercise, answer, cases):
    """The probe half: one plain outcome per case, stopping at the first that is not ``ok``.

    An outcome is one of ``{"ok": data}``, ``{"stub": True}``, ``{"timeout": s}``,
    ``{"shortcut": name}``, ``{"alarm_off": True}`` (the code switched the time limit off),
    ``{"raised": {"type", "message"}}`` or
    ``{"unreadable": why}`` (the probe could not describe what came back), or,
    decided before any case runs, ``{"wrong_kind": observation}``.
    Only KeyboardInterrupt goes through; the whole run shares ``exercise.time_limit``.
    """
    if not isinstance(exercise, Exercise):
        raise TypeError(f"exercise must be an Exercise, got {validate.received(exercise)}")
    if not isinstance(cases, list):
        raise TypeError(f"cases must be a list of plain-data cases, got {validate.received(cases)}")
    try:
        first = _first_look(exercise, answer)
    except KeyboardInterrupt:
        raise
    except BaseException as error:  # an answer whose very type check raises
        first = _raised(error)
    if first is not None:
        return [first]
    outcomes = []
    deadline = time.monotonic() + exercise.time_limit
    for case in cases:
        outcome = _run_case(exercise, answer, case, deadline)
        outcomes.append(outcome)
        if "ok" not in outcome:
            break
    return outcomes


def _first_look(exercise, answer):
    """An outcome decided before running anything: a stub, the wrong kind of answer, a shortcut."""
    if answer is Ellipsis or (type(answer) in (list, tuple) and any(item is Ellipsis for item in answer)):
        return {"stub": True}
    if exercise.answer == "function" and (not callable(answer) or isinstance(answer, type)):
        return {"wrong_kind": observe(answer)}
    if exercise.answer == "class" and not isinstance(answer, type):
        return {"wrong_kind": observe(answer)}
    for shortcut in exercise.shortcuts:
        if _is_or_extends(answer, shortcut.resolve()[2]):
            return {"shortcut": shortcut.name}
    if exercise.forbidden_in_source and exercise.answer != "value":
        used = source_uses(answer, exercise.forbidden_in_source, exercise.forbidden_in_source)
        if used:
            return {"shortcut": used}
    return None


def _is_or_extends(answer, target):
    """Whether the answer is ``target`` itself, or a class built on class ``target``."""
    if target is None:
        return False
    if answer is target:
        return True
    return isinstance(answer, type) and isinstance(target, type) and issubclass(answer, target)


def _run_case(exercise, answer, case, deadline):
    left = deadline - time.monotonic()
    if left <= 0:
        return {"timeout": exercise.time_limit}
    try:
        with disabled(exercise.shortcuts):
            data = call_with_time_limit(lambda: exercise.probe(answer, protect(visible(case))), left)
        return {"ok": normalize(data)}
    except KeyboardInterrupt:
        raise
    except TimeLimitExceeded:
        return {"timeout": exercise.time_limit}
    except AlarmSwitchedOff:
        return {"alarm_off": True}
    except ShortcutUsed as used:
        return {"shortcut": _short(used.args[0] if used.args else "a disabled function")}
    except NotImplementedError:
        return {"stub": True}
    except NotPlain as error:
        return {"unreadable": _short(_safe_str(error))}
    except RecursionError:
        return {"raised": {"type": "RecursionError", "message": "maximum recursion depth exceeded"}}
    except BaseException as error:  # SystemExit, GeneratorExit and anything else the learner raises
        return _raised(error)


def probe(exercise_id, answer, seed):
    """The outcomes of ``answer`` on the cases of ``exercise_id`` drawn from ``seed`` (see :func:`run`)."""
    ex = lookup(exercise_id)
    return run(ex, answer, draw_cases(ex, seed))
