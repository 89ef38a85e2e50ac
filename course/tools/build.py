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
A file in ``notebooks/`` that holds outputs or execution counts was therefore
run by someone: ``build`` refuses to overwrite it unless ``force`` is given.
"""

import ast
import json
import re
from pathlib import Path

import nbformat

from ..exercises.core import ID_SCHEME
from . import command_line

BEGIN = re.compile(r"^(\s*)# BEGIN SOLUTION\s*$")
END = re.compile(r"^(\s*)# END SOLUTION\s*$")
YOUR_CODE = "# YOUR CODE HERE"
NOTEBOOK_METADATA = {
    "kernelspec": {"display_name": "Python 3 (ipykernel)", "language": "python", "name": "python3"},
    "language_info": {"name": "python"},
}


class MarkerError(ValueError):
    """A BEGIN/END SOLUTION pair that is unbalanced or nested."""


class LearnerWorkError(FileExistsError):
    """A learner notebook to overwrite holds outputs or execution counts: someone's work."""


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


def learner_notebook(solution):
    """The learner copy of a solution notebook (a new NotebookNode)."""
    nb = nbformat.read(solution, as_version=4)
    nb.metadata = dict(NOTEBOOK_METADATA, course={"id_scheme": ID_SCHEME})
    nb.nbformat, nb.nbformat_minor = 4, 5
    for index, cell in enumerate(nb.cells):
        cell.metadata = {"tags": cell.metadata["tags"]} if cell.metadata.get("tags") else {}
        cell.id = cell.get("id") or f"cell-{index}"
        if cell.cell_type == "code":
            cell.source = stub_cell_source(cell.source, f"{Path(solution).name}, cell {index}")
            cell.outputs, cell.execution_count = [], None
    return nb


def render(nb):
    return nbformat.writes(nb) + "\n"


def holds_work(path):
    """Whether the notebook at ``path`` has outputs or execution counts (it was run, maybe edited)."""
    try:
        cells = json.loads(path.read_text(encoding="utf-8"))["cells"]
        return any(cell.get("outputs") or cell.get("execution_count") is not None for cell in cells)
    except (ValueError, LookupError, TypeError, AttributeError):  # not a notebook: nothing to keep
        return False


def build(root=".", check=False, force=False):
    """Write (or with ``check`` compare) every learner notebook; return the out-of-sync names.

    Raises :class:`LearnerWorkError`, before writing anything, when a notebook to
    overwrite holds learner work, unless ``force``.
    """
    root = Path(root)
    solutions = sorted((root / "solutions").glob("*.ipynb"))
    if not solutions:
        raise FileNotFoundError(f"no notebooks found in {root / 'solutions'}")
    target = root / "notebooks"
    texts = {target / solution.name: render(learner_notebook(solution)) for solution in solutions}
    stale = [
        path for path, text in texts.items() if not path.exists() or path.read_text(encoding="utf-8") != text
    ]
    kept = [path for path in stale if path.exists() and holds_work(path)]
    if kept and not check and not force:
        names = ", ".join(f"notebooks/{path.name}" for path in kept)
        raise LearnerWorkError(
            f"learner work in {names} (outputs or execution counts, so someone ran it): "
            "move the file away, or pass --force to overwrite it"
        )
    if not check:
        target.mkdir(exist_ok=True)
        for path in stale:
            path.write_text(texts[path], encoding="utf-8")
    expected = {s.name for s in solutions}
    orphans = sorted(p.name for p in target.glob("*.ipynb") if p.name not in expected)
    return [path.name for path in stale], orphans


def cli(argv):
    argv = command_line(argv)
    import argparse

    parser = argparse.ArgumentParser(
        prog="python -m course build", description="Generate notebooks/ from solutions/."
    )
    parser.add_argument(
        "--check", action="store_true", help="only compare; exit 1 naming each notebook out of sync"
    )
    parser.add_argument(
        "--force", action="store_true", help="overwrite learner notebooks even when they hold outputs"
    )
    parser.add_argument("--root", default=".", help="the course folder (default: current folder)")
    args = parser.parse_args(argv)
    try:
        stale, orphans = build(args.root, check=args.check, force=args.force)
    except (MarkerError, FileNotFoundError, LearnerWorkError) as error:
        print(f"error: {error}")
        return 2
    for name in orphans:
        print(f"notebooks/{name} has no solutions/{name}: delete it or add the solution")
    if args.check:
        for name in stale:
            print(f"notebooks/{name} is out of sync with solutions/{name}: run python -m course build")
        if not stale and not orphans:
            print("learner notebooks are in sync with solutions/")
        return 1 if stale or orphans else 0
    print(f"wrote {len(stale)} learner notebook(s)" if stale else "learner notebooks already up to date")
    return 1 if orphans else 0
