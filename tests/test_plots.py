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


# --- the figure policy: pyplot-free figures in the course style, explorers built alike ----------------


def _helper_figures():
    """One figure from every plotting helper of the course, by name."""
    from course import broadcasting, convolution, descent, early_stopping
    from course.autodiff import draw, reverse
    from course.plots import compare_histories

    x = reverse.Node(2.0, label="x")
    f = x * x
    image = convolution.sample_image(step=20)
    return {
        "plots.image_grid": image_grid(np.zeros((3, 4, 4))),
        "plots.training_curves": training_curves({"loss": [2.0, 1.0]}),
        "plots.compare_histories": compare_histories({"a": {"val_loss": [2.0, 1.0]}}),
        "broadcasting.draw": broadcasting.draw((2, 3), (3,)),
        "convolution.explore": convolution.explore(image=image),
        "descent.plot_descent_1d": descent.plot_descent_1d(),
        "descent.plot_descent_2d": descent.plot_descent_2d(),
        "early_stopping.early_stopping_plot": early_stopping.early_stopping_plot([3.0, 2.0, 2.5], 1),
        "draw.draw_graph": draw.draw_graph(f),
        "draw.draw_reverse_step": draw.draw_reverse_step(f, 1),
        "draw.plot_difference_errors": draw.plot_difference_errors(),
    }


def test_every_plotting_helper_returns_an_opaque_figure_outside_pyplot():
    from matplotlib.colors import to_rgba
    from matplotlib.figure import Figure

    from course.plots import png

    plt.close("all")
    for name, fig in _helper_figures().items():
        assert isinstance(fig, Figure), name
        assert fig.canvas.manager is None, f"{name} made its figure with pyplot"
        assert to_rgba(fig.get_facecolor()) == (1, 1, 1, 1), name
        assert all(to_rgba(ax.get_facecolor())[3] == 1 for ax in fig.axes), name
        assert fig._repr_png_().startswith(b"\x89PNG"), name  # shows without pyplot's help
    assert plt.get_fignums() == []  # nothing left open for the inline backend to show again
    picture = png(image_grid(np.zeros((1, 4, 4))))
    from PIL import Image

    with Image.open(__import__("io").BytesIO(picture)) as opened:
        assert opened.convert("RGBA").getpixel((0, 0))[3] == 255  # opaque, even in a dark theme


def test_subplots_and_png_check_their_arguments():
    from course.plots import png, subplots

    fig, axes = subplots(2, 3, figsize=(6, 4), squeeze=False)
    assert axes.shape == (2, 3) and tuple(fig.get_size_inches()) == (6, 4)
    with pytest.raises(ValueError, match="nrows must be between 1 and 64, got 0"):
        subplots(0)
    with pytest.raises(TypeError, match="figsize must be a pair"):
        subplots(figsize=None)
    with pytest.raises(ValueError, match="each side of figsize must be > 0"):
        subplots(figsize=(0, 3))
    with pytest.raises(TypeError, match="figure must be a matplotlib Figure, got str"):
        png("figure")


def test_use_style_makes_pyplot_figures_opaque(monkeypatch):
    import matplotlib as mpl

    from course.plots import STYLE, use_style

    monkeypatch.setattr(mpl, "rcParams", mpl.rcParams.copy())
    mpl.rcParams["figure.facecolor"] = (1, 1, 1, 0)
    use_style()
    assert all(mpl.rcParams[key] == value for key, value in STYLE.items())


def test_explorer_redraws_on_every_change_and_says_what_it_cannot_draw():
    import ipywidgets as widgets

    from course.explorer import CSS_CLASS, Explorer
    from course.plots import subplots

    calls = []

    def draw(n, name):
        calls.append((n, name))
        if n == 3:
            return "three is not allowed"
        if n == 4:
            raise ZeroDivisionError("four")
        fig, ax = subplots(figsize=(2, 2))
        ax.set_title(f"{name} {n}")
        return fig

    box = Explorer(draw, n=widgets.IntSlider(value=1, min=0, max=5), name=widgets.Text(value="a"))
    assert CSS_CLASS in box._dom_classes and box.children[:2] == tuple(box.controls.values())
    assert box.controls["n"].description == "n" and box.controls["n"].continuous_update is False
    assert box.result.axes[0].get_title() == "a 1" and bytes(box.picture.value).startswith(b"\x89PNG")
    first = bytes(box.picture.value)
    box.controls["n"].value = 2
    assert box.result.axes[0].get_title() == "a 2" and bytes(box.picture.value) != first
    box.controls["n"].value = 3
    assert box.result == "three is not allowed" and "three is not allowed" in box.message.value
    assert box.picture.layout.display == "none"
    box.controls["n"].value = 4  # an error in a callback is shown, not lost in a log
    assert "ZeroDivisionError: four" in box.message.value
    box.controls["name"].value = "b"
    assert calls[-1] == (4, "b") and "ZeroDivisionError" in box.message.value
    box.controls["n"].value = 0
    assert box.result.axes[0].get_title() == "b 0" and box.message.value == ""
    assert box.picture.layout.display is None
    with pytest.raises(TypeError, match="draw must be a function, got int"):
        Explorer(3)
    with pytest.raises(TypeError, match="the control 'n' must be an ipywidgets control"):
        Explorer(draw, n=3)
    with pytest.raises(TypeError, match="draw must return a matplotlib Figure or a message"):
        Explorer(lambda: None)


def test_pyplot_figures_given_to_an_explorer_are_closed():
    from course.explorer import Explorer

    def draw():
        fig, _ = plt.subplots()
        return fig

    plt.close("all")
    Explorer(draw)
    assert plt.get_fignums() == []


def test_every_explorer_is_an_explorer_named_alike():
    import importlib
    import inspect
    import pkgutil

    import course
    from course.explorer import Explorer

    found = {}
    for info in pkgutil.walk_packages(course.__path__, "course."):
        if info.name.startswith(("course.tools", "course.exercises")) or info.name.endswith("__main__"):
            continue
        module = importlib.import_module(info.name)
        for name, value in vars(module).items():
            if inspect.isfunction(value) and value.__module__ == info.name and "explor" in name:
                found[f"{info.name}.{name}"] = value
    explorers = {name for name in found if name.endswith("_explorer")}
    assert explorers == {
        "course.broadcasting.broadcasting_explorer",
        "course.convolution.convolution_explorer",
        "course.descent.learning_rate_explorer",
        "course.early_stopping.early_stopping_explorer",
        "course.autodiff.draw.reverse_pass_explorer",
        "course.autodiff.draw.difference_error_explorer",
        "course.tensors.slicing_explorer",
    }
    from course.autodiff import reverse

    x = reverse.Node(2.0, label="x")
    from course import convolution

    arguments = {
        "course.early_stopping.early_stopping_explorer": ([3.0, 2.0, 2.5],),
        "course.autodiff.draw.reverse_pass_explorer": (x * x,),
        "course.convolution.convolution_explorer": (convolution.sample_image(step=20),),
        "course.tensors.slicing_explorer": (np.zeros((3, 28, 28)),),
    }
    for name in explorers:
        box = found[name](*arguments.get(name, ()))
        assert isinstance(box, Explorer), name
        assert bytes(box.picture.value).startswith(b"\x89PNG"), name
