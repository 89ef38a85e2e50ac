"""The exercises of 08_saving_loading (its quizzes: tests/test_quizzes.py): right answers pass, mistakes get a diagnosis, cheats fail."""

import re
import shutil
import tempfile
from pathlib import Path
from unittest import mock

import numpy as np
import pytest

import course.exercises.checks.saving  # noqa: F401  (registers 08's exercises without the other notebooks)
from course import saving
from course.exercises import FAILED, NOT_ATTEMPTED, PASSED, evaluate, hints

from .helpers import stub

# Keras calls np.array(x) on tensors in ways NumPy 2 flags; loading weights into a model whose optimizer
# is not built warns (one of the mistakes below): both are inside the libraries, not here.
pytestmark = [
    pytest.mark.filterwarnings("ignore::DeprecationWarning"),
    pytest.mark.filterwarnings("ignore:Skipping variable loading:UserWarning"),
]

SEEDS = (0, 1, 2)
ROOT = Path(__file__).resolve().parents[1]


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


def restore_latest(model, folder):
    path = saving.latest_checkpoint(folder)
    if path is None:
        return 0
    saving.load_weights(model, path)
    return saving.checkpoint_epoch(path)


def restore_latest_by_hand(model, folder):
    files = list(folder.glob("cp-*.weights.h5"))
    if not files:
        return 0
    epoch = max(int(re.search(r"cp-(\d+)", path.name).group(1)) for path in files)
    saving.load_weights(model, folder / f"cp-{epoch:04d}.weights.h5")
    return epoch


def round_trip(model, path):
    import keras

    model.save(path)
    return keras.models.load_model(path)


SOLUTION_CODE = {
    "08.1": ("{epoch:04d}", "{epoch:0", "04d", "cp-{epoch"),
    "08.2": ("latest_checkpoint(folder)", "load_weights(model, path)", "checkpoint_epoch(path)"),
    "08.3": ("model.save(path)", "load_model(path)"),
}


# --- (a) right answers pass on every seed ------------------------------------------------------


@pytest.mark.parametrize("seed", SEEDS)
@pytest.mark.parametrize(
    "exercise_id, answer",
    [
        ("08.1", "cp-{epoch:04d}.weights.h5"),
        ("08.1", "epoch_{epoch:05d}.weights.h5"),
        ("08.1", "run2-{epoch:04}.weights.h5"),
        ("08.2", restore_latest),
        ("08.2", restore_latest_by_hand),
        ("08.3", round_trip),
    ],
)
def test_right_answers_pass(keras, exercise_id, answer, seed):
    feedback = evaluate(exercise_id, answer, seed=seed)
    assert feedback.status == PASSED, feedback


def test_probes_write_only_in_temporary_folders_they_remove(keras, work_folder, tmp_path, monkeypatch):
    monkeypatch.setattr(
        tempfile, "tempdir", str(tmp_path)
    )  # this test's own temp folder: no other test's files
    before = leftovers()
    for exercise_id, answer in (("08.2", restore_latest), ("08.3", round_trip)):
        assert evaluate(exercise_id, answer, seed=0).status == PASSED
    assert evaluate("08.3", lambda model, path: 1 / 0, seed=0).status == FAILED
    assert leftovers() == before
    assert not work_folder.exists() or not any(work_folder.iterdir())


# --- (b) stubs are "not attempted", and the message gives nothing away --------------------------


@pytest.mark.parametrize("exercise_id", ["08.1", "08.2", "08.3"])
def test_stubs_are_not_attempted_and_give_nothing_away(exercise_id):
    for answer in [...] if exercise_id == "08.1" else [..., stub]:
        feedback = evaluate(exercise_id, answer, seed=0)
        assert feedback.status == NOT_ATTEMPTED, feedback
        for code in SOLUTION_CODE[exercise_id]:
            assert code not in feedback.message
        assert ".weights.h5" not in feedback.message or exercise_id == "08.2"


@pytest.mark.parametrize("exercise_id", ["08.1", "08.2", "08.3"])
def test_hints_give_no_solution_code(exercise_id):
    ladder = hints(exercise_id)
    assert 2 <= len(ladder) <= 3
    for hint in ladder:
        for code in SOLUTION_CODE[exercise_id]:
            assert code not in hint, (hint, code)


# --- (c) plausible mistakes, each with its diagnosis --------------------------------------------

PATTERN_MISTAKES = [
    ("cp-{epoch}.weights.h5", "epoch 10's file 'cp-10.weights.h5' comes before epoch 9's"),
    ("cp-{epoch:03d}.weights.h5", "epoch 1000's file 'cp-1000.weights.h5' comes before epoch 999's"),
    ("cp.weights.h5", "gives the same name 'cp.weights.h5'"),
    ("cp-{epoch:04d}.h5", "does not end in '.weights.h5'"),
    ("cp-{epoch:04d}.keras", "a .keras file holds a whole model"),
    ("cp-{epoch:04d}.ckpt", "does not end in '.weights.h5'"),
    ("ckpt/cp-{epoch:04d}.weights.h5", "a file name only"),
    ("{step}.weights.h5", "has a field {step}"),
    ("{}.weights.h5", "cannot be filled in with an epoch number"),
    ("cp-{epoch:04x}.weights.h5", "the name 'cp-000a.weights.h5' does not end with the epoch number (10)"),
    ("cp-{epoch:04d}-v2.weights.h5", "does not end with the epoch number"),
    (None, "should be a string (str), got None"),
    (4, "should be a string (str), got the int 4"),
    (b"cp-{epoch:04d}.weights.h5", "should be a string"),
]


@pytest.mark.parametrize("answer, says", PATTERN_MISTAKES)
def test_pattern_mistakes_get_a_diagnosis(answer, says):
    feedback = evaluate("08.1", answer, seed=0)
    assert feedback.status == FAILED, feedback
    assert says in feedback.message, feedback


def by_newest_file(model, folder):
    files = sorted(folder.glob("cp-*.weights.h5"), key=lambda path: path.stat().st_mtime)
    if not files:
        return 0
    saving.load_weights(model, files[-1])
    return saving.checkpoint_epoch(files[-1])


def by_first_name(model, folder):
    files = sorted(folder.glob("cp-*.weights.h5"))
    if not files:
        return 0
    saving.load_weights(model, files[0])
    return saving.checkpoint_epoch(files[0])


def without_loading(model, folder):
    path = saving.latest_checkpoint(folder)
    return 0 if path is None else saving.checkpoint_epoch(path)


def with_keras_loading(model, folder):
    path = saving.latest_checkpoint(folder)
    if path is None:
        return 0
    model.load_weights(path)
    return saving.checkpoint_epoch(path)


def loads_another(model, folder):
    files = sorted(folder.glob("cp-*.weights.h5"))
    if not files:
        return 0
    saving.load_weights(model, files[0])
    return saving.checkpoint_epoch(files[-1])


def tidies_up(model, folder):
    epoch = restore_latest(model, folder)
    for path in folder.glob("*.weights.h5"):
        if path.name != f"cp-{epoch:04d}.weights.h5":
            path.unlink()
    return epoch


def every_weights_file(model, folder):
    files = list(folder.glob("*.weights.h5"))
    if not files:
        return 0
    path = max(files, key=saving.checkpoint_epoch)
    saving.load_weights(model, path)
    return saving.checkpoint_epoch(path)


def none_when_empty(model, folder):
    return None if saving.latest_checkpoint(folder) is None else restore_latest(model, folder)


def epoch_as_text(model, folder):
    return str(restore_latest(model, folder))


def resets_when_empty(model, folder):
    if saving.latest_checkpoint(folder) is None:
        model.set_weights([np.zeros_like(w) for w in model.get_weights()])
        return 0
    return restore_latest(model, folder)


RESTORE_MISTAKES = [
    (by_newest_file, "the epoch of the newest file on disk"),
    (by_first_name, ("the epoch of another checkpoint", "the epoch of the newest file")),
    (without_loading, "left the model's weights as they were"),
    (with_keras_loading, "the optimizer is at step 0"),
    (loads_another, "loaded the weights of another checkpoint"),
    (tidies_up, "changed the files in the folder"),
    (every_weights_file, "holds no epoch number"),
    (none_when_empty, "returned None"),
    (epoch_as_text, "should be a whole number (int), got the str"),
    (resets_when_empty, "the model's weights should stay as they were"),
    (lambda model, folder: 1 / 0, "ZeroDivisionError"),
    (lambda model: 0, "TypeError"),
    ("restore_latest", "expected a function"),
]


@pytest.mark.parametrize(
    "answer, says", RESTORE_MISTAKES, ids=[f"08.2-{i}" for i in range(len(RESTORE_MISTAKES))]
)
def test_restore_mistakes_get_a_diagnosis(keras, answer, says):
    feedback = evaluate("08.2", answer, seed=1)
    assert feedback.status == FAILED, feedback
    assert any(text in feedback.message for text in ((says,) if isinstance(says, str) else says)), feedback
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
    (lambda model, path: (model.save(path), None)[1], "should return the loaded Keras model, got None"),
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


# --- (d) cheats ---------------------------------------------------------------------------------


def replay(value):
    return lambda *args: value


def test_cheats_fail_with_a_useful_message(keras):
    write_it_yourself = "asks you to write it yourself, and your code uses course.saving.restore_latest"
    for exercise_id, answer, says in [
        ("08.1", mock.ANY, "should be a string"),
        ("08.2", mock.ANY, "expected a function"),
        ("08.2", replay(mock.ANY), "should be a whole number"),
        ("08.3", mock.ANY, "expected a function"),
        ("08.3", replay(mock.ANY), "did not write a file"),
        # the package's own implementation, as the answer and inside one
        ("08.2", saving.restore_latest, write_it_yourself),
        ("08.2", lambda model, folder: saving.restore_latest(model, folder), write_it_yourself),
        # a lookup table: what the right answer returned for another seed's checkpoints
        ("08.2", replay(evaluate_epoch(seed=0)), "is not the epoch of any checkpoint"),
    ]:
        feedback = evaluate(exercise_id, answer, seed=1)
        assert feedback.status == FAILED, (exercise_id, feedback)
        assert says in feedback.message, (exercise_id, feedback)


def evaluate_epoch(seed):
    """The epochs restore_latest returned for ``seed``'s cases (the last one: a fixed output to replay)."""
    seen = []

    def recording(model, folder):
        seen.append(restore_latest(model, folder))
        return seen[-1]

    assert evaluate("08.2", recording, seed=seed).status == PASSED
    return seen[-1]


def test_the_package_version_works_again_after_a_check(keras, tmp_path):
    evaluate("08.2", saving.restore_latest, seed=0)
    folder = tmp_path / "empty"
    folder.mkdir()
    model = keras.Sequential([keras.Input((3,)), keras.layers.Dense(2)])
    assert saving.restore_latest(model, folder) == 0


def test_a_copy_of_the_checks_folder_is_not_needed():
    """The probes make their own folders: nothing is read from a previous check."""
    stale = Path(tempfile.gettempdir()) / "course-08.2-stale"
    stale.mkdir(exist_ok=True)
    try:
        assert evaluate("08.2", restore_latest, seed=0).status == PASSED
    finally:
        shutil.rmtree(stale)
