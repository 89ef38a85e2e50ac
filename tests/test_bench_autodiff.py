"""The benchmark's contenders compute the same thing (no timing here)."""

import numpy as np
import pytest

from course.tools.bench import autodiff as bench


def test_course_and_tensorflow_steps_agree():
    tf = pytest.importorskip("tensorflow")
    x, y = bench.digits_batch()
    step, model = bench.course_step()
    eager, compiled, variables = bench.tensorflow_steps(model.weights())
    _, compiled, compiled_vars = bench.tensorflow_steps(model.weights())
    ours = step(x, y)
    theirs = float(eager(tf.constant(x), tf.constant(y)))
    compiled_loss = float(compiled(tf.constant(x), tf.constant(y)))
    assert np.isclose(ours, theirs, rtol=1e-5) and np.isclose(ours, compiled_loss, rtol=1e-5)
    for p, v, c in zip(model.parameters(), variables, compiled_vars):
        assert np.allclose(p.value, v.numpy(), atol=1e-5) and np.allclose(p.value, c.numpy(), atol=1e-5)


def test_scalar_engines_agree_with_micrograd():
    course_run, micrograd_run, (ours, theirs) = bench.scalar_runs(batch=2)
    assert np.isclose(course_run(), micrograd_run())
    micrograd_run()  # twice: the reset of micrograd's accumulated .grad must work
    first_layer_ours, first_layer_theirs = ours[0][0][3], theirs[0][0][3]
    assert np.allclose([n.grad for n in first_layer_ours], [v.grad for v in first_layer_theirs])


def test_median_time_and_cli_errors():
    assert bench.median_time(lambda: None, repeats=2, number=3) >= 0
    with pytest.raises(SystemExit):
        bench.cli(["--repeats", "0"])


def test_without_micrograd_the_course_engine_is_timed_alone_and_the_skip_said(monkeypatch, capsys):
    """A learner's install has no micrograd (a dev package): the benchmark says what it skips."""
    import sys

    monkeypatch.setitem(sys.modules, "micrograd", None)  # `import micrograd` raises ImportError
    monkeypatch.setitem(sys.modules, "micrograd.engine", None)
    assert bench.micrograd_value() is None
    course_run, micrograd_run, (ours, theirs) = bench.scalar_runs(batch=1)
    assert micrograd_run is None and theirs is None and np.isfinite(course_run())
    bench.scalar_comparison(repeats=1)
    out = capsys.readouterr().out
    assert "course scalar engine" in out and "micrograd / course" not in out
    assert "skipped: micrograd is not installed" in out and "pip install micrograd" in out


def test_the_command_refuses_bad_repeats_in_one_line(capsys):
    from course.tools import cli

    for value in ("0", "-1", "x", "1001"):
        assert cli(["bench", "autodiff", "--repeats", value]) == 2
        err = capsys.readouterr().err
        assert err.count("\n") == 1 and "--repeats" in err and "Traceback" not in err
