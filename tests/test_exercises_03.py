"""The exercises of 03_autodiff (its quizzes: tests/test_quizzes.py): stubs, hints, cheats and specific behaviours.

The plausible mistakes and the right answers in other styles: tests/answers/nb03_autodiff.py."""

import math
from unittest import mock

import numpy as np
import pytest

import course.exercises.checks.nb03_autodiff  # noqa: F401  (registers 03's exercises without the other notebooks)
from course.autodiff import forward, numerical, reverse, symbolic, tensor
from course.autodiff.reverse import find_topo_sort
from course.exercises import FAILED, PASSED, evaluate, judge, probe
from course.exercises.plain import normalize

from .answers.nb03_autodiff import SoftplusStub, backward_pass, df, forward_jacobian, matmul_vjp, topo_sort
from .helpers import assert_hints_climb_without_code, assert_not_attempted_quietly, stub

SEEDS = (0, 1, 2, 3, 2024)


class Softplus(reverse.Op):
    name = "softplus"

    def compute(self, a):
        return math.log1p(math.exp(a))

    def vjp(self, adjoint, out, a):
        return (adjoint * reverse.sigmoid(a),)


RIGHT = {
    "03.1": df,
    "03.2": forward_jacobian,
    "03.3": topo_sort,
    "03.4": backward_pass,
    "03.5": Softplus,
    "03.6": matmul_vjp,
}

# What the solutions contain: no message or hint may show it.
SOLUTION_CODE = {
    "03.1": ("2x sin(x) + x² cos(x)", "2 * x * math.sin", "x * x * math.cos", "2x sin"),
    "03.2": ("1.0 if i == j", "columns.append", "np.array(columns)", "Dual(value"),
    "03.3": ("visited.add", "order.append", "def visit"),
    "03.4": ("partial.pop", "node.op.vjp(", "partial.get", "reverse_topo_order("),
    "03.5": ("reverse.sigmoid", "math.log1p", "adjoint * ", "sigmoid(a)"),
    "03.6": ("g @ b.T", "a.T @ g", "(g @ b.T, a.T @ g)", "b.T", "a.T"),
}


@pytest.mark.parametrize("exercise_id", sorted(RIGHT))
@pytest.mark.parametrize("answer", [..., stub], ids=["ellipsis", "raises NotImplementedError"])
def test_stubs_are_not_attempted_and_give_nothing_away(exercise_id, answer):
    if exercise_id == "03.5" and answer is stub:
        answer = SoftplusStub
    assert_not_attempted_quietly(exercise_id, answer, SOLUTION_CODE[exercise_id])


@pytest.mark.parametrize("exercise_id", sorted(RIGHT))
def test_hints_give_no_solution_code(exercise_id):
    assert_hints_climb_without_code(exercise_id, SOLUTION_CODE[exercise_id])


def test_square_shapes_get_their_own_diagnoses():
    def b_not_transposed(g, a, b):
        if a.shape[1] == b.shape[1]:
            return g @ b, a.T @ g
        return g @ b.T, a.T @ g

    feedback = evaluate("03.6", b_not_transposed, seed=0)
    assert feedback.status == FAILED and "used b without transposing it" in feedback.message, feedback.message


def vjp_with_the_engine(g, a, b):
    a_t, b_t = tensor.Tensor(a, requires_grad=True), tensor.Tensor(b, requires_grad=True)
    ((a_t @ b_t) * tensor.Tensor(g)).sum().backward()
    return a_t.grad, b_t.grad


def vjp_with_the_op(g, a, b):
    return tensor.MatMul().vjp(g, a @ b, a, b)


def vjp_with_tensorflow(g, a, b):
    import tensorflow as tf

    a_v, b_v = tf.Variable(a), tf.Variable(b)
    with tf.GradientTape() as tape:
        out = tf.reduce_sum((a_v @ b_v) * g)
    return tuple(t.numpy() for t in tape.gradient(out, [a_v, b_v]))


def backward_by_grad(output):
    nodes = topo_sort(output)
    return {node: adjoint.value for node, adjoint in zip(nodes, reverse.grad(output, nodes))}


def backward_by_node_backward(output):
    output.backward()
    return {node: node.grad for node in topo_sort(output)}


class SoftplusNumerical(Softplus):
    def vjp(self, adjoint, out, a):
        return (adjoint * numerical.central_difference(self.compute, a),)


class SoftplusWithTape(Softplus):
    def vjp(self, adjoint, out, a):
        import tensorflow as tf

        v = tf.Variable(float(a))
        with tf.GradientTape() as tape:
            y = tf.math.softplus(v)
        return (adjoint * float(tape.gradient(y, v)),)


def df_central(x):
    return numerical.central_difference(lambda t: t * t * math.sin(t), x)


def df_dual(x):
    return forward.derivative(lambda t: t * t * forward.sin(t), x)


def df_symbolic(x):
    v = symbolic.Var("x")
    return (v * v * symbolic.sin(v)).diff("x").evaluate({"x": x})


def df_reverse(x):
    node = reverse.Node(x)
    out = node * node * reverse.sin(node)
    out.backward()
    return node.grad


def jacobian_with_jvp(f, x):
    return np.stack([forward.jvp(f, x, np.eye(len(x))[j])[1] for j in range(len(x))], axis=1)


def jacobian_numerically(f, x):
    columns = []
    for j in range(len(x)):

        def along(t, j=j):
            return np.array(
                [y.value for y in f([forward.Dual(v + (t if i == j else 0.0)) for i, v in enumerate(x)])]
            )

        columns.append((along(1e-6) - along(-1e-6)) / 2e-6)
    return np.array(columns).T


def topo_with_the_package(output):
    return find_topo_sort([output])


def topo_by_reversing_the_package(output):
    return reverse.reverse_topo_order(output)[::-1]


CHEATS = [
    ("03.4", lambda output: reverse.adjoints(output), "your code uses course.autodiff.reverse.adjoints"),
    ("03.4", backward_by_grad, "your code uses course.autodiff.reverse.grad"),
    ("03.4", backward_by_node_backward, "your code uses course.autodiff.reverse.Node.backward"),
    ("03.4", lambda output: {node: mock.ANY for node in topo_sort(output)}, "should be a number"),
    ("03.5", Softplus(), "expected a class"),
    ("03.5", SoftplusNumerical, "your code uses course.autodiff.numerical.central_difference"),
    ("03.5", SoftplusWithTape, "your code uses GradientTape"),
    ("03.6", vjp_with_the_engine, "write it yourself, and your code uses course.autodiff.tensor.Tensor"),
    ("03.6", vjp_with_the_op, "write it yourself"),
    ("03.6", vjp_with_tensorflow, "write it yourself, and your code uses GradientTape"),
    (
        "03.1",
        df_central,
        "write it yourself, and your code uses course.autodiff.numerical.central_difference",
    ),
    ("03.1", df_dual, "write it yourself, and your code uses course.autodiff.forward.Dual"),
    ("03.1", df_symbolic, "write it yourself, and your code uses course.autodiff.symbolic.Expr.diff"),
    ("03.1", df_reverse, "write it yourself, and your code uses course.autodiff.reverse.Node"),
    ("03.2", forward.jacobian, "write it yourself, and your code uses course.autodiff.forward.jacobian"),
    ("03.2", jacobian_with_jvp, "write it yourself, and your code uses course.autodiff.forward.jvp"),
    ("03.2", lambda f, x: reverse.jacobian(f, x), "write it yourself"),
    ("03.2", jacobian_numerically, "forward mode needs one pass per input"),
    (
        "03.3",
        topo_with_the_package,
        "write it yourself, and your code uses course.autodiff.reverse.find_topo_sort",
    ),
    ("03.3", topo_by_reversing_the_package, "write it yourself"),
    ("03.3", find_topo_sort, "write it yourself"),
    ("03.1", mock.ANY, "expected a function"),
    ("03.1", lambda *args: mock.ANY, "should be a number"),
    ("03.2", lambda *args: mock.ANY, "should be a NumPy array"),
    ("03.2", lambda f, x: np.full((1, 1), mock.ANY), "should hold numbers"),
    ("03.3", lambda *args: mock.ANY, "should return a list of nodes"),
    ("03.3", lambda *args: [mock.ANY], "should hold the graph's Node objects"),
    ("03.6", lambda *args: mock.ANY, "should return a tuple"),
    ("03.6", lambda *args: (mock.ANY, mock.ANY), "should be a NumPy array"),
]


@pytest.mark.parametrize("exercise_id, answer, says", CHEATS)
def test_cheats_fail(exercise_id, answer, says):
    feedback = evaluate(exercise_id, answer, seed=5)
    assert feedback.status == FAILED and says in feedback.message, feedback.message


def test_a_lookup_table_of_derivatives_fails():
    table = {}

    def recording(x):
        table[x] = df(x)
        return table[x]

    assert evaluate("03.1", recording, seed=0).passed
    feedback = evaluate("03.1", lambda x: table.get(x, 0.0), seed=1)
    assert feedback.status == FAILED


def test_a_lookup_table_of_vjps_fails():
    table = {}

    def recording(g, a, b):
        table[g.tobytes()] = matmul_vjp(g, a, b)
        return table[g.tobytes()]

    assert evaluate("03.6", recording, seed=0).passed
    first = next(iter(table.values()))
    assert evaluate("03.6", lambda g, a, b: table.get(g.tobytes(), first), seed=1).status == FAILED


def test_a_lookup_table_of_jacobians_fails():
    table = {}

    def recording(f, x):
        table[tuple(x)] = forward_jacobian(f, x)
        return table[tuple(x)]

    assert evaluate("03.2", recording, seed=0).passed
    first = next(iter(table.values()))
    assert evaluate("03.2", lambda f, x: table.get(tuple(x), first), seed=1).status == FAILED


def test_graphs_vary_with_the_seed():
    from course.exercises.registry import draw_cases, lookup

    first, second = (repr(draw_cases(lookup("03.3"), seed)) for seed in (0, 1))
    assert first != second


def test_the_package_works_again_after_the_checks():
    for exercise_id, answer in [
        ("03.1", df_dual),
        ("03.2", jacobian_with_jvp),
        ("03.3", topo_with_the_package),
    ]:
        evaluate(exercise_id, answer, seed=0)
    product = forward.Dual(2.0, 1.0) * forward.Dual(3.0, 0.0)
    assert (product.value, product.tangent) == (6.0, 3.0)
    assert forward.jacobian(lambda v: [v[0] * v[1]], [2.0, 3.0]).tolist() == [[3.0, 2.0]]
    x = reverse.Node(2.0)
    assert len(find_topo_sort([x * x])) == 2
    assert numerical.central_difference(math.sin, 0.0) == pytest.approx(1.0)


# --- forged outcomes: written without the cases, they fail on every seed ------------------------

FORGED_FROM = 99  # the seed of the cases that the forged outcomes were made on


@pytest.mark.parametrize("exercise_id", ["03.2", "03.4"])
def test_outcomes_made_on_other_cases_fail(exercise_id):
    outcomes = normalize(probe(exercise_id, RIGHT[exercise_id], seed=FORGED_FROM))
    assert judge(exercise_id, FORGED_FROM, outcomes).status == PASSED  # a right answer's, on its own cases
    for seed in SEEDS:
        assert judge(exercise_id, seed, outcomes).status == FAILED


def test_counts_the_probe_made_are_not_taken_on_trust():
    """The judge counts the passes of f and the keys that are no nodes itself; claimed counts fail."""
    outcomes = normalize(probe("03.2", RIGHT["03.2"], seed=3))
    claimed = [{"ok": {**outcome["ok"], "calls": 1}} for outcome in outcomes]
    assert judge("03.2", 3, claimed).status == FAILED
    outcomes = normalize(probe("03.4", RIGHT["03.4"], seed=3))
    old_style = [
        {"ok": {"result": o["ok"]["result"], "adjoints": o["ok"]["values"], "strangers": 0}} for o in outcomes
    ]
    assert judge("03.4", 3, old_style).status == FAILED
