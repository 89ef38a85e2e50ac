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
