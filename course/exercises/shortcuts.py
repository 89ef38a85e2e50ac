"""Shortcuts: what an exercise asks the learner to write themselves, disabled while its probe runs.

* :class:`Shortcut` names the package's own version of what an exercise asks
  for, or a library function; :func:`disabled` switches them off for the
  duration of a probe (every reference, even one imported before the check).
* :mod:`.sources` finds what the learner's source calls.
"""

import importlib
import inspect
import sys
from contextlib import contextmanager
from dataclasses import dataclass


class ShortcutUsed(BaseException):
    """The learner's code called something the exercise asks them to write themselves."""


def _refuse(*args, **kwargs):
    import sys as system  # this code runs with the disabled function's globals: import what it needs

    import course.exercises.shortcuts as shortcuts

    raise shortcuts.ShortcutUsed(system._getframe().f_code.co_name)


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
