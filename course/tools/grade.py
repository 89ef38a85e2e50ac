"""``python -m course grade``: run learner notebooks and write a gradebook.

Give it notebooks, or folders (one per student, holding that student's
notebooks)::

    python -m course grade submissions/*/ --csv gradebook.csv --timeout 600

Each notebook runs top to bottom in a fresh kernel, in a temporary folder, with
a time limit for the whole notebook. Every ``course.check`` in the kernel
appends its verdict to a results file of that run (``COURSE_RESULTS_FILE``),
and ``COURSE_STRICT=0`` keeps a wrong answer from stopping the run. The
exercises a notebook holds are found by reading its code for ``check("NN.k"``,
so a check the run never reached counts as *not attempted*.

A notebook that raises, runs out of time or is not a notebook at all is graded
as far as it got, and its row says why it stopped (cells are counted from 1,
text cells included). Notebooks run in FAST mode unless ``COURSE_FAST`` says
otherwise: the same code and the same checks on less data. The submitted files are
only read, never written: the kernel works on a copy in memory and writes its
files under the temporary folder.
"""

import csv
import json
import math
import os
import re
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

from ..exercises.framework import FAILED, NOT_ATTEMPTED, PASSED, RESULTS_FILE_VARIABLE
from . import command_line

EXERCISE_ID = re.compile(r"\d+\.\d+")  # "00.1"; quizzes ("00.q1") are practice, not graded
CHECK_CALL = re.compile(r"""\bcheck\(\s*["'](\d+\.\d+)["']""")
SYMBOLS = {PASSED: "passed", FAILED: "failed", NOT_ATTEMPTED: "-"}
COMPLETED = "completed"


@dataclass(frozen=True)
class Submission:
    """One notebook handed in by one student."""

    student: str
    path: Path

    @property
    def notebook(self):
        return self.path.stem


@dataclass
class Grade:
    """What the run of one submission gave: a status per exercise and how the run ended."""

    submission: Submission
    statuses: dict = field(default_factory=dict)
    outcome: str = COMPLETED
    seconds: float = 0.0

    def count(self, status):
        return sum(1 for s in self.statuses.values() if s == status)


# ---------------------------------------------------------------------------
# Finding the submissions and the exercises in them
# ---------------------------------------------------------------------------


def find_submissions(paths):
    """Expand files and student folders into :class:`Submission` objects.

    A folder is one student (named after the folder) and every ``.ipynb`` under
    it is one of their notebooks; a file is graded alone, and its student is
    the folder it lies in.
    """
    if isinstance(paths, (str, Path)) or not paths:
        raise ValueError(f"give a list of notebooks or student folders, got {paths!r}")
    submissions = []
    for raw in paths:
        path = Path(raw)
        if path.is_dir():
            notebooks = sorted(p for p in path.rglob("*.ipynb") if ".ipynb_checkpoints" not in p.parts)
            if not notebooks:
                raise FileNotFoundError(f"the folder {path} holds no .ipynb notebook")
            student = path.resolve().name
            submissions += [Submission(student, nb) for nb in notebooks]
        elif path.is_file():
            submissions.append(Submission(path.resolve().parent.name, path))
        else:
            raise FileNotFoundError(f"{path} is neither a notebook nor a folder")
    return submissions


def exercise_ids(notebook):
    """The exercise ids a notebook checks, in order of appearance: ``["00.1", "00.2"]``."""
    ids = []
    for cell in notebook.cells:
        if cell.cell_type == "code":
            ids += [i for i in CHECK_CALL.findall(cell.source) if i not in ids]
    return ids


def read_results(path):
    """The latest status per exercise from a results file (one JSON object a line)."""
    statuses = {}
    if not path.exists():
        return statuses
    for line in path.read_text(encoding="utf-8").splitlines():
        try:
            entry = json.loads(line)
            exercise, status = entry["exercise"], entry["status"]
        except (ValueError, KeyError, TypeError):
            continue  # a line cut short when the kernel was stopped
        if EXERCISE_ID.fullmatch(str(exercise)) and status in SYMBOLS:
            statuses[exercise] = status
    return statuses


# ---------------------------------------------------------------------------
# Running one notebook
# ---------------------------------------------------------------------------


def this_python_kernel(folder):
    """A kernel manager for an ipykernel on this very Python, talking over local sockets.

    Grading must use the course's environment, not whatever kernel named
    ``python3`` happens to be installed for the user. IPC sockets (files in
    ``folder``) keep the kernel's traffic off the network; Windows, which has
    none, gets local TCP.
    """
    import ipykernel.kernelspec
    from jupyter_client import AsyncKernelManager
    from jupyter_client.kernelspec import KernelSpecManager

    class ThisPython(KernelSpecManager):
        def get_kernel_spec(self, kernel_name):
            return self.kernel_spec_class(
                resource_dir=ipykernel.kernelspec.RESOURCES, **ipykernel.kernelspec.get_kernel_dict()
            )

    if os.name != "posix":
        return AsyncKernelManager(kernel_spec_manager=ThisPython())
    return AsyncKernelManager(kernel_spec_manager=ThisPython(), transport="ipc", ip=str(folder / "kernel"))


def kernel_environment(folder, results_file):
    """This process's environment plus the grading settings for the kernel.

    Notebooks run in FAST mode (less data, fewer epochs: the same code and the
    same checks) unless ``COURSE_FAST`` is set, e.g. ``COURSE_FAST=0`` for full mode.
    """
    env = dict(os.environ)
    env.setdefault("COURSE_FAST", "1")
    env.update(
        {
            RESULTS_FILE_VARIABLE: str(results_file),
            "COURSE_STRICT": "0",
            "COURSE_WORKDIR": str(folder / "work"),
            "MPLBACKEND": "Agg",
        }
    )
    return env


def execute(notebook, folder, results_file, timeout):
    """Run every cell of ``notebook`` in a fresh kernel in ``folder``; return how it ended.

    ``timeout`` (seconds) bounds the whole notebook, counted from the moment
    the kernel is ready; the cell that is running when it expires is stopped.
    """
    from nbclient import NotebookClient
    from nbclient.exceptions import CellExecutionError, CellTimeoutError, DeadKernelError

    deadline = None

    def seconds_left(cell):
        return max(1, math.ceil(deadline - time.monotonic()))

    client = NotebookClient(
        notebook,
        km=this_python_kernel(folder),
        timeout_func=seconds_left,
        startup_timeout=120,
        shutdown_kernel="immediate",
    )
    index = None
    try:
        # cleanup_kc: shut the kernel down afterwards even though we made its manager
        with client.setup_kernel(
            cwd=str(folder), env=kernel_environment(folder, results_file), cleanup_kc=True
        ):
            deadline = time.monotonic() + timeout
            for index, cell in enumerate(notebook.cells):
                client.execute_cell(cell, index)
    except CellTimeoutError:
        return f"timed out after {timeout:g} s in cell {index + 1}"
    except CellExecutionError as error:
        return f"{error.ename} in cell {index + 1}"
    except DeadKernelError:
        return f"kernel died in cell {index + 1}"
    except RuntimeError as error:  # the kernel did not start
        return f"kernel failed to start ({error})"
    return COMPLETED


def grade(submission, timeout):
    """Run one submission and return its :class:`Grade`; never raises for a bad notebook."""
    import nbformat

    if isinstance(timeout, bool) or not isinstance(timeout, (int, float)) or not 0 < timeout < math.inf:
        raise ValueError(f"timeout must be a finite, positive number of seconds, got {timeout!r}")
    result, start = Grade(submission), time.monotonic()
    try:
        notebook = nbformat.reads(submission.path.read_bytes().decode("utf-8"), as_version=4)
    except Exception as error:  # not UTF-8, not JSON, not a notebook
        result.outcome = f"not a notebook ({type(error).__name__})"
        return result
    with tempfile.TemporaryDirectory(prefix="course-grade-") as tmp:
        folder = Path(tmp)
        result.outcome = execute(notebook, folder, folder / "results.jsonl", timeout)
        recorded = read_results(folder / "results.jsonl")
    result.statuses = {i: NOT_ATTEMPTED for i in exercise_ids(notebook)} | recorded
    result.seconds = time.monotonic() - start
    return result


def align_exercises(grades):
    """Every copy of a notebook is graded on every exercise any copy of it holds.

    A student who deleted a ``check`` line, or whose file could not be read,
    gets "not attempted" for the exercises missing from their copy.
    """
    posed = {}
    for g in grades:
        posed.setdefault(g.submission.notebook, {}).update(dict.fromkeys(g.statuses, NOT_ATTEMPTED))
    for g in grades:
        g.statuses = {**posed[g.submission.notebook], **g.statuses}


# ---------------------------------------------------------------------------
# The gradebook: a table on screen, a CSV file
# ---------------------------------------------------------------------------


def all_exercises(grades):
    return sorted({i for g in grades for i in g.statuses}, key=lambda i: tuple(int(n) for n in i.split(".")))


def score(g):
    return f"{g.count(PASSED)}/{len(g.statuses)}"


def table(grades):
    """The gradebook as aligned text: a row per submission, a column per exercise, totals."""
    exercises = all_exercises(grades)
    header = ["student", "notebook", *exercises, "score", "time", "run"]
    rows = [
        [g.submission.student, g.submission.notebook]
        + [SYMBOLS[g.statuses[i]] if i in g.statuses else "" for i in exercises]
        + [score(g), f"{g.seconds:.1f} s", g.outcome]
        for g in grades
    ]
    passed = [sum(g.statuses.get(i) == PASSED for g in grades) for i in exercises]
    posed = [sum(i in g.statuses for g in grades) for i in exercises]
    total = sum(g.count(PASSED) for g in grades), sum(len(g.statuses) for g in grades)
    rows.append(
        ["total", ""] + [f"{p}/{n}" for p, n in zip(passed, posed)] + [f"{total[0]}/{total[1]}", "", ""]
    )
    widths = [max(len(str(row[c])) for row in [header, *rows]) for c in range(len(header))]
    lines = [
        "  ".join(str(cell).ljust(w) for cell, w in zip(row, widths)).rstrip() for row in [header, *rows]
    ]
    lines.insert(1, "  ".join("-" * w for w in widths))
    lines.append(f"(passed: correct; failed: checked and wrong; -: {NOT_ATTEMPTED} or never reached)")
    return "\n".join(lines)


def write_csv(grades, path):
    """One row per submission: a status word per exercise, the counts and how the run ended."""
    exercises = all_exercises(grades)
    with open(path, "w", newline="", encoding="utf-8") as out:
        writer = csv.writer(out)
        writer.writerow(
            [
                "student",
                "notebook",
                *exercises,
                "passed",
                "failed",
                "not_attempted",
                "exercises",
                "seconds",
                "run",
            ]
        )
        for g in grades:
            writer.writerow(
                [g.submission.student, g.submission.notebook]
                + [g.statuses.get(i, "") for i in exercises]
                + [
                    g.count(PASSED),
                    g.count(FAILED),
                    g.count(NOT_ATTEMPTED),
                    len(g.statuses),
                    f"{g.seconds:.1f}",
                    g.outcome,
                ]
            )


def cli(argv):
    argv = command_line(argv)
    import argparse

    parser = argparse.ArgumentParser(
        prog="python -m course grade",
        description="Run learner notebooks in fresh kernels and print a gradebook.",
    )
    parser.add_argument(
        "paths", nargs="+", metavar="PATH", help="a notebook, or a folder of one student's notebooks"
    )
    parser.add_argument("--csv", metavar="FILE", help="also write the gradebook to this CSV file")
    parser.add_argument(
        "--timeout", type=float, default=600, metavar="SECONDS", help="time limit per notebook (default 600)"
    )
    args = parser.parse_args(argv)
    if not 0 < args.timeout < math.inf:
        parser.error(f"--timeout must be a finite, positive number of seconds, got {args.timeout:g}")
    try:
        submissions = find_submissions(args.paths)
    except FileNotFoundError as error:
        print(f"error: {error}", file=sys.stderr)
        return 2
    grades = []
    for number, submission in enumerate(submissions, 1):
        print(f"[{number}/{len(submissions)}] {submission.student}: {submission.path}", flush=True)
        grades.append(grade(submission, args.timeout))
    align_exercises(grades)
    print()
    print(table(grades))
    if args.csv:
        write_csv(grades, args.csv)
        print(f"gradebook written to {args.csv}")
    return 0
