"""Symbolic differentiation: expressions as trees, derivatives by the rules of calculus.

``x = Var("x"); f = x * sin(x)`` builds a tree; ``f.diff("x")`` applies the product
and chain rules and returns a new tree. The result is exact, but it can grow much
faster than the expression it came from ("expression swell"): :meth:`Expr.size`
counts its nodes.
"""

import math


class Expr:
    """A node of an expression tree. Operators build bigger trees."""

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

    def size(self):
        """The number of nodes in the tree (shared subtrees counted every time they appear)."""
        return 1 + sum(child.size() for child in self.children)

    children = ()


class Const(Expr):
    def __init__(self, value):
        self.value = float(value)

    def evaluate(self, env):
        return self.value

    def diff(self, var):
        return Const(0)

    def __str__(self):
        return f"{self.value:g}"


class Var(Expr):
    def __init__(self, name):
        if not isinstance(name, str) or not name:
            raise ValueError(f"a variable's name is a non-empty string, got {name!r}")
        self.name = name

    def evaluate(self, env):
        if self.name not in env:
            raise KeyError(f"no value given for variable {self.name!r}; got values for {sorted(env)}")
        return float(env[self.name])

    def diff(self, var):
        return Const(1 if self.name == var else 0)

    def __str__(self):
        return self.name


class Add(Expr):
    def __init__(self, a, b):
        self.children = (a, b)

    def evaluate(self, env):
        a, b = self.children
        return a.evaluate(env) + b.evaluate(env)

    def diff(self, var):  # (a + b)' = a' + b'
        a, b = self.children
        return add(a.diff(var), b.diff(var))

    def __str__(self):
        a, b = self.children
        return f"({a} + {b})"


class Mul(Expr):
    def __init__(self, a, b):
        self.children = (a, b)

    def evaluate(self, env):
        a, b = self.children
        return a.evaluate(env) * b.evaluate(env)

    def diff(self, var):  # (a b)' = a' b + a b'
        a, b = self.children
        return add(mul(a.diff(var), b), mul(a, b.diff(var)))

    def __str__(self):
        a, b = self.children
        return f"{a} * {b}"


class Pow(Expr):
    """a ** n for a constant number n."""

    def __init__(self, a, n):
        self.children, self.n = (a,), float(n)

    def evaluate(self, env):
        return self.children[0].evaluate(env) ** self.n

    def diff(self, var):  # (a^n)' = n a^(n-1) a'
        (a,) = self.children
        return mul(mul(Const(self.n), power(a, self.n - 1)), a.diff(var))

    def __str__(self):
        return f"({self.children[0]})^{self.n:g}"


class Function(Expr):
    """A named function of one argument: sin, cos, exp, log."""

    RULES = {  # value, and the derivative as a function of the argument expression
        "sin": (math.sin, lambda a: Function("cos", a)),
        "cos": (math.cos, lambda a: -Function("sin", a)),
        "exp": (math.exp, lambda a: Function("exp", a)),
        "log": (math.log, lambda a: power(a, -1)),
    }

    def __init__(self, name, a):
        if name not in self.RULES:
            raise ValueError(f"unknown function {name!r}; known: {sorted(self.RULES)}")
        self.name, self.children = name, (a,)

    def evaluate(self, env):
        return self.RULES[self.name][0](self.children[0].evaluate(env))

    def diff(self, var):  # chain rule: f(a)' = f'(a) a'
        (a,) = self.children
        return mul(self.RULES[self.name][1](a), a.diff(var))

    def __str__(self):
        return f"{self.name}({self.children[0]})"


def as_expr(value):
    if isinstance(value, Expr):
        return value
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        return Const(value)
    raise TypeError(f"expected an expression or a number, got {type(value).__name__}")


def _is(expr, number):
    return isinstance(expr, Const) and expr.value == number


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
    if isinstance(n, bool) or not isinstance(n, (int, float)):
        raise TypeError(f"only constant exponents are supported, got {type(n).__name__}")
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
    """l_{k+1} = 4 l_k (1 - l_k), starting at l_0 = x: the textbook case of expression swell."""
    if isinstance(steps, bool) or not isinstance(steps, int) or steps < 0:
        raise ValueError(f"steps must be a non-negative int, got {steps!r}")
    value = x
    for _ in range(steps):
        value = 4 * value * (1 - value)
    return value
