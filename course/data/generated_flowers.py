"""A generated stand-in for the flower photos, for when the real ones cannot be downloaded.

:func:`make_flower_folder` draws ``per_class`` images for each of the five classes of
TensorFlow's ``flower_photos`` (daisy, dandelion, roses, sunflowers, tulips) and writes them
as PNG files into one folder per class, the layout ``image_dataset_from_directory`` reads.
Everything follows from one seed, so the same call always makes the same pictures.

Each class has its typical look: daisies have many thin white petals round a small yellow
disc, sunflowers yellow petals round a large brown disc, dandelions a dense yellow pompom (or
a grey seed head), roses a round bloom with a spiral of petals, tulips a cup seen from the
side on a green stem. To make the task hard enough that a small CNN overfits, every picture
varies: position, size, turn and tilt of the flower (pose and scale), jittered colours that
overlap between classes, cluttered backgrounds with leaves and blobs, extra small flowers,
and objects that hide part of the flower (occlusion).
"""

import os
import stat

import numpy as np

from ..runtime import validate

CLASSES = ("daisy", "dandelion", "roses", "sunflowers", "tulips")
MIN_SIZE, MAX_SIZE = 16, 1024  # pixels per side
MAX_PER_CLASS = 10_000

# base colours (RGB in [0, 1]) each class picks from before jitter
PETAL_COLOURS = {
    "daisy": [(0.97, 0.97, 0.95), (0.95, 0.9, 0.95), (0.92, 0.92, 0.85)],
    "dandelion": [(0.98, 0.82, 0.1), (0.95, 0.7, 0.05), (0.99, 0.88, 0.25)],
    "roses": [(0.8, 0.05, 0.12), (0.95, 0.45, 0.6), (0.98, 0.8, 0.8), (0.95, 0.6, 0.2), (0.6, 0.02, 0.1)],
    "sunflowers": [(0.99, 0.8, 0.05), (0.98, 0.65, 0.05), (0.95, 0.85, 0.2)],
    "tulips": [
        (0.9, 0.1, 0.15),
        (0.95, 0.5, 0.7),
        (0.98, 0.85, 0.15),
        (0.55, 0.2, 0.6),
        (0.98, 0.5, 0.1),
        (0.97, 0.95, 0.9),
    ],
}


def _grid(size):
    """Pixel coordinates ``(x, y)`` of a size×size image, each of shape (size, size)."""
    y, x = np.mgrid[0:size, 0:size].astype(np.float32)
    return x, y


def _paint(canvas, alpha, colour):
    """Blend ``colour`` (RGB, or an image) into ``canvas`` where ``alpha`` (0..1) says how much."""
    alpha = np.clip(alpha, 0, 1)[..., None]
    canvas *= 1 - alpha
    canvas += alpha * np.asarray(colour, np.float32)


def _soft(distance, edge=1.2):
    """Coverage from a signed distance (positive inside): a one-pixel soft edge, no jaggies."""
    return np.clip(distance / edge + 0.5, 0, 1)


def _jitter(rng, colour, amount=0.12):
    return np.clip(
        np.asarray(colour) * rng.uniform(1 - amount, 1 + amount, 3) + rng.normal(0, amount / 3), 0, 1
    )


def _polar(x, y, cx, cy, turn, tilt, tilt_axis):
    """Polar coordinates around a flower centred at (cx, cy), turned and tilted away from the camera."""
    dx, dy = x - cx, y - cy
    c, s = np.cos(tilt_axis), np.sin(tilt_axis)
    u, v = c * dx + s * dy, (-s * dx + c * dy) / tilt  # a tilted disc looks like an ellipse
    return np.hypot(u, v), np.arctan2(v, u) + turn


def _background(rng, size, x, y):
    """Grass, sky or soil as a gradient, with leaves and blobs scattered over it (clutter)."""
    top, bottom = rng.choice(
        [(0.45, 0.65, 0.9), (0.3, 0.5, 0.2), (0.45, 0.35, 0.25), (0.2, 0.35, 0.15), (0.7, 0.72, 0.7)], 2
    )
    t = (y / size)[..., None]
    canvas = (1 - t) * _jitter(rng, top, 0.2) + t * _jitter(rng, bottom, 0.2)
    canvas = canvas.astype(np.float32)
    for _ in range(rng.integers(3, 12)):
        _paint(
            canvas,
            _blob(rng, size, x, y, scale=rng.uniform(0.05, 0.3)),
            _jitter(rng, _clutter_colour(rng), 0.2),
        )
    return canvas


def _clutter_colour(rng):
    greens = [(0.2, 0.45, 0.15), (0.35, 0.55, 0.2), (0.1, 0.3, 0.1)]
    others = [(0.5, 0.4, 0.3), (0.8, 0.8, 0.75), (0.9, 0.8, 0.3), (0.6, 0.2, 0.3)]
    return greens[rng.integers(len(greens))] if rng.random() < 0.7 else others[rng.integers(len(others))]


def _blob(rng, size, x, y, scale):
    """A leaf-like ellipse of random place, size and angle, as coverage."""
    cx, cy = rng.uniform(0, size, 2)
    a = scale * size
    b = a * rng.uniform(0.25, 0.8)
    angle = rng.uniform(0, np.pi)
    u = (x - cx) * np.cos(angle) + (y - cy) * np.sin(angle)
    v = -(x - cx) * np.sin(angle) + (y - cy) * np.cos(angle)
    return _soft((1 - np.hypot(u / a, v / b)) * b)


def _petal_ring(r, theta, radius, petals, base, sharpness, ragged=None):
    """Coverage of ``petals`` petals whose tips reach ``radius``; ``sharpness`` thins them."""
    reach = base + (1 - base) * np.abs(np.cos(petals * theta / 2)) ** sharpness
    if ragged is not None:
        reach = reach * ragged
    return _soft(radius * reach - r)


def _daisy(canvas, rng, r, theta, radius, colour):
    petals = rng.integers(14, 24)
    _paint(canvas, _petal_ring(r, theta, radius, petals, 0.15, 3.0), colour)
    _paint(
        canvas, _petal_ring(r, theta + np.pi / petals, radius * 0.9, petals, 0.15, 3.0) * 0.6, colour * 0.85
    )
    _paint(canvas, _soft(radius * rng.uniform(0.18, 0.28) - r), _jitter(rng, (0.95, 0.75, 0.1)))


def _sunflower(canvas, rng, r, theta, radius, colour):
    petals = rng.integers(16, 28)
    _paint(canvas, _petal_ring(r, theta, radius, petals, 0.35, 1.5), colour)
    disc = radius * rng.uniform(0.4, 0.55)
    seeds = 0.75 + 0.25 * np.sin(r * 1.7) * np.sin(theta * 21)  # the seed pattern of the disc
    _paint(canvas, _soft(disc - r), _jitter(rng, (0.35, 0.2, 0.08))[None, None, :] * seeds[..., None])


def _dandelion(canvas, rng, r, theta, radius, colour):
    if rng.random() < 0.3:  # a seed head: a grey-white ball of fine rays
        rays = 0.75 + 0.25 * np.abs(np.sin(theta * rng.integers(30, 50)))
        _paint(canvas, _soft(radius * rays - r) * 0.85, _jitter(rng, (0.9, 0.9, 0.88), 0.05))
        _paint(canvas, _soft(radius * 0.12 - r), (0.5, 0.45, 0.3))
        return
    ragged = 1 + 0.12 * np.sin(theta * rng.integers(35, 60)) * np.cos(theta * rng.integers(7, 13))
    for layer, shade in ((1.0, 1.0), (0.7, 0.92), (0.4, 0.8)):
        _paint(
            canvas,
            _petal_ring(r, theta * 1.3 + layer, radius * layer, rng.integers(40, 70), 0.6, 1.0, ragged),
            colour * shade,
        )


def _rose(canvas, rng, r, theta, radius, colour):
    outline = _petal_ring(r, theta, radius, rng.integers(5, 8), 0.8, 1.0)
    spiral = 0.72 + 0.28 * np.cos(3.0 * np.log1p(r) * rng.uniform(2, 3.5) + theta) ** 2  # curled petal edges
    depth = 1 - 0.35 * np.clip(1 - r / radius, 0, 1)  # the centre is in shadow
    _paint(canvas, outline, colour[None, None, :] * (spiral * depth)[..., None])


def _tulip(canvas, rng, x, y, cx, cy, radius, colour):
    """A tulip from the side: a stem, and a cup with three pointed tips, leaning a little."""
    lean = rng.uniform(-0.35, 0.35)
    dx, dy = x - cx, y - cy
    u, v = np.cos(lean) * dx + np.sin(lean) * dy, -np.sin(lean) * dx + np.cos(lean) * dy
    stem = _soft(radius * 0.09 - np.abs(u)) * (v > 0)
    _paint(canvas, stem, _jitter(rng, (0.25, 0.5, 0.2)))
    width, height = radius * rng.uniform(0.55, 0.75), radius * rng.uniform(0.8, 1.05)
    body = width * np.sqrt(np.clip(1 - (v / height) ** 2, 0, 1)) - np.abs(u)
    tips = v > -height * (0.55 + 0.35 * np.abs(np.cos(3 * np.pi * u / (2 * width))))  # three points on top
    shading = 0.8 + 0.2 * np.cos(np.pi * u / (2 * width))
    _paint(canvas, _soft(body) * tips * (v < height * 0.3), colour[None, None, :] * shading[..., None])


def _flower(canvas, rng, kind, x, y, cx, cy, radius):
    colours = PETAL_COLOURS[kind]
    colour = _jitter(rng, colours[rng.integers(len(colours))])
    if kind == "tulips":
        _tulip(canvas, rng, x, y, cx, cy, radius, colour)
        return
    r, theta = _polar(x, y, cx, cy, rng.uniform(0, 2 * np.pi), rng.uniform(0.55, 1.0), rng.uniform(0, np.pi))
    draw = {"daisy": _daisy, "dandelion": _dandelion, "roses": _rose, "sunflowers": _sunflower}[kind]
    draw(canvas, rng, r, theta, radius, colour)


def flower_image(kind, rng, size=128):
    """One generated photo of a ``kind`` flower: a uint8 array of shape (size, size, 3).

    ``rng`` is a NumPy generator (``np.random.default_rng(seed)``): it makes every choice.
    """
    validate.choice(kind, "kind", CLASSES)
    if not isinstance(rng, np.random.Generator):
        raise TypeError(
            f"rng must be a NumPy generator such as np.random.default_rng(0), got {validate.received(rng)}"
        )
    size = validate.integer(size, "size", minimum=MIN_SIZE, maximum=MAX_SIZE)
    x, y = _grid(size)
    canvas = _background(rng, size, x, y)
    for _ in range(rng.choice([0, 0, 1, 2])):  # small companions of the same kind
        _flower(canvas, rng, kind, x, y, *rng.uniform(0, size, 2), size * rng.uniform(0.08, 0.16))
    centre = size * rng.uniform(0.3, 0.7, 2)
    _flower(canvas, rng, kind, x, y, *centre, size * rng.uniform(0.2, 0.42))
    if rng.random() < 0.4:  # a leaf or an object in front of the flower
        _paint(
            canvas,
            _blob(rng, size, x, y, scale=rng.uniform(0.12, 0.3)),
            _jitter(rng, _clutter_colour(rng), 0.2),
        )
    light = rng.uniform(0.75, 1.15)
    canvas = canvas * light + rng.normal(0, 0.03, canvas.shape)
    return np.clip(canvas * 255, 0, 255).astype(np.uint8)


def check_recipe(per_class, size, seed):
    """Refuse (TypeError, ValueError) arguments that :func:`make_flower_folder` cannot draw from."""
    validate.integer(per_class, "per_class", minimum=1, maximum=MAX_PER_CLASS)
    validate.integer(size, "size", minimum=MIN_SIZE, maximum=MAX_SIZE)
    validate.integer(seed, "seed", minimum=0)


def make_flower_folder(folder, per_class=60, size=64, seed=0):
    """Write ``per_class`` PNG images per class into ``folder/<class>/``; returns ``folder``.

    A folder made earlier with the same arguments is reused (a ``complete`` file marks it).
    The defaults are the small FAST-mode set (about a second's work); the notebooks' full
    set, 300 pictures of 128×128 per class, comes from :func:`course.data.flowers.generated_flower_folder`.
    """
    from PIL import Image

    from ..runtime.settings import disk_error

    folder = validate.path(folder, "folder", kind="folder")  # missing (made here) or a folder
    check_recipe(per_class, size, seed)
    marker = folder / "complete"
    recipe = f"per_class={per_class} size={size} seed={seed}\n"
    if _is_regular(marker) and _text(marker) == recipe:
        return folder
    if folder.is_dir() and not os.access(folder, os.W_OK | os.X_OK):
        raise ValueError(
            f"cannot write the generated pictures into {folder} (permission denied): make the folder "
            "writable, or choose another one"
        )
    try:
        for index, kind in enumerate(CLASSES):
            rng = np.random.default_rng([seed, index])
            validate.path(folder / kind, "a class folder", kind="folder")
            (folder / kind).mkdir(parents=True, exist_ok=True)
            for n in range(per_class):
                picture = folder / kind / f"{kind}_{n:04d}.png"
                validate.path(picture, "a picture", kind="file")  # never written through a FIFO
                Image.fromarray(flower_image(kind, rng, size)).save(picture)
        validate.path(marker, "the folder's complete file", kind="file")
        marker.write_text(recipe)
    except OSError as error:  # a full disk, a read-only folder
        raise disk_error(folder, error, "write the generated pictures into") from error
    return folder


def _text(path):
    """The text of the file ``path``; None when it cannot be read."""
    try:
        return path.read_text()
    except (OSError, UnicodeDecodeError):
        return None


def _is_regular(path):
    """Is ``path`` a regular file (not a folder, a FIFO or a device; a symbolic link to a file is one)?"""
    try:
        return stat.S_ISREG(os.stat(path).st_mode)
    except (OSError, ValueError):
        return False
