"""One dataset folder for every sandbox, fetched once by the grader in its own process.

Sandboxes have no network. Unless the teacher names a folder (``--data`` or
``COURSE_DATA_DIR``), the grader gets every dataset of the registry itself before
grading, the course's usual way (its cache, or a download checked against the
checksum), and lays them out in one folder as ``COURSE_DATA_DIR`` expects them: the
files, and the flower photos already extracted, hard-linked from the cache rather
than copied. Every sandbox reads that folder. A dataset that cannot be had is named,
and the notebooks that need it use their offline fallback (and say so).
"""

import os
import shutil
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

FOLDER = "for-grading"  # inside the grader's dataset cache


def _link(source, target):
    """``target`` as a hard link to ``source`` (a copy where links are refused).

    A target that is already the same file, or an equal copy, is kept; one left from a cached
    file since replaced (a damaged download fetched again) is replaced too.
    """
    source, target = Path(source), Path(target)
    if target.exists():
        here, there = source.stat(), target.stat()
        if os.path.samestat(here, there) or (here.st_size, here.st_mtime) == (there.st_size, there.st_mtime):
            return
        target.unlink()
    try:
        os.link(source, target)
    except OSError:
        shutil.copy2(source, target)


def _attempt(name):
    """``(the dataset's file, or the photos' extracted folder, None)``, or ``(None, why not)``."""
    from ...data import downloads, flowers

    try:
        path = flowers.real_flower_folder() if name == "flower_photos" else downloads.fetch(name)
    except (downloads.DatasetUnavailable, ValueError) as reason:
        return None, str(reason)
    return path, None


def shared_folder():
    """Every dataset the grader can get, in one folder: ``(folder or None, [missing dataset: why])``.

    The downloads run side by side, so with no network the answer comes within one connection
    timeout.
    """
    from ...data import downloads

    entries = downloads.registry()
    with ThreadPoolExecutor(len(entries)) as pool:
        found = dict(zip(entries, pool.map(_attempt, entries)))
    folder, missing = downloads.cache_folder() / FOLDER, []
    for name, (path, reason) in found.items():
        if path is None:
            missing.append(f"{name}: {reason}")
            continue
        folder.mkdir(exist_ok=True)
        target = folder / (entries[name].get("folder") or entries[name]["file"])
        if path.is_dir():
            shutil.copytree(path, target, copy_function=_link, dirs_exist_ok=True)  # a tree of hard links
        else:
            _link(path, target)
    return (folder if folder.is_dir() and any(folder.iterdir()) else None), missing
