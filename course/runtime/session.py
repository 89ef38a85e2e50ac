"""The first cell of every notebook: seeds, work folder, a quiet TensorFlow."""

import os
import random
import sys
import warnings

import numpy as np

from .settings import settings, workdir
from .validate import boolean, received

# Deprecation warnings that TensorFlow's own code triggers and a learner can do nothing about:
# (message regex, regex of the module that issues the warning). Each one is matched narrowly so
# that a DeprecationWarning from any other code, the learner's included, still shows.
UPSTREAM_DEPRECATIONS = (
    # Python 3.13 deprecates unknown keyword arguments to ``ast`` node constructors. TensorFlow's
    # autograph (tensorflow.python.autograph.pyct) stores its annotations under '___pyct_anno' and
    # turns its trees back into ``ast`` nodes through ``gast``, which then warns once per node type
    # on every ``tf.function`` trace.
    (r".*unexpected keyword argument '___pyct_anno'", r"gast(\.|$)"),
)


def quiet_upstream_warnings():
    """Hide the deprecation warnings listed in ``UPSTREAM_DEPRECATIONS`` (safe to call again)."""
    for message, module in UPSTREAM_DEPRECATIONS:
        warnings.filterwarnings("ignore", message=message, category=DeprecationWarning, module=module)


MAX_SEED = 2**32 - 1  # the largest seed NumPy's global generator takes


def check_seed(seed):
    """``seed`` as an ``int`` that Python, NumPy and Keras all accept."""
    if (
        isinstance(seed, (bool, np.bool_))
        or not isinstance(seed, (int, np.integer))
        or not 0 <= seed <= MAX_SEED
    ):
        raise ValueError(f"seed must be a non-negative int up to {MAX_SEED}, got {received(seed)}")
    return int(seed)


def seed_everything(seed):
    """Seed Python, NumPy and (when it is imported) TensorFlow/Keras with one integer."""
    seed = check_seed(seed)
    random.seed(seed)
    np.random.seed(seed)
    if "keras" in sys.modules or "tensorflow" in sys.modules:
        import keras

        keras.utils.set_random_seed(seed)


def setup(seed=0, tensorflow=False):
    """Prepare a notebook: work folder, caches inside it, the course's figure style, upstream
    warnings hidden, optional quiet TF import, seeds.

    Returns the active :class:`course.config.Settings` and prints them in one line.
    """
    seed = check_seed(seed)
    tensorflow = boolean(tensorflow, "tensorflow")
    current = settings()
    folder = workdir()
    # Keras and matplotlib write caches under the home folder unless told otherwise.
    os.environ.setdefault("KERAS_HOME", str(folder / "keras"))
    os.environ.setdefault("MPLCONFIGDIR", str(folder / "matplotlib"))
    from ..plots import use_style  # after MPLCONFIGDIR: matplotlib reads it when imported

    use_style()  # opaque figures, readable in JupyterLab's dark theme too
    quiet_upstream_warnings()
    if tensorflow:
        from .quiet import import_tensorflow

        import_tensorflow()
    seed_everything(seed)
    print(f"course ready | seed {seed} | {current.describe()}")
    return current
