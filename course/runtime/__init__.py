"""What every notebook needs before it starts.

============  ================================================================
``settings``  the course's settings, read from the environment; the work folder
``session``   ``setup()``: seeds, caches inside the work folder, quiet TensorFlow
``quiet``     importing TensorFlow without its start-up noise
``validate``  the argument checks every public function uses (one error policy)
============  ================================================================
"""
