"""Convolution and pooling written as loops, and an explorer to see what a kernel does.

Images are channels-last, ``(batch, height, width, channels)``. :func:`naive_conv2d`
slides a window over an image like ``tf.nn.conv2d``; :func:`naive_max_pool2d` and
:func:`naive_avg_pool2d` summarise each window like ``tf.nn.max_pool2d`` and
``tf.nn.avg_pool2d``; :func:`output_size` is the rule ``(L - f) / s + 1`` with padding.

The explorer is plain functions (:func:`feature_map`, :func:`explore`) under
controls (:func:`convolution_explorer`, a :class:`course.explorer.Explorer`). Its picture is a real photo that ships with
scikit-learn (``china.jpg``), so it works offline.
"""

import numpy as np

from .runtime.validate import array, choice, integer, pair, size_limit

PADDINGS = ("valid", "same", "full")
MAX_WINDOWS = 10**6  # the most window positions one call visits (each one is a step of a Python loop)


def _with_axes(value, name, axes):
    """``value`` as an array with one axis per name in ``axes``; a wrong rank is named axis by axis."""
    x = array(value, name)
    if x.ndim != len(axes):
        raise ValueError(
            f"{name} must have shape ({', '.join(axes)}), got a {x.ndim}-D array of shape {x.shape}"
        )
    return x


def _as_images(x, name="x"):
    """``x`` as a float array of shape (batch, height, width, channels)."""
    x = _with_axes(x, name, ("batch", "height", "width", "channels"))
    return x.astype(np.result_type(x.dtype, np.float32))


def conv_padding(length, size, stride=1, padding="valid"):
    """How many zeros go ``(before, after)`` one axis of ``length`` for a window of ``size``.

    * ``"valid"``: none; the window stays inside, giving ``(length - size) // stride + 1`` outputs.
    * ``"same"``: just enough for ``ceil(length / stride)`` outputs (``length`` when the stride is 1);
      like TensorFlow, the odd zero goes after.
    * ``"full"``: ``size - 1`` on each side, so every window that touches the input counts.
    """
    length = integer(length, "length", minimum=0)
    size = integer(size, "size", minimum=1)
    stride = integer(stride, "stride", minimum=1)
    padding = choice(padding, "padding", PADDINGS)
    if padding == "valid":
        return 0, 0
    if padding == "full":
        return size - 1, size - 1
    outputs = -(-length // stride)
    total = max((outputs - 1) * stride + size - length, 0)
    return total // 2, total - total // 2


def _window_starts(length, size, stride, padding):
    """Start index (in unpadded coordinates, may be negative) of every window along one axis."""
    before, after = conv_padding(length, size, stride, padding)
    count = (length + before + after - size) // stride + 1
    if count < 1:
        raise ValueError(f"a window of {size} does not fit in a length of {length} with padding {padding!r}")
    size_limit(count, "the number of window positions along one axis", MAX_WINDOWS)
    return [i * stride - before for i in range(count)]


def naive_conv2d(x, kernels, bias=None, stride=1, padding="valid"):
    """2-D convolution (cross-correlation, as in deep learning) with explicit loops.

    x:       (batch, height, width, in_channels)
    kernels: (kernel_height, kernel_width, in_channels, out_channels) — one 3-D kernel per
             output channel, each as deep as the input.
    bias:    (out_channels,) or None.
    Returns  (batch, out_height, out_width, out_channels), equal to
    ``tf.nn.conv2d(x, kernels, strides=stride, padding=padding.upper()) + bias``.

    Every output pixel is a window of the (zero-padded) input multiplied element-wise
    with a kernel and summed: the same small set of weights is used at every position.
    """
    x = _as_images(x)
    kernels = _with_axes(kernels, "kernels", ("kernel_height", "kernel_width", "in_channels", "out_channels"))
    bias = np.zeros(kernels.shape[3]) if bias is None else array(bias, "bias", ndim=1)
    stride_rows, stride_cols = pair(stride, "stride")
    if kernels.shape[2] != x.shape[3]:
        raise ValueError(
            f"kernels.shape[2] ({kernels.shape[2]}) must equal x.shape[3] ({x.shape[3]}): each kernel is as deep as the input has channels"
        )
    out_channels = kernels.shape[3]
    if bias.shape != (out_channels,):
        raise ValueError(
            f"bias should have shape (out_channels,) = ({out_channels},), got shape {bias.shape}"
        )
    (kh, kw), (height, width) = kernels.shape[:2], x.shape[1:3]
    rows = _window_starts(height, kh, stride_rows, padding)
    cols = _window_starts(width, kw, stride_cols, padding)
    _window_count(rows, cols)
    top, left = -rows[0], -cols[0]
    padded = np.pad(
        x, [(0, 0), (top, max(rows[-1] + kh - height, 0)), (left, max(cols[-1] + kw - width, 0)), (0, 0)]
    )
    out = np.zeros((x.shape[0], len(rows), len(cols), out_channels), dtype=x.dtype)
    for i, r in enumerate(rows):
        for j, c in enumerate(cols):
            window = padded[:, r + top : r + top + kh, c + left : c + left + kw, :]  # (batch, kh, kw, in)
            # multiply the window by every kernel element-wise and sum over (kh, kw, in)
            out[:, i, j, :] = np.tensordot(window, kernels, axes=3) + bias
    return out


def _window_count(rows, cols):
    """Refuse more window positions than a Python loop visits in a few seconds."""
    size_limit(len(rows) * len(cols), "the number of window positions", MAX_WINDOWS)


def _pool(x, size, stride, padding, summary):
    """Apply ``summary`` (max or mean) to every window; padding is never part of a window."""
    x = _as_images(x)
    size_rows, size_cols = pair(size, "pool_size")
    stride_rows, stride_cols = pair(size if stride is None else stride, "stride")
    padding = choice(padding, "padding", ("valid", "same"))
    height, width = x.shape[1:3]
    rows = _window_starts(height, size_rows, stride_rows, padding)
    cols = _window_starts(width, size_cols, stride_cols, padding)
    _window_count(rows, cols)
    out = np.zeros((x.shape[0], len(rows), len(cols), x.shape[3]), dtype=x.dtype)
    for i, r in enumerate(rows):
        for j, c in enumerate(cols):
            window = x[:, max(r, 0) : r + size_rows, max(c, 0) : c + size_cols, :]
            out[:, i, j, :] = summary(window, axis=(1, 2))
    return out


def naive_max_pool2d(x, pool_size=2, stride=None, padding="valid"):
    """Max pooling: the largest value of each window, channel by channel.

    x: (batch, height, width, channels); ``stride`` defaults to ``pool_size`` (windows that
    do not overlap). Equal to ``tf.nn.max_pool2d(x, pool_size, stride, padding.upper())``.
    """
    return _pool(x, pool_size, stride, padding, np.max)


def naive_avg_pool2d(x, pool_size=2, stride=None, padding="valid"):
    """Average pooling: the mean of each window, channel by channel.

    With ``"same"`` padding, edge windows average only the real pixels, as
    ``tf.nn.avg_pool2d`` does.
    """
    return _pool(x, pool_size, stride, padding, np.mean)


def output_size(length, kernel, stride=1, padding="valid"):
    """How many outputs a window of ``kernel`` pixels, moved by ``stride``, gives along ``length`` pixels.

    With ``p`` zeros added in all, the count is ``(length + p - kernel) // stride + 1``; for
    ``"valid"`` (``p = 0``) that is the formula ``(L - f) / s + 1``, rounded down.
    """
    length = integer(length, "length", minimum=1)
    kernel = integer(kernel, "kernel", minimum=1)
    before, after = conv_padding(length, kernel, stride, padding)
    if length + before + after < kernel:
        raise ValueError(
            f"a kernel of {kernel} does not fit in a length of {length} with padding {padding!r}"
        )
    return (length + before + after - kernel) // stride + 1


# The explorer

KERNELS = {
    "identity": [[0, 0, 0], [0, 1, 0], [0, 0, 0]],
    "blur (box 3x3)": np.full((3, 3), 1 / 9),
    "blur (box 5x5)": np.full((5, 5), 1 / 25),
    "vertical edges (Sobel)": [[1, 0, -1], [2, 0, -2], [1, 0, -1]],
    "horizontal edges (Sobel)": [[1, 2, 1], [0, 0, 0], [-1, -2, -1]],
    "outline (Laplacian)": [[-1, -1, -1], [-1, 8, -1], [-1, -1, -1]],
    "sharpen": [[0, -1, 0], [-1, 5, -1], [0, -1, 0]],
}


def sample_image(step=5):
    """scikit-learn's ``china.jpg`` in grey, every ``step``-th pixel: float32 (height, width) in [0, 1]."""
    from sklearn.datasets import load_sample_image

    step = integer(step, "step", minimum=1)
    rgb = load_sample_image("china.jpg")[::step, ::step]
    return (rgb @ np.array([0.299, 0.587, 0.114]) / 255).astype(np.float32)


def feature_map(image, kernel, stride=1, padding="valid"):
    """Convolve a grey ``image`` (height, width) with one 2-D ``kernel``; returns the 2-D feature map."""
    image = _with_axes(image, "image", ("height", "width")).astype(np.float32)
    kernel = _with_axes(kernel, "kernel", ("kernel_height", "kernel_width")).astype(np.float32)
    return naive_conv2d(image[None, :, :, None], kernel[:, :, None, None], stride=stride, padding=padding)[
        0, :, :, 0
    ]


def _grey_image(image):
    """``image`` as a float32 (height, width) array that every kernel of :data:`KERNELS` fits in."""
    image = _with_axes(image, "image", ("height", "width")).astype(np.float32)
    if min(image.shape) < 5:
        raise ValueError(f"image must be at least 5×5 pixels (the largest kernel), got shape {image.shape}")
    return image


def explore(kernel="vertical edges (Sobel)", stride=1, padding="valid", image=None):
    """Draw the input, the kernel and the feature map side by side; returns the matplotlib Figure."""
    from .plots import subplots

    kernel = choice(kernel, "kernel", KERNELS)
    stride = integer(stride, "stride", minimum=1)
    image = sample_image() if image is None else _grey_image(image)
    weights = np.asarray(KERNELS[kernel], np.float32)
    out = feature_map(image, weights, stride, padding)
    rows = output_size(image.shape[0], weights.shape[0], stride, padding)
    cols = output_size(image.shape[1], weights.shape[1], stride, padding)
    assert out.shape == (rows, cols)
    fig, axes = subplots(1, 3, figsize=(11, 3.4), gridspec_kw={"width_ratios": [3, 1.2, 3]})
    axes[0].imshow(image, cmap="gray")
    axes[0].set_title(f"input {image.shape[0]}×{image.shape[1]}")
    axes[1].imshow(weights, cmap="coolwarm", vmin=-np.abs(weights).max(), vmax=np.abs(weights).max())
    for (i, j), w in np.ndenumerate(weights):
        axes[1].text(j, i, f"{w:.2g}", ha="center", va="center", fontsize=8 if weights.shape[0] <= 3 else 6)
    axes[1].set_title(f"kernel {weights.shape[0]}×{weights.shape[1]}")
    axes[2].imshow(out, cmap="gray")
    axes[2].set_title(f"feature map {rows}×{cols}  (stride {stride}, {padding})")
    for ax in axes:
        ax.set_xticks([])
        ax.set_yticks([])
    fig.tight_layout()
    return fig


def convolution_explorer(image=None):
    """Kernel, stride and padding controls over :func:`explore` (an Explorer; ``.result`` is the Figure)."""
    import ipywidgets as widgets

    from .explorer import Explorer

    image = sample_image() if image is None else _grey_image(image)
    return Explorer(
        lambda kernel, stride, padding: explore(kernel, stride, padding, image),
        kernel=widgets.Dropdown(options=list(KERNELS), value="vertical edges (Sobel)"),
        stride=widgets.IntSlider(value=1, min=1, max=4),
        padding=widgets.Dropdown(options=list(PADDINGS), value="valid"),
    )
