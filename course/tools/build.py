"""``python -m course build``: make the learner notebooks from the solutions.

In ``solutions/NN_name.ipynb`` a learner task is a region of a code cell::

    # BEGIN SOLUTION
    ...the answer...
    # END SOLUTION

In ``notebooks/NN_name.ipynb`` the region becomes a stub: inside a function
(the region is indented) ``raise NotImplementedError``; at the top level each
assignment keeps its name and gets ``...``, each ``def`` keeps its signature.
Outputs and execution counts are stripped and metadata normalized (with the
exercise id scheme, ``"course": {"id_scheme": N}``, so that a grader can map the
ids of a notebook from an earlier version), so the
generated files are the same on every machine and ``--check`` can compare them.

``build`` replaces only what it wrote itself. Beside the notebooks it keeps a
manifest, ``notebooks/.build-manifest.json`` (tracked with them), holding the
sha256 of each notebook it wrote. A file in ``notebooks/`` whose bytes match
neither that entry nor the new learner copy was edited, run or damaged by
someone: ``build`` refuses to replace it, naming it, unless ``force`` is given.
A symbolic link there is never written through (``force`` replaces the link
itself). Each file is written to a temporary file in the same folder and then
renamed (see :mod:`course.tools.files`), so a failed write changes nothing.
"""

import ast
import json
import os
import re
import stat
from pathlib import Path

import nbformat

from ..exercises.core import ID_SCHEME
from ..runtime import validate
from . import PROGRAM, ArgumentParser, command_line, fail, files

BEGIN = re.compile(r"^(\s*)# BEGIN SOLUTION\s*$")
END = re.compile(r"^(\s*)# END SOLUTION\s*$")
YOUR_CODE = "# YOUR CODE HERE"
NOTEBOOK_METADATA = {
    "kernelspec": {"display_name": "Python 3 (ipykernel)", "language": "python", "name": "python3"},
    "language_info": {"name": "python"},
}
PROG = f"{PROGRAM} build"
MANIFEST = ".build-manifest.json"  # in notebooks/: the sha256 of each notebook build wrote there


class MarkerError(ValueError):
    """A BEGIN/END SOLUTION pair that is unbalanced or nested."""


class NotebookError(ValueError):
    """A solution notebook that cannot be read: not a file, not UTF-8, not JSON, not a notebook."""


class LearnerWorkError(FileExistsError):
    """A file in ``notebooks/`` that build did not write (someone's work), a link or a folder."""


def solution_regions(lines, where):
    """Index pairs ``(begin, end)`` of the marker lines; raise MarkerError on bad nesting."""
    regions, begin = [], None
    for number, line in enumerate(lines):
        if BEGIN.match(line):
            if begin is not None:
                raise MarkerError(
                    f"{where}: nested '# BEGIN SOLUTION' at line {number + 1} (the one at line {begin + 1} is still open)"
                )
            begin = number
        elif END.match(line):
            if begin is None:
                raise MarkerError(f"{where}: '# END SOLUTION' at line {number + 1} has no matching BEGIN")
            regions.append((begin, number))
            begin = None
    if begin is not None:
        raise MarkerError(f"{where}: '# BEGIN SOLUTION' at line {begin + 1} is never closed")
    return regions


def top_level_stub(body, where):
    """Names keep ``= ...``, functions keep their signature; everything else goes."""
    try:
        tree = ast.parse("\n".join(body))
    except SyntaxError as error:
        raise MarkerError(
            f"{where}: the solution region is not valid Python on its own ({error.msg})"
        ) from None
    stub = []
    for node in tree.body:
        if isinstance(node, (ast.Assign, ast.AnnAssign)):
            targets = node.targets if isinstance(node, ast.Assign) else [node.target]
            stub += [f"{ast.unparse(target)} = ..." for target in targets]
        elif isinstance(node, ast.FunctionDef):
            header = body[node.lineno - 1 : node.body[0].lineno - 1]
            stub += header + ["    raise NotImplementedError"]
    return stub or ["..."]


def stub_cell_source(source, where):
    lines = source.split("\n")
    out, last = [], 0
    for begin, end in solution_regions(lines, where):
        indent = BEGIN.match(lines[begin]).group(1)
        out += lines[last:begin] + [indent + YOUR_CODE]
        if indent:
            out.append(indent + "raise NotImplementedError")
        else:
            out += top_level_stub(lines[begin + 1 : end], where)
        last = end + 1
    return "\n".join(out + lines[last:])


def read_notebook(path):
    """The notebook at ``path`` as a version-4 NotebookNode; NotebookError saying what is wrong with it."""
    try:
        data = files.read_regular(path)
    except files.NotRegularFileError as error:
        raise NotebookError(f"{error}: a notebook is a .ipynb file") from None
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        raise NotebookError(
            f"{path} is not UTF-8 text (byte 0x{data[error.start]:02x} at offset {error.start}): "
            "save it again as UTF-8"
        ) from None
    try:
        content = json.loads(text)
    except json.JSONDecodeError as error:
        raise NotebookError(
            f"{path} is not valid JSON ({error.msg} at line {error.lineno}, column {error.colno}): "
            "is it cut short or damaged?"
        ) from None
    except RecursionError:
        raise NotebookError(f"{path} is not a notebook (its JSON is nested too deeply)") from None
    if not isinstance(content, dict) or "cells" not in content:
        raise NotebookError(f"{path} is JSON but not a notebook (it has no list of cells)")
    try:
        nb = nbformat.reads(text, as_version=4)
        nbformat.validate(nb)
    except (nbformat.ValidationError, ValueError, LookupError, TypeError, AttributeError) as error:
        detail = str(getattr(error, "message", error)).strip().splitlines() or ["unreadable"]
        raise NotebookError(f"{path} is not a valid notebook ({detail[0][:200]})") from None
    return nb


def learner_notebook(solution):
    """The learner copy of the solution notebook at ``solution`` (a new NotebookNode).

    ``solution`` is a path (str or pathlib.Path); a file that is not a readable
    notebook raises :class:`NotebookError` (a ValueError) naming it.
    """
    solution = validate.path(solution, "solution", must_exist=True)
    nb = read_notebook(solution)
    nb.metadata = dict(NOTEBOOK_METADATA, course={"id_scheme": ID_SCHEME})
    nb.nbformat, nb.nbformat_minor = 4, 5
    for index, cell in enumerate(nb.cells):
        cell.metadata = {"tags": cell.metadata["tags"]} if cell.metadata.get("tags") else {}
        cell.id = cell.get("id") or f"cell-{index}"
        if cell.cell_type == "code":
            cell.source = stub_cell_source(cell.source, f"{solution.name}, cell {index}")
            cell.outputs, cell.execution_count = [], None
    return nb


def render(nb):
    return nbformat.writes(nb) + "\n"


def _manifest_text(digests):
    """The manifest's text for ``{notebook name: sha256, or a list of them}``."""
    about = "the sha256 of each notebook python -m course build wrote here: it replaces only these"
    return json.dumps({"about": about, "notebooks": digests}, indent=1, sort_keys=True) + "\n"


def _read_manifest(folder):
    """``{notebook name: set of sha256}`` from ``folder``'s manifest; empty when it is missing or damaged."""
    data = files.regular_or_none(Path(folder) / MANIFEST)
    try:
        entries = json.loads(data.decode("utf-8"))["notebooks"]
        items = entries.items()
    except (AttributeError, ValueError, LookupError, TypeError, RecursionError):
        return {}
    known = {}
    for name, value in items:
        values = value if isinstance(value, list) else [value]
        known[name] = {digest for digest in values if isinstance(digest, str)}
    return known


def _manifest_in_sync(folder, digests):
    """Whether ``folder``'s manifest lists exactly ``digests``."""
    data = files.regular_or_none(Path(folder) / MANIFEST)
    try:
        return json.loads(data.decode("utf-8")) == json.loads(_manifest_text(digests))
    except (AttributeError, ValueError, RecursionError):
        return False


def _refusal(path, new, known):
    """Whether build may replace ``path`` with a file of sha256 ``new``.

    Returns ``(stale, why, forcible)``: ``stale`` when ``path`` does not hold
    that file yet; ``why``, when replacing it could lose someone's work (or
    cannot work), says so; ``forcible`` when ``--force`` may replace it anyway.
    """
    try:
        mode = path.lstat().st_mode
    except FileNotFoundError:
        return True, None, True
    if stat.S_ISLNK(mode):
        return (
            True,
            "is a symbolic link: build never writes through one (--force replaces the link itself)",
            True,
        )
    if stat.S_ISDIR(mode):
        return True, "is a folder, not a notebook: move it away", False
    if not stat.S_ISREG(mode):
        return True, f"is {validate.file_kind(mode)}, not a notebook", True
    current = files.digest(files.read_regular(path), newlines=True)
    if current == new:
        return False, None, True
    if current in known:
        return True, None, True
    return True, "differs from what build wrote there (edited, run or damaged: someone's work)", True


def build(root=".", check=False, force=False):
    """Write (or with ``check`` compare) every learner notebook; return the out-of-sync names and orphans.

    The out-of-sync names end with :data:`MANIFEST` when the manifest does not
    list the notebooks as built. Raises :class:`LearnerWorkError`, before
    writing anything, when a file to replace was not written by build (unless
    ``force``), or is a folder; :class:`NotebookError` or MarkerError for a
    solution that cannot be made into a learner copy.
    """
    root = validate.path(root, "root")
    check, force = validate.boolean(check, "check"), validate.boolean(force, "force")
    solutions = sorted((root / "solutions").glob("*.ipynb"))
    if not solutions:
        raise FileNotFoundError(f"no notebooks found in {root / 'solutions'}")
    target = root / "notebooks"
    if os.path.lexists(target) and not target.is_dir():
        raise LearnerWorkError(f"{target} is not a folder: move it away, then run python -m course build")
    texts = {solution.name: render(learner_notebook(solution)).encode("utf-8") for solution in solutions}
    digests = {name: files.digest(data, newlines=True) for name, data in texts.items()}
    known = _read_manifest(target)
    stale, refused, blocking = [], [], []
    for name, digest in digests.items():
        is_stale, why, forcible = _refusal(target / name, digest, known.get(name, set()))
        if is_stale:
            stale.append(name)
        if why:
            (refused if forcible else blocking).append(f"notebooks/{name} {why}")
    manifest_stale = not _manifest_in_sync(target, digests)
    expected = set(digests)
    orphans = sorted(p.name for p in target.glob("*.ipynb") if p.name not in expected)
    if check:
        return stale + [MANIFEST] * manifest_stale, orphans
    if blocking or (refused and not force):
        reasons = blocking + ([] if force else refused)
        hint = "" if force or not refused else "; move it away, or pass --force to replace it"
        raise LearnerWorkError(f"build keeps what it did not write: {'; '.join(reasons)}{hint}")
    files.make_folder(target)
    if stale:  # until every notebook is written, the manifest knows the old and the new version
        interim = {name: sorted({digest, *known.get(name, ())}) for name, digest in digests.items()}
        files.write_atomically(target / MANIFEST, _manifest_text(interim))
        for name in stale:
            files.write_atomically(target / name, texts[name])
    if stale or manifest_stale:
        files.write_atomically(target / MANIFEST, _manifest_text(digests))
    return stale + [MANIFEST] * manifest_stale, orphans


def cli(argv):
    argv = command_line(argv)
    parser = ArgumentParser(prog=PROG, description="Generate notebooks/ from solutions/.")
    parser.add_argument(
        "--check", action="store_true", help="only compare; exit 1 naming each notebook out of sync"
    )
    parser.add_argument(
        "--force",
        action="store_true",
        help="replace files in notebooks/ that build did not write (someone's work) and links",
    )
    parser.add_argument("--root", default=".", help="the course folder (default: current folder)")
    args = parser.parse_args(argv)
    try:
        stale, orphans = build(args.root, check=args.check, force=args.force)
    except (ValueError, OSError) as error:
        return fail(PROG, files.describe(error))
    notebooks = [name for name in stale if name != MANIFEST]
    for name in orphans:
        print(f"notebooks/{name} has no solutions/{name}: delete it or add the solution")
    if args.check:
        for name in notebooks:
            print(f"notebooks/{name} is out of sync with solutions/{name}: run python -m course build")
        if MANIFEST in stale:
            print(f"notebooks/{MANIFEST} does not list the notebooks as built: run python -m course build")
        if not stale and not orphans:
            print("learner notebooks are in sync with solutions/")
        return 1 if stale or orphans else 0
    print(
        f"wrote {len(notebooks)} learner notebook(s)" if notebooks else "learner notebooks already up to date"
    )
    if MANIFEST in stale and not notebooks:
        print(f"wrote notebooks/{MANIFEST}")
    return 1 if orphans else 0
