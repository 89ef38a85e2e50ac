"""Flower photos: the real ``flower_photos`` set, or the generated one offline, as ``tf.data`` datasets.

:func:`flower_photos_folder` finds a folder with one sub-folder per class (a local copy,
the verified download, or, announced, the generated set); :func:`load_flowers` reads it
the way TensorFlow's tutorial does.
"""

import contextlib
import io
import tarfile
from pathlib import Path

from ..runtime.settings import pick, settings, workdir
from .downloads import DatasetUnavailable, cache_folder, fetch
from .generated_flowers import make_flower_folder

FLOWER_CLASSES = ("daisy", "dandelion", "roses", "sunflowers", "tulips")


def _photo_folder(path):
    """The folder holding ``<class>/`` sub-folders, found at or inside ``path`` (a folder or the .tgz)."""
    path = Path(path)
    if path.is_file():  # a local flower_photos.tgz: extract it once into the cache
        target = cache_folder() / "flower_photos_extracted"
        if not (target / "complete").exists():
            with tarfile.open(path) as archive:
                archive.extractall(target, filter="data")
            (target / "complete").write_text(str(path))
        path = target
    for candidate in (path, path / "flower_photos"):
        if all((candidate / name).is_dir() for name in FLOWER_CLASSES):
            return candidate
    raise ValueError(
        f"{path} should hold one folder per class ({', '.join(FLOWER_CLASSES)}), or a flower_photos folder with them"
    )


def real_flower_folder():
    """The real flower photos: local copy, extracted cache, or a verified download (DatasetUnavailable)."""
    extracted = cache_folder() / "flower_photos_extracted" / "flower_photos"
    if settings().data_dir is None and extracted.is_dir():
        return _photo_folder(extracted)  # downloaded and checked earlier
    return _photo_folder(fetch("flower_photos"))


def generated_flower_folder(per_class=None, size=None, seed=0):
    """The generated flower set (made on first use, then reused) in the work folder."""
    per_class = pick(60, 300) if per_class is None else per_class
    size = pick(64, 128) if size is None else size
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


def load_flowers(folder=None, image_size=(180, 180), batch_size=32, validation_split=0.2, seed=123):
    """Training and validation ``tf.data`` datasets of flower pictures, and the class names.

    Like TensorFlow's tutorial: ``keras.utils.image_dataset_from_directory`` with
    ``validation_split=0.2, seed=123`` (the same photos land in validation every time), the
    decoded images cached in memory after the first epoch, and the next batch prefetched while
    the current one trains. Images come as float32 0-255 of shape (batch, height, width, 3),
    labels as int32 class indices; ``validation.file_paths`` lists the validation pictures'
    files in order. ``folder`` defaults to :func:`flower_photos_folder`.
    """
    if not (
        isinstance(image_size, (tuple, list))
        and len(image_size) == 2
        and all(isinstance(n, int) and n > 0 for n in image_size)
    ):
        raise ValueError(f"image_size should be (height, width) in pixels, got {image_size!r}")
    if not 0 < validation_split < 1:
        raise ValueError(f"validation_split should be between 0 and 1, got {validation_split!r}")
    folder = flower_photos_folder() if folder is None else _photo_folder(folder)
    from ..runtime.quiet import import_tensorflow

    tf = import_tensorflow()
    import keras

    with contextlib.redirect_stdout(io.StringIO()):  # Keras prints the split even with verbose=False
        train, validation = keras.utils.image_dataset_from_directory(
            folder,
            validation_split=validation_split,
            subset="both",
            seed=seed,
            image_size=tuple(image_size),
            batch_size=batch_size,
            verbose=False,
        )
    class_names, validation_files = train.class_names, validation.file_paths
    train = train.cache().shuffle(1000, seed=seed).prefetch(tf.data.AUTOTUNE)
    validation = validation.cache().prefetch(tf.data.AUTOTUNE)
    validation.file_paths = validation_files  # pictures the model never trains on
    return train, validation, class_names
