"""Automatic differentiation from scratch, one idea per module.

=============  ==============================================================
``numerical``  finite differences (forward, central) and a gradient check
``symbolic``   expression trees, d/dx by the rules, expression swell
``forward``    dual numbers, ``jvp``, the Jacobian one column per pass
``reverse``    scalar graph nodes, topological order, adjoints; gradients
               built as graph nodes (second derivatives); Jacobian by rows
``tensor``     the same reverse mode on NumPy arrays, with broadcasting
``rules``      the argument checks both engines put in front of an operation's
               ``compute`` and ``vjp``
``optim``      SGD, momentum, RMSProp, Adam written from scratch
``nn``         Dense layers and an MLP on the tensor engine
``draw``       pictures: computation graphs, a reverse pass step by step,
               finite-difference error against the step size
=============  ==============================================================

Nothing here imports TensorFlow.
"""
