"""Exercises and quizzes of 00_welcome."""

import itertools

from ..probing import observe
from ..quizzes import multiple_choice, predict_shape
from ..registry import exercise

# The answer and the usual mistakes are lines a * c + b (the factor upside down, no offset, the offset
# subtracted, shifted before scaling, the conversion the other way, a factor of 1 from 9 // 5): no
# temperature tried lies near a crossing of two of them, where one mistake would look like another.
_LINES = ((9 / 5, 32), (5 / 9, 32), (9 / 5, 0), (9 / 5, -32), (9 / 5, 288 / 5), (5 / 9, -160 / 9), (1, 32))
_CROSSINGS = [(b2 - b1) / (a1 - a2) for (a1, b1), (a2, b2) in itertools.combinations(_LINES, 2) if a1 != a2]


def _temperature(rng, tenths):
    while True:
        c = round(float(rng.integers(-60, 160)) + float(rng.choice(tenths)) / 10, 1)
        if min(abs(c - crossing) for crossing in _CROSSINGS) > 0.5:
            return c


def _fahrenheit_cases(rng):
    temperatures = [_temperature(rng, range(10)) for _ in range(6)]
    # one temperature whose tenths are not 0 or 5: its answer is no whole number, so rounding shows
    temperatures[int(rng.integers(0, 6))] = _temperature(rng, (1, 3, 7, 9))
    return [{"c": c} for c in temperatures]


exercise(
    id="00.1",
    title="Celsius to Fahrenheit",
    produce="a function celsius_to_fahrenheit(c) that takes a temperature in °C (a float) "
    "and returns it in °F as a float",
    cases=_fahrenheit_cases,
    probe=lambda answer, case: observe(answer(case["c"])),
    hints=(
        "Water freezes at 0 °C, which is 32 °F, and boils at 100 °C, which is 212 °F.",
        "A step of 100 °C is a step of 180 °F: how many °F is one °C?",
        "A worked example on another scale: the Réaumur scale puts freezing at 0 °Ré and boiling at 80 °Ré, "
        "so one °C is 0.8 °Ré and 25 °C is 20 °Ré. Fahrenheit works the same way, except that its freezing "
        "point is not at 0: test your function at 0 °C and at 100 °C.",
    ),
)


exercise(
    id="00.2",
    title="Squares",
    produce="a list named squares holding the squares of 0, 1, ..., 9 as ints, in order",
    answer="value",
    cases=lambda rng: [{}],
    probe=lambda answer, case: observe(answer),
    hints=(
        "A list comprehension builds a list from a loop in one line.",
        "A worked example on other numbers: [2 * k for k in range(3)] is [0, 2, 4], the doubles of 0, 1 "
        "and 2. Which range gives exactly the ten numbers from 0 to 9, and how does Python write a square? "
        "(Careful: ^ is not a power in Python.)",
    ),
)

multiple_choice(
    "00.q1",
    "You restart the kernel. What happens to the variable `squares`?",
    options=[
        "It keeps its value: it is saved in the notebook file",
        "It is gone until you run its cell again",
        "It is reset to an empty list",
    ],
    answer="It is gone until you run its cell again",
    explanation="Variables live in the kernel's memory; the file only stores code, text and outputs.",
)

predict_shape(
    "00.q2",
    "A grid of pixels with 3 rows and 4 columns is stored as an array. What is its shape? "
    "(type it like (2, 3))",
    shape=(3, 4),
    explanation="Shapes list the number of entries along each axis, rows first.",
)
