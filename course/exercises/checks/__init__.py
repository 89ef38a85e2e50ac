"""The exercises and quizzes of each notebook, one module per notebook.

A module declares its exercises with :func:`course.exercises.framework.exercise`
and its quizzes with :func:`course.exercises.quizzes.multiple_choice` and
:func:`~course.exercises.quizzes.predict_shape`. It must not import TensorFlow at
module level: every module here is imported on the first look-up of an id.

To add an exercise: pick the next free id of the notebook, declare it in the
notebook's module below (what to produce, input cases, probe, judge, hints),
add its table of answers to ``tests/test_exercises_NN.py``, and call
``course.check(id, answer)`` in the notebook.
"""

import importlib

NOTEBOOKS = {
    "00": "00_welcome",
    "01": "01_tensors",
    "02": "02_tensor_ops",
    "03": "03_autodiff",
    "04": "04_gradient_descent",
    "05": "05_modules_and_graphs",
    "06": "06_keras",
    "07": "07_cnn_flowers",
    "08": "08_saving_loading",
}
MODULES = (
    "welcome",
    "tensors",
    "tensor_ops",
    "autodiff",
    "gradient_descent",
    "modules",
    "keras_basics",
    "cnn",
    "saving",
)


def load_all():
    """Import every notebook's module (each registers its exercises and quizzes once)."""
    for name in MODULES:
        importlib.import_module(f"{__name__}.{name}")
