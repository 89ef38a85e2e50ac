"""Layers built by hand on ``tf.Module``: what Keras does for you, in a few lines.

A layer is a Python object that owns variables and computes with them:

* :class:`Dense` knows its input width up front: ``Dense(in_features, out_features)``
  creates ``w`` of shape ``(in_features, out_features)`` and ``b`` of shape
  ``(out_features,)`` and computes ``activation(x @ w + b)``.
* :class:`LazyDense` only knows ``out_features``; it creates its weights on the
  first call, reading ``in_features`` from the input's last dimension.
* :class:`Sequential` calls its layers one after the other.

Because they are ``tf.Module`` objects, TensorFlow finds their variables
(``module.trainable_variables``) and ``tf.train.Checkpoint`` can save and
restore them: see :func:`save_checkpoint` and :func:`restore_checkpoint`.

Training them takes two more pieces: :func:`shuffled_batches` feeds the
examples in a new random order each pass, and :func:`make_train_step` builds
one optimizer step as a ``tf.function``.

This module imports TensorFlow; ``import course`` does not import it.
"""

from collections import deque

import tensorflow as tf

from .runtime import validate

ACTIVATIONS = {
    None: tf.identity,
    "linear": tf.identity,
    "relu": tf.nn.relu,
    "sigmoid": tf.sigmoid,
    "tanh": tf.tanh,
    "softmax": tf.nn.softmax,
}
CHECKPOINT_KEY = "model"  # the name the module gets inside every checkpoint written here


def get_activation(activation):
    """A function for ``activation``: None, a name from :data:`ACTIVATIONS`, or a callable."""
    if callable(activation):
        return activation
    return ACTIVATIONS[validate.choice(activation, "activation", ACTIVATIONS)]


def _module_name(name):
    """``name`` for ``tf.Module``: None, or a valid Python identifier such as ``"hidden"``."""
    if name is not None and not validate.text(name, "name").isidentifier():
        raise ValueError(
            f"name must be a valid Python identifier such as 'hidden' or 'layer_1', got {name!r}"
        )
    return name


def _glorot_uniform(in_features, out_features):
    """Random initial weights that keep the output's scale close to the input's (Glorot, 2010)."""
    validate.size_limit(in_features * out_features, "in_features * out_features", validate.MAX_ELEMENTS)
    limit = (6.0 / (in_features + out_features)) ** 0.5
    return tf.random.uniform((in_features, out_features), -limit, limit)


def _as_tensor(x, layer_name):
    """``x`` as a tensor of real numbers: a TensorFlow tensor as it is, anything else checked by NumPy first."""
    if not isinstance(x, (tf.Tensor, tf.Variable)):
        return tf.convert_to_tensor(validate.array(x, "x", finite=True, allow_bool=False))
    if not (x.dtype.is_floating or x.dtype.is_integer):
        raise TypeError(f"{layer_name} expects numbers, got a tensor of dtype {x.dtype.name}")
    return x


def as_batch(x, in_features, layer_name):
    """``x`` as a float32 tensor of shape (batch, in_features), or a ValueError naming both widths.

    An array that is not a tensor is checked first: TypeError for what is not numbers,
    ValueError for NaN or infinity.
    """
    in_features = validate.integer(in_features, "in_features", minimum=1)
    layer_name = validate.text(layer_name, "layer_name")
    x = tf.cast(_as_tensor(x, layer_name), tf.float32)
    if x.shape.rank != 2:
        raise ValueError(
            f"{layer_name} expects inputs of shape (batch, {in_features}), got shape {tuple(x.shape)}"
        )
    width = x.shape[-1]
    if width is not None and width != in_features:
        raise ValueError(
            f"{layer_name} expects inputs with in_features={in_features} columns, "
            f"got x.shape[-1]={width} (x.shape {tuple(x.shape)})"
        )
    return x


class Dense(tf.Module):
    """A fully connected layer: ``activation(x @ w + b)``.

    ``x``: (batch, in_features) → (batch, out_features). ``w`` starts random
    (Glorot uniform) so that the units differ; ``b`` starts at zero.
    """

    def __init__(self, in_features, out_features, activation=None, name=None):
        super().__init__(name=_module_name(name))
        self.in_features = validate.integer(in_features, "in_features", minimum=1)
        self.out_features = validate.integer(out_features, "out_features", minimum=1)
        self.activation = get_activation(activation)
        with self.name_scope:
            self.w = tf.Variable(_glorot_uniform(self.in_features, self.out_features), name="w")
            self.b = tf.Variable(tf.zeros((self.out_features,)), name="b")

    @tf.Module.with_name_scope
    def __call__(self, x):
        x = as_batch(x, self.in_features, f"Dense {self.name!r}")
        return self.activation(x @ self.w + self.b)


class LazyDense(tf.Module):
    """A Dense layer that creates ``w`` and ``b`` on its first call.

    ``in_features`` is read from the first input's last dimension, so you
    write ``LazyDense(10)`` and never count the columns yourself. Before the
    first call the layer has no variables.
    """

    def __init__(self, out_features, activation=None, name=None):
        super().__init__(name=_module_name(name))
        self.out_features = validate.integer(out_features, "out_features", minimum=1)
        self.activation = get_activation(activation)
        self.in_features = None
        self.w = self.b = None

    @property
    def built(self):
        return self.w is not None

    def build(self, in_features):
        """Create the variables for inputs with ``in_features`` columns (once)."""
        if self.built:
            raise ValueError(f"LazyDense {self.name!r} is already built for in_features={self.in_features}")
        self.in_features = validate.integer(in_features, "in_features", minimum=1)
        with self.name_scope:
            self.w = tf.Variable(_glorot_uniform(self.in_features, self.out_features), name="w")
            self.b = tf.Variable(tf.zeros((self.out_features,)), name="b")

    @tf.Module.with_name_scope
    def __call__(self, x):
        if not self.built:
            x = _as_tensor(x, f"LazyDense {self.name!r}")
            if x.shape.rank != 2 or x.shape[-1] is None:
                raise ValueError(
                    f"LazyDense {self.name!r} builds from inputs of shape (batch, in_features) "
                    f"with a known in_features, got shape {tuple(x.shape)}"
                )
            self.build(x.shape[-1])
        x = as_batch(x, self.in_features, f"LazyDense {self.name!r}")
        return self.activation(x @ self.w + self.b)


class Sequential(tf.Module):
    """Layers applied one after the other: ``Sequential([a, b])(x) == b(a(x))``."""

    def __init__(self, layers, name=None):
        super().__init__(name=_module_name(name))
        if not isinstance(layers, (list, tuple)):
            raise TypeError(f"layers must be a list of layers, got {validate.received(layers)}")
        if not layers:
            raise ValueError("Sequential needs at least one layer, got an empty list")
        for index, layer in enumerate(layers):
            if not callable(layer):
                raise TypeError(
                    f"layers[{index}] must be a layer (something callable), got {validate.received(layer)}"
                )
        self.layers = list(layers)

    @tf.Module.with_name_scope
    def __call__(self, x):
        for layer in self.layers:
            x = layer(x)
        return x


# ---------------------------------------------------------------------------
# Checkpoints: the variables' values, saved by where they live in the module.
# ---------------------------------------------------------------------------


def variable_shapes(module):
    """``{"layers/0/w": (64, 32), ...}``: each variable of ``module`` by its path, with its shape.

    The path is the chain of attributes (and list indices) that leads to the
    variable; ``tf.train.Checkpoint`` uses the same path to name it in the file.
    ``tf.train.TrackableView.children(obj)`` gives what a checkpoint sees of one
    object: its children by name. A breadth-first walk from the module, each
    object visited once, names every variable by the first path that reaches
    it, as the checkpoint does.
    """
    _check_module(module)
    shapes, seen, queue = {}, {id(module)}, deque([((), module)])
    while queue:
        path, node = queue.popleft()
        for name, child in tf.train.TrackableView.children(node).items():
            if id(child) in seen:
                continue
            seen.add(id(child))
            if isinstance(child, tf.Variable):
                shapes["/".join((*path, name))] = tuple(child.shape)
            else:
                queue.append(((*path, name), child))
    return shapes


def _check_module(module):
    if not isinstance(module, tf.Module):
        raise TypeError(f"module must be a tf.Module (a layer or a model), got {validate.received(module)}")


def checkpoint_shapes(path):
    """The same mapping for a checkpoint written by :func:`save_checkpoint`."""
    path = validate.path(path, "path")
    prefix, suffix = f"{CHECKPOINT_KEY}/", "/.ATTRIBUTES/VARIABLE_VALUE"
    try:
        listing = tf.train.list_variables(str(path))
    except tf.errors.NotFoundError:
        raise FileNotFoundError(
            f"no readable checkpoint at {path} (expected the prefix that save_checkpoint returned)"
        ) from None
    except tf.errors.OpError as error:
        raise ValueError(
            f"the checkpoint at {path} is damaged or not a checkpoint ({error.message})"
        ) from None
    return {
        name[len(prefix) : -len(suffix)]: tuple(shape)
        for name, shape in listing
        if name.startswith(prefix) and name.endswith(suffix)
    }


def save_checkpoint(module, path):
    """Write every variable of ``module`` to the checkpoint ``path`` (a file prefix); return it."""
    _check_module(module)
    path = validate.path(path, "path")
    try:
        return tf.train.Checkpoint(**{CHECKPOINT_KEY: module}).write(str(path))
    except tf.errors.OpError as error:
        raise ValueError(f"cannot write a checkpoint at {path} ({error.message})") from None


def restore_checkpoint(module, path):
    """Load the values saved at ``path`` into ``module``'s variables and return ``module``.

    ``module`` must have the same variables, with the same shapes, as the one
    that was saved; otherwise a ValueError names the variable and both shapes.
    A module that builds its weights on the first call must be called once
    (on an example batch) before it can be restored.
    """
    _check_module(module)
    saved, have = checkpoint_shapes(path), variable_shapes(module)
    for name in sorted(saved.keys() | have.keys()):
        if name not in have:
            raise ValueError(
                f"the checkpoint has variable {name!r} of shape {saved[name]} but the module has no such variable "
                "(a lazily built module must be called once before restoring)"
            )
        if name not in saved:
            raise ValueError(
                f"the module's variable {name!r} of shape {have[name]} is not in the checkpoint {path}"
            )
        if saved[name] != have[name]:
            raise ValueError(
                f"variable {name!r} has shape {have[name]} in the module but {saved[name]} in the checkpoint {path}"
            )
    tf.train.Checkpoint(**{CHECKPOINT_KEY: module}).read(str(path)).assert_consumed()
    return module


# ---------------------------------------------------------------------------
# Training: batches of examples, and one step of an optimizer.
# ---------------------------------------------------------------------------


def shuffled_batches(x, y, batch_size, seed):
    """A ``tf.data.Dataset`` of ``(x_batch, y_batch)``: every example once per pass, a new order each pass.

    The whole data set fits in the shuffle buffer, so the order is fully random;
    the shuffle comes before the batching, so each batch mixes examples from
    everywhere; the last batch is smaller when ``len(x)`` is not a multiple of
    ``batch_size``. The same ``seed`` gives the same sequence of orders.
    """
    x = validate.array(x, "x", min_ndim=1, finite=True, allow_bool=False)
    y = validate.array(y, "y", min_ndim=1, allow_bool=False)
    validate.same_length(x, y, "x", "y")
    if len(x) == 0:
        raise ValueError("x and y must hold at least one example, got 0")
    batch_size = validate.integer(batch_size, "batch_size", minimum=1)
    seed = validate.integer(seed, "seed", minimum=0)
    return (
        tf.data.Dataset.from_tensor_slices((x, y))
        .shuffle(len(x), seed=seed, reshuffle_each_iteration=True)
        .batch(batch_size)
        .prefetch(tf.data.AUTOTUNE)
    )


def make_train_step(model, loss_fn, optimizer):
    """A ``tf.function`` ``train_step(x, y)``: one optimizer step on ``loss_fn(model(x), y)``.

    It returns the loss measured before the step and changes only
    ``model.trainable_variables``. ``optimizer`` is a Keras optimizer (anything
    with ``apply_gradients``).
    """
    _check_module(model)
    loss_fn = validate.function(loss_fn, "loss_fn")
    if not callable(getattr(optimizer, "apply_gradients", None)):
        raise TypeError(
            f"optimizer must be an optimizer with apply_gradients (keras.optimizers.SGD(...), ...), "
            f"got {validate.received(optimizer)}"
        )

    @tf.function
    def train_step(x, y):
        with tf.GradientTape() as tape:
            loss = loss_fn(model(x), y)
        variables = model.trainable_variables
        optimizer.apply_gradients(zip(tape.gradient(loss, variables), variables))
        return loss

    return train_step
