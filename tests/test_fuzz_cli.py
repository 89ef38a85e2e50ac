"""Every command line ends in an exit status and at most one line of error, never a traceback.

``course.tools.cli(argv)`` runs in this process (one Python start for the whole file), for each
subcommand with bad arguments (a missing value, a wrong type, 0 or a negative number, a missing
folder, a FIFO, a symbolic link loop, a name too long, a file where a folder is due, a folder where a
file is due, a damaged gradebook) and with each ``COURSE_*`` variable set to a bad value. Each run
must:

* return the expected exit status: 2 for a command line that cannot run, 0 for a valid one (the
  doctor: 1, as it reports every problem it finds);
* with status 2, say why in exactly one line on stderr, never as an internal error;
* show no traceback, and leave every file that was there as it was;
* return within :data:`TIME_LIMIT_S` seconds (a FIFO read would block for ever).

Nothing slow runs: JupyterLab is not started (``lab.start`` is replaced), the doctor does not
start TensorFlow or reach a host, and no valid grading or benchmark run is made.
"""

import hashlib
import os
import signal
from pathlib import Path

import pytest

from course.tools import COMMANDS, cli

from .helpers import ROOT

TIME_LIMIT_S = 20


class TookTooLong(BaseException):
    pass


def _alarm(signum, frame):
    raise TookTooLong()


@pytest.fixture
def place(tmp_path, monkeypatch):
    """A folder of things to pass, the current folder, and a private, quiet, offline setup."""
    from course.tools import doctor, lab
    from course.tools.grading import gradebook

    for name in ("COURSE_DATA_DIR",):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("COURSE_WORKDIR", str(tmp_path / "work"))
    monkeypatch.setenv("COURSE_DATA_MIRROR", "http://127.0.0.1:9/")  # the discard port: refused at once
    monkeypatch.setenv("COURSE_FAST", "1")
    monkeypatch.setenv("COURSE_STRICT", "0")
    monkeypatch.chdir(tmp_path)
    monkeypatch.setitem(doctor.SECTIONS, "Devices", lambda: (["  (not checked here)"], []))
    monkeypatch.setattr("course.data.downloads.reachable", lambda url, timeout=None: False)
    monkeypatch.setattr(lab, "start", lambda arguments: None)  # never a JupyterLab server

    (tmp_path / "file.txt").write_text("a user's notes\n")
    os.mkfifo(tmp_path / "fifo")
    (tmp_path / "loop").symlink_to(tmp_path / "loop")
    (tmp_path / "folder").mkdir()
    (tmp_path / "data").mkdir()
    (tmp_path / "class" / "ann").mkdir(parents=True)
    (tmp_path / "class" / "ann" / "00_welcome.ipynb").write_text("{not json")
    book = gradebook.Gradebook(tmp_path / "good.csv")
    book.add({"student": "ann", "notebook": "00_welcome", "statuses": {"00.1": "passed"}, "outcome": "ok"})
    text = (tmp_path / "good.csv").read_text()
    (tmp_path / "edited.csv").write_text(text.replace(",1,0,0,1,", ",abc,0,0,1,"))
    last = text.splitlines(keepends=True)[-1]
    (tmp_path / "binary.csv").write_bytes((text + last * 400).encode() + b"\xff\xfe\x00\n")
    return tmp_path


def fill(argv, place):
    names = {
        "file": place / "file.txt",
        "fifo": place / "fifo",
        "loop": place / "loop",
        "folder": place / "folder",
        "missing": place / "missing",
        "long": place / ("x" * 300),
        "data": place / "data",
        "student": place / "class" / "ann",
        "good": place / "good.csv",
        "edited": place / "edited.csv",
        "binary": place / "binary.csv",
        "out": place / "out" / "merged.csv",
        "ws": place / "my-workspace",
        "course": ROOT,
    }
    return [word.format(**{k: str(v) for k, v in names.items()}) for word in argv]


def snapshot(folder):
    """The bytes of every regular file under ``folder`` (FIFOs and links left unread)."""
    found = {}
    for path in sorted(folder.rglob("*")):
        if path.is_file() and not path.is_symlink():
            found[path] = hashlib.sha256(path.read_bytes()).hexdigest()
    return found


def run(argv, place, capsys):
    """``(status, stdout, stderr)`` of one in-process command line, within the time limit."""
    previous = signal.signal(signal.SIGALRM, _alarm)
    signal.alarm(TIME_LIMIT_S)
    try:
        status = cli(argv)
    except TookTooLong:
        pytest.fail(f"{argv} did not return within {TIME_LIMIT_S} s")
    finally:
        signal.alarm(0)
        signal.signal(signal.SIGALRM, previous)
    shown = capsys.readouterr()
    return status, shown.out, shown.err


def check(argv, expected, place, capsys):
    """Run ``argv`` and hold it to the policy; ``expected`` is the status or a set of allowed ones."""
    before = snapshot(place)
    status, out, err = run(argv, place, capsys)
    allowed = expected if isinstance(expected, set) else {expected}
    assert status in allowed, f"{argv}: status {status}, expected {allowed}\nstdout: {out}\nstderr: {err}"
    assert "Traceback" not in out + err, f"{argv}:\n{out}\n{err}"
    assert "internal error" not in err, f"{argv}: {err}"
    if status == 2:
        assert {p: h for p, h in snapshot(place).items() if p in before} == before, f"{argv} changed a file"
        lines = err.splitlines()
        if len(lines) != 1 or not lines[0].strip():
            pytest.fail(f"{argv}: expected one line on stderr, got:\n{err}\n(stdout: {out})")
    return status, out, err


# --- every subcommand's arguments ----------------------------------------------------------------------

CASES = {
    # the command itself
    "no command": ([], 2),
    "unknown command": (["nope"], 2),
    "a command as an option": (["--grade"], 2),
    "help": (["--help"], 0),
    # lab
    "lab: --dir without a value": (["lab", "--dir"], 2),
    "lab: --course missing": (["lab", "--course", "{missing}"], 2),
    "lab: --course a FIFO": (["lab", "--course", "{fifo}"], 2),
    "lab: --course a file": (["lab", "--course", "{file}"], 2),
    "lab: --course a loop": (["lab", "--course", "{loop}"], 2),
    "lab: --dir a file": (["lab", "--course", "{course}", "--dir", "{file}"], 2),
    "lab: --dir a FIFO": (["lab", "--course", "{course}", "--dir", "{fifo}"], 2),
    "lab: --dir too long": (["lab", "--course", "{course}", "--dir", "{long}"], 2),
    "lab: valid": (["lab", "--course", "{course}", "--dir", "{ws}", "--no-browser"], 0),
    # workspace
    "workspace: --course without a value": (["workspace", "--course"], 2),
    "workspace: --course missing": (["workspace", "--course", "{missing}"], 2),
    "workspace: --course a FIFO": (["workspace", "--course", "{fifo}"], 2),
    "workspace: a file as the folder": (["workspace", "{file}", "--course", "{course}"], 2),
    "workspace: a FIFO as the folder": (["workspace", "{fifo}", "--course", "{course}"], 2),
    "workspace: a loop as the folder": (["workspace", "{loop}", "--course", "{course}"], 2),
    "workspace: a name too long": (["workspace", "{long}", "--course", "{course}"], 2),
    "workspace: two folders": (["workspace", "{ws}", "{folder}", "--course", "{course}"], 2),
    "workspace: valid": (["workspace", "{ws}", "--course", "{course}"], 0),
    # build
    "build: unknown option": (["build", "--nope"], 2),
    "build: --root without a value": (["build", "--root"], 2),
    "build: --root missing": (["build", "--root", "{missing}"], 2),
    "build: --root a file": (["build", "--root", "{file}"], 2),
    "build: --root a FIFO": (["build", "--root", "{fifo}"], 2),
    "build: --root a loop": (["build", "--root", "{loop}"], 2),
    "build: --root no course": (["build", "--check", "--root", "{folder}"], 2),
    # doctor
    "doctor: an argument": (["doctor", "now"], 2),
    "doctor: an option": (["doctor", "--fix"], 2),
    "doctor: valid": (["doctor"], 0),
    # grade
    "grade: no path": (["grade"], 2),
    "grade: --timeout without a value": (["grade", "{student}", "--timeout"], 2),
    "grade: --timeout text": (["grade", "{student}", "--timeout", "soon"], 2),
    "grade: --timeout 0": (["grade", "{student}", "--timeout", "0"], 2),
    "grade: --timeout negative": (["grade", "{student}", "--timeout", "-5"], 2),
    "grade: --timeout nan": (["grade", "{student}", "--timeout", "nan"], 2),
    "grade: --timeout inf": (["grade", "{student}", "--timeout", "inf"], 2),
    "grade: --timeout huge": (["grade", "{student}", "--timeout", "1e300"], 2),
    "grade: --jobs text": (["grade", "{student}", "--jobs", "two"], 2),
    "grade: --jobs 0": (["grade", "{student}", "--jobs", "0"], 2),
    "grade: --jobs negative": (["grade", "{student}", "--jobs", "-1"], 2),
    "grade: --jobs a fraction": (["grade", "{student}", "--jobs", "1.5"], 2),
    "grade: --memory 0": (["grade", "{student}", "--memory", "0"], 2),
    "grade: --memory negative": (["grade", "{student}", "--memory", "-4"], 2),
    "grade: --memory nan": (["grade", "{student}", "--memory", "nan"], 2),
    "grade: --shard 0/2": (["grade", "{student}", "--shard", "0/2"], 2),
    "grade: --shard 3/2": (["grade", "{student}", "--shard", "3/2"], 2),
    "grade: --shard 1/0": (["grade", "{student}", "--shard", "1/0"], 2),
    "grade: --shard text": (["grade", "{student}", "--shard", "a/b"], 2),
    "grade: --data missing": (["grade", "{student}", "--data", "{missing}"], 2),
    "grade: --data a file": (["grade", "{student}", "--data", "{file}"], 2),
    "grade: --data a FIFO": (["grade", "{student}", "--data", "{fifo}"], 2),
    "grade: --data a loop": (["grade", "{student}", "--data", "{loop}"], 2),
    "grade: --data too long": (["grade", "{student}", "--data", "{long}"], 2),
    "grade: --course missing": (["grade", "{student}", "--course", "{missing}"], 2),
    "grade: --course a FIFO": (["grade", "{student}", "--course", "{fifo}"], 2),
    "grade: --course no course": (["grade", "{student}", "--course", "{folder}"], 2),
    "grade: --feedback a file": (["grade", "{student}", "--feedback", "{file}"], 2),
    "grade: --feedback a FIFO": (["grade", "{student}", "--feedback", "{fifo}"], 2),
    "grade: a missing student": (["grade", "{missing}"], 2),
    "grade: a FIFO as a student": (["grade", "{fifo}"], 2),
    "grade: a loop as a student": (["grade", "{loop}"], 2),
    "grade: --csv a folder": (["grade", "{student}", "--data", "{data}", "--csv", "{folder}"], 2),
    "grade: --csv a FIFO": (["grade", "{student}", "--data", "{data}", "--csv", "{fifo}"], 2),
    "grade: --csv a user's file": (["grade", "{student}", "--data", "{data}", "--csv", "{file}"], 2),
    "grade: --csv too long": (["grade", "{student}", "--data", "{data}", "--csv", "{long}"], 2),
    "grade: --csv empty": (["grade", "{student}", "--data", "{data}", "--csv", ""], 2),
    "grade: --csv an old gradebook": (["grade", "{student}", "--data", "{data}", "--csv", "{good}"], 2),
    "grade: --csv where no folder can be": (
        ["grade", "{student}", "--data", "{data}", "--no-sandbox", "--csv", "{file}/sub/g.csv"],
        2,
    ),
    # grade merge
    "merge: no file": (["grade", "merge"], 2),
    "merge: --csv without a value": (["grade", "merge", "{good}", "--csv"], 2),
    "merge: a missing file": (["grade", "merge", "{missing}", "--csv", "{out}"], 2),
    "merge: a missing folder": (["grade", "merge", "{missing}/", "--csv", "{out}"], 2),
    "merge: a folder": (["grade", "merge", "{folder}", "--csv", "{out}"], 2),
    "merge: a FIFO": (["grade", "merge", "{fifo}", "--csv", "{out}"], 2),
    "merge: a loop": (["grade", "merge", "{loop}", "--csv", "{out}"], 2),
    "merge: not a gradebook": (["grade", "merge", "{file}", "--csv", "{out}"], 2),
    "merge: a binary CSV": (["grade", "merge", "{binary}", "--csv", "{out}"], 2),
    "merge: a column that is no number": (["grade", "merge", "{edited}", "--csv", "{out}"], 2),
    "merge: --csv a folder": (["grade", "merge", "{good}", "--csv", "{folder}"], 2),
    "merge: --csv a FIFO": (["grade", "merge", "{good}", "--csv", "{fifo}"], 2),
    "merge: --csv a user's file": (["grade", "merge", "{good}", "--csv", "{file}"], 2),
    "merge: --csv an input": (["grade", "merge", "{good}", "--csv", "{good}"], 2),
    "merge: --csv under a file": (["grade", "merge", "{good}", "--csv", "{file}/all.csv"], 2),
    "merge: valid": (["grade", "merge", "{good}", "--csv", "{out}"], 0),
    # bench
    "bench: no benchmark": (["bench"], 2),
    "bench: unknown benchmark": (["bench", "nope"], 2),
    "bench: help": (["bench", "--help"], 0),
    "bench autodiff: --repeats without a value": (["bench", "autodiff", "--repeats"], 2),
    "bench autodiff: --repeats text": (["bench", "autodiff", "--repeats", "many"], 2),
    "bench autodiff: --repeats 0": (["bench", "autodiff", "--repeats", "0"], 2),
    "bench autodiff: --repeats negative": (["bench", "autodiff", "--repeats", "-3"], 2),
    "bench autodiff: --repeats a fraction": (["bench", "autodiff", "--repeats", "1.5"], 2),
    "bench autodiff: --repeats huge": (["bench", "autodiff", "--repeats", "100000000"], 2),
    "bench autodiff: unknown option": (["bench", "autodiff", "--fast"], 2),
    "bench flowers: --data without a value": (["bench", "flowers", "--data"], 2),
    "bench flowers: --data missing": (["bench", "flowers", "--data", "{missing}"], 2),
    "bench flowers: --data a file": (["bench", "flowers", "--data", "{file}"], 2),
    "bench flowers: --data a FIFO": (["bench", "flowers", "--data", "{fifo}"], 2),
    "bench flowers: --data a loop": (["bench", "flowers", "--data", "{loop}"], 2),
    "bench flowers: --data too long": (["bench", "flowers", "--data", "{long}"], 2),
    "bench flowers: --data and --generated": (["bench", "flowers", "--data", "{data}", "--generated"], 2),
    "bench flowers: --per-class 0": (["bench", "flowers", "--generated", "--per-class", "0"], 2),
    "bench flowers: --per-class negative": (["bench", "flowers", "--generated", "--per-class", "-1"], 2),
    "bench flowers: --per-class text": (["bench", "flowers", "--generated", "--per-class", "x"], 2),
    "bench flowers: --per-class huge": (["bench", "flowers", "--generated", "--per-class", "99999999"], 2),
    "bench flowers: --tutorial-epochs 0": (["bench", "flowers", "--tutorial-epochs", "0"], 2),
    "bench flowers: --compact-epochs negative": (["bench", "flowers", "--compact-epochs", "-2"], 2),
    "bench flowers: --compact-size 0": (["bench", "flowers", "--compact-size", "0"], 2),
    "bench flowers: --compact-size huge": (["bench", "flowers", "--compact-size", "100000"], 2),
    "bench flowers: --seed negative": (["bench", "flowers", "--seed", "-1"], 2),
    "bench flowers: --seed text": (["bench", "flowers", "--seed", "one"], 2),
    "bench flowers: --seed without a value": (["bench", "flowers", "--seed"], 2),
}


@pytest.mark.parametrize("case", CASES, ids=str)
def test_each_bad_command_line_is_one_line_and_status_2(place, capsys, case):
    argv, expected = CASES[case]
    check(fill(argv, place), expected, place, capsys)


def test_every_command_is_tried():
    tried = {argv[0] for argv, _ in CASES.values() if argv}
    assert set(COMMANDS) <= tried


def test_a_valid_merge_and_workspace_write_what_they_say(place, capsys):
    check(fill(["grade", "merge", "{good}", "--csv", "{out}"], place), 0, place, capsys)
    assert (place / "out" / "merged.csv").is_file() and (place / "out" / "merged-points.csv").is_file()
    check(fill(["workspace", "{ws}", "--course", "{course}"], place), 0, place, capsys)
    assert (place / "my-workspace" / "00_welcome.ipynb").is_file()


# --- every COURSE_* variable with a bad value --------------------------------------------------------

BAD_SETTINGS = {
    "COURSE_FAST=maybe": ("COURSE_FAST", "maybe"),
    "COURSE_STRICT=2": ("COURSE_STRICT", "2"),
    "COURSE_WORKDIR a loop": ("COURSE_WORKDIR", "{loop}"),
    "COURSE_WORKDIR under a loop": ("COURSE_WORKDIR", "{loop}/work"),
    "COURSE_WORKDIR too long": ("COURSE_WORKDIR", "{long}"),
    "COURSE_WORKDIR a file": ("COURSE_WORKDIR", "{file}"),
    "COURSE_WORKDIR a FIFO": ("COURSE_WORKDIR", "{fifo}"),
    "COURSE_WORKDIR under a file": ("COURSE_WORKDIR", "{file}/work"),
    "COURSE_WORKDIR under /proc": ("COURSE_WORKDIR", "/proc/course-work"),
    "COURSE_DATA_DIR missing": ("COURSE_DATA_DIR", "{missing}"),
    "COURSE_DATA_DIR a file": ("COURSE_DATA_DIR", "{file}"),
    "COURSE_DATA_DIR a FIFO": ("COURSE_DATA_DIR", "{fifo}"),
    "COURSE_DATA_DIR a loop": ("COURSE_DATA_DIR", "{loop}"),
    "COURSE_DATA_DIR too long": ("COURSE_DATA_DIR", "{long}"),
    "COURSE_DATA_MIRROR not http": ("COURSE_DATA_MIRROR", "ftp://x"),
    "COURSE_DATA_MIRROR unclosed": ("COURSE_DATA_MIRROR", "http://[bad"),
}
# One cheap command line per command; "always 2" ones fail whatever the settings.
UNDER_BAD_SETTINGS = {
    "lab": (["lab", "--course", "{course}", "--dir", "{ws}", "--no-browser"], {0, 2}),
    "workspace": (["workspace", "{ws}", "--course", "{course}"], {0, 2}),
    "build": (["build", "--nope"], 2),
    "doctor": (["doctor"], 1),
    "grade": (["grade", "{student}", "--data", "{data}", "--no-sandbox", "--csv", "{folder}"], 2),
    "grade merge": (["grade", "merge", "{good}", "--csv", "{out}"], {0, 2}),
    "bench autodiff": (["bench", "autodiff", "--repeats", "0"], 2),
    "bench flowers": (["bench", "flowers", "--generated", "--per-class", "0"], 2),
}


@pytest.mark.parametrize("setting", BAD_SETTINGS, ids=str)
@pytest.mark.parametrize("command", UNDER_BAD_SETTINGS, ids=str)
def test_each_bad_setting_is_one_line_for_every_command(place, capsys, monkeypatch, setting, command):
    name, value = BAD_SETTINGS[setting]
    monkeypatch.setenv(name, fill([value], place)[0])
    argv, expected = UNDER_BAD_SETTINGS[command]
    if name in ("COURSE_FAST", "COURSE_STRICT") and command != "doctor":
        expected = 2  # a switch the course cannot read stops every command before it starts
    status, out, err = check(fill(argv, place), expected, place, capsys)
    if command == "doctor":
        assert name in out.split("problem(s):")[-1], out  # the doctor names the variable to fix
    elif status == 2 and expected != 2:
        assert name in err, err


def test_doctor_runs_even_when_the_settings_cannot_be_read(place, capsys, monkeypatch):
    monkeypatch.setenv("COURSE_FAST", "maybe")
    status, out, _ = check(["doctor"], 1, place, capsys)
    assert "COURSE_FAST='maybe'" in out and "reinstall" not in out


def test_help_works_whatever_the_settings(place, capsys, monkeypatch):
    monkeypatch.setenv("COURSE_FAST", "maybe")
    for argv in (["grade", "--help"], ["bench", "flowers", "--help"], ["grade", "merge", "-h"]):
        status, out, _ = check(argv, 0, place, capsys)
        assert "usage:" in out


def test_an_error_of_the_course_itself_is_one_line_not_a_traceback(place, capsys, monkeypatch):
    """The last resort of the policy: a bug inside a command is still one line, and says so."""
    from course.tools import bench

    def broken(argv):
        raise KeyError("a bug")

    monkeypatch.setattr(bench, "cli", broken)
    status, out, err = run(["bench", "autodiff"], place, capsys)
    assert (
        status == 2 and err.count("\n") == 1 and "internal error (KeyError" in err and "Traceback" not in err
    )


def test_the_files_in_the_way_are_left_alone(place, capsys):
    """What was there before a refused command line is still there, byte for byte."""
    before = snapshot(place)
    for argv in (
        ["grade", "merge", "{good}", "--csv", "{file}"],
        ["grade", "{student}", "--data", "{data}", "--csv", "{file}"],
        ["grade", "{student}", "--feedback", "{file}"],
    ):
        assert run(fill(argv, place), place, capsys)[0] == 2
    assert snapshot(place) == before and Path(place / "fifo").exists()
