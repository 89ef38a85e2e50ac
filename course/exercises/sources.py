"""What an answer's source calls: the static half of "write it yourself".

:func:`source_uses` reads the learner's function (and the helper functions of theirs that it
calls) as a syntax tree and finds what it really uses among the names an exercise forbids: a
function or class called or referenced (``np.dot``, ``a.dot(b)``, ``from numpy import dot``,
``getattr(np, "dot")``, ``operator.matmul``, ``functools.partial(np.dot, ...)``,
``tf.raw_ops.MatMul``), a module (``tf.…``, ``import torch``), an attribute (``x.T``) or an
operator (``a @ b``). A name the learner binds themselves (a variable, a parameter, an attribute
they assign) never counts, however it is spelled. What cannot be decided from the source (a
name built at run time) is left to the shortcuts disabled while the probe runs.
"""

import ast
import inspect
import textwrap
import types

from ..runtime import validate

OPERATORS = {"@": ast.MatMult, "**": ast.Pow}
HELPER_DEPTH = 5  # helper functions followed from the answer, at most this deep


def _tree(function):
    """The syntax tree of ``function``'s source; None when it has none or it does not parse."""
    try:
        source = inspect.getsource(function)
    except Exception:  # no source (built in, typed elsewhere), or an object whose attributes raise
        return None
    for text in (textwrap.dedent(source), source.strip()):
        try:
            return ast.parse(text)
        except (SyntaxError, ValueError):
            continue
    return None  # a lambda inside a larger expression across lines: left to the run-time shortcuts


def _bound(tree):
    """Names and attribute names the code binds itself: parameters, assignments, loop variables, ..."""
    names, attributes = set(), set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Name) and isinstance(node.ctx, (ast.Store, ast.Del)):
            names.add(node.id)
        elif isinstance(node, ast.Attribute) and isinstance(node.ctx, (ast.Store, ast.Del)):
            attributes.add(node.attr)
        elif isinstance(node, ast.arg):
            names.add(node.arg)
        elif isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
            names.add(node.name)
        elif isinstance(node, ast.ExceptHandler) and node.name:
            names.add(node.name)
    return names, attributes


def _constant_getattr(node):
    """The attribute name of ``getattr(x, "name")``, else None."""
    if (
        isinstance(node, ast.Call)
        and isinstance(node.func, ast.Name)
        and node.func.id == "getattr"
        and len(node.args) >= 2
        and isinstance(node.args[1], ast.Constant)
        and isinstance(node.args[1].value, str)
    ):
        return node.args[1].value
    return None


def _through_raw_ops(node):
    """Whether an attribute is reached through TensorFlow's ``raw_ops`` (``tf.raw_ops.MatMul``)."""
    value = node.value
    while isinstance(value, ast.Attribute):
        if value.attr == "raw_ops":
            return True
        value = value.value
    return False


def _used_in(tree, names, operators):
    """The first forbidden thing the tree uses, or None (the answer's own bindings never count)."""
    bound_names, bound_attributes = _bound(tree)
    lowered = {name.lower() for name in names}
    for node in ast.walk(tree):
        if isinstance(node, ast.Name) and isinstance(node.ctx, ast.Load):
            if node.id in names and node.id not in bound_names:
                return node.id
        elif isinstance(node, ast.Attribute) and isinstance(node.ctx, ast.Load):
            if node.attr in names and node.attr not in bound_attributes:
                return node.attr
            if _through_raw_ops(node) and any(name in node.attr.lower() for name in lowered):
                return node.attr
        elif isinstance(node, (ast.Import, ast.ImportFrom)):
            modules = [node.module or ""] if isinstance(node, ast.ImportFrom) else []
            for part in [*modules, *(alias.name for alias in node.names)]:
                hit = next((piece for piece in part.split(".") if piece in names), None)
                if hit:
                    return hit
        elif isinstance(node, (ast.BinOp, ast.AugAssign)):
            for token in operators:
                if isinstance(node.op, OPERATORS.get(token, ())):
                    return token
        name = _constant_getattr(node)
        if name in names:
            return name
    return None


def _helpers(function, tree):
    """The learner's own functions that ``tree`` calls by name (defined in their notebook)."""
    namespace = getattr(function, "__globals__", {})
    bound_names, _ = _bound(tree)
    found = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.func.id not in bound_names:
            helper = namespace.get(node.func.id)
            if isinstance(helper, types.FunctionType) and helper.__module__ == function.__module__:
                found.append(helper)
    return found


def source_uses(function, names=(), operators=()):
    """The first of ``names`` or ``operators`` that ``function`` (or a helper of its own) uses, or None.

    ``names`` are identifiers (``dot``, ``matmul``, ``tf``), ``operators`` are tokens such as
    ``@``. A function whose source cannot be read or parsed is not inspected.
    """
    for given, name in ((names, "names"), (operators, "operators")):
        if not isinstance(given, (tuple, list)) or not all(isinstance(item, str) for item in given):
            raise TypeError(f"{name} must be a tuple of strings, got {validate.received(given)}")
    names = set(names)
    todo, seen = [(function, 0)], set()
    while todo:
        current, depth = todo.pop()
        if id(current) in seen or depth > HELPER_DEPTH:
            continue
        seen.add(id(current))
        tree = _tree(current)
        if tree is None:
            continue
        used = _used_in(tree, names, operators)
        if used:
            return used
        todo += [(helper, depth + 1) for helper in _helpers(current, tree)]
    return None
