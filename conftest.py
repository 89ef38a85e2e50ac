"""Test-session settings shared by the unit tests and the notebook runs.

Notebook kernels inherit this process's environment, so FAST and strict mode
set here apply to every notebook nbval executes. Set COURSE_FAST=0 yourself to
run the notebooks in full mode.
"""

import os
import subprocess
from pathlib import Path

os.environ.setdefault("COURSE_FAST", "1")
os.environ.setdefault("COURSE_STRICT", "1")
os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
os.environ.setdefault("MPLBACKEND", "Agg")

ROOT = Path(__file__).resolve().parent


def _git_status():
    try:
        done = subprocess.run(["git", "status", "--porcelain"], cwd=ROOT, capture_output=True, text=True, timeout=30)
    except (OSError, subprocess.TimeoutExpired):
        return None
    return done.stdout if done.returncode == 0 else None


def pytest_sessionstart(session):
    session.config._status_before = _git_status()


def pytest_sessionfinish(session, exitstatus):
    """The suite must leave the working tree as it found it (notebooks write only under work/)."""
    before, after = session.config._status_before, _git_status()
    if before is None or after is None or after == before:
        return
    new = sorted(set(after.splitlines()) - set(before.splitlines()))
    print("\nThe test run changed the working tree (git status --porcelain):\n" + "\n".join(new or after.splitlines()))
    session.exitstatus = 1
