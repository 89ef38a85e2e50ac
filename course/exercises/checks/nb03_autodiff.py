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
        "Name the two factors u and v; you need u, v and the derivative of each. If your answer is close "
        "but not equal, check each of the two terms on its own at a point such as x = 1.",
        "A worked example on another function: g(x) = x³ cos(x) has u = x³ with derivative 3x², and "
        "v = cos(x) with derivative -sin(x), so g'(x) = 3x² cos(x) - x³ sin(x). Do the same for f.",
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
    revision=2,  # stricter since the first release: earlier passes are re-checked
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
        "One pass of f with dual numbers gives the derivatives of every output along the direction given "
        "by the tangents you seed: choose the seeds so that this direction is a single input.",
        "Look at what one pass gives you: one number per output, all for the same input. Is that a row or "
        "a column of an (m, n) Jacobian? A case with 1 input and 3 outputs tells the two apart.",
        "A worked example: g(u, v) = [u·v, u + v] at (2, 3). Seeding u (tangents 1 and 0) gives the output "
        "tangents [3, 1]; seeding v gives [2, 1]. The Jacobian is [[3, 2], [1, 1]].",
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
        "To place one node you must first place everything it depends on, and that is the same task again, "
        "on a smaller graph. Then think of a node that several operations use: what must you remember so "
        "that it is placed only once?",
        "A worked example: for c = a·b and d = c + a, the list a, b, c, d is right (so is b, a, c, d), and "
        "d, c, a, b is the reverse of what is asked. Try your function on this small graph first.",
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
    revision=2,  # stricter since the first release: earlier passes are re-checked
    title="The reverse pass",
    produce="a function backward_pass(output) that takes the output reverse.Node of a graph and returns a "
    "new dict that maps every node of the graph (leaves included) to its adjoint d(output)/d(node) as a "
    "float, found with each node's op.vjp",
    cases=_graph_cases,
    probe=_backward_probe,
    shortcuts=REVERSE_SHORTCUTS,
    hints=(
        "The chain rule run backwards: the output's adjoint is 1, and a node's adjoint collects what every "
        "operation that uses it sends back. So a node can pass its adjoint on only when it is complete.",
        "Each node's op knows its local derivatives: read the signature of Op.vjp in the engine to see what "
        "it needs (numbers here) and what it returns. Check a node that two operations use.",
        "A worked example: f = a·b + a at a = 2, b = 5. The sum sends 1 to a·b and 1 to a; the product "
        "sends 5 to a and 2 to b. So the adjoint of a is 5 + 1, which is 6, and the adjoint of b is 2.",
    ),
)

# ---------------------------------------------------------------------------
# 03.5 Softplus, an operation of your own
# ---------------------------------------------------------------------------


def _softplus_cases(rng):
    """Six points (0 among them), each adjoint twice: an answer that drops the adjoint fails on every seed."""
    points = list(rng.uniform(-4, 4, size=5).round(3)) + [0.0]
    adjoints = rng.permutation([1.0, 2.5, -1.5] * 2)
    return [{"x": float(x), "adjoint": float(c)} for x, c in zip(points, adjoints)]


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
    revision=2,  # stricter since the first release: earlier passes are re-checked
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
        "Read the vjp of an operation the engine already has, such as Exp or Sin: see how it uses the "
        "adjoint it receives, which functions it calls (so that it works on nodes too) and what it returns.",
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
        "A worked example with one row: a = [[1, 2]], b = [[3], [4]], so C = [[11]], and g = [[2]]. Changing "
        "a[0, 0] by a little changes C by 3 times as much, so the adjoint of a is [[6, 8]]: g times b's "
        "values, laid out in a's shape. Find the product that does this for every size.",
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
