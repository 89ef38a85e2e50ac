"""Argument checks in front of an operation's rules, for both engines (``reverse`` and ``tensor``).

Each engine's ``Op`` calls :func:`check_rules` for every subclass, the learner's own operations
too: ``compute`` and ``vjp`` called by hand with the wrong arguments say so in the course's words,
naming the parameter, while the engine calls the rules as written (``_compute``, ``_vjp``).
"""

import functools
import inspect

from ..runtime.validate import received


def _rule_parameters(rule):
    """The names of the parameters of ``rule`` (a method) after ``self``, and whether it takes ``*args``."""
    parameters = list(inspect.signature(rule).parameters.values())[1:]
    names = tuple(p.name for p in parameters if p.kind in (p.POSITIONAL_ONLY, p.POSITIONAL_OR_KEYWORD))
    return names, any(p.kind is p.VAR_POSITIONAL for p in parameters)


def _bind(op, rule, names, variadic, args, kwargs):
    """The positional arguments of a call ``rule(op, *args, **kwargs)``, or a TypeError naming the parameters."""
    method = f"{type(op).__name__}.{rule.__name__}"
    wanted = ", ".join(names + (("*inputs",) if variadic else ()))
    try:
        bound = inspect.signature(rule).bind(op, *args, **kwargs)
    except TypeError:
        given = f"{len(args)} positional argument{'s' * (len(args) != 1)}"
        given += f" and the keywords {sorted(kwargs)}" if kwargs else ""
        raise TypeError(f"{method} needs the arguments ({wanted}), got {given}") from None
    if bound.kwargs:
        raise TypeError(f"{method} needs the arguments ({wanted}) by position, got {sorted(bound.kwargs)}")
    return bound.args[1:]


def check_rules(cls, checks):
    """Put an argument check in front of the rules (``compute``, ``vjp``) that ``cls`` defines.

    ``checks`` maps a rule's name to ``check(op, method, arguments, names)``, which returns the
    arguments the rule receives (numbers as floats, ...) or raises TypeError or ValueError naming the
    parameter. The rule as written stays at ``_compute`` or ``_vjp``: the engine, whose arguments are
    its own, calls it without the check. Both engines' ``Op`` classes call this for every subclass,
    the learner's own operations too.
    """
    if not inspect.isclass(cls):
        raise TypeError(f"cls must be a class, got {received(cls)}")
    if not isinstance(checks, dict) or not all(isinstance(k, str) and callable(c) for k, c in checks.items()):
        raise TypeError(f"checks must be a dict of rule names to functions, got {received(checks)}")
    for rule_name, check in checks.items():
        rule = cls.__dict__.get(rule_name)
        if rule is None or not inspect.isfunction(rule):
            continue
        names, variadic = _rule_parameters(rule)
        setattr(cls, "_" + rule_name, rule)
        setattr(cls, rule_name, _checked(rule, check, names, variadic))
        if rule_name == "compute":
            cls._inputs = None if variadic else names


def _checked(rule, check, names, variadic):
    method = rule.__name__

    @functools.wraps(rule)
    def checked(self, *args, **kwargs):
        if kwargs or len(args) < len(names) or (len(args) > len(names) and not variadic):
            args = _bind(self, rule, names, variadic, args, kwargs)
        labels = names + tuple(f"inputs[{i}]" for i in range(len(args) - len(names)))
        return rule(self, *check(self, f"{type(self).__name__}.{method}", args, labels))

    return checked


def input_count(op, inputs):
    """Raise TypeError unless ``op``'s compute takes ``len(inputs)`` inputs."""
    if not isinstance(inputs, tuple):
        raise TypeError(f"inputs must be a tuple, got {received(inputs)}")
    names = getattr(op, "_inputs", None)
    if names is not None and len(inputs) != len(names):
        raise TypeError(
            f"{type(op).__name__} takes {len(names)} input{'s' * (len(names) != 1)} "
            f"({', '.join(names)}), got {len(inputs)}"
        )
