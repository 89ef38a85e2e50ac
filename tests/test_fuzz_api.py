"""Every public function and class of ``course``, called with bad input, keeps the error policy.

The callables are found by walking the package, so a new one is covered without
touching this file. Each parameter in turn receives a value from :data:`BAD`
(the other required parameters get a plausible filler), and then hypothesis
draws more bad values. Whatever comes out must be:

* nothing at all, or a ``TypeError``, ``ValueError`` or ``FileNotFoundError``
  (or a subclass), raised by course code, with a message of the course's own
  (not Python's ``'>' not supported between ...``);
* within :data:`TIME_LIMIT_S` seconds;
* and stdout and stderr are still open afterwards (an int or bool used as a
  path would be taken as a file descriptor and closed).
"""

import importlib
import inspect
import math
import os
import pkgutil
import re
import signal
import sys
import traceback
from pathlib import Path

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

import course

TIME_LIMIT_S = 5
ALLOWED = (TypeError, ValueError, FileNotFoundError)
COURSE_DIR = Path(course.__file__).resolve().parent
THIS_FILE = Path(__file__).resolve()

# Callables left out, each for a reason that a reader can check.
SKIPPED = {
    "course.tools.main": "reads sys.argv when given None; its commands are tested one by one",
    "course.runtime.validate": "the checkers themselves: tests/test_validate.py",
}
# A command's public interface is its command line: in course.tools only ``cli(argv)`` is fuzzed.
COMMANDS_PACKAGE = "course.tools"
# Messages that come from Python or NumPy internals, never from a course check.
INTERNAL_MESSAGES = re.compile(
    r"not supported between instances|unsupported operand type|object is not subscriptable|"
    r"object is not iterable|object is not callable|has no len\(\)|cannot be interpreted as an integer|"
    r"must be real number, not|'NoneType' object|takes \d+ positional argument|unexpected keyword argument|"
    r"could not convert string to float|invalid literal for int|ufunc '|operands could not be broadcast|"
    r"setting an array element with a sequence|truth value of an array|cannot reshape array of size|"
    r"is out of bounds for axis|not aligned|mismatch in its core dimension"
)


class TookTooLong(BaseException):
    """Raised by the alarm when a call runs past :data:`TIME_LIMIT_S`."""


class Unreadable:
    """An object whose attributes, repr and array conversion all raise."""

    def __getattr__(self, name):
        raise RuntimeError(f"no {name}")

    def __repr__(self):
        raise RuntimeError("no repr")

    def __array__(self, *args, **kwargs):
        raise RuntimeError("no array")

    def __len__(self):
        raise RuntimeError("no len")


BAD = {
    "None": None,
    "str": "text",
    "empty str": "",
    "dict": {"a": 1},
    "nan": math.nan,
    "inf": math.inf,
    "negative": -1,
    "True": True,
    "int 2 (a file descriptor)": 2,
    "huge": 10**12,
    "empty array": np.array([]),
    "0-d array": np.array(3.0),
    "5-d array": np.zeros((2, 1, 3, 1, 2)),
    "object array": np.array([object(), object()], dtype=object),
    "bool array": np.array([[True, False]]),
    "complex array": np.array([[1 + 2j, 3j]]),
    "nan array": np.full((2, 3), np.nan),
    "ragged list": [[1, 2], [3]],
    "unreadable object": Unreadable(),
}


def public_callables():
    """``(qualified name, object)`` of every public function and class defined in ``course``."""
    found = []
    for info in pkgutil.walk_packages(course.__path__, "course."):
        if info.name.endswith("__main__") or any(info.name.startswith(skip) for skip in SKIPPED):
            continue
        module = importlib.import_module(info.name)
        for name, value in vars(module).items():
            qualified = f"{info.name}.{name}"
            if (
                name.startswith("_")
                or qualified in SKIPPED
                or getattr(value, "__module__", None) != info.name
            ):
                continue
            if inspect.isclass(value) and issubclass(value, BaseException):
                continue  # exception classes take any message
            if info.name.startswith(COMMANDS_PACKAGE) and name != "cli":
                continue
            if inspect.isfunction(value) or inspect.isclass(value):
                found.append((qualified, value))
    return found


def filler(parameter, tmp_path):
    """A plausible value for a parameter that is not the one under test."""
    name = parameter.name.lower()
    if any(word in name for word in ("path", "folder", "file", "root", "dir", "cache")):
        return tmp_path
    if name in {"f", "fn", "function", "gradient", "grad", "checker", "loss_fn", "summary"}:
        return lambda *args: 0.0
    if "seed" in name or name in {"step", "steps", "epoch", "t"}:
        return 1
    if name in {"name", "kind", "exercise_id", "quiz_id", "question", "title", "text", "url", "origin"}:
        return "course-fuzz"
    return np.ones((2, 3))


def arguments(signature, target, value, fill, chosen=()):
    """``(args, kwargs)`` that put ``value`` at parameter ``target`` and ``fill(parameter)`` in the other
    required ones (and in those named in ``chosen``, which have a default); the rest keep their defaults."""
    parameters = list(signature.parameters.values())
    star = next((i for i, p in enumerate(parameters) if p.kind is p.VAR_POSITIONAL), None)
    args, kwargs = [], {}
    for index, parameter in enumerate(parameters):
        if parameter.kind is parameter.VAR_KEYWORD:
            continue
        if parameter.kind is parameter.VAR_POSITIONAL:
            args += [value] if parameter.name == target else []
            continue
        if parameter.name == target:
            given_value = value
        elif parameter.default is parameter.empty or parameter.name in chosen:
            given_value = fill(parameter)
        else:
            continue  # keep the default
        positional = parameter.kind is parameter.POSITIONAL_ONLY or (star is not None and index < star)
        if positional:
            args.append(given_value)
        else:
            kwargs[parameter.name] = given_value
    return args, kwargs


def targets(obj):
    """The names of the parameters to fuzz, or [] when the callable takes none."""
    try:
        signature = inspect.signature(obj)
    except (TypeError, ValueError):
        return None, []
    names = [p.name for p in signature.parameters.values() if p.name not in {"self", "kwargs"}]
    return signature, names


def fds_open():
    for fd in (1, 2):
        os.fstat(fd)  # raises OSError when the descriptor was closed
    return not sys.stdout.closed and not sys.stderr.closed


def _alarm(signum, frame):
    raise TookTooLong()


def innermost_file(error):
    frames = traceback.extract_tb(error.__traceback__)
    return Path(frames[-1].filename).resolve() if frames else None


def verdict(obj, args, kwargs, seconds=TIME_LIMIT_S):
    """None when the call keeps the policy, else a sentence saying how it broke it."""
    previous = signal.signal(signal.SIGALRM, _alarm)
    signal.alarm(seconds)
    try:
        obj(*args, **kwargs)
    except TookTooLong:
        return f"did not return within {seconds} s"
    except ALLOWED as error:
        where = innermost_file(error)
        message = str(error)
        if where is not None and COURSE_DIR not in where.parents and where != THIS_FILE:
            return f"{type(error).__name__} from inside {where.name}: {message[:200]}"
        if INTERNAL_MESSAGES.search(message):
            return f"{type(error).__name__} with Python's own message: {message[:200]}"
        return None
    except BaseException as error:  # noqa: BLE001 - every other exception breaks the policy
        if isinstance(error, KeyboardInterrupt):
            raise
        return f"{type(error).__name__}: {str(error)[:200]}"
    finally:
        signal.alarm(0)
        signal.signal(signal.SIGALRM, previous)
    return None


CALLABLES = public_callables()
# The callables that take arguments: the ones there is something to fuzz in.
FUZZED = [(name, obj) for name, obj in CALLABLES if targets(obj)[1]]


@pytest.fixture
def sandbox(tmp_path, monkeypatch):
    """A private work folder and current folder; no dataset host can be reached."""
    monkeypatch.setenv("COURSE_WORKDIR", str(tmp_path / "work"))
    monkeypatch.setenv("COURSE_DATA_MIRROR", "http://127.0.0.1:9/")  # the discard port: refused at once
    monkeypatch.delenv("COURSE_DATA_DIR", raising=False)
    monkeypatch.setenv("COURSE_STRICT", "0")
    monkeypatch.chdir(tmp_path)
    return tmp_path


def test_the_walk_finds_the_api():
    names = {name for name, _ in CALLABLES}
    assert {
        "course.tensor_ops.naive_add",
        "course.saving.fresh_workdir",
        "course.data.downloads.sha256",
    } <= names
    assert len(names) > 150
    fuzzed = {name for name, _ in FUZZED}
    assert {"course.tensor_ops.naive_add", "course.tools.grading.cli.cli"} <= fuzzed
    assert len(fuzzed) > 120


@pytest.mark.parametrize("name, obj", FUZZED, ids=[name for name, _ in FUZZED])
def test_bad_inputs_keep_the_error_policy(name, obj, sandbox):
    signature, names = targets(obj)
    broken = []
    for target in names:
        for label, value in BAD.items():
            args, kwargs = arguments(signature, target, value, lambda parameter: filler(parameter, sandbox))
            problem = verdict(obj, args, kwargs)
            if problem:
                broken.append(f"{target}={label}: {problem}")
            assert fds_open(), f"{name}({target}={label}) closed stdout or stderr"
    assert not broken, f"{name}:\n  " + "\n  ".join(broken)


bad_values = st.one_of(
    st.text(max_size=8),
    st.floats(allow_nan=True, allow_infinity=True),
    st.integers(min_value=-(10**15), max_value=10**15),
    st.none(),
    st.booleans(),
    hnp.arrays(
        dtype=st.sampled_from([np.float64, np.int64, np.bool_, np.complex128, object]),
        shape=hnp.array_shapes(min_dims=0, max_dims=5, min_side=0, max_side=3),
    ).filter(lambda a: a.dtype != object or a.size == 0),
    st.dictionaries(st.text(max_size=3), st.integers(), max_size=2),
    st.lists(st.integers(), min_size=1, max_size=3),  # an empty list would be a valid argv
)


@pytest.mark.parametrize("name, obj", FUZZED, ids=[name for name, _ in FUZZED])
@settings(
    max_examples=8,
    deadline=None,
    derandomize=True,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(data=st.data())
def test_random_bad_inputs_keep_the_error_policy(name, obj, sandbox, data):
    signature, names = targets(obj)
    target = data.draw(st.sampled_from(names), label="parameter")
    value = data.draw(bad_values, label="value")
    args, kwargs = arguments(signature, target, value, lambda parameter: filler(parameter, sandbox))
    problem = verdict(obj, args, kwargs)
    assert problem is None, f"{name}({target}={value!r}): {problem}"
    assert fds_open()


def test_the_verdict_catches_each_way_of_breaking_the_policy():
    """The judge of this file can fail: each kind of broken function is named."""

    def compares_none(x):
        return x > 0

    def hangs(x):
        while True:
            pass

    def raises_its_own(x):
        raise ValueError(f"x must be positive, got {x!r}")

    assert "Python's own message" in verdict(compares_none, [None], {})
    assert verdict(lambda x: math.exp(x), [1000.0], {}).startswith("OverflowError")
    assert verdict(np.linalg.inv, [np.zeros((2, 2))], {}).startswith("LinAlgError from inside")
    assert "Python's own message" in verdict(lambda x: np.asarray([1, 2]).reshape(x), [(3,)], {})
    assert verdict(hangs, [0], {}, seconds=1) == "did not return within 1 s"
    assert verdict(raises_its_own, [-1], {}) is None
