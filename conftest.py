"""Test-session settings shared by the unit tests and the notebook runs.

Notebook kernels inherit this process's environment, so FAST and strict mode
set here apply to every notebook nbval executes. Set COURSE_FAST=0 yourself to
run the notebooks in full mode.
"""

import json
import os
import shutil
import subprocess
import tempfile
from pathlib import Path

os.environ.setdefault("COURSE_FAST", "1")
os.environ.setdefault("COURSE_STRICT", "1")
os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
os.environ.setdefault("MPLBACKEND", "Agg")
# Every course.check() in a notebook kernel appends its verdict here (see course.exercises.record).
if "COURSE_RESULTS_FILE" not in os.environ:
    os.environ["COURSE_RESULTS_FILE"] = str(Path(tempfile.mkdtemp(prefix="course-checks-")) / "results.jsonl")
    OWN_RESULTS_FOLDER = Path(os.environ["COURSE_RESULTS_FILE"]).parent
else:
    OWN_RESULTS_FOLDER = None

# What each notebook folder's checks must report: solutions pass, learner copies are untouched.
EXPECTED_STATUS = {"solutions": "passed", "notebooks": "not attempted"}

ROOT = Path(__file__).resolve().parent


def _git_status():
    try:
        done = subprocess.run(
            ["git", "status", "--porcelain"], cwd=ROOT, capture_output=True, text=True, timeout=30
        )
    except (OSError, subprocess.TimeoutExpired):
        return None
    return done.stdout if done.returncode == 0 else None


def pytest_sessionstart(session):
    session.config._status_before = _git_status()


def check_verdicts(path):
    """Lines describing every notebook check whose verdict is not what its folder expects."""
    if not Path(path).exists():
        return []
    wrong = []
    for line in Path(path).read_text().splitlines():
        record = json.loads(line)
        folder = Path(record.get("folder", ""))
        expected = EXPECTED_STATUS.get(folder.name) if folder.parent == ROOT else None
        if expected and record["status"] != expected:
            wrong.append(
                f"{folder.name}: exercise {record['exercise']} is {record['status']!r}, expected {expected!r}: {record['message']}"
            )
    return wrong


def pytest_sessionfinish(session, exitstatus):
    if hasattr(session.config, "workerinput"):  # pytest-xdist worker: the controller checks
        return
    wrong = check_verdicts(os.environ["COURSE_RESULTS_FILE"])
    if OWN_RESULTS_FOLDER is not None:
        shutil.rmtree(OWN_RESULTS_FOLDER, ignore_errors=True)
    if wrong:
        print("\nNotebook checks with the wrong verdict:\n" + "\n".join(wrong))
        session.exitstatus = 1
    assert_tree_unchanged(session)


def assert_tree_unchanged(session):
    """The suite must leave the working tree as it found it (notebooks write only under work/)."""
    before, after = session.config._status_before, _git_status()
    if before is None or after is None or after == before:
        return
    new = sorted(set(after.splitlines()) - set(before.splitlines()))
    print(
        "\nThe test run changed the working tree (git status --porcelain):\n"
        + "\n".join(new or after.splitlines())
    )
    session.exitstatus = 1
