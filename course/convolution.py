"""The convolution explorer: pick a kernel, a stride and a padding, see the output size and the feature map.

The logic is plain functions (:func:`output_size`, :func:`feature_map`, :func:`explore`);
:func:`explorer` is a thin ipywidgets view over :func:`explore`. The picture is a real
photo that ships with scikit-learn (``china.jpg``), so it works offline.
"""

import numpy as np

from .tensor_ops import PADDINGS, conv_padding, naive_conv2d

KERNELS = {
    "identity": [[0, 0, 0], [0, 1, 0], [0, 0, 0]],
    "blur (box 3x3)": np.full((3, 3), 1 / 9),
    "blur (box 5x5)": np.full((5, 5), 1 / 25),
    "vertical edges (Sobel)": [[1, 0, -1], [2, 0, -2], [1, 0, -1]],
    "horizontal edges (Sobel)": [[1, 2, 1], [0, 0, 0], [-1, -2, -1]],
    "outline (Laplacian)": [[-1, -1, -1], [-1, 8, -1], [-1, -1, -1]],
    "sharpen": [[0, -1, 0], [-1, 5, -1], [0, -1, 0]],
}


def output_size(length, kernel, stride=1, padding="valid"):
    """How many outputs a window of ``kernel`` pixels, moved by ``stride``, gives along ``length`` pixels.

    With ``p`` zeros added in all, the count is ``(length + p - kernel) // stride + 1``; for
    ``"valid"`` (``p = 0``) that is the formula ``(L - f) / s + 1``, rounded down.
    """
    for name, value in (("length", length), ("kernel", kernel), ("stride", stride)):
        if isinstance(value, bool) or not isinstance(value, (int, np.integer)) or value < 1:
            raise ValueError(f"{name} should be a positive int, got {value!r}")
    before, after = conv_padding(length, kernel, stride, padding)
    if length + before + after < kernel:
        raise ValueError(f"a kernel of {kernel} does not fit in a length of {length} with padding {padding!r}")
    return (length + before + after - kernel) // stride + 1


def sample_image(step=5):
    """scikit-learn's ``china.jpg`` in grey, every ``step``-th pixel: float32 (height, width) in [0, 1]."""
    from sklearn.datasets import load_sample_image

    if not isinstance(step, int) or step < 1:
        raise ValueError(f"step should be a positive int, got {step!r}")
    rgb = load_sample_image("china.jpg")[::step, ::step]
    return (rgb @ np.array([0.299, 0.587, 0.114]) / 255).astype(np.float32)


def feature_map(image, kernel, stride=1, padding="valid"):
    """Convolve a grey ``image`` (height, width) with one 2-D ``kernel``; returns the 2-D feature map."""
    image, kernel = np.asarray(image, np.float32), np.asarray(kernel, np.float32)
    if image.ndim != 2 or kernel.ndim != 2:
        raise ValueError(f"image and kernel should both be 2-D, got shapes {image.shape} and {kernel.shape}")
    return naive_conv2d(image[None, :, :, None], kernel[:, :, None, None], stride=stride, padding=padding)[0, :, :, 0]


def explore(kernel="vertical edges (Sobel)", stride=1, padding="valid", image=None):
    """Draw the input, the kernel and the feature map side by side; returns the matplotlib Figure."""
    import matplotlib.pyplot as plt

    if kernel not in KERNELS:
        raise ValueError(f"kernel should be one of {list(KERNELS)}, got {kernel!r}")
    image = sample_image() if image is None else np.asarray(image, np.float32)
    weights = np.asarray(KERNELS[kernel], np.float32)
    out = feature_map(image, weights, stride, padding)
    rows = output_size(image.shape[0], weights.shape[0], stride, padding)
    cols = output_size(image.shape[1], weights.shape[1], stride, padding)
    assert out.shape == (rows, cols)
    fig, axes = plt.subplots(1, 3, figsize=(11, 3.4), gridspec_kw={"width_ratios": [3, 1.2, 3]})
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


def explorer(image=None):
    """Widgets for kernel, stride and padding over :func:`explore` (``.result`` holds the Figure)."""
    import ipywidgets as widgets
    import matplotlib.pyplot as plt

    image = sample_image() if image is None else image

    def show(kernel, stride, padding):
        fig = explore(kernel, stride, padding, image)
        plt.show()
        return fig

    return widgets.interactive(
        show,
        kernel=widgets.Dropdown(options=list(KERNELS), value="vertical edges (Sobel)"),
        stride=widgets.IntSlider(value=1, min=1, max=4),
        padding=widgets.Dropdown(options=list(PADDINGS), value="valid"),
    )
