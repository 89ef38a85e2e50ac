"""The rules of the whole test session (tests/session.py), each tried on a small project of its own."""

import json
import os
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
