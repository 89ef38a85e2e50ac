"""The exercises of 01_tensors (its quizzes: tests/test_quizzes.py): right answers pass, mistakes get a diagnosis, cheats fail."""

import math
from unittest import mock

import numpy as np
import pytest

import course.exercises.checks.nb01_tensors  # noqa: F401  (registers 01's exercises without the other notebooks)
from course import tensors
from course.exercises import FAILED, PASSED, evaluate

from .helpers import assert_hints_climb_without_code, assert_not_attempted_quietly, lookup_table, stub

SEEDS = (0, 1, 2, 3, 2024)


def crop_center(images, size):
    top = (images.shape[1] - size) // 2
    left = (images.shape[2] - size) // 2
    return images[:, top : top + size, left : left + size]


def batches(images, labels, batch_size, seed):
    order = np.random.default_rng(seed).permutation(len(images))
    for start in range(0, len(order), batch_size):
        chosen = order[start : start + batch_size]
        yield images[chosen], labels[chosen]


def one_hot_texts(texts, length):
    tensor = np.zeros((len(texts), length, 128), dtype=np.uint8)
    for s, text in enumerate(texts):
        for t, character in enumerate(text[:length]):
            tensor[s, t, ord(character)] = 1
    return tensor


def channels_first(images):
    return np.stack([images[:, :, :, c] for c in range(images.shape[-1])], axis=1)


def memory_bytes(shape, dtype):
    count = 1
    for size in shape:
        count *= size
    return count * np.dtype(dtype).itemsize


RIGHT = {
    "01.1": crop_center,
    "01.2": batches,
    "01.3": one_hot_texts,
    "01.4": channels_first,
    "01.5": memory_bytes,
}

# What the solutions contain: no message or hint may show it.
SOLUTION_CODE = {
    "01.1": ("(height - size) // 2", "images.shape[1] - size", "top + size", "[:, top"),
    "01.2": ("permutation(len(images))", "order[start", "range(0, len(order), batch_size)", "yield images["),
    "01.3": ("tensor[s, t, ord(character)] = 1", "text[:length]", "np.zeros((len(texts), length, 128)"),
    "01.4": ("images[:, :, :, c]", "axis=1)", "range(images.shape[-1])"),
    "01.5": ("count *= size", "count = 1", "* np.dtype", "itemsize *", "* itemsize"),
}


@pytest.mark.parametrize("seed", SEEDS)
@pytest.mark.parametrize("exercise_id", sorted(RIGHT))
def test_the_right_answer_passes(exercise_id, seed):
    feedback = evaluate(exercise_id, RIGHT[exercise_id], seed=seed)
    assert feedback.status == PASSED, feedback.message


def batches_as_a_list(images, labels, batch_size, seed):
    order = np.arange(len(images))
    np.random.default_rng(seed).shuffle(order)
    return [
        (images[order[i : i + batch_size]], labels[order[i : i + batch_size]])
        for i in range(0, len(order), batch_size)
    ]


def one_hot_with_eye(texts, length):
    tensor = np.zeros((len(texts), length, 128), dtype=np.uint8)
    for s, text in enumerate(texts):
        codes = [ord(c) for c in text[:length]]
        tensor[s, : len(codes)] = np.eye(128, dtype=np.uint8)[codes]
    return tensor


def channels_first_with_loops(images):
    n, h, w, c = images.shape
    out = np.empty((n, c, h, w), dtype=images.dtype)
    for k in range(c):
        out[:, k] = images[..., k]
    return out


def test_other_right_answers_pass():
    assert evaluate(
        "01.1", lambda im, s: im[:, (im.shape[1] - s) // 2 :][:, :s, (im.shape[2] - s) // 2 :][:, :, :s]
    ).passed
    assert evaluate("01.2", batches_as_a_list).passed
    assert evaluate("01.3", one_hot_with_eye).passed
    assert evaluate("01.4", channels_first_with_loops).passed
    assert evaluate("01.5", lambda shape, dtype: math.prod(shape) * np.dtype(dtype).itemsize).status == FAILED


@pytest.mark.parametrize("exercise_id", sorted(RIGHT))
@pytest.mark.parametrize("answer", [..., stub], ids=["ellipsis", "raises NotImplementedError"])
def test_stubs_are_not_attempted_and_give_nothing_away(exercise_id, answer):
    assert_not_attempted_quietly(exercise_id, answer, SOLUTION_CODE[exercise_id])


@pytest.mark.parametrize("exercise_id", sorted(RIGHT))
def test_hints_give_no_solution_code(exercise_id):
    assert_hints_climb_without_code(exercise_id, SOLUTION_CODE[exercise_id])


def crop_one_image(images, size):
    return crop_center(images, size)[0]


def crop_rounding_up(images, size):
    top = -(-(images.shape[1] - size) // 2)
    left = -(-(images.shape[2] - size) // 2)
    return images[:, top : top + size, left : left + size]


def crop_left_edge(images, size):
    top = (images.shape[1] - size) // 2
    return images[:, top : top + size, :size]


def crop_as_floats(images, size):
    return crop_center(images, size).astype(float)


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


def batches_dropping_the_last(images, labels, batch_size, seed):
    order = np.random.default_rng(seed).permutation(len(images))
    for start in range(0, len(order) - batch_size + 1, batch_size):
        chosen = order[start : start + batch_size]
        yield images[chosen], labels[chosen]


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


def batches_forever(images, labels, batch_size, seed):
    while True:
        yield from batches(images, labels, batch_size, seed)


def batches_returning_none(images, labels, batch_size, seed):
    batches(images, labels, batch_size, seed)


def one_hot_not_cut(texts, length):
    width = max([length, *map(len, texts)])
    return one_hot_texts(texts, width)


def one_hot_time_last(texts, length):
    return np.transpose(one_hot_texts(texts, length), (0, 2, 1))


def one_hot_reversed(texts, length):
    return one_hot_texts([text[:length][::-1] for text in texts], length)


def channels_by_reshape(images):
    n, h, w, c = images.shape
    return images.reshape(n, c, h, w)


def channels_in_front(images):
    return np.stack([images[..., c] for c in range(images.shape[-1])], axis=0)


def channels_height_width_swapped(images):
    n, h, w, c = images.shape
    out = np.empty((n, c, w, h), dtype=images.dtype)
    for i in range(h):
        for j in range(w):
            out[:, :, j, i] = images[:, i, j, :]
    return out


def channels_as_floats(images):
    return channels_first(images).astype(np.float32)


WRONG = [
    ("01.1", lambda images, size: images[:, :size, :size], "top-left corner"),
    ("01.1", crop_one_image, "every image should be cropped"),
    ("01.1", crop_rounding_up, "the extra one goes below"),
    ("01.1", crop_as_floats, "keeps the pixels as they are"),
    ("01.1", crop_left_edge, "centre"),
    ("01.1", lambda images, size: images[:, 7:-7, 7:-7], "should have shape"),
    ("01.2", batches_dropping_the_last, "leaves out the last, smaller batch"),
    ("01.2", batches_in_order, "in their original order; they should be shuffled"),
    ("01.2", batches_without_seed, "another order when called again with the same seed"),
    ("01.2", batches_with_a_fixed_seed, "the same order for two different seeds"),
    ("01.2", batches_with_two_orders, "labels no longer belong to their images"),
    ("01.2", batches_shuffling_whole_batches, "every batch still holds consecutive samples"),
    ("01.2", batches_forever, "one pass ends there"),
    ("01.2", batches_returning_none, "returned None; it should yield the batches"),
    (
        "01.2",
        lambda images, labels, size, seed: iter([images, labels]),
        "should return a tuple (images, labels)",
    ),
    ("01.3", one_hot_not_cut, "whatever its length"),
    ("01.3", one_hot_time_last, "the axes are (samples, timesteps, characters)"),
    ("01.3", one_hot_reversed, "wrote the characters in reverse order"),
    ("01.3", lambda texts, length: one_hot_texts(texts, length).astype(float), "one byte each: uint8"),
    ("01.4", channels_by_reshape, "a reshape keeps the order"),
    ("01.4", channels_in_front, "the batch axis stays first"),
    ("01.4", channels_height_width_swapped, "height and width"),
    ("01.4", channels_as_floats, "moving an axis changes no pixel"),
    ("01.4", lambda images: images, "the channel axis is still last"),
    ("01.5", elements_only, "number of elements, not of bytes"),
    ("01.5", lambda shape, dtype: memory_bytes(shape, np.float32), "4 bytes per element"),
    ("01.5", lambda shape, dtype: 8 * memory_bytes(shape, dtype), "bits, not of bytes"),
    ("01.5", memory_sum, "the element count is a product"),
    ("01.5", memory_from_zero, "a product that starts from 0 stays 0"),
    ("01.5", scalar_is_empty, "a scalar (shape ()) holds one element"),
    ("01.5", memory_float, "a number of bytes is a whole number"),
]


@pytest.mark.parametrize("exercise_id, answer, says", WRONG)
def test_plausible_mistakes_get_a_diagnosis(exercise_id, answer, says):
    for seed in SEEDS[:3]:
        feedback = evaluate(exercise_id, answer, seed=seed)
        assert feedback.status == FAILED and says in feedback.message, feedback.message
        assert feedback.hint


def blank_images(images, size):
    images.fill(0)
    return crop_center(images, size)


def shuffle_in_place(images, labels, batch_size, seed):
    np.random.default_rng(seed).shuffle(images)
    yield from batches(images, labels, batch_size, seed)


def one_hot_writing_into_texts(texts, length):
    texts.append("x")
    return one_hot_texts(texts[:-1], length)


def memory_with_nbytes(shape, dtype):
    return np.zeros(shape, dtype).nbytes


def memory_with_math_prod(shape, dtype):
    return math.prod(shape) * np.dtype(dtype).itemsize


def channels_with_transpose(images):
    return np.transpose(images, (0, 3, 1, 2))


def channels_with_moveaxis(images):
    return np.moveaxis(images, -1, 1)


def channels_with_dot_t(images):
    return images.T.T.copy()


CHEATS = [
    ("01.1", blank_images, "changes one of its input arrays in place"),
    ("01.2", shuffle_in_place, "changes one of its input arrays in place"),
    ("01.2", tensors.batches, "write it yourself, and your code uses course.tensors.batches"),
    (
        "01.2",
        lambda *args: tensors.batches(*args),
        "write it yourself, and your code uses course.tensors.batches",
    ),
    ("01.4", channels_with_transpose, "write it yourself, and your code uses transpose"),
    ("01.4", channels_with_moveaxis, "write it yourself, and your code uses moveaxis"),
    ("01.4", channels_with_dot_t, "write it yourself, and your code uses T"),
    ("01.5", memory_with_nbytes, "write it yourself, and your code uses nbytes"),
    ("01.5", memory_with_math_prod, "write it yourself, and your code uses prod"),
    ("01.1", mock.ANY, "expected a function"),
    ("01.1", lambda *args: mock.ANY, "should be a NumPy array"),
    ("01.2", lambda *args: mock.ANY, "returned a unittest.mock._ANY; it should yield the batches"),
    ("01.2", lambda *args: iter([mock.ANY]), "should return a tuple"),
    ("01.3", lambda *args: mock.ANY, "should be a NumPy array"),
    ("01.4", lambda *args: mock.ANY, "should be a NumPy array"),
    ("01.5", lambda *args: mock.ANY, "should be a whole number"),
    ("01.5", lambda *args: True, "should be a whole number"),
    ("01.5", mock.ANY, "expected a function"),
]


@pytest.mark.parametrize("exercise_id, answer, says", CHEATS)
def test_cheats_fail(exercise_id, answer, says):
    feedback = evaluate(exercise_id, answer, seed=5)
    assert feedback.status == FAILED and says in feedback.message, feedback.message


@pytest.mark.parametrize("exercise_id", sorted(RIGHT))
def test_a_lookup_table_of_outputs_fails(exercise_id):
    feedback = evaluate(exercise_id, lookup_table(exercise_id, RIGHT[exercise_id], seed=0), seed=1)
    assert feedback.status == FAILED, feedback.message


@pytest.mark.parametrize("exercise_id", sorted(RIGHT))
def test_cases_vary_with_the_seed(exercise_id):
    from course.exercises.registry import draw_cases, lookup

    first, second = (repr(draw_cases(lookup(exercise_id), seed)) for seed in (0, 1))
    assert first != second
