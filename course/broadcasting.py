"""Broadcasting: which shapes combine element-wise, what comes out, and why some fail.

When an element-wise operation meets two tensors of different shapes, NumPy
(and TensorFlow, and Keras) *broadcast* them in two steps:

1. **add axes**: the tensor with fewer axes gets axes of size 1 on the left
   until both have the same number of axes;
2. **stretch**: along every axis where one tensor has size 1 and the other
   size n, the size-1 tensor is repeated n times (virtually: nothing is copied).

After step 1 the shapes are compared axis by axis: sizes must be equal, or one
of them must be 1. Otherwise the operation fails.

:func:`explain` does this bookkeeping and returns every intermediate shape;
:func:`draw` pictures it; :func:`broadcasting_explorer` puts two text boxes over the picture.
"""

import ast
from dataclasses import dataclass

from .runtime import validate

NO_SHAPE = "error"  # what a learner types for "this operation fails"

PADDED, STRETCHED, KEPT, CLASH = "added in step 1", "stretched in step 2", "kept", "clash"
COLOURS = {PADDED: "#d9d9d9", STRETCHED: "#f6c177", KEPT: "#a6d8a8", CLASH: "#f28b82"}
MAX_AXES = 64  # NumPy's own limit on the number of axes of an array
MAX_DRAWN_AXES = 12  # beyond this a drawing is unreadable
MAX_TEXT = 200  # characters of a typed shape


@dataclass(frozen=True, repr=False)
class Broadcast:
    """Every step of broadcasting shape ``a`` with shape ``b``."""

    a: tuple
    b: tuple
    a_padded: tuple  # after step 1
    b_padded: tuple
    result: tuple | None  # None when the shapes do not broadcast
    reason: str | None  # why not

    @property
    def ok(self):
        return self.result is not None

    def roles(self, which):
        """For each aligned axis, what broadcasting does to ``which`` ("a" or "b") there."""
        if not isinstance(which, str) or which not in ("a", "b"):
            raise ValueError(f'which must be "a" or "b", got {validate.received(which)}')
        own, other = (self.a_padded, self.b_padded) if which == "a" else (self.b_padded, self.a_padded)
        added = len(own) - len(self.a if which == "a" else self.b)
        roles = []
        for axis, (n, m) in enumerate(zip(own, other)):
            if n != m and n != 1 and m != 1:
                roles.append(CLASH)
            elif axis < added:
                roles.append(PADDED)
            elif n == 1 and m != 1:
                roles.append(STRETCHED)
            else:
                roles.append(KEPT)
        return roles

    def summary(self):
        """One line: the result shape or the reason it fails."""
        if self.ok:
            return f"{self.a} with {self.b} broadcasts to {self.result}"
        return f"{self.a} with {self.b} fails: {self.reason}"

    def __str__(self):
        lines = [
            f"a: {self.a}   b: {self.b}",
            f"step 1, add size-1 axes on the left: a {self.a_padded}, b {self.b_padded}",
        ]
        if self.ok:
            lines.append(f"step 2, stretch size-1 axes: a {self.result}, b {self.result}")
            lines.append(f"result: {self.result}")
        else:
            lines.append(f"step 2 fails: {self.reason}")
        return "\n".join(lines)

    __repr__ = __str__  # the widget shows the steps as plain text


def _shape(value, name):
    """``value`` as a shape that a NumPy array can have: at most :data:`MAX_AXES` axes."""
    value = validate.shape(value, name)
    validate.size_limit(len(value), f"the number of axes of {name}", MAX_AXES)
    return value


def explain(a, b):
    """Broadcast shape ``a`` with shape ``b`` step by step; never raises for shapes that clash."""
    a = _shape(a, "a")
    b = _shape(b, "b")
    ndim = max(len(a), len(b))
    a_padded = (1,) * (ndim - len(a)) + a
    b_padded = (1,) * (ndim - len(b)) + b
    result = []
    for axis, (n, m) in enumerate(zip(a_padded, b_padded)):
        if n != m and n != 1 and m != 1:
            reason = (
                f"on axis {axis} of the aligned shapes a has {n} and b has {m}; "
                "sizes must be equal or one of them must be 1"
            )
            return Broadcast(a, b, a_padded, b_padded, None, reason)
        result.append(m if n == 1 else n)
    return Broadcast(a, b, a_padded, b_padded, tuple(result), None)


def broadcast_shape(a, b):
    """The shape of ``x + y`` for ``x`` of shape ``a`` and ``y`` of shape ``b``; ValueError saying why when none."""
    outcome = explain(a, b)
    if not outcome.ok:
        raise ValueError(f"shapes {outcome.a} and {outcome.b} do not broadcast: {outcome.reason}")
    return outcome.result


def draw(a, b):
    """A picture of the two steps: one row per tensor, one column per aligned axis.

    Grey cells are axes added in step 1 (and then stretched like any size-1
    axis), orange cells are stretched in step 2, green cells are kept, red
    cells clash. Returns the matplotlib Figure.
    """
    from matplotlib.patches import Patch, Rectangle

    from .plots import subplots

    outcome = explain(a, b)
    validate.size_limit(len(outcome.a_padded), "the number of axes to draw", MAX_DRAWN_AXES)
    ndim = max(len(outcome.a_padded), 1)
    rows = [
        (f"a {outcome.a}", outcome.a_padded, outcome.roles("a")),
        (f"b {outcome.b}", outcome.b_padded, outcome.roles("b")),
    ]
    if outcome.ok:
        rows.append(("a + b", outcome.result, [KEPT] * len(outcome.result)))
    fig, ax = subplots(figsize=(2.6 + 1.1 * ndim, 0.75 * len(rows) + 1.3))
    for row, (label, sizes, roles) in enumerate(rows):
        y = len(rows) - 1 - row
        ax.text(-0.2, y + 0.5, label, ha="right", va="center", fontsize=11)
        for axis, (size, role) in enumerate(zip(sizes, roles)):
            ax.add_patch(Rectangle((axis, y + 0.08), 0.92, 0.84, facecolor=COLOURS[role], edgecolor="black"))
            stretched = outcome.ok and role in (PADDED, STRETCHED) and outcome.result[axis] != 1
            shown = f"1→{outcome.result[axis]}" if stretched else str(size)
            ax.text(
                axis + 0.46,
                y + 0.5,
                shown,
                ha="center",
                va="center",
                fontsize=12,
                style="italic" if role == PADDED else "normal",
            )
    for axis in range(len(outcome.a_padded)):
        ax.text(
            axis + 0.46,
            len(rows) + 0.15,
            f"axis {axis}",
            ha="center",
            va="bottom",
            fontsize=9,
            color="dimgray",
        )
    ax.set_xlim(-2.4, ndim + 0.1)
    ax.set_ylim(-0.1, len(rows) + 0.6)
    ax.axis("off")
    used = {role for _, _, roles in rows for role in roles}
    ax.legend(
        handles=[Patch(facecolor=COLOURS[r], edgecolor="black", label=r) for r in COLOURS if r in used],
        loc="upper center",
        bbox_to_anchor=(0.5, 0.0),
        ncol=4,
        frameon=False,
        fontsize=9,
    )
    title = f"→ {outcome.result}" if outcome.ok else "fails: " + outcome.reason.split(";")[0]
    ax.set_title(title, fontsize=11, color="black" if outcome.ok else "#b3261e")
    fig.tight_layout()
    return fig


def parse_shape(text):
    """Read ``"(2, 3)"``, ``"2, 3"``, ``"()"`` or ``"error"`` into a tuple or :data:`NO_SHAPE`."""
    validate.text(text, "the typed shape", allow_empty=True)
    validate.size_limit(len(text), "the length of the typed shape", MAX_TEXT)
    cleaned = text.strip().lower()
    if cleaned in {"error", "err", "fails", "none"}:
        return NO_SHAPE
    if not cleaned:
        raise ValueError("write a shape like (2, 3), or 'error' if the operation fails")
    try:
        value = ast.literal_eval(cleaned if cleaned.startswith("(") else f"({cleaned},)")
    except (ValueError, SyntaxError):
        raise ValueError(f"could not read {text!r} as a shape; write it like (2, 3)") from None
    if isinstance(value, int):
        value = (value,)
    if not isinstance(value, tuple) or not all(type(n) is int and n >= 0 for n in value):
        raise ValueError(f"a shape is a tuple of non-negative whole numbers, got {text!r}")
    return value


def read_shape(text, name="shape"):
    """A shape typed as text, ``"(32, 10)"`` or ``"32, 10"``; ValueError when it is not one."""
    shape = parse_shape(text)
    if shape == NO_SHAPE:
        raise ValueError(f"{name}: type a shape such as (32, 10), got {text!r}")
    return shape


def broadcasting_explorer(a="(64, 3, 32, 10)", b="(32, 10)"):
    """Type two shapes, see the steps drawn and the result shape or the reason it fails (an Explorer).

    Its ``.result`` is the latest :func:`draw` Figure, or the message saying why a
    typed shape cannot be read.
    """
    import ipywidgets as widgets

    from .explorer import Explorer

    read_shape(a, "a")  # check both before any widget exists
    read_shape(b, "b")

    def view(a, b):
        try:
            shape_a, shape_b = read_shape(a, "a"), read_shape(b, "b")
        except ValueError as error:
            return str(error)
        return draw(shape_a, shape_b)

    return Explorer(
        view,
        a=widgets.Text(value=a, description="shape of a:"),
        b=widgets.Text(value=b, description="shape of b:"),
    )
