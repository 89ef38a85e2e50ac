"""Settings read from the environment, every time they are asked for.

=====================  ==========================================================
variable               meaning
=====================  ==========================================================
``COURSE_FAST``        ``1``: smaller data and fewer epochs (the tests set it).
``COURSE_WORKDIR``     where notebooks write files (default: ``work/`` next to
                       the notebook, i.e. under the current folder).
``COURSE_DATA_DIR``    a folder holding dataset files or extracted folders,
                       used before any download.
``COURSE_DATA_MIRROR`` an http(s) URL prefix that replaces each dataset origin's
                       prefix.
``COURSE_STRICT``      ``1``: a failing exercise check raises (for CI).
=====================  ==========================================================

The two switches accept 1/0, true/false, yes/no, on/off (any case) or nothing.

A switch that cannot be read raises ValueError naming the variable, its value
and what it accepts (``COURSE_FAST=maybe`` fails at once, not half-way through
a notebook). An unusable mirror is not used: the loaders announce why and fall
back to offline data (:func:`mirror_problem`). :func:`errors` lists every such
problem, for ``python -m course doctor``.
"""

import errno
import os
import urllib.parse
from dataclasses import dataclass
from pathlib import Path

from . import validate

TRUE_WORDS = ("1", "true", "yes", "on")
FALSE_WORDS = ("0", "false", "no", "off", "")
MIRROR_SCHEMES = ("http", "https")


def _flag(name):
    """The yes/no variable ``name`` as a bool; ValueError naming the variable and the words it accepts."""
    raw = os.environ.get(name, "")
    word = raw.strip().lower()
    if word in TRUE_WORDS:
        return True
    if word in FALSE_WORDS:
        return False
    allowed = ", ".join(word for word in TRUE_WORDS + FALSE_WORDS if word)
    raise ValueError(f"{name}={raw!r} is not a yes/no value: use one of {allowed}, or leave it unset")


def _folder(name, default=None):
    """The folder named by variable ``name`` (absolute), ``default`` when it is unset or empty.

    A value no folder can have (a symbolic link loop, a path or a name too long for the file
    system) is one ValueError naming the variable, whatever the course was about to do with it.
    """
    raw = os.environ.get(name)
    if not raw:
        if default is None:
            return None
        raw = default() if callable(default) else default
    shown = repr(raw) if len(raw) <= 120 else repr(raw[:60] + "..." + raw[-30:])
    fix = f"set {name} to a folder you can write to, or leave it unset"
    too_long = validate.path_length_problem(raw)
    if too_long:
        raise ValueError(f"{name}={shown} is too long for the file system ({too_long}): {fix}")
    try:
        folder = Path(raw).expanduser()
    except RuntimeError as error:  # "~" when no home folder can be found
        raise ValueError(f"{name}={shown} cannot be used ({error}): {fix}") from None
    try:
        folder = folder.resolve()
        os.stat(folder)
    except FileNotFoundError:
        return folder  # made on first use (see workdir())
    except (OSError, RuntimeError) as error:  # RuntimeError: Python 3.11/3.12's "Symlink loop from ..."
        code = getattr(error, "errno", None)
        if isinstance(error, RuntimeError) or code == errno.ELOOP:
            reason = "it is, or goes through, a symbolic link loop"
        elif code == errno.ENAMETOOLONG:
            reason = "it is too long for the file system"
        elif code == errno.ENOTDIR:
            return folder  # a file in the way: workdir() says so when it makes the folder
        else:
            reason = error.strerror or str(error)
        raise ValueError(f"{name}={shown} cannot be used ({reason}): {fix}") from None
    return folder


def _default_workdir():
    """``work/`` under the current folder; ValueError when the current folder has been deleted."""
    try:
        return str(Path.cwd() / "work")
    except OSError as error:
        raise ValueError(
            f"the current folder cannot be found ({error.strerror or error}): change to an existing "
            "folder, or set COURSE_WORKDIR"
        ) from None


def disk_error(folder, error, doing="write into"):
    """The ValueError for an OSError while writing into ``folder``: the folder, the system's reason, a fix.

    A read-only folder, a full disk, a file in the way: what happened is the operating system's
    own reason (``error.strerror``, e.g. "No space left on device"), kept in the message; the
    OSError itself is kept as the ValueError's ``__cause__``.
    """
    folder = validate.path(folder, "folder")
    if not isinstance(error, OSError):
        raise TypeError(f"error must be an OSError, got {validate.received(error)}")
    doing = validate.text(doing, "doing")
    reason = error.strerror or str(error)
    if error.errno in (errno.ENOSPC, errno.EDQUOT):
        fix = "free some disk space and run it again"
    else:
        fix = "make the folder writable, or set COURSE_WORKDIR to a folder you can write to"
    raised = ValueError(f"cannot {doing} {folder} ({reason}): {fix}")
    raised.errno = error.errno
    return raised


def _is_http_url(text):
    """Whether ``text`` parses as an http(s) URL with a host (and a numeric port, if it names one)."""
    try:
        parts = urllib.parse.urlsplit(text)
        return parts.scheme in MIRROR_SCHEMES and bool(parts.hostname) and parts.port != 0
    except ValueError:  # an unclosed IPv6 bracket ("http://[bad"), a port that is no number
        return False


def mirror_problem():
    """Why COURSE_DATA_MIRROR cannot be used, or None when it is unset or a usable http(s) URL.

    A bad mirror does not stop the course: the loaders say why they cannot use it
    and fall back to the offline data; ``python -m course doctor`` reports it.
    """
    raw = os.environ.get("COURSE_DATA_MIRROR", "").strip()
    if not raw or _is_http_url(raw):
        return None
    return (
        f"COURSE_DATA_MIRROR={raw!r} is not a URL prefix: use http:// or https:// and a host, "
        "like https://example.org/datasets/, or leave it unset"
    )


def _mirror():
    """COURSE_DATA_MIRROR as a URL prefix ending in ``/``; None when unset or unusable."""
    raw = os.environ.get("COURSE_DATA_MIRROR", "").strip()
    if not raw or mirror_problem():
        return None
    return raw.rstrip("/") + "/"


@dataclass(frozen=True)
class Settings:
    fast: bool
    strict: bool
    workdir: Path
    data_dir: Path | None
    data_mirror: str | None

    def describe(self):
        """One line a learner can read: which modes are on and where files go."""
        modes = ["FAST" if self.fast else "full"]
        if self.strict:
            modes.append("strict")
        parts = [f"mode: {'+'.join(modes)}", f"work folder: {self.workdir}"]
        if self.data_dir:
            parts.append(f"data folder: {self.data_dir}")
        if self.data_mirror:
            parts.append(f"data mirror: {self.data_mirror}")
        return " | ".join(parts)


def settings():
    """The current settings (read fresh from ``os.environ``)."""
    return Settings(
        fast=_flag("COURSE_FAST"),
        strict=_flag("COURSE_STRICT"),
        workdir=_folder("COURSE_WORKDIR", default=_default_workdir),
        data_dir=_folder("COURSE_DATA_DIR"),
        data_mirror=_mirror(),
    )


def errors():
    """One message for each variable that :func:`settings` cannot read (all of them, not the first)."""
    messages = []
    for name in ("COURSE_FAST", "COURSE_STRICT"):
        try:
            _flag(name)
        except ValueError as error:
            messages.append(str(error))
    for name, default in (("COURSE_WORKDIR", _default_workdir), ("COURSE_DATA_DIR", None)):
        try:
            _folder(name, default)
        except ValueError as error:
            messages.append(str(error))
    return messages + [problem for problem in [mirror_problem()] if problem]


def is_fast():
    return settings().fast


def pick(fast, full):
    """``fast`` in FAST mode, ``full`` otherwise: ``epochs = pick(1, 5)``."""
    return fast if is_fast() else full


def workdir(*parts):
    """The work folder (created if missing), or a sub-folder of it.

    ``workdir("checkpoints")`` returns ``work/checkpoints`` and creates it.
    """
    for part in parts:
        validate.text(part, "a workdir() folder name")
        if Path(part).is_absolute() or ".." in Path(part).parts:
            raise ValueError(f"workdir() takes relative folder names inside the work folder, got {part!r}")
    path = settings().workdir.joinpath(*parts)
    try:
        path.mkdir(parents=True, exist_ok=True)
    except OSError as error:  # a file in the way, a read-only disk, a folder like /proc
        in_the_way = isinstance(error, (FileExistsError, NotADirectoryError))
        reason = "a file is in the way" if in_the_way else error.strerror or str(error)
        raise ValueError(
            f"cannot create the work folder {path} ({reason}): "
            "set COURSE_WORKDIR to a folder you can write to"
        ) from error
    return path
