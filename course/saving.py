"""Saving and loading Keras models: checked weight loading, checkpoint files, clean folders.

Keras 3 stores weights in an HDF5 file (``.weights.h5``) organised like the
model: ``layers/dense/vars/0`` is the kernel of the first ``Dense`` layer,
``layers/dense_1/vars/1`` the bias of the second, and ``optimizer/vars/...``
the optimizer's state. Layers are keyed by their *class* and position, not by
their name, so a freshly built copy of a model (whose layers get new names such
as ``dense_7``) still finds its weights.

When the architecture does not match, Keras's own error lists the whole
variable. :func:`load_weights` compares the file with the model first and, if
they differ, raises :class:`ArchitectureMismatch` naming the layer and both
shapes.
"""

import contextlib
import logging
import os
import re
import shutil
import warnings
from pathlib import Path

from .runtime import validate
from .runtime.settings import disk_error, settings

CHECKPOINT_GLOB = "cp-*.weights.h5"


class ArchitectureMismatch(ValueError):
    """The weights in a file do not fit the model they are loaded into."""


# ---------------------------------------------------------------------------
# Checkpoint files and folders
# ---------------------------------------------------------------------------


def _folder(folder):
    return validate.path(folder, "folder", must_exist=True, kind="folder")


def checkpoint_epoch(path):
    """The epoch number written in a checkpoint's file name: ``cp-0007.weights.h5`` -> 7.

    It is the last run of digits in the name before the suffix, so
    ``cp-{epoch:04d}.weights.h5`` and ``epoch_7.keras`` both work.
    """
    path = validate.path(path, "path")
    numbers = re.findall(r"\d+", path.name.split(".")[0])
    if not numbers:
        raise ValueError(
            f"the file name {path.name!r} holds no epoch number (expected e.g. 'cp-0007.weights.h5')"
        )
    return int(numbers[-1])


def latest_checkpoint(folder, pattern=CHECKPOINT_GLOB):
    """The checkpoint with the highest epoch number in ``folder``, or ``None`` if there is none.

    "Latest" means the highest epoch in the name, not the newest file on disk:
    copying a folder changes the files' times, not their names. A file that
    matches ``pattern`` but holds no epoch number (``cp-best.weights.h5``) is no
    checkpoint of the run, and is passed over.
    """
    folder = _folder(folder)
    pattern = validate.text(pattern, "pattern")
    if "/" in pattern or "\\" in pattern:
        raise ValueError(f"pattern must be a file-name glob such as {CHECKPOINT_GLOB!r}, got {pattern!r}")
    files = [path for path in folder.glob(pattern) if _has_epoch(path)]
    for path in files:  # a FIFO or a dangling link named like a checkpoint: refused by name, never opened
        validate.path(path, "a checkpoint file", must_exist=True, kind="file")
    return max(files, key=checkpoint_epoch, default=None)


def _has_epoch(path):
    return re.search(r"\d", path.name.split(".")[0]) is not None


def restore_latest(model, folder, pattern=CHECKPOINT_GLOB):
    """Load the latest checkpoint in ``folder`` into ``model``; return the epoch to resume from.

    Returns 0 (start from scratch, weights untouched) when the folder holds no
    checkpoint. Pass the result to ``fit(..., initial_epoch=...)``.
    """
    _check_model(model)
    path = latest_checkpoint(folder, pattern)
    if path is None:
        return 0
    load_weights(model, path)
    return checkpoint_epoch(path)


def fresh_workdir(*parts):
    """The work sub-folder ``parts`` (e.g. ``"08_saving"``), emptied: a rerun replaces its own files only.

    Only a proper sub-folder of the work folder is ever emptied: the work folder itself
    (``"."``, ``"a/.."``) and anything that resolves outside it (``".."``, an absolute path)
    is refused with a ValueError, before anything is touched. So is a symbolic link anywhere
    on the way (``work/a`` a link to ``work/b``): the link is named, and nothing is followed
    to be deleted. A folder that cannot be emptied or made (read-only, a full disk) is a
    ValueError naming it, with the system's reason.
    """
    if not parts:
        raise ValueError("fresh_workdir() needs a sub-folder name: it never empties the whole work folder")
    for index, part in enumerate(parts):
        validate.text(part, f"parts[{index}]")
        validate.path(part, f"parts[{index}]")  # no NUL character, not too long
    root = settings().workdir
    validate.path(root.joinpath(*parts), "the folder")  # not too long for the file system
    try:
        inside = root.joinpath(*parts).resolve()
    except (OSError, RuntimeError):  # RuntimeError: Python 3.11/3.12's "Symlink loop from ..."
        raise ValueError(
            f"fresh_workdir() cannot find where {'/'.join(parts)!r} leads in the work folder {str(root)!r}: "
            "a symbolic link loop is on the way"
        ) from None
    if inside == root or not inside.is_relative_to(root):
        raise ValueError(
            f"fresh_workdir() empties only a sub-folder of the work folder {str(root)!r}; "
            f"{'/'.join(parts)!r} is {'the work folder itself' if inside == root else str(inside)!r}"
        )
    step = root
    for name in Path(*parts).parts:  # every folder on the way, as written
        step = step / name
        if step.is_symlink():
            raise ValueError(
                f"fresh_workdir() does not empty folders through a symbolic link: {str(step)!r} is a link to "
                f"{os.readlink(step)!r}. Remove the link, or ask for the folder it points to by its own name"
            )
    inside = root.joinpath(*parts)
    if os.path.lexists(inside) and not inside.is_dir():  # a file or a FIFO: refused, not deleted
        raise ValueError(f"fresh_workdir() empties folders; {str(inside)!r} is not a folder")
    try:
        if inside.exists():
            shutil.rmtree(inside)  # removes links inside the folder, never what they point to
        inside.mkdir(parents=True)
    except OSError as error:
        raise disk_error(inside, error, "empty and make the folder") from error
    return inside


# ---------------------------------------------------------------------------
# Checked weight loading
# ---------------------------------------------------------------------------


def _snake_case(class_name):
    """``Dense`` -> ``dense``, ``BatchNormalization`` -> ``batch_normalization`` (Keras's rule)."""
    name = re.sub(r"(.)([A-Z][a-z]+)", r"\1_\2", re.sub(r"\W+", "", class_name))
    return re.sub(r"([a-z])([A-Z])", r"\1_\2", name).lower()


def _keys(layers):
    """The key of each layer in a weights file: its class in snake case, ``_1``, ``_2``... for repeats."""
    seen = {}
    for layer in layers:
        base = _snake_case(type(layer).__name__)
        count = seen.get(base, 0)
        seen[base] = count + 1
        yield (base if count == 0 else f"{base}_{count}"), layer


def _is_container(layer):
    import keras

    return isinstance(layer, keras.Model) and type(layer).__name__ in ("Sequential", "Functional")


def model_shapes(model, prefix="layers"):
    """``{file key: (layer, [variable shapes])}`` for every layer of ``model`` that has weights."""
    if not _is_container(model):
        raise TypeError(
            f"model should be a keras.Sequential or functional keras.Model, got {validate.received(model)}"
        )
    prefix = validate.text(prefix, "prefix")
    found = {}
    for key, layer in _keys(model.layers):
        path = f"{prefix}/{key}"
        if _is_container(layer):
            found.update(model_shapes(layer, prefix=f"{path}/layers"))
        elif layer.weights:
            found[path] = (layer, [tuple(v.shape) for v in layer.weights])
    return found


def _weights_file(path):
    """``path`` as the ``Path`` of an existing ``.weights.h5`` file (TypeError, ValueError, FileNotFoundError)."""
    path = validate.path(path, "path")
    if not path.name.endswith(".weights.h5"):
        raise ValueError(f"path should name a .weights.h5 file, got {str(path)!r}")
    if not os.path.lexists(path):
        raise FileNotFoundError(f"no weights file at {str(path)!r}")
    return validate.path(path, "path", must_exist=True, kind="file")  # no FIFO, folder or dangling link


@contextlib.contextmanager
def _open_h5(path):
    """``path`` opened with h5py; a file that is not HDF5 (empty, cut short) is a ValueError naming it."""
    import h5py

    try:
        file = h5py.File(path, "r")
    except OSError as error:
        raise ValueError(
            f"{str(path)!r} is not a readable weights file ({error}); save it again with model.save_weights"
        ) from None
    with file:
        yield file


def file_shapes(path):
    """``{layer key: [variable shapes]}`` read from a ``.weights.h5`` file (optimizer state left out)."""
    import h5py

    path = _weights_file(path)
    shapes = {}

    def visit(name, item):
        if (
            isinstance(item, h5py.Group)
            and name.endswith("/vars")
            and len(item)
            and not name.startswith("optimizer")
        ):
            key = name[: -len("/vars")]
            shapes[key] = [tuple(item[index].shape) for index in sorted(item, key=int)]

    with _open_h5(path) as file:
        file.visititems(visit)
    return shapes


def _owner(key, shapes):
    """The layer key in ``shapes`` that owns ``key``: itself, or the closest enclosing layer."""
    parent = key
    while parent not in shapes and "/" in parent:
        parent = parent.rsplit("/", 1)[0]
    return parent if parent in shapes else key


def _check_model(model):
    import keras

    if not isinstance(model, keras.Model):
        raise TypeError(f"model should be a keras.Model, got {validate.received(model)}")
    if not model.built:
        raise ValueError(
            "the model has no weights yet: start it with keras.Input(shape) or call model.build(shape)"
        )


def _has_optimizer_state(path):
    with _open_h5(path) as file:
        return len(file.get("optimizer/vars", {})) > 0


def mismatches(model, path):
    """Sentences describing each way the weights in ``path`` do not fit ``model`` (empty: they fit)."""
    _check_model(model)
    path = _weights_file(path)
    wanted = model_shapes(model)
    stored = {}
    for key, shapes in file_shapes(path).items():  # a layer made of layers stores them below its key
        stored.setdefault(_owner(key, wanted), []).extend(shapes)
    problems = []
    for key, (layer, shapes) in wanted.items():
        have = stored.get(key)
        if have is None:
            problems.append(
                f"layer {layer.name!r} ({key}) has weights of shapes {shapes}, but the file has none for it"
            )
        elif sorted(have) == sorted(shapes):
            continue  # the same variables (a layer made of layers may store them in another order)
        elif len(have) == len(shapes):
            for variable, want, got in zip(layer.weights, shapes, have):
                if want != got:
                    problems.append(
                        f"layer {layer.name!r} ({key}): {variable.name} has shape {want} in the model "
                        f"but {got} in the file"
                    )
        else:
            problems.append(
                f"layer {layer.name!r} ({key}) has weights of shapes {shapes} in the model but {have} in the file"
            )
    for key in sorted(stored.keys() - wanted.keys()):
        problems.append(
            f"the file has weights for {key} (shapes {stored[key]}) but the model has no such layer"
        )
    return problems


def load_weights(model, path):
    """``model.load_weights(path)``, after checking that the file's weights fit the model.

    * Raises :class:`ArchitectureMismatch` naming each layer that differs and
      both shapes, instead of Keras's long message. (For ``Sequential`` and
      functional models; a subclassed model stores its layers under its own
      attribute names and is left to Keras's check.)
    * A weights file saved from a compiled, trained model also holds the
      optimizer's state. Keras restores it only into an optimizer that already
      has its variables, so a compiled model's optimizer is built first: the
      restored model then trains on exactly as the saved one would have.
    """
    _check_model(model)
    path = _weights_file(path)
    problems = mismatches(model, path) if _is_container(model) else []  # subclassed: Keras checks alone
    if problems:
        raise ArchitectureMismatch(
            f"the weights in {path.name} do not fit the model:\n  " + "\n  ".join(problems)
        )
    optimizer = getattr(model, "optimizer", None)
    if optimizer is not None and not optimizer.built and _has_optimizer_state(path):
        optimizer.build(model.trainable_variables)
    model.load_weights(path)
    return model


# ---------------------------------------------------------------------------
# Keras's warnings, caught so that a notebook can show and explain them
# ---------------------------------------------------------------------------


class _Collect(logging.Handler):
    def __init__(self, messages):
        super().__init__(logging.WARNING)
        self.messages = messages

    def emit(self, record):
        self.messages.append(record.getMessage().strip())


@contextlib.contextmanager
def caught_warnings():
    """Collect, instead of printing, the warnings Keras gives inside the ``with`` block.

    Keras warns through Python's ``warnings`` and through the ``absl`` logger
    (TensorFlow's); both end up here as a list of strings::

        with caught_warnings() as messages:
            model.save("old.h5")
        print(messages)
    """
    messages = []
    logger = logging.getLogger("absl")
    handler, propagate = _Collect(messages), logger.propagate
    logger.addHandler(handler)
    logger.propagate = False
    try:
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            warnings.simplefilter("ignore", DeprecationWarning)  # library internals, not for learners
            yield messages
        messages.extend(str(w.message).strip() for w in caught)
    finally:
        logger.removeHandler(handler)
        logger.propagate = propagate
