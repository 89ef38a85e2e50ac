"""Reverse-mode automatic differentiation on a graph of scalar nodes.

Every arithmetic operation on a :class:`Node` records a new node that remembers
its operation and its inputs: running the program builds the computation graph
(a dynamic graph, built as the code runs). To differentiate an output:

1. sort the graph topologically (:func:`find_topo_sort`), so that every node
   comes after its inputs;
2. walk it in reverse (:func:`reverse_topo_order`), starting with adjoint 1 at
   the output; each node's op turns the node's adjoint into one contribution per
   input (its vector-Jacobian product, :meth:`Op.vjp`), and contributions to the
   same input are added up.

The same ``vjp`` rule runs on two kinds of values. On plain numbers it gives the
gradient as numbers, fast (:meth:`Node.backward`). On nodes it *builds the
gradient as new graph nodes* (:func:`grad`), and a gradient that is a graph can be
differentiated again: second derivatives for free.

One reverse pass gives the derivative of one output with respect to every input:
one row of the Jacobian, which is exactly what training needs (one loss, many weights).
"""

import math

import numpy as np

from ..runtime.validate import array, boolean, function, number, received, size_limit, text
from . import floats
from .rules import check_rules, input_count

MAX_INPUTS = 100_000  # one leaf node per input


class Node:
    """A scalar value in a computation graph: its value, the op that made it, the op's inputs.

    Values are finite floats: an operation whose result would overflow (``exp(1000)``,
    ``1e200 * 1e200``) or is undefined (``0 ** -1``, ``log(-1)``) raises ValueError.
    """

    __slots__ = ("value", "op", "inputs", "grad", "label")
    __array_ufunc__ = None  # array * node: NumPy steps aside, Node.__rmul__ answers (with a TypeError)

    def __init__(self, value, op=None, inputs=(), label=""):
        self.value = number(value, "a Node's value")
        if op is not None and not isinstance(op, Op):
            raise TypeError(f"op must be an operation (a reverse.Op) or None, got {received(op)}")
        if inputs.__class__ is not tuple or not all(isinstance(x, Node) for x in inputs):
            raise TypeError(f"inputs must be a tuple of Nodes, got {received(inputs)}")
        self.op, self.inputs, self.label = op, inputs, text(label, "label", allow_empty=True)
        self.grad = None

    def __repr__(self):
        name = f"{self.label}=" if self.label else ""
        return f"Node({name}{self.value:.6g}{', ' + self.op.name if self.op else ''})"

    def __add__(self, other):
        return ADD(self, other)

    def __radd__(self, other):
        return ADD(other, self)

    def __mul__(self, other):
        return MUL(self, other)

    def __rmul__(self, other):
        return MUL(other, self)

    def __neg__(self):
        return MUL(self, -1.0)

    def __sub__(self, other):
        return ADD(self, -as_node(other))

    def __rsub__(self, other):
        return ADD(other, -self)

    def __truediv__(self, other):
        return MUL(self, as_node(other) ** -1)

    def __rtruediv__(self, other):
        return MUL(other, self**-1)

    def __pow__(self, exponent):
        if isinstance(exponent, Node):
            raise TypeError("only constant exponents are supported: write exp(y * log(x)) for x ** y")
        return Pow(exponent)(self)

    def unit_adjoint(self, as_graph):
        """d(self)/d(self) = 1, as a number or as a constant node."""
        return Node(1.0) if boolean(as_graph, "as_graph") else 1.0

    def backward(self):
        """Set ``.grad`` of every node of the graph to d(self)/d(node), as numbers.

        Idempotent: gradients are computed afresh and stored, never accumulated,
        so calling it twice gives the same ``.grad`` values.
        """
        for node, adjoint in adjoints(self, as_graph=False).items():
            node.grad = adjoint


def as_node(x):
    """Numbers become constant leaf nodes; nodes pass through."""
    return x if isinstance(x, Node) else Node(x)


def _numbers(op, method, values, names):
    """``compute``'s arguments: finite numbers, as floats."""
    return [
        v if v.__class__ is float and v - v == 0.0 else number(v, f"{method}: {name}")
        for v, name in zip(values, names)
    ]


def _numbers_or_nodes(op, method, values, names):
    """``vjp``'s arguments: each a Node (gradients as graphs) or a finite number."""
    return [v if isinstance(v, Node) else number(v, f"{method}: {name}") for v, name in zip(values, names)]


class Op:
    """An operation: how to compute its value, and its vector-Jacobian product.

    To add an operation, subclass Op with a ``name``, a ``compute`` on plain
    floats and a ``vjp`` built from operators and this module's functions;
    ``as_function(MyOp())`` then gives a function that works like ``sin``.
    Every subclass's ``compute`` and ``vjp`` check their arguments (:func:`.rules.check_rules`).
    """

    name = "op"
    _inputs = None  # the names of compute's inputs; None: any number

    def __init_subclass__(cls, **kwargs):
        super().__init_subclass__(**kwargs)
        check_rules(cls, {"compute": _numbers, "vjp": _numbers_or_nodes})

    def __call__(self, *inputs):
        inputs = tuple(x if x.__class__ is Node else as_node(x) for x in inputs)
        input_count(self, inputs)
        values = [x.value for x in inputs]
        return Node(floats.finite(self._compute(*values), self.name, values), self, inputs)

    def finite_result(self, *values):
        """``compute``, with a result too large for a float turned into a ValueError."""
        return floats.finite(self.compute(*values), self.name, values)

    def _compute(self, *values):
        return self.compute(*values)

    def _vjp(self, adjoint, out, *inputs):
        return self.vjp(adjoint, out, *inputs)

    def compute(self, *values):
        raise NotImplementedError

    def vjp(self, adjoint, out, *inputs):
        """The adjoint of each input, given the output's adjoint.

        ``adjoint``, ``out`` and ``inputs`` are either all numbers or all nodes, so
        the rule must use only operators and the functions of this module.
        """
        raise NotImplementedError


class Add(Op):
    name = "+"

    def compute(self, a, b):
        return a + b

    def vjp(self, adjoint, out, a, b):
        return adjoint, adjoint


class Mul(Op):
    name = "*"

    def compute(self, a, b):
        return a * b

    def vjp(self, adjoint, out, a, b):
        return adjoint * b, adjoint * a


class Pow(Op):
    """x ** n for a constant number n."""

    def __init__(self, n):
        self.n = number(n, "the exponent")
        self.name = f"**{self.n:g}"

    def compute(self, a):
        return floats.power(a, self.n)

    def vjp(self, adjoint, out, a):
        return (adjoint * self.n * _power(a, self.n - 1),)


def _power(a, n):
    """a ** n for a Node (records a node) or a number (computes it)."""
    return Pow(n)(a) if isinstance(a, Node) else floats.power(a, n)


class Exp(Op):
    name = "exp"

    def compute(self, a):
        return floats.exp(a)

    def vjp(self, adjoint, out, a):
        return (adjoint * out,)  # (e^a)' = e^a, the output itself


class Log(Op):
    name = "log"

    def compute(self, a):
        return floats.log(a)

    def vjp(self, adjoint, out, a):
        return (adjoint / a,)


class Sin(Op):
    name = "sin"

    def compute(self, a):
        return math.sin(a)

    def vjp(self, adjoint, out, a):
        return (adjoint * cos(a),)


class Cos(Op):
    name = "cos"

    def compute(self, a):
        return math.cos(a)

    def vjp(self, adjoint, out, a):
        return (-adjoint * sin(a),)


class Tanh(Op):
    name = "tanh"

    def compute(self, a):
        return math.tanh(a)

    def vjp(self, adjoint, out, a):
        return (adjoint * (1 - out * out),)


class Sigmoid(Op):
    name = "sigmoid"

    def compute(self, a):
        return 1 / (1 + math.exp(-a)) if a >= 0 else math.exp(a) / (1 + math.exp(a))

    def vjp(self, adjoint, out, a):
        return (adjoint * out * (1 - out),)


class Relu(Op):
    name = "relu"

    def compute(self, a):
        return a if a > 0 else 0.0

    def vjp(self, adjoint, out, a):
        return (adjoint * step(a),)


class Step(Op):
    """1 for a > 0, else 0: relu's derivative. Its own derivative is 0 (almost everywhere)."""

    name = "step"

    def compute(self, a):
        return 1.0 if a > 0 else 0.0

    def vjp(self, adjoint, out, a):
        return (adjoint * 0.0,)


ADD, MUL = Add(), Mul()
_EXP, _LOG, _SIN, _COS, _TANH, _SIGMOID, _RELU, _STEP = (
    Exp(),
    Log(),
    Sin(),
    Cos(),
    Tanh(),
    Sigmoid(),
    Relu(),
    Step(),
)


def as_function(op):
    """A function of one argument that records ``op`` for a Node and just computes it for a number."""
    if not isinstance(op, Op):
        raise TypeError(f"op must be an operation (an instance of reverse.Op), got {received(op)}")

    def apply(x):
        return op(x) if isinstance(x, Node) else op.finite_result(number(x, "x"))

    apply.__name__ = op.name
    apply.__doc__ = f"{op.name}(x) for a Node (records a node) or a number (computes it)."
    return apply


exp, log, sin, cos, tanh, sigmoid, relu, step = map(
    as_function, (_EXP, _LOG, _SIN, _COS, _TANH, _SIGMOID, _RELU, _STEP)
)


def find_topo_sort(outputs):
    """Every node the outputs depend on, each after all of its inputs (iterative DFS post-order).

    No recursion, so a chain of 10,000 (or 1,000,000) nodes is fine.
    """
    if not isinstance(outputs, (list, tuple)):
        raise TypeError(f"outputs must be a list of graph nodes, got {received(outputs)}")
    for root in outputs:
        _graph_node(root, "each output")
    order, visited = [], set()
    for root in outputs:
        if id(root) in visited:
            continue
        visited.add(id(root))
        stack = [(root, iter(root.inputs))]
        while stack:
            node, pending = stack[-1]
            for child in pending:
                if id(child) not in visited:
                    visited.add(id(child))
                    stack.append((child, iter(child.inputs)))
                    break
            else:  # all inputs done: the node itself can go
                stack.pop()
                order.append(node)
    return order


def _graph_node(value, name):
    """``value``, which must be a node of a graph: a :class:`Node` or the tensor engine's ``Tensor``."""
    if not hasattr(type(value), "unit_adjoint"):
        raise TypeError(f"{name} must be a graph node (Node or Tensor), got {received(value)}")
    return value


def reverse_topo_order(output):
    """The nodes of ``output``'s graph, output first, each before all of its inputs."""
    return list(reversed(find_topo_sort([output])))


def adjoints(output, as_graph=False):
    """d(output)/d(node) for every node of the graph, as a dict {node: adjoint}.

    Works for both engines: scalar :class:`Node` graphs and the tensor engine's
    ``Tensor`` graphs (anything with ``value``, ``op``, ``inputs`` and ``unit_adjoint``).

    With ``as_graph=True`` every adjoint is itself a Node (a new graph you can
    differentiate); otherwise the adjoints are plain numbers.
    """
    output = _graph_node(output, "output")
    partial = {id(output): output.unit_adjoint(as_graph)}  # contributions summed so far
    result = {}
    for node in reverse_topo_order(output):
        adjoint = partial.pop(id(node))
        result[node] = adjoint
        if node.op is None:
            continue
        if as_graph:
            contributions = node.op._vjp(adjoint, node, *node.inputs)
        else:
            contributions = node.op._vjp(adjoint, node.value, *[x.value for x in node.inputs])
        for child, contribution in zip(node.inputs, contributions):
            key = id(child)
            partial[key] = partial[key] + contribution if key in partial else contribution
    return result


def grad(output, inputs):
    """The gradient of ``output`` with respect to each of ``inputs``, as new graph nodes.

    ``grad(grad(y, [x])[0], [x])[0]`` is the second derivative. An input that
    ``output`` does not depend on gets a constant 0.
    """
    if not isinstance(output, Node):
        raise TypeError(f"output must be a Node, got {received(output)}")
    if not isinstance(inputs, (list, tuple)) or not all(isinstance(x, Node) for x in inputs):
        raise TypeError(f"inputs must be a list of Nodes, got {received(inputs)}")
    found = adjoints(output, as_graph=True)
    return [found.get(x, Node(0.0)) for x in inputs]


def jacobian(f, x):
    """The Jacobian of f at x, one row per reverse pass (m passes for m outputs)."""
    f = function(f, "f")
    x = array(x, "x", ndim=1, finite=True)
    size_limit(len(x), "the length of x", MAX_INPUTS)
    leaves = [Node(float(v), label=f"x{i}") for i, v in enumerate(x)]
    outputs = f(leaves)
    outputs = outputs if isinstance(outputs, (list, tuple)) else [outputs]
    rows = []
    for y in outputs:
        found = adjoints(as_node(y))
        rows.append([found.get(leaf, 0.0) for leaf in leaves])
    return np.array(rows, dtype=float).reshape(len(rows), len(leaves))
