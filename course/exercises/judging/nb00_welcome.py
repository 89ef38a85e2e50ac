"""The judges of 00_welcome: what each exercise's answer is compared with."""

from . import expect
from .expect import Wrong


def _judge_fahrenheit(case, seen):
    c = case["c"]
    got = expect.number(seen, f"celsius_to_fahrenheit({c})")
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


def _judge_squares(case, seen):
    if seen.get("type") != "list":
        raise Wrong(f"squares should be a list, got {expect.described(seen)}.")
    if seen["length"] != 10:
        raise Wrong(f"squares should hold 10 numbers (for 0 to 9), it holds {seen['length']}.")
    for n, item in enumerate(seen["items"]):
        value = expect.whole_number(item, f"squares[{n}]")
        if value != n * n:
            raise Wrong(f"squares[{n}] is {value}, which is not the square of {n}.")
    return "squares holds the squares of 0 to 9."


JUDGES = {
    "00.1": _judge_fahrenheit,
    "00.2": _judge_squares,
}
