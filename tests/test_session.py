"""The rules of the whole test session (tests/session.py), each tried on a small project of its own."""

import json
import os
import re
import shutil
import subprocess
import sys

import nbformat
import pytest

from tests import session

from .helpers import ROOT

SKIPPING_TESTS = """
import sys
import pytest

def test_runs():
    assert True

def test_skipped_for_no_reason():
    pytest.skip("not today")

@pytest.mark.skipif(sys.version_info >= (3,), reason="only on Python 2")
def test_elsewhere():
    pass

@pytest.mark.xfail(reason="a known bug", strict=True)
def test_known_bug():
    assert False
"""


def run_pytest(project, ci):
    """pytest with the course's session rules (and no other plugin) on ``project``."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("PYTEST_", "CI"))}
    env.update(PYTHONPATH=str(ROOT), PYTEST_DISABLE_PLUGIN_AUTOLOAD="1")
    if ci is not None:
        env["CI"] = ci
    command = [sys.executable, "-m", "pytest", "-p", "tests.session", "-p", "no:cacheprovider", "-q"]
    return subprocess.run(
        [*command, "--rootdir", str(project), str(project)],
        capture_output=True,
        text=True,
        env=env,
        cwd=project,
        timeout=120,
    )


@pytest.fixture
def project(tmp_path):
    (tmp_path / "test_skips.py").write_text(SKIPPING_TESTS)
    (tmp_path / "tests").mkdir()
    return tmp_path


def allow(project, *entries):
    lines = [f'[[skip]]\ntest = "{test}"\nreason = "{reason}"\n' for test, reason in entries]
    (project / session.ALLOWED_SKIPS_FILE).write_text("\n".join(lines))


def test_outside_ci_a_skip_is_only_reported(project):
    done = run_pytest(project, None)
    assert done.returncode == 0, done.stdout
    assert "1 passed, 2 skipped, 1 xfailed" in done.stdout


def test_in_ci_an_unlisted_skip_fails_the_run(project):
    done = run_pytest(project, "true")
    assert done.returncode == 1, done.stdout
    # pytest.skip() in the test fails it; a skipif mark, acted on before the test, is an error
    assert "1 failed, 1 passed, 1 xfailed, 1 error" in done.stdout
    assert "test_skips.py::test_skipped_for_no_reason was skipped (not today)" in done.stdout
    assert "test_skips.py::test_elsewhere was skipped (only on Python 2)" in done.stdout
    assert f"{session.ALLOWED_SKIPS_FILE} lists it with its reason" in done.stdout


def test_in_ci_a_listed_skip_is_allowed_and_a_module_skipped_whole_is_not(project):
    allow(
        project,
        ("test_skips.py::test_skipped_for_no_reason", "it cannot run here"),
        ("test_skips.py::test_elsewhere", "Python 2 is run elsewhere"),
    )
    done = run_pytest(project, "1")
    assert done.returncode == 0, done.stdout
    assert "1 passed, 2 skipped, 1 xfailed" in done.stdout
    (project / "test_module.py").write_text("import pytest\npytest.importorskip('no_such_module_here')\n")
    done = run_pytest(project, "1")
    assert done.returncode != 0, done.stdout
    assert "test_module.py was skipped (could not import 'no_such_module_here'" in done.stdout


def test_in_ci_means_a_true_value_of_ci(monkeypatch):
    for value, meant in [("true", True), ("1", True), ("yes", True), ("false", False), ("", False)]:
        monkeypatch.setenv("CI", value)
        assert session.in_ci() is meant, value
    monkeypatch.delenv("CI")
    assert not session.in_ci()


def test_an_entry_without_a_reason_is_refused(project):
    allow(project, ("test_skips.py::test_elsewhere", " "))
    with pytest.raises(ValueError, match="every \\[\\[skip\\]\\] needs a test and a reason"):
        session.allowed_skips(project)


def test_the_course_allow_list_names_real_tests_with_reasons():
    allowed = session.allowed_skips(ROOT)
    assert allowed, "the allow-list is read"
    for test, reason in allowed.items():
        path, _, name = test.partition("::")
        assert (ROOT / path).is_file() and f"def {name.split('[')[0]}(" in (ROOT / path).read_text(), test
        assert len(reason) > 20, test


# --- the notebooks' verdicts -------------------------------------------------------------------------


def checks_notebook(path, *exercise_ids):
    nb = nbformat.v4.new_notebook()
    nb.cells = [nbformat.v4.new_code_cell("import course")] + [
        nbformat.v4.new_code_cell(f'course.check("{exercise_id}", answer)') for exercise_id in exercise_ids
    ]
    path.parent.mkdir(parents=True, exist_ok=True)
    nbformat.write(nb, path)


def progress(folder, *verdicts, at=100.0):
    """A progress file in ``folder``'s work folder with ``verdicts`` recorded at time ``at``."""
    path = folder / "work" / "progress.json"
    path.parent.mkdir(parents=True, exist_ok=True)
    entries = {
        exercise_id: {"status": status, "message": "m", "time": at} for exercise_id, status in verdicts
    }
    path.write_text(json.dumps(entries))


def test_verdicts_must_be_what_the_folder_expects_and_none_may_be_missing(tmp_path, monkeypatch):
    monkeypatch.delenv("COURSE_WORKDIR", raising=False)
    checks_notebook(tmp_path / "solutions" / "00_x.ipynb", "00.1", "00.2")
    checks_notebook(tmp_path / "notebooks" / "00_x.ipynb", "00.1", "00.2")
    ran = ["solutions/00_x.ipynb"]
    progress(tmp_path / "solutions", ("00.1", "passed"), ("00.2", "passed"))
    assert session.wrong_verdicts(tmp_path, ran, since=50) == []
    assert session.wrong_verdicts(
        tmp_path, ran, since=150
    ) == [  # verdicts of an earlier run count for nothing
        "solutions/00_x.ipynb ran to its end, but its check of 00.1 left no verdict",
        "solutions/00_x.ipynb ran to its end, but its check of 00.2 left no verdict",
    ]
    progress(tmp_path / "solutions", ("00.1", "passed"), ("00.2", "failed"))
    assert session.wrong_verdicts(tmp_path, ran, since=50) == [
        "solutions: exercise 00.2 is 'failed', expected 'passed': m"
    ]
    progress(tmp_path / "solutions", ("00.1", "passed"))
    assert session.wrong_verdicts(tmp_path, ran, since=50) == [
        "solutions/00_x.ipynb ran to its end, but its check of 00.2 left no verdict"
    ]
    assert session.wrong_verdicts(tmp_path, [], since=50) == []  # stopped early: its own failure says why
    progress(tmp_path / "notebooks", ("00.1", "passed"))
    assert session.wrong_verdicts(tmp_path, [], since=50) == [
        "notebooks: exercise 00.1 is 'passed', expected 'not attempted': m"
    ]


# --- Chromium and bubblewrap in CI ----------------------------------------------------------------

# The tests that need Chromium or bubblewrap: in CI none may be skipped for want of it.
NEEDS_CHROMIUM_OR_BWRAP = ("tests/test_browser.py", "tests/test_grade.py", "tests/test_grading_parts.py")


def test_the_allow_list_lets_no_browser_or_grading_test_skip():
    listed = [test for test in session.allowed_skips(ROOT) if test.startswith(NEEDS_CHROMIUM_OR_BWRAP)]
    assert listed == [], "a missing Chromium or bubblewrap must fail CI, not skip a test"


def test_in_ci_a_missing_chromium_or_bubblewrap_fails_the_browser_and_grading_tests(tmp_path):
    """With neither on PATH, the browser test and a grading test of each file fail under CI=true."""
    assert shutil.which("bwrap", path=str(tmp_path)) is None
    chosen = [
        "tests/test_browser.py::test_every_learner_notebook_in_chromium",
        "tests/test_grade.py::test_the_run_finishes_and_prints_the_gradebook",
        "tests/test_grading_parts.py::test_kernels_graded_side_by_side_share_the_cores",
    ]
    env = {k: v for k, v in os.environ.items() if not k.startswith(("PYTEST_", "CI"))}
    env.update(CI="true", PATH=str(tmp_path), PYTEST_DISABLE_PLUGIN_AUTOLOAD="1")
    command = [sys.executable, "-m", "pytest", "-p", "no:cacheprovider", "-q", "-o", "addopts=", *chosen]
    done = subprocess.run(command, capture_output=True, text=True, env=env, cwd=ROOT, timeout=120)
    assert done.returncode == 1, done.stdout[-3000:]
    for test in chosen:
        assert f"{test} was skipped (" in done.stdout, (test, done.stdout[-3000:])
    assert "Chromium is not installed" in done.stdout and "bubblewrap" in done.stdout


def ci_function(tmp_path, ci, *arguments):
    """Run .ci/run's ``need`` with ``arguments``, an apt-get that fails, and only ``tr`` on PATH."""
    script = (ROOT / ".ci" / "run").read_text()
    functions = re.search(r"^in_ci\(\).*?^need\(\) \{.*?^\}\n", script, re.S | re.M)
    assert functions, ".ci/run defines in_ci and need"
    tools = tmp_path / "bin"
    tools.mkdir(parents=True)
    (tools / "tr").symlink_to(shutil.which("tr"))
    apt = tools / "apt-get"
    apt.write_text(f'#!/bin/sh\necho "apt-get $*" >> {tmp_path / "apt.log"}\nexit 100\n')
    apt.chmod(0o755)
    env = {"PATH": str(tools), **({"CI": ci} if ci is not None else {})}
    code = functions.group() + "need " + " ".join(f"'{a}'" for a in arguments) + "\necho reached the end\n"
    bash = shutil.which("bash")
    return subprocess.run([bash, "-c", code], capture_output=True, text=True, env=env, timeout=30)


@pytest.mark.parametrize("ci", ["true", "1", "TRUE"])
def test_ci_run_fails_in_ci_when_chromium_or_bubblewrap_cannot_be_installed(tmp_path, ci):
    done = ci_function(tmp_path, ci, "bubblewrap", "the grading tests", "no-such-bwrap")
    assert done.returncode == 1 and "reached the end" not in done.stdout
    assert "bubblewrap could not be installed" in done.stderr and "failing the run" in done.stderr
    assert "install -y -qq bubblewrap" in (tmp_path / "apt.log").read_text()  # it did try


def test_ci_run_only_warns_outside_ci_and_is_silent_when_the_program_is_there(tmp_path):
    done = ci_function(tmp_path, None, "chromium", "the browser test", "no-such-chromium")
    assert done.returncode == 0 and "reached the end" in done.stdout
    assert "chromium is not installed" in done.stderr
    found = ci_function(tmp_path / "again", "true", "coreutils", "nothing", "no-such-thing", "tr")
    assert found.returncode == 0 and found.stderr == "" and not (tmp_path / "again" / "apt.log").exists()
