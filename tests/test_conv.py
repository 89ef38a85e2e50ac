"""Naive convolution and pooling against TensorFlow, and the explorer (07 exercises: test_exercises_07.py)."""

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from course import convolution
from course.convolution import conv_padding, naive_avg_pool2d, naive_conv2d, naive_max_pool2d
from course.runtime.quiet import import_tensorflow

tf = import_tensorflow()


@st.composite
def conv_cases(draw):
    """A batch, kernels, bias, stride and padding for which the output is not empty."""
    kh, kw = draw(st.integers(1, 4)), draw(st.integers(1, 4))
    height, width = draw(st.integers(kh, 9)), draw(st.integers(kw, 9))
    batch, channels, out = draw(st.integers(1, 3)), draw(st.integers(1, 3)), draw(st.integers(1, 4))
    stride = (draw(st.integers(1, 3)), draw(st.integers(1, 3)))
    padding = draw(st.sampled_from(["valid", "same"]))
    rng = np.random.default_rng(draw(st.integers(0, 2**16)))
    # float64: TF 2.21's float32 CPU convolution returns garbage for some shapes with one input
    # channel, an output one pixel wide and unequal strides, e.g. x (3, 7, 4, 1), kernels
    # (1, 3, 1, 4), strides (1, 2); its float64 path is right.
    x = rng.normal(size=(batch, height, width, channels))
    kernels = rng.normal(size=(kh, kw, channels, out))
    bias = rng.normal(size=out)
    return x, kernels, bias, stride, padding


@settings(max_examples=40, deadline=None)
@given(conv_cases())
def test_naive_conv2d_equals_tf(case):
    x, kernels, bias, stride, padding = case
    want = tf.nn.conv2d(x, kernels, strides=stride, padding=padding.upper()) + bias
    got = naive_conv2d(x, kernels, bias, stride=stride, padding=padding)
    assert got.shape == tuple(want.shape)
    np.testing.assert_allclose(got, want, rtol=1e-9, atol=1e-9)


@settings(max_examples=40, deadline=None)
@given(conv_cases(), st.integers(1, 3))
def test_naive_pooling_equals_tf(case, size):
    x, _, _, stride, padding = case
    x = x.astype("float32")  # TF's pooling computes in float32
    size = min(size, x.shape[1], x.shape[2])
    for naive, library in ((naive_max_pool2d, tf.nn.max_pool2d), (naive_avg_pool2d, tf.nn.avg_pool2d)):
        want = library(x, size, stride, padding.upper())
        np.testing.assert_allclose(naive(x, size, stride, padding), want, rtol=1e-5, atol=1e-6)


def test_pool_stride_defaults_to_the_window():
    x = np.arange(16.0).reshape(1, 4, 4, 1)
    assert naive_max_pool2d(x)[0, :, :, 0].tolist() == [[5, 7], [13, 15]]
    assert naive_avg_pool2d(x)[0, :, :, 0].tolist() == [[2.5, 4.5], [10.5, 12.5]]


def test_full_padding_matches_explicit_zeros():
    rng = np.random.default_rng(1)
    x, k = rng.normal(size=(2, 6, 5, 2)), rng.normal(size=(3, 2, 2, 3))
    want = tf.nn.conv2d(x, k, strides=1, padding=[[0, 0], [2, 2], [1, 1], [0, 0]])
    np.testing.assert_allclose(naive_conv2d(x, k, padding="full"), want, atol=1e-10)


def test_integer_images_are_convolved_as_floats():
    x = np.ones((1, 3, 3, 1), dtype=np.uint8)
    assert naive_conv2d(x, np.full((2, 2, 1, 1), 0.5)).tolist() == [[[[2.0], [2.0]], [[2.0], [2.0]]]]


@pytest.mark.parametrize(
    "x, kernels, kwargs, message",
    [
        (
            np.zeros((4, 4, 3)),
            np.zeros((3, 3, 3, 1)),
            {},
            r"x must have shape \(batch, height, width, channels\), got a 3-D array of shape \(4, 4, 3\)",
        ),
        (
            np.zeros((1, 4, 4, 3)),
            np.zeros((3, 3, 3)),
            {},
            r"kernels must have shape \(kernel_height, .*got a 3-D array of shape \(3, 3, 3\)",
        ),
        (
            np.zeros((1, 4, 4, 3)),
            np.zeros((3, 3, 2, 1)),
            {},
            r"kernels.shape\[2\] \(2\) must equal x.shape\[3\] \(3\)",
        ),
        (
            np.zeros((1, 4, 4, 3)),
            np.zeros((3, 3, 3, 2)),
            {"bias": np.zeros(3)},
            r"bias should have shape .*\(2,\), got shape \(3,\)",
        ),
        (np.zeros((1, 2, 4, 1)), np.zeros((3, 3, 1, 1)), {}, r"a window of 3 does not fit in a length of 2"),
        (np.zeros((1, 4, 4, 1)), np.zeros((3, 3, 1, 1)), {"stride": 0}, r"stride must be >= 1, got \(0, 0\)"),
        (np.zeros((1, 4, 4, 1)), np.zeros((3, 3, 1, 1)), {"padding": "SAME"}, r"padding must be one of"),
        (np.zeros((1, 4, 4, 1)), np.zeros((3, 3, 1, 1)), {"bias": np.zeros((1, 1))}, r"bias must be 1-D"),
    ],
)
def test_conv_names_bad_shapes(x, kernels, kwargs, message):
    with pytest.raises(ValueError, match=message):
        naive_conv2d(x, kernels, **kwargs)


@pytest.mark.parametrize(
    "x, kernels, kwargs, message",
    [
        (np.array([["a"]]), np.zeros((1, 1, 1, 1)), {}, r"x must be an array of real numbers"),
        (None, np.zeros((1, 1, 1, 1)), {}, r"x must be an array of numbers, got NoneType"),
        (np.zeros((1, 4, 4, 1)), "sobel", {}, r"kernels must be an array of numbers, got str"),
        (np.zeros((1, 4, 4, 1)), np.zeros((3, 3, 1, 1)), {"stride": 1.5}, r"stride must be an int or a pair"),
        (np.zeros((1, 4, 4, 1)), np.zeros((3, 3, 1, 1)), {"padding": 2}, r"padding must be one of"),
        (np.zeros((1, 4, 4, 1)), np.zeros((3, 3, 1, 1)), {"bias": [1j]}, r"bias must be an array of real"),
    ],
)
def test_conv_names_bad_types(x, kernels, kwargs, message):
    with pytest.raises(TypeError, match=message):
        naive_conv2d(x, kernels, **kwargs)


def test_too_many_window_positions_are_refused_at_once():
    with pytest.raises(ValueError, match="the number of window positions is"):
        naive_conv2d(np.zeros((1, 1, 1, 1)), np.zeros((1200, 1200, 1, 1)), padding="full")
    with pytest.raises(ValueError, match="the number of window positions is"):
        naive_max_pool2d(np.zeros((1, 2000, 2000, 1)), pool_size=1)


def test_pool_names_bad_arguments():
    with pytest.raises(TypeError, match=r"pool_size must be an int or a pair of ints, got tuple \(2, 2, 2\)"):
        naive_max_pool2d(np.zeros((1, 4, 4, 1)), pool_size=(2, 2, 2))
    with pytest.raises(ValueError, match=r"padding must be one of \['valid', 'same'\], got 'full'"):
        naive_avg_pool2d(np.zeros((1, 4, 4, 1)), padding="full")
    with pytest.raises(ValueError, match=r"shape \(4, 4\)"):
        naive_max_pool2d(np.zeros((4, 4)))


@given(st.integers(1, 40), st.integers(1, 7), st.integers(1, 4), st.sampled_from(["valid", "same", "full"]))
def test_output_size_is_the_length_naive_conv2d_produces(length, kernel, stride, padding):
    before, after = conv_padding(length, kernel, stride, padding)
    if length + before + after < kernel:
        with pytest.raises(ValueError, match="does not fit"):
            convolution.output_size(length, kernel, stride, padding)
        return
    got = naive_conv2d(
        np.zeros((1, length, 1, 1)), np.zeros((kernel, 1, 1, 1)), stride=(stride, 1), padding=padding
    ).shape[1]
    assert convolution.output_size(length, kernel, stride, padding) == got
    if padding == "valid":
        assert got == (length - kernel) // stride + 1
    if padding == "same":
        assert got == -(-length // stride)


def test_output_size_rejects_bad_numbers():
    with pytest.raises(ValueError, match="stride must be >= 1, got 0"):
        convolution.output_size(10, 3, 0)
    with pytest.raises(TypeError, match="kernel must be an int, got float 3.0"):
        convolution.output_size(10, 3.0)
    with pytest.raises(TypeError, match="length must be an int, got NoneType"):
        conv_padding(None, 3)
    with pytest.raises(TypeError, match="step must be an int, got str"):
        convolution.sample_image("5")


def test_feature_map_and_explorer():
    image = convolution.sample_image(step=20)
    assert image.dtype == np.float32 and image.ndim == 2 and 0 <= image.min() and image.max() <= 1
    edges = convolution.feature_map(
        image, convolution.KERNELS["vertical edges (Sobel)"], stride=2, padding="same"
    )
    assert edges.shape == (-(-image.shape[0] // 2), -(-image.shape[1] // 2))
    identity = convolution.feature_map(image, convolution.KERNELS["identity"], padding="same")
    np.testing.assert_allclose(identity, image, atol=1e-6)
    with pytest.raises(ValueError, match=r"image must have shape \(height, width\), got a 3-D array"):
        convolution.feature_map(image[None], np.ones((3, 3)))
    with pytest.raises(ValueError, match="kernel must be one of"):
        convolution.explore("emboss")
    with pytest.raises(TypeError, match="kernel must be one of"):
        convolution.explore(3)
    with pytest.raises(TypeError, match="image must be an array of numbers, got str"):
        convolution.convolution_explorer("china.jpg")
    with pytest.raises(ValueError, match=r"image must be at least 5×5 pixels"):
        convolution.convolution_explorer(np.zeros((3, 40)))

    widget = convolution.convolution_explorer(image)
    kernel, stride, padding = widget.children[:3]
    stride.value, padding.value, kernel.value = 3, "full", "sharpen"
    title = widget.result.axes[2].get_title()
    rows, cols = (convolution.output_size(n, 3, 3, "full") for n in image.shape)
    assert f"{rows}×{cols}" in title and "stride 3, full" in title
