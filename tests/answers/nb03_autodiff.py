"""Answer tables of 03_autodiff: plausible mistakes and right answers in other styles."""

import math
from collections import defaultdict, deque

import numpy as np

from course.autodiff import forward, reverse

from . import Correct, Mistake, Table, mutations


def stub(*args, **kwargs):
    raise NotImplementedError


# --------------------------------------------------------------------------- 03.1 df


def df(x):
    return 2 * x * math.sin(x) + x * x * math.cos(x)


def df_factored(x):
    return x * (2 * math.sin(x) + x * math.cos(x))


def df_with_numpy(x):
    u, du = x**2, 2 * x
    v, dv = np.sin(x), np.cos(x)
    return float(du * v + u * dv)


def df_in_degrees(x):
    return 2 * x * math.sin(math.radians(x)) + x * x * math.cos(math.radians(x))


def df_missing_x(x):
    return 2 * math.sin(x) + x * x * math.cos(x)


# --------------------------------------------------------------------------- 03.2 forward_jacobian


def forward_jacobian(f, x):
    columns = []
    for j in range(len(x)):
        outputs = f([forward.Dual(value, 1.0 if i == j else 0.0) for i, value in enumerate(x)])
        columns.append([y.tangent for y in outputs])
    return np.array(columns).T


def jacobian_row_by_row(f, x):
    """Builds the transposed Jacobian column by column and transposes it back with zip."""
    passes = [f([forward.Dual(v, float(i == j)) for i, v in enumerate(x)]) for j in range(len(x))]
    return np.array([[outputs[i].tangent for outputs in passes] for i in range(len(passes[0]))])


def jacobian_filled_in(f, x):
    """Preallocates after the first pass, fills a column per pass, seeds from an identity matrix."""
    seeds, result = np.eye(len(x)), None
    for j, seed in enumerate(seeds):
        tangents = [y.tangent for y in f([forward.Dual(v, t) for v, t in zip(x, seed)])]
        if result is None:
            result = np.zeros((len(tangents), len(x)))
        result[:, j] = tangents
    return result


def jacobian_stacked(f, x):
    columns = [
        np.array([out.tangent for out in f([forward.Dual(v, 1.0 * (k == j)) for k, v in enumerate(x)])])
        for j in range(len(x))
    ]
    return np.stack(columns, axis=1)


def jacobian_seeding_all(f, x):
    columns = [[y.tangent for y in f([forward.Dual(value, 1.0) for value in x])] for _ in x]
    return np.array(columns).T


def jacobian_keeping_tangents(f, x):
    tangents, columns = [0.0] * len(x), []
    for j in range(len(x)):
        tangents[j] = 1.0
        columns.append([y.tangent for y in f([forward.Dual(v, t) for v, t in zip(x, tangents)])])
    return np.array(columns).T


def jacobian_by_entries(f, x):
    """Right, but m times too many passes: one per entry."""
    m = len(f([forward.Dual(value) for value in x]))
    result = np.zeros((m, len(x)))
    for i in range(m):
        for j in range(len(x)):
            result[i, j] = f([forward.Dual(v, 1.0 if k == j else 0.0) for k, v in enumerate(x)])[i].tangent
    return result


def jacobian_of_values(f, x):
    columns = [
        [y.value for y in f([forward.Dual(v, 1.0 if i == j else 0.0) for i, v in enumerate(x)])]
        for j in range(len(x))
    ]
    return np.array(columns).T


def jacobian_for_two_inputs(f, x):
    """Right only for the notebook's example, which has two inputs."""
    columns = []
    for j in range(2):
        outputs = f([forward.Dual(value, 1.0 if i == j else 0.0) for i, value in enumerate(x)])
        columns.append([y.tangent for y in outputs])
    return np.array(columns).T


def jacobian_one_pass_too_few(f, x):
    columns = []
    for j in range(len(x) - 1):
        outputs = f([forward.Dual(value, 1.0 if i == j else 0.0) for i, value in enumerate(x)])
        columns.append([y.tangent for y in outputs])
    return np.array(columns).reshape(-1, len(outputs) if columns else 0).T


def jacobian_value_and_tangent_swapped(f, x):
    columns = []
    for j in range(len(x)):
        outputs = f([forward.Dual(1.0 if i == j else 0.0, value) for i, value in enumerate(x)])
        columns.append([y.tangent for y in outputs])
    return np.array(columns).T


# --------------------------------------------------------------------------- 03.3 topo_sort


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


def topo_sort_kahn(output):
    """Kahn's algorithm: count each node's users, emit a node once all its users are out, reverse at the end."""
    users, seen, queue = defaultdict(int), {id(output)}, [output]
    for node in queue:
        for child in node.inputs:
            users[id(child)] += 1
            if id(child) not in seen:
                seen.add(id(child))
                queue.append(child)
    ready, backwards = deque([output]), []
    while ready:
        node = ready.popleft()
        backwards.append(node)
        for child in node.inputs:
            users[id(child)] -= 1
            if users[id(child)] == 0:
                ready.append(child)
    return backwards[::-1]


def topo_sort_ordered_dict(output):
    """Nodes are hashable (by identity): a dict keeps them in insertion order."""
    placed = {}

    def place(node):
        if node not in placed:
            for child in node.inputs:
                place(child)
            placed[node] = True

    place(output)
    return list(placed)


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


def topo_reversed_breadth_first(output):
    """A breadth-first walk from the output, reversed: wrong when a node is reached by paths of different lengths."""
    order, seen = [output], {id(output)}
    for node in order:
        for child in node.inputs:
            if id(child) not in seen:
                seen.add(id(child))
                order.append(child)
    return order[::-1]


def topo_first_input_only(output):
    order, node = [], output
    while True:
        order.append(node)
        if not node.inputs:
            return order[::-1]
        node = node.inputs[0]


# --------------------------------------------------------------------------- 03.4 backward_pass


def backward_pass(output):
    partial, adjoints = {output: 1.0}, {}
    for node in reverse.reverse_topo_order(output):
        adjoints[node] = partial.pop(node)
        if node.op is not None:
            inputs = [child.value for child in node.inputs]
            for child, part in zip(node.inputs, node.op.vjp(adjoints[node], node.value, *inputs)):
                partial[child] = partial.get(child, 0.0) + part
    return adjoints


def backward_with_ids(output):
    """Keyed by id inside, by node in the result; the order from the learner's own sort."""
    partial, adjoints = {id(output): 1.0}, {}
    for node in topo_sort(output)[::-1]:
        adjoint = partial.pop(id(node))
        adjoints[node] = adjoint
        if node.op is not None:
            for child, part in zip(
                node.inputs, node.op.vjp(adjoint, node.value, *(c.value for c in node.inputs))
            ):
                partial[id(child)] = partial.get(id(child), 0.0) + part
    return adjoints


def backward_with_defaultdict(output):
    adjoint = defaultdict(float)
    adjoint[output] = 1.0
    for node in reversed(topo_sort_with_a_stack(output)):
        if node.op is None:
            continue
        values = [x.value for x in node.inputs]
        for child, part in zip(node.inputs, node.op.vjp(adjoint[node], node.value, *values)):
            adjoint[child] += part
    return {node: adjoint[node] for node in topo_sort_with_a_stack(output)}


def backward_overwriting(output):
    partial, result = {output: 1.0}, {}
    for node in reverse.reverse_topo_order(output):
        result[node] = partial.get(node, 0.0)
        if node.op is not None:
            inputs = [child.value for child in node.inputs]
            for child, part in zip(node.inputs, node.op.vjp(result[node], node.value, *inputs)):
                partial[child] = part
    return result


def backward_forgetting_leaves(output):
    return {node: value for node, value in backward_pass(output).items() if node.op is not None}


def backward_starting_at_zero(output):
    return {node: value * 0.0 for node, value in backward_pass(output).items()}


def backward_without_the_vjp(output):
    """Treats every op as if its local derivative were 1 for each input (adds adjoints straight through)."""
    partial, adjoints = {output: 1.0}, {}
    for node in reverse.reverse_topo_order(output):
        adjoints[node] = partial.pop(node)
        for child in node.inputs:
            partial[child] = partial.get(child, 0.0) + adjoints[node]
    return adjoints


def backward_in_forward_order(output):
    """Visits the nodes inputs first: a node passes its adjoint on before its users have given it theirs."""
    partial, adjoints = {output: 1.0}, {}
    for node in topo_sort(output):
        adjoints[node] = partial.get(node, 0.0)
        if node.op is not None:
            inputs = [child.value for child in node.inputs]
            for child, part in zip(node.inputs, node.op.vjp(adjoints[node], node.value, *inputs)):
                partial[child] = partial.get(child, 0.0) + part
    return adjoints


def backward_passing_nodes_to_vjp(output):
    """Gives vjp the nodes, not their values: the adjoints come back as graph nodes."""
    partial, adjoints = {output: 1.0}, {}
    for node in reverse.reverse_topo_order(output):
        adjoints[node] = partial.pop(node)
        if node.op is not None:
            for child, part in zip(node.inputs, node.op.vjp(adjoints[node], node, *node.inputs)):
                partial[child] = partial.get(child, 0.0) + part
    return adjoints


# --------------------------------------------------------------------------- 03.5 Softplus


class Softplus(reverse.Op):
    name = "softplus"

    def compute(self, a):
        return math.log1p(math.exp(a))

    def vjp(self, adjoint, out, a):
        return (adjoint * reverse.sigmoid(a),)


class SoftplusFromExp(reverse.Op):
    name = "softplus"

    def compute(self, a):
        return math.log(1 + math.exp(a))

    def vjp(self, adjoint, out, a):
        return [adjoint * (1 - reverse.exp(-out))]  # e^-out = 1 / (1 + e^a)


class SoftplusStable(reverse.Op):
    """The overflow-safe form libraries use: max(a, 0) + log(1 + e^-|a|); the slope as e^a / (1 + e^a)."""

    name = "softplus"

    def compute(self, a):
        return max(a, 0.0) + math.log1p(math.exp(-abs(a)))

    def vjp(self, adjoint, out, a):
        e = reverse.exp(a)
        return (adjoint * e / (1 + e),)


class SoftplusExp(Softplus):
    def compute(self, a):
        return math.exp(a)


class SoftplusMathVjp(Softplus):
    def vjp(self, adjoint, out, a):
        return (adjoint / (1 + math.exp(-a)),)


class SoftplusBare(Softplus):
    def vjp(self, adjoint, out, a):
        return adjoint * reverse.sigmoid(a)


class SoftplusNoAdjoint(Softplus):
    def vjp(self, adjoint, out, a):
        return (reverse.sigmoid(a),)


class SoftplusFrozen(Softplus):
    def vjp(self, adjoint, out, a):
        plain = a.value if isinstance(a, reverse.Node) else a
        return (adjoint * (1 / (1 + math.exp(-plain))),)


class SoftplusChainForgotten(Softplus):
    def vjp(self, adjoint, out, a):
        return (adjoint * reverse.exp(a),)


class SoftplusSignFlipped(Softplus):
    def vjp(self, adjoint, out, a):
        return (adjoint * reverse.sigmoid(-1 * a),)


class SoftplusOutputAsSlope(Softplus):
    def vjp(self, adjoint, out, a):
        return (adjoint * out,)


class SoftplusWithoutLog(Softplus):
    """compute forgot the 1: log(e^a) is a itself."""

    def compute(self, a):
        return math.log(math.exp(a))


class SoftplusStub(reverse.Op):
    """The learner copy: each method body is a stub."""

    name = "softplus"

    def compute(self, a):
        raise NotImplementedError

    def vjp(self, adjoint, out, a):
        raise NotImplementedError


class NotAnOp:
    def compute(self, a):
        return math.log1p(math.exp(a))


# --------------------------------------------------------------------------- 03.6 matmul_vjp


def matmul_vjp(g, a, b):
    return g @ b.T, a.T @ g


def matmul_vjp_by_loops(g, a, b):
    n, k = a.shape
    m = b.shape[1]
    grad_a, grad_b = np.zeros((n, k)), np.zeros((k, m))
    for i in range(n):
        for j in range(m):
            for p in range(k):
                grad_a[i, p] += g[i, j] * b[p, j]
                grad_b[p, j] += g[i, j] * a[i, p]
    return grad_a, grad_b


def matmul_vjp_einsum(g, a, b):
    return np.einsum("ij,kj->ik", g, b), np.einsum("ik,ij->kj", a, g)


def matmul_vjp_named_dot(g, a, b):
    dot = np.matmul
    return dot(g, b.transpose()), dot(a.transpose(), g)


def matmul_vjp_zeroing(g, a, b):
    a.fill(0)
    return g @ b.T, a.T @ g


TABLES = {
    "03.1": Table(
        mistakes=(
            Mistake(
                "multiplied the two derivatives", lambda x: 2 * x * math.cos(x), "differentiated each factor"
            ),
            Mistake("dropped the sin(x)' term", lambda x: 2 * x * math.sin(x), "only the term where x²"),
            Mistake("dropped the (x²)' term", lambda x: x * x * math.cos(x), "only the term where sin(x)"),
            Mistake(
                "sin' taken as -cos",
                lambda x: 2 * x * math.sin(x) - x * x * math.cos(x),
                "subtracted the two terms",
            ),
            Mistake("returned f itself", lambda x: x * x * math.sin(x), "returned f(x) itself"),
            Mistake(
                "(x²)' taken as x", lambda x: x * math.sin(x) + x * x * math.cos(x), "differentiated x² as x"
            ),
            Mistake("returns a string", lambda x: str(df(x)), "should be a number"),
            Mistake("sin in degrees", df_in_degrees, "not the derivative of x² sin(x)"),
            Mistake("(x²)' taken as 2", df_missing_x, "not the derivative of x² sin(x)"),
        ),
        correct=(
            Correct("sum of two terms", df),
            Correct("factored out x", df_factored),
            Correct("numpy u, v and their derivatives", df_with_numpy),
        ),
        not_attempted=(..., stub),
    ),
    "03.2": Table(
        mistakes=(
            Mistake(
                "seeds every input in every pass", jacobian_seeding_all, "gave every input the tangent 1"
            ),
            Mistake("keeps the tangents of earlier passes", jacobian_keeping_tangents, "kept the tangents"),
            mutations.transposed(forward_jacobian, "transposed"),
            Mistake("one pass per entry", jacobian_by_entries, "forward mode needs one pass per input"),
            Mistake(
                "returns a list", lambda f, x: forward_jacobian(f, x).tolist(), "should be a NumPy array"
            ),
            Mistake("collects the values, not the tangents", jacobian_of_values, "is off in"),
            Mistake("right only for two inputs", jacobian_for_two_inputs, "should have shape"),
            Mistake("one pass too few", jacobian_one_pass_too_few, "should have shape"),
            Mistake("value and tangent swapped", jacobian_value_and_tangent_swapped, "is off in"),
        ),
        correct=(
            Correct("columns then transpose", forward_jacobian),
            Correct("rows gathered from the passes", jacobian_row_by_row),
            Correct("filled in column by column from np.eye", jacobian_filled_in),
            Correct("np.stack on axis 1", jacobian_stacked),
        ),
        not_attempted=(..., stub),
    ),
    "03.3": Table(
        mistakes=(
            Mistake("output first", topo_reversed, "the reverse of the order asked"),
            Mistake("no visited set", topo_without_visited, "each node should appear once"),
            Mistake(
                "leaves left out", topo_without_leaves, "the leaves (nodes made by no operation) are missing"
            ),
            Mistake("values, not nodes", topo_values, "should hold the graph's Node objects"),
            Mistake("pre-order", topo_preorder, "before its input"),
            Mistake("returns a set", lambda output: set(topo_sort(output)), "should return a list of nodes"),
            Mistake("breadth-first, reversed", topo_reversed_breadth_first, "before its input"),
            Mistake("follows the first input only", topo_first_input_only, "of the"),
        ),
        correct=(
            Correct("recursive depth-first", topo_sort),
            Correct("iterative with a stack", topo_sort_with_a_stack),
            Correct("Kahn's algorithm", topo_sort_kahn),
            Correct("a dict as an ordered set of nodes", topo_sort_ordered_dict),
        ),
        not_attempted=(..., stub),
    ),
    "03.4": Table(
        mistakes=(
            Mistake("overwrites contributions", backward_overwriting, "got only one contribution"),
            Mistake("leaves left out", backward_forgetting_leaves, "the leaves are missing"),
            Mistake("output's adjoint 0", backward_starting_at_zero, "d(output)/d(output) is 1"),
            Mistake("vjp never called", backward_without_the_vjp, "which is not right"),
            Mistake(
                "returns a list", lambda output: list(backward_pass(output).values()), "should return a dict"
            ),
            Mistake(
                "keyed by id",
                lambda output: {id(n): v for n, v in backward_pass(output).items()},
                "not nodes of this graph",
            ),
            Mistake("visits the nodes in forward order", backward_in_forward_order, "which is not right"),
            Mistake("passes the nodes to vjp", backward_passing_nodes_to_vjp, "should be a number"),
        ),
        correct=(
            Correct("pop from a dict of partial sums", backward_pass),
            Correct("keyed by id inside, own topological sort", backward_with_ids),
            Correct("defaultdict of adjoints", backward_with_defaultdict),
        ),
        not_attempted=(..., stub),
    ),
    "03.5": Table(
        mistakes=(
            Mistake("compute is e^a", SoftplusExp, "that is e^x"),
            Mistake("math in the vjp", SoftplusMathVjp, "fails when the engine gives it graph nodes"),
            Mistake("vjp returns no tuple", SoftplusBare, "should return a tuple with one adjoint per input"),
            Mistake(
                "adjoint not multiplied in", SoftplusNoAdjoint, "did not multiply by the output's adjoint"
            ),
            Mistake(
                "vjp turns its input into a number", SoftplusFrozen, "turns its input into a plain number"
            ),
            Mistake(
                "derivative of the log forgotten", SoftplusChainForgotten, "forgot the derivative of the log"
            ),
            Mistake("not an Op", NotAnOp, "should be an operation of the engine"),
            Mistake("sigmoid of -a", SoftplusSignFlipped, "took e^(-x) where e^x belongs"),
            Mistake("the output as the slope", SoftplusOutputAsSlope, "used the output itself"),
            Mistake("compute without the 1", SoftplusWithoutLog, "which is not log(1 + e^x)"),
        ),
        correct=(
            Correct("log1p and reverse.sigmoid", Softplus),
            Correct("slope from the output, a list", SoftplusFromExp),
            Correct("stable compute, slope from exp", SoftplusStable),
        ),
        not_attempted=(..., SoftplusStub),
    ),
    "03.6": Table(
        mistakes=(
            Mistake("adjoints in the wrong order", lambda g, a, b: (a.T @ g, g @ b.T), "in the wrong order"),
            Mistake("b's adjoint transposed", lambda g, a, b: (g @ b.T, g.T @ a), "transposed"),
            Mistake("a's adjoint transposed", lambda g, a, b: ((g @ b.T).T, a.T @ g), "transposed"),
            Mistake(
                "averaged over the rows of g",
                lambda g, a, b: (g @ b.T / len(g), a.T @ g / len(g)),
                "averaged over the rows of g",
            ),
            Mistake("returns one array", lambda g, a, b: g @ b.T, "should return a tuple"),
            Mistake(
                "b's adjoint is the product a @ b", lambda g, a, b: (g @ b.T, a @ b), "should have shape"
            ),
            Mistake("changes a in place", matmul_vjp_zeroing, mutations.IN_PLACE),
            Mistake("b not transposed", lambda g, a, b: (g @ b, a.T @ g), "your code raised ValueError"),
        ),
        correct=(
            Correct("two matrix products", matmul_vjp),
            Correct("np.dot, as a list", lambda g, a, b: [np.dot(g, b.T), np.dot(a.T, g)]),
            Correct("three loops", matmul_vjp_by_loops),
            Correct("einsum", matmul_vjp_einsum),
            Correct("a variable named dot", matmul_vjp_named_dot),
        ),
        not_attempted=(..., stub),
    ),
}
