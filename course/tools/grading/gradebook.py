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
"""

import csv
import json
import os
from pathlib import Path

from ...exercises.core import FAILED, NOT_ATTEMPTED, PASSED, order

SYMBOLS = {PASSED: "passed", FAILED: "failed", NOT_ATTEMPTED: "-"}
FIXED = ["passed", "failed", "not_attempted", "exercises", "seconds", "run", "review", "sandbox"]


def journal_path(csv_path):
    csv_path = Path(csv_path)
    return csv_path.with_name(csv_path.stem + ".journal.jsonl")


def points_path(csv_path):
    csv_path = Path(csv_path)
    return csv_path.with_name(csv_path.stem + "-points.csv")


def read_journal(path):
    """The records of a journal, the last one per (student, notebook); malformed lines are skipped."""
    records = {}
    if not Path(path).is_file():
        return records
    for line in Path(path).read_text(encoding="utf-8", errors="replace").splitlines():
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
    path = Path(path)
    partial = path.with_name(f".{path.name}.{os.getpid()}.part")
    with open(partial, "w", newline="", encoding="utf-8") as out:
        writer = csv.DictWriter(out, fieldnames=header, restval="", extrasaction="ignore")
        writer.writeheader()
        writer.writerows(rows)
    os.replace(partial, path)


def write_csv(rows, path):
    """The gradebook CSV from rows (dicts as :func:`row` makes them, or as read back from CSV files)."""
    exercises = sorted(
        {key for r in rows for key in r if key not in FIXED and key not in ("student", "notebook")},
        key=order,
    )
    rows = sorted(rows, key=lambda r: (r["student"], r["notebook"]))
    _write_atomically(path, ["student", "notebook", *exercises, *FIXED], rows)


def write_points(rows, path):
    """One row per student, the points (exercises passed) per notebook and in total."""
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


class Gradebook:
    """The journal and both CSV files of one grading run."""

    def __init__(self, csv_path, resume=False):
        self.csv = Path(csv_path)
        self.journal = journal_path(self.csv)
        self.points = points_path(self.csv)
        self.csv.parent.mkdir(parents=True, exist_ok=True)
        self.records = read_journal(self.journal) if resume else {}
        if not resume:
            self.journal.write_text("", encoding="utf-8")
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


def read_csv(path):
    with open(path, newline="", encoding="utf-8") as file:
        return list(csv.DictReader(file))


def merge(paths, out):
    """Join gradebook CSVs (e.g. one per shard) into ``out`` and its points file; returns the row count."""
    rows = {}
    for path in paths:
        for r in read_csv(path):
            if "student" in r and "notebook" in r:
                rows[(r["student"], r["notebook"])] = r
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
