import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pytest  # noqa: E402

from course.plots import history_logs, image_grid, training_curves  # noqa: E402


@pytest.fixture(autouse=True)
def close_figures():
    yield
    plt.close("all")


@pytest.mark.parametrize(
    "images",
    [
        np.zeros((5, 28, 28), np.uint8),
        np.random.rand(3, 8, 8, 3),
        np.random.rand(2, 8, 8, 1).astype(np.float32),
    ],
)
def test_image_grid_draws_one_titled_axes_per_image(images):
    labels = list(range(len(images)))
    fig = image_grid(images, labels, ncols=2, title="t")
    shown = [ax for ax in fig.axes if ax.images]
    assert len(shown) == len(images)
    assert [ax.get_title() for ax in shown] == [str(label) for label in labels]
    assert len(fig.axes) == 2 * -(-len(images) // 2)


@pytest.mark.parametrize(
    "images, labels, ncols, says",
    [
        (np.zeros((28, 28)), None, 8, r"shape \(n, height, width\).*got a 2-D array of shape \(28, 28\)"),
        (np.zeros((0, 4, 4)), None, 8, "at least one image"),
        (np.zeros((2, 0, 4)), None, 8, r"at least 1×1 pixels, got shape \(2, 0, 4\)"),
        (np.zeros((2, 4, 4, 2)), None, 8, "1, 3 or 4 channels"),
        (
            np.zeros((257, 2, 2)),
            None,
            8,
            "the number of images is 257; the most this function handles is 256",
        ),
        (np.zeros((3, 4, 4)), [1, 2], 8, "labels and images must have the same length, got 2 and 3"),
        (np.zeros((3, 4, 4)), None, 0, "ncols must be >= 1, got 0"),
    ],
)
def test_image_grid_rejects_bad_input(images, labels, ncols, says):
    with pytest.raises(ValueError, match=says):
        image_grid(images, labels, ncols=ncols)


def test_training_curves_draw_training_and_validation():
    logs = {"loss": [3, 2, 1, 0.5], "val_loss": [3.5, 2.5], "accuracy": [0.1, 0.5, 0.7, 0.8]}
    fig = training_curves(logs, metrics=("loss", "accuracy"))
    loss_ax, accuracy_ax = fig.axes
    train, val = loss_ax.lines
    assert list(train.get_ydata()) == logs["loss"]
    # validation every second epoch (validation_freq=2) is drawn at epochs 2 and 4
    assert list(val.get_xdata()) == [2.0, 4.0] and list(val.get_ydata()) == logs["val_loss"]
    assert len(accuracy_ax.lines) == 1


def test_training_curves_and_history_logs_reject_bad_input():
    with pytest.raises(ValueError, match=r"history has no 'accuracy'; it has \['loss'\]"):
        training_curves({"loss": [1.0]}, metrics=("accuracy",))
    with pytest.raises(TypeError, match="history must be a keras History or a dict of lists, got list"):
        history_logs([1, 2])

    class History:  # what keras.callbacks.History exposes
        history = {"loss": [1.0]}

    assert history_logs(History()) == {"loss": [1.0]}
