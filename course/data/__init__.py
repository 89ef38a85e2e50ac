"""Datasets: real data first, an announced offline fallback second.

=====================  =========================================================
``registry.json``      every dataset once: origin URL, file name, sha256
``downloads``          local copies, the verified cache, downloads and mirrors
``mnist``              MNIST (fallback: the scikit-learn digits in its format)
``flowers``            the flower photos as ``tf.data`` datasets
``generated_flowers``  the offline flower pictures, drawn with NumPy
=====================  =========================================================
"""

from .flowers import flower_photos_folder, load_flowers
from .mnist import load_digits, load_mnist

__all__ = ["flower_photos_folder", "load_digits", "load_flowers", "load_mnist"]
