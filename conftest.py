"""Test-session settings shared by the unit tests and the notebook runs.

Notebook kernels inherit this process's environment, so FAST and strict mode
set here apply to every notebook nbval executes. Set COURSE_FAST=0 yourself to
run the notebooks in full mode. What the whole session must hold (order, skips
in CI, the notebooks' verdicts, an unchanged tree, time) is in tests/session.py.
"""

import os

pytest_plugins = ["tests.session"]

os.environ.setdefault("COURSE_FAST", "1")
os.environ.setdefault("COURSE_STRICT", "1")
os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
os.environ.setdefault("MPLBACKEND", "Agg")
# One thread per TensorFlow and BLAS pool in every test process and kernel: the suite runs several
# of them side by side on 2 cores, where idle pool threads spinning for work only take CPU from
# the others (solutions/07 alone: 52 s of CPU with the default pools, 42 s with one thread).
for _pool in ("TF_NUM_INTRAOP_THREADS", "TF_NUM_INTEROP_THREADS", "OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS"):
    os.environ.setdefault(_pool, "1")
