"""The exercises of 07_cnn_flowers (its quizzes: tests/test_quizzes.py; its mistakes and right answers:
tests/answers/nb07_cnn_flowers.py): stubs, hints, cheats, forged outcomes and 07.8's bars."""

from pathlib import Path
from unittest import mock

import numpy as np
import pytest

import course.exercises.checks.nb07_cnn_flowers  # noqa: F401  (registers 07's exercises without the other notebooks)
from course import convolution, flower_models
from course.exercises import FAILED, PASSED, evaluate, judge, probe
from course.exercises.judging import judge_of
from course.exercises.plain import normalize
from course.exercises.registry import draw_cases, lookup

from .answers.nb07_cnn_flowers import (
    conv2d_single,
    conv_matrix,
    learn_kernel,
    lenet5,
    max_pool,
    receptive_field,
    residual_block,
)
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


# --- the right answers (the answer table's), for the stubs, cheats and forged outcomes ----------


def conv_output_size(L, f, s):
    return (L - f) // s + 1


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


# --- (b) stubs are "not attempted", and the message gives nothing away --------------------------


@pytest.mark.parametrize("exercise_id", sorted(SOLUTION_CODE))
def test_stubs_are_not_attempted_and_give_nothing_away(exercise_id):
    answers = [...] if exercise_id == "07.8" else [..., stub]
    for answer in answers:
        assert_not_attempted_quietly(exercise_id, answer, SOLUTION_CODE[exercise_id])


@pytest.mark.parametrize("exercise_id", sorted(SOLUTION_CODE))
def test_hints_give_no_solution_code(exercise_id):
    assert_hints_climb_without_code(exercise_id, SOLUTION_CODE[exercise_id])


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


LABELS = np.arange(1000) % 10
LENET5_SIZE = [{"type": "Dense", "config": {}, "weights": [[61_706]]}]  # a model of LeNet-5's size


def _described(kind, shape, weights=(), **config):
    return {"type": kind, "config": config, "weights": [list(w) for w in weights], "shape": shape}


LENET5_LAYERS = [  # LeNet-5 as the probe describes it
    _described("Conv2D", [28, 28, 6], [(5, 5, 1, 6), (6,)], kernel_size=[5, 5], activation="relu"),
    _described("MaxPooling2D", [14, 14, 6]),
    _described("Conv2D", [10, 10, 16], [(5, 5, 6, 16), (16,)], kernel_size=[5, 5], activation="relu"),
    _described("MaxPooling2D", [5, 5, 16]),
    _described("Flatten", [400]),
    _described("Dense", [120], [(400, 120), (120,)], activation="relu"),
    _described("Dense", [84], [(120, 84), (84,)], activation="relu"),
    _described("Dense", [10], [(84, 10), (10,)], activation="linear"),
]


def scores(accuracy, labels=LABELS):
    """Class scores that get ``accuracy`` of ``labels`` right, as the probe observes them."""
    right = np.arange(len(labels)) < round(accuracy * len(labels))
    value = np.eye(10, dtype=np.float32)[np.where(right, labels, (labels + 1) % 10)]
    return {"type": "numpy.ndarray", "dtype": "float32", "shape": list(value.shape), "value": value}


def trained_seen(accuracy, accuracy_0_255=0.1, layers=LENET5_LAYERS):
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
        ("07.8", mock.ANY, "should be a trained keras.Model"),
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
