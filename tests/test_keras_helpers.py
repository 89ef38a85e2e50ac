"""course.keras_layers, course.early_stopping and the comparison plots of course.plots."""

import matplotlib

matplotlib.use("Agg")

import keras  # noqa: E402
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pytest  # noqa: E402
from hypothesis import given  # noqa: E402
from hypothesis import settings as hsettings
from hypothesis import strategies as st

from course.early_stopping import early_stopping_epochs, early_stopping_explorer, early_stopping_plot
from course.keras_layers import MLP, DenseLayer  # noqa: E402
from course.plots import compare_histories  # noqa: E402


@pytest.fixture(autouse=True)
def _close_figures():
    yield
    plt.close("all")


# --------------------------------------------------------------------------- DenseLayer, MLP


def test_dense_layer_builds_on_first_call_and_matches_keras_dense():
    x = np.random.default_rng(0).normal(size=(5, 4)).astype("float32")
    ours, theirs = DenseLayer(3, activation="relu"), keras.layers.Dense(3, activation="relu")
    assert ours.weights == []
    theirs(x)
    ours(x)
    assert [tuple(w.shape) for w in ours.trainable_weights] == [(4, 3), (3,)]
    ours.set_weights(theirs.get_weights())
    np.testing.assert_allclose(ours(x), theirs(x), rtol=1e-6)


def test_dense_layer_config_round_trip():
    layer = DenseLayer(7, activation="softmax", name="top")
    again = DenseLayer.from_config(layer.get_config())
    assert (again.units, again.name, again.activation) == (7, "top", keras.activations.softmax)


@pytest.mark.parametrize(
    "kwargs, error, says",
    [
        ({"units": 0}, ValueError, "units must be >= 1, got 0"),
        ({"units": -1}, ValueError, "units must be >= 1"),
        ({"units": 2.5}, TypeError, "units must be an int, got float 2.5"),
        ({"units": "3"}, TypeError, "units must be an int"),
        ({"units": True}, TypeError, "units must be an int, got bool"),
        ({"units": None}, TypeError, "units must be an int"),
        ({"units": 3, "activation": "swish!"}, ValueError, "activation must name a Keras activation"),
        ({"units": 3, "activation": 3}, TypeError, "activation must be a name such as 'relu'"),
    ],
)
def test_dense_layer_rejects_bad_arguments(kwargs, error, says):
    with pytest.raises(error, match=says):
        DenseLayer(**kwargs)


def test_dense_layer_refuses_weights_too_large_to_allocate():
    with pytest.raises(ValueError, match="input features \\* units is 1,000,000,000,000"):
        DenseLayer(10**6).build((None, 10**6))


def test_dense_layer_needs_a_known_last_axis():
    with pytest.raises(ValueError, match="last axis of the input must be known"):
        DenseLayer(2).build((None, None))


def test_calling_a_dense_layer_before_it_is_built_says_how_to_build_it():
    with pytest.raises(ValueError, match=r"has no weights yet: call the layer itself, layer\(x\)"):
        DenseLayer(3).call(np.ones((2, 4), "float32"))


@pytest.mark.parametrize(
    "inputs, error, says",
    [
        (np.ones((2, 5)), ValueError, "expects inputs with 4 features on the last axis, got shape (2, 5)"),
        (None, TypeError, "inputs must be an array of numbers, got NoneType"),
        (np.array([[True] * 4]), TypeError, "inputs must be an array of real numbers"),
        (np.array(3.0), ValueError, "expects inputs of shape (batch, features), got a scalar"),
        (
            keras.ops.convert_to_tensor(np.array([["a"] * 4])),
            TypeError,
            "expects numbers, got a tensor of dtype string",
        ),
    ],
)
def test_a_built_dense_layer_names_bad_inputs(inputs, error, says):
    layer = DenseLayer(3, name="top")
    layer.build((None, 4))
    with pytest.raises(error) as raised:
        layer.call(inputs)
    assert says in str(raised.value)
    assert layer.call(np.ones((2, 4))).dtype == "float32"  # float64 and ints are cast to the layer's dtype
    assert layer.call(np.ones((2, 4), int)).shape == (2, 3)


@pytest.mark.parametrize(
    "input_shape, error, says",
    [
        (None, TypeError, "input_shape must be a shape such as (None, 784)"),
        (4, TypeError, "input_shape must be a shape such as (None, 784)"),
        ((None, 2.5), TypeError, "input_shape must be a shape"),
        ((), ValueError, "input_shape must have at least one axis"),
        ((None, -3), ValueError, "input_shape must hold sizes >= 0"),
    ],
)
def test_dense_layer_build_names_a_bad_input_shape(input_shape, error, says):
    with pytest.raises(error) as raised:
        DenseLayer(2).build(input_shape)
    assert says in str(raised.value)


def test_dense_layer_is_built_once():
    layer = DenseLayer(2)
    layer(np.ones((1, 3), "float32"))
    with pytest.raises(ValueError, match="is already built, for 3 input features"):
        layer.build((None, 5))


def test_mlp_names_inputs_of_the_wrong_width():
    model = MLP(hidden_units=4, num_classes=2)
    model(np.ones((1, 6), "float32"))
    with pytest.raises(ValueError, match="expects inputs with 6 features on the last axis, got shape"):
        model.call(np.ones((1, 7)))
    with pytest.raises(TypeError, match="inputs must be an array of numbers"):
        model.call("pixels")


def test_mlp_is_the_sequential_model_as_a_class():
    sequential = keras.Sequential(
        [
            keras.Input((784,)),
            keras.layers.Dense(32, activation="relu"),
            keras.layers.Dense(10, activation="softmax"),
        ]
    )
    model = MLP(hidden_units=32, num_classes=10)
    x = np.random.default_rng(1).random((6, 784)).astype("float32")
    model(x)
    assert model.count_params() == sequential.count_params() == 784 * 32 + 32 + 32 * 10 + 10
    model.set_weights(sequential.get_weights())
    np.testing.assert_allclose(model(x), sequential(x), rtol=1e-5, atol=1e-7)
    np.testing.assert_allclose(np.sum(model(x), axis=1), 1.0, rtol=1e-5)


def test_mlp_trains_with_fit():
    rng = np.random.default_rng(2)
    x = rng.random((64, 784)).astype("float32")
    y = keras.utils.to_categorical(x[:, :3].argmax(axis=1), 3)  # learnable: which of 3 pixels is brightest
    model = MLP(hidden_units=16, num_classes=3)
    model.compile(optimizer=keras.optimizers.Adam(learning_rate=0.001), loss="categorical_crossentropy")
    before = [w.copy() for w in model(x[:1]) is not None and model.get_weights()]
    losses = model.fit(x, y, epochs=20, batch_size=16, verbose=0).history["loss"]
    assert losses[-1] < 0.9 * losses[0]
    assert all(
        not np.array_equal(a, b) for a, b in zip(before, model.get_weights())
    )  # every weight was trained


@pytest.mark.parametrize(
    "kwargs, error, says",
    [
        ({"hidden_units": 0}, ValueError, "hidden_units must be >= 1"),
        ({"num_classes": 1.5}, TypeError, "num_classes must be an int, got float 1.5"),
        ({"num_classes": None}, TypeError, "num_classes must be an int"),
    ],
)
def test_mlp_rejects_bad_sizes(kwargs, error, says):
    with pytest.raises(error, match=says):
        MLP(**kwargs)


# --------------------------------------------------------------------------- early stopping


def keras_early_stopping(losses, patience, min_delta, mode="min"):
    """Drive the real keras.callbacks.EarlyStopping over a list of monitored values."""
    model = keras.Sequential([keras.Input((1,)), keras.layers.Dense(1)])
    callback = keras.callbacks.EarlyStopping(
        monitor="val_score", patience=patience, min_delta=min_delta, mode=mode
    )
    callback.set_model(model)
    model.stop_training = False
    callback.on_train_begin()
    for epoch, loss in enumerate(losses):
        callback.on_epoch_end(epoch, {"val_score": loss})
        if model.stop_training:
            return callback.best_epoch + 1, epoch + 1
    return callback.best_epoch + 1, None


@hsettings(max_examples=60, deadline=None)
@given(
    losses=st.lists(st.integers(0, 300), min_size=1, max_size=25).map(lambda xs: [x / 100 for x in xs]),
    patience=st.integers(0, 5),
    min_delta=st.sampled_from([0.0, 0.005, 0.015, 0.105]),
    mode=st.sampled_from(["min", "max"]),
)
def test_early_stopping_epochs_replays_the_keras_callback(losses, patience, min_delta, mode):
    assert early_stopping_epochs(losses, patience, min_delta, mode) == keras_early_stopping(
        losses, patience, min_delta, mode
    )


def test_early_stopping_epochs_by_hand():
    losses = [1.0, 0.8, 0.7, 0.75, 0.72, 0.9, 0.95]
    assert early_stopping_epochs(losses, patience=2) == (3, 5)
    assert early_stopping_epochs(losses, patience=10) == (3, None)
    assert early_stopping_epochs([1.0, 0.99, 0.98], patience=1, min_delta=0.05) == (1, 2)
    accuracies = [0.5, 0.7, 0.8, 0.78, 0.79, 0.6]
    assert early_stopping_epochs(accuracies, patience=2, mode="max") == (3, 5)
    assert early_stopping_epochs(accuracies, patience=2) == (1, 3)  # read as a loss, it only got worse


@pytest.mark.parametrize(
    "losses, patience, min_delta, error, says",
    [
        ([], 2, 0.0, ValueError, "non-empty"),
        ([[1.0, 2.0]], 2, 0.0, ValueError, "non-empty list"),
        ([1.0, float("nan")], 2, 0.0, ValueError, "finite"),
        ([1.0], -1, 0.0, ValueError, "patience must be"),
        ([1.0], 1.5, 0.0, TypeError, "patience must be an int"),
        ([1.0], 1, -0.1, ValueError, "min_delta must be"),
    ],
)
def test_early_stopping_epochs_rejects_bad_input(losses, patience, min_delta, error, says):
    with pytest.raises(error, match=says):
        early_stopping_epochs(losses, patience, min_delta)


@pytest.mark.parametrize(
    "mode, error, says",
    [
        ("auto", ValueError, r"mode must be one of \['min', 'max'\], got 'auto'"),
        (1, TypeError, "mode must be one of"),
    ],
)
def test_early_stopping_epochs_rejects_a_bad_mode(mode, error, says):
    with pytest.raises(error, match=says):
        early_stopping_epochs([1.0, 0.5], 1, 0.0, mode)


def test_early_stopping_plot_and_explorer():
    losses = [1.0, 0.8, 0.7, 0.75, 0.72, 0.9, 0.95]
    fig = early_stopping_plot(losses, patience=2)
    assert "patience=2" in fig.axes[0].get_title()
    explorer = early_stopping_explorer(losses)
    slider = explorer.children[0]
    slider.value = 10
    assert "never stops" in explorer.result.axes[0].get_title()
    slider.value = 1
    assert "patience=1" in explorer.result.axes[0].get_title()
    with pytest.raises(ValueError, match="finite"):
        early_stopping_explorer([1.0, float("inf")])


# --------------------------------------------------------------------------- compare_histories


def test_compare_histories_draws_one_line_per_run():
    fig = compare_histories(
        {"a": {"loss": [3, 2, 1]}, "b": {"loss": [3, 2.5, 2.2, 2.0]}}, metric="loss", title="t"
    )
    ax = fig.axes[0]
    assert [line.get_label() for line in ax.get_lines()] == ["a", "b"]
    assert list(ax.get_lines()[1].get_xdata()) == [1, 2, 3, 4]


@pytest.mark.parametrize(
    "histories, error, says",
    [
        ({}, ValueError, "histories is empty"),
        ([1, 2], TypeError, "histories must be a dict of name -> History"),
        ({"a": 3}, TypeError, "keras History or a dict"),
        ({"a": {"loss": [1]}}, ValueError, "has no 'val_loss'"),
    ],
)
def test_compare_histories_rejects_bad_input(histories, error, says):
    with pytest.raises(error, match=says):
        compare_histories(histories, metric="val_loss")
