"""Exercises and quizzes of 01_tensors: crops, batches and the memory a tensor needs."""

import math

import numpy as np

from .. import judging
from ..framework import exercise
from ..judging import Wrong
from ..probing import observe
from ..quizzes import multiple_choice, predict_shape

# ---------------------------------------------------------------------------
# 01.1 crop_center
# ---------------------------------------------------------------------------


def _images(count, height, width, offset=0):
    """Images whose pixels tell where they come from: 10000 * image + 100 * row + column (+ offset)."""
    n, row, column = np.meshgrid(np.arange(count), np.arange(height), np.arange(width), indexing="ij")
    return (10000 * n + 100 * row + column + offset).astype(np.int64)


def _crop_cases(rng):
    cases = []
    for margin_parity in (0, 1, 0, 1, 1, 0):
        count = int(rng.integers(1, 5))
        size = int(rng.integers(2, 12))
        height = size + 2 * int(rng.integers(0, 8)) + margin_parity
        width = size + 2 * int(rng.integers(0, 8)) + int(rng.integers(0, 2))
        cases.append(
            {"images": _images(count, height, width, int(rng.integers(0, 10)) * 1_000_000), "size": size}
        )
    return cases


def _crop_probe(answer, case):
    return observe(answer(case["images"], case["size"]))


def _judge_crop(case, seen):
    images, size = case["images"], case["size"]
    count, height, width = images.shape
    what = f"crop_center(images of shape {images.shape}, {size})"
    got = judging.array(seen, what)
    if got.ndim == 2 and got.shape == (size, size):
        raise Wrong(f"{what} has shape {got.shape}: it cropped one image, but every image should be cropped.")
    got = judging.array(seen, what, shape=(count, size, size))
    if got.dtype != images.dtype:
        raise Wrong(f"{what} has dtype {got.dtype}; a crop keeps the pixels as they are ({images.dtype}).")
    top, left = (height - size) // 2, (width - size) // 2
    want = images[:, top : top + size, left : left + size]
    if np.array_equal(got, want):
        return "crop_center cuts the central square out of every image, for even and odd margins."
    corner = int(got[0, 0, 0]) % 1_000_000
    row, column = corner % 10000 // 100, corner % 100
    if not (0 <= row < height and 0 <= column < width) or not np.array_equal(
        got, images[:, row : row + size, column : column + size]
    ):
        raise Wrong(f"{what} has the right shape but not a square block of each image's pixels.")
    if (row, column) == (0, 0):
        raise Wrong(f"{what} is the top-left corner of each image, not its centre.")
    below, right = height - size - row, width - size - column
    for start, after, axis, far in (
        (row, below, "rows", "below"),
        (column, right, "columns", "to the right"),
    ):
        if start == after + 1:
            raise Wrong(
                f"{what} starts one position too late: it leaves {start} {axis} before the square and "
                f"{after} after it. When the margin is odd, the extra one goes {far}."
            )
    raise Wrong(
        f"{what} starts at row {row}, column {column} of each image; that square is not centred "
        f"(it leaves {row} rows above and {below} below, {column} columns left and {right} right)."
    )


exercise(
    id="01.1",
    title="Crop the centre of every image",
    produce="a function crop_center(images, size) that takes an array of shape (n, height, width) and an int "
    "size, and returns the central size x size square of every image as an array of shape (n, size, size) "
    "with the same dtype (when a margin is odd, the extra row goes below and the extra column to the right)",
    cases=_crop_cases,
    probe=_crop_probe,
    judge=_judge_crop,
    hints=(
        "Slicing can cut along every axis at once: keep the whole first axis and cut the other two.",
        "The rows that are not in the square are shared between the top and bottom margins; when their "
        "number is odd the bottom gets one more, which is what integer division gives you.",
        "The square runs from the top margin for size rows, and from the left margin for size columns.",
    ),
)

# ---------------------------------------------------------------------------
# 01.2 get_batch
# ---------------------------------------------------------------------------


def _batch_cases(rng):
    cases = []
    for _ in range(6):
        count = int(rng.integers(5, 40))
        batch_size = int(rng.integers(2, count))
        batches = -(-count // batch_size)
        images = np.arange(count)[:, None, None] * 100 + rng.integers(0, 100, size=(count, 2, 3))
        cases.append({"images": images, "batch_size": batch_size, "n": int(rng.integers(0, batches))})
    count, batch_size = 23, 5  # a last batch that is shorter
    cases.append({"images": np.arange(count * 4).reshape(count, 2, 2), "batch_size": batch_size, "n": 4})
    return cases


def _batch_probe(answer, case):
    return observe(answer(case["images"], case["batch_size"], case["n"]))


def _judge_batch(case, seen):
    images, size, n = case["images"], case["batch_size"], case["n"]
    what = f"get_batch({len(images)} images, batch_size={size}, n={n})"
    got = judging.array(seen, what)
    want = images[size * n : size * (n + 1)]
    mistakes = {
        "started batch n at image n": images[n : n + size],
        "counted the batches from 1 instead of 0": images[size * (n - 1) : size * n] if n else images[:0],
        "returned the batch after batch n (batches are counted from 0)": images[
            size * (n + 1) : size * (n + 2)
        ],
        "took one image too many": images[size * n : size * (n + 1) + 1],
        "took one image too few": images[size * n : size * (n + 1) - 1],
    }
    judging.close(got, want, what, near_misses=mistakes, rtol=0, atol=0)
    if len(want) < size:
        return "get_batch is right, also for a last batch that is shorter than the others."
    return "get_batch is right for every batch tried."


exercise(
    id="01.2",
    title="The n-th batch",
    produce="a function get_batch(images, batch_size, n) that returns batch number n (counting from 0) of "
    "images along the first axis, as an array; the last batch may hold fewer than batch_size images",
    cases=_batch_cases,
    probe=_batch_probe,
    judge=_judge_batch,
    hints=(
        "Batches are consecutive slices of the first axis, batch_size images each, with no gaps between them.",
        "Work out which image batch n starts with: how many images do batches 0 to n - 1 hold together?",
        "A slice that runs past the end of an axis simply stops there, so the last batch needs no special case.",
    ),
)

# ---------------------------------------------------------------------------
# 01.3 memory_bytes
# ---------------------------------------------------------------------------

DTYPES = ("uint8", "int16", "float16", "float32", "int32", "float64", "int64", "bool")


def _memory_cases(rng):
    cases = [
        {"shape": [], "dtype": str(rng.choice(DTYPES))},
        {"shape": [4, 240, 144, 256, 3], "dtype": "float64"},
    ]
    for _ in range(5):
        rank = int(rng.integers(1, 6))
        cases.append(
            {"shape": [int(s) for s in rng.integers(1, 300, size=rank)], "dtype": str(rng.choice(DTYPES))}
        )
    cases.append({"shape": [int(rng.integers(2, 50)), 0, 3], "dtype": "float32"})
    return cases[1:] + cases[:1]  # the scalar last: other mistakes show on the first shapes


def _memory_probe(answer, case):
    return observe(
        answer(tuple(case["shape"]), getattr(np, case["dtype"] if case["dtype"] != "bool" else "bool_"))
    )


def _judge_memory(case, seen):
    shape, dtype = tuple(case["shape"]), np.dtype(case["dtype"])
    what = f"memory_bytes({shape}, np.{dtype.name})"
    elements = math.prod(shape)
    want = elements * dtype.itemsize
    if seen.get("type") in judging.NUMBER_TYPES - judging.INTEGER_TYPES:
        value = seen["value"]
        if value == want:
            raise Wrong(f"{what} is the float {value!r}: a number of bytes is a whole number (int).")
    got = judging.whole_number(seen, what)
    if got == want:
        return "memory_bytes is right: 4 clips of 240 frames of 144 x 256 RGB take 405 MiB as float32."
    mistakes = {
        "the number of elements, not of bytes": elements,
        "the number of bits, not of bytes": want * 8,
        "the size of one element for every shape (a scalar is the only tensor with one element)": dtype.itemsize,
        "4 bytes per element whatever the dtype": elements * 4,
        "the sum of the sizes along the axes times the bytes per element; the element count is a product": sum(
            shape
        )
        * dtype.itemsize,
    }
    if not shape and got == 0:
        raise Wrong(f"{what} is 0, but a scalar (shape ()) holds one element.")
    for why, mistake in mistakes.items():
        if got == mistake and mistake != want:
            raise Wrong(f"{what} is {got:,}: that is {why}.")
    raise Wrong(f"{what} is {got:,}, which is not right.")


exercise(
    id="01.3",
    title="How much memory does a tensor need?",
    produce="a function memory_bytes(shape, dtype) that takes a shape (a tuple of ints) and a NumPy dtype "
    "such as np.float32, and returns the number of bytes a tensor of that shape and dtype occupies, as an int",
    cases=_memory_cases,
    probe=_memory_probe,
    judge=_judge_memory,
    forbidden_in_source=("nbytes",),
    hints=(
        "Every element of a tensor takes the same number of bytes, and they sit side by side.",
        "How many elements does a tensor of a given shape hold? What does a shape with no axes hold?",
        "np.dtype(dtype).itemsize is the number of bytes per element; the answer should be a Python int.",
    ),
)

# ---------------------------------------------------------------------------
# Quizzes
# ---------------------------------------------------------------------------

predict_shape(
    "01.q1",
    "train_images has shape (60000, 28, 28). What is the shape of train_images[10:100, 14:, :7]?",
    shape=(90, 14, 7),
    explanation="10:100 keeps 90 images, 14: keeps rows 14..27 (14 rows), :7 keeps columns 0..6 (7 columns).",
)

predict_shape(
    "01.q2",
    "What is the shape of train_images[-5:, 7:-7, -1]? (60000 images of 28 x 28)",
    shape=(5, 14),
    explanation="-5: keeps the last 5 images, 7:-7 keeps 14 rows, and the single index -1 (last column) "
    "removes the last axis.",
)

multiple_choice(
    "01.q3",
    "A batch of 16 colour images of 32 x 32 pixels is stored channels-first. What is its shape?",
    options=["(16, 32, 32, 3)", "(16, 3, 32, 32)", "(3, 16, 32, 32)", "(32, 32, 3, 16)"],
    answer="(16, 3, 32, 32)",
    explanation="The samples axis stays first; channels-first puts the 3 colour channels right after it.",
)
