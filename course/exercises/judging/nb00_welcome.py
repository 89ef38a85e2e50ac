"""The judges of 00_welcome: what each exercise's answer is compared with."""

from . import expect
from .expect import Wrong


def _same(got, value):
    return abs(got - value) <= 1e-6 * max(1.0, abs(value))


def _judge_fahrenheit(case, seen):
    c = case["c"]
    what = f"celsius_to_fahrenheit({c})"
    got = expect.number(seen, what)
    want = c * 9 / 5 + 32
    if _same(got, want):
        return "celsius_to_fahrenheit is right for every temperature tried."
    mistakes = (  # (the mistake's value on c, its diagnosis); the cases keep these values apart
        (
            c * 5 / 9 + 32,
            "the scale factor seems upside down: one degree Celsius is a bigger step than one degree "
            "Fahrenheit, so the °F number should change faster than the °C number",
        ),
        (c * 9 / 5, "the offset of the Fahrenheit scale is missing: 0 °C is not 0 °F"),
        (c * 9 / 5 - 32, "the offset has the wrong sign: water freezes above 0 °F"),
        (
            (c + 32) * 9 / 5,
            "the offset is added before the temperature is scaled, so the offset is scaled too",
        ),
        ((c - 32) * 5 / 9, "it converts °F to °C, the other way round"),
        (
            c + 32,
            "a step of 1 °C gives a step of only 1 °F here; look for an integer division (//) in the "
            "factor: it drops the fractional part",
        ),
    )
    for value, why in mistakes:
        if _same(got, value):
            raise Wrong(f"{what} is {got:.4g}: {why}.")
    if got == int(got) and abs(got - want) < 1:
        raise Wrong(
            f"{what} is {got:.4g}, a whole number: the fractional part of the answer is lost. "
            "Return the exact value, without rounding."
        )
    raise Wrong(f"{what} is {got:.4g}, which is not right.")


def _judge_squares(case, seen):
    if seen.get("type") != "list":
        raise Wrong(f"squares should be a list, got {expect.described(seen)}.")
    if seen["length"] != 10:
        raise Wrong(f"squares should hold 10 numbers (for 0 to 9), it holds {seen['length']}.")
    for n, item in enumerate(seen["items"]):
        value = expect.whole_number(item, f"squares[{n}]")
        if value == n ^ 2 and value != n * n:
            raise Wrong(
                f"squares[{n}] is {value}: in Python, ^ is the bitwise XOR of two whole numbers, not a power."
            )
        if value != n * n:
            raise Wrong(f"squares[{n}] is {value}, which is not the square of {n}.")
    return "squares holds the squares of 0 to 9."


JUDGES = {
    "00.1": _judge_fahrenheit,
    "00.2": _judge_squares,
}
