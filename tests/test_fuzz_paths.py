"""Every public function of ``course.data`` and ``course.saving`` that takes a path, given a bad one.

The functions are found by walking the two packages (a parameter whose name says path, folder,
file, root, dir or cache), so a new one is covered once :data:`READS` says what it reads. Each
path parameter in turn receives each case of :func:`cases`: a FIFO, a symbolic link loop, a
dangling link, a folder where a file is due (or a file where a folder is due), a file that
cannot be read (not made when the tests run as root, who reads it anyway), a name and a path
too long for the file system, a NUL byte, a truncated file and a file of the wrong type, and
for a folder a FIFO inside it where the function reads its files.

Whatever comes out must be a TypeError, ValueError or FileNotFoundError with a message of the
course's own, within :data:`~tests.test_fuzz_api.TIME_LIMIT_S` seconds (the judge is
:func:`tests.test_fuzz_api.verdict`), and no file may be changed or deleted: the folder of the
cases and the work folder are compared with a snapshot taken before the call.
"""

import contextlib
import gzip
import importlib
import inspect
import io
import json
import os
import pkgutil
import signal
import stat
import tarfile
import threading
import time
import zipfile

import numpy as np
import pytest

import course.data
import course.saving
from tests.test_fuzz_api import INTERNAL_MESSAGES, TIME_LIMIT_S, verdict

PATH_WORDS = ("path", "folder", "file", "root", "dir", "cache")

# What each function reads at its path parameter: the suffix its files have, whether it wants a
# folder, and the name of a file inside that folder that it reads (for the FIFO-inside case).
READS = {
    "course.data.downloads.registry": {"suffix": ".json"},
    "course.data.downloads.entry": {"suffix": ".json"},
    "course.data.downloads.fetch": {"suffix": ".json"},
    "course.data.downloads.sha256": {"suffix": ".bin", "any_content": True},
    "course.data.downloads.file_hash": {"suffix": ".bin", "any_content": True},
    "course.data.mnist.read_mnist": {"suffix": ".npz"},
    "course.data.flowers.load_flowers": {"suffix": ".tgz", "folder": True, "inside": "roses/rose.jpg"},
    "course.data.generated_flowers.make_flower_folder": {
        "suffix": "",
        "folder": True,
        "inside": "daisy/daisy_0000.png",
    },
    "course.saving.checkpoint_epoch": {"suffix": ".weights.h5", "name_only": True},
    "course.saving.latest_checkpoint": {"suffix": "", "folder": True, "inside": "cp-0003.weights.h5"},
    "course.saving.restore_latest": {"suffix": "", "folder": True, "inside": "cp-0003.weights.h5"},
    "course.saving.file_shapes": {"suffix": ".weights.h5"},
    "course.saving.mismatches": {"suffix": ".weights.h5"},
    "course.saving.load_weights": {"suffix": ".weights.h5"},
}
# checkpoint_epoch reads a checkpoint's *name* (cp-0007.weights.h5 -> 7) and never opens the file:
# whatever is at the path, a number in its name is the right answer. sha256 and file_hash read
# any regular file: a truncated file or one of another type has a checksum too.
CONTENT_CASES = ("truncated file", "file of the wrong type")


def path_functions():
    """``(qualified name, function, [path parameters])`` of course.data and course.saving."""
    modules = [course.saving] + [
        importlib.import_module(info.name)
        for info in pkgutil.walk_packages(course.data.__path__, "course.data.")
    ]
    found = []
    for module in modules:
        for name, value in vars(module).items():
            if name.startswith("_") or not inspect.isfunction(value) or value.__module__ != module.__name__:
                continue
            targets = [
                p for p in inspect.signature(value).parameters if any(w in p.lower() for w in PATH_WORDS)
            ]
            if targets:
                found.append((f"{module.__name__}.{name}", value, targets))
    return found


FUNCTIONS = path_functions()


# --- the contents of files of each type, whole and cut short -----------------------------------------


def png_bytes():
    from PIL import Image

    buffer = io.BytesIO()
    Image.fromarray(np.zeros((8, 8, 3), np.uint8)).save(buffer, "PNG")
    return buffer.getvalue()


def npz_bytes():
    buffer = io.BytesIO()
    np.savez_compressed(buffer, x_train=np.zeros((50, 28, 28), np.uint8))
    return buffer.getvalue()


def tgz_bytes():
    buffer = io.BytesIO()
    with tarfile.open(fileobj=buffer, mode="w:gz") as archive:
        for name in ("flower_photos/roses/a.png", "flower_photos/tulips/b.png"):
            info = tarfile.TarInfo(name)
            data = png_bytes()
            info.size = len(data)
            archive.addfile(info, io.BytesIO(data))
    return buffer.getvalue()


def h5_bytes(tmp_path):
    import h5py

    path = tmp_path / "made.weights.h5"
    with h5py.File(path, "w") as file:
        file.create_dataset("layers/dense/vars/0", data=np.ones((4, 3)))
        file.create_dataset("layers/dense/vars/1", data=np.ones(3))
    data = path.read_bytes()
    path.unlink()
    return data


def whole_file(suffix, tmp_path):
    """A good file of the type ``suffix`` names (its truncation is the 'truncated file' case)."""
    if suffix == ".json":
        return json.dumps(
            {"mnist": {"file": "mnist.npz", "origin": "http://127.0.0.1:9/m", "sha256": "0" * 64}}
        ).encode()
    if suffix == ".npz":
        return npz_bytes()
    if suffix == ".tgz":
        return tgz_bytes()
    if suffix == ".weights.h5":
        return h5_bytes(tmp_path)
    return bytes(range(256)) * 16


def wrong_type(suffix):
    """A file of another type than ``suffix`` names: a PNG, or a zip for a PNG-less case."""
    if suffix in (".json", ".npz", ".tgz", ".weights.h5", ""):
        return png_bytes()
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("a.txt", "a")
    return buffer.getvalue()


# --- the cases ------------------------------------------------------------------------------------------


def cases(where, reads):
    """``{case: path}``, each made in the folder ``where`` (that also holds files that must be kept)."""
    suffix, folder = reads["suffix"], reads.get("folder", False)
    made = {}

    def at(name):
        return where / f"{name}{suffix}"

    os.mkfifo(at("fifo"))
    made["FIFO"] = at("fifo")
    at("loop-a").symlink_to(at("loop-b"))
    at("loop-b").symlink_to(at("loop-a"))
    made["symlink loop"] = at("loop-a")
    at("dangling").symlink_to(where / "nothing-here")
    made["dangling link"] = at("dangling")
    if folder:
        (where / "notes.txt").write_text("a file where a folder is due")
        made["file where a folder is due"] = where / "notes.txt"
    else:
        at("folder").mkdir()
        made["folder where a file is due"] = at("folder")
    if os.geteuid() != 0:  # root reads a file of mode 000 all the same: no such case for root
        target = where / "locked" if folder else at("locked")
        if folder:
            target.mkdir()
        else:
            target.write_bytes(whole_file(suffix, where))
        target.chmod(0)
        made["unreadable"] = target
    made["name too long"] = where / ("n" * 300 + suffix)
    made["path too long"] = where.joinpath(*(["long"] * 1100)) / f"x{suffix}"
    made["NUL byte"] = str(at("nul")) + "\x00" + suffix
    whole = whole_file(".tgz" if folder else suffix, where)
    at("truncated").write_bytes(whole[: len(whole) // 2])
    made["truncated file"] = at("truncated")
    at("wrong").write_bytes(wrong_type(suffix))
    made["file of the wrong type"] = at("wrong")
    if folder:
        holder = where / "holder"
        inside = holder / reads["inside"]
        inside.parent.mkdir(parents=True)
        if reads["inside"].endswith(".jpg"):  # load_flowers: every class folder, one picture each
            for kind in ("daisy", "dandelion", "roses", "sunflowers", "tulips"):
                (holder / kind).mkdir(exist_ok=True)
                (holder / kind / "ok.png").write_bytes(png_bytes())
        os.mkfifo(inside)
        made["FIFO inside the folder"] = holder
    return made


def snapshot(*folders):
    """Every entry under ``folders``, described without opening anything that is not a regular file."""
    found = {}
    for folder in folders:
        for root, dirs, files in os.walk(folder):
            for name in dirs + files:
                path = os.path.join(root, name)
                info = os.lstat(path)
                if stat.S_ISLNK(info.st_mode):
                    found[path] = ("link", os.readlink(path))
                elif stat.S_ISDIR(info.st_mode):  # its entries are compared one by one
                    found[path] = ("folder", info.st_mode)
                elif stat.S_ISREG(info.st_mode) and os.access(path, os.R_OK):
                    with open(path, "rb") as file:
                        found[path] = ("file", info.st_mode, file.read())
                else:
                    found[path] = ("other", info.st_mode, info.st_size, info.st_mtime_ns)
    return found


@pytest.fixture
def sandbox(tmp_path, monkeypatch):
    """A private work folder (its dataset cache made), no data folder, no reachable dataset host."""
    work = tmp_path / "work"
    (work / "datasets").mkdir(parents=True)
    (work / "keep.txt").write_text("a learner's file")
    monkeypatch.setenv("COURSE_WORKDIR", str(work))
    monkeypatch.setenv("COURSE_DATA_MIRROR", "http://127.0.0.1:9/")  # the discard port: refused at once
    monkeypatch.delenv("COURSE_DATA_DIR", raising=False)
    monkeypatch.setenv("COURSE_STRICT", "0")
    monkeypatch.chdir(tmp_path)
    yield tmp_path
    for root, dirs, files in os.walk(tmp_path):  # let pytest remove what was locked
        for name in dirs + files:
            path = os.path.join(root, name)
            if not os.path.islink(path) and stat.S_IMODE(os.lstat(path).st_mode) == 0:
                os.chmod(path, 0o700)


@pytest.fixture(scope="module")
def model():
    from course.runtime.quiet import import_tensorflow

    import_tensorflow()
    import keras

    made = keras.Sequential([keras.Input((4,)), keras.layers.Dense(3)])
    return made


def other_arguments(name, function, target, model):
    """Plausible values for the parameters other than ``target`` that have no default."""
    values = {}
    for parameter in inspect.signature(function).parameters.values():
        if parameter.name == target or parameter.default is not parameter.empty:
            continue
        values[parameter.name] = {"name": "mnist", "model": model}[parameter.name]
    return values


def fifos_under(*folders):
    """Every FIFO under ``folders``."""
    return [
        os.path.join(root, name)
        for folder in folders
        for root, dirs, files in os.walk(folder)
        for name in dirs + files
        if stat.S_ISFIFO(os.lstat(os.path.join(root, name)).st_mode)
    ]


def unblock(fifos):
    """Open each FIFO at both ends for a moment: a reader or writer stuck in C code (HDF5) gets out.

    Python's alarm cannot stop a C library that retries an interrupted ``open`` itself; once the
    call is back in Python, the alarm of :func:`verdict` reports it as a hang.
    """
    held = []
    for fifo in fifos:
        with contextlib.suppress(OSError):
            held.append(os.open(fifo, os.O_RDWR | os.O_NONBLOCK))
    time.sleep(0.2)
    for fd in held:
        os.close(fd)


def judged(function, kwargs, folders=()):
    """``(problem, outcome)``: :func:`verdict`'s sentence (None: the policy kept), and ``outcome``
    holding ``"returned"`` (the result) when the call returned instead of raising.

    A FIFO under ``folders`` that the call still waits on after the time limit is opened at both
    ends (:func:`unblock`), so that a hang is reported instead of stopping the whole run."""
    outcome = {}

    def call(**given):
        outcome["returned"] = function(**given)

    watchdog = threading.Timer(TIME_LIMIT_S + 0.5, unblock, [fifos_under(*folders)])
    watchdog.start()
    try:
        return verdict(call, [], kwargs, seconds=TIME_LIMIT_S), outcome
    finally:
        watchdog.cancel()
        watchdog.join()


@contextlib.contextmanager
def time_limit(*folders, seconds=TIME_LIMIT_S):
    """Fail (TimeoutError) a block that runs past ``seconds``, unblocking the FIFOs under ``folders``."""

    def alarm(signum, frame):
        raise TimeoutError(f"did not return within {seconds} s")

    previous = signal.signal(signal.SIGALRM, alarm)
    signal.alarm(seconds)
    watchdog = threading.Timer(seconds + 0.5, unblock, [fifos_under(*folders)])
    watchdog.start()
    try:
        yield
    finally:
        signal.alarm(0)
        signal.signal(signal.SIGALRM, previous)
        watchdog.cancel()
        watchdog.join()


def test_every_function_that_takes_a_path_says_what_it_reads():
    found = {name for name, _, _ in FUNCTIONS}
    assert found == set(READS), (
        f"add to READS: {sorted(found - set(READS))}; gone: {sorted(set(READS) - found)}"
    )


@pytest.mark.parametrize("name, function, targets", FUNCTIONS, ids=[name for name, _, _ in FUNCTIONS])
def test_bad_paths_end_in_a_course_error_and_change_no_file(name, function, targets, sandbox, model):
    reads = READS[name]
    broken = []
    for target in targets:
        where = sandbox / f"cases-{target}"
        where.mkdir()
        (where / "neighbour.txt").write_text("keep me")
        (where / "neighbour-folder").mkdir()
        (where / "neighbour-folder" / "inside.txt").write_text("keep me too")
        for case, value in cases(where, reads).items():
            kwargs = {**other_arguments(name, function, target, model), target: value}
            before = snapshot(where, sandbox / "work")
            problem, outcome = judged(function, kwargs, [where, sandbox / "work"])
            if problem is None and "returned" in outcome:
                allowed = reads.get("name_only") or (reads.get("any_content") and case in CONTENT_CASES)
                if not allowed:
                    problem = f"returned {outcome['returned']!r} instead of refusing it"
            if problem is None and snapshot(where, sandbox / "work") != before:
                problem = "changed or deleted a file"
            if problem:
                broken.append(f"{target}={case}: {problem}")
    assert not broken, f"{name}:\n  " + "\n  ".join(broken)


def test_the_messages_name_the_problem(sandbox):
    """Spot checks of what a learner reads for each kind of path."""
    from course.data import downloads, flowers, mnist
    from course.saving import latest_checkpoint

    where = sandbox / "spot"
    where.mkdir()
    made = cases(where, READS["course.data.mnist.read_mnist"])
    says = {
        "FIFO": "is not a regular file, it is a FIFO",
        "symlink loop": "is a symbolic link loop",
        "dangling link": "is a symbolic link to .*which does not exist",
        "folder where a file is due": "must name a file, got the folder",
        "name too long": "too long for the file system: one of its names is 304 bytes long",
        "path too long": "too long for the file system: it is .* bytes long",
        "NUL byte": "without NUL characters",
        "truncated file": "is not a usable mnist.npz",
        "file of the wrong type": "is not a usable mnist.npz",
        "unreadable": "cannot be read \\(permission denied\\)",
    }
    for case, path in made.items():
        with time_limit(where), pytest.raises((ValueError, FileNotFoundError), match=says[case]) as caught:
            mnist.read_mnist(path)
        assert not INTERNAL_MESSAGES.search(str(caught.value))
    with time_limit(where), pytest.raises(ValueError, match="is not a regular file, it is a FIFO"):
        downloads.registry(made["FIFO"])
    folders = cases(sandbox, READS["course.saving.latest_checkpoint"])
    with (
        time_limit(sandbox),
        pytest.raises(ValueError, match="cp-0003.weights.h5' is not a regular file, it is a FIFO"),
    ):
        latest_checkpoint(folders["FIFO inside the folder"])
    with pytest.raises(ValueError, match="must be a folder, got the file"):
        latest_checkpoint(folders["file where a folder is due"])
    with pytest.raises(ValueError, match="is damaged or not a .tgz archive"):
        flowers.load_flowers(folders["truncated file"])


def test_bad_files_in_the_data_folder_are_refused_or_passed_over(sandbox, monkeypatch, capsys):
    """COURSE_DATA_DIR holding a bad mnist.npz: a course error or the announced fallback, never a hang."""
    from course.data import mnist

    monkeypatch.delenv("COURSE_DATA_MIRROR")
    monkeypatch.setattr("course.data.downloads.REGISTRY_PATH", sandbox / "registry.json")
    (sandbox / "registry.json").write_text(
        json.dumps(
            {"mnist": {"file": "mnist.npz", "origin": "http://127.0.0.1:9/mnist.npz", "sha256": "0" * 64}}
        )
    )
    for case in (
        "FIFO",
        "symlink loop",
        "dangling link",
        "folder",
        "truncated file",
        "file of the wrong type",
    ):
        folder = sandbox / f"data-{case.replace(' ', '-')}"
        folder.mkdir()
        target = folder / "mnist.npz"
        if case == "FIFO":
            os.mkfifo(target)
        elif case == "symlink loop":
            target.symlink_to(folder / "other.npz")
            (folder / "other.npz").symlink_to(target)
        elif case == "dangling link":
            target.symlink_to(folder / "gone.npz")
        elif case == "folder":
            target.mkdir()
        elif case == "truncated file":
            target.write_bytes(npz_bytes()[:100])
        else:
            target.write_bytes(gzip.compress(b"not an npz"))
        monkeypatch.setenv("COURSE_DATA_DIR", str(folder))
        before = snapshot(folder, sandbox / "work")
        problem, outcome = judged(mnist.load_mnist, {}, [folder, sandbox / "work"])
        if problem is None and "returned" in outcome:  # passed over: then the fallback is announced
            problem = None if "offline fallback" in capsys.readouterr().out else "no announcement"
        assert problem is None, f"COURSE_DATA_DIR with mnist.npz a {case}: {problem}"
        assert snapshot(folder, sandbox / "work") == before, case


def test_fresh_workdir_refuses_what_is_no_plain_folder_and_keeps_it(sandbox):
    """fresh_workdir's argument names a folder in the work folder: each bad kind of thing there is named."""
    from course.saving import fresh_workdir

    work = sandbox / "work"
    (work / "elsewhere").mkdir()
    (work / "elsewhere" / "model.keras").write_text("keep")
    os.mkfifo(work / "fifo")
    (work / "loop-a").symlink_to(work / "loop-b")
    (work / "loop-b").symlink_to(work / "loop-a")
    (work / "dangling").symlink_to(work / "gone")
    (work / "link").symlink_to(work / "elsewhere")
    (work / "a-file").write_text("keep")
    for part in ("fifo", "loop-a", "dangling", "link", "a-file", "n" * 300, "a\x00b"):
        before = snapshot(work)
        problem, _ = judged(lambda part=part: fresh_workdir(part), {}, [work])
        assert problem is None, f"fresh_workdir({part[:20]!r}): {problem}"
        with pytest.raises((ValueError, FileNotFoundError)):
            fresh_workdir(part)
        assert snapshot(work) == before, part
