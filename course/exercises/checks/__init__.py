"""The exercises and quizzes of each notebook, one module per notebook: ``nb03_autodiff.py``.

A module declares its exercises with :func:`course.exercises.registry.exercise`
(what to produce, input cases, the probe, hints, shortcuts) and its quizzes with
:func:`course.exercises.quizzes.multiple_choice` and
:func:`~course.exercises.quizzes.predict_shape`. It holds no judge and no
reference answer (those are in ``judging/``, under the same module name), as a
grading sandbox contains this package. It must not import TensorFlow at module
level: a check imports its notebook's module on its first look-up.

To add an exercise: pick the next free id of the notebook, declare it in the
notebook's module here, its judge in ``judging/`` (added to ``JUDGES``), add
its table of answers to ``tests/test_exercises_NN.py``, and call
``course.check(id, answer)`` in the notebook.
"""
