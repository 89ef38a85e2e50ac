"""The judges of 08_saving_loading: what each exercise's answer is compared with."""

from pathlib import PurePath

import numpy as np

from ..checks.nb08_saving_loading import (
    BETA_1,
    BETA_2,
    EPSILON,
    LEARNING_RATE,
    SHAPES,
    STALE,
    STRAYS,
    _checkpoint_name,
)
from ..probing import observe
from . import expect
from .expect import Wrong


def _predict(weights, x):
    """The tiny model's output, in NumPy."""
    w1, b1, w2, b2 = (np.asarray(w, dtype="float32") for w in weights)
    return np.maximum(x @ w1 + b1, 0) @ w2 + b2


def _judge_latest(case, seen):
    epochs, files = case["epochs"], case["files"]
    if seen["result"].get("type") == "NoneType":
        if epochs:
            raise Wrong("latest_checkpoint returned None, but the folder holds checkpoints.")
        return "latest_checkpoint finds the checkpoint with the highest epoch and ignores every other file."
    if not seen["is_path"]:
        raise Wrong(
            f"latest_checkpoint should return a pathlib.Path (or None), got {expect.described(seen['result'])}."
        )
    path, where = _read(
        "the path latest_checkpoint returned",
        lambda: (
            PurePath(seen["path"]),
            _inside(PurePath(seen["path"]), PurePath(seen["resolved"]), PurePath(seen["folder"])),
        ),
    )
    if where is None:
        if not path.is_absolute() and path.name in files:
            raise Wrong(
                f"latest_checkpoint returned a path without the folder ({path.name!r}): return the "
                "path of the file inside the folder it was given."
            )
        raise Wrong(f"latest_checkpoint returned {path.name!r}, which is not a file in the folder.")
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
            f"latest_checkpoint returned {where!r}, but the folder holds a checkpoint of a later epoch: "
            "compared as text, 'epoch-9.weights.h5' comes after 'epoch-10.weights.h5'. Compare the "
            "epoch numbers, not the names."
        )
    if where == files[-1]:
        raise Wrong(
            f"latest_checkpoint returned {where!r}, the newest file on disk; the latest checkpoint is the "
            "one with the highest epoch in its name."
        )
    if where == _checkpoint_name(min(epochs)):
        raise Wrong(
            f"latest_checkpoint returned {where!r}, the checkpoint with the lowest epoch: it should be "
            "the one with the highest."
        )
    raise Wrong(
        f"latest_checkpoint returned {where!r}, another checkpoint, not the one with the highest epoch."
    )


def _read(what, read):
    """``read()``: the judge reading a structure the probe reported; Wrong when it is not as described."""
    try:
        return read()
    except (KeyError, IndexError, TypeError, ValueError, AttributeError):
        raise Wrong(f"the check could not read {what}.") from None


def _inside(path, resolved, folder):
    """Where an absolute ``path`` (``resolved`` once its links are followed) lies in ``folder``, as a
    relative posix path; None for a relative path or one outside the folder."""
    if not path.is_absolute() or not resolved.is_relative_to(folder):
        return None
    return resolved.relative_to(folder).as_posix()


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
    if not _read("the folder's files", lambda: set(seen["files_before"]) <= set(seen["files_after"])):
        raise Wrong("resume removed or renamed files in the folder; it should leave them as they are.")
    if seen["epochs_run"] is None:
        raise Wrong(
            f"resume should return the History object that fit returns, got {expect.described(seen['result'])}."
        )
    latest = max(epochs, default=0)
    where = "from the latest checkpoint" if epochs else "from an empty folder (no checkpoint)"
    want_run, run = list(range(latest, until)), seen["epochs_run"]
    if run != want_run:
        if run and run[0] in epochs:
            raise Wrong(
                f"fit went on from epoch {run[0]}, but the folder holds a checkpoint of a later epoch: "
                "resume from the latest checkpoint."
            )
        if run and run[-1] == until - 1 and abs(run[0] - latest) == 1:
            raise Wrong(
                f"resuming {where}, fit's History counts the epochs {run[0]} to {run[-1]}: the first "
                "epoch is one off. The epoch in a checkpoint's name is the number of epochs already done."
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
            f"resuming {where} with epochs={until}, fit ran the epochs {run}: it should go on from the "
            f"checkpoint's epoch and end at epoch {until}."
        )
    count = until - latest
    if epochs:
        index = epochs.index(latest)
        start = (case["weights"][index], case["steps"][index], case["moments"][index])
    else:
        start = (case["fresh"], 0, zero_moments)
    want, want_steps = _train(*start, case["x"], case["y"], count)
    if seen["steps"] != want_steps:
        if epochs and seen["steps"] == 1 + count:
            raise Wrong(
                "the optimizer's state came from best.weights.h5, the best epoch's file, not from the "
                "latest checkpoint 'epoch-<epoch>.weights.h5'."
            )
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
            f"after resuming, the optimizer is at step {seen['steps']}: it should go on from the "
            "checkpoint's step count and take one step per epoch (fit's default batch size, 32, holds "
            "all the examples here)."
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


def _judge_round_trip(case, seen):
    if not _read("the folder's files", lambda: case["name"] in list(seen["files"])):
        raise Wrong(f"round_trip did not write a file at the path it was given ({case['name']}).")
    ids = _read("which model round_trip returned", lambda: list(seen["ids"]))
    if len(ids) != 2:
        raise Wrong("the check could not read which model round_trip returned.")
    given, returned = ids
    if given == returned:
        raise Wrong(
            "round_trip returned the model it was given; it should return the model loaded from the file."
        )
    if not seen["model"]:
        raise Wrong(
            f"round_trip should return the loaded Keras model, got {expect.described(seen['result'])}."
        )
    got = expect.array(seen["predictions"], "the loaded model's predictions")
    want = _predict(case["weights"], np.asarray(case["x"], dtype="float32"))
    if got.shape != want.shape or not np.allclose(got, want, rtol=1e-5, atol=1e-5):
        raise Wrong("the loaded model predicts differently from the saved one: it does not hold its weights.")
    if not seen["compiled"] or seen["steps"] != case["steps"]:
        raise Wrong(
            f"the loaded model's optimizer is at step {seen['steps']}, not at the saved model's step: "
            "the optimizer state was lost on the way."
        )
    return "same predictions and the same optimizer step count after the round trip."


SOFT_CLIP_SEEN = (
    "get_config",
    "layer_get_config",
    "registered_name",
    "class_name",
    "answer_id",
    "config",
    "name",
)


def _soft_clip(z, limit):
    return limit * np.tanh(z / limit)


def _judge_soft_clip(case, seen):
    limit, name, kwargs = case["limit"], case["name"], case["kwargs"]
    made = f"SoftClip(limit={limit}, name={name!r}, {', '.join(f'{k}={v!r}' for k, v in kwargs.items())})"
    if not seen["layer_class"]:
        raise Wrong("SoftClip should be a subclass of keras.layers.Layer.")
    _read("what the check saw of SoftClip", lambda: [seen[key] for key in SOFT_CLIP_SEEN])
    if seen["get_config"] == seen["layer_get_config"]:
        raise Wrong(
            "SoftClip has no get_config of its own. Keras 3 guesses a config from simple constructor "
            "arguments, but the guess fails for others (an array, a layer, a value the layer changes): "
            "the file should say exactly how to rebuild the layer."
        )
    z = np.asarray(case["x"], dtype=np.float64) @ case["kernel"] + case["bias"]
    what = f"a model ending in {made}"
    before = expect.array(seen["before"], what)
    expect.close(
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
    base = _read("what SoftClip made of the base class's arguments", lambda: dict(seen["base"]))
    lost = [key for key, value in kwargs.items() if base.get(key) != value]
    if lost:
        raise Wrong(
            f"{made} has {', '.join(f'{key}={base.get(key)!r}' for key in lost)}: __init__ should hand "
            "every keyword argument on to the base class (name, trainable, dtype, ...), not only some."
        )
    config = seen["config"]
    if not isinstance(config, dict):
        raise Wrong(f"get_config() should return a dict, got a {seen['config_type']}.")
    if "name" not in config:
        raise Wrong(
            "get_config() has no 'name': start from the base class's config, which holds name, "
            "trainable and dtype, and add to it."
        )
    if not _same_number(config.get("limit"), limit):
        raise Wrong(
            f"get_config() of {made} gives limit {expect.described(observe(config.get('limit')))}: the config "
            "must hold every argument of __init__, so that loading can rebuild the same layer."
        )
    if seen["registered_name"] == seen["class_name"]:
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
    if seen.get("loaded_id") != seen["answer_id"]:
        raise Wrong(f"the layer loaded from the file is a {seen['loaded_type']}, not your SoftClip.")
    loaded = seen.get("loaded_config") if isinstance(seen.get("loaded_config"), dict) else {}
    if not _same_number(loaded.get("limit"), limit):
        raise Wrong(
            f"after loading, the layer's limit is {expect.described(observe(loaded.get('limit')))}, not the "
            "limit it was saved with."
        )
    loaded_base = _read("the loaded layer's base-class arguments", lambda: dict(seen["loaded_base"]))
    lost = [key for key in kwargs if loaded_base.get(key) != base.get(key)]
    if lost:
        raise Wrong(
            f"after loading, the layer's {' and '.join(lost)} differ from the saved layer's: get_config "
            "should start from the base class's config, which holds them, and add to it."
        )
    if not _same(loaded, config):
        raise Wrong("the loaded layer's get_config() differs from the saved layer's.")
    after = expect.array(seen["after"], "the loaded model's output")
    expect.close(after, before, "the loaded model's output", rtol=1e-6, atol=1e-6)
    return "SoftClip computes limit·tanh(x/limit), and a .keras file rebuilds it in safe mode."


def _same_number(value, want):
    """Whether a config's value is the number ``want`` (an int or a float, never a bool)."""
    return isinstance(value, (int, float)) and not isinstance(value, bool) and value == want


def _same(a, b):
    """Whether two plain configs are equal: the same keys, items and values (arrays by their values)."""
    if isinstance(a, dict) or isinstance(b, dict):
        return (
            isinstance(a, dict)
            and isinstance(b, dict)
            and a.keys() == b.keys()
            and all(_same(a[k], b[k]) for k in a)
        )
    if isinstance(a, list) or isinstance(b, list):
        return isinstance(a, list) and isinstance(b, list) and len(a) == len(b) and all(map(_same, a, b))
    if isinstance(a, np.ndarray) or isinstance(b, np.ndarray):
        return isinstance(a, np.ndarray) and isinstance(b, np.ndarray) and np.array_equal(a, b)
    return type(a) is type(b) and a == b


NOTES_UNITS = (256, 128, 64, 32, 10)  # the notes' network: four ReLU layers and 10 logits


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
            f"the saved model's weights have shapes {[tuple(s) for s in seen['shapes']]}: the notes' "
            "network has Dense layers of 256, 128, 64, 32 and 10 units, each with a kernel and a bias, "
            "on inputs of x.shape[1] features."
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
            f"{expect.described(seen['from_logits'])}); the notes use categorical cross-entropy on logits."
        )
    if "accuracy" not in str(seen["metrics"]).lower():
        raise Wrong(
            "the saved model is compiled without the accuracy metric; the notes compile with loss and "
            "accuracy."
        )
    want_steps = epochs * int(np.ceil(len(x) / 32))
    if seen["steps"] != want_steps:
        raise Wrong(
            f"the saved optimizer is at step {seen['steps']}: that is not what {epochs} epoch(s) on "
            f"{len(x)} examples with fit's default batch size take, with the model saved after training."
        )
    _judge_activations(case, seen)
    predictions = expect.array(seen["predictions"], "the saved model's predictions", shape=(len(x), 10))
    twin = expect.array(seen["twin_predictions"], "predictions with the saved weights", shape=(len(x), 10))
    if not np.allclose(twin, predictions, rtol=1e-5, atol=1e-5):
        raise Wrong("the weights file and the .keras file hold different weights: save both after training.")
    accuracy = float(np.mean(predictions.argmax(axis=1) == y.argmax(axis=1)))
    got = expect.number(seen["result"], "the accuracy notes_in_keras3 returns")
    stale = (accuracy * len(x)) / (len(x) + STALE)
    if np.isclose(got, stale, atol=1e-6) and not np.isclose(stale, accuracy, atol=1e-6):
        raise Wrong(
            f"the accuracy is {got:.4f}, too low: the meter still held {STALE} examples from an earlier "
            "evaluation. Clear it before counting."
        )
    if not np.isclose(got, accuracy, atol=1e-6):
        raise Wrong(
            f"the accuracy is {got:.4f}, which is not the share of (x, y) that the saved model gets right."
        )
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


def _forward(weights, x, hidden, last):
    """The notes' network on ``x`` with ``hidden`` after each hidden layer and ``last`` after the last."""
    h = np.asarray(x, dtype=np.float64)
    layers = list(zip(weights[::2], weights[1::2]))
    for kernel, bias in layers[:-1]:
        h = hidden(h @ kernel + bias)
    kernel, bias = layers[-1]
    return last(h @ kernel + bias)


def _softmax(z):
    e = np.exp(z - z.max(axis=-1, keepdims=True))
    return e / e.sum(axis=-1, keepdims=True)


def _judge_activations(case, seen):
    """The saved model must compute ReLU hidden layers and logits (no activation on the last layer), read
    from what it outputs on inputs of both signs."""
    weights = [
        expect.array(w, "a weight of the saved model").astype(np.float64)
        for w in _read("the saved model's weights", lambda: list(seen["weights"]))
    ]
    got = expect.array(seen["outputs"], "the saved model's outputs", shape=(len(case["inputs"]), 10))

    def computes(hidden, last):
        want = _forward(weights, case["inputs"], hidden, last)
        return np.allclose(got, want, rtol=1e-4, atol=1e-4 * max(1.0, float(np.abs(want).max())))

    relu, linear = (lambda z: np.maximum(z, 0)), (lambda z: z)
    if computes(relu, linear):
        return
    if computes(linear, linear):
        raise Wrong(
            "the saved model has no ReLU on its hidden layers: the notes' Dense layers of 256, 128, "
            "64 and 32 units each use ReLU."
        )
    if any(computes(relu, last) for last in (_softmax, relu, lambda z: 0.5 + 0.5 * np.tanh(z / 2))):
        raise Wrong(
            "the saved model's last layer has an activation, so its outputs are not logits: the loss "
            "works on logits (from_logits=True), and the notes' last layer has none."
        )
    raise Wrong(
        "the saved model does not compute what the notes' network computes: ReLU after each hidden layer, "
        "and logits (no activation) from the last one. Check each layer's activation."
    )


JUDGES = {
    "08.1": _judge_latest,
    "08.2": _judge_resume,
    "08.3": _judge_round_trip,
    "08.4": _judge_soft_clip,
    "08.5": _judge_notes,
}
