"""numerical, symbolic and forward (dual numbers)."""

import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from course.autodiff import forward as fw
from course.autodiff import numerical as num
from course.autodiff import symbolic as sym

reals = st.floats(-3, 3, allow_nan=False)


def test_central_beats_forward_difference():
    exact = math.cos(1.0)
    assert abs(num.central_difference(math.sin, 1.0, 1e-4) - exact) < 1e-8
    assert abs(num.forward_difference(math.sin, 1.0, 1e-4) - exact) > 1e-6


def test_error_curve_shows_rounding_and_truncation():
    errors = num.difference_errors(math.sin, math.cos, 1.0, np.logspace(-14, -1, 14))
    best = np.argmin(errors["central"])
    assert 0 < best < 13  # the best h is in the middle: rounding left of it, truncation right of it
    assert (
        errors["central"][0] > errors["central"][best] * 100
        and errors["central"][-1] > errors["central"][best] * 100
    )


def test_gradient_check():
    ok, error = num.gradient_check(
        lambda w: np.sum(w**3), lambda w: 3 * w**2, np.array([[1.0, -2.0], [0.5, 3.0]])
    )
    assert ok and error < 1e-8
    ok, _ = num.gradient_check(lambda w: np.sum(w**3), lambda w: 2 * w**2, np.array([1.0, 2.0]))
    assert not ok


@pytest.mark.parametrize("bad", [0, -1e-3, float("inf")])
def test_bad_step(bad):
    with pytest.raises(ValueError, match="h must be"):
        num.central_difference(math.sin, 1.0, bad)


@pytest.mark.parametrize(
    "call, error, says",
    [
        (lambda: num.central_difference(math.sin, 1.0, "h"), TypeError, "h must be a number, got str"),
        (lambda: num.forward_difference(None, 1.0), TypeError, "f must be a function, got NoneType"),
        (lambda: num.forward_difference(math.sin, None), TypeError, "x must be a number, got NoneType"),
        (
            lambda: num.forward_difference(lambda x: None, 1.0),
            TypeError,
            r"f\(x\) must be an array of numbers",
        ),
        (
            lambda: num.central_difference(lambda x: [x, x], 1.0),
            ValueError,
            r"f\(x\) must be a single number",
        ),
        (lambda: num.central_difference(lambda x: math.nan, 1.0), ValueError, r"f\(x\) must hold finite"),
        (
            lambda: num.numerical_gradient(np.sum, np.zeros(10**6)),
            ValueError,
            "the number of evaluations of f",
        ),
        (lambda: num.relative_error([np.nan], [1.0]), ValueError, "a must hold finite numbers"),
        (lambda: num.gradient_check(np.sum, None, [1.0]), TypeError, "grad must be a function"),
        (
            lambda: num.gradient_check(np.sum, np.sign, [1.0], tolerance=0),
            ValueError,
            "tolerance must be > 0",
        ),
        (lambda: num.difference_errors(math.sin, math.cos, 1.0, []), ValueError, "steps must be a non-empty"),
        (lambda: fw.Dual(None), TypeError, "a Dual's value must be a number, got NoneType"),
        (lambda: fw.Dual(1.0, math.inf), ValueError, "a Dual's tangent must be a finite number"),
        (lambda: fw.Dual(1.0) + "a", TypeError, "a Dual's value must be a number, got str"),
        (lambda: fw.Dual(1.0) / 0, ValueError, "division by zero"),
        (lambda: fw.Dual(0.0, 1.0) ** -1, ValueError, "divides by zero"),
        (lambda: fw.Dual(-8.0, 1.0) ** 0.5, ValueError, "is not a real number"),
        (lambda: fw.Dual(2.0) ** None, TypeError, "the exponent must be a number"),
        (lambda: 2 ** fw.Dual(1e4, 1.0), ValueError, "is too large for a float"),
        (lambda: fw.exp(fw.Dual(1000.0, 1.0)), ValueError, r"exp\(1000\) is too large for a float"),
        (lambda: fw.exp(1000.0), ValueError, r"exp\(1000\) is too large"),
        (lambda: fw.Dual(1e200) * 1e200, ValueError, "a Dual's value must be a finite number, got inf"),
        (lambda: fw.sin("x"), TypeError, "x must be a number, got str"),
        (lambda: fw.derivative(None, 1.0), TypeError, "f must be a function"),
        (lambda: fw.jvp(lambda x: x, [1.0], None), TypeError, "v must be an array of numbers"),
        (lambda: fw.jacobian(lambda x: x, []), ValueError, "x must hold at least one number"),
        (lambda: fw.jacobian(lambda x: x, np.zeros(10**5)), ValueError, "the length of x is 100,000"),
        (
            lambda: np.array([1.0, 2.0]) * fw.Dual(1.0),
            TypeError,
            "a Dual's value must be a number, got an array",
        ),
    ],
)
def test_numerical_and_forward_name_their_errors(call, error, says):
    with pytest.raises(error, match=says):
        call()


def test_powers_of_duals_at_zero():
    assert (fw.Dual(0.0, 1.0) ** 2).tangent == 0.0
    zeroth = fw.Dual(0.0, 1.0) ** 0
    assert (zeroth.value, zeroth.tangent) == (1.0, 0.0)


def test_relative_error_needs_same_shapes():
    with pytest.raises(ValueError, match=r"\(2,\) and \(3,\)"):
        num.relative_error(np.zeros(2), np.zeros(3))


@settings(max_examples=40, deadline=None)
@given(reals)
def test_symbolic_derivative_is_exact(x):
    v = sym.Var("x")
    f = v * v * sym.sin(v) + sym.exp(v * 0.5) - 3 * v**3
    want = 2 * x * math.sin(x) + x * x * math.cos(x) + 0.5 * math.exp(0.5 * x) - 9 * x**2
    assert math.isclose(f.diff("x").evaluate({"x": x}), want, rel_tol=1e-9, abs_tol=1e-9)


def test_expression_swell():
    v = sym.Var("x")
    sizes = [sym.logistic_map(v, n).diff("x").size() for n in range(1, 6)]
    assert all(b > 2.5 * a for a, b in zip(sizes, sizes[1:]))  # grows exponentially
    # stored as a graph, with each shared subexpression once, both grow by a constant per step
    assert [sym.logistic_map(v, n).dag_size() for n in range(1, 6)] == [1 + 7 * n for n in range(1, 6)]
    assert [sym.logistic_map(v, n).diff("x").dag_size() for n in range(1, 6)] == [
        12 * n - 2 for n in range(1, 6)
    ]
    f = sym.logistic_map(v, 3)
    assert math.isclose(
        f.diff("x").evaluate({"x": 0.3}), fw.derivative(lambda t: sym.logistic_map(t, 3), 0.3)
    )


def test_symbolic_errors():
    with pytest.raises(ValueError, match="no value given for variable 'y'"):
        sym.Var("y").evaluate({"x": 1})
    with pytest.raises(TypeError, match="an operand of an expression must be a number, got str 'a'"):
        sym.Var("x") + "a"
    with pytest.raises(ValueError, match="name must be one of"):
        sym.Function("tan", sym.Var("x"))
    with pytest.raises(TypeError, match="a variable's name must be a string, got NoneType"):
        sym.Var(None)
    with pytest.raises(TypeError, match="env must be a dict"):
        sym.Var("x").evaluate([1])
    with pytest.raises(TypeError, match="the value of x must be a number, got str"):
        sym.Var("x").evaluate({"x": "1"})
    with pytest.raises(TypeError, match="var must be a string"):
        sym.Var("x").diff(None)
    with pytest.raises(TypeError, match=r"x must be a number, got NoneType"):
        sym.logistic_map(None, 3)
    with pytest.raises(ValueError, match="steps must be between 0 and 10000"):
        sym.logistic_map(sym.Var("x"), 10**9)
    for make in (
        lambda: sym.Add(None, sym.Var("x")),
        lambda: sym.Mul(sym.Var("x"), "2"),
        lambda: sym.Pow(None, 2),
    ):
        with pytest.raises(TypeError, match="an operand of an expression must be a number"):
            make()  # refused when built, not when evaluated or printed
    assert str(sym.Add(sym.Var("x"), 2)) == "(x + 2)"


@pytest.mark.parametrize(
    "expr, says",
    [
        (sym.exp(sym.Var("x")), r"exp\(1000\) is too large for a float"),
        (sym.log(sym.Var("x") - 2000), "log is defined for positive numbers only"),
        (sym.Var("x") ** -1 * 0 + (sym.Var("x") - 1000) ** -1, "0 \\*\\* -1 divides by zero"),
        ((sym.Var("x") * -1) ** 0.5, "is not a real number"),
        (sym.Var("x") ** 200, "is too large for a float"),
        (sym.Var("x") ** 100 * sym.Var("x") ** 100, "too large for a float"),
    ],
)
def test_symbolic_evaluation_fails_with_value_errors(expr, says):
    with pytest.raises(ValueError, match=says):
        expr.evaluate({"x": 1000})


def test_shared_subexpressions_are_walked_once():
    x = sym.Var("x")
    l_30 = sym.logistic_map(x, 30)  # about 2**33 nodes written out, some 200 distinct ones
    assert len(l_30.nodes()) < 300
    assert l_30.size() == 2**33 - 7
    assert math.isclose(l_30.evaluate({"x": 0.3}), sym.logistic_map(0.3, 30))
    d_30 = l_30.diff("x")
    assert d_30.size() > l_30.size() and len(d_30.nodes()) < 1000
    with pytest.raises(ValueError, match="the size of the expression to print is 8,589,934,585"):
        str(l_30)


def test_an_expression_5000_deep_works():
    x = sym.Var("x")
    deep = x
    for _ in range(5000):
        deep = sym.sin(deep)
    assert deep.size() == 5001
    assert 0 < deep.evaluate({"x": 1.0}) < 1
    assert 0 < deep.diff("x").evaluate({"x": 0.5}) < 1
    assert str(deep).startswith("sin(sin(") and str(deep).endswith("(x" + ")" * 5000)


UNARY = [
    (fw.exp, math.exp),
    (fw.sin, math.cos),
    (fw.cos, lambda x: -math.sin(x)),
    (fw.tanh, lambda x: 1 - math.tanh(x) ** 2),
    (fw.sigmoid, lambda x: math.exp(-x) / (1 + math.exp(-x)) ** 2),
]


@settings(max_examples=30, deadline=None)
@given(reals)
@pytest.mark.parametrize("f, df", UNARY, ids=lambda f: getattr(f, "__name__", ""))
def test_dual_unary_against_analytic(f, df, x):
    assert math.isclose(fw.derivative(f, x), df(x), rel_tol=1e-12, abs_tol=1e-12)


@settings(max_examples=40, deadline=None)
@given(st.floats(0.5, 3), st.floats(-3, 3))
def test_dual_arithmetic_against_analytic(x, c):
    assert math.isclose(
        fw.derivative(lambda t: (t * c + 1) / t - t**3 + fw.log(t), x),
        -1 / x**2 - 3 * x**2 + 1 / x,
        rel_tol=1e-9,
        abs_tol=1e-9,
    )
    assert math.isclose(fw.derivative(lambda t: t**t, x), x**x * (math.log(x) + 1), rel_tol=1e-9)
    assert math.isclose(fw.derivative(lambda t: 2**t - (5 - t), x), 2**x * math.log(2) + 1, rel_tol=1e-9)


def test_jacobian_by_columns():
    def f(v):
        x, y = v
        return [x * y, fw.sin(x) + y * y, fw.exp(y)]

    x = np.array([0.7, -1.3])
    want = np.array([[x[1], x[0]], [math.cos(x[0]), 2 * x[1]], [0, math.exp(x[1])]])
    assert np.allclose(fw.jacobian(f, x), want)
    value, tangent = fw.jvp(f, x, np.array([1.0, 2.0]))
    assert np.allclose(tangent, want @ [1.0, 2.0]) and np.allclose(
        value, [x[0] * x[1], math.sin(x[0]) + x[1] ** 2, math.exp(x[1])]
    )


def test_dual_errors():
    with pytest.raises(TypeError, match="value"):
        fw.Dual("a")
    with pytest.raises(ValueError, match="positive"):
        fw.log(fw.Dual(-1.0, 1.0))
    with pytest.raises(ValueError, match=r"x.shape \(2,\) and v.shape \(3,\)"):
        fw.jvp(lambda v: v[0], [1.0, 2.0], [1.0, 0.0, 0.0])
