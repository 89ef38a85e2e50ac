"""Fixtures for the package tests (the notebook runs are set up by the root conftest)."""

import pytest


@pytest.fixture(autouse=True)
def progress_file(tmp_path, monkeypatch):
    """Each test keeps exercise and quiz verdicts in its own progress file, never in work/."""
    from course.exercises import store

    path = tmp_path / "progress-store" / store.FILE_NAME
    monkeypatch.setattr(store, "_path", lambda: path)
    monkeypatch.setattr(store, "_memory", {})
    return path


@pytest.fixture
def quick_doctor(monkeypatch, tmp_path):
    """The doctor without TensorFlow and with every host unreachable: only the settings matter."""
    from course.tools import doctor

    monkeypatch.setitem(doctor.SECTIONS, "Devices", lambda: (["  (not checked here)"], []))
    monkeypatch.setattr("course.data.downloads.reachable", lambda url, timeout=None: False)
    for name in ("COURSE_FAST", "COURSE_STRICT", "COURSE_DATA_DIR", "COURSE_DATA_MIRROR"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("COURSE_WORKDIR", str(tmp_path / "work"))
    return doctor
