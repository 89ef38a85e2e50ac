"""01's lesson module: the slicing picture and its explorer, and the shuffled batch iterator (01's exercises: test_exercises_01.py)."""

import matplotlib

matplotlib.use("Agg")

import numpy as np  # noqa: E402
import pytest  # noqa: E402

from course.tensors import batches, draw_slice, slicing_explorer  # noqa: E402

IMAGES = np.arange(3 * 28 * 28).reshape(3, 28, 28) % 256


def titles(fig):
    return [ax.get_title() for ax in fig.axes] + [fig._suptitle.get_text()]


def test_the_picture_names_the_slice_and_its_shapes():
    fig = draw_slice(IMAGES, 1, 6, 22, 10, 14)
    shown = " | ".join(titles(fig))
    assert "image[6:22, 10:14]\nshape (16, 4)" in shown
    assert "images[:, 6:22, 10:14] has shape (3, 16, 4)" in shown
    assert "image 1: shape (28, 28)" in shown
    frame = fig.axes[0].patches[0]
    assert (frame.get_x(), frame.get_y(), frame.get_width(), frame.get_height()) == (9.5, 5.5, 4, 16)
    assert fig.axes[1].images[0].get_array().shape == (16, 4)
    assert fig.canvas.manager is None and fig.get_facecolor() == (1, 1, 1, 1)  # the course's figure policy


def test_a_start_past_its_stop_selects_nothing_as_numpy_does():
    fig = draw_slice(IMAGES, 0, 20, 5, 0, 28)
    assert "shape (0, 28)" in fig.axes[1].get_title()
    assert IMAGES[0, 20:5, 0:28].shape == (0, 28)
    assert not fig.axes[0].patches and "selects nothing" in fig.axes[1].texts[0].get_text()


def test_bad_slices_and_images_get_clear_errors():
    with pytest.raises(ValueError, match="row_stop must be between 0 and 28, got 29"):
        draw_slice(IMAGES, 0, 0, 29, 0, 5)
    with pytest.raises(TypeError, match="column_start must be an int"):
        draw_slice(IMAGES, 0, 0, 5, 1.5, 5)
    with pytest.raises(ValueError, match="index must be between 0 and 2, got 3"):
        draw_slice(IMAGES, 3, 0, 5, 0, 5)
    with pytest.raises(ValueError, match="images must be 3-D"):
        draw_slice(IMAGES[0], 0, 0, 5, 0, 5)
    with pytest.raises(ValueError, match="at least one image"):
        slicing_explorer(IMAGES[:0])


def test_the_explorer_redraws_when_a_slider_moves():
    box = slicing_explorer(IMAGES)
    assert set(box.controls) == {"image", "row_start", "row_stop", "column_start", "column_stop"}
    assert "image[7:21, 7:21]" in box.result.axes[1].get_title()
    assert bytes(box.picture.value).startswith(b"\x89PNG")
    box.controls["row_start"].value = 0
    box.controls["column_stop"].value = 28
    assert "image[0:21, 7:28]\nshape (21, 21)" in box.result.axes[1].get_title()
    box.controls["image"].value = 2
    assert box.result.axes[0].get_title() == "image 2: shape (28, 28)"
    assert box.controls["image"].max == 2
    many = np.zeros((150, 5, 6))
    box = slicing_explorer(many)
    assert box.controls["image"].max == 99  # a slider over the first 100 images
    assert "has shape (150, 3, 4)" in box.result._suptitle.get_text()  # the shape of the whole stack


def test_batches_give_every_sample_once_in_a_shuffled_order_fixed_by_the_seed():
    images = np.arange(23 * 2).reshape(23, 2)
    labels = np.arange(23) % 10
    run = list(batches(images, labels, 5, seed=3))
    assert [len(x) for x, _ in run] == [5, 5, 5, 5, 3]
    order = np.concatenate([x[:, 0] // 2 for x, _ in run])
    assert sorted(order) == list(range(23)) and list(order) != list(range(23))
    assert all(np.array_equal(y, (x[:, 0] // 2) % 10) for x, y in run)
    again = np.concatenate([x[:, 0] // 2 for x, _ in batches(images, labels, 5, seed=3)])
    other = np.concatenate([x[:, 0] // 2 for x, _ in batches(images, labels, 5, seed=4)])
    assert np.array_equal(order, again) and not np.array_equal(order, other)
    assert [len(x) for x, _ in batches(images, labels, 23)] == [23]


def test_batches_check_their_arguments_before_the_first_batch():
    images, labels = np.zeros((4, 2)), np.zeros(4)
    with pytest.raises(ValueError, match="images and labels must have the same length, got 4 and 3"):
        batches(images, labels[:3], 2)
    with pytest.raises(ValueError, match="batch_size must be >= 1, got 0"):
        batches(images, labels, 0)
    with pytest.raises(TypeError, match="seed must be an int, got bool"):
        batches(images, labels, 2, seed=True)
    with pytest.raises(TypeError, match="images must be an array of numbers"):
        batches("images", labels, 2)
