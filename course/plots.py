"""Pictures: image grids and training curves (matplotlib, imported on use)."""

import numpy as np


def image_grid(images, labels=None, ncols=8, title=None, cmap="gray", size=1.4):
    """Show up to ``len(images)`` images in a grid, each titled with its label.

    ``images``: (n, height, width) or (n, height, width, channels), any numeric dtype.
    Returns the matplotlib Figure.
    """
    import matplotlib.pyplot as plt

    images = np.asarray(images)
    if images.ndim not in (3, 4) or len(images) == 0:
        raise ValueError(
            f"images should have shape (n, height, width[, channels]) with n > 0, got shape {images.shape}"
        )
    if labels is not None and len(labels) != len(images):
        raise ValueError(f"labels has length {len(labels)} but images has {len(images)} images")
    if not isinstance(ncols, int) or ncols < 1:
        raise ValueError(f"ncols must be a positive int, got {ncols!r}")
    ncols = min(ncols, len(images))
    nrows = -(-len(images) // ncols)
    fig, axes = plt.subplots(
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
    logs = getattr(history, "history", history)
    if not isinstance(logs, dict):
        raise ValueError(f"{what} should be a keras History or a dict of lists, got {type(history).__name__}")
    return logs


def training_curves(history, metrics=("loss",), title=None):
    """Plot each metric and its ``val_`` twin against the epoch.

    ``history``: a Keras ``History``, or a dict of metric name -> list of values per epoch.
    """
    import matplotlib.pyplot as plt

    logs = history_logs(history)
    missing = [m for m in metrics if m not in logs]
    if missing:
        raise ValueError(f"history has no {missing}; it has {sorted(logs)}")
    fig, axes = plt.subplots(1, len(metrics), figsize=(4.5 * len(metrics), 3.2), squeeze=False)
    for ax, metric in zip(axes.flat, metrics):
        values = logs[metric]
        ax.plot(range(1, len(values) + 1), values, "o-", label=f"training {metric}")
        if f"val_{metric}" in logs:
            val = logs[f"val_{metric}"]
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
    import matplotlib.pyplot as plt

    if not isinstance(histories, dict) or not histories:
        raise ValueError(
            f"histories should be a non-empty dict of name -> History, got {type(histories).__name__}"
        )
    fig, ax = plt.subplots(figsize=(6, 3.6))
    for name, history in histories.items():
        logs = history_logs(history, what=f"histories[{name!r}]")
        if metric not in logs:
            raise ValueError(f"histories[{name!r}] has no {metric!r}; it has {sorted(logs)}")
        values = logs[metric]
        ax.plot(range(1, len(values) + 1), values, "o-", markersize=3, label=name)
    ax.set_xlabel("epoch")
    ax.set_ylabel(metric)
    ax.legend()
    if title:
        ax.set_title(title)
    fig.tight_layout()
    return fig
