"""The generated flowers, the flower loader (local copy, archive, fallback), the models, the bench and the
pretrained weights."""

import hashlib
import json
import os
import shutil
import tarfile
import warnings

import numpy as np
import pytest

from course.data import flowers
from course.data.downloads import entry
from course.data.generated_flowers import CLASSES, flower_image, make_flower_folder
from course.data.pretrained import imagenet_weights
from course.flower_models import (
    augmentation,
    compact_model,
    compile_for_flowers,
    pretrained_base,
    tutorial_model,
)


@pytest.fixture
def workfolder(tmp_path, monkeypatch):
    monkeypatch.setenv("COURSE_WORKDIR", str(tmp_path / "work"))
    monkeypatch.delenv("COURSE_DATA_DIR", raising=False)
    monkeypatch.delenv("COURSE_DATA_MIRROR", raising=False)
    return tmp_path


def test_flower_images_are_deterministic_and_varied():
    rng = np.random.default_rng(5)
    first = [flower_image("roses", rng, size=48) for _ in range(2)]
    again = flower_image("roses", np.random.default_rng(5), size=48)
    assert first[0].shape == (48, 48, 3) and first[0].dtype == np.uint8
    assert np.array_equal(first[0], again)
    assert not np.array_equal(first[0], first[1])
    means = {
        kind: np.mean([flower_image(kind, np.random.default_rng(n), 48) for n in range(6)], axis=(0, 1, 2))
        for kind in CLASSES
    }
    assert means["sunflowers"][0] > means["sunflowers"][2]  # yellow petals: more red+green than blue
    assert len({tuple(np.round(m, -1)) for m in means.values()}) > 1


@pytest.mark.parametrize(
    "call, error, says",
    [
        (lambda: flower_image("lily", np.random.default_rng(0)), ValueError, "kind must be one of"),
        (lambda: flower_image(3, np.random.default_rng(0)), TypeError, "kind must be one of"),
        (lambda: flower_image("daisy", 0), TypeError, "rng must be a NumPy generator"),
        (
            lambda: flower_image("daisy", np.random.default_rng(0), size=8),
            ValueError,
            "size must be between 16",
        ),
        (
            lambda: flower_image("daisy", np.random.default_rng(0), size=10**9),
            ValueError,
            "size must be between",
        ),
        (lambda: make_flower_folder("unused", per_class=0), ValueError, "per_class must be between 1"),
        (lambda: make_flower_folder("unused", per_class=2.5), TypeError, "per_class must be an int"),
        (lambda: make_flower_folder(True), TypeError, "folder must be a path"),
        (lambda: make_flower_folder("unused", seed=-1), ValueError, "seed must be >= 0"),
    ],
)
def test_flower_image_rejects_bad_arguments(call, error, says):
    with pytest.raises(error, match=says):
        call()


def test_make_flower_folder_writes_class_folders_once(tmp_path):
    folder = make_flower_folder(tmp_path / "flowers", per_class=3, size=32, seed=1)
    assert sorted(p.name for p in folder.iterdir() if p.is_dir()) == list(CLASSES)
    files = sorted(folder.glob("*/*.png"))
    assert len(files) == 15
    stamp = files[0].stat().st_mtime_ns
    make_flower_folder(folder, per_class=3, size=32, seed=1)
    assert files[0].stat().st_mtime_ns == stamp  # reused, not redrawn


def test_registry_entry_for_flower_photos():
    item = entry("flower_photos")
    assert (
        item["origin"]
        == "https://storage.googleapis.com/download.tensorflow.org/example_images/flower_photos.tgz"
    )
    assert len(item["sha256"]) == 64 and item["extract"] and item["folder"] == "flower_photos"


def test_offline_loader_falls_back_to_generated_flowers(workfolder, monkeypatch, capsys):
    monkeypatch.setattr("course.data.downloads.reachable", lambda url, timeout=0: False)
    monkeypatch.setenv("COURSE_FAST", "1")
    folder = flowers.flower_photos_folder()
    assert "unavailable" in capsys.readouterr().out and "generated" in folder.name
    assert {p.name for p in folder.iterdir() if p.is_dir()} == set(CLASSES)


def _small_photo_folder(root):
    return make_flower_folder(root / "flower_photos", per_class=5, size=24, seed=2)


def test_local_folder_from_course_data_dir(workfolder, monkeypatch):
    _small_photo_folder(workfolder / "classroom")
    monkeypatch.setenv("COURSE_DATA_DIR", str(workfolder / "classroom"))
    assert flowers.flower_photos_folder() == workfolder / "classroom" / "flower_photos"


def test_local_archive_is_extracted_into_the_cache(workfolder, monkeypatch):
    source = _small_photo_folder(workfolder / "made")
    (workfolder / "classroom").mkdir()
    with tarfile.open(workfolder / "classroom" / "flower_photos.tgz", "w:gz") as archive:
        archive.add(source, arcname="flower_photos")
    monkeypatch.setenv("COURSE_DATA_DIR", str(workfolder / "classroom"))
    folder = flowers.flower_photos_folder()
    assert folder.name == "flower_photos" and str(folder).startswith(str(workfolder / "work"))
    assert len(list(folder.glob("*/*.png"))) == 25


def test_load_flowers_gives_cached_tf_datasets(workfolder):
    folder = _small_photo_folder(workfolder)
    train, validation, class_names = flowers.load_flowers(folder, image_size=(20, 20), batch_size=4)
    assert class_names == list(CLASSES)
    images, labels = next(iter(train))
    assert images.shape[1:] == (20, 20, 3) and images.dtype.name == "float32" and labels.dtype.name == "int32"
    n_train = sum(len(y) for _, y in train)
    n_val = sum(len(y) for _, y in validation)
    assert (n_train, n_val) == (20, 5) and len(validation.file_paths) == 5
    first, again = (np.concatenate([y.numpy() for _, y in validation]) for _ in range(2))
    assert np.array_equal(first, again)  # the validation set is the same in every epoch


def test_load_flowers_validates(workfolder, tmp_path):
    with pytest.raises(TypeError, match="image_size must be an int or a pair of ints"):
        flowers.load_flowers(tmp_path, image_size=(180, 180, 3))
    with pytest.raises(ValueError, match="image_size must be >= 1"):
        flowers.load_flowers(tmp_path, image_size=(0, 180))
    with pytest.raises(ValueError, match="validation_split should be between 0 and 1"):
        flowers.load_flowers(tmp_path, validation_split=1.5)
    with pytest.raises(TypeError, match="batch_size must be an int"):
        flowers.load_flowers(tmp_path, batch_size=None)
    with pytest.raises(TypeError, match="folder must be a path"):
        flowers.load_flowers(2)
    with pytest.raises(FileNotFoundError, match="folder: no file or folder"):
        flowers.load_flowers(tmp_path / "missing")
    with pytest.raises(ValueError, match="should hold one folder per class"):
        flowers.load_flowers(tmp_path)


def test_models_have_the_expected_shapes_and_sizes():
    import keras

    tutorial = tutorial_model()
    assert tutorial.count_params() == 3_989_285  # the tutorial's augmented model
    assert tutorial.output_shape == (None, 5)
    compact = compact_model(image_size=(64, 64))
    assert compact.output_shape == (None, 5) and compact.count_params() == 117_957
    assert compact.layers[-4].output.shape == (None, 2, 2, 256)  # five stages: 64 / 2**5
    assert any(isinstance(layer, keras.layers.BatchNormalization) for layer in compact.layers)
    zoom = next(layer for layer in compact.layers[0].layers if isinstance(layer, keras.layers.RandomZoom))
    assert zoom.height_factor == (-0.3, 0.1)  # zooming in by up to 30%: random crops
    optimizer = compile_for_flowers(compact, 2e-3, decay_steps=10, weight_decay=0.05).optimizer
    assert isinstance(optimizer, keras.optimizers.AdamW) and optimizer.weight_decay == 0.05
    assert type(compile_for_flowers(tutorial, 1e-3).optimizer) is keras.optimizers.Adam
    pictures = np.random.default_rng(0).uniform(0, 255, (2, 64, 64, 3)).astype("float32")
    assert np.allclose(augmentation()(pictures, training=False), pictures, atol=1e-3)


@pytest.mark.parametrize(
    "call, error, says",
    [
        (lambda: compact_model(num_classes=1), ValueError, "num_classes must be between 2"),
        (lambda: compact_model(num_classes=5.0), TypeError, "num_classes must be an int"),
        (lambda: tutorial_model(image_size=(8, 8)), ValueError, "image_size must be >= 16"),
        (lambda: tutorial_model(image_size=(10**6, 10**6)), ValueError, "the larger side of image_size"),
        (lambda: tutorial_model(image_size="180x180"), TypeError, "image_size must be an int or a pair"),
        (lambda: tutorial_model(augment="yes"), TypeError, "augment must be True or False"),
        (lambda: tutorial_model(dropout=1.0), ValueError, "dropout must be below 1"),
        (lambda: tutorial_model(dropout=float("nan")), ValueError, "dropout must be a finite number"),
        (lambda: compact_model(widths=()), TypeError, "widths must be a non-empty tuple"),
        (lambda: compact_model(widths=(32, 0)), ValueError, r"widths\[1\] must be between 1"),
        (lambda: compact_model(image_size=(31, 96)), ValueError, "at least 32 pixels a side for 5 stages"),
        (lambda: compact_model(widths=(8,) * 12), ValueError, "at least 4096 pixels a side for 12 stages"),
        (lambda: augmentation(flip="diagonal"), ValueError, "flip must be one of"),
        (lambda: augmentation(flip=True), TypeError, "flip must be one of"),
        (lambda: augmentation(rotation=1.5), ValueError, "rotation must be between -1 and 1"),
        (lambda: augmentation(rotation="0.1"), TypeError, "rotation must be a number"),
        (lambda: augmentation(rotation=(0.1, 0.2, 0.3)), ValueError, "rotation must be a number or a pair"),
        (lambda: augmentation(zoom=(-1, 0.2)), ValueError, "zoom must lie above -1"),
        (lambda: augmentation(zoom=-1), ValueError, "zoom must lie above -1"),
        (lambda: augmentation(zoom=(0.1, float("inf"))), ValueError, r"zoom\[1\] must be a finite number"),
        (lambda: augmentation(seed=-3), ValueError, "seed must be >= 0"),
        (lambda: compile_for_flowers("model"), TypeError, "model must be a keras.Model"),
        (
            lambda: compile_for_flowers(tutorial_model(), learning_rate=0),
            ValueError,
            "learning_rate must be > 0",
        ),
        (
            lambda: compile_for_flowers(tutorial_model(), decay_steps=2.5),
            TypeError,
            "decay_steps must be an int",
        ),
        (
            lambda: compile_for_flowers(tutorial_model(), weight_decay=-0.1),
            ValueError,
            "weight_decay must be between 0 and 1",
        ),
        (
            lambda: compile_for_flowers(tutorial_model(), weight_decay="0.05"),
            TypeError,
            "weight_decay must be a number",
        ),
    ],
)
def test_model_builders_keep_the_error_policy(call, error, says):
    with pytest.raises(error, match=says):
        call()


@pytest.mark.parametrize("rotation", [-0.1, (-0.1, 0.05), (0.05, -0.1), 0, 1])
@pytest.mark.parametrize("zoom", [-0.2, (-0.3, -0.2), (0.2, 0.3), 0.1, 1])
def test_augmentation_takes_every_range_keras_takes(rotation, zoom):
    import keras

    layers = augmentation(rotation=rotation, zoom=zoom, seed=1).layers
    assert isinstance(layers[1], keras.layers.RandomRotation) and isinstance(
        layers[2], keras.layers.RandomZoom
    )


def test_bench_trains_both_models_and_prints_ratios(workfolder, capsys):
    from course.tools.bench.flowers import cli

    folder = make_flower_folder(workfolder / "flowers", per_class=4, size=32, seed=3)
    assert (
        cli(
            ["--data", str(folder), "--tutorial-epochs", "1", "--compact-epochs", "1", "--compact-size", "32"]
            + ["--seed", "3"]
        )
        == 0
    )
    out = capsys.readouterr().out
    assert "tutorial: 180x180 px, 1 epochs" in out and "compact: 32x32 px, 1 epochs" in out
    assert "weights, seed 3 |" in out and "compact / tutorial: accuracy" in out and "CPU time" in out
    assert "mean (range)" not in out  # one seed: nothing to summarise


def test_bench_summarises_several_seeds_by_mean_and_range(workfolder, monkeypatch, capsys):
    from course.tools.bench import flowers as bench

    figures = {0: (0.5, 0.6, 0.7), 1: (0.7, 0.8, 0.5), 2: (0.6, 0.7, 0.6)}  # a stand-in for two trainings
    monkeypatch.setattr(bench, "_compare", lambda folder, args, seed: figures[seed])
    assert bench.cli(["--data", str(_small_photo_folder(workfolder)), "--seed", "0", "1", "2"]) == 0
    assert capsys.readouterr().out.endswith(
        "mean (range) over seeds 0, 1, 2: tutorial accuracy 0.600 (0.500-0.700), "
        "compact accuracy 0.700 (0.600-0.800), CPU time ratio 0.600 (0.500-0.700)\n"
    )


# --- damaged pictures and archives are named before TensorFlow sees them ------------------------------


@pytest.mark.parametrize(
    "content, says",
    [(b"", "is empty"), (b"<html>404 Not Found</html>", "is not a JPEG, PNG, GIF or BMP picture")],
    ids=["zero bytes", "not a picture"],
)
def test_a_broken_picture_is_named_before_tensorflow_reads_it(workfolder, content, says):
    folder = _small_photo_folder(workfolder)
    broken = folder / "roses" / "broken.jpg"
    broken.write_bytes(content)
    with pytest.raises(ValueError, match=f"{broken}.*{says}|{broken} {says}"):
        flowers.load_flowers(folder, image_size=(20, 20), batch_size=4)


def test_pictures_of_any_known_format_and_other_files_pass(workfolder):
    folder = _small_photo_folder(workfolder)
    (folder / "roses" / "notes.txt").write_text("not read by Keras")  # not a picture suffix: ignored
    (folder / "LICENSE.txt").write_text("licence")
    _, _, class_names = flowers.load_flowers(folder, image_size=(20, 20), batch_size=4)
    assert class_names == list(CLASSES)


def test_a_split_that_leaves_a_subset_empty_is_refused(workfolder):
    folder = make_flower_folder(workfolder / "one", per_class=1, size=16)
    with pytest.raises(ValueError, match="leaves 5 for training and 0 for validation"):
        flowers.load_flowers(folder, validation_split=0.1)


def _archive(workfolder):
    source = _small_photo_folder(workfolder / "made")
    (workfolder / "classroom").mkdir()
    path = workfolder / "classroom" / "flower_photos.tgz"
    with tarfile.open(path, "w:gz") as archive:
        archive.add(source, arcname="flower_photos")
    return path


@pytest.mark.parametrize(
    "damage",
    [lambda data: data[: len(data) // 2], lambda data: b"", lambda data: b"<html>" + data[100:]],
    ids=["truncated", "empty", "garbage"],
)
def test_a_damaged_archive_is_named_and_kept(workfolder, monkeypatch, damage):
    archive = _archive(workfolder)
    archive.write_bytes(damage(archive.read_bytes()))
    monkeypatch.setenv("COURSE_DATA_DIR", str(archive.parent))
    with pytest.raises(ValueError, match=f"{archive} is damaged or not a .tgz archive"):
        flowers.flower_photos_folder()
    assert archive.exists()


def test_a_half_extracted_archive_is_extracted_again(workfolder, monkeypatch):
    archive = _archive(workfolder)
    monkeypatch.setenv("COURSE_DATA_DIR", str(archive.parent))
    folder = flowers.flower_photos_folder()
    (folder.parent / "complete").unlink()  # as if the extraction had been cut short
    next(folder.glob("daisy/*.png")).unlink()
    monkeypatch.delenv("COURSE_DATA_DIR")
    monkeypatch.setattr("course.data.downloads.reachable", lambda url, timeout=0: False)
    monkeypatch.setenv("COURSE_FAST", "1")
    assert "generated" in flowers.flower_photos_folder().name  # the half folder is not used
    monkeypatch.setenv("COURSE_DATA_DIR", str(archive.parent))
    assert len(list(flowers.flower_photos_folder().glob("*/*.png"))) == 25  # extracted afresh


def snapshot(folder):
    """``{relative path: bytes (or 'dir', or the link's target)}`` of everything under ``folder``."""
    found = {}
    for path in sorted(folder.rglob("*")):
        key = str(path.relative_to(folder))
        if path.is_symlink():
            found[key] = ("link", str(path.readlink()))
        elif path.is_dir():
            found[key] = "dir"
        else:
            found[key] = path.read_bytes()
    return found


@pytest.mark.parametrize(
    "content", [b"just some text", b"", b"\x89PNG\r\n\x1a\n" + b"\0" * 64], ids=["text", "empty", "a picture"]
)
def test_a_file_that_is_no_archive_leaves_the_extracted_folder_as_it_was(workfolder, monkeypatch, content):
    """load_flowers(folder=<a file that is not an archive>) used to delete flower_photos_extracted/ first."""
    archive = _archive(workfolder)
    monkeypatch.setenv("COURSE_DATA_DIR", str(archive.parent))
    extracted = flowers.flower_photos_folder().parent
    (extracted / "my notes.txt").write_text("mine")  # a learner's file inside the course's folder
    before = snapshot(workfolder / "work")
    not_archive = workfolder / "not-an-archive.tgz"
    not_archive.write_bytes(content)
    with pytest.raises(ValueError, match=f"{not_archive} is damaged or not a .tgz archive"):
        flowers.load_flowers(folder=not_archive)
    assert snapshot(workfolder / "work") == before  # nothing deleted, no temporary folder left


def test_a_new_archive_replaces_only_the_courses_own_extraction(workfolder, monkeypatch, capsys):
    archive = _archive(workfolder)
    extracted = workfolder / "work" / "datasets" / flowers.EXTRACTED
    extracted.mkdir(parents=True)
    (extracted / "mine.txt").write_text("not the course's")  # no 'complete' file: not made by the course
    monkeypatch.setenv("COURSE_DATA_DIR", str(archive.parent))
    folder = flowers.flower_photos_folder()
    assert len(list(folder.glob("*/*.png"))) == 25
    aside = extracted.with_name(f"{flowers.EXTRACTED}.old-1")
    assert (aside / "mine.txt").read_text() == "not the course's"  # moved aside, announced, never deleted
    assert str(aside) in capsys.readouterr().out
    copy = workfolder / "elsewhere" / "flower_photos.tgz"  # another archive: extracted afresh
    copy.parent.mkdir()
    shutil.copy(archive, copy)
    monkeypatch.setenv("COURSE_DATA_DIR", str(copy.parent))
    assert flowers.flower_photos_folder() == folder
    assert (extracted / "complete").read_text() == str(copy)
    leftovers = sorted(p.name for p in extracted.parent.iterdir())
    assert leftovers == [flowers.EXTRACTED, f"{flowers.EXTRACTED}.old-1"]  # the course's own old copy is gone


def test_a_full_disk_during_extraction_is_named_and_leaves_nothing_half_done(workfolder, monkeypatch):
    archive = _archive(workfolder)
    monkeypatch.setenv("COURSE_DATA_DIR", str(archive.parent))

    def full(*args, **kwargs):
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(tarfile.TarFile, "extractall", full)
    cache = workfolder / "work" / "datasets"
    with pytest.raises(ValueError, match=f"cannot extract flower_photos.tgz into {cache} \\(No space left"):
        flowers.flower_photos_folder()
    assert list(cache.iterdir()) == []


def test_a_fifo_picture_is_refused_by_name_not_read(workfolder):
    folder = _small_photo_folder(workfolder)
    pipe = folder / "tulips" / "waiting.jpg"
    os.mkfifo(pipe)
    with pytest.raises(
        ValueError, match=f"'{pipe}' is not a regular file, it is a FIFO.*out of the class folder"
    ):
        flowers.load_flowers(folder, image_size=(20, 20), batch_size=4)
    pipe.unlink()
    (folder / "tulips" / "gone.jpg").symlink_to(folder / "missing.jpg")
    with pytest.raises(FileNotFoundError, match="gone.jpg' is a symbolic link to .*which does not exist"):
        flowers.load_flowers(folder, image_size=(20, 20), batch_size=4)


def _jpeg(size=48):
    import io

    from PIL import Image

    buffer = io.BytesIO()
    Image.fromarray(flower_image("roses", np.random.default_rng(1), size)).save(buffer, "JPEG", quality=90)
    return buffer.getvalue()


@pytest.mark.parametrize(
    "damage",
    [
        lambda data: data[: len(data) // 2],
        lambda data: data[:-12],
        lambda data: data[: data.find(b"\xff\xda") + 20] + bytes(len(data)),
        lambda data: data[:40] + bytes(range(256)) * 8,
    ],
    ids=["cut in half", "cut at the end", "zeros after the header", "garbage after the header"],
)
def test_a_picture_with_a_good_header_and_a_damaged_body_is_named_up_front(workfolder, damage):
    folder = _small_photo_folder(workfolder)
    (folder / "roses" / "good.jpg").write_bytes(_jpeg())
    damaged = folder / "roses" / "damaged.jpg"
    damaged.write_bytes(damage(_jpeg()))
    with pytest.raises(ValueError, match=f"the picture {damaged} is damaged: its header is right"):
        flowers.load_flowers(folder, image_size=(20, 20), batch_size=4)
    damaged.unlink()
    _, _, class_names = flowers.load_flowers(folder, image_size=(20, 20), batch_size=4)
    assert class_names == list(CLASSES)


def test_a_full_disk_while_drawing_the_generated_flowers_is_named(tmp_path, monkeypatch):
    from PIL import Image

    def full(self, *args, **kwargs):
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(Image.Image, "save", full)
    folder = tmp_path / "flowers"
    with pytest.raises(
        ValueError, match=f"cannot write the generated pictures into {folder} \\(No space left"
    ):
        make_flower_folder(folder, per_class=1, size=16)


def test_make_flower_folder_refuses_what_it_cannot_write_into(tmp_path):
    (tmp_path / "a-file").write_text("")
    with pytest.raises(ValueError, match="folder must be a folder, got the file"):
        make_flower_folder(tmp_path / "a-file", per_class=1, size=16)
    os.mkfifo(tmp_path / "pipe")
    with pytest.raises(ValueError, match="is not a regular file, it is a FIFO"):
        make_flower_folder(tmp_path / "pipe", per_class=1, size=16)
    (tmp_path / "flowers" / "daisy").mkdir(parents=True)
    os.mkfifo(tmp_path / "flowers" / "daisy" / "daisy_0000.png")
    with pytest.raises(ValueError, match="daisy_0000.png' is not a regular file"):
        make_flower_folder(tmp_path / "flowers", per_class=1, size=16)


def test_an_unreachable_mirror_falls_back_to_generated_flowers(workfolder, monkeypatch, capsys):
    monkeypatch.setenv("COURSE_DATA_MIRROR", "http://127.0.0.1:9/course-data")  # the discard port: refused
    monkeypatch.setenv("COURSE_FAST", "1")
    folder = flowers.flower_photos_folder()
    assert "generated" in folder.name and "cannot reach 127.0.0.1" in capsys.readouterr().out


def test_an_unusable_mirror_falls_back_to_generated_flowers_and_says_why(workfolder, monkeypatch, capsys):
    monkeypatch.setenv("COURSE_DATA_MIRROR", "http://[bad")
    monkeypatch.setenv("COURSE_FAST", "1")
    folder = flowers.flower_photos_folder()
    out = capsys.readouterr().out
    assert (
        "generated" in folder.name and "offline fallback" in out and "COURSE_DATA_MIRROR='http://[bad'" in out
    )


# --- ImageNet weights for transfer learning, through the dataset registry --------------------------------

WEIGHTS_FILE = "weights_mobilenet_v3_small_224_1.0_float_no_top_v2.h5"


@pytest.fixture(scope="module")
def weights_file(tmp_path_factory):
    """A MobileNetV3Small weights file in Keras's .h5 format, made here (random weights, seeded)."""
    import keras

    keras.utils.set_random_seed(7)
    made = keras.applications.MobileNetV3Small(input_shape=(32, 32, 3), include_top=False, weights=None)
    path = tmp_path_factory.mktemp("made") / WEIGHTS_FILE
    with warnings.catch_warnings():  # Keras's legacy .h5 writer: a NumPy deprecation warning per weight
        warnings.simplefilter("ignore", DeprecationWarning)
        made.save(path)  # an .h5 model file holds its weights the way Keras's published file does
    return path, made.get_weights()


def use_weights_registry(monkeypatch, tmp_path, md5):
    item = {"file": WEIGHTS_FILE, "origin": "http://127.0.0.1:9/" + WEIGHTS_FILE, "md5": md5}
    registry = tmp_path / "registry.json"
    registry.write_text(json.dumps({"mobilenet_v3_small_notop": item}))
    monkeypatch.setattr("course.data.downloads.REGISTRY_PATH", registry)


def classroom_with(workfolder, weights_file):
    folder = workfolder / "classroom"
    folder.mkdir()
    shutil.copy(weights_file, folder / WEIGHTS_FILE)
    return folder


def test_weights_from_a_local_copy_with_the_right_md5_are_loaded(workfolder, monkeypatch, weights_file):
    path, weights = weights_file
    use_weights_registry(monkeypatch, workfolder, hashlib.md5(path.read_bytes()).hexdigest())
    monkeypatch.setenv("COURSE_DATA_DIR", str(classroom_with(workfolder, path)))
    base, pretrained = pretrained_base((40, 48))
    assert pretrained and base.output_shape == (None, 2, 2, 576)
    assert all(np.array_equal(mine, made) for mine, made in zip(base.get_weights(), weights, strict=True))


def test_weights_with_another_md5_are_refused_and_named(workfolder, monkeypatch, weights_file):
    path, _ = weights_file
    use_weights_registry(monkeypatch, workfolder, hashlib.md5(b"the original file").hexdigest())
    folder = classroom_with(workfolder, path)
    monkeypatch.setenv("COURSE_DATA_DIR", str(folder))
    with pytest.raises(
        ValueError, match=f"{folder / WEIGHTS_FILE} is not the original {WEIGHTS_FILE}: its md5"
    ):
        pretrained_base((32, 32))
    monkeypatch.delenv("COURSE_DATA_DIR")  # the same file put into the cache by hand: refused too
    cache = workfolder / "work" / "datasets"
    cache.mkdir(parents=True)
    shutil.copy(path, cache / WEIGHTS_FILE)
    with pytest.raises(ValueError, match="is not the original"):
        imagenet_weights()
    assert (cache / WEIGHTS_FILE).exists()  # never deleted


def test_no_weights_and_no_network_give_the_announced_random_base(workfolder, monkeypatch, capsys):
    use_weights_registry(monkeypatch, workfolder, "0" * 32)
    monkeypatch.setenv("COURSE_DATA_MIRROR", "http://127.0.0.1:9/course-data/")  # the discard port: refused
    base, pretrained = pretrained_base((32, 32))
    out = capsys.readouterr().out
    assert not pretrained and base.output_shape == (None, 1, 1, 576)
    assert (
        "ImageNet weights are unavailable (cannot reach 127.0.0.1" in out and "random initial weights" in out
    )


def test_the_registry_lists_keras_own_weights_file_and_md5():
    item = entry("mobilenet_v3_small_notop")
    assert item["origin"] == (
        "https://storage.googleapis.com/tensorflow/keras-applications/mobilenet_v3/" + WEIGHTS_FILE
    )
    assert item["md5"] == "d3e8ec802a04aa4fc771ee12a9a9b836"  # keras/src/applications/mobilenet_v3.py


@pytest.mark.parametrize(
    "call, error, says",
    [
        (lambda: pretrained_base((16, 16)), ValueError, "image_size must be >= 32"),
        (lambda: pretrained_base("96"), TypeError, "image_size must be an int or a pair"),
        (lambda: pretrained_base((10**5, 96)), ValueError, "the larger side of image_size"),
        (lambda: imagenet_weights("resnet"), ValueError, "unknown dataset 'resnet'"),
    ],
)
def test_pretrained_helpers_keep_the_error_policy(call, error, says):
    with pytest.raises(error, match=says):
        call()
