"""The gradebook: a journal written as each notebook finishes, and the CSV files made from it.

* ``FILE.journal.jsonl`` (beside the CSV): one JSON object per graded notebook,
  appended and flushed as soon as the notebook is graded, so Ctrl-C, SIGTERM or
  a crash lose nothing already graded; ``--resume`` reads it back and skips those.
* ``FILE`` (the ``--csv``): one row per student and notebook, a status word per
  exercise, the counts, the time, how the run ended, the review notes and the sandbox.
* ``FILE-points.csv``: one row per student, a points column per notebook (the
  exercises passed) and the total, for a spreadsheet or an LMS import.

Both CSV files are rewritten whole after each notebook (written aside, then
renamed), so they are always complete and readable.

The grader never loses a gradebook, nor a file that is not one: a new run
refuses a ``--csv`` whose files exist (:class:`GradebookExists`: continue it
with ``--resume`` or pick another name), and no run or merge replaces a folder,
a file this tool did not write, or a gradebook's grades that its journal lacks
(:class:`NotAGradebook`, :class:`GradebookExists`). Every check runs before
anything is written.
"""

import csv
import json
import os
from pathlib import Path

from ...exercises.core import FAILED, NOT_ATTEMPTED, PASSED, order
from ...runtime import validate

SYMBOLS = {PASSED: "passed", FAILED: "failed", NOT_ATTEMPTED: "-"}
FIXED = ["passed", "failed", "not_attempted", "exercises", "seconds", "run", "review", "sandbox"]
HEADER_LIMIT = 1 << 20  # characters read to find a CSV header: a gradebook's is far shorter


class GradebookError(Exception):
    """A gradebook file the grader will not write; the message names it and says what to do instead."""


class GradebookExists(GradebookError, FileExistsError):
    """Writing would replace grades already there: a new run over an old gradebook, or a resume without them."""


class NotAGradebook(GradebookError, ValueError):
    """A path the grader would write holds what it must not replace: a folder, a user's file, an input."""


def describe(error):
    """One line for an error of reading or writing a gradebook: the message, or the file and the system's reason."""
    if isinstance(error, OSError) and error.strerror and error.filename is not None:
        return f"{error.filename}: {error.strerror}"
    return " ".join(str(error).splitlines())


def _file_path(value, name):
    """``value`` as a ``Path`` that names a file (``/`` or ``..`` name none); TypeError for numbers and bools."""
    path = validate.path(value, name)
    if path.name in ("", "..", "."):
        raise ValueError(f"{name} must name a file, got {os.fspath(value)!r}")
    return path


def journal_path(csv_path):
    csv_path = _file_path(csv_path, "csv_path")
    return csv_path.with_name(csv_path.stem + ".journal.jsonl")


def points_path(csv_path):
    csv_path = _file_path(csv_path, "csv_path")
    return csv_path.with_name(csv_path.stem + "-points.csv")


def read_journal(path):
    """The records of a journal, the last one per (student, notebook); malformed lines are skipped."""
    path = validate.path(path, "path")
    records = {}
    if not path.is_file():
        return records
    for line in path.read_text(encoding="utf-8", errors="replace").splitlines():
        try:
            record = json.loads(line)
            key = (str(record["student"]), str(record["notebook"]))
        except (ValueError, KeyError, TypeError):
            continue
        if isinstance(record.get("statuses"), dict):
            records[key] = record
    return records


def row(record):
    """A record as a CSV row (a dict)."""
    statuses = {str(k): str(v) for k, v in record.get("statuses", {}).items()}
    counts = {s: sum(v == s for v in statuses.values()) for s in (PASSED, FAILED, NOT_ATTEMPTED)}
    return {
        "student": record["student"],
        "notebook": record["notebook"],
        **statuses,
        "passed": counts[PASSED],
        "failed": counts[FAILED],
        "not_attempted": counts[NOT_ATTEMPTED],
        "exercises": len(statuses),
        "seconds": f"{float(record.get('seconds', 0)):.1f}",
        "run": record.get("outcome", ""),
        "review": " | ".join(record.get("review", [])),
        "sandbox": record.get("sandbox", ""),
    }


def _write_atomically(path, header, rows):
    partial = path.with_name(f".{path.name}.{os.getpid()}.part")
    with open(partial, "w", newline="", encoding="utf-8") as out:
        writer = csv.DictWriter(out, fieldnames=header, restval="", extrasaction="ignore")
        writer.writeheader()
        writer.writerows(rows)
    os.replace(partial, path)


def write_csv(rows, path):
    """The gradebook CSV from rows (dicts as :func:`row` makes them, or as read back from CSV files)."""
    path = validate.path(path, "path")
    exercises = sorted(
        {key for r in rows for key in r if key not in FIXED and key not in ("student", "notebook")},
        key=order,
    )
    rows = sorted(rows, key=lambda r: (r["student"], r["notebook"]))
    _write_atomically(path, ["student", "notebook", *exercises, *FIXED], rows)


def write_points(rows, path):
    """One row per student, the points (exercises passed) per notebook and in total."""
    path = validate.path(path, "path")
    notebooks = sorted({r["notebook"] for r in rows if str(r.get("exercises", "0")) not in ("", "0")})
    students = {}
    for r in rows:
        if r["notebook"] in notebooks:
            students.setdefault(r["student"], {})[r["notebook"]] = int(r.get("passed") or 0)
    table = [
        {"student": student, **points, "total": sum(points.values())}
        for student, points in sorted(students.items())
    ]
    _write_atomically(path, ["student", *notebooks, "total"], table)


def _header(path):
    """The first row of a CSV file, or ``[]`` when it has none or is not UTF-8 text."""
    with open(path, newline="", encoding="utf-8") as file:
        try:
            return next(csv.reader([file.readline(HEADER_LIMIT)]), [])
        except (UnicodeDecodeError, csv.Error):
            return []


def _is_gradebook_csv(path):
    header = _header(path)
    return header[:2] == ["student", "notebook"] and set(FIXED) <= set(header)


def _is_points_csv(path):
    header = _header(path)
    return header[:1] == ["student"] and header[-1:] == ["total"]


def _is_journal(path):
    """Empty (a run that has graded nothing yet) or holding at least one graded-notebook record."""
    return path.stat().st_size == 0 or bool(read_journal(path))


def _refuse_unless_ours(path, is_ours, what):
    """Raise NotAGradebook when ``path`` is a folder, or a file that ``is_ours`` says this tool did not write.

    A special file (a FIFO, a device) is refused unread: opening one could block or consume it.
    """
    if path.is_dir():
        raise NotAGradebook(f"{path} is a folder, not {what}: pass --csv the name of a file")
    if path.exists() and not (path.is_file() and is_ours(path)):
        raise NotAGradebook(
            f"{path} is not {what} written by this tool, so the grader will not replace it: pass another --csv"
        )


def _refuse_foreign_outputs(csv_path):
    """Refuse a CSV or points path that holds something other than this tool's gradebook files."""
    _refuse_unless_ours(csv_path, _is_gradebook_csv, "a gradebook CSV")
    _refuse_unless_ours(points_path(csv_path), _is_points_csv, "a gradebook points CSV")


def _refuse_grades_not_in_journal(csv_path, records):
    """A resumed run rewrites both CSV files from the journal: refuse when they hold grades it lacks."""
    points = points_path(csv_path)
    in_csv = {(r["student"], r["notebook"]) for r in read_csv(csv_path)} if csv_path.exists() else set()
    in_points = {r["student"] for r in read_csv(points)} if points.exists() else set()
    if not (in_csv <= set(records) and in_points <= {student for student, _ in records}):
        raise GradebookExists(
            f"{csv_path} holds grades that its journal {journal_path(csv_path)} lacks, so --resume "
            "would lose them: restore that journal, or pass another --csv to start a new gradebook"
        )


def check(csv_path, resume=False):
    """Raise unless a grading run may write the gradebook ``csv_path``; writes nothing.

    Without ``resume`` none of its three files may exist yet (:class:`GradebookExists`);
    with it, each one there must be this tool's (:class:`NotAGradebook`) and the
    journal must hold every grade of the CSV files, which are rewritten from it.
    A CLI calls it first, so that a wrong ``--csv`` is said before any slow work.
    """
    csv_path = _file_path(csv_path, "csv_path")
    resume = validate.boolean(resume, "resume")
    journal = journal_path(csv_path)
    _refuse_foreign_outputs(csv_path)
    _refuse_unless_ours(journal, _is_journal, "a gradebook journal")
    if resume:
        _refuse_grades_not_in_journal(csv_path, read_journal(journal))
        return
    existing = [str(p) for p in (csv_path, journal, points_path(csv_path)) if p.exists()]
    if existing:
        raise GradebookExists(
            f"a gradebook is already at {', '.join(existing)}: pass --resume to continue it, "
            "or another --csv to start a new one"
        )


class Gradebook:
    """The journal and both CSV files of one grading run."""

    def __init__(self, csv_path, resume=False):
        check(csv_path, resume)
        self.csv = Path(csv_path)
        self.journal = journal_path(self.csv)
        self.points = points_path(self.csv)
        self.records = read_journal(self.journal) if resume else {}
        self.csv.parent.mkdir(parents=True, exist_ok=True)
        self.journal.touch(exist_ok=resume)  # a new run creates it exclusively, never truncating a rival's
        self.write()

    def done(self, student, notebook):
        return (student, notebook) in self.records

    def add(self, record):
        with open(self.journal, "a", encoding="utf-8") as out:
            out.write(json.dumps(record) + "\n")
            out.flush()
            os.fsync(out.fileno())
        self.records[(record["student"], record["notebook"])] = record
        self.write()

    def rows(self):
        return [row(r) for r in self.records.values()]

    def write(self):
        rows = self.rows()
        write_csv(rows, self.csv)
        write_points(rows, self.points)

    def paths(self):
        return [self.csv, self.journal, self.points]


COUNTS = ("passed", "failed", "not_attempted", "exercises")  # whole numbers in every gradebook row


def read_csv(path):
    """The rows of a gradebook CSV file, as dicts; NotAGradebook for a file that is not one (binary, damaged)."""
    path = validate.path(path, "path", must_exist=True)
    try:
        with open(path, newline="", encoding="utf-8") as file:
            return list(csv.DictReader(file))
    except (UnicodeDecodeError, csv.Error) as error:
        raise NotAGradebook(
            f"{path} cannot be read as a gradebook CSV ({type(error).__name__}: {describe(error)[:200]}): "
            "pass the --csv file of a grading run"
        ) from None


def _checked_rows(path):
    """The rows of the gradebook CSV ``path``, each one checked: a student, a notebook, whole-number counts."""
    rows = read_csv(path)
    for number, r in enumerate(rows, start=2):  # line 1 is the header
        if None in r or None in r.values():
            raise NotAGradebook(f"{path}, line {number}: a row with more or fewer cells than the header")
        if not (r["student"] and r["notebook"]):
            raise NotAGradebook(f"{path}, line {number}: the student or the notebook is empty")
        for column in COUNTS:
            if not (r[column].isascii() and r[column].isdigit()):
                raise NotAGradebook(
                    f"{path}, line {number}: {column} is {r[column][:40]!r}, not a whole number; "
                    "was the file edited? merge the CSV files grading runs wrote"
                )
    return rows


def _merge_inputs(paths):
    """``paths`` as a list of existing gradebook CSV files."""
    paths = validate.items(paths, "paths", (str, os.PathLike), "a path (str or pathlib.Path)")
    if not paths:
        raise ValueError("paths must name at least one gradebook CSV, got an empty list")
    found = [validate.path(p, f"paths[{i}]", must_exist=True) for i, p in enumerate(paths)]
    for i, path in enumerate(found):
        if not (path.is_file() and _is_gradebook_csv(path)):
            raise NotAGradebook(
                f"paths[{i}] {path} is not a gradebook CSV: merge joins the --csv files of grading runs"
            )
    return found


def _refuse_merging_into_an_input(paths, out):
    """Refuse an ``out`` (or its points file) that is one of the files being merged."""
    for target in (out, points_path(out)):
        for path in paths:
            if target.exists() and os.path.samefile(target, path):
                raise NotAGradebook(
                    f"{target} is one of the files to merge ({path}), so merging would overwrite it: "
                    "pass another --csv for the joined gradebook"
                )


def merge(paths, out):
    """Join gradebook CSVs (e.g. one per shard) into ``out`` and its points file; returns the row count.

    ``out`` may replace an older gradebook, never an input, a folder or a file this tool did not write.
    """
    paths = _merge_inputs(paths)
    out = _file_path(out, "out")
    _refuse_merging_into_an_input(paths, out)
    _refuse_foreign_outputs(out)
    rows = {}
    for path in paths:
        for r in _checked_rows(path):
            rows[(r["student"], r["notebook"])] = r
    out.parent.mkdir(parents=True, exist_ok=True)
    write_csv(list(rows.values()), out)
    write_points(list(rows.values()), points_path(out))
    return len(rows)


def table(rows):
    """The gradebook as aligned text, with a total per exercise."""
    exercises = sorted(
        {k for r in rows for k in r if k not in FIXED and k not in ("student", "notebook")},
        key=order,
    )
    words = {PASSED: "passed", FAILED: "failed", NOT_ATTEMPTED: "-"}
    header = ["student", "notebook", *exercises, "score", "time", "run"]
    body = [
        [r["student"], r["notebook"]]
        + [words.get(r.get(e, ""), "") for e in exercises]
        + [f"{r['passed']}/{r['exercises']}", f"{r['seconds']} s", r["run"]]
        for r in sorted(rows, key=lambda r: (r["student"], r["notebook"]))
    ]
    passed = [sum(r.get(e) == PASSED for r in rows) for e in exercises]
    posed = [sum(r.get(e, "") != "" for r in rows) for e in exercises]
    total = sum(int(r["passed"]) for r in rows), sum(int(r["exercises"]) for r in rows)
    body.append(
        ["total", ""] + [f"{p}/{n}" for p, n in zip(passed, posed)] + [f"{total[0]}/{total[1]}", "", ""]
    )
    widths = [max(len(str(line[c])) for line in [header, *body]) for c in range(len(header))]
    lines = ["  ".join(str(c).ljust(w) for c, w in zip(line, widths)).rstrip() for line in [header, *body]]
    lines.insert(1, "  ".join("-" * w for w in widths))
    lines.append(f"(passed: correct; failed: checked and wrong; -: {NOT_ATTEMPTED} or never reached)")
    return "\n".join(lines)
