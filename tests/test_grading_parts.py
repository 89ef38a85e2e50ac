"""The grader's parts: restoring checks, the review, judging replies, the sandbox's view, shards, merging."""

import base64
import csv
import io
import json
import os
import pkgutil
import secrets
import subprocess
import sys
from pathlib import Path

import nbformat
import numpy as np
import pytest
from PIL import Image

from course.__main__ import main
from course.exercises import core, plain, probing, registry
from course.tools.grading import blueprint, cli, feedback, gradebook, inkernel, judging, review, sandbox

from .helpers import ROOT


@pytest.fixture(scope="module")
def welcome():
    return blueprint.course_notebooks()["00_welcome"]


def learner(name="00_welcome"):
    return nbformat.read(ROOT / "notebooks" / f"{name}.ipynb", as_version=4)


def test_the_exercises_come_from_the_course_notebooks(welcome):
    assert [c.exercise for c in welcome.checks] == ["00.1", "00.2"]
    assert [c.answer for c in welcome.checks] == ["celsius_to_fahrenheit", "squares"]


def test_edited_deleted_and_invented_checks_are_restored(welcome):
    nb = learner()
    first = next(c for c in nb.cells if "def celsius" in c.source)
    second = next(c for c in nb.cells if "squares = ..." in c.source)
    first.source = "def celsius_to_fahrenheit(c):\n    return c\n"  # check line deleted
    second.source = 'squares = [1]\ncourse.check("00.1", squares)\ncourse.check("99.9", squares)'
    nb.cells[0].metadata[blueprint.GRADER_CELL] = "00.1"  # posing as the grader
    plan = blueprint.restore(welcome, nb, lambda: secrets.randbits(32))
    assert plan.exercises == ["00.1", "00.2"] and set(plan.seeds) == {"00.1", "00.2"}
    assert plan.names == {"00.1": "celsius_to_fahrenheit", "00.2": "squares"}
    cells = {e: plan.notebook.cells[plan.cell_numbers.index(n)].source for e, n in plan.answers.items()}
    assert cells["00.1"].startswith("def celsius") and cells["00.2"] == "squares = [1]\n"
    roles = [c.metadata.get(blueprint.GRADER_CELL) for c in plan.notebook.cells]
    assert roles == ["start"] + [None] * len(nb.cells)  # one cell of the grader's, first; no check cells
    text = json.dumps(plan.notebook)
    for seed in plan.seeds.values():  # the seeds never reach the kernel with the cells
        assert str(seed) not in text


def test_a_deleted_answer_cell_is_still_probed(welcome):
    nb = learner()
    nb.cells = [c for c in nb.cells if "squares" not in c.source]
    plan = blueprint.restore(welcome, nb, lambda: 7)
    assert plan.exercises == ["00.1", "00.2"] and plan.names["00.2"] == "squares"
    assert "00.2" not in plan.answers


def test_an_older_scheme_is_graded_on_its_own_checks_under_todays_ids(welcome):
    nb = learner()
    nb.metadata["course"] = {"id_scheme": 1}
    nb.cells = [c for c in nb.cells if "squares" not in c.source]
    plan = blueprint.restore(welcome, nb, lambda: 7)
    assert plan.exercises == ["00.1"]
    assert any("id scheme 1" in note for note in plan.notes)


def test_a_notebook_without_a_scheme_is_read_as_todays_only_when_its_checks_are_todays():
    course_nb = blueprint.course_notebooks()["07_cnn_flowers"]
    solved = nbformat.read(ROOT / "solutions" / "07_cnn_flowers.ipynb", as_version=4)
    assert "course" not in solved.metadata  # solutions/ carries no id scheme
    plan = blueprint.restore(course_nb, solved, lambda: 7)
    assert plan.exercises == [c.exercise for c in course_nb.checks] and len(plan.exercises) == 9
    assert set(plan.answers) == set(plan.exercises)
    assert plan.notes == ["no id scheme in its metadata: its checks are today's, read as today's"]

    cell = next(c for c in solved.cells if 'check("07.4"' in c.source)
    cell.source = cell.source.replace('check("07.4"', 'check("07.2"')  # 07.2 was 07.4's id in scheme 1
    plan = blueprint.restore(course_nb, solved, lambda: 7)
    assert "no id scheme in its metadata: read as scheme 1" in plan.notes


@pytest.mark.parametrize(
    "source, answer_cell, expected",
    [
        ("def f(x):\n    return x * 2\n", True, []),
        ("course.check = lambda *a: None", False, ["replaces course.check"]),
        ("import sys\nsys.modules['course'] = None", False, ["uses sys.modules"]),
        ("history.events = []\nmodel.modules", False, []),
        ("from sys import modules", False, ["imports sys.modules"]),
        (
            "get_ipython().events.register('pre_run_cell', print)",
            False,
            ["uses get_ipython (IPython's hooks)"],
        ),
        ("import builtins\nbuiltins.print = None", False, ["imports builtins (builtins)"]),
        (
            "from course.tensor_ops import naive_relu",
            True,
            ["from the course package in an exercise's answer"],
        ),
        ("from course.tensor_ops import naive_relu", False, []),
        ("exec('x = 1')", False, ["runs code through exec()"]),
        ("model.compile(optimizer='sgd', loss='mse')", False, []),
        ("from course.exercises import registry", False, ["(the checking machinery)"]),
        ("from course.exercises import quiz\nquiz('00.q1')", False, []),
        ("!ls /", False, ["runs a shell command"]),
        ("%timeit sum(range(3))", False, []),
        ("import os\nos.kill(1, 9)", False, ["calls os.kill (starts processes or sends signals)"]),
    ],
)
def test_the_review_names_what_a_teacher_should_look_at(source, answer_cell, expected):
    found = review.cell_findings(source, answer_cell=answer_cell)
    for text in expected:
        assert any(text in line for line in found), (source, found)
    if not expected:
        assert found == [], (source, found)


# ---------------------------------------------------------------------------
# Judging whatever a kernel replied
# ---------------------------------------------------------------------------

NONCE = "a1b2"


def reply(exercise_id, answer, seed, nonce=NONCE, changed=()):
    """The reply an honest kernel gives to a probe request: its text and the nonce asked for."""
    outcomes = probing.probe(exercise_id, answer, seed)
    text = plain.dumps(
        {"nonce": nonce, "exercise": exercise_id, "outcomes": outcomes, "changed": list(changed)}
    )
    return text, NONCE


def test_an_honest_reply_is_judged_as_in_self_study():
    assert judging.judge("00.1", 11, reply("00.1", lambda c: c * 9 / 5 + 32, 11)).status == core.PASSED
    wrong = judging.judge("00.2", 12, reply("00.2", [n * 2 for n in range(10)], 12))
    assert wrong.status == core.FAILED and "squares[" in wrong.message and wrong.hint
    assert judging.judge("00.1", 11, None).status == core.NOT_ATTEMPTED  # no reply at all
    replaced = judging.judge("00.1", 11, reply("00.1", lambda c: c * 9 / 5 + 32, 11, changed=["x.run"]))
    assert "replaced during the run: x.run" in replaced.note


def test_a_reply_to_another_request_counts_for_nothing():
    honest = lambda c: c * 9 / 5 + 32  # noqa: E731
    stale = judging.judge("00.1", 11, reply("00.1", honest, 11, nonce="old"))
    assert stale.status == core.FAILED and "nonce" in stale.note
    other_seed = judging.judge("00.1", 11, reply("00.1", honest, 12))  # the right answer to other cases
    assert other_seed.status == core.FAILED


@pytest.mark.parametrize("stopped", ["time limit", "crashed", "kernel lost"])
def test_a_probe_stopped_from_outside_fails_with_its_reason(stopped):
    verdict = judging.judge("00.1", 11, None, stopped=stopped)
    assert verdict.status == core.FAILED and verdict.note == stopped


MALFORMED = {
    "not json": "{",
    "a number": "5",
    "another exercise": {"nonce": NONCE, "exercise": "00.2", "outcomes": [{"ok": 1.0}], "changed": []},
    "numeric exercise": {"nonce": NONCE, "exercise": 1.5, "outcomes": [], "changed": []},
    "no nonce": {"exercise": "00.1", "outcomes": [{"ok": {"type": "float", "value": 212.0}}] * 6},
    "outcomes not a list": {"nonce": NONCE, "exercise": "00.1", "outcomes": "passed", "changed": []},
    "outcome without ok": {"nonce": NONCE, "exercise": "00.1", "outcomes": [{"passed": True}] * 6},
    "a file name as an array": {
        "nonce": NONCE,
        "exercise": "00.1",
        "outcomes": [{"ok": {"__npy__": "0.npy"}}],
    },
    "deep": '{"nonce": "a1b2", "exercise": "00.1", "outcomes": ' + "[" * 100_000 + "]" * 100_000 + "}",
    "changed not a list": {"nonce": NONCE, "exercise": "00.1", "outcomes": [{"ok": 1.0}], "changed": 5},
    "ok is a string": {"nonce": NONCE, "exercise": "00.1", "outcomes": [{"ok": "212"}] * 6, "changed": []},
    "not text": 5,
}


@pytest.mark.parametrize("kind", sorted(MALFORMED))
def test_malformed_replies_never_stop_the_grader(kind):
    text = MALFORMED[kind]
    text = json.dumps(text) if isinstance(text, dict) else text
    verdict = judging.judge("00.1", 3, (text, NONCE))
    assert verdict.status in (core.FAILED, core.NOT_ATTEMPTED), verdict


def test_pickles_and_huge_replies_are_refused():
    buffer = io.BytesIO()
    np.save(buffer, np.array([object()], dtype=object), allow_pickle=True)
    pickled = {
        "nonce": NONCE,
        "exercise": "00.1",
        "outcomes": [{"ok": {"__npy__": base64.b64encode(buffer.getvalue()).decode()}}],
    }
    assert "pickle" in judging.judge("00.1", 3, (json.dumps(pickled), NONCE)).note.lower()
    huge = "x" * (inkernel.MAX_REPLY + 2000)
    assert "too large" in judging.judge("00.1", 3, (huge, NONCE)).note


def test_a_judge_that_never_returns_is_stopped(monkeypatch):
    def endless(*args, **kwargs):
        while True:
            pass

    monkeypatch.setattr(judging.judging, "judge", endless)
    verdict = judging.judge("00.1", 11, reply("00.1", lambda c: c * 9 / 5 + 32, 11), limit=0.3)
    assert verdict.status == core.FAILED and verdict.note == "judge timed out"


def test_feedback_hides_the_numbers_of_the_hidden_cases():
    seed = 5
    c = registry.draw_cases(registry.lookup("00.1"), seed)[0]["c"]
    message = f"celsius_to_fahrenheit({c}) is {c:.4g}: the factor 9/5 seems upside down."
    scrubbed = feedback.scrub(message, "00.1", seed)
    assert str(c) not in scrubbed and "9/5" in scrubbed and "celsius_to_fahrenheit(…)" in scrubbed


# ---------------------------------------------------------------------------
# Shards, merging, the sandbox's environment, refusing to run without one
# ---------------------------------------------------------------------------


def test_submissions_are_matched_to_the_course_notebooks(tmp_path):
    ann, ben = tmp_path / "ann", tmp_path / "ben"
    for name in (
        "00_welcome.ipynb",
        "01_tensors (1).ipynb",
        "notes.ipynb",
        ".ipynb_checkpoints/00_welcome.ipynb",
    ):
        (ann / name).parent.mkdir(parents=True, exist_ok=True)
        (ann / name).write_text("{}")
    ben.mkdir()
    (ben / "00_welcome.ipynb").symlink_to(ann / "00_welcome.ipynb")  # a classmate's file
    (tmp_path / "empty").mkdir()
    paths = [ann, ben, tmp_path / "empty", tmp_path / "missing"]
    tasks, reports = cli.find_work(paths, blueprint.course_notebooks())
    assert sorted((t["student"], t["notebook"]) for t in tasks) == [
        ("ann", "00_welcome"),
        ("ann", "01_tensors"),
    ]
    why = {(r["student"], r["notebook"]): r["outcome"] for r in reports}
    assert why[("ann", "notes")].startswith("not graded: not a notebook of this course")
    assert why[("ben", "00_welcome")] == "not graded: a link to a file elsewhere"
    assert "no notebook" in why[("empty", str(tmp_path / "empty"))]
    assert "cannot be read" in why[("missing", str(tmp_path / "missing"))]


def test_shards_split_the_class_into_disjoint_deterministic_slices():
    students = {f"student{n:02d}" for n in range(23)}
    slices = [cli.shard_of(students, (k, 4)) for k in range(1, 5)]
    assert set().union(*slices) == students and sum(map(len, slices)) == len(students)
    assert slices == [cli.shard_of(set(sorted(students, reverse=True)), (k, 4)) for k in range(1, 5)]


def test_merge_joins_shard_gradebooks(tmp_path, capsys):
    def record(student, notebook, statuses):
        return {"student": student, "notebook": notebook, "statuses": statuses, "outcome": "completed"}

    one, two = tmp_path / "one.csv", tmp_path / "two.csv"
    gradebook.write_csv(
        [gradebook.row(record("ann", "00_welcome", {"00.1": "passed", "00.2": "failed"}))], one
    )
    rows = [
        gradebook.row(record("ben", "00_welcome", {"00.1": "passed", "00.2": "passed"})),
        gradebook.row(record("ben", "01_tensors", {"01.1": "passed"})),
    ]
    gradebook.write_csv(rows, two)
    assert main(["grade", "merge", str(one), str(two), "--csv", str(tmp_path / "all.csv")]) == 0
    with open(tmp_path / "all.csv", newline="") as file:
        merged = list(csv.DictReader(file))
    assert [(r["student"], r["notebook"], r["passed"]) for r in merged] == [
        ("ann", "00_welcome", "1"),
        ("ben", "00_welcome", "2"),
        ("ben", "01_tensors", "1"),
    ]
    with open(tmp_path / "all-points.csv", newline="") as file:
        points = list(csv.DictReader(file))
    assert points == [
        {"student": "ann", "00_welcome": "1", "01_tensors": "", "total": "1"},
        {"student": "ben", "00_welcome": "2", "01_tensors": "1", "total": "3"},
    ]


def test_the_kernel_environment_is_an_allow_list(tmp_path, monkeypatch):
    monkeypatch.setenv("TEACHER_TOKEN", "secret")
    env = sandbox.environment(tmp_path)
    assert "TEACHER_TOKEN" not in env and env["HOME"] == str(tmp_path) and env["COURSE_STRICT"] == "0"
    command = sandbox.command(tmp_path, sandbox.Limits())
    assert "--clearenv" in command and "--unshare-net" in command and "--unshare-pid" in command
    assert command[command.index("--") + 1] == "prlimit"
    assert "TF_NUM_INTRAOP_THREADS" not in env  # no cap asked for: as many threads as cores


SANDBOX_LOOKS = """
import importlib, json, os, pkgutil
import course
from course import exercises
folder = os.path.join(os.path.dirname(exercises.__file__), "judging")
imported = []
for name in ["expect", *(f"nb{n}" for n in exercises.core.NOTEBOOKS.values())]:
    try:
        importlib.import_module(f"course.exercises.judging.{name}")
        imported.append(name)
    except ImportError:
        pass
course.check("00.1", lambda c: c * 9 / 5 + 32)
print(json.dumps({"listing": os.listdir(folder), "imported": imported, "judge": exercises.judge is None,
                  "modules": [m.name for m in pkgutil.iter_modules([folder])]}))
"""


@pytest.mark.skipif(sandbox.bubblewrap() is None, reason="the grading sandbox needs bubblewrap")
def test_the_sandbox_holds_no_judge_and_check_says_it_is_graded_later(tmp_path):
    command = [*sandbox.command(tmp_path, sandbox.Limits()), sys.executable, "-c", SANDBOX_LOOKS]
    done = subprocess.run(command, capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr[-2000:]
    *shown, last = done.stdout.strip().splitlines()
    assert json.loads(last) == {"listing": [], "imported": [], "judge": True, "modules": []}
    assert "checked after every cell has run" in "\n".join(shown)
    outside = [m.name for m in pkgutil.iter_modules([str(Path(judging.judging.__file__).parent)])]
    assert "expect" in outside and "nb00_welcome" in outside  # what the sandbox hides is there


def test_kernels_graded_side_by_side_share_the_cores(tmp_path):
    import subprocess
    import sys

    if sandbox.bubblewrap() is None:
        pytest.skip("needs bubblewrap")
    show = "import os; print([os.environ.get(n) for n in ('TF_NUM_INTRAOP_THREADS', 'OMP_NUM_THREADS')])"
    command = sandbox.command(tmp_path, sandbox.Limits(threads=3)) + [sys.executable, "-c", show]
    done = subprocess.run(command, capture_output=True, text=True, timeout=60)
    assert done.stdout.strip() == "['3', '3']", done.stderr


def test_without_a_sandbox_the_grader_refuses_and_says_how_to_get_one(tmp_path, monkeypatch, capsys):
    monkeypatch.setattr(sandbox.shutil, "which", lambda name: None)
    (tmp_path / "ann").mkdir()
    assert main(["grade", str(tmp_path / "ann"), "--csv", str(tmp_path / "g.csv")]) == 2
    err = capsys.readouterr().err
    assert "bubblewrap" in err and "--no-sandbox" in err and not (tmp_path / "g.csv").exists()


def test_bad_arguments_are_refused(tmp_path, capsys):
    for argv in (
        ["--timeout", "0"],
        ["--timeout", "nan"],
        ["--timeout", "1e300"],
        ["--jobs", "0"],
        ["--jobs", "two"],
        ["--shard", "3/2"],
        ["--shard", "x"],
        ["--memory", "0"],
        ["--memory", "inf"],
        ["--data", str(tmp_path / "missing")],
        ["--course", str(tmp_path)],
        [str(tmp_path / "missing-student")],
    ):
        assert main(["grade", str(tmp_path), *argv]) == 2, argv
        err = capsys.readouterr().err
        assert err.startswith("python -m course grade: error: ") and err.count("\n") == 1, (argv, err)
    assert os.listdir(tmp_path) == []


def test_the_course_notebooks_are_found_beside_the_package_or_given(tmp_path, monkeypatch):
    assert blueprint.find_notebooks() == (ROOT / "notebooks").resolve()  # a source checkout
    assert blueprint.find_notebooks(ROOT) == (ROOT / "notebooks").resolve()
    with pytest.raises(FileNotFoundError, match="--course .*no notebooks/NN_\\*.ipynb"):
        blueprint.find_notebooks(tmp_path)
    # a wheel install: nothing beside the package, so the current folder or one above it
    monkeypatch.setattr(blueprint, "learner_notebooks_folder", lambda: tmp_path / "none")
    monkeypatch.chdir(ROOT / "notebooks")
    assert blueprint.find_notebooks() == (ROOT / "notebooks").resolve()
    monkeypatch.chdir(tmp_path)
    with pytest.raises(FileNotFoundError, match="pass --course DIR"):
        blueprint.find_notebooks()


def test_an_existing_gradebook_is_continued_or_left_alone(tmp_path, capsys):
    book = tmp_path / "book.csv"
    book.write_text("student,notebook,00.1\n")  # not a gradebook of ours: never replaced
    assert main(["grade", str(tmp_path), "--csv", str(book)]) == 2
    assert "not a gradebook" in capsys.readouterr().err and book.read_text() == "student,notebook,00.1\n"
    journal = tmp_path / "ours.journal.jsonl"
    journal.write_text('{"student": "a", "notebook": "00_welcome", "statuses": {}}\n')
    assert main(["grade", str(tmp_path), "--csv", str(tmp_path / "ours.csv")]) == 2
    assert "--resume" in capsys.readouterr().err and journal.read_text().count("\n") == 1


def test_the_grader_lays_out_the_datasets_once_for_every_sandbox(tmp_path, monkeypatch):
    from course.data.flowers import FLOWER_CLASSES
    from course.tools.grading import datasets

    monkeypatch.setenv("COURSE_WORKDIR", str(tmp_path / "work"))
    monkeypatch.delenv("COURSE_DATA_DIR", raising=False)
    monkeypatch.setenv("COURSE_DATA_MIRROR", "http://127.0.0.1:9/")  # refused at once: no download
    cache = tmp_path / "work" / "datasets"
    (cache / "flower_photos_extracted").mkdir(parents=True)
    (cache / "mnist.npz").write_bytes(b"the teacher's own copy")
    photos = cache / "flower_photos_extracted" / "flower_photos"
    picture = io.BytesIO()
    Image.new("RGB", (4, 4), (200, 30, 60)).save(picture, format="JPEG")  # a real one: each is decoded
    for name in FLOWER_CLASSES:
        (photos / name).mkdir(parents=True)
        (photos / name / "1.jpg").write_bytes(picture.getvalue())
    (cache / "flower_photos_extracted" / "complete").write_text("flower_photos.tgz")

    folder, missing = datasets.shared_folder()
    assert folder == cache / datasets.FOLDER
    assert (folder / "mnist.npz").stat().st_ino == (cache / "mnist.npz").stat().st_ino  # linked, not copied
    assert sorted(p.name for p in (folder / "flower_photos").iterdir()) == sorted(FLOWER_CLASSES)
    photo = os.path.join("flower_photos", "roses", "1.jpg")
    assert (folder / photo).stat().st_ino == (photos.parent / photo).stat().st_ino  # the tree too
    assert [line.split(":")[0] for line in missing] == ["mobilenet_v3_small_notop"]
    assert "127.0.0.1" in missing[0]
    assert datasets.shared_folder() == (folder, missing)  # a second run reuses the folder
    fresh = cache / "mnist.npz.new"
    fresh.write_bytes(b"downloaded again")
    os.replace(fresh, cache / "mnist.npz")  # as a download replaces a damaged file: a new inode
    datasets.shared_folder()
    assert (folder / "mnist.npz").read_bytes() == b"downloaded again"

    monkeypatch.setenv("COURSE_WORKDIR", str(tmp_path / "empty"))  # nothing cached, nothing reachable
    folder, missing = datasets.shared_folder()
    assert folder is None and len(missing) == 3
