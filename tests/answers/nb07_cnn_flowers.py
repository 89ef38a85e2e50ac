"""07_cnn_flowers: plausible mistakes and correct answers in other styles, for every exercise.

07.3 learns a kernel with TensorFlow, 07.7 and 07.9 build Keras models and 07.8 trains them: these run
on TRAINING_SEEDS (their cases differ by seed only in the numbers, and every mistake below is caught
by the kind of case, which every seed draws). 07.8's models are trained once each (``Built``), on the
data the check's pictures come from (the offline digits when MNIST cannot be had); a model whose
structure is not LeNet-5's fails before its accuracy is measured, so most of those are left untrained
(the dense network of LeNet-5's size is trained, as a learner's would be).
"""

import contextlib
import io

import numpy as np

from tests.helpers import stub

from . import TRAINING_SEEDS, Built, Correct, Mistake, Table, mutations

# --- 07.1 Convolution with two loops ------------------------------------------------------------


def conv2d_single(image, kernel):
    kh, kw = kernel.shape
    rows, cols = image.shape[0] - kh + 1, image.shape[1] - kw + 1
    out = np.zeros((rows, cols))
    for i in range(rows):
        for j in range(cols):
            out[i, j] = np.sum(image[i : i + kh, j : j + kw] * kernel)
    return out


def conv_by_kernel_offsets(image, kernel):  # the other loop order: over the kernel, each a shifted image
    kh, kw = kernel.shape
    rows, cols = image.shape[0] - kh + 1, image.shape[1] - kw + 1
    out = np.zeros((rows, cols))
    for a in range(kh):
        for b in range(kw):
            out += kernel[a, b] * image[a : a + rows, b : b + cols]
    return out


def conv_with_windows(image, kernel):  # vectorised: every window at once, then one einsum
    windows = np.lib.stride_tricks.sliding_window_view(image, kernel.shape)
    return np.einsum("ijab,ab->ij", windows, kernel)


def conv_with_a_dot_product(image, kernel):  # a helper named dot, as in notebook 02
    def dot(u, v):
        return float(np.sum(u * v))

    height, width = kernel.shape
    return np.array(
        [
            [dot(image[r : r + height, c : c + width], kernel) for c in range(image.shape[1] - width + 1)]
            for r in range(image.shape[0] - height + 1)
        ]
    )


def conv_one_short(image, kernel):
    kh, kw = kernel.shape
    out = np.zeros((image.shape[0] - kh, image.shape[1] - kw))
    for i in range(out.shape[0]):
        for j in range(out.shape[1]):
            out[i, j] = np.sum(image[i : i + kh, j : j + kw] * kernel)
    return out


def conv_padded_to_the_image(image, kernel):
    kh, kw = kernel.shape
    return conv2d_single(np.pad(image, ((0, kh - 1), (0, kw - 1))), kernel)


def conv_last_entry_off(image, kernel):
    out = conv2d_single(image, kernel)
    out[-1, -1] += 1
    return out


def conv_centres_the_image_in_place(image, kernel):
    image -= image.mean()
    return conv2d_single(image, kernel) + image.mean()


# --- 07.2 Convolution as a matrix ---------------------------------------------------------------


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


def matrix_from_basis_images(image_shape, kernel):  # column p: the output for the image that is 1 at p
    rows, cols = image_shape
    kh, kw = kernel.shape

    def slide(image):
        return np.array(
            [
                [np.sum(image[i : i + kh, j : j + kw] * kernel) for j in range(cols - kw + 1)]
                for i in range(rows - kh + 1)
            ]
        )

    return np.stack([slide(basis.reshape(rows, cols)).ravel() for basis in np.eye(rows * cols)], axis=1)


def matrix_by_fancy_indexing(image_shape, kernel):  # vectorised: one assignment per kernel weight
    rows, cols = image_shape
    kh, kw = kernel.shape
    out_rows, out_cols = rows - kh + 1, cols - kw + 1
    i, j = np.meshgrid(np.arange(out_rows), np.arange(out_cols), indexing="ij")
    matrix = np.zeros((out_rows * out_cols, rows * cols))
    for a in range(kh):
        for b in range(kw):
            matrix[(i * out_cols + j).ravel(), ((i + a) * cols + j + b).ravel()] = kernel[a, b]
    return matrix


def matrix_rows_from_padded_kernels(image_shape, kernel):  # each row: the kernel placed in a zero image
    rows, cols = image_shape
    kh, kw = kernel.shape
    matrix_rows = []
    for i in range(rows - kh + 1):
        for j in range(cols - kw + 1):
            placed = np.zeros((rows, cols))
            placed[i : i + kh, j : j + kw] = kernel
            matrix_rows.append(placed.ravel())
    return np.array(matrix_rows)


def matrix_column_by_column(image_shape, kernel):  # pixels numbered as ravel(order="F") numbers them
    rows, cols = image_shape
    kh, kw = kernel.shape
    out_rows, out_cols = rows - kh + 1, cols - kw + 1
    matrix = np.zeros((out_rows * out_cols, rows * cols))
    for i in range(out_rows):
        for j in range(out_cols):
            for a in range(kh):
                for b in range(kw):
                    matrix[j * out_rows + i, (j + b) * rows + (i + a)] = kernel[a, b]
    return matrix


def matrix_fills_the_kernel(image_shape, kernel):
    kernel /= np.abs(kernel).max()  # "normalised" in place
    return conv_matrix(image_shape, kernel)


# --- 07.3 Learning a kernel ---------------------------------------------------------------------


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


def learn_kernel_with_adam(images, edge_maps):  # the solution's form: Adam in a tf.function
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


def learn_kernel_3x3_variable_with_momentum(images, edge_maps):  # a (3, 3) variable, reshaped at each use
    import keras
    import tensorflow as tf

    x = tf.convert_to_tensor(images[:, :, :, np.newaxis])
    y = tf.convert_to_tensor(edge_maps[:, :, :, np.newaxis])
    weights = tf.Variable(np.zeros((3, 3), np.float32))
    optimizer = keras.optimizers.SGD(learning_rate=0.1, momentum=0.9)
    for _ in range(80):
        with tf.GradientTape() as tape:
            predicted = tf.nn.convolution(x, tf.reshape(weights, (3, 3, 1, 1)), padding="VALID")
            loss = tf.reduce_mean(tf.square(predicted - y))
        optimizer.apply_gradients(zip(tape.gradient(loss, [weights]), [weights]))
    return weights.numpy()


def learn_kernel_returns_the_variable(images, edge_maps):
    import tensorflow as tf

    x, y = tf.constant(images[..., None]), tf.constant(edge_maps[..., None])
    kernel = tf.Variable(tf.zeros((3, 3, 1, 1)))
    for _ in range(40):
        with tf.GradientTape() as tape:
            loss = tf.reduce_mean((tf.nn.conv2d(x, kernel, 1, "VALID") - y) ** 2)
        kernel.assign_sub(0.4 * tape.gradient(loss, kernel))
    return kernel[:, :, 0, 0]


def learn_kernel_scales_the_images_in_place(images, edge_maps):
    images /= np.abs(images).max()
    return learn_kernel(images, edge_maps)


SOBEL = [[1.0, 0.0, -1.0], [2.0, 0.0, -2.0], [1.0, 0.0, -1.0]]


# --- 07.4 Output size of a convolution ----------------------------------------------------------


def size_by_counting(L, f, s):  # walk the window along and count its stops
    count, start = 0, 0
    while start + f <= L:
        count += 1
        start += s
    return count


def size_from_the_last_start(L, f, s):
    last = L - f  # the last possible start
    return last // s + 1


def size_with_divmod(L, f, s):
    steps, _ = divmod(L - f, s)
    return int(steps) + 1


# --- 07.5 Max pooling ---------------------------------------------------------------------------


def max_pool(image, size):
    rows, cols = image.shape[0] // size, image.shape[1] // size
    out = np.zeros((rows, cols))
    for i in range(rows):
        for j in range(cols):
            out[i, j] = image[i * size : (i + 1) * size, j * size : (j + 1) * size].max()
    return out


def max_pool_reshaped(image, size):  # vectorised: blocks as two extra axes
    rows, cols = image.shape[0] // size, image.shape[1] // size
    return image[: rows * size, : cols * size].reshape(rows, size, cols, size).max(axis=(1, 3))


def max_pool_by_offsets(image, size):  # the other loop order: over the positions inside a block
    rows, cols = image.shape[0] // size, image.shape[1] // size
    out = np.full((rows, cols), -np.inf)
    for a in range(size):
        for b in range(size):
            out = np.maximum(out, image[a : rows * size : size, b : cols * size : size])
    return out


def pool_of(summary):
    def pool(image, size):
        rows, cols = image.shape[0] // size, image.shape[1] // size
        return summary(image[: rows * size, : cols * size].reshape(rows, size, cols, size), axis=(1, 3))

    return pool


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


def pool_sorts_the_image(image, size):
    image.sort(axis=1)
    return max_pool(image, size)


# --- 07.6 Receptive field -----------------------------------------------------------------------


def receptive_field(layers):
    field, jump = 1, 1
    for kernel, stride in layers:
        field += (kernel - 1) * jump
        jump *= stride
    return field


def field_from_the_output_back(layers):  # from the output back: r = s * r + (k - s)
    field = 1
    for kernel, stride in reversed(layers):
        field = stride * field + kernel - stride
    return field


def field_with_products_of_strides(layers):  # a variable named prod: a product of strides
    import math

    total = 1
    for n, (kernel, _) in enumerate(layers):
        prod = math.prod(stride for _, stride in layers[:n])
        total += (kernel - 1) * prod
    return total


def field_without_strides(layers):
    return 1 + sum(kernel - 1 for kernel, _ in layers)


def field_own_stride(layers):
    field, jump = 1, 1
    for kernel, stride in layers:
        jump *= stride
        field += (kernel - 1) * jump
    return field


def field_in_reverse_order(layers):
    return receptive_field(layers[::-1])


def field_pops(layers):
    field, jump = 1, 1
    while layers:
        kernel, stride = layers.pop(0)
        field += (kernel - 1) * jump
        jump *= stride
    return field


# --- 07.7 LeNet-5 -------------------------------------------------------------------------------


def lenet5(
    first_padding="same",
    second_padding="valid",
    kernels=6,
    first_size=5,
    bias=True,
    head=None,
    extra=(),
    hidden="relu",
    dense_hidden=None,
    output=None,
):
    import keras

    layers = keras.layers
    dense_hidden = hidden if dense_hidden is None else dense_hidden
    return keras.Sequential(
        [
            keras.Input((28, 28, 1)),
            layers.Conv2D(kernels, first_size, padding=first_padding, activation=hidden, use_bias=bias),
            *extra,
            layers.MaxPooling2D(),
            layers.Conv2D(16, 5, padding=second_padding, activation=hidden),
            layers.MaxPooling2D(),
            *(head or [layers.Flatten(), layers.Dense(120, activation=dense_hidden)]),
            layers.Dense(84, activation=dense_hidden),
            layers.Dense(10, activation=output),
        ]
    )


def lenet5_classic():  # functional API, tanh and average pooling as in 1998, a nested Sequential
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


def lenet5_with_activation_layers():  # no keras.Input, activations as layers, ReLU after the pooling
    import keras

    layers = keras.layers
    return keras.Sequential(
        [
            layers.Rescaling(1.0),
            layers.Conv2D(6, 5, padding="same"),
            layers.MaxPooling2D(),
            layers.ReLU(),
            layers.Conv2D(16, 5),
            layers.Activation("elu"),
            layers.MaxPooling2D(),
            layers.Flatten(),
            layers.Dropout(0.1),
            layers.Dense(120),
            layers.Activation("relu"),
            layers.Dense(84, activation="sigmoid"),
            layers.Dense(10, activation="linear"),
        ]
    )


def lenet5_add_calls():  # Sequential grown with add()
    import keras

    model = keras.Sequential(name="LeNet")
    model.add(keras.Input(shape=(28, 28, 1)))
    for layer in (
        keras.layers.Conv2D(filters=6, kernel_size=(5, 5), padding="same", activation="relu"),
        keras.layers.MaxPool2D(pool_size=(2, 2)),
        keras.layers.Conv2D(filters=16, kernel_size=(5, 5), activation="relu"),
        keras.layers.MaxPool2D(pool_size=(2, 2)),
        keras.layers.Flatten(),
        keras.layers.Dense(units=120, activation="relu"),
        keras.layers.Dense(units=84, activation="relu"),
        keras.layers.Dense(units=10),
    ):
        model.add(layer)
    return model


def lenet5_with_softmax_layer():
    import keras

    return keras.Sequential([lenet5(), keras.layers.Softmax()])


def lenet5_without_its_output_layer():
    import keras

    return keras.Sequential(lenet5().layers[:-1])


def dense(units):
    import keras

    return keras.layers.Dense(units, activation="relu")


def batch_norm():
    import keras

    return keras.layers.BatchNormalization()


def one_lenet_for_every_call():
    """A LeNet-5 built at the first call and handed out again at every later one."""
    made = []

    def lenet():
        if not made:
            made.append(lenet5())
        return made[0]

    return lenet


# --- 07.8 Training LeNet-5 ----------------------------------------------------------------------


def mnist():
    """The pictures the check's come from: MNIST, or the offline digits when MNIST cannot be had."""
    from course.data import load_mnist

    with contextlib.redirect_stdout(io.StringIO()):
        (x, y), _ = load_mnist()
    if len(x) > 6000:  # real MNIST: as FAST mode trains
        x, y = x[:6000], y[:6000]
    return x[..., None].astype("float32"), y


def trained(build, epochs, pictures=None, scale=255.0, loss="sparse", optimizer="adam", **fit):
    """A model from ``build()``, compiled and trained on ``pictures`` training pictures divided by ``scale``."""

    def make():
        import keras

        keras.utils.set_random_seed(0)
        x, y = mnist()
        model = build()
        if loss == "sparse":
            model.compile(
                optimizer=optimizer,
                loss=keras.losses.SparseCategoricalCrossentropy(from_logits=True),
                metrics=["accuracy"],
            )
        elif loss == "one-hot":
            model.compile(optimizer=optimizer, loss=keras.losses.CategoricalCrossentropy(from_logits=True))
            y = keras.utils.to_categorical(y, 10)
        else:  # probabilities out of the model
            model.compile(optimizer=optimizer, loss="sparse_categorical_crossentropy")
        if epochs:
            model.fit(x[:pictures] / scale, y[:pictures], epochs=epochs, batch_size=64, verbose=0, **fit)
        return model

    return Built(make)


def dense_network_of_lenets_size():  # 784 → 57 → 112 → 85 → 10: 61,706 weights, no convolution
    import keras

    return keras.Sequential(
        [
            keras.Input((28, 28, 1)),
            keras.layers.Flatten(),
            keras.layers.Dense(57, activation="relu"),
            keras.layers.Dense(112, activation="relu"),
            keras.layers.Dense(85, activation="relu"),
            keras.layers.Dense(10),
        ]
    )


# --- 07.9 A residual block ----------------------------------------------------------------------


def residual_block(x, filters, stride=1):  # the solution's form
    import keras

    layers = keras.layers
    y = layers.Conv2D(filters, 3, strides=stride, padding="same", activation="relu")(x)
    y = layers.Conv2D(filters, 3, padding="same")(y)
    if stride != 1 or x.shape[-1] != filters:
        x = layers.Conv2D(filters, 1, strides=stride)(x)
    return layers.ReLU()(layers.Add()([x, y]))


def residual_block_with_plus(x, filters, stride=1):  # x + y on Keras tensors, ops for the ReLU
    import keras

    y = keras.layers.Conv2D(filters, (3, 3), strides=(stride, stride), padding="same")(x)
    y = keras.ops.relu(y)
    y = keras.layers.Conv2D(filters, (3, 3), padding="same")(y)
    shortcut = x
    if x.shape[-1] != filters or stride > 1:
        shortcut = keras.layers.Conv2D(filters, (1, 1), strides=(stride, stride), padding="same")(x)
    return keras.ops.relu(y + shortcut)


def residual_block_with_ops_add(x, filters, stride=1):  # the layers made first, keras.ops.add
    import keras

    first = keras.layers.Conv2D(filters, 3, strides=stride, padding="same")
    second = keras.layers.Conv2D(filters, 3, padding="same")
    needs_projection = stride != 1 or x.shape[-1] != filters
    project = keras.layers.Conv2D(filters, 1, strides=stride) if needs_projection else None
    main = second(keras.layers.Activation("relu")(first(x)))
    return keras.layers.Activation("relu")(keras.ops.add(main, project(x) if project else x))


def residual_block_with_batchnorm(x, filters, stride=1):  # ResNet's own: BatchNorm after each conv
    import keras

    layers = keras.layers
    shortcut = x
    if stride != 1 or x.shape[-1] != filters:
        shortcut = layers.Conv2D(filters, 1, strides=stride, use_bias=False)(x)
        shortcut = layers.BatchNormalization()(shortcut)
    y = layers.Conv2D(filters, 3, strides=stride, padding="same", use_bias=False)(x)
    y = layers.ReLU()(layers.BatchNormalization()(y))
    y = layers.BatchNormalization()(layers.Conv2D(filters, 3, padding="same", use_bias=False)(y))
    return layers.Activation("relu")(layers.add([y, shortcut]))


def block(
    stride_on="first",
    shortcut="projection",
    projection_size=1,
    merge="add",
    relu_between=True,
    relu_after=True,
    second=True,
    relu_on_main=False,
):
    """A residual block with one mistake, as ``block(...)(x, filters, stride)``."""

    def residual(x, filters, stride=1):
        import keras

        layers = keras.layers
        first_stride = stride if stride_on == "first" else 1
        second_stride = stride if stride_on == "second" else 1
        y = layers.Conv2D(filters, 3, strides=first_stride, padding="same")(x)
        main = layers.ReLU()(y) if relu_between else y
        if second:
            main = layers.Conv2D(filters, 3, strides=second_stride, padding="same")(main)
        if relu_on_main:
            main = layers.ReLU()(main)
        if shortcut == "projection" and (stride != 1 or x.shape[-1] != filters):
            short = layers.Conv2D(filters, projection_size, strides=stride, padding="same")(x)
        elif shortcut == "always projected":
            short = layers.Conv2D(filters, 1, strides=stride)(x)
        elif shortcut == "from the main path":
            short = layers.Conv2D(filters, 1)(main)
        elif shortcut == "first convolution":
            short = y
        else:  # x as it is
            short = x
        merged = layers.Add()([short, main]) if merge == "add" else layers.Concatenate()([short, main])
        return layers.ReLU()(merged) if relu_after else merged

    return residual


def block_without_a_shortcut(x, filters, stride=1):
    import keras

    y = keras.layers.Conv2D(filters, 3, strides=stride, padding="same", activation="relu")(x)
    return keras.layers.Conv2D(filters, 3, padding="same", activation="relu")(y)


def block_as_a_model(x, filters, stride=1):
    import keras

    return keras.Model(x, keras.layers.Conv2D(filters, 3, strides=stride, padding="same")(x))


# --- the tables ---------------------------------------------------------------------------------

TABLES = {
    "07.1": Table(
        mistakes=(
            Mistake(
                "flipped kernel",
                lambda image, kernel: conv2d_single(image, kernel[::-1, ::-1]),
                "flipped the kernel",
            ),
            Mistake("one position short on each axis", conv_one_short, "one row and one column short"),
            Mistake("padded to the image's shape", conv_padded_to_the_image, "the image's shape"),
            Mistake(
                "window averaged",
                lambda image, kernel: conv2d_single(image, kernel) / kernel.size,
                "averaged each window",
            ),
            Mistake(
                "rounded to ints",
                lambda image, kernel: conv2d_single(image, kernel).astype(int),
                "rounded to whole numbers",
            ),
            Mistake(
                "returns a list",
                lambda image, kernel: conv2d_single(image, kernel).tolist(),
                "should be a NumPy array",
            ),
            mutations.transposed(conv2d_single, "transposed"),
            Mistake(
                "kernel turned on its side",
                lambda image, kernel: conv2d_single(image, kernel.T),
                "height and width are swapped",
            ),
            Mistake("last entry off", conv_last_entry_off, "off in 1 of"),
            Mistake("changes the image in place", conv_centres_the_image_in_place, "in place"),
        ),
        correct=(
            Correct("two loops over the output", conv2d_single),
            Correct("two loops over the kernel", conv_by_kernel_offsets),
            Correct("sliding windows and einsum", conv_with_windows),
            Correct("helper named dot", conv_with_a_dot_product),
        ),
        not_attempted=(..., stub),
    ),
    "07.2": Table(
        mistakes=(
            Mistake(
                "transposed matrix",
                lambda shape, kernel: conv_matrix(shape, kernel).T,
                "one row per output pixel",
            ),
            Mistake(
                "flipped kernel",
                lambda shape, kernel: conv_matrix(shape, kernel[::-1, ::-1]),
                "flipped the kernel",
            ),
            Mistake("pixels numbered column by column", matrix_column_by_column, "column by column"),
            Mistake(
                "extra axis", lambda shape, kernel: conv_matrix(shape, kernel)[None], "should be a 2-D matrix"
            ),
            Mistake(
                "rounded to ints",
                lambda shape, kernel: conv_matrix(shape, kernel).astype(int),
                "rounded to whole numbers",
            ),
            Mistake(
                "negative weights dropped",
                lambda shape, kernel: np.maximum(conv_matrix(shape, kernel), 0),
                "off in",
            ),
            Mistake("changes the kernel in place", matrix_fills_the_kernel, "in place"),
        ),
        correct=(
            Correct("four loops", conv_matrix),
            Correct("columns from basis images", matrix_from_basis_images),
            Correct("fancy indexing per weight", matrix_by_fancy_indexing),
            Correct("rows from the kernel placed in a zero image", matrix_rows_from_padded_kernels),
            Correct("image shape as a list", lambda shape, kernel: conv_matrix(list(shape), kernel)),
        ),
        not_attempted=(..., stub),
    ),
    "07.3": Table(
        mistakes=(
            Mistake("kernel never updated", lambda images, edges: np.zeros((3, 3)), "still close to zero"),
            Mistake(
                "kernel flipped in the model",
                lambda images, edges: learn_kernel(images, edges, flip=True),
                "flipped the kernel",
            ),
            Mistake(
                "kernel transposed at the end",
                lambda images, edges: learn_kernel(images, edges).T,
                "transposed the kernel",
            ),
            Mistake(
                "too few steps",
                lambda images, edges: learn_kernel(images, edges, steps=3, learning_rate=0.05),
                "train longer",
            ),
            Mistake(
                "the notebook's Sobel kernel as a list",
                lambda images, edges: SOBEL,
                "should be a NumPy array",
            ),
            Mistake("the notebook's Sobel kernel", lambda images, edges: np.array(SOBEL), "off in"),
            Mistake(
                "returns the 4-D kernel",
                lambda images, edges: learn_kernel(images, edges)[:, :, None, None],
                "should be the 3×3 kernel",
            ),
            Mistake("returns the tf.Variable", learn_kernel_returns_the_variable, "should be a NumPy array"),
            Mistake("scales the images in place", learn_kernel_scales_the_images_in_place, "in place"),
        ),
        correct=(
            Correct("gradient descent by hand", learn_kernel),
            Correct("Adam in a tf.function", learn_kernel_with_adam),
            Correct("3x3 variable and SGD with momentum", learn_kernel_3x3_variable_with_momentum),
        ),
        seeds=TRAINING_SEEDS,
        not_attempted=(..., stub),
    ),
    "07.4": Table(
        mistakes=(
            Mistake("true division", lambda L, f, s: (L - f) / s + 1, "returned the float"),
            Mistake(
                "float of the right count", lambda L, f, s: float((L - f) // s + 1), "returned the float"
            ),
            Mistake("numpy float", lambda L, f, s: np.float64((L - f) // s + 1), "returned the float"),
            Mistake("stride ignored", lambda L, f, s: L - f + 1, "the stride is ignored"),
            Mistake("first position not counted", lambda L, f, s: (L - f) // s, "one short"),
            Mistake("rounded up", lambda L, f, s: -(-(L - f) // s) + 1, "round down, not up"),
            Mistake("'same' padding's length", lambda L, f, s: -(-L // s), "'same' padding"),
            Mistake("returns a string", lambda L, f, s: str((L - f) // s + 1), "should be a whole number"),
            Mistake("kernel size ignored", lambda L, f, s: L // s, "not right"),
            mutations.right_for_one_input(lambda L, f, s: (L - f) // s + 1, "not right"),
        ),
        correct=(
            Correct("floor division", lambda L, f, s: (L - f) // s + 1),
            Correct("int of the true division", lambda L, f, s: int((L - f) / s) + 1),
            Correct("counting the window's stops", size_by_counting),
            Correct("from the last start", size_from_the_last_start),
            Correct("divmod", size_with_divmod),
        ),
        not_attempted=(..., stub),
    ),
    "07.5": Table(
        mistakes=(
            Mistake("average pooling", pool_of(np.mean), "average pooling"),
            Mistake("minimum", pool_of(np.min), "minimum"),
            Mistake(
                "one pixel per block",
                lambda image, size: image[::size, ::size][
                    : image.shape[0] // size, : image.shape[1] // size
                ].copy(),
                "one pixel of each block",
            ),
            Mistake("blocks that stick out kept", pool_with_edges, "stick out"),
            Mistake("overlapping windows", pool_overlapping, "the blocks overlap"),
            Mistake("result transposed", lambda image, size: max_pool(image, size).T, "transposed"),
            Mistake(
                "rounded to ints",
                lambda image, size: max_pool(image, size).astype(np.int64),
                "rounded to whole numbers",
            ),
            Mistake("sorts the image in place", pool_sorts_the_image, "in place"),
        ),
        correct=(
            Correct("two loops over the blocks", max_pool),
            Correct("reshape and max", max_pool_reshaped),
            Correct("maximum over the offsets", max_pool_by_offsets),
        ),
        not_attempted=(..., stub),
    ),
    "07.6": Table(
        mistakes=(
            Mistake("strides ignored", field_without_strides, "the strides are ignored"),
            Mistake("own stride applied first", field_own_stride, "own stride is applied to its kernel"),
            Mistake("one short", lambda layers: receptive_field(layers) - 1, "one short"),
            Mistake(
                "kernel sizes added up",
                lambda layers: sum(kernel for kernel, _ in layers),
                "counts the shared pixels twice",
            ),
            Mistake(
                "returns a float", lambda layers: float(receptive_field(layers)), "should be a whole number"
            ),
            Mistake("pops the layers", field_pops, "changed the list of layers"),
            Mistake(
                "no layers gives 0",
                lambda layers: receptive_field(layers) if layers else 0,
                "with no layers at all",
            ),
            Mistake("layers in reverse order", field_in_reverse_order, "in the wrong order"),
        ),
        correct=(
            Correct("jump from the input side", receptive_field),
            Correct("from the output back", field_from_the_output_back),
            Correct("products of strides", field_with_products_of_strides),
            Correct("on a copy of the list", lambda layers: receptive_field(list(layers))),
        ),
        not_attempted=(..., stub),
    ),
    "07.7": Table(
        mistakes=(
            Mistake(
                "first convolution without padding", lambda: lenet5(first_padding="valid"), "28 - 5 + 1 = 24"
            ),
            Mistake("second convolution padded", lambda: lenet5(second_padding="same"), "it pads its input"),
            Mistake(
                "eight kernels", lambda: lenet5(kernels=8), "it has 8 channels or units where LeNet-5 has 6"
            ),
            Mistake("3x3 kernels", lambda: lenet5(first_size=3), "its kernels are 3×3"),
            Mistake("no bias", lambda: lenet5(bias=False), "it has no bias"),
            Mistake(
                "no flattening",
                lambda: lenet5(head=[dense(120)]),
                "a Dense layer works on the last axis only",
            ),
            Mistake(
                "batch normalization added", lambda: lenet5(extra=[batch_norm()]), "BatchNormalization layer"
            ),
            Mistake("softmax layer at the end", lenet5_with_softmax_layer, "probabilities"),
            Mistake("softmax on the output layer", lambda: lenet5(output="softmax"), "probabilities"),
            Mistake(
                "output layer missing",
                lenet5_without_its_output_layer,
                "the output layer (10 units) is missing",
            ),
            Mistake("the same model every call", one_lenet_for_every_call(), "the same model"),
            Mistake("returns the layers", lambda: lenet5().layers, "should return a keras.Model"),
            Mistake("no activation at all", lambda: lenet5(hidden=None), "is followed by no activation"),
            Mistake(
                "dense layers without activation",
                lambda: lenet5(dense_hidden="linear"),
                "the first dense layer (120 units) is followed by no activation",
            ),
            Mistake("ReLU on the logits", lambda: lenet5(output="relu"), "so they can never be negative"),
            Mistake(
                "sigmoid on the logits", lambda: lenet5(output="sigmoid"), "so they can never be negative"
            ),
            Mistake(
                "tanh on the logits", lambda: lenet5(output="tanh"), "the output layer changes its scores"
            ),
        ),
        correct=(
            Correct("Sequential with ReLU and max pooling", lenet5),
            Correct("functional with tanh and average pooling", lenet5_classic),
            Correct("activation layers, ReLU after the pooling", lenet5_with_activation_layers),
            Correct("Sequential grown with add", lenet5_add_calls),
        ),
        seeds=TRAINING_SEEDS,
        not_attempted=(..., stub),
    ),
    "07.8": Table(
        mistakes=(
            Mistake("never trained", trained(lenet5, epochs=0), "about what guessing gives"),
            Mistake("barely trained", trained(lenet5, epochs=2, pictures=300), "the bar here is"),
            Mistake(
                "another model trained: 3x3 kernels",
                trained(lambda: lenet5(first_size=3), epochs=0),
                "should be the LeNet-5 that your lenet5() builds",
            ),
            Mistake("the function, not a model", lenet5, "should be a trained keras.Model"),
            Mistake(
                "a dense network of LeNet-5's size",
                trained(dense_network_of_lenets_size, epochs=1),
                "where LeNet-5 has the first convolution",
            ),
            Mistake(
                "no activation at all",
                trained(lambda: lenet5(hidden=None), epochs=0),
                "is followed by no activation",
            ),
            Mistake(
                "ReLU on the logits",
                trained(lambda: lenet5(output="relu"), epochs=0),
                "so they can never be negative",
            ),
            Mistake(
                "softmax on the output layer",
                trained(lambda: lenet5(output="softmax"), epochs=0, loss="probabilities"),
                "the output layer changes its scores",
            ),
        ),
        correct=(
            Correct("Adam and integer labels", trained(lenet5, epochs=2)),
            Correct(
                "tanh and average pooling, one-hot labels", trained(lenet5_classic, epochs=2, loss="one-hot")
            ),
            Correct(
                "RMSprop with a validation split",
                trained(lenet5_with_activation_layers, epochs=3, optimizer="rmsprop", validation_split=0.1),
            ),
        ),
        seeds=TRAINING_SEEDS,
        not_attempted=(...,),
    ),
    "07.9": Table(
        mistakes=(
            Mistake("concatenated, not added", block(merge="concatenate"), "expected"),
            Mistake("stride ignored", lambda x, filters, stride=1: residual_block(x, filters), "expected"),
            Mistake(
                "x never added: the shortcut is the first convolution's output",
                block(shortcut="first convolution"),
                "x never reaches the sum",
            ),
            Mistake(
                "x never added: the shortcut starts from the main path",
                block(shortcut="from the main path"),
                "x never reaches the sum",
            ),
            Mistake("no shortcut at all", block_without_a_shortcut, "x never reaches the sum"),
            Mistake("one convolution only", block(second=False), "two 3×3 convolutions"),
            Mistake(
                "stride on the second convolution",
                block(stride_on="second"),
                "the stride belongs to the first",
            ),
            Mistake("3x3 projection", block(projection_size=3), "should be a 1×1 convolution"),
            Mistake(
                "projection even when x fits",
                block(shortcut="always projected"),
                "the shortcut should be x itself",
            ),
            Mistake("x added without a projection", block(shortcut="identity"), "ValueError"),
            Mistake("no ReLU after the sum", block(relu_after=False), "no ReLU after the sum"),
            Mistake("no ReLU between the convolutions", block(relu_between=False), "no ReLU between the two"),
            Mistake(
                "ReLU on the main path before the sum",
                block(relu_on_main=True),
                "the ReLU comes after the addition",
            ),
            Mistake("returns a keras.Model", block_as_a_model, "should return the block's output"),
        ),
        correct=(
            Correct("Add and ReLU layers", residual_block),
            Correct("x + y and keras.ops.relu", residual_block_with_plus),
            Correct("keras.ops.add, layers made first", residual_block_with_ops_add),
            Correct("BatchNorm after every convolution and the projection", residual_block_with_batchnorm),
        ),
        seeds=TRAINING_SEEDS,
        not_attempted=(..., stub),
    ),
}
