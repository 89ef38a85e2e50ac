"""Checkers for 07_cnn_flowers."""

import numpy as np

from ..framework import Wrong, call, exercise, expect_array, expect_callable, expect_close, expect_equal


@exercise(
    "07.1",
    "Output size of a convolution",
    expects="a function conv_output_size(L, f, s) giving the output length of a 'valid' convolution",
    hint="The window's first position is 0, its last start is at most L - f, and it moves s at a time: (L - f) // s + 1.",
)
def _conv_output_size(answer):
    expect_callable(answer, what="conv_output_size")
    for length, size, stride in [
        (28, 5, 1),
        (32, 3, 1),
        (7, 3, 2),
        (8, 3, 2),
        (180, 3, 1),
        (10, 10, 1),
        (224, 11, 4),
        (9, 2, 3),
    ]:
        got = call(answer, length, size, stride, what=f"conv_output_size({length}, {size}, {stride})")
        if isinstance(got, float) and got.is_integer():
            raise Wrong(
                f"conv_output_size({length}, {size}, {stride}) returned the float {got}; a size is a whole number: use //."
            )
        expect_equal(got, (length - size) // stride + 1, what=f"conv_output_size({length}, {size}, {stride})")
    return "conv_output_size is right, including strides that do not divide L - f evenly (rounded down)."


def _test_images():
    rng = np.random.default_rng(7)
    return [rng.normal(size=shape) for shape in [(5, 5), (6, 8), (9, 7)]]


@exercise(
    "07.2",
    "Convolution with two loops",
    expects="a function conv2d_single(image, kernel) for 2-D arrays, 'valid' padding, stride 1",
    hint="out[i, j] = np.sum(image[i:i+kh, j:j+kw] * kernel) for every i < H - kh + 1 and j < W - kw + 1.",
)
def _conv2d_single(answer):
    from ...convolution import naive_conv2d

    expect_callable(answer, what="conv2d_single")
    rng = np.random.default_rng(3)
    for image, kernel in zip(_test_images(), [rng.normal(size=s) for s in [(3, 3), (2, 3), (4, 2)]]):
        want, flipped = (
            naive_conv2d(image[None, :, :, None], k[:, :, None, None])[0, :, :, 0]
            for k in (kernel, kernel[::-1, ::-1])
        )
        got = call(answer, image, kernel, what=f"conv2d_single(image {image.shape}, kernel {kernel.shape})")
        got = expect_array(
            got, shape=want.shape, what=f"conv2d_single(image {image.shape}, kernel {kernel.shape})"
        )
        if np.allclose(got, flipped) and not np.allclose(got, want):
            raise Wrong(
                "you flipped the kernel (the convolution of mathematics); deep learning's convolution, like tf.nn.conv2d, does not flip it."
            )
        expect_close(got, want, what=f"conv2d_single(image {image.shape}, kernel {kernel.shape})")
    return "conv2d_single equals tf.nn.conv2d on one channel: a window times the kernel, summed, at every position."


@exercise(
    "07.3",
    "Max pooling",
    expects="a function max_pool(image, size) for a 2-D array: the maximum of each size×size block (stride = size)",
    hint="out[i, j] = image[i*size:(i+1)*size, j*size:(j+1)*size].max(); a block that would stick out is left out.",
)
def _max_pool(answer):
    from ...convolution import naive_max_pool2d

    expect_callable(answer, what="max_pool")
    for image in _test_images():
        for size in (2, 3):
            want = naive_max_pool2d(image[None, :, :, None], size)[0, :, :, 0]
            got = call(answer, image, size, what=f"max_pool(image {image.shape}, {size})")
            expect_close(got, want, what=f"max_pool(image {image.shape}, {size})")
    return "max_pool keeps the largest value of each block, like tf.nn.max_pool2d."


def _receptive_field(layers):
    field, jump = 1, 1
    for kernel, stride in layers:
        field += (kernel - 1) * jump
        jump *= stride
    return field


@exercise(
    "07.4",
    "Receptive field",
    expects="a function receptive_field(layers) taking a list of (kernel, stride) pairs and returning how many input pixels (along one axis) one output pixel sees",
    hint="Keep a 'jump' (input pixels between neighbouring positions of the current layer, the product of the strides so far); each layer adds (kernel - 1) * jump.",
)
def _receptive_field_check(answer):
    expect_callable(answer, what="receptive_field")
    for layers in [
        [],
        [(3, 1)],
        [(3, 1), (3, 1)],
        [(3, 1), (2, 2), (3, 1), (2, 2), (3, 1), (2, 2)],
        [(7, 2), (3, 2), (3, 1)],
        [(5, 1), (2, 2), (5, 1), (2, 2)],
    ]:
        got = call(answer, list(layers), what=f"receptive_field({layers})")
        expect_equal(got, _receptive_field(layers), what=f"receptive_field({layers})")
    return "receptive_field is right: two 3×3 layers see 5×5 pixels, and every stride multiplies the reach of the layers after it."


@exercise(
    "07.5",
    "Data augmentation",
    expects="a keras.Sequential of RandomFlip('horizontal'), RandomRotation(0.1) and RandomZoom(0.1)",
    hint="keras.Sequential([layers.RandomFlip('horizontal'), layers.RandomRotation(0.1), layers.RandomZoom(0.1)])",
)
def _augmentation(answer):
    import keras

    if not isinstance(answer, keras.Sequential):
        raise Wrong(f"data_augmentation should be a keras.Sequential, got a {type(answer).__name__}.")
    kinds = [type(layer).__name__ for layer in answer.layers]
    expect_equal(
        kinds, ["RandomFlip", "RandomRotation", "RandomZoom"], what="the layers of data_augmentation"
    )
    flip, rotation, zoom = answer.layers
    expect_equal(flip.mode, "horizontal", what="RandomFlip's mode")
    expect_close(
        float(np.max(np.abs(rotation.factor))), 0.1, what="RandomRotation's factor (fraction of a full turn)"
    )
    expect_close(float(np.max(np.abs(zoom.height_factor))), 0.1, what="RandomZoom's height factor")
    images = np.random.default_rng(0).uniform(0, 255, (2, 16, 16, 3)).astype("float32")
    out = np.asarray(
        call(lambda x: answer(x, training=False), images, what="data_augmentation(images, training=False)")
    )
    expect_close(
        out,
        images,
        what="data_augmentation(images, training=False), which should leave images unchanged",
        atol=1e-3,
    )
    return "data_augmentation flips, turns and zooms while training, and leaves pictures alone at prediction time."
