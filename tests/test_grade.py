"""The grader on a class of five: solved, half solved, crashing, looping forever, and a broken file.

The submissions are made from the learner copy of 00_welcome by editing the
exercise cells the way students do. Its ``doctor`` cell is dropped: it starts
TensorFlow, which costs seconds and has nothing to do with grading.
"""

import csv
import hashlib
import json
import os
from pathlib import Path

import nbformat
import pytest

from course.__main__ import main
from course.exercises import FAILED, NOT_ATTEMPTED, PASSED
from course.tools.grade import (
    Grade,
    Submission,
    align_exercises,
    exercise_ids,
    find_submissions,
    grade,
    read_results,
    table,
)

from .helpers import ROOT

TIMEOUT = 10  # seconds per notebook: plenty for 00_welcome, and what the endless loop costs

CELSIUS = 'def celsius_to_fahrenheit(c):\n    return c * 9 / 5 + 32\n\n\ncourse.check("00.1", celsius_to_fahrenheit)'
SQUARES = 'squares = [n * n for n in range(10)]\ncourse.check("00.2", squares)'
WRONG_SQUARES = 'squares = [n * 2 for n in range(10)]\ncourse.check("00.2", squares)'
CRASHING_SQUARES = 'squares = [n * n for n in rang(10)]\ncourse.check("00.2", squares)'
ENDLESS_SQUARES = (
    "squares = [0] * 10\n"
    "n = 0\n"
    "while n < 10:\n"
    "    squares[n] = n * n\n"
    "    # (n is never increased)\n"
    'course.check("00.2", squares)'
)


def submission(answers):
    """00_welcome with the exercise cells replaced by ``answers`` ({marker: new source})."""
    nb = nbformat.read(ROOT / "notebooks" / "00_welcome.ipynb", as_version=4)
    nb.cells = [c for c in nb.cells if "course doctor" not in c.source or c.cell_type != "code"]
    for cell in nb.cells:
        for marker, source in answers.items():
            if cell.cell_type == "code" and marker in cell.source:
                cell.source = source
    return nbformat.writes(nb)


@pytest.fixture
def classroom(tmp_path):
    """One folder per student, each holding their 00_welcome.ipynb."""
    texts = {
        "alice": submission({"def celsius": CELSIUS, "squares = ...": SQUARES}),
        "bob": submission({"def celsius": CELSIUS, "squares = ...": WRONG_SQUARES}),
        "carol": submission({"def celsius": CELSIUS, "squares = ...": CRASHING_SQUARES}),
        "dave": submission({"def celsius": CELSIUS, "squares = ...": ENDLESS_SQUARES}),
    }
    texts["erin"] = texts["alice"][: len(texts["alice"]) // 2]  # the upload was cut off
    root = tmp_path / "submissions"
    for student, text in texts.items():
        (root / student).mkdir(parents=True)
        (root / student / "00_welcome.ipynb").write_text(text, encoding="utf-8")
    return root


def snapshot(folder):
    """Every path under ``folder``: the sha256 of a file's bytes, ``"folder"`` for a folder."""
    return {
        p.relative_to(folder): hashlib.sha256(p.read_bytes()).hexdigest() if p.is_file() else "folder"
        for p in sorted(folder.rglob("*"))
    }


def running_kernels():
    """Kernels started by this process that are still running (read from Linux's /proc)."""
    found = []
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            state, parent = stat.read_text().rsplit(")", 1)[1].split()[:2]
            command = (stat.parent / "cmdline").read_bytes()
        except (OSError, ValueError):
            continue  # the process ended while we looked
        if parent == str(os.getpid()) and state != "Z" and b"ipykernel" in command:
            found.append(stat.parent.name)
    return found


def test_grading_a_class(classroom, tmp_path, capsys):
    before = snapshot(classroom)
    gradebook = tmp_path / "gradebook.csv"
    students = [str(classroom / s) for s in ["alice", "bob", "carol", "dave", "erin"]]

    assert main(["grade", *students, "--csv", str(gradebook), "--timeout", str(TIMEOUT)]) == 0

    assert snapshot(classroom) == before, "grading changed or added files next to the submissions"
    if Path("/proc/self/stat").exists():
        assert running_kernels() == [], "a kernel outlived the notebook it ran"
    printed = capsys.readouterr().out
    rows = {line.split()[0]: line.split() for line in printed.splitlines() if line.split()}
    assert rows["alice"][2:5] == ["passed", "passed", "2/2"] and rows["alice"][-1] == "completed"
    assert rows["bob"][2:5] == ["passed", "failed", "1/2"] and rows["bob"][-1] == "completed"
    assert rows["carol"][2:5] == ["passed", "-", "1/2"] and "NameError in cell" in printed
    assert rows["dave"][2:5] == ["passed", "-", "1/2"] and f"timed out after {TIMEOUT} s in cell" in printed
    assert rows["erin"][2:5] == ["-", "-", "0/2"] and "not a notebook (NotJSONError)" in printed
    assert rows["total"][1:4] == ["4/5", "1/5", "5/10"]

    with open(gradebook, newline="", encoding="utf-8") as file:
        book = {row["student"]: row for row in csv.DictReader(file)}
    assert list(book) == ["alice", "bob", "carol", "dave", "erin"]
    expected = {
        "alice": (PASSED, PASSED, "completed"),
        "bob": (PASSED, FAILED, "completed"),
        "carol": (PASSED, NOT_ATTEMPTED, "NameError in cell 10"),
        "dave": (PASSED, NOT_ATTEMPTED, f"timed out after {TIMEOUT} s in cell 10"),
        "erin": (NOT_ATTEMPTED, NOT_ATTEMPTED, "not a notebook (NotJSONError)"),
    }
    for student, (first, second, run) in expected.items():
        row = book[student]
        assert (row["00.1"], row["00.2"], row["run"]) == (first, second, run), student
        assert row["notebook"] == "00_welcome" and row["exercises"] == "2"
        assert int(row["passed"]) == [first, second].count(PASSED)
    assert float(book["dave"]["seconds"]) >= TIMEOUT, "the endless loop was stopped before its time was up"


def test_exercise_ids_are_read_from_the_code():
    nb = nbformat.v4.new_notebook()
    nb.cells = [
        nbformat.v4.new_markdown_cell('course.check("09.9", x) in prose is not an exercise'),
        nbformat.v4.new_code_cell('course.check("01.2", a)\ncheck( "01.10", b)'),
        nbformat.v4.new_code_cell("course.check('01.2', again)\nMultipleChoice(\"01.q1\", ...)"),
    ]
    assert exercise_ids(nb) == ["01.2", "01.10"]


def test_every_copy_of_a_notebook_is_graded_on_the_same_exercises():
    full = Grade(Submission("ann", Path("ann/00_welcome.ipynb")), {"00.1": PASSED, "00.2": FAILED})
    trimmed = Grade(Submission("ben", Path("ben/00_welcome.ipynb")), {"00.1": PASSED})  # deleted a check
    other = Grade(Submission("ben", Path("ben/01_tensors.ipynb")), {"01.1": PASSED})
    align_exercises([full, trimmed, other])
    assert trimmed.statuses == {"00.1": PASSED, "00.2": NOT_ATTEMPTED}
    assert other.statuses == {"01.1": PASSED}
    lines = table([full, trimmed, other]).splitlines()
    assert lines[0].split()[:5] == ["student", "notebook", "00.1", "00.2", "01.1"]
    assert lines[4].split()[:4] == ["ben", "01_tensors", "passed", "1/1"]  # no cells for 00.x exercises
    assert lines[5].split()[:5] == ["total", "2/2", "0/2", "1/1", "3/5"]


def test_results_file_keeps_the_latest_verdict_and_skips_broken_lines(tmp_path):
    path = tmp_path / "results.jsonl"
    lines = [
        json.dumps({"exercise": "00.1", "status": FAILED}),
        json.dumps({"exercise": "00.1", "status": PASSED}),
        json.dumps({"exercise": "00.q1", "status": PASSED}),
        '{"exercise": "00.2", "sta',
    ]
    path.write_text("\n".join(lines), encoding="utf-8")
    assert read_results(path) == {"00.1": PASSED}
    assert read_results(tmp_path / "missing.jsonl") == {}


def test_bad_paths_and_timeouts_are_refused(tmp_path, capsys):
    (tmp_path / "empty").mkdir()
    with pytest.raises(FileNotFoundError, match="neither a notebook nor a folder"):
        find_submissions([tmp_path / "nowhere"])
    with pytest.raises(FileNotFoundError, match="holds no .ipynb"):
        find_submissions([tmp_path / "empty"])
    with pytest.raises(ValueError, match="list of notebooks"):
        find_submissions(str(tmp_path))
    with pytest.raises(ValueError, match="timeout must be a finite, positive number"):
        grade(Submission("x", tmp_path / "x.ipynb"), timeout=0)
    with pytest.raises(ValueError, match="timeout must be a finite, positive number"):
        grade(Submission("x", tmp_path / "x.ipynb"), timeout=float("inf"))
    assert main(["grade", str(tmp_path / "nowhere")]) == 2
    assert "neither a notebook nor a folder" in capsys.readouterr().err
    with pytest.raises(SystemExit):
        main(["grade", str(tmp_path), "--timeout", "-1"])
