"""Answer tables of 01_tensors: plausible mistakes and correct answers in other styles."""

import functools
import math
import operator
import random

import numpy as np

from . import Correct, Mistake, Table, mutations


def stub(*args, **kwargs):
    raise NotImplementedError


STUBS = (..., stub)

# ---------------------------------------------------------------------------
# 01.1 crop_center
# ---------------------------------------------------------------------------


def crop_center(images, size):
    top = (images.shape[1] - size) // 2
    left = (images.shape[2] - size) // 2
    return images[:, top : top + size, left : left + size]


def crop_in_two_steps(images, size):
    top = (images.shape[1] - size) // 2
    left = (images.shape[2] - size) // 2
    rows = images[:, top:][:, :size]
    return rows[:, :, left:][:, :, :size]


def crop_with_floor(images, size):
    _, height, width = images.shape
    top, left = math.floor((height - size) / 2), int((width - size) / 2)
    return images[:, top : top + size, left : left + size]


def crop_from_the_far_side(images, size):
    """Margins counted from the bottom-right corner, as the larger halves."""
    _, height, width = images.shape
    bottom, right = height - (height - size + 1) // 2, width - (width - size + 1) // 2
    return images[:, bottom - size : bottom, right - size : right]


def crop_one_by_one(images, size):
    top, left = (images.shape[1] - size) // 2, (images.shape[2] - size) // 2
    return np.array([image[top : top + size, left : left + size] for image in images], dtype=images.dtype)


def crop_with_slice_objects(images, size):
    rows, columns = (slice((n - size) // 2, (n - size) // 2 + size) for n in images.shape[1:])
    return images[np.s_[:, rows, columns]]


def crop_one_image(images, size):
    return crop_center(images, size)[0]


def crop_rounding_up(images, size):
    top = -(-(images.shape[1] - size) // 2)
    left = -(-(images.shape[2] - size) // 2)
    return images[:, top : top + size, left : left + size]


def crop_with_round(images, size):
    """Python's round goes to the even neighbour: 1.5 -> 2, 2.5 -> 2."""
    top = round((images.shape[1] - size) / 2)
    left = round((images.shape[2] - size) / 2)
    return images[:, top : top + size, left : left + size]


def crop_from_the_middle(images, size):
    """The middle pixel minus half the size: the extra row goes above when size and margin are odd."""
    top = images.shape[1] // 2 - size // 2
    left = images.shape[2] // 2 - size // 2
    return images[:, top : top + size, left : left + size]


def crop_left_edge(images, size):
    top = (images.shape[1] - size) // 2
    return images[:, top : top + size, :size]


def crop_with_the_row_margin_twice(images, size):
    top = (images.shape[1] - size) // 2
    return images[:, top : top + size, top : top + size]


def crop_with_negative_ends(images, size):
    top = (images.shape[1] - size) // 2
    left = (images.shape[2] - size) // 2
    return images[:, top:-top, left:-left]


def crop_as_floats(images, size):
    return crop_center(images, size).astype(float)


def crop_of_the_first_axes(images, size):
    top = (images.shape[0] - size) // 2
    left = (images.shape[1] - size) // 2
    return images[top : top + size, left : left + size]


CROP = Table(
    mistakes=(
        Mistake("top-left corner", lambda images, size: images[:, :size, :size], "top-left corner"),
        Mistake("crops only the first image", crop_one_image, "every image should be cropped"),
        mutations.right_for_one_input(
            crop_center, ("should keep every image", "not a square block", "not centred")
        ),
        mutations.writes_into_input(crop_center),
        Mistake("rounds the margins up", crop_rounding_up, "starts one position too late"),
        Mistake("banker's rounding with round()", crop_with_round, "starts one position too late"),
        Mistake("middle minus half the size", crop_from_the_middle, "starts one position too late"),
        Mistake("changes the dtype", crop_as_floats, "keeps the pixels as they are"),
        Mistake("left edge, rows centred", crop_left_edge, "not centred"),
        Mistake("row margin used for the columns", crop_with_the_row_margin_twice, "not centred"),
        Mistake("slices to -margin", crop_with_negative_ends, "cut a size x size square"),
        Mistake(
            "a fixed margin of 7", lambda images, size: images[:, 7:-7, 7:-7], "cut a size x size square"
        ),
        Mistake("crops the first two axes", crop_of_the_first_axes, "cut a size x size square"),
    ),
    correct=(
        Correct("the notebook's slices", crop_center),
        Correct("two slices per axis", crop_in_two_steps),
        Correct("floor of a float division", crop_with_floor),
        Correct("from the far side", crop_from_the_far_side),
        Correct("one image at a time", crop_one_by_one),
        Correct("slice objects", crop_with_slice_objects),
    ),
    not_attempted=STUBS,
)

# ---------------------------------------------------------------------------
# 01.2 batches
# ---------------------------------------------------------------------------


def batches(images, labels, batch_size, seed):
    order = np.random.default_rng(seed).permutation(len(images))
    for start in range(0, len(order), batch_size):
        chosen = order[start : start + batch_size]
        yield images[chosen], labels[chosen]


def batches_as_a_list(images, labels, batch_size, seed):
    order = np.arange(len(images))
    np.random.default_rng(seed).shuffle(order)
    return [
        (images[order[i : i + batch_size]], labels[order[i : i + batch_size]])
        for i in range(0, len(order), batch_size)
    ]


def batches_with_the_random_module(images, labels, batch_size, seed):
    positions = list(range(len(images)))
    random.Random(seed).shuffle(positions)
    while positions:
        chosen, positions = positions[:batch_size], positions[batch_size:]
        yield images[chosen], labels[chosen]


def batches_with_array_split(images, labels, batch_size, seed):
    order = np.random.default_rng(seed).permutation(len(images))
    count = -(-len(images) // batch_size)
    for chosen in np.array_split(order, [batch_size * k for k in range(1, count)]):
        yield images[chosen], labels[chosen]


def batches_with_a_legacy_seed(images, labels, batch_size, seed):
    order = np.random.RandomState(seed).permutation(len(images))
    for number in range(math.ceil(len(images) / batch_size)):
        chosen = order[number * batch_size : (number + 1) * batch_size]
        yield np.take(images, chosen, axis=0), np.take(labels, chosen)


def batches_dropping_the_last(images, labels, batch_size, seed):
    order = np.random.default_rng(seed).permutation(len(images))
    for start in range(0, len(order) - batch_size + 1, batch_size):
        chosen = order[start : start + batch_size]
        yield images[chosen], labels[chosen]


def batches_dropping_a_last_batch_of_one(images, labels, batch_size, seed):
    order = np.random.default_rng(seed).permutation(len(images))
    for start in range(0, len(order) - 1, batch_size):
        chosen = order[start : start + batch_size]
        yield images[chosen], labels[chosen]


def batches_counted_by_floor_division(images, labels, batch_size, seed):
    order = np.random.default_rng(seed).permutation(len(images))
    for number in range(len(images) // batch_size):
        chosen = order[number * batch_size : (number + 1) * batch_size]
        yield images[chosen], labels[chosen]


def batches_in_one_piece(images, labels, batch_size, seed):
    order = np.random.default_rng(seed).permutation(len(images))
    yield images[order], labels[order]


def batches_in_order(images, labels, batch_size, seed):
    for start in range(0, len(images), batch_size):
        yield images[start : start + batch_size], labels[start : start + batch_size]


def batches_without_seed(images, labels, batch_size, seed):
    order = np.random.permutation(len(images))
    for start in range(0, len(order), batch_size):
        yield images[order[start : start + batch_size]], labels[order[start : start + batch_size]]


def batches_with_a_fixed_seed(images, labels, batch_size, seed):
    return batches(images, labels, batch_size, 0)


def batches_with_two_orders(images, labels, batch_size, seed):
    rng = np.random.default_rng(seed)
    order, other = rng.permutation(len(images)), rng.permutation(len(images))
    for start in range(0, len(order), batch_size):
        yield images[order[start : start + batch_size]], labels[other[start : start + batch_size]]


def batches_shuffling_whole_batches(images, labels, batch_size, seed):
    count = len(images) - len(images) % batch_size  # every batch full, their order shuffled
    for start in np.random.default_rng(seed).permutation(range(0, count, batch_size)):
        yield images[start : start + batch_size], labels[start : start + batch_size]
    if count < len(images):
        yield images[count:], labels[count:]


def batches_one_too_many(images, labels, batch_size, seed):
    order = np.random.default_rng(seed).permutation(len(images))
    for start in range(0, len(order), batch_size):
        chosen = order[start : start + batch_size + 1]
        yield images[chosen], labels[chosen]


def batches_forever(images, labels, batch_size, seed):
    while True:
        yield from batches(images, labels, batch_size, seed)


def batches_returning_none(images, labels, batch_size, seed):
    batches(images, labels, batch_size, seed)


def batches_of_lists(images, labels, batch_size, seed):
    order = np.random.default_rng(seed).permutation(len(images))
    for start in range(0, len(order), batch_size):
        chosen = order[start : start + batch_size]
        yield [images[k] for k in chosen], [labels[k] for k in chosen]


BATCHES = Table(
    mistakes=(
        Mistake(
            "drops the last, smaller batch", batches_dropping_the_last, "leaves out the last, smaller batch"
        ),
        Mistake(
            "drops a last batch of one (range to n - 1)",
            batches_dropping_a_last_batch_of_one,
            "leaves out the last, smaller batch",
        ),
        Mistake(
            "counts the batches with n // batch_size",
            batches_counted_by_floor_division,
            "leaves out the last, smaller batch",
        ),
        Mistake(
            "ignores batch_size (one batch)",
            batches_in_one_piece,
            "every batch but the last holds batch_size",
        ),
        Mistake(
            "slices one sample too many", batches_one_too_many, "every batch but the last holds batch_size"
        ),
        Mistake("never shuffles", batches_in_order, "in their original order; they should be shuffled"),
        Mistake(
            "ignores the seed", batches_without_seed, "another order when called again with the same seed"
        ),
        Mistake("a fixed seed of 0", batches_with_a_fixed_seed, "the same order for two different seeds"),
        Mistake(
            "shuffles images and labels apart",
            batches_with_two_orders,
            "labels no longer belong to their images",
        ),
        Mistake(
            "shuffles whole batches",
            batches_shuffling_whole_batches,
            "every batch still holds consecutive samples",
        ),
        Mistake("never ends", batches_forever, "one pass ends when every sample has come once"),
        Mistake("returns nothing", batches_returning_none, "returned None; it should yield the batches"),
        Mistake(
            "yields images and labels as two items",
            lambda images, labels, size, seed: iter([images, labels]),
            "should return a tuple (images, labels)",
        ),
        Mistake("batches as lists", batches_of_lists, "should be a NumPy array"),
    ),
    correct=(
        Correct("the notebook's generator", batches),
        Correct("a list of pairs, shuffled in place", batches_as_a_list),
        Correct("Python's random module", batches_with_the_random_module),
        Correct("np.array_split", batches_with_array_split),
        Correct("legacy RandomState and np.take", batches_with_a_legacy_seed),
    ),
    not_attempted=STUBS,
)

# ---------------------------------------------------------------------------
# 01.3 one_hot_texts
# ---------------------------------------------------------------------------


def one_hot_texts(texts, length):
    tensor = np.zeros((len(texts), length, 128), dtype=np.uint8)
    for s, text in enumerate(texts):
        for t, character in enumerate(text[:length]):
            tensor[s, t, ord(character)] = 1
    return tensor


def one_hot_with_eye(texts, length):
    tensor = np.zeros((len(texts), length, 128), dtype=np.uint8)
    for s, text in enumerate(texts):
        codes = [ord(c) for c in text[:length]]
        tensor[s, : len(codes)] = np.eye(128, dtype=np.uint8)[codes]
    return tensor


def one_hot_with_a_break(texts, length):
    tensor = np.zeros((len(texts), length, 128), np.uint8)
    for s in range(len(texts)):
        for t in range(len(texts[s])):
            if t >= length:
                break
            tensor[s][t][ord(texts[s][t])] = 1
    return tensor


def one_hot_by_fancy_indexing(texts, length):
    tensor = np.zeros((len(texts), length, 128), dtype="uint8")
    for s, text in enumerate(texts):
        codes = np.frombuffer(text[:length].encode("ascii"), dtype=np.uint8)
        tensor[s, np.arange(len(codes)), codes] = 1
    return tensor


def one_hot_not_cut(texts, length):
    width = max([length, *map(len, texts)])
    return one_hot_texts(texts, width)


def one_hot_time_last(texts, length):
    return np.transpose(one_hot_texts(texts, length), (0, 2, 1))


def one_hot_reversed(texts, length):
    return one_hot_texts([text[:length][::-1] for text in texts], length)


def one_hot_keeping_the_end(texts, length):
    return one_hot_texts([text[-length:] for text in texts], length)


def one_hot_padded_with_spaces(texts, length):
    return one_hot_texts([text[:length].ljust(length) for text in texts], length)


def one_hot_at_the_end(texts, length):
    tensor = np.zeros((len(texts), length, 128), dtype=np.uint8)
    for s, text in enumerate(texts):
        start = length - len(text[:length])
        for t, character in enumerate(text[:length]):
            tensor[s, start + t, ord(character)] = 1
    return tensor


def one_hot_cut_one_short(texts, length):
    return one_hot_texts([text[: length - 1] for text in texts], length)


def one_hot_printable_only(texts, length):
    tensor = np.zeros((len(texts), length, 95), dtype=np.uint8)
    for s, text in enumerate(texts):
        for t, character in enumerate(text[:length]):
            tensor[s, t, ord(character) - 32] = 1
    return tensor


ONE_HOT = Table(
    mistakes=(
        Mistake("long texts not cut", one_hot_not_cut, "whatever its length"),
        mutations.right_for_one_input(one_hot_texts, ("whatever its length", "is off in")),
        Mistake("timesteps last", one_hot_time_last, "the axes are (samples, timesteps, characters)"),
        Mistake("characters reversed", one_hot_reversed, "wrote the characters in reverse order"),
        Mistake(
            "float zeros",
            lambda texts, length: one_hot_texts(texts, length).astype(float),
            "one byte each: uint8",
        ),
        Mistake("keeps the end of a long text", one_hot_keeping_the_end, "kept the end of a long text"),
        Mistake(
            "pads short texts with spaces", one_hot_padded_with_spaces, "padded the short texts with spaces"
        ),
        Mistake("short texts pushed to the end", one_hot_at_the_end, "at the end of each row block"),
        Mistake("cut one character short", one_hot_cut_one_short, "left out the last character"),
        Mistake("only the 95 printable codes", one_hot_printable_only, "one row of 128 per position"),
    ),
    correct=(
        Correct("the notebook's loops", one_hot_texts),
        Correct("rows of an identity matrix", one_hot_with_eye),
        Correct("index loops with a break", one_hot_with_a_break),
        Correct("fancy indexing of the codes", one_hot_by_fancy_indexing),
    ),
    not_attempted=STUBS,
)

# ---------------------------------------------------------------------------
# 01.4 channels_first
# ---------------------------------------------------------------------------


def channels_first(images):
    return np.stack([images[:, :, :, c] for c in range(images.shape[-1])], axis=1)


def channels_first_with_loops(images):
    n, h, w, c = images.shape
    out = np.empty((n, c, h, w), dtype=images.dtype)
    for k in range(c):
        out[:, k] = images[..., k]
    return out


def channels_first_pixel_by_pixel(images):
    n, h, w, c = images.shape
    out = np.zeros((n, c, h, w), dtype=images.dtype)
    for i in range(h):
        for j in range(w):
            out[:, :, i, j] = images[:, i, j, :]
    return out


def channels_first_by_concatenating(images):
    return np.concatenate([images[:, np.newaxis, :, :, c] for c in range(images.shape[3])], axis=1)


def channels_by_reshape(images):
    n, h, w, c = images.shape
    return images.reshape(n, c, h, w)


def channels_in_front(images):
    return np.stack([images[..., c] for c in range(images.shape[-1])], axis=0)


def channels_as_an_array_of_slices(images):
    return np.array([images[..., c] for c in range(images.shape[-1])])


def channels_height_width_swapped(images):
    n, h, w, c = images.shape
    out = np.empty((n, c, w, h), dtype=images.dtype)
    for i in range(h):
        for j in range(w):
            out[:, :, j, i] = images[:, i, j, :]
    return out


def channels_as_floats(images):
    return channels_first(images).astype(np.float32)


def channels_stacked_last(images):
    return np.stack([images[..., c] for c in range(images.shape[-1])], axis=-1)


def channels_for_rgb_only(images):
    return np.stack([images[..., 0], images[..., 1], images[..., 2]], axis=1)


def channels_stacked_after_height(images):
    return np.stack([images[..., c] for c in range(images.shape[-1])], axis=2)


CHANNELS = Table(
    mistakes=(
        Mistake("reshape instead of moving an axis", channels_by_reshape, "a reshape keeps the order"),
        Mistake("stacked along axis 0", channels_in_front, "the batch axis stays first"),
        Mistake(
            "np.array of the channel slices", channels_as_an_array_of_slices, "the batch axis stays first"
        ),
        Mistake("height and width swapped", channels_height_width_swapped, "height and width"),
        Mistake("changes the dtype", channels_as_floats, "moving an axis changes no pixel"),
        Mistake("returns the images as they are", lambda images: images, "the channel axis is still last"),
        Mistake("stacked along the last axis", channels_stacked_last, "the channel axis is still last"),
        Mistake(
            "stacked after the height axis",
            channels_stacked_after_height,
            "the channel axis should come right after",
        ),
        Mistake(
            "right only for 3 channels", channels_for_rgb_only, "take the number of channels from the images"
        ),
    ),
    correct=(
        Correct("the notebook's stack", channels_first),
        Correct("one channel at a time into an empty array", channels_first_with_loops),
        Correct("pixel by pixel", channels_first_pixel_by_pixel),
        Correct("concatenating slices with a new axis", channels_first_by_concatenating),
    ),
    not_attempted=STUBS,
)

# ---------------------------------------------------------------------------
# 01.5 memory_bytes
# ---------------------------------------------------------------------------


def memory_bytes(shape, dtype):
    count = 1
    for size in shape:
        count *= size
    return count * np.dtype(dtype).itemsize


def memory_with_a_while_loop(shape, dtype):
    elements, axis = 1, 0
    while axis < len(shape):
        elements = elements * shape[axis]
        axis += 1
    return int(elements * np.dtype(dtype).itemsize)


def memory_from_the_bits(shape, dtype):
    elements = 1
    for axis in range(len(shape)):
        elements *= int(shape[axis])
    bits = np.dtype(dtype).itemsize * 8
    return elements * bits // 8


def memory_recursive(shape, dtype):
    if not shape:
        return np.dtype(dtype).itemsize
    return shape[0] * memory_recursive(shape[1:], dtype)


def memory_with_reduce(shape, dtype):
    return functools.reduce(operator.mul, shape, 1) * np.dtype(dtype).itemsize


def memory_with_a_variable_named_prod(shape, dtype):
    prod = 1
    for size in shape:
        prod *= size
    return prod * np.dtype(dtype).itemsize


def scalar_is_empty(shape, dtype):
    return memory_bytes(shape, dtype) if shape else 0


def memory_float(shape, dtype):
    return float(memory_bytes(shape, dtype))


def memory_from_zero(shape, dtype):
    count = 0
    for size in shape:
        count *= size
    return count * np.dtype(dtype).itemsize


def elements_only(shape, dtype):
    return memory_bytes(shape, np.uint8)


def memory_sum(shape, dtype):
    count = 0
    for size in shape:
        count += size
    return count * np.dtype(dtype).itemsize


def memory_of_the_rank(shape, dtype):
    return len(shape) * np.dtype(dtype).itemsize


def memory_without_the_first_axis(shape, dtype):
    count = 1
    for axis in range(1, len(shape)):
        count *= shape[axis]
    return count * np.dtype(dtype).itemsize


def memory_from_the_dtype_itself(shape, dtype):
    count = 1
    for size in shape:
        count *= size
    return count * dtype.itemsize


def memory_for_five_axes(shape, dtype):
    return shape[0] * shape[1] * shape[2] * shape[3] * shape[4] * np.dtype(dtype).itemsize


MEMORY = Table(
    mistakes=(
        Mistake("counts elements, not bytes", elements_only, "number of elements, not of bytes"),
        mutations.right_for_one_input(memory_bytes, "which is not right"),
        Mistake(
            "4 bytes whatever the dtype",
            lambda shape, dtype: memory_bytes(shape, np.float32),
            "4 bytes per element",
        ),
        Mistake("counts bits", lambda shape, dtype: 8 * memory_bytes(shape, dtype), "bits, not of bytes"),
        Mistake("adds the sizes", memory_sum, "the element count is a product"),
        Mistake("product started from 0", memory_from_zero, "a product that starts from 0 stays 0"),
        Mistake("a scalar takes 0 bytes", scalar_is_empty, "a scalar (shape ()) holds one element"),
        Mistake("returns a float", memory_float, "a number of bytes is a whole number"),
        Mistake("the number of axes for the elements", memory_of_the_rank, "the number of axes"),
        Mistake("loop starts at axis 1", memory_without_the_first_axis, "left out one axis"),
        Mistake(
            "itemsize of what was given, not of np.dtype",
            memory_from_the_dtype_itself,
            "raised AttributeError",
        ),
        Mistake("right only for five axes", memory_for_five_axes, "raised IndexError"),
    ),
    correct=(
        Correct("the notebook's loop", memory_bytes),
        Correct("a while loop", memory_with_a_while_loop),
        Correct("bits divided by 8", memory_from_the_bits),
        Correct("recursion over the axes", memory_recursive),
        Correct("functools.reduce with operator.mul", memory_with_reduce),
        Correct("a variable named prod", memory_with_a_variable_named_prod),
    ),
    not_attempted=STUBS,
)

TABLES = {"01.1": CROP, "01.2": BATCHES, "01.3": ONE_HOT, "01.4": CHANNELS, "01.5": MEMORY}
