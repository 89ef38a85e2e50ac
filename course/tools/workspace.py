"""``python -m course workspace [DIR]``: the learner's own copies of the notebooks.

The course's learner notebooks (``notebooks/*.ipynb`` in the course folder) are
copied into a workspace, by default ``my-notebooks/`` in the course folder.
From then on every file there belongs to the learner, and a later run never
overwrites one:

* a notebook that is new in the course is added;
* a notebook the learner deleted is copied again (a way to start it afresh);
* a notebook that changed in the course since it was copied is placed beside
  the learner's copy, as ``03_autodiff (course update 2026-11-23).ipynb``.

To tell "changed in the course" from "edited by the learner", the workspace
keeps a small manifest, ``.course-manifest.json``: the sha256 of each course
notebook as it was when last copied.

Every file is written whole or not at all (a temporary file renamed, see
:mod:`course.tools.files`), and a new notebook never takes a name that anything
holds, a symbolic link included: a full disk or a read-only folder stops the
command with a one-line message naming the folder and leaves no truncated
notebook behind. A truncated copy left by an earlier version of this command
(the first bytes of the course's notebook, so nothing of the learner's) is
copied again.
"""

import datetime
import itertools
import json
from dataclasses import dataclass, field
from pathlib import Path

from ..runtime import validate
from . import PROGRAM, ArgumentParser, command_line, fail, files

PROG = f"{PROGRAM} workspace"
DEFAULT_WORKSPACE = "my-notebooks"
MANIFEST = ".course-manifest.json"


@dataclass
class Changes:
    """What one synchronisation did: notebooks added, and course updates placed beside a learner's copy."""

    added: list = field(default_factory=list)
    updates: list = field(default_factory=list)  # (learner's notebook, the course's new version beside it)
    repaired: list = field(default_factory=list)  # truncated copies (a run cut short) copied again

    def messages(self):
        """One line per change, for the learner."""
        lines = [f"added {path.name}" for path in self.added]
        lines += [
            f"{path.name} was an incomplete copy (an earlier run was cut short): copied again"
            for path in self.repaired
        ]
        lines += [
            f'{mine.name} changed in the course: its new version is "{new.name}", beside yours (yours is untouched)'
            for mine, new in self.updates
        ]
        return lines


def learner_notebooks(course):
    """The course's learner notebooks, ``course/notebooks/*.ipynb`` (regular files only), sorted."""
    course = validate.path(course, "course")
    return sorted(path for path in (course / "notebooks").glob("*.ipynb") if path.is_file())


def _absolute(path, option):
    """``path`` (given as ``option``) as an absolute path, ``~`` expanded, links resolved.

    A symbolic link loop or an unknown ``~user`` raises ValueError naming it.
    """
    path = validate.path(path, option)
    try:
        return path.expanduser().resolve()
    except (OSError, RuntimeError) as error:  # RuntimeError: a link loop (Python < 3.13), no such ~user
        raise ValueError(f"{option} {path}: cannot be used ({error})") from None


def find_course(explicit=None):
    """The course folder: ``explicit`` if given, else the first folder holding ``notebooks/*.ipynb``.

    The search looks in the current folder, its parents (so it works from inside
    the workspace) and the folder above this package (an editable install). An
    installed package does not carry the notebooks, so when none of these holds
    them, FileNotFoundError says to run from the course folder or pass ``--course``.
    """
    if explicit is not None:
        root = _absolute(explicit, "--course")
        if not learner_notebooks(root):
            raise FileNotFoundError(f"--course {root}: there is no notebooks/*.ipynb in that folder")
        return root
    here = Path.cwd()
    for candidate in (here, *here.parents, Path(__file__).resolve().parents[2]):
        if learner_notebooks(candidate):
            return candidate
    raise FileNotFoundError(
        f"cannot find the course's notebooks/ folder from {here}: run this command from the course "
        "folder, or pass --course DIR"
    )


def read_manifest(workspace):
    """``{notebook name: sha256 when copied}``; empty for a new workspace or an unreadable manifest."""
    data = files.regular_or_none(Path(workspace) / MANIFEST)
    try:
        return dict(json.loads(data.decode("utf-8"))["notebooks"])
    except (AttributeError, ValueError, LookupError, TypeError, RecursionError):  # missing or damaged
        return {}  # nothing is known as copied


def write_manifest(workspace, copied):
    text = json.dumps(
        {
            "about": "the course notebooks as last copied here (python -m course workspace)",
            "notebooks": copied,
        },
        indent=1,
        sort_keys=True,
    )
    files.write_atomically(workspace / MANIFEST, text + "\n")


def update_path(mine, digest, today):
    """Where the course's new version of ``mine`` goes: a free name beside it; None if it is already there.

    ``NAME (course update DATE).ipynb``, then ``NAME (course update DATE, 2).ipynb``, ...
    """
    for number in itertools.count(1):
        label = today if number == 1 else f"{today}, {number}"
        candidate = mine.with_name(f"{mine.stem} (course update {label}).ipynb")
        data = files.regular_or_none(candidate)
        if data is None and not candidate.is_symlink() and not candidate.exists():
            return candidate
        if data is not None and files.digest(data) == digest:
            return None


def sync(course, workspace, today=None):
    """Bring ``workspace`` up to date with the course without overwriting any file; return the Changes.

    ``today`` (``YYYY-MM-DD``, default today's date) names the update copies.
    """
    today = today or datetime.date.today().isoformat()
    course, workspace = validate.path(course, "course"), validate.path(workspace, "workspace")
    files.make_folder(workspace)
    known = read_manifest(workspace)
    copied, changes = dict(known), Changes()
    for source in learner_notebooks(course):
        data = files.read_regular(source)
        digest, mine = files.digest(data), workspace / source.name
        if not mine.exists() and not mine.is_symlink():
            if _create(mine, data):
                changes.added.append(mine)
        else:
            current = files.regular_or_none(mine)
            if current is not None and not mine.is_symlink() and _truncated_copy(current, data):
                files.write_atomically(mine, data)
                changes.repaired.append(mine)
            elif copied.get(source.name) != digest and (current is None or files.digest(current) != digest):
                new = update_path(mine, digest, today)
                if new is not None and _create(new, data):
                    changes.updates.append((mine, new))
        copied[source.name] = digest
    if copied != known:
        write_manifest(workspace, copied)
    return changes


def _create(path, data):
    """Write ``data`` at ``path`` unless something took the name meanwhile; whether it was written."""
    try:
        files.write_atomically(path, data, replace=False)
    except FileExistsError:  # the learner (or another run) was quicker: theirs stays
        return False
    return True


def _truncated_copy(mine, course_copy):
    """Whether ``mine`` (bytes) is the start of ``course_copy`` cut short: a copy that never finished.

    Such a file holds nothing of the learner's (every byte is the course's), and
    it is not a notebook: an older version of this command, stopped by a full
    disk, left it behind.
    """
    return len(mine) < len(course_copy) and course_copy.startswith(mine)


def prepare(directory=None, course=None):
    """Find the course, sync the workspace (``directory`` or the default) and print the changes.

    Returns the workspace's absolute path.
    """
    root = find_course(course)
    workspace = _absolute(root / DEFAULT_WORKSPACE if directory is None else directory, "--dir")
    for line in sync(root, workspace).messages():
        print(line)
    return workspace


def cli(argv):
    argv = command_line(argv)
    parser = ArgumentParser(
        prog=PROG,
        description="Copy the course's notebooks into your workspace (never overwriting your files) "
        "and print its path.",
    )
    parser.add_argument(
        "dir", nargs="?", help=f"the workspace (default: {DEFAULT_WORKSPACE}/ in the course folder)"
    )
    parser.add_argument("--course", help="the course folder (default: found from the current folder)")
    args = parser.parse_args(argv)
    try:
        workspace = prepare(args.dir, args.course)
    except (OSError, ValueError) as error:
        return fail(PROG, files.describe(error))
    print(workspace)
    return 0
