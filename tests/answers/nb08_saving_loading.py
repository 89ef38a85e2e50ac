"""08_saving_loading: plausible mistakes and correct answers in other styles, for each exercise.

08.2 to 08.5 save, load or train Keras models (a second or so per check): they run on
TRAINING_SEEDS seeds. Their cases are drawn so that each mistake below fails on every seed by
construction (a latest epoch written first, an epoch with one digit more, negative inputs, base-class
arguments that are not the default), not by luck; the tables were also run once on all 20 seeds.
"""

import os
import re
from pathlib import Path

from . import TRAINING_SEEDS, Built, Correct, Mistake, Table

CHECKPOINT = re.compile(r"epoch-(\d+)\.weights\.h5")


def _keras():
    from course.runtime.quiet import import_tensorflow

    import_tensorflow()
    import keras

    return keras


def stub(*args, **kwargs):
    """The learner copy's function body: an exercise not attempted yet."""
    raise NotImplementedError


# --- 08.1 Find the latest checkpoint ------------------------------------------------------------


def latest_checkpoint(folder):
    found = {}
    for path in folder.iterdir():
        match = CHECKPOINT.fullmatch(path.name)
        if match and path.is_file():
            found[int(match.group(1))] = path
    return found[max(found)] if found else None


def latest_checkpoint_by_hand(folder):
    def epoch(path):
        number = path.name.removeprefix("epoch-").removesuffix(".weights.h5")
        return int(number) if number.isdigit() else -1

    best = max(folder.glob("epoch-*.weights.h5"), key=epoch, default=None)
    return best if best is not None and epoch(best) >= 0 else None


def latest_checkpoint_with_os(folder):
    names = [
        name
        for name in os.listdir(folder)
        if re.fullmatch(r"epoch-[0-9]+\.weights\.h5", name) and os.path.isfile(os.path.join(folder, name))
    ]
    names.sort(key=lambda name: int(name[len("epoch-") : -len(".weights.h5")]))
    return Path(folder) / names[-1] if names else None


def latest_checkpoint_with_a_helper(folder):
    def checkpoint_epoch(name):  # the same name as the package's helper: an own function, not a shortcut
        head, _, tail = name.partition("-")
        number, _, rest = tail.partition(".")
        return int(number) if head == "epoch" and number.isdigit() and rest == "weights.h5" else None

    epochs = {checkpoint_epoch(p.name): p for p in folder.iterdir() if p.is_file()}
    epochs.pop(None, None)
    return epochs[max(epochs)] if epochs else None


def by_text(folder):
    return max(folder.glob("epoch-*.weights.h5"), default=None)


def by_newest_file(folder):
    return max(folder.glob("epoch-*.weights.h5"), key=lambda path: path.stat().st_mtime, default=None)


def any_ending(folder):
    return max(
        folder.glob("epoch-*"), key=lambda path: int(re.search(r"\d+", path.name).group()), default=None
    )


def match_not_fullmatch(folder):
    found = {}
    for path in folder.iterdir():
        match = re.match(r"epoch-(\d+)\.weights\.h5", path.name)
        if match:
            found[int(match.group(1))] = path
    return found[max(found)] if found else None


def every_sub_folder(folder):
    return max(
        folder.rglob("epoch-*.weights.h5"),
        key=lambda path: int(re.search(r"\d+", path.name).group()),
        default=None,
    )


def every_weights_file(folder):
    return max(
        folder.glob("*.weights.h5"), key=lambda path: int(path.name.split("-")[1].split(".")[0]), default=None
    )


def lowest_epoch(folder):
    found = {int(m.group(1)): p for p in folder.iterdir() if (m := CHECKPOINT.fullmatch(p.name))}
    return found[min(found)] if found else None


def no_default_for_an_empty_folder(folder):
    return max(folder.glob("epoch-*.weights.h5"), key=lambda p: int(CHECKPOINT.fullmatch(p.name).group(1)))


# --- 08.2 Resume training -----------------------------------------------------------------------


def _epoch(path):
    return int(CHECKPOINT.fullmatch(path.name).group(1))


def resume(model, folder, x, y, epochs):
    path = latest_checkpoint(folder)
    start = 0
    if path is not None:
        model.optimizer.build(model.trainable_variables)
        model.load_weights(path)
        start = _epoch(path)
    return model.fit(x, y, initial_epoch=start, epochs=epochs, verbose=0)


def resume_writing_checkpoints(model, folder, x, y, epochs):
    keras = _keras()
    path = latest_checkpoint(folder)
    start = 0 if path is None else _epoch(path)
    if path is not None:
        model.optimizer.build(model.trainable_variables)
        model.load_weights(path)
    save = keras.callbacks.ModelCheckpoint(folder / "epoch-{epoch}.weights.h5", save_weights_only=True)
    return model.fit(x, y, initial_epoch=start, epochs=epochs, callbacks=[save], verbose=0)


def resume_by_hand(model, folder, x, y, epochs):
    done, latest = 0, None
    for name in os.listdir(folder):
        parts = name.split(".", 1)
        if parts[0].startswith("epoch-") and parts[0][6:].isdigit() and parts[1:] == ["weights.h5"]:
            if latest is None or int(parts[0][6:]) > done:
                done, latest = int(parts[0][6:]), name
    if latest is not None:
        model.optimizer.build(model.trainable_weights)
        model.load_weights(os.path.join(folder, latest))
    return model.fit(x=x, y=y, epochs=epochs, initial_epoch=done, verbose=0)


def _resume_with(folder_to_path=latest_checkpoint, build=True, load=True, start=_epoch, arguments=None):
    """A resume with one part changed; ``arguments(begin, epochs)`` gives fit's epoch arguments."""

    def answer(model, folder, x, y, epochs):
        path = folder_to_path(folder)
        begin = 0 if path is None else start(path)
        if path is not None and load:
            if build:
                model.optimizer.build(model.trainable_variables)
            model.load_weights(path)
        fit = arguments or (lambda begin, epochs: {"initial_epoch": begin, "epochs": epochs})
        return model.fit(x, y, verbose=0, **fit(begin, epochs))

    return answer


def loads_best(model, folder, x, y, epochs):
    path = latest_checkpoint(folder)
    start = 0
    if path is not None:
        model.optimizer.build(model.trainable_variables)
        model.load_weights(folder / "best.weights.h5")
        start = _epoch(path)
    return model.fit(x, y, initial_epoch=start, epochs=epochs, verbose=0)


def tidies_up(model, folder, x, y, epochs):
    (folder / "notes.txt").unlink()
    return resume(model, folder, x, y, epochs)


# --- 08.3 A whole-model round trip --------------------------------------------------------------


def round_trip(model, path):
    keras = _keras()
    model.save(path)
    return keras.models.load_model(path)


def round_trip_with_saving_api(model, path):
    keras = _keras()
    keras.saving.save_model(model, path)
    return keras.saving.load_model(path, safe_mode=True)


def round_trip_as_text(model, path):
    keras = _keras()
    where = str(path)
    model.save(where, overwrite=True)
    restored = keras.models.load_model(where, compile=True)
    return restored


def weights_only(model, path):
    keras = _keras()
    model.save(path)
    return keras.Sequential.from_config(model.get_config())


def without_optimizer(model, path):
    keras = _keras()
    model.save(path)
    return keras.models.load_model(path, compile=False)


def round_trip_recompiled(model, path):
    keras = _keras()
    model.save(path)
    loaded = keras.models.load_model(path)
    loaded.compile(optimizer="adam", loss="mse")
    return loaded


def elsewhere(model, path):
    keras = _keras()
    other = path.with_name("other.keras")
    model.save(other)
    return keras.models.load_model(other)


def changes_the_model_first(model, path):
    model.set_weights([w * 0 for w in model.get_weights()])
    return round_trip(model, path)


def weights_file_at_the_path(model, path):
    keras = _keras()
    model.save_weights(path)
    twin = keras.models.clone_model(model)
    twin.load_weights(path)
    return twin


# --- 08.4 A custom layer that survives a .keras file --------------------------------------------


def soft_clip_class(keras, package, get_config=True, register=True, pass_kwargs=True, formula=None):
    """A SoftClip written right, or with one part changed; registered under ``package``."""

    class SoftClip(keras.layers.Layer):
        def __init__(self, limit, **kwargs):
            super().__init__(**(kwargs if pass_kwargs is True else pass_kwargs(kwargs)))
            self.limit = limit

        def call(self, x):
            if formula is not None:
                return formula(x, self.limit)
            return self.limit * keras.ops.tanh(x / self.limit)

    if get_config is True:
        SoftClip.get_config = lambda self: {**keras.layers.Layer.get_config(self), "limit": self.limit}
    elif get_config is not None:
        SoftClip.get_config = get_config
    if register:
        SoftClip = keras.saving.register_keras_serializable(package=package)(SoftClip)
    return SoftClip


def soft_clip(package, **change):
    return Built(lambda: soft_clip_class(_keras(), package, **change))


def _soft_clip_updating_the_config():
    keras = _keras()

    @keras.saving.register_keras_serializable(package="answers08_update")
    class SoftClip(keras.layers.Layer):
        def __init__(self, limit, **kwargs):
            super().__init__(**kwargs)
            self.limit = float(limit)

        def call(self, inputs):
            return keras.ops.multiply(self.limit, keras.ops.tanh(keras.ops.divide(inputs, self.limit)))

        def get_config(self):
            config = super().get_config()
            config.update({"limit": self.limit})
            return config

    return SoftClip


def _soft_clip_with_from_config():
    keras = _keras()

    class Clip(keras.layers.Layer):
        def __init__(self, limit=1.0, name=None, **kwargs):
            super().__init__(name=name, **kwargs)
            self._limit = limit

        @property
        def limit(self):
            return self._limit

        def call(self, x):
            scaled = x / self._limit
            return self._limit * keras.ops.tanh(scaled)

        def get_config(self):
            return dict(super().get_config(), limit=self._limit)

        @classmethod
        def from_config(cls, config):
            return cls(**config)

    return keras.saving.register_keras_serializable(package="answers08_own", name="Clip")(Clip)


def _no_kwargs():
    keras = _keras()

    @keras.saving.register_keras_serializable(package="answers08_no_kwargs")
    class SoftClip(keras.layers.Layer):
        def __init__(self, limit):
            super().__init__()
            self.limit = limit

        def call(self, x):
            return self.limit * keras.ops.tanh(x / self.limit)

        def get_config(self):
            return {**super().get_config(), "limit": self.limit}

    return SoftClip


def _ops():
    return _keras().ops


# --- 08.5 The notes' code in Keras 3 ------------------------------------------------------------


def notes_in_keras3(x, y, folder, meter, epochs, **change):
    """The notes' program in Keras 3; ``change`` makes the mistakes below."""
    keras = _keras()
    hidden = change.get("hidden", "relu")
    network = keras.Sequential(
        [keras.Input((x.shape[1],))]
        + [keras.layers.Dense(units, activation=hidden) for units in (256, 128, 64, 32)]
        + [keras.layers.Dense(10, activation=change.get("last"))]
    )
    network.compile(
        optimizer=change.get("optimizer") or keras.optimizers.Adam(learning_rate=0.01),
        loss=keras.losses.CategoricalCrossentropy(from_logits=change.get("from_logits", True)),
        metrics=change.get("metrics", ["accuracy"]),
    )
    save_first = change.get("save_first", ())
    if "weights" in save_first:
        network.save_weights(folder / "weights.weights.h5")
    network.fit(x, y, epochs=epochs, verbose=0)
    if "weights" not in save_first:
        network.save_weights(folder / "weights.weights.h5")
    network.save(folder / "model.keras")
    if change.get("reset", True):
        meter.reset_state()
    meter.update_state(y, network.predict(x, verbose=0))
    return float(meter.result())


def notes_functional(x, y, folder, meter, epochs):
    keras = _keras()
    inputs = keras.Input(shape=(x.shape[1],))
    h = inputs
    for units in (256, 128, 64, 32):
        h = keras.layers.Dense(units)(h)
        h = keras.layers.ReLU()(h)
    logits = keras.layers.Dense(10)(h)
    model = keras.Model(inputs, logits)
    model.compile(
        keras.optimizers.Adam(0.01),
        keras.losses.CategoricalCrossentropy(from_logits=True),
        metrics=[keras.metrics.CategoricalAccuracy()],
    )
    model.fit(x, y, epochs=epochs, verbose=0)
    model.save_weights(os.path.join(folder, "weights.weights.h5"))
    model.save(os.path.join(folder, "model.keras"))
    meter.reset_state()
    meter.update_state(y_true=y, y_pred=keras.ops.softmax(model(x)))
    return float(meter.result().numpy())


def notes_built_like_the_notes(x, y, folder, meter, epochs):
    keras = _keras()
    from keras import layers, losses, optimizers

    network = keras.Sequential(
        [
            layers.Dense(256, activation="relu"),
            layers.Dense(128, activation="relu"),
            layers.Dense(64, activation="relu"),
            layers.Dense(32, activation="relu"),
            layers.Dense(10),
        ]
    )
    network.build(input_shape=(None, x.shape[1]))
    network.compile(
        optimizer=optimizers.Adam(learning_rate=0.01),
        loss=losses.CategoricalCrossentropy(from_logits=True),
        metrics=["accuracy"],
    )
    network.fit(x, y, epochs=epochs, verbose=0)
    network.save_weights(folder / "weights.weights.h5")
    network.save(folder / "model.keras")
    meter.reset_state()
    for start in range(0, len(x), 32):  # the notes' loop over batches
        meter.update_state(y_true=y[start : start + 32], y_pred=network(x[start : start + 32]))
    return float(meter.result())


def own_meter(x, y, folder, meter, epochs):
    return notes_in_keras3(x, y, folder, _keras().metrics.CategoricalAccuracy(), epochs)


def keras2_learning_rate(x, y, folder, meter, epochs):
    return notes_in_keras3(x, y, folder, meter, epochs, optimizer=_keras().optimizers.Adam(**{"lr": 0.01}))


TABLES = {
    "08.1": Table(
        mistakes=(
            Mistake("names compared as text", by_text, "compared as text"),
            Mistake("the newest file on disk", by_newest_file, "the newest file on disk"),
            Mistake("any name that starts with epoch-", any_ending, "which is not a checkpoint"),
            Mistake(
                "re.match instead of fullmatch (takes .partial)", match_not_fullmatch, "not a checkpoint"
            ),
            Mistake("searches the sub-folders too", every_sub_folder, "a file in a sub-folder"),
            Mistake("every *.weights.h5 (best.weights.h5 too)", every_weights_file, "IndexError"),
            Mistake("min instead of max", lowest_epoch, "the lowest epoch"),
            Mistake("returns the name, a str", lambda f: latest_checkpoint(f).name, "got the str"),
            Mistake("returns str(path)", lambda f: str(latest_checkpoint(f)), "should return a pathlib.Path"),
            Mistake(
                "returns the name as a path, without the folder",
                lambda f: Path(latest_checkpoint(f).name),
                "a path without the folder",
            ),
            Mistake(
                "returns the folder when there is no checkpoint",
                lambda f: latest_checkpoint(f) or f,
                "the folder holds no checkpoint directly in it",
            ),
            Mistake(
                "returns Path('.') when there is none",
                lambda f: latest_checkpoint(f) or Path("."),
                "not a file",
            ),
            Mistake("max() of an empty folder raises", no_default_for_an_empty_folder, "ValueError"),
            Mistake("always None", lambda f: None, "returned None, but the folder holds checkpoints"),
        ),
        correct=(
            Correct("a regular expression and a dict", latest_checkpoint),
            Correct("glob and removeprefix", latest_checkpoint_by_hand),
            Correct("os.listdir and a sort", latest_checkpoint_with_os),
            Correct("an own helper named checkpoint_epoch", latest_checkpoint_with_a_helper),
        ),
        not_attempted=(stub, ...),
    ),
    "08.2": Table(
        mistakes=(
            Mistake(
                "no initial_epoch (epochs counted from 0)",
                _resume_with(arguments=lambda begin, epochs: {"epochs": epochs - begin}),
                "fit counted the epochs from 0",
            ),
            Mistake(
                "epochs as the number to add",
                _resume_with(
                    arguments=lambda begin, epochs: {"initial_epoch": begin, "epochs": epochs - begin}
                ),
                "fit trained no epoch at all",
            ),
            Mistake(
                "initial_epoch one past the checkpoint",
                _resume_with(start=lambda path: _epoch(path) + 1),
                "the first epoch is one off",
            ),
            Mistake(
                "optimizer not built before loading", _resume_with(build=False), "its state was not restored"
            ),
            Mistake("nothing loaded", _resume_with(load=False), "nothing was loaded from the checkpoint"),
            Mistake("loads best.weights.h5", loads_best, "came from best.weights.h5"),
            Mistake(
                "the latest checkpoint by name as text",
                _resume_with(folder_to_path=by_text),
                "the folder holds a checkpoint of a later epoch",
            ),
            Mistake(
                "a batch size of 4",
                _resume_with(
                    arguments=lambda begin, epochs: {
                        "initial_epoch": begin,
                        "epochs": epochs,
                        "batch_size": 2,
                    }
                ),
                "one step per epoch",
            ),
            Mistake("removes a file of the folder", tidies_up, "removed or renamed files in the folder"),
        ),
        correct=(
            Correct("the notebook's resume", resume),
            Correct("goes on writing checkpoints", resume_writing_checkpoints),
            Correct("os.listdir, trainable_weights, keywords", resume_by_hand),
        ),
        seeds=TRAINING_SEEDS,
        not_attempted=(stub,),
    ),
    "08.3": Table(
        mistakes=(
            Mistake("saves nothing", lambda model, path: model, "did not write a file"),
            Mistake(
                "returns the model it was given",
                lambda m, p: (m.save(p), m)[1],
                "returned the model it was given",
            ),
            Mistake("returns a message", lambda m, p: (m.save(p), "done")[1], "got the str 'done'"),
            Mistake("a fresh model from the config", weights_only, "predicts differently"),
            Mistake("changes the model before saving", changes_the_model_first, "predicts differently"),
            Mistake("loads with compile=False", without_optimizer, "the optimizer state was lost"),
            Mistake("compiles the loaded model again", round_trip_recompiled, "the optimizer state was lost"),
            Mistake("saves at another path", elsewhere, "did not write a file at the path it was given"),
            Mistake("save_weights at a .keras path", weights_file_at_the_path, "weights.h5"),
            Mistake("a file name instead of a function", "model.keras", "expected a function"),
        ),
        correct=(
            Correct("model.save and keras.models.load_model", round_trip),
            Correct("keras.saving functions, safe mode spelled out", round_trip_with_saving_api),
            Correct("a str path, overwrite and compile spelled out", round_trip_as_text),
        ),
        seeds=TRAINING_SEEDS,
        not_attempted=(stub,),
    ),
    "08.4": Table(
        mistakes=(
            Mistake(
                "not registered", soft_clip("answers08_m1", register=False), "SoftClip is not registered"
            ),
            Mistake(
                "no get_config", soft_clip("answers08_m2", get_config=None), "has no get_config of its own"
            ),
            Mistake(
                "get_config of the base class only",
                soft_clip("answers08_m3", get_config=lambda self: super(type(self), self).get_config()),
                "gives limit None",
            ),
            Mistake(
                "get_config without the base class's",
                soft_clip("answers08_m4", get_config=lambda self: {"limit": self.limit}),
                "get_config() has no 'name'",
            ),
            Mistake(
                "get_config by hand: name and limit only",
                soft_clip("answers08_m5", get_config=lambda self: {"name": self.name, "limit": self.limit}),
                "differ from the saved layer's",
            ),
            Mistake(
                "the limit under another key",
                soft_clip(
                    "answers08_m6",
                    get_config=lambda self: {**super(type(self), self).get_config(), "clip": self.limit},
                ),
                "gives limit None",
            ),
            Mistake(
                "__init__ hands nothing on",
                soft_clip("answers08_m7", pass_kwargs=lambda kwargs: {}),
                "the keyword arguments such as name belong to the base class",
            ),
            Mistake(
                "__init__ hands on only the name",
                soft_clip("answers08_m8", pass_kwargs=lambda kwargs: {"name": kwargs.get("name")}),
                "not only some",
            ),
            Mistake(
                "__init__ takes no keyword arguments", Built(_no_kwargs), "unexpected keyword argument 'name'"
            ),
            Mistake(
                "clips hard",
                soft_clip("answers08_m9", formula=lambda x, limit: _ops().clip(x, -limit, limit)),
                "clipped hard",
            ),
            Mistake(
                "tanh of x, not of x / limit",
                soft_clip("answers08_m10", formula=lambda x, limit: limit * _ops().tanh(x)),
                "forgot to divide by the limit inside the tanh",
            ),
            Mistake(
                "not scaled back up",
                soft_clip("answers08_m11", formula=lambda x, limit: _ops().tanh(x / limit)),
                "forgot to scale the tanh back up",
            ),
            Mistake("not a Layer", type("SoftClip", (), {}), "subclass of keras.layers.Layer"),
        ),
        correct=(
            Correct("the notebook's SoftClip", soft_clip("answers08_c1")),
            Correct("a decorator, config.update, keras.ops functions", Built(_soft_clip_updating_the_config)),
            Correct(
                "a property, a default limit, its own from_config and name",
                Built(_soft_clip_with_from_config),
            ),
        ),
        seeds=TRAINING_SEEDS,
        not_attempted=(...,),
    ),
    "08.5": Table(
        mistakes=(
            Mistake(
                "'adam' with its default learning rate",
                lambda *a: notes_in_keras3(*a, optimizer="adam"),
                "learning rate is 0.001",
            ),
            Mistake(
                "Keras 2's lr argument",
                keras2_learning_rate,
                "Argument(s) not recognized: {'lr': 0.01}",
            ),
            Mistake(
                "cross-entropy on probabilities",
                lambda *a: notes_in_keras3(*a, from_logits=False),
                "categorical cross-entropy on logits",
            ),
            Mistake(
                "no accuracy metric",
                lambda *a: notes_in_keras3(*a, metrics=None),
                "without the accuracy metric",
            ),
            Mistake("no ReLU on the hidden layers", lambda *a: notes_in_keras3(*a, hidden=None), "no ReLU"),
            Mistake(
                "softmax on the last layer",
                lambda *a: notes_in_keras3(*a, last="softmax"),
                "last layer has an activation",
            ),
            Mistake(
                "the meter not cleared",
                lambda *a: notes_in_keras3(*a, reset=False),
                "still held 40 examples from an earlier evaluation",
            ),
            Mistake("a meter of its own", own_meter, "still holds only its earlier counts"),
            Mistake(
                "weights saved before training",
                lambda *a: notes_in_keras3(*a, save_first=("weights",)),
                "hold different weights",
            ),
        ),
        correct=(
            Correct("the notebook's program", notes_in_keras3),
            Correct("functional API, ReLU layers, softmax into the meter", notes_functional),
            Correct("built like the notes, measured batch by batch", notes_built_like_the_notes),
        ),
        seeds=TRAINING_SEEDS,
        not_attempted=(stub,),
    ),
}
