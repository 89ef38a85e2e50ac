"""The broadcasting explorer: its rule equals NumPy's, its reasons name the axis, its widget works headlessly."""

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pytest  # noqa: E402
from hypothesis import given, settings  # noqa: E402
from hypothesis.extra import numpy as hnp  # noqa: E402

from course.broadcasting import (
    CLASH,
    KEPT,
    PADDED,
    STRETCHED,
    broadcast_shape,
    broadcasting_explorer,
    draw,
    explain,
    parse_shape,
    read_shape,
)  # noqa: E402

SHAPES = hnp.array_shapes(min_dims=0, max_dims=5, min_side=0, max_side=4)


@pytest.fixture(autouse=True)
def close_figures():
    yield
    plt.close("all")


@settings(max_examples=80, deadline=None)
@given(hnp.mutually_broadcastable_shapes(num_shapes=2, min_dims=0, max_dims=5, min_side=0, max_side=4))
def test_broadcastable_shapes_give_numpys_result(shapes):
    a, b = shapes.input_shapes
    assert broadcast_shape(a, b) == np.broadcast_shapes(a, b) == shapes.result_shape
    # and the arrays really add up to that shape
    assert (np.zeros(a) + np.zeros(b)).shape == broadcast_shape(a, b)


@settings(max_examples=80, deadline=None)
@given(SHAPES, SHAPES)
def test_any_two_shapes_fail_exactly_when_numpy_fails(a, b):
    try:
        want = np.broadcast_shapes(a, b)
    except ValueError:
        want = None
    assert explain(a, b).result == want


def test_the_two_steps_are_reported():
    outcome = explain((32, 10), (10,))
    assert outcome.a_padded == (32, 10) and outcome.b_padded == (1, 10) and outcome.result == (32, 10)
    assert outcome.roles("b") == [PADDED, KEPT]
    assert explain((3, 1), (1, 4)).roles("a") == [KEPT, STRETCHED]
    assert "step 1" in str(outcome) and "result: (32, 10)" in str(outcome)


def test_a_failure_names_the_axis_and_both_sizes():
    outcome = explain((2, 3), (2,))
    assert not outcome.ok and outcome.roles("a") == [KEPT, CLASH]
    assert "on axis 1 of the aligned shapes a has 3 and b has 2" in outcome.reason
    with pytest.raises(ValueError, match=r"shapes \(2, 3\) and \(2,\) do not broadcast: on axis 1"):
        broadcast_shape((2, 3), (2,))


@pytest.mark.parametrize("bad", [None, "3", (2.0, 3), [True], {"a": 1}])
def test_what_is_not_a_shape_is_a_type_error(bad):
    with pytest.raises(TypeError, match="a must be a tuple of whole numbers"):
        explain(bad, (3,))


def test_impossible_shapes_are_value_errors():
    with pytest.raises(ValueError, match=r"b must hold whole numbers >= 0, got \(2, -1\)"):
        explain((3,), (2, -1))
    with pytest.raises(
        ValueError, match="the number of axes of a is 65; the most this function handles is 64"
    ):
        explain((1,) * 65, (3,))
    with pytest.raises(ValueError, match="the number of axes to draw is 13"):
        draw((1,) * 13, (3,))
    assert explain((10**12,), (1,)).result == (10**12,)  # sizes are only counted, never allocated


def test_typed_shapes_are_checked():
    with pytest.raises(TypeError, match="the typed shape must be a string, got tuple"):
        parse_shape((2, 3))
    with pytest.raises(ValueError, match="the length of the typed shape is 1,002"):
        parse_shape("(" * 1001 + ")")
    with pytest.raises(ValueError, match="a shape is a tuple of non-negative whole numbers"):
        parse_shape("(2.5, 2)")
    with pytest.raises(ValueError, match="a shape is a tuple"):
        parse_shape("[" * 99 + "]" * 99)  # deeply nested, yet short: an answer, never a RecursionError
    with pytest.raises(TypeError, match="the typed shape must be a string"):
        broadcasting_explorer(a=(2, 3))
    with pytest.raises(ValueError, match="a: type a shape"):
        broadcasting_explorer(a="error")


def test_drawing_shows_every_axis_and_the_outcome():
    fig = draw((64, 3, 32, 10), (32, 1))
    texts = [t.get_text() for t in fig.axes[0].texts]
    assert "1→64" in texts and "1→10" in texts and "axis 3" in texts
    assert "(64, 3, 32, 10)" in fig.axes[0].get_title()
    fig = draw((2, 3), (2,))
    assert fig.axes[0].get_title().startswith("fails")
    assert draw((), ()).axes  # two scalars: nothing to align, still a picture


def test_read_shape():
    assert read_shape("(32, 10)") == (32, 10) and read_shape("5") == (5,)
    for text in ["error", "(2, x)", ""]:
        with pytest.raises(ValueError):
            read_shape(text)


def test_explorer_widget_headless():
    box = broadcasting_explorer()
    a, b = box.children[0], box.children[1]
    assert box.result.axes[0].get_title() == "→ (64, 3, 32, 10)"
    assert bytes(box.picture.value).startswith(b"\x89PNG")
    a.value = "(8, 1, 6, 1)"
    b.value = "(7, 1, 5)"
    assert box.result.axes[0].get_title() == "→ (8, 7, 6, 5)"
    b.value = "(7, 2, 5)"
    assert box.result.axes[0].get_title().startswith("fails: on axis 2")
    b.value = "seven"
    assert "could not read" in box.result and "could not read" in box.message.value
    assert box.picture.layout.display == "none"
    b.value = "(5,)"
    assert box.picture.layout.display is None and box.message.value == ""
