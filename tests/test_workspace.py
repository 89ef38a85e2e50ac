"""The learner's workspace: copied once, never overwritten; ``build`` keeps learner work; ``lab`` starts it."""

import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.request

import nbformat
import pytest

from course.tools import build, lab, workspace
from course.tools.build import LearnerWorkError
from tests.helpers import ROOT

TODAY = "2026-11-23"


@pytest.fixture
def course(tmp_path):
    """A copy of the course's notebooks and solutions, to change freely."""
    root = tmp_path / "course"
    for folder in ("notebooks", "solutions"):
        shutil.copytree(ROOT / folder, root / folder, ignore=shutil.ignore_patterns("work"))
    return root


def edit(path, text):
    """Append a markdown cell holding ``text`` to the notebook at ``path``."""
    nb = nbformat.read(path, as_version=4)
    nb.cells.append(nbformat.v4.new_markdown_cell(text))
    nbformat.write(nb, path)


def test_workspace_command_copies_the_notebooks_and_prints_the_path(course, tmp_path):
    done = subprocess.run(
        [sys.executable, "-m", "course", "workspace", "mine"],
        capture_output=True,
        text=True,
        timeout=60,
        cwd=course,
    )
    assert done.returncode == 0, done.stderr
    mine = course / "mine"
    assert done.stdout.splitlines()[-1] == str(mine)
    assert "added 00_welcome.ipynb" in done.stdout
    for source in workspace.learner_notebooks(course):
        assert (mine / source.name).read_bytes() == source.read_bytes()
    assert set(json.loads((mine / workspace.MANIFEST).read_text())["notebooks"]) == {
        p.name for p in workspace.learner_notebooks(course)
    }


def test_default_workspace_is_my_notebooks_in_the_course(course, monkeypatch, capsys):
    monkeypatch.chdir(course / "notebooks")  # found from a sub-folder too
    assert workspace.prepare() == course / "my-notebooks"
    assert (course / "my-notebooks" / "00_welcome.ipynb").is_file()


def test_learner_edits_survive_later_runs(course, tmp_path):
    mine = tmp_path / "mine"
    workspace.sync(course, mine, today=TODAY)
    edit(mine / "03_autodiff.ipynb", "my notes")
    edited = (mine / "03_autodiff.ipynb").read_bytes()
    changes = workspace.sync(course, mine, today=TODAY)
    assert changes.messages() == []
    assert (mine / "03_autodiff.ipynb").read_bytes() == edited
    assert sorted(p.name for p in mine.glob("*.ipynb")) == [
        p.name for p in workspace.learner_notebooks(course)
    ]


@pytest.mark.parametrize("learner_edited", [True, False])
def test_a_changed_course_notebook_lands_beside_the_learner_copy(course, tmp_path, learner_edited):
    mine = tmp_path / "mine"
    workspace.sync(course, mine, today=TODAY)
    if learner_edited:
        edit(mine / "03_autodiff.ipynb", "my notes")
    before = (mine / "03_autodiff.ipynb").read_bytes()
    edit(course / "notebooks" / "03_autodiff.ipynb", "a new section")

    changes = workspace.sync(course, mine, today=TODAY)

    update = mine / "03_autodiff (course update 2026-11-23).ipynb"
    assert changes.messages() == [
        '03_autodiff.ipynb changed in the course: its new version is "03_autodiff (course update 2026-11-23).ipynb", '
        "beside yours (yours is untouched)"
    ]
    assert (mine / "03_autodiff.ipynb").read_bytes() == before
    assert update.read_bytes() == (course / "notebooks" / "03_autodiff.ipynb").read_bytes()
    assert workspace.sync(course, mine, today=TODAY).messages() == []  # placed once


def test_a_second_update_on_the_same_day_gets_a_number(course, tmp_path):
    mine = tmp_path / "mine"
    workspace.sync(course, mine, today=TODAY)
    for change in ("first change", "second change"):
        edit(course / "notebooks" / "03_autodiff.ipynb", change)
        workspace.sync(course, mine, today=TODAY)
    second = mine / "03_autodiff (course update 2026-11-23, 2).ipynb"
    assert "second change" in second.read_text()
    assert "second change" not in (mine / "03_autodiff (course update 2026-11-23).ipynb").read_text()


def test_new_and_deleted_notebooks_are_copied(course, tmp_path):
    mine = tmp_path / "mine"
    workspace.sync(course, mine, today=TODAY)
    shutil.copyfile(course / "notebooks" / "00_welcome.ipynb", course / "notebooks" / "09_new.ipynb")
    (mine / "01_tensors.ipynb").unlink()
    changes = workspace.sync(course, mine, today=TODAY)
    assert changes.messages() == ["added 01_tensors.ipynb", "added 09_new.ipynb"]
    assert (mine / "09_new.ipynb").read_bytes() == (course / "notebooks" / "09_new.ipynb").read_bytes()


def test_a_lost_manifest_never_overwrites(course, tmp_path):
    mine = tmp_path / "mine"
    workspace.sync(course, mine, today=TODAY)
    edit(mine / "03_autodiff.ipynb", "my notes")
    (mine / workspace.MANIFEST).write_text("not json")
    changes = workspace.sync(course, mine, today=TODAY)
    assert [new.name for _, new in changes.updates] == ["03_autodiff (course update 2026-11-23).ipynb"]
    assert "my notes" in (mine / "03_autodiff.ipynb").read_text()


def test_a_folder_without_notebooks_is_not_a_course(tmp_path):
    with pytest.raises(FileNotFoundError, match="--course .*no notebooks/\\*.ipynb"):
        workspace.find_course(tmp_path)


def with_outputs(path):
    nb = nbformat.read(path, as_version=4)
    code = next(cell for cell in nb.cells if cell.cell_type == "code")
    code.execution_count = 1
    nbformat.write(nb, path)
    return path.read_bytes()


def test_build_refuses_to_overwrite_learner_work(course, capsys):
    learner = course / "notebooks" / "01_tensors.ipynb"
    run = with_outputs(learner)
    with pytest.raises(LearnerWorkError, match="notebooks/01_tensors.ipynb .*--force"):
        build.build(course)
    assert build.cli(["--root", str(course)]) == 2
    err = capsys.readouterr().err
    assert err.startswith(f"{build.PROG}: error: ")
    assert "notebooks/01_tensors.ipynb differs from what build wrote there" in err
    assert learner.read_bytes() == run

    assert build.cli(["--root", str(course), "--force"]) == 0
    assert build.build(course, check=True) == ([], [])


def test_build_check_reports_learner_work_as_out_of_sync(course):
    with_outputs(course / "notebooks" / "01_tensors.ipynb")
    assert build.build(course, check=True) == (["01_tensors.ipynb"], [])


def test_lab_arguments_root_the_server_in_the_workspace(tmp_path, monkeypatch):
    monkeypatch.setattr(os, "geteuid", lambda: 1000)
    assert lab.lab_arguments(tmp_path, ["--no-browser"]) == [
        f"--ServerApp.root_dir={tmp_path}",
        "--no-browser",
    ]
    monkeypatch.setattr(os, "geteuid", lambda: 0)
    assert lab.lab_arguments(tmp_path) == [f"--ServerApp.root_dir={tmp_path}", "--allow-root"]


def test_lab_puts_the_course_settings_first_and_keeps_the_learner_path():
    assert lab.lab_environment({})["JUPYTER_CONFIG_PATH"] == str(lab.CONFIG_DIR)
    environ = lab.lab_environment({"JUPYTER_CONFIG_PATH": "/theirs"})
    assert environ["JUPYTER_CONFIG_PATH"] == os.pathsep.join([str(lab.CONFIG_DIR), "/theirs"])


def test_lab_settings_switch_off_news_and_update_checks():
    overrides = json.loads((lab.CONFIG_DIR / "labconfig" / "default_setting_overrides.json").read_text())
    assert overrides == {
        "@jupyterlab/apputils-extension:notification": {"fetchNews": "false", "checkForUpdates": False}
    }


def free_port():
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def get_json(url, deadline):
    """GET ``url`` as JSON, retrying until the server answers or ``deadline`` (monotonic) passes."""
    while True:
        try:
            with urllib.request.urlopen(url, timeout=2) as answer:
                return json.load(answer)
        except OSError:
            if time.monotonic() > deadline:
                raise
            time.sleep(0.3)


def test_lab_serves_the_workspace_without_news(course, tmp_path):
    port, token = free_port(), os.urandom(8).hex()
    env = dict(os.environ, JUPYTER_RUNTIME_DIR=str(tmp_path / "runtime"))
    command = [sys.executable, "-m", "course", "lab", "--dir", str(tmp_path / "mine"), "--no-browser"]
    command += ["--ServerApp.ip=127.0.0.1", f"--ServerApp.port={port}", f"--IdentityProvider.token={token}"]
    server = subprocess.Popen(
        command,
        cwd=course,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,
    )
    try:
        base, auth = f"http://127.0.0.1:{port}", f"?token={token}"
        deadline = time.monotonic() + 15
        listing = get_json(f"{base}/api/contents{auth}", deadline)
        notification = get_json(
            f"{base}/lab/api/settings/@jupyterlab/apputils-extension:notification{auth}", deadline
        )
    finally:
        os.killpg(server.pid, signal.SIGTERM)
        try:
            server.wait(timeout=10)
        except subprocess.TimeoutExpired:
            os.killpg(server.pid, signal.SIGKILL)
            server.wait()
    assert "00_welcome.ipynb" in {item["name"] for item in listing["content"]}
    defaults = {name: spec["default"] for name, spec in notification["schema"]["properties"].items()}
    assert defaults["fetchNews"] == "false" and defaults["checkForUpdates"] is False
