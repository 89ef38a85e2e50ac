"""Flower photos: the real ``flower_photos`` set, or the generated one offline, as ``tf.data`` datasets.

:func:`flower_photos_folder` finds a folder with one sub-folder per class (a local copy,
the verified download, or, announced, the generated set); :func:`load_flowers` reads it
the way TensorFlow's tutorial does.

Before a folder is used, every picture in its class folders is checked, and the first bad
one is refused with a ValueError naming it (TensorFlow would only fail in the middle of
``fit``): a file that is not a regular file (a FIFO would block the training for ever), an
empty file, one that is not a JPEG, PNG, GIF or BMP picture by its first bytes, and one whose
header is right but whose body TensorFlow cannot decode (cut short, damaged). Pictures that
passed are remembered (by path, size and time) until the Python process ends. A damaged
``flower_photos.tgz`` is refused the same way, naming the archive.

**An archive is extracted into a fresh temporary folder** beside
``<cache>/flower_photos_extracted``, which is given that name only once the extraction has
succeeded; a damaged archive leaves whatever was there as it was. An earlier extraction is
replaced only when the course made it (its ``complete`` file says so); any other folder in
the way is moved aside, announced, never deleted.
"""

import contextlib
import io
import os
import re
import shutil
import tarfile
import tempfile
import zlib
from pathlib import Path

from ..runtime import validate
from ..runtime.settings import disk_error, pick, settings, workdir
from .downloads import DatasetUnavailable, cache_folder, fetch
from .generated_flowers import check_recipe, make_flower_folder

FLOWER_CLASSES = ("daisy", "dandelion", "roses", "sunflowers", "tulips")
IMAGE_SUFFIXES = (".bmp", ".gif", ".jpeg", ".jpg", ".png")  # the files image_dataset_from_directory reads
IMAGE_SIGNATURES = (b"\xff\xd8\xff", b"\x89PNG\r\n\x1a\n", b"GIF87a", b"GIF89a", b"BM")  # JPEG PNG GIF BMP
MAX_IMAGE_SIDE = 4096
EXTRACTED = "flower_photos_extracted"  # the course's folder in the cache
_CHECKED = set()  # (path, size, mtime_ns, inode) of the pictures that decoded, in this process


def _own_extraction(folder):
    """Is ``folder`` an extraction the course finished (a real folder with its ``complete`` file)?"""
    return not folder.is_symlink() and folder.is_dir() and (folder / "complete").is_file()


def _move_aside(folder):
    """Rename ``folder`` to a free ``<name>.old-<n>`` beside it, and say so; the new name."""
    for n in range(1, 10_000):
        aside = folder.with_name(f"{folder.name}.old-{n}")
        if not os.path.lexists(aside):
            os.rename(folder, aside)
            print(
                f"{folder} was not made by the course: it is kept as {aside} (delete it when you no longer need it)."
            )
            return aside
    raise ValueError(f"cannot move {folder} aside: too many {folder.name}.old-* folders beside it")


def _extracted(archive):
    """``archive`` (a ``flower_photos.tgz``) extracted once into the cache; the folder it went to.

    The archive is extracted into a new temporary folder beside the target; only when that has
    worked does the temporary folder get the target's name, with a ``complete`` file naming the
    archive it came from (so another archive is extracted afresh). A damaged archive or a full
    disk leaves the target as it was, and removes only the temporary folder.
    """
    cache = cache_folder()
    target = cache / EXTRACTED
    marker = target / "complete"
    if marker.is_file() and marker.read_text(encoding="utf-8") == str(archive):
        return target
    try:
        fresh = Path(tempfile.mkdtemp(prefix=f"{EXTRACTED}.partial-", dir=cache))
    except OSError as error:
        raise disk_error(cache, error, "write into the dataset cache") from error
    try:
        with tarfile.open(archive) as tar:
            tar.extractall(fresh, filter="data")
        (fresh / "complete").write_text(str(archive), encoding="utf-8")
    except (tarfile.TarError, EOFError, zlib.error) as error:
        shutil.rmtree(fresh, ignore_errors=True)  # the course's own temporary folder, nothing else
        reason = str(error).splitlines()[0] if str(error) else type(error).__name__
        raise ValueError(
            f"{archive} is damaged or not a .tgz archive ({type(error).__name__}: {reason}): replace it with "
            "the original flower_photos.tgz, or move it out of the way so that the course can download one"
        ) from None
    except OSError as error:  # a full disk, a read-only cache
        shutil.rmtree(fresh, ignore_errors=True)
        raise disk_error(cache, error, f"extract {archive.name} into") from error
    try:
        if os.path.lexists(target):
            if _own_extraction(target):
                old = target.with_name(f"{fresh.name}.old")
                os.rename(target, old)
                try:
                    os.rename(fresh, target)
                except OSError:
                    os.rename(old, target)  # as it was
                    raise
                shutil.rmtree(old, ignore_errors=True)  # the course's own earlier extraction
                return target
            _move_aside(target)
        os.rename(fresh, target)
    except OSError as error:
        shutil.rmtree(fresh, ignore_errors=True)
        raise disk_error(cache, error, "write into the dataset cache") from error
    return target


def _tensorflow_message(error):
    """The readable part of a TensorFlow op error: no ``{{function_node ...}}``, no ``[Op:...]``."""
    text = re.sub(r"\{\{.*?\}\}\s*", "", getattr(error, "message", None) or str(error))
    return text.split(" [Op:")[0].strip().splitlines()[0] if text.strip() else type(error).__name__


def _check_image(path):
    """Refuse, naming it, a picture that is no regular file, is empty, or does not start like a JPEG, PNG, GIF or BMP."""
    try:
        validate.path(path, "a picture in a class folder", must_exist=True, kind="file")
    except (ValueError, FileNotFoundError) as error:
        raise type(error)(
            f"{error}. Move it out of the class folder, or replace it with the picture"
        ) from None
    try:
        with open(path, "rb") as file:
            head = file.read(8)
    except OSError as error:
        raise ValueError(f"the picture {path} cannot be read ({error.strerror or error})") from None
    if not head:
        raise ValueError(f"the picture {path} is empty (0 bytes): delete it, or replace it with the picture")
    if not head.startswith(IMAGE_SIGNATURES):
        raise ValueError(
            f"{path} is not a JPEG, PNG, GIF or BMP picture (it starts with {head!r}): "
            "delete it, or move it out of the class folder"
        )


def _decode_all(pictures):
    """Decode every picture in full, as Keras will; a ValueError naming the first one that fails.

    A picture whose header is right but whose body is cut short or damaged passes
    :func:`_check_image`, and would stop the training in the middle of an epoch.
    """
    keys = {}
    for picture in pictures:
        info = picture.stat()
        key = (str(picture), info.st_size, info.st_mtime_ns, info.st_ino)
        if key not in _CHECKED:
            keys[picture] = key
    if not keys:
        return
    from ..runtime.quiet import import_tensorflow

    tf = import_tensorflow()
    for picture, key in keys.items():
        try:
            data = picture.read_bytes()
        except OSError as error:
            raise ValueError(f"the picture {picture} cannot be read ({error.strerror or error})") from None
        try:
            tf.io.decode_image(data, channels=3, expand_animations=False)  # what Keras's loader does
        except tf.errors.OpError as error:
            raise ValueError(
                f"the picture {picture} is damaged: its header is right, but TensorFlow cannot decode it "
                f"({_tensorflow_message(error)}). Delete it, or replace it with the original picture"
            ) from None
        _CHECKED.add(key)


def _pictures(folder):
    """Every picture file that ``image_dataset_from_directory`` reads: those in ``folder``'s class folders."""
    for class_folder in sorted(entry for entry in folder.iterdir() if entry.is_dir()):
        for root, _, names in os.walk(class_folder):
            yield from (Path(root) / name for name in sorted(names) if name.lower().endswith(IMAGE_SUFFIXES))


def _photo_folder(path):
    """The folder holding ``<class>/`` sub-folders, found at or inside ``path`` (a folder or the .tgz).

    Its pictures are checked (see the module's text) before it is returned.
    """
    path = validate.path(path, "folder", must_exist=True)  # a regular file or a folder, nothing else
    if path.is_file():  # a flower_photos.tgz: extract it once into the cache
        path = _extracted(path)
    for candidate in (path, path / "flower_photos"):
        if all((candidate / name).is_dir() for name in FLOWER_CLASSES):
            pictures = list(_pictures(candidate))
            for picture in pictures:
                _check_image(picture)
            _decode_all(pictures)
            return candidate
    raise ValueError(
        f"{path} should hold one folder per class ({', '.join(FLOWER_CLASSES)}), or a flower_photos folder with them"
    )


def real_flower_folder():
    """The real flower photos: local copy, extracted cache, or a verified download (DatasetUnavailable)."""
    extracted = cache_folder() / EXTRACTED
    if settings().data_dir is None and (extracted / "complete").is_file():
        return _photo_folder(extracted)  # downloaded, checked and extracted earlier
    return _photo_folder(fetch("flower_photos"))


def generated_flower_folder(per_class=None, size=None, seed=0):
    """The generated flower set (made on first use, then reused) in the work folder."""
    per_class = pick(60, 300) if per_class is None else per_class
    size = pick(64, 128) if size is None else size
    check_recipe(per_class, size, seed)
    folder = workdir("datasets", f"flower_photos_generated_{per_class}x{size}px_seed{seed}")
    return make_flower_folder(folder, per_class=per_class, size=size, seed=seed)


def flower_photos_folder():
    """A folder of flower pictures in five class folders: the real photos, or (offline, announced) generated ones."""
    try:
        return real_flower_folder()
    except DatasetUnavailable as reason:
        folder = generated_flower_folder()
        print(
            f"The flower photos are unavailable ({reason}): using generated flower images instead (offline fallback, {folder.name})."
        )
        return folder


def _check_split(folder, validation_split):
    """Refuse a split that would leave the training or the validation set without pictures."""
    count = sum(1 for _ in _pictures(folder))
    n_validation = int(validation_split * count)  # Keras's own rounding
    if not 0 < n_validation < count:
        raise ValueError(
            f"validation_split={validation_split} of the {count} pictures in {folder} leaves "
            f"{count - n_validation} for training and {n_validation} for validation; both need at least one"
        )


def load_flowers(folder=None, image_size=(180, 180), batch_size=32, validation_split=0.2, seed=123):
    """Training and validation ``tf.data`` datasets of flower pictures, and the class names.

    Like TensorFlow's tutorial: ``keras.utils.image_dataset_from_directory`` with
    ``validation_split=0.2, seed=123`` (the same photos land in validation every time), the
    decoded images cached in memory after the first epoch, and the next batch prefetched while
    the current one trains. Images come as float32 0-255 of shape (batch, height, width, 3),
    labels as int32 class indices; ``validation.file_paths`` lists the validation pictures'
    files in order. ``folder`` defaults to :func:`flower_photos_folder`.
    """
    height, width = validate.pair(image_size, "image_size")
    validate.size_limit(max(height, width), "the larger side of image_size", MAX_IMAGE_SIDE)
    batch_size = validate.integer(batch_size, "batch_size", minimum=1, maximum=1 << 16)
    validation_split = validate.number(validation_split, "validation_split")
    if not 0 < validation_split < 1:
        raise ValueError(f"validation_split should be between 0 and 1, got {validation_split}")
    seed = validate.integer(seed, "seed", minimum=0, maximum=2**31 - 1)
    folder = flower_photos_folder() if folder is None else _photo_folder(folder)
    _check_split(folder, validation_split)
    from ..runtime.quiet import import_tensorflow

    tf = import_tensorflow()
    import keras

    with contextlib.redirect_stdout(io.StringIO()):  # Keras prints the split even with verbose=False
        train, validation = keras.utils.image_dataset_from_directory(
            folder,
            validation_split=validation_split,
            subset="both",
            seed=seed,
            image_size=(height, width),
            batch_size=batch_size,
            verbose=False,
        )
    class_names, validation_files = train.class_names, validation.file_paths
    train = train.cache().shuffle(1000, seed=seed).prefetch(tf.data.AUTOTUNE)
    validation = validation.cache().prefetch(tf.data.AUTOTUNE)
    validation.file_paths = validation_files  # pictures the model never trains on
    return train, validation, class_names
