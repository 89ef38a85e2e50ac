"""The methods of every public class of ``course``, called with bad input, keep the error policy.

tests/test_fuzz_api.py calls every public function and every public class (its constructor) with
bad values. This file goes one step further: it builds an instance of each public class with
plausible arguments (:data:`CONSTRUCTORS`) and calls each public method that course code defines
(inherited ones too, the operators and ``__call__`` included) with each value of :data:`BAD` in
each parameter in turn, the other parameters holding plausible values. The verdict is the same as
there: nothing at all, or a TypeError, ValueError or FileNotFoundError raised by course code with a
course message, within 5 s. A method without parameters is called once, and a property is read.

Every call gets a fresh instance, so a call that half-changed an object cannot spoil the next one.
A public class that cannot be built here is listed in :data:`SKIPPED` with its reason, and
:func:`test_every_public_class_is_built_or_skipped` keeps that table and :data:`CONSTRUCTORS`
in step with the package.
"""

import copy
import inspect

import numpy as np
import pytest

from course import broadcasting, keras_layers, tf_layers
from course.autodiff import forward, nn, optim, reverse, symbolic, tensor
from course.exercises import core, quizzes, rendering
from course.exercises.checks.nb02_tensor_ops import ElementReader
from course.exercises.shortcuts import Shortcut
from course.explorer import Explorer
from course.runtime import settings

from .test_fuzz_api import BAD, arguments, public_callables, verdict

# One operator per kind of syntax (the reflected ones and unary minus too): what ``a + b``, ``x(...)`` call.
OPERATORS = (
    "__call__",
    "__add__",
    "__radd__",
    "__sub__",
    "__rsub__",
    "__mul__",
    "__rmul__",
    "__truediv__",
    "__rtruediv__",
    "__pow__",
    "__rpow__",
    "__matmul__",
    "__rmatmul__",
    "__neg__",
)


def _tensor():
    return tensor.Tensor(np.arange(1.0, 7.0).reshape(2, 3) / 4, requires_grad=True)


def _optimizer(kind, **kwargs):
    def build():
        weights = _tensor()
        weights.grad = np.ones((2, 3))
        return getattr(optim, kind)([weights], **kwargs)

    return build


def _expression(kind):
    def build():
        x = symbolic.Var("x")
        return {
            "Const": symbolic.Const(2.0),
            "Var": x,
            "Add": symbolic.Add(x, symbolic.Const(1.0)),
            "Mul": symbolic.Mul(x, x),
            "Pow": symbolic.Pow(x, 3),
            "Function": symbolic.Function("sin", x),
        }[kind]

    return build


def _explorer():
    import ipywidgets as widgets

    return Explorer(lambda n: f"n is {n}", n=widgets.IntSlider(value=1, min=0, max=3))


def _feedback():
    return core.Feedback("00.1", "passed", "Right.")


# qualified class name: a function that builds a plausible instance (a fresh one for every call).
CONSTRUCTORS = {
    "course.autodiff.forward.Dual": lambda: forward.Dual(1.5, 1.0),
    "course.autodiff.nn.Dense": lambda: nn.Dense(3, 2),
    "course.autodiff.nn.MLP": lambda: nn.MLP([3, 4, 2]),
    "course.autodiff.optim.SGD": _optimizer("SGD", momentum=0.9),
    "course.autodiff.optim.Adagrad": _optimizer("Adagrad"),
    "course.autodiff.optim.RMSProp": _optimizer("RMSProp"),
    "course.autodiff.optim.Adam": _optimizer("Adam"),
    "course.autodiff.reverse.Node": lambda: reverse.Node(1.5, label="x"),
    **{
        f"course.autodiff.reverse.{kind}": getattr(reverse, kind)
        for kind in ("Add", "Mul", "Exp", "Log", "Sin", "Cos", "Tanh", "Sigmoid", "Relu", "Step")
    },
    "course.autodiff.reverse.Pow": lambda: reverse.Pow(2.0),
    **{
        f"course.autodiff.symbolic.{kind}": _expression(kind)
        for kind in ("Const", "Var", "Add", "Mul", "Pow", "Function")
    },
    "course.autodiff.tensor.Tensor": _tensor,
    **{
        f"course.autodiff.tensor.{kind}": getattr(tensor, kind)
        for kind in ("Add", "Sub", "Mul", "Div", "Neg", "MatMul", "Sum", "Exp", "Log", "Relu", "LeakyRelu")
        + ("Sigmoid", "Tanh", "Transpose")
    },
    "course.autodiff.tensor.Pow": lambda: tensor.Pow(2.0),
    "course.autodiff.tensor.BroadcastTo": lambda: tensor.BroadcastTo((2, 3)),
    "course.autodiff.tensor.Reshape": lambda: tensor.Reshape((3, 2)),
    "course.broadcasting.Broadcast": lambda: broadcasting.explain((2, 3), (3,)),
    "course.exercises.checks.nb02_tensor_ops.ElementReader": lambda: ElementReader(np.ones((2, 3))),
    "course.exercises.core.Feedback": _feedback,
    "course.exercises.core.Exercise": lambda: core.Exercise(
        "00.9", "A title", "a number", lambda rng: [], lambda answer, case: None, ("one", "two")
    ),
    "course.exercises.quizzes.MultipleChoice": lambda: quizzes.MultipleChoice(
        "00.q9", "Which?", ["a", "b"], "a"
    ),
    "course.exercises.quizzes.PredictShape": lambda: quizzes.PredictShape("00.q9", "Which shape?", (2, 3)),
    "course.exercises.rendering.Shown": lambda: rendering.Shown(_feedback()),
    "course.exercises.rendering.Progress": lambda: rendering.Progress(
        [("00_welcome", [("00.1", "A title", "passed")])]
    ),
    "course.exercises.shortcuts.Shortcut": lambda: Shortcut("course.autodiff.optim:sgd_step"),
    "course.explorer.Explorer": _explorer,
    "course.keras_layers.DenseLayer": lambda: keras_layers.DenseLayer(2),
    "course.keras_layers.MLP": lambda: keras_layers.MLP(hidden_units=4, num_classes=2),
    "course.runtime.settings.Settings": settings.settings,
    "course.tf_layers.Dense": lambda: tf_layers.Dense(3, 2),
    "course.tf_layers.LazyDense": lambda: tf_layers.LazyDense(2),
    "course.tf_layers.Sequential": lambda: tf_layers.Sequential([tf_layers.Dense(3, 2)]),
}

# Public classes that are not built here, each for a reason a reader can check.
ABSTRACT = "an abstract base class: its rules are left to subclasses, whose methods are fuzzed here"
SKIPPED = {
    "course.autodiff.optim.Optimizer": ABSTRACT + " (SGD, Adagrad, RMSProp, Adam)",
    "course.autodiff.reverse.Op": ABSTRACT + " (Add, Mul, Exp, ...)",
    "course.autodiff.symbolic.Expr": ABSTRACT + " (Const, Var, Add, ...)",
    "course.autodiff.tensor.Op": ABSTRACT + " (Add, MatMul, Sum, ...)",
    "course.exercises.quizzes.Quiz": ABSTRACT + " (MultipleChoice, PredictShape)",
}

# A parameter that GOOD_IN_MODULE and GOOD do not name gets an array of ones of shape (2, 3).
# Plausible values of the parameters that the FILLER does not fit, by "class.method": each call
# then differs from a good one in the parameter under test only (test_the_plausible_calls_work).
GOOD = {
    "course.autodiff.tensor.Tensor.__pow__": {"exponent": 2.0},
    "course.autodiff.tensor.Tensor.__matmul__": {"other": np.ones((3, 2))},
    "course.autodiff.tensor.Tensor.__rmatmul__": {"other": np.ones((4, 2))},
    "course.autodiff.tensor.Tensor.sum": {"axis": 0},
    "course.autodiff.tensor.Tensor.mean": {"axis": 0},
    "course.autodiff.tensor.Tensor.transpose": {"axes": (1, 0)},
    "course.autodiff.tensor.MatMul.compute": {"a": np.ones((2, 3)), "b": np.ones((3, 2))},
    "course.autodiff.tensor.MatMul.vjp": {
        "g": np.ones((2, 2)),
        "out": np.ones((2, 2)),
        "a": np.ones((2, 3)),
        "b": np.ones((3, 2)),
    },
    "course.autodiff.tensor.Sum.vjp": {"g": np.ones(()), "out": np.ones(())},
    "course.autodiff.tensor.Reshape.vjp": {"g": np.ones((3, 2)), "out": np.ones((3, 2))},
    "course.autodiff.tensor.Transpose.vjp": {"g": np.ones((3, 2)), "out": np.ones((3, 2))},
    "course.autodiff.nn.Dense.__call__": {"x": np.ones((2, 3))},
    "course.autodiff.nn.MLP.__call__": {"x": np.ones((2, 3))},
    "course.autodiff.optim.SGD.update": {
        "w": np.ones((2, 3)),
        "g": np.ones((2, 3)),
        "velocity": np.zeros((2, 3)),
    },
    "course.keras_layers.DenseLayer.build": {"input_shape": (None, 3)},
    "course.keras_layers.DenseLayer.call": {"inputs": np.ones((2, 3), np.float32)},
    "course.keras_layers.MLP.call": {"inputs": np.ones((2, 3), np.float32)},
    "course.tf_layers.LazyDense.build": {"in_features": 3},
    "course.broadcasting.Broadcast.roles": {"which": "a"},
    "course.exercises.quizzes.MultipleChoice.judge": {"response": "a"},
    "course.exercises.quizzes.PredictShape.judge": {"response": "(2, 3)"},
}
# Plausible values for every method of the classes of a module: the scalar engine's rules take numbers.
SCALAR = {"other": 2.0, "exponent": 2.0, "base": 2.0, "as_graph": True}
GOOD_IN_MODULE = {
    "course.autodiff.forward": SCALAR,
    "course.autodiff.reverse": {**SCALAR, "a": 0.5, "b": 2.0, "adjoint": 1.5, "out": 0.25},
    "course.autodiff.symbolic": {**SCALAR, "var": "x", "env": {"x": 1.0}},
    "course.autodiff.tensor": {"as_graph": True},
}
# Methods that only work on a built layer: the instance is built first (with inputs of 3 features).
NEEDS_BUILT = {"course.keras_layers.DenseLayer.call"}


def public_classes():
    """``{qualified name: class}`` of every public class of ``course`` (as tests/test_fuzz_api.py finds them)."""
    return {name: obj for name, obj in public_callables() if inspect.isclass(obj)}


CLASSES = public_classes()


def public_methods(cls):
    """``{name: kind}`` of the public methods, operators and properties that course code defines for ``cls``.

    Inherited ones count when course code defines them (``SGD.step`` from ``Optimizer``); those of
    TensorFlow, Keras or ipywidgets base classes do not (their inputs are those libraries' business).
    """
    found = {}
    for name in dir(cls):
        if name.startswith("_") and name not in OPERATORS:
            continue
        raw = inspect.getattr_static(cls, name)
        if isinstance(raw, (staticmethod, classmethod)):
            raw = raw.__func__
        if isinstance(raw, property):
            kind, code = "property", raw.fget
        elif inspect.isfunction(raw):
            kind, code = "method", raw
        else:
            continue
        if getattr(inspect.unwrap(code), "__module__", "").startswith("course"):
            found[name] = kind
    return found


def good_values(qualified, method):
    """The plausible values of :data:`GOOD_IN_MODULE` and :data:`GOOD` for ``qualified.method``."""
    module = qualified.rpartition(".")[0]
    return {**GOOD_IN_MODULE.get(module, {}), **GOOD.get(f"{qualified}.{method}", {})}


def call_arguments(method, target, value, good):
    """``(args, kwargs)`` for ``method`` with ``value`` at ``target`` and plausible values in the other required ones."""

    def fill(parameter):
        return copy.deepcopy(good[parameter.name]) if parameter.name in good else np.ones((2, 3))

    return arguments(inspect.signature(method), target, value, fill, chosen=good)


def parameter_names(method):
    return [p.name for p in inspect.signature(method).parameters.values() if p.kind is not p.VAR_KEYWORD]


def fresh(qualified, method=None):
    """A new instance of the class ``qualified``; built first when ``method`` needs it (:data:`NEEDS_BUILT`)."""
    instance = CONSTRUCTORS[qualified]()
    if f"{qualified}.{method}" in NEEDS_BUILT:
        instance.build((None, 3))
    return instance


def test_every_public_class_is_built_or_skipped():
    names = set(CLASSES)
    assert not names & set(SKIPPED) & set(CONSTRUCTORS), "a class is both built and skipped"
    missing = sorted(names - set(CONSTRUCTORS) - set(SKIPPED))
    assert not missing, f"add a constructor to CONSTRUCTORS or a reason to SKIPPED for: {missing}"
    stale = sorted((set(CONSTRUCTORS) | set(SKIPPED)) - names)
    assert not stale, f"no longer public classes of course: {stale}"
    assert {"course.autodiff.tensor.Tensor", "course.keras_layers.DenseLayer"} <= set(CONSTRUCTORS)
    for key in (*GOOD, *NEEDS_BUILT):
        qualified, _, method = key.rpartition(".")
        assert method in public_methods(CLASSES[qualified]), f"{key} is not a public method of a built class"


def test_the_plausible_calls_work():
    """Each method called with plausible values only works, so an error below is the bad value's doing.

    Left out: methods whose parameters are all ``*args`` (an op's ``__call__(*inputs)``,
    ``Tensor.reshape(*shape)``), where each bad value is the only argument.
    """
    refused = []
    for qualified in sorted(CONSTRUCTORS):
        for method, kind in public_methods(CLASSES[qualified]).items():
            bound = getattr(fresh(qualified, method), method)
            parameters = inspect.signature(bound).parameters.values() if kind == "method" else ()
            if not [p for p in parameters if p.kind not in (p.VAR_POSITIONAL, p.VAR_KEYWORD)]:
                continue
            args, kwargs = call_arguments(bound, None, None, good_values(qualified, method))
            try:
                bound(*args, **kwargs)
            except Exception as error:  # noqa: BLE001 - every failure is listed
                refused.append(f"{qualified}.{method}: {type(error).__name__}: {error}")
    assert not refused, "add plausible values to GOOD for:\n  " + "\n  ".join(refused)


@pytest.mark.parametrize("qualified", sorted(CONSTRUCTORS))
# NumPy's overflow warning is no error: Tensor(...) ** 10**12 is inf, as Tensor's docstring says.
@pytest.mark.filterwarnings("ignore:overflow encountered:RuntimeWarning")
def test_methods_keep_the_error_policy(qualified, tmp_path, monkeypatch):
    monkeypatch.setenv("COURSE_WORKDIR", str(tmp_path / "work"))
    monkeypatch.chdir(tmp_path)
    cls = CLASSES[qualified]
    assert isinstance(fresh(qualified), cls)
    broken = {}
    for name, kind in public_methods(cls).items():
        good = good_values(qualified, name)
        problems = broken.setdefault(name, [])
        if kind == "property":
            problem = verdict(getattr, [fresh(qualified), name], {})
            problems += [f".{name}: {problem}"] if problem else []
            continue
        targets = parameter_names(getattr(fresh(qualified), name))
        if not targets:
            problem = verdict(getattr(fresh(qualified, name), name), [], {})
            problems += [f".{name}(): {problem}"] if problem else []
        for target in targets:
            for label, value in BAD.items():
                bound = getattr(fresh(qualified, name), name)
                args, kwargs = call_arguments(bound, target, value, good)
                problem = verdict(bound, args, kwargs)
                problems += [f".{name}({target}={label}): {problem}"] if problem else []
    found = [problem for problems in broken.values() for problem in problems]
    assert not found, f"{qualified}:\n  " + "\n  ".join(found)
