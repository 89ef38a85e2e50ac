"""Downloads that never hang and never write where they should not, against real servers on loopback.

Each server runs in a thread on 127.0.0.1: one that trickles a byte now and then, one that
accepts connections and never answers, one that stops in the middle of the body. The limits
of :mod:`course.data.downloads` are module constants; the tests shorten them so that each
test stays within a few seconds.
"""

import errno
import hashlib
import json
import os
import socket
import threading
import time
from http.server import BaseHTTPRequestHandler

import pytest

from course.data import downloads, mnist
from course.data.downloads import DatasetUnavailable, fetch

from .helpers import local_http_server

DATA = bytes(range(256)) * 64  # 16 KiB


@pytest.fixture(autouse=True)
def isolated(tmp_path, monkeypatch):
    monkeypatch.setenv("COURSE_WORKDIR", str(tmp_path / "work"))
    monkeypatch.delenv("COURSE_DATA_DIR", raising=False)
    monkeypatch.delenv("COURSE_DATA_MIRROR", raising=False)


class Behaviours(BaseHTTPRequestHandler):
    """``server.mode`` says how to answer: ``ok``, ``trickle``, ``stall``, ``redirect``, ``flood``."""

    def do_GET(self):
        server = self.server
        if self.path == "/moved":
            self.send_response(302)
            self.send_header("Location", "/data.bin")
            self.send_header("Content-Length", "0")
            self.end_headers()
            return
        body = server.body
        self.send_response(200)
        self.send_header("Content-Length", str(len(body) * (1000 if server.mode == "flood" else 1)))
        self.end_headers()
        try:
            if server.mode == "trickle":  # one byte every 0.2 s: never a stall, never done
                for byte in body:
                    if server.done.wait(0.2):
                        return
                    self.wfile.write(bytes([byte]))
                    self.wfile.flush()
            elif server.mode == "stall":  # half the body, then silence
                self.wfile.write(body[: len(body) // 2])
                self.wfile.flush()
                server.done.wait(30)
            elif server.mode == "flood":
                for _ in range(1000):
                    self.wfile.write(body)
            else:
                self.wfile.write(body)
        except OSError:  # the client gave up: that is the point
            pass

    def log_message(self, *args):
        pass


@pytest.fixture
def server():
    with local_http_server(Behaviours, mode="ok", body=DATA, done=threading.Event()) as httpd:
        yield httpd


@pytest.fixture
def silent_server():
    """A server that accepts every connection and never sends a byte: the URL of its port."""
    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen()
    listener.settimeout(0.2)
    done, held = threading.Event(), []

    def accept():
        while not done.is_set():
            try:
                held.append(listener.accept()[0])  # kept open, never read, never answered
            except (TimeoutError, OSError):
                continue

    worker = threading.Thread(target=accept, daemon=True)
    worker.start()
    yield f"http://127.0.0.1:{listener.getsockname()[1]}"
    done.set()
    worker.join(2)
    for connection in held:
        connection.close()
    listener.close()


def registry_for(tmp_path, url, data=DATA, name="data", file="data.bin", size=True, **extra):
    item = {"file": file, "origin": url, "sha256": hashlib.sha256(data).hexdigest(), **extra}
    if size:
        item["size_bytes"] = len(data)
    path = tmp_path / "registry.json"
    path.write_text(json.dumps({name: item}))
    return path


def cache(tmp_path):
    return tmp_path / "work" / "datasets"


def test_a_plain_download_and_a_redirect_arrive_verified(server, tmp_path):
    assert fetch("data", registry_for(tmp_path, server.url + "/moved")).read_bytes() == DATA
    assert sorted(p.name for p in cache(tmp_path).iterdir()) == ["data.bin", "data.bin.sha256"]


def test_a_trickling_mirror_is_given_up_at_the_overall_deadline(server, tmp_path, monkeypatch):
    """One byte every 0.2 s never trips the stall timeout; the deadline stops it."""
    server.mode = "trickle"
    monkeypatch.setattr(downloads, "DOWNLOAD_DEADLINE_S", 1.5)
    started = time.monotonic()
    with pytest.raises(DatasetUnavailable, match=r"was not complete after 1.5 s \(\d+ bytes had come\)"):
        fetch("data", registry_for(tmp_path, server.url + "/data.bin", size=False))
    assert time.monotonic() - started < 5
    assert list(cache(tmp_path).iterdir()) == []  # no partial file kept


def test_the_deadline_grows_with_the_size_of_the_file():
    small = {"file": "a", "origin": "http://x/a", "sha256": "0" * 64, "size_bytes": 1000}
    big = {**small, "size_bytes": 250_000_000}
    assert downloads.deadline_s(small) == pytest.approx(downloads.DOWNLOAD_DEADLINE_S, abs=0.1)
    assert (
        downloads.deadline_s(big) == downloads.DOWNLOAD_DEADLINE_S + 250_000_000 / downloads.MIN_RATE_BYTES_S
    )
    with pytest.raises(TypeError, match="item must be a registry entry"):
        downloads.deadline_s({"file": "a"})


@pytest.fixture
def digits_ready():
    """The offline fallback's first use imports scikit-learn and SciPy: paid here, not in the timings."""
    mnist.digits_as_mnist()


def test_a_trickling_mirror_makes_load_mnist_fall_back(server, tmp_path, monkeypatch, capsys, digits_ready):
    server.mode = "trickle"
    monkeypatch.setattr(
        downloads, "REGISTRY_PATH", registry_for(tmp_path, server.url + "/mnist.npz", name="mnist")
    )
    monkeypatch.setattr(downloads, "DOWNLOAD_DEADLINE_S", 1.0)
    started = time.monotonic()
    (x_train, _), _ = mnist.load_mnist()
    assert time.monotonic() - started < 8  # the deadline, then the scikit-learn digits
    out = capsys.readouterr().out
    assert "offline fallback" in out and "was not complete after" in out and x_train.shape[1:] == (28, 28)


def test_a_silent_mirror_falls_back_within_seconds_with_the_default_limits(
    silent_server, tmp_path, monkeypatch, capsys, digits_ready
):
    """It accepts the connection (so it looks reachable) and never answers: it used to cost 37 s."""
    registry = registry_for(tmp_path, silent_server + "/mnist.npz", name="mnist")
    monkeypatch.setattr(downloads, "REGISTRY_PATH", registry)
    started = time.monotonic()
    with pytest.raises(DatasetUnavailable, match=f"did not answer within {downloads.CONNECT_TIMEOUT_S:g} s"):
        fetch("mnist")
    assert time.monotonic() - started < downloads.CONNECT_TIMEOUT_S + 3
    started = time.monotonic()
    mnist.load_mnist()
    assert time.monotonic() - started < downloads.CONNECT_TIMEOUT_S + 3
    assert "offline fallback" in capsys.readouterr().out


def test_a_mirror_that_stops_in_the_middle_is_given_up_after_the_stall_timeout(server, tmp_path, monkeypatch):
    server.mode = "stall"
    monkeypatch.setattr(downloads, "STALL_TIMEOUT_S", 1.0)
    started = time.monotonic()
    with pytest.raises(DatasetUnavailable, match=r"no data came for 1 s \(8,192 bytes had come\)"):
        fetch("data", registry_for(tmp_path, server.url + "/data.bin"))
    assert time.monotonic() - started < 5
    assert list(cache(tmp_path).iterdir()) == []
    assert socket.getdefaulttimeout() is None  # the process's sockets are left alone


def test_a_mirror_that_sends_far_too_much_is_cut_off(server, tmp_path):
    server.mode = "flood"  # 16 MiB where the registry says 16 KiB
    with pytest.raises(DatasetUnavailable, match="sends more than .* bytes, so it cannot be the data.bin"):
        fetch("data", registry_for(tmp_path, server.url + "/data.bin"))
    assert list(cache(tmp_path).iterdir()) == []


def test_an_http_error_is_a_dataset_unavailable(server, tmp_path, monkeypatch):
    def missing(handler):
        handler.send_error(404)

    monkeypatch.setattr(Behaviours, "do_GET", missing)
    with pytest.raises(DatasetUnavailable, match="failed: HTTPError: Not Found"):
        fetch("data", registry_for(tmp_path, server.url + "/data.bin"))


# --- the disk: a full disk or a read-only cache is named, with the system's reason ---------------------


class FullDisk:
    """A file whose writes fail as on a full disk."""

    def __init__(self, path, mode):
        self.name = path
        self._file = open(path, mode)  # noqa: SIM115 - closed in __exit__

    def write(self, data):
        raise OSError(errno.ENOSPC, "No space left on device")

    def __enter__(self):
        return self

    def __exit__(self, *args):
        self._file.close()


def test_a_full_disk_during_a_download_is_named_and_leaves_no_partial_file(server, tmp_path, monkeypatch):
    monkeypatch.setattr(downloads, "open", FullDisk, raising=False)
    with pytest.raises(
        ValueError, match=r"cannot write into the dataset cache .*datasets \(No space left on device\)"
    ):
        fetch("data", registry_for(tmp_path, server.url + "/data.bin"))
    assert list(cache(tmp_path).iterdir()) == []


def test_a_read_only_cache_is_named(server, tmp_path, monkeypatch):
    def read_only(path, mode="r", *args, **kwargs):
        raise OSError(errno.EROFS, "Read-only file system", str(path))

    monkeypatch.setattr(downloads, "open", read_only, raising=False)
    with pytest.raises(
        ValueError, match=r"datasets \(Read-only file system\): .*set COURSE_WORKDIR"
    ) as caught:
        fetch("data", registry_for(tmp_path, server.url + "/data.bin"))
    assert caught.value.__cause__.errno == errno.EROFS


# --- only regular files are read; registry names stay inside the dataset folder ------------------------


@pytest.mark.parametrize("key", ["file", "folder"])
@pytest.mark.parametrize("bad", ["/etc/passwd", "../../x", "..", "sub/../../x", "a\\..\\b", "", " x"])
def test_a_registry_name_that_leaves_the_dataset_folder_is_refused(tmp_path, key, bad):
    item = {"file": "x.npz", "origin": "http://127.0.0.1:9/x.npz", "sha256": "0" * 64, key: bad}
    registry = tmp_path / "registry.json"
    registry.write_text(json.dumps({"evil": item}))
    with pytest.raises(
        ValueError, match=f"dataset 'evil' has {key} .*must be a plain name inside the dataset"
    ):
        fetch("evil", registry)


def test_a_fifo_registry_or_cached_file_is_refused_by_name(server, tmp_path):
    pipe = tmp_path / "registry.json"
    os.mkfifo(pipe)
    with pytest.raises(ValueError, match="registry.json' is not a regular file, it is a FIFO"):
        downloads.registry(pipe)
    pipe.unlink()
    registry = registry_for(tmp_path, server.url + "/data.bin")
    cache(tmp_path).mkdir(parents=True)
    os.mkfifo(cache(tmp_path) / "data.bin")
    with pytest.raises(ValueError, match="data.bin' is not a regular file, it is a FIFO"):
        fetch("data", registry)
    assert (cache(tmp_path) / "data.bin").exists()  # refused, not replaced by a download


def test_a_fifo_in_the_data_folder_is_refused_by_name(tmp_path, monkeypatch):
    folder = tmp_path / "classroom"
    folder.mkdir()
    os.mkfifo(folder / "mnist.npz")
    monkeypatch.setenv("COURSE_DATA_DIR", str(folder))
    monkeypatch.setattr(
        downloads,
        "REGISTRY_PATH",
        registry_for(tmp_path, "http://127.0.0.1:9/m", name="mnist", file="mnist.npz"),
    )
    with pytest.raises(ValueError, match="mnist.npz' is not a regular file, it is a FIFO"):
        mnist.load_mnist()


def test_the_partial_file_is_the_courses_own(server, tmp_path):
    registry = registry_for(tmp_path, server.url + "/data.bin")
    cache(tmp_path).mkdir(parents=True)
    elsewhere = tmp_path / "precious.txt"
    elsewhere.write_text("keep")
    (cache(tmp_path) / "data.bin.part").symlink_to(elsewhere)
    with pytest.raises(ValueError, match="data.bin.part is a symbolic link"):
        fetch("data", registry)
    assert elsewhere.read_text() == "keep"
    (cache(tmp_path) / "data.bin.part").unlink()
    (cache(tmp_path) / "data.bin.part").write_bytes(b"left by a download cut short")
    assert fetch("data", registry).read_bytes() == DATA
