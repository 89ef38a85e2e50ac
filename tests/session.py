"""What the whole test session must hold, beyond each test: a pytest plugin (loaded by the root conftest).

* **Order.** With ``--dist loadfile`` each test file and each notebook runs whole on one
  worker. :data:`LONGEST_FIRST` starts the longest ones first, so that the two workers
  finish together instead of one of them running the browser test alone at the end.
* **No silent skip in CI.** With ``CI`` set (``CI=true``), a skipped test fails the run
  unless it is listed, with its reason, in ``tests/allowed_skips.toml``.
* **Notebook verdicts.** Every ``course.check`` in an executed notebook keeps its verdict in
  the progress file of the notebook's work folder (``solutions/work/progress.json``): each
  notebook that ran to its last cell must have left a verdict of this run for each of its
  checks, and each must be what its folder expects (:data:`EXPECTED_STATUS`).
* **The tree is left as found** (``git status``): notebooks write only under ``work/``.
* **Time.** The run ends with the test files and notebooks that took longest and the
  whole run's time against :data:`BUDGET_SECONDS` (pyproject's addopts also print the slowest
  tests).
"""

import json
import os
import subprocess
import time
from collections import defaultdict
from pathlib import Path

import nbformat
import pytest

try:
    import tomllib
except ImportError:  # Python 3.10: the dev extra installs tomli, the same parser
    import tomli as tomllib

# The budget for the whole suite, on 2 cores from a fresh clone (README, "The test budget").
BUDGET_SECONDS = 600
# Test files and notebooks, longest first (seconds on 2 cores, from `pytest --durations=0`; the
# per-file table at the end of each run says when this needs another look). The rest follow in
# the order pytest collects them.
LONGEST_FIRST = (
    "tests/test_browser.py",  # every learner notebook in JupyterLab: about 200 s by itself
    "tests/test_answer_tables.py",  # every exercise's mistakes and correct answers: about 240 s
    "solutions/07_cnn_flowers.ipynb",
    "tests/test_grade.py",
    "solutions/06_keras.ipynb",
    "tests/test_runtime.py",
    "tests/test_exercises_08.py",
    "tests/test_exercises.py",
    "tests/test_fuzz_api.py",
    "solutions/08_saving_loading.ipynb",
    "tests/test_flowers.py",
    "tests/test_datasets.py",
    "tests/test_exercises_07.py",
    "solutions/05_modules_and_graphs.ipynb",
    "solutions/02_tensor_ops.ipynb",
    "tests/test_packaging.py",
)
ALLOWED_SKIPS_FILE = Path("tests") / "allowed_skips.toml"  # relative to the rootdir
ALLOWED_SKIPS = pytest.StashKey[dict]()  # the allow-list, read once per process
# What each notebook folder's checks must report: solutions pass, learner copies are untouched.
EXPECTED_STATUS = {"solutions": "passed", "notebooks": "not attempted"}


def in_ci():
    return os.environ.get("CI", "").strip().lower() in {"1", "true", "yes", "on"}


def file_of(nodeid):
    return nodeid.split("::")[0]


# --- order ------------------------------------------------------------------------------------------


def pytest_collection_modifyitems(items):
    """Files in LONGEST_FIRST first, in that order; each file's tests keep their own order."""
    rank = {name: position for position, name in enumerate(LONGEST_FIRST)}
    first_seen = {}
    for index, item in enumerate(items):
        first_seen.setdefault(file_of(item.nodeid), index)

    def key(item):
        name = file_of(item.nodeid)
        return (rank.get(name, len(rank)), first_seen[name])

    items.sort(key=key)  # stable: the tests of one file stay in order


# --- skips in CI ------------------------------------------------------------------------------------


def allowed_skips(rootdir):
    """``{node id: reason}`` from the allow-list; a ValueError names an entry without a reason."""
    path = Path(rootdir) / ALLOWED_SKIPS_FILE
    if not path.is_file():
        return {}
    entries = tomllib.loads(path.read_text(encoding="utf-8")).get("skip", [])
    allowed = {}
    for entry in entries:
        if not str(entry.get("test", "")).strip() or not str(entry.get("reason", "")).strip():
            raise ValueError(f"{path}: every [[skip]] needs a test and a reason, got {entry!r}")
        allowed[entry["test"]] = entry["reason"]
    return allowed


def skip_reason(report):
    longrepr = report.longrepr
    if isinstance(longrepr, tuple) and len(longrepr) == 3:
        return str(longrepr[2]).removeprefix("Skipped: ")
    return str(longrepr)


def refuse_skip(report, config):
    """Turn a skip that the allow-list does not name into a failure (only in CI)."""
    if not (report.skipped and in_ci()) or hasattr(report, "wasxfail"):
        return
    if report.nodeid in config.stash[ALLOWED_SKIPS]:
        return
    report.outcome = "failed"
    report.longrepr = (
        f"{report.nodeid} was skipped ({skip_reason(report)}). In CI (CI={os.environ.get('CI')}) a test "
        f"may only be skipped when {ALLOWED_SKIPS_FILE} lists it with its reason: make it run here, or "
        "list it there if it can only run elsewhere."
    )


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(item, call):
    report = yield
    refuse_skip(report, item.config)
    return report


@pytest.hookimpl(wrapper=True)
def pytest_make_collect_report(collector):
    report = yield
    refuse_skip(report, collector.config)
    return report


# --- what the notebooks' checks reported -------------------------------------------------------------


def check_ids(path):
    """The exercise ids of the ``course.check`` calls in a notebook's code cells."""
    from course.tools.grading.blueprint import checks_in

    cells = nbformat.read(path, as_version=4).cells
    return {
        exercise_id for cell in cells if cell.cell_type == "code" for exercise_id, _ in checks_in(cell.source)
    }


def code_cell_count(path):
    return sum(cell.cell_type == "code" for cell in nbformat.read(path, as_version=4).cells)


def progress_file(rootdir, folder):
    """The progress file the notebooks of ``folder`` write (their work folder's, as a learner's)."""
    workdir = os.environ.get("COURSE_WORKDIR")
    return (Path(workdir) if workdir else Path(rootdir) / folder / "work") / "progress.json"


def wrong_verdicts(rootdir, finished, since):
    """Sentences for each check verdict that is not what its folder expects, or that is missing.

    ``finished``: the notebooks (paths relative to ``rootdir``) whose every cell passed;
    ``since``: the time the run started (older verdicts in a progress file are not this run's).
    """
    rootdir = Path(rootdir)
    seen = defaultdict(dict)  # folder name -> {exercise id: entry}
    for folder in EXPECTED_STATUS:
        path = progress_file(rootdir, folder)
        stored = json.loads(path.read_text(encoding="utf-8")) if path.is_file() else {}
        for exercise_id, entry in stored.items():
            if ".q" not in exercise_id and isinstance(entry, dict) and entry.get("time", 0) >= since:
                seen[folder][exercise_id] = entry
    wrong = []
    for folder, verdicts in seen.items():
        for exercise_id, entry in sorted(verdicts.items()):
            if entry["status"] != EXPECTED_STATUS[folder]:
                wrong.append(
                    f"{folder}: exercise {exercise_id} is {entry['status']!r}, expected "
                    f"{EXPECTED_STATUS[folder]!r}: {entry['message']}"
                )
    for notebook in sorted(finished):
        folder = Path(notebook).parent.name
        for exercise_id in sorted(check_ids(rootdir / notebook) - set(seen[folder])):
            wrong.append(f"{notebook} ran to its end, but its check of {exercise_id} left no verdict")
    return wrong


class NotebookCells:
    """Counts the passed cells of each notebook (reports reach the controller under xdist too)."""

    def __init__(self, rootdir):
        self.rootdir = Path(rootdir)
        self.passed = defaultdict(int)

    def add(self, report):
        name = file_of(report.nodeid)
        if report.when == "call" and report.passed and name.endswith(".ipynb"):
            self.passed[name] += 1

    def finished(self):
        return [
            name
            for name, count in self.passed.items()
            if Path(name).parent.name in EXPECTED_STATUS and count == code_cell_count(self.rootdir / name)
        ]


# --- the working tree ----------------------------------------------------------------------------


def git_status(rootdir):
    try:
        done = subprocess.run(
            ["git", "status", "--porcelain"], cwd=rootdir, capture_output=True, text=True, timeout=30
        )
    except (OSError, subprocess.TimeoutExpired):
        return None
    return done.stdout if done.returncode == 0 else None


# --- the session -------------------------------------------------------------------------------------


def pytest_configure(config):
    config.stash[ALLOWED_SKIPS] = allowed_skips(config.rootpath)  # a malformed list stops the run here
    if not hasattr(config, "workerinput"):  # pytest-xdist workers only run tests: the controller checks
        config.pluginmanager.register(Session(config), "course-session")


class Session:
    """The controller's view of the run: every report reaches it, under pytest-xdist too."""

    def __init__(self, config):
        self.rootdir = config.rootpath
        self.started = time.monotonic()
        self.started_at = time.time()
        self.status_before = git_status(self.rootdir)
        self.cells = NotebookCells(self.rootdir)
        self.seconds = defaultdict(float)  # test file or notebook -> seconds

    def pytest_runtest_logreport(self, report):
        self.cells.add(report)
        self.seconds[file_of(report.nodeid)] += report.duration

    def pytest_sessionfinish(self, session):
        wrong = wrong_verdicts(self.rootdir, self.cells.finished(), self.started_at)
        if wrong:
            print("\nNotebook checks with the wrong verdict:\n" + "\n".join(wrong))
            session.exitstatus = 1
        after = git_status(self.rootdir)
        if self.status_before is not None and after is not None and after != self.status_before:
            new = sorted(set(after.splitlines()) - set(self.status_before.splitlines()))
            print(
                "\nThe test run changed the working tree (git status --porcelain):\n"
                + "\n".join(new or after.splitlines())
            )
            session.exitstatus = 1

    def pytest_terminal_summary(self, terminalreporter):
        if not self.seconds:
            return
        terminalreporter.section("time per test file and notebook (the 10 longest)")
        for name, total in sorted(self.seconds.items(), key=lambda item: -item[1])[:10]:
            terminalreporter.write_line(f"{total:7.1f} s  {name}")
        elapsed = time.monotonic() - self.started
        terminalreporter.write_line(
            f"whole run {elapsed:.0f} s: {elapsed / BUDGET_SECONDS:.0%} of the budget, "
            f"{BUDGET_SECONDS} s on 2 cores (README: The test budget)"
        )
