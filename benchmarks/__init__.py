"""Benchmarks of tinygrad_nn against hand-written numpy, PyTorch, HIPS autograd and micrograd."""
