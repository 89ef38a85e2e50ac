"""The scalar reverse-mode engine."""

import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from course.autodiff import reverse as rv
from course.autodiff.numerical import central_difference


def test_backward_matches_central_differences():
    def f(x, y):
        return (
            rv.sin(x * y)
            + rv.exp(x) / y
            - rv.tanh(y) ** 2
            + rv.sigmoid(x - y)
            + rv.log(x * x + 1)
            + rv.relu(y)
        )

    x, y = rv.Node(0.7), rv.Node(1.3)
    out = f(x, y)
    out.backward()
    assert math.isclose(x.grad, central_difference(lambda t: f(t, 1.3), 0.7, 1e-6), rel_tol=1e-7)
    assert math.isclose(y.grad, central_difference(lambda t: f(0.7, t), 1.3, 1e-6), rel_tol=1e-7)


def test_backward_is_idempotent():
    x = rv.Node(2.0)
    y = x * x + x
    y.backward()
    first = x.grad
    y.backward()
    assert first == x.grad == 5.0


def test_ten_thousand_node_chain():
    x = rv.Node(1.0)
    y = x
    for _ in range(10_000):
        y = y * 1.0001
    y.backward()
    assert math.isclose(x.grad, 1.0001**10_000, rel_tol=1e-9)
    assert len(rv.find_topo_sort([y])) == 20_001  # 10,000 products + 10,000 constants + x


def test_topological_orders():
    x, y = rv.Node(1.0, label="x"), rv.Node(2.0, label="y")
    a = x * y
    out = a + rv.sin(a)
    order = rv.find_topo_sort([out])
    position = {id(n): i for i, n in enumerate(order)}
    assert all(position[id(i)] < position[id(n)] for n in order for i in n.inputs)
    assert rv.reverse_topo_order(out)[0] is out and len(order) == 5


@settings(max_examples=40, deadline=None)
@given(st.floats(-2, 2), st.floats(0.2, 2))
def test_second_derivatives_via_gradient_graphs(a, b):
    x, y = rv.Node(a), rv.Node(b)
    f = x * x * y + rv.sin(x) * rv.exp(y) + rv.tanh(x * y)
    dfdx, dfdy = rv.grad(f, [x, y])
    d2fdx2, d2fdxdy = rv.grad(dfdx, [x, y])
    t = math.tanh(a * b)
    assert math.isclose(
        dfdx.value, 2 * a * b + math.cos(a) * math.exp(b) + b * (1 - t * t), rel_tol=1e-9, abs_tol=1e-9
    )
    assert math.isclose(
        d2fdx2.value,
        2 * b - math.sin(a) * math.exp(b) - 2 * b * b * t * (1 - t * t),
        rel_tol=1e-9,
        abs_tol=1e-9,
    )
    assert math.isclose(
        d2fdxdy.value,
        2 * a + math.cos(a) * math.exp(b) + (1 - t * t) - 2 * a * b * t * (1 - t * t),
        rel_tol=1e-9,
        abs_tol=1e-9,
    )
    (d2fdydx,) = rv.grad(dfdy, [x])
    assert math.isclose(
        d2fdydx.value, d2fdxdy.value, rel_tol=1e-9, abs_tol=1e-9
    )  # symmetry of mixed partials


def test_third_derivative():
    x = rv.Node(0.5)
    g = rv.grad(x**4, [x])[0]
    for _ in range(2):
        g = rv.grad(g, [x])[0]
    assert math.isclose(g.value, 24 * 0.5)


def test_jacobian_by_rows_equals_forward_mode():
    from course.autodiff.forward import jacobian as forward_jacobian
    from course.autodiff.forward import sin as dual_sin

    x = [0.4, -1.1, 2.0]
    rows = rv.jacobian(lambda v: [v[0] * v[1], rv.sin(v[2]) + v[0]], x)
    columns = forward_jacobian(lambda v: [v[0] * v[1], dual_sin(v[2]) + v[0]], x)
    assert np.allclose(rows, columns)


def test_grad_of_unused_input_is_zero():
    x, y = rv.Node(1.0), rv.Node(2.0)
    assert rv.grad(x * 3, [y])[0].value == 0.0


def test_errors():
    with pytest.raises(TypeError, match="Node or a real number"):
        rv.Node(1.0) + "a"
    with pytest.raises(TypeError, match="constant exponents"):
        rv.Node(2.0) ** rv.Node(2.0)
    with pytest.raises(ValueError, match="positive"):
        rv.log(rv.Node(-1.0))
    with pytest.raises(TypeError, match="differentiate"):
        rv.grad(3.0, [rv.Node(1.0)])


def test_drawing_and_reverse_steps():
    from course.autodiff.draw import draw_reverse_step, reverse_pass_explorer, reverse_pass_steps

    x, y = rv.Node(2.0, label="x"), rv.Node(3.0, label="y")
    f = x * y + rv.sin(x)
    steps = reverse_pass_steps(f)
    assert steps[0] == (f, 1.0) and dict(steps)[x] == pytest.approx(3 + math.cos(2.0))
    assert len(draw_reverse_step(f, 2).axes) == 1
    widget = reverse_pass_explorer(f)
    widget.children[0].value = len(steps)
    assert (
        "adjoint of x" in widget.result.axes[0].get_title()
        or "adjoint of y" in widget.result.axes[0].get_title()
    )
    with pytest.raises(ValueError, match="step must be"):
        draw_reverse_step(f, 99)


def test_difference_error_explorer():
    from course.autodiff.draw import difference_error_explorer

    widget = difference_error_explorer()
    widget.children[1].value = 1e-8
    assert "h = 1e-08" in [t.get_text() for t in widget.result.axes[0].get_legend().get_texts()]
