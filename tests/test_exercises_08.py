"""The exercises of 08_saving_loading (its quizzes: tests/test_quizzes.py): right answers pass, mistakes get a diagnosis, cheats fail."""

import re
import shutil
import tempfile
from pathlib import Path
from unittest import mock

import numpy as np
import pytest

import course.exercises.checks.nb08_saving_loading  # noqa: F401  (registers 08's exercises without the other notebooks)
from course import saving
from course.exercises import FAILED, PASSED, evaluate, hints, judge, probe
from course.exercises.plain import normalize

from .helpers import assert_hints_climb_without_code, assert_not_attempted_quietly, stub

# Keras calls np.array(x) on tensors in ways NumPy 2 flags; loading weights into a model whose optimizer
# is not built warns (one of the mistakes below): both are inside the libraries, not here.
pytestmark = [
    pytest.mark.filterwarnings("ignore::DeprecationWarning"),
    pytest.mark.filterwarnings("ignore:Skipping variable loading:UserWarning"),
]

SEEDS = (0, 1)
SLOW = ("08.2", "08.5")  # their checks train models
IDS = ("08.1", "08.2", "08.3", "08.4", "08.5")
CHECKPOINT = re.compile(r"epoch-(\d+)\.weights\.h5")


@pytest.fixture(scope="module")
def keras():
    from course.runtime.quiet import import_tensorflow

    import_tensorflow()
    import keras

    return keras


@pytest.fixture(autouse=True)
def work_folder(tmp_path, monkeypatch):
    """Checks run with an empty work folder of their own: they must leave it empty."""
    folder = tmp_path / "work"
    monkeypatch.setenv("COURSE_WORKDIR", str(folder))
    yield folder
    assert not folder.exists() or not any(folder.iterdir())


def leftovers():
    return sorted(Path(tempfile.gettempdir()).glob("course-08.*"))


# --- the right answers, written out -------------------------------------------------------------


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


def resume(model, folder, x, y, epochs):
    path = latest_checkpoint(folder)
    start = 0
    if path is not None:
        model.optimizer.build(model.trainable_variables)
        model.load_weights(path)
        start = int(CHECKPOINT.fullmatch(path.name).group(1))
    return model.fit(x, y, initial_epoch=start, epochs=epochs, verbose=0)


def round_trip(model, path):
    import keras

    model.save(path)
    return keras.models.load_model(path)


def soft_clip_class(keras, get_config=True, register=True, pass_kwargs=True, formula=None):
    """A SoftClip written right, or with one part changed."""

    class SoftClip(keras.layers.Layer):
        def __init__(self, limit, **kwargs):
            super().__init__(**(kwargs if pass_kwargs else {}))
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
        SoftClip = keras.saving.register_keras_serializable(package="tests08")(SoftClip)
    return SoftClip


def notes_in_keras3(x, y, folder, meter, epochs, optimizer=None, from_logits=True, reset=True, save_first=()):
    """The notes' program in Keras 3; the keyword arguments make the mistakes below."""
    import keras

    network = keras.Sequential(
        [keras.Input((x.shape[1],))]
        + [keras.layers.Dense(units, activation="relu") for units in (256, 128, 64, 32)]
        + [keras.layers.Dense(10)]
    )
    network.compile(
        optimizer=optimizer or keras.optimizers.Adam(learning_rate=0.01),
        loss=keras.losses.CategoricalCrossentropy(from_logits=from_logits),
        metrics=["accuracy"],
    )
    if "weights" in save_first:
        network.save_weights(folder / "weights.weights.h5")
    network.fit(x, y, epochs=epochs, verbose=0)
    if "weights" not in save_first:
        network.save_weights(folder / "weights.weights.h5")
    network.save(folder / "model.keras")
    if reset:
        meter.reset_state()
    meter.update_state(y, network.predict(x, verbose=0))
    return float(meter.result())


SOLUTION_CODE = {
    "08.1": ("fullmatch", r"(\d+)", "int(match.group(1))", "max(found)"),
    "08.2": ("optimizer.build(model.trainable_variables)", "initial_epoch=start", "load_weights(path)"),
    "08.3": ("model.save(path)", "load_model(path)"),
    "08.4": ("register_keras_serializable(", '"limit": self.limit', "tanh(x / self.limit)"),
    "08.5": ("learning_rate=0.01", "reset_state()", 'save(folder / "model.keras")'),
}


# --- (a) right answers pass on every seed ------------------------------------------------------


RIGHT_ANSWERS = [
    ("08.1", latest_checkpoint),
    ("08.1", latest_checkpoint_by_hand),
    ("08.2", resume),
    ("08.3", round_trip),
    ("08.5", notes_in_keras3),
]


@pytest.mark.parametrize(
    "exercise_id, answer, seed",
    [
        (exercise_id, answer, seed)
        for exercise_id, answer in RIGHT_ANSWERS
        # a check that trains a model: one seed is enough (the other tests use seed 1)
        for seed in (SEEDS[:1] if exercise_id in SLOW else SEEDS)
    ],
)
def test_right_answers_pass(keras, exercise_id, answer, seed):
    feedback = evaluate(exercise_id, answer, seed=seed)
    assert feedback.status == PASSED, feedback


@pytest.mark.parametrize("seed", SEEDS)
def test_a_right_soft_clip_passes(keras, seed):
    assert evaluate("08.4", soft_clip_class(keras), seed=seed).status == PASSED


def test_probes_write_only_in_temporary_folders_they_remove(keras, work_folder, tmp_path, monkeypatch):
    monkeypatch.setattr(
        tempfile, "tempdir", str(tmp_path)
    )  # this test's own temp folder: no other test's files
    before = leftovers()
    for exercise_id, answer in (("08.1", latest_checkpoint), ("08.2", resume), ("08.3", round_trip)):
        assert evaluate(exercise_id, answer, seed=0).status == PASSED
    assert evaluate("08.4", soft_clip_class(keras), seed=0).status == PASSED
    assert evaluate("08.3", lambda model, path: 1 / 0, seed=0).status == FAILED
    assert evaluate("08.5", lambda x, y, folder, meter, epochs: 1 / 0, seed=0).status == FAILED
    assert leftovers() == before
    assert not work_folder.exists() or not any(work_folder.iterdir())


# --- (b) stubs are "not attempted", and the message gives nothing away --------------------------


def class_stub(keras):
    """The learner copy's SoftClip: the methods' bodies are stubs."""

    class SoftClip(keras.layers.Layer):
        def __init__(self, limit, **kwargs):
            raise NotImplementedError

        def call(self, x):
            raise NotImplementedError

        def get_config(self):
            raise NotImplementedError

    return SoftClip


@pytest.mark.parametrize("exercise_id", IDS)
def test_stubs_are_not_attempted_and_give_nothing_away(keras, exercise_id):
    for answer in [..., class_stub(keras) if exercise_id == "08.4" else stub]:
        assert_not_attempted_quietly(exercise_id, answer, SOLUTION_CODE[exercise_id])


@pytest.mark.parametrize("exercise_id", IDS)
def test_hints_give_no_solution_code(exercise_id):
    assert_hints_climb_without_code(exercise_id, SOLUTION_CODE[exercise_id])


# --- (c) plausible mistakes, each with its diagnosis --------------------------------------------


def by_text(folder):
    return max(folder.glob("epoch-*.weights.h5"), default=None)


def by_newest_file(folder):
    return max(folder.glob("epoch-*.weights.h5"), key=lambda path: path.stat().st_mtime, default=None)


def any_ending(folder):
    return max(
        folder.glob("epoch-*"), key=lambda path: int(re.search(r"\d+", path.name).group()), default=None
    )


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


LATEST_MISTAKES = [
    (by_text, "compared as text"),
    (by_newest_file, "the newest file on disk"),
    (any_ending, "which is not a checkpoint"),
    (every_sub_folder, "a file in a sub-folder"),
    (every_weights_file, "IndexError"),
    (lambda folder: latest_checkpoint(folder).name, "should return a pathlib.Path (or None), got the str"),
    (lambda folder: Path(latest_checkpoint(folder).name), "a path without the folder"),
    (lambda folder: latest_checkpoint(folder) or folder, "the folder holds no checkpoint directly in it"),
    (lambda folder: latest_checkpoint(folder) or Path("."), "not a file in the folder"),
    (lambda folder: None, "returned None, but the folder holds checkpoints up to epoch"),
]


@pytest.mark.parametrize(
    "answer, says", LATEST_MISTAKES, ids=[f"08.1-{i}" for i in range(len(LATEST_MISTAKES))]
)
def test_latest_checkpoint_mistakes_get_a_diagnosis(answer, says):
    feedback = evaluate("08.1", answer, seed=1)
    assert feedback.status == FAILED, feedback
    assert says in feedback.message, feedback
    assert feedback.hint in hints("08.1")


def without_initial_epoch(model, folder, x, y, epochs):
    path = latest_checkpoint(folder)
    start = 0 if path is None else int(CHECKPOINT.fullmatch(path.name).group(1))
    if path is not None:
        model.optimizer.build(model.trainable_variables)
        model.load_weights(path)
    return model.fit(x, y, epochs=epochs - start, verbose=0)


def epochs_to_add(model, folder, x, y, epochs):
    path = latest_checkpoint(folder)
    start = 0 if path is None else int(CHECKPOINT.fullmatch(path.name).group(1))
    if path is not None:
        model.optimizer.build(model.trainable_variables)
        model.load_weights(path)
    return model.fit(x, y, initial_epoch=start, epochs=epochs - start, verbose=0)


def optimizer_not_built(model, folder, x, y, epochs):
    path = latest_checkpoint(folder)
    start = 0 if path is None else int(CHECKPOINT.fullmatch(path.name).group(1))
    if path is not None:
        model.load_weights(path)
    return model.fit(x, y, initial_epoch=start, epochs=epochs, verbose=0)


def nothing_loaded(model, folder, x, y, epochs):
    path = latest_checkpoint(folder)
    start = 0 if path is None else int(CHECKPOINT.fullmatch(path.name).group(1))
    return model.fit(x, y, initial_epoch=start, epochs=epochs, verbose=0)


def latest_by_text(model, folder, x, y, epochs):
    path = by_text(folder)
    start = 0 if path is None else int(CHECKPOINT.fullmatch(path.name).group(1))
    if path is not None:
        model.optimizer.build(model.trainable_variables)
        model.load_weights(path)
    return model.fit(x, y, initial_epoch=start, epochs=epochs, verbose=0)


def small_batches(model, folder, x, y, epochs):
    path = latest_checkpoint(folder)
    start = 0 if path is None else int(CHECKPOINT.fullmatch(path.name).group(1))
    if path is not None:
        model.optimizer.build(model.trainable_variables)
        model.load_weights(path)
    return model.fit(x, y, initial_epoch=start, epochs=epochs, batch_size=2, verbose=0)


def tidies_up(model, folder, x, y, epochs):
    (folder / "notes.txt").unlink()
    return resume(model, folder, x, y, epochs)


RESUME_MISTAKES = [
    (without_initial_epoch, "fit counted the epochs from 0"),
    (epochs_to_add, "fit trained no epoch at all"),
    (optimizer_not_built, "its state was not restored"),
    (nothing_loaded, "nothing was loaded from the checkpoint"),
    (latest_by_text, "but the latest checkpoint in the folder is epoch"),
    (small_batches, "one step per epoch"),
    (tidies_up, "removed or renamed files in the folder"),
    (
        lambda model, folder, x, y, epochs: resume(model, folder, x, y, epochs).history,
        "should return the History",
    ),
]


def test_resume_may_go_on_writing_checkpoints(keras):
    def with_checkpoints(model, folder, x, y, epochs):
        path = latest_checkpoint(folder)
        start = 0 if path is None else int(CHECKPOINT.fullmatch(path.name).group(1))
        if path is not None:
            model.optimizer.build(model.trainable_variables)
            model.load_weights(path)
        save = keras.callbacks.ModelCheckpoint(folder / "epoch-{epoch}.weights.h5", save_weights_only=True)
        return model.fit(x, y, initial_epoch=start, epochs=epochs, callbacks=[save], verbose=0)

    assert evaluate("08.2", with_checkpoints, seed=0).status == PASSED


@pytest.mark.parametrize(
    "answer, says", RESUME_MISTAKES, ids=[f"08.2-{i}" for i in range(len(RESUME_MISTAKES))]
)
def test_resume_mistakes_get_a_diagnosis(keras, answer, says):
    feedback = evaluate("08.2", answer, seed=1)
    assert feedback.status == FAILED, feedback
    assert says in feedback.message, feedback
    assert feedback.hint in hints("08.2")


def weights_only(model, path):
    import keras

    model.save(path)
    return keras.Sequential.from_config(model.get_config())


def without_optimizer(model, path):
    import keras

    model.save(path)
    return keras.models.load_model(path, compile=False)


def elsewhere(model, path):
    import keras

    other = path.with_name("other.keras")
    model.save(other)
    return keras.models.load_model(other)


def changes_the_model_first(model, path):
    model.set_weights([w * 0 for w in model.get_weights()])
    return round_trip(model, path)


ROUND_TRIP_MISTAKES = [
    (lambda model, path: model, "did not write a file"),
    (lambda model, path: (model.save(path), model)[1], "returned the model it was given"),
    (
        lambda model, path: (model.save(path), "done")[1],
        "should return the loaded Keras model, got the str 'done'",
    ),
    (weights_only, "predicts differently"),
    (changes_the_model_first, "predicts differently"),
    (without_optimizer, "the optimizer state was lost"),
    (elsewhere, "did not write a file at the path it was given"),
    ("model.keras", "expected a function"),
]


@pytest.mark.parametrize(
    "answer, says", ROUND_TRIP_MISTAKES, ids=[f"08.3-{i}" for i in range(len(ROUND_TRIP_MISTAKES))]
)
def test_round_trip_mistakes_get_a_diagnosis(keras, answer, says):
    feedback = evaluate("08.3", answer, seed=2)
    assert feedback.status == FAILED, feedback
    assert says in feedback.message, feedback


SOFT_CLIP_MISTAKES = [
    ({"register": False}, "SoftClip is not registered"),
    ({"get_config": None}, "has no get_config of its own"),
    ({"get_config": lambda self: super(type(self), self).get_config()}, "gives limit None"),
    ({"get_config": lambda self: {"limit": self.limit}}, "get_config() has no 'name'"),
    (
        {"get_config": lambda self: {**super(type(self), self).get_config(), "clip": self.limit}},
        "gives limit None",
    ),
    ({"pass_kwargs": False}, "the keyword arguments such as name belong to the base class"),
    ({"formula": lambda x, limit: keras_ops().clip(x, -limit, limit)}, "clipped hard"),
    ({"formula": lambda x, limit: limit * np.tanh(x)}, "forgot to divide by the limit inside the tanh"),
]


@pytest.mark.parametrize(
    "change, says", SOFT_CLIP_MISTAKES, ids=[f"08.4-{i}" for i in range(len(SOFT_CLIP_MISTAKES))]
)
def test_soft_clip_mistakes_get_a_diagnosis(keras, change, says):
    feedback = evaluate("08.4", soft_clip_class(keras, **change), seed=1)
    assert feedback.status == FAILED, feedback
    assert says in feedback.message, feedback


def keras_ops():
    import keras

    return keras.ops


def test_soft_clip_without_kwargs_and_not_a_layer(keras):
    class NoKwargs(keras.layers.Layer):
        def __init__(self, limit):
            super().__init__()
            self.limit = limit

    feedback = evaluate("08.4", NoKwargs, seed=0)
    assert feedback.status == FAILED and "unexpected keyword argument 'name'" in feedback.message, feedback
    feedback = evaluate("08.4", type("SoftClip", (), {}), seed=0)
    assert feedback.status == FAILED and "subclass of keras.layers.Layer" in feedback.message, feedback


def keras2_save(x, y, folder, meter, epochs):
    notes_in_keras3(x, y, folder, meter, epochs)
    import keras

    keras.models.load_model(folder / "model.keras").save(folder / "model")  # the notes' model.save("model")


def own_meter(x, y, folder, meter, epochs):
    import keras

    return notes_in_keras3(x, y, folder, keras.metrics.CategoricalAccuracy(), epochs)


NOTES_MISTAKES = [
    (lambda *args: notes_in_keras3(*args, optimizer="adam"), "learning rate is 0.001"),
    (lambda *args: notes_in_keras3(*args, from_logits=False), "categorical cross-entropy on logits"),
    (lambda *args: notes_in_keras3(*args, reset=False), "still held 40 examples from an earlier evaluation"),
    (own_meter, "still holds only its earlier counts"),
    (lambda *args: notes_in_keras3(*args, save_first=("weights",)), "hold different weights"),
    (keras2_save, "Invalid filepath extension"),
]


@pytest.mark.parametrize(
    "answer, says", NOTES_MISTAKES, ids=[f"08.5-{i}" for i in range(len(NOTES_MISTAKES))]
)
def test_notes_mistakes_get_a_diagnosis(keras, answer, says):
    feedback = evaluate("08.5", answer, seed=1)
    assert feedback.status == FAILED, feedback
    assert says in feedback.message, feedback


def test_the_notes_keras2_calls_fail_with_keras_s_own_message(keras):
    feedback = evaluate(
        "08.5", lambda *args: notes_in_keras3(*args, optimizer=keras.optimizers.Adam(**{"lr": 0.01})), seed=0
    )
    assert feedback.status == FAILED and "Argument(s) not recognized: {'lr': 0.01}" in feedback.message


# --- (d) cheats ---------------------------------------------------------------------------------


def replay(value):
    return lambda *args: value


def test_cheats_fail_with_a_useful_message(keras):
    write_it_yourself = "asks you to write it yourself, and your code uses course.saving."
    for exercise_id, answer, says in [
        ("08.1", mock.ANY, "expected a function"),
        ("08.1", replay(mock.ANY), "should return a pathlib.Path (or None), got a unittest.mock._ANY"),
        ("08.2", replay(mock.ANY), "should return the History"),
        ("08.3", mock.ANY, "expected a function"),
        ("08.3", replay(mock.ANY), "did not write a file"),
        ("08.4", mock.ANY, "expected a class"),
        ("08.5", replay(mock.ANY), "the folder holds nothing"),
        # the package's own implementation, inside an answer
        ("08.1", lambda folder: saving.latest_checkpoint(folder, "epoch-*.weights.h5"), write_it_yourself),
        (
            "08.2",
            lambda model, folder, x, y, epochs: model.fit(
                x, y, initial_epoch=saving.restore_latest(model, folder, "epoch-*.weights.h5"), epochs=epochs
            ),
            write_it_yourself,
        ),
        ("08.2", loads_with_the_course_helper, write_it_yourself),
        # a lookup table: the path the right answer returned for another seed's folder
        ("08.1", replay(recorded_latest(seed=0)), "not a file in the folder"),
    ]:
        feedback = evaluate(exercise_id, answer, seed=1)
        assert feedback.status == FAILED, (exercise_id, feedback)
        assert says in feedback.message, (exercise_id, feedback)


def loads_with_the_course_helper(model, folder, x, y, epochs):
    path = latest_checkpoint(folder)
    start = 0
    if path is not None:
        saving.load_weights(model, path)
        start = int(CHECKPOINT.fullmatch(path.name).group(1))
    return model.fit(x, y, initial_epoch=start, epochs=epochs, verbose=0)


def recorded_latest(seed):
    """The path latest_checkpoint returned for ``seed``'s first folder (gone once the check is over)."""
    seen = []

    def recording(folder):
        seen.append(latest_checkpoint(folder))
        return seen[-1]

    assert evaluate("08.1", recording, seed=seed).status == PASSED
    return seen[0]


def test_the_package_version_works_again_after_a_check(keras, tmp_path):
    evaluate("08.2", loads_with_the_course_helper, seed=0)
    folder = tmp_path / "empty"
    folder.mkdir()
    model = keras.Sequential([keras.Input((3,)), keras.layers.Dense(2)])
    assert saving.restore_latest(model, folder) == 0
    assert saving.latest_checkpoint(folder) is None


def test_a_copy_of_the_checks_folder_is_not_needed():
    """The probes make their own folders: nothing is read from a previous check."""
    stale = Path(tempfile.gettempdir()) / "course-08.1-stale"
    stale.mkdir(exist_ok=True)
    try:
        assert evaluate("08.1", latest_checkpoint, seed=0).status == PASSED
    finally:
        shutil.rmtree(stale)


# --- forged outcomes: written without the cases, they fail on every seed ------------------------

FORGED_FROM = 99  # the seed of the cases that the forged outcomes were made on
FORGEABLE = {"08.1": latest_checkpoint, "08.2": resume, "08.3": round_trip}


@pytest.mark.parametrize("exercise_id", ["08.1", "08.2", "08.3", "08.4"])
def test_outcomes_made_on_other_cases_fail(keras, exercise_id):
    answer = FORGEABLE[exercise_id] if exercise_id in FORGEABLE else soft_clip_class(keras)
    outcomes = normalize(probe(exercise_id, answer, seed=FORGED_FROM))
    assert judge(exercise_id, FORGED_FROM, outcomes).status == PASSED  # a right answer's, on its own cases
    for seed in SEEDS:
        assert judge(exercise_id, seed, outcomes).status == FAILED


def test_claimed_flags_are_not_taken_on_trust(keras):
    """Flags the probe once computed (where a path points, files kept, the same config) instead of raw facts fail."""
    old_latest = [
        {
            "ok": {
                "result": {"type": "pathlib.PosixPath"},
                "is_path": True,
                "where": name,
                "name": name,
                "absolute": True,
            }
        }
        for name in ("epoch-10.weights.h5", "epoch-100.weights.h5")
    ] + [{"ok": {"result": {"type": "NoneType", "value": None}, "is_path": False}}]
    assert judge("08.1", 0, old_latest).status == FAILED
    outcomes = normalize(probe("08.4", soft_clip_class(keras), seed=0))
    old_soft_clip = [
        {
            "ok": {
                **o["ok"],
                "own_get_config": True,
                "registered": True,
                "loaded_class": True,
                "same_config": True,
            }
        }
        for o in outcomes
    ]
    for outcome in old_soft_clip:
        for key in ("get_config", "registered_name", "answer_id", "loaded_id"):
            outcome["ok"].pop(key)
    assert judge("08.4", 0, old_soft_clip).status == FAILED
