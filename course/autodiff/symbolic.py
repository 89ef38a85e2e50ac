"""Symbolic differentiation: expressions as trees, derivatives by the rules of calculus.

``x = Var("x"); f = x * sin(x)`` builds a tree; ``f.diff("x")`` applies the product
and chain rules and returns a new tree. The result is exact, but it can grow much
faster than the expression it came from ("expression swell") when it is written out
as a tree: :meth:`Expr.size` counts the nodes of the tree written out, :meth:`Expr.dag_size`
the distinct nodes, each shared subexpression once (what is actually stored).
"""

import math

from ..runtime.validate import choice, integer, number, received, size_limit, text
from . import floats
from .forward import Dual

MAX_PRINTED = 20_000  # nodes: a longer formula is unreadable (and exponential swell makes them huge)
MAX_STEPS = 10_000


class Expr:
    """A node of an expression tree. Operators build bigger trees.

    A subtree can be shared: in ``y = x * x; z = y + y`` the node ``y`` appears twice.
    Every walk below (:meth:`size`, :meth:`evaluate`, :meth:`diff`, ``str``) visits each
    distinct node once, children first (:meth:`nodes`), and remembers what it found
    there, so shared subtrees cost nothing extra and no depth is too deep.
    Each node class only supplies its local rule: ``_value``, ``_derivative``, ``_text``.
    """

    children = ()

    def __add__(self, other):
        return add(self, other)

    __radd__ = __add__

    def __mul__(self, other):
        return mul(self, other)

    __rmul__ = __mul__

    def __neg__(self):
        return mul(Const(-1), self)

    def __sub__(self, other):
        return add(self, -as_expr(other))

    def __rsub__(self, other):
        return add(as_expr(other), -self)

    def __pow__(self, exponent):
        return power(self, exponent)

    def nodes(self):
        """Every distinct node of the tree, each after its children (an iterative depth-first walk)."""
        order, seen, stack = [], {id(self)}, [(self, iter(self.children))]
        while stack:
            node, pending = stack[-1]
            for child in pending:
                if id(child) not in seen:
                    seen.add(id(child))
                    stack.append((child, iter(child.children)))
                    break
            else:
                stack.pop()
                order.append(node)
        return order

    def _combine(self, rule):
        """Apply ``rule(node, results of its children)`` to every node, children first; the root's result."""
        results = {}
        for node in self.nodes():
            results[id(node)] = rule(node, [results[id(child)] for child in node.children])
        return results[id(self)]

    def size(self):
        """The number of nodes of the tree written out: a shared subtree counts every time it appears."""
        return self._combine(lambda node, sizes: 1 + sum(sizes))

    def dag_size(self):
        """The number of distinct nodes: a shared subtree counts once, as it is stored once."""
        return len(self.nodes())

    def evaluate(self, env):
        """The value of the expression with the numbers of ``env`` (a dict: variable name -> number)."""
        if not isinstance(env, dict):
            raise TypeError(f"env must be a dict of variable name -> number, got {received(env)}")
        return self._combine(
            lambda node, args: floats.finite(node._value(args, env), type(node).__name__, args)
        )

    def diff(self, var):
        """d(self)/d(var) as a new expression, by the rules of calculus."""
        var = text(var, "var")
        return self._combine(lambda node, derivatives: node._derivative(derivatives, var))

    def __str__(self):
        size_limit(self.size(), "the size of the expression to print", MAX_PRINTED)
        return self._combine(lambda node, texts: node._text(texts))


class Const(Expr):
    def __init__(self, value):
        self.value = number(value, "a constant")

    def _value(self, args, env):
        return self.value

    def _derivative(self, derivatives, var):
        return Const(0)

    def _text(self, texts):
        return f"{self.value:g}"


class Var(Expr):
    def __init__(self, name):
        self.name = text(name, "a variable's name")

    def _value(self, args, env):
        if self.name not in env:
            raise ValueError(
                f"no value given for variable {self.name!r}; got values for {sorted(map(str, env))}"
            )
        return number(env[self.name], f"the value of {self.name}")

    def _derivative(self, derivatives, var):
        return Const(1 if self.name == var else 0)

    def _text(self, texts):
        return self.name


class Add(Expr):
    def __init__(self, a, b):
        self.children = (as_expr(a), as_expr(b))

    def _value(self, args, env):
        a, b = args
        return a + b

    def _derivative(self, derivatives, var):  # (a + b)' = a' + b'
        da, db = derivatives
        return add(da, db)

    def _text(self, texts):
        a, b = texts
        return f"({a} + {b})"


class Mul(Expr):
    def __init__(self, a, b):
        self.children = (as_expr(a), as_expr(b))

    def _value(self, args, env):
        a, b = args
        return a * b

    def _derivative(self, derivatives, var):  # (a b)' = a' b + a b'
        (a, b), (da, db) = self.children, derivatives
        return add(mul(da, b), mul(a, db))

    def _text(self, texts):
        a, b = texts
        return f"{a} * {b}"


class Pow(Expr):
    """a ** n for a constant number n."""

    def __init__(self, a, n):
        self.children, self.n = (as_expr(a),), number(n, "the exponent")

    def _value(self, args, env):
        return floats.power(args[0], self.n)

    def _derivative(self, derivatives, var):  # (a^n)' = n a^(n-1) a'
        ((a,), (da,)) = self.children, derivatives
        return mul(mul(Const(self.n), power(a, self.n - 1)), da)

    def _text(self, texts):
        return f"({texts[0]})^{self.n:g}"


class Function(Expr):
    """A named function of one argument: sin, cos, exp, log."""

    RULES = {  # value, and the derivative as a function of the argument expression
        "sin": (math.sin, lambda a: Function("cos", a)),
        "cos": (math.cos, lambda a: -Function("sin", a)),
        "exp": (floats.exp, lambda a: Function("exp", a)),
        "log": (floats.log, lambda a: power(a, -1)),
    }

    def __init__(self, name, a):
        self.name, self.children = choice(name, "name", self.RULES), (as_expr(a),)

    def _value(self, args, env):
        return self.RULES[self.name][0](args[0])

    def _derivative(self, derivatives, var):  # chain rule: f(a)' = f'(a) a'
        ((a,), (da,)) = self.children, derivatives
        return mul(self.RULES[self.name][1](a), da)

    def _text(self, texts):
        return f"{self.name}({texts[0]})"


def as_expr(value):
    """Expressions pass through; a number becomes a constant."""
    return value if isinstance(value, Expr) else Const(number(value, "an operand of an expression"))


def _is(expr, value):
    return isinstance(expr, Const) and expr.value == value


def add(a, b):
    """a + b, dropping "+ 0" (the only simplifications: x + 0, x * 1, x * 0, constants folded)."""
    a, b = as_expr(a), as_expr(b)
    if _is(a, 0):
        return b
    if _is(b, 0):
        return a
    if isinstance(a, Const) and isinstance(b, Const):
        return Const(a.value + b.value)
    return Add(a, b)


def mul(a, b):
    """a * b, dropping "* 1" and folding "* 0"."""
    a, b = as_expr(a), as_expr(b)
    if _is(a, 0) or _is(b, 0):
        return Const(0)
    if _is(a, 1):
        return b
    if _is(b, 1):
        return a
    if isinstance(a, Const) and isinstance(b, Const):
        return Const(a.value * b.value)
    return Mul(a, b)


def power(a, n):
    """a ** n for a constant number n, dropping "** 0" and "** 1"."""
    n = number(n, "the exponent (a constant number)")
    a = as_expr(a)
    if n == 0:
        return Const(1)
    if n == 1:
        return a
    return Pow(a, n)


def sin(a):
    return Function("sin", as_expr(a))


def cos(a):
    return Function("cos", as_expr(a))


def exp(a):
    return Function("exp", as_expr(a))


def log(a):
    return Function("log", as_expr(a))


def logistic_map(x, steps):
    """l_{k+1} = 4 l_k (1 - l_k), starting at l_0 = x: the textbook case of expression swell.

    ``x`` is a number, an expression (:class:`Var`) or a forward-mode ``Dual``.
    """
    x = x if isinstance(x, (Expr, Dual)) else number(x, "x")
    steps = integer(steps, "steps", minimum=0, maximum=MAX_STEPS)
    value = x
    for _ in range(steps):
        value = 4 * value * (1 - value)
    return value
