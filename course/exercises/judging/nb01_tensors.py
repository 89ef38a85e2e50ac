"""The judges of 01_tensors: what each exercise's answer is compared with."""

import math

import numpy as np

from ..checks.nb01_tensors import SAMPLE
from . import expect
from .expect import Wrong


def _judge_crop(case, seen):
    images, size = case["images"], case["size"]
    count, height, width = images.shape
    what = f"crop_center(images of shape {images.shape}, {size})"
    got = expect.array(seen, what)
    if got.ndim == 2 and got.shape == (size, size):
        raise Wrong(f"{what} has shape {got.shape}: it cropped one image, but every image should be cropped.")
    if got.shape != (count, size, size):
        raise Wrong(
            f"{what} has shape {got.shape}: it should keep every image and cut a size x size square out of "
            "each one."
        )
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


def _samples(count):
    return f"{count} sample" if count == 1 else f"{count} samples"


def _order(case, run, what):
    """The sample numbers of one pass, in order, after checking every batch of it."""
    images, labels, size = case["images"], case["labels"], case["batch_size"]
    order = []
    for number, seen in enumerate(run):
        where = f"batch {number} of {what}"
        pair = expect.items(seen, ("images", "labels"), where)
        got = expect.array(pair[0], f"the images of {where}")
        got_labels = expect.array(pair[1], f"the labels of {where}")
        if got.shape[1:] != images.shape[1:]:
            raise Wrong(
                f"the images of {where} have shape {got.shape}: a batch keeps each sample's shape "
                f"{images.shape[1:]} and stacks the samples along a new first axis."
            )
        if got.dtype != images.dtype:
            raise Wrong(
                f"the images of {where} have dtype {got.dtype}; a batch keeps the samples' {images.dtype}."
            )
        if got_labels.shape != got.shape[:1]:
            raise Wrong(
                f"{where} holds {len(got)} images but labels of shape {got_labels.shape}: one label per image."
            )
        for sample in got:
            k = int(np.asarray(sample).flat[0]) // SAMPLE if sample.size else -1
            if not (0 <= k < len(images) and np.array_equal(sample, images[k])):
                raise Wrong(f"{where} holds a sample that is not one of the images given.")
            order.append(k)
        if any(got_labels != labels[order[len(order) - len(got) :]]):
            raise Wrong(
                f"in {where} some labels no longer belong to their images: shuffle both the same way."
            )
        if len(got) != size and number != len(run) - 1:
            raise Wrong(
                f"{where} holds {_samples(len(got))}; every batch but the last holds batch_size = {size}."
            )
    return order


def _consecutive(order, size):
    """Whether every batch of a pass holds samples that were neighbours (whole batches shuffled, say).

    A true shuffle does that by chance only when there are few batches: the judge asks with 4 full
    batches or more, and on two passes with different seeds.
    """
    blocks = [sorted(order[start : start + size]) for start in range(0, len(order), size)]
    return all(block == list(range(block[0], block[0] + len(block))) for block in blocks)


def _judge_batches(case, seen):
    images, size = case["images"], case["batch_size"]
    count = len(images)
    what = f"batches({count} samples of shape {images.shape[1:]}, labels, batch_size={size}, seed)"
    if "returned" in seen:
        raise Wrong(
            f"{what} returned {expect.described(seen['returned'])}; it should yield the batches one by one."
        )
    first, again, other = seen["runs"]
    if not first:
        raise Wrong(f"{what} yields no batch at all.")
    want = -(-count // size)
    if len(first) > want:
        raise Wrong(
            f"{what} yields more batches than one pass over {count} samples in batches of {size} needs: one "
            "pass ends when every sample has come once."
        )
    order = _order(case, first, "one pass")
    missing = count - len(set(order))
    if len(order) != len(set(order)):
        raise Wrong(f"{what} gives some samples more than once in one pass; each should come exactly once.")
    if missing:
        last = count % size
        if last and missing == last and len(first) == want - 1:
            raise Wrong(
                f"{what} leaves out the last, smaller batch ({_samples(missing)}): when batch_size does not "
                "divide the number of samples, the last batch holds the samples that are left."
            )
        raise Wrong(f"{what} never gives {missing} of the {count} samples.")
    if len(first) < want:
        batches = "1 batch" if len(first) == 1 else f"{len(first)} batches"
        raise Wrong(
            f"{what} yields {batches} holding all {count} samples: every batch but the last holds "
            f"batch_size = {size} samples."
        )
    other_order = _order(case, other, "a pass with another seed")
    if order == sorted(order) and other_order == sorted(other_order):
        raise Wrong(f"{what} gives the samples in their original order; they should be shuffled.")
    if count // size >= 4 and _consecutive(order, size) and _consecutive(other_order, size):
        raise Wrong(
            f"{what} only shuffles within neighbours: every batch still holds consecutive samples. Shuffle the "
            "samples themselves, then cut the batches."
        )
    if _order(case, again, "a second pass with the same seed") != order:
        raise Wrong(
            f"{what} gives another order when called again with the same seed; the seed should fix the order."
        )
    if other_order == order:
        raise Wrong(
            f"{what} gives the same order for two different seeds; the order should depend on the seed."
        )
    return (
        "batches gives every sample once per pass, in a shuffled order fixed by the seed, with a smaller "
        "last batch when needed, for samples of any shape."
    )


ALPHABET = 128  # the ASCII characters


def _one_hot(texts, length):
    tensor = np.zeros((len(texts), length, ALPHABET), dtype=np.uint8)
    for s, text in enumerate(texts):
        for t, character in enumerate(text[:length]):
            tensor[s, t, ord(character)] = 1
    return tensor


def _judge_one_hot(case, seen):
    texts, length = case["texts"], case["length"]
    what = f"one_hot_texts({len(texts)} texts, length={length})"
    got = expect.array(seen, what)
    want = _one_hot(texts, length)
    if got.shape != want.shape and sorted(got.shape) == sorted(want.shape):
        raise Wrong(
            f"{what} has shape {got.shape}: the axes are (samples, timesteps, characters), in that order."
        )
    if got.shape != want.shape:
        raise Wrong(
            f"{what} has shape {got.shape}, but it should hold one block per text, {length} positions per "
            f"text whatever its length, and one row of {ALPHABET} per position."
        )
    if got.dtype != np.uint8:
        raise Wrong(f"{what} has dtype {got.dtype}; zeros and ones fit in one byte each: uint8.")
    reversed_texts = _one_hot([text[:length][::-1] for text in texts], length)
    mistakes = {
        "put the characters at the end of each row block instead of from position 0": np.stack(
            [np.roll(w, length - min(len(text), length), axis=0) for w, text in zip(want, texts)]
        ),
        "wrote the characters in reverse order": reversed_texts,
        "kept the end of a long text; a text is cut after its first length characters": _one_hot(
            [text[-length:] for text in texts], length
        ),
        "left out the last character of a long text: a text keeps as many characters as there are "
        "positions": _one_hot([text[: length - 1] for text in texts], length),
        "padded the short texts with spaces; the positions after the end of a text stay all zero": _one_hot(
            [text[:length].ljust(length) for text in texts], length
        ),
    }
    expect.close(got, want, what, near_misses=mistakes, rtol=0, atol=0)
    return "one_hot_texts turns texts into a (samples, timesteps, 128) tensor, cutting long texts and padding short ones."


def _judge_channels(case, seen):
    images = case["images"]
    count, height, width, channels = images.shape
    what = f"channels_first(images of shape {images.shape})"
    got = expect.array(seen, what)
    want = np.transpose(images, (0, 3, 1, 2))
    if got.dtype != images.dtype:
        raise Wrong(
            f"{what} has dtype {got.dtype}; moving an axis changes no pixel, so it stays {images.dtype}."
        )
    if got.shape == want.shape and np.array_equal(got, images.reshape(want.shape)) and channels > 1:
        raise Wrong(
            f"{what} has the right shape, but its pixels are scrambled: a reshape keeps the order in which the "
            "numbers are stored, so it does not move the channel axis."
        )
    if (
        len(got.shape) == 4
        and got.shape != want.shape
        and got.shape[::2] == (count, height)
        and got.shape[3] == width
    ):
        raise Wrong(
            f"{what} has {got.shape[1]} channels, but these images have {channels}: take the number of "
            "channels from the images."
        )
    shapes = {
        (count, height, channels, width): "the channel axis should come right after the batch axis, "
        "before height and width",
        (count, channels, width, height): "height and width changed places",
        (channels, count, height, width): "the channel axis went in front of the batch axis; the batch axis "
        "stays first",
        (count, height, width, channels): "the channel axis is still last",
    }
    if got.shape != want.shape and got.shape in shapes:
        raise Wrong(f"{what} has shape {got.shape}: {shapes[got.shape]}.")
    mistakes = {
        "swapped height and width": np.transpose(images, (0, 3, 2, 1)),
        "put the channel axis in front of the batch axis; the batch axis stays first": np.transpose(
            images, (3, 0, 1, 2)
        ),
    }
    expect.close(got, want, what, near_misses=mistakes)
    return "channels_first moves the channel axis after the batch axis and leaves every pixel as it was."


def _judge_memory(case, seen):
    shape, dtype = tuple(case["shape"]), np.dtype(case["dtype"])
    what = (
        f"memory_bytes({shape}, {case['dtype']!r})"
        if case["as_text"]
        else f"memory_bytes({shape}, np.{dtype.name})"
    )
    elements = math.prod(shape)
    want = elements * dtype.itemsize
    if seen.get("type") in expect.NUMBER_TYPES - expect.INTEGER_TYPES:
        value = seen["value"]
        if value == want:
            raise Wrong(f"{what} is the float {value!r}: a number of bytes is a whole number (int).")
    got = expect.whole_number(seen, what)
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
        "the number of axes times the bytes per element; count the elements instead": len(shape)
        * dtype.itemsize,
    }
    if shape:
        mistakes["a count that left out one axis (the first)"] = math.prod(shape[1:]) * dtype.itemsize
        mistakes["a count that left out one axis (the last)"] = math.prod(shape[:-1]) * dtype.itemsize
    if not shape and got == 0:
        raise Wrong(f"{what} is 0, but a scalar (shape ()) holds one element.")
    if got == 0 and want:
        raise Wrong(f"{what} is 0: a product that starts from 0 stays 0, whatever it is multiplied by.")
    for why, mistake in mistakes.items():
        if got == mistake and mistake != want:
            raise Wrong(f"{what} is {got:,}: that is {why}.")
    raise Wrong(f"{what} is {got:,}, which is not right.")


JUDGES = {
    "01.1": _judge_crop,
    "01.2": _judge_batches,
    "01.3": _judge_one_hot,
    "01.4": _judge_channels,
    "01.5": _judge_memory,
}
