"""Import TensorFlow without its start-up noise.

TensorFlow's C++ runtime writes lines such as ``Could not find cuda drivers``
straight to file descriptor 2 while it is imported, before Python's logging
exists, so ``sys.stderr`` tricks cannot hide them, and JupyterLab shows them as
a pink block. We point descriptor 2 at a temporary file during the import,
then put it back and pass on any line that is not known start-up noise.
"""

import os
import re
import sys
import tempfile
import warnings

NOISE = re.compile(
    r"absl::InitializeLog|cudart_stub|cuda drivers|cuInit|cpu_feature_guard|"
    r"oneDNN custom operations|TF_ENABLE_ONEDNN_OPTS|rebuild TensorFlow with the appropriate|"
    r"To enable the following instructions|Unable to register cu(DNN|FFT|BLAS) factory|"
    r"computation_placer|TensorRT|^\s*$"
)


def import_tensorflow():
    """Return the ``tensorflow`` module, imported with its log noise hidden."""
    if "tensorflow" in sys.modules:
        return sys.modules["tensorflow"]
    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
    sys.stderr.flush()
    saved = os.dup(2)
    with tempfile.TemporaryFile(mode="w+b") as capture:
        os.dup2(capture.fileno(), 2)
        try:
            with warnings.catch_warnings():
                warnings.simplefilter("ignore", DeprecationWarning)
                import tensorflow as tf

                tf.config.list_physical_devices()  # first device use logs too
        finally:
            os.dup2(saved, 2)
            os.close(saved)
        capture.seek(0)
        kept = [
            line for line in capture.read().decode(errors="replace").splitlines() if not NOISE.search(line)
        ]
    if kept:
        print("\n".join(kept), file=sys.stderr)
    tf.get_logger().setLevel("ERROR")
    return tf
