"""From Tensors to Keras: the package behind the course notebooks.

The top level holds what the notebooks teach with; machinery lives in subpackages:

==================  ===========================================================
``tensors``         slicing a picture (an explorer), shuffled batches (01)
``tensor_ops``      element-wise ops, dot products, reshape, transpose as loops
``broadcasting``    the broadcasting rules as code, and their explorer
``convolution``     convolution and pooling as loops, and their explorer
``activations``     sigmoid, ReLU, tanh, softmax, ... and their derivatives
``autodiff/``       numerical, symbolic, forward and reverse mode; a NumPy
                    tensor engine, optimizers, an MLP, pictures of graphs
``descent``         gradient descent on small surfaces, and its explorer
``plots``           the figure policy (style, pyplot-free figures), image grids,
                    training curves
``explorer``        controls over a picture, redrawn on every change
``tf_layers``       Dense layers and checkpoints on ``tf.Module`` (05)
``keras_layers``    a custom Keras layer and a subclassed model (06)
``early_stopping``  the rule Keras's EarlyStopping applies, and its explorer
``flower_models``   the flower CNNs and their data augmentation (07)
``saving``          checked weight loading, checkpoint files (08)
``runtime/``        settings, ``setup()``, quiet TensorFlow, argument checks
``exercises/``      checks, quizzes and one checker module per notebook
``data/``           the dataset registry, downloads, MNIST, flowers
``tools/``          ``python -m course lab | workspace | build | doctor | grade | bench``
==================  ===========================================================

Importing ``course`` is cheap: it never imports TensorFlow. Modules that need
TensorFlow import it themselves.
"""

from .exercises import check, progress, quiz
from .runtime.session import seed_everything, setup
from .runtime.settings import pick, settings, workdir

__all__ = ["check", "pick", "progress", "quiz", "seed_everything", "settings", "setup", "workdir"]
__version__ = "0.1.0"
