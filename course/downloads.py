"""Real downloads: the dataset registry, checksums, mirrors and local copies.

Every dataset is described once in ``datasets/registry.json`` (origin URL,
file name, sha256). :func:`fetch` finds the file in this order:

1. ``COURSE_DATA_DIR``: a folder holding the file (or its extracted folder);
2. the cache (``<work folder>/datasets``), when its sha256 matches;
3. a download with Keras's own downloader from the origin, or from
   ``COURSE_DATA_MIRROR`` + the file name, checked against the sha256.

When the host cannot be reached within a few seconds, :class:`DatasetUnavailable`
is raised so the caller can fall back to offline data and say so.
"""

import hashlib
import json
import socket
import threading
import urllib.parse
from pathlib import Path

from .config import settings, workdir

REGISTRY_PATH = Path(__file__).resolve().parent.parent / "datasets" / "registry.json"
CONNECT_TIMEOUT_S = 3.0


class DatasetUnavailable(RuntimeError):
    """The dataset is neither local nor downloadable right now."""


def registry(path=REGISTRY_PATH):
    """All registry entries, by dataset name."""
    with open(path, encoding="utf-8") as file:
        return json.load(file)


def entry(name, path=REGISTRY_PATH):
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


def reachable(url, timeout=CONNECT_TIMEOUT_S):
    """Can a TCP connection to ``url``'s host be opened within ``timeout`` seconds?

    Name resolution can hang far longer than a socket timeout, so the whole
    attempt runs in a daemon thread that is abandoned after ``timeout``.
    """
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
    for candidate in (data_dir / item["file"], data_dir / item.get("folder", "\0")):
        if candidate.exists():
            return candidate
    return None


def cache_folder():
    return workdir("datasets")


def fetch(name, path=REGISTRY_PATH):
    """The path of dataset ``name``: local copy, verified cache, or a fresh verified download."""
    item = entry(name, path)
    current = settings()
    if current.data_dir is not None:
        if not current.data_dir.is_dir():
            raise DatasetUnavailable(f"COURSE_DATA_DIR={current.data_dir} is not a folder")
        found = local_copy(item, current.data_dir)
        if found is not None:
            return found
    cache = cache_folder()
    cached = cache / item["file"]
    if cached.exists() and sha256(cached) == item["sha256"] and not item.get("extract"):
        return cached
    url = source_url(item, current.data_mirror)
    if not reachable(url):
        raise DatasetUnavailable(f"cannot reach {urllib.parse.urlsplit(url).netloc} to download {item['file']}")
    import keras  # only a download needs Keras (and TensorFlow's start-up time)

    try:
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
        raise DatasetUnavailable(f"downloading {url} failed: {error}") from error
