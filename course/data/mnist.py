"""Handwritten digits: MNIST and the scikit-learn digits.

``load_mnist()`` returns exactly what ``keras.datasets.mnist.load_data()``
returns: ``(x_train, y_train), (x_test, y_test)`` with uint8 images of shape
(60000, 28, 28) and (10000, 28, 28). It never needs TensorFlow. Offline it falls back to the scikit-learn handwritten digits,
rescaled into MNIST's format, and says so in one line.

A file that is not a usable ``mnist.npz`` (empty, cut short, other arrays) is refused
with a ValueError naming it and saying what to do; see :mod:`course.data.downloads`
for when the course downloads a fresh copy instead (only ever of its own download).
"""

import zipfile
import zlib

import numpy as np

from ..runtime import validate
from .downloads import DatasetUnavailable, fetch

MNIST_SHAPES = {
    "x_train": (60000, 28, 28),
    "y_train": (60000,),
    "x_test": (10000, 28, 28),
    "y_test": (10000,),
}
DIGITS_COUNT = 1797  # scikit-learn's handwritten digits


def _unusable(path, reason):
    """The ValueError for a file that is no usable ``mnist.npz``: what is wrong, and what to do."""
    return ValueError(
        f"{path} is not a usable mnist.npz: {reason}. Replace it with the original mnist.npz, or move it "
        "out of the way so that the course can download one."
    )


def read_mnist(path):
    """Load and validate an ``mnist.npz`` (shapes and dtypes, since local copies may be re-packed)."""
    path = validate.path(path, "path", must_exist=True, kind="file")  # no FIFO: np.load would block
    try:
        with np.load(path, allow_pickle=False) as data:
            arrays = {name: data[name] for name in MNIST_SHAPES}
    except (OSError, ValueError, KeyError, EOFError, zipfile.BadZipFile, zlib.error) as error:
        reason = f"expected the arrays {', '.join(MNIST_SHAPES)}, NumPy says {type(error).__name__}: {error}"
        raise _unusable(path, reason) from None
    for name, shape in MNIST_SHAPES.items():
        array = arrays[name]
        if array.shape != shape or array.dtype != np.uint8:
            raise _unusable(
                path, f"{name} should be uint8 of shape {shape}, got {array.dtype} of shape {array.shape}"
            )
    for name in ("y_train", "y_test"):
        if arrays[name].max() > 9:
            raise _unusable(path, f"{name} should hold digit labels 0-9, found {arrays[name].max()}")
    return (arrays["x_train"], arrays["y_train"]), (arrays["x_test"], arrays["y_test"])


def load_digits(test_fraction=0.2, seed=0):
    """The scikit-learn digits: 1,797 images of 8x8 pixels, values 0-16, as float32 in [0, 1].

    Returns ``(x_train, y_train), (x_test, y_test)``; the split is shuffled with ``seed``.
    """
    test_fraction = validate.number(test_fraction, "test_fraction")
    seed = validate.integer(seed, "seed", minimum=0)
    n_test = int(round(DIGITS_COUNT * test_fraction))
    if not 0 < n_test < DIGITS_COUNT:
        raise ValueError(
            f"test_fraction must be between 0 and 1 and leave both parts of the {DIGITS_COUNT} digits "
            f"non-empty, got {test_fraction}"
        )
    from sklearn.datasets import load_digits as sklearn_digits

    digits = sklearn_digits()
    images = (digits.images / 16.0).astype(np.float32)
    labels = digits.target.astype(np.uint8)
    order = np.random.default_rng(seed).permutation(len(labels))
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
        path = fetch("mnist", usable=read_mnist)
    except DatasetUnavailable as reason:
        print(
            f"MNIST is unavailable ({reason}): using the scikit-learn digits in MNIST's format instead (offline fallback)."
        )
        return digits_as_mnist()
    return read_mnist(path)
