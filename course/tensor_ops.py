"""Tensor operations written as plain loops, to be compared with TensorFlow's.

Each function spells out what a library call does in one fused, fast kernel:
``naive_conv2d`` slides a window over an image like ``tf.nn.conv2d``, and the
pooling functions summarise each window like ``tf.nn.max_pool2d`` and
``tf.nn.avg_pool2d``. Images are channels-last: ``(batch, height, width, channels)``.
"""

import numpy as np

PADDINGS = ("valid", "same", "full")


def _as_images(x, name="x"):
    """``x`` as a float array of shape (batch, height, width, channels), or a ValueError naming its shape."""
    x = np.asarray(x)
    if x.ndim != 4 or not np.issubdtype(x.dtype, np.number):
        raise ValueError(f"{name} should be numbers of shape (batch, height, width, channels), got {x.dtype} of shape {x.shape}")
    return x.astype(np.result_type(x.dtype, np.float32))


def _positive_pair(value, name):
    """``value`` as a (rows, cols) pair of positive ints; ``2`` means ``(2, 2)``."""
    pair = (value, value) if isinstance(value, (int, np.integer)) else tuple(value) if isinstance(value, (tuple, list)) else None
    if pair is None or len(pair) != 2 or not all(isinstance(v, (int, np.integer)) and not isinstance(v, bool) and v >= 1 for v in pair):
        raise ValueError(f"{name} should be a positive int or a pair of them, got {value!r}")
    return tuple(int(v) for v in pair)


def conv_padding(length, size, stride=1, padding="valid"):
    """How many zeros go ``(before, after)`` one axis of ``length`` for a window of ``size``.

    * ``"valid"``: none; the window stays inside, giving ``(length - size) // stride + 1`` outputs.
    * ``"same"``: just enough for ``ceil(length / stride)`` outputs (``length`` when the stride is 1);
      like TensorFlow, the odd zero goes after.
    * ``"full"``: ``size - 1`` on each side, so every window that touches the input counts.
    """
    if padding not in PADDINGS:
        raise ValueError(f"padding should be one of {PADDINGS}, got {padding!r}")
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
    kernels = np.asarray(kernels)
    if kernels.ndim != 4:
        raise ValueError(f"kernels should have shape (kernel_height, kernel_width, in_channels, out_channels), got shape {kernels.shape}")
    if kernels.shape[2] != x.shape[3]:
        raise ValueError(f"kernels.shape[2] ({kernels.shape[2]}) must equal x.shape[3] ({x.shape[3]}): each kernel is as deep as the input has channels")
    out_channels = kernels.shape[3]
    if bias is None:
        bias = np.zeros(out_channels)
    bias = np.asarray(bias)
    if bias.shape != (out_channels,):
        raise ValueError(f"bias should have shape (out_channels,) = ({out_channels},), got shape {bias.shape}")
    stride_rows, stride_cols = _positive_pair(stride, "stride")
    (kh, kw), (height, width) = kernels.shape[:2], x.shape[1:3]
    rows = _window_starts(height, kh, stride_rows, padding)
    cols = _window_starts(width, kw, stride_cols, padding)
    top, left = -rows[0], -cols[0]
    padded = np.pad(x, [(0, 0), (top, max(rows[-1] + kh - height, 0)), (left, max(cols[-1] + kw - width, 0)), (0, 0)])
    out = np.zeros((x.shape[0], len(rows), len(cols), out_channels), dtype=x.dtype)
    for i, r in enumerate(rows):
        for j, c in enumerate(cols):
            window = padded[:, r + top : r + top + kh, c + left : c + left + kw, :]  # (batch, kh, kw, in)
            # multiply the window by every kernel element-wise and sum over (kh, kw, in)
            out[:, i, j, :] = np.tensordot(window, kernels, axes=3) + bias
    return out


def _pool(x, size, stride, padding, summary):
    """Apply ``summary`` (max or mean) to every window; padding is never part of a window."""
    x = _as_images(x)
    size_rows, size_cols = _positive_pair(size, "pool_size")
    stride_rows, stride_cols = _positive_pair(size if stride is None else stride, "stride")
    if padding not in ("valid", "same"):
        raise ValueError(f"pooling padding should be 'valid' or 'same', got {padding!r}")
    height, width = x.shape[1:3]
    rows = _window_starts(height, size_rows, stride_rows, padding)
    cols = _window_starts(width, size_cols, stride_cols, padding)
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
