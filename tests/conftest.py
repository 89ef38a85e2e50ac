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
