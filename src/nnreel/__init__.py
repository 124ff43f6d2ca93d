"""nnreel: watch a tiny neural network learn."""
