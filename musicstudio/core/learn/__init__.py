"""Learning: model configs and builders (models/), training data, the training loop, bundles.

TensorFlow is imported lazily, inside the functions that need it.
"""
