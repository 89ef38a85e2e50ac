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


exercise(
    id="01.1",
    title="Crop the centre of every image",
    produce="a function crop_center(images, size) that takes an array of shape (n, height, width) and an int "
    "size, and returns the central size x size square of every image as an array of shape (n, size, size) "
    "with the same dtype (when a margin is odd, the extra row goes below and the extra column to the right)",
    cases=_crop_cases,
    probe=_crop_probe,
    hints=(
        "Slicing can cut along every axis at once: keep the whole first axis and cut the other two.",
        "The rows that are not in the square are shared between the top and bottom margins; when their "
        "number is odd the bottom gets one more, which is what integer division gives you.",
        "The square runs from the top margin for size rows, and from the left margin for size columns.",
    ),
)

# ---------------------------------------------------------------------------
# 01.2 batches
# ---------------------------------------------------------------------------

SAMPLE = (
    1000  # every value of sample k lies in [SAMPLE * k, SAMPLE * (k + 1)): a batch tells where it came from
)


def _batches_cases(rng):
    cases = []
    for count, batch_size, sample_shape, dtype in (
        (int(rng.integers(20, 40)), int(rng.integers(3, 8)), (2, 3), "int64"),
        (int(rng.integers(12, 30)), 4, (), "float64"),
        (24, int(rng.choice([3, 4, 6, 8])), (3, 2, 2), "int32"),  # batch_size divides the count
        (int(rng.integers(10, 30)), int(rng.integers(3, 9)), (4, 4), "float32"),
    ):
        if count % batch_size == 0 and len(cases) != 2:
            count += 1
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
        "Shuffle the positions, not the arrays: draw a random order of the numbers 0 .. n - 1, then cut it into "
        "pieces of batch_size.",
        "np.random.default_rng(seed) makes a generator whose permutation(n) is a shuffled order; indexing the "
        "images and the labels with the same piece of that order keeps them together.",
        "Step through the shuffled order from 0 to n in steps of batch_size, yielding one pair per step; a "
        "slice that runs past the end simply stops there.",
    ),
)

# ---------------------------------------------------------------------------
# 01.3 one_hot_texts
# ---------------------------------------------------------------------------

PRINTABLE = np.arange(32, 127)


def _text(rng, size):
    return "".join(chr(int(c)) for c in rng.choice(PRINTABLE, size=size))


def _one_hot_cases(rng):
    cases = []
    for count in (int(rng.integers(2, 5)), 1, int(rng.integers(2, 5)), 3):
        length = int(rng.integers(4, 16))
        sizes = rng.integers(0, length + 6, size=count)
        cases.append({"texts": [_text(rng, int(n)) for n in sizes], "length": length})
    cases[2]["texts"][0] = _text(rng, cases[2]["length"] + 3)  # longer than length: cut
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
        "Two loops, one over the texts and one over the characters of a text; enumerate gives the positions, "
        "and a text can be cut to length with a slice.",
        "ord(character) is the code of a character: the index on the last axis.",
    ),
)

# ---------------------------------------------------------------------------
# 01.4 channels_first
# ---------------------------------------------------------------------------

MOVE_AXES = ("transpose", "moveaxis", "swapaxes", "rollaxis", "einsum", "permute_dims", "T", "mT")


def _channel_cases(rng):
    cases = []
    for count, channels in ((int(rng.integers(2, 5)), 3), (1, 1), (int(rng.integers(2, 4)), 4), (3, 2)):
        height, width = (int(n) for n in rng.integers(2, 7, size=2))
        if height == width:
            width += 1
        pixels = rng.integers(0, 256, size=(count, height, width, channels)).astype(np.uint8)
        cases.append({"images": pixels})
    return cases


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
        "That slice has shape (samples, height, width). Put the slices of all channels side by side along a "
        "new axis placed right after the samples axis.",
        "np.stack joins arrays along a new axis, and its axis argument says where that axis goes.",
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
        "Every element of a tensor takes the same number of bytes, and they sit side by side.",
        "The number of elements is the product of the sizes along the axes: start from the number that "
        "leaves a product unchanged, and multiply in one size per axis. What does that give for a shape with no axes?",
        "np.dtype(dtype) reads both np.float32 and the text 'float32'; its itemsize is the number of bytes per "
        "element. The answer should be a Python int.",
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
