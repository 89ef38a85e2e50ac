"""Float arithmetic for the scalar engines (symbolic, forward, reverse), with one rule for failures.

Python's ``math`` module fails in three different ways: ``math.exp(1000)`` raises
OverflowError, ``0.0 ** -1`` raises ZeroDivisionError and ``(-8.0) ** 0.5`` quietly
returns a complex number. Here each of them is a ValueError that says what went
wrong, and every result is a finite float: the scalar engines never hold inf or NaN.
"""

import math
import sys

from ..runtime.validate import number, received, text

MAX_EXP = math.log(sys.float_info.max)  # 709.78...: exp of anything larger overflows


def finite(value, operation, operands=()):
    """``value``, the result of ``operation`` on ``operands``, if it is a finite number; else a ValueError."""
    operation = text(operation, "operation")
    if not isinstance(value, (int, float)):
        raise TypeError(f"the result of {operation} must be a number, got {received(value)}")
    if not math.isfinite(value):
        shown = ", ".join(f"{x:g}" for x in operands)
        raise ValueError(f"{operation}({shown}) = {value}: the result is too large for a float (overflow)")
    return value


def exp(x):
    """e^x, or a ValueError when it would overflow (x > 709.78)."""
    x = number(x, "x")
    if x > MAX_EXP:
        raise ValueError(f"exp({x:g}) is too large for a float: exp needs x <= {MAX_EXP:.2f}")
    return math.exp(x)


def log(x):
    """The natural logarithm of a positive number."""
    x = number(x, "x")
    if x <= 0:
        raise ValueError(f"log is defined for positive numbers only, got {x!r}")
    return math.log(x)


def divide(a, b):
    """a / b for b != 0."""
    a = number(a, "a")
    b = number(b, "b")
    if b == 0:
        raise ValueError(f"division by zero: {a:g} / 0")
    return finite(a / b, "divide", (a, b))


def power(a, n):
    """a ** n as a real, finite number."""
    a = number(a, "a")
    n = number(n, "n")
    if a == 0 and n < 0:
        raise ValueError(f"0 ** {n:g} divides by zero")
    if a < 0 and n != int(n):
        raise ValueError(f"{a:g} ** {n:g} is not a real number: a negative base needs a whole exponent")
    try:
        return finite(a**n, "power", (a, n))
    except OverflowError:
        raise ValueError(f"{a:g} ** {n:g} is too large for a float (overflow)") from None
