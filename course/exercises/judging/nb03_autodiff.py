"""The judges of 03_autodiff: what each exercise's answer is compared with."""

import math

import numpy as np

from ...autodiff import forward, reverse
from ..checks.nb03_autodiff import MOST_CALLS_KEPT, _build, _numbered, _program
from . import expect
from .expect import Wrong


def _judge_derivative(case, seen):
    x = case["x"]
    what = f"df({x})"
    got = expect.number(seen, what)
    s, c = math.sin(x), math.cos(x)
    want = 2 * x * s + x * x * c
    if math.isclose(got, want, rel_tol=1e-7, abs_tol=1e-9):
        return "df is the derivative of x² sin(x) at every point tried."
    mistakes = {
        "differentiated each factor and multiplied the results; the product rule has two terms": 2 * x * c,
        "kept only the term where x² is differentiated; the product rule has two terms": 2 * x * s,
        "kept only the term where sin(x) is differentiated; the product rule has two terms": x * x * c,
        "subtracted the two terms of the product rule (or took -cos as the derivative of sin)": 2 * x * s
        - x * x * c,
        "returned f(x) itself, not its derivative": x * x * s,
        "differentiated x² as x": x * s + x * x * c,
    }
    for why, mistake in mistakes.items():
        if math.isclose(got, mistake, rel_tol=1e-7, abs_tol=1e-9) and not math.isclose(mistake, want):
            raise Wrong(f"{what} is {got:.6g}: it looks like you {why}.")
    raise Wrong(f"{what} is {got:.6g}, which is not the derivative of x² sin(x) there.")


def _judge_jacobian(case, seen):

    n, m = len(case["x"]), len(case["outputs"])
    what = f"forward_jacobian for {m} output(s) of {n} input(s)"
    f = _program(case)
    want = forward.jacobian(f, case["x"])
    got = expect.array(seen["result"], f"the Jacobian from {what}")
    calls = len(seen["calls"]) if isinstance(seen.get("calls"), list) else MOST_CALLS_KEPT
    if calls > n + 1:
        times = f"at least {calls:,}" if calls >= MOST_CALLS_KEPT else str(calls)
        raise Wrong(
            f"{what} ran f {times} times; forward mode needs one pass per input ({n} here), each giving a "
            "whole column."
        )
    ones = want @ np.ones(n)
    expect.close(
        got,
        want,
        f"the Jacobian from {what}",
        near_misses={
            "gave every input the tangent 1 in every pass: each pass should seed one input only": np.repeat(
                ones[:, None], n, axis=1
            ),
            "kept the tangents of earlier passes: each pass starts from tangents that are all 0 but one": np.cumsum(
                want, axis=1
            ),
        },
        rtol=1e-9,
        atol=1e-12,
    )
    return "forward_jacobian is right: one forward pass per input, each giving one column."


def _judge_topo(case, seen):
    output = _build(case)
    number, nodes = _numbered(output)
    inputs = [[number[id(child)] for child in node.inputs] for node in nodes]
    total = len(nodes)
    what = f"topo_sort on a graph of {total} nodes"
    order = seen["order"]
    if order is None:
        raise Wrong(f"{what} should return a list of nodes, got {expect.described(seen['result'])}.")
    if -1 in order:
        raise Wrong(
            f"{what} returned a list holding {expect.described(seen['other'])}; it should hold the graph's "
            "Node objects themselves."
        )
    if -2 in order:
        raise Wrong(f"{what} returned nodes that are not part of this graph.")
    if len(set(order)) < len(order):
        twice = next(k for k in order if order.count(k) > 1)
        raise Wrong(
            f"{what} lists node {nodes[twice]!r} {order.count(twice)} times; each node should appear once, "
            "even when several operations use it."
        )
    if len(order) < total:
        listed = set(order)
        missing = [k for k in range(total) if k not in listed]
        leaves = all(not inputs[k] for k in missing)
        raise Wrong(
            f"{what} lists {len(order)} of the {total} nodes"
            + (
                ": the leaves (nodes made by no operation) are missing."
                if leaves
                else f"; {nodes[missing[0]]!r} is missing."
            )
        )
    position = {k: p for p, k in enumerate(order)}
    if all(position[child] > position[k] for k in range(total) for child in inputs[k]):
        raise Wrong(
            f"{what} puts every node before its inputs (the output first): that is the reverse of the order asked."
        )
    for k in order:
        late = [child for child in inputs[k] if position[child] > position[k]]
        if late:
            raise Wrong(f"{what}: {nodes[k]!r} comes before its input {nodes[late[0]]!r}.")
    return "topo_sort puts every node once after all of its inputs, also on a long chain."


def _reverse_pass(output, accumulate=True):
    """Adjoints as numbers, by node number; ``accumulate=False`` keeps only the last contribution."""

    number, _ = _numbered(output)
    partial, result = {id(output): 1.0}, {}
    for node in reverse.reverse_topo_order(output):
        adjoint = partial.pop(id(node))
        result[number[id(node)]] = adjoint
        if node.op is not None:
            for child, part in zip(
                node.inputs, node.op.vjp(adjoint, node.value, *[x.value for x in node.inputs])
            ):
                partial[id(child)] = (
                    partial[id(child)] + part if accumulate and id(child) in partial else part
                )
    return [result[k] for k in range(len(result))]


def _judge_backward(case, seen):
    output = _build(case)
    number, nodes = _numbered(output)
    what = f"backward_pass on a graph of {len(nodes)} nodes"
    keys, values = seen.get("keys"), seen.get("values")
    if not isinstance(keys, list) or not isinstance(values, list) or len(keys) != len(values):
        raise Wrong(f"{what} should return a dict (node -> adjoint), got {expect.described(seen['result'])}.")
    strangers = sum(not isinstance(key, int) or not 0 <= key < len(nodes) for key in keys)
    if strangers:
        raise Wrong(
            f"{what} returned a dict with {strangers} key(s) that are not nodes of this graph; "
            "its keys should be the graph's Node objects themselves."
        )
    adjoints = [None] * len(nodes)
    for key, value in zip(keys, values):
        adjoints[key] = value
    missing = [k for k, item in enumerate(adjoints) if item is None]
    if missing:
        leaves = all(not nodes[k].inputs for k in missing)
        raise Wrong(
            f"{what} gave adjoints for {len(nodes) - len(missing)} of the {len(nodes)} nodes"
            + (": the leaves are missing." if leaves else f"; {nodes[missing[0]]!r} is missing.")
        )
    got = [expect.number(item, f"the adjoint of {nodes[k]!r}") for k, item in enumerate(adjoints)]
    want = _reverse_pass(output)
    if not math.isclose(got[0], 1.0):
        raise Wrong(f"{what}: the output's adjoint is {got[0]:.6g}; d(output)/d(output) is 1.")
    if np.allclose(got, want, rtol=1e-7, atol=1e-9):
        return "backward_pass is right: every adjoint sums the contributions of every use of its node."
    if np.allclose(got, _reverse_pass(output, accumulate=False), rtol=1e-7, atol=1e-9):
        raise Wrong(
            f"{what}: a node used by several operations got only one contribution; its adjoint is the "
            "sum of the contributions of all its uses."
        )
    order = [number[id(node)] for node in _reverse_order(output)]
    first = next(k for k in order if not math.isclose(got[k], want[k], rel_tol=1e-7, abs_tol=1e-9))
    raise Wrong(f"{what}: the adjoint of {nodes[first]!r} is {got[first]:.6g}, which is not right.")


def _reverse_order(output):

    return reverse.reverse_topo_order(output)


def _sigmoid(x):
    return 1 / (1 + math.exp(-x))


def _stage_value(stage, what):
    if "raised" in stage:
        raise Wrong(f"{what} raised {stage['raised']}")
    return stage["ok"]


def _judge_softplus(case, seen):
    x, c = case["x"], case["adjoint"]
    if not seen["is_op"]:
        raise Wrong(
            f"Softplus() should be an operation of the engine (a reverse.Op), got {expect.described(seen['made'])}."
        )
    value = expect.number(_stage_value(seen["value"], f"applying Softplus() to Node({x})"), f"softplus({x})")
    want = math.log1p(math.exp(x))
    if not math.isclose(value, want, rel_tol=1e-9, abs_tol=1e-12):
        if math.isclose(value, math.exp(x)):
            raise Wrong(f"softplus({x}) is {value:.6g}: that is e^x; softplus takes the log of 1 + e^x.")
        raise Wrong(f"softplus({x}) is {value:.6g}, which is not log(1 + e^x).")
    contributions = _stage_value(seen["vjp"], f"vjp({c}, out, {x})")
    if contributions.get("type") not in ("tuple", "list") or contributions.get("length") != 1:
        raise Wrong(
            f"vjp({c}, out, {x}) should return a tuple with one adjoint per input (here one), got "
            f"{expect.described(contributions)}."
        )
    slope = expect.number(
        _stage_value(seen["first"], f"the reverse pass through Softplus at x = {x}"),
        f"d/dx ({c} · softplus(x)) at x = {x}",
    )
    want_slope = c * _sigmoid(x)
    if not math.isclose(slope, want_slope, rel_tol=1e-7, abs_tol=1e-10):
        mistakes = {
            "did not multiply by the output's adjoint (the vjp passes the adjoint on, scaled)": _sigmoid(x),
            "forgot the derivative of the log: (log u)' is u'/u": c * math.exp(x),
            "took e^(-x) where e^x belongs: that gives sigmoid(-x)": c * _sigmoid(-x),
            "used the output itself as the derivative, which is the rule of exp": c * want,
        }
        for why, mistake in mistakes.items():
            if math.isclose(slope, mistake, rel_tol=1e-7) and not math.isclose(mistake, want_slope):
                raise Wrong(f"d/dx ({c} · softplus(x)) at x = {x} is {slope:.6g}: it looks like you {why}.")
        raise Wrong(f"d/dx ({c} · softplus(x)) at x = {x} is {slope:.6g}, which is not right.")
    second = seen["second"]
    if "raised" in second:
        raise Wrong(
            f"the first derivative is right on numbers, but your vjp fails when the engine gives it graph nodes "
            f"to build the second derivative ({second['raised']}). Build it only from operators and the "
            "engine's own functions, which work on nodes and on numbers."
        )
    pair = second["ok"]
    if pair.get("type") not in ("list",) or pair.get("length") != 2:
        raise Wrong(f"the gradient of Softplus built as a graph is {expect.described(pair)}, not a Node.")
    curvature = expect.number(pair["items"][1], f"the second derivative of softplus at x = {x}")
    want_curvature = _sigmoid(x) * (1 - _sigmoid(x))
    if not math.isclose(curvature, want_curvature, rel_tol=1e-7, abs_tol=1e-10):
        if curvature == 0:
            raise Wrong(
                f"the second derivative of softplus at x = {x} is 0: your vjp turns its input into a plain "
                "number somewhere, so the engine cannot see how the derivative depends on x."
            )
        raise Wrong(f"the second derivative of softplus at x = {x} is {curvature:.6g}, which is not right.")
    return "Softplus is a working operation: its value, its vjp, and a second derivative through it."


def _maybe(compute, shape):
    try:
        result = compute()
    except ValueError:
        return None
    return result if result.shape == shape else None


def _judge_vjp(case, seen):
    g, a, b = case["g"], case["a"], case["b"]
    what = f"matmul_vjp(g of shape {g.shape}, a of shape {a.shape}, b of shape {b.shape})"
    first, second = expect.items(seen, ("adjoint of a", "adjoint of b"), what)
    got_a = expect.array(first, f"the adjoint of a from {what}")
    got_b = expect.array(second, f"the adjoint of b from {what}")
    want_a, want_b = g @ b.T, a.T @ g
    swapped = got_a.shape == want_b.shape and got_b.shape == want_a.shape
    if swapped and (a.shape != b.shape or np.allclose(got_a, want_b) and np.allclose(got_b, want_a)):
        raise Wrong(f"{what} returns the two adjoints in the wrong order: the adjoint of a comes first.")
    for got, want, name, mistakes in (
        (
            got_a,
            want_a,
            "a",
            {
                "used b without transposing it": lambda: g @ b,
                "multiplied in the wrong order": lambda: b.T @ g,
                "averaged over the rows of g instead of summing": lambda: g @ b.T / len(g),
            },
        ),
        (
            got_b,
            want_b,
            "b",
            {
                "used a without transposing it": lambda: a @ g,
                "multiplied in the wrong order": lambda: g @ a.T,
                "transposed g instead of a": lambda: a @ g.T,
                "averaged over the rows of g instead of summing": lambda: a.T @ g / len(g),
            },
        ),
    ):
        what_one = f"the adjoint of {name} from {what}"
        if got.shape != want.shape:
            if got.shape == want.T.shape and want.shape != want.T.shape:
                raise Wrong(f"{what_one} has shape {got.shape}, expected {want.shape}: it is transposed.")
            raise Wrong(
                f"{what_one} should have shape {want.shape} (the shape of {name}), got shape {got.shape}."
            )
        mistakes["returned it transposed"] = lambda want=want: want.T
        near = {why: m for why, compute in mistakes.items() if (m := _maybe(compute, want.shape)) is not None}
        expect.close(got, want, what_one, near_misses=near)
    return "matmul_vjp is right: each adjoint has the shape of its matrix."


JUDGES = {
    "03.1": _judge_derivative,
    "03.2": _judge_jacobian,
    "03.3": _judge_topo,
    "03.4": _judge_backward,
    "03.5": _judge_softplus,
    "03.6": _judge_vjp,
}
