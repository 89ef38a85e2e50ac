"""Exercises and quizzes of 08_saving_loading.

The probes of 08.2 and 08.3 write model files: each into a temporary folder it creates
and removes again, never into the learner's work folder. The models are tiny (3 inputs,
a hidden Dense layer of 4 units, 2 outputs) and their weights come from the case, so the
judge computes what a restored model must hold and predict with NumPy alone.
"""

import re
import tempfile
from pathlib import Path

import numpy as np

from .. import judging
from ..framework import exercise
from ..judging import Wrong
from ..probing import Shortcut, observe, type_name
from ..quizzes import multiple_choice

SHAPES = ((3, 4), (4,), (4, 2), (2,))  # the tiny model's kernel and bias of each Dense layer


def _tiny_model(weights, steps):
    """A compiled copy of the tiny model holding ``weights``; ``steps`` optimizer steps if not None."""
    import keras

    model = keras.Sequential(
        [keras.Input((3,)), keras.layers.Dense(4, activation="relu"), keras.layers.Dense(2)]
    )
    model.compile(optimizer=keras.optimizers.Adam(learning_rate=0.01), loss=keras.losses.MeanSquaredError())
    model.set_weights([np.asarray(w, dtype="float32") for w in weights])
    if steps is not None:  # as after training: the optimizer has its variables and a step count
        model.optimizer.build(model.trainable_variables)
        model.optimizer.iterations.assign(steps)
    return model


def _predict(weights, x):
    """The tiny model's output, in NumPy."""
    w1, b1, w2, b2 = (np.asarray(w, dtype="float32") for w in weights)
    return np.maximum(x @ w1 + b1, 0) @ w2 + b2


def _random_weights(rng):
    return [rng.normal(size=shape).astype("float32") for shape in SHAPES]


def _observe_weights(model):
    try:
        return [observe(np.asarray(w)) for w in model.get_weights()]
    except Exception:
        return None


def _steps(model):
    optimizer = getattr(model, "optimizer", None)
    try:
        return int(optimizer.iterations) if optimizer is not None and optimizer.built else 0
    except Exception:
        return None


def _same_weights(seen, weights):
    if not isinstance(seen, list) or len(seen) != len(weights):
        return False
    for item, want in zip(seen, weights):
        if not isinstance(item, dict) or "value" not in item:
            return False
        got = np.asarray(item["value"])
        if got.shape != np.shape(want) or not np.array_equal(got, np.asarray(want, dtype="float32")):
            return False
    return True


# ---------------------------------------------------------------------------
# 08.1 A checkpoint file pattern
# ---------------------------------------------------------------------------


def _pattern_cases(rng):
    # the epochs where the number of digits grows, and a few more: names must sort by number, not by text
    epochs = {1, 9, 10, 99, 100, 999, 1000, 9999} | {int(e) for e in rng.integers(1, 10_000, size=4)}
    return [{"epochs": sorted(epochs)}]


def _judge_pattern(case, seen):
    pattern = judging.text(seen, "checkpoint_pattern")
    if "/" in pattern or "\\" in pattern:
        raise Wrong(
            "checkpoint_pattern should be a file name only, without a folder: the notebook joins the "
            "folder to it."
        )
    if not pattern.endswith(".weights.h5"):
        kind = (
            "a .keras file holds a whole model, not just weights"
            if pattern.endswith(".keras")
            else "Keras refuses other endings for weights-only checkpoints"
        )
        raise Wrong(f"{pattern!r} does not end in '.weights.h5': {kind}.")
    epochs = case["epochs"]
    names = []
    for epoch in epochs:
        try:
            names.append(pattern.format(epoch=epoch))
        except KeyError as error:
            raise Wrong(
                f"{pattern!r} has a field {{{error.args[0]}}} that the epoch does not fill in: Keras "
                "fills in the field called epoch."
            ) from None
        except (IndexError, ValueError, AttributeError, TypeError) as error:
            raise Wrong(
                f"{pattern!r} cannot be filled in with an epoch number ({type(error).__name__}: {error})."
            ) from None
    if len(set(names)) < len(names):
        raise Wrong(
            f"{pattern!r} gives the same name {names[0]!r} for epochs {epochs[0]} and {epochs[1]}: "
            "every epoch would overwrite the file of the one before."
        )
    if not all(name.endswith(".weights.h5") for name in names):
        raise Wrong(f"for epoch {epochs[0]} the name is {names[0]!r}, which does not end in '.weights.h5'.")
    for (early, first), (late, second) in zip(zip(epochs, names), list(zip(epochs, names))[1:]):
        if second < first:
            raise Wrong(
                f"sorted by name, epoch {late}'s file {second!r} comes before epoch {early}'s {first!r}: "
                "in a folder listing the checkpoints would be out of order."
            )
    for epoch, name in zip(epochs, names):
        numbers = re.findall(r"\d+", name.split(".")[0])
        if not numbers or int(numbers[-1]) != epoch:
            raise Wrong(
                f"the name {name!r} does not end with the epoch number ({epoch}) before the suffix, "
                "where course.saving.checkpoint_epoch reads it."
            )
    return f"epoch {epochs[0]} is saved as {names[0]!r}, and the names sort in epoch order."


exercise(
    id="08.1",
    title="A checkpoint file pattern",
    produce="a string checkpoint_pattern: a file name (no folder) for ModelCheckpoint with "
    "save_weights_only=True that gives every epoch from 1 to 9999 its own file, with names that "
    "sort in epoch order",
    answer="value",
    cases=_pattern_cases,
    probe=lambda answer, case: observe(answer),
    judge=_judge_pattern,
    hints=(
        "ModelCheckpoint fills the epoch number into the file name wherever the name has a format "
        "field for it; weights-only files need the ending Keras expects for weights.",
        "Names are sorted as text: '10' comes before '9'. Which names sort correctly for any number "
        "of epochs up to 9999?",
        "Python's format mini-language can pad a number with zeros to a fixed width.",
    ),
)


# ---------------------------------------------------------------------------
# 08.2 Restore the latest checkpoint
# ---------------------------------------------------------------------------


def _restore_cases(rng):
    cases = []
    for count in (3, 4):
        epochs = [int(e) for e in rng.choice(np.arange(1, 200), size=count, replace=False)]
        top = epochs.index(max(epochs))
        epochs[0], epochs[top] = epochs[top], epochs[0]  # the highest epoch is written first, not last
        cases.append(
            {
                "epochs": epochs,
                "weights": [_random_weights(rng) for _ in epochs],
                "steps": [int(e) * int(rng.integers(3, 9)) for e in epochs],
                "fresh": _random_weights(rng),
            }
        )
    return [*cases, {"epochs": [], "weights": [], "steps": [], "fresh": _random_weights(rng)}]


def _probe_restore(answer, case):
    import os

    with tempfile.TemporaryDirectory(prefix="course-08.2-") as temporary:
        folder = Path(temporary) / "run"
        folder.mkdir()
        for number, (epoch, weights, steps) in enumerate(zip(case["epochs"], case["weights"], case["steps"])):
            path = folder / f"cp-{epoch:04d}.weights.h5"
            _tiny_model(weights, steps).save_weights(path)
            os.utime(path, (1_700_000_000 + 60 * number,) * 2)  # written in this order, a minute apart
        if case["epochs"]:  # a file that is no checkpoint, as ModelCheckpoint(save_best_only) leaves
            _tiny_model(case["fresh"], 1).save_weights(folder / "best.weights.h5")
        before = sorted(path.name for path in folder.iterdir())
        model = _tiny_model(case["fresh"], None)
        got = answer(model, folder)
        return {
            "result": observe(got),
            "weights": _observe_weights(model),
            "steps": _steps(model),
            "files_kept": sorted(path.name for path in folder.iterdir()) == before,
        }


def _judge_restore(case, seen):
    epochs = case["epochs"]
    what = "restore_latest(model, folder)" + ("" if epochs else " for a folder without checkpoints")
    if not seen["files_kept"]:
        raise Wrong("restore_latest changed the files in the folder; it should only read them.")
    if seen["result"].get("type") == "NoneType":
        raise Wrong(f"{what} returned None; it should return the epoch as an int (0 when there is none).")
    got = judging.whole_number(seen["result"], what)
    if not epochs:
        if got != 0:
            raise Wrong(f"{what} is {got}; with nothing to restore, training starts from epoch 0.")
        if not _same_weights(seen["weights"], case["fresh"]):
            raise Wrong("with no checkpoint in the folder, the model's weights should stay as they were.")
        return "restore_latest finds the checkpoint with the highest epoch, loads it and returns its epoch."
    latest = epochs.index(max(epochs))
    if got != max(epochs):
        if got == epochs[-1]:
            raise Wrong(
                f"{what} is {got}, the epoch of the newest file on disk; the latest checkpoint is the "
                f"one with the highest epoch in its name ({max(epochs)})."
            )
        if got in epochs:
            raise Wrong(f"{what} is {got}, the epoch of another checkpoint; the latest is {max(epochs)}.")
        raise Wrong(f"{what} is {got}, which is not the epoch of any checkpoint in the folder.")
    if _same_weights(seen["weights"], case["fresh"]):
        raise Wrong(
            f"restore_latest returned {got} but left the model's weights as they were: load the file."
        )
    if not _same_weights(seen["weights"], case["weights"][latest]):
        if any(_same_weights(seen["weights"], w) for w in case["weights"]):
            raise Wrong(f"restore_latest returned {got} but loaded the weights of another checkpoint.")
        raise Wrong(f"restore_latest returned {got} but the model does not hold that checkpoint's weights.")
    if seen["steps"] != case["steps"][latest]:
        raise Wrong(
            f"the weights are right, but the optimizer is at step {seen['steps']} instead of the "
            f"checkpoint's {case['steps'][latest]}: its state was not loaded."
        )
    return "restore_latest finds the checkpoint with the highest epoch, loads it and returns its epoch."


exercise(
    id="08.2",
    title="Restore the latest checkpoint",
    produce="a function restore_latest(model, folder) that takes a compiled Keras model and a folder "
    "(a pathlib.Path), loads the checkpoint cp-*.weights.h5 with the highest epoch into the model and "
    "returns that epoch as an int; with no checkpoint it returns 0 and leaves the model as it was",
    cases=_restore_cases,
    probe=_probe_restore,
    judge=_judge_restore,
    hints=(
        "Three steps: find the latest checkpoint, load it, report its epoch; and a way out when there "
        "is nothing to find.",
        "'Latest' is about the number in the file name, not the file's time on disk. The notebook's "
        "course.saving helpers find that file, read its number and load it.",
        "Loading must also restore the optimizer's state; the course's loading helper takes care of it.",
    ),
    shortcuts=(Shortcut("course.saving:restore_latest"),),
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
        for _ in range(2)
    ]


def _probe_round_trip(answer, case):
    import keras

    with tempfile.TemporaryDirectory(prefix="course-08.3-") as temporary:
        path = Path(temporary) / case["name"]
        model = _tiny_model(case["weights"], case["steps"])
        loaded = answer(model, path)
        seen = {
            "file": path.is_file(),
            "result": observe(loaded),
            "model": isinstance(loaded, keras.Model),
            "same_object": loaded is model,
        }
        if seen["model"] and not seen["same_object"]:
            seen["type"] = type_name(loaded)
            seen["predictions"] = observe(np.asarray(loaded(np.array(case["x"]))))
            seen["steps"] = _steps(loaded)
            seen["compiled"] = bool(getattr(loaded, "compiled", False))
        return seen


def _judge_round_trip(case, seen):
    if not seen["file"]:
        raise Wrong(f"round_trip did not write a file at the path it was given ({case['name']}).")
    if seen["same_object"]:
        raise Wrong(
            "round_trip returned the model it was given; it should return the model loaded from the file."
        )
    if not seen["model"]:
        raise Wrong(
            f"round_trip should return the loaded Keras model, got {judging.described(seen['result'])}."
        )
    got = judging.array(seen["predictions"], "the loaded model's predictions")
    want = _predict(case["weights"], np.asarray(case["x"], dtype="float32"))
    if got.shape != want.shape or not np.allclose(got, want, rtol=1e-5, atol=1e-5):
        raise Wrong("the loaded model predicts differently from the saved one: it does not hold its weights.")
    if not seen["compiled"] or seen["steps"] != case["steps"]:
        raise Wrong(
            f"the loaded model's optimizer is at step {seen['steps']}, the saved one's at {case['steps']}: "
            "the optimizer state was lost on the way."
        )
    return "same predictions and the same optimizer step count after the round trip."


exercise(
    id="08.3",
    title="A whole-model round trip",
    produce="a function round_trip(model, path) that takes a compiled Keras model and a path ending in "
    ".keras, saves the whole model there and returns the model loaded back from that file",
    cases=_round_trip_cases,
    probe=_probe_round_trip,
    judge=_judge_round_trip,
    hints=(
        "A .keras file keeps the architecture, the weights and the optimizer state; one call writes it "
        "and another reads it back.",
        "Write with the model's own saving method; read with the loading function in keras.models.",
        "Return what the loading function gives you, not the model you were handed.",
    ),
    time_limit=30.0,
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
