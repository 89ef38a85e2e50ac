"""Writing and reading the files a command keeps in a folder that may hold someone's work.

Every file that ``build``, ``workspace`` and ``lab`` write goes through
:func:`write_atomically`: the bytes go to a temporary file in the same folder,
which then takes the file's name in one step (``os.replace``, or a hard link
when nothing may be replaced). A write that fails (a full disk, a read-only
folder) therefore leaves the old file, or no file, never a truncated one, and
becomes a :class:`WriteError` whose one-line message names the folder and what
to do. A symbolic link is never written through.

:func:`read_regular` reads a file only when it is a regular file: a FIFO, a
device or a socket would block or never end, so it is refused by name.
"""

import errno
import hashlib
import os
import secrets
import stat

from ..runtime import validate

REASONS = {
    errno.ENOSPC: "the disk is full: free some space and run the command again",
    errno.EROFS: "the folder is on a read-only file system: pick a folder you can write to",
    errno.EACCES: "permission denied: use a folder you own, or change its permissions",
    errno.EPERM: "permission denied: use a folder you own, or change its permissions",
    errno.EFBIG: "the file is larger than this system allows",
    errno.EIO: "the disk reported an input/output error",
}
if hasattr(errno, "EDQUOT"):
    REASONS[errno.EDQUOT] = "your disk quota is used up: free some space and run the command again"


class WriteError(OSError):
    """A file could not be written (full disk, read-only folder, ...); what was there is unchanged."""

    def __init__(self, message, code=None):
        super().__init__(message)
        self.errno = code


class NotRegularFileError(ValueError):
    """A path to read holds a folder, a FIFO, a device or a socket, not a file."""


def _reason(error):
    """Why ``error`` (an OSError) happened, in a few words for a learner."""
    if error.errno in REASONS:
        return f"{REASONS[error.errno]} ({os.strerror(error.errno)})"
    return error.strerror or str(error) or type(error).__name__


def describe(error):
    """A one-line message for an OSError met while reading or writing: what, where, and why."""
    if isinstance(error, WriteError) or not isinstance(error, OSError) or error.errno is None:
        return str(error)
    where = f"{error.filename}: " if error.filename is not None else ""
    return f"{where}{_reason(error)}"


def read_regular(path):
    """The bytes of the regular file at ``path`` (a link to one is followed).

    A missing file raises FileNotFoundError; a folder, FIFO, device or socket
    raises :class:`NotRegularFileError` naming it, without waiting on it.
    """
    path = validate.path(path, "path")
    try:
        descriptor = os.open(path, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_BINARY", 0))
    except IsADirectoryError:
        raise NotRegularFileError(f"{path} is a folder, not a file") from None
    except FileNotFoundError:
        raise FileNotFoundError(f"no file at {path}") from None
    try:
        mode = os.fstat(descriptor).st_mode
    except OSError:
        os.close(descriptor)
        raise
    if not stat.S_ISREG(mode):
        os.close(descriptor)
        raise NotRegularFileError(f"{path} is {validate.file_kind(mode)}, not a file")
    with os.fdopen(descriptor, "rb") as stream:
        return stream.read()


def regular_or_none(path):
    """The bytes at ``path`` when it is a readable regular file, else None (missing, folder, FIFO, ...)."""
    try:
        return read_regular(path)
    except (OSError, NotRegularFileError):
        return None


def digest(data, newlines=False):
    """The sha256 of ``data`` (bytes) in hex digits.

    With ``newlines``, each ``\\r\\n`` is read as ``\\n`` first, so that a text
    file checked out with Windows line endings has the digest of the original.
    """
    data = _bytes(data)
    newlines = validate.boolean(newlines, "newlines")
    return hashlib.sha256(data.replace(b"\r\n", b"\n") if newlines else data).hexdigest()


def _bytes(data):
    """``data`` as bytes: bytes as they are, a str as UTF-8; anything else is a TypeError naming it."""
    if isinstance(data, str):
        return data.encode("utf-8", "surrogatepass")
    if not isinstance(data, (bytes, bytearray)):
        raise TypeError(f"data must be bytes or a str, got {validate.received(data)}")
    return bytes(data)


def _write_all(descriptor, data):
    view = memoryview(data)
    while view:
        view = view[os.write(descriptor, view) :]


def _flush_to_disk(descriptor):
    try:
        os.fsync(descriptor)
    except OSError as error:  # a file system that cannot sync (some network or FUSE ones) still wrote it
        if error.errno not in (errno.EINVAL, getattr(errno, "ENOTSUP", errno.EINVAL)):
            raise


def _temporary(folder, name):
    """A new empty file beside the target, ``.NAME.RANDOM.tmp`` (hidden; mode as the umask says)."""
    flags = os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_BINARY", 0)
    while True:
        candidate = folder / f".{name}.{secrets.token_hex(4)}.tmp"
        try:
            return candidate, os.open(candidate, flags, 0o666)
        except FileExistsError:
            continue


def _place(temporary, path, replace):
    """Give ``temporary`` the name ``path``; without ``replace``, FileExistsError if ``path`` exists."""
    if replace:
        os.replace(temporary, path)
        return
    try:
        os.link(temporary, path)  # atomic, and fails when anything (a link too) holds the name
    except FileExistsError:
        raise
    except OSError:  # a file system without hard links: check, then rename
        if os.path.lexists(path):
            raise FileExistsError(errno.EEXIST, "File exists", str(path)) from None
        os.replace(temporary, path)
    else:
        os.unlink(temporary)


def write_atomically(path, data, replace=True):
    """Write ``data`` (bytes, or str written as UTF-8) to ``path`` all at once, or not at all.

    The bytes go to a temporary file in the same folder, flushed to disk, which
    then takes the name ``path``. With ``replace`` an existing file is replaced
    (a symbolic link there is replaced itself, never written through); without
    it FileExistsError is raised when ``path`` exists. A folder at ``path`` is
    refused (IsADirectoryError). Any other failure raises :class:`WriteError`,
    whose message names the file and its folder, and leaves ``path`` as it was.
    """
    path = validate.path(path, "path")
    data = _bytes(data)
    replace = validate.boolean(replace, "replace")
    if path.is_dir() and not path.is_symlink():
        raise IsADirectoryError(errno.EISDIR, "a folder holds the name of the file to write", str(path))
    folder = path.parent
    temporary = None
    try:
        temporary, descriptor = _temporary(folder, path.name)
        try:
            _write_all(descriptor, data)
            _flush_to_disk(descriptor)
        finally:
            os.close(descriptor)
        _place(temporary, path, replace)
        temporary = None
    except FileExistsError:
        raise
    except OSError as error:
        raise WriteError(
            f"cannot write {path.name} in {os.path.abspath(folder)}: {_reason(error)}; "
            "the file there, if any, is as it was",
            error.errno,
        ) from error
    finally:
        if temporary is not None:
            try:
                os.unlink(temporary)
            except OSError:
                pass


def make_folder(folder):
    """Create ``folder`` (and its parents) if missing; a :class:`WriteError` naming it when that fails."""
    folder = validate.path(folder, "folder")
    try:
        folder.mkdir(parents=True, exist_ok=True)
    except FileExistsError:
        raise WriteError(f"{folder} is a file, not a folder: pick another folder", errno.EEXIST) from None
    except OSError as error:
        raise WriteError(f"cannot create the folder {folder}: {_reason(error)}", error.errno) from error
    return folder
