"""Flower photos: the real ``flower_photos`` set, or the generated one offline, as ``tf.data`` datasets.

:func:`flower_photos_folder` finds a folder with one sub-folder per class (a local copy,
the verified download, or, announced, the generated set); :func:`load_flowers` reads it
the way TensorFlow's tutorial does.

Before TensorFlow sees a folder, every picture in its class folders is checked by its first
bytes: an empty file, or one that is not a JPEG, PNG, GIF or BMP picture, is refused with a
ValueError naming it (TensorFlow would only fail in the middle of ``fit``). A damaged
``flower_photos.tgz`` is refused the same way, naming the archive.
"""

import contextlib
import io
import os
import shutil
import tarfile
import zlib
from pathlib import Path

from ..runtime import validate
from ..runtime.settings import pick, settings, workdir
from .downloads import DatasetUnavailable, cache_folder, fetch
from .generated_flowers import check_recipe, make_flower_folder

FLOWER_CLASSES = ("daisy", "dandelion", "roses", "sunflowers", "tulips")
IMAGE_SUFFIXES = (".bmp", ".gif", ".jpeg", ".jpg", ".png")  # the files image_dataset_from_directory reads
IMAGE_SIGNATURES = (b"\xff\xd8\xff", b"\x89PNG\r\n\x1a\n", b"GIF87a", b"GIF89a", b"BM")  # JPEG PNG GIF BMP
MAX_IMAGE_SIDE = 4096


def _extracted(archive):
    """``archive`` (a ``flower_photos.tgz``) extracted once into the cache; the folder it went to.

    The folder is the course's own: it is emptied before an extraction, and its ``complete``
    file names the archive it came from, so another archive is extracted afresh.
    """
    target = cache_folder() / "flower_photos_extracted"
    marker = target / "complete"
    if marker.is_file() and marker.read_text(encoding="utf-8") == str(archive):
        return target
    if target.exists():
        shutil.rmtree(target)
    try:
        with tarfile.open(archive) as tar:
            tar.extractall(target, filter="data")
    except (tarfile.TarError, EOFError, zlib.error) as error:
        reason = str(error).splitlines()[0]
        raise ValueError(
            f"{archive} is damaged or not a .tgz archive ({type(error).__name__}: {reason}): replace it with "
            "the original flower_photos.tgz, or move it out of the way so that the course can download one"
        ) from None
    marker.write_text(str(archive), encoding="utf-8")
    return target


def _check_image(path):
    """Refuse, naming it, a picture file that is empty or does not start like a JPEG, PNG, GIF or BMP."""
    with open(path, "rb") as file:
        head = file.read(8)
    if not head:
        raise ValueError(f"the picture {path} is empty (0 bytes): delete it, or replace it with the picture")
    if not head.startswith(IMAGE_SIGNATURES):
        raise ValueError(
            f"{path} is not a JPEG, PNG, GIF or BMP picture (it starts with {head!r}): "
            "delete it, or move it out of the class folder"
        )


def _pictures(folder):
    """Every picture file that ``image_dataset_from_directory`` reads: those in ``folder``'s class folders."""
    for class_folder in sorted(entry for entry in folder.iterdir() if entry.is_dir()):
        for root, _, names in os.walk(class_folder):
            yield from (Path(root) / name for name in sorted(names) if name.lower().endswith(IMAGE_SUFFIXES))


def _photo_folder(path):
    """The folder holding ``<class>/`` sub-folders, found at or inside ``path`` (a folder or the .tgz).

    Its pictures are checked (see the module's text) before it is returned.
    """
    path = validate.path(path, "folder", must_exist=True)
    if path.is_file():  # a flower_photos.tgz: extract it once into the cache
        path = _extracted(path)
    for candidate in (path, path / "flower_photos"):
        if all((candidate / name).is_dir() for name in FLOWER_CLASSES):
            for picture in _pictures(candidate):
                _check_image(picture)
            return candidate
    raise ValueError(
        f"{path} should hold one folder per class ({', '.join(FLOWER_CLASSES)}), or a flower_photos folder with them"
    )


def real_flower_folder():
    """The real flower photos: local copy, extracted cache, or a verified download (DatasetUnavailable)."""
    extracted = cache_folder() / "flower_photos_extracted"
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
