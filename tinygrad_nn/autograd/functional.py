"""Derivatives of whole functions, as ``torch.autograd.functional``: jacobian, hessian, vjp...

Each takes a function of tensors and the point to differentiate at, and is built
on ``tg.grad``:

- a vector-Jacobian product ``vᵀJ`` is one backward pass with ``grad_outputs=v``;
- the Jacobian is one such pass per output element (``v`` a one-hot row);
- a Jacobian-vector product ``Jv`` is the double-backward trick: ``g(u) = Jᵀu`` is
  linear in a dummy ``u``, so differentiating ``g(u)·v`` with respect to ``u``
  gives ``Jv`` without forward-mode autodiff;
- the Hessian is the Jacobian of the gradient; ``vhp`` is ``vᵀH`` (a backward pass
  through the gradient) and ``hvp`` is ``Hv`` (the double-backward trick on it).

Arguments and results have PyTorch's structure: a tuple of inputs gives a tuple
of results, one Tensor gives one Tensor. The function's outputs come back
detached unless ``create_graph=True``, which records every derivative so it can
be differentiated again.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from ..creation import eye, ones_like, zeros, zeros_like
from ..functions import stack
from ..tensor import Tensor
from . import grad

_STRATEGIES = ("reverse-mode", "forward-mode")


def _as_tuple(value: Any, what: str, fn_name: str) -> tuple[bool, tuple[Tensor, ...]]:
    """``(was_tuple, tensors)`` for one Tensor or a tuple/list of them."""
    is_tuple = isinstance(value, tuple | list)
    values = tuple(value) if is_tuple else (value,)
    for i, item in enumerate(values):
        if not isinstance(item, Tensor):
            raise TypeError(
                f"{fn_name}: {what} must be a Tensor or a tuple of Tensors, but element {i} "
                f"is a {type(item).__name__}"
            )
    return is_tuple, values


def _prepare(inputs: tuple[Tensor, ...], create_graph: bool) -> tuple[Tensor, ...]:
    """The points to differentiate at, requiring grad.

    With ``create_graph`` an input that already requires grad is used as it is, so
    the derivatives stay connected to it; otherwise a detached alias is used, so no
    graph reaches back to the caller's tensors.
    """
    return tuple(
        t if create_graph and t.requires_grad else t.detach().requires_grad_(True)
        for t in inputs
    )


def _finish(values: tuple[Any, ...], create_graph: bool) -> tuple[Any, ...]:
    """Detach the results unless the caller wants to differentiate them again."""
    if create_graph:
        return values
    return tuple(v.detach() if isinstance(v, Tensor) else _finish(v, False) for v in values)


def _unpack(values: tuple[Any, ...], is_tuple: bool) -> Any:
    return values if is_tuple else values[0]


def _check_v(v: Any, like: tuple[Tensor, ...], what: str, fn_name: str) -> tuple[Tensor, ...]:
    """The vector ``v`` as a tuple matching ``like`` in length and shapes."""
    _, vs = _as_tuple(v, "v", fn_name)
    if len(vs) != len(like):
        raise ValueError(f"{fn_name}: v has {len(vs)} entries but there are {len(like)} {what}")
    for i, (vector, target) in enumerate(zip(vs, like, strict=True)):
        if vector.shape != target.shape:
            raise ValueError(
                f"{fn_name}: v[{i}] has shape {vector.shape} but {what} {i} has shape "
                f"{target.shape}"
            )
    return vs


def _default_v(like: tuple[Tensor, ...], what: str, fn_name: str) -> tuple[Tensor, ...]:
    """``v = 1`` where PyTorch allows leaving it out: one single-element tensor."""
    if len(like) != 1 or like[0].numel() != 1:
        raise ValueError(
            f"{fn_name}: v can be left out only when the {what} is one single-element Tensor; "
            "pass v with the same shapes"
        )
    return (ones_like(like[0]),)


def _gradients(outputs: tuple[Tensor, ...], inputs: tuple[Tensor, ...],
               grad_outputs: tuple[Tensor, ...], create_graph: bool, strict: bool,
               fn_name: str) -> tuple[Tensor, ...]:
    """``Σ_i grad_outputs_i · d outputs_i / d inputs``, zeros where an input is unused."""
    used = [(out, g) for out, g in zip(outputs, grad_outputs, strict=True) if out.requires_grad]
    found: tuple[Tensor | None, ...] = (None,) * len(inputs)
    if used:
        found = grad([out for out, _ in used], inputs, [g for _, g in used],
                     retain_graph=True, create_graph=create_graph, allow_unused=True)
    result = []
    for i, (g, inp) in enumerate(zip(found, inputs, strict=True)):
        if g is None:
            if strict:
                raise RuntimeError(
                    f"{fn_name}: the output is independent of input {i}, which strict=True "
                    "does not allow"
                )
            g = zeros_like(inp)
        result.append(g)
    return tuple(result)


def _call(func: Callable, inputs: tuple[Tensor, ...], fn_name: str) -> tuple[bool, tuple]:
    return _as_tuple(func(*inputs), "the outputs of the function", fn_name)


def vjp(func: Callable, inputs: Any, v: Any = None, create_graph: bool = False,
        strict: bool = False) -> tuple[Any, Any]:
    """``(func(inputs), vᵀ·J)``: the vector-Jacobian product, shaped as ``inputs``.

    Parameters
    ----------
    func
        A function of one or more Tensors returning a Tensor or a tuple of Tensors.
    inputs
        The point: a Tensor or a tuple of Tensors.
    v
        One tensor per output, shaped as it; may be left out for one single-element output.
    create_graph
        Record the derivatives so that they can be differentiated again.
    strict
        Raise ``RuntimeError`` when an input does not affect the outputs (else zeros).
    """
    in_tuple, points = _as_tuple(inputs, "inputs", "vjp")
    points = _prepare(points, create_graph)
    out_tuple, outputs = _call(func, points, "vjp")
    vs = _default_v(outputs, "output", "vjp") if v is None else _check_v(
        v, outputs, "output", "vjp")
    products = _gradients(outputs, points, vs, create_graph, strict, "vjp")
    return (_unpack(_finish(outputs, create_graph), out_tuple),
            _unpack(_finish(products, create_graph), in_tuple))


def jvp(func: Callable, inputs: Any, v: Any = None, create_graph: bool = False,
        strict: bool = False) -> tuple[Any, Any]:
    """``(func(inputs), J·v)``: the Jacobian-vector product, shaped as the outputs.

    ``v`` holds one tensor per input, shaped as it (it may be left out for one
    single-element input). Computed by the double-backward trick: with
    ``g(u) = Jᵀu`` for a dummy ``u``, ``J·v = d(g(u)·v)/du``.
    """
    in_tuple, points = _as_tuple(inputs, "inputs", "jvp")
    points = _prepare(points, create_graph)
    vs = _default_v(points, "input", "jvp") if v is None else _check_v(
        v, points, "input", "jvp")
    out_tuple, outputs = _call(func, points, "jvp")
    dummies = tuple(zeros_like(out).requires_grad_(True) for out in outputs)
    transposed = _gradients(outputs, points, dummies, True, strict, "jvp")
    products = _gradients(transposed, dummies, vs, create_graph, strict, "jvp")
    return (_unpack(_finish(outputs, create_graph), out_tuple),
            _unpack(_finish(products, create_graph), out_tuple))


def jacobian(func: Callable, inputs: Any, create_graph: bool = False, strict: bool = False,
             vectorize: bool = False, strategy: str = "reverse-mode") -> Any:
    """The Jacobian of ``func`` at ``inputs``: ``d output / d input`` of shape
    ``output.shape + input.shape``.

    With a tuple of inputs and/or outputs the result is a tuple (of tuples, indexed
    ``[output][input]``), as PyTorch. ``vectorize`` and ``strategy`` are accepted for
    PyTorch's signature; every row is one backward pass either way, with the same result.
    """
    if strategy not in _STRATEGIES:
        raise ValueError(f"jacobian: strategy must be one of {_STRATEGIES}, got {strategy!r}")
    in_tuple, points = _as_tuple(inputs, "inputs", "jacobian")
    points = _prepare(points, create_graph)
    out_tuple, outputs = _call(func, points, "jacobian")
    blocks = []
    for out in outputs:
        # one vector-Jacobian product per output element, v running over the one-hot rows
        basis = eye(out.numel(), dtype=out.dtype, device=out.device)
        rows = [_gradients((out,), points, (basis[k].reshape(out.shape),), create_graph,
                           strict, "jacobian") for k in range(out.numel())]
        blocks.append(tuple(
            stack([row[j] for row in rows]).reshape(out.shape + inp.shape) if rows
            else zeros(out.shape + inp.shape, dtype=inp.dtype, device=inp.device)
            for j, inp in enumerate(points)
        ))
    blocks = tuple(_finish(block, create_graph) for block in blocks)
    return _unpack(tuple(_unpack(block, in_tuple) for block in blocks), out_tuple)


def _scalar_output(func: Callable, fn_name: str) -> Callable:
    """``func`` checked to return one single-element Tensor, returned as a 0-d tensor."""
    def single(*inputs: Tensor) -> Tensor:
        out = func(*inputs)
        if not isinstance(out, Tensor) or out.numel() != 1:
            shape = out.shape if isinstance(out, Tensor) else type(out).__name__
            raise ValueError(f"{fn_name}: the function must return a single-element Tensor, "
                             f"got {shape}")
        return out.reshape(())
    return single


def hessian(func: Callable, inputs: Any, create_graph: bool = False, strict: bool = False,
            vectorize: bool = False, outer_jacobian_strategy: str = "reverse-mode") -> Any:
    """The Hessian of a scalar function: ``d² f / d input_i d input_j``, of shape
    ``input_i.shape + input_j.shape`` (a tuple of tuples for a tuple of inputs)."""
    in_tuple, points = _as_tuple(inputs, "inputs", "hessian")
    scalar = _scalar_output(func, "hessian")

    def gradient(*at: Tensor) -> tuple[Tensor, ...]:
        return _as_tuple(jacobian(scalar, at, create_graph=True), "gradient", "hessian")[1]

    result = jacobian(gradient, points, create_graph=create_graph, strict=strict,
                      vectorize=vectorize, strategy=outer_jacobian_strategy)
    return result if in_tuple else result[0][0]


def vhp(func: Callable, inputs: Any, v: Any = None, create_graph: bool = False,
        strict: bool = False) -> tuple[Tensor, Any]:
    """``(func(inputs), vᵀ·H)`` for a scalar function: one backward pass through its gradient."""
    in_tuple, points = _as_tuple(inputs, "inputs", "vhp")
    points = _prepare(points, create_graph)
    vs = _default_v(points, "input", "vhp") if v is None else _check_v(
        v, points, "input", "vhp")
    output = _scalar_output(func, "vhp")(*points)
    gradient = _gradients((output,), points, (ones_like(output),), True, strict, "vhp")
    products = _gradients(gradient, points, vs, create_graph, strict, "vhp")
    return (_finish((output,), create_graph)[0], _unpack(_finish(products, create_graph),
                                                           in_tuple))


def hvp(func: Callable, inputs: Any, v: Any = None, create_graph: bool = False,
        strict: bool = False) -> tuple[Tensor, Any]:
    """``(func(inputs), H·v)`` for a scalar function, by the double-backward trick on
    ``vᵀH`` (the same as ``vhp`` wherever the Hessian is symmetric)."""
    in_tuple, points = _as_tuple(inputs, "inputs", "hvp")
    points = _prepare(points, create_graph)
    vs = _default_v(points, "input", "hvp") if v is None else _check_v(
        v, points, "input", "hvp")
    output = _scalar_output(func, "hvp")(*points)
    gradient = _gradients((output,), points, (ones_like(output),), True, strict, "hvp")
    dummies = tuple(zeros_like(p).requires_grad_(True) for p in points)
    transposed = _gradients(gradient, points, dummies, True, strict, "hvp")
    products = _gradients(transposed, dummies, vs, create_graph, strict, "hvp")
    return (_finish((output,), create_graph)[0], _unpack(_finish(products, create_graph),
                                                           in_tuple))
