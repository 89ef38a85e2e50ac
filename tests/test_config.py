import json
import re
from pathlib import Path

import pytest

import course
from course.runtime.settings import errors, mirror_problem, settings, workdir


def test_settings_read_environment(monkeypatch, tmp_path):
    monkeypatch.setenv("COURSE_FAST", "1")
    monkeypatch.setenv("COURSE_STRICT", "no")
    monkeypatch.setenv("COURSE_WORKDIR", str(tmp_path / "w"))
    monkeypatch.setenv("COURSE_DATA_DIR", str(tmp_path))
    monkeypatch.setenv("COURSE_DATA_MIRROR", "http://127.0.0.1:9/data")
    now = settings()
    assert now.fast and not now.strict
    assert now.workdir == tmp_path / "w"
    assert now.data_dir == tmp_path
    assert now.data_mirror == "http://127.0.0.1:9/data/"
    assert "FAST" in now.describe() and str(tmp_path / "w") in now.describe()


@pytest.mark.parametrize("name, value", [("COURSE_FAST", "maybe"), ("COURSE_STRICT", "2")])
def test_bad_flag_names_variable_value_and_allowed_words(monkeypatch, name, value):
    monkeypatch.setenv(name, value)
    with pytest.raises(ValueError, match=f"{name}='{value}' .*1, true, yes, on, 0, false, no, off"):
        settings()


@pytest.mark.parametrize("value", ["http://[bad", "ftp://x", "example.org/data", "http://host:port/"])
def test_bad_mirror_is_named_and_not_used(monkeypatch, value):
    monkeypatch.setenv("COURSE_DATA_MIRROR", value)
    assert re.match(f"COURSE_DATA_MIRROR='{re.escape(value)}' .*http:// or https://", mirror_problem())
    assert settings().data_mirror is None  # the loaders announce the problem and fall back


def test_errors_lists_every_bad_variable(monkeypatch):
    monkeypatch.setenv("COURSE_FAST", "maybe")
    monkeypatch.setenv("COURSE_STRICT", "2")
    monkeypatch.setenv("COURSE_DATA_MIRROR", "ftp://x")
    assert [message.split("=")[0] for message in errors()] == [
        "COURSE_FAST",
        "COURSE_STRICT",
        "COURSE_DATA_MIRROR",
    ]
    for name in ("COURSE_FAST", "COURSE_STRICT", "COURSE_DATA_MIRROR"):
        monkeypatch.delenv(name)
    assert errors() == []


def test_a_work_folder_that_cannot_be_created_names_course_workdir(monkeypatch, tmp_path):
    blocker = tmp_path / "a-file"
    blocker.write_text("")
    for bad in (blocker, blocker / "below"):
        monkeypatch.setenv("COURSE_WORKDIR", str(bad))
        with pytest.raises(ValueError, match="a file is in the way.*set COURSE_WORKDIR"):
            workdir()


@pytest.mark.skipif(not Path("/proc/self").is_dir(), reason="needs Linux's /proc")
def test_a_work_folder_under_proc_names_course_workdir(monkeypatch):
    monkeypatch.setenv("COURSE_WORKDIR", "/proc/x")
    with pytest.raises(ValueError, match="cannot create the work folder /proc/x .*set COURSE_WORKDIR"):
        workdir()


def test_pick_follows_fast_mode(monkeypatch):
    monkeypatch.setenv("COURSE_FAST", "1")
    assert course.pick(1, 5) == 1
    monkeypatch.setenv("COURSE_FAST", "0")
    assert course.pick(1, 5) == 5


def test_workdir_defaults_next_to_the_notebook(monkeypatch, tmp_path):
    monkeypatch.delenv("COURSE_WORKDIR", raising=False)
    monkeypatch.chdir(tmp_path)
    assert workdir() == tmp_path / "work"
    assert workdir("models", "v1") == tmp_path / "work" / "models" / "v1"
    assert (tmp_path / "work" / "models" / "v1").is_dir()


@pytest.mark.parametrize("bad", ["..", "/etc", "a/../.."])
def test_workdir_refuses_to_leave_the_work_folder(monkeypatch, tmp_path, bad):
    monkeypatch.setenv("COURSE_WORKDIR", str(tmp_path))
    with pytest.raises(ValueError, match="relative folder names"):
        workdir(bad)


@pytest.mark.parametrize("bad, error", [("", ValueError), (3, TypeError), (None, TypeError)])
def test_workdir_names_are_non_empty_text(monkeypatch, tmp_path, bad, error):
    monkeypatch.setenv("COURSE_WORKDIR", str(tmp_path))
    with pytest.raises(error, match="workdir\\(\\) folder name"):
        workdir(bad)


def test_work_folder_and_workspace_are_gitignored():
    from tests.helpers import ROOT

    ignored = (ROOT / ".gitignore").read_text().splitlines()
    assert "work/" in ignored and "my-notebooks/" in ignored


def test_seed_everything_repeats_numpy(monkeypatch):
    import numpy as np

    course.seed_everything(3)
    first = np.random.rand(3)
    course.seed_everything(3)
    assert np.array_equal(first, np.random.rand(3))
    with pytest.raises(ValueError, match="non-negative int"):
        course.seed_everything(-1)
    with pytest.raises(ValueError, match="non-negative int"):
        course.seed_everything("7")


def test_setup_prints_one_line_and_keeps_caches_in_work(monkeypatch, tmp_path, capsys):
    monkeypatch.setenv("COURSE_WORKDIR", str(tmp_path))
    monkeypatch.delenv("KERAS_HOME", raising=False)
    monkeypatch.delenv("MPLCONFIGDIR", raising=False)
    import os

    current = course.setup(seed=1)
    out = capsys.readouterr().out
    assert out.count("\n") == 1 and "seed 1" in out and str(tmp_path) in out
    assert current.workdir == tmp_path
    assert os.environ["KERAS_HOME"].startswith(str(tmp_path))
    assert os.environ["MPLCONFIGDIR"].startswith(str(tmp_path))


def test_importing_course_does_not_import_tensorflow():
    from tests.helpers import run_python

    done = run_python(
        "import sys, course, course.exercises, course.data, course.tools.build, course.tools.grade, course.tools.doctor;"
        "import course.tensor_ops, course.broadcasting, course.convolution, course.activations, course.descent;"
        "import course.plots, course.early_stopping, course.saving, course.flower_models, course.autodiff.draw;"
        "course.exercises.known_ids();"
        "print('tensorflow' in sys.modules, 'keras' in sys.modules)"
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout.split() == ["False", "False"]


# --- the progress file in the work folder ------------------------------------------------------------

KEPT = {"status": "passed", "message": "kept", "failures": 0, "time": 1.0}


def deep(depth):
    return "[" * depth + "]" * depth


@pytest.mark.parametrize(
    "damaged, note",
    [
        ('{"status": "failed", "failures": "abc"}', "the failures of 00.1"),
        (
            '{"status": ["passed"], "failures": [1], "revision": true}',
            "the status, failures and revision of 00.1",
        ),
        ('{"status": "failed", "failures": -3, "time": "noon", "message": 7}', "of 00.1 could not be read"),
        ('{"status": "failed", "failures": {"a": {"b": {"c": 1}}}}', "the failures of 00.1"),
        ('"not a verdict"', "the entry of 00.1 is not a verdict"),
        (deep(100_000), "the entry of 00.1 could not be read"),
        ('{"failures": ' + deep(100_000) + "}", "the entry of 00.1 could not be read"),
    ],
    ids=["text count", "list status", "wrong kinds", "nested count", "not an entry", "deep", "deep field"],
)
def test_a_damaged_entry_counts_as_absent_and_the_others_are_kept(
    progress_file, monkeypatch, capsys, damaged, note
):
    from course.exercises import FAILED, check, progress, store

    monkeypatch.setenv("COURSE_STRICT", "0")
    deep_elsewhere = deep(50_000)
    progress_file.parent.mkdir(parents=True, exist_ok=True)
    progress_file.write_text(
        f'{{"00.1": {damaged}, "00.2": {json.dumps(KEPT)}, "01.1": {deep_elsewhere}, "xx": [1, 2]}}'
    )
    assert store.failures("00.1") == 0  # absent: no failure counted yet
    check("00.1", lambda c: c)  # wrong: a verdict, not a traceback
    shown = capsys.readouterr().out
    assert note in shown and shown.count(note) == 1 and "Traceback" not in shown
    text = progress_file.read_text()
    stored = {key: value for key, value in store._read(progress_file).items()}
    assert json.loads(stored["00.1"])["status"] == FAILED and json.loads(stored["00.1"])["failures"] == 1
    assert json.loads(stored["00.2"]) == KEPT  # another exercise's verdict: kept as it was
    assert stored["01.1"] == deep_elsewhere and stored["xx"] == "[1, 2]"  # even damaged ones, unchanged
    assert "00.2 ✓" in str(progress("00")) and "00.1 ✗" in str(progress("00"))
    assert list(progress_file.parent.glob("progress.json.unreadable-*")) == []
    assert text.count(deep_elsewhere) == 1


def test_a_progress_file_that_is_not_json_is_set_aside_whole(progress_file, capsys):
    from course.exercises import store

    for text in ['{"00.1": tru}', '{"00.1": ' + deep(100_000), "[1, 2]", '{"00.1": {}} extra']:
        progress_file.parent.mkdir(parents=True, exist_ok=True)
        progress_file.write_text(text)
        assert store.load() == {}
        aside = list(progress_file.parent.glob("progress.json.unreadable-*"))
        assert len(aside) == 1 and aside[0].read_text() == text  # renamed, never deleted
        aside[0].unlink()
    assert "could not be read" in capsys.readouterr().out


def test_the_progress_file_stays_json_that_others_can_read(progress_file):
    from course.exercises import NOT_ATTEMPTED, PASSED, Feedback, store

    store.record(Feedback("00.1", PASSED, "fine"), revision=2)
    store.record(Feedback("00.q1", NOT_ATTEMPTED, ""))
    stored = json.loads(progress_file.read_text())
    assert stored["00.1"]["status"] == PASSED and stored["00.1"]["revision"] == 2
    assert set(stored) == {"00.1", "00.q1"} and store.load()["00.1"]["message"] == "fine"


# --- the doctor on the work folder -------------------------------------------------------------------


def doctor_problems(doctor, capsys):
    assert doctor.cli([]) == 1
    shown = capsys.readouterr()
    assert "Traceback" not in shown.out + shown.err and "All good" not in shown.out
    return shown.out.split("problem(s):")[1]


def test_doctor_finds_a_work_folder_it_cannot_write_to(quick_doctor, monkeypatch, tmp_path, capsys):
    import tempfile

    def refused(*args, **kwargs):
        raise PermissionError(13, "Permission denied")

    monkeypatch.setattr(tempfile, "NamedTemporaryFile", refused)
    problems = doctor_problems(quick_doctor, capsys)
    assert f"the work folder {tmp_path / 'work'} is not writable (Permission denied)" in problems
    assert "set COURSE_WORKDIR to a folder you can write to" in problems and "reinstall" not in problems


@pytest.mark.skipif(not Path("/proc/self").is_dir(), reason="needs Linux's /proc")
def test_doctor_finds_a_read_only_work_folder(quick_doctor, monkeypatch, capsys):
    monkeypatch.setenv("COURSE_WORKDIR", "/proc")  # a folder that takes no file, even for root
    problems = doctor_problems(quick_doctor, capsys)
    assert "the work folder /proc is not writable" in problems and "reinstall" not in problems


def test_doctor_names_course_workdir_for_a_symbolic_link_loop(quick_doctor, monkeypatch, tmp_path, capsys):
    (tmp_path / "a").symlink_to(tmp_path / "b")
    (tmp_path / "b").symlink_to(tmp_path / "a")
    for value in (tmp_path / "a", tmp_path / "a" / "work"):
        monkeypatch.setenv("COURSE_WORKDIR", str(value))
        problems = doctor_problems(quick_doctor, capsys)
        assert "COURSE_WORKDIR" in problems and "reinstall" not in problems
        assert "set COURSE_WORKDIR" in problems


def test_doctor_names_course_data_dir_that_cannot_be_used(quick_doctor, monkeypatch, tmp_path, capsys):
    (tmp_path / "a").symlink_to(tmp_path / "a")
    for value in (tmp_path / "a", tmp_path / ("x" * 300)):
        monkeypatch.setenv("COURSE_DATA_DIR", str(value))
        problems = doctor_problems(quick_doctor, capsys)
        assert "COURSE_DATA_DIR" in problems and "reinstall" not in problems
