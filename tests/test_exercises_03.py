"""The exercises of 03_autodiff (its quizzes: tests/test_quizzes.py): right answers pass, mistakes get a diagnosis, cheats fail."""

import math
from unittest import mock

import numpy as np
import pytest

import course.exercises.checks.autodiff  # noqa: F401  (registers 03's exercises without the other notebooks)
from course.autodiff import forward, numerical, reverse, symbolic, tensor
from course.autodiff.reverse import find_topo_sort
from course.exercises import FAILED, NOT_ATTEMPTED, PASSED, evaluate, hints

from .helpers import stub

SEEDS = (0, 1, 2, 3, 2024)


def df(x):
    return 2 * x * math.sin(x) + x * x * math.cos(x)


def dual_mul(a, b):
    return forward.Dual(a.value * b.value, a.tangent * b.value + a.value * b.tangent)


def topo_sort(output):
    order, visited = [], set()

    def visit(node):
        if id(node) in visited:
            return
        visited.add(id(node))
        for child in node.inputs:
            visit(child)
        order.append(node)

    visit(output)
    return order


def matmul_vjp(g, a, b):
    return g @ b.T, a.T @ g


RIGHT = {"03.1": df, "03.2": dual_mul, "03.3": topo_sort, "03.4": matmul_vjp}

# What the solutions contain: no message or hint may show it.
SOLUTION_CODE = {
    "03.1": ("2x sin(x) + x² cos(x)", "2 * x * math.sin", "x * x * math.cos", "2x sin"),
    "03.2": ("a.value * b.value", "a.tangent * b.value", "Dual(a.value", "a'b + ab'"),
    "03.3": ("visited.add", "order.append", "def visit"),
    "03.4": ("g @ b.T", "a.T @ g", "(g @ b.T, a.T @ g)", "b.T", "a.T"),
}


@pytest.mark.parametrize("seed", SEEDS)
@pytest.mark.parametrize("exercise_id", sorted(RIGHT))
def test_the_right_answer_passes(exercise_id, seed):
    feedback = evaluate(exercise_id, RIGHT[exercise_id], seed=seed)
    assert feedback.status == PASSED, feedback.message


def topo_sort_with_a_stack(output):
    order, done, stack = [], set(), [(output, False)]
    while stack:
        node, expanded = stack.pop()
        if id(node) in done:
            continue
        if expanded:
            done.add(id(node))
            order.append(node)
        else:
            stack.append((node, True))
            stack.extend((child, False) for child in node.inputs if id(child) not in done)
    return order


@pytest.mark.parametrize(
    "exercise_id, answer",
    [
        ("03.1", lambda x: x * (2 * math.sin(x) + x * math.cos(x))),
        ("03.2", lambda a, b: forward.Dual(b.value * a.value, b.value * a.tangent + b.tangent * a.value)),
        ("03.3", topo_sort_with_a_stack),
        ("03.4", lambda g, a, b: [np.dot(g, b.T), np.dot(a.T, g)]),
    ],
)
def test_other_right_answers_pass(exercise_id, answer):
    feedback = evaluate(exercise_id, answer, seed=11)
    assert feedback.status == PASSED, feedback.message


@pytest.mark.parametrize("exercise_id", sorted(RIGHT))
@pytest.mark.parametrize("answer", [..., stub], ids=["ellipsis", "raises NotImplementedError"])
def test_stubs_are_not_attempted_and_give_nothing_away(exercise_id, answer):
    feedback = evaluate(exercise_id, answer, seed=0)
    assert feedback.status == NOT_ATTEMPTED
    for code in SOLUTION_CODE[exercise_id]:
        assert code not in feedback.message


@pytest.mark.parametrize("exercise_id", sorted(RIGHT))
def test_hints_give_no_solution_code(exercise_id):
    ladder = hints(exercise_id)
    assert 2 <= len(ladder) <= 3
    for hint in ladder:
        for code in SOLUTION_CODE[exercise_id]:
            assert code not in hint


def topo_reversed(output):
    return topo_sort(output)[::-1]


def topo_without_visited(output):
    order = []

    def visit(node):
        for child in node.inputs:
            visit(child)
        order.append(node)

    visit(output)
    return order


def topo_without_leaves(output):
    return [node for node in topo_sort(output) if node.inputs]


def topo_values(output):
    return [node.value for node in topo_sort(output)]


def topo_preorder(output):
    order, visited = [], set()

    def visit(node):
        if id(node) in visited:
            return
        visited.add(id(node))
        order.append(node)
        for child in node.inputs:
            visit(child)

    visit(output)
    return order


def dual_mutating(a, b):
    a.tangent, a.value = a.tangent * b.value + a.value * b.tangent, a.value * b.value
    return a


WRONG = [
    ("03.1", lambda x: 2 * x * math.cos(x), "differentiated each factor and multiplied"),
    ("03.1", lambda x: 2 * x * math.sin(x), "only the term where x² is differentiated"),
    ("03.1", lambda x: x * x * math.cos(x), "only the term where sin(x) is differentiated"),
    ("03.1", lambda x: 2 * x * math.sin(x) - x * x * math.cos(x), "subtracted the two terms"),
    ("03.1", lambda x: x * x * math.sin(x), "returned f(x) itself"),
    ("03.1", lambda x: x * math.sin(x) + x * x * math.cos(x), "differentiated x² as x"),
    ("03.1", lambda x: str(df(x)), "should be a number"),
    (
        "03.2",
        lambda a, b: forward.Dual(a.value * b.value, a.tangent * b.tangent),
        "multiplied the two tangents",
    ),
    ("03.2", lambda a, b: forward.Dual(a.value * b.value, a.tangent + b.tangent), "added the tangents"),
    ("03.2", lambda a, b: forward.Dual(a.value * b.value, a.tangent * b.value), "only one of the two terms"),
    (
        "03.2",
        lambda a, b: forward.Dual(a.value * b.value, a.tangent * b.value - a.value * b.tangent),
        "subtracted the two terms",
    ),
    (
        "03.2",
        lambda a, b: forward.Dual(a.value + b.value, a.tangent * b.value + a.value * b.tangent),
        "added the values",
    ),
    (
        "03.2",
        lambda a, b: forward.Dual(a.tangent * b.value + a.value * b.tangent, a.value * b.value),
        "value and its tangent swapped",
    ),
    (
        "03.2",
        lambda a, b: (a.value * b.value, a.tangent * b.value + a.value * b.tangent),
        "should return a new Dual",
    ),
    ("03.2", dual_mutating, "changed one of the Dual numbers"),
    ("03.3", topo_reversed, "the reverse of the order asked"),
    ("03.3", topo_without_visited, "each node should appear once"),
    ("03.3", topo_without_leaves, "the leaves (nodes made by no operation) are missing"),
    ("03.3", topo_values, "should hold the graph's Node objects"),
    ("03.3", topo_preorder, "before its input"),
    ("03.3", lambda output: set(topo_sort(output)), "should return a list of nodes"),
    ("03.4", lambda g, a, b: (a.T @ g, g @ b.T), "in the wrong order"),
    ("03.4", lambda g, a, b: (g @ b.T, g.T @ a), "transposed"),
    ("03.4", lambda g, a, b: ((g @ b.T).T, a.T @ g), "transposed"),
    ("03.4", lambda g, a, b: (g @ b.T / len(g), a.T @ g / len(g)), "averaged over the rows of g"),
    ("03.4", lambda g, a, b: g @ b.T, "should return a tuple"),
    ("03.4", lambda g, a, b: (g @ b.T, a @ b), "should have shape"),
]


@pytest.mark.parametrize("exercise_id, answer, says", WRONG)
def test_plausible_mistakes_get_a_diagnosis(exercise_id, answer, says):
    for seed in SEEDS[:3]:
        feedback = evaluate(exercise_id, answer, seed=seed)
        assert feedback.status == FAILED and says in feedback.message, feedback.message
        assert feedback.hint


def test_square_shapes_get_their_own_diagnoses():
    def b_not_transposed(g, a, b):
        if a.shape[1] == b.shape[1]:
            return g @ b, a.T @ g
        return g @ b.T, a.T @ g

    feedback = evaluate("03.4", b_not_transposed, seed=0)
    assert feedback.status == FAILED and "used b without transposing it" in feedback.message, feedback.message


def vjp_zeroing(g, a, b):
    a.fill(0)
    return g @ b.T, a.T @ g


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


def dual_with_star(a, b):
    return a * b


def topo_with_the_package(output):
    return find_topo_sort([output])


def topo_by_reversing_the_package(output):
    return reverse.reverse_topo_order(output)[::-1]


CHEATS = [
    ("03.4", vjp_zeroing, "changes one of its input arrays in place"),
    ("03.4", vjp_with_the_engine, "write it yourself, and your code uses course.autodiff.tensor.Tensor"),
    ("03.4", vjp_with_the_op, "write it yourself"),
    ("03.4", vjp_with_tensorflow, "write it yourself, and your code uses GradientTape"),
    (
        "03.1",
        df_central,
        "write it yourself, and your code uses course.autodiff.numerical.central_difference",
    ),
    ("03.1", df_dual, "write it yourself, and your code uses course.autodiff.forward.Dual"),
    ("03.1", df_symbolic, "write it yourself, and your code uses course.autodiff.symbolic.Expr.diff"),
    ("03.1", df_reverse, "write it yourself, and your code uses course.autodiff.reverse.Node"),
    ("03.2", dual_with_star, "write it yourself, and your code uses the * of Dual numbers"),
    ("03.2", forward.Dual.__mul__, "write it yourself, and your code uses the * of Dual numbers"),
    (
        "03.3",
        topo_with_the_package,
        "write it yourself, and your code uses course.autodiff.reverse.find_topo_sort",
    ),
    ("03.3", topo_by_reversing_the_package, "write it yourself"),
    ("03.3", find_topo_sort, "write it yourself"),
    ("03.1", mock.ANY, "expected a function"),
    ("03.1", lambda *args: mock.ANY, "should be a number"),
    ("03.2", lambda *args: mock.ANY, "should return a new Dual"),
    ("03.2", lambda a, b: forward.Dual(mock.ANY, mock.ANY), "raised"),
    ("03.3", lambda *args: mock.ANY, "should return a list of nodes"),
    ("03.3", lambda *args: [mock.ANY], "should hold the graph's Node objects"),
    ("03.4", lambda *args: mock.ANY, "should return a tuple"),
    ("03.4", lambda *args: (mock.ANY, mock.ANY), "should be a NumPy array"),
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

    assert evaluate("03.4", recording, seed=0).passed
    first = next(iter(table.values()))
    assert evaluate("03.4", lambda g, a, b: table.get(g.tobytes(), first), seed=1).status == FAILED


def test_a_lookup_table_of_dual_products_fails():
    table = {}

    def recording(a, b):
        table[(a.value, b.value)] = (a.value * b.value, a.tangent * b.value + a.value * b.tangent)
        return forward.Dual(*table[(a.value, b.value)])

    assert evaluate("03.2", recording, seed=0).passed
    first = next(iter(table.values()))
    assert (
        evaluate("03.2", lambda a, b: forward.Dual(*table.get((a.value, b.value), first)), seed=1).status
        == FAILED
    )


def test_graphs_vary_with_the_seed():
    from course.exercises.framework import draw_cases, lookup

    first, second = (repr(draw_cases(lookup("03.3"), seed)) for seed in (0, 1))
    assert first != second


def test_the_package_works_again_after_the_checks():
    for exercise_id, answer in [("03.1", df_dual), ("03.2", dual_with_star), ("03.3", topo_with_the_package)]:
        evaluate(exercise_id, answer, seed=0)
    product = forward.Dual(2.0, 1.0) * forward.Dual(3.0, 0.0)
    assert (product.value, product.tangent) == (6.0, 3.0)
    x = reverse.Node(2.0)
    assert len(find_topo_sort([x * x])) == 2
    assert numerical.central_difference(math.sin, 0.0) == pytest.approx(1.0)
