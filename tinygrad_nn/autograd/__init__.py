"""The engine: grad mode, reverse-mode backward, ``grad()``, ``Function`` and ``gradcheck``.

Every op records its output with its parents and one rule per parent,
``rule(grad_output, out, *inputs) -> the gradient for that parent``, written next to the
op's forward math (``tinygrad_nn/ops``). Backpropagation visits the graph in reverse
topological order (found iteratively, so depth is unlimited), calls the rules of the
parents that need a gradient, sums the gradients that reach a tensor along every path,
and un-broadcasts each gradient to its parent's shape here, once, so no op has to.

In a plain ``backward()`` the rules run on arrays: no Tensor is made until a ``.grad``
is set. With ``create_graph=True`` the same rules run on Tensors, so the backward pass is
itself recorded and can be differentiated again.
"""

from __future__ import annotations

import contextlib
import functools
import gc
import operator
import os
import traceback
from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING, Any

import numpy as np

from .. import backend

if TYPE_CHECKING:
    from ..tensor import Tensor


class _State:
    """Process-wide switches read by every op (slots: the fastest attribute reads)."""

    __slots__ = ("grad_enabled", "anomaly", "scope", "edits")

    def __init__(self) -> None:
        self.grad_enabled = True
        self.anomaly = False
        self.scope: tuple | None = None  # the Modules whose forward is running, outermost
        self.edits = 0  # in-place changes so far (numbers them; see Tensor._mark_changed)


state = _State()


# ---------------------------------------------------------------- grad mode


class _GradMode:
    """Sets grad mode inside: a context manager, and a decorator with or without ()."""

    mode = True

    def __new__(cls, func: Callable | None = None) -> Any:
        if func is None:
            return super().__new__(cls)
        return cls()(func)  # bare `@no_grad`, as PyTorch allows

    def __init__(self, func: Callable | None = None) -> None:
        self._previous: list[bool] = []  # a stack: the same object may be entered re-entrantly

    def __enter__(self) -> None:
        self._previous.append(state.grad_enabled)
        state.grad_enabled = self.mode

    def __exit__(self, *exc: object) -> None:
        state.grad_enabled = self._previous.pop()

    def __call__(self, func: Callable) -> Callable:
        @functools.wraps(func)
        def wrapper(*args: Any, **kwargs: Any) -> Any:
            with type(self)():
                return func(*args, **kwargs)

        return wrapper


class no_grad(_GradMode):
    """Context manager and decorator: ops inside record no graph.

    >>> with no_grad():
    ...     y = x * 2          # y.requires_grad is False
    """

    mode = False


class enable_grad(_GradMode):
    """Context manager and decorator: turn recording back on inside ``no_grad``."""

    mode = True


class set_grad_enabled:
    """Turn recording on or off: immediately, and back again when used as a context."""

    def __init__(self, mode: bool) -> None:
        self._previous = state.grad_enabled
        state.grad_enabled = bool(mode)

    def __enter__(self) -> None:
        pass

    def __exit__(self, *exc: object) -> None:
        state.grad_enabled = self._previous


def is_grad_enabled() -> bool:
    """Whether ops currently record the graph."""
    return state.grad_enabled


# ---------------------------------------------------------------- anomaly mode


class detect_anomaly(contextlib.ContextDecorator):
    """Inside, the first op whose forward or backward makes NaN/Inf raises ``RuntimeError``.

    The error names the op, the shapes and the line of user code that created it.
    Creation frames are recorded only while anomaly mode is on.
    """

    def __init__(self, check_nan: bool = True) -> None:
        self.check_nan = check_nan
        self._previous: list[bool] = []

    def _recreate_cm(self) -> detect_anomaly:
        return type(self)(self.check_nan)  # a fresh one per decorated call

    def __enter__(self) -> None:
        self._previous.append(state.anomaly)
        state.anomaly = self.check_nan

    def __exit__(self, *exc: object) -> None:
        state.anomaly = self._previous.pop()


def set_detect_anomaly(mode: bool) -> None:
    """Turn anomaly mode on or off globally."""
    state.anomaly = bool(mode)


def is_anomaly_enabled() -> bool:
    """Whether anomaly mode is on."""
    return state.anomaly


_PACKAGE_DIR = os.path.dirname(os.path.dirname(os.path.abspath(__file__))) + os.sep


def _user_frame() -> str:
    """The innermost stack frame outside tinygrad_nn, as 'file:line in func: code'."""
    for frame in reversed(traceback.extract_stack()[:-1]):
        if not os.path.abspath(frame.filename).startswith(_PACKAGE_DIR):
            return f"{frame.filename}:{frame.lineno} in {frame.name}: {frame.line}"
    return "<unknown>"


class AnomalyError(RuntimeError):
    """Raised by anomaly mode; ``.tensor`` is the op's output, marked for ``tg.viz`` pictures."""

    def __init__(self, message: str, tensor: Tensor) -> None:
        super().__init__(message)
        self.tensor = tensor


def check_forward_anomaly(out: Tensor) -> None:
    """In anomaly mode: remember where ``out`` was made, and raise if it holds NaN/Inf."""
    out._created_at = _user_frame()
    if np.issubdtype(out._data.dtype, np.floating) and not np.isfinite(out._data).all():
        out._anomaly = True
        shapes = ", ".join(str(p.shape) for p in out._parents)
        given = [p for p in out._parents if not np.isfinite(p._data).all()]
        source = (
            f"; its input of shape {given[0].shape} already held NaN/Inf, made outside "
            "anomaly mode's view (the data, or an op on tensors that need no grad)"
            if given else ""
        )
        raise AnomalyError(
            f"anomaly: op '{out._op}' produced NaN/Inf in its forward output of shape "
            f"{out.shape} (input shapes {shapes}); created at {out._created_at}{source}",
            out,
        )


def _check_backward_anomaly(node: Tensor, parent: Tensor, grad: Any) -> None:
    if not np.isfinite(getattr(grad, "_data", grad)).all():
        node._anomaly = True
        raise AnomalyError(
            f"anomaly: the backward of op '{node._op}' (output shape {node.shape}) produced "
            f"NaN/Inf in the gradient of an input of shape {parent.shape}; the op was "
            f"created at {getattr(node, '_created_at', '<unknown: enable anomaly mode first>')}",
            node,
        )


# ---------------------------------------------------------------- the engine


def _freed_backward(grad_output: Any, out: Any, *inputs: Any) -> tuple:
    raise AssertionError("unreachable: the engine raises before calling a freed backward")


def _raise_freed(node: Tensor) -> None:
    raise RuntimeError(
        f"trying to backward through the graph a second time (at op '{node._op}'): its saved "
        "arrays were freed after the first backward. Pass retain_graph=True to the first "
        "backward() if you need to backward through it again."
    )


def topological_order(roots: Sequence[Tensor]) -> list[Tensor]:
    """Every tensor that needs a gradient and that ``roots`` depend on, inputs first.

    Every recorded tensor is numbered as it is made (``_seq``), and an op's inputs
    always exist before its output, so creation order is a topological order: we
    only collect the reachable tensors (an explicit stack, no recursion, so a
    100,000-op chain is fine) and sort them by that number.
    """
    found = dict.fromkeys(r for r in roots if r.requires_grad)  # a dict keeps found order
    stack = list(found)
    while stack:
        for parent in stack.pop()._parents:
            if parent.requires_grad and parent not in found:
                found[parent] = None
                stack.append(parent)
    return sorted(found, key=_creation_number)


_creation_number = operator.attrgetter("_seq")


def sum_to(grad: Any, shape: tuple[int, ...]) -> Any:
    """Un-broadcast: sum ``grad`` (an array or a Tensor) down to ``shape``."""
    if grad.shape == shape:
        return grad
    lead = grad.ndim - len(shape)
    axes = tuple(range(lead)) + tuple(
        lead + i for i, n in enumerate(shape) if n == 1 and grad.shape[lead + i] != 1
    )
    summed = grad.sum(axis=axes, keepdims=True) if axes else grad
    return summed.reshape(shape) if summed.shape != shape else summed


def input_gradients(node: Tensor, grad_output: Any, create_graph: bool) -> list[Any]:
    """The gradient ``node``'s op sends to each of its inputs (None where none is needed).

    ``grad_output`` is an array, or a Tensor when ``create_graph`` is set; the rules get
    the same kind of values for the op's output and inputs (see ``ops/dual.py``).
    """
    rules, parents = node._backward, node._parents
    if rules is _freed_backward:
        _raise_freed(node)
    if create_graph:
        out, values = node, parents
    else:
        out, values = node._data, [p._data for p in parents]
    if type(rules) is tuple:  # one rule per input: only the inputs that need one are asked
        return [rule(grad_output, out, *values) if parent.requires_grad else None
                for parent, rule in zip(parents, rules, strict=True)]
    return list(rules(grad_output, out, *values))  # one function for all (tg.Function)


def run_backward(
    roots: Sequence[Tensor],
    root_grads: Sequence[Tensor],
    retain_graph: bool,
    create_graph: bool,
    inputs: Sequence[Tensor] | None = None,
) -> dict[int, Tensor] | None:
    """Backpropagate ``root_grads`` from ``roots``.

    With ``inputs=None`` gradients accumulate into the ``.grad`` of leaves (and of
    tensors that called ``retain_grad``). Otherwise nothing's ``.grad`` changes and
    the gradients of ``inputs`` are returned, keyed by ``id``.

    Without ``create_graph`` the gradients flowing through the pass are plain arrays and
    each op's rules run on arrays; with it they are Tensors, so the pass is recorded.
    """
    from ..tensor import Tensor

    order = topological_order(roots)
    wanted = None if inputs is None else set(inputs)
    captured: dict[int, Any] = {}
    grads: dict[Tensor, Any] = {}  # the gradient reaching each tensor so far
    for root, g in zip(roots, root_grads, strict=True):
        if root.requires_grad:
            g = g if create_graph else g._data
            grads[root] = grads[root] + g if root in grads else g
    previous_mode = state.grad_enabled
    state.grad_enabled = create_graph
    # Backward allocates many short-lived objects and no cycles: the cyclic
    # collector would only rescan the (large, live) graph again and again.
    collecting = gc.isenabled()
    gc.disable()
    pop = grads.pop
    anomaly = state.anomaly  # fixed for the whole pass
    # arrays a .grad may not take over: the caller's seeds, and those already taken
    adopted = {id(backend.memory_owner(g._data)) for g in root_grads}
    # anomaly mode frees the graph only once the pass got through, so it can be drawn
    free_as_we_go = not retain_graph and not anomaly
    # leaves whose running sum this pass made itself: private (no rule passes a leaf's
    # gradient on), so further terms are added in place
    owned: set[Tensor] = set()
    try:
        for node in reversed(order):
            g = pop(node, None)
            if g is None:
                continue
            if node._hooks:
                g = _run_hooks(node, g, create_graph)
            rules = node._backward
            if wanted is not None:
                if node in wanted:
                    captured[id(node)] = g
            elif rules is None or node._retains_grad:
                node._accumulate_grad(g, create_graph, adopted)
            if rules is None:
                continue
            if node._stamp != state.edits:  # something was changed in place since
                node._check_versions()  # raises if it was an input, naming it
            parents = node._parents
            if create_graph or type(rules) is not tuple:
                grads_in = input_gradients(node, g, create_graph)
            elif len(parents) == 1:  # a unary op: its input needs the gradient, or we'd not be here
                grads_in = (rules[0](g, node._data, parents[0]._data),)
            elif len(parents) == 2:  # the hot cases, without building argument lists
                a, b = parents
                out, a_data, b_data = node._data, a._data, b._data
                grads_in = (rules[0](g, out, a_data, b_data) if a.requires_grad else None,
                            rules[1](g, out, a_data, b_data) if b.requires_grad else None)
            else:
                grads_in = input_gradients(node, g, create_graph)
            if free_as_we_go:  # drop what the op kept: the graph's memory goes as we pass
                node._backward, node._parents = _freed_backward, ()
            for parent, pg in zip(parents, grads_in, strict=True):
                if pg is None or not parent.requires_grad:
                    continue
                needed = parent._data
                if pg.shape != needed.shape:
                    pg = sum_to(pg, needed.shape)
                if pg.dtype is not needed.dtype and pg.dtype != needed.dtype:
                    pg = pg.astype(needed.dtype)
                if anomaly:
                    _check_backward_anomaly(node, parent, pg)
                total = grads.get(parent)
                if total is None:
                    grads[parent] = pg
                elif create_graph:
                    grads[parent] = total + pg  # recorded: part of the gradient's graph
                elif parent in owned:
                    total += pg
                else:
                    grads[parent] = total = total + pg
                    if parent._backward is None and total.ndim:  # (0-d sums are scalars)
                        owned.add(parent)
        if anomaly and not retain_graph:
            for node in order:
                if node._backward is not None:
                    node._backward, node._parents = _freed_backward, ()
    finally:
        state.grad_enabled = previous_mode
        if collecting:
            gc.enable()
    if inputs is None:
        return None
    return {key: g if isinstance(g, Tensor) else _as_tensor(g, Tensor)
            for key, g in captured.items()}


def _as_tensor(g: Any, tensor_type: type) -> Any:
    return tensor_type._wrap(g, backend.device_of(g))


def _run_hooks(node: Tensor, g: Any, create_graph: bool) -> Any:
    """Call ``node``'s hooks with its gradient as a Tensor; a hook may replace it."""
    grad = g if create_graph else _as_tensor(g, type(node))
    for hook in list(node._hooks):
        replaced = hook(grad)
        if replaced is not None:
            grad = replaced if isinstance(replaced, type(node)) else node._const(replaced)
    return grad if create_graph else grad._data


def grad(
    outputs: Tensor | Sequence[Tensor],
    inputs: Tensor | Sequence[Tensor],
    grad_outputs: Tensor | Sequence[Tensor | None] | None = None,
    retain_graph: bool | None = None,
    create_graph: bool = False,
    allow_unused: bool = False,
) -> tuple[Tensor | None, ...]:
    """Gradients of ``outputs`` with respect to ``inputs``, without touching any ``.grad``.

    Parameters
    ----------
    outputs
        A Tensor or a sequence of Tensors to differentiate.
    inputs
        A Tensor or a sequence of Tensors to differentiate with respect to.
    grad_outputs
        The vector in the vector-Jacobian product, one per output (may be omitted
        for scalar outputs).
    retain_graph
        Keep the graph for another backward; defaults to ``create_graph``.
    create_graph
        Record the backward pass, so the gradients can be differentiated again.
    allow_unused
        Return ``None`` for an input the outputs do not depend on, instead of
        raising ``RuntimeError``.
    """
    from ..tensor import Tensor

    listed = outputs if isinstance(outputs, list | tuple) else [outputs]
    if not all(isinstance(t, Tensor) for t in listed):
        raise TypeError(
            f"grad() outputs must be a Tensor or a list of Tensors, got {outputs!r:.60}"
        )
    outputs = [outputs] if isinstance(outputs, Tensor) else list(outputs)
    inputs = [inputs] if isinstance(inputs, Tensor) else list(inputs)
    if grad_outputs is None or isinstance(grad_outputs, Tensor):
        grad_outputs = [grad_outputs] * len(outputs)
    if len(grad_outputs) != len(outputs):
        raise ValueError(
            f"grad_outputs has {len(grad_outputs)} entries but there are {len(outputs)} outputs"
        )
    for t in inputs:
        if not isinstance(t, Tensor) or not t.requires_grad:
            raise RuntimeError("every input of grad() must be a Tensor that requires grad")
    seeds = [out._seed_gradient(g) for out, g in zip(outputs, grad_outputs, strict=True)]
    if retain_graph is None:
        retain_graph = create_graph
    captured = run_backward(outputs, seeds, retain_graph, create_graph, inputs=inputs)
    result = []
    for i, t in enumerate(inputs):
        g = captured.get(id(t))
        if g is None and not allow_unused:
            raise RuntimeError(
                f"input {i} (shape {t.shape}) was not used to compute the outputs; "
                "pass allow_unused=True to get None for it"
            )
        result.append(g)
    return tuple(result)


# ---------------------------------------------------------------- user-defined ops


class FunctionContext:
    """The ``ctx`` of a ``Function``: saves tensors and free attributes for backward."""

    def __init__(self) -> None:
        self._saved: tuple = ()
        self.needs_input_grad: tuple[bool, ...] = ()

    def save_for_backward(self, *tensors: Any) -> None:
        """Keep ``tensors`` for ``backward`` (read them back from ``saved_tensors``)."""
        self._saved = tensors

    @property
    def saved_tensors(self) -> tuple:
        """The tensors given to ``save_for_backward``, in order."""
        return self._saved


class Function:
    """A user-defined differentiable op, as in PyTorch.

    Subclass it with static ``forward(ctx, *args)`` (runs with grad mode off, returns a
    Tensor) and ``backward(ctx, grad_output)`` (returns one gradient per forward
    argument: a Tensor, or None), then call ``MyOp.apply(*args)``. A backward written
    in Tensor ops can be differentiated again under ``create_graph=True``.
    """

    @staticmethod
    def forward(ctx: FunctionContext, *args: Any) -> Tensor:
        """Compute the output from the inputs."""
        raise NotImplementedError("a Function subclass must define a static forward(ctx, ...)")

    @staticmethod
    def backward(ctx: FunctionContext, grad_output: Tensor) -> Any:
        """Return the gradient for each forward argument."""
        raise NotImplementedError("a Function subclass must define a static backward(ctx, g)")

    @classmethod
    def apply(cls, *args: Any) -> Tensor:
        """Run ``forward`` and record the op so that ``backward`` is used by autograd."""
        from ..tensor import Tensor

        ctx = FunctionContext()
        ctx.needs_input_grad = tuple(isinstance(a, Tensor) and a.requires_grad for a in args)
        if not any(isinstance(a, Tensor) for a in args):
            raise TypeError(f"{cls.__name__}.apply needs at least one Tensor argument")
        with no_grad():
            result = cls.forward(ctx, *args)
        if not isinstance(result, Tensor):
            raise TypeError(
                f"{cls.__name__}.forward must return a Tensor, got {type(result).__name__}"
            )
        tensor_args = tuple(a for a in args if isinstance(a, Tensor))
        positions = [i for i, a in enumerate(args) if isinstance(a, Tensor)]
        # The output may be among the saved tensors; swap it for a marker so the
        # closure does not keep the output alive through a reference cycle.
        ctx._saved = tuple(_OUTPUT if s is result else s for s in ctx._saved)

        device = tensor_args[0].device

        # a user's backward works on Tensors: in a plain backward() the engine passes
        # arrays, which are wrapped here (grad mode is off then, so nothing is recorded)
        def backward(grad_output: Any, out: Any, *inputs: Any) -> tuple:
            plain = not isinstance(grad_output, Tensor)
            if plain:
                grad_output, out = Tensor._wrap(grad_output, device), Tensor._wrap(out, device)
            ctx._saved = tuple(out if s is _OUTPUT else s for s in ctx._saved)
            grads = cls.backward(ctx, grad_output)
            ctx._saved = tuple(_OUTPUT if s is out else s for s in ctx._saved)
            grads = grads if isinstance(grads, tuple) else (grads,)
            if len(grads) != len(args):
                raise RuntimeError(
                    f"{cls.__name__}.backward returned {len(grads)} gradients but forward "
                    f"took {len(args)} arguments"
                )
            result = [_as_gradient(grads[i], args[i], cls.__name__) for i in positions]
            return [g._data if plain and g is not None else g for g in result]

        return Tensor._make(result._data, tensor_args, cls.__name__, backward)


_OUTPUT = object()


def _as_gradient(g: Any, arg: Tensor, name: str) -> Tensor | None:
    from ..tensor import Tensor

    if g is None:
        return None
    g = g if isinstance(g, Tensor) else Tensor(np.asarray(g, dtype=arg.dtype))
    if g.shape != arg.shape and np.broadcast_shapes(g.shape, arg.shape) != g.shape:
        raise RuntimeError(
            f"{name}.backward returned a gradient of shape {g.shape} for an input of shape "
            f"{arg.shape}"
        )
    return g


# ---------------------------------------------------------------- gradcheck


def gradcheck(
    fn: Callable[..., Tensor],
    inputs: Tensor | Sequence[Any],
    eps: float = 1e-6,
    atol: float = 1e-5,
    rtol: float = 1e-3,
) -> bool:
    """Compare ``fn``'s analytic gradients with central differences, in float64.

    Each input that requires grad is perturbed element by element. All outputs are
    checked at once, through their sum weighted by a fixed random vector; where that
    disagrees, the Jacobian is worked out entry by entry, and the ``AssertionError``
    names the input, the output and input indices, and both derivatives
    d output[k] / d input[j] (as PyTorch's message does). Returns True otherwise.
    """
    from ..tensor import Tensor

    inputs = [inputs] if isinstance(inputs, Tensor) else list(inputs)
    # float32 inputs are checked in float64: central differences in float32 are noise
    # fresh C-contiguous float64 copies: perturbing them in place must reach every element
    inputs = [
        Tensor(np.array(x.numpy(), dtype=np.float64, order="C"), requires_grad=x.requires_grad)
        if isinstance(x, Tensor) and np.issubdtype(x.dtype, np.floating)
        else x
        for x in inputs
    ]
    differentiable = [i for i, x in enumerate(inputs) if isinstance(x, Tensor) and x.requires_grad]
    if not differentiable:
        raise ValueError("gradcheck needs at least one input Tensor with requires_grad=True")

    output = fn(*inputs)
    if not isinstance(output, Tensor):
        raise TypeError(f"gradcheck: fn must return a Tensor, got {type(output).__name__}")
    weights = np.random.default_rng(1234).standard_normal(output.shape)

    def values(out: Tensor) -> np.ndarray:
        return np.array(out.numpy(), dtype=np.float64).reshape(-1)  # a copy: out may view x

    analytic = grad(
        (output * Tensor(weights)).sum(),
        [inputs[i] for i in differentiable],
        retain_graph=True,
        allow_unused=True,
    )
    # grad mode stays on: fn may itself take gradients (gradgradcheck)
    for k, i in enumerate(differentiable):
        x = inputs[i]
        a = np.zeros(x.shape) if analytic[k] is None else analytic[k].numpy()
        flat = x._data.reshape(-1)
        for j in range(flat.size):
            saved = flat[j]
            flat[j] = saved + eps
            plus = values(fn(*inputs))
            flat[j] = saved - eps
            minus = values(fn(*inputs))
            flat[j] = saved
            column = (plus - minus) / (2 * eps)  # d output / d x[j], numerically
            numeric = float(column @ weights.reshape(-1))
            value = a.reshape(-1)[j]
            if not abs(value - numeric) <= atol + rtol * abs(numeric):
                raise AssertionError(_jacobian_mismatch(output, x, i, j, column))
    return True


def _jacobian_mismatch(output: Tensor, x: Tensor, i: int, j: int, column: np.ndarray) -> str:
    """The message for a failed gradcheck: the worst Jacobian entry of input ``i``'s ``j``."""
    rows = []
    for k in range(output.numel()):  # the analytic column, one output element at a time
        seed = np.zeros(output.numel())
        seed[k] = 1.0
        (g,) = grad(output, x, grad_outputs=type(output)(seed.reshape(output.shape)),
                    retain_graph=True, allow_unused=True)
        rows.append(0.0 if g is None else float(g.numpy().reshape(-1)[j]))
    analytic = np.array(rows)
    worst = int(np.argmax(np.abs(analytic - column)))

    def where(index: int, shape: tuple[int, ...]) -> tuple[int, ...]:
        return tuple(int(n) for n in np.unravel_index(index, shape)) if shape else ()

    return (
        f"gradcheck failed for input {i} (shape {x.shape}): the Jacobian entry "
        f"d output{list(where(worst, output.shape))} / d input{list(where(j, x.shape))} is "
        f"{float(analytic[worst])!r} by the backward pass but {float(column[worst])!r} by central "
        f"differences (the Jacobian column of that input element: analytic "
        f"{np.round(analytic, 6).tolist()}, numerical {np.round(column, 6).tolist()})"
    )


def gradgradcheck(
    fn: Callable[..., Tensor],
    inputs: Sequence[Any],
    eps: float = 1e-6,
    atol: float = 1e-5,
    rtol: float = 1e-3,
) -> bool:
    """Check second derivatives: ``gradcheck`` of the (create_graph) gradient of ``fn``."""
    from ..tensor import Tensor

    inputs = [inputs] if isinstance(inputs, Tensor) else list(inputs)
    differentiable = [i for i, x in enumerate(inputs) if isinstance(x, Tensor) and x.requires_grad]

    def first_derivative(*xs: Any) -> Tensor:
        out = fn(*xs)
        weights = Tensor(np.random.default_rng(4321).standard_normal(out.shape))
        gs = grad((out * weights).sum(), [xs[i] for i in differentiable],
                  create_graph=True, allow_unused=True)
        total = None
        for g in gs:
            if g is not None:
                term = (g * g).sum()
                total = term if total is None else total + term
        if total is None:
            raise ValueError("gradgradcheck: fn does not depend on any input")
        return total

    return gradcheck(first_derivative, inputs, eps=eps, atol=atol, rtol=rtol)
