"""The exercises, declared once each, and found by id.

A notebook's exercises and quizzes are declared in its module in ``checks/``
(``checks/nb03_autodiff.py`` for ``03_autodiff``), which is imported the first
time one of its ids is looked up: a check imports its own notebook's module and
no other. Each declaration is an :func:`exercise` call::

    exercise(
        id="00.1",
        title="Celsius to Fahrenheit",
        produce="a function celsius_to_fahrenheit(c) that takes a temperature in °C "
                "(a float) and returns it in °F as a float",
        cases=lambda rng: [{"c": float(c)} for c in rng.uniform(-60, 160, size=6)],
        probe=lambda answer, case: observe(answer(case["c"])),
        hints=("an idea", "more specific", "most specific, still no code"),
    )

* ``cases(rng)`` draws fresh inputs (plain data) from a seeded generator, so
  every check sees new numbers and a lookup table cannot pass.
* ``probe(answer, case)`` runs the learner's answer on one case and returns plain
  data (see :mod:`.plain` and :mod:`.probing`).

The judge of an exercise, which compares what the probe saw with the reference,
is not declared here: it lives in the notebook's module in ``judging/``, which a
grading sandbox does not contain.
"""

import importlib
import secrets

import numpy as np

from ..runtime import validate
from .core import NOTEBOOKS, Exercise, UnknownExercise, module_name, order
from .plain import normalize

_REGISTRY = {}


def exercise(**definition):
    """Register one :class:`~.core.Exercise` (keyword arguments as its fields)."""
    for name in ("hints", "shortcuts", "forbidden_in_source"):
        if isinstance(definition.get(name), list):
            definition[name] = tuple(definition[name])
    item = Exercise(**definition)
    if item.id in _REGISTRY:
        raise ValueError(f"exercise {item.id!r} is registered twice")
    _REGISTRY[item.id] = item
    return item


def load(item_id):
    """Import the ``checks/`` module of the notebook of ``item_id`` (once); False for an unknown notebook."""
    name = module_name(item_id)
    if name is None:
        return False
    importlib.import_module(f"{__package__}.checks.{name}")
    return True


def load_all():
    """Import every notebook's ``checks/`` module."""
    for number in NOTEBOOKS:
        load(f"{number}.0")


def known_ids():
    """Every registered exercise id, in course order."""
    load_all()
    return sorted(_REGISTRY, key=order)


def lookup(exercise_id):
    """The :class:`~.core.Exercise` of ``exercise_id``; :class:`~.core.UnknownExercise` if there is none."""
    validate.text(exercise_id, "exercise_id")
    if exercise_id not in _REGISTRY:
        load(exercise_id)
    if exercise_id not in _REGISTRY:
        raise UnknownExercise(f"unknown exercise {exercise_id!r}; known exercises: {', '.join(known_ids())}")
    return _REGISTRY[exercise_id]


def hints(exercise_id):
    """The hint ladder of an exercise, from the idea to the specifics (a list of strings)."""
    return list(lookup(exercise_id).hints)


def new_seed():
    """A fresh secret seed for drawing cases."""
    return secrets.randbits(32)


def draw_cases(ex, seed):
    """The exercise's input cases for ``seed``, as plain data."""
    if not isinstance(ex, Exercise):
        raise TypeError(f"ex must be an Exercise, got {validate.received(ex)}")
    seed = validate.integer(seed, "seed", minimum=0)
    return normalize(ex.cases(np.random.default_rng(seed)))
