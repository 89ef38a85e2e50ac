"""Pictures of automatic differentiation: computation graphs, a reverse pass step by step,
and the error of finite differences against the step size.

Every function returns a :class:`matplotlib.figure.Figure` (made without pyplot,
so nothing is shown twice); the ``*_explorer`` functions put controls over them
(:class:`course.explorer.Explorer`).
"""

import math

import numpy as np

from ..plots import subplots
from ..runtime.validate import choice, integer, number, received, size_limit, text
from .numerical import central_difference, difference_errors, forward_difference
from .reverse import Node, adjoints, find_topo_sort

MAX_DRAWN_NODES = 60  # a bigger graph is unreadable


def _scalar_graph(output):
    """``output``, a :class:`Node` whose graph is small enough to draw."""
    if not isinstance(output, Node):
        raise TypeError(f"output must be a scalar Node, got {received(output)}")
    size_limit(len(find_topo_sort([output])), "the number of nodes in the graph", MAX_DRAWN_NODES)
    return output


def _name(node):
    if node.label:
        return node.label
    return node.op.name if node.op else f"{node.value:g}"


def graph_layout(output):
    """Positions {node: (x, y)}: x is the node's depth (longest path from an input), y spreads a column."""
    if not isinstance(output, Node):
        raise TypeError(f"output must be a scalar Node, got {received(output)}")
    order = find_topo_sort([output])
    depth = {}
    for node in order:
        depth[node] = 1 + max((depth[x] for x in node.inputs), default=-1)
    columns = {}
    for node in order:
        columns.setdefault(depth[node], []).append(node)
    return {node: (d, (len(col) - 1) / 2 - i) for d, col in columns.items() for i, node in enumerate(col)}


def draw_graph(output, grads=None, current=None, title=None):
    """Draw ``output``'s graph: each node shows its op, value and (if known) adjoint.

    ``grads`` maps nodes to adjoints (numbers); ``current`` is highlighted in orange.
    """
    output = _scalar_graph(output)
    grads = {} if grads is None else grads
    if not isinstance(grads, dict):
        raise TypeError(f"grads must be a dict of node -> number, got {received(grads)}")
    if current is not None and not isinstance(current, Node):
        raise TypeError(f"current must be a Node or None, got {received(current)}")
    title = None if title is None else text(title, "title", allow_empty=True)
    where = graph_layout(output)
    width = 1 + max(x for x, _ in where.values())
    height = 1 + max(abs(y) for _, y in where.values()) * 2
    fig, ax = subplots(figsize=(min(2.2 * width + 1, 14), min(1.3 * height + 1.2, 9)))
    for node, (x, y) in where.items():
        for child in node.inputs:
            cx, cy = where[child]
            ax.annotate("", (x - 0.28, y), (cx + 0.28, cy), arrowprops={"arrowstyle": "->", "color": "0.5"})
    for node, (x, y) in where.items():
        colour = "#ffcc80" if node is current else "#c8e6c9" if node in grads else "#eeeeee"
        caption = f"{_name(node)}\nvalue {node.value:.3g}"
        if node in grads:
            caption += f"\ngrad {grads[node]:.3g}"
        ax.text(
            x,
            y,
            caption,
            ha="center",
            va="center",
            fontsize=8,
            bbox={"boxstyle": "round", "facecolor": colour, "edgecolor": "0.4"},
        )
    ax.set_xlim(-0.6, width - 0.4)
    ax.set_ylim(-height / 2 - 0.2, height / 2 + 0.2)
    ax.axis("off")
    ax.set_title(title or "computation graph: inputs on the left, output on the right", fontsize=10)
    return fig


def reverse_pass_steps(output):
    """The reverse pass as a list of (node, adjoint), in the order the adjoints become final."""
    return list(adjoints(_scalar_graph(output)).items())


def draw_reverse_step(output, step):
    """The graph after ``step`` steps of the reverse pass (step 0: nothing known yet)."""
    steps = reverse_pass_steps(output)
    step = integer(step, "step", minimum=0, maximum=len(steps))
    done = dict(steps[:step])
    current = steps[step - 1][0] if step else None
    if current is None:
        title = "step 0: the forward pass is done, no adjoint known yet"
    else:
        title = f"step {step}/{len(steps)}: adjoint of {_name(current)} = {done[current]:.3g}"
    return draw_graph(output, done, current, title)


def reverse_pass_explorer(output):
    """A slider over the steps of the reverse pass on ``output``'s graph (an Explorer)."""
    import ipywidgets as widgets

    from ..explorer import Explorer

    n = len(reverse_pass_steps(output))  # checks output before any widget exists
    return Explorer(
        lambda step: draw_reverse_step(output, step), step=widgets.IntSlider(value=0, min=0, max=n)
    )


TEST_FUNCTIONS = {  # name: (f, f', x)
    "sin at x=1": (math.sin, math.cos, 1.0),
    "exp at x=1": (math.exp, math.exp, 1.0),
    "x^3 at x=2": (lambda x: x**3, lambda x: 3 * x**2, 2.0),
}


def plot_difference_errors(function="sin at x=1", h=1e-5):
    """Log-log plot of |estimate - exact| against h for forward and central differences."""
    function = choice(function, "function", TEST_FUNCTIONS)
    h = number(h, "h", positive=True, maximum=1)
    f, df, x = TEST_FUNCTIONS[function]
    errors = difference_errors(f, df, x, np.logspace(-15, 0, 61))
    tiny = 1e-18  # an exact hit would be log(0)
    fig, ax = subplots(figsize=(7, 4))
    ax.loglog(errors["h"], errors["forward"] + tiny, ".-", label="forward difference")
    ax.loglog(errors["h"], errors["central"] + tiny, ".-", label="central difference")
    chosen = [abs(forward_difference(f, x, h) - df(x)), abs(central_difference(f, x, h) - df(x))]
    ax.loglog([h, h], np.array(chosen) + tiny, "ko", label=f"h = {h:.0e}")
    ax.axvline(h, color="0.7", lw=0.8)
    ax.set_xlabel("step h")
    ax.set_ylabel("absolute error")
    ax.set_title(
        f"{function}: rounding error (left, ~eps/h) vs truncation error (right, ~h or h²)", fontsize=9
    )
    ax.legend()
    return fig


def difference_error_explorer():
    """Pick a function and a step h; see where h sits on the error curves (an Explorer)."""
    import ipywidgets as widgets

    from ..explorer import Explorer

    return Explorer(
        plot_difference_errors,
        function=widgets.Dropdown(options=list(TEST_FUNCTIONS)),
        h=widgets.FloatLogSlider(value=1e-5, base=10, min=-15, max=0, step=0.25),
    )
