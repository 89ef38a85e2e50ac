"""Running the learner's code: the probe half of an exercise.

Everything that touches the learner's answer happens here, and everything that
comes out is plain data (:mod:`.plain`), so that the same probe can run inside
a grading sandbox while the judge runs elsewhere.

* :func:`protect` hands the learner read-only copies of the inputs, so an answer
  that changes its inputs in place is caught instead of changing the reference.
* :func:`time_limit` stops learner code after a number of seconds.
* :class:`Shortcut` disables, while the probe runs, what an exercise asks the
  learner to write themselves: the package's own version (every reference to it,
  even one imported earlier) or a library function; :func:`source_uses` finds an
  operator such as ``@`` in the learner's source.
* :func:`observe` describes any returned value as plain data, never raising.
* :func:`run` puts these together for one exercise and returns one outcome per
  input case.
"""

import ctypes
import importlib
import inspect
import io
import signal
import sys
import threading
import time
import tokenize
from contextlib import contextmanager, suppress
from dataclasses import dataclass

import numpy as np

from ..runtime import validate
from .plain import NotPlain, normalize

MAX_OBSERVED_ELEMENTS = 1_000_000
MAX_OBSERVED_ITEMS = 100
MAX_TEXT = 300
RETRY_SECONDS = 0.05


class TimeLimitExceeded(BaseException):
    """Learner code ran past its time limit (a BaseException: ``except Exception`` cannot swallow it)."""


class ShortcutUsed(BaseException):
    """The learner's code called something the exercise asks them to write themselves."""


# ---------------------------------------------------------------------------
# Describing values as plain data
# ---------------------------------------------------------------------------


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
# Time limits
# ---------------------------------------------------------------------------


def _alarm_usable():
    return hasattr(signal, "setitimer") and threading.current_thread() is threading.main_thread()


@contextmanager
def time_limit(seconds):
    """Raise :class:`TimeLimitExceeded` in the block after ``seconds`` (SIGALRM, main thread).

    An alarm set by an outer caller is kept: if it is due first, its own
    handler runs; after the block it is re-armed with the time it had left.
    """
    if not _alarm_usable():
        yield
        return
    started = time.monotonic()
    outer_handler = signal.getsignal(signal.SIGALRM)
    outer_left, _ = signal.getitimer(signal.ITIMER_REAL)
    outer_first = 0 < outer_left <= seconds

    def on_alarm(signum, frame):
        if outer_first and callable(outer_handler):
            outer_handler(signum, frame)
        # Fire again soon: an exception raised inside a __del__ or a callback is swallowed.
        signal.setitimer(signal.ITIMER_REAL, RETRY_SECONDS)
        raise TimeLimitExceeded(seconds)

    signal.signal(signal.SIGALRM, on_alarm)
    signal.setitimer(signal.ITIMER_REAL, outer_left if outer_first else seconds)
    try:
        yield
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, outer_handler)
        if outer_left > 0:
            signal.setitimer(signal.ITIMER_REAL, max(outer_left - (time.monotonic() - started), 0.001))


def call_with_time_limit(function, seconds):
    """``function()`` stopped after ``seconds``: by SIGALRM in the main thread, else in a worker thread."""
    validate.function(function, "function")
    seconds = validate.number(seconds, "seconds", minimum=0.001)
    if _alarm_usable():
        with time_limit(seconds):
            return function()
    box = {}

    def work():
        try:
            box["value"] = function()
        except BaseException as error:  # handed back to the caller's thread below
            box["error"] = error

    worker = threading.Thread(target=work, daemon=True)
    worker.start()
    worker.join(seconds)
    if worker.is_alive():  # interrupt pure-Python code; C code finishes on its own, abandoned
        ctypes.pythonapi.PyThreadState_SetAsyncExc(
            ctypes.c_ulong(worker.ident), ctypes.py_object(TimeLimitExceeded)
        )
        raise TimeLimitExceeded(seconds)
    if "error" in box:
        raise box["error"]
    return box.get("value")


# ---------------------------------------------------------------------------
# Shortcuts: what an exercise asks the learner to write themselves
# ---------------------------------------------------------------------------


def _refuse(*args, **kwargs):
    import sys as system  # this code runs with the disabled function's globals: import what it needs

    import course.exercises.probing as probing

    raise probing.ShortcutUsed(system._getframe().f_code.co_name)


@dataclass(frozen=True)
class Shortcut:
    """``target`` ("module:name", "module:Class" or "module:attribute.path") is disabled while the probe runs.

    ``label`` is what the learner reads ("course.autodiff.optim.momentum_step").
    A Python function is disabled by swapping its code, so every reference to it
    stops working, including one imported before the check. A class is disabled
    by replacing its ``__init__``. Anything else (a builtin such as ``numpy.dot``,
    a closure, a TensorFlow op) is replaced on the object that holds it. With
    ``only_if_loaded``, a library the learner's session has not imported is left
    alone (importing TensorFlow just to disable one of its functions takes seconds),
    and so is an attribute that this version of the library lacks.
    """

    target: str
    label: str = ""
    only_if_loaded: bool = False

    def resolve(self):
        """``(holder, attribute, thing)``; ``(None, None, None)`` when ``only_if_loaded`` and it is absent."""
        module_name, _, path = self.target.partition(":")
        if self.only_if_loaded and module_name not in sys.modules:
            return None, None, None
        holder, attribute, thing = None, None, importlib.import_module(module_name)
        for part in path.split("."):
            holder, attribute = thing, part
            thing = getattr(holder, part, None) if self.only_if_loaded else getattr(holder, part)
            if thing is None:
                return None, None, None
        return holder, attribute, thing

    @property
    def name(self):
        return self.label or self.target.replace(":", ".")


@contextmanager
def disabled(shortcuts):
    """Disable every :class:`Shortcut` in ``shortcuts`` inside the block; restore them after."""
    restore = []
    try:
        for shortcut in shortcuts:
            holder, attribute, thing = shortcut.resolve()
            if thing is None:
                continue
            refusal = _named_refusal(shortcut.name)
            if inspect.isclass(thing):
                original = thing.__dict__.get("__init__")
                thing.__init__ = lambda self, *a, _refusal=refusal, **k: _refusal(*a, **k)
                restore.append(lambda thing=thing, original=original: _restore_init(thing, original))
            elif inspect.isfunction(thing) and not thing.__code__.co_freevars:
                original = thing.__code__
                thing.__code__ = refusal.__code__
                restore.append(lambda thing=thing, original=original: setattr(thing, "__code__", original))
            else:
                setattr(holder, attribute, refusal)
                restore.append(
                    lambda holder=holder, attribute=attribute, thing=thing: setattr(holder, attribute, thing)
                )
        yield
    finally:
        for undo in reversed(restore):
            undo()


def _named_refusal(name):
    code = _refuse.__code__.replace(co_name=name)
    if sys.version_info >= (3, 11):
        code = code.replace(co_qualname=name)
    refusal = type(_refuse)(code, _refuse.__globals__, name)
    return refusal


def _restore_init(cls, original):
    if original is None:
        del cls.__init__
    else:
        cls.__init__ = original


def source_uses(function, names=(), operators=()):
    """The first of ``names`` or ``operators`` that ``function``'s source uses, or None.

    ``names`` are identifiers (``dot``, ``matmul``), ``operators`` are tokens
    such as ``@`` (a decorator's ``@`` does not count). A function whose source
    cannot be read (built in, defined in a string) is not inspected.
    """
    for given, name in ((names, "names"), (operators, "operators")):
        if not isinstance(given, (tuple, list)) or not all(isinstance(item, str) for item in given):
            raise TypeError(f"{name} must be a tuple of strings, got {validate.received(given)}")
    try:
        source = inspect.getsource(function)
    except Exception:  # no source (built in, typed elsewhere), or an object whose attributes raise
        return None
    try:
        tokens = list(tokenize.generate_tokens(io.StringIO(inspect.cleandoc("\n" + source)).readline))
    except (tokenize.TokenError, SyntaxError, IndentationError):
        return None
    line_start, after_def = True, False
    for token in tokens:
        if token.type == tokenize.NAME and token.string in names and not after_def:
            return token.string
        after_def = token.type == tokenize.NAME and token.string == "def"  # a function's own name is no use
        if token.type == tokenize.OP and token.string in operators and not line_start:
            return token.string
        if token.type not in (tokenize.INDENT, tokenize.DEDENT, tokenize.COMMENT, tokenize.NL):
            line_start = token.type == tokenize.NEWLINE
    return None


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
    ``{"shortcut": name}``, ``{"raised": {"type", "message"}}`` or
    ``{"unreadable": why}`` (the probe could not describe what came back), or,
    decided before any case runs, ``{"wrong_kind": observation}``.
    Only KeyboardInterrupt goes through; the whole run shares ``exercise.time_limit``.
    """
    from .framework import Exercise

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
            data = call_with_time_limit(lambda: exercise.probe(answer, protect(case)), left)
        return {"ok": normalize(data)}
    except KeyboardInterrupt:
        raise
    except TimeLimitExceeded:
        return {"timeout": exercise.time_limit}
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
