"""Checkers for 05_modules_and_graphs (TensorFlow is imported inside each checker)."""

import shutil
import tempfile

import numpy as np

from ..framework import Wrong, call, exercise, expect_array, expect_close


@exercise(
    "05.1",
    "A callable Line",
    expects="a class Line whose instances, made as Line(slope, intercept), return slope * x + intercept when called",
    hint="Store slope and intercept in __init__ (self.slope = slope); __call__(self, x) returns self.slope * x + self.intercept.",
)
def _line(answer):
    line = call(answer, 2.0, 1.0, what="Line(2.0, 1.0)")
    if not callable(line):
        raise Wrong("Line(2.0, 1.0) made an object you cannot call: define a __call__(self, x) method.")
    expect_close(call(line, 3.0, what="Line(2.0, 1.0)(3.0)"), 7.0, what="Line(2.0, 1.0)(3.0)")
    expect_close(
        call(line, np.array([0.0, -1.0, 0.5]), what="Line(2.0, 1.0)(x)"),
        [1.0, -1.0, 2.0],
        what="Line(2.0, 1.0)(x)",
    )
    flat = call(answer, 0.0, -4.0, what="Line(0.0, -4.0)")
    expect_close(call(flat, 10.0, what="Line(0.0, -4.0)(10.0)"), -4.0, what="Line(0.0, -4.0)(10.0)")
    return "Line(2, 1)(3) is 7: the object remembers its parameters and is called like a function."


def _dense_case(seed):
    rng = np.random.default_rng(seed)
    x = rng.normal(size=(4, 3)).astype(np.float32)
    w = rng.normal(size=(3, 2)).astype(np.float32)
    b = rng.normal(size=(2,)).astype(np.float32)
    return x, w, b


@exercise(
    "05.2",
    "A Dense forward pass",
    expects="a function dense_forward(x, w, b) returning relu(x @ w + b): shape (batch, out_features)",
    hint="x has shape (batch, in), w (in, out), b (out,): tf.nn.relu(x @ w + b) (b is broadcast over the batch).",
)
def _dense_forward(answer):
    import tensorflow as tf

    for seed in (0, 1):
        x, w, b = _dense_case(seed)
        got = call(answer, tf.constant(x), tf.constant(w), tf.constant(b), what="dense_forward(x, w, b)")
        got = expect_array(got, shape=(4, 2), what="dense_forward(x, w, b)")
        want = np.maximum(x @ w + b, 0)
        if np.allclose(got, x @ w + b, atol=1e-5) and not np.allclose(got, want, atol=1e-5):
            raise Wrong("your output has negative values: apply the relu after adding b.")
        expect_close(got, want, what="dense_forward(x, w, b)", rtol=1e-4, atol=1e-5)
    return "dense_forward computes relu(x @ w + b), the whole layer in one line."


@exercise(
    "05.3",
    "Restore a checkpoint",
    expects="a function restore_model(model, path) that reads the checkpoint at path into model and returns model",
    hint="tf.train.Checkpoint(model=model).read(path) loads the values saved under the name 'model'; then return model.",
)
def _restore_model(answer):
    import tensorflow as tf

    from ...tf_layers import Dense, Sequential, save_checkpoint

    def make():
        return Sequential([Dense(4, 6, activation="relu"), Dense(6, 2)])

    folder = tempfile.mkdtemp(prefix="check-05.3-")
    try:
        trained, fresh = make(), make()
        path = save_checkpoint(trained, f"{folder}/model")
        restored = call(answer, fresh, path, what="restore_model(model, path)")
        if restored is not fresh:
            raise Wrong(f"restore_model should return the model it was given, got {type(restored).__name__}.")
        x = tf.constant(np.random.default_rng(5).normal(size=(3, 4)), tf.float32)
        expect_close(fresh(x).numpy(), trained(x).numpy(), what="the restored model's output", rtol=0, atol=0)
    finally:
        shutil.rmtree(folder, ignore_errors=True)
    return "The fresh model now gives exactly the saved model's outputs."


@exercise(
    "05.4",
    "One gradient-descent step",
    expects="a function sgd_step(model, x, y, learning_rate) that returns the mean squared error "
    "before the step and moves every trainable variable by -learning_rate * gradient",
    hint="Inside tf.GradientTape() compute loss = tf.reduce_mean((model(x) - y) ** 2); "
    "grads = tape.gradient(loss, model.trainable_variables); then v.assign_sub(learning_rate * g) for each pair.",
)
def _sgd_step(answer):
    import tensorflow as tf

    from ...tf_layers import Dense

    rng = np.random.default_rng(7)
    x = tf.constant(rng.normal(size=(8, 3)), tf.float32)
    y = tf.constant(rng.normal(size=(8, 1)), tf.float32)
    model = Dense(3, 1)
    start = [v.numpy() for v in model.trainable_variables]
    with tf.GradientTape() as tape:
        want_loss = tf.reduce_mean((model(x) - y) ** 2)
    grads = tape.gradient(want_loss, model.trainable_variables)
    loss = call(answer, model, x, y, 0.1, what="sgd_step(model, x, y, 0.1)")
    expect_close(loss, want_loss.numpy(), what="the loss sgd_step returned (before the update)", rtol=1e-4)
    for variable, before, grad in zip(model.trainable_variables, start, grads):
        now = variable.numpy()
        if np.array_equal(now, before):
            raise Wrong(f"{variable.name} did not change: update the variables with assign_sub.")
        expect_close(
            now, before - 0.1 * grad.numpy(), what=f"{variable.name} after the step", rtol=1e-4, atol=1e-6
        )
    return (
        "One step of gradient descent: the loss is measured, differentiated and every weight moves downhill."
    )
