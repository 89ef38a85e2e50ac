"""Exercises and quizzes of 03_autodiff: a derivative by hand, the Jacobian in forward mode, topological order, the reverse
pass, an operation of your own, a matrix vjp."""

import numpy as np

from ...autodiff import forward, reverse
from ...autodiff.reverse import Node
from ..probing import observe
from ..quizzes import multiple_choice, predict_shape
from ..registry import exercise
from ..shortcuts import Shortcut

# What differentiates for you: off in the exercises that ask for a derivative you work out yourself.
AUTODIFF_SHORTCUTS = (
    Shortcut("course.autodiff.numerical:forward_difference"),
    Shortcut("course.autodiff.numerical:central_difference"),
    Shortcut("course.autodiff.numerical:numerical_gradient"),
    Shortcut("course.autodiff.symbolic:Expr.diff"),
    Shortcut("course.autodiff.forward:Dual", "course.autodiff.forward.Dual (dual numbers)"),
    Shortcut("course.autodiff.reverse:Node", "course.autodiff.reverse.Node (graph nodes)"),
    Shortcut("course.autodiff.tensor:Tensor", "course.autodiff.tensor.Tensor"),
)
FORBIDDEN_TOOLS = ("GradientTape", "sympy", "jax", "torch")

# ---------------------------------------------------------------------------
# 03.1 df
# ---------------------------------------------------------------------------


exercise(
    id="03.1",
    title="A derivative by hand",
    produce="a function df(x) that takes a float x and returns the derivative of f(x) = x² sin(x) at x, "
    "as a float, from the formula you work out with the rules of calculus",
    cases=lambda rng: [{"x": float(x)} for x in rng.uniform(-4, 4, size=6).round(3)],
    probe=lambda answer, case: observe(answer(case["x"])),
    shortcuts=AUTODIFF_SHORTCUTS,
    forbidden_in_source=FORBIDDEN_TOOLS,
    hints=(
        "f is a product of two functions of x: the product rule applies.",
        "Name the two factors u and v; you need u, v and the derivative of each.",
        "The derivative of x² is 2x and the derivative of sin is cos; math.sin and math.cos work on floats.",
    ),
)

# ---------------------------------------------------------------------------
# 03.2 forward_jacobian
# ---------------------------------------------------------------------------

DUAL_OPS = ("add", "mul", "sub", "sin", "exp")


def _jacobian_cases(rng):
    cases = []
    for n, m in ((2, 3), (3, 1), (1, 2), (4, 2), (3, 3)):
        ops = []
        for step in range(int(rng.integers(3, 8))):
            available = n + step
            ops.append(
                [str(rng.choice(DUAL_OPS)), int(rng.integers(0, available)), int(rng.integers(0, available))]
            )
        outputs = [int(k) for k in rng.choice(n + len(ops), size=m, replace=False)]
        cases.append({"x": rng.uniform(-1, 1, size=n).round(3).tolist(), "ops": ops, "outputs": outputs})
    return cases


def _program(case):
    """The function of a case: a list of numbers (or Dual numbers) in, a list out."""

    def f(inputs):
        values = list(inputs)
        for op, i, j in case["ops"]:
            a, b = values[i], values[j]
            if op == "add":
                values.append(a + b)
            elif op == "mul":
                values.append(a * forward.sin(b))  # bounded factors keep the numbers small
            elif op == "sub":
                values.append(a - b)
            else:
                values.append(getattr(forward, op)(0.5 * a))
        spread = values[0]
        for value in values[1 : len(inputs)]:
            spread = spread + value
        return [values[k] + 0.1 * spread for k in case["outputs"]]  # every output depends on every input

    return f


MOST_CALLS_KEPT = 1000  # calls of f past these are not logged (forward mode needs one per input, at most 4)


def _jacobian_probe(answer, case):
    """The Jacobian, and the inputs of every call of f (the judge counts the passes)."""
    program, calls = _program(case), []

    def f(inputs):
        inputs = list(inputs)
        if len(calls) < MOST_CALLS_KEPT:
            calls.append(_dual_inputs(inputs))
        return program(inputs)

    return {"result": observe(answer(f, list(case["x"]))), "calls": calls}


def _dual_inputs(inputs):
    """One call's inputs as plain data: a row (value, tangent) per input, or their observation."""
    try:
        return np.array([[float(x.value), float(x.tangent)] for x in inputs]).reshape(len(inputs), 2)
    except Exception:  # not Dual numbers: f itself says what is wrong with them
        return observe(inputs)


exercise(
    id="03.2",
    title="The Jacobian in forward mode",
    produce="a function forward_jacobian(f, x) that takes a function f (a list of n forward.Dual numbers in, "
    "a list of m Dual numbers out) and a list x of n floats, runs f once per input, and returns the "
    "Jacobian of f at x as a NumPy array of shape (m, n)",
    cases=_jacobian_cases,
    probe=_jacobian_probe,
    shortcuts=(
        Shortcut("course.autodiff.forward:jacobian"),
        Shortcut("course.autodiff.forward:jvp"),
        Shortcut("course.autodiff.forward:derivative"),
        Shortcut("course.autodiff.reverse:jacobian"),
    )
    + AUTODIFF_SHORTCUTS[:4],
    forbidden_in_source=FORBIDDEN_TOOLS,
    hints=(
        "One pass of f with dual numbers gives the derivatives of every output with respect to the "
        "direction you seeded: choose the seed so that this is one input.",
        "For input j, give input j the tangent 1 and every other input the tangent 0; the tangents of the "
        "outputs are then column j of the Jacobian.",
        "Collect the columns, one per pass, and put them side by side: entry (i, j) is output i's tangent "
        "in pass j.",
    ),
)

# ---------------------------------------------------------------------------
# 03.3 topo_sort
# ---------------------------------------------------------------------------

OPS = ("add", "mul", "sub", "sin", "tanh", "scale")


def _graph_cases(rng):
    cases = []
    for size in (4, 8, 15, 30, 60):
        leaves = int(rng.integers(2, 5))
        ops = []
        for step in range(size):
            available = leaves + step
            first = int(rng.integers(max(0, available - 4), available))  # mostly recent nodes: deep graphs
            second = int(rng.integers(0, available))
            ops.append([str(rng.choice(OPS)), first, second])
        cases.append({"leaves": leaves, "ops": ops})
    cases.append({"leaves": 2, "ops": [["chain", 200, 0]]})
    order = rng.permutation(len(cases))
    return [cases[i] for i in order]


def _build(case):
    """The graph of a case, from plain data: its output node."""

    nodes = [reverse.Node(0.1 * (k + 1), label=f"x{k}") for k in range(case["leaves"])]
    for op, i, j in case["ops"]:
        if op == "chain":  # a long chain: x0 * 0.99 + x1, i times
            out = nodes[0]
            for _ in range(i):
                out = out * 0.99 + nodes[1]
            nodes.append(out)
            continue
        a, b = nodes[i], nodes[j]
        if op == "add":
            out = a + b
        elif op == "mul":  # times a factor of at most 1 in size, so values stay small
            out = a * reverse.sin(b)
        elif op == "sub":
            out = a - b
        elif op == "scale":
            out = 0.5 * a
        else:
            out = getattr(reverse, op)(a)
        nodes.append(out)
    return nodes[-1]


def _numbered(output):
    """Every node of the graph, numbered in the order a breadth-first walk from the output meets them."""
    number, queue = {id(output): 0}, [output]
    for node in queue:
        for child in node.inputs:
            if id(child) not in number:
                number[id(child)] = len(queue)
                queue.append(child)
    return number, queue


def _topo_probe(answer, case):

    output = _build(case)
    number, _ = _numbered(output)
    order = answer(output)
    seen = {"result": observe(order), "order": None, "other": None}
    if isinstance(order, (list, tuple)):
        items = []
        for item in order:
            if isinstance(item, Node):
                items.append(number.get(id(item), -2))
            else:
                items.append(-1)
                seen["other"] = seen["other"] or observe(item)
        seen["order"] = items
    return seen


exercise(
    id="03.3",
    title="Topological sort",
    produce="a function topo_sort(output) that takes the output reverse.Node of a graph and returns a list "
    "of every node of the graph (the output included), each once and after all of its node.inputs",
    cases=_graph_cases,
    probe=_topo_probe,
    shortcuts=(Shortcut("course.autodiff.reverse:find_topo_sort"),),
    hints=(
        "A node may go into the list only once all of its inputs are in it.",
        "Depth-first search: before you add a node, visit each of its inputs the same way.",
        "Keep a set of the nodes already visited (their id), so a node that several operations use is "
        "added once.",
    ),
)

# ---------------------------------------------------------------------------
# 03.4 backward_pass
# ---------------------------------------------------------------------------

REVERSE_SHORTCUTS = (
    Shortcut("course.autodiff.reverse:adjoints"),
    Shortcut("course.autodiff.reverse:grad"),
    Shortcut("course.autodiff.reverse:jacobian"),
    Shortcut("course.autodiff.reverse:Node.backward", "course.autodiff.reverse.Node.backward"),
) + AUTODIFF_SHORTCUTS[:5]


def _backward_probe(answer, case):
    """The dict returned, as its keys' node numbers (-1: not a node of this graph) and its values."""

    output = _build(case)
    number, _ = _numbered(output)
    found = answer(output)
    seen = {"result": observe(found), "keys": None, "values": None}
    if isinstance(found, dict):
        items = list(found.items())
        seen["keys"] = [number.get(id(key), -1) if isinstance(key, Node) else -1 for key, _ in items]
        seen["values"] = [observe(value) for _, value in items]
    return seen


exercise(
    id="03.4",
    title="The reverse pass",
    produce="a function backward_pass(output) that takes the output reverse.Node of a graph and returns a "
    "new dict that maps every node of the graph (leaves included) to its adjoint d(output)/d(node) as a "
    "float, found with each node's op.vjp",
    cases=_graph_cases,
    probe=_backward_probe,
    shortcuts=REVERSE_SHORTCUTS,
    hints=(
        "Start with the output's adjoint, then visit the nodes in reverse topological order: a node's "
        "adjoint is complete once every node that uses it has been visited.",
        "For a visited node that an op made, call node.op.vjp with its adjoint, its value and the values "
        "of its inputs: it gives one contribution per input.",
        "Keep a dict of the contributions summed so far; a node used twice receives two contributions, "
        "and they are added, never overwritten.",
    ),
)

# ---------------------------------------------------------------------------
# 03.5 Softplus, an operation of your own
# ---------------------------------------------------------------------------


def _softplus_cases(rng):
    points = list(rng.uniform(-4, 4, size=5).round(3)) + [0.0]
    return [{"x": float(x), "adjoint": float(rng.choice([1.0, 2.5, -1.5]))} for x in points]


def _stage(compute):
    """Run one stage of the probe: ``{"ok": observation}`` or ``{"raised": ...}`` (plain data)."""
    try:
        return {"ok": observe(compute())}
    except NotImplementedError:  # the learner's stub: not attempted
        raise
    except Exception as error:
        return {"raised": f"{type(error).__name__}: {str(error)[:200]}"}


def _softplus_probe(answer, case):

    op = answer()
    seen = {"made": observe(op), "is_op": isinstance(op, reverse.Op)}
    if not seen["is_op"]:
        return seen
    x, c = case["x"], case["adjoint"]
    leaf = reverse.Node(x)
    seen["value"] = _stage(lambda: op(leaf).value)
    seen["vjp"] = _stage(lambda: op.vjp(c, float(op.compute(x)), x))

    def first():
        out = op(leaf) * c
        out.backward()
        return leaf.grad

    def second():
        (slope,) = reverse.grad(op(leaf), [leaf])
        (curvature,) = reverse.grad(slope, [leaf])
        return [slope.value, curvature.value] if isinstance(slope, reverse.Node) else slope

    seen["first"] = _stage(first)
    seen["second"] = _stage(second)
    return seen


exercise(
    id="03.5",
    title="An operation of your own",
    produce="a class Softplus, a subclass of reverse.Op with a name, compute(self, a) that returns "
    "softplus(a) = log(1 + e^a) for a float a, and vjp(self, adjoint, out, a) that returns a tuple with "
    "the adjoint of a, working on numbers and on graph nodes alike",
    answer="class",
    cases=_softplus_cases,
    probe=_softplus_probe,
    shortcuts=AUTODIFF_SHORTCUTS[:5],
    forbidden_in_source=FORBIDDEN_TOOLS,
    hints=(
        "compute works on plain floats (the math module is fine there); vjp receives numbers when the engine "
        "wants numbers and nodes when it builds the gradient as a graph.",
        "Work out d/da log(1 + e^a) with the chain rule and simplify it: it is a function this notebook "
        "has met, and the engine has it.",
        "The vjp multiplies the output's adjoint by that derivative, computed with the engine's functions "
        "(not math's), and returns it inside a tuple of one item.",
    ),
)

# ---------------------------------------------------------------------------
# 03.6 matmul_vjp
# ---------------------------------------------------------------------------


def _vjp_cases(rng):
    """Distinct sizes first (a transposed or swapped result shows in its shape), then square and random ones."""
    shapes = [(2, 3, 4), (4, 2, 3), (3, 3, 3)]
    shapes += [tuple(int(n) for n in rng.integers(2, 6, size=3)) for _ in range(3)]
    return [
        {
            "g": rng.normal(size=(n, m)).round(3),
            "a": rng.normal(size=(n, k)).round(3),
            "b": rng.normal(size=(k, m)).round(3),
        }
        for n, k, m in shapes
    ]


exercise(
    id="03.6",
    title="The gradient of a matrix product",
    produce="a function matmul_vjp(g, a, b) that takes the adjoint g of C = a @ b (shape (n, m)), a of shape "
    "(n, k) and b of shape (k, m), and returns a tuple of two new arrays: the adjoint of a, then the adjoint of b",
    cases=_vjp_cases,
    probe=lambda answer, case: observe(answer(case["g"], case["a"], case["b"])),
    shortcuts=(Shortcut("course.autodiff.tensor:MatMul.vjp"),) + AUTODIFF_SHORTCUTS,
    forbidden_in_source=FORBIDDEN_TOOLS,
    hints=(
        "Each adjoint has the shape of its matrix: the adjoint of a is (n, k), the adjoint of b is (k, m).",
        "Entry C[i, j] is a sum over a[i, p] b[p, j]: how much does C[i, j] change when a[i, p] changes?",
        "Each adjoint is one matrix product of g with the other matrix, one of the two transposed; let the "
        "shapes decide which.",
    ),
)

# ---------------------------------------------------------------------------
# Quizzes
# ---------------------------------------------------------------------------

multiple_choice(
    "03.q1",
    "Use the explorer: for sin at x=1, which step h gives the most accurate CENTRAL difference?",
    ["h = 1e-2", "h = 1e-5", "h = 1e-9", "h = 1e-13"],
    answer="h = 1e-5",
    explanation="Truncation error ~h² falls to the right, rounding error ~ε/h rises to the left; they meet "
    "near ε^(1/3) ≈ 1e-5.",
)

multiple_choice(
    "03.q2",
    "Step through the reverse pass of f = x*y + sin(x). How many contributions are added up to give x's adjoint?",
    ["1", "2", "3"],
    answer="2",
    explanation="x feeds two operations (* and sin), so x̄ = f̄·y + cos(x)·f̄ = 3 + cos 2.",
)

multiple_choice(
    "03.q3",
    "A network has 1,000,000 weights and one loss. How many passes does each mode need for the full gradient?",
    [
        "forward: 1, reverse: 1,000,000",
        "forward: 1,000,000, reverse: 1",
        "both need 1",
        "both need 1,000,000",
    ],
    answer="forward: 1,000,000, reverse: 1",
    explanation="Forward mode gives one column (one input) per pass; reverse mode one row (one output) per pass.",
)

predict_shape(
    "03.q4",
    "x has shape (32, 3) and b has shape (3,). loss = (x + b).sum(). What is the shape of the gradient of "
    "loss with respect to b?",
    shape=(3,),
    explanation="A gradient always has the shape of its variable: the 32 broadcast copies are summed.",
)
