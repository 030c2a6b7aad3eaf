"""Convolution and pooling layers (PyTorch's Conv1d, Conv2d, MaxPool2d, AvgPool2d, ...)."""

from __future__ import annotations

import math
from typing import Any

import numpy as np

from tinygrad_nn.nn import functional as F
from tinygrad_nn.nn import init
from tinygrad_nn.nn.module import Module, Parameter, _parameter_dtype
from tinygrad_nn.tensor import Tensor


def _only_defaults(layer: str, **options: Any) -> None:
    """Reject PyTorch options this package does not implement (dilation, groups, ...)."""
    defaults = {"dilation": 1, "groups": 1, "padding_mode": "zeros", "ceil_mode": False,
                "return_indices": False, "device": None, "dtype": None}
    for name, value in options.items():
        plain = value in (1, (1, 1), (1,)) if defaults[name] == 1 else value == defaults[name]
        if not plain:
            raise NotImplementedError(f"{layer}: {name}={value!r} is not supported (only the "
                                      f"default, {defaults[name]!r})")


class _ConvNd(Module):
    """What Conv1d and Conv2d share: the weights, PyTorch's initialisation, the repr."""

    def __init__(self, in_channels: int, out_channels: int, kernel_size: tuple[int, ...],
                 stride: tuple[int, ...], padding: tuple[int, ...] | str, bias: bool,
                 transposed: bool = False, output_padding: tuple[int, ...] = ()) -> None:
        super().__init__()
        self.output_padding = output_padding or (0,) * len(kernel_size)
        self.in_channels = F._check_size(in_channels, "in_channels")
        self.out_channels = F._check_size(out_channels, "out_channels")
        self.kernel_size, self.stride, self.padding = kernel_size, stride, padding
        channels = (self.in_channels, self.out_channels)
        shape = (*(channels if transposed else channels[::-1]), *kernel_size)
        dtype = _parameter_dtype()
        self.weight = Parameter(np.zeros(shape, dtype=dtype))
        self.bias = Parameter(np.zeros(self.out_channels, dtype=dtype)) if bias else None
        self.reset_parameters()

    def reset_parameters(self) -> None:
        """Redraw the weights with PyTorch's default initialisation."""
        init.kaiming_uniform_(self.weight, a=math.sqrt(5))
        if self.bias is not None:
            fan_in = self.weight.shape[1] * math.prod(self.kernel_size)  # in (out if transposed)
            bound = 1 / math.sqrt(fan_in) if fan_in > 0 else 0.0
            init.uniform_(self.bias, -bound, bound)

    def extra_repr(self) -> str:
        text = (
            f"{self.in_channels}, {self.out_channels}, kernel_size={self.kernel_size}, "
            f"stride={self.stride}"
        )
        if isinstance(self.padding, str) or any(self.padding):
            text += f", padding={self.padding}"  # PyTorch prints padding=same unquoted
        if any(self.output_padding):
            text += f", output_padding={self.output_padding}"
        if self.bias is None:
            text += ", bias=False"
        return text


def _conv_padding(padding: Any, count: int) -> tuple[int, ...] | str:
    if isinstance(padding, str):
        if padding not in ("same", "valid"):
            raise ValueError(f"padding must be an int, a tuple, 'same' or 'valid', got {padding!r}")
        return padding
    return F._ints(padding, count, "padding")


class Conv1d(_ConvNd):
    """1-D convolution (cross-correlation, as PyTorch) of (N, C_in, L) input.

    `weight` is (out_channels, in_channels, k) and `bias` (out_channels,), both drawn from
    U(-1/sqrt(fan_in), 1/sqrt(fan_in)) with ``fan_in = in_channels * k``.
    """

    def __init__(
        self,
        in_channels: int,
        out_channels: int,
        kernel_size: int | tuple[int],
        stride: int | tuple[int] = 1,
        padding: int | tuple[int] | str = 0,
        dilation: int | tuple[int] = 1,
        groups: int = 1,
        bias: bool = True,
        padding_mode: str = "zeros",
        device: Any = None,
        dtype: Any = None,
    ) -> None:
        _only_defaults("Conv1d", dilation=dilation, groups=groups, padding_mode=padding_mode)
        super().__init__(
            in_channels, out_channels, F._ints(kernel_size, 1, "kernel_size", minimum=1),
            F._ints(stride, 1, "stride", minimum=1), _conv_padding(padding, 1), bias,
        )  # fmt: skip
        if device is not None or dtype is not None:
            self.to(device, dtype)

    def forward(self, input: Tensor) -> Tensor:
        """Convolve: (N, C_in, L) -> (N, C_out, OL)."""
        return F.conv1d(input, self.weight, self.bias, self.stride, self.padding)


class Conv2d(_ConvNd):
    """2-D convolution (cross-correlation, as PyTorch) of (N, C_in, H, W) input.

    `weight` is (out_channels, in_channels, kh, kw) and `bias` (out_channels,), both drawn
    from U(-1/sqrt(fan_in), 1/sqrt(fan_in)) with ``fan_in = in_channels * kh * kw``.
    ``padding="same"`` (stride 1) keeps the image size.
    """

    def __init__(
        self,
        in_channels: int,
        out_channels: int,
        kernel_size: int | tuple[int, int],
        stride: int | tuple[int, int] = 1,
        padding: int | tuple[int, int] | str = 0,
        dilation: int | tuple[int, int] = 1,
        groups: int = 1,
        bias: bool = True,
        padding_mode: str = "zeros",
        device: Any = None,
        dtype: Any = None,
    ) -> None:
        _only_defaults("Conv2d", dilation=dilation, groups=groups, padding_mode=padding_mode)
        super().__init__(
            in_channels, out_channels, F._pair(kernel_size, "kernel_size", minimum=1),
            F._pair(stride, "stride", minimum=1), _conv_padding(padding, 2), bias,
        )  # fmt: skip
        if device is not None or dtype is not None:
            self.to(device, dtype)

    def forward(self, input: Tensor) -> Tensor:
        """Convolve: (N, C_in, H, W) -> (N, C_out, OH, OW)."""
        return F.conv2d(input, self.weight, self.bias, self.stride, self.padding)

class ConvTranspose2d(_ConvNd):
    """Transposed 2-D convolution (the adjoint of `Conv2d`, as PyTorch), for upsampling:
    (N, C_in, H, W) -> (N, C_out, (H - 1) * stride - 2 * padding + kh + output_padding, ...).

    `weight` is (in_channels, out_channels, kh, kw), drawn as PyTorch draws it.
    """

    def __init__(
        self,
        in_channels: int,
        out_channels: int,
        kernel_size: int | tuple[int, int],
        stride: int | tuple[int, int] = 1,
        padding: int | tuple[int, int] = 0,
        output_padding: int | tuple[int, int] = 0,
        groups: int = 1,
        bias: bool = True,
        dilation: int | tuple[int, int] = 1,
        padding_mode: str = "zeros",
        device: Any = None,
        dtype: Any = None,
    ) -> None:
        _only_defaults("ConvTranspose2d", dilation=dilation, groups=groups,
                       padding_mode=padding_mode)  # fmt: skip
        super().__init__(
            in_channels, out_channels, F._pair(kernel_size, "kernel_size", minimum=1),
            F._pair(stride, "stride", minimum=1), F._pair(padding, "padding"), bias,
            transposed=True, output_padding=F._pair(output_padding, "output_padding"),
        )  # fmt: skip
        if device is not None or dtype is not None:
            self.to(device, dtype)

    def forward(self, input: Tensor) -> Tensor:
        """Upsample: (N, C_in, H, W) -> (N, C_out, OH, OW)."""
        return F.conv_transpose2d(input, self.weight, self.bias, self.stride, self.padding,
                                  self.output_padding)  # fmt: skip


class MaxPool2d(Module):
    """Maximum over each kernel window of (N, C, H, W) input; `stride` defaults to the kernel."""

    def __init__(
        self,
        kernel_size: int | tuple[int, int],
        stride: int | tuple[int, int] | None = None,
        padding: int | tuple[int, int] = 0,
        dilation: int | tuple[int, int] = 1,
        return_indices: bool = False,
        ceil_mode: bool = False,
    ) -> None:
        super().__init__()
        _only_defaults("MaxPool2d", dilation=dilation, return_indices=return_indices,
                       ceil_mode=ceil_mode)
        self.kernel_size = kernel_size
        self.stride = kernel_size if stride is None else stride
        self.padding = padding

    def forward(self, input: Tensor) -> Tensor:
        """Pool: (N, C, H, W) -> (N, C, OH, OW)."""
        return F.max_pool2d(input, self.kernel_size, self.stride, self.padding)

    def extra_repr(self) -> str:
        return f"kernel_size={self.kernel_size}, stride={self.stride}, padding={self.padding}"


class AvgPool2d(Module):
    """Mean over each kernel window of (N, C, H, W) input; `stride` defaults to the kernel."""

    def __init__(
        self,
        kernel_size: int | tuple[int, int],
        stride: int | tuple[int, int] | None = None,
        padding: int | tuple[int, int] = 0,
        ceil_mode: bool = False,
        count_include_pad: bool = True,
        divisor_override: int | None = None,
    ) -> None:
        super().__init__()
        self.kernel_size = kernel_size
        self.stride = kernel_size if stride is None else stride
        self.padding = padding
        self.ceil_mode = ceil_mode
        self.count_include_pad = count_include_pad
        self.divisor_override = divisor_override

    def forward(self, input: Tensor) -> Tensor:
        """Pool: (N, C, H, W) -> (N, C, OH, OW)."""
        return F.avg_pool2d(input, self.kernel_size, self.stride, self.padding, self.ceil_mode,
                            self.count_include_pad, self.divisor_override)

    def extra_repr(self) -> str:
        return f"kernel_size={self.kernel_size}, stride={self.stride}, padding={self.padding}"


class AdaptiveAvgPool2d(Module):
    """Average (N, C, H, W) input down to a fixed (OH, OW) whatever H and W are."""

    def __init__(self, output_size: int | tuple[int | None, int | None]) -> None:
        super().__init__()
        self.output_size = output_size

    def forward(self, input: Tensor) -> Tensor:
        """Pool: (N, C, H, W) -> (N, C, OH, OW)."""
        return F.adaptive_avg_pool2d(input, self.output_size)

    def extra_repr(self) -> str:
        return f"output_size={self.output_size}"


class MaxPool1d(Module):
    """Maximum over each window of (N, C, L) input; `stride` defaults to the kernel."""

    def __init__(self, kernel_size: int, stride: int | None = None, padding: int = 0) -> None:
        super().__init__()
        self.kernel_size = kernel_size
        self.stride = kernel_size if stride is None else stride
        self.padding = padding

    def forward(self, input: Tensor) -> Tensor:
        """Pool: (N, C, L) -> (N, C, OL)."""
        return F.max_pool1d(input, self.kernel_size, self.stride, self.padding)

    def extra_repr(self) -> str:
        return f"kernel_size={self.kernel_size}, stride={self.stride}, padding={self.padding}"


class AvgPool1d(Module):
    """Mean over each window of (N, C, L) input; `stride` defaults to the kernel."""

    def __init__(self, kernel_size: int, stride: int | None = None, padding: int = 0,
                 ceil_mode: bool = False, count_include_pad: bool = True) -> None:
        super().__init__()
        self.kernel_size = kernel_size
        self.stride = kernel_size if stride is None else stride
        self.padding = padding
        self.ceil_mode = ceil_mode
        self.count_include_pad = count_include_pad

    def forward(self, input: Tensor) -> Tensor:
        """Pool: (N, C, L) -> (N, C, OL)."""
        return F.avg_pool1d(input, self.kernel_size, self.stride, self.padding, self.ceil_mode,
                            self.count_include_pad)

    def extra_repr(self) -> str:
        return f"kernel_size={self.kernel_size}, stride={self.stride}, padding={self.padding}"


class AdaptiveAvgPool1d(Module):
    """Average (N, C, L) input down to a fixed length whatever L is."""

    def __init__(self, output_size: int) -> None:
        super().__init__()
        self.output_size = output_size

    def forward(self, input: Tensor) -> Tensor:
        """Pool: (N, C, L) -> (N, C, output_size)."""
        return F.adaptive_avg_pool1d(input, self.output_size)

    def extra_repr(self) -> str:
        return f"output_size={self.output_size}"
