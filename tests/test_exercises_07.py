"""The exercises of 07_cnn_flowers (its quizzes: tests/test_quizzes.py): right answers pass, mistakes get a diagnosis, cheats fail."""

from pathlib import Path
from unittest import mock

import numpy as np
import pytest

import course.exercises.checks.nb07_cnn_flowers  # noqa: F401  (registers 07's exercises without the other notebooks)
from course import convolution, flower_models
from course.exercises import FAILED, PASSED, evaluate, hints, judge, probe
from course.exercises.judging import judge_of
from course.exercises.plain import normalize
from course.exercises.registry import draw_cases, lookup

from .helpers import assert_hints_climb_without_code, assert_not_attempted_quietly, lookup_table, stub

pytestmark = pytest.mark.filterwarnings("ignore::DeprecationWarning")

SEEDS = (0, 1, 2, 3, 2024)
ROOT = Path(__file__).resolve().parents[1]
ALIAS = "MaxPool2D"  # a name the source scan cannot see: only the disabled class catches it


@pytest.fixture(scope="module")
def keras():
    from course.runtime.quiet import import_tensorflow

    import_tensorflow()
    import keras

    return keras


@pytest.fixture(scope="module")
def tf(keras):
    import tensorflow

    return tensorflow


# --- the right answers, written out -------------------------------------------------------------


def conv2d_single(image, kernel):
    kh, kw = kernel.shape
    rows, cols = image.shape[0] - kh + 1, image.shape[1] - kw + 1
    out = np.zeros((rows, cols))
    for i in range(rows):
        for j in range(cols):
            out[i, j] = np.sum(image[i : i + kh, j : j + kw] * kernel)
    return out


def conv_output_size(L, f, s):
    return (L - f) // s + 1


def max_pool(image, size):
    rows, cols = image.shape[0] // size, image.shape[1] // size
    out = np.zeros((rows, cols))
    for i in range(rows):
        for j in range(cols):
            out[i, j] = image[i * size : (i + 1) * size, j * size : (j + 1) * size].max()
    return out


def max_pool_reshaped(image, size):  # vectorised, still written by hand
    rows, cols = image.shape[0] // size, image.shape[1] // size
    return image[: rows * size, : cols * size].reshape(rows, size, cols, size).max(axis=(1, 3))


def receptive_field(layers):
    field, jump = 1, 1
    for kernel, stride in layers:
        field += (kernel - 1) * jump
        jump *= stride
    return field


def conv_matrix(image_shape, kernel):
    rows, cols = image_shape
    kh, kw = kernel.shape
    out_rows, out_cols = rows - kh + 1, cols - kw + 1
    matrix = np.zeros((out_rows * out_cols, rows * cols))
    for i in range(out_rows):
        for j in range(out_cols):
            for a in range(kh):
                for b in range(kw):
                    matrix[i * out_cols + j, (i + a) * cols + (j + b)] = kernel[a, b]
    return matrix


def learn_kernel(images, edge_maps, steps=40, learning_rate=0.4, flip=False):
    import tensorflow as tf

    x, y = tf.constant(images[..., None]), tf.constant(edge_maps[..., None])
    kernel = tf.Variable(tf.zeros((3, 3, 1, 1)))
    for _ in range(steps):
        with tf.GradientTape() as tape:
            used = kernel[::-1, ::-1] if flip else kernel
            loss = tf.reduce_mean((tf.nn.conv2d(x, used, 1, "VALID") - y) ** 2)
        kernel.assign_sub(learning_rate * tape.gradient(loss, kernel))
    return kernel.numpy()[:, :, 0, 0]


def learn_kernel_with_adam(images, edge_maps):
    import keras
    import tensorflow as tf

    x, y = tf.constant(images[..., None]), tf.constant(edge_maps[..., None])
    kernel = tf.Variable(tf.zeros((3, 3, 1, 1)))
    optimizer = keras.optimizers.Adam(0.1)

    @tf.function
    def step():
        with tf.GradientTape() as tape:
            loss = tf.reduce_mean((tf.nn.conv2d(x, kernel, 1, "VALID") - y) ** 2)
        optimizer.apply_gradients([(tape.gradient(loss, kernel), kernel)])

    for _ in range(200):
        step()
    return kernel.numpy()[:, :, 0, 0]


def lenet5(
    first_padding="same", second_padding="valid", kernels=6, first_size=5, bias=True, head=None, extra=()
):
    import keras

    layers = keras.layers
    return keras.Sequential(
        [
            keras.Input((28, 28, 1)),
            layers.Conv2D(kernels, first_size, padding=first_padding, activation="relu", use_bias=bias),
            *extra,
            layers.MaxPooling2D(),
            layers.Conv2D(16, 5, padding=second_padding, activation="relu"),
            layers.MaxPooling2D(),
            *(head or [layers.Flatten(), layers.Dense(120, activation="relu")]),
            layers.Dense(84, activation="relu"),
            layers.Dense(10),
        ]
    )


def lenet5_classic():  # functional API, tanh and average pooling as in 1998, no keras.Input in a Sequential
    import keras

    layers = keras.layers
    inputs = keras.Input((28, 28, 1))
    x = layers.Conv2D(6, 5, padding="same", activation="tanh")(inputs)
    x = layers.AveragePooling2D(2)(x)
    x = layers.Conv2D(16, 5, activation="tanh")(x)
    x = layers.AveragePooling2D(2)(x)
    x = layers.Flatten()(x)
    x = keras.Sequential([layers.Dense(120, activation="tanh"), layers.Dense(84, activation="tanh")])(x)
    return keras.Model(inputs, layers.Dense(10)(x))


def lenet5_without_input():
    import keras

    layers = keras.layers
    return keras.Sequential(
        [
            layers.Rescaling(1.0),
            layers.Conv2D(6, 5, padding="same"),
            layers.ReLU(),
            layers.MaxPooling2D(),
            layers.Conv2D(16, 5, activation="relu"),
            layers.MaxPooling2D(),
            layers.Flatten(),
            layers.Dropout(0.1),
            layers.Dense(120, activation="relu"),
            layers.Dense(84, activation="relu"),
            layers.Dense(10),
        ]
    )


def residual_block(x, filters, stride=1, shortcut="projection", second=True, merge="add"):
    import keras

    layers = keras.layers
    y = layers.Conv2D(filters, 3, strides=stride, padding="same", activation="relu")(x)
    if second:
        y = layers.Conv2D(filters, 3, padding="same")(y)
    if shortcut == "projection" and (stride != 1 or x.shape[-1] != filters):
        x = layers.Conv2D(filters, 1, strides=stride)(x)
    elif shortcut == "none":
        x = layers.Conv2D(filters, 1)(y)
    merged = layers.Add()([x, y]) if merge == "add" else layers.Concatenate()([x, y])
    return layers.ReLU()(merged)


def residual_block_with_batchnorm(x, filters, stride=1):
    import keras

    layers = keras.layers
    shortcut = x
    if stride != 1 or x.shape[-1] != filters:
        shortcut = layers.Conv2D(filters, 1, strides=stride, use_bias=False)(x)
    y = layers.Conv2D(filters, 3, strides=stride, padding="same", use_bias=False)(x)
    y = layers.ReLU()(layers.BatchNormalization()(y))
    y = layers.BatchNormalization()(layers.Conv2D(filters, 3, padding="same", use_bias=False)(y))
    return layers.Activation("relu")(layers.Add()([y, shortcut]))


RIGHT = {
    "07.1": conv2d_single,
    "07.2": conv_matrix,
    "07.3": learn_kernel,
    "07.4": conv_output_size,
    "07.5": max_pool,
    "07.6": receptive_field,
    "07.7": lenet5,
    "07.9": residual_block,
}
WITH_INPUTS = ("07.1", "07.2", "07.3", "07.4", "07.5", "07.6")  # a lookup table of outputs can be tried

# What the solutions contain: no message or hint may show it.
SOLUTION_CODE = {
    "07.1": ("np.sum(image[", "image[i : i + kh", "i + kh", "* kernel)", "- kh + 1"),
    "07.4": ("(L - f) // s", "// s + 1", "(L - f) / s"),
    "07.5": ("i * size", "(i + 1) * size", ".max()", "// size"),
    "07.6": ("(kernel - 1) * jump", "jump *= stride", "field +="),
    "07.2": ("(i + a) * cols", "i * out_cols + j", "rows - kh + 1"),
    "07.3": ("GradientTape()", "tape.gradient(loss", "reduce_mean(", "apply_gradients"),
    "07.7": ("Conv2D(6", "Conv2D(16", "Dense(120", "Dense(84", "MaxPooling2D("),
    "07.8": ("compile(", ".fit(", "SparseCategoricalCrossentropy"),
    "07.9": ("layers.Add()", "Conv2D(filters, 1", "strides=stride"),
}


def unreadable(source, **names):
    """A function defined from a string: its source cannot be read, so only the shortcuts can catch it."""
    namespace = dict(names)
    exec(source, namespace)  # noqa: S102 - a test double
    return namespace["answer"]


# --- (a) right answers pass on every seed ------------------------------------------------------


@pytest.mark.parametrize("seed", SEEDS)
@pytest.mark.parametrize("exercise_id", sorted(RIGHT))
def test_right_answers_pass(keras, exercise_id, seed):  # TensorFlow imported first, not in the time limit
    feedback = evaluate(exercise_id, RIGHT[exercise_id], seed=seed)
    assert feedback.status == PASSED, feedback


@pytest.mark.parametrize("seed", SEEDS[:3])
def test_other_right_answers_pass(seed):
    assert evaluate("07.5", max_pool_reshaped, seed=seed).status == PASSED
    assert evaluate("07.6", lambda layers: receptive_field(list(layers)), seed=seed).status == PASSED
    assert evaluate("07.4", lambda L, f, s: int((L - f) / s) + 1, seed=seed).status == PASSED
    assert (
        evaluate("07.2", lambda shape, kernel: conv_matrix(list(shape), kernel), seed=seed).status == PASSED
    )


@pytest.mark.parametrize(
    "exercise_id, answer",
    [
        ("07.3", learn_kernel_with_adam),
        ("07.7", lenet5_classic),
        ("07.7", lenet5_without_input),
        ("07.9", residual_block_with_batchnorm),
    ],
    ids=["adam-in-a-tf.function", "functional-tanh-average-pooling", "sequential-without-input", "batchnorm"],
)
def test_other_model_answers_pass(keras, exercise_id, answer):
    feedback = evaluate(exercise_id, answer, seed=5)
    assert feedback.status == PASSED, feedback


# --- (b) stubs are "not attempted", and the message gives nothing away --------------------------


@pytest.mark.parametrize("exercise_id", sorted(SOLUTION_CODE))
def test_stubs_are_not_attempted_and_give_nothing_away(exercise_id):
    answers = [...] if exercise_id == "07.8" else [..., stub]
    for answer in answers:
        assert_not_attempted_quietly(exercise_id, answer, SOLUTION_CODE[exercise_id])


@pytest.mark.parametrize("exercise_id", sorted(SOLUTION_CODE))
def test_hints_give_no_solution_code(exercise_id):
    assert_hints_climb_without_code(exercise_id, SOLUTION_CODE[exercise_id])


# --- (c) plausible mistakes, each with its diagnosis --------------------------------------------


def flipped(image, kernel):
    return conv2d_single(image, kernel[::-1, ::-1])


def one_short(image, kernel):
    kh, kw = kernel.shape
    out = np.zeros((image.shape[0] - kh, image.shape[1] - kw))
    for i in range(out.shape[0]):
        for j in range(out.shape[1]):
            out[i, j] = np.sum(image[i : i + kh, j : j + kw] * kernel)
    return out


def padded(image, kernel):
    kh, kw = kernel.shape
    big = np.pad(image, ((0, kh - 1), (0, kw - 1)))
    return conv2d_single(big, kernel)


def averaged(image, kernel):
    return conv2d_single(image, kernel) / kernel.size


def integer_output(image, kernel):
    return conv2d_single(image, kernel).astype(int)


def as_list(image, kernel):
    return conv2d_single(image, kernel).tolist()


def with_nan(image, kernel):
    out = conv2d_single(image, kernel)
    out[0, 0] = np.nan
    return out


def one_wrong_entry(image, kernel):
    out = conv2d_single(image, kernel)
    out[-1, -1] += 1
    return out


def pool_mean(image, size):
    rows, cols = image.shape[0] // size, image.shape[1] // size
    return image[: rows * size, : cols * size].reshape(rows, size, cols, size).mean(axis=(1, 3))


def pool_min(image, size):
    rows, cols = image.shape[0] // size, image.shape[1] // size
    return image[: rows * size, : cols * size].reshape(rows, size, cols, size).min(axis=(1, 3))


def pool_subsample(image, size):
    rows, cols = image.shape[0] // size, image.shape[1] // size
    return image[::size, ::size][:rows, :cols].copy()


def pool_with_edges(image, size):
    rows, cols = -(-image.shape[0] // size), -(-image.shape[1] // size)
    out = np.zeros((rows, cols))
    for i in range(rows):
        for j in range(cols):
            out[i, j] = image[i * size : (i + 1) * size, j * size : (j + 1) * size].max()
    return out


def pool_overlapping(image, size):
    rows, cols = image.shape[0] - size + 1, image.shape[1] - size + 1
    out = np.zeros((rows, cols))
    for i in range(rows):
        for j in range(cols):
            out[i, j] = image[i : i + size, j : j + size].max()
    return out


def pool_transposed(image, size):
    return max_pool(image, size).T


def field_without_strides(layers):
    return 1 + sum(kernel - 1 for kernel, _ in layers)


def field_own_stride(layers):
    field, jump = 1, 1
    for kernel, stride in layers:
        jump *= stride
        field += (kernel - 1) * jump
    return field


def field_one_short(layers):
    return receptive_field(layers) - 1


def field_sum_of_kernels(layers):
    return sum(kernel for kernel, _ in layers)


def field_float(layers):
    return float(receptive_field(layers))


def field_pops(layers):
    field, jump = 1, 1
    while layers:
        kernel, stride = layers.pop(0)
        field += (kernel - 1) * jump
        jump *= stride
    return field


def column_major_matrix(shape, kernel):
    """Pixels numbered column by column (Fortran order) instead of row by row."""
    rows, cols = shape
    rowwise = conv_matrix(shape, kernel)
    out_rows, out_cols = rows - kernel.shape[0] + 1, cols - kernel.shape[1] + 1
    out_order = np.arange(out_rows * out_cols).reshape(out_rows, out_cols).ravel(order="F")
    in_order = np.arange(rows * cols).reshape(rows, cols).ravel(order="F")
    return rowwise[out_order][:, in_order]


def dense(units):
    import keras

    return keras.layers.Dense(units, activation="relu")


def batch_norm():
    import keras

    return keras.layers.BatchNormalization()


def lenet5_with_softmax():
    import keras

    return keras.Sequential([lenet5(), keras.layers.Softmax()])


def lenet5_without_its_output_layer():
    import keras

    return keras.Sequential(lenet5().layers[:-1])


def without_a_shortcut(x, filters, stride=1):
    import keras

    y = keras.layers.Conv2D(filters, 3, strides=stride, padding="same", activation="relu")(x)
    return keras.layers.Conv2D(filters, 3, padding="same")(y)


def keras_model_of(x):
    import keras

    return keras.Model(x, keras.layers.Conv2D(2, 3)(x))


def _shared_lenet():
    """One LeNet-5, built at the first call and handed out again at every later one."""
    global _SHARED
    if _SHARED is None:
        _SHARED = lenet5()
    return _SHARED


_SHARED = None


MISTAKES = [
    ("07.1", flipped, "flipped the kernel"),
    ("07.1", one_short, "one row and one column short"),
    ("07.1", padded, "the image's shape"),
    ("07.1", averaged, "averaged each window"),
    ("07.1", integer_output, "rounded to whole numbers"),
    ("07.1", as_list, "should be a NumPy array"),
    ("07.1", with_nan, "NaN"),
    ("07.1", one_wrong_entry, "off in 1 of"),
    ("07.1", lambda image, kernel: conv2d_single(image, kernel).T, "transposed"),
    ("07.1", lambda image: image, "TypeError"),
    ("07.4", lambda L, f, s: (L - f) / s + 1, "returned the float"),
    ("07.4", lambda L, f, s: float((L - f) // s + 1), "returned the float"),
    ("07.4", lambda L, f, s: np.float64((L - f) // s + 1), "returned the float"),
    ("07.4", lambda L, f, s: L - f + 1, "the stride is ignored"),
    ("07.4", lambda L, f, s: (L - f) // s, "one short"),
    ("07.4", lambda L, f, s: -(-(L - f) // s) + 1, "round down, not up"),
    # where rounding L / s up gives the same number as rounding (L - f) / s up, either diagnosis fits
    ("07.4", lambda L, f, s: -(-L // s), ("'same' padding", "round down, not up")),
    ("07.4", lambda L, f, s: str((L - f) // s + 1), "should be a whole number"),
    ("07.4", lambda L, f, s: (L - f) // s + 1 > 0, "should be a whole number"),
    ("07.4", lambda L, f, s: L // s, "not right"),
    ("07.5", pool_mean, "average pooling"),
    ("07.5", pool_min, "minimum"),
    ("07.5", pool_subsample, "one pixel of each block"),
    ("07.5", pool_with_edges, "stick out"),
    ("07.5", pool_overlapping, "the blocks overlap"),
    ("07.5", pool_transposed, "transposed"),
    ("07.5", lambda image, size: max_pool(image, size).astype(np.int64), "rounded to whole numbers"),
    ("07.6", field_without_strides, "the strides are ignored"),
    ("07.6", field_own_stride, "own stride is applied to its kernel"),
    ("07.6", field_one_short, "one short"),
    ("07.6", field_sum_of_kernels, "counts the shared pixels twice"),
    ("07.6", field_float, "should be a whole number"),
    ("07.6", field_pops, "changed the list of layers"),
    ("07.6", lambda layers: 0 if not layers else receptive_field(layers), "with no layers at all"),
    ("07.2", lambda shape, kernel: conv_matrix(shape, kernel).T, "one row per output pixel"),
    ("07.2", lambda shape, kernel: conv_matrix(shape, kernel[::-1, ::-1]), "flipped the kernel"),
    ("07.2", column_major_matrix, "column by column"),
    ("07.2", lambda shape, kernel: conv_matrix(shape, kernel)[None], "should be a 2-D matrix"),
    ("07.2", lambda shape, kernel: conv_matrix(shape, kernel).astype(int), "rounded to whole numbers"),
    ("07.2", lambda shape, kernel: conv_matrix(shape, kernel) * (conv_matrix(shape, kernel) > 0), "off in"),
]

SLOW_MISTAKES = [  # each on one seed: they build models or train
    ("07.3", lambda images, edges: np.zeros((3, 3)), "still close to zero"),
    ("07.3", lambda images, edges: learn_kernel(images, edges, flip=True), "flipped the kernel"),
    ("07.3", lambda images, edges: learn_kernel(images, edges).T, "transposed the kernel"),
    ("07.3", lambda images, edges: learn_kernel(images, edges, steps=3, learning_rate=0.05), "train longer"),
    ("07.3", lambda images, edges: convolution.KERNELS["vertical edges (Sobel)"], "should be a NumPy array"),
    (
        "07.3",
        lambda images, edges: np.array(convolution.KERNELS["vertical edges (Sobel)"], float),
        "off in",
    ),
    ("07.3", lambda images, edges: learn_kernel(images, edges)[:, :, None, None], "should be the 3×3 kernel"),
    ("07.7", lambda: lenet5(first_padding="valid"), "28 - 5 + 1 = 24"),
    ("07.7", lambda: lenet5(second_padding="same"), "it pads its input"),
    ("07.7", lambda: lenet5(kernels=8), "it has 8 channels or units where LeNet-5 has 6"),
    ("07.7", lambda: lenet5(first_size=3), "its kernels are 3×3"),
    ("07.7", lambda: lenet5(bias=False), "it has no bias"),
    ("07.7", lambda: lenet5(head=[dense(120)]), "a Dense layer works on the last axis only"),
    ("07.7", lambda: lenet5(extra=[batch_norm()]), "BatchNormalization layer"),
    ("07.7", lenet5_with_softmax, "probabilities"),
    ("07.7", lenet5_without_its_output_layer, "the output layer (10 units) is missing"),
    ("07.7", _shared_lenet, "the same model"),
    ("07.7", lambda: lenet5().layers, "should return a keras.Model"),
    (
        "07.9",
        lambda x, filters, stride=1: residual_block(x, filters, stride, merge="concatenate"),
        "expected",
    ),
    (
        "07.9",
        lambda x, filters, stride=1: residual_block(x, filters, stride, shortcut="none"),
        "no Add receives x",
    ),
    ("07.9", lambda x, filters, stride=1: residual_block(x, filters, stride, second=False), "two 3×3"),
    ("07.9", lambda x, filters, stride=1: residual_block(x, filters, 1), "expected"),
    (
        "07.9",
        lambda x, filters, stride=1: residual_block(x, filters, stride, shortcut="identity"),
        "ValueError",
    ),
    ("07.9", without_a_shortcut, "no Add layer"),
    ("07.9", lambda x, filters, stride=1: keras_model_of(x), "should return the block's output"),
]


@pytest.mark.parametrize(
    "exercise_id, answer, says", MISTAKES, ids=[f"{m[0]}-{i}" for i, m in enumerate(MISTAKES)]
)
def test_mistakes_get_a_diagnosis(exercise_id, answer, says):
    for seed in SEEDS[:3]:
        feedback = evaluate(exercise_id, answer, seed=seed)
        assert feedback.status == FAILED, feedback
        assert any(text in feedback.message for text in ((says,) if isinstance(says, str) else says)), (
            feedback
        )
        assert feedback.hint in hints(exercise_id)


@pytest.mark.parametrize(
    "exercise_id, answer, says", SLOW_MISTAKES, ids=[f"{m[0]}-{i}" for i, m in enumerate(SLOW_MISTAKES)]
)
def test_slow_mistakes_get_a_diagnosis(keras, exercise_id, answer, says):
    feedback = evaluate(exercise_id, answer, seed=3)
    assert feedback.status == FAILED, feedback
    assert says in feedback.message, feedback
    assert feedback.hint in hints(exercise_id)


# --- 07.8: a trained LeNet-5, measured on the offline digits (the tests never download) -----------


@pytest.fixture(scope="module")
def digits(keras):
    import course.data
    from course.data import mnist

    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(course.data, "load_mnist", mnist.digits_as_mnist)
        yield mnist.digits_as_mnist()


def trained_lenet(keras, digits, epochs=5, pictures=None, scale=255.0):
    (images, labels), _ = digits
    keras.utils.set_random_seed(0)
    model = lenet5()
    model.compile("adam", keras.losses.SparseCategoricalCrossentropy(from_logits=True))
    if epochs:
        x = images[:pictures, :, :, None].astype("float32") / scale
        model.fit(x, labels[:pictures], epochs=epochs, batch_size=64, verbose=0)
    return model


def test_a_trained_lenet_passes(keras, digits):
    feedback = evaluate("07.8", trained_lenet(keras, digits), seed=0)
    assert feedback.status == PASSED, feedback
    assert (
        "of the offline digits, each moved by up to a pixel and lightly noised (the bar is 65%)"
        in feedback.message
    )


@pytest.mark.parametrize(
    "train, says",
    [
        (lambda keras, digits: trained_lenet(keras, digits, epochs=0), "about what guessing gives"),
        (lambda keras, digits: trained_lenet(keras, digits, epochs=2, pictures=300), "the bar here is 65%"),
        (lambda keras, digits: lenet5, "should be a trained keras.Model, got a function"),
        (lambda keras, digits: mock.ANY, "should be a trained keras.Model"),
    ],
    ids=["untrained", "barely-trained", "the-function", "mock.ANY"],
)
def test_a_lenet_below_the_bar_gets_a_diagnosis(keras, digits, train, says):
    feedback = evaluate("07.8", train(keras, digits), seed=0)
    assert feedback.status == FAILED, feedback
    assert says in feedback.message, feedback


LABELS = np.arange(1000) % 10
LENET5_SIZE = [{"type": "Dense", "config": {}, "weights": [[61_706]]}]  # a model of LeNet-5's size


def scores(accuracy, labels=LABELS):
    """Class scores that get ``accuracy`` of ``labels`` right, as the probe observes them."""
    right = np.arange(len(labels)) < round(accuracy * len(labels))
    value = np.eye(10, dtype=np.float32)[np.where(right, labels, (labels + 1) % 10)]
    return {"type": "numpy.ndarray", "dtype": "float32", "shape": list(value.shape), "value": value}


def trained_seen(accuracy, accuracy_0_255=0.1, layers=LENET5_SIZE):
    return {
        "model": {"type": "keras.src.models.sequential.Sequential"},
        "layers": layers,
        "scores": scores(accuracy),
        "scores_0_255": scores(accuracy_0_255),
    }


@pytest.mark.parametrize(
    "real, fast, accuracy, passes",
    [
        (True, False, 0.959, False),
        (True, False, 0.961, True),
        (True, True, 0.86, True),
        (True, True, 0.84, False),
        (False, False, 0.79, False),
        (False, False, 0.81, True),
        (False, True, 0.66, True),
        (False, True, 0.64, False),
    ],
)
def test_the_bar_depends_on_the_data_and_the_mode(real, fast, accuracy, passes):
    case = {
        "images": np.zeros((len(LABELS), 28, 28), np.uint8),
        "_labels": LABELS,
        "_real": real,
        "_fast": fast,
    }
    judge = judge_of("07.8")
    # The mode comes from the case (the grader's): what the kernel says of its own counts for nothing.
    for seen in (trained_seen(accuracy), {**trained_seen(accuracy), "fast": not fast}):
        if passes:
            assert judge(case, seen).startswith("lenet reaches")
        else:
            with pytest.raises(course.exercises.judging.Wrong, match="the bar here is"):
                judge(case, seen)


def test_a_model_trained_on_pixels_from_0_to_255_is_named():
    case = {
        "images": np.zeros((len(LABELS), 28, 28), np.uint8),
        "_labels": LABELS,
        "_real": True,
        "_fast": False,
    }
    with pytest.raises(course.exercises.judging.Wrong, match="does well on pixels from 0 to 255"):
        judge_of("07.8")(case, trained_seen(0.31, accuracy_0_255=0.985))


def test_a_model_that_is_not_lenet5_is_named():
    case = {
        "images": np.zeros((len(LABELS), 28, 28), np.uint8),
        "_labels": LABELS,
        "_real": True,
        "_fast": False,
    }
    bigger = [{"type": "Dense", "config": {}, "weights": [[784, 1000], [1000]]}]
    with pytest.raises(course.exercises.judging.Wrong, match="the LeNet-5 that your lenet5"):
        judge_of("07.8")(case, trained_seen(0.99, layers=bigger))


def test_the_pictures_are_moved_and_noised_and_their_labels_stay_with_the_judge(digits):
    from course.exercises.probing import visible

    (_, _), (images, labels) = digits
    ex = lookup("07.8")
    first, second = (draw_cases(ex, seed)[0] for seed in (0, 1))
    assert visible(first).keys() == {"images"} and first["images"].dtype == np.uint8
    assert not np.array_equal(first["images"], second["images"])
    test_set = {picture.tobytes() for picture in images}
    assert not any(picture.tobytes() in test_set for picture in first["images"])
    assert sorted(first["_labels"].tolist()) == sorted(labels.tolist())  # the offline digits: all 359


def looking_up(keras, digits):
    """A cheat: a LeNet-5 whose predict() finds each picture in the test set and answers with its label."""
    (_, _), (images, labels) = digits
    answers = {(picture / 255).astype(np.float32).tobytes(): label for picture, label in zip(images, labels)}

    class LookUp(keras.Sequential):
        def predict(self, x, *args, **kwargs):
            found = [answers.get(np.asarray(p, np.float32)[..., 0].tobytes(), 0) for p in x]
            return np.eye(10, dtype=np.float32)[found]

    model = LookUp(lenet5().layers)
    assert np.array_equal(model.predict(images[:50, :, :, None] / 255).argmax(axis=1), labels[:50])
    return model


def test_a_model_that_looks_its_answers_up_fails(keras, digits):
    for seed in SEEDS:
        feedback = evaluate("07.8", looking_up(keras, digits), seed=seed)
        assert feedback.status == FAILED, feedback


# --- (d) cheats ---------------------------------------------------------------------------------


def write_it_yourself(uses):
    return f"asks you to write it yourself, and your code uses {uses}"


def cheats(tf, keras):
    import scipy.signal

    return [
        # inputs changed in place
        ("07.1", lambda image, kernel: (image.fill(0), conv2d_single(image, kernel))[1], "in place"),
        ("07.1", lambda image, kernel: conv2d_single(image, np.negative(kernel, out=kernel)), "in place"),
        ("07.5", lambda image, size: (image.sort(), max_pool(image, size))[1], "in place"),
        # unittest.mock.ANY, as the answer and as what the answer returns
        ("07.1", mock.ANY, "expected a function"),
        ("07.1", lambda image, kernel: mock.ANY, "should be a NumPy array"),
        ("07.4", mock.ANY, "expected a function"),
        ("07.4", lambda L, f, s: mock.ANY, "should be a whole number"),
        ("07.5", lambda image, size: mock.ANY, "should be a NumPy array"),
        ("07.6", mock.ANY, "expected a function"),
        ("07.6", lambda layers: mock.ANY, "should be a whole number"),
        # the package's own implementation
        ("07.1", convolution.feature_map, write_it_yourself("course.convolution.feature_map")),
        (
            "07.1",
            lambda image, kernel: convolution.feature_map(image, kernel),
            write_it_yourself("course.convolution.feature_map"),
        ),
        (
            "07.1",
            lambda image, kernel: convolution.naive_conv2d(image[None, :, :, None], kernel[:, :, None, None])[
                0, :, :, 0
            ],
            write_it_yourself("naive_conv2d"),
        ),
        ("07.1", convolution.naive_conv2d, write_it_yourself("course.convolution.naive_conv2d")),
        (
            "07.1",
            unreadable(
                "def answer(image, kernel):\n    return feature_map(image, kernel)",
                feature_map=convolution.feature_map,
            ),
            write_it_yourself("course.convolution.feature_map"),
        ),
        (
            "07.1",
            unreadable(
                "def answer(image, kernel):\n"
                "    return c.naive_conv2d(image[None, :, :, None], kernel[:, :, None, None])[0, :, :, 0]",
                c=convolution,
            ),
            write_it_yourself("course.convolution.naive_conv2d"),
        ),
        ("07.4", convolution.output_size, write_it_yourself("course.convolution.output_size")),
        (
            "07.4",
            lambda L, f, s: convolution.output_size(L, f, s),
            write_it_yourself("course.convolution.output_size"),
        ),
        ("07.5", convolution.naive_max_pool2d, write_it_yourself("course.convolution.naive_max_pool2d")),
        (
            "07.5",
            unreadable(
                "def answer(image, size):\n    return c.naive_max_pool2d(image[None, :, :, None], size)[0, :, :, 0]",
                c=convolution,
            ),
            write_it_yourself("course.convolution.naive_max_pool2d"),
        ),
        # the libraries' versions
        (
            "07.1",
            lambda image, kernel: tf.nn.conv2d(
                image[None, :, :, None], kernel[:, :, None, None], 1, "VALID"
            ).numpy()[0, :, :, 0],
            write_it_yourself("conv2d"),
        ),
        (
            "07.1",
            lambda image, kernel: scipy.signal.correlate2d(image, kernel, "valid"),
            write_it_yourself("correlate2d"),
        ),
        (
            "07.1",
            lambda image, kernel: np.asarray(
                keras.ops.conv(image[None, :, :, None], kernel[:, :, None, None])
            )[0, :, :, 0],
            write_it_yourself("keras.ops.conv"),
        ),
        (
            "07.1",
            unreadable(
                "def answer(image, kernel):\n"
                "    return tf.nn.conv2d(image[None, :, :, None], kernel[:, :, None, None], 1, 'VALID')"
                ".numpy()[0, :, :, 0]",
                tf=tf,
            ),
            write_it_yourself("tensorflow.nn.conv2d"),
        ),
        (
            "07.5",
            lambda image, size: tf.nn.max_pool2d(image[None, :, :, None], size, size, "VALID").numpy()[
                0, :, :, 0
            ],
            write_it_yourself("max_pool2d"),
        ),
        (
            "07.5",
            lambda image, size: tf.nn.max_pool(image[None, :, :, None], size, size, "VALID").numpy()[
                0, :, :, 0
            ],
            write_it_yourself("tensorflow.nn.max_pool"),
        ),
        (
            "07.5",
            lambda image, size: np.asarray(keras.layers.MaxPooling2D(size)(image[None, :, :, None]))[
                0, :, :, 0
            ],
            write_it_yourself("MaxPooling2D"),
        ),
        (
            "07.5",
            lambda image, size: np.asarray(getattr(keras.layers, ALIAS)(size)(image[None, :, :, None]))[
                0, :, :, 0
            ],
            write_it_yourself("keras.layers.MaxPooling2D"),
        ),
        (
            "07.5",
            unreadable(
                "def answer(image, size):\n"
                "    return np.asarray(keras.layers.MaxPooling2D(size)(image[None, :, :, None]))[0, :, :, 0]",
                keras=keras,
                np=np,
            ),
            write_it_yourself("keras.layers.MaxPooling2D"),
        ),
        (
            "07.5",
            lambda image, size: np.asarray(keras.ops.max_pool(image[None, :, :, None], size))[0, :, :, 0],
            write_it_yourself("keras.ops.max_pool"),
        ),
    ]


def matrix_cheats(tf):
    def through_conv2d_single(shape, kernel):
        basis = np.eye(shape[0] * shape[1]).reshape(-1, *shape)
        return np.stack([conv2d_single(image, kernel).ravel() for image in basis], axis=1)

    return [
        ("07.2", mock.ANY, "expected a function"),
        ("07.2", lambda shape, kernel: (kernel.fill(1), conv_matrix(shape, kernel))[1], "in place"),
        ("07.2", through_conv2d_single, write_it_yourself("conv2d_single")),
        (
            "07.2",
            unreadable(
                "def answer(shape, kernel):\n"
                "    basis = np.eye(shape[0] * shape[1]).reshape(-1, *shape)\n"
                "    return np.stack([c.feature_map(b, kernel).ravel() for b in basis], axis=1)",
                c=convolution,
                np=np,
            ),
            write_it_yourself("course.convolution.feature_map"),
        ),
        (
            "07.2",
            unreadable(
                "def answer(shape, kernel):\n"
                "    basis = np.eye(shape[0] * shape[1]).reshape(-1, *shape, 1)\n"
                "    out = tf.nn.conv2d(basis, kernel[:, :, None, None], 1, 'VALID').numpy()\n"
                "    return out.reshape(len(basis), -1).T",
                tf=tf,
                np=np,
            ),
            write_it_yourself("tensorflow.nn.conv2d"),
        ),
    ]


def kernel_cheats(keras):
    def least_squares(images, edge_maps):
        windows = np.lib.stride_tricks.sliding_window_view(images, (3, 3), axis=(1, 2)).reshape(-1, 9)
        return np.linalg.lstsq(windows, edge_maps.ravel(), rcond=None)[0].reshape(3, 3)

    def with_fit(images, edge_maps):
        model = keras.Sequential(
            [keras.Input(images.shape[1:] + (1,)), keras.layers.Conv2D(1, 3, use_bias=False)]
        )
        model.compile(keras.optimizers.SGD(0.4), "mse")
        model.fit(images[..., None], edge_maps[..., None], epochs=40, verbose=0)
        return model.layers[0].kernel.numpy()[:, :, 0, 0]

    return [
        ("07.3", mock.ANY, "expected a function"),
        ("07.3", lambda images, edges: (images.fill(0), learn_kernel(images, edges))[1], "in place"),
        ("07.3", least_squares, write_it_yourself("lstsq")),
        (
            "07.3",
            unreadable(
                "def answer(images, edges):\n"
                "    windows = np.lib.stride_tricks.sliding_window_view(images, (3, 3), axis=(1, 2)).reshape(-1, 9)\n"
                "    return np.linalg.lstsq(windows, edges.ravel(), rcond=None)[0].reshape(3, 3)",
                np=np,
            ),
            write_it_yourself("numpy.linalg.lstsq"),
        ),
        ("07.3", with_fit, write_it_yourself("fit")),
        (
            "07.3",
            unreadable("def answer(images, edges):\n    return with_fit(images, edges)", with_fit=with_fit),
            write_it_yourself("keras.Model.fit"),
        ),
    ]


def model_cheats():
    return [
        ("07.7", mock.ANY, "expected a function"),
        ("07.7", flower_models.tutorial_model, write_it_yourself("course.flower_models.tutorial_model")),
        (
            "07.7",
            lambda: flower_models.compact_model(10, (28, 28)),
            write_it_yourself("course.flower_models.compact_model"),
        ),
        ("07.9", mock.ANY, "expected a function"),
    ]


def test_cheats_fail_with_a_useful_message(tf, keras):
    for exercise_id, answer, says in [
        *cheats(tf, keras),
        *matrix_cheats(tf),
        *kernel_cheats(keras),
        *model_cheats(),
    ]:
        feedback = evaluate(exercise_id, answer, seed=1)
        assert feedback.status == FAILED, (exercise_id, feedback)
        assert says in feedback.message, (exercise_id, feedback)


def test_library_versions_work_again_after_a_check(tf, keras):
    evaluate("07.5", lambda image, size: tf.nn.max_pool(image[None, :, :, None], size, size, "VALID"), seed=0)
    evaluate(
        "07.1",
        lambda image, kernel: np.asarray(keras.ops.conv(image[None, :, :, None], kernel[:, :, None, None])),
    )
    image = np.arange(16.0).reshape(1, 4, 4, 1)
    assert tf.nn.max_pool(image, 2, 2, "VALID").shape == (1, 2, 2, 1)
    assert keras.layers.MaxPooling2D(2)(image).shape == (1, 2, 2, 1)
    assert keras.ops.max_pool(image, 2).shape == (1, 2, 2, 1)
    assert convolution.naive_max_pool2d(image, 2).shape == (1, 2, 2, 1)
    assert convolution.output_size(10, 3) == 8


@pytest.mark.parametrize("exercise_id", WITH_INPUTS)
def test_a_lookup_table_of_outputs_fails(keras, exercise_id):
    feedback = evaluate(exercise_id, lookup_table(exercise_id, RIGHT[exercise_id], seed=0), seed=1)
    assert feedback.status == FAILED, feedback


def test_cases_change_with_the_seed():
    for exercise_id in ("07.1", "07.2", "07.3", "07.4", "07.5", "07.6", "07.7", "07.9"):
        ex = lookup(exercise_id)
        first, second = (repr(ex.cases(np.random.default_rng(seed))) for seed in (0, 1))
        assert first != second


# --- forged outcomes: written without the cases, they fail on every seed ------------------------

FORGED_FROM = 99  # the seed of the cases that the forged outcomes were made on


@pytest.mark.parametrize("exercise_id", ["07.3", "07.6", "07.7", "07.9"])
def test_outcomes_made_on_other_cases_fail(keras, exercise_id):
    outcomes = normalize(probe(exercise_id, RIGHT[exercise_id], seed=FORGED_FROM))
    assert judge(exercise_id, FORGED_FROM, outcomes).status == PASSED  # a right answer's, on its own cases
    for seed in SEEDS:
        assert judge(exercise_id, seed, outcomes).status == FAILED


def test_a_trained_lenets_outcomes_on_other_pictures_fail(keras, digits):
    outcomes = normalize(probe("07.8", trained_lenet(keras, digits), seed=FORGED_FROM))
    assert judge("07.8", FORGED_FROM, outcomes).status == PASSED  # a right answer's, on its own pictures
    for seed in SEEDS:
        assert judge("07.8", seed, outcomes).status == FAILED


@pytest.mark.parametrize(
    "forged",
    [
        {"accuracy": 0.99},
        {
            "model": {"type": "keras.Sequential"},
            "real": True,
            "fast": True,
            "count": 10_000,
            "accuracy": 0.99,
        },
        {"model": {"type": "keras.Sequential"}, "fast": True, "layers": LENET5_SIZE, "scores": scores(0.99)},
    ],
    ids=["an-accuracy", "the-old-report", "scores-for-other-labels"],
)
def test_a_hand_written_report_of_a_trained_model_fails(digits, forged):
    for seed in SEEDS:
        assert judge("07.8", seed, [{"ok": forged}]).status == FAILED


def test_the_hidden_kernel_never_reaches_the_learner():
    from course.exercises.probing import visible

    for case in draw_cases(lookup("07.3"), 0):
        assert set(visible(case)) == {"images", "edges"}
        assert case["_kernel"].shape == (3, 3)
