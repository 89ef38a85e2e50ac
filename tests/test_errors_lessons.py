"""The error policy of the lesson modules: wrong type -> TypeError, wrong value or shape -> ValueError,
each message naming the parameter; work that would never end is refused at once."""

import matplotlib

matplotlib.use("Agg")

import numpy as np  # noqa: E402
import pytest  # noqa: E402

from course import descent, early_stopping, plots  # noqa: E402
from course.autodiff import draw, nn, optim  # noqa: E402
from course.autodiff import reverse as rv  # noqa: E402
from course.autodiff.tensor import Tensor  # noqa: E402

BOWL = descent.SURFACES_1D["bowl: w²"][1]
W = np.ones(3)


# --- optimizers ------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "make, says",
    [
        (lambda p: optim.SGD(p, learning_rate=0), "learning_rate must be > 0, got 0.0"),
        (lambda p: optim.SGD(p, learning_rate=-0.1), "learning_rate must be > 0"),
        (lambda p: optim.SGD(p, learning_rate=float("nan")), "learning_rate must be a finite number"),
        (lambda p: optim.SGD(p, momentum=1), r"momentum must be >= 0 and < 1, got 1.0"),
        (lambda p: optim.SGD(p, momentum=-0.5), "momentum must be >= 0 and < 1"),
        (lambda p: optim.RMSProp(p, rho=1.0), "rho must be >= 0 and < 1"),
        (lambda p: optim.RMSProp(p, epsilon=0), "epsilon must be > 0"),
        (lambda p: optim.Adam(p, beta_1=1), "beta_1 must be >= 0 and < 1"),
        (lambda p: optim.Adam(p, beta_2=1), "beta_2 must be >= 0 and < 1"),
        (lambda p: optim.Adam(p, beta_2=1.5), "beta_2 must be >= 0 and < 1"),
        (lambda p: optim.Adam(p, epsilon=-1e-7), "epsilon must be > 0"),
    ],
)
def test_optimizers_refuse_impossible_hyper_parameters(make, says):
    with pytest.raises(ValueError, match=says):
        make([Tensor(np.ones(2), requires_grad=True)])


@pytest.mark.parametrize(
    "call, says",
    [
        (lambda: optim.sgd_step(W, W, 0), "learning_rate must be > 0"),
        (lambda: optim.momentum_step(W, W, W, 0.1, momentum=1), "momentum must be >= 0 and < 1"),
        (lambda: optim.rmsprop_step(W, W, W, 0.1, rho=1), "rho must be >= 0 and < 1"),
        (lambda: optim.rmsprop_step(W, W, W, 0.1, epsilon=0), "epsilon must be > 0"),
        (lambda: optim.adam_step(W, W, W, W, 1, 0.1, beta_1=1), "beta_1 must be >= 0 and < 1"),
        (lambda: optim.adam_step(W, W, W, W, 1, 0.1, beta_2=1), "beta_2 must be >= 0 and < 1"),
        (lambda: optim.adam_step(W, W, W, W, 1, 0.1, epsilon=0), "epsilon must be > 0"),
        (lambda: optim.sgd_step(W, np.ones(2), 0.1), r"g must have the shape of w, \(3,\), got shape \(2,\)"),
        (lambda: optim.adam_step(W, W, W, np.ones((3, 1)), 1, 0.1), "v must have the shape of w"),
    ],
)
def test_update_rules_refuse_impossible_values(call, says):
    with pytest.raises(ValueError, match=says):
        call()


@pytest.mark.parametrize(
    "call, says",
    [
        (lambda: optim.sgd_step(None, W, 0.1), "w must be an array of numbers, got NoneType"),
        (lambda: optim.sgd_step(W, "g", 0.1), "g must be an array of numbers, got str"),
        (lambda: optim.sgd_step(W, W, "0.1"), "learning_rate must be a number, got str"),
        (lambda: optim.adam_step(W, W, W, W, 1.0, 0.1), r"t \(the step count, from 1\) must be an int"),
        (lambda: optim.SGD(None), "params must be a list, each item a Tensor"),
        (
            lambda: optim.SGD([np.ones(2)]),
            r"params\[0\] must be a Tensor \(e.g. from model.parameters\(\)\), got an array",
        ),
        (lambda: optim.Adam([Tensor(np.ones(2))], beta_1=None), "beta_1 must be a number, got NoneType"),
    ],
)
def test_optimizers_name_wrong_types(call, says):
    with pytest.raises(TypeError, match=says):
        call()


def test_update_rules_still_accept_plain_numbers():
    assert optim.sgd_step(1.0, 2.0, 0.5) == 0.0
    w, velocity = optim.momentum_step(1.0, 1.0, 0.0, 0.1, 0.0)
    assert np.isclose(w, 0.9) and np.isclose(velocity, -0.1)


# --- gradient descent ------------------------------------------------------------------------------


def test_gradient_descent_refuses_a_billion_steps_at_once():
    with pytest.raises(ValueError, match="steps must be between 0 and 100000, got 1000000000"):
        descent.gradient_descent(BOWL, 2.0, 0.1, steps=10**9)


@pytest.mark.parametrize(
    "args, error, says",
    [
        ((None, 2.0, 0.1, 10), TypeError, "gradient must be a function, got NoneType"),
        ((BOWL, "2", 0.1, 10), TypeError, "start must be an array of numbers, got str"),
        ((BOWL, np.nan, 0.1, 10), ValueError, "start must hold finite numbers"),
        ((BOWL, 2.0, 0, 10), ValueError, "learning_rate must be > 0"),
        ((BOWL, 2.0, 0.1, 2.5), TypeError, "steps must be an int, got float 2.5"),
        ((BOWL, 2.0, 0.1, 10, 1.0), ValueError, "momentum must be >= 0 and < 1"),
        (
            (lambda w: None, 2.0, 0.1, 10),
            TypeError,
            r"gradient\(w\) must be an array of numbers, got NoneType",
        ),
        (
            (lambda w: np.ones(5), 2.0, 0.1, 10),
            ValueError,
            r"g must have the shape of w, \(\), got shape \(5,\)",
        ),
    ],
)
def test_gradient_descent_names_bad_arguments(args, error, says):
    with pytest.raises(error, match=says):
        descent.gradient_descent(*args)


def test_descent_helpers_name_bad_arguments():
    with pytest.raises(ValueError, match="path must hold at least one position"):
        descent.verdict(np.zeros(0))
    with pytest.raises(ValueError, match=r"w must hold 2-D points, shape \(..., 2\), got shape \(3,\)"):
        descent.ravine(np.zeros(3))
    with pytest.raises(TypeError, match="surface must be one of"):
        descent.plot_descent_1d(3)
    with pytest.raises(ValueError, match="n must be between 1 and 1000000"):
        descent.linear_data(n=10**9)
    x, y = descent.linear_data(n=8)
    with pytest.raises(ValueError, match="batch_size must be between 1 and 8, got 9"):
        descent.fit_linear(x, y, 9)
    with pytest.raises(ValueError, match="updates must be between 1 and 100000"):
        descent.fit_linear(x, y, 4, updates=10**9)
    with pytest.raises(ValueError, match="with n > 0"):
        descent.fit_linear(x[:0], y[:0], 1)
    with pytest.raises(TypeError, match="x must be an array of numbers, got NoneType"):
        descent.fit_linear(None, y, 1)


# --- plots -----------------------------------------------------------------------------------------


def test_a_grid_of_ten_thousand_images_is_refused_at_once():
    with pytest.raises(
        ValueError, match="the number of images is 10,000; the most this function handles is 256"
    ):
        plots.image_grid(np.zeros((10_000, 2, 2)))


@pytest.mark.parametrize(
    "kwargs, error, says",
    [
        ({"images": None}, TypeError, "images must be an array of numbers, got NoneType"),
        ({"labels": 3}, TypeError, "labels must be a list with one label per image, got int 3"),
        ({"labels": "ab"}, TypeError, "labels must be a list"),
        ({"ncols": 2.0}, TypeError, "ncols must be an int, got float 2.0"),
        ({"title": 5}, TypeError, "title must be a string, got int 5"),
        ({"cmap": None}, TypeError, "cmap must be a string, got NoneType"),
        ({"cmap": "no such map"}, ValueError, "cmap must be a matplotlib colour map"),
        ({"size": 0}, ValueError, "size must be > 0"),
        ({"size": 1e6}, ValueError, "size must be <= 10"),
    ],
)
def test_image_grid_names_bad_arguments(kwargs, error, says):
    arguments = {"images": np.zeros((2, 3, 3)), **kwargs}
    with pytest.raises(error, match=says):
        plots.image_grid(**arguments)


def test_curves_name_bad_histories():
    with pytest.raises(TypeError, match="metrics must be a metric name or a non-empty list"):
        plots.training_curves({"loss": [1.0]}, metrics=None)
    with pytest.raises(ValueError, match=r"history\['loss'\] is empty"):
        plots.training_curves({"loss": []})
    with pytest.raises(TypeError, match=r"history\['loss'\] must be an array of numbers"):
        plots.training_curves({"loss": None})
    assert len(plots.training_curves({"loss": [2.0, 1.0]}, metrics="loss").axes) == 1
    with pytest.raises(TypeError, match="histories must be a dict of name -> History, got list"):
        plots.compare_histories([])
    with pytest.raises(ValueError, match="histories is empty"):
        plots.compare_histories({})
    with pytest.raises(TypeError, match=r"histories\['a'\] must be a keras History"):
        plots.compare_histories({"a": 3})
    with pytest.raises(TypeError, match="metric must be a string, got NoneType"):
        plots.compare_histories({"a": {"loss": [1.0]}}, metric=None)


# --- early stopping --------------------------------------------------------------------------------


def test_early_stopping_names_bad_arguments():
    with pytest.raises(TypeError, match="val_losses must be an array of numbers, got NoneType"):
        early_stopping.early_stopping_epochs(None, 2)
    with pytest.raises(TypeError, match="patience must be an int, got float 1.5"):
        early_stopping.early_stopping_epochs([1.0], 1.5)
    with pytest.raises(TypeError, match="min_delta must be a number, got str"):
        early_stopping.early_stopping_epochs([1.0], 1, "0")
    with pytest.raises(ValueError, match="val_losses must be a non-empty list"):
        early_stopping.early_stopping_plot([], 1)
    with pytest.raises(TypeError, match="val_losses must be an array of numbers, got dict"):
        early_stopping.early_stopping_explorer({"val_loss": [1.0]})


# --- nn and the pictures of autodiff -----------------------------------------------------------------


@pytest.mark.parametrize(
    "call, error, says",
    [
        (lambda: nn.Dense(2.0, 3), TypeError, "in_features must be an int, got float 2.0"),
        (lambda: nn.Dense(10**5, 10**5), ValueError, "in_features \\* out_features is 10,000,000,000"),
        (lambda: nn.Dense(2, 3, activation=3), TypeError, "activation must be one of"),
        (lambda: nn.Dense(2, 3, rng=0), TypeError, "rng must be a numpy.random.Generator"),
        (lambda: nn.Dense(2, 3, dtype=int), ValueError, "dtype must be a float dtype"),
        (lambda: nn.Dense(2, 3, dtype="no such"), TypeError, "dtype must be a float dtype"),
        (
            lambda: nn.Dense(2, 3)(np.ones(2)),
            ValueError,
            r"x must have shape \(batch, features\), got shape \(2,\)",
        ),
        (lambda: nn.Dense(2, 3)(None), TypeError, "x must be an array of numbers"),
        (lambda: nn.MLP(None), TypeError, "sizes must be a list of layer sizes"),
        (lambda: nn.MLP([4, 0]), ValueError, r"sizes\[1\] must be >= 1, got 0"),
        (lambda: nn.MLP([4, 2], seed=-1), ValueError, "seed must be >= 0"),
        (lambda: nn.accuracy(nn.MLP([4, 2]), np.zeros((0, 4)), []), ValueError, "at least one"),
        (
            lambda: nn.accuracy(nn.MLP([4, 2]), np.zeros((3, 4)), [0, 1]),
            ValueError,
            "same number of examples",
        ),
        (lambda: nn.accuracy(None, np.zeros((3, 4)), [0, 1, 1]), TypeError, "model must be an MLP"),
        (
            lambda: nn.train_step(nn.MLP([4, 2]), None, np.zeros((3, 4)), [0, 1, 1]),
            TypeError,
            "optimizer must be",
        ),
    ],
)
def test_nn_names_bad_arguments(call, error, says):
    with pytest.raises(error, match=says):
        call()


def test_arrays_go_straight_into_a_model():
    model = nn.MLP([4, 3, 2])
    assert model(np.zeros((5, 4))).shape == (5, 2)
    assert nn.Dense(4, 2)(np.zeros((5, 4))).shape == (5, 2)


def test_autodiff_pictures_check_their_arguments_before_drawing():
    x = rv.Node(1.0, label="x")
    small = x * x
    with pytest.raises(TypeError, match="output must be a scalar Node, got float 3.0"):
        draw.reverse_pass_explorer(3.0)
    big = x
    for _ in range(100):
        big = big * 1.0
    with pytest.raises(ValueError, match="the number of nodes in the graph is"):
        draw.reverse_pass_explorer(big)
    with pytest.raises(ValueError, match="step must be between 0 and 2, got 9"):
        draw.draw_reverse_step(small, 9)
    with pytest.raises(TypeError, match="step must be an int"):
        draw.draw_reverse_step(small, "1")
    with pytest.raises(TypeError, match="grads must be a dict"):
        draw.draw_graph(small, grads=[1])
    with pytest.raises(TypeError, match="current must be a Node or None"):
        draw.draw_graph(small, current="x")
    with pytest.raises(TypeError, match="function must be one of"):
        draw.plot_difference_errors(3)
    with pytest.raises(ValueError, match="h must be > 0"):
        draw.plot_difference_errors(h=0)
