"""Real downloads: the dataset registry, checksums, mirrors and local copies.

Every dataset is described once in ``registry.json`` beside this module (origin URL,
file name, checksum: a ``sha256``, or the ``md5`` that Keras publishes for its pretrained
weights). :func:`fetch` finds the file in this order:

1. ``COURSE_DATA_DIR``: a folder holding the file (or its extracted folder);
2. the cache (``<work folder>/datasets``);
3. a download from the origin, or from ``COURSE_DATA_MIRROR`` + the file name, checked
   against the checksum.

**A learner's file is never deleted.** The course downloads to ``<file>.part`` and checks its
checksum, and only then does it get its final name, in one atomic ``os.replace``, with a
marker ``<file>.sha256`` (or ``<file>.md5``) beside it recording the checksum it passed. So a
cached file whose checksum is wrong is either

* the course's own download (the marker is there), damaged since: announced and
  downloaded again, and replaced only once the new copy has passed its check; or
* a file the learner put there (no marker): used as it is, with a one-line note, when its
  content is usable (``fetch``'s ``usable`` check, e.g. :func:`~course.data.mnist.read_mnist`),
  otherwise refused with a ValueError that names it and says what to do. Never deleted.

**Nothing hangs.** A download has three limits (module constants, so that a test can shorten
them): the host must connect and answer within :data:`CONNECT_TIMEOUT_S` (a silent mirror is
given up within seconds), the data must keep coming (nothing for :data:`STALL_TIMEOUT_S` gives
up), and the whole download must end by its deadline (:func:`deadline_s`: a mirror that sends a
byte now and then is given up too). When the host cannot be reached, a limit is passed, or the
URL is not usable, :class:`DatasetUnavailable` is raised so the caller can fall back to offline
data and say so. (A ``COURSE_DATA_MIRROR`` that is no http(s) URL is refused, named, by
:func:`~course.runtime.settings.settings` itself.)

**Only regular files are read.** A registry, dataset or cached file that is a FIFO, a socket
or a device is refused by name (reading it could block for ever), and a registry ``file`` (or
``folder``) must be a plain name inside the dataset folder: no absolute path, no ``..``.
"""

import hashlib
import http.client
import json
import os
import socket
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
from pathlib import Path

from ..runtime import validate
from ..runtime.settings import disk_error, mirror_problem, settings, workdir

REGISTRY_PATH = Path(__file__).resolve().parent / "registry.json"
REQUIRED_KEYS = ("file", "origin")
CHECKSUMS = ("sha256", "md5")  # an entry gives one of them
NAME_KEYS = ("file", "folder")  # names of files and folders inside the dataset folder
CONNECT_TIMEOUT_S = 3.0  # to connect, and then to receive the answer's status line and headers
MAX_TIMEOUT_S = 60.0
STALL_TIMEOUT_S = 30.0  # a download that receives nothing for this long is given up
DOWNLOAD_DEADLINE_S = 120.0  # every download may take this long, plus a second per MIN_RATE_BYTES_S bytes
MIN_RATE_BYTES_S = 100_000  # the slowest average rate a download is waited for (about 1 Mbit/s)
MAX_UNKNOWN_SIZE_BYTES = 2 << 30  # the most a download without a registry size_bytes may bring
SIZE_MARGIN_BYTES = 1 << 20  # what a download may bring beyond the registry's size_bytes
CHUNK_BYTES = 1 << 16


class DatasetUnavailable(RuntimeError):
    """The dataset is neither local nor downloadable right now."""


def registry(path=None):
    """All registry entries, by dataset name (``path`` defaults to :data:`REGISTRY_PATH`)."""
    path = validate.path(REGISTRY_PATH if path is None else path, "path", must_exist=True, kind="file")
    try:
        entries = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, json.JSONDecodeError, RecursionError) as error:
        reason = "nested too deeply" if isinstance(error, RecursionError) else error
        raise ValueError(f"{str(path)!r} is not a readable dataset registry ({reason})") from None
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
        for key in NAME_KEYS:
            if key in item and not _plain_name(item[key]):
                raise ValueError(
                    f"{str(path)!r}: dataset {name!r} has {key} {item[key]!r}; it must be a plain name "
                    "inside the dataset folder (no absolute path, no '..', no '/' or '\\')"
                )
    return entries


def _plain_name(value):
    """Is ``value`` a file or folder name that stays inside the folder it is joined to?"""
    return (
        isinstance(value, str)
        and value.strip() == value
        and value not in ("", ".", "..")
        and not any(character in value for character in "/\\\x00:")
        and validate.path_length_problem(value) is None
    )


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
    path = validate.path(path, "path", must_exist=True, kind="file")
    algorithm = validate.choice(algorithm, "algorithm", CHECKSUMS)
    chunk = validate.integer(chunk, "chunk", minimum=1, maximum=1 << 30)
    digest = hashlib.new(algorithm)
    try:
        with open(path, "rb") as file:
            for block in iter(lambda: file.read(chunk), b""):
                digest.update(block)
    except OSError as error:
        raise ValueError(f"cannot read {str(path)!r} ({error.strerror or error})") from None
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
    if not os.path.lexists(cached):
        return None
    validate.path(cached, "the cached file", must_exist=True, kind="file")  # no FIFO, folder, dangling link
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


def deadline_s(item):
    """The seconds a download of registry entry ``item`` may take in all.

    :data:`DOWNLOAD_DEADLINE_S`, plus one second for every :data:`MIN_RATE_BYTES_S` bytes of
    the file when the entry gives its ``size_bytes``: a slow line gets there, a mirror that
    sends a byte now and then is given up.
    """
    if not _is_entry(item):
        raise TypeError(f"item must be a registry entry (see entry()), got {validate.received(item)}")
    size = _size(item)
    return DOWNLOAD_DEADLINE_S + (size / MIN_RATE_BYTES_S if size else 0.0)


def _size(item):
    """The entry's ``size_bytes`` when it gives a positive whole number, else None."""
    size = item.get("size_bytes")
    return size if isinstance(size, int) and not isinstance(size, bool) and size > 0 else None


def _most_bytes(item):
    """The most bytes a download of ``item`` may bring before it is given up (so it cannot fill the disk).

    Its ``size_bytes`` and a margin of :data:`SIZE_MARGIN_BYTES` (the checksum, not the size,
    decides whether it is the right file), else :data:`MAX_UNKNOWN_SIZE_BYTES`.
    """
    size = _size(item)
    return size + SIZE_MARGIN_BYTES if size else MAX_UNKNOWN_SIZE_BYTES


def _timed_class(base, stall_timeout):
    """``base`` (an HTTP(S) connection class) whose socket gets ``stall_timeout`` once the headers are in.

    Until then the connection's own timeout (:data:`CONNECT_TIMEOUT_S`) applies: to connect, and
    to receive the status line and headers, so that a host that accepts and stays silent is
    given up within seconds. The body may then pause up to ``stall_timeout`` between reads.
    """

    class Timed(base):
        def getresponse(self, *args, **kwargs):
            sock = self.sock  # the response keeps using it even when the connection lets go of it
            response = super().getresponse(*args, **kwargs)
            if sock is not None:
                sock.settimeout(stall_timeout)
            return response

    return Timed


def _opener(stall_timeout):
    """A urllib opener (proxies and redirects as usual) whose HTTP(S) connections use :func:`_timed_class`."""
    http_class = _timed_class(http.client.HTTPConnection, stall_timeout)
    https_class = _timed_class(http.client.HTTPSConnection, stall_timeout)

    class HTTP(urllib.request.HTTPHandler):
        def http_open(self, req):
            return self.do_open(http_class, req)

    class HTTPS(urllib.request.HTTPSHandler):
        def https_open(self, req):
            return self.do_open(https_class, req, context=self._context)

    return urllib.request.build_opener(HTTP, HTTPS)


class _WriteFailed(Exception):
    """Writing the download failed (a full disk): the OSError, told apart from the network's."""


def _open_source(url):
    """The response of ``url`` (or the file of a ``file://`` URL), opened within :data:`CONNECT_TIMEOUT_S`."""
    if url.startswith("file://"):
        source = urllib.parse.unquote(urllib.parse.urlsplit(url).path)
        return open(validate.path(source, "url", must_exist=True, kind="file"), "rb")
    request = urllib.request.Request(url, headers={"User-Agent": "course-downloader"})
    try:
        return _opener(STALL_TIMEOUT_S).open(request, timeout=CONNECT_TIMEOUT_S)
    except (TimeoutError, urllib.error.URLError) as error:
        if isinstance(error, TimeoutError) or isinstance(getattr(error, "reason", None), TimeoutError):
            raise DatasetUnavailable(
                f"downloading {url} failed: the host did not answer within {CONNECT_TIMEOUT_S:g} s"
            ) from None
        raise


def _receive(item, url, out, deadline):
    """Copy ``url`` into the open file ``out`` within the limits; the checksum of what came."""
    algorithm, _ = checksum(item)
    digest, received, most = hashlib.new(algorithm), 0, _most_bytes(item)
    with _open_source(url) as source:
        while True:
            if time.monotonic() > deadline:
                raise DatasetUnavailable(
                    f"downloading {url} failed: it was not complete after {deadline_s(item):.1f} s "
                    f"({received:,} bytes had come)"
                )
            try:
                block = source.read1(CHUNK_BYTES)
            except TimeoutError:
                raise DatasetUnavailable(
                    f"downloading {url} failed: no data came for {STALL_TIMEOUT_S:g} s ({received:,} bytes had come)"
                ) from None
            if not block:
                return digest.hexdigest()
            received += len(block)
            if received > most:
                raise DatasetUnavailable(
                    f"downloading {url} failed: it sends more than {most:,} bytes, so it cannot be the "
                    f"{item['file']} that the registry's {algorithm} names"
                )
            digest.update(block)
            try:
                out.write(block)
            except OSError as error:
                raise _WriteFailed(error) from error


def _download(item, url, cache):
    """Download ``url`` to ``<file>.part`` (checked against the checksum), then give it its final name.

    The ``.part`` file is the course's own: one left by a download cut short is replaced; anything
    else in its place (a folder, a FIFO, a symbolic link) is refused by name, never deleted or
    written through.
    """
    final = cache / item["file"]
    part = cache / f"{item['file']}.part"
    algorithm, expected = checksum(item)
    marker = _marker(final, algorithm)
    for own in (part, marker):
        if os.path.islink(own):
            raise ValueError(
                f"{own} is a symbolic link; the course writes only its own files there: move it away"
            )
        if os.path.lexists(own):
            validate.path(own, "the course's file", kind="file")  # a folder, a FIFO: refused by name
    deadline = time.monotonic() + deadline_s(item)
    try:
        out = open(part, "wb")
    except OSError as error:
        raise disk_error(cache, error, "write into the dataset cache") from error
    try:
        with out:
            found = _receive(item, url, out, deadline)
    except _WriteFailed as failed:
        part.unlink(missing_ok=True)
        error = failed.__cause__
        raise disk_error(cache, error, "write into the dataset cache") from error
    except DatasetUnavailable:
        part.unlink(missing_ok=True)  # never keep a file that failed
        raise
    except (OSError, http.client.HTTPException, ValueError) as error:  # refused, cut short, HTTP 404, bad URL
        part.unlink(missing_ok=True)
        reason = getattr(error, "reason", None) or error
        raise DatasetUnavailable(f"downloading {url} failed: {type(error).__name__}: {reason}") from error
    if found != expected:
        part.unlink(missing_ok=True)  # never keep a file that failed its check
        raise DatasetUnavailable(
            f"downloading {url} failed: the file's {algorithm} hash is {found}, the registry's is {expected}"
        )
    try:
        os.replace(part, final)  # atomic: the final name only ever holds a verified copy
        marker.write_text(expected + "\n", encoding="utf-8")
    except OSError as error:
        part.unlink(missing_ok=True)
        raise disk_error(cache, error, "write into the dataset cache") from error
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
