"""Exercises and quizzes of 00_welcome."""

from ..probing import observe
from ..quizzes import multiple_choice, predict_shape
from ..registry import exercise


def _fahrenheit_cases(rng):
    return [{"c": float(c)} for c in rng.uniform(-60, 160, size=6).round(1)]


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
        "Scale the Celsius value first, then shift the result so that 0 °C lands on 32 °F.",
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
        "range(10) gives 0, 1, ..., 9; square each of them.",
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
