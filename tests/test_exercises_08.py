"""The exercises of 08_saving_loading beyond their answer tables (tests/answers/nb08_saving_loading.py;
the quizzes: tests/test_quizzes.py): stubs, hints, cheats, and what the probes leave behind."""

import shutil
import tempfile
from pathlib import Path
from unittest import mock

import pytest

import course.exercises.checks.nb08_saving_loading  # noqa: F401  (registers 08's exercises without the other notebooks)
from course import saving
from course.exercises import FAILED, PASSED, evaluate, judge, probe
from course.exercises.plain import normalize

from .answers.nb08_saving_loading import CHECKPOINT, latest_checkpoint, resume, round_trip, soft_clip_class
from .helpers import assert_hints_climb_without_code, assert_not_attempted_quietly, stub

# Keras calls np.array(x) on tensors in ways NumPy 2 flags; loading weights into a model whose optimizer
# is not built warns (one of the mistakes below): both are inside the libraries, not here.
pytestmark = [
    pytest.mark.filterwarnings("ignore::DeprecationWarning"),
    pytest.mark.filterwarnings("ignore:Skipping variable loading:UserWarning"),
]

SEEDS = (0, 1)
IDS = ("08.1", "08.2", "08.3", "08.4", "08.5")


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


SOLUTION_CODE = {
    "08.1": ("fullmatch", r"(\d+)", "int(match.group(1))", "max(found)"),
    "08.2": ("optimizer.build(model.trainable_variables)", "initial_epoch=start", "load_weights(path)"),
    "08.3": ("model.save(path)", "load_model(path)"),
    "08.4": ("register_keras_serializable(", '"limit": self.limit', "tanh(x / self.limit)"),
    "08.5": ("learning_rate=0.01", "reset_state()", 'save(folder / "model.keras")'),
}


def test_probes_write_only_in_temporary_folders_they_remove(keras, work_folder, tmp_path, monkeypatch):
    monkeypatch.setattr(
        tempfile, "tempdir", str(tmp_path)
    )  # this test's own temp folder: no other test's files
    before = leftovers()
    for exercise_id, answer in (("08.1", latest_checkpoint), ("08.2", resume), ("08.3", round_trip)):
        assert evaluate(exercise_id, answer, seed=0).status == PASSED
    assert evaluate("08.4", soft_clip_class(keras, "tests08"), seed=0).status == PASSED
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


# --- (c) cheats ---------------------------------------------------------------------------------


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
    answer = FORGEABLE[exercise_id] if exercise_id in FORGEABLE else soft_clip_class(keras, "tests08")
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
    outcomes = normalize(probe("08.4", soft_clip_class(keras, "tests08"), seed=0))
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
