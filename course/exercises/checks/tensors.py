"""Checkers for 01_tensors: crops, batches and the memory a tensor needs."""

import numpy as np

from ..framework import Wrong, call, exercise, expect_array, expect_close


def _images(count, height, width):
    """Images whose pixel values tell where they come from: value = 10000*n + 100*row + column."""
    n, row, column = np.meshgrid(np.arange(count), np.arange(height), np.arange(width), indexing="ij")
    return 10000 * n + 100 * row + column


@exercise(
    "01.1",
    "Crop the centre of every image",
    expects="a function crop_center(images, size) returning the central size x size square of every image, "
    "an array of shape (n, size, size)",
    hint="Slice all images at once: images[:, top:top + size, left:left + size]. For 28x28 images and size 14, "
    "that is images[:, 7:21, 7:21], the same as images[:, 7:-7, 7:-7].",
)
def _crop_center(answer):
    for count, height, width, size in [
        (3, 28, 28, 14),
        (2, 10, 10, 4),
        (2, 9, 9, 4),
        (1, 6, 8, 4),
        (2, 5, 5, 5),
    ]:
        images = _images(count, height, width)
        original = images.copy()
        top, left = (height - size) // 2, (width - size) // 2
        want = images[:, top : top + size, left : left + size]
        what = f"crop_center(images of shape {images.shape}, {size})"
        got = expect_array(call(answer, images, size, what=what), shape=want.shape, what=what)
        if not np.array_equal(got, want):
            corner = got[0, 0, 0]
            raise Wrong(
                f"{what} has the right shape but the wrong pixels: its top-left pixel is row {corner % 10000 // 100}, "
                f"column {corner % 100} of the image; expected row {top}, column {left}."
            )
        if not np.array_equal(images, original):
            raise Wrong(f"{what} changed the images it was given; a crop should only read them.")
    return "crop_center cuts the central size x size square out of every image, for even and odd margins."


@exercise(
    "01.2",
    "The n-th batch",
    expects="a function get_batch(images, batch_size, n) returning batch number n (counting from 0) along the first axis",
    hint="Batch 0 is images[0:batch_size], batch 1 starts where batch 0 ends. The last batch may be shorter.",
)
def _get_batch(answer):
    images = _images(10, 2, 2)
    for batch_size, n in [(4, 0), (4, 1), (4, 2), (3, 3), (10, 0), (1, 9)]:
        want = images[batch_size * n : batch_size * (n + 1)]
        what = f"get_batch(10 images, batch_size={batch_size}, n={n})"
        got = expect_array(call(answer, images, batch_size, n, what=what), shape=want.shape, what=what)
        if not np.array_equal(got, want):
            first = got[0, 0, 0] // 10000 if len(got) else None
            raise Wrong(f"{what} starts with image {first}; expected image {batch_size * n}.")
    return "get_batch slices the batch axis: batch n holds images batch_size*n up to batch_size*(n+1)."


@exercise(
    "01.3",
    "How much memory does a tensor need?",
    expects="a function memory_bytes(shape, dtype) returning the number of bytes a tensor of that shape and dtype "
    "occupies (the number of elements times the bytes per element)",
    hint="Multiply the sizes in the shape together (math.prod or np.prod; a scalar's shape () holds 1 element), "
    "then multiply by np.dtype(dtype).itemsize: 4 for float32, 1 for uint8.",
)
def _memory_bytes(answer):
    cases = [
        ((4, 240, 144, 256, 3), np.float32),
        ((4, 240, 144, 256, 3), np.uint8),
        ((60000, 28, 28), np.uint8),
        ((128, 256, 256, 3), np.float64),
        ((), np.float32),
        ((0, 5), np.float32),
    ]
    for shape, dtype in cases:
        want = int(np.prod(shape, dtype=np.int64)) * np.dtype(dtype).itemsize
        what = f"memory_bytes({shape}, np.{np.dtype(dtype).name})"
        expect_close(call(answer, shape, dtype, what=what), want, what=what, rtol=0, atol=0.5)
    return "memory_bytes is right: 4 videos of 240 frames of 144x256 RGB take 424,673,280 bytes (405 MiB) as float32."
