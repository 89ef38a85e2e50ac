"""Two CNNs for the flower photos: TensorFlow's tutorial model and the course's compact model.

``tutorial_model`` is the model of TensorFlow's image-classification tutorial (three
Conv2D + MaxPooling blocks, Dense 128, 180×180 pictures), with its data augmentation and
dropout. ``compact_model`` is the course's answer: it aims for higher validation accuracy in
less training time by spending its computation where it pays:

* **smaller pictures** (96×96): a convolution costs in proportion to the pixel count, so
  this alone saves about 70% of every layer's work;
* **a strided first convolution** halves the resolution at once, where the feature maps are
  biggest and most expensive;
* **batch normalization** after every convolution keeps activations well scaled, so Adam can
  take larger steps and the network learns in fewer epochs;
* **depthwise-separable convolutions** (``SeparableConv2D``): a 3×3 filter per channel then a
  1×1 convolution mixing channels — nearly the effect of a full 3×3 convolution for a fraction
  of its weights and multiplications;
* **five stages**, each halving the resolution: the last convolution's units see 77×77 of the
  96×96 pixels (the whole flower, not one petal; 37×37 with four stages), and a stage on 6×6
  feature maps costs little;
* **global average pooling** instead of ``Flatten`` + a big ``Dense``: at 180×180 the tutorial's
  ``Dense(128)`` holds 3,965,056 of its 3,989,285 weights, the easiest ones to overfit with;
* **stronger augmentation**: zooming in by up to 30% shows a random crop of each photo, so the
  model must recognise a flower from a part of it, at different sizes;
* **weight decay** (AdamW, see :func:`compile_for_flowers`): weights the data does not keep
  using shrink towards zero, a brake on overfitting a few hundred photos;
* **a cosine learning-rate schedule** (see :func:`compile_for_flowers`): fewer epochs suffice.

Both build with ``keras.Input`` and output logits (no softmax): compile with
``SparseCategoricalCrossentropy(from_logits=True)``.
"""

from .runtime import validate

TUTORIAL_SIZE, TUTORIAL_EPOCHS = (180, 180), 15
COMPACT_SIZE, COMPACT_EPOCHS, COMPACT_LEARNING_RATE, COMPACT_WEIGHT_DECAY = (96, 96), 20, 2e-3, 0.05
COMPACT_ZOOM = (-0.3, 0.1)  # zoom in by up to 30% (a random crop), out by up to 10%
FLIP_MODES = ("horizontal", "vertical", "horizontal_and_vertical")
TRANSFER_SIZE = (96, 96)
MIN_SIDE, MAX_SIDE = 16, 768  # pixels; at 768 the tutorial model's Dense layer holds 75 million weights
MAX_CLASSES, MAX_WIDTH = 10_000, 4096
MIN_PRETRAINED_SIDE = 32  # the smallest picture keras.applications' networks accept


def _factor(value, name):
    """Keras's factor for a random turn or zoom: a number, or a pair ``(lower, upper)``, each in [-1, 1].

    A single number ``f`` means the range ``(-|f|, |f|)``; a pair is a range in either order.
    """
    if not isinstance(value, (tuple, list)):
        return validate.number(value, name, minimum=-1, maximum=1)
    if len(value) != 2:
        raise ValueError(f"{name} must be a number or a pair (lower, upper), got {len(value)} values")
    return tuple(
        validate.number(v, f"{name}[{index}]", minimum=-1, maximum=1) for index, v in enumerate(value)
    )


def _zoom(value):
    """The zoom factor; -1 (zooming in by 100%) would leave no picture, so each end must lie above it."""
    zoom = _factor(value, "zoom")
    if min(zoom if isinstance(zoom, tuple) else (zoom,)) == -1:
        raise ValueError(f"zoom must lie above -1 (zooming in by 100% leaves no picture), got {value}")
    return zoom


def augmentation(flip="horizontal", rotation=0.1, zoom=0.1, seed=None):
    """Random flips, turns and zooms, active only while training (``training=True``).

    ``flip`` is one of :data:`FLIP_MODES`. ``rotation`` is a fraction of a full turn and
    ``zoom`` a fraction of the picture: a number ``f`` for the range ``(-f, f)``, or a pair
    ``(lower, upper)`` (for ``zoom``, negative values zoom in and positive ones zoom out).
    """
    import keras

    flip = validate.choice(flip, "flip", FLIP_MODES)
    rotation, zoom = _factor(rotation, "rotation"), _zoom(zoom)
    if seed is not None:
        seed = validate.integer(seed, "seed", minimum=0)
    return keras.Sequential(
        [
            keras.layers.RandomFlip(flip, seed=seed),
            keras.layers.RandomRotation(rotation, seed=seed),
            keras.layers.RandomZoom(zoom, seed=seed),
        ],
        name="augmentation",
    )


def _check(num_classes, image_size):
    """Refuse a class count or a picture size the models cannot be built for."""
    validate.integer(num_classes, "num_classes", minimum=2, maximum=MAX_CLASSES)
    height, width = validate.pair(image_size, "image_size", minimum=MIN_SIDE)
    validate.size_limit(max(height, width), "the larger side of image_size", MAX_SIDE)
    return height, width


def _rate(dropout):
    """The dropout rate: the fraction of units dropped, at least 0 and below 1."""
    dropout = validate.number(dropout, "dropout", minimum=0, maximum=1)
    if dropout == 1:
        raise ValueError("dropout must be below 1: dropping every unit leaves nothing to learn from")
    return dropout


def tutorial_model(num_classes=5, image_size=TUTORIAL_SIZE, augment=True, dropout=0.2):
    """TensorFlow's tutorial CNN; ``augment=False, dropout=0`` gives its first, overfitting version."""
    import keras
    from keras import layers

    image_size = _check(num_classes, image_size)
    if not isinstance(augment, bool):
        raise TypeError(f"augment must be True or False, got {validate.received(augment)}")
    dropout = _rate(dropout)
    stack = [keras.Input((*image_size, 3))]
    if augment:
        stack.append(augmentation())
    stack.append(layers.Rescaling(1.0 / 255))
    for filters in (16, 32, 64):
        stack += [layers.Conv2D(filters, 3, padding="same", activation="relu"), layers.MaxPooling2D()]
    if dropout:
        stack.append(layers.Dropout(dropout))
    stack += [layers.Flatten(), layers.Dense(128, activation="relu"), layers.Dense(num_classes)]
    return keras.Sequential(stack, name="tutorial_cnn" if augment else "tutorial_baseline")


def _conv_bn_relu(layer):
    """A convolution without bias (BatchNorm's shift replaces it), BatchNorm, ReLU."""
    from keras import layers

    # momentum 0.9: the running mean and variance used for prediction settle within ~50 steps
    return [layer, layers.BatchNormalization(momentum=0.9), layers.ReLU()]


def compact_model(num_classes=5, image_size=COMPACT_SIZE, widths=(32, 64, 128, 256, 256), dropout=0.3):
    """The course's flower CNN: strided stem, separable conv blocks with BatchNorm, global pooling.

    ``widths`` gives the filters of each stage: the stem (a stride-2 convolution), then one
    separable convolution and a 2×2 max pooling per stage, so each side must be at least
    ``2 ** len(widths)`` pixels.
    """
    import keras
    from keras import layers

    image_size = _check(num_classes, image_size)
    if not isinstance(widths, (tuple, list)) or not widths:
        raise TypeError(
            f"widths must be a non-empty tuple of filter counts like (32, 64), got {validate.received(widths)}"
        )
    widths = [
        validate.integer(n, f"widths[{index}]", minimum=1, maximum=MAX_WIDTH)
        for index, n in enumerate(widths)
    ]
    if min(image_size) < 2 ** len(widths):
        raise ValueError(
            f"image_size must be at least {2 ** len(widths)} pixels a side for {len(widths)} stages "
            f"(each halves it), got {image_size}"
        )
    dropout = _rate(dropout)
    stack = [keras.Input((*image_size, 3)), augmentation(zoom=COMPACT_ZOOM), layers.Rescaling(1.0 / 255)]
    stack += _conv_bn_relu(layers.Conv2D(widths[0], 3, strides=2, padding="same", use_bias=False))
    for filters in widths[1:]:
        stack += _conv_bn_relu(layers.SeparableConv2D(filters, 3, padding="same", use_bias=False))
        stack.append(layers.MaxPooling2D())
    stack += [layers.GlobalAveragePooling2D(), layers.Dropout(dropout), layers.Dense(num_classes)]
    return keras.Sequential(stack, name="compact_cnn")


def pretrained_base(image_size=TRANSFER_SIZE):
    """MobileNetV3Small without its classifier, with its ImageNet weights when they can be had.

    Returns ``(base, pretrained)``. The base takes pictures with values 0-255 (it rescales them
    itself) and gives feature maps of 576 channels. Its weights come through the course's data
    layer (:func:`course.data.pretrained.imagenet_weights`: a local copy, the cache, or a download
    checked against the md5 that Keras publishes). When they cannot be had, one line says so, the
    base keeps its random initial weights and ``pretrained`` is False.
    """
    import keras

    from .data.downloads import DatasetUnavailable
    from .data.pretrained import imagenet_weights

    height, width = validate.pair(image_size, "image_size", minimum=MIN_PRETRAINED_SIDE)
    validate.size_limit(max(height, width), "the larger side of image_size", MAX_SIDE)
    base = keras.applications.MobileNetV3Small(
        input_shape=(height, width, 3), include_top=False, weights=None
    )
    try:
        weights = imagenet_weights()
    except DatasetUnavailable as reason:
        print(
            f"The ImageNet weights are unavailable ({reason}): the base keeps its random initial weights "
            "(offline fallback), so it has learned nothing that could be transferred."
        )
        return base, False
    base.load_weights(weights)
    return base, True


def compile_for_flowers(model, learning_rate=1e-3, decay_steps=None, weight_decay=None):
    """Adam and cross-entropy on logits, reporting accuracy: the tutorial's settings.

    With ``decay_steps`` (epochs × batches per epoch) the learning rate falls from
    ``learning_rate`` to 0 along a half cosine: big steps early, small careful ones at the end,
    so the last epoch's weights are settled rather than bouncing around. With ``weight_decay``
    the optimizer is AdamW: every step also shrinks each weight by ``learning rate ×
    weight_decay`` of itself, so weights that the data does not keep pushing fade away.
    """
    import keras

    if not isinstance(model, keras.Model):
        raise TypeError(f"model must be a keras.Model, got {validate.received(model)}")
    learning_rate = validate.number(learning_rate, "learning_rate", maximum=10, positive=True)
    if decay_steps is not None:
        decay_steps = validate.integer(decay_steps, "decay_steps", minimum=1)
        learning_rate = keras.optimizers.schedules.CosineDecay(learning_rate, decay_steps)
    if weight_decay is None:
        optimizer = keras.optimizers.Adam(learning_rate=learning_rate)
    else:
        weight_decay = validate.number(weight_decay, "weight_decay", minimum=0, maximum=1)
        optimizer = keras.optimizers.AdamW(learning_rate=learning_rate, weight_decay=weight_decay)
    model.compile(
        optimizer=optimizer,
        loss=keras.losses.SparseCategoricalCrossentropy(from_logits=True),
        metrics=["accuracy"],
    )
    return model
