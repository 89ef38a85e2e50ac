"""Supported Pythons: one range in every place that states it, and quiet notebooks on the newest."""

import re
import sys
import warnings

import pytest

import course
from course.runtime.session import UPSTREAM_DEPRECATIONS
from tests.helpers import ROOT, pyproject

# What autograph's ``gast`` prints on Python 3.13, once per node type, on every tf.function trace.
AUTOGRAPH_WARNING = (
    "Attribute.__init__ got an unexpected keyword argument '___pyct_anno'. "
    "Support for arbitrary keyword arguments is deprecated and will be removed in Python 3.15."
)


def supported_range():
    """(oldest, newest) minor versions, read from ``requires-python = ">=3.A,<3.B"``."""
    project = pyproject()["project"]
    found = re.fullmatch(r">=3\.(\d+),\s*<3\.(\d+)", project["requires-python"])
    assert found, f"requires-python should read '>=3.A,<3.B', got {project['requires-python']!r}"
    return int(found[1]), int(found[2]) - 1


def test_every_place_states_the_same_range():
    oldest, newest = supported_range()
    project = pyproject()["project"]
    listed = sorted(
        int(c.rsplit(".", 1)[1])
        for c in project.get("classifiers", [])
        if re.fullmatch(r"Programming Language :: Python :: 3\.\d+", c)
    )
    assert listed == list(range(oldest, newest + 1)), f"classifiers list Python 3.{listed}"
    environment = (ROOT / "environment.yml").read_text()
    assert f"python>=3.{oldest},<3.{newest + 1}" in environment
    readme = (ROOT / "README.md").read_text()
    assert f"Python 3.{oldest}–3.{newest}" in readme


def test_this_python_is_supported():
    oldest, newest = supported_range()
    assert (3, oldest) <= sys.version_info[:2] <= (3, newest), f"running on {sys.version.split()[0]}"


def emitted(message, module):
    """The warnings that reach the learner when ``module`` issues a DeprecationWarning."""
    with warnings.catch_warnings(record=True) as caught:
        warnings.warn_explicit(message, DeprecationWarning, f"{module}.py", 1, module=module, registry={})
    return [str(w.message) for w in caught]


@pytest.fixture
def shown():
    """Every warning shown, as under ``python -W always``; filters put back afterwards."""
    with warnings.catch_warnings():
        warnings.simplefilter("always")
        yield


@pytest.fixture
def after_setup(shown, monkeypatch, tmp_path, capsys):
    for name in ("COURSE_WORKDIR", "KERAS_HOME", "MPLCONFIGDIR"):
        monkeypatch.setenv(name, str(tmp_path / name.lower()))
    course.setup(seed=0)
    capsys.readouterr()


def test_without_setup_the_autograph_warning_shows(shown):
    assert emitted(AUTOGRAPH_WARNING, "gast.astn") == [AUTOGRAPH_WARNING]


def test_setup_hides_the_autograph_warning(after_setup):
    assert emitted(AUTOGRAPH_WARNING, "gast.astn") == []
    assert emitted(AUTOGRAPH_WARNING, "gast") == []


@pytest.mark.parametrize(
    "message, module",
    [
        (AUTOGRAPH_WARNING, "__main__"),  # the learner's own code
        (AUTOGRAPH_WARNING, "mylib.gast"),  # a module merely named like it
        ("Attribute.__init__ got an unexpected keyword argument 'mine'.", "gast.astn"),  # not TF's
        ("datetime.utcnow() is deprecated", "gast.astn"),
        ("some API is deprecated", "numpy"),
    ],
)
def test_other_deprecation_warnings_still_show(after_setup, message, module):
    assert emitted(message, module) == [message]


def test_setup_twice_adds_the_filters_once(after_setup, capsys):
    before = list(warnings.filters)
    course.setup(seed=0)
    capsys.readouterr()
    assert warnings.filters == before
    assert len(UPSTREAM_DEPRECATIONS) >= 1


@pytest.mark.skipif(sys.version_info < (3, 13), reason="Python 3.13 added the deprecation")
def test_tracing_a_tf_function_is_quiet_after_setup(after_setup):
    tf = pytest.importorskip("tensorflow")

    @tf.function
    def step(x):
        if tf.reduce_sum(x) > 0:  # autograph converts the control flow
            x = x * 2
        for _ in tf.range(2):
            x = x + 1
        return x

    with warnings.catch_warnings(record=True) as caught:
        step(tf.ones(3))
    assert [str(w.message) for w in caught if issubclass(w.category, DeprecationWarning)] == []
