"""The gradebook never loses a file: refused --csv paths, resumes, path arguments and merging."""

import os
import re
import sys

import pytest

from course.tools.grading import gradebook

WRONG_PATHS = [0, 1, 2, True, False, None, 1.5, b"book.csv"]


def record(student, notebook="00_welcome", statuses=None):
    statuses = statuses or {"00.1": "passed", "00.2": "failed"}
    return {"student": student, "notebook": notebook, "statuses": statuses, "outcome": "completed"}


def graded(path, *students):
    """A gradebook at ``path`` as a run leaves it, one notebook graded per student."""
    book = gradebook.Gradebook(path)
    for student in students:
        book.add(record(student))
    return book


def contents(folder):
    """Every file under ``folder`` and its bytes (folders as None): what a refusal must leave as it was."""
    return {p: p.read_bytes() if p.is_file() else None for p in sorted(folder.rglob("*"))}


def files(book_csv):
    return {
        "csv": book_csv,
        "journal": gradebook.journal_path(book_csv),
        "points": gradebook.points_path(book_csv),
    }


@pytest.fixture
def folder(tmp_path):
    path = tmp_path / "marks"
    path.mkdir()
    return path


def test_a_new_run_makes_the_journal_and_both_csv_files(folder):
    book = gradebook.Gradebook(folder / "new" / "book.csv")
    assert [p.name for p in book.paths()] == ["book.csv", "book.journal.jsonl", "book-points.csv"]
    assert book.journal.read_text() == ""
    assert book.csv.read_text().startswith("student,notebook,")


@pytest.mark.parametrize("kept", ["csv", "journal", "points"])
def test_a_new_run_refuses_an_existing_gradebook_and_leaves_it_as_it_was(folder, kept):
    book_csv = folder / "book.csv"
    graded(book_csv, "ann", "ben")
    for name, path in files(book_csv).items():
        if name != kept:
            path.unlink()
    before = contents(folder)
    with pytest.raises(gradebook.GradebookExists, match="a gradebook is already at") as error:
        gradebook.Gradebook(book_csv)
    assert isinstance(error.value, FileExistsError)
    message = str(error.value)
    assert str(files(book_csv)[kept]) in message
    assert "pass --resume to continue it" in message and "another --csv" in message
    assert contents(folder) == before


def test_resume_continues_a_real_gradebook(folder):
    book_csv = folder / "book.csv"
    graded(book_csv, "ann", "ben")
    book = gradebook.Gradebook(book_csv, resume=True)
    assert book.done("ann", "00_welcome") and book.done("ben", "00_welcome")
    assert not book.done("cy", "00_welcome")
    book.add(record("cy"))
    assert [r["student"] for r in gradebook.read_csv(book_csv)] == ["ann", "ben", "cy"]
    assert len(book.journal.read_text().splitlines()) == 3
    assert [r["total"] for r in gradebook.read_csv(book.points)] == ["1", "1", "1"]


def test_resume_continues_a_run_that_graded_nothing_yet(folder):
    book_csv = folder / "book.csv"
    graded(book_csv)
    book = gradebook.Gradebook(book_csv, resume=True)
    book.add(record("ann"))
    assert [r["student"] for r in gradebook.read_csv(book_csv)] == ["ann"]


def test_resume_without_a_gradebook_starts_one(folder):
    book = gradebook.Gradebook(folder / "book.csv", resume=True)
    assert all(path.is_file() for path in book.paths()) and book.records == {}


@pytest.mark.parametrize(
    "text",
    [
        b"name,mark\nann,17\n",
        b"student,notebook\nann,00_welcome\n",  # the start of a header, without the counts
        b"my notes about the class\n",
        b"",
        b"\xff\xfe\x00binary\x00",
    ],
    ids=["other-csv", "no-fixed-columns", "text", "empty", "binary"],
)
@pytest.mark.parametrize("resume", [False, True])
def test_a_csv_that_is_not_a_gradebook_is_never_replaced(folder, text, resume):
    book_csv = folder / "book.csv"
    book_csv.write_bytes(text)
    before = contents(folder)
    with pytest.raises(gradebook.NotAGradebook, match="not a gradebook CSV") as error:
        gradebook.Gradebook(book_csv, resume=resume)
    assert isinstance(error.value, ValueError)
    assert str(book_csv) in str(error.value) and "another --csv" in str(error.value)
    assert contents(folder) == before


@pytest.mark.parametrize("resume", [False, True])
def test_a_points_file_that_is_not_a_gradebook_is_never_replaced(folder, resume):
    book_csv = folder / "book.csv"
    points = gradebook.points_path(book_csv)
    points.write_text("student,notebook,passed\nann,00_welcome,2\n")
    before = contents(folder)
    with pytest.raises(gradebook.NotAGradebook, match="not a gradebook points CSV") as error:
        gradebook.Gradebook(book_csv, resume=resume)
    assert str(points) in str(error.value) and "another --csv" in str(error.value)
    assert contents(folder) == before


@pytest.mark.parametrize(
    "text",
    ['{"student": "ann", "notebook": "00_welcome"}\n', "notes\n", "\n"],
    ids=["no-statuses", "text", "blank-line"],
)
@pytest.mark.parametrize("resume", [False, True])
def test_a_journal_that_is_not_a_journal_is_never_appended_to(folder, text, resume):
    book_csv = folder / "book.csv"
    journal = gradebook.journal_path(book_csv)
    journal.write_text(text)
    before = contents(folder)
    with pytest.raises(gradebook.NotAGradebook, match="not a gradebook journal") as error:
        gradebook.Gradebook(book_csv, resume=resume)
    assert str(journal) in str(error.value) and "another --csv" in str(error.value)
    assert contents(folder) == before


@pytest.mark.parametrize("which", ["csv", "journal", "points"])
@pytest.mark.parametrize("resume", [False, True])
def test_a_folder_is_never_taken_for_a_gradebook_file(folder, which, resume):
    book_csv = folder / "book.csv"
    files(book_csv)[which].mkdir()
    (files(book_csv)[which] / "kept.txt").write_text("a user's file")
    before = contents(folder)
    with pytest.raises(gradebook.NotAGradebook, match="is a folder") as error:
        gradebook.Gradebook(book_csv, resume=resume)
    assert "--csv" in str(error.value)
    assert contents(folder) == before


def test_a_fifo_is_refused_without_being_opened(folder):
    book_csv = folder / "book.csv"
    os.mkfifo(book_csv)  # opening it to read would wait for a writer forever
    with pytest.raises(gradebook.NotAGradebook, match="not a gradebook CSV"):
        gradebook.Gradebook(book_csv, resume=True)


def test_resume_refuses_grades_that_its_journal_lacks(folder):
    one, merged = folder / "one.csv", folder / "all.csv"
    graded(one, "ann", "ben")
    gradebook.merge([one], merged)  # a merged gradebook has no journal
    before = contents(folder)
    with pytest.raises(gradebook.GradebookExists, match="lacks") as error:
        gradebook.Gradebook(merged, resume=True)
    message = str(error.value)
    assert str(merged) in message and "restore that journal" in message and "another --csv" in message
    assert contents(folder) == before


def test_resume_refuses_a_journal_cut_short(folder):
    book_csv = folder / "book.csv"
    book = graded(book_csv, "ann", "ben")
    book.journal.write_text(book.journal.read_text().splitlines()[0] + "\n")
    before = contents(folder)
    with pytest.raises(gradebook.GradebookExists, match="lacks"):
        gradebook.Gradebook(book_csv, resume=True)
    assert contents(folder) == before


def test_check_writes_nothing(folder):
    gradebook.check(folder / "missing" / "book.csv")
    gradebook.check(folder / "missing" / "book.csv", resume=True)
    assert contents(folder) == {}


def stdout_is_open():
    os.fstat(1)  # raises OSError once file descriptor 1 is closed
    return not sys.stdout.closed


def calls(value, good_csv):
    """Each public function called with ``value`` as one path argument, and that parameter's name."""
    return [
        (lambda: gradebook.journal_path(value), "csv_path"),
        (lambda: gradebook.points_path(value), "csv_path"),
        (lambda: gradebook.read_journal(value), "path"),
        (lambda: gradebook.read_csv(value), "path"),
        (lambda: gradebook.write_csv([], value), "path"),
        (lambda: gradebook.write_points([], value), "path"),
        (lambda: gradebook.check(value), "csv_path"),
        (lambda: gradebook.Gradebook(value), "csv_path"),
        (lambda: gradebook.Gradebook(value, resume=True), "csv_path"),
        (lambda: gradebook.merge([good_csv, value], good_csv.with_name("all.csv")), "paths[1]"),
        (lambda: gradebook.merge(value, good_csv.with_name("all.csv")), "paths"),
        (lambda: gradebook.merge([good_csv], value), "out"),
    ]


@pytest.mark.parametrize("value", WRONG_PATHS, ids=repr)
def test_numbers_bools_and_bytes_are_never_taken_for_paths(folder, value):
    good_csv = folder / "book.csv"
    graded(good_csv, "ann")
    before = contents(folder)
    for call, name in calls(value, good_csv):
        with pytest.raises(TypeError, match=rf"^{re.escape(name)} must be .*got {type(value).__name__}"):
            call()
        assert stdout_is_open()
    assert contents(folder) == before


@pytest.mark.parametrize("value", [1, None, "yes"])
def test_resume_must_be_a_bool(folder, value):
    with pytest.raises(TypeError, match="resume must be True or False"):
        gradebook.Gradebook(folder / "book.csv", resume=value)
    assert contents(folder) == {}


@pytest.mark.parametrize("value", ["", "/", ".."])
def test_a_path_that_names_no_file_is_a_value_error(folder, value):
    with pytest.raises(ValueError, match="csv_path must"):
        gradebook.check(value)
    assert contents(folder) == {}


def test_merge_may_replace_an_older_merged_gradebook(folder):
    one, two, merged = folder / "one.csv", folder / "two.csv", folder / "all.csv"
    graded(one, "ann")
    graded(two, "ben")
    assert gradebook.merge([one], merged) == 1
    assert gradebook.merge([one, two], merged) == 2
    assert [r["student"] for r in gradebook.read_csv(merged)] == ["ann", "ben"]


def an_input(folder, one):
    return one


def a_link_to_an_input(folder, one):
    os.link(one, folder / "link.csv")
    return folder / "link.csv"


def a_name_whose_points_file_is_an_input(folder, one):
    graded(folder / "x-points.csv", "cy")
    return folder / "x.csv"


@pytest.mark.parametrize("target", [an_input, a_link_to_an_input, a_name_whose_points_file_is_an_input])
def test_merge_never_writes_over_its_inputs(folder, target):
    one, two = folder / "one.csv", folder / "two.csv"
    graded(one, "ann")
    graded(two, "ben")
    out = target(folder, one)
    inputs = [one, two, *folder.glob("x-points.csv")]
    before = contents(folder)
    with pytest.raises(gradebook.NotAGradebook, match="is one of the files to merge") as error:
        gradebook.merge(inputs, out)
    assert "another --csv" in str(error.value)
    assert contents(folder) == before


@pytest.mark.parametrize("which", ["csv", "points"])
def test_merge_never_replaces_a_file_that_is_not_a_gradebook(folder, which):
    one, merged = folder / "one.csv", folder / "all.csv"
    graded(one, "ann")
    files(merged)[which].write_text("my own table\n")
    before = contents(folder)
    with pytest.raises(gradebook.NotAGradebook, match="will not replace it") as error:
        gradebook.merge([one], merged)
    assert str(files(merged)[which]) in str(error.value)
    assert contents(folder) == before


def test_merge_never_writes_into_a_folder(folder):
    one, merged = folder / "one.csv", folder / "all.csv"
    graded(one, "ann")
    merged.mkdir()
    before = contents(folder)
    with pytest.raises(gradebook.NotAGradebook, match="is a folder"):
        gradebook.merge([one], merged)
    assert contents(folder) == before


def test_merge_refuses_inputs_that_are_missing_or_not_gradebooks(folder):
    one, notes, merged = folder / "one.csv", folder / "notes.csv", folder / "all.csv"
    graded(one, "ann")
    notes.write_text("name,mark\n")
    with pytest.raises(FileNotFoundError, match=r"paths\[1\]"):
        gradebook.merge([one, folder / "missing.csv"], merged)
    with pytest.raises(gradebook.NotAGradebook, match=r"paths\[1\] .*notes.csv is not a gradebook CSV"):
        gradebook.merge([one, notes], merged)
    with pytest.raises(gradebook.NotAGradebook, match=r"paths\[0\]"):
        gradebook.merge([folder], merged)
    with pytest.raises(ValueError, match="at least one"):
        gradebook.merge([], merged)
    assert not merged.exists() and not gradebook.points_path(merged).exists()


def test_every_refusal_is_a_gradebook_error_for_the_cli():
    assert issubclass(gradebook.GradebookExists, gradebook.GradebookError)
    assert issubclass(gradebook.NotAGradebook, gradebook.GradebookError)


# --- merging what a person edited, or what is no gradebook at all --------------------------------------


def edited(path, column, value, line=2):
    """Put ``value`` into ``column`` on ``line`` of the CSV file at ``path``, as a spreadsheet would."""
    import csv

    with open(path, newline="", encoding="utf-8") as file:
        rows = list(csv.reader(file))
    rows[line - 1][rows[0].index(column)] = value
    with open(path, "w", newline="", encoding="utf-8") as file:
        csv.writer(file).writerows(rows)


def binary_past_the_header(path):
    """Valid rows past the first block the header is read from, then bytes that are not UTF-8."""
    last = path.read_bytes().splitlines(keepends=True)[-1]
    path.write_bytes(path.read_bytes() + last * 400 + b"\xff\xfe\x00garbage\n")


@pytest.mark.parametrize(
    "change, message",
    [
        (lambda p: edited(p, "passed", "abc"), r"line 2: passed is 'abc', not a whole number"),
        (lambda p: edited(p, "exercises", "-1"), r"line 2: exercises is '-1', not a whole number"),
        (lambda p: edited(p, "not_attempted", "1.5", line=3), r"line 3: not_attempted is '1.5'"),
        (lambda p: edited(p, "student", ""), r"line 2: the student or the notebook is empty"),
        (
            lambda p: p.write_text(p.read_text() + "cy,00_welcome\n"),
            r"line 4: a row with more or fewer cells",
        ),
        (binary_past_the_header, "cannot be read as a gradebook CSV"),
    ],
    ids=["text count", "negative count", "fraction", "no student", "short row", "binary tail"],
)
def test_merge_refuses_a_damaged_gradebook_naming_file_and_line(folder, change, message):
    one, two, merged = folder / "one.csv", folder / "two.csv", folder / "all.csv"
    graded(one, "ann")
    graded(two, "ben", "cy")
    change(two)
    before = contents(folder)
    with pytest.raises(gradebook.NotAGradebook, match=message) as error:
        gradebook.merge([one, two], merged)
    assert str(two) in str(error.value) and "\n" not in str(error.value)
    assert contents(folder) == before


def test_merge_makes_the_folder_of_its_output(folder):
    one = folder / "one.csv"
    graded(one, "ann")
    assert gradebook.merge([one], folder / "new" / "deeper" / "all.csv") == 1
    assert (folder / "new" / "deeper" / "all-points.csv").is_file()


def test_merge_refuses_a_fifo_unread(folder):
    one, pipe = folder / "one.csv", folder / "pipe.csv"
    graded(one, "ann")
    os.mkfifo(pipe)
    with pytest.raises(ValueError, match="FIFO|not a regular file|not a gradebook"):
        gradebook.merge([one, pipe], folder / "all.csv")  # a read would block: it must never open it


def test_describe_is_one_line_for_every_error():
    assert gradebook.describe(FileNotFoundError(2, "No such file or directory", "a/b.csv")) == (
        "a/b.csv: No such file or directory"
    )
    assert gradebook.describe(ValueError("two\nlines")) == "two lines"
