"""The course as a learner meets it: a quiet TensorFlow, the doctor, the welcome notebook's checks."""

import json
import os
import socket
import subprocess
import sys
import threading
import time
from http.server import HTTPServer, SimpleHTTPRequestHandler

import nbclient
import nbformat
import pytest

from course.data.downloads import reachable
from tests.helpers import ROOT, pyproject


def run_notebook(nb, env=None, cwd=None):
    old = dict(os.environ)
    os.environ.update(env or {})
    try:
        nbclient.NotebookClient(
            nb, timeout=300, kernel_name="python3", resources={"metadata": {"path": str(cwd or ROOT)}}
        ).execute()
    finally:
        os.environ.clear()
        os.environ.update(old)
    return nb


def stderr_of_processes(*sources, tmp_path):
    """What each of these Python programs writes to file descriptor 2, run side by side.

    TensorFlow's start-up lines are written by C++ straight to descriptor 2; ipykernel
    forwards that descriptor to the notebook, where JupyterLab shows it as a pink stderr
    block (tests/test_browser.py checks that no learner notebook shows one).
    """
    env = dict(os.environ, COURSE_WORKDIR=str(tmp_path), TF_CPP_MIN_LOG_LEVEL="0")
    running = [
        subprocess.Popen(
            [sys.executable, "-c", source],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
            text=True,
            env=env,
        )
        for source in sources
    ]
    outputs = []
    for process in running:
        _, stderr = process.communicate(timeout=300)
        assert process.returncode == 0, stderr
        outputs.append(stderr)
    return outputs


def test_plain_tensorflow_import_is_noisy_and_setup_silences_it(tmp_path):
    noisy, quiet = stderr_of_processes(
        "import tensorflow as tf\nx = tf.constant(1.0) + 1",
        "import course\ncourse.setup(tensorflow=True)\nimport tensorflow as tf\nx = tf.constant(1.0) + 1",
        tmp_path=tmp_path,
    )
    assert "absl::InitializeLog" in noisy or "cuda" in noisy.lower()
    assert quiet.strip() == ""


def test_doctor_reports_and_succeeds_here(capsys):
    """The doctor's full report on this machine (its command line runs in tests/test_packaging.py)."""
    from course.tools import doctor

    started = time.monotonic()
    assert doctor.cli([]) == 0, capsys.readouterr().out
    elapsed = time.monotonic() - started
    out = capsys.readouterr().out
    for word in (
        "Python",
        "tensorflow",
        "keras",
        "numpy",
        "ipywidgets",
        "jupyterlab",
        "CPU devices",
        "mnist",
        "registry:",
        "Settings:\n  mode:",
    ):
        assert word in out
    assert elapsed < 60


def test_doctor_names_a_fix_for_each_problem(tmp_path, monkeypatch, capsys):
    from course.tools import doctor

    monkeypatch.setenv("COURSE_DATA_DIR", str(tmp_path / "missing"))
    monkeypatch.setenv("COURSE_WORKDIR", str(tmp_path))
    assert doctor.cli([]) == 1
    out = capsys.readouterr().out
    assert "1 problem(s)" in out and "COURSE_DATA_DIR" in out and "unset the variable" in out


GARBAGE = {
    "COURSE_FAST=maybe": ("COURSE_FAST", "maybe", "use one of 1, true"),
    "COURSE_STRICT=2": ("COURSE_STRICT", "2", "use one of 1, true"),
    "COURSE_WORKDIR=/proc/x": (
        "COURSE_WORKDIR",
        "/proc/x",
        "set COURSE_WORKDIR to a folder you can write to",
    ),
    "COURSE_WORKDIR=a file": ("COURSE_WORKDIR", "{file}", "a file is in the way"),
    "COURSE_DATA_DIR missing": ("COURSE_DATA_DIR", "{missing}", "create it or unset the variable"),
    "COURSE_DATA_MIRROR=http://[bad": ("COURSE_DATA_MIRROR", "http://[bad", "use http:// or https://"),
    "COURSE_DATA_MIRROR=ftp://x": ("COURSE_DATA_MIRROR", "ftp://x", "use http:// or https://"),
}


@pytest.mark.parametrize("case", GARBAGE, ids=str)
def test_doctor_reports_each_bad_setting_with_its_fix(quick_doctor, monkeypatch, tmp_path, capsys, case):
    name, value, fix = GARBAGE[case]
    (tmp_path / "file").write_text("")
    value = value.format(file=tmp_path / "file", missing=tmp_path / "missing")
    monkeypatch.setenv(name, value)
    assert quick_doctor.cli([]) == 1
    out = capsys.readouterr().out
    problems = out.split("1 problem(s):")[1]
    assert value in problems and fix in problems


def unusable_folder(kind, tmp_path):
    """A value for COURSE_WORKDIR or COURSE_DATA_DIR that no folder can have."""
    if kind == "symlink loop":
        (tmp_path / "loop-a").symlink_to(tmp_path / "loop-b")
        (tmp_path / "loop-b").symlink_to(tmp_path / "loop-a")
        return str(tmp_path / "loop-a" / "work")
    if kind == "long name":
        return str(tmp_path / ("w" * 300))
    return str(tmp_path) + "/abc" * 1100  # 4,400 characters: longer than any path Linux takes


@pytest.mark.parametrize("name", ["COURSE_WORKDIR", "COURSE_DATA_DIR"])
@pytest.mark.parametrize("kind", ["symlink loop", "long name", "long path"])
def test_an_unusable_folder_variable_is_one_clear_error(
    quick_doctor, monkeypatch, tmp_path, capsys, name, kind
):
    """A symbolic link loop or a too-long COURSE_WORKDIR used to break every entry point (and the
    doctor said "reinstall")."""
    from course.runtime import settings
    from course.saving import fresh_workdir

    monkeypatch.setenv(name, unusable_folder(kind, tmp_path))
    for call in (settings.settings, settings.workdir, lambda: fresh_workdir("08_saving")):
        with pytest.raises(ValueError, match=f"^{name}=.*(cannot be used|too long).*set {name} to a folder"):
            call()
    assert [message.split("=")[0] for message in settings.errors()] == [name]
    assert quick_doctor.cli([]) == 1
    out = capsys.readouterr().out
    assert "1 problem(s)" in out and f"{name}=" in out.split("problem(s):")[1] and "reinstall" not in out


def test_doctor_reports_a_failing_check_instead_of_raising(quick_doctor, monkeypatch, capsys):
    def broken():
        raise RuntimeError("no devices today")

    monkeypatch.setitem(quick_doctor.SECTIONS, "Devices", broken)
    assert quick_doctor.cli([]) == 1
    assert "the devices check failed (RuntimeError: no devices today)" in capsys.readouterr().out


def test_doctor_checks_the_ranges_of_the_package_metadata(quick_doctor, monkeypatch, capsys):
    import importlib.metadata

    from packaging.requirements import Requirement

    declared = pyproject()["project"]["dependencies"]
    assert {(r.name, r.specifier) for r in quick_doctor.requirements()} == {
        (r.name, r.specifier) for r in map(Requirement, declared)
    }
    real_version = importlib.metadata.version
    monkeypatch.setattr(
        importlib.metadata, "version", lambda name: "1.0" if name == "numpy" else real_version(name)
    )
    assert quick_doctor.cli([]) == 1
    out = capsys.readouterr().out
    assert "numpy         1.0  (unsupported)" in out
    assert "numpy 1.0 is outside <3,>=1.26: pip install 'numpy<3,>=1.26'" in out


def test_doctor_never_shows_a_traceback(tmp_path, monkeypatch, capsys):
    from course.tools import doctor

    monkeypatch.setenv("COURSE_FAST", "maybe")
    monkeypatch.setenv("COURSE_DATA_MIRROR", "http://[bad")
    monkeypatch.setenv("COURSE_WORKDIR", str(tmp_path))
    assert doctor.cli([]) == 1  # an exception would fail this test with its traceback
    shown = capsys.readouterr()
    assert "2 problem(s)" in shown.out
    assert "Traceback" not in shown.out + shown.err


def test_reachable_answers_quickly_on_loopback():
    with socket.socket() as closed:
        closed.bind(("127.0.0.1", 0))
        port = closed.getsockname()[1]
    started = time.monotonic()
    assert not reachable(f"http://127.0.0.1:{port}/x", timeout=2)
    assert time.monotonic() - started < 3
    server = HTTPServer(("127.0.0.1", 0), SimpleHTTPRequestHandler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        assert reachable(f"http://127.0.0.1:{server.server_port}/x")
    finally:
        server.shutdown()


def test_solving_the_learner_copy_turns_not_attempted_into_passed(tmp_path):
    nb = nbformat.read(ROOT / "notebooks" / "00_welcome.ipynb", as_version=4)
    for cell in nb.cells:
        cell.source = cell.source.replace("    raise NotImplementedError", "    return c * 9 / 5 + 32")
        cell.source = cell.source.replace("squares = ...", "squares = [n ** 3 for n in range(10)]")
        cell.source = cell.source.replace("!{sys.executable} -m course doctor", "pass")
    run_notebook(
        nb,
        {"COURSE_WORKDIR": str(tmp_path), "COURSE_STRICT": "0"},
        ROOT / "notebooks",
    )
    seen = json.loads((tmp_path / "progress.json").read_text())
    assert seen["00.1"]["status"] == "passed"
    assert (
        seen["00.2"]["status"] == "failed"
        and "squares[2] is 8, which is not the square of 2" in seen["00.2"]["message"]
    )
