"""The MNIST loader and the downloads behind it, against an HTTP server on loopback (never the internet)."""

import hashlib
import io
import json
import os
import socket
import threading
import time
from http.server import BaseHTTPRequestHandler

import numpy as np
import pytest

from course.data import downloads, mnist
from course.data.downloads import DatasetUnavailable, fetch, reachable
from course.data.mnist import MNIST_SHAPES, digits_as_mnist, load_mnist, read_mnist

from .helpers import local_http_server


class Files(BaseHTTPRequestHandler):
    """Serves ``server.files[path]``; paths in ``server.stalled`` never answer."""

    def do_GET(self):
        if self.path in self.server.stalled:
            self.server.release.wait(30)
            return
        body = self.server.files.get(self.path)
        if body is None:
            self.send_error(404)
            return
        self.server.requests.append(self.path)
        self.send_response(200)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args):  # keep the test output clean
        pass


@pytest.fixture
def server():
    with local_http_server(Files, files={}, stalled=set(), requests=[], release=threading.Event()) as httpd:
        yield httpd


@pytest.fixture
def closed_port():
    """A loopback port with nothing listening: connecting is refused at once."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture(autouse=True)
def isolated(tmp_path, monkeypatch):
    """A fresh work folder and no data folder or mirror from the caller's environment."""
    monkeypatch.setenv("COURSE_WORKDIR", str(tmp_path / "work"))
    monkeypatch.delenv("COURSE_DATA_DIR", raising=False)
    monkeypatch.delenv("COURSE_DATA_MIRROR", raising=False)


def sha(data):
    return hashlib.sha256(data).hexdigest()


def npz_bytes(compressed=False, **arrays):
    buffer = io.BytesIO()
    (np.savez_compressed if compressed else np.savez)(buffer, **arrays)
    return buffer.getvalue()


def fake_mnist(dtype=np.uint8, compressed=True):
    """An mnist.npz with MNIST's shapes (mostly zeros, so it stays small) and a few marked pixels."""
    arrays = {name: np.zeros(shape, dtype) for name, shape in MNIST_SHAPES.items()}
    arrays["x_train"][7, 3, 4] = 255
    arrays["y_train"][:10] = np.arange(10)
    return npz_bytes(compressed, **arrays)


def write_registry(tmp_path, name, data, origin):
    item = {
        "file": f"{name}.npz",
        "origin": origin,
        "sha256": sha(data),
        "size_bytes": len(data),
        "extract": False,
    }
    path = tmp_path / "registry.json"
    path.write_text(json.dumps({name: item}))
    return path


TINY = npz_bytes(x=np.arange(12, dtype=np.uint8).reshape(3, 4))


def test_download_is_checked_and_cached(server, tmp_path):
    server.files["/data/tiny.npz"] = TINY
    registry = write_registry(tmp_path, "tiny", TINY, server.url + "/data/tiny.npz")
    path = fetch("tiny", registry)
    assert path.read_bytes() == TINY and path.parent == tmp_path / "work" / "datasets"
    server.files.clear()  # the second fetch must not need the server
    assert fetch("tiny", registry) == path
    assert server.requests == ["/data/tiny.npz"]


def test_a_file_with_the_wrong_sha256_is_refused_and_not_kept(server, tmp_path):
    server.files["/data/tiny.npz"] = TINY + b"tampered"
    registry = write_registry(tmp_path, "tiny", TINY, server.url + "/data/tiny.npz")
    with pytest.raises(DatasetUnavailable, match="sha256|hash"):
        fetch("tiny", registry)
    assert not (tmp_path / "work" / "datasets" / "tiny.npz").exists()


def test_an_md5_entry_is_downloaded_checked_by_md5_and_marked(server, tmp_path):
    server.files["/models/tiny.h5"] = TINY
    item = {"file": "tiny.h5", "origin": server.url + "/models/tiny.h5", "md5": hashlib.md5(TINY).hexdigest()}
    registry = tmp_path / "registry.json"
    registry.write_text(json.dumps({"tiny": item}))
    path = fetch("tiny", registry)
    assert path.read_bytes() == TINY and (path.parent / "tiny.h5.md5").read_text().strip() == item["md5"]
    assert downloads.checksum(downloads.entry("tiny", registry)) == ("md5", item["md5"])
    path.unlink()
    server.files["/models/tiny.h5"] = TINY + b"tampered"
    with pytest.raises(DatasetUnavailable, match="hash"):
        fetch("tiny", registry)
    assert not path.exists()


@pytest.mark.parametrize(
    "checksums", [{}, {"sha256": "0" * 64, "md5": "0" * 32}, {"md5": 5}], ids=["none", "two", "not text"]
)
def test_a_registry_entry_needs_exactly_one_checksum(tmp_path, checksums):
    registry = tmp_path / "registry.json"
    registry.write_text(
        json.dumps({"tiny": {"file": "tiny.npz", "origin": "http://127.0.0.1:9/t", **checksums}})
    )
    with pytest.raises(
        ValueError, match=r"dataset 'tiny' should give file, origin and a checksum \(sha256 or md5\)"
    ):
        downloads.registry(registry)


def test_mirror_replaces_the_origin_prefix(server, tmp_path, closed_port, monkeypatch):
    server.files["/mirror/tiny.npz"] = TINY
    registry = write_registry(tmp_path, "tiny", TINY, f"http://127.0.0.1:{closed_port}/origin/tiny.npz")
    monkeypatch.setenv("COURSE_DATA_MIRROR", server.url + "/mirror")
    assert fetch("tiny", registry).read_bytes() == TINY
    assert server.requests == ["/mirror/tiny.npz"]


@pytest.mark.parametrize(
    "damage",
    [lambda data: data[: len(data) // 2], lambda data: b"\0" * len(data)],
    ids=["truncated", "corrupt"],
)
def test_a_damaged_cache_is_announced_and_fetched_again(server, tmp_path, damage, capsys):
    server.files["/data/tiny.npz"] = TINY
    registry = write_registry(tmp_path, "tiny", TINY, server.url + "/data/tiny.npz")
    cached = fetch("tiny", registry)
    cached.write_bytes(damage(TINY))
    assert fetch("tiny", registry).read_bytes() == TINY
    assert "damaged or incomplete" in capsys.readouterr().out
    assert len(server.requests) == 2


def test_local_folder_is_used_before_any_download(tmp_path, closed_port, monkeypatch):
    folder = tmp_path / "classroom"
    folder.mkdir()
    (folder / "tiny.npz").write_bytes(TINY)
    registry = write_registry(tmp_path, "tiny", TINY, f"http://127.0.0.1:{closed_port}/tiny.npz")
    monkeypatch.setenv("COURSE_DATA_DIR", str(folder))
    assert fetch("tiny", registry) == folder / "tiny.npz"
    monkeypatch.setenv("COURSE_DATA_DIR", str(tmp_path / "missing"))
    with pytest.raises(DatasetUnavailable, match="is not a folder"):
        fetch("tiny", registry)


def test_unreachable_host_gives_up_at_once(tmp_path, closed_port):
    registry = write_registry(tmp_path, "tiny", TINY, f"http://127.0.0.1:{closed_port}/tiny.npz")
    started = time.monotonic()
    with pytest.raises(DatasetUnavailable, match="cannot reach 127.0.0.1"):
        fetch("tiny", registry)
    assert (
        time.monotonic() - started < 3
    )  # a refused connection is immediate; the bound allows a busy machine


def swallowed_connection(*args, **kwargs):
    """A resolver or firewall that swallows the request: no answer for 30 s, then a time-out."""
    time.sleep(30)
    raise TimeoutError("timed out")


def test_a_host_that_never_answers_is_abandoned_after_the_timeout(monkeypatch):
    monkeypatch.setattr(socket, "create_connection", swallowed_connection)
    started = time.monotonic()
    assert not reachable("https://example.invalid/x.npz", timeout=0.5)
    assert time.monotonic() - started < 1.5


def test_a_request_that_is_never_answered_is_given_up(server, tmp_path, monkeypatch):
    """The server reads the request and stays silent: given up after CONNECT_TIMEOUT_S (tests/test_downloads.py
    has the other limits: the stall timeout and the overall deadline)."""
    server.stalled.add("/data/tiny.npz")
    registry = write_registry(tmp_path, "tiny", TINY, server.url + "/data/tiny.npz")
    monkeypatch.setattr(downloads, "CONNECT_TIMEOUT_S", 1.0)
    started = time.monotonic()
    with pytest.raises(DatasetUnavailable, match="failed: the host did not answer within 1 s"):
        fetch("tiny", registry)
    assert time.monotonic() - started < 4
    assert socket.getdefaulttimeout() is None


def test_unknown_dataset_names_the_known_ones(tmp_path):
    registry = write_registry(tmp_path, "tiny", TINY, "http://127.0.0.1:9/tiny.npz")
    with pytest.raises(ValueError, match="registry has: tiny"):
        fetch("flowers", registry)


def test_the_real_registry_describes_mnist():
    item = downloads.entry("mnist")
    assert item["file"] == "mnist.npz" and item["origin"].endswith("/mnist.npz") and len(item["sha256"]) == 64


# --- load_mnist --------------------------------------------------------------------------------


def use_registry(monkeypatch, tmp_path, data, origin):
    monkeypatch.setattr(downloads, "REGISTRY_PATH", write_registry(tmp_path, "mnist", data, origin))


def test_load_mnist_downloads_and_returns_keras_shapes(server, tmp_path, monkeypatch):
    data = fake_mnist()
    server.files["/mnist.npz"] = data
    use_registry(monkeypatch, tmp_path, data, server.url + "/mnist.npz")
    (x_train, y_train), (x_test, y_test) = load_mnist()
    assert x_train.shape == (60000, 28, 28) and x_test.shape == (10000, 28, 28)
    assert y_train.shape == (60000,) and y_test.shape == (10000,)
    assert x_train.dtype == y_train.dtype == np.uint8
    assert x_train[7, 3, 4] == 255 and list(y_train[:10]) == list(range(10))


def test_load_mnist_accepts_a_repacked_local_copy(tmp_path, closed_port, monkeypatch):
    repacked = fake_mnist(
        compressed=False
    )  # other bytes than the registry's sha256: checked by shape instead
    use_registry(monkeypatch, tmp_path, fake_mnist(), f"http://127.0.0.1:{closed_port}/mnist.npz")
    folder = tmp_path / "classroom"
    folder.mkdir()
    (folder / "mnist.npz").write_bytes(repacked)
    monkeypatch.setenv("COURSE_DATA_DIR", str(folder))
    (x_train, _), _ = load_mnist()
    assert x_train.shape == (60000, 28, 28) and x_train[7, 3, 4] == 255


def test_a_wrong_local_copy_is_refused_with_the_reason(tmp_path):
    wrong = tmp_path / "mnist.npz"
    wrong.write_bytes(fake_mnist(dtype=np.float32))
    with pytest.raises(ValueError, match=r"x_train should be uint8 of shape \(60000, 28, 28\), got float32"):
        read_mnist(wrong)
    wrong.write_bytes(npz_bytes(x_train=np.zeros((2, 28, 28), np.uint8)))
    with pytest.raises(ValueError, match="not a usable mnist.npz"):
        read_mnist(wrong)
    wrong.write_bytes(b"not a zip file")
    with pytest.raises(ValueError, match="not a usable mnist.npz"):
        read_mnist(wrong)


@pytest.fixture
def sklearn_imported():
    """Import scikit-learn and SciPy once, so that a timing measures the loader, not a cold import.

    (Their first import takes about a second on an idle machine, several on a busy one; a notebook
    pays it once, whatever it uses them for.)
    """
    digits_as_mnist()


def test_offline_fallback_is_announced_in_one_line_and_fast(
    tmp_path, closed_port, monkeypatch, capsys, sklearn_imported
):
    use_registry(monkeypatch, tmp_path, fake_mnist(), f"http://127.0.0.1:{closed_port}/mnist.npz")
    started = time.monotonic()
    (x_train, y_train), (x_test, y_test) = load_mnist()
    elapsed = time.monotonic() - started
    out = capsys.readouterr().out
    assert elapsed < 5, f"the offline fallback took {elapsed:.1f} s"
    assert out.count("\n") == 1 and "offline fallback" in out and "scikit-learn digits" in out
    assert x_train.dtype == np.uint8 and x_train.shape[1:] == (28, 28) and x_test.shape[1:] == (28, 28)
    assert len(x_train) + len(x_test) == 1797 and set(np.unique(y_train)) == set(range(10))


def test_offline_fallback_when_the_host_never_answers(tmp_path, monkeypatch, capsys, sklearn_imported):
    use_registry(monkeypatch, tmp_path, fake_mnist(), "https://storage.example.invalid/mnist.npz")
    monkeypatch.setattr(socket, "create_connection", swallowed_connection)
    monkeypatch.setattr(downloads, "CONNECT_TIMEOUT_S", 1.0)
    started = time.monotonic()
    load_mnist()
    # the connection attempt is abandoned after CONNECT_TIMEOUT_S, then the fallback is built
    assert time.monotonic() - started < 4
    assert "offline fallback" in capsys.readouterr().out


def test_digits_in_mnist_format_look_like_mnist():
    (x_train, y_train), (x_test, _) = digits_as_mnist()
    assert x_train.dtype == np.uint8 and x_train.max() == 255 and x_train.min() == 0
    border = np.concatenate(
        [
            x_train[:, :4].ravel(),
            x_train[:, 24:].ravel(),
            x_train[:, :, :4].ravel(),
            x_train[:, :, 24:].ravel(),
        ]
    )
    assert border.max() == 0  # like MNIST, the digit sits inside a blank margin
    assert len(y_train) == len(x_train) and y_train.dtype == np.uint8


def test_load_digits_validates_its_argument():
    with pytest.raises(ValueError, match="test_fraction must be between 0 and 1"):
        mnist.load_digits(test_fraction=1.5)


# --- a learner's file is never deleted; the course's own download is replaced only by a verified copy -----


def cache_file(tmp_path, name):
    folder = tmp_path / "work" / "datasets"
    folder.mkdir(parents=True, exist_ok=True)
    return folder / name


def test_the_course_marks_its_download_and_leaves_no_partial_file(server, tmp_path):
    server.files["/data/tiny.npz"] = TINY
    registry = write_registry(tmp_path, "tiny", TINY, server.url + "/data/tiny.npz")
    path = fetch("tiny", registry)
    assert (path.parent / "tiny.npz.sha256").read_text().strip() == sha(TINY)
    assert sorted(p.name for p in path.parent.iterdir()) == ["tiny.npz", "tiny.npz.sha256"]


def test_a_damaged_course_download_is_kept_until_a_verified_copy_replaces_it(server, tmp_path):
    server.files["/data/tiny.npz"] = TINY
    registry = write_registry(tmp_path, "tiny", TINY, server.url + "/data/tiny.npz")
    cached = fetch("tiny", registry)
    cached.write_bytes(b"damaged")
    server.files["/data/tiny.npz"] = TINY + b"tampered"  # the new copy fails its check
    with pytest.raises(DatasetUnavailable):
        fetch("tiny", registry)
    assert cached.read_bytes() == b"damaged" and not (cached.parent / "tiny.npz.part").exists()
    server.files["/data/tiny.npz"] = TINY
    assert fetch("tiny", registry).read_bytes() == TINY


def test_a_learners_valid_mnist_in_the_cache_is_used_with_a_note_and_kept(
    tmp_path, closed_port, monkeypatch, capsys
):
    use_registry(monkeypatch, tmp_path, fake_mnist(), f"http://127.0.0.1:{closed_port}/mnist.npz")
    mine = cache_file(tmp_path, "mnist.npz")
    mine.write_bytes(fake_mnist(compressed=False))  # valid, but not the original's bytes
    (x_train, _), _ = load_mnist()
    out = capsys.readouterr().out
    assert x_train.shape == (60000, 28, 28) and x_train[7, 3, 4] == 255
    assert out.count("\n") == 1 and "Using your own" in out and str(mine) in out
    assert mine.read_bytes() == fake_mnist(compressed=False)


@pytest.mark.parametrize(
    "content", [b"", b"not a zip file", fake_mnist()[:5000]], ids=["empty", "garbage", "truncated"]
)
def test_a_learners_unusable_mnist_in_the_cache_is_named_and_kept(
    tmp_path, closed_port, monkeypatch, content
):
    use_registry(monkeypatch, tmp_path, fake_mnist(), f"http://127.0.0.1:{closed_port}/mnist.npz")
    mine = cache_file(tmp_path, "mnist.npz")
    mine.write_bytes(content)
    with pytest.raises(ValueError, match=f"{mine} is not a usable mnist.npz.*move it out of the way"):
        load_mnist()
    assert mine.read_bytes() == content


@pytest.mark.parametrize("content", [b"", fake_mnist()[:5000]], ids=["empty", "truncated"])
def test_a_damaged_local_copy_is_a_value_error_naming_the_file(tmp_path, monkeypatch, content):
    folder = tmp_path / "classroom"
    folder.mkdir()
    (folder / "mnist.npz").write_bytes(content)
    monkeypatch.setenv("COURSE_DATA_DIR", str(folder))
    with pytest.raises(ValueError, match="classroom/mnist.npz is not a usable mnist.npz"):
        load_mnist()


@pytest.mark.parametrize("mirror", ["http://[bad", "http://host:port/", "ftp://example.org/", "127.0.0.1"])
def test_an_unusable_mirror_is_announced_and_the_fallback_used(
    tmp_path, monkeypatch, capsys, mirror, sklearn_imported
):
    use_registry(monkeypatch, tmp_path, fake_mnist(), "http://127.0.0.1:9/mnist.npz")
    monkeypatch.setenv("COURSE_DATA_MIRROR", mirror)
    (x_train, _), _ = load_mnist()
    out = capsys.readouterr().out
    assert out.count("\n") == 1 and "offline fallback" in out
    assert "COURSE_DATA_MIRROR=" in out and "is not a URL prefix" in out
    assert x_train.shape[1:] == (28, 28)


@pytest.mark.parametrize("origin", ["http://[bad/mnist.npz", "not a url"])
def test_an_unusable_origin_falls_back_with_an_announcement(
    tmp_path, monkeypatch, capsys, origin, sklearn_imported
):
    use_registry(monkeypatch, tmp_path, fake_mnist(), origin)
    (x_train, _), _ = load_mnist()
    out = capsys.readouterr().out
    assert out.count("\n") == 1 and "offline fallback" in out and "cannot download mnist.npz" in out
    assert x_train.shape[1:] == (28, 28)


def test_a_mirror_that_cannot_be_reached_falls_back(
    tmp_path, closed_port, monkeypatch, capsys, sklearn_imported
):
    use_registry(monkeypatch, tmp_path, fake_mnist(), "http://127.0.0.1:9/mnist.npz")
    monkeypatch.setenv("COURSE_DATA_MIRROR", f"http://127.0.0.1:{closed_port}/course-data")
    load_mnist()
    assert "cannot reach 127.0.0.1" in capsys.readouterr().out


# --- the error policy of the download helpers -------------------------------------------------------


def test_numbers_are_never_used_as_file_descriptors(tmp_path):
    for call in (lambda: downloads.sha256(True), lambda: downloads.registry(2), lambda: read_mnist(1)):
        with pytest.raises(TypeError, match="must be a path"):
            call()
    os.fstat(1), os.fstat(2)  # stdout and stderr are still open


@pytest.mark.parametrize(
    "call, error, says",
    [
        (lambda tmp: downloads.sha256(tmp / "missing"), FileNotFoundError, "no file or folder"),
        (lambda tmp: downloads.sha256(tmp), ValueError, "must name a file"),
        (lambda tmp: downloads.sha256(tmp / "registry.json", chunk=0), ValueError, "chunk must be between"),
        (lambda tmp: downloads.registry(tmp / "missing.json"), FileNotFoundError, "no file or folder"),
        (lambda tmp: downloads.registry(tmp / "garbage.json"), ValueError, "not a readable dataset registry"),
        (lambda tmp: downloads.registry(tmp / "list.json"), ValueError, "should hold a JSON object"),
        (lambda tmp: downloads.entry(None), TypeError, "name must be a string"),
        (lambda tmp: downloads.source_url(None), TypeError, "item must be a registry entry"),
        (lambda tmp: downloads.checksum({"file": "x"}), TypeError, "item must be a registry entry"),
        (
            lambda tmp: downloads.file_hash(tmp / "registry.json", "crc32"),
            ValueError,
            "algorithm must be one of",
        ),
        (lambda tmp: reachable("http://[bad"), ValueError, "url must be a URL"),
        (lambda tmp: reachable("no url at all"), ValueError, "url must be an http:// or https:// URL"),
        (lambda tmp: reachable(None), TypeError, "url must be a string"),
        (
            lambda tmp: reachable("http://127.0.0.1/", timeout=float("nan")),
            ValueError,
            "timeout must be a finite",
        ),
        (lambda tmp: reachable("http://127.0.0.1/", timeout=10**12), ValueError, "timeout must be <= 60"),
        (lambda tmp: fetch("tiny", tmp / "registry.json", usable=3), TypeError, "usable must be a function"),
        (lambda tmp: mnist.load_digits(test_fraction="0.2"), TypeError, "test_fraction must be a number"),
        (lambda tmp: mnist.load_digits(test_fraction=1e-6), ValueError, "leave both parts"),
        (lambda tmp: mnist.load_digits(seed=-1), ValueError, "seed must be >= 0"),
    ],
)
def test_download_helpers_keep_the_error_policy(tmp_path, call, error, says):
    write_registry(tmp_path, "tiny", TINY, "http://127.0.0.1:9/tiny.npz")
    (tmp_path / "garbage.json").write_text("{not json")
    (tmp_path / "list.json").write_text("[1, 2]")
    with pytest.raises(error, match=says):
        call(tmp_path)
