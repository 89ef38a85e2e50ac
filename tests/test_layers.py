"""course.tf_layers: shapes, lazy building, variable tracking, checkpoints and their errors."""

import os

import numpy as np
import pytest
from hypothesis import given
from hypothesis import settings as hsettings
from hypothesis import strategies as st

from course.runtime.quiet import import_tensorflow

tf = import_tensorflow()

from course.tf_layers import (  # noqa: E402  (TensorFlow first, quietly)
    Dense,
    LazyDense,
    Sequential,
    checkpoint_shapes,
    make_train_step,
    restore_checkpoint,
    save_checkpoint,
    shuffled_batches,
    variable_shapes,
)


def mlp(widths=(5, 8, 3)):
    return Sequential([Dense(a, b, activation="relu") for a, b in zip(widths[:-1], widths[1:])])


@hsettings(max_examples=15, deadline=None)
@given(batch=st.integers(1, 6), in_features=st.integers(1, 7), out_features=st.integers(1, 7))
def test_dense_shapes_and_formula(batch, in_features, out_features):
    layer = Dense(in_features, out_features)
    x = np.random.default_rng(0).normal(size=(batch, in_features)).astype(np.float32)
    y = layer(x)
    assert y.shape == (batch, out_features)
    assert layer.w.shape == (in_features, out_features) and layer.b.shape == (out_features,)
    np.testing.assert_allclose(y.numpy(), x @ layer.w.numpy() + layer.b.numpy(), rtol=1e-5, atol=1e-6)


def test_activation_is_applied():
    layer = Dense(4, 6, activation="relu")
    x = np.random.default_rng(1).normal(size=(10, 4))
    out = layer(x).numpy()
    assert out.min() >= 0
    np.testing.assert_allclose(
        out, np.maximum(x.astype(np.float32) @ layer.w.numpy(), 0), rtol=1e-5, atol=1e-6
    )
    custom = Dense(4, 2, activation=lambda z: 2 * z)
    np.testing.assert_allclose(
        custom(x).numpy(), 2 * (x.astype(np.float32) @ custom.w.numpy()), rtol=1e-5, atol=1e-6
    )


@pytest.mark.parametrize(
    "make, error, says",
    [
        (lambda: Dense(0, 3), ValueError, "in_features must be >= 1, got 0"),
        (lambda: Dense(3, 2.5), TypeError, "out_features must be an int, got float 2.5"),
        (lambda: Dense(True, 2), TypeError, "in_features must be an int, got bool True"),
        (lambda: Dense(10**6, 10**6), ValueError, "in_features * out_features is 1,000,000,000,000"),
        (lambda: Dense(3, 2, activation="swish!"), ValueError, "activation must be one of"),
        (lambda: Dense(3, 2, activation=3), TypeError, "activation must be one of"),
        (lambda: Dense(3, 2, name="two words"), ValueError, "name must be a valid Python identifier"),
        (lambda: Dense(3, 2, name=2), TypeError, "name must be a string"),
        (lambda: LazyDense(-1), ValueError, "out_features must be >= 1"),
        (lambda: LazyDense(None), TypeError, "out_features must be an int"),
        (lambda: Sequential([]), ValueError, "at least one layer"),
        (lambda: Sequential("ab"), TypeError, "layers must be a list of layers, got str 'ab'"),
        (
            lambda: Sequential([Dense(2, 2), 3]),
            TypeError,
            "layers[1] must be a layer (something callable), got int 3",
        ),
    ],
)
def test_bad_arguments_are_named(make, error, says):
    with pytest.raises(error) as raised:
        make()
    assert says in str(raised.value)


@pytest.mark.parametrize(
    "x, error, says",
    [
        (None, TypeError, "x must be an array of numbers, got NoneType"),
        ("text", TypeError, "x must be an array of numbers"),
        ([[1, 2], [3]], TypeError, "NumPy cannot read"),
        (np.array([[1 + 2j, 3j, 0]]), TypeError, "x must be an array of real numbers"),
        (np.array([[True, False, True]]), TypeError, "x must be an array of real numbers"),
        (np.full((2, 3), np.nan), ValueError, "x must hold finite numbers"),
        (np.array(3.0), ValueError, "inputs of shape (batch, "),
        (np.zeros((2, 1, 3)), ValueError, "got shape (2, 1, 3)"),
        (tf.constant(["a", "b", "c"]), TypeError, "expects numbers, got a tensor of dtype string"),
    ],
)
def test_bad_inputs_are_named(x, error, says):
    for layer in (Dense(3, 2), LazyDense(2)):
        with pytest.raises(error) as raised:
            layer(x)
        assert says in str(raised.value)


def test_wrong_input_width_names_both_widths():
    layer = Dense(3, 2, name="hidden")
    with pytest.raises(ValueError) as error:
        layer(np.ones((4, 5)))
    assert "in_features=3" in str(error.value) and "x.shape[-1]=5" in str(error.value)
    assert "'hidden'" in str(error.value)
    with pytest.raises(ValueError, match=r"expects inputs of shape \(batch, 3\), got shape \(3,\)"):
        layer(np.ones(3))
    with pytest.raises(TypeError, match="x must be an array of real numbers"):
        layer([["a", "b", "c"]])


def test_wrong_width_inside_a_stack_and_in_a_graph():
    model = Sequential([Dense(4, 6), Dense(5, 2)])  # 6 != 5: a wiring mistake
    with pytest.raises(ValueError, match=r"in_features=5.*x.shape\[-1\]=6"):
        model(np.ones((2, 4)))
    graph = tf.function(Dense(3, 2))
    with pytest.raises(ValueError, match=r"in_features=3.*x.shape\[-1\]=7"):
        graph(tf.ones((2, 7)))


def test_lazy_dense_builds_on_first_call_from_the_last_dimension():
    layer = LazyDense(4)
    assert not layer.built and layer.trainable_variables == ()
    y = layer(np.ones((3, 7), np.float32))
    assert layer.built and layer.in_features == 7
    assert y.shape == (3, 4)
    assert sorted(tuple(v.shape) for v in layer.trainable_variables) == [(4,), (7, 4)]
    w_before = layer.w
    layer(np.zeros((5, 7)))
    assert layer.w is w_before  # built once
    with pytest.raises(ValueError, match=r"in_features=7.*x.shape\[-1\]=2"):
        layer(np.ones((1, 2)))
    with pytest.raises(ValueError, match="already built"):
        layer.build(7)


def test_lazy_dense_needs_a_batch_of_rows():
    with pytest.raises(ValueError, match=r"shape \(batch, in_features\).*got shape \(7,\)"):
        LazyDense(2)(np.ones(7))


def test_lazy_stack_matches_an_eager_stack():
    lazy = Sequential([LazyDense(8, "relu"), LazyDense(3)])
    y = lazy(np.ones((2, 5)))
    assert y.shape == (2, 3)
    assert variable_shapes(lazy) == variable_shapes(mlp((5, 8, 3)))


def test_variables_are_tracked_by_path():
    model = mlp((5, 8, 3))
    assert len(model.trainable_variables) == 4
    assert variable_shapes(model) == {
        "layers/0/w": (5, 8),
        "layers/0/b": (8,),
        "layers/1/w": (8, 3),
        "layers/1/b": (3,),
    }
    assert sorted(v.name for v in Dense(2, 2, name="hidden").trainable_variables) == [
        "hidden/b:0",
        "hidden/w:0",
    ]
    x = tf.ones((2, 5))
    with tf.GradientTape() as tape:
        loss = tf.reduce_sum(model(x))
    grads = tape.gradient(loss, model.trainable_variables)
    assert all(g is not None and g.shape == v.shape for g, v in zip(grads, model.trainable_variables))


def test_a_shared_variable_has_one_path_as_in_the_checkpoint(tmp_path):
    class Tied(tf.Module):
        def __init__(self):
            super().__init__()
            self.encoder = Dense(3, 3)
            self.decoder = self.encoder  # the same layer twice: saved once
            self.scale = tf.Variable(1.0)

    model = Tied()
    assert variable_shapes(model) == {"encoder/w": (3, 3), "encoder/b": (3,), "scale": ()}
    assert checkpoint_shapes(save_checkpoint(model, tmp_path / "tied")) == variable_shapes(model)


def test_the_lesson_modules_use_public_tensorflow_and_keras_api_only():
    """No ``obj._private`` attribute in the layer modules (``self._x`` of one's own class aside)."""
    import ast
    import inspect

    from course import keras_layers, tf_layers

    for module in (tf_layers, keras_layers):
        tree = ast.parse(inspect.getsource(module))
        private = [
            f"line {node.lineno}: .{node.attr}"
            for node in ast.walk(tree)
            if isinstance(node, ast.Attribute)
            and node.attr.startswith("_")
            and not node.attr.startswith("__")
            and not (isinstance(node.value, ast.Name) and node.value.id == "self")
        ]
        assert not private, f"{module.__name__} reads private attributes: {private}"


def test_gradient_matches_finite_differences():
    layer = Dense(3, 2, activation="tanh")
    x = tf.constant(np.random.default_rng(2).normal(size=(4, 3)), tf.float32)
    with tf.GradientTape() as tape:
        loss = tf.reduce_sum(layer(x) ** 2)
    grad_b = tape.gradient(loss, layer.b).numpy()
    eps, numeric = 1e-3, np.zeros(2)
    for j in range(2):
        for sign in (1, -1):
            layer.b[j].assign(layer.b[j] + sign * eps)
            numeric[j] += sign * float(tf.reduce_sum(layer(x) ** 2)) / (2 * eps)
            layer.b[j].assign(layer.b[j] - sign * eps)
    np.testing.assert_allclose(grad_b, numeric, rtol=1e-2, atol=1e-3)


def test_checkpoint_round_trip_gives_identical_outputs(tmp_path):
    model = mlp()
    x = np.random.default_rng(3).normal(size=(6, 5)).astype(np.float32)
    path = save_checkpoint(model, tmp_path / "mlp")
    assert checkpoint_shapes(path) == variable_shapes(model)
    fresh = mlp()
    assert not np.array_equal(fresh(x).numpy(), model(x).numpy())
    assert restore_checkpoint(fresh, path) is fresh
    np.testing.assert_array_equal(fresh(x).numpy(), model(x).numpy())


def test_restore_into_a_built_lazy_model(tmp_path):
    model = mlp()
    path = save_checkpoint(model, tmp_path / "mlp")
    lazy = Sequential([LazyDense(8, "relu"), LazyDense(3, "relu")])
    with pytest.raises(ValueError, match="'layers/0/b'.*no such variable.*called once"):
        restore_checkpoint(lazy, path)
    x = np.ones((2, 5), np.float32)
    lazy(x)
    restore_checkpoint(lazy, path)
    np.testing.assert_array_equal(lazy(x).numpy(), model(x).numpy())


def test_restore_into_another_shape_names_the_variable_and_both_shapes(tmp_path):
    path = save_checkpoint(mlp((5, 8, 3)), tmp_path / "mlp")
    with pytest.raises(ValueError) as error:
        restore_checkpoint(mlp((5, 9, 3)), path)
    message = str(error.value)
    assert "'layers/0/b'" in message and "(9,)" in message and "(8,)" in message
    with pytest.raises(ValueError, match=r"'layers/2/b' of shape \(3,\) is not in the checkpoint"):
        restore_checkpoint(mlp((5, 8, 3, 3)), path)


def test_checkpoint_helpers_reject_bad_arguments(tmp_path):
    with pytest.raises(TypeError, match="module must be a tf.Module .*, got list"):
        save_checkpoint([1, 2], tmp_path / "x")
    with pytest.raises(TypeError, match="module must be a tf.Module .*, got str 'model'"):
        restore_checkpoint("model", tmp_path / "x")
    with pytest.raises(FileNotFoundError, match="no readable checkpoint"):
        restore_checkpoint(mlp(), tmp_path / "missing")
    for bad_path in (2, True, None):
        with pytest.raises(TypeError, match="path must be a path"):
            save_checkpoint(mlp(), bad_path)
    os.fstat(1), os.fstat(2)  # stdout and stderr still open
    (tmp_path / "garbage.index").write_bytes(b"garbage")
    with pytest.raises(ValueError, match="is damaged or not a checkpoint"):
        restore_checkpoint(mlp(), tmp_path / "garbage")
    (tmp_path / "a_file").write_text("")
    with pytest.raises(ValueError, match="cannot write a checkpoint"):
        save_checkpoint(mlp(), tmp_path / "a_file" / "ckpt")


def test_shuffled_batches_show_every_example_once_per_pass_in_a_new_order():
    x = np.arange(23, dtype=np.float32).reshape(-1, 1)
    y = np.arange(23, dtype=np.int32) * 10
    data = shuffled_batches(x, y, batch_size=5, seed=3)
    passes = []
    for _ in range(2):
        batches = list(data)
        assert [len(xb) for xb, _ in batches] == [5, 5, 5, 5, 3]
        order = np.concatenate([xb.numpy()[:, 0] for xb, _ in batches]).astype(int)
        labels = np.concatenate([yb.numpy() for _, yb in batches])
        assert sorted(order) == list(range(23)) and np.array_equal(labels, order * 10)
        passes.append(order)
    assert not np.array_equal(passes[0], passes[1]) and not np.array_equal(passes[0], np.arange(23))
    again = np.concatenate([xb.numpy()[:, 0] for xb, _ in shuffled_batches(x, y, 5, seed=3)]).astype(int)
    assert np.array_equal(again, passes[0])


@pytest.mark.parametrize(
    "args, error, says",
    [
        ((np.zeros((3, 2)), np.zeros(4), 2, 0), ValueError, "x and y must have the same length, got 3 and 4"),
        ((np.zeros((3, 2)), np.zeros(3), 0, 0), ValueError, "batch_size must be >= 1"),
        ((np.zeros((0, 2)), np.zeros(0), 2, 0), ValueError, "at least one example"),
        ((np.zeros((3, 2)), np.zeros(3), 2, -1), ValueError, "seed must be >= 0"),
        (("abc", np.zeros(3), 2, 0), TypeError, "x must be an array of numbers"),
    ],
)
def test_shuffled_batches_name_bad_arguments(args, error, says):
    with pytest.raises(error) as raised:
        shuffled_batches(*args)
    assert says in str(raised.value)


class ScaledLine(tf.Module):
    def __init__(self):
        super().__init__()
        self.w = tf.Variable([[0.0]])
        self.scale = tf.Variable(2.0, trainable=False)

    def __call__(self, x):
        return x @ self.w * self.scale


def test_make_train_step_trains_only_the_trainable_variables():
    import keras

    model = ScaledLine()
    step = make_train_step(model, lambda p, t: tf.reduce_mean((p - t) ** 2), keras.optimizers.SGD(0.05))
    assert isinstance(step, tf.types.experimental.PolymorphicFunction)
    x = tf.constant([[1.0], [2.0], [3.0]])
    losses = [float(step(x, 6 * x)) for _ in range(30)]
    assert losses[0] == pytest.approx(np.mean((12 * x.numpy()) ** 2 / 4))  # measured before the first step
    assert losses[-1] < losses[0] / 100
    assert model.scale.numpy() == 2.0 and model.w.numpy()[0, 0] == pytest.approx(3.0, abs=0.05)
    assert step.experimental_get_tracing_count() == 1


@pytest.mark.parametrize(
    "args, error, says",
    [
        (("model", abs, "sgd"), TypeError, "module must be a tf.Module"),
        ((ScaledLine(), 3, "sgd"), TypeError, "loss_fn must be a function, got int 3"),
        ((ScaledLine(), abs, "sgd"), TypeError, "optimizer must be an optimizer with apply_gradients"),
    ],
)
def test_make_train_step_names_bad_arguments(args, error, says):
    with pytest.raises(error) as raised:
        make_train_step(*args)
    assert says in str(raised.value)
