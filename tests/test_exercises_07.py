"""The exercises of 07_cnn_flowers (its quizzes: tests/test_quizzes.py): right answers pass, mistakes get a diagnosis, cheats fail."""

from pathlib import Path
from unittest import mock

import numpy as np
import pytest

import course.exercises.checks.cnn  # noqa: F401  (registers 07's exercises without the other notebooks)
from course import convolution, flower_models
from course.exercises import FAILED, NOT_ATTEMPTED, PASSED, evaluate, hints
from course.exercises.framework import lookup

from .helpers import lookup_table, stub

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


RIGHT = {"07.1": conv2d_single, "07.2": conv_output_size, "07.3": max_pool, "07.4": receptive_field}

# What the solutions contain: no message or hint may show it.
SOLUTION_CODE = {
    "07.1": ("np.sum(image[", "image[i : i + kh", "i + kh", "* kernel)", "- kh + 1"),
    "07.2": ("(L - f) // s", "// s + 1", "(L - f) / s"),
    "07.3": ("i * size", "(i + 1) * size", ".max()", "// size"),
    "07.4": ("(kernel - 1) * jump", "jump *= stride", "field +="),
    "07.5": ("RandomFlip(", "RandomRotation(", "RandomZoom(", '"horizontal"', "'horizontal'", "0.1"),
}


def unreadable(source, **names):
    """A function defined from a string: its source cannot be read, so only the shortcuts can catch it."""
    namespace = dict(names)
    exec(source, namespace)  # noqa: S102 - a test double
    return namespace["answer"]


def augmentation(keras, flip=None, rotation=None, zoom=None, extra=()):
    layers = keras.layers
    return keras.Sequential(
        [
            flip or layers.RandomFlip("horizontal"),
            rotation or layers.RandomRotation(0.1),
            zoom or layers.RandomZoom(0.1),
            *extra,
        ]
    )


# --- (a) right answers pass on every seed ------------------------------------------------------


@pytest.mark.parametrize("seed", SEEDS)
@pytest.mark.parametrize("exercise_id", sorted(RIGHT))
def test_right_answers_pass(exercise_id, seed):
    feedback = evaluate(exercise_id, RIGHT[exercise_id], seed=seed)
    assert feedback.status == PASSED, feedback


@pytest.mark.parametrize("seed", SEEDS[:3])
def test_other_right_answers_pass(seed):
    assert evaluate("07.3", max_pool_reshaped, seed=seed).status == PASSED
    assert evaluate("07.4", lambda layers: receptive_field(list(layers)), seed=seed).status == PASSED
    assert evaluate("07.2", lambda L, f, s: int((L - f) / s) + 1, seed=seed).status == PASSED


@pytest.mark.parametrize(
    "build",
    [
        lambda k: augmentation(k),
        lambda k: keras_sequential_with_input(k),
        lambda k: augmentation(
            k,
            flip=k.layers.RandomFlip(mode="horizontal"),
            rotation=k.layers.RandomRotation((-0.1, 0.1)),
            zoom=k.layers.RandomZoom(height_factor=[-0.1, 0.1]),
        ),
        lambda k: augmentation(k, flip=k.layers.RandomFlip("horizontal", name="flip")),
    ],
    ids=["as-asked", "with-input", "ranges-and-keywords", "named"],
)
def test_augmentation_right_answers_pass(keras, build):
    feedback = evaluate("07.5", build(keras), seed=0)
    assert feedback.status == PASSED, feedback


def keras_sequential_with_input(keras):
    layers = keras.layers
    return keras.Sequential(
        [
            keras.Input((32, 32, 3)),
            layers.RandomFlip("horizontal"),
            layers.RandomRotation(0.1),
            layers.RandomZoom(0.1),
        ]
    )


# --- (b) stubs are "not attempted", and the message gives nothing away --------------------------


@pytest.mark.parametrize("exercise_id", ["07.1", "07.2", "07.3", "07.4", "07.5"])
def test_stubs_are_not_attempted_and_give_nothing_away(exercise_id):
    answers = [...] if exercise_id == "07.5" else [..., stub]
    for answer in answers:
        feedback = evaluate(exercise_id, answer, seed=0)
        assert feedback.status == NOT_ATTEMPTED, feedback
        for code in SOLUTION_CODE[exercise_id]:
            assert code not in feedback.message


@pytest.mark.parametrize("exercise_id", ["07.1", "07.2", "07.3", "07.4", "07.5"])
def test_hints_give_no_solution_code(exercise_id):
    ladder = hints(exercise_id)
    assert 2 <= len(ladder) <= 3
    for hint in ladder:
        for code in SOLUTION_CODE[exercise_id]:
            assert code not in hint, (hint, code)


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
    ("07.2", lambda L, f, s: (L - f) / s + 1, "returned the float"),
    ("07.2", lambda L, f, s: float((L - f) // s + 1), "returned the float"),
    ("07.2", lambda L, f, s: np.float64((L - f) // s + 1), "returned the float"),
    ("07.2", lambda L, f, s: L - f + 1, "the stride is ignored"),
    ("07.2", lambda L, f, s: (L - f) // s, "one short"),
    ("07.2", lambda L, f, s: -(-(L - f) // s) + 1, "round down, not up"),
    # where rounding L / s up gives the same number as rounding (L - f) / s up, either diagnosis fits
    ("07.2", lambda L, f, s: -(-L // s), ("'same' padding", "round down, not up")),
    ("07.2", lambda L, f, s: str((L - f) // s + 1), "should be a whole number"),
    ("07.2", lambda L, f, s: (L - f) // s + 1 > 0, "should be a whole number"),
    ("07.2", lambda L, f, s: L // s, "not right"),
    ("07.3", pool_mean, "average pooling"),
    ("07.3", pool_min, "minimum"),
    ("07.3", pool_subsample, "one pixel of each block"),
    ("07.3", pool_with_edges, "stick out"),
    ("07.3", pool_overlapping, "the blocks overlap"),
    ("07.3", pool_transposed, "transposed"),
    ("07.3", lambda image, size: max_pool(image, size).astype(np.int64), "rounded to whole numbers"),
    ("07.4", field_without_strides, "the strides are ignored"),
    ("07.4", field_own_stride, "own stride is applied to its kernel"),
    ("07.4", field_one_short, "one short"),
    ("07.4", field_sum_of_kernels, "counts the shared pixels twice"),
    ("07.4", field_float, "should be a whole number"),
    ("07.4", field_pops, "changed the list of layers"),
    ("07.4", lambda layers: 0 if not layers else receptive_field(layers), "with no layers at all"),
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


AUGMENTATION_MISTAKES = [
    (lambda k: augmentation(k, flip=k.layers.RandomFlip("vertical")), "upside down"),
    (lambda k: augmentation(k, flip=k.layers.RandomFlip()), "flips both ways"),
    (
        lambda k: augmentation(k, zoom=k.layers.RandomZoom(-0.1)),
        "RandomZoom's height_factor is -0.1: its sign",
    ),
    (lambda k: augmentation(k, rotation=k.layers.RandomRotation(-0.1)), "RandomRotation's factor is -0.1"),
    (
        lambda k: augmentation(k, rotation=k.layers.RandomRotation((-0.1, 0.05))),
        "RandomRotation's factor range [-0.1, 0.05] is not symmetric",
    ),
    (
        lambda k: augmentation(k, zoom=k.layers.RandomZoom((0.1, -0.1))),
        "upside down: its lower end is above its upper end",
    ),
    (lambda k: augmentation(k, zoom=k.layers.RandomZoom((-0.2, 0.1))), "not symmetric"),
    (lambda k: augmentation(k, rotation=k.layers.RandomRotation(0.2)), "not the amount the exercise asks"),
    (lambda k: augmentation(k, rotation=k.layers.RandomRotation(0.6283185307179586)), "not radians"),
    (
        lambda k: augmentation(k, rotation=k.layers.RandomRotation(0.1, fill_mode="constant")),
        "RandomRotation's fill_mode is 'constant'; the exercise keeps Keras's default ('reflect')",
    ),
    (lambda k: augmentation(k, flip=k.layers.RandomFlip("horizontal", seed=7)), "RandomFlip's seed is 7"),
    (lambda k: augmentation(k, zoom=k.layers.RandomZoom(0.1, 0.1)), "RandomZoom's width_factor is 0.1"),
    (
        lambda k: augmentation(k, zoom=k.layers.RandomZoom(0.1, dtype="float16")),
        "RandomZoom has a setting dtype",
    ),
    (
        lambda k: k.Sequential(
            [k.layers.RandomRotation(0.1), k.layers.RandomFlip("horizontal"), k.layers.RandomZoom(0.1)]
        ),
        "the right layers in another order",
    ),
    (
        lambda k: k.Sequential([k.layers.RandomFlip("horizontal"), k.layers.RandomRotation(0.1)]),
        "holds 2 layer(s) (RandomFlip, RandomRotation)",
    ),
    (
        lambda k: augmentation(k, zoom=k.layers.RandomTranslation(0.1, 0.1)),
        "layer 3 of data_augmentation is a RandomTranslation; the zoom should be a keras.layers.RandomZoom",
    ),
    (lambda k: augmentation(k, extra=[k.layers.Rescaling(1 / 255)]), "holds 4 layer(s)"),
    (lambda k: k.Sequential([augmentation(k)]), "holds 1 layer(s)"),
    (
        lambda k: [k.layers.RandomFlip("horizontal"), k.layers.RandomRotation(0.1), k.layers.RandomZoom(0.1)],
        "should be a keras.Sequential, got a list of 3 items",
    ),
    (lambda k: k.layers.RandomFlip("horizontal"), "should be a keras.Sequential"),
    (lambda k: None, "should be a keras.Sequential, got None"),
]


@pytest.mark.parametrize(
    "build, says", AUGMENTATION_MISTAKES, ids=[f"07.5-{i}" for i in range(len(AUGMENTATION_MISTAKES))]
)
def test_augmentation_mistakes_get_a_diagnosis(keras, build, says):
    feedback = evaluate("07.5", build(keras), seed=0)
    assert feedback.status == FAILED, feedback
    assert says in feedback.message, feedback


# --- (d) cheats ---------------------------------------------------------------------------------


def write_it_yourself(uses):
    return f"asks you to write it yourself, and your code uses {uses}"


def cheats(tf, keras):
    import scipy.signal

    return [
        # inputs changed in place
        ("07.1", lambda image, kernel: (image.fill(0), conv2d_single(image, kernel))[1], "in place"),
        ("07.1", lambda image, kernel: conv2d_single(image, np.negative(kernel, out=kernel)), "in place"),
        ("07.3", lambda image, size: (image.sort(), max_pool(image, size))[1], "in place"),
        # unittest.mock.ANY, as the answer and as what the answer returns
        ("07.1", mock.ANY, "expected a function"),
        ("07.1", lambda image, kernel: mock.ANY, "should be a NumPy array"),
        ("07.2", mock.ANY, "expected a function"),
        ("07.2", lambda L, f, s: mock.ANY, "should be a whole number"),
        ("07.3", lambda image, size: mock.ANY, "should be a NumPy array"),
        ("07.4", mock.ANY, "expected a function"),
        ("07.4", lambda layers: mock.ANY, "should be a whole number"),
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
        ("07.2", convolution.output_size, write_it_yourself("course.convolution.output_size")),
        (
            "07.2",
            lambda L, f, s: convolution.output_size(L, f, s),
            write_it_yourself("course.convolution.output_size"),
        ),
        ("07.3", convolution.naive_max_pool2d, write_it_yourself("course.convolution.naive_max_pool2d")),
        (
            "07.3",
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
            "07.3",
            lambda image, size: tf.nn.max_pool2d(image[None, :, :, None], size, size, "VALID").numpy()[
                0, :, :, 0
            ],
            write_it_yourself("max_pool2d"),
        ),
        (
            "07.3",
            lambda image, size: tf.nn.max_pool(image[None, :, :, None], size, size, "VALID").numpy()[
                0, :, :, 0
            ],
            write_it_yourself("tensorflow.nn.max_pool"),
        ),
        (
            "07.3",
            lambda image, size: np.asarray(keras.layers.MaxPooling2D(size)(image[None, :, :, None]))[
                0, :, :, 0
            ],
            write_it_yourself("MaxPooling2D"),
        ),
        (
            "07.3",
            lambda image, size: np.asarray(getattr(keras.layers, ALIAS)(size)(image[None, :, :, None]))[
                0, :, :, 0
            ],
            write_it_yourself("keras.layers.MaxPooling2D"),
        ),
        (
            "07.3",
            unreadable(
                "def answer(image, size):\n"
                "    return np.asarray(keras.layers.MaxPooling2D(size)(image[None, :, :, None]))[0, :, :, 0]",
                keras=keras,
                np=np,
            ),
            write_it_yourself("keras.layers.MaxPooling2D"),
        ),
        (
            "07.3",
            lambda image, size: np.asarray(keras.ops.max_pool(image[None, :, :, None], size))[0, :, :, 0],
            write_it_yourself("keras.ops.max_pool"),
        ),
    ]


def test_cheats_fail_with_a_useful_message(tf, keras):
    for exercise_id, answer, says in cheats(tf, keras):
        feedback = evaluate(exercise_id, answer, seed=1)
        assert feedback.status == FAILED, (exercise_id, feedback)
        assert says in feedback.message, (exercise_id, feedback)


def test_library_versions_work_again_after_a_check(tf, keras):
    evaluate("07.3", lambda image, size: tf.nn.max_pool(image[None, :, :, None], size, size, "VALID"), seed=0)
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


@pytest.mark.parametrize("exercise_id", sorted(RIGHT))
def test_a_lookup_table_of_outputs_fails(exercise_id):
    feedback = evaluate(exercise_id, lookup_table(exercise_id, RIGHT[exercise_id], seed=0), seed=1)
    assert feedback.status == FAILED, feedback


def test_augmentation_cheats_fail(keras):
    for answer, says in [
        (mock.ANY, "should be a keras.Sequential"),
        (flower_models.augmentation(), "course.flower_models.augmentation()"),
        ("RandomFlip, RandomRotation, RandomZoom", "should be a keras.Sequential, got the str"),
    ]:
        feedback = evaluate("07.5", answer, seed=0)
        assert feedback.status == FAILED, feedback
        assert says in feedback.message, feedback


def test_cases_change_with_the_seed():
    for exercise_id in ("07.1", "07.2", "07.3", "07.4"):
        ex = lookup(exercise_id)
        first, second = (repr(ex.cases(np.random.default_rng(seed))) for seed in (0, 1))
        assert first != second
