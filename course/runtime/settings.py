"""Settings read from the environment, every time they are asked for.

=====================  ==========================================================
variable               meaning
=====================  ==========================================================
``COURSE_FAST``        ``1``: smaller data and fewer epochs (the tests set it).
``COURSE_WORKDIR``     where notebooks write files (default: ``work/`` next to
                       the notebook, i.e. under the current folder).
``COURSE_DATA_DIR``    a folder holding dataset files or extracted folders,
                       used before any download.
``COURSE_DATA_MIRROR`` a URL prefix that replaces each dataset origin's prefix.
``COURSE_STRICT``      ``1``: a failing exercise check raises (for CI).
=====================  ==========================================================
"""

import os
from dataclasses import dataclass
from pathlib import Path

TRUE_WORDS = {"1", "true", "yes", "on"}
FALSE_WORDS = {"", "0", "false", "no", "off"}


def _flag(name):
    raw = os.environ.get(name, "").strip().lower()
    if raw in TRUE_WORDS:
        return True
    if raw in FALSE_WORDS:
        return False
    raise ValueError(f"{name} must be one of 1/0/true/false/yes/no/on/off, got {raw!r}")


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
    data_dir = os.environ.get("COURSE_DATA_DIR") or None
    mirror = os.environ.get("COURSE_DATA_MIRROR") or None
    return Settings(
        fast=_flag("COURSE_FAST"),
        strict=_flag("COURSE_STRICT"),
        workdir=Path(os.environ.get("COURSE_WORKDIR") or Path.cwd() / "work").resolve(),
        data_dir=Path(data_dir).expanduser().resolve() if data_dir else None,
        data_mirror=mirror.rstrip("/") + "/" if mirror else None,
    )


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
        if not isinstance(part, str) or not part or Path(part).is_absolute() or ".." in Path(part).parts:
            raise ValueError(f"workdir() takes relative folder names inside the work folder, got {part!r}")
    path = settings().workdir.joinpath(*parts)
    path.mkdir(parents=True, exist_ok=True)
    return path
