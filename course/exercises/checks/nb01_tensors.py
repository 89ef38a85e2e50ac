"""Exercises and quizzes of 01_tensors: crops, batches, texts and images as tensors, and the memory a tensor needs."""

import itertools

import numpy as np

from ..probing import observe
from ..quizzes import multiple_choice, predict_shape
from ..registry import exercise
from ..shortcuts import Shortcut

# ---------------------------------------------------------------------------
# 01.1 crop_center
# ---------------------------------------------------------------------------


def _images(count, height, width, offset=0):
    """Images whose pixels tell where they come from: 10000 * image + 100 * row + column (+ offset)."""
    n, row, column = np.meshgrid(np.arange(count), np.arange(height), np.arange(width), indexing="ij")
    return (10000 * n + 100 * row + column + offset).astype(np.int64)


def _odd_size(rng):
    return int(rng.choice([3, 5, 7, 9]))


def _crop_cases(rng):
    """Six crops whose margins (rows, columns) are chosen so that every rounding mistake shows.

    The first case alone tells most mistakes apart: an odd size, an odd row margin whose half is odd
    (3 or 7: rounding up and rounding to even both start one row too late) and a larger even column
    margin. The others bring odd column margins, margins of 1 and 0, a single image, and a row margin
    larger than the column one.
    """
    three_mod_four = [3, 7]
    shapes = [  # (size, row margin, column margin)
        (_odd_size(rng), int(rng.choice(three_mod_four)), 0),
        (_odd_size(rng), 2 * int(rng.integers(0, 5)), int(rng.choice(three_mod_four))),
        (int(rng.choice([2, 4, 6, 8])), int(rng.choice([1, 5])), int(rng.choice([1, 5, 9]))),
        (int(rng.integers(2, 12)), 0, 2 * int(rng.integers(0, 5)) + 1),
        (int(rng.integers(2, 12)), 2 * int(rng.integers(1, 5)), 2 * int(rng.integers(1, 5))),
        (int(rng.integers(2, 12)), int(rng.integers(6, 12)), int(rng.integers(0, 6))),
    ]
    size, rows, _ = shapes[0]
    shapes[0] = (size, rows, rows + 1 + 2 * int(rng.integers(0, 3)))  # even, larger than the row margin
    counts = [int(rng.integers(2, 5)), int(rng.integers(2, 5)), 1, int(rng.integers(1, 5))]
    counts += [int(rng.integers(1, 5)), int(rng.integers(2, 5))]
    return [
        {
            "images": _images(count, size + rows, size + columns, int(rng.integers(0, 10)) * 1_000_000),
            "size": size,
        }
        for count, (size, rows, columns) in zip(counts, shapes)
    ]


def _crop_probe(answer, case):
    return observe(answer(case["images"], case["size"]))


exercise(
    id="01.1",
    revision=2,  # stricter since the first release: earlier passes are re-checked
    title="Crop the centre of every image",
    produce="a function crop_center(images, size) that takes an array of shape (n, height, width) and an int "
    "size, and returns the central size x size square of every image as an array of shape (n, size, size) "
    "with the same dtype (when a margin is odd, the extra row goes below and the extra column to the right)",
    cases=_crop_cases,
    probe=_crop_probe,
    hints=(
        "Slicing can cut along every axis at once: keep the whole first axis and cut the other two.",
        "The rows outside the square are shared between a margin above it and a margin below it. When their "
        "number is odd, the margin below gets the extra row: which kind of division gives the smaller half, "
        "whatever the number? The columns work the same way.",
        "A worked example on other numbers: cutting a 3 x 3 square out of images of 8 rows leaves 5 rows "
        "outside it, 2 above and 3 below, so the square holds rows 2, 3 and 4. With 3 rows outside, 1 goes "
        "above and 2 below; with 7, 3 above and 4 below.",
    ),
)

# ---------------------------------------------------------------------------
# 01.2 batches
# ---------------------------------------------------------------------------

SAMPLE = (
    1000  # every value of sample k lies in [SAMPLE * k, SAMPLE * (k + 1)): a batch tells where it came from
)


def _batches_cases(rng):
    """Four data sets: the last batch holds 2 or more samples, 1 sample (twice), or none is left over."""
    first_size = int(rng.integers(3, 8))
    last_size = int(rng.integers(3, 9))
    cases = []
    for count, batch_size, sample_shape, dtype in (
        (
            first_size * int(rng.integers(4, 7)) + int(rng.integers(2, first_size)),
            first_size,
            (2, 3),
            "int64",
        ),
        (4 * int(rng.integers(3, 8)) + 1, 4, (), "float64"),  # a last batch of one sample
        (24, int(rng.choice([3, 4, 6, 8])), (3, 2, 2), "int32"),  # batch_size divides the count
        (last_size * int(rng.integers(2, 4)) + 1, last_size, (4, 4), "float32"),
    ):
        size = int(np.prod(sample_shape, dtype=np.int64))
        pattern = rng.integers(0, SAMPLE, size=(count, size)).reshape((count, *sample_shape))
        images = (SAMPLE * np.arange(count).reshape((count,) + (1,) * len(sample_shape)) + pattern).astype(
            dtype
        )
        labels = rng.integers(0, 10, size=count).astype(np.uint8)
        cases.append(
            {
                "images": images,
                "labels": labels,
                "batch_size": batch_size,
                "seed": int(rng.integers(0, 2**31)),
            }
        )
    return cases


def _batches_probe(answer, case):
    images, labels, size = case["images"], case["labels"], case["batch_size"]
    limit = -(-len(images) // size) + 3  # a few more than needed: an endless generator stops here
    runs = []
    for seed in (case["seed"], case["seed"], case["seed"] + 1):
        out = answer(images, labels, size, seed)
        try:
            batches = iter(out)
        except TypeError:
            return {"returned": observe(out)}
        runs.append([observe(batch) for batch in itertools.islice(batches, limit)])
    return {"runs": runs}


exercise(
    id="01.2",
    revision=2,  # stricter since the first release: earlier passes are re-checked
    title="A batch iterator",
    produce="a generator function batches(images, labels, batch_size, seed) that takes NumPy arrays images "
    "(samples along the first axis, any shape after it) and labels (one per image), an int batch_size and an int "
    "seed, and yields pairs (image_batch, label_batch) of NumPy arrays: one pass over all samples in a random "
    "order that the seed fixes (another seed, another order), batch_size samples per batch, and a smaller last "
    "batch when batch_size does not divide the number of samples; every label stays with its image",
    cases=_batches_cases,
    probe=_batches_probe,
    shortcuts=(Shortcut("course.tensors:batches"), Shortcut("course.tensors:_batches")),
    hints=(
        "Shuffle the positions, not the arrays: a random order of the sample numbers 0 .. n - 1, fixed by "
        "the seed, tells which samples go into each batch.",
        "A random generator made from the same seed gives the same order each time it is made again; look "
        "at what NumPy's random Generator offers for shuffling a range of numbers. The same piece of that "
        "order must pick both the images and the labels.",
        "A worked example on other numbers: with 7 samples, batches of 3 and the shuffled order 4 0 6 2 5 1 3, "
        "the batches hold the samples [4 0 6], [2 5 1] and [3]. The last one is smaller, and no sample is "
        "left out.",
    ),
)

# ---------------------------------------------------------------------------
# 01.3 one_hot_texts
# ---------------------------------------------------------------------------

PRINTABLE = np.arange(32, 127)


def _text(rng, size):
    return "".join(chr(int(c)) for c in rng.choice(PRINTABLE, size=size))


def _one_hot_cases(rng):
    """Four lists of texts; the first always holds a text longer than length and a shorter one."""
    cases = []
    for count in (3, 1, int(rng.integers(2, 5)), 3):
        length = int(rng.integers(5, 16))
        sizes = rng.integers(0, length + 6, size=count)
        cases.append({"texts": [_text(rng, int(n)) for n in sizes], "length": length})
    first = cases[0]
    length = first["length"]
    short = _text(rng, int(rng.integers(2, length - 1)))
    while short[0] == short[-1]:  # a short text that reads differently backwards
        short = _text(rng, len(short))
    first["texts"][0] = _text(rng, length + int(rng.integers(1, 6)))  # longer than length: cut
    first["texts"][1] = short
    cases[2]["texts"][0] = _text(rng, cases[2]["length"] + 3)
    cases[3]["texts"][1] = ""
    return cases


exercise(
    id="01.3",
    title="Texts as a rank-3 tensor",
    produce="a function one_hot_texts(texts, length) that takes a list of strings (ASCII characters, codes 0 to "
    "127) and an int length, and returns a NumPy array of dtype uint8 and shape (len(texts), length, 128) "
    "whose entry [s, t, c] is 1 when character t of text s has code c, and 0 otherwise; a text longer than "
    "length is cut, and the positions after the end of a shorter text stay all zero",
    cases=_one_hot_cases,
    probe=lambda answer, case: observe(answer(case["texts"], case["length"])),
    hints=(
        "Start from a tensor of zeros of the final shape and dtype; each character then sets one entry to 1.",
        "Each character has three indices: which text it is in, where it stands in that text, and its code "
        "(Python's built-in ord gives the code). Which characters of a long text have no place in the "
        "tensor, and what stays in the positions after the end of a short text?",
        "A worked example on other numbers: with length 3, the text 'Hi!' sets the entries [s, 0, 72], "
        "[s, 1, 105] and [s, 2, 33]; the text 'Hello' sets [s, 0, 72], [s, 1, 101] and [s, 2, 108]; the "
        "text 'H' sets only [s, 0, 72].",
    ),
)

# ---------------------------------------------------------------------------
# 01.4 channels_first
# ---------------------------------------------------------------------------

MOVE_AXES = ("transpose", "moveaxis", "swapaxes", "rollaxis", "einsum", "permute_dims", "T", "mT")


def _channel_cases(rng):
    """Four batches; in the first, four channels and every axis of its own size, so a shape tells axes apart."""
    first_height, first_width = (int(n) for n in rng.choice(np.arange(5, 10), size=2, replace=False))
    sizes = [(int(rng.integers(2, 4)), 4, first_height, first_width)]
    for count, channels in ((int(rng.integers(2, 5)), 3), (1, 1), (3, 2)):
        height, width = (int(n) for n in rng.integers(2, 7, size=2))
        if height == width:
            width += 1
        sizes.append((count, channels, height, width))
    return [
        {"images": rng.integers(0, 256, size=(count, height, width, channels)).astype(np.uint8)}
        for count, channels, height, width in sizes
    ]


exercise(
    id="01.4",
    title="Channels-last to channels-first",
    produce="a function channels_first(images) that takes a batch of images of shape (samples, height, width, "
    "channels) and returns a new NumPy array of shape (samples, channels, height, width) with the same dtype, "
    "where [n, c, i, j] holds the pixel [n, i, j, c]; built from slicing, without NumPy's functions that move "
    "axes",
    cases=_channel_cases,
    probe=lambda answer, case: observe(answer(case["images"])),
    forbidden_in_source=MOVE_AXES,
    hints=(
        "Channel c of every image at once is one slice of the batch: every sample, every row, every column, "
        "position c on the last axis.",
        "That slice has shape (samples, height, width). The result holds one such slice per channel, side "
        "by side along a new axis: where must that new axis go, and how many channels are there?",
        "A worked example on other numbers: five arrays of shape (2, 3) joined with np.stack give shape "
        "(5, 2, 3), the new axis in front; its axis argument puts the new axis elsewhere, for example last, "
        "which gives (2, 3, 5). You can also fill an empty array of the final shape one channel at a time.",
    ),
)

# ---------------------------------------------------------------------------
# 01.5 memory_bytes
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
    for number, case in enumerate(cases):
        case["as_text"] = number % 2 == 1  # the dtype given by its name, such as 'float32'
    return cases[1:] + cases[:1]  # the scalar last: other mistakes show on the first shapes


def _memory_probe(answer, case):
    dtype = (
        case["dtype"]
        if case["as_text"]
        else getattr(np, case["dtype"] if case["dtype"] != "bool" else "bool_")
    )
    return observe(answer(tuple(case["shape"]), dtype))


exercise(
    id="01.5",
    title="How much memory does a tensor need?",
    produce="a function memory_bytes(shape, dtype) that takes a shape (a tuple of ints) and a dtype, given as "
    "a NumPy type such as np.float32 or as its name such as 'float32', and returns the number of bytes a tensor "
    "of that shape and dtype occupies, as an int; it counts the elements itself, with a loop over the axes "
    "(no prod or nbytes)",
    cases=_memory_cases,
    probe=_memory_probe,
    forbidden_in_source=("nbytes", "prod"),
    hints=(
        "Every element of a tensor takes the same number of bytes, and the elements sit side by side with "
        "nothing between them.",
        "How many elements does a tensor of shape (2, 3, 4) hold? Count them one axis at a time, as you would "
        "by hand. Then ask what your count gives for a shape with no axes (a scalar holds one element) and "
        "for a shape with a 0 in it.",
        "NumPy describes a type with np.dtype, which understands both np.float32 and the name 'float32'; look "
        "at its attributes for the size of one element. A worked example on other numbers: a tensor of shape "
        "(10, 10) and dtype int16 holds 100 elements of 2 bytes each, 200 bytes.",
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
