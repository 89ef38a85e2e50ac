"""Pretrained weights for transfer learning, found like a dataset and checked by their checksum.

Keras publishes the ImageNet weights of its ``keras.applications`` models together with their
md5 checksums (in its own source, e.g. ``keras/src/applications/mobilenet_v3.py``). The registry
lists such a file like a dataset, so :func:`imagenet_weights` finds it the same way: a local copy
in ``COURSE_DATA_DIR``, the cache, or a download from the origin or ``COURSE_DATA_MIRROR``,
checked by the course's downloader (course.data.downloads).

Unlike a dataset, a weights file cannot be checked by its content: a file with another checksum
(a local copy, or one put into the cache) is refused with a ValueError that names it.
"""

from .downloads import checksum, entry, fetch, file_hash

MOBILENET_V3_SMALL = "mobilenet_v3_small_notop"  # MobileNetV3Small without its ImageNet classifier


def _verified(file, item):
    """``file`` when its checksum is the registry entry ``item``'s; otherwise a ValueError naming it."""
    algorithm, expected = checksum(item)
    found = file_hash(file, algorithm)
    if found != expected:
        raise ValueError(
            f"{file} is not the original {item['file']}: its {algorithm} is {found}, the registry's is "
            f"{expected}. Replace it with the original file, or move it away so that the course can "
            "download one"
        )
    return file


def imagenet_weights(name=MOBILENET_V3_SMALL):
    """The path of the verified weights file ``name`` (a registry entry).

    Raises :class:`~course.data.downloads.DatasetUnavailable` when the file is neither local nor
    downloadable, and ValueError when a local or cached copy has the wrong checksum.
    """
    item = entry(name)
    return _verified(fetch(name, usable=lambda file: _verified(file, item)), item)
