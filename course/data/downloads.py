"""Real downloads: the dataset registry, checksums, mirrors and local copies.

Every dataset is described once in ``registry.json`` beside this module (origin URL,
file name, sha256). :func:`fetch` finds the file in this order:

1. ``COURSE_DATA_DIR``: a folder holding the file (or its extracted folder);
2. the cache (``<work folder>/datasets``), when its sha256 matches;
3. a download with Keras's own downloader from the origin, or from
   ``COURSE_DATA_MIRROR`` + the file name, checked against the sha256.

A cached file whose sha256 does not match (a download cut short, a disk
error) is announced, deleted and downloaded again. When the host cannot be
reached within a few seconds, or a download stalls, :class:`DatasetUnavailable`
is raised so the caller can fall back to offline data and say so.
"""

import contextlib
import hashlib
import json
import socket
import threading
import urllib.parse
from pathlib import Path

from ..runtime.settings import settings, workdir

REGISTRY_PATH = Path(__file__).resolve().parent / "registry.json"
CONNECT_TIMEOUT_S = 3.0
STALL_TIMEOUT_S = 30.0  # a download that receives nothing for this long is given up


class DatasetUnavailable(RuntimeError):
    """The dataset is neither local nor downloadable right now."""


def registry(path=None):
    """All registry entries, by dataset name (``path`` defaults to :data:`REGISTRY_PATH`)."""
    with open(path or REGISTRY_PATH, encoding="utf-8") as file:
        return json.load(file)


def entry(name, path=None):
    """The registry entry of dataset ``name``: ``file``, ``origin``, ``sha256``, ..."""
    entries = registry(path)
    if name not in entries:
        raise KeyError(f"unknown dataset {name!r}; the registry has: {', '.join(sorted(entries))}")
    return entries[name]


def source_url(item, mirror=None):
    """The origin URL, or the mirror prefix followed by the file's name."""
    return mirror + item["file"] if mirror else item["origin"]


def sha256(path, chunk=1 << 20):
    digest = hashlib.sha256()
    with open(path, "rb") as file:
        for block in iter(lambda: file.read(chunk), b""):
            digest.update(block)
    return digest.hexdigest()


def reachable(url, timeout=None):
    """Can a TCP connection to ``url``'s host be opened within ``timeout`` seconds?

    ``timeout`` defaults to :data:`CONNECT_TIMEOUT_S`. Name resolution can hang far
    longer than a socket timeout, so the whole attempt runs in a daemon thread
    that is abandoned after ``timeout``.
    """
    timeout = CONNECT_TIMEOUT_S if timeout is None else timeout
    parts = urllib.parse.urlsplit(url)
    if parts.scheme == "file":
        return Path(parts.path).exists()
    port = parts.port or (443 if parts.scheme == "https" else 80)
    outcome = []

    def attempt():
        try:
            socket.create_connection((parts.hostname, port), timeout=timeout).close()
            outcome.append(True)
        except OSError:
            outcome.append(False)

    worker = threading.Thread(target=attempt, daemon=True)
    worker.start()
    worker.join(timeout)
    return bool(outcome and outcome[0])


def local_copy(item, data_dir):
    """The file, or its extracted folder, inside ``data_dir``; None when absent."""
    names = [item["file"]] + ([item["folder"]] if item.get("folder") else [])
    for candidate in (data_dir / name for name in names):
        if candidate.exists():
            return candidate
    return None


def cache_folder():
    return workdir("datasets")


def verified_cache(item, cache):
    """The cached file when its sha256 is right; a wrong one is announced and deleted."""
    cached = cache / item["file"]
    if not cached.is_file():
        return None
    if sha256(cached) == item["sha256"]:
        return cached
    print(
        f"The cached {item['file']} is damaged or incomplete (its sha256 does not match): downloading it again."
    )
    cached.unlink()
    return None


@contextlib.contextmanager
def stall_timeout(seconds):
    """Sockets opened inside this block give up after ``seconds`` without data.

    Keras's downloader sets no timeout of its own, so a connection that opens
    and then stays silent would otherwise wait forever.
    """
    previous = socket.getdefaulttimeout()
    socket.setdefaulttimeout(seconds)
    try:
        yield
    finally:
        socket.setdefaulttimeout(previous)


def download(item, url, cache):
    """Download ``url`` into ``cache`` with Keras's downloader, checked against the sha256."""
    from ..runtime.quiet import import_tensorflow

    try:
        import_tensorflow()  # Keras needs TensorFlow; import it without its log noise
        import keras

        with stall_timeout(STALL_TIMEOUT_S):
            return Path(
                keras.utils.get_file(
                    fname=item["file"],
                    origin=url,
                    file_hash=item["sha256"],
                    cache_dir=str(cache),
                    cache_subdir="",
                    extract=bool(item.get("extract")),
                )
            )
    except Exception as error:
        (cache / item["file"]).unlink(missing_ok=True)  # never keep a file that failed its check
        raise DatasetUnavailable(f"downloading {url} failed: {error}") from error


def fetch(name, path=None):
    """The path of dataset ``name``: local copy, verified cache, or a fresh verified download.

    ``path`` is the registry file (default :data:`REGISTRY_PATH`). Raises
    :class:`DatasetUnavailable` when none of the three is possible.
    """
    item = entry(name, path)
    current = settings()
    if current.data_dir is not None:
        if not current.data_dir.is_dir():
            raise DatasetUnavailable(f"COURSE_DATA_DIR={current.data_dir} is not a folder")
        found = local_copy(item, current.data_dir)
        if found is not None:
            return found
    cache = cache_folder()
    if not item.get("extract"):
        cached = verified_cache(item, cache)
        if cached is not None:
            return cached
    url = source_url(item, current.data_mirror)
    if not reachable(url):
        raise DatasetUnavailable(
            f"cannot reach {urllib.parse.urlsplit(url).netloc} to download {item['file']}"
        )
    return download(item, url, cache)
