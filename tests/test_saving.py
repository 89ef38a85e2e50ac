"""course.saving: checkpoint files, checked weight loading, caught warnings (08 exercises elsewhere)."""

import os

import numpy as np
import pytest
from hypothesis import given
from hypothesis import settings as hsettings
from hypothesis import strategies as st

from course import saving

# Keras calls np.array(x) on tensors in ways NumPy 2 flags; that is inside the libraries, not here.
pytestmark = pytest.mark.filterwarnings("ignore::DeprecationWarning")


@pytest.fixture(autouse=True)
def work_folder(tmp_path, monkeypatch):
    monkeypatch.setenv("COURSE_WORKDIR", str(tmp_path / "work"))
    return tmp_path / "work"


@pytest.fixture(scope="module")
def keras():
    from course.runtime.quiet import import_tensorflow

    import_tensorflow()
    import keras

    return keras


def mlp(keras, hidden=8, outputs=3, extra=False, compiled=True, seed=0):
    layers = [
        keras.Input(shape=(5,)),
        keras.layers.Dense(hidden, activation="relu"),
        keras.layers.Dense(outputs),
    ]
    if extra:
        layers.append(keras.layers.Dense(2))
    keras.utils.set_random_seed(seed)
    model = keras.Sequential(layers)
    if compiled:
        model.compile(
            optimizer=keras.optimizers.Adam(learning_rate=0.01), loss=keras.losses.MeanSquaredError()
        )
    return model


def trained(keras, tmp_path, **kwargs):
    """A model after two eager Adam steps, and its weights file (which holds the optimizer state)."""
    import tensorflow as tf

    model = mlp(keras, **kwargs)
    rng = np.random.default_rng(0)
    x, y = (
        rng.normal(size=(16, 5)).astype("float32"),
        rng.normal(size=(16, kwargs.get("outputs", 3))).astype("float32"),
    )
    for _ in range(2):  # eager steps: no graph tracing, so the tests stay fast
        with tf.GradientTape() as tape:
            loss = model.compute_loss(x=x, y=y, y_pred=model(x))
        model.optimizer.apply_gradients(
            zip(tape.gradient(loss, model.trainable_variables), model.trainable_variables)
        )
    path = tmp_path / "model.weights.h5"
    model.save_weights(path)
    return model, path


def same_weights(a, b):
    return all(np.array_equal(x, y) for x, y in zip(a.get_weights(), b.get_weights()))


# --- checkpoint files -------------------------------------------------------


@given(st.integers(min_value=0, max_value=10**6))
@hsettings(max_examples=50, deadline=None)
def test_checkpoint_epoch_reads_the_pattern_back(epoch):
    assert saving.checkpoint_epoch(f"cp-{epoch:04d}.weights.h5") == epoch
    assert saving.checkpoint_epoch(f"run3/epoch_{epoch}.keras") == epoch  # the folder's digits do not count


@pytest.mark.parametrize(
    "bad, error", [("best.weights.h5", ValueError), (None, TypeError), (7, TypeError), (True, TypeError)]
)
def test_checkpoint_epoch_rejects_names_without_a_number(bad, error):
    with pytest.raises(error, match="epoch number|path must be a path"):
        saving.checkpoint_epoch(bad)


def test_latest_checkpoint_is_the_highest_epoch_not_the_newest_file(tmp_path):
    for epoch in (10, 2, 9):  # written out of order: the newest file is epoch 9
        (tmp_path / f"cp-{epoch:04d}.weights.h5").write_bytes(b"")
    (tmp_path / "best.weights.h5").write_bytes(b"")  # not matched by the pattern
    assert saving.latest_checkpoint(tmp_path).name == "cp-0010.weights.h5"


def test_latest_checkpoint_passes_over_matching_names_without_an_epoch(tmp_path):
    for name in ("epoch-9.weights.h5", "epoch-10.weights.h5", "epoch-final.weights.h5"):
        (tmp_path / name).write_bytes(b"")
    assert saving.latest_checkpoint(tmp_path, pattern="epoch-*.weights.h5").name == "epoch-10.weights.h5"
    (tmp_path / "only").mkdir()
    (tmp_path / "only" / "cp-best.weights.h5").write_bytes(b"")
    assert saving.latest_checkpoint(tmp_path / "only") is None


def test_latest_checkpoint_of_an_empty_folder_is_none(tmp_path):
    assert saving.latest_checkpoint(tmp_path) is None


def test_latest_checkpoint_validates_its_input(tmp_path):
    with pytest.raises(FileNotFoundError, match="folder: no file or folder"):
        saving.latest_checkpoint(tmp_path / "missing")
    with pytest.raises(TypeError, match="folder must be a path"):
        saving.latest_checkpoint(3)
    (tmp_path / "file.txt").write_text("")
    with pytest.raises(ValueError, match="folder must be a folder, got the file"):
        saving.latest_checkpoint(tmp_path / "file.txt")
    with pytest.raises(ValueError, match="pattern must not be empty"):
        saving.latest_checkpoint(tmp_path, pattern="")
    with pytest.raises(TypeError, match="pattern must be a string"):
        saving.latest_checkpoint(tmp_path, pattern=None)
    with pytest.raises(ValueError, match="pattern must be a file-name glob"):
        saving.latest_checkpoint(tmp_path, pattern="../*.h5")


def test_fresh_workdir_empties_only_its_own_folder(work_folder):
    mine = saving.fresh_workdir("08_saving")
    (mine / "old.keras").write_text("old")
    neighbour = work_folder / "07_cnn" / "keep.txt"
    neighbour.parent.mkdir(parents=True)
    neighbour.write_text("keep")
    again = saving.fresh_workdir("08_saving")
    assert again == mine and list(again.iterdir()) == []
    assert neighbour.read_text() == "keep"


@pytest.mark.parametrize(
    "parts",
    [(), (".",), ("",), ("..",), ("a/..",), ("a", ".."), ("/etc",), ("./.",), ("link",), ("link", "inside")],
)
def test_fresh_workdir_refuses_to_empty_the_work_folder_or_anything_outside(parts, work_folder, tmp_path):
    outside = tmp_path / "outside" / "inside"
    outside.mkdir(parents=True)
    (outside / "keep.txt").write_text("keep")
    work_folder.mkdir()
    (work_folder / "notes.txt").write_text("mine")
    (work_folder / "link").symlink_to(tmp_path / "outside")
    with pytest.raises(ValueError, match="fresh_workdir|must not be empty"):
        saving.fresh_workdir(*parts)
    assert (work_folder / "notes.txt").read_text() == "mine" and (outside / "keep.txt").read_text() == "keep"


@pytest.mark.parametrize("part, error", [(None, TypeError), (2, TypeError), (True, TypeError)])
def test_fresh_workdir_takes_folder_names_only(part, error):
    with pytest.raises(error, match=r"parts\[0\] must be a string"):
        saving.fresh_workdir(part)


@pytest.mark.parametrize("parts", [("a",), ("a", "inner")], ids=["the link itself", "a folder below it"])
def test_fresh_workdir_never_empties_a_folder_through_a_link(work_folder, parts):
    """``work/a`` a link to ``work/b``: ``fresh_workdir("a")`` used to empty ``work/b``."""
    real = saving.fresh_workdir("b")
    (real / "inner").mkdir()
    (real / "keep.txt").write_text("keep")
    (real / "inner" / "keep.txt").write_text("keep too")
    (work_folder / "a").symlink_to(real)
    with pytest.raises(ValueError, match=f"through a symbolic link: '{work_folder / 'a'}' is a link to"):
        saving.fresh_workdir(*parts)
    assert (real / "keep.txt").read_text() == "keep" and (
        real / "inner" / "keep.txt"
    ).read_text() == "keep too"
    assert (work_folder / "a").is_symlink()
    assert saving.fresh_workdir("b") == real and list(real.iterdir()) == []  # by its own name it is emptied


def test_fresh_workdir_removes_links_inside_the_folder_not_their_targets(work_folder):
    mine = saving.fresh_workdir("08_saving")
    elsewhere = work_folder / "07_cnn"
    elsewhere.mkdir()
    (elsewhere / "model.keras").write_text("keep")
    (mine / "shortcut").symlink_to(elsewhere)
    saving.fresh_workdir("08_saving")
    assert list(mine.iterdir()) == [] and (elsewhere / "model.keras").read_text() == "keep"


def test_fresh_workdir_refuses_a_symbolic_link_loop_and_a_fifo(work_folder):
    work_folder.mkdir()
    (work_folder / "x").symlink_to(work_folder / "y")
    (work_folder / "y").symlink_to(work_folder / "x")
    with pytest.raises(ValueError, match="fresh_workdir"):
        saving.fresh_workdir("x")
    os.mkfifo(work_folder / "pipe")
    with pytest.raises(ValueError, match="fresh_workdir\\(\\) empties folders; .*pipe' is not a folder"):
        saving.fresh_workdir("pipe")
    assert (work_folder / "pipe").exists()


@pytest.mark.parametrize(
    "code, reason, says",
    [
        (28, "No space left on device", "free some disk space"),
        (30, "Read-only file system", "set COURSE_WORKDIR"),
    ],
    ids=["full disk", "read-only"],
)
def test_fresh_workdir_names_the_folder_it_cannot_write(work_folder, monkeypatch, code, reason, says):
    def refuse(self, *args, **kwargs):
        raise OSError(code, reason)

    monkeypatch.setattr("pathlib.Path.mkdir", refuse)
    with pytest.raises(
        ValueError, match=f"cannot empty and make the folder .*08_saving \\({reason}\\): .*{says}"
    ):
        saving.fresh_workdir("08_saving")


def test_latest_checkpoint_refuses_a_fifo_named_like_a_checkpoint(tmp_path):
    (tmp_path / "cp-0001.weights.h5").write_bytes(b"")
    os.mkfifo(tmp_path / "cp-0002.weights.h5")
    with pytest.raises(ValueError, match="cp-0002.weights.h5' is not a regular file, it is a FIFO"):
        saving.latest_checkpoint(tmp_path)
    (tmp_path / "cp-0002.weights.h5").unlink()
    (tmp_path / "cp-0003.weights.h5").symlink_to(tmp_path / "gone")
    with pytest.raises(
        FileNotFoundError, match="cp-0003.weights.h5' is a symbolic link to .*which does not exist"
    ):
        saving.latest_checkpoint(tmp_path)


def test_weights_readers_refuse_a_fifo_and_a_folder(keras, tmp_path):
    os.mkfifo(tmp_path / "pipe.weights.h5")
    (tmp_path / "folder.weights.h5").mkdir()
    for call in (saving.file_shapes, lambda path: saving.load_weights(mlp(keras), path)):
        with pytest.raises(ValueError, match="is not a regular file, it is a FIFO"):
            call(tmp_path / "pipe.weights.h5")
        with pytest.raises(ValueError, match="must name a file, got the folder"):
            call(tmp_path / "folder.weights.h5")


# --- checked weight loading -------------------------------------------------


def test_load_weights_round_trip_restores_weights_and_optimizer_state(keras, tmp_path):
    model, path = trained(keras, tmp_path)
    fresh = mlp(keras, seed=1)
    assert not same_weights(fresh, model)
    saving.load_weights(fresh, path)
    assert same_weights(fresh, model)
    assert int(fresh.optimizer.iterations) == int(model.optimizer.iterations) > 0
    x = np.ones((4, 5), "float32")
    assert np.array_equal(np.asarray(fresh(x)), np.asarray(model(x)))


def test_load_weights_into_an_uncompiled_model(keras, tmp_path):
    model, path = trained(keras, tmp_path)
    fresh = mlp(keras, compiled=False, seed=1)
    saving.load_weights(fresh, path)
    assert same_weights(fresh, model)


def test_mismatched_layer_size_names_the_layer_and_both_shapes(keras, tmp_path):
    _, path = trained(keras, tmp_path, hidden=8)
    wider = mlp(keras, hidden=16)
    with pytest.raises(saving.ArchitectureMismatch) as caught:
        saving.load_weights(wider, path)
    message = str(caught.value)
    first = wider.layers[0].name
    assert (
        f"layer {first!r} (layers/dense): kernel has shape (5, 16) in the model but (5, 8) in the file"
        in message
    )
    assert "bias has shape (16,) in the model but (8,) in the file" in message
    assert "kernel has shape (16, 3) in the model but (8, 3) in the file" in message


def test_extra_or_missing_layers_are_named(keras, tmp_path):
    _, path = trained(keras, tmp_path)
    deeper = mlp(keras, extra=True)
    with pytest.raises(
        saving.ArchitectureMismatch,
        match=r"\(layers/dense_2\) has weights of shapes \[\(3, 2\), \(2,\)\], but the file has none",
    ):
        saving.load_weights(deeper, path)
    shallow = keras.Sequential([keras.Input(shape=(5,)), keras.layers.Dense(8)])
    with pytest.raises(
        saving.ArchitectureMismatch, match=r"file has weights for layers/dense_1 .* no such layer"
    ):
        saving.load_weights(shallow, path)


def test_nested_models_are_compared_layer_by_layer(keras, tmp_path):
    def nested(hidden):
        inner = keras.Sequential([keras.Input(shape=(5,)), keras.layers.Dense(hidden)])
        return keras.Sequential([keras.Input(shape=(5,)), inner, keras.layers.Dense(2)])

    source = nested(4)
    source.save_weights(tmp_path / "nested.weights.h5")
    copy = nested(4)
    saving.load_weights(copy, tmp_path / "nested.weights.h5")
    assert same_weights(copy, source)
    with pytest.raises(
        saving.ArchitectureMismatch, match=r"layers/sequential/layers/dense\): kernel has shape \(5, 6\)"
    ):
        saving.load_weights(nested(6), tmp_path / "nested.weights.h5")


def functional(keras):
    inputs = keras.Input(shape=(5,))
    hidden = keras.layers.BatchNormalization()(keras.layers.Dense(4)(inputs))
    return keras.Model(inputs, keras.layers.Dense(2)(keras.layers.Dense(3)(hidden)))


def test_the_file_layout_we_rely_on_matches_keras(keras, tmp_path):
    # model_shapes predicts the keys Keras writes; if Keras changes its layout this test says so.
    for model in (trained(keras, tmp_path)[0], functional(keras)):
        model.save_weights(tmp_path / "layout.weights.h5")
        predicted = {key: shapes for key, (layer, shapes) in saving.model_shapes(model).items()}
        assert predicted == saving.file_shapes(tmp_path / "layout.weights.h5")
        assert "layers/dense_1" in predicted


def test_functional_model_mismatch_is_named(keras, tmp_path):
    functional(keras).save_weights(tmp_path / "f.weights.h5")
    inputs = keras.Input(shape=(5,))
    hidden = keras.layers.BatchNormalization()(keras.layers.Dense(4)(inputs))
    other = keras.Model(inputs, keras.layers.Dense(2)(keras.layers.Dense(7)(hidden)))
    with pytest.raises(
        saving.ArchitectureMismatch,
        match=r"\(layers/dense_1\): kernel has shape \(4, 7\) in the model but \(4, 3\)",
    ):
        saving.load_weights(other, tmp_path / "f.weights.h5")


def test_subclassed_models_are_loaded_by_keras_alone(keras, tmp_path):
    class TwoLayers(keras.Model):
        def __init__(self, hidden=4):
            super().__init__()
            self.first, self.second = keras.layers.Dense(hidden), keras.layers.Dense(2)

        def call(self, x):
            return self.second(self.first(x))

    source, copy = TwoLayers(), TwoLayers()
    source(np.ones((1, 5))), copy(np.ones((1, 5)))
    source.save_weights(tmp_path / "sub.weights.h5")
    saving.load_weights(copy, tmp_path / "sub.weights.h5")
    assert same_weights(copy, source)


def test_load_weights_validates_its_input(keras, tmp_path):
    model, path = trained(keras, tmp_path)
    with pytest.raises(TypeError, match="model should be a keras.Model"):
        saving.load_weights("model", path)
    with pytest.raises(TypeError, match="path must be a path"):
        saving.load_weights(model, 2)
    with pytest.raises(ValueError, match="should name a .weights.h5 file"):
        saving.load_weights(model, tmp_path / "model.keras")
    with pytest.raises(FileNotFoundError, match="no weights file"):
        saving.load_weights(model, tmp_path / "missing.weights.h5")
    unbuilt = keras.Sequential([keras.layers.Dense(3)])
    with pytest.raises(ValueError, match="no weights yet"):
        saving.load_weights(unbuilt, path)


def test_shape_readers_validate_their_input(keras, tmp_path):
    with pytest.raises(TypeError, match="Sequential or functional"):
        saving.model_shapes("model")
    with pytest.raises(FileNotFoundError, match="no weights file"):
        saving.file_shapes(tmp_path / "missing.weights.h5")
    with pytest.raises(TypeError, match="model should be a keras.Model"):
        saving.mismatches(None, tmp_path / "missing.weights.h5")
    with pytest.raises(TypeError, match="path must be a path"):
        saving.file_shapes(True)
    with pytest.raises(TypeError, match="model should be a keras.Model"):
        saving.restore_latest(None, tmp_path)  # refused even when the folder holds no checkpoint


@pytest.mark.parametrize("content", [b"", b"not an HDF5 file", None], ids=["empty", "garbage", "truncated"])
def test_a_damaged_weights_file_is_named(keras, tmp_path, content):
    model, path = trained(keras, tmp_path)
    data = path.read_bytes()
    path.write_bytes(data[: len(data) // 2] if content is None else content)
    for call in (lambda: saving.load_weights(model, path), lambda: saving.file_shapes(path)):
        with pytest.raises(ValueError, match=f"{path.name}' is not a readable weights file"):
            call()


def test_restore_latest_returns_the_epoch_to_resume_from(keras, tmp_path):
    model, path = trained(keras, tmp_path)
    run = tmp_path / "run"
    run.mkdir()
    assert saving.restore_latest(mlp(keras), run) == 0
    os.replace(path, run / "cp-0004.weights.h5")
    fresh = mlp(keras, seed=2)
    assert saving.restore_latest(fresh, run) == 4
    assert same_weights(fresh, model)


def test_caught_warnings_collects_python_and_absl_warnings():
    import logging
    import warnings

    with saving.caught_warnings() as messages:
        warnings.warn("a user warning", stacklevel=1)
        logging.getLogger("absl").warning("a log warning")
        warnings.warn("internal", DeprecationWarning, stacklevel=1)
    assert messages == ["a log warning", "a user warning"]
    assert not logging.getLogger("absl").handlers or all(
        not isinstance(h, saving._Collect) for h in logging.getLogger("absl").handlers
    )


def test_caught_warnings_catches_the_legacy_h5_warning(keras, tmp_path):
    model = mlp(keras)
    with saving.caught_warnings() as messages:
        model.save(tmp_path / "old.h5")
    assert any("legacy" in message for message in messages)
