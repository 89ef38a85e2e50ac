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
    with pytest.raises(TypeError, match="a Node's value must be a number, got str 'a'"):
        rv.Node(1.0) + "a"
    with pytest.raises(TypeError, match="constant exponents"):
        rv.Node(2.0) ** rv.Node(2.0)
    with pytest.raises(ValueError, match="positive"):
        rv.log(rv.Node(-1.0))
    with pytest.raises(TypeError, match="output must be a Node, got float 3.0"):
        rv.grad(3.0, [rv.Node(1.0)])
    with pytest.raises(TypeError, match="inputs must be a list of Nodes"):
        rv.grad(rv.Node(1.0), None)
    with pytest.raises(TypeError, match="a Node's value must be a number, got NoneType"):
        rv.Node(None)
    with pytest.raises(ValueError, match="a Node's value must be a finite number, got nan"):
        rv.Node(float("nan"))
    with pytest.raises(TypeError, match="label must be a string"):
        rv.Node(1.0, label=3)
    with pytest.raises(TypeError, match="outputs must be a list of graph nodes"):
        rv.find_topo_sort(rv.Node(1.0))
    with pytest.raises(TypeError, match="each output must be a graph node"):
        rv.find_topo_sort([None])
    with pytest.raises(TypeError, match="x must be a number, got str"):
        rv.exp("1")


@pytest.mark.parametrize(
    "make, says",
    [
        (lambda: rv.exp(rv.Node(1000.0)), r"exp\(1000\) is too large for a float"),
        (lambda: rv.exp(1000.0), r"exp\(1000\) is too large"),
        (lambda: rv.Node(10.0) ** 400, "too large for a float"),
        (lambda: rv.Node(1e200) * 1e200, r"\*\(1e\+200, 1e\+200\) = inf: the result is too large"),
        (lambda: rv.Node(1.0) / 0, "0 \\*\\* -1 divides by zero"),
        (lambda: rv.Node(-8.0) ** 0.5, "is not a real number"),
    ],
)
def test_overflow_and_undefined_results_are_value_errors(make, says):
    with pytest.raises(ValueError, match=says):
        make()


def test_gradient_of_a_power_at_zero_is_a_value_error_not_zero_division():
    x = rv.Node(0.0)
    y = x**0.5
    with pytest.raises(ValueError, match="0 \\*\\* -0.5 divides by zero"):
        y.backward()
    z = x**2
    z.backward()
    assert x.grad == 0.0


@pytest.mark.parametrize(
    "call, error, says",
    [
        (lambda: rv.Sin().compute(None), TypeError, "Sin.compute: a must be a number, got NoneType"),
        (lambda: rv.Exp().compute(float("nan")), ValueError, "Exp.compute: a must be a finite number"),
        (lambda: rv.Add().compute(1.0), TypeError, r"Add.compute needs the arguments \(a, b\), got 1"),
        (lambda: rv.Add()(1.0, 2.0, 3.0), TypeError, r"Add takes 2 inputs \(a, b\), got 3"),
        (lambda: rv.Mul().finite_result("2", 3.0), TypeError, "Mul.compute: a must be a number, got str"),
        (lambda: rv.Exp().vjp(None, 1.0, 1.0), TypeError, "Exp.vjp: adjoint must be a number, got NoneType"),
        (lambda: rv.Log().vjp(1.0, 0.0, [1.0]), TypeError, "Log.vjp: a must be a number, got list"),
        (lambda: rv.Node(1.0, op="exp"), TypeError, r"op must be an operation \(a reverse.Op\) or None"),
        (lambda: rv.Node(1.0, rv.Exp(), inputs=[1.0]), TypeError, "inputs must be a tuple of Nodes"),
        (lambda: rv.Node(1.0).unit_adjoint(None), TypeError, "as_graph must be True or False"),
    ],
)
def test_the_rules_of_an_op_check_their_arguments(call, error, says):
    with pytest.raises(error, match=says):
        call()


def test_an_op_of_ones_own_is_checked_and_works_on_numbers_and_nodes():
    class Cube(rv.Op):
        name = "cube"

        def compute(self, a):
            return a**3

        def vjp(self, adjoint, out, a):
            return (adjoint * 3 * a * a,)

    cube = rv.as_function(Cube())
    x = rv.Node(2.0)
    (slope,) = rv.grad(cube(x), [x])
    (curvature,) = rv.grad(slope, [x])
    assert (slope.value, curvature.value) == (12.0, 12.0)
    assert Cube().vjp(1.0, 8.0, 2) == (12.0,)  # an int is a number too
    with pytest.raises(TypeError, match="Cube.compute: a must be a number, got str"):
        Cube().compute("2")


def test_numpy_arrays_do_not_swallow_nodes():
    with pytest.raises(TypeError, match="a Node's value must be a number, got an array"):
        np.array([1.0, 2.0]) * rv.Node(1.0)
    assert (np.float64(2.0) * rv.Node(3.0)).value == 6.0


def test_a_graph_5000_deep_has_gradients():
    x = rv.Node(0.5)
    y = x
    for _ in range(5000):
        y = rv.sin(y)
    y.backward()
    assert len(rv.find_topo_sort([y])) == 5001 and 0 < x.grad < 1
    (dy,) = rv.grad(y, [x])
    assert math.isclose(dy.value, x.grad)


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
