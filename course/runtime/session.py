"""The first cell of every notebook: seeds, work folder, a quiet TensorFlow."""

import os
import random
import sys

import numpy as np

from .settings import settings, workdir


def seed_everything(seed):
    """Seed Python, NumPy and (when it is imported) TensorFlow/Keras with one integer."""
    if isinstance(seed, bool) or not isinstance(seed, int) or seed < 0:
        raise ValueError(f"seed must be a non-negative int, got {seed!r}")
    random.seed(seed)
    np.random.seed(seed)
    if "keras" in sys.modules or "tensorflow" in sys.modules:
        import keras

        keras.utils.set_random_seed(seed)


def setup(seed=0, tensorflow=False):
    """Prepare a notebook: work folder, caches inside it, optional quiet TF import, seeds.

    Returns the active :class:`course.config.Settings` and prints them in one line.
    """
    current = settings()
    folder = workdir()
    # Keras and matplotlib write caches under the home folder unless told otherwise.
    os.environ.setdefault("KERAS_HOME", str(folder / "keras"))
    os.environ.setdefault("MPLCONFIGDIR", str(folder / "matplotlib"))
    if tensorflow:
        from .quiet import import_tensorflow

        import_tensorflow()
    seed_everything(seed)
    print(f"course ready | seed {seed} | {current.describe()}")
    return current
