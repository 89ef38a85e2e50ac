"""What a submission is graded on: the course's own learner notebooks, not the submission.

The exercises of a notebook, and the answer each check is given, are read from
the course's copy in ``notebooks/`` (the checks in its code cells). A submission
is then *restored* against it, the way nbgrader restores its graded cells:

* each exercise's answer cell is found by the cell id it has in the course's
  copy, else by a check of that exercise (its id mapped through the renames
  table for a notebook of an older id scheme), else by the first cell that
  defines the answer's name;
* the student's own ``check(...)`` lines are dropped from answer cells (their
  verdicts would count for nothing);
* once every cell has run, each exercise's answer (its name's final value) is
  probed; exercises the student deleted are still probed, and ids the student
  invented are ignored.

A notebook of an older id scheme is graded on the exercises its own checks
name, mapped to today's ids (retired ones dropped), since the course keeps
only today's copy of each notebook.
"""

import ast
import re
from dataclasses import dataclass, field
from pathlib import Path

import nbformat

from ...exercises import core, registry

CHECK_CALL = re.compile(r"""\bcheck\(\s*["'](\d+\.\d+)["']\s*,\s*([A-Za-z_]\w*)""")
GRADER_CELL = "course_grader"  # metadata key of the cells the grader adds
INKERNEL = "course.tools.grading.inkernel"


@dataclass(frozen=True)
class Check:
    """One exercise of a course notebook: its id today, its check cell's id, the answer's name."""

    exercise: str
    cell_id: str
    answer: str


@dataclass(frozen=True)
class CourseNotebook:
    name: str  # "00_welcome"
    checks: tuple

    @property
    def number(self):
        return self.name[:2]


def learner_notebooks_folder():
    """``notebooks/`` beside this package: the course's own copies in a source or editable install."""
    import course

    return Path(course.__file__).resolve().parent.parent / "notebooks"


def _has_notebooks(folder):
    try:
        return folder.is_dir() and any(folder.glob("[0-9][0-9]_*.ipynb"))
    except OSError:  # unreadable, a name too long: no notebooks to be had there
        return False


def find_notebooks(course=None):
    """The folder of the course's learner notebooks that the grader reads; FileNotFoundError if none.

    ``course``: the course folder (``--course DIR``, holding ``notebooks/``). Without it: the
    folder beside this package (a source or editable install, whose notebooks match the
    installed exercises), else the current folder or one above it (a wheel install, run from a
    copy of the course). The notebooks are not package data: a wheel carries no copy of them.
    """
    if course is not None:
        root = Path(course).expanduser()
        if not _has_notebooks(root / "notebooks"):
            raise FileNotFoundError(
                f"--course {course}: there is no notebooks/NN_*.ipynb in that folder: pass the course folder"
            )
        return (root / "notebooks").resolve()
    here = Path.cwd()
    for folder in (learner_notebooks_folder(), here / "notebooks", *(p / "notebooks" for p in here.parents)):
        if _has_notebooks(folder):
            return folder.resolve()
    raise FileNotFoundError(
        f"cannot find the course's learner notebooks (notebooks/NN_*.ipynb) from {here}: run the grader "
        "from the course folder, or pass --course DIR"
    )


def checks_in(source):
    """``[(exercise id, answer name), ...]`` of the check calls in a cell's code, in order."""
    return CHECK_CALL.findall(source)


def course_notebooks(folder=None):
    """The course's learner notebooks: ``{name: CourseNotebook}``, exercises known to the registry only."""
    folder = learner_notebooks_folder() if folder is None else Path(folder)
    known = set(registry.known_ids())
    found = {}
    for path in sorted(folder.glob("[0-9][0-9]_*.ipynb")):
        notebook = nbformat.read(path, as_version=4)
        checks = []
        for cell in notebook.cells:
            if cell.cell_type == "code":
                for exercise_id, answer in checks_in(cell.source):
                    if exercise_id in known and exercise_id not in {c.exercise for c in checks}:
                        checks.append(Check(exercise_id, cell.get("id", ""), answer))
        found[path.stem] = CourseNotebook(path.stem, tuple(checks))
    return found


def id_scheme(notebook, course_nb=None):
    """The id scheme a notebook was built with (its metadata), and a note when it had to be guessed.

    Without a scheme in its metadata a notebook is read as scheme 1, unless every check cell of
    ``course_nb`` is in it checking today's id (a copy of ``solutions/``, say): then as today's.
    """
    scheme = (
        notebook.metadata.get("course", {}).get("id_scheme")
        if isinstance(notebook.metadata.get("course"), dict)
        else None
    )
    if isinstance(scheme, int) and not isinstance(scheme, bool) and 1 <= scheme <= core.ID_SCHEME:
        return scheme, ""
    if scheme is None and course_nb is not None and _checks_as_today(course_nb, notebook):
        return core.ID_SCHEME, "no id scheme in its metadata: its checks are today's, read as today's"
    if scheme is None:
        return 1, "no id scheme in its metadata: read as scheme 1"
    return core.ID_SCHEME, f"id scheme {scheme!r} unknown: read as today's"


def _checks_as_today(course_nb, submission):
    """Whether every check cell of ``course_nb`` is in ``submission`` (same cell id) checking the same id.

    An older notebook has another id in at least one of those cells.
    """
    cells = {c.get("id"): c.source for c in submission.cells if c.cell_type == "code"}
    return bool(course_nb.checks) and all(
        check.exercise in {found for found, _ in checks_in(cells.get(check.cell_id, ""))}
        for check in course_nb.checks
    )


def _defines(source, name):
    """Whether a cell's top level defines ``name`` (def, class, assignment, import)."""
    try:
        tree = ast.parse(source)
    except (SyntaxError, ValueError):
        return (
            re.search(rf"^(def|class)\s+{re.escape(name)}\b|^{re.escape(name)}\s*=", source, re.M) is not None
        )
    for node in tree.body:
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)) and node.name == name:
            return True
        targets = []
        if isinstance(node, ast.Assign):
            targets = node.targets
        elif isinstance(node, (ast.AnnAssign, ast.AugAssign)):
            targets = [node.target]
        if any(isinstance(t, ast.Name) and t.id == name for t in targets):
            return True
    return False


def without_checks(source):
    """A cell's code without its top-level ``check(...)`` statements (unchanged if it does not parse)."""
    try:
        tree = ast.parse(source)
    except (SyntaxError, ValueError):
        return source
    lines = source.splitlines(keepends=True)
    drop = set()
    for node in tree.body:
        call = node.value if isinstance(node, ast.Expr) else None
        if isinstance(call, ast.Call):
            name = getattr(call.func, "attr", None) or getattr(call.func, "id", None)
            if name == "check":
                drop.update(range(node.lineno - 1, node.end_lineno))
    return "".join(line for number, line in enumerate(lines) if number not in drop)


@dataclass
class Plan:
    """A submission restored for grading: the cells to run and the exercises to probe after them."""

    notebook: object  # the notebook to run (a new object; the submission is not changed)
    exercises: list  # today's ids graded, in course order
    seeds: dict  # exercise id -> this run's secret seed (never in the notebook)
    cell_numbers: list  # for each cell to run: its number in the submission (from 1), None for added
    names: dict = field(default_factory=dict)  # exercise id -> the name of its answer
    answers: dict = field(default_factory=dict)  # exercise id -> number of its answer cell
    notes: list = field(default_factory=list)


def _answer_cells(course_nb, submission, scheme):
    """``{exercise id: cell index}`` of the answer cells found, and the checks graded."""
    cells = submission.cells
    code = [i for i, c in enumerate(cells) if c.cell_type == "code"]
    by_id = {c.get("id"): i for i, c in enumerate(cells) if c.cell_type == "code"}
    checked = {}  # today's id -> first cell whose check names it
    for i in code:
        for old_id, _ in checks_in(cells[i].source):
            today = core.current_id(old_id, scheme)
            if today is not None:
                checked.setdefault(today, i)
    posed = [c for c in course_nb.checks if scheme == core.ID_SCHEME or c.exercise in checked]
    found, taken = {}, set()
    for check in posed:
        candidates = []
        if scheme == core.ID_SCHEME and check.cell_id in by_id:
            candidates.append(by_id[check.cell_id])
        if check.exercise in checked:
            candidates.append(checked[check.exercise])
        candidates += [i for i in code if _defines(cells[i].source, check.answer)]
        place = next((i for i in candidates if i not in taken), None)
        if place is not None:
            found[check.exercise] = place
            taken.add(place)
    return found, posed


def restore(course_nb, submission, seeds_from):
    """The :class:`Plan` to grade ``submission`` (a NotebookNode) as ``course_nb``.

    ``seeds_from()`` draws one secret seed per exercise; the seeds stay with the grader.
    """
    scheme, note = id_scheme(submission, course_nb)
    notes = [note] if note else []
    if scheme != core.ID_SCHEME:
        notes.append(f"id scheme {scheme}: exercises mapped to today's ids")
    found, posed = _answer_cells(course_nb, submission, scheme)
    start = nbformat.v4.new_code_cell(f"__import__({INKERNEL!r}, fromlist=['start']).start()")
    start.metadata[GRADER_CELL] = "start"
    run = nbformat.v4.new_notebook(metadata=submission.metadata)
    run.cells, numbers = [start], [None]
    for index, cell in enumerate(submission.cells):
        cell = nbformat.from_dict(dict(cell))
        cell.metadata.pop(GRADER_CELL, None)  # a student cannot pose as the grader
        if cell.cell_type == "code" and index in found.values():
            cell.source = without_checks(cell.source)
        run.cells.append(cell)
        numbers.append(index + 1)
    exercises = [check.exercise for check in posed]
    return Plan(
        notebook=run,
        exercises=exercises,
        seeds={exercise: seeds_from() for exercise in exercises},
        cell_numbers=numbers,
        names={check.exercise: check.answer for check in posed},
        answers={exercise: index + 1 for exercise, index in found.items()},
        notes=notes,
    )
