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
"""

import datetime
import itertools
import json
import shutil
from dataclasses import dataclass, field
from pathlib import Path

from ..data.downloads import sha256
from ..runtime import validate
from . import command_line

DEFAULT_WORKSPACE = "my-notebooks"
MANIFEST = ".course-manifest.json"


@dataclass
class Changes:
    """What one synchronisation did: notebooks added, and course updates placed beside a learner's copy."""

    added: list = field(default_factory=list)
    updates: list = field(default_factory=list)  # (learner's notebook, the course's new version beside it)

    def messages(self):
        """One line per change, for the learner."""
        lines = [f"added {path.name}" for path in self.added]
        lines += [
            f'{mine.name} changed in the course: its new version is "{new.name}", beside yours (yours is untouched)'
            for mine, new in self.updates
        ]
        return lines


def learner_notebooks(course):
    """The course's learner notebooks, ``course/notebooks/*.ipynb``, sorted."""
    return sorted((Path(course) / "notebooks").glob("*.ipynb"))


def find_course(explicit=None):
    """The course folder: ``explicit`` if given, else the first folder holding ``notebooks/*.ipynb``.

    The search looks in the current folder, its parents (so it works from inside
    the workspace) and the folder above this package (an editable install). An
    installed package does not carry the notebooks, so when none of these holds
    them, FileNotFoundError says to run from the course folder or pass ``--course``.
    """
    if explicit is not None:
        root = validate.path(explicit, "--course").expanduser().resolve()
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
    try:
        return dict(json.loads((workspace / MANIFEST).read_text(encoding="utf-8"))["notebooks"])
    except (OSError, ValueError, LookupError, TypeError):  # missing or damaged: nothing is known as copied
        return {}


def write_manifest(workspace, copied):
    text = json.dumps(
        {
            "about": "the course notebooks as last copied here (python -m course workspace)",
            "notebooks": copied,
        },
        indent=1,
        sort_keys=True,
    )
    (workspace / MANIFEST).write_text(text + "\n", encoding="utf-8")


def update_path(mine, digest, today):
    """Where the course's new version of ``mine`` goes: a free name beside it; None if it is already there.

    ``NAME (course update DATE).ipynb``, then ``NAME (course update DATE, 2).ipynb``, ...
    """
    for number in itertools.count(1):
        label = today if number == 1 else f"{today}, {number}"
        candidate = mine.with_name(f"{mine.stem} (course update {label}).ipynb")
        if not candidate.exists():
            return candidate
        if sha256(candidate) == digest:
            return None


def sync(course, workspace, today=None):
    """Bring ``workspace`` up to date with the course without overwriting any file; return the Changes.

    ``today`` (``YYYY-MM-DD``, default today's date) names the update copies.
    """
    today = today or datetime.date.today().isoformat()
    workspace = Path(workspace)
    workspace.mkdir(parents=True, exist_ok=True)
    copied, changes = read_manifest(workspace), Changes()
    for source in learner_notebooks(course):
        digest, mine = sha256(source), workspace / source.name
        if not mine.exists():
            shutil.copyfile(source, mine)
            changes.added.append(mine)
        elif copied.get(source.name) != digest and sha256(mine) != digest:
            new = update_path(mine, digest, today)
            if new is not None:
                shutil.copyfile(source, new)
                changes.updates.append((mine, new))
        copied[source.name] = digest
    write_manifest(workspace, copied)
    return changes


def prepare(directory=None, course=None):
    """Find the course, sync the workspace (``directory`` or the default) and print the changes.

    Returns the workspace's absolute path.
    """
    root = find_course(course)
    workspace = (
        validate.path(directory, "--dir").expanduser() if directory is not None else root / DEFAULT_WORKSPACE
    ).resolve()
    for line in sync(root, workspace).messages():
        print(line)
    return workspace


def cli(argv):
    argv = command_line(argv)
    import argparse

    parser = argparse.ArgumentParser(
        prog="python -m course workspace",
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
        print(f"error: {error}")
        return 2
    print(workspace)
    return 0
