"""Exercises and quizzes of 00_welcome."""

from .. import judging
from ..framework import exercise
from ..judging import Wrong
from ..probing import observe
from ..quizzes import multiple_choice, predict_shape


def _fahrenheit_cases(rng):
    return [{"c": float(c)} for c in rng.uniform(-60, 160, size=6).round(1)]


def _judge_fahrenheit(case, seen):
    c = case["c"]
    got = judging.number(seen, f"celsius_to_fahrenheit({c})")
    want = c * 9 / 5 + 32
    if abs(got - want) <= 1e-6 * max(1.0, abs(want)):
        return "celsius_to_fahrenheit is right for every temperature tried."
    if abs(got - (c * 5 / 9 + 32)) < 1e-6 * max(1.0, abs(got)):
        raise Wrong(f"celsius_to_fahrenheit({c}) is {got:.4g}: the factor 9/5 seems upside down.")
    if abs(got - c * 9 / 5) < 1e-6 * max(1.0, abs(got)):
        raise Wrong(
            f"celsius_to_fahrenheit({c}) is {got:.4g}: the offset of the Fahrenheit scale is missing."
        )
    raise Wrong(f"celsius_to_fahrenheit({c}) is {got:.4g}, which is not right.")


exercise(
    id="00.1",
    title="Celsius to Fahrenheit",
    produce="a function celsius_to_fahrenheit(c) that takes a temperature in °C (a float) "
    "and returns it in °F as a float",
    cases=_fahrenheit_cases,
    probe=lambda answer, case: observe(answer(case["c"])),
    judge=_judge_fahrenheit,
    hints=(
        "Water freezes at 0 °C, which is 32 °F, and boils at 100 °C, which is 212 °F.",
        "A step of 100 °C is a step of 180 °F: how many °F is one °C?",
        "Scale the Celsius value first, then shift the result so that 0 °C lands on 32 °F.",
    ),
)


def _judge_squares(case, seen):
    if seen.get("type") != "list":
        raise Wrong(f"squares should be a list, got {judging.described(seen)}.")
    if seen["length"] != 10:
        raise Wrong(f"squares should hold 10 numbers (for 0 to 9), it holds {seen['length']}.")
    for n, item in enumerate(seen["items"]):
        value = judging.whole_number(item, f"squares[{n}]")
        if value != n * n:
            raise Wrong(f"squares[{n}] is {value}, which is not the square of {n}.")
    return "squares holds the squares of 0 to 9."


exercise(
    id="00.2",
    title="Squares",
    produce="a list named squares holding the squares of 0, 1, ..., 9 as ints, in order",
    answer="value",
    cases=lambda rng: [{}],
    probe=lambda answer, case: observe(answer),
    judge=_judge_squares,
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
