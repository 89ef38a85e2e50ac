"""Exercises and quizzes of 08_saving_loading.

The probes write files: each into a temporary folder it creates and removes again, never
into the learner's work folder. The models of 08.2 and 08.3 are tiny (3 inputs, a hidden
Dense layer of 4 units, 2 outputs, Adam) and their weights and optimizer state come from
the case, so the judge computes with NumPy alone what a restored model must hold, predict
and become after more training.
"""

import tempfile
from pathlib import Path, PurePath

import numpy as np

from .. import judging
from ..framework import exercise
from ..judging import Wrong
from ..probing import Shortcut, observe, type_name
from ..quizzes import multiple_choice

SHAPES = ((3, 4), (4,), (4, 2), (2,))  # the tiny model's kernel and bias of each Dense layer


def _tiny_model(weights, steps, moments=None):
    """A compiled copy of the tiny model holding ``weights``.

    With ``steps`` (not None) its optimizer is built, as after training, and has taken that
    many steps; ``moments`` gives Adam's momentum and velocity for each weight (else zeros).
    """
    import keras

    model = keras.Sequential(
        [keras.Input((3,)), keras.layers.Dense(4, activation="relu"), keras.layers.Dense(2)]
    )
    model.compile(
        optimizer=keras.optimizers.Adam(learning_rate=LEARNING_RATE), loss=keras.losses.MeanSquaredError()
    )
    model.set_weights([np.asarray(w, dtype="float32") for w in weights])
    if steps is not None:
        optimizer = model.optimizer
        optimizer.build(model.trainable_variables)
        optimizer.iterations.assign(steps)
        for (momentum, velocity), (m, v) in zip(
            zip(optimizer._momentums, optimizer._velocities), moments or []
        ):
            momentum.assign(np.asarray(m, dtype="float32"))
            velocity.assign(np.asarray(v, dtype="float32"))
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


# ---------------------------------------------------------------------------
# 08.1 Find the latest checkpoint
# ---------------------------------------------------------------------------

STRAYS = ("best.weights.h5", "notes.txt")  # what else a run folder holds: the best model, a note


def _checkpoint_name(epoch):
    return f"epoch-{epoch}.weights.h5"


def _latest_cases(rng):
    cases = []
    for low in (9, 99):  # where the number of digits grows: 'epoch-9' sorts after 'epoch-10' as text
        epochs = sorted({low, low + 1, *(int(e) for e in rng.integers(1, low, size=2))})
        newest, top = epochs[0], epochs[-1]  # the file written last is an early one (copied or re-saved)
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
        if seen["is_path"]:
            path, root = Path(got), folder.resolve()  # resolved: /tmp may be a link (macOS)
            inside = path.is_absolute() and path.resolve().is_relative_to(root)
            seen["where"] = path.resolve().relative_to(root).as_posix() if inside else None
            seen["name"] = path.name
            seen["absolute"] = path.is_absolute()
        return seen


def _judge_latest(case, seen):
    epochs, files = case["epochs"], case["files"]
    if seen["result"].get("type") == "NoneType":
        if epochs:
            raise Wrong(
                f"latest_checkpoint returned None, but the folder holds checkpoints up to epoch {max(epochs)}."
            )
        return "latest_checkpoint finds the checkpoint with the highest epoch and ignores every other file."
    if not seen["is_path"]:
        raise Wrong(
            f"latest_checkpoint should return a pathlib.Path (or None), got {judging.described(seen['result'])}."
        )
    where = seen["where"]
    if where is None:
        if not seen["absolute"] and seen["name"] in files:
            raise Wrong(
                f"latest_checkpoint returned a path without the folder ({seen['name']!r}): return the "
                "path of the file inside the folder it was given."
            )
        raise Wrong(f"latest_checkpoint returned {seen['name']!r}, which is not a file in the folder.")
    if not epochs:
        raise Wrong(
            f"the folder holds no checkpoint directly in it, so latest_checkpoint should return None; "
            f"it returned {where!r}."
        )
    want = _checkpoint_name(max(epochs))
    if where == want:
        return "latest_checkpoint finds the checkpoint with the highest epoch and ignores every other file."
    if "/" in where:
        raise Wrong(
            f"latest_checkpoint returned {where!r}, a file in a sub-folder: only the files directly in "
            "the folder belong to this run."
        )
    if where not in files:
        raise Wrong(f"latest_checkpoint returned {where!r}, which is not a file in the folder.")
    if not where.endswith(".weights.h5") or where in STRAYS:
        raise Wrong(
            f"latest_checkpoint returned {where!r}, which is not a checkpoint: checkpoints are named "
            "'epoch-<number>.weights.h5'. A run folder holds other files too."
        )
    as_text = max(_checkpoint_name(e) for e in epochs)
    if where == as_text:
        raise Wrong(
            f"latest_checkpoint returned {where!r}: compared as text, {as_text!r} comes after {want!r}, "
            f"but epoch {max(epochs)} is later. Compare the epoch numbers, not the names."
        )
    if where == files[-1]:
        raise Wrong(
            f"latest_checkpoint returned {where!r}, the newest file on disk; the latest checkpoint is the "
            f"one with the highest epoch in its name ({want!r})."
        )
    raise Wrong(f"latest_checkpoint returned {where!r}, another checkpoint; the latest is {want!r}.")


exercise(
    id="08.1",
    title="Find the latest checkpoint",
    produce="a function latest_checkpoint(folder) that takes a folder (a pathlib.Path) and returns the "
    "pathlib.Path of the checkpoint with the highest epoch among the files directly in it named "
    "'epoch-<epoch>.weights.h5' (the epoch written without leading zeros), or None when there is none; "
    "the folder may hold other files and folders too",
    cases=_latest_cases,
    probe=_probe_latest,
    judge=_judge_latest,
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
        "until": more,
    }
    return [checkpoints, empty]


def _write_checkpoints(folder, case):
    import os

    for number, (epoch, weights, steps, moments) in enumerate(
        zip(case["epochs"], case["weights"], case["steps"], case["moments"])
    ):
        path = folder / _checkpoint_name(epoch)
        _tiny_model(weights, steps, moments).save_weights(path)
        os.utime(path, (1_700_000_000 + 60 * number,) * 2)
    if case["epochs"]:  # the file ModelCheckpoint(save_best_only=True) keeps, a later epoch's weights
        _tiny_model(case["best"], 1).save_weights(folder / "best.weights.h5")
    (folder / "notes.txt").write_text("Adam, learning rate 0.01\n")


def _probe_resume(answer, case):
    import keras

    with tempfile.TemporaryDirectory(prefix="course-08.2-") as temporary:
        folder = Path(temporary) / "run"
        folder.mkdir()
        _write_checkpoints(folder, case)
        before = sorted(path.name for path in folder.iterdir())
        model = _tiny_model(case["fresh"], None)
        history = answer(model, folder, case["x"], case["y"], case["until"])
        returned_history = isinstance(history, keras.callbacks.History)
        return {
            "result": observe(history),
            "epochs_run": [int(e) for e in history.epoch] if returned_history else None,
            "weights": _observe_weights(model),
            "steps": _steps(model),
            "files_kept": set(before) <= {path.name for path in folder.iterdir()},  # new checkpoints are fine
        }


def _gradients(params, x, y):
    """Gradients of the tiny model's mean squared error with respect to its four weights."""
    w1, b1, w2, b2 = params
    z = x @ w1 + b1
    h = np.maximum(z, 0)
    d_out = 2 * (h @ w2 + b2 - y) / y.size
    d_z = (d_out @ w2.T) * (z > 0)
    return [x.T @ d_z, d_z.sum(axis=0), h.T @ d_out, d_out.sum(axis=0)]


def _train(weights, steps, moments, x, y, count):
    """``count`` full-batch Adam steps on the tiny model, from ``steps`` steps already taken: (weights, steps)."""
    params = [np.asarray(w, dtype=np.float64) for w in weights]
    m = [np.asarray(a, dtype=np.float64) for a, _ in moments]
    v = [np.asarray(b, dtype=np.float64) for _, b in moments]
    x, y = np.asarray(x, dtype=np.float64), np.asarray(y, dtype=np.float64)
    for step in range(steps + 1, steps + count + 1):
        alpha = LEARNING_RATE * np.sqrt(1 - BETA_2**step) / (1 - BETA_1**step)
        for i, gradient in enumerate(_gradients(params, x, y)):
            m[i] += (gradient - m[i]) * (1 - BETA_1)
            v[i] += (gradient**2 - v[i]) * (1 - BETA_2)
            params[i] -= alpha * m[i] / (np.sqrt(v[i]) + EPSILON)
    return params, steps + count


def _close_weights(seen, weights):
    if not isinstance(seen, list) or len(seen) != len(weights):
        return False
    for item, want in zip(seen, weights):
        got = np.asarray(item.get("value", np.nan)) if isinstance(item, dict) else np.nan
        if np.shape(got) != np.shape(want) or not np.allclose(got, want, rtol=1e-3, atol=1e-4):
            return False
    return True


def _judge_resume(case, seen):
    epochs, until = case["epochs"], case["until"]
    zero_moments = [[np.zeros(shape), np.zeros(shape)] for shape in SHAPES]
    if not seen["files_kept"]:
        raise Wrong("resume removed or renamed files in the folder; it should leave them as they are.")
    if seen["epochs_run"] is None:
        raise Wrong(
            f"resume should return the History object that fit returns, got {judging.described(seen['result'])}."
        )
    latest = max(epochs, default=0)
    where = f"after epoch {latest}" if epochs else "from an empty folder (no checkpoint)"
    want_run, run = list(range(latest, until)), seen["epochs_run"]
    if run != want_run:
        if run and run[0] in epochs:
            raise Wrong(
                f"fit went on from epoch {run[0]}, but the latest checkpoint in the folder is epoch {latest}."
            )
        if run == list(range(len(want_run))):
            raise Wrong(
                f"resuming {where}, fit counted the epochs from 0 ({run}): tell fit which epoch it starts "
                f"from, so that it ends at epoch {until} and its epoch numbers go on from the checkpoint's."
            )
        if not run:
            raise Wrong(
                f"resuming {where} with epochs={until}, fit trained no epoch at all: fit's epochs is the "
                "epoch to end at, not how many to add."
            )
        raise Wrong(
            f"resuming {where} with epochs={until}, fit ran the epochs {run}; it should run {want_run} "
            f"(counted from 0 in the History)."
        )
    count = until - latest
    if epochs:
        index = epochs.index(latest)
        start = (case["weights"][index], case["steps"][index], case["moments"][index])
    else:
        start = (case["fresh"], 0, zero_moments)
    want, want_steps = _train(*start, case["x"], case["y"], count)
    if seen["steps"] != want_steps:
        if epochs and seen["steps"] == count:
            if _close_weights(
                seen["weights"], _train(case["fresh"], 0, zero_moments, case["x"], case["y"], count)[0]
            ):
                raise Wrong(
                    "the model trained on from its fresh weights: nothing was loaded from the checkpoint."
                )
            raise Wrong(
                f"after resuming, the optimizer is at step {seen['steps']}: it started again from step 0 "
                f"instead of the checkpoint's step {start[1]}, so its state was not restored. Keras "
                "restores an optimizer's state only into an optimizer that already has its variables."
            )
        raise Wrong(
            f"after resuming, the optimizer is at step {seen['steps']}; expected {want_steps}: the "
            f"checkpoint's {start[1]} steps plus one step per epoch (fit's default batch size holds "
            "all the examples)."
        )
    if _close_weights(seen["weights"], want):
        return "resume loads the latest checkpoint with its optimizer state and trains on to the last epoch."
    if epochs and _close_weights(
        seen["weights"], _train(case["fresh"], *start[1:], case["x"], case["y"], count)[0]
    ):
        raise Wrong(
            "the optimizer state was restored but the weights were not: the model kept its fresh weights."
        )
    raise Wrong(
        "after resuming, the weights differ from those of a run that went on from the checkpoint "
        "without an interruption."
    )


exercise(
    id="08.2",
    title="Resume training",
    produce="a function resume(model, folder, x, y, epochs) that takes a compiled Keras model whose "
    "optimizer has not run yet, a folder (a pathlib.Path) of checkpoints 'epoch-<epoch>.weights.h5', "
    "training data x, y and the epoch to end at; it loads the latest checkpoint (weights and optimizer "
    "state) if there is one, goes on training with fit (default batch size, one epoch after another up "
    "to epoch `epochs`) and returns the History that fit returns",
    cases=_resume_cases,
    probe=_probe_resume,
    judge=_judge_resume,
    hints=(
        "Three steps: find the latest checkpoint (your latest_checkpoint does that), load it so that the "
        "optimizer's state comes back too, and call fit so that it knows where training stopped.",
        "Keras loads the optimizer's state only into an optimizer that already has its variables: build "
        "it for the model's trainable variables before loading.",
        "fit's initial_epoch is the number of epochs already done (the checkpoint's epoch, or 0), and "
        "its epochs is the epoch to end at.",
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
# 08.4 A custom layer that survives a .keras file
# ---------------------------------------------------------------------------


def _soft_clip_cases(rng):
    return [
        {
            "limit": float(np.round(rng.uniform(0.5, 4.0), 3)),
            "name": f"clip_{int(rng.integers(100, 1000))}",
            "kernel": (2 * rng.normal(size=(3, 4))).astype("float32"),
            "bias": rng.normal(size=(4,)).astype("float32"),
            "x": (3 * rng.normal(size=(int(rng.integers(3, 8)), 3))).astype("float32"),
        }
        for _ in range(2)
    ]


def _plain_config(config):
    """A layer's config as plain data: its keys, and the value of ``limit`` and ``name``."""
    if not isinstance(config, dict):
        return {"dict": False, "type": type_name(config)}
    return {
        "dict": True,
        "keys": sorted(str(key) for key in config),
        "limit": observe(config.get("limit")),
        "name": observe(config.get("name")),
    }


def _probe_soft_clip(answer, case):
    import keras

    seen = {"layer_class": issubclass(answer, keras.layers.Layer)}
    if not seen["layer_class"]:
        return seen
    seen["own_get_config"] = answer.get_config is not keras.layers.Layer.get_config
    seen["registered"] = keras.saving.get_registered_name(answer) != answer.__name__
    layer = answer(limit=case["limit"], name=case["name"])
    dense = keras.layers.Dense(4)
    model = keras.Sequential([keras.Input((3,)), dense, layer])
    dense.set_weights([np.array(case["kernel"]), np.array(case["bias"])])
    x = np.array(case["x"])
    seen["before"] = observe(np.asarray(model(x)))
    seen["config"] = _plain_config(layer.get_config())
    seen["name"] = str(layer.name)
    with tempfile.TemporaryDirectory(prefix="course-08.4-") as temporary:
        path = Path(temporary) / "clipped.keras"
        model.save(path)
        try:
            loaded = keras.models.load_model(path, safe_mode=True)
        except Exception as error:
            seen["load_error"] = f"{type(error).__name__}: {error}"[-3000:]
            return seen
    clipped = loaded.layers[-1]
    seen["loaded_class"] = type(clipped) is answer
    seen["loaded_type"] = type_name(clipped)
    seen["loaded_config"] = _plain_config(clipped.get_config())
    seen["same_config"] = clipped.get_config() == layer.get_config()
    seen["after"] = observe(np.asarray(loaded(x)))
    return seen


def _soft_clip(z, limit):
    return limit * np.tanh(z / limit)


def _judge_soft_clip(case, seen):
    limit, name = case["limit"], case["name"]
    made = f"SoftClip(limit={limit}, name={name!r})"
    if not seen["layer_class"]:
        raise Wrong("SoftClip should be a subclass of keras.layers.Layer.")
    if not seen["own_get_config"]:
        raise Wrong(
            "SoftClip has no get_config of its own. Keras 3 guesses a config from simple constructor "
            "arguments, but the guess fails for others (an array, a layer, a value the layer changes): "
            "the file should say exactly how to rebuild the layer."
        )
    z = np.asarray(case["x"], dtype=np.float64) @ case["kernel"] + case["bias"]
    what = f"a model ending in {made}"
    before = judging.array(seen["before"], what)
    judging.close(
        before,
        _soft_clip(z, limit),
        what,
        near_misses={
            "clipped hard (cut at ±limit) instead of smoothly": np.clip(z, -limit, limit),
            "forgot to scale the tanh back up by the limit": np.tanh(z / limit),
            "forgot to divide by the limit inside the tanh": limit * np.tanh(z),
            "used tanh alone, without the limit": np.tanh(z),
        },
        rtol=1e-4,
        atol=1e-5,
    )
    if seen["name"] != name:
        raise Wrong(
            f"{made} is called {seen['name']!r}: the keyword arguments such as name belong to the base class."
        )
    config = seen["config"]
    if not config["dict"]:
        raise Wrong(f"get_config() should return a dict, got a {config['type']}.")
    if "name" not in config["keys"]:
        raise Wrong(
            "get_config() has no 'name': start from the base class's config, which holds name, "
            "trainable and dtype, and add to it."
        )
    if config["limit"].get("value") != limit:
        raise Wrong(
            f"get_config() of {made} gives limit {judging.described(config['limit'])}: the config must hold "
            "every argument of __init__, so that loading can rebuild the same layer."
        )
    if not seen["registered"]:
        raise Wrong(
            "SoftClip is not registered: the file stores only the class's name, and Keras finds a custom "
            "class by that name only in its registry of serializable objects."
        )
    error = seen.get("load_error")
    if error is not None:
        if "unexpected keyword argument" in error:
            raise Wrong(
                "loading calls SoftClip(**config), with name, trainable and dtype among the arguments: "
                "__init__ should accept them and hand them to the base class."
            )
        if "required positional argument" in error:
            raise Wrong(
                "loading could not rebuild SoftClip from its config: an argument of __init__ is missing."
            )
        raise Wrong(f"loading the saved model with safe_mode=True failed: {error[-300:]}")
    if not seen["loaded_class"]:
        raise Wrong(f"the layer loaded from the file is a {seen['loaded_type']}, not your SoftClip.")
    if seen["loaded_config"]["limit"].get("value") != limit:
        raise Wrong(
            f"after loading, the layer's limit is {judging.described(seen['loaded_config']['limit'])}, not {limit}."
        )
    if not seen["same_config"]:
        raise Wrong("the loaded layer's get_config() differs from the saved layer's.")
    after = judging.array(seen["after"], "the loaded model's output")
    judging.close(after, before, "the loaded model's output", rtol=1e-6, atol=1e-6)
    return "SoftClip computes limit·tanh(x/limit), and a .keras file rebuilds it in safe mode."


exercise(
    id="08.4",
    title="A custom layer that survives a .keras file",
    produce="a class SoftClip(limit, **kwargs), a subclass of keras.layers.Layer written by you, registered "
    "for serialization and with a get_config of its own, that squashes every value smoothly into "
    "(-limit, limit) as limit·tanh(x / limit); a model using it must save to a .keras file and load back "
    "with keras.models.load_model(path, safe_mode=True) with the same config and outputs",
    answer="class",
    cases=_soft_clip_cases,
    probe=_probe_soft_clip,
    judge=_judge_soft_clip,
    hints=(
        "A .keras file stores the layer's registered name and its config, never its code: loading looks "
        "the class up by that name and calls it with the config as keyword arguments.",
        "Decorate the class with Keras's register function for serializable objects, and let __init__ "
        "pass **kwargs on to the base class.",
        "get_config starts from the base class's get_config() and adds every argument of your __init__; "
        "call computes the formula with keras.ops.",
    ),
    time_limit=30.0,
)


# ---------------------------------------------------------------------------
# 08.5 The notes' code in Keras 3
# ---------------------------------------------------------------------------

NOTES_UNITS = (256, 128, 64, 32, 10)  # the notes' network: four ReLU layers and 10 logits
STALE = 40  # examples an earlier evaluation left in the meter


def _notes_cases(rng):
    features, n = int(rng.integers(6, 21)), int(rng.integers(40, 90))
    return [
        {
            "x": rng.random((n, features)).astype("float32"),
            "y": np.eye(10, dtype="float32")[rng.integers(0, 10, size=n)],
            "epochs": int(rng.integers(1, 3)),
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
        seen["predictions"] = observe(np.asarray(loaded(x)))
        if "weights.weights.h5" in seen["files"] and seen["shapes"]:
            twin = keras.models.clone_model(loaded)
            twin.load_weights(folder / "weights.weights.h5")
            seen["twin_predictions"] = observe(np.asarray(twin(x)))
        return seen


def _judge_notes(case, seen):
    x, y, epochs = case["x"], case["y"], case["epochs"]
    for name in ("model.keras", "weights.weights.h5"):
        if name not in seen["files"]:
            raise Wrong(
                f"the folder holds {seen['files'] or 'nothing'}: the notes save the whole model and the "
                f"weights, and in Keras 3 they go to {name!r} in the folder."
            )
    want_shapes = [list(s) for a, b in zip((x.shape[1], *NOTES_UNITS), NOTES_UNITS) for s in ((a, b), (b,))]
    if seen["shapes"] != want_shapes:
        raise Wrong(
            f"the saved model's weights have shapes {[tuple(s) for s in seen['shapes']]}; the notes' "
            f"network on {x.shape[1]} features has {[tuple(s) for s in want_shapes]}."
        )
    if seen["optimizer"].rsplit(".", 1)[-1] != "Adam":
        raise Wrong(f"the saved model is compiled with {seen['optimizer']}; the notes use Adam.")
    if not np.isclose(seen["learning_rate"], 0.01):
        raise Wrong(
            f"the saved optimizer's learning rate is {seen['learning_rate']:.4g}; the notes use 0.01."
        )
    if (
        seen["loss"].rsplit(".", 1)[-1] != "CategoricalCrossentropy"
        or seen["from_logits"].get("value") is not True
    ):
        raise Wrong(
            f"the saved model's loss is {seen['loss'].rsplit('.', 1)[-1]} (from_logits "
            f"{judging.described(seen['from_logits'])}); the notes use categorical cross-entropy on logits."
        )
    want_steps = epochs * int(np.ceil(len(x) / 32))
    if seen["steps"] != want_steps:
        raise Wrong(
            f"the saved optimizer is at step {seen['steps']}; training {epochs} epoch(s) on {len(x)} examples "
            f"with fit's default batch size takes {want_steps} steps, and the model is saved after training."
        )
    predictions = judging.array(seen["predictions"], "the saved model's predictions", shape=(len(x), 10))
    twin = judging.array(seen["twin_predictions"], "predictions with the saved weights", shape=(len(x), 10))
    if not np.allclose(twin, predictions, rtol=1e-5, atol=1e-5):
        raise Wrong("the weights file and the .keras file hold different weights: save both after training.")
    accuracy = float(np.mean(predictions.argmax(axis=1) == y.argmax(axis=1)))
    got = judging.number(seen["result"], "the accuracy notes_in_keras3 returns")
    stale = (accuracy * len(x)) / (len(x) + STALE)
    if np.isclose(got, stale, atol=1e-6) and not np.isclose(stale, accuracy, atol=1e-6):
        raise Wrong(
            f"the accuracy is {got:.4f}, but the saved model gets {accuracy:.4f} right on (x, y): the meter "
            f"still held {STALE} examples from an earlier evaluation. Clear it before counting."
        )
    if not np.isclose(got, accuracy, atol=1e-6):
        raise Wrong(f"the accuracy is {got:.4f}, but the saved model gets {accuracy:.4f} of (x, y) right.")
    if seen["meter_count"] == STALE:
        raise Wrong(
            "the meter notes_in_keras3 was given still holds only its earlier counts: measure with it."
        )
    if seen["meter_count"] != len(x):
        raise Wrong(
            f"the meter has counted {seen['meter_count']} examples; after measuring (x, y) from zero it "
            f"should have counted {len(x)}."
        )
    return "the notes' program runs in Keras 3: trained, saved twice, loaded back and measured."


exercise(
    id="08.5",
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
    judge=_judge_notes,
    hints=(
        "Go through the notes' code line by line and run each piece: Keras 3's error messages name "
        "most of the fixes.",
        "Keras 3 spells the optimizer's argument learning_rate, starts a model with keras.Input, and "
        "chooses the file format from the name's ending (.keras, .weights.h5).",
        "A meter is cleared with reset_state (the notes' reset_states is gone); clear it before you "
        "update it with the model's outputs, then read result().",
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
