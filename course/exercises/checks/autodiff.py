"""Checkers for 03_autodiff."""

import math

import numpy as np

from ..framework import Wrong, call, exercise, expect_close, expect_tuple


@exercise(
    "03.1",
    "The derivative of x² sin(x)",
    expects="a function df(x) returning 2x sin(x) + x² cos(x)",
    hint="Product rule: (u v)' = u' v + u v', with u = x² and v = sin(x).",
)
def _derivative(answer):
    for x in (0.0, 1.0, -2.0, 3.5):
        expect_close(
            call(answer, x, what=f"df({x})"), 2 * x * math.sin(x) + x * x * math.cos(x), what=f"df({x})"
        )
    return "df matches the product rule at four points."


@exercise(
    "03.2",
    "Multiplying dual numbers",
    expects="a function dual_mul(a, b) returning Dual(a.value * b.value, a.tangent * b.value + a.value * b.tangent)",
    hint="(a + a'ε)(b + b'ε) = ab + (a'b + ab')ε because ε² = 0.",
)
def _dual_mul(answer):
    from ...autodiff.forward import Dual

    for (a, da), (b, db) in [((2.0, 1.0), (3.0, 0.0)), ((-1.5, 0.5), (4.0, 2.0)), ((0.0, 1.0), (7.0, 1.0))]:
        got = call(answer, Dual(a, da), Dual(b, db), what=f"dual_mul(Dual({a}, {da}), Dual({b}, {db}))")
        if not isinstance(got, Dual):
            raise Wrong(f"dual_mul should return a Dual, got {type(got).__name__}.")
        expect_close(got.value, a * b, what="the value of the product")
        expect_close(got.tangent, da * b + a * db, what="the tangent of the product")
    return "dual_mul applies the product rule to the tangents."


@exercise(
    "03.4",
    "The gradient of a matrix product",
    expects="a function matmul_vjp(g, a, b) returning (g @ b.T, a.T @ g)",
    hint="Match shapes: g is (n, m), a is (n, k), b is (k, m); the adjoint of a must be (n, k).",
)
def _matmul_vjp(answer):
    rng = np.random.default_rng(3)
    a, b, g = rng.normal(size=(4, 3)), rng.normal(size=(3, 5)), rng.normal(size=(4, 5))
    got = expect_tuple(
        call(answer, g, a, b, what="matmul_vjp(g, a, b)"), ("adjoint of a", "adjoint of b"), "matmul_vjp"
    )
    expect_close(got[0], g @ b.T, what="the adjoint of a")
    expect_close(got[1], a.T @ g, what="the adjoint of b")
    return "matmul_vjp returns g @ b.T and a.T @ g, shapes (4, 3) and (3, 5)."


def _valid_order(order, output, what):
    from ...autodiff.reverse import find_topo_sort

    if not isinstance(order, (list, tuple)):
        raise Wrong(f"{what} should return a list of nodes, got {type(order).__name__}.")
    expected = find_topo_sort([output])
    if len(order) != len(expected) or {id(n) for n in order} != {id(n) for n in expected}:
        raise Wrong(
            f"{what} should list each of the graph's {len(expected)} nodes once; it listed {len(order)} items."
        )
    seen = set()
    for node in order:
        if any(id(x) not in seen for x in node.inputs):
            raise Wrong(f"{what}: node {node!r} comes before one of its inputs.")
        seen.add(id(node))


@exercise(
    "03.3",
    "Topological sort",
    expects="a function topo_sort(output) listing every node once, each after all of its inputs",
    hint="Depth-first search: a node goes into the list after all of its inputs have gone in.",
)
def _topo_sort(answer):
    from ...autodiff.reverse import Node, sin

    x, y = Node(2.0, label="x"), Node(3.0, label="y")
    diamond = x * y + sin(x * y)
    _valid_order(call(answer, diamond, what="topo_sort(diamond)"), diamond, "topo_sort on x*y + sin(x*y)")
    chain = x
    for _ in range(200):
        chain = chain * 1.0001 + y
    _valid_order(call(answer, chain, what="topo_sort(chain)"), chain, "topo_sort on a 600-node chain")
    return "topo_sort puts every node after its inputs (diamond and 600-node chain)."
