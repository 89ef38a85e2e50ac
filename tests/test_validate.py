"""The argument checks every public function uses: exact exception types and messages."""

import math
import os
import socket
from pathlib import Path

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from course.runtime import validate


class Unprintable:
    def __repr__(self):
        raise RuntimeError("no repr")


@pytest.mark.parametrize(
    "call, error, says",
    [
        (lambda: validate.integer(2.5, "steps"), TypeError, "steps must be an int, got float 2.5"),
        (lambda: validate.integer(True, "steps"), TypeError, "steps must be an int, got bool True"),
        (lambda: validate.integer(0, "steps", minimum=1), ValueError, "steps must be >= 1, got 0"),
        (lambda: validate.integer(9, "k", 1, 3), ValueError, "k must be between 1 and 3, got 9"),
        (
            lambda: validate.number("0.1", "learning_rate"),
            TypeError,
            "learning_rate must be a number, got str",
        ),
        (lambda: validate.number(math.nan, "h"), ValueError, "h must be a finite number, got nan"),
        (lambda: validate.number(0, "h", positive=True), ValueError, "h must be > 0, got 0.0"),
        (lambda: validate.fraction(1, "beta_1"), ValueError, "beta_1 must be >= 0 and < 1, got 1.0"),
        (lambda: validate.boolean(1, "augment"), TypeError, "augment must be True or False, got int 1"),
        (lambda: validate.text(3, "name"), TypeError, "name must be a string, got int 3"),
        (lambda: validate.text(" ", "name"), ValueError, "name must not be empty"),
        (lambda: validate.choice("x", "padding", ["valid", "same"]), ValueError, "padding must be one of"),
        (lambda: validate.choice(3, "padding", ["valid", "same"]), TypeError, "padding must be one of"),
        (lambda: validate.function(3, "f"), TypeError, "f must be a function, got int 3"),
        (
            lambda: validate.path(2, "path"),
            TypeError,
            r"path must be a path \(str or pathlib.Path\), got int 2",
        ),
        (lambda: validate.path(True, "path"), TypeError, "got bool True"),
        (lambda: validate.path("", "path"), ValueError, "path must be a non-empty path"),
        (lambda: validate.path("/no/such/file", "path", must_exist=True), FileNotFoundError, "/no/such/file"),
        (
            lambda: validate.shape((2, -1), "shape"),
            ValueError,
            r"shape must hold whole numbers >= 0, got \(2, -1\)",
        ),
        (lambda: validate.shape((2, 1.5), "shape"), TypeError, "shape must be a tuple of whole numbers"),
        (lambda: validate.integers((0, -2), "axes", minimum=-1), ValueError, ">= -1"),
        (lambda: validate.pair((1, 2, 3), "stride"), TypeError, "stride must be an int or a pair of ints"),
        (lambda: validate.pair(0, "stride"), ValueError, r"stride must be >= 1, got \(0, 0\)"),
        (
            lambda: validate.items([1], "params", str, "a name"),
            TypeError,
            r"params\[0\] must be a name, got int 1",
        ),
        (lambda: validate.items("ab", "params", str, "a name"), TypeError, "params must be a list"),
        (lambda: validate.array(None, "x"), TypeError, "x must be an array of numbers, got NoneType"),
        (lambda: validate.array([[1], [2, 3]], "x"), TypeError, "NumPy cannot read"),
        (
            lambda: validate.array([1j], "x"),
            TypeError,
            "x must be an array of real numbers, got an array of dtype complex128",
        ),
        (
            lambda: validate.array(np.zeros(3), "x", ndim=2),
            ValueError,
            r"x must be 2-D \(a matrix\), got a 1-D array",
        ),
        (lambda: validate.array([np.nan], "x", finite=True), ValueError, "x must hold finite numbers"),
        (
            lambda: validate.size_limit(11, "steps", 10),
            ValueError,
            "steps is 11; the most this function handles is 10",
        ),
        (
            lambda: validate.same_length([1], [1, 2], "x", "y"),
            ValueError,
            "x and y must have the same length, got 1 and 2",
        ),
    ],
)
def test_each_checker_raises_the_policys_type_and_names_the_parameter(call, error, says):
    with pytest.raises(error, match=says):
        call()


def test_checkers_return_the_value_in_a_convenient_form(tmp_path):
    assert validate.integer(np.int64(3), "n") == 3 and type(validate.integer(np.int64(3), "n")) is int
    assert validate.number(np.float32(0.5), "x") == 0.5
    assert validate.path(tmp_path, "folder", must_exist=True) == tmp_path
    assert validate.path(str(tmp_path), "folder") == Path(tmp_path)
    assert validate.shape(3, "shape") == (3,)
    assert validate.pair(2, "stride") == (2, 2)
    assert validate.array([[1, 2]], "x", ndim=(1, 2)).shape == (1, 2)


def test_received_never_raises():
    assert validate.received(Unprintable()) == "Unprintable"
    assert validate.received(np.zeros((2, 3))) == "an array of dtype float64 and shape (2, 3)"
    assert validate.received("x" * 100) == "str"  # long values are described by their type alone


@given(st.one_of(st.booleans(), st.integers(), st.floats(), st.none(), st.binary(max_size=4)))
def test_a_path_is_only_ever_text_or_pathlike(value):
    """Numbers and bools would be taken by open() as file descriptors and closed with it."""
    with pytest.raises(TypeError, match="must be a path"):
        validate.path(value, "path")
    os.fstat(1), os.fstat(2)  # both still open


@given(st.booleans())
def test_bools_are_not_numbers_here(flag):
    with pytest.raises(TypeError):
        validate.integer(flag, "n")
    with pytest.raises(TypeError):
        validate.number(flag, "x")


def test_arrays_larger_than_the_course_handles_are_refused():
    huge = np.broadcast_to(np.float32(0), (validate.MAX_ELEMENTS + 1,))  # a view: nothing allocated
    with pytest.raises(ValueError, match="x is too large"):
        validate.array(huge, "x")


@pytest.mark.parametrize(
    "raw", [b"ab", bytearray(b"ab"), memoryview(b"ab")], ids=["bytes", "bytearray", "memoryview"]
)
def test_raw_bytes_are_not_numbers(raw):
    """NumPy reads bytearray(b"ab") as [97, 98]: the course refuses it instead of computing with it."""
    from course.activations import relu

    with pytest.raises(TypeError, match=f"x must be an array of numbers, got {type(raw).__name__}"):
        validate.array(raw, "x")
    with pytest.raises(TypeError, match="x must be a number"):
        validate.number(raw, "x")
    with pytest.raises(TypeError, match="must be an array of numbers"):
        relu(raw)


def special_paths(tmp_path):
    """``{kind: path}`` of things that exist but are not regular files or folders, and broken links."""
    os.mkfifo(tmp_path / "fifo")
    listening = socket.socket(socket.AF_UNIX)
    listening.bind(str(tmp_path / "socket"))
    (tmp_path / "loop-a").symlink_to(tmp_path / "loop-b")
    (tmp_path / "loop-b").symlink_to(tmp_path / "loop-a")
    (tmp_path / "dangling").symlink_to(tmp_path / "nothing")
    return listening


@pytest.mark.parametrize("kind", [None, "file", "folder"])
def test_only_regular_files_and_folders_pass_must_exist(tmp_path, kind):
    listening = special_paths(tmp_path)
    try:
        for name, says in [("fifo", "it is a FIFO"), ("socket", "it is a socket")]:
            with pytest.raises(ValueError, match=f"data: '{tmp_path / name}' is not a regular file, {says}"):
                validate.path(tmp_path / name, "data", must_exist=True, kind=kind)
        with pytest.raises(ValueError, match="is not a regular file, it is a character device"):
            validate.path("/dev/null", "data", must_exist=True, kind=kind)
        with pytest.raises(ValueError, match="loop-a' is a symbolic link loop"):
            validate.path(tmp_path / "loop-a", "data", must_exist=True, kind=kind)
        with pytest.raises(
            FileNotFoundError, match="dangling' is a symbolic link to .*nothing', which does not exist"
        ):
            validate.path(tmp_path / "dangling", "data", must_exist=True, kind=kind)
    finally:
        listening.close()


def test_kind_asks_for_a_file_or_a_folder(tmp_path):
    (tmp_path / "file.txt").write_text("x")
    assert validate.path(tmp_path / "file.txt", "path", must_exist=True, kind="file") == tmp_path / "file.txt"
    assert validate.path(tmp_path, "folder", must_exist=True, kind="folder") == tmp_path
    with pytest.raises(ValueError, match="path must name a file, got the folder"):
        validate.path(tmp_path, "path", kind="file")
    with pytest.raises(ValueError, match="folder must be a folder, got the file"):
        validate.path(tmp_path / "file.txt", "folder", kind="folder")
    assert validate.path(tmp_path / "not yet", "path", kind="file") == tmp_path / "not yet"  # made later
    with pytest.raises(ValueError, match="kind must be one of"):
        validate.path(tmp_path, "path", kind="pipe")
    os.mkfifo(tmp_path / "fifo")
    with pytest.raises(ValueError, match="not a regular file"):  # even where the file is still to be written
        validate.path(tmp_path / "fifo", "path", kind="file")


@pytest.mark.parametrize(
    "value, says",
    [("x" * 300, "one of its names is 300 bytes long"), ("/a" * 3000, "it is 6,000 bytes long")],
    ids=["long name", "long path"],
)
def test_a_path_too_long_for_the_file_system_is_a_value_error(value, says):
    with pytest.raises(ValueError, match=f"path is too long for the file system: {says}"):
        validate.path(value, "path")


def test_an_unreadable_file_is_named(tmp_path):
    secret = tmp_path / "secret.npz"
    secret.write_bytes(b"x")
    secret.chmod(0)
    try:
        if os.geteuid() == 0:  # root reads it anyway: then it is simply accepted
            assert validate.path(secret, "path", must_exist=True, kind="file") == secret
        else:
            with pytest.raises(
                ValueError, match="the file '.*secret.npz' cannot be read \\(permission denied\\)"
            ):
                validate.path(secret, "path", must_exist=True, kind="file")
    finally:
        secret.chmod(0o600)
