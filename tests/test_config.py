import pytest

import course
from course.runtime.settings import settings, workdir


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


def test_bad_flag_is_named(monkeypatch):
    monkeypatch.setenv("COURSE_FAST", "maybe")
    with pytest.raises(ValueError, match="COURSE_FAST.*'maybe'"):
        settings()


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


@pytest.mark.parametrize("bad", ["..", "/etc", "", 3])
def test_workdir_refuses_to_leave_the_work_folder(monkeypatch, tmp_path, bad):
    monkeypatch.setenv("COURSE_WORKDIR", str(tmp_path))
    with pytest.raises(ValueError, match="relative folder names"):
        workdir(bad)


def test_work_folder_is_gitignored():
    from tests.helpers import ROOT

    assert "work/" in (ROOT / ".gitignore").read_text().splitlines()


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
