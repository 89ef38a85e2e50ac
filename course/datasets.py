"""Datasets: MNIST, the scikit-learn digits (and, later, flower photos).

``load_mnist()`` returns exactly what ``keras.datasets.mnist.load_data()``
returns: ``(x_train, y_train), (x_test, y_test)`` with uint8 images of shape
(60000, 28, 28) and (10000, 28, 28). It never needs TensorFlow unless it has
to download. Offline it falls back to the scikit-learn handwritten digits,
rescaled into MNIST's format, and says so in one line.
"""

import numpy as np

from .downloads import DatasetUnavailable, fetch

MNIST_SHAPES = {"x_train": (60000, 28, 28), "y_train": (60000,), "x_test": (10000, 28, 28), "y_test": (10000,)}


def read_mnist(path):
    """Load and validate an ``mnist.npz`` (shapes and dtypes, since local copies may be re-packed)."""
    try:
        with np.load(path, allow_pickle=False) as data:
            arrays = {name: data[name] for name in MNIST_SHAPES}
    except (OSError, ValueError, KeyError) as error:
        raise ValueError(f"{path} is not a usable mnist.npz ({error}); expected arrays {', '.join(MNIST_SHAPES)}") from None
    for name, shape in MNIST_SHAPES.items():
        array = arrays[name]
        if array.shape != shape or array.dtype != np.uint8:
            raise ValueError(f"{path}: {name} should be uint8 of shape {shape}, got {array.dtype} of shape {array.shape}")
    for name in ("y_train", "y_test"):
        if arrays[name].max() > 9:
            raise ValueError(f"{path}: {name} should hold digit labels 0-9, found {arrays[name].max()}")
    return (arrays["x_train"], arrays["y_train"]), (arrays["x_test"], arrays["y_test"])


def load_digits(test_fraction=0.2, seed=0):
    """The scikit-learn digits: 1,797 images of 8x8 pixels, values 0-16, as float32 in [0, 1].

    Returns ``(x_train, y_train), (x_test, y_test)``; the split is shuffled with ``seed``.
    """
    if not 0 < test_fraction < 1:
        raise ValueError(f"test_fraction must be between 0 and 1, got {test_fraction!r}")
    from sklearn.datasets import load_digits as sklearn_digits

    digits = sklearn_digits()
    images = (digits.images / 16.0).astype(np.float32)
    labels = digits.target.astype(np.uint8)
    order = np.random.default_rng(seed).permutation(len(labels))
    n_test = int(round(len(labels) * test_fraction))
    test, train = order[:n_test], order[n_test:]
    return (images[train], labels[train]), (images[test], labels[test])


def digits_as_mnist():
    """The scikit-learn digits in MNIST's format: 28x28 uint8, 0-255, digit in the central 20x20."""
    from scipy.ndimage import zoom

    def to_mnist(images):
        big = zoom(images, (1, 20 / 8, 20 / 8), order=1)  # 8x8 -> 20x20, bilinear
        canvas = np.zeros((len(images), 28, 28), np.float32)
        canvas[:, 4:24, 4:24] = big
        return np.clip(np.round(canvas * 255), 0, 255).astype(np.uint8)

    (x_train, y_train), (x_test, y_test) = load_digits()
    return (to_mnist(x_train), y_train), (to_mnist(x_test), y_test)


def load_mnist():
    """MNIST as Keras gives it; the scikit-learn digits (announced) when it cannot be had."""
    try:
        path = fetch("mnist")
    except DatasetUnavailable as reason:
        print(f"MNIST is unavailable ({reason}): using the scikit-learn digits in MNIST's format instead (offline fallback).")
        return digits_as_mnist()
    return read_mnist(path)


# --- Flower photos -----------------------------------------------------------------------------

FLOWER_CLASSES = ("daisy", "dandelion", "roses", "sunflowers", "tulips")


def _photo_folder(path):
    """The folder holding ``<class>/`` sub-folders, found at or inside ``path`` (a folder or the .tgz)."""
    from pathlib import Path

    path = Path(path)
    if path.is_file():  # a local flower_photos.tgz: extract it once into the cache
        import tarfile

        from .downloads import cache_folder

        target = cache_folder() / "flower_photos_extracted"
        if not (target / "complete").exists():
            with tarfile.open(path) as archive:
                archive.extractall(target, filter="data")
            (target / "complete").write_text(str(path))
        path = target
    for candidate in (path, path / "flower_photos"):
        if all((candidate / name).is_dir() for name in FLOWER_CLASSES):
            return candidate
    raise ValueError(f"{path} should hold one folder per class ({', '.join(FLOWER_CLASSES)}), or a flower_photos folder with them")


def real_flower_folder():
    """The real flower photos: local copy, extracted cache, or a verified download (DatasetUnavailable)."""
    from .config import settings
    from .downloads import cache_folder

    extracted = cache_folder() / "flower_photos_extracted" / "flower_photos"
    if settings().data_dir is None and extracted.is_dir():
        return _photo_folder(extracted)  # downloaded and checked earlier
    return _photo_folder(fetch("flower_photos"))


def generated_flower_folder(per_class=None, size=None, seed=0):
    """The generated flower set (made on first use, then reused) in the work folder."""
    from .config import pick, workdir
    from .synthetic_flowers import make_flower_folder

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
        print(f"The flower photos are unavailable ({reason}): using generated flower images instead (offline fallback, {folder.name}).")
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
    if not (isinstance(image_size, (tuple, list)) and len(image_size) == 2 and all(isinstance(n, int) and n > 0 for n in image_size)):
        raise ValueError(f"image_size should be (height, width) in pixels, got {image_size!r}")
    if not 0 < validation_split < 1:
        raise ValueError(f"validation_split should be between 0 and 1, got {validation_split!r}")
    folder = flower_photos_folder() if folder is None else _photo_folder(folder)
    import contextlib
    import io

    from .quiet import import_tensorflow

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
