"""Answer tables of 05_modules_and_graphs: plausible mistakes and correct answers in other styles."""

from dataclasses import dataclass

import numpy as np

from course.runtime.quiet import import_tensorflow

from . import Correct, Mistake, Table, mutations

tf = import_tensorflow()


def stub(*args, **kwargs):
    raise NotImplementedError


# --------------------------------------------------------------------------- 05.1 a callable Line


class Line:
    def __init__(self, slope, intercept):
        self.slope = slope
        self.intercept = intercept

    def __call__(self, x):
        return self.slope * x + self.intercept


@dataclass
class DataclassLine:
    slope: float
    intercept: float

    def __call__(self, x):
        return x * self.slope + self.intercept


class PolyvalLine:
    """The coefficients kept together, highest power first, as NumPy's polynomials keep them."""

    def __init__(self, slope, intercept):
        self.coefficients = (slope, intercept)

    def __call__(self, x):
        return np.polyval(self.coefficients, x)


class SlotsLine:
    __slots__ = ("a", "b")

    def __init__(self, slope, intercept):
        self.a, self.b = slope, intercept

    def __call__(self, x):
        return np.add(np.multiply(self.a, x), self.b)


class StubLine:
    def __init__(self, slope, intercept):
        raise NotImplementedError

    def __call__(self, x):
        raise NotImplementedError


class HalfStubLine:
    def __init__(self, slope, intercept):
        self.slope, self.intercept = slope, intercept

    def __call__(self, x):
        raise NotImplementedError


class NotCallableLine:
    def __init__(self, slope, intercept):
        self.slope, self.intercept = slope, intercept

    def value(self, x):
        return self.slope * x + self.intercept


class SwappedLine(Line):
    def __call__(self, x):
        return self.intercept * x + self.slope


class NoInterceptLine(Line):
    def __call__(self, x):
        return self.slope * x


class MinusInterceptLine(Line):
    def __call__(self, x):
        return self.slope * x - self.intercept


class SlopeTimesBothLine(Line):
    """Brackets in the wrong place: slope * (x + intercept)."""

    def __call__(self, x):
        return self.slope * (x + self.intercept)


class SharedLine:
    """Keeps the numbers on the class: the last line made wins."""

    def __init__(self, slope, intercept):
        SharedLine.slope, SharedLine.intercept = slope, intercept

    def __call__(self, x):
        return self.slope * x + self.intercept


class ListLine(Line):
    def __call__(self, x):
        if isinstance(x, np.ndarray):
            return [self.slope * value + self.intercept for value in x.ravel()]
        return self.slope * x + self.intercept


class FlatLine(Line):
    """Loops over the values and returns them flat: right only for one-dimensional arrays."""

    def __call__(self, x):
        if isinstance(x, np.ndarray):
            return np.array([self.slope * value + self.intercept for value in x.ravel()])
        return self.slope * x + self.intercept


class InPlaceLine(Line):
    def __call__(self, x):
        if isinstance(x, np.ndarray):
            x *= self.slope
            x += self.intercept
            return x
        return self.slope * x + self.intercept


# --------------------------------------------------------------------------- 05.2 LazyLinear


class LazyLinear(tf.Module):
    def __init__(self, units, name=None):
        super().__init__(name=name)
        self.units = units
        self.w = self.b = None

    def __call__(self, x):
        if self.w is None:
            self.w = tf.Variable(tf.random.normal((x.shape[-1], self.units)), name="w")
            self.b = tf.Variable(tf.zeros((self.units,)), name="b")
        return x @ self.w + self.b


class LazyLinearBuildMethod(tf.Module):
    """A separate build step, checked with hasattr, uniform weights and tf.matmul."""

    def __init__(self, units):
        super().__init__()
        self.units = units
        self.built = False

    def build(self, in_features):
        limit = (6 / (in_features + self.units)) ** 0.5
        self.kernel = tf.Variable(tf.random.uniform((in_features, self.units), -limit, limit))
        self.bias = tf.Variable(tf.random.normal((self.units,), stddev=0.1))
        self.built = True

    def __call__(self, x):
        if not self.built:
            self.build(int(x.shape[-1]))
        return tf.matmul(x, self.kernel) + self.bias


class LazyLinearInAList(tf.Module):
    """The two variables kept in a list, which tf.Module also searches."""

    def __init__(self, units):
        super().__init__()
        self.units = units
        self.params = []

    def __call__(self, inputs):
        if not self.params:
            width = inputs.shape[1]
            self.params = [
                tf.Variable(tf.random.truncated_normal([width, self.units]), trainable=True),
                tf.Variable(tf.zeros([self.units]), trainable=True),
            ]
        weights, bias = self.params
        return tf.add(tf.matmul(inputs, weights), bias)


class LazyLinearEinsum(tf.Module):
    def __init__(self, units, name="lazy_linear"):
        super().__init__(name=name)
        self.units, self.w, self.b = units, None, None

    @tf.Module.with_name_scope
    def __call__(self, x):
        if self.w is None:
            self.w = tf.Variable(
                tf.random.normal([x.shape[-1], self.units], stddev=x.shape[-1] ** -0.5), name="w"
            )
            self.b = tf.Variable(tf.zeros([self.units]), name="b")
        return tf.einsum("bi,io->bo", x, self.w) + self.b


class StubLinear(tf.Module):
    def __init__(self, units):
        super().__init__()
        self.units = units

    def __call__(self, x):
        raise NotImplementedError


class EagerBiasLinear(LazyLinear):
    def __init__(self, units, name=None):
        super().__init__(units, name=name)
        self.b = tf.Variable(tf.zeros((units,)))

    def __call__(self, x):
        if self.w is None:
            self.w = tf.Variable(tf.random.normal((x.shape[-1], self.units)))
        return x @ self.w + self.b


class RebuildingLinear(LazyLinear):
    def __call__(self, x):
        self.w = tf.Variable(tf.random.normal((x.shape[-1], self.units)))
        self.b = tf.Variable(tf.zeros((self.units,)))
        return x @ self.w + self.b


class LocalLinear(LazyLinear):
    def __call__(self, x):
        w = tf.Variable(tf.random.normal((x.shape[-1], self.units)))
        return x @ w


class ZeroLinear(LazyLinear):
    def __call__(self, x):
        if self.w is None:
            self.w = tf.Variable(tf.zeros((x.shape[-1], self.units)))
            self.b = tf.Variable(tf.zeros((self.units,)))
        return x @ self.w + self.b


class TransposedLinear(LazyLinear):
    def __call__(self, x):
        if self.w is None:
            self.w = tf.Variable(tf.random.normal((self.units, x.shape[-1])))
            self.b = tf.Variable(tf.zeros((self.units,)))
        return x @ tf.transpose(self.w) + self.b


class BatchWidthLinear(LazyLinear):
    """Reads the width from the first axis, which is the batch."""

    def __call__(self, x):
        if self.w is None:
            self.w = tf.Variable(tf.random.normal((x.shape[0], self.units)))
            self.b = tf.Variable(tf.zeros((self.units,)))
        return x @ self.w + self.b


class SquareLinear(LazyLinear):
    """Ignores units: as many outputs as inputs."""

    def __call__(self, x):
        if self.w is None:
            self.w = tf.Variable(tf.random.normal((x.shape[-1], x.shape[-1])))
            self.b = tf.Variable(tf.zeros((x.shape[-1],)))
        return x @ self.w + self.b


class NoBiasLinear(LazyLinear):
    def __call__(self, x):
        super().__call__(x)
        return x @ self.w


class ReluLinear(LazyLinear):
    def __call__(self, x):
        return tf.nn.relu(super().__call__(x))


class FrozenLinear(LazyLinear):
    def __call__(self, x):
        if self.w is None:
            self.w = tf.Variable(tf.random.normal((x.shape[-1], self.units)), trainable=False)
            self.b = tf.Variable(tf.zeros((self.units,)))
        return x @ self.w + self.b


class SharedLinear(LazyLinear):
    shared = {}

    def __call__(self, x):
        self.params = SharedLinear.shared
        if self.params.get("width") != x.shape[-1]:
            self.params["width"] = x.shape[-1]
            self.params["w"] = tf.Variable(tf.random.normal((x.shape[-1], self.units)))
            self.params["b"] = tf.Variable(tf.zeros((self.units,)))
        return x @ self.params["w"] + self.params["b"]


class NanLinear(LazyLinear):
    def __call__(self, x):
        return super().__call__(x) * float("nan")


class Float64Linear(LazyLinear):
    def __call__(self, x):
        if self.w is None:
            self.w = tf.Variable(tf.random.normal((x.shape[-1], self.units), dtype=tf.float64))
            self.b = tf.Variable(tf.zeros((self.units,), dtype=tf.float64))
        return tf.cast(x, tf.float64) @ self.w + self.b


class PlainLinear:
    def __init__(self, units):
        self.units = units

    def __call__(self, x):
        return x


# --------------------------------------------------------------------------- 05.3 restore_model


def restore_model(model, path):
    status = tf.train.Checkpoint(model=model).read(path)
    try:
        status.assert_consumed()
    except AssertionError as error:
        raise ValueError(f"the checkpoint does not fit the model: {error}") from None
    return model


def _paths(model):
    found = model._flatten(predicate=lambda value: isinstance(value, tf.Variable), with_path=True)
    return {"/".join(str(step) for step in path): list(variable.shape) for path, variable in found}


def restore_by_names_and_shapes(model, path):
    """Compares every name and shape first, as restore_checkpoint does, then reads."""
    saved = {name: shape for name, shape in tf.train.list_variables(path) if name.startswith("model/")}
    have = {f"model/{name}/.ATTRIBUTES/VARIABLE_VALUE": shape for name, shape in _paths(model).items()}
    if saved != have:
        raise ValueError(f"the checkpoint holds {sorted(saved.items())}, the model {sorted(have.items())}")
    tf.train.Checkpoint(model=model).read(path)
    return model


def restore_catching_everything(model, path):
    """Any error of the read or of the status becomes a ValueError."""
    try:
        tf.train.Checkpoint(model=model).read(path).assert_consumed()
    except Exception as error:
        raise ValueError(str(error)) from error
    return model


def restore_by_reader(model, path):
    """Reads every saved array by name and assigns it, counting both sides."""
    reader = tf.train.load_checkpoint(path)
    saved = {name for name in reader.get_variable_to_shape_map() if name.startswith("model/")}
    wanted = {f"model/{name}/.ATTRIBUTES/VARIABLE_VALUE": name for name in _paths(model)}
    if saved != set(wanted):
        raise ValueError("the checkpoint and the model hold different variables")
    found = dict(model._flatten(predicate=lambda value: isinstance(value, tf.Variable), with_path=True))
    by_path = {"/".join(str(step) for step in key): variable for key, variable in found.items()}
    for name, short in wanted.items():
        value = reader.get_tensor(name)
        if tuple(value.shape) != tuple(by_path[short].shape):
            raise ValueError(f"{short} has another shape in the checkpoint")
        by_path[short].assign(value)
    return model


def restore_wrong_name(model, path):
    tf.train.Checkpoint(net=model).read(path)
    return model


def restore_returns_status(model, path):
    return tf.train.Checkpoint(model=model).read(path)


def restore_silently(model, path):
    tf.train.Checkpoint(model=model).read(path)
    return model


def restore_with_assertion(model, path):
    tf.train.Checkpoint(model=model).read(path).assert_consumed()
    return model


def restore_existing_matched(model, path):
    status = tf.train.Checkpoint(model=model).read(path)
    try:
        status.assert_existing_objects_matched()
    except AssertionError as error:
        raise ValueError(str(error)) from None
    return model


def restore_partial(model, path):
    tf.train.Checkpoint(model=model).restore(path).expect_partial()
    return model


def restore_counting(model, path):
    """Compares only how many variables there are."""
    saved = [name for name, _ in tf.train.list_variables(path) if name.startswith("model/")]
    if len(saved) != len(model.variables):
        raise ValueError(f"the checkpoint holds {len(saved)} variables, the model {len(model.variables)}")
    tf.train.Checkpoint(model=model).read(path)
    return model


def restore_comparing_shapes(model, path):
    """Compares the shapes, but not the names they are saved under."""
    saved = sorted(shape for name, shape in tf.train.list_variables(path) if name.startswith("model/"))
    if saved != sorted(list(v.shape) for v in model.variables):
        raise ValueError("the shapes differ")
    tf.train.Checkpoint(model=model).read(path)
    return model


def restore_with_restore(model, path):
    """restore() instead of read(): the Checkpoint's own save counter is left without a value."""
    status = tf.train.Checkpoint(model=model).restore(path)
    try:
        status.assert_consumed()
    except AssertionError as error:
        raise ValueError(str(error)) from None
    return model


# --------------------------------------------------------------------------- 05.4 sgd_step


def sgd_step(model, x, y, learning_rate):
    with tf.GradientTape() as tape:
        loss = tf.reduce_mean((model(x) - y) ** 2)
    grads = tape.gradient(loss, model.trainable_variables)
    for variable, grad in zip(model.trainable_variables, grads):
        variable.assign_sub(learning_rate * grad)
    return loss


def sgd_step_float(model, x, y, learning_rate):
    """Assigns new values and returns a Python float."""
    with tf.GradientTape() as tape:
        error = model(x) - y
        loss = tf.reduce_mean(tf.square(error))
    variables = model.trainable_variables
    for variable, gradient in zip(variables, tape.gradient(loss, variables)):
        variable.assign(variable - learning_rate * gradient)
    return float(loss)


def sgd_step_mean_by_hand(model, x, y, learning_rate):
    """The mean written as a sum over the number of entries; the tape asked outside its block."""
    with tf.GradientTape() as tape:
        predictions = model(x)
        loss = tf.reduce_sum(tf.math.squared_difference(predictions, y)) / tf.cast(tf.size(y), tf.float32)
    gradients = tape.gradient(loss, model.trainable_variables)
    for index, variable in enumerate(model.trainable_variables):
        variable.assign_add(-learning_rate * gradients[index])
    return loss.numpy()


def sgd_loss_after(model, x, y, learning_rate):
    sgd_step(model, x, y, learning_rate)
    return tf.reduce_mean((model(x) - y) ** 2)


def sgd_uphill(model, x, y, learning_rate):
    return sgd_step(model, x, y, -learning_rate)


def sgd_no_rate(model, x, y, learning_rate):
    return sgd_step(model, x, y, 1.0)


def sgd_no_update(model, x, y, learning_rate):
    return tf.reduce_mean((model(x) - y) ** 2)


def sgd_sum(model, x, y, learning_rate):
    with tf.GradientTape() as tape:
        loss = tf.reduce_sum((model(x) - y) ** 2)
    for variable, grad in zip(model.trainable_variables, tape.gradient(loss, model.trainable_variables)):
        variable.assign_sub(learning_rate * grad)
    return loss


def sgd_mean_over_batch_only(model, x, y, learning_rate):
    """Sums the squared errors of each example, then averages over the batch."""
    with tf.GradientTape() as tape:
        loss = tf.reduce_mean(tf.reduce_sum((model(x) - y) ** 2, axis=1))
    for variable, grad in zip(model.trainable_variables, tape.gradient(loss, model.trainable_variables)):
        variable.assign_sub(learning_rate * grad)
    return loss


def sgd_only_first(model, x, y, learning_rate):
    """Steps only the first trainable variable."""
    with tf.GradientTape() as tape:
        loss = tf.reduce_mean((model(x) - y) ** 2)
    first = model.trainable_variables[0]
    first.assign_sub(learning_rate * tape.gradient(loss, first))
    return loss


def sgd_all_variables(model, x, y, learning_rate):
    """Watches and steps every variable, the one that is not trainable too."""
    with tf.GradientTape() as tape:
        tape.watch(model.variables)
        loss = tf.reduce_mean((model(x) - y) ** 2)
    for variable, grad in zip(model.variables, tape.gradient(loss, model.variables)):
        variable.assign_sub(learning_rate * grad)
    return loss


def sgd_rebinds(model, x, y, learning_rate):
    """Makes new tensors from the variables but never changes the variables."""
    with tf.GradientTape() as tape:
        loss = tf.reduce_mean((model(x) - y) ** 2)
    for variable, grad in zip(model.trainable_variables, tape.gradient(loss, model.trainable_variables)):
        variable = variable - learning_rate * grad  # noqa: PLW2901
    return loss


# --------------------------------------------------------------------------- 05.5 batches


def batches(x, y, batch_size, seed):
    return tf.data.Dataset.from_tensor_slices((x, y)).shuffle(len(x), seed=seed).batch(batch_size)


def batches_cached_and_prefetched(x, y, batch_size, seed):
    """cache before the shuffle, prefetch at the end, every argument spelled out."""
    return (
        tf.data.Dataset.from_tensor_slices((x, y))
        .cache()
        .shuffle(buffer_size=x.shape[0], seed=seed, reshuffle_each_iteration=True)
        .batch(batch_size, drop_remainder=False)
        .prefetch(tf.data.AUTOTUNE)
    )


def batches_zipped(x, y, batch_size, seed):
    """Two data sets zipped into pairs, with a buffer larger than needed."""
    pairs = tf.data.Dataset.zip(
        (tf.data.Dataset.from_tensor_slices(x), tf.data.Dataset.from_tensor_slices(y))
    )
    return pairs.shuffle(10_000, seed=seed).batch(batch_size)


def batches_of_indices(x, y, batch_size, seed):
    """Shuffles the example numbers, then looks the examples up."""
    xs, ys = tf.constant(x), tf.constant(y)
    order = tf.data.Dataset.range(len(x)).shuffle(len(x), seed=seed)
    return order.map(lambda i: (tf.gather(xs, i), tf.gather(ys, i))).batch(batch_size)


def batch_then_shuffle(x, y, batch_size, seed):
    return tf.data.Dataset.from_tensor_slices((x, y)).batch(batch_size).shuffle(len(x), seed=seed)


def small_buffer(x, y, batch_size, seed):
    return tf.data.Dataset.from_tensor_slices((x, y)).shuffle(batch_size, seed=seed).batch(batch_size)


def half_buffer(x, y, batch_size, seed):
    return tf.data.Dataset.from_tensor_slices((x, y)).shuffle(len(x) // 2, seed=seed).batch(batch_size)


def buffer_of_32(x, y, batch_size, seed):
    return tf.data.Dataset.from_tensor_slices((x, y)).shuffle(32, seed=seed).batch(batch_size)


def no_shuffle(x, y, batch_size, seed):
    return tf.data.Dataset.from_tensor_slices((x, y)).batch(batch_size)


def shuffle_once(x, y, batch_size, seed):
    data = tf.data.Dataset.from_tensor_slices((x, y))
    return data.shuffle(len(x), seed=seed, reshuffle_each_iteration=False).batch(batch_size)


def numpy_shuffle(x, y, batch_size, seed):
    order = np.random.default_rng(seed).permutation(len(x))
    return tf.data.Dataset.from_tensor_slices((x[order], y[order])).batch(batch_size)


def cache_after_shuffle(x, y, batch_size, seed):
    return batches(x, y, batch_size, seed).cache()


def no_seed(x, y, batch_size, seed):
    return tf.data.Dataset.from_tensor_slices((x, y)).shuffle(len(x)).batch(batch_size)


def fixed_seed(x, y, batch_size, seed):
    """Ignores the seed argument: always the notebook's seed."""
    return tf.data.Dataset.from_tensor_slices((x, y)).shuffle(len(x), seed=42).batch(batch_size)


def drop_last(x, y, batch_size, seed):
    data = tf.data.Dataset.from_tensor_slices((x, y)).shuffle(len(x), seed=seed)
    return data.batch(batch_size, drop_remainder=True)


def shuffled_apart(x, y, batch_size, seed):
    xs = tf.data.Dataset.from_tensor_slices(x).shuffle(len(x), seed=seed)
    ys = tf.data.Dataset.from_tensor_slices(y).shuffle(len(x), seed=seed + 1)
    return tf.data.Dataset.zip((xs, ys)).batch(batch_size)


def repeated(x, y, batch_size, seed):
    return batches(x, y, batch_size, seed).repeat()


def images_only(x, y, batch_size, seed):
    return tf.data.Dataset.from_tensor_slices(x).shuffle(len(x), seed=seed).batch(batch_size)


def batches_scaling_in_place(x, y, batch_size, seed):
    x /= 2
    return batches(x, y, batch_size, seed)


# --------------------------------------------------------------------------- 05.6 make_train_step


def make_train_step(model, loss_fn, optimizer):
    @tf.function
    def train_step(x, y):
        with tf.GradientTape() as tape:
            loss = loss_fn(model(x), y)
        grads = tape.gradient(loss, model.trainable_variables)
        optimizer.apply_gradients(zip(grads, model.trainable_variables))
        return loss

    return train_step


def make_train_step_wrapped(model, loss_fn, optimizer):
    """tf.function called on a plain function, the pairs made as a list."""

    def step(inputs, targets):
        with tf.GradientTape() as tape:
            predictions = model(inputs)
            loss_value = loss_fn(predictions, targets)
        variables = model.trainable_variables
        gradients = tape.gradient(loss_value, variables)
        optimizer.apply_gradients(list(zip(gradients, variables)))
        return loss_value

    return tf.function(step, reduce_retracing=True)


def make_train_step_apply(model, loss_fn, optimizer):
    """Keras 3's optimizer.apply(gradients, variables), gradients taken outside the block."""

    @tf.function
    def train_step(x, y):
        with tf.GradientTape() as tape:
            loss = loss_fn(model(x), y)
        variables = model.trainable_variables
        optimizer.apply(tape.gradient(loss, variables), variables)
        return loss

    return train_step


def step_without_tf_function(model, loss_fn, optimizer):
    def train_step(x, y):
        with tf.GradientTape() as tape:
            loss = loss_fn(model(x), y)
        grads = tape.gradient(loss, model.trainable_variables)
        optimizer.apply_gradients(zip(grads, model.trainable_variables))
        return loss

    return train_step


def step_returns_loss_after(model, loss_fn, optimizer):
    step = make_train_step(model, loss_fn, optimizer)

    @tf.function
    def train_step(x, y):
        step(x, y)
        return loss_fn(model(x), y)

    return train_step


def step_all_variables(model, loss_fn, optimizer):
    learning_rate = float(optimizer.learning_rate)

    @tf.function
    def train_step(x, y):
        with tf.GradientTape() as tape:
            tape.watch(model.variables)
            loss = loss_fn(model(x), y)
        for variable, grad in zip(model.variables, tape.gradient(loss, model.variables)):
            variable.assign_sub(learning_rate * grad)
        return loss

    return train_step


def step_uphill(model, loss_fn, optimizer):
    @tf.function
    def train_step(x, y):
        with tf.GradientTape() as tape:
            loss = loss_fn(model(x), y)
        grads = tape.gradient(loss, model.trainable_variables)
        optimizer.apply_gradients(zip([-g for g in grads], model.trainable_variables))
        return loss

    return train_step


def step_only_first(model, loss_fn, optimizer):
    @tf.function
    def train_step(x, y):
        with tf.GradientTape() as tape:
            loss = loss_fn(model(x), y)
        first = model.trainable_variables[:1]
        optimizer.apply_gradients(zip(tape.gradient(loss, first), first))
        return loss

    return train_step


def step_own_optimizer(model, loss_fn, optimizer):
    import keras

    return make_train_step(model, loss_fn, keras.optimizers.SGD(learning_rate=0.5))


def step_targets_first(model, loss_fn, optimizer):
    """Calls the loss as Keras losses are called, targets first."""

    @tf.function
    def train_step(x, y):
        with tf.GradientTape() as tape:
            loss = loss_fn(y, model(x))
        grads = tape.gradient(loss, model.trainable_variables)
        optimizer.apply_gradients(zip(grads, model.trainable_variables))
        return loss

    return train_step


def step_returns_nothing(model, loss_fn, optimizer):
    @tf.function
    def train_step(x, y):
        with tf.GradientTape() as tape:
            loss = loss_fn(model(x), y)
        grads = tape.gradient(loss, model.trainable_variables)
        optimizer.apply_gradients(zip(grads, model.trainable_variables))

    return train_step


TABLES = {
    "05.1": Table(
        mistakes=(
            Mistake(
                "not callable: a method of another name", NotCallableLine, "cannot be called like a function"
            ),
            Mistake("slope and intercept swapped", SwappedLine, "swapped the slope and the intercept"),
            Mistake("intercept forgotten", NoInterceptLine, "forgot the intercept"),
            Mistake("intercept subtracted", MinusInterceptLine, "subtracted the intercept"),
            Mistake(
                "brackets around x + intercept", SlopeTimesBothLine, "multiplied the intercept by the slope"
            ),
            Mistake("numbers kept on the class", SharedLine, "the numbers must belong to each object"),
            Mistake("a list for an array", ListLine, "should be a NumPy array"),
            Mistake("a flat array for any array", FlatLine, "should have shape"),
            Mistake("mutates its input", InPlaceLine, mutations.IN_PLACE),
            Mistake("a function, not a class", lambda slope, intercept: None, "expected a class Line"),
        ),
        correct=(
            Correct("attributes and __call__", Line),
            Correct("a dataclass", DataclassLine),
            Correct("NumPy's polyval", PolyvalLine),
            Correct("slots, np.multiply and np.add", SlotsLine),
        ),
        not_attempted=(..., StubLine, HalfStubLine),
    ),
    "05.2": Table(
        mistakes=(
            Mistake("bias made in __init__", EagerBiasLinear, "before its first call"),
            Mistake(
                "weights made again at every call", RebuildingLinear, "replaced its weights with new ones"
            ),
            Mistake("weights kept in a local variable", LocalLinear, "lists no variables"),
            Mistake("weights start at zero", ZeroLinear, "starts at the same value"),
            Mistake("weight matrix transposed", TransposedLinear, "it is transposed"),
            Mistake("width read from the batch axis", BatchWidthLinear, "Matrix size-incompatible"),
            Mistake("ignores units", SquareLinear, "for inputs with"),
            Mistake("bias forgotten", NoBiasLinear, "forgot the bias"),
            Mistake("ReLU added", ReluLinear, "applied a ReLU"),
            Mistake("weights not trainable", FrozenLinear, "is not trainable"),
            Mistake("weights kept on the class", SharedLinear, "not on the class"),
            Mistake("NaN output", NanLinear, "NaN"),
            Mistake("computes in float64", Float64Linear, "has dtype float64"),
            Mistake("not a tf.Module", PlainLinear, "not a tf.Module"),
            Mistake("a function, not a class", lambda units: None, "expected a class LazyLinear"),
        ),
        correct=(
            Correct("checks for None, x @ w", LazyLinear),
            Correct("a build method, uniform weights, tf.matmul", LazyLinearBuildMethod),
            Correct("variables in a list", LazyLinearInAList),
            Correct("einsum inside a name scope", LazyLinearEinsum),
        ),
        not_attempted=(..., StubLinear),
    ),
    "05.3": Table(
        mistakes=(
            Mistake(
                "saved under another name", restore_wrong_name, "none of the checkpoint's values reached"
            ),
            Mistake("returns the status", restore_returns_status, "should return the model it was given"),
            Mistake("reads nothing", lambda model, path: model, "none of the checkpoint's values reached"),
            Mistake("never asks the status", restore_silently, "returned without an error"),
            Mistake(
                "AssertionError not turned into ValueError", restore_with_assertion, "expected a ValueError"
            ),
            Mistake("asks only about the model's side", restore_existing_matched, "one layer fewer"),
            Mistake("expect_partial silences it", restore_partial, "returned without an error"),
            Mistake("counts the variables only", restore_counting, "under other names"),
            Mistake("compares the shapes only", restore_comparing_shapes, "under other names"),
            Mistake("restore instead of read", restore_with_restore, "raised ValueError"),
            Mistake("crashes", lambda model, path: 1 / 0, "ZeroDivisionError"),
        ),
        correct=(
            Correct("read, assert_consumed, ValueError", restore_model),
            Correct("names and shapes compared first", restore_by_names_and_shapes),
            Correct("every error turned into a ValueError", restore_catching_everything),
            Correct("a checkpoint reader, assigned by hand", restore_by_reader),
        ),
        not_attempted=(..., stub),
    ),
    "05.4": Table(
        mistakes=(
            Mistake("loss measured after the step", sgd_loss_after, "returned the loss after the step"),
            Mistake("steps uphill", sgd_uphill, "moved the variable up the gradient"),
            Mistake("learning rate ignored", sgd_no_rate, "forgot the learning rate"),
            Mistake("no update", sgd_no_update, "did not change"),
            Mistake("sum instead of mean", sgd_sum, "sum of the squared errors"),
            Mistake("mean over the batch only", sgd_mean_over_batch_only, "averaged over the examples only"),
            Mistake("only the first variable steps", sgd_only_first, "did not change"),
            Mistake("steps every variable", sgd_all_variables, "not trainable"),
            Mistake("rebinds a name, variables unchanged", sgd_rebinds, "did not change"),
            Mistake("returns a string", lambda model, x, y, lr: "loss", "should be a number"),
        ),
        correct=(
            Correct("assign_sub, a tensor", sgd_step),
            Correct("assign, a float", sgd_step_float),
            Correct("the mean by hand, a NumPy number", sgd_step_mean_by_hand),
        ),
        not_attempted=(..., stub),
    ),
    "05.5": Table(
        mistakes=(
            Mistake("batches shuffled, not examples", batch_then_shuffle, "shuffles whole batches"),
            Mistake("buffer of one batch", small_buffer, "shuffle buffer is too small"),
            Mistake("buffer of half the data", half_buffer, "shuffle buffer is too small"),
            Mistake("buffer of 32", buffer_of_32, "shuffle buffer is too small"),
            Mistake("no shuffle", no_shuffle, "in their original order"),
            Mistake("shuffled once", shuffle_once, "the same order in every pass"),
            Mistake("shuffled in NumPy", numpy_shuffle, "the same order in every pass"),
            Mistake("cache after the shuffle", cache_after_shuffle, "the same order in every pass"),
            Mistake("no seed", no_seed, "the shuffle should use the seed"),
            Mistake("ignores the seed argument", fixed_seed, "the same order for another seed"),
            Mistake("last batch dropped", drop_last, "the last, smaller batch was dropped"),
            Mistake("x and y shuffled apart", shuffled_apart, "x and y were shuffled apart"),
            Mistake("repeats forever", repeated, "more than the"),
            Mistake("labels left out", images_only, "should be a pair (x_batch, y_batch)"),
            Mistake("mutates its input", batches_scaling_in_place, mutations.IN_PLACE),
            Mistake("a list", lambda x, y, batch_size, seed: [x, y], "not a tf.data.Dataset"),
        ),
        correct=(
            Correct("from_tensor_slices, shuffle, batch", batches),
            Correct("cache first, prefetch last", batches_cached_and_prefetched),
            Correct("zipped, a large buffer", batches_zipped),
            Correct("shuffled indices, gathered", batches_of_indices),
        ),
        not_attempted=(..., stub),
    ),
    "05.6": Table(
        mistakes=(
            Mistake("no tf.function", step_without_tf_function, "not a tf.function"),
            Mistake(
                "loss measured after the step", step_returns_loss_after, "returned the loss after each step"
            ),
            Mistake("steps every variable", step_all_variables, "changed the model's scale"),
            Mistake("steps uphill", step_uphill, "it should fall"),
            Mistake(
                "only the first variable steps",
                step_only_first,
                "every trainable variable should take a step",
            ),
            Mistake("its own optimizer", step_own_optimizer, "times as far as the optimizer"),
            Mistake("targets and predictions swapped", step_targets_first, "targets first"),
            Mistake("returns nothing", step_returns_nothing, "should be a number"),
        ),
        correct=(
            Correct("decorated, zip", make_train_step),
            Correct("tf.function(step), a list of pairs", make_train_step_wrapped),
            Correct("optimizer.apply", make_train_step_apply),
        ),
        not_attempted=(..., stub),
    ),
}
