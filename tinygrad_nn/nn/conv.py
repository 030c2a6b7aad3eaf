"""Convolution and pooling layers over NCHW images (PyTorch's Conv2d and MaxPool2d)."""

from __future__ import annotations

import math

import numpy as np

from tinygrad_nn.nn import functional as F
from tinygrad_nn.nn import init
from tinygrad_nn.nn.module import Module, Parameter
from tinygrad_nn.tensor import Tensor


class Conv2d(Module):
    """2-D convolution (cross-correlation, as PyTorch) of (N, C_in, H, W) input.

    `weight` is (out_channels, in_channels, kh, kw) and `bias` (out_channels,), both drawn
    from U(-1/sqrt(fan_in), 1/sqrt(fan_in)) with ``fan_in = in_channels * kh * kw``.
    """

    def __init__(
        self,
        in_channels: int,
        out_channels: int,
        kernel_size: int | tuple[int, int],
        stride: int | tuple[int, int] = 1,
        padding: int | tuple[int, int] = 0,
        bias: bool = True,
    ) -> None:
        super().__init__()
        self.in_channels = F._check_size(in_channels, "in_channels")
        self.out_channels = F._check_size(out_channels, "out_channels")
        self.kernel_size = F._pair(kernel_size, "kernel_size", minimum=1)
        self.stride = F._pair(stride, "stride", minimum=1)
        self.padding = F._pair(padding, "padding")
        shape = (out_channels, in_channels, *self.kernel_size)
        self.weight = Parameter(np.zeros(shape, dtype=np.float32))
        self.bias = Parameter(np.zeros(out_channels, dtype=np.float32)) if bias else None
        self.reset_parameters()

    def reset_parameters(self) -> None:
        """Redraw the weights with PyTorch's default initialisation."""
        init.kaiming_uniform_(self.weight, a=math.sqrt(5))
        if self.bias is not None:
            fan_in = self.in_channels * self.kernel_size[0] * self.kernel_size[1]
            bound = 1 / math.sqrt(fan_in) if fan_in > 0 else 0.0
            init.uniform_(self.bias, -bound, bound)

    def forward(self, input: Tensor) -> Tensor:
        """Convolve: (N, C_in, H, W) -> (N, C_out, OH, OW)."""
        return F.conv2d(input, self.weight, self.bias, self.stride, self.padding)

    def extra_repr(self) -> str:
        text = (
            f"{self.in_channels}, {self.out_channels}, kernel_size={self.kernel_size}, "
            f"stride={self.stride}"
        )
        if self.padding != (0, 0):
            text += f", padding={self.padding}"
        if self.bias is None:
            text += ", bias=False"
        return text


class MaxPool2d(Module):
    """Maximum over each kernel window of (N, C, H, W) input; `stride` defaults to the kernel."""

    def __init__(
        self,
        kernel_size: int | tuple[int, int],
        stride: int | tuple[int, int] | None = None,
        padding: int | tuple[int, int] = 0,
    ) -> None:
        super().__init__()
        self.kernel_size = kernel_size
        self.stride = kernel_size if stride is None else stride
        self.padding = padding

    def forward(self, input: Tensor) -> Tensor:
        """Pool: (N, C, H, W) -> (N, C, OH, OW)."""
        return F.max_pool2d(input, self.kernel_size, self.stride, self.padding)

    def extra_repr(self) -> str:
        return f"kernel_size={self.kernel_size}, stride={self.stride}, padding={self.padding}"
