"""Checkers for 08_saving_loading."""

from ...saving import fresh_workdir
from ..framework import Wrong, call, describe, exercise, expect_callable, expect_equal


@exercise(
    "08.1",
    "A checkpoint file pattern",
    expects="a string such as 'cp-{epoch:04d}.weights.h5': one weights file per epoch, names sorting in epoch order",
    hint="ModelCheckpoint fills in {epoch}; ':04d' pads it with zeros to 4 digits, and weights-only files must end in .weights.h5.",
)
def _checkpoint_pattern(answer):
    if not isinstance(answer, str):
        raise Wrong(f"checkpoint_pattern should be a string, got {describe(answer)}.")
    if "/" in answer or "\\" in answer:
        raise Wrong("checkpoint_pattern should be a file name only; the folder is joined to it separately.")
    if not answer.endswith(".weights.h5"):
        raise Wrong(
            f"{answer!r} does not end in '.weights.h5', which Keras requires for weights-only checkpoints."
        )
    try:
        names = [answer.format(epoch=epoch) for epoch in (1, 2, 9, 10, 100, 1000)]
    except (KeyError, IndexError, ValueError) as error:
        raise Wrong(
            f"{answer!r}.format(epoch=1) fails ({type(error).__name__}: {error}); use only the field {{epoch}}."
        ) from None
    if len(set(names)) != len(names):
        raise Wrong(
            f"{answer!r} gives the same name for different epochs ({names[0]!r}); put {{epoch}} in it."
        )
    if sorted(names) != names:
        raise Wrong(
            f"sorted by name, {names} come out as {sorted(names)}: pad the epoch with zeros ({{epoch:04d}}) "
            "so that the names sort in epoch order."
        )
    return f"epoch 7 is saved as {answer.format(epoch=7)!r}, and the names sort in epoch order."


def _tiny_model(keras, seed, compiled=True):
    init = keras.initializers.GlorotUniform(
        seed=seed
    )  # seeded here: the notebook's random state is left alone
    model = keras.Sequential(
        [
            keras.Input((3,)),
            keras.layers.Dense(4, activation="relu", kernel_initializer=init),
            keras.layers.Dense(2),
        ]
    )
    if compiled:  # a compiled model with a built optimizer, as after training: its files hold optimizer state
        model.compile(
            optimizer=keras.optimizers.Adam(learning_rate=0.01), loss=keras.losses.MeanSquaredError()
        )
        model.optimizer.build(model.trainable_variables)
        model.optimizer.iterations.assign(seed)
    return model


def _same_weights(a, b):
    import numpy as np

    return len(a) == len(b) and all(np.array_equal(x, y) for x, y in zip(a, b))


@exercise(
    "08.2",
    "Restore the latest checkpoint",
    expects="a function restore_latest(model, folder) that loads the cp-*.weights.h5 file with the highest epoch "
    "into model and returns that epoch (0, with the weights untouched, when there is none)",
    hint="course.saving.latest_checkpoint(folder) finds the file, course.saving.checkpoint_epoch(path) reads its "
    "epoch, course.saving.load_weights(model, path) loads it.",
)
def _restore_latest(answer):
    import keras

    expect_callable(answer)
    folder = fresh_workdir("checks", "08.2")
    saved = {}
    for epoch in (10, 1, 2):  # epoch 10 is written first: the newest file on disk is not the latest epoch
        model = _tiny_model(keras, seed=epoch)
        model.save_weights(folder / f"cp-{epoch:04d}.weights.h5")
        saved[epoch] = model.get_weights()

    empty = fresh_workdir("checks", "08.2-empty")
    model = _tiny_model(keras, seed=99, compiled=False)
    before = model.get_weights()
    got = call(answer, model, empty, what="restore_latest(model, empty_folder)")
    expect_equal(got, 0, what="restore_latest(model, a folder without checkpoints)")
    if not _same_weights(model.get_weights(), before):
        raise Wrong("with no checkpoint in the folder, the model's weights should stay as they were.")

    got = call(answer, model, folder, what="restore_latest(model, folder)")
    if got == 2:
        raise Wrong(
            "you returned epoch 2, the newest file on disk; the latest checkpoint is the highest epoch (10)."
        )
    expect_equal(got, 10, what="the epoch restore_latest returns for cp-0001, cp-0002 and cp-0010")
    if not _same_weights(model.get_weights(), saved[10]):
        raise Wrong(
            "restore_latest returned 10 but the model does not hold the weights of cp-0010.weights.h5."
        )
    return "restore_latest finds cp-0010.weights.h5, loads it and returns 10 (0 for an empty folder)."


@exercise(
    "08.3",
    "A whole-model round trip",
    expects="a function round_trip(model, path) that saves model as a .keras file at path and returns the model "
    "loaded back from that file",
    hint="model.save(path) writes the file; keras.models.load_model(path) reads it back.",
)
def _round_trip(answer):
    import keras
    import numpy as np

    expect_callable(answer)
    model = _tiny_model(keras, seed=3)
    x = np.random.default_rng(3).normal(size=(16, 3)).astype("float32")
    path = fresh_workdir("checks", "08.3") / "tiny.keras"
    loaded = call(answer, model, path, what="round_trip(model, path)")
    if not path.is_file():
        raise Wrong(f"round_trip did not write a file at {path.name}: save the model there.")
    if not isinstance(loaded, keras.Model):
        raise Wrong(f"round_trip should return the loaded keras.Model, got {describe(loaded)}.")
    if loaded is model:
        raise Wrong("round_trip returned the model it was given; return the model loaded from the file.")
    if not np.array_equal(np.asarray(model(x)), np.asarray(loaded(x))):
        raise Wrong("the loaded model predicts differently: did the file keep the trained weights?")
    optimizer = getattr(loaded, "optimizer", None)
    if optimizer is None or int(optimizer.iterations) != int(model.optimizer.iterations):
        raise Wrong("the loaded model lost its optimizer state: save the whole model with model.save(path).")
    return "same predictions and the same optimizer step count after the round trip."
