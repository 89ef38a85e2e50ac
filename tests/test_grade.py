"""The grader on a simulated class, graded as a teacher would: ``python -m course grade``.

Every student is made at test time from the course's own notebooks: the learner
copy of 00_welcome (its ``doctor`` cell dropped: it starts TensorFlow, which has
nothing to do with grading) with the answers of the solutions copy, changed the
way each kind of student changes it. One run grades the whole class in
sandboxes, two notebooks at a time, and the tests below read its gradebook,
journal and feedback pages, the files around it and the process table.
"""

import csv
import hashlib
import html
import json
import os
import re
import signal
import subprocess
import sys
import time
from pathlib import Path

import nbformat
import pytest

from course.exercises import core
from course.tools.grading import blueprint, sandbox

from .helpers import ROOT

pytestmark = pytest.mark.skipif(
    not sys.platform.startswith("linux") or sandbox.bubblewrap() is None,
    reason="the grading sandbox needs Linux and bubblewrap",
)

TIMEOUT = 25  # seconds per notebook: plenty for these notebooks under a loaded test run; what the endless print costs
SECRET = "TEACHER_TOKEN_d41d8cd98f00b204"  # in the grader's environment; must never come out
MARK = "course-grade-test-daemon"  # in the command line of every process the fork bomb starts


def notebook(name, answered=True, drop_doctor=True):
    """The learner copy of ``name``, its answer cells taken from the solutions copy (same cell ids)."""
    learner = nbformat.read(ROOT / "notebooks" / f"{name}.ipynb", as_version=4)
    if answered:
        solved = {
            c.get("id"): c.source
            for c in nbformat.read(ROOT / "solutions" / f"{name}.ipynb", as_version=4).cells
        }
        for cell in learner.cells:
            if cell.cell_type == "code" and blueprint.checks_in(cell.source):
                cell.source = solved[cell.id]
    if drop_doctor:
        learner.cells = [
            c for c in learner.cells if not (c.cell_type == "code" and "course doctor" in c.source)
        ]
    return learner


def answer_cell(nb, exercise_id):
    """The code cell whose check names ``exercise_id``."""
    return next(
        c for c in nb.cells if c.cell_type == "code" and exercise_id in dict(blueprint.checks_in(c.source))
    )


def after(nb, exercise_id, *sources):
    """Insert new code cells right after the answer cell of ``exercise_id``."""
    index = nb.cells.index(answer_cell(nb, exercise_id)) + 1
    nb.cells[index:index] = [nbformat.v4.new_code_cell(s) for s in sources]
    return nb


STUB_00_1 = 'def celsius_to_fahrenheit(c):\n    raise NotImplementedError\n\n\ncourse.check("00.1", celsius_to_fahrenheit)'
STUB_00_2 = 'squares = ...\ncourse.check("00.2", squares)'
WRONG_00_1 = 'def celsius_to_fahrenheit(c):\n    return c * 5 / 9 + 32\n\n\ncourse.check("00.1", celsius_to_fahrenheit)'

FORGE = """
import json, os
from course.exercises.core import Feedback
from course.exercises.store import record
record(Feedback("00.1", "passed", "forged"))
os.makedirs("work", exist_ok=True)
for name in ("results.jsonl", "work/verdicts.json"):
    with open(name, "w") as out:
        json.dump({"00.1": "passed", "00.2": "passed"}, out)
"""

# The attack families a student can share with a class (each a few lines, no answer known).
# A reply written by hand, without the cases: the probing machinery reached with a built name.
SELF_REPORT = """
import importlib, json
kernel = importlib.import_module("course.tools." + "grading.inkernel")
def forged(request, namespace):
    asked = json.loads(request)
    float_212 = {"ok": {"type": "float", "value": 212.0}}
    return json.dumps({"nonce": asked["nonce"], "exercise": asked["exercise"], "changed": [],
                       "outcomes": [float_212] * 6})
setattr(kernel, "re" + "ply", forged)
"""
# The machinery switched off from inside: the probe's run replaced through sys.modules and getattr.
SWITCH_OFF = """
import sys
machinery = sys.modules["course.tools.grading.inkernel"]
forged = [{"ok": {"type": "float", "value": 212.0}}]
getattr(machinery, "_st" + "art")["run"] = lambda ex, answer, cases: forged * len(cases)
"""
# A judge's reference imported: the judging half is not in the sandbox.
REFERENCE = """
import importlib
judges = importlib.import_module("course.exercises.judging.nb00_welcome")
celsius_to_fahrenheit = judges.JUDGES
"""
# The time limit switched off inside the answer, and the interrupt caught: stopped from outside.
ALARM_OFF = """
import signal, time
def celsius_to_fahrenheit(c):
    signal.signal(signal.SIGALRM, signal.SIG_IGN)
    signal.setitimer(signal.ITIMER_REAL, 0)
    while True:
        try:
            time.sleep(1)
        except BaseException:
            pass
"""
# The kernel ended during a probe: that exercise crashed, the rest is probed on a fresh kernel.
EXIT = """
import os
def celsius_to_fahrenheit(c):
    os._exit(0)
"""

PATCH = """
import course
from course.exercises import core, engine, probing
course.check = lambda *args: print("[passed] every exercise")
engine.evaluate = lambda *args, **kwargs: core.Feedback(args[0], "passed", "forged")
probing.run = lambda ex, answer, cases: [{"ok": 212.0} for _ in cases]
probing.probe = lambda exercise_id, answer, seed: [{"ok": 212.0}]
"""


def snoop(classroom, home):
    return f"""
import os, pathlib
print(sorted(os.environ))
print("token:", os.environ.get("TEACHER_TOKEN"))
import socket
print("network interfaces:", [name for _, name in socket.if_nameindex()])
for place in [{str(classroom)!r}, {str(home)!r}, {str(ROOT)!r}, {str(ROOT / "solutions")!r}, "/tmp"]:
    try:
        print(place, sorted(os.listdir(place))[:20])
    except OSError as error:
        print(place, type(error).__name__)
for target in [{str(classroom / "alice" / "stolen.txt")!r}, {str(home / "stolen.txt")!r},
               {str(ROOT / "course" / "stolen.py")!r}, "/tmp/stolen.txt"]:
    try:
        pathlib.Path(target).write_text("was here")
        print("wrote", target)
    except OSError as error:
        print("could not write", target, type(error).__name__)
"""


FORK_BOMB = f"""
import os, subprocess, sys
sleeper = [sys.executable, "-c", "import time; time.sleep(600)", "{MARK}"]
for _ in range(8):
    subprocess.Popen(sleeper, start_new_session=True)
if os.fork() == 0:
    os.setsid()
    if os.fork() == 0:
        for _ in range(8):
            subprocess.Popen(sleeper)
        os._exit(0)
    os._exit(0)
"""

MEMORY_HOG = "blocks = []\nwhile True:\n    blocks.append(bytearray(100_000_000))"
ENDLESS_PRINT = 'while True:\n    print("spam " * 200)'
BURST = 'for _ in range(4000):\n    print("spam " * 200)'  # 4 MB of text, past the 2 MB cap
HUGE_MESSAGE = 'print("one huge line " * 5_000_000)'


def write(nb, path):
    path.parent.mkdir(parents=True, exist_ok=True)
    if isinstance(nb, str):
        path.write_text(nb, encoding="utf-8")
    else:
        nbformat.write(nb, path)


def old_version():
    """A notebook of an older id scheme holding, under their old ids, answers to exercises renamed since.

    Returns the notebook, its course notebook's name and ``{today's id: old id}``; None when no
    exercise of a course notebook has been renamed.
    """
    notebooks = blueprint.course_notebooks()
    renamed = []
    for scheme in range(1, core.ID_SCHEME):
        for old in sorted(core.RENAMES.get(scheme, {})):
            today = core.current_id(old, scheme)
            name = next((n for n, nb in notebooks.items() if today in {c.exercise for c in nb.checks}), None)
            if today not in (None, old) and name:
                renamed.append((scheme, name, today, old))
    if not renamed:
        return None
    scheme, name = renamed[0][:2]
    ids = {today: old for s, n, today, old in renamed if (s, n) == (scheme, name)}
    ids = dict(list(ids.items())[:2])
    solved = {
        c.get("id"): c.source for c in nbformat.read(ROOT / "solutions" / f"{name}.ipynb", as_version=4).cells
    }
    nb = nbformat.v4.new_notebook(metadata={"course": {"id_scheme": scheme}})
    nb.cells = [nbformat.v4.new_code_cell("import numpy as np\nimport course")]
    for check in notebooks[name].checks:
        if check.exercise in ids:
            source = solved[check.cell_id].replace(
                f'check("{check.exercise}"', f'check("{ids[check.exercise]}"'
            )
            nb.cells.append(nbformat.v4.new_code_cell(source))
    return nb, name, scheme, ids


@pytest.fixture(scope="module")
def classroom(tmp_path_factory):
    root = tmp_path_factory.mktemp("class")
    subs, home = root / "submissions", root / "teacher-home"
    home.mkdir()
    (home / "grades-2025.txt").write_text("private")
    diligent = notebook("00_welcome")
    write(diligent, subs / "diligent" / "00_welcome.ipynb")
    write(diligent, subs / "diligent" / "scratch.ipynb")  # not a notebook of the course
    sloppy = notebook("00_welcome")
    answer_cell(sloppy, "00.1").source = WRONG_00_1
    write(sloppy, subs / "sloppy" / "00_welcome.ipynb")
    half = notebook("00_welcome")
    answer_cell(half, "00.2").source = STUB_00_2
    write(half, subs / "half" / "00_welcome.ipynb")
    write(
        after(notebook("00_welcome"), "00.1", "print(undefined_name)"), subs / "crashing" / "00_welcome.ipynb"
    )
    write(after(notebook("00_welcome", answered=False), "00.2", FORGE), subs / "forger" / "00_welcome.ipynb")
    for student, attack in [("reporter", SELF_REPORT), ("switcher", SWITCH_OFF)]:
        write(after(notebook("00_welcome"), "00.2", attack), subs / student / "00_welcome.ipynb")
    for student, attack in [("sleeper", ALARM_OFF), ("exiter", EXIT)]:
        write(after(notebook("00_welcome"), "00.1", attack), subs / student / "00_welcome.ipynb")
    write(
        after(notebook("00_welcome", answered=False), "00.1", REFERENCE),
        subs / "importer" / "00_welcome.ipynb",
    )
    patcher = notebook("00_welcome")
    answer_cell(patcher, "00.1").source = PATCH + "\n" + WRONG_00_1
    write(patcher, subs / "patcher" / "00_welcome.ipynb")
    editor = notebook("00_welcome")
    answer_cell(editor, "00.1").source = STUB_00_1
    cell = answer_cell(editor, "00.2")
    cell.source = cell.source.replace('check("00.2"', 'check("00.1"') + '\ncourse.check("99.9", squares)'
    write(editor, subs / "editor" / "00_welcome.ipynb")
    write(after(notebook("00_welcome"), "00.1", snoop(subs, home)), subs / "snoop" / "00_welcome.ipynb")
    write(after(notebook("00_welcome"), "00.1", MEMORY_HOG, HUGE_MESSAGE), subs / "hog" / "00_welcome.ipynb")
    write(after(notebook("00_welcome"), "00.1", FORK_BOMB), subs / "bomber" / "00_welcome.ipynb")
    write(
        after(notebook("00_welcome"), "00.2", HUGE_MESSAGE, BURST, ENDLESS_PRINT),
        subs / "printer" / "00_welcome.ipynb",
    )
    old = old_version()
    if old:
        write(old[0], subs / "oldtimer" / f"{old[1]}.ipynb")
    text = nbformat.writes(diligent)
    write(text[: len(text) // 2], subs / "damaged" / "00_welcome.ipynb")
    (subs / "empty").mkdir()
    return root, subs, home, old


def processes_with(mark):
    found = []
    for cmdline in Path("/proc").glob("[0-9]*/cmdline"):
        try:
            if mark.encode() in cmdline.read_bytes():
                found.append(cmdline.parent.name)
        except OSError:
            continue
    return found


def snapshot(folder):
    return {
        p.relative_to(folder): hashlib.sha256(p.read_bytes()).hexdigest() if p.is_file() else "folder"
        for p in sorted(folder.rglob("*"))
    }


@pytest.fixture(scope="module")
def graded(classroom):
    root, subs, home, _ = classroom
    before = snapshot(subs), snapshot(home)
    out, feedback = root / "out" / "gradebook.csv", root / "feedback"
    env = {**os.environ, "TEACHER_TOKEN": SECRET, "HOME": str(home)}
    command = [sys.executable, "-m", "course", "grade", *sorted(str(p) for p in subs.iterdir())]
    command += ["--csv", str(out), "--feedback", str(feedback), "--jobs", "2", "--timeout", str(TIMEOUT)]
    command += ["--memory", "2"]
    start = time.monotonic()
    done = subprocess.run(command, capture_output=True, text=True, env=env, cwd=root, timeout=600)
    seconds = time.monotonic() - start
    time.sleep(1)  # let the last sandbox's processes be reaped
    survivors = processes_with(MARK)
    with open(out, newline="", encoding="utf-8") as file:
        rows = {(r["student"], r["notebook"]): r for r in csv.DictReader(file)}
    with open(out.with_name("gradebook-points.csv"), newline="", encoding="utf-8") as file:
        points = {r["student"]: r for r in csv.DictReader(file)}
    journal = [json.loads(line) for line in out.with_name("gradebook.journal.jsonl").read_text().splitlines()]
    return {
        "done": done,
        "rows": rows,
        "points": points,
        "journal": {(r["student"], r["notebook"]): r for r in journal},
        "feedback": feedback,
        "survivors": survivors,
        "unchanged": (snapshot(subs), snapshot(home)) == before,
        "seconds": seconds,
        "out": out,
    }


def statuses(graded, student, notebook="00_welcome"):
    row = graded["rows"][(student, notebook)]
    return {k: row[k] for k in row if re.fullmatch(r"\d\d\.\d+", k) and row[k]}


def test_the_run_finishes_and_prints_the_gradebook(graded):
    done = graded["done"]
    assert done.returncode == 0, done.stderr[-3000:]
    assert "total" in done.stdout and "gradebook:" in done.stdout
    print(f"class graded in {graded['seconds']:.0f} s")


def test_honest_students_get_the_grade_they_earned(graded):
    assert statuses(graded, "diligent") == {"00.1": "passed", "00.2": "passed"}
    assert statuses(graded, "sloppy") == {"00.1": "failed", "00.2": "passed"}
    assert statuses(graded, "half") == {"00.1": "passed", "00.2": "not attempted"}
    assert graded["rows"][("diligent", "00_welcome")]["run"] == "completed"
    assert graded["points"]["diligent"]["00_welcome"] == "2"
    assert graded["points"]["diligent"]["total"] == "2" and graded["points"]["sloppy"]["total"] == "1"


def test_a_crash_midway_costs_only_what_depends_on_it(graded):
    assert statuses(graded, "crashing") == {"00.1": "passed", "00.2": "passed"}
    assert "NameError in cell" in graded["rows"][("crashing", "00_welcome")]["run"]


def test_forged_results_count_for_nothing_and_are_reported(graded):
    assert statuses(graded, "forger") == {"00.1": "not attempted", "00.2": "not attempted"}
    review = graded["rows"][("forger", "00_welcome")]["review"]
    assert "the checking machinery" in review


def test_a_forged_reply_without_the_cases_fails_and_is_reported(graded):
    assert statuses(graded, "reporter") == {"00.1": "failed", "00.2": "failed"}
    review = graded["rows"][("reporter", "00_welcome")]["review"]
    assert "importlib" in review or "checking machinery" in review, review


def test_the_probing_machinery_switched_off_from_inside_fails_and_is_reported(graded):
    assert statuses(graded, "switcher") == {"00.1": "failed", "00.2": "failed"}
    assert "sys.modules" in graded["rows"][("switcher", "00_welcome")]["review"]


def test_a_judges_reference_cannot_be_imported_in_the_sandbox(graded):
    assert statuses(graded, "importer") == {"00.1": "not attempted", "00.2": "not attempted"}
    assert "ModuleNotFoundError in cell" in graded["rows"][("importer", "00_welcome")]["run"]


def test_a_probe_that_ignores_its_alarm_is_stopped_from_outside(graded):
    assert statuses(graded, "sleeper") == {"00.1": "failed", "00.2": "passed"}
    row = graded["rows"][("sleeper", "00_welcome")]
    assert "exercise 00.1: time limit" in row["review"], row["review"]


def test_a_kernel_that_exits_during_a_probe_costs_that_exercise_only(graded):
    assert statuses(graded, "exiter") == {"00.1": "failed", "00.2": "passed"}
    assert "exercise 00.1: crashed" in graded["rows"][("exiter", "00_welcome")]["review"]


def test_a_patched_checker_is_graded_on_the_judges_verdict_and_reported(graded):
    assert statuses(graded, "patcher") == {"00.1": "failed", "00.2": "passed"}
    review = graded["rows"][("patcher", "00_welcome")]["review"]
    assert "replaces course.check" in review and "replaces probing.run" in review
    assert "replaced during the run: course.exercises.probing.run" in review


def test_edited_check_ids_are_restored_and_invented_ones_ignored(graded):
    assert statuses(graded, "editor") == {"00.1": "not attempted", "00.2": "passed"}
    assert "99.9" not in graded["rows"][("editor", "00_welcome")]
    assert graded["rows"][("editor", "00_welcome")]["exercises"] == "2"


def test_a_snoop_sees_and_writes_nothing_of_the_teachers_or_the_classmates(graded):
    assert graded["unchanged"], "a sandbox wrote into the submissions or the teacher's home"
    assert not (ROOT / "course" / "stolen.py").exists()
    page = (graded["feedback"] / "snoop" / "00_welcome.html").read_text()
    assert SECRET not in page and "token: None" in page
    assert "network interfaces: ['lo']" in html.unescape(page)  # no network but its own loopback
    assert "grades-2025" not in page and "diligent" not in page
    assert re.search(rf"{ROOT / 'solutions'} (\[\]|FileNotFoundError)", page)  # hidden
    assert "could not write" in page and "wrote /tmp/stolen.txt" in page  # its own /tmp only
    assert statuses(graded, "snoop") == {"00.1": "passed", "00.2": "passed"}
    for path in [graded["out"], *graded["out"].parent.iterdir(), *graded["feedback"].rglob("*.html")]:
        if path.is_file():
            assert SECRET not in path.read_text(errors="replace"), path


def test_limits_stop_a_memory_hog_a_fork_bomb_and_an_endless_print(graded):
    assert statuses(graded, "hog") == {"00.1": "passed", "00.2": "passed"}
    assert graded["journal"][("hog", "00_welcome")]["grader_mb"] < 1000  # a 70 MB message was refused
    assert "MemoryError in cell" in graded["rows"][("hog", "00_welcome")]["run"]
    assert statuses(graded, "bomber") == {"00.1": "passed", "00.2": "passed"}
    assert graded["survivors"] == [], "processes of a submission outlived its notebook"
    printer = graded["rows"][("printer", "00_welcome")]
    assert statuses(graded, "printer") == {"00.1": "passed", "00.2": "passed"}
    # The endless print is stopped at the notebook's time limit; what reached the grader is capped
    # (or, for one burst over the socket's message limit, lost and reconnected), the grader stays small.
    assert printer["run"].startswith(f"timed out after {TIMEOUT} s in cell"), printer["run"]
    assert "output past 2000000 bytes of text" in printer["run"], printer["run"]
    assert "output lost in cell" in printer["run"], printer["run"]  # a 70 MB message, refused
    assert (graded["feedback"] / "printer" / "00_welcome.html").stat().st_size < 5_000_000
    assert graded["journal"][("printer", "00_welcome")]["grader_mb"] < 1000


def test_an_old_version_is_graded_through_the_renames(classroom, graded):
    old = classroom[3]
    if old is None:
        pytest.skip("no exercise has been renamed since an older id scheme")
    _, name, scheme, ids = old
    assert statuses(graded, "oldtimer", name) == dict.fromkeys(ids, "passed"), ids
    assert f"id scheme {scheme}" in graded["rows"][("oldtimer", name)]["review"]


def test_bad_files_and_folders_are_reported_and_the_run_goes_on(graded):
    damaged = graded["rows"][("damaged", "00_welcome")]
    assert damaged["run"] == "not a notebook (NotJSONError)" and damaged["passed"] == "0"
    assert any(s == "empty" and "no notebook" in r["run"] for (s, _), r in graded["rows"].items())
    assert graded["rows"][("diligent", "scratch")]["run"].startswith("not graded")


def test_feedback_shows_verdicts_never_the_grader_cells_or_seeds(graded):
    page = (graded["feedback"] / "sloppy" / "00_welcome.html").read_text()
    assert "Not yet" in page and "Passed" in page and "Hint:" in page
    assert "inkernel" not in page
    for seed in re.findall(r"\d{6,}", json.dumps(graded["journal"][("sloppy", "00_welcome")])):
        assert seed not in page


def test_interrupted_runs_keep_what_is_done_and_resume(classroom, tmp_path):
    _, subs, _, _ = classroom
    students = [str(subs / s) for s in ("sloppy", "half")]
    out = tmp_path / "book.csv"
    command = [sys.executable, "-m", "course", "grade", *students, "--csv", str(out), "--jobs", "1"]
    command += ["--timeout", str(TIMEOUT)]
    grader = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    journal = out.with_name("book.journal.jsonl")
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline and not (journal.exists() and journal.read_text().strip()):
        time.sleep(0.5)
    grader.send_signal(signal.SIGTERM)
    _, stderr = grader.communicate(timeout=60)
    assert grader.returncode == 130 and "--resume" in stderr
    kept = journal.read_text().splitlines()
    assert len(kept) == 1
    deadline = time.monotonic() + 10
    while processes_with("course-grade-") and time.monotonic() < deadline:
        time.sleep(0.5)
    left = {pid: Path(f"/proc/{pid}/cmdline").read_bytes()[:300] for pid in processes_with("course-grade-")}
    assert left == {}  # no sandbox of the stopped run is left

    done = subprocess.run([*command, "--resume"], capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr
    assert f"{len(kept)} notebooks already graded" in done.stdout
    with open(out, newline="", encoding="utf-8") as file:
        assert sorted(r["student"] for r in csv.DictReader(file)) == ["half", "sloppy"]


def test_without_a_sandbox_only_when_asked_and_then_marked(classroom, tmp_path):
    _, subs, _, _ = classroom
    out = tmp_path / "unboxed.csv"
    command = [sys.executable, "-m", "course", "grade", str(subs / "half"), "--csv", str(out), "--no-sandbox"]
    done = subprocess.run([*command, "--timeout", str(TIMEOUT)], capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr
    assert "WARNING" in done.stderr and "WARNING: graded without a sandbox" in done.stdout
    with open(out, newline="", encoding="utf-8") as file:
        (row,) = csv.DictReader(file)
    assert row["sandbox"] == "NONE (--no-sandbox)" and (row["00.1"], row["00.2"]) == (
        "passed",
        "not attempted",
    )
