"""Answer tables of 00_welcome: plausible mistakes and correct answers in other styles."""

import numpy as np

from . import Correct, Mistake, Table, mutations


def stub(*args, **kwargs):
    raise NotImplementedError


# ---------------------------------------------------------------------------
# 00.1 celsius_to_fahrenheit
# ---------------------------------------------------------------------------


def celsius_to_fahrenheit(c):
    return c * 9 / 5 + 32


def fahrenheit_shift_first(c):
    return (c + 32) * 9 / 5


def fahrenheit_the_other_way(c):
    return (c - 32) * 5 / 9


def fahrenheit_with_integer_division(c):
    return c * (9 // 5) + 32


def fahrenheit_rounded(c):
    return round(c * 9 / 5 + 32)


def fahrenheit_printed(c):
    print(c * 9 / 5 + 32)


def fahrenheit_from_a_table(c):
    return {0: 32.0, 100: 212.0, 37: 98.6}.get(c, 32.0)


def fahrenheit_by_interpolation(c):
    freezing, boiling = 32.0, 212.0
    return freezing + (boiling - freezing) * c / 100


FAHRENHEIT = Table(
    mistakes=(
        mutations.right_for_one_input(celsius_to_fahrenheit, "which is not right"),
        Mistake("offset typed as 23", lambda c: c * 9 / 5 + 23, "which is not right"),
        Mistake("factor upside down (5/9)", lambda c: c * 5 / 9 + 32, "the scale factor seems upside down"),
        Mistake("offset forgotten", lambda c: c * 9 / 5, "the offset of the Fahrenheit scale is missing"),
        Mistake("offset subtracted", lambda c: c * 9 / 5 - 32, "the offset has the wrong sign"),
        Mistake("shifts before it scales", fahrenheit_shift_first, "the offset is added before"),
        Mistake("converts the other way (°F to °C)", fahrenheit_the_other_way, "converts °F to °C"),
        Mistake("integer division 9 // 5", fahrenheit_with_integer_division, "look for an integer division"),
        Mistake("rounds to a whole degree", fahrenheit_rounded, "fractional part"),
        Mistake(
            "returns a str", lambda c: str(c * 9 / 5 + 32), "should be a number (int or float), got the str"
        ),
        Mistake(
            "returns a list", lambda c: [c * 9 / 5 + 32], "should be a number (int or float), got a list"
        ),
        Mistake("prints instead of returning", fahrenheit_printed, "got None"),
        Mistake("takes no argument", lambda: 32.0, "raised TypeError"),
        Mistake(
            "the formula as text, not a function",
            "c * 9 / 5 + 32",
            "expected a function celsius_to_fahrenheit(c)",
        ),
        Mistake("right only for the notebook's temperatures", fahrenheit_from_a_table, "which is not right"),
    ),
    correct=(
        Correct("the notebook's formula", celsius_to_fahrenheit),
        Correct("one division at the end", lambda c: (c * 9 + 160) / 5),
        Correct("offset first, factor 1.8", lambda c: 32 + 1.8 * c),
        Correct("a NumPy float", lambda c: np.float64(c * 1.8 + 32)),
        Correct("between freezing and boiling points", fahrenheit_by_interpolation),
    ),
    not_attempted=(..., stub),
)

# ---------------------------------------------------------------------------
# 00.2 squares
# ---------------------------------------------------------------------------


def squares_with_a_loop():
    squares = []
    for n in range(10):
        squares.append(n**2)
    return squares


SQUARES = Table(
    mistakes=(
        Mistake(
            "starts at 1", [n * n for n in range(1, 11)], "squares[0] is 1, which is not the square of 0"
        ),
        Mistake("stops at 8", [n * n for n in range(9)], "should hold 10 numbers"),
        Mistake("goes on to 10", [n * n for n in range(11)], "should hold 10 numbers"),
        Mistake(
            "doubles instead of squaring",
            [2 * n for n in range(10)],
            "squares[1] is 2, which is not the square of 1",
        ),
        Mistake("^ for a power (XOR in Python)", [n ^ 2 for n in range(10)], "^ is the bitwise XOR"),
        Mistake("forgets to square", list(range(10)), "squares[2] is 2, which is not the square of 2"),
        Mistake(
            "largest first",
            [n * n for n in range(9, -1, -1)],
            "squares[0] is 81, which is not the square of 0",
        ),
        Mistake(
            "floats from a power of 2.0",
            [n**2.0 for n in range(10)],
            "squares[0] should be a whole number (int), got the float",
        ),
        Mistake("a tuple", tuple(n * n for n in range(10)), "squares should be a list, got a tuple"),
        Mistake("an ndarray", np.arange(10) ** 2, "squares should be a list, got an ndarray of shape (10,)"),
    ),
    correct=(
        Correct("a list comprehension", [n * n for n in range(10)]),
        Correct("a loop with append", squares_with_a_loop()),
        Correct("map with a power", list(map(lambda n: n**2, range(10)))),
        Correct("NumPy ints in a list", list(np.arange(10) ** 2)),
    ),
    not_attempted=(..., [..., 1]),
)

TABLES = {"00.1": FAHRENHEIT, "00.2": SQUARES}
