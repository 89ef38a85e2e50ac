"""Exercises and quizzes of 08_saving_loading.

The probes write files: each into a temporary folder it creates and removes again, never
into the learner's work folder. The models of 08.2 and 08.3 are tiny (3 inputs, a hidden
Dense layer of 4 units, 2 outputs, Adam) and their weights and optimizer state come from
the case, so the judge computes with NumPy alone what a restored model must hold, predict
and become after more training.
"""

import tempfile
import warnings
from contextlib import contextmanager
from pathlib import Path, PurePath

import numpy as np

from ..probing import observe, plain_config, type_name
from ..quizzes import multiple_choice
from ..registry import exercise
from ..shortcuts import Shortcut

SHAPES = ((3, 4), (4,), (4, 2), (2,))  # the tiny model's kernel and bias of each Dense layer


def _tiny_model(weights, steps, moments=None, reuse=None):
    """A compiled copy of the tiny model holding ``weights`` (``reuse``: a copy made before, given new state).

    With ``steps`` (not None) its optimizer is built, as after training, and has taken that
    many steps; ``moments`` gives Adam's momentum and velocity for each weight (else zeros).
    """
    import keras

    model = reuse
    if model is None:
        model = keras.Sequential(
            [keras.Input((3,)), keras.layers.Dense(4, activation="relu"), keras.layers.Dense(2)]
        )
        model.compile(
            optimizer=keras.optimizers.Adam(learning_rate=LEARNING_RATE),
            loss=keras.losses.MeanSquaredError(),
        )
    moments = moments or [(np.zeros(shape), np.zeros(shape)) for shape in SHAPES]
    model.set_weights([np.asarray(w, dtype="float32") for w in weights])
    if steps is not None:
        optimizer = model.optimizer
        optimizer.build(model.trainable_variables)
        optimizer.iterations.assign(steps)
        for (momentum, velocity), (m, v) in zip(zip(optimizer._momentums, optimizer._velocities), moments):
            momentum.assign(np.asarray(m, dtype="float32"))
            velocity.assign(np.asarray(v, dtype="float32"))
    return model


@contextmanager
def _eagerly():
    """fit, predict and calls run step by step instead of being traced into a graph first.

    The numbers are the same; for the few tiny steps of a check, tracing is most of the time.
    """
    import keras

    if keras.backend.backend() != "tensorflow":
        yield
        return
    import tensorflow as tf

    before = tf.config.functions_run_eagerly()
    tf.config.run_functions_eagerly(True)
    try:
        with warnings.catch_warnings():  # tf.data's functions are still traced: nothing the learner did
            warnings.filterwarnings("ignore", message="Even though the `tf.config.experimental_run_functions")
            yield
    finally:
        tf.config.run_functions_eagerly(before)


def _random_weights(rng):
    return [rng.normal(size=shape).astype("float32") for shape in SHAPES]


def _observe_weights(model):
    try:
        return [observe(np.asarray(w)) for w in model.get_weights()]
    except Exception:
        return None


def _files(folder):
    """The names of the files directly in ``folder``, sorted."""
    return sorted(path.name for path in folder.iterdir() if path.is_file())


def _qualified(thing):
    """``module.QualifiedName`` of a class or a function."""
    return f"{getattr(thing, '__module__', '')}.{getattr(thing, '__qualname__', type(thing).__qualname__)}"


def _steps(model):
    optimizer = getattr(model, "optimizer", None)
    try:
        return int(optimizer.iterations) if optimizer is not None and optimizer.built else 0
    except Exception:
        return None


# ---------------------------------------------------------------------------
# 08.1 Find the latest checkpoint
# ---------------------------------------------------------------------------

STRAYS = ("best.weights.h5", "notes.txt")  # what else a run folder holds: the best model, a note


def _checkpoint_name(epoch):
    return f"epoch-{epoch}.weights.h5"


def _latest_cases(rng):
    """Two run folders where the latest epoch has one digit more than another (9 and 10 to 89, 99 and 100 to
    899: as text, 'epoch-9' comes after them all), and a folder with no checkpoint directly in it.

    Five checkpoints each: the highest, the highest as text, the lowest and, written last (copied or
    re-saved), another one, so that each wrong pick is told apart."""
    cases = []
    for low in (9, 99):
        top = int(rng.integers(low + 1, 9 * (low + 1)))  # its first digit is below 9
        others = rng.choice(np.arange((low + 1) // 10, low), size=3, replace=False)
        epochs = sorted({low, top, *(int(e) for e in others)})
        newest = epochs[1]  # not the lowest, not the highest, not the highest as text
        files = [_checkpoint_name(e) for e in epochs if e != newest]
        files += [*STRAYS, f"{_checkpoint_name(top + 7)}.partial", f"old/{_checkpoint_name(top + 40)}"]
        files.append(_checkpoint_name(newest))
        cases.append({"epochs": epochs, "files": files})
    return [*cases, {"epochs": [], "files": [*STRAYS, "old/epoch-3.weights.h5"]}]


def _write_folder(folder, files):
    """Empty files named ``files`` (in write order, a minute apart) under ``folder``."""
    import os

    for number, name in enumerate(files):
        path = folder / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(b"")
        os.utime(path, (1_700_000_000 + 60 * number,) * 2)


def _probe_latest(answer, case):
    with tempfile.TemporaryDirectory(prefix="course-08.1-") as temporary:
        folder = Path(temporary) / "run"
        folder.mkdir()
        _write_folder(folder, case["files"])
        got = answer(folder)
        seen = {"result": observe(got), "is_path": isinstance(got, PurePath)}
        if seen["is_path"]:  # the judge works out where it points; resolved: /tmp may be a link (macOS)
            seen["path"] = str(got)
            seen["resolved"] = str(Path(got).resolve())
            seen["folder"] = str(folder.resolve())
        return seen


exercise(
    id="08.1",
    revision=2,  # stricter since the first release: earlier passes are re-checked
    title="Find the latest checkpoint",
    produce="a function latest_checkpoint(folder) that takes a folder (a pathlib.Path) and returns the "
    "pathlib.Path of the checkpoint with the highest epoch among the files directly in it named "
    "'epoch-<epoch>.weights.h5' (the epoch written without leading zeros), or None when there is none; "
    "the folder may hold other files and folders too",
    cases=_latest_cases,
    probe=_probe_latest,
    hints=(
        "Look at every file directly in the folder, keep only those whose whole name has the checkpoint "
        "form, and read the epoch number out of each name.",
        "Names compare as text, character by character, so the number has to become an int before you "
        "compare epochs. A regular expression can match the whole name and capture the digits.",
        "max() takes a key function; the default= argument covers a folder with no checkpoint.",
    ),
    shortcuts=(Shortcut("course.saving:latest_checkpoint"), Shortcut("course.saving:checkpoint_epoch")),
)


# ---------------------------------------------------------------------------
# 08.2 Resume training
# ---------------------------------------------------------------------------

LEARNING_RATE, BETA_1, BETA_2, EPSILON = 0.01, 0.9, 0.999, 1e-7  # the tiny model's Adam


def _random_moments(rng):
    """Adam's running averages for each weight: a momentum and a (positive) velocity."""
    return [
        [
            (0.1 * rng.normal(size=shape)).astype("float32"),
            rng.uniform(1e-3, 0.1, size=shape).astype("float32"),
        ]
        for shape in SHAPES
    ]


def _resume_cases(rng):
    low = int(rng.choice([9, 99]))
    epochs = [low + 1, int(rng.integers(1, low - 1)), low]  # the latest is written first, not last
    more = int(rng.integers(2, 4))
    n = int(rng.integers(5, 13))
    checkpoints = {
        "epochs": epochs,
        "weights": [_random_weights(rng) for _ in epochs],
        "moments": [_random_moments(rng) for _ in epochs],
        "steps": [e * int(rng.integers(2, 6)) for e in epochs],
        "best": _random_weights(rng),
        "fresh": _random_weights(rng),
        "x": rng.normal(size=(n, 3)).astype("float32"),
        "y": rng.normal(size=(n, 2)).astype("float32"),
        "until": max(epochs) + more,
    }
    empty = {
        "epochs": [],
        "weights": [],
        "moments": [],
        "steps": [],
        "fresh": _random_weights(rng),
        "x": rng.normal(size=(n, 3)).astype("float32"),
        "y": rng.normal(size=(n, 2)).astype("float32"),
        "until": more - 1,  # one or two epochs from the start
    }
    return [checkpoints, empty]


def _write_checkpoints(folder, case):
    import os

    model = None
    for number, (epoch, weights, steps, moments) in enumerate(
        zip(case["epochs"], case["weights"], case["steps"], case["moments"])
    ):
        path = folder / _checkpoint_name(epoch)
        model = _tiny_model(weights, steps, moments, reuse=model)
        model.save_weights(path)
        os.utime(path, (1_700_000_000 + 60 * number,) * 2)
    if case["epochs"]:  # the file ModelCheckpoint(save_best_only=True) keeps, a later epoch's weights
        _tiny_model(case["best"], 1, reuse=model).save_weights(folder / "best.weights.h5")
    (folder / "notes.txt").write_text("Adam, learning rate 0.01\n")


def _probe_resume(answer, case):
    import keras

    with tempfile.TemporaryDirectory(prefix="course-08.2-") as temporary:
        folder = Path(temporary) / "run"
        folder.mkdir()
        _write_checkpoints(folder, case)
        before = sorted(path.name for path in folder.iterdir())
        model = _tiny_model(case["fresh"], None)
        with _eagerly():
            history = answer(model, folder, case["x"], case["y"], case["until"])
        returned_history = isinstance(history, keras.callbacks.History)
        return {
            "result": observe(history),
            "epochs_run": [int(e) for e in history.epoch] if returned_history else None,
            "weights": _observe_weights(model),
            "steps": _steps(model),
            "files_before": before,
            "files_after": sorted(path.name for path in folder.iterdir()),
        }


exercise(
    id="08.2",
    revision=2,  # stricter since the first release: earlier passes are re-checked
    title="Resume training",
    produce="a function resume(model, folder, x, y, epochs) that takes a compiled Keras model whose "
    "optimizer has not run yet, a folder (a pathlib.Path) of checkpoints 'epoch-<epoch>.weights.h5', "
    "training data x, y and the epoch to end at; it loads the latest checkpoint (weights and optimizer "
    "state) if there is one, goes on training with fit (default batch size, one epoch after another up "
    "to epoch `epochs`) and returns the History that fit returns",
    cases=_resume_cases,
    probe=_probe_resume,
    hints=(
        "Resuming has three parts: find the latest checkpoint (your latest_checkpoint does that), bring "
        "back everything it saved (the weights and the optimizer's state), and tell fit where training "
        "stopped.",
        "A weights file holds the optimizer's variables too, but Keras can only fill variables that "
        "exist, and a fresh optimizer creates its own only at its first step. Look for a way to create "
        "them before loading; the warning 'Skipping variable loading for optimizer' means they were missing.",
        "fit has one argument for where the epochs start and one for where they end. A worked example "
        "on other numbers: after a checkpoint of epoch 4, ending at epoch 7 means fit runs epochs 4, 5 "
        "and 6 (History.epoch is [4, 5, 6]), and an empty folder means starting at 0.",
    ),
    shortcuts=(
        Shortcut("course.saving:restore_latest"),
        Shortcut("course.saving:latest_checkpoint"),
        Shortcut("course.saving:checkpoint_epoch"),
        Shortcut("course.saving:load_weights"),
    ),
    time_limit=30.0,
)


# ---------------------------------------------------------------------------
# 08.3 A whole-model round trip
# ---------------------------------------------------------------------------


def _round_trip_cases(rng):
    return [
        {
            "weights": _random_weights(rng),
            "steps": int(rng.integers(1, 500)),
            "x": rng.normal(size=(int(rng.integers(3, 8)), 3)).astype("float32"),
            "name": f"model-{int(rng.integers(1000))}.keras",
        }
    ]  # one model: saving and loading take a while, and each mistake shows on any model


def _probe_round_trip(answer, case):
    import keras

    with tempfile.TemporaryDirectory(prefix="course-08.3-") as temporary:
        path = Path(temporary) / case["name"]
        model = _tiny_model(case["weights"], case["steps"])
        loaded = answer(model, path)
        seen = {
            "files": _files(Path(temporary)),
            "result": observe(loaded),
            "model": isinstance(loaded, keras.Model),
            "ids": [id(model), id(loaded)],  # the model given and the one returned
        }
        if seen["model"] and loaded is not model:
            seen["type"] = type_name(loaded)
            seen["predictions"] = observe(np.asarray(loaded(np.array(case["x"]))))
            seen["steps"] = _steps(loaded)
            seen["compiled"] = bool(getattr(loaded, "compiled", False))
        return seen


exercise(
    id="08.3",
    revision=2,  # stricter since the first release: earlier passes are re-checked
    title="A whole-model round trip",
    produce="a function round_trip(model, path) that takes a compiled Keras model and a path ending in "
    ".keras, saves the whole model there and returns the model loaded back from that file",
    cases=_round_trip_cases,
    probe=_probe_round_trip,
    hints=(
        "A .keras file keeps the architecture, the weights and the optimizer's state. The function has "
        "two halves: write the whole model to the file, then read the file back as a new model.",
        "Keras has a pair of calls for whole models (not only their weights): one writes, one reads. "
        "The section above uses both.",
        "Look at what you return: the check wants the model that was read from the file, a new object; "
        "the model you were given proves nothing about the file.",
    ),
    time_limit=30.0,
)


# ---------------------------------------------------------------------------
# 08.4 A custom layer that survives a .keras file
# ---------------------------------------------------------------------------


SOFT_CLIP_KWARGS = {"trainable": False, "dtype": "float64"}  # base-class arguments that are not the default


def _soft_clip_cases(rng):
    """Each SoftClip is made with a name and other base-class arguments (SOFT_CLIP_KWARGS), so that an
    __init__ that hands on only some of them is caught."""
    return [
        {
            "limit": float(np.round(rng.uniform(0.5, 4.0), 3)),
            "name": f"clip_{int(rng.integers(100, 1000))}",
            "kwargs": dict(SOFT_CLIP_KWARGS),
            "kernel": (2 * rng.normal(size=(3, 4))).astype("float32"),
            "bias": rng.normal(size=(4,)).astype("float32"),
            "x": (3 * rng.normal(size=(int(rng.integers(3, 8)), 3))).astype("float32"),
        }
        for _ in range(2)
    ]


def _config(layer):
    """A layer's config as plain data (None when get_config gives no dict), and the type it gave."""
    config = layer.get_config()
    return (plain_config(config) if isinstance(config, dict) else None), type_name(config)


def _base_arguments(layer):
    """What a layer made of the base class's arguments other than name (SOFT_CLIP_KWARGS)."""
    return {"trainable": bool(layer.trainable), "dtype": str(layer.dtype_policy.name)}


def _probe_soft_clip(answer, case):
    import keras

    seen = {"layer_class": issubclass(answer, keras.layers.Layer)}
    if not seen["layer_class"]:
        return seen
    seen["get_config"] = _qualified(answer.get_config)
    seen["layer_get_config"] = _qualified(keras.layers.Layer.get_config)
    seen["registered_name"] = str(keras.saving.get_registered_name(answer))
    seen["class_name"] = str(answer.__name__)
    seen["answer_id"] = id(answer)
    layer = answer(limit=case["limit"], name=case["name"], **case["kwargs"])
    dense = keras.layers.Dense(4)
    model = keras.Sequential([keras.Input((3,)), dense, layer])
    dense.set_weights([np.array(case["kernel"]), np.array(case["bias"])])
    x = np.array(case["x"])
    seen["before"] = observe(np.asarray(model(x)))
    seen["config"], seen["config_type"] = _config(layer)
    seen["name"] = str(layer.name)
    seen["base"] = _base_arguments(layer)
    with tempfile.TemporaryDirectory(prefix="course-08.4-") as temporary:
        path = Path(temporary) / "clipped.keras"
        model.save(path)
        try:
            loaded = keras.models.load_model(path, safe_mode=True)
        except Exception as error:
            seen["load_error"] = f"{type(error).__name__}: {error}"[-3000:]
            return seen
    clipped = loaded.layers[-1]
    seen["loaded_type"], seen["loaded_id"] = type_name(clipped), id(type(clipped))
    seen["loaded_config"], _ = _config(clipped)
    seen["loaded_base"] = _base_arguments(clipped)
    seen["after"] = observe(np.asarray(loaded(x)))
    return seen


exercise(
    id="08.4",
    revision=2,  # stricter since the first release: earlier passes are re-checked
    title="A custom layer that survives a .keras file",
    produce="a class SoftClip(limit, **kwargs), a subclass of keras.layers.Layer written by you, registered "
    "for serialization and with a get_config of its own, that squashes every value smoothly into "
    "(-limit, limit) as limit·tanh(x / limit); a model using it must save to a .keras file and load back "
    "with keras.models.load_model(path, safe_mode=True) with the same config and outputs",
    answer="class",
    cases=_soft_clip_cases,
    probe=_probe_soft_clip,
    hints=(
        "A .keras file stores the layer's registered name and its config, never its code: loading looks "
        "the class up by that name and calls it with the config as keyword arguments.",
        "So three things must agree: Keras must be able to find the class by its name (it keeps a "
        "registry of serializable objects), the config must hold every argument of your __init__, and "
        "__init__ must accept what the base class puts in the config (name, trainable, dtype, ...) and "
        "hand it on to the base class.",
        "A worked example with another layer: for Scale(factor), the config is the base class's config "
        "with one more entry, factor, and loading calls Scale(factor=..., name=..., trainable=..., "
        "dtype=...). For call: tanh squashes into (-1, 1); stretch its input and its output so that the "
        "edges move to -limit and limit.",
    ),
    time_limit=30.0,
)


# ---------------------------------------------------------------------------
# 08.5 The notes' code in Keras 3
# ---------------------------------------------------------------------------

STALE = 40  # examples an earlier evaluation left in the meter


def _notes_cases(rng):
    """x in [0, 1) as in the notes; the saved model is also run on ``inputs``, of both signs and large, so
    that every hidden unit and every logit meets negative values (a missing or extra activation shows)."""
    features, n = int(rng.integers(6, 21)), int(rng.integers(33, 65))  # two steps an epoch
    return [
        {
            "x": rng.random((n, features)).astype("float32"),
            "y": np.eye(10, dtype="float32")[rng.integers(0, 10, size=n)],
            "epochs": int(rng.integers(1, 3)),
            "inputs": (5 * rng.normal(size=(16, features))).astype("float32"),
        }
    ]


def _probe_notes(answer, case):
    import keras

    meter = keras.metrics.CategoricalAccuracy()
    stale = np.eye(10, dtype="float32")[np.arange(STALE) % 10]
    meter.update_state(stale, np.roll(stale, 1, axis=1))  # an earlier evaluation, all wrong
    x = np.array(case["x"])
    with tempfile.TemporaryDirectory(prefix="course-08.5-") as temporary:
        folder = Path(temporary)
        with _eagerly():
            returned = answer(case["x"], case["y"], folder, meter, case["epochs"])
        seen = {
            "result": observe(returned),
            "files": sorted(path.name for path in folder.iterdir()),
            "meter_count": int(meter.count.numpy()),
        }
        if "model.keras" not in seen["files"]:
            return seen
        loaded = keras.models.load_model(folder / "model.keras", safe_mode=True)
        seen["shapes"] = [[int(n) for n in w.shape] for w in loaded.weights]
        seen["optimizer"] = type_name(loaded.optimizer)
        seen["learning_rate"] = float(np.asarray(loaded.optimizer.learning_rate))
        seen["steps"] = _steps(loaded)
        seen["loss"] = type_name(loaded.loss)
        seen["from_logits"] = observe(getattr(loaded.loss, "from_logits", None))
        seen["metrics"] = plain_config(loaded.get_compile_config().get("metrics"))
        seen["predictions"] = observe(np.asarray(loaded(x)))
        seen["weights"] = _observe_weights(loaded)
        seen["outputs"] = observe(np.asarray(loaded(np.array(case["inputs"]))))
        if "weights.weights.h5" in seen["files"] and seen["shapes"]:
            with warnings.catch_warnings():  # the weights file may hold no optimizer state: that shows below
                warnings.filterwarnings("ignore", message="Skipping variable loading")
                loaded.load_weights(folder / "weights.weights.h5")  # all else is read: the model may change
            seen["twin_predictions"] = observe(np.asarray(loaded(x)))
        return seen


exercise(
    id="08.5",
    revision=2,  # stricter since the first release: earlier passes are re-checked
    title="The notes' code in Keras 3",
    produce="a function notes_in_keras3(x, y, folder, meter, epochs) that does in Keras 3 what the notes' "
    "code does: builds the notes' network for inputs of x.shape[1] features (Dense layers of 256, 128, 64 "
    "and 32 units with ReLU, then Dense(10) giving logits), compiles it with Adam at learning rate 0.01, "
    "categorical cross-entropy on logits and accuracy, trains it with fit for `epochs` epochs on x and "
    "the one-hot labels y (default batch size), saves the weights to folder / 'weights.weights.h5' and "
    "the whole model to folder / 'model.keras', then measures its accuracy on (x, y) with meter, a "
    "keras.metrics.CategoricalAccuracy that may hold counts from earlier, counting from zero; it returns "
    "that accuracy as a float",
    cases=_notes_cases,
    probe=_probe_notes,
    hints=(
        "Go through the notes' code line by line and run each piece: Keras 3's error messages name "
        "most of the fixes.",
        "Keras 3 renamed or removed some of what the notes use: the optimizer's argument for the step "
        "size, the way a model learns its input shape, and the file names that saving accepts (the "
        "format comes from the name's ending).",
        "A meter adds up its counts until it is cleared, and the meter you are given has counted "
        "before. Look at the methods of keras.metrics.CategoricalAccuracy: the one that clears it has "
        "a new name in Keras 3, and the order of clearing and counting matters.",
    ),
    time_limit=60.0,
)


# ---------------------------------------------------------------------------
# Quizzes
# ---------------------------------------------------------------------------

multiple_choice(
    "08.q1",
    "Training must continue tomorrow with exactly the same optimizer state, and tomorrow's "
    "notebook will not have the code that built the model. What do you save today?",
    options=[
        "model.get_config(), written to a JSON file",
        "model.save('model.keras')",
        "model.export('model_savedmodel')",
        "a pickle of the model object",
    ],
    answer="model.save('model.keras')",
    explanation="A .keras file holds the architecture, the weights and the optimizer state; the config "
    "has no weights, an export has no optimizer, and a pickle is code that runs when loaded.",
)

multiple_choice(
    "08.q2",
    "A forum post links to 'best_digits.keras'. Loading it raises: 'Requested the deserialization of a "
    "Lambda layer ... disallowed by default'. What do you do?",
    options=[
        "Load it with safe_mode=False: the error is a Keras bug",
        "Call keras.config.enable_unsafe_deserialization() and try again",
        "Do not load it: ask for the code that builds the model, or a file without Lambda layers",
        "Rename it to best_digits.h5 so that safe mode does not apply",
    ],
    answer="Do not load it: ask for the code that builds the model, or a file without Lambda layers",
    explanation="Turning safe mode off would run the file's code on your machine; that is only "
    "acceptable for files you made yourself. Ask for the code instead, or for a model without Lambda "
    "layers (a registered custom layer stores no code). Renaming does not help: .h5 files are checked too.",
)

multiple_choice(
    "08.q3",
    "Which of these can you load and run WITHOUT the Python code that built the model?",
    options=[
        "a .weights.h5 file",
        "a SavedModel folder written by model.export()",
        "the dictionary from model.get_config() alone",
    ],
    answer="a SavedModel folder written by model.export()",
    explanation="The export holds the computation as a TensorFlow graph plus the weights; a weights "
    "file needs the architecture, and a config has no weights.",
)
