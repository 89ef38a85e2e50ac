"""Pictures: the course's figure policy, image grids and training curves.

Every plotting function of the course builds its picture with :func:`subplots`
and returns a :class:`matplotlib.figure.Figure`. Such a figure lives outside
pyplot, so nothing is drawn twice and nothing is left open: it shows once when
it is the last expression of a cell, and an explorer (:mod:`course.explorer`)
turns it into a PNG with :func:`png`. The course style :data:`STYLE` gives every
figure an opaque white background, so black labels stay readable in JupyterLab's
dark theme; :func:`use_style` applies it to pyplot figures too (``course.setup()`` does).
"""

import inspect
import io

import matplotlib
import numpy as np
from matplotlib.figure import Figure

from .runtime.validate import array, integer, number, received, same_length, size_limit, text

MAX_IMAGES = 256  # a grid of more images is too small to read: pass a slice, images[:64]
CHANNELS = (1, 3, 4)  # grey, RGB, RGBA
STYLE = {  # matplotlib settings of every course figure: opaque, so readable on a dark page
    "figure.facecolor": "white",
    "figure.edgecolor": "white",
    "axes.facecolor": "white",
    "savefig.facecolor": "white",
    "savefig.edgecolor": "white",
    "savefig.transparent": False,
}
DPI = 100  # pixels per inch of the pictures
MAX_GRID = 64  # rows or columns of axes in one figure
MAX_INCHES = 40  # the widest or tallest figure


class _CourseFigure(Figure):
    """A Figure that shows itself as a PNG in IPython even when pyplot was never imported."""

    def _repr_png_(self):
        return png(self)


def use_style():
    """Apply :data:`STYLE` to every matplotlib figure made from now on (pyplot's too)."""
    matplotlib.rcParams.update(STYLE)


def subplots(nrows=1, ncols=1, figsize=(6.4, 4.8), **kwargs):
    """A new figure in the course style and its axes, like ``plt.subplots`` but without pyplot.

    ``kwargs`` go to :meth:`matplotlib.figure.Figure.subplots` (``squeeze``,
    ``sharex``, ``gridspec_kw``, ...). Returns ``(figure, axes)``.
    """
    nrows = integer(nrows, "nrows", minimum=1, maximum=MAX_GRID)
    ncols = integer(ncols, "ncols", minimum=1, maximum=MAX_GRID)
    if not isinstance(figsize, (tuple, list)) or len(figsize) != 2:
        raise TypeError(f"figsize must be a pair (width, height) in inches, got {received(figsize)}")
    figsize = tuple(
        number(side, "each side of figsize", positive=True, maximum=MAX_INCHES) for side in figsize
    )
    with matplotlib.rc_context(STYLE):
        figure = _CourseFigure(figsize=figsize, dpi=DPI)
        axes = figure.subplots(nrows, ncols, **kwargs)
    return figure, axes


def png(figure):
    """The PNG bytes of ``figure`` (a matplotlib Figure), cropped to what is drawn, on an opaque background."""
    if not isinstance(figure, Figure):
        raise TypeError(f"figure must be a matplotlib Figure, got {received(figure)}")
    buffer = io.BytesIO()
    with matplotlib.rc_context(STYLE):
        figure.savefig(buffer, format="png", dpi=DPI, bbox_inches="tight")
    return buffer.getvalue()


def _images(images):
    """``images`` as an array (n, height, width) or (n, height, width, channels) with 1 <= n <= MAX_IMAGES."""
    images = array(images, "images")
    if images.ndim not in (3, 4):
        raise ValueError(
            "images must have shape (n, height, width) or (n, height, width, channels), "
            f"got a {images.ndim}-D array of shape {images.shape}"
        )
    if len(images) == 0 or 0 in images.shape[1:3]:
        raise ValueError(
            f"images must hold at least one image of at least 1×1 pixels, got shape {images.shape}"
        )
    if images.ndim == 4 and images.shape[-1] not in CHANNELS:
        raise ValueError(f"images must have 1, 3 or 4 channels (last axis), got shape {images.shape}")
    size_limit(len(images), "the number of images", MAX_IMAGES)
    return images


def _labels(labels, count):
    """``labels`` (None, or one label per image) as a list."""
    if labels is None:
        return None
    if isinstance(labels, (str, bytes, dict, set)) or not hasattr(labels, "__len__"):
        raise TypeError(f"labels must be a list with one label per image, got {received(labels)}")
    same_length(labels, range(count), "labels", "images")
    return list(labels)


def _colour_map(cmap):
    """``cmap``: the name of a matplotlib colour map, or a Colormap."""
    from matplotlib.colors import Colormap

    if isinstance(cmap, Colormap):
        return cmap
    cmap = text(cmap, "cmap")
    if cmap not in matplotlib.colormaps:
        raise ValueError(f"cmap must be a matplotlib colour map such as 'gray' or 'viridis', got {cmap!r}")
    return cmap


def _title(title):
    """``title``: None or a string."""
    return None if title is None else text(title, "title", allow_empty=True)


def image_grid(images, labels=None, ncols=8, title=None, cmap="gray", size=1.4):
    """Show ``images`` in a grid, each titled with its label.

    ``images``: (n, height, width) or (n, height, width, channels), any numeric dtype,
    at most :data:`MAX_IMAGES` of them (a bigger grid is unreadable: show a slice).
    ``size`` is the width of one image in inches. Returns the matplotlib Figure.
    """
    images = _images(images)
    labels = _labels(labels, len(images))
    ncols = integer(ncols, "ncols", minimum=1)
    title = _title(title)
    cmap = _colour_map(cmap)
    size = number(size, "size", positive=True, maximum=10)
    ncols = min(ncols, len(images))
    nrows = -(-len(images) // ncols)
    fig, axes = subplots(
        nrows, ncols, figsize=(size * ncols, size * nrows + (0.4 if title else 0)), squeeze=False
    )
    for index, ax in enumerate(axes.flat):
        ax.axis("off")
        if index >= len(images):
            continue
        image = images[index]
        if image.ndim == 3 and image.shape[-1] == 1:
            image = image[..., 0]
        if image.ndim == 3 and image.dtype != np.uint8:
            image = np.clip(image / (255.0 if image.max() > 1 else 1.0), 0, 1)
        ax.imshow(image, cmap=cmap if image.ndim == 2 else None)
        if labels is not None:
            ax.set_title(str(labels[index]), fontsize=9)
    if title:
        fig.suptitle(title)
    fig.tight_layout()
    return fig


def history_logs(history, what="history"):
    """The dict of metric name -> values per epoch inside a Keras ``History`` (or the dict itself)."""
    what = text(what, "what")
    logs = history if isinstance(history, dict) else inspect.getattr_static(history, "history", None)
    if not isinstance(logs, dict):
        raise TypeError(f"{what} must be a keras History or a dict of lists, got {received(history)}")
    return logs


def _values(logs, metric, what):
    """The values of ``metric`` in ``logs``: a non-empty list of numbers, one per epoch."""
    if metric not in logs:
        raise ValueError(f"{what} has no {metric!r}; it has {sorted(map(str, logs))}")
    values = array(logs[metric], f"{what}[{metric!r}]", ndim=1)
    if len(values) == 0:
        raise ValueError(f"{what}[{metric!r}] is empty: no epoch to plot")
    return values


def _metrics(metrics):
    """``metrics``: one name, or a non-empty list of names."""
    metrics = [metrics] if isinstance(metrics, str) else metrics
    if not isinstance(metrics, (list, tuple)) or not metrics:
        raise TypeError(f"metrics must be a metric name or a non-empty list of them, got {received(metrics)}")
    return [text(m, "each metric") for m in metrics]


def training_curves(history, metrics=("loss",), title=None):
    """Plot each metric and its ``val_`` twin against the epoch.

    ``history``: a Keras ``History``, or a dict of metric name -> list of values per epoch.
    """
    logs = history_logs(history)
    metrics = _metrics(metrics)
    title = _title(title)
    curves = {metric: _values(logs, metric, "history") for metric in metrics}
    fig, axes = subplots(1, len(metrics), figsize=(4.5 * len(metrics), 3.2), squeeze=False)
    for ax, (metric, values) in zip(axes.flat, curves.items()):
        ax.plot(range(1, len(values) + 1), values, "o-", label=f"training {metric}")
        if f"val_{metric}" in logs:
            val = _values(logs, f"val_{metric}", "history")
            # with validation_freq > 1, validation values exist only for some epochs
            epochs = (
                np.linspace(len(values) / len(val), len(values), len(val))
                if len(val) != len(values)
                else range(1, len(val) + 1)
            )
            ax.plot(epochs, val, "s--", label=f"validation {metric}")
        ax.set_xlabel("epoch")
        ax.set_ylabel(metric)
        ax.legend()
    if title:
        fig.suptitle(title)
    fig.tight_layout()
    return fig


def compare_histories(histories, metric="val_loss", title=None):
    """One curve per training run: ``metric`` against the epoch, on one axes.

    ``histories``: a dict of run name -> Keras ``History`` (or dict of lists).
    Use it to set runs side by side: optimizers, or a model with and without dropout.
    """
    if not isinstance(histories, dict):
        raise TypeError(f"histories must be a dict of name -> History, got {received(histories)}")
    if not histories:
        raise ValueError("histories is empty: give at least one run to plot")
    metric = text(metric, "metric")
    title = _title(title)
    curves = {
        name: _values(history_logs(history, f"histories[{name!r}]"), metric, f"histories[{name!r}]")
        for name, history in histories.items()
    }
    fig, ax = subplots(figsize=(6, 3.6))
    for name, values in curves.items():
        ax.plot(range(1, len(values) + 1), values, "o-", markersize=3, label=str(name))
    ax.set_xlabel("epoch")
    ax.set_ylabel(metric)
    ax.legend()
    if title:
        ax.set_title(title)
    fig.tight_layout()
    return fig
