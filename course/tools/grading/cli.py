"""``python -m course grade``: grade a class's notebooks in sandboxes; ``grade merge`` joins shards."""

import argparse
import multiprocessing
import os
import resource
import secrets
import shutil
import signal
import sys
import tempfile
import time
import zlib
from dataclasses import replace
from functools import lru_cache
from pathlib import Path

from ...exercises import probing, registry
from .. import (
    ArgumentParser,
    command_line,
    fail,
    folder_problem,
    number,
    path_kind,
    positive_number,
    whole_number,
)
from . import blueprint, datasets, feedback, gradebook, judging, review, runner, sandbox

MAX_NOTEBOOK_BYTES = 50_000_000
NOT_GRADED = "not graded"


@lru_cache(maxsize=2)
def _course(folder):
    """The course notebooks in ``folder`` (see :func:`.blueprint.find_notebooks`), and their code cells."""
    notebooks = blueprint.course_notebooks(folder)
    sources = set()
    for path in Path(folder).glob("[0-9][0-9]_*.ipynb"):
        import nbformat

        sources |= {
            c.source.strip() for c in nbformat.read(path, as_version=4).cells if c.cell_type == "code"
        }
    return notebooks, frozenset(sources)


def _read_notebook(path):
    import nbformat

    with open(path, "rb") as file:
        raw = file.read(MAX_NOTEBOOK_BYTES + 1)
    if len(raw) > MAX_NOTEBOOK_BYTES:
        raise ValueError(f"larger than {MAX_NOTEBOOK_BYTES} bytes")
    return nbformat.reads(raw.decode("utf-8"), as_version=4)


def _outcome(run, limits):
    text = run.outcome
    if run.errors:
        shown = ", ".join(f"{name} in cell {number}" for number, name in run.errors[:5])
        more = f" and {len(run.errors) - 5} more" if len(run.errors) > 5 else ""
        text += f"; errors: {shown}{more}"
    if run.output_dropped:
        text += (
            f"; output past {limits.text_output} bytes of text or {limits.rich_output} of pictures dropped"
        )
    if run.output_lost:
        cells = ", ".join(str(number) for number in run.output_lost[:5] if number)
        text += f"; output lost in cell {cells or 'a check the grader added'} (a message over the size limit)"
    return text


def grade_one(task):
    """Grade one notebook (in a worker process); returns its journal record. Never raises."""
    start = time.monotonic()
    notebooks, sources = _course(task["course"])
    course_nb = notebooks[task["notebook"]]
    record = {
        "student": task["student"],
        "notebook": task["notebook"],
        "path": task["path"],
        "statuses": {c.exercise: "not attempted" for c in course_nb.checks},
        "messages": {},
        "review": [],
        "sandbox": "bubblewrap" if task["boxed"] else "NONE (--no-sandbox)",
    }
    try:
        submission = _read_notebook(task["path"])
    except Exception as error:  # noqa: BLE001 - not UTF-8, not JSON, not a notebook, unreadable
        record["outcome"] = f"not a notebook ({type(error).__name__})"
    else:
        try:
            _grade(task, course_nb, sources, submission, record)
        except Exception as error:  # noqa: BLE001 - one notebook the grader fails on must not stop the class
            record["outcome"] = f"could not be graded ({type(error).__name__}: {str(error)[:200]})"
    record["seconds"] = round(time.monotonic() - start, 1)
    record["grader_mb"] = round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024)
    return record


def _requests(plan):
    """One probe request per exercise: the visible part of the cases drawn from its secret seed."""
    requests = []
    for exercise in plan.exercises:
        ex = registry.lookup(exercise)
        cases = [probing.visible(case) for case in registry.draw_cases(ex, plan.seeds[exercise])]
        requests.append(runner.Request(exercise, plan.names[exercise], cases, ex.time_limit))
    return requests


def _grade(task, course_nb, sources, submission, record):
    """Restore, run, probe and judge one submission; fill in ``record``."""
    folder = Path(tempfile.mkdtemp(prefix="nb-", dir=task["scratch"]))
    try:
        plan = blueprint.restore(course_nb, submission, lambda: secrets.randbits(32))
        run = runner.execute(
            plan,
            _requests(plan),
            folder,
            task["timeout"],
            task["limits"],
            task["boxed"],
            task["hidden"],
            task["data_dir"],
        )
    finally:
        shutil.rmtree(folder, ignore_errors=True)
    verdicts = {
        e: judging.judge(e, plan.seeds[e], run.replies.get(e), run.stopped.get(e, "")) for e in plan.exercises
    }
    record["statuses"] = {e: v.status for e, v in verdicts.items()}
    record["messages"] = {e: v.message for e, v in verdicts.items()}
    record["outcome"] = _outcome(run, task["limits"])
    notes = plan.notes + review.report(plan, sources, set(plan.answers.values()))
    notes += [f"exercise {e}: {v.note}" for e, v in verdicts.items() if v.note]
    notes += [
        f"cell {number} was left out of the second run (it stopped the kernel)" for number in run.skipped
    ]
    record["review"] = notes
    if task["feedback"]:
        passed = sum(v.status == "passed" for v in verdicts.values())
        heading = (
            f"# {task['notebook']}: feedback for {task['student']}\n\n"
            f"{passed} of {len(verdicts)} exercises passed. Run: {record['outcome']}."
        )
        target = Path(task["feedback"]) / task["student"] / f"{task['notebook']}.html"
        try:
            feedback.write(plan, verdicts, heading, target)
        except Exception as error:  # noqa: BLE001 - a page that cannot be written costs no grade
            record["review"].append(f"feedback page not written ({type(error).__name__})")


def _worker_start():
    signal.signal(signal.SIGINT, signal.SIG_IGN)


# ---------------------------------------------------------------------------
# Finding the submissions
# ---------------------------------------------------------------------------


def _match(files, notebooks):
    """``({course notebook: file}, [files not graded])`` for one student's notebook files."""
    chosen, extra = {}, []
    for path in files:
        if path.stem in notebooks and path.stem not in chosen:
            chosen[path.stem] = path
    for path in files:
        if path in chosen.values():
            continue
        same_number = [n for n in notebooks if path.stem.startswith(n[:3]) and n not in chosen]
        if same_number:
            chosen[same_number[0]] = path
        else:
            extra.append(path)
    return chosen, extra


def find_work(paths, notebooks):
    """``(tasks, reports)``: a task per student notebook to grade, a record for what cannot be graded."""
    tasks, reports = [], []
    students = {}
    for raw in paths:
        path = Path(raw)
        student = path.resolve().parent.name if path.suffix == ".ipynb" else path.resolve().name
        try:
            if path.is_dir():
                files = sorted(p for p in path.rglob("*.ipynb") if ".ipynb_checkpoints" not in p.parts)
            elif path.is_file():
                files = [path]
            else:
                raise FileNotFoundError("no such notebook or folder")
        except OSError as error:
            reports.append(
                _report(student, str(path), f"{NOT_GRADED}: cannot be read ({error.strerror or error})")
            )
            continue
        if not files:
            reports.append(_report(student, str(path), f"{NOT_GRADED}: no notebook in this folder"))
        home = path.resolve() if path.is_dir() else path.resolve().parent
        for file in files:
            if file.is_symlink() or not file.resolve().is_relative_to(home):
                reports.append(_report(student, file.stem, f"{NOT_GRADED}: a link to a file elsewhere"))
            else:
                students.setdefault(student, []).append(file)
    for student, files in students.items():
        chosen, extra = _match(files, notebooks)
        for name, path in chosen.items():
            tasks.append({"student": student, "notebook": name, "path": str(path)})
        for path in extra:
            reports.append(_report(student, path.stem, f"{NOT_GRADED}: not a notebook of this course"))
    return tasks, reports


def _report(student, notebook, why):
    return {
        "student": student,
        "notebook": notebook,
        "statuses": {},
        "outcome": why,
        "seconds": 0,
        "review": [],
    }


def shard_of(students, shard):
    """The students of shard ``k`` of ``n`` (``shard == (k, n)``): every n-th, by name."""
    k, n = shard
    return {s for index, s in enumerate(sorted(students)) if index % n == k - 1}


def _shard(text):
    try:
        k, n = (int(part) for part in text.split("/"))
    except ValueError:
        raise argparse.ArgumentTypeError(f"--shard takes K/N such as 2/8, got {text!r}") from None
    if not 1 <= k <= n:
        raise argparse.ArgumentTypeError(f"--shard K/N needs 1 <= K <= N, got {text!r}")
    return k, n


MAX_TIMEOUT = 7 * 24 * 3600  # seconds per notebook: a week; past it the CPU limit would not fit the system's
MAX_MEMORY = 4096  # GB per kernel process


def _timeout(text):
    seconds = positive_number(text)
    if seconds > MAX_TIMEOUT:
        raise argparse.ArgumentTypeError(f"must be at most {MAX_TIMEOUT} seconds (a week), got {text}")
    return seconds


def _check_paths(args):
    """A one-line reason why the paths of the command line cannot be graded, or None."""
    for path in args.paths:
        kind = path_kind(path)
        if kind == "missing":
            return f"{path}: no such notebook or folder"
        if kind in ("special", "unusable"):
            return f"{path} is not a notebook or a folder of notebooks"
    if args.data:
        problem = folder_problem(args.data, "--data" if args.data_given else "COURSE_DATA_DIR (--data)")
        if problem:
            return f"{problem}: pass a folder of datasets"
    if args.feedback and path_kind(args.feedback) not in ("folder", "missing"):
        return f"--feedback {args.feedback} is not a folder: pass a folder for the feedback pages"
    return None


def _hidden(paths, outputs, data_dir):
    """What the sandboxes must not see: every submission, their common folder, the grader's output."""
    hidden = [Path(p).resolve() if Path(p).is_dir() else Path(p).resolve().parent for p in paths]
    needed = [Path(sys.prefix).resolve(), Path(blueprint.__file__).resolve()]
    if data_dir:
        needed.append(Path(data_dir).resolve())
    common = Path(os.path.commonpath(hidden)) if hidden else None
    if common and common != Path("/") and not any(p.is_relative_to(common) for p in needed):
        hidden.append(common)
    return sorted({*hidden, *(Path(o).resolve() for o in outputs)})


# ---------------------------------------------------------------------------
# The command
# ---------------------------------------------------------------------------


def parser():
    p = ArgumentParser(
        prog="python -m course grade",
        description="Grade learner notebooks in sandboxes and write a gradebook. "
        "`python -m course grade merge FILES... --csv OUT` joins the gradebooks of several shards.",
    )
    p.add_argument(
        "paths", nargs="+", metavar="PATH", help="a student's folder of notebooks, or one notebook"
    )
    p.add_argument(
        "--csv", default="gradebook.csv", metavar="FILE", help="the gradebook (default gradebook.csv)"
    )
    p.add_argument(
        "--timeout", type=_timeout, default=600, metavar="SECONDS", help="per notebook (default 600)"
    )
    p.add_argument(
        "--jobs",
        type=whole_number(minimum=1),
        default=max(1, (os.cpu_count() or 2) // 2),
        metavar="N",
        help="notebooks graded at once (default: half the cores)",
    )
    p.add_argument(
        "--shard", type=_shard, metavar="K/N", help="grade only the K-th of N slices of the students"
    )
    p.add_argument("--resume", action="store_true", help="keep the journal's grades and grade only the rest")
    p.add_argument("--feedback", metavar="DIR", help="write an HTML page per student and notebook here")
    p.add_argument(
        "--memory",
        type=number(0.5, MAX_MEMORY, "GB"),
        default=4,
        metavar="GB",
        help="memory per kernel process (default 4)",
    )
    p.add_argument(
        "--data",
        metavar="DIR",
        default=os.environ.get("COURSE_DATA_DIR") or None,
        help="a dataset folder every sandbox reads (default: $COURSE_DATA_DIR, else the grader fetches "
        "the datasets once into its cache)",
    )
    p.add_argument(
        "--course",
        metavar="DIR",
        help="the course folder, whose notebooks/ list the exercises (default: the folder beside the "
        "installed package, else the current folder or one above it)",
    )
    p.add_argument(
        "--no-sandbox",
        action="store_true",
        help="run students' code with your rights, unboxed (not advised; noted in the gradebook)",
    )
    return p


def merge_cli(argv):
    prog = "python -m course grade merge"
    p = ArgumentParser(prog=prog, description="Join gradebook CSV files.")
    p.add_argument("files", nargs="+", metavar="FILE", help="the gradebook CSV files of grading runs")
    p.add_argument("--csv", default="gradebook.csv", metavar="FILE", help="the joined gradebook")
    args = p.parse_args(argv)
    for path in args.files:
        kind = path_kind(path)
        if kind != "file":
            what = {"missing": "there is no such file", "folder": "it is a folder"}.get(
                kind, "not a regular file"
            )
            return fail(prog, f"{path}: {what}: pass the gradebook CSV files that grading runs wrote (--csv)")
    try:
        count = gradebook.merge(args.files, args.csv)
    except (gradebook.GradebookError, ValueError, OSError) as error:
        return fail(prog, gradebook.describe(error))
    print(f"{count} rows written to {args.csv} and {gradebook.points_path(args.csv)}")
    return 0


def _fetch_datasets():
    """The shared dataset folder the grader made (see :mod:`.datasets`), said in a line or two; or None."""
    folder, missing = datasets.shared_folder()
    if folder:
        print(f"datasets for every sandbox (read-only): {folder}")
    for line in missing:
        print(f"dataset unavailable, notebooks that need it use their offline fallback: {line}")
    return str(folder) if folder else None


class Stop(Exception):
    pass


def _stop(signum, frame):
    raise Stop(signal.Signals(signum).name)


PROG = "python -m course grade"


def cli(argv):
    argv = command_line(argv)
    if argv[:1] == ["merge"]:
        return merge_cli(argv[1:])
    p = parser()
    args = p.parse_args(argv)
    args.data_given = args.data != p.get_default("data")
    problem = _check_paths(args)
    if problem:
        return fail(PROG, problem)
    try:
        course = str(blueprint.find_notebooks(args.course))
    except OSError as error:
        return fail(PROG, error)
    try:  # before anything slow: a gradebook already there is continued (--resume) or left alone
        gradebook.check(args.csv, resume=args.resume)
    except (gradebook.GradebookError, ValueError, OSError) as error:
        return fail(PROG, gradebook.describe(error))
    if not args.no_sandbox:
        try:
            sandbox.check_available()
        except sandbox.NoSandbox as error:
            return fail(PROG, f"no sandbox: {error}")
    # The mode the sandboxes run in (FAST unless COURSE_FAST says otherwise), here too: a judge that
    # depends on it (07.8's bar) reads it from the cases the grader draws, not from the kernel.
    os.environ.setdefault("COURSE_FAST", "1")
    if not args.data:
        try:
            args.data = _fetch_datasets()
        except (ValueError, OSError) as error:  # the grader's own cache, in its work folder, cannot be used
            return fail(
                PROG, f"the datasets cannot be laid out for the sandboxes ({error}); or pass --data DIR"
            )
    notebooks, _ = _course(course)
    tasks, reports = find_work(args.paths, notebooks)
    if args.shard:
        chosen = shard_of({t["student"] for t in tasks} | {r["student"] for r in reports}, args.shard)
        tasks = [t for t in tasks if t["student"] in chosen]
        reports = [r for r in reports if r["student"] in chosen]
    try:
        book = gradebook.Gradebook(args.csv, resume=args.resume)
        if args.feedback:
            Path(args.feedback).mkdir(parents=True, exist_ok=True)
    except (gradebook.GradebookError, ValueError, OSError) as error:  # made in the meantime by another run
        return fail(PROG, gradebook.describe(error))
    if args.no_sandbox:  # said once the run starts: a refused command line is one line
        print(
            "WARNING: --no-sandbox: students' code runs with your rights, files and network; "
            "the gradebook's sandbox column says so.",
            file=sys.stderr,
        )
    for report in reports:
        print(f"{report['student']}: {report['notebook']}: {report['outcome']}")
        book.add(report)
    todo = [t for t in tasks if not book.done(t["student"], t["notebook"])]
    if len(todo) < len(tasks):
        print(f"--resume: {len(tasks) - len(todo)} notebooks already graded, {len(todo)} to go")
    limits = replace(
        sandbox.Limits(),
        memory=int(args.memory * sandbox.GIGABYTE),
        cpu_seconds=int(args.timeout * 2 + 60),
        threads=max(1, (os.cpu_count() or 1) // args.jobs),  # the kernels side by side share the cores
    )
    outputs = [*book.paths(), *([args.feedback] if args.feedback else [])]
    scratch = tempfile.mkdtemp(prefix="course-grade-")
    shared = {
        "timeout": args.timeout,
        "limits": limits,
        "boxed": not args.no_sandbox,
        "hidden": [str(p) for p in _hidden(args.paths, outputs, args.data)],
        "data_dir": str(Path(args.data).resolve()) if args.data else None,
        "feedback": args.feedback,
        "scratch": scratch,
        "course": course,
    }
    todo = [{**t, **shared} for t in sorted(todo, key=lambda t: zlib.crc32(t["path"].encode()))]
    previous = {s: signal.signal(s, _stop) for s in (signal.SIGINT, signal.SIGTERM)}
    pool = multiprocessing.get_context("spawn").Pool(min(args.jobs, max(1, len(todo))), _worker_start)
    started, graded = time.monotonic(), 0
    try:
        for record in pool.imap_unordered(grade_one, todo):
            graded += 1
            book.add(record)
            print(
                f"[{graded}/{len(todo)}] {record['student']} {record['notebook']}: "
                f"{sum(s == 'passed' for s in record['statuses'].values())}/{len(record['statuses'])} "
                f"in {record['seconds']} s ({record['outcome']})",
                flush=True,
            )
        pool.close()
    except Stop as why:
        print(
            f"\nstopped by {why}: {graded} of {len(todo)} notebooks graded and kept in {book.journal}; "
            "run the same command with --resume to grade the rest.",
            file=sys.stderr,
        )
        return 130
    finally:
        pool.terminate()
        pool.join()
        for s, handler in previous.items():
            signal.signal(s, handler)
        shutil.rmtree(scratch, ignore_errors=True)
    print()
    print(gradebook.table(book.rows()))
    print(f"\n{len(todo)} notebooks in {time.monotonic() - started:.0f} s with --jobs {args.jobs}")
    print(f"gradebook: {book.csv}; points per student: {book.points}; journal: {book.journal}")
    if args.feedback:
        print(f"feedback pages: {args.feedback}/STUDENT/NOTEBOOK.html")
    if args.no_sandbox:
        print("WARNING: graded without a sandbox (--no-sandbox).")
    return 0
