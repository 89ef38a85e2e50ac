"""Real downloads: the dataset registry, checksums, mirrors and local copies.

Every dataset is described once in ``registry.json`` beside this module (origin URL,
file name, checksum: a ``sha256``, or the ``md5`` that Keras publishes for its pretrained
weights). :func:`fetch` finds the file in this order:

1. ``COURSE_DATA_DIR``: a folder holding the file (or its extracted folder);
2. the cache (``<work folder>/datasets``);
3. a download with Keras's own downloader from the origin, or from
   ``COURSE_DATA_MIRROR`` + the file name, checked against the checksum.

**A learner's file is never deleted.** The course downloads to ``<file>.part``; Keras's
downloader checks its checksum, and only then does it get its final name, in one atomic
``os.replace``, with a marker ``<file>.sha256`` (or ``<file>.md5``) beside it recording the
checksum it passed. So a cached file whose checksum is wrong is either

* the course's own download (the marker is there), damaged since: announced and
  downloaded again, and replaced only once the new copy has passed its check; or
* a file the learner put there (no marker): used as it is, with a one-line note, when its
  content is usable (``fetch``'s ``usable`` check, e.g. :func:`~course.data.mnist.read_mnist`),
  otherwise refused with a ValueError that names it and says what to do. Never deleted.

When the host cannot be reached within a few seconds, a download stalls, or the URL
is not usable, :class:`DatasetUnavailable` is raised so the caller can fall back to offline
data and say so. (A ``COURSE_DATA_MIRROR`` that is no http(s) URL is refused, named, by
:func:`~course.runtime.settings.settings` itself.)
"""

import contextlib
import hashlib
import json
import os
import socket
import threading
import urllib.parse
from pathlib import Path

from ..runtime import validate
from ..runtime.settings import mirror_problem, settings, workdir

REGISTRY_PATH = Path(__file__).resolve().parent / "registry.json"
REQUIRED_KEYS = ("file", "origin")
CHECKSUMS = ("sha256", "md5")  # an entry gives one of them
CONNECT_TIMEOUT_S = 3.0
MAX_TIMEOUT_S = 60.0
STALL_TIMEOUT_S = 30.0  # a download that receives nothing for this long is given up


class DatasetUnavailable(RuntimeError):
    """The dataset is neither local nor downloadable right now."""


def registry(path=None):
    """All registry entries, by dataset name (``path`` defaults to :data:`REGISTRY_PATH`)."""
    path = REGISTRY_PATH if path is None else validate.path(path, "path", must_exist=True)
    try:
        entries = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as error:
        raise ValueError(f"{str(path)!r} is not a readable dataset registry ({error})") from None
    if not isinstance(entries, dict):
        raise ValueError(
            f"{str(path)!r} should hold a JSON object of datasets, got {validate.received(entries)}"
        )
    for name, item in entries.items():
        if not _is_entry(item):
            raise ValueError(
                f"{str(path)!r}: dataset {name!r} should give {', '.join(REQUIRED_KEYS)} and a checksum "
                f"({' or '.join(CHECKSUMS)}) as strings"
            )
    return entries


def _is_entry(item):
    """Does ``item`` look like a registry entry: file, origin and one checksum, as strings?"""
    return (
        isinstance(item, dict)
        and all(isinstance(item.get(key), str) for key in REQUIRED_KEYS)
        and sum(isinstance(item.get(key), str) for key in CHECKSUMS) == 1
    )


def checksum(item):
    """``(algorithm, hex digest)`` of a registry entry: ``("sha256", ...)`` or ``("md5", ...)``."""
    if not _is_entry(item):
        raise TypeError(f"item must be a registry entry (see entry()), got {validate.received(item)}")
    algorithm = next(key for key in CHECKSUMS if key in item)
    return algorithm, item[algorithm].lower()


def entry(name, path=None):
    """The registry entry of dataset ``name``: ``file``, ``origin``, ``sha256`` (or ``md5``), ..."""
    name = validate.text(name, "name")
    entries = registry(path)
    if name not in entries:
        raise ValueError(f"unknown dataset {name!r}; the registry has: {', '.join(sorted(entries))}")
    return entries[name]


def source_url(item, mirror=None):
    """The origin URL, or the mirror prefix followed by the file's name."""
    if not _is_entry(item):
        raise TypeError(f"item must be a registry entry (see entry()), got {validate.received(item)}")
    if mirror is not None:
        validate.text(mirror, "mirror")
    return mirror + item["file"] if mirror else item["origin"]


def sha256(path, chunk=1 << 20):
    """The sha256 of the file at ``path`` as 64 hex digits, read ``chunk`` bytes at a time."""
    return file_hash(path, "sha256", chunk)


def file_hash(path, algorithm="sha256", chunk=1 << 20):
    """The ``algorithm`` (one of :data:`CHECKSUMS`) checksum of the file at ``path``, in hex digits."""
    path = validate.path(path, "path", must_exist=True)
    algorithm = validate.choice(algorithm, "algorithm", CHECKSUMS)
    chunk = validate.integer(chunk, "chunk", minimum=1, maximum=1 << 30)
    if not path.is_file():
        raise ValueError(f"path must name a file, got the folder {str(path)!r}")
    digest = hashlib.new(algorithm)
    with open(path, "rb") as file:
        for block in iter(lambda: file.read(chunk), b""):
            digest.update(block)
    return digest.hexdigest()


def _address(url):
    """``(host, port)`` of an http(s) URL; ValueError naming ``url`` when it has none."""
    try:
        parts = urllib.parse.urlsplit(url)
        port = parts.port
    except ValueError as error:  # 'http://[bad', 'http://host:port'
        raise ValueError(f"url must be a URL such as 'https://host/file', got {url!r} ({error})") from None
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise ValueError(f"url must be an http:// or https:// URL with a host, got {url!r}")
    return parts.hostname, port or (443 if parts.scheme == "https" else 80)


def reachable(url, timeout=None):
    """Can a TCP connection to ``url``'s host be opened within ``timeout`` seconds?

    ``timeout`` defaults to :data:`CONNECT_TIMEOUT_S`. Name resolution can hang far
    longer than a socket timeout, so the whole attempt runs in a daemon thread
    that is abandoned after ``timeout``. A ``file://`` URL is reachable when its file exists.
    """
    url = validate.text(url, "url")
    timeout = CONNECT_TIMEOUT_S if timeout is None else timeout
    timeout = validate.number(timeout, "timeout", maximum=MAX_TIMEOUT_S, positive=True)
    if url.startswith("file://"):
        return Path(urllib.parse.urlsplit(url).path).exists()
    address = _address(url)
    outcome = []

    def attempt():
        try:
            socket.create_connection(address, timeout=timeout).close()
            outcome.append(True)
        except (OSError, UnicodeError):  # refused, timed out, no such host, a host name IDNA cannot encode
            outcome.append(False)

    worker = threading.Thread(target=attempt, daemon=True)
    worker.start()
    worker.join(timeout)
    return bool(outcome and outcome[0])


def _local_copy(item, data_dir):
    """The file, or its extracted folder, inside ``data_dir``; None when absent."""
    names = [item["file"]] + ([item["folder"]] if item.get("folder") else [])
    for candidate in (data_dir / name for name in names):
        if candidate.exists():
            return candidate
    return None


def cache_folder():
    """``<work folder>/datasets``, where downloads are kept (created if missing)."""
    return workdir("datasets")


def _marker(path, algorithm):
    """The file beside a course download that records the checksum it was checked against."""
    return path.with_name(f"{path.name}.{algorithm}")


def _cached(item, cache, usable):
    """The cached file when it can be used; None when it must be downloaded (again). Never deletes."""
    cached = cache / item["file"]
    if not cached.is_file():
        return None
    algorithm, expected = checksum(item)
    if file_hash(cached, algorithm) == expected:
        return cached
    if _marker(cached, algorithm).is_file():
        print(
            f"The cached {item['file']} is damaged or incomplete (its {algorithm} does not match): downloading "
            "it again (the old copy is replaced once the new one is verified)."
        )
        return None
    if usable is not None:
        usable(cached)  # a ValueError naming the file when its content is not usable either
    print(
        f"Using your own {cached} (it differs from the original {item['file']}; the course leaves it as it is)."
    )
    return cached


@contextlib.contextmanager
def _stall_timeout(seconds):
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


def _download(item, url, cache):
    """Download ``url`` to ``<file>.part`` (checked against the checksum), then give it its final name."""
    from ..runtime.quiet import import_tensorflow

    part = cache / f"{item['file']}.part"
    part.unlink(missing_ok=True)  # left by a download cut short
    algorithm, expected = checksum(item)
    try:
        import_tensorflow()  # Keras needs TensorFlow; import it without its log noise
        import keras

        with _stall_timeout(STALL_TIMEOUT_S):
            keras.utils.get_file(
                fname=part.name,
                origin=url,
                file_hash=expected,
                hash_algorithm=algorithm,
                cache_dir=str(cache),
                cache_subdir="",
            )
    except Exception as error:
        part.unlink(missing_ok=True)  # never keep a file that failed its check
        raise DatasetUnavailable(f"downloading {url} failed: {error}") from error
    final = cache / item["file"]
    os.replace(part, final)  # atomic: the final name only ever holds a verified copy
    _marker(final, algorithm).write_text(expected + "\n", encoding="utf-8")
    return final


def _download_url(item, mirror):
    """Where to download ``item`` from; DatasetUnavailable when that is no usable URL (a registry's typo)."""
    url = source_url(item, mirror)
    try:
        if not url.startswith("file://"):
            _address(url)
    except ValueError as error:
        raise DatasetUnavailable(f"cannot download {item['file']}: {error}") from None
    return url


def fetch(name, path=None, usable=None):
    """The path of dataset ``name``: local copy, cached file, or a fresh verified download.

    ``path`` is the registry file (default :data:`REGISTRY_PATH`). ``usable(file)``, when
    given, raises ValueError for a file whose content cannot be used; it decides whether a
    learner's own cached file that differs from the original is used (see the module's text).
    Raises :class:`DatasetUnavailable` when none of the three is possible.
    """
    item = entry(name, path)
    if usable is not None:
        validate.function(usable, "usable")
    current = settings()
    if current.data_dir is not None:
        if not current.data_dir.is_dir():
            raise DatasetUnavailable(f"COURSE_DATA_DIR={current.data_dir} is not a folder")
        found = _local_copy(item, current.data_dir)
        if found is not None:
            return found
    cache = cache_folder()
    cached = _cached(item, cache, usable)
    if cached is not None:
        return cached
    problem = mirror_problem()
    if problem:
        raise DatasetUnavailable(problem)
    url = _download_url(item, current.data_mirror)
    if not reachable(url):
        raise DatasetUnavailable(
            f"cannot reach {urllib.parse.urlsplit(url).netloc} to download {item['file']}"
        )
    return _download(item, url, cache)
