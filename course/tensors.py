"""Tensors as containers: slicing a picture, and reading a dataset in shuffled batches.

* :func:`draw_slice` pictures ``image[row_start:row_stop, column_start:column_stop]``:
  the image with the selected block framed, the block itself, and the shapes that
  the same slice gives on one image and on the whole stack;
  :func:`slicing_explorer` puts four sliders over that picture.
* :func:`batches` is what a training loop reads: one pass (an *epoch*) over a
  dataset in a shuffled order, in batches along the samples axis.
"""

import numpy as np

from .runtime.validate import array, integer, same_length

MAX_EXPLORED = 100  # images the explorer lets you pick from


def _stack(images, name="images"):
    """``images`` as a stack of grey pictures (n, height, width), at least one of at least 1 x 1 pixel."""
    images = array(images, name, ndim=3)
    if 0 in images.shape:
        raise ValueError(
            f"{name} must hold at least one image of at least 1×1 pixels, got shape {images.shape}"
        )
    return images


def _bounds(start, stop, size, name):
    """``start`` and ``stop`` as ints in ``0 .. size``, the way a slice clips them."""
    start = integer(start, f"{name}_start", minimum=0, maximum=size)
    stop = integer(stop, f"{name}_stop", minimum=0, maximum=size)
    return start, stop


def draw_slice(images, index, row_start, row_stop, column_start, column_stop):
    """``images[index]`` with the block ``[row_start:row_stop, column_start:column_stop]`` framed, and the block.

    The titles give the slice and the shapes it makes: on one image, and with
    ``[:, rows, columns]`` on the whole stack. A start at or past its stop
    selects nothing (shape 0 on that axis), as NumPy does. Returns the Figure.
    """
    from matplotlib.patches import Rectangle

    from .plots import subplots

    images = _stack(images)
    index = integer(index, "index", minimum=0, maximum=len(images) - 1)
    height, width = images.shape[1:]
    rows = _bounds(row_start, row_stop, height, "row")
    columns = _bounds(column_start, column_stop, width, "column")
    image = images[index]
    crop = image[rows[0] : rows[1], columns[0] : columns[1]]
    expression = f"[{rows[0]}:{rows[1]}, {columns[0]}:{columns[1]}]"

    fig, (left, right) = subplots(1, 2, figsize=(7.4, 3.9))
    left.imshow(image, cmap="binary", vmin=image.min(), vmax=max(image.max(), image.min() + 1))
    if crop.size:
        left.add_patch(
            Rectangle(
                (columns[0] - 0.5, rows[0] - 0.5),
                crop.shape[1],
                crop.shape[0],
                fill=False,
                edgecolor="tab:orange",
                linewidth=2.5,
            )
        )
    left.set_title(f"image {index}: shape {image.shape}", fontsize=10)
    left.set_xlabel("columns (axis 1 of the image)")
    left.set_ylabel("rows (axis 0 of the image)")
    if crop.size:
        right.imshow(crop, cmap="binary", vmin=image.min(), vmax=max(image.max(), image.min() + 1))
        right.set_xticks(range(crop.shape[1]))
        right.set_yticks(range(crop.shape[0]))
        right.set_xticklabels(range(columns[0], columns[1]), fontsize=6)
        right.set_yticklabels(range(rows[0], rows[1]), fontsize=6)
        right.tick_params(length=0)
    else:
        right.axis("off")
        right.text(0.5, 0.5, "empty: start ≥ stop\nselects nothing", ha="center", va="center", fontsize=11)
    right.set_title(f"image{expression}\nshape {crop.shape}", fontsize=10)
    whole = (len(images), *crop.shape)
    fig.suptitle(f"images[:, {expression[1:-1]}] has shape {whole}", fontsize=11)
    fig.tight_layout()
    return fig


def slicing_explorer(images, index=0):
    """Sliders for the rows and columns of a slice over :func:`draw_slice` (an Explorer).

    ``images`` is a stack (n, height, width) such as MNIST's training images;
    a fifth slider picks one of the first :data:`MAX_EXPLORED` images.
    ``.result`` is the latest Figure.
    """
    import ipywidgets as widgets

    from .explorer import Explorer

    images = _stack(images)
    last = min(len(images), MAX_EXPLORED) - 1
    index = integer(index, "index", minimum=0, maximum=last)
    height, width = images.shape[1:]

    def slider(value, maximum):
        return widgets.IntSlider(value=value, min=0, max=maximum)

    return Explorer(
        lambda image, row_start, row_stop, column_start, column_stop: draw_slice(
            images, image, row_start, row_stop, column_start, column_stop
        ),
        image=slider(index, last),
        row_start=slider(height // 4, height),
        row_stop=slider(height - height // 4, height),
        column_start=slider(width // 4, width),
        column_stop=slider(width - width // 4, width),
    )


def batches(images, labels, batch_size, seed=0):
    """One pass over ``images`` and ``labels`` in a shuffled order: yields ``(image_batch, label_batch)``.

    The order is a permutation drawn from ``np.random.default_rng(seed)``: the
    same seed gives the same order. Every batch holds ``batch_size`` samples,
    except the last one, which holds what is left when ``batch_size`` does not
    divide the number of samples.
    """
    images = array(images, "images", min_ndim=1)
    labels = array(labels, "labels", min_ndim=1)
    same_length(images, labels, "images", "labels")
    batch_size = integer(batch_size, "batch_size", minimum=1)
    seed = integer(seed, "seed", minimum=0)
    return _batches(images, labels, batch_size, seed)


def _batches(images, labels, batch_size, seed):
    order = np.random.default_rng(seed).permutation(len(images))
    for start in range(0, len(order), batch_size):
        chosen = order[start : start + batch_size]
        yield images[chosen], labels[chosen]
