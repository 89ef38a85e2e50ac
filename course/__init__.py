"""From Tensors to Keras: the package behind the course notebooks.

Importing ``course`` is cheap: it never imports TensorFlow. Modules that need
TensorFlow import it themselves.
"""

from .config import pick, settings, workdir
from .exercises import check
from .session import seed_everything, setup

__all__ = ["check", "pick", "seed_everything", "settings", "setup", "workdir"]
__version__ = "0.1.0"
