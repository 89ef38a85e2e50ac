"""No learner's or author's file is lost by the commands that write notebooks (issue 27, part A).

``build`` replaces only the notebooks it wrote itself (its manifest's sha256 or
the new learner copy), never writes through a symbolic link, and says in one
line what is wrong with a solution it cannot read. ``workspace`` and ``lab``
write each file whole or not at all: a full disk or a read-only folder leaves
no truncated notebook and ends with a one-line message naming the folder.
"""

import errno
import json
import os
import shutil
import subprocess
import sys

import nbformat
import pytest

from course.tools import build, files, lab, workspace
from course.tools.build import MANIFEST, LearnerWorkError, NotebookError
from tests.helpers import ROOT

TODAY = "2026-11-23"
NAME = "01_tensors.ipynb"
BUILD_ERROR = f"{build.PROG}: error: "
WORKSPACE_ERROR = f"{workspace.PROG}: error: "


COPIED = shutil.ignore_patterns("work", ".ipynb_checkpoints")  # what the notebooks wrote when run


@pytest.fixture
def course(tmp_path):
    """A copy of the course's notebooks (with the build manifest) and solutions, to change freely."""
    root = tmp_path / "course"
    for folder in ("notebooks", "solutions"):
        shutil.copytree(ROOT / folder, root / folder, ignore=COPIED)
    return root


@pytest.fixture
def small(tmp_path):
    """A course of two solutions (00 and 01), built once: its notebooks are build's own."""
    root = tmp_path / "small"
    (root / "solutions").mkdir(parents=True)
    for name in ("00_welcome.ipynb", NAME):
        shutil.copyfile(ROOT / "solutions" / name, root / "solutions" / name)
    build.build(root)
    return root


def append_cell(path, text):
    nb = nbformat.read(path, as_version=4)
    nb.cells.append(nbformat.v4.new_markdown_cell(text))
    nbformat.write(nb, path)


def leftovers(folder):
    """Temporary files left in ``folder`` by an interrupted write."""
    return sorted(path.name for path in folder.glob(".*.tmp"))


# ---- build: what it did not write, it keeps ---------------------------------------------------


def edited_not_run(data):
    nb = nbformat.reads(data.decode(), as_version=4)
    nb.cells.append(nbformat.v4.new_markdown_cell("my notes"))
    return nbformat.writes(nb).encode() + b"\n"


def run_once(data):
    nb = nbformat.reads(data.decode(), as_version=4)
    next(cell for cell in nb.cells if cell.cell_type == "code").execution_count = 1
    return nbformat.writes(nb).encode() + b"\n"


DAMAGE = {
    "edited, not run": edited_not_run,
    "run (execution count)": run_once,
    "saved with a UTF-8 BOM": lambda data: b"\xef\xbb\xbf" + data,
    "truncated JSON": lambda data: data[: len(data) // 2],
    "emptied": lambda data: b"",
}


@pytest.mark.parametrize("solution_changed", [False, True], ids=["same solution", "solution changed"])
@pytest.mark.parametrize("damage", DAMAGE, ids=list(DAMAGE))
def test_build_keeps_a_notebook_it_did_not_write(small, capsys, damage, solution_changed):
    learner = small / "notebooks" / NAME
    learner.write_bytes(DAMAGE[damage](learner.read_bytes()))
    kept = learner.read_bytes()
    if solution_changed:
        append_cell(small / "solutions" / NAME, "a new section")

    with pytest.raises(LearnerWorkError, match=f"notebooks/{NAME} differs from what build wrote.*--force"):
        build.build(small)
    assert build.cli(["--root", str(small)]) == 2
    err = capsys.readouterr().err
    assert err.startswith(BUILD_ERROR) and err.count("\n") == 1 and f"notebooks/{NAME}" in err
    assert learner.read_bytes() == kept
    assert build.build(small, check=True)[0][:1] == [NAME]

    assert build.cli(["--root", str(small), "--force"]) == 0
    assert learner.read_bytes() != kept
    assert build.build(small, check=True) == ([], [])
    assert leftovers(small / "notebooks") == []


def test_build_replaces_what_it_wrote_and_records_it(course):
    for change in ("first change", "second change"):
        append_cell(course / "solutions" / NAME, change)
        assert build.build(course) == ([NAME, MANIFEST], [])
        assert change in (course / "notebooks" / NAME).read_text()
        assert build.build(course, check=True) == ([], [])
    manifest = json.loads((course / "notebooks" / MANIFEST).read_text())["notebooks"]
    assert manifest[NAME] == files.digest((course / "notebooks" / NAME).read_bytes())
    assert set(manifest) == {path.name for path in (course / "solutions").glob("*.ipynb")}


def test_the_repository_manifest_lists_the_built_notebooks():
    manifest = json.loads((ROOT / "notebooks" / MANIFEST).read_text())["notebooks"]
    for path in sorted((ROOT / "notebooks").glob("*.ipynb")):
        assert manifest[path.name] == files.digest(path.read_bytes(), newlines=True), path.name


def test_check_verifies_the_manifest(small, capsys):
    manifest = small / "notebooks" / MANIFEST
    manifest.unlink()
    assert build.build(small, check=True) == ([MANIFEST], [])
    assert build.cli(["--check", "--root", str(small)]) == 1
    assert f"notebooks/{MANIFEST} does not list the notebooks as built" in capsys.readouterr().out
    assert not manifest.exists()

    assert build.build(small) == ([MANIFEST], [])  # the notebooks are as built: only the manifest
    assert build.build(small, check=True) == ([], [])

    data = json.loads(manifest.read_text())
    data["notebooks"][NAME] = "0" * 64
    manifest.write_text(json.dumps(data))
    assert build.build(small, check=True) == ([MANIFEST], [])


def test_without_its_manifest_build_keeps_a_changed_notebook(small):
    (small / "notebooks" / MANIFEST).write_text("not json")
    append_cell(small / "solutions" / NAME, "a new section")
    before = (small / "notebooks" / NAME).read_bytes()
    with pytest.raises(LearnerWorkError, match=f"notebooks/{NAME}"):
        build.build(small)
    assert (small / "notebooks" / NAME).read_bytes() == before
    build.build(small, force=True)
    assert build.build(small, check=True) == ([], [])


def test_a_windows_checkout_is_in_sync(small):
    for path in (small / "notebooks").glob("*.ipynb"):
        path.write_bytes(path.read_bytes().replace(b"\n", b"\r\n"))
    assert build.build(small, check=True) == ([], [])
    append_cell(small / "solutions" / NAME, "a new section")
    assert build.build(small) == ([NAME, MANIFEST], [])  # its CRLF copy is recognised as build's


@pytest.mark.parametrize("same_content", [True, False])
def test_build_never_writes_through_a_link(small, tmp_path, capsys, same_content):
    learner = small / "notebooks" / NAME
    elsewhere = tmp_path / "elsewhere.ipynb"
    elsewhere.write_bytes(learner.read_bytes() if same_content else b"someone's file")
    kept = elsewhere.read_bytes()
    learner.unlink()
    learner.symlink_to(elsewhere)

    with pytest.raises(LearnerWorkError, match=f"notebooks/{NAME} is a symbolic link.*--force"):
        build.build(small)
    assert build.build(small, check=True)[0][:1] == [NAME]
    assert learner.is_symlink() and elsewhere.read_bytes() == kept

    assert build.cli(["--root", str(small), "--force"]) == 0  # replaces the link, not its target
    assert not learner.is_symlink() and learner.is_file()
    assert elsewhere.read_bytes() == kept
    assert build.build(small, check=True) == ([], [])


def test_build_refuses_a_folder_in_place_of_a_notebook(small, capsys):
    learner = small / "notebooks" / NAME
    learner.unlink()
    learner.mkdir()
    (learner / "inside.txt").write_text("mine")
    for force in ([], ["--force"]):
        assert build.cli(["--root", str(small), *force]) == 2
        err = capsys.readouterr().err
        assert err.startswith(BUILD_ERROR) and f"notebooks/{NAME} is a folder" in err and err.count("\n") == 1
    assert (learner / "inside.txt").read_text() == "mine"


def test_a_refusal_writes_nothing(small):
    """Two notebooks to write, one of them someone's: neither is written, nor the manifest."""
    append_cell(small / "solutions" / "00_welcome.ipynb", "a new section")
    learner = small / "notebooks" / NAME
    learner.write_bytes(edited_not_run(learner.read_bytes()))
    folder = small / "notebooks"
    before = {path.name: path.read_bytes() for path in folder.iterdir() if path.is_file()}
    with pytest.raises(LearnerWorkError):
        build.build(small)
    assert {path.name: path.read_bytes() for path in folder.iterdir() if path.is_file()} == before


def failing_write(after_calls, code=errno.ENOSPC, keep=0.5):
    """A stand-in for files._write_all: the first ``after_calls`` writes work, then the disk is full."""
    calls = []
    real = files._write_all

    def write(descriptor, data):
        calls.append(1)
        if len(calls) <= after_calls:
            return real(descriptor, data)
        real(descriptor, bytes(data)[: int(len(data) * keep)])
        raise OSError(code, os.strerror(code))

    return write


def test_a_build_cut_short_changes_nothing_and_the_next_one_finishes(small, monkeypatch, capsys):
    for name in ("00_welcome.ipynb", NAME):
        append_cell(small / "solutions" / name, "a new section")
    folder = small / "notebooks"
    before = (folder / NAME).read_bytes()
    # the interim manifest, then 00_welcome, then the disk is full while 01 is written
    monkeypatch.setattr(files, "_write_all", failing_write(after_calls=2))
    assert build.cli(["--root", str(small)]) == 2
    err = capsys.readouterr().err
    assert err.startswith(BUILD_ERROR) and err.count("\n") == 1
    assert f"cannot write {NAME} in {folder}: the disk is full" in err
    assert (folder / NAME).read_bytes() == before
    assert leftovers(folder) == []
    monkeypatch.undo()

    append_cell(small / "solutions" / "00_welcome.ipynb", "changed again")  # 00 was written last time
    assert build.build(small) == (["00_welcome.ipynb", NAME, MANIFEST], [])
    assert build.build(small, check=True) == ([], [])


# ---- build: solutions it cannot read ----------------------------------------------------------


def make_course(tmp_path):
    root = tmp_path / "c"
    (root / "solutions").mkdir(parents=True)
    nb = nbformat.v4.new_notebook()
    nb.cells = [nbformat.v4.new_code_cell("# BEGIN SOLUTION\nx = 1\n# END SOLUTION")]
    nbformat.write(nb, root / "solutions" / "01_x.ipynb")
    return root


def damaged(change):
    """Make ``solutions/02_y.ipynb`` a copy of 01's, then ``change`` it."""

    def make(path):
        shutil.copyfile(path.with_name("01_x.ipynb"), path)
        change(path)

    return make


BROKEN_SOLUTIONS = {
    "truncated JSON": (damaged(lambda path: path.write_bytes(path.read_bytes()[:40])), "not valid JSON"),
    "not UTF-8": (damaged(lambda path: path.write_bytes(b'{"cells": ["\xff\xfe"]}')), "not UTF-8 text"),
    "a JSON list": (damaged(lambda path: path.write_text("[1, 2]")), "not a notebook"),
    "JSON without cells": (damaged(lambda path: path.write_text('{"a": 1}')), "not a notebook"),
    "cells of the wrong type": (
        damaged(
            lambda path: path.write_text('{"cells": [{"cell_type": "code", "source": 3}], "nbformat": 4}')
        ),
        "not a valid notebook",
    ),
    "deep nesting": (
        damaged(lambda path: path.write_text("[" * 100_000 + "]" * 100_000)),
        "nested too deeply",
    ),
    "a folder": (lambda path: path.mkdir(), "is a folder, not a file"),
    "a FIFO": (os.mkfifo, "is a FIFO"),
}


@pytest.mark.parametrize("kind", BROKEN_SOLUTIONS, ids=list(BROKEN_SOLUTIONS))
def test_an_unreadable_solution_is_a_one_line_error(tmp_path, capsys, kind):
    root = make_course(tmp_path)
    make, says = BROKEN_SOLUTIONS[kind]
    make(root / "solutions" / "02_y.ipynb")
    with pytest.raises(ValueError, match="02_y.ipynb"):
        build.build(root)
    for check in ([], ["--check"]):
        assert build.cli(["--root", str(root), *check]) == 2
        err = capsys.readouterr().err
        assert err.startswith(BUILD_ERROR) and says in err and err.count("\n") == 1, err
    assert not (root / "notebooks").exists()


def test_a_broken_solution_on_the_command_line_gives_no_traceback(tmp_path):
    root = make_course(tmp_path)
    (root / "solutions" / "01_x.ipynb").write_bytes(b"\xef\xbb\xbf{ not json")
    done = subprocess.run(
        [sys.executable, "-m", "course", "build", "--root", str(root)],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 2
    assert "Traceback" not in done.stdout + done.stderr
    assert done.stdout == ""
    assert done.stderr.startswith(BUILD_ERROR) and "01_x.ipynb is not valid JSON" in done.stderr


def test_a_solution_saved_with_a_bom_builds(tmp_path):
    root = make_course(tmp_path)
    path = root / "solutions" / "01_x.ipynb"
    path.write_bytes(b"\xef\xbb\xbf" + path.read_bytes())
    assert build.build(root)[0] == ["01_x.ipynb", MANIFEST]


@pytest.mark.parametrize("value", [0, 1, 2, True, False, 2.0, None, b"solutions/x.ipynb"])
def test_numbers_are_not_paths(value):
    with pytest.raises(TypeError, match="solution must be a path"):
        build.learner_notebook(value)
    with pytest.raises(TypeError, match="root must be a path"):
        build.build(value)
    for descriptor in (0, 1, 2):
        os.fstat(descriptor)  # still open: an int taken as a path would have closed it


def test_a_missing_solution_is_file_not_found(tmp_path):
    with pytest.raises(FileNotFoundError, match="solution"):
        build.learner_notebook(tmp_path / "none.ipynb")


# ---- workspace and lab: whole files or none -------------------------------------------------


def test_a_full_disk_leaves_no_truncated_notebook(course, tmp_path, monkeypatch):
    mine = tmp_path / "mine"
    monkeypatch.setattr(files, "_write_all", failing_write(after_calls=3))
    with pytest.raises(files.WriteError, match=f"in {mine}: the disk is full"):
        workspace.sync(course, mine, today=TODAY)
    sources = workspace.learner_notebooks(course)
    written = sorted(path.name for path in mine.glob("*.ipynb"))
    assert written == [path.name for path in sources[:3]]
    for name in written:
        assert (mine / name).read_bytes() == (course / "notebooks" / name).read_bytes()
    assert leftovers(mine) == []
    monkeypatch.undo()

    changes = workspace.sync(course, mine, today=TODAY)  # the next run finishes the copy
    assert changes.messages() == [f"added {path.name}" for path in sources[3:]]
    for source in sources:
        assert (mine / source.name).read_bytes() == source.read_bytes()


@pytest.mark.parametrize(
    "code, says",
    [
        (errno.ENOSPC, "the disk is full"),
        (errno.EROFS, "read-only file system"),
        (errno.EACCES, "permission"),
    ],
)
def test_workspace_and_lab_say_why_they_cannot_write(course, tmp_path, monkeypatch, capsys, code, says):
    mine = tmp_path / "mine"

    def refuse(folder, name):
        raise OSError(code, os.strerror(code), str(folder / name))

    monkeypatch.setattr(files, "_temporary", refuse)
    monkeypatch.setattr(lab, "start", lambda arguments: pytest.fail("JupyterLab must not start"))
    assert workspace.cli([str(mine), "--course", str(course)]) == 2
    assert lab.cli(["--dir", str(mine), "--course", str(course)]) == 2
    lines = capsys.readouterr().err.splitlines()
    assert len(lines) == 2
    for prog, line in zip((workspace.PROG, lab.PROG), lines):
        assert (
            line.startswith(f"{prog}: error: cannot write 00_welcome.ipynb in {mine}: ") and says in line
        ), line
    assert list(mine.iterdir()) == []


def test_a_workspace_folder_that_cannot_be_made_is_named(course, tmp_path, capsys):
    blocker = tmp_path / "a-file"
    blocker.write_text("mine")
    assert workspace.cli([str(blocker), "--course", str(course)]) == 2
    assert (
        capsys.readouterr().err
        == f"{WORKSPACE_ERROR}{blocker} is a file, not a folder: pick another folder\n"
    )
    assert workspace.cli([str(blocker / "below"), "--course", str(course)]) == 2
    err = capsys.readouterr().err
    assert (
        err.startswith(f"{WORKSPACE_ERROR}cannot create the folder {blocker / 'below'}")
        and err.count("\n") == 1
    )
    assert blocker.read_text() == "mine"


def test_a_link_loop_or_a_number_is_named(course, tmp_path, capsys):
    loop = tmp_path / "loop"
    loop.symlink_to(tmp_path / "back")
    (tmp_path / "back").symlink_to(loop)
    assert workspace.cli([str(loop), "--course", str(course)]) == 2
    assert workspace.cli(["--course", str(loop)]) == 2
    lines = capsys.readouterr().err.splitlines()
    assert lines[0].startswith(f"{WORKSPACE_ERROR}--dir {loop}: cannot be used") and len(lines) == 2
    assert lines[1].startswith(f"{WORKSPACE_ERROR}--course {loop}: cannot be used")
    for value in (1, True, None):
        with pytest.raises(TypeError, match="course must be a path"):
            workspace.sync(value, tmp_path / "mine")
        assert not (tmp_path / "mine").exists()
        with pytest.raises(TypeError, match="workspace must be a path"):
            workspace.sync(course, value)
    for descriptor in (0, 1, 2):
        os.fstat(descriptor)


def test_a_truncated_copy_from_an_earlier_run_is_copied_again(course, tmp_path):
    mine = tmp_path / "mine"
    workspace.sync(course, mine, today=TODAY)
    full = (mine / "03_autodiff.ipynb").read_bytes()
    (mine / "03_autodiff.ipynb").write_bytes(full[: len(full) // 3])  # what an unsafe copy left
    (mine / "04_gradient_descent.ipynb").write_bytes(b"")
    changes = workspace.sync(course, mine, today=TODAY)
    assert changes.messages() == [
        "03_autodiff.ipynb was an incomplete copy (an earlier run was cut short): copied again",
        "04_gradient_descent.ipynb was an incomplete copy (an earlier run was cut short): copied again",
    ]
    assert (mine / "03_autodiff.ipynb").read_bytes() == full
    assert workspace.sync(course, mine, today=TODAY).messages() == []


def test_learner_work_that_starts_like_the_course_is_kept(course, tmp_path):
    mine = tmp_path / "mine"
    workspace.sync(course, mine, today=TODAY)
    path = mine / "03_autodiff.ipynb"
    path.write_bytes(path.read_bytes() + b"\n")  # longer than the course's: not a cut-short copy
    kept = path.read_bytes()
    workspace.sync(course, mine, today=TODAY)
    assert path.read_bytes() == kept


def test_workspace_never_writes_through_a_link(course, tmp_path):
    mine = tmp_path / "mine"
    mine.mkdir()
    target = tmp_path / "not-yet-there.ipynb"
    (mine / "03_autodiff.ipynb").symlink_to(target)  # dangling
    elsewhere = tmp_path / "elsewhere.ipynb"
    elsewhere.write_bytes(b"someone's file")
    (mine / "04_gradient_descent.ipynb").symlink_to(elsewhere)
    workspace.sync(course, mine, today=TODAY)
    assert not target.exists() and (mine / "03_autodiff.ipynb").is_symlink()
    assert elsewhere.read_bytes() == b"someone's file" and (mine / "04_gradient_descent.ipynb").is_symlink()


def test_workspace_reads_no_fifo(course, tmp_path):
    mine = tmp_path / "mine"
    mine.mkdir()
    os.mkfifo(mine / workspace.MANIFEST)
    os.mkfifo(mine / "03_autodiff.ipynb")
    os.mkfifo(course / "notebooks" / "99_pipe.ipynb")
    changes = workspace.sync(course, mine, today=TODAY)  # returns: nothing waits on a FIFO
    assert "added 03_autodiff.ipynb" not in changes.messages()
    assert not (mine / "99_pipe.ipynb").exists()


# ---- the shared helper -----------------------------------------------------------------------


def test_write_atomically_replaces_whole_files(tmp_path):
    path = tmp_path / "f.txt"
    files.write_atomically(path, "one")
    files.write_atomically(path, b"two")
    assert path.read_bytes() == b"two" and leftovers(tmp_path) == []


def test_write_atomically_without_replace_keeps_what_is_there(tmp_path):
    path = tmp_path / "f.txt"
    path.write_text("theirs")
    with pytest.raises(FileExistsError):
        files.write_atomically(path, "ours", replace=False)
    link = tmp_path / "link.txt"
    link.symlink_to(tmp_path / "missing.txt")
    with pytest.raises(FileExistsError):
        files.write_atomically(link, "ours", replace=False)
    assert path.read_text() == "theirs" and not (tmp_path / "missing.txt").exists()
    assert leftovers(tmp_path) == []


def test_write_atomically_replaces_a_link_not_its_target(tmp_path):
    target = tmp_path / "target.txt"
    target.write_text("theirs")
    link = tmp_path / "link.txt"
    link.symlink_to(target)
    files.write_atomically(link, "ours")
    assert target.read_text() == "theirs" and not link.is_symlink() and link.read_text() == "ours"


def test_a_failed_write_leaves_the_old_file(tmp_path, monkeypatch):
    path = tmp_path / "f.txt"
    path.write_text("old")
    monkeypatch.setattr(files, "_write_all", failing_write(after_calls=0))
    with pytest.raises(files.WriteError) as raised:
        files.write_atomically(path, "new" * 1000)
    assert raised.value.errno == errno.ENOSPC and isinstance(raised.value, OSError)
    assert path.read_text() == "old" and leftovers(tmp_path) == []


def test_read_regular_refuses_what_is_not_a_file(tmp_path):
    os.mkfifo(tmp_path / "pipe")
    with pytest.raises(files.NotRegularFileError, match="is a FIFO"):
        files.read_regular(tmp_path / "pipe")
    with pytest.raises(files.NotRegularFileError, match="is a folder"):
        files.read_regular(tmp_path)
    with pytest.raises(FileNotFoundError):
        files.read_regular(tmp_path / "missing")
    assert issubclass(NotebookError, ValueError)
