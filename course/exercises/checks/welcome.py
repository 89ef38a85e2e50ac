"""Checkers for 00_welcome."""

from ..framework import Wrong, call, exercise, expect_close, expect_equal


@exercise(
    "00.1",
    "Celsius to Fahrenheit",
    expects="a function celsius_to_fahrenheit(c) returning c * 9/5 + 32",
    hint="Fahrenheit = Celsius × 9/5 + 32; water freezes at 0 °C = 32 °F.",
)
def _celsius_to_fahrenheit(answer):
    for celsius, fahrenheit in [(0, 32.0), (100, 212.0), (-40, -40.0), (37, 98.6)]:
        got = call(answer, celsius, what=f"celsius_to_fahrenheit({celsius})")
        expect_close(got, fahrenheit, what=f"celsius_to_fahrenheit({celsius})")
    return "celsius_to_fahrenheit gives 32 °F at 0 °C, 212 °F at 100 °C and -40 at -40."


@exercise(
    "00.2",
    "Squares",
    expects="a list of the squares of 0, 1, ..., 9: [0, 1, 4, ..., 81]",
    hint="A list comprehension does it in one line: [n * n for n in range(10)].",
)
def _squares(answer):
    if not isinstance(answer, list):
        raise Wrong(f"squares should be a list, got a {type(answer).__name__}.")
    expect_equal(len(answer), 10, what="the length of squares")
    for n, value in enumerate(answer):
        expect_equal(value, n * n, what=f"squares[{n}]")
    return "squares holds 0, 1, 4, ..., 81."
