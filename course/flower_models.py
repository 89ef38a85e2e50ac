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
* **global average pooling** instead of ``Flatten`` + a big ``Dense``: the tutorial's
  ``Dense(128)`` holds 4 of its 4.2 million weights, the easiest ones to overfit with;
* **a cosine learning-rate schedule** (see :func:`compile_for_flowers`): fewer epochs suffice.

Both build with ``keras.Input`` and output logits (no softmax): compile with
``SparseCategoricalCrossentropy(from_logits=True)``.
"""

TUTORIAL_SIZE, TUTORIAL_EPOCHS = (180, 180), 15
COMPACT_SIZE, COMPACT_EPOCHS, COMPACT_LEARNING_RATE = (96, 96), 20, 2e-3


def augmentation(flip="horizontal", rotation=0.1, zoom=0.1, seed=None):
    """Random flips, turns and zooms, active only while training (``training=True``)."""
    import keras

    return keras.Sequential(
        [
            keras.layers.RandomFlip(flip, seed=seed),
            keras.layers.RandomRotation(rotation, seed=seed),
            keras.layers.RandomZoom(zoom, seed=seed),
        ],
        name="augmentation",
    )


def _check(num_classes, image_size):
    if not isinstance(num_classes, int) or num_classes < 2:
        raise ValueError(f"num_classes should be an int >= 2, got {num_classes!r}")
    if not (
        isinstance(image_size, (tuple, list))
        and len(image_size) == 2
        and all(isinstance(n, int) and n >= 16 for n in image_size)
    ):
        raise ValueError(
            f"image_size should be (height, width) of at least 16 pixels each, got {image_size!r}"
        )


def tutorial_model(num_classes=5, image_size=TUTORIAL_SIZE, augment=True, dropout=0.2):
    """TensorFlow's tutorial CNN; ``augment=False, dropout=0`` gives its first, overfitting version."""
    import keras
    from keras import layers

    _check(num_classes, image_size)
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


def compact_model(num_classes=5, image_size=COMPACT_SIZE, widths=(32, 64, 128, 256), dropout=0.3):
    """The course's flower CNN: strided stem, separable conv blocks with BatchNorm, global pooling."""
    import keras
    from keras import layers

    _check(num_classes, image_size)
    stack = [keras.Input((*image_size, 3)), augmentation(), layers.Rescaling(1.0 / 255)]
    stack += _conv_bn_relu(layers.Conv2D(widths[0], 3, strides=2, padding="same", use_bias=False))
    for filters in widths[1:]:
        stack += _conv_bn_relu(layers.SeparableConv2D(filters, 3, padding="same", use_bias=False))
        stack.append(layers.MaxPooling2D())
    stack += [layers.GlobalAveragePooling2D(), layers.Dropout(dropout), layers.Dense(num_classes)]
    return keras.Sequential(stack, name="compact_cnn")


def compile_for_flowers(model, learning_rate=1e-3, decay_steps=None):
    """Adam and cross-entropy on logits, reporting accuracy: the tutorial's settings.

    With ``decay_steps`` (epochs × batches per epoch) the learning rate falls from
    ``learning_rate`` to 0 along a half cosine: big steps early, small careful ones at the end,
    so the last epoch's weights are settled rather than bouncing around.
    """
    import keras

    if decay_steps is not None:
        learning_rate = keras.optimizers.schedules.CosineDecay(learning_rate, decay_steps)
    model.compile(
        optimizer=keras.optimizers.Adam(learning_rate=learning_rate),
        loss=keras.losses.SparseCategoricalCrossentropy(from_logits=True),
        metrics=["accuracy"],
    )
    return model
