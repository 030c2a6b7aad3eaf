"""Pictures of the computation graph (through Graphviz) and a step-by-step ``explain()``.

``draw_graph`` returns a ``graphviz.Digraph``: one box per tensor (its name,
shape, dtype, and its value and gradient when small), one ellipse per op, edges
in data-flow order, and the ops of each ``Module`` call grouped in a box named
after the module. ``backward=True`` draws the gradient flow instead, every
tensor coloured by the size of its gradient, and ``backward="both"`` puts the
two views in one picture. Building the ``Digraph`` needs no Graphviz program;
``render`` (or ``Digraph.render``) does. In Jupyter a returned ``Digraph``
displays inline.

>>> import tinygrad_nn as tg
>>> x = tg.tensor([1.0, 2.0], requires_grad=True)
>>> x.name = "x"
>>> y = (x * x).sum()
>>> "mul" in tg.viz.draw_graph(y).source
True

Pictures show what the user wrote: a tensor is labelled with its name (``t.name``
or a parameter's name) or else after the op that made it (``matmul``,
``matmul_1``, ...), the same in ``explain``; an op that builds helpers inside
(matmul with a 1-D operand, losses given class labels) is drawn as one op on the
user's own inputs (see ``_inputs``).

viz reads the graph and never changes it: ``explain`` and the gradient-flow
view run each op's backward rule themselves (like ``tg.grad(...,
retain_graph=True)``), so no ``.grad`` is touched and the graph stays usable.
"""

from __future__ import annotations

import functools
import html as html_text  # the name html is tg.viz.html, the explorer page
import math
import os
import textwrap
from collections.abc import Iterable, Mapping, Sequence
from pathlib import Path
from typing import Any, Literal

import graphviz
import numpy as np

from .autograd import grad as _autograd_grad
from .autograd import input_gradients, no_grad, sum_to
from .tensor import Tensor

__all__ = ["GraphvizNotFound", "draw_graph", "explain", "gradient_color", "render"]

SMALL = 16  # tensors with at most this many elements show their values
VALUE_WIDTH = 40  # characters per line of printed values: boxes stay narrow enough to read
MIN_FONT_PT = 9  # no text in a picture is smaller (12 px at 100 %)

INSTALL_HINT = (
    "Install the Graphviz programs (the `graphviz` Python package is only the front end):\n"
    "  Debian/Ubuntu:  sudo apt-get install graphviz\n"
    "  Fedora:         sudo dnf install graphviz\n"
    "  macOS:          brew install graphviz\n"
    "  conda:          conda install -c conda-forge graphviz\n"
    "  Windows:        winget install graphviz   (then add its bin folder to PATH)\n"
    "then check with `dot -V`."
)


class GraphvizNotFound(RuntimeError):
    """The Graphviz ``dot`` program is not installed or not on ``PATH``."""


# ---------------------------------------------------------------- colours

# Gradient magnitude (RMS of the gradient, log10) -> fill colour. Pale/blue is a
# vanishing gradient, green/yellow a healthy one, orange/dark an exploding one.
GRADIENT_STOPS: tuple[tuple[float, str], ...] = (
    (-10.0, "#f4f8fc"),
    (-8.0, "#c6dbef"),
    (-6.0, "#6baed6"),
    (-4.0, "#a1d99b"),
    (-2.0, "#c2e699"),
    (0.0, "#e5f5a0"),
    (2.0, "#fec44f"),
    (4.0, "#ec7014"),
    (6.0, "#8c2d04"),
)
NONFINITE_COLOR = "#e31a1c"  # NaN or Inf
NONFINITE_BORDER = "#67000d"
ZERO_COLOR = "#e6e6e6"  # exactly zero gradient
PARAM_COLOR = "#d9ead3"
INPUT_COLOR = "#f2f2f2"
ROOT_COLOR = "#fff2cc"
OP_STYLE = {"shape": "ellipse", "fillcolor": "#e8e8f4", "height": "0.3"}


def _hex_to_rgb(color: str) -> tuple[int, int, int]:
    return int(color[1:3], 16), int(color[3:5], 16), int(color[5:7], 16)


def gradient_color(magnitude: float) -> str:
    """The fill colour the gradient-flow view gives a gradient of this RMS magnitude.

    Log scale from ``1e-10`` (pale: vanished) through blue (``1e-6``), green
    (``1e-4`` to ``1``: healthy) and orange (``1e4``) to ``1e6`` (dark: exploded);
    ``0`` is grey and NaN/Inf red.
    """
    if not math.isfinite(magnitude):
        return NONFINITE_COLOR
    if magnitude == 0:
        return ZERO_COLOR
    position = min(max(math.log10(abs(magnitude)), GRADIENT_STOPS[0][0]), GRADIENT_STOPS[-1][0])
    for (lo, lo_color), (hi, hi_color) in zip(GRADIENT_STOPS, GRADIENT_STOPS[1:], strict=False):
        if position <= hi:
            w = (position - lo) / (hi - lo)
            rgb = [
                round(a + w * (b - a))
                for a, b in zip(_hex_to_rgb(lo_color), _hex_to_rgb(hi_color), strict=True)
            ]
            return "#{:02x}{:02x}{:02x}".format(*rgb)
    return GRADIENT_STOPS[-1][1]


def _text_color(fill: str) -> str:
    r, g, b = _hex_to_rgb(fill)
    return "#ffffff" if 0.299 * r + 0.587 * g + 0.114 * b < 120 else "#000000"


# ---------------------------------------------------------------- the graph


def _inputs(t: Tensor) -> tuple[Tensor, ...]:
    """The inputs an op was given by the user.

    An op that builds helper tensors inside (matmul promoting a 1-D operand to a
    matrix, cross_entropy turning class labels into a one-hot table) marks its
    result with ``_drawn_as = (op, inputs)``: viz draws that op on the user's own
    inputs and never shows the helpers between.
    """
    drawn = getattr(t, "_drawn_as", None)
    return t._parents if drawn is None else drawn[1]


def _op_name(t: Tensor) -> str:
    drawn = getattr(t, "_drawn_as", None)
    return str(t._op) if drawn is None else drawn[0]


def _as_roots(root: Tensor | Sequence[Tensor]) -> list[Tensor]:
    roots = [root] if isinstance(root, Tensor) else list(root) if isinstance(
        root, list | tuple) else []
    if not roots or not all(isinstance(r, Tensor) for r in roots):
        raise TypeError(
            f"viz expects a Tensor or a sequence of Tensors, got {type(root).__name__}"
        )
    for r in roots:
        if r._op is not None and not r._parents:
            raise RuntimeError(
                f"the graph of this tensor (op '{r._op}') was freed by backward(): draw or "
                "explain it before calling backward(), or call backward(retain_graph=True)"
            )
    return roots


def _collect(roots: list[Tensor], max_nodes: int | None) -> list[Tensor]:
    """Every tensor the roots depend on, inputs first (iterative: no recursion limit)."""
    order: list[Tensor] = []
    visited: set[int] = set()
    count = 0
    stack: list[tuple[Tensor, bool]] = [(r, False) for r in reversed(roots)]
    while stack:
        node, parents_done = stack.pop()
        if parents_done:
            order.append(node)
            continue
        if id(node) in visited:
            continue
        visited.add(id(node))
        count += 1 if node._op is None else 2  # a tensor, and its op node
        if max_nodes is not None and count > max_nodes:
            raise ValueError(
                f"the graph has more than max_nodes={max_nodes} nodes (tensors and ops): a "
                "picture that large is unreadable and slow to lay out. Draw a smaller part of "
                "the model (a smaller batch does not help: nodes are tensors and ops, not "
                "elements), or pass max_nodes=None to draw it anyway."
            )
        stack.append((node, True))
        for parent in reversed(_inputs(node)):
            if id(parent) not in visited:
                stack.append((parent, False))
    return order


def _param_names(params: Any) -> dict[int, str]:
    """``id(tensor) -> name`` from a mapping, (name, tensor) pairs, or a Module."""
    if params is None:
        return {}
    if hasattr(params, "named_parameters"):
        params = params.named_parameters()
    if isinstance(params, str | bytes) or not isinstance(params, Iterable):
        raise TypeError(
            "params must map names to Tensors, e.g. dict(model.named_parameters()), or be a "
            f"Module; got {type(params).__name__}"
        )
    items = params.items() if isinstance(params, Mapping) else params
    names: dict[int, str] = {}
    for entry in items:
        if not (isinstance(entry, tuple) and len(entry) == 2 and isinstance(entry[1], Tensor)):
            raise TypeError(
                "params must map names to Tensors, e.g. dict(model.named_parameters()); "
                f"got an entry {entry!r:.60}"
            )
        names.setdefault(id(entry[1]), str(entry[0]))
    return names


def _module_names(scopes: Iterable[tuple], param_names: dict[int, str]) -> dict[int, str]:
    """``id(module) -> dotted name`` ("" for an unnamed outermost module).

    The outermost module of a scope is named by matching its parameters against
    ``params``; each inner one by its place among the outer one's submodules.
    """
    names: dict[int, str] = {}
    for scope in scopes:
        for depth, module in enumerate(scope):
            if id(module) in names:
                continue
            name = None
            if depth > 0:
                outer_name = names[id(scope[depth - 1])]
                for relative, sub in _named_modules(scope[depth - 1]):
                    if sub is module and relative:
                        name = f"{outer_name}.{relative}" if outer_name else relative
                        break
            if name is None:
                name = _name_from_params(module, param_names)
            names[id(module)] = name if name is not None else ""
    return names


def _named_modules(module: Any) -> Iterable[tuple[str, Any]]:
    named = getattr(module, "named_modules", None)
    return named() if callable(named) else ()


def _name_from_params(module: Any, param_names: dict[int, str]) -> str | None:
    named = getattr(module, "named_parameters", None)
    if not callable(named):
        return None
    for local, p in named():
        full = param_names.get(id(p))
        if full is not None and (full == local or full.endswith("." + local)):
            return full[: -len(local)].rstrip(".")
    return None


def _owns(module: Any, tensor: Tensor) -> bool:
    parameters = getattr(module, "parameters", None)
    return callable(parameters) and any(p is tensor for p in parameters(recurse=False))


def _display_name(t: Tensor, param_names: dict[int, str]) -> str | None:
    return param_names.get(id(t)) or t.name


# ---------------------------------------------------------------- labels


def _host(array: Any) -> np.ndarray:
    return array.get() if hasattr(array, "get") else np.asarray(array)


def _format_number(x: Any) -> str:
    if not isinstance(x, float):
        return str(x)
    if not math.isfinite(x):
        return "NaN" if math.isnan(x) else ("Inf" if x > 0 else "-Inf")
    return f"{x + 0.0:.4g}"  # + 0.0 turns -0.0 into 0.0


def _format_lines(a: np.ndarray, width: int = VALUE_WIDTH) -> list[str]:
    """An array as text lines at most about ``width`` wide, 4 significant digits.

    A small matrix is laid out one row per line, as numpy prints it; anything
    else wraps between elements.
    """
    if a.ndim == 0:
        return [_format_number(a.item())]
    if a.size <= SMALL and a.ndim <= 2:
        if a.ndim == 1:
            text = "[" + ", ".join(map(_format_number, a.tolist())) + "]"
            return [text] if len(text) <= width else textwrap.wrap(
                text, width, subsequent_indent=" ")
        rows = ["[" + ", ".join(map(_format_number, row)) + "]" for row in a.tolist()]
        if len(rows) > 1 and a.shape[1] > 1 and max(map(len, rows)) <= width - 2:
            return [f"[{rows[0]},"] + [f" {row}," for row in rows[1:-1]] + [f" {rows[-1]}]"]
        return textwrap.wrap("[" + ", ".join(rows) + "]", width, subsequent_indent=" ")
    text = np.array2string(
        a, separator=", ", max_line_width=width, threshold=SMALL, edgeitems=2,
        formatter={"float_kind": lambda x: _format_number(float(x))},
    )
    return text.split("\n")


def _one_line(a: np.ndarray) -> str:
    return " ".join(line.strip() for line in _format_lines(a))


def _stats(a: np.ndarray) -> list[str]:
    if a.size == 0:
        return ["empty"]
    values = a.astype(np.float64, copy=False)
    finite = np.isfinite(values)
    lines = []
    if not finite.all():
        lines.append(f"{int(np.isnan(values).sum())} NaN, {int(np.isinf(values).sum())} Inf")
        values = values[finite]
        if values.size == 0:
            return lines
    lines.append(f"mean {values.mean():.3g}  std {values.std():.3g}")
    lines.append(f"min {values.min():.3g}  max {values.max():.3g}")
    return lines


def _summary(a: np.ndarray, show_all: bool) -> list[str]:
    if a.size <= SMALL:
        return _format_lines(a)
    lines = _stats(a)
    return lines + _format_lines(a) if show_all else lines


def _rms(a: np.ndarray) -> float:
    if a.size == 0:
        return 0.0
    values = a.astype(np.float64, copy=False)
    if not np.isfinite(values).all():
        return math.nan
    return float(np.sqrt(np.mean(values * values)))


def _html_label(
    title: tuple[str, bool], subtitle: str, sections: list[tuple[str, list[str]]]
) -> str:
    """A tensor box: its label (bold if the user gave it, else italic), shape, dtype, sections."""
    name, given = title
    rows = [f"<tr><td><b>{html_text.escape(name)}</b></td></tr>" if given
            else f"<tr><td><i>{html_text.escape(name)}</i></td></tr>"]
    small = f'<font point-size="{MIN_FONT_PT}"'
    rows.append(f"<tr><td>{small}>{html_text.escape(subtitle)}</font></td></tr>")
    for caption, lines in sections:
        indent = " " * (len(caption) + 1)
        text = [f"{caption} {lines[0]}"] + [indent + line for line in lines[1:]]
        body = '<br align="left"/>'.join(
            html_text.escape(line).replace(" ", "&#160;") for line in text
        )
        rows.append(
            f'<tr><td align="left" balign="left">{small} face="Courier">{body}</font></td></tr>'
        )
    return '<<table border="0" cellborder="0" cellspacing="0" cellpadding="1">' + "".join(
        rows
    ) + "</table>>"


@functools.lru_cache(maxsize=256)
def _shape_text(shape: tuple[int, ...], dtype: np.dtype) -> str:
    return f"{shape} {dtype.name}"


# ---------------------------------------------------------------- drawing


class _Drawer:
    """Builds one view (forward or gradient flow) of a collected graph into a Digraph."""

    def __init__(
        self,
        tensors: list[Tensor],
        roots: list[Tensor],
        param_names: dict[int, str],
        show_data: bool,
        show_grad: bool,
    ) -> None:
        self.tensors = tensors
        self.root_ids = {id(r) for r in roots}
        self.show_data = show_data
        self.show_grad = show_grad
        self.ids = {id(t): str(i) for i, t in enumerate(tensors)}
        scopes = dict.fromkeys(t._scope for t in tensors if t._op is not None and t._scope)
        self.module_names = _module_names(scopes, param_names)
        self.leaf_scope = self._leaf_scopes()
        self.param_names = {**self._names_from_modules(), **param_names}
        # unnamed scalar constants (the 2 in x * 2) are written into their op's label
        self.folded = {
            id(t) for t in tensors
            if t._op is None and not t.requires_grad and t.name is None and t.numel() == 1
            and id(t) not in param_names and id(t) not in self.root_ids
        }
        self.labels = self._labels()

    def _labels(self) -> dict[int, tuple[str, bool]]:
        """``id(tensor) -> (label, given)``: the name the user gave, else a made-up one.

        Made-up names follow torch.fx: an op's output is named after the op
        (``matmul``, then ``matmul_1``, ...), an unnamed leaf ``tensor``, in
        forward order, so the pictures and ``explain`` call a tensor the same.
        """
        labels: dict[int, tuple[str, bool]] = {}
        taken: dict[str, int] = {}
        for t in self.tensors:
            if id(t) in self.folded:
                continue  # written into its op's label, never a box of its own
            name = _display_name(t, self.param_names)
            if name:
                labels[id(t)] = (name, True)
                continue
            base = "tensor" if t._op is None else _op_name(t)
            count = taken.get(base, 0)
            taken[base] = count + 1
            labels[id(t)] = (f"{base}_{count}" if count else base, False)
        return labels

    def label(self, t: Tensor) -> str:
        """What the pictures and ``explain`` call ``t``."""
        return self.labels[id(t)][0]

    def _leaf_scopes(self) -> dict[int, tuple]:
        """Put each parameter in the box of the module that owns it and uses it."""
        placed: dict[int, tuple] = {}
        for t in self.tensors:
            if t._op is None or not t._scope:
                continue
            for parent in _inputs(t):
                if parent._op is None and id(parent) not in placed and _owns(t._scope[-1], parent):
                    placed[id(parent)] = t._scope
        return placed

    def _names_from_modules(self) -> dict[int, str]:
        """Parameters not named in ``params`` get their module's dotted name (``0.weight``)."""
        names = {}
        for t in self.tensors:
            scope = self.leaf_scope.get(id(t))
            if scope is None:
                continue
            module = scope[-1]
            prefix = self.module_names.get(id(module), "")
            for local, p in module.named_parameters(recurse=False):
                if p is t:
                    names[id(t)] = f"{prefix}.{local}" if prefix else local
        return names

    def _scope_of(self, t: Tensor) -> tuple:
        if t._op is None:
            return self.leaf_scope.get(id(t), ())
        return t._scope or ()

    def _cluster_label(self, module: Any) -> str:
        name = self.module_names.get(id(module), "")
        kind = type(module).__name__
        return f"{name}: {kind}" if name else kind

    def draw(self, graph: graphviz.Digraph, prefix: str, backward: bool) -> None:
        """Add this view's nodes, clusters and edges to ``graph``; ids start with ``prefix``."""
        grads = self._gradients() if backward else {}
        clusters: dict[tuple, graphviz.Digraph] = {}

        def target(scope: tuple) -> graphviz.Digraph:
            if not scope:
                return graph
            key = tuple(id(m) for m in scope)
            if key not in clusters:
                for depth in range(1, len(scope) + 1):
                    sub = tuple(id(m) for m in scope[:depth])
                    if sub not in clusters:
                        cluster = graphviz.Digraph(name=f"cluster_{prefix}{len(clusters)}")
                        cluster.attr(
                            label=self._cluster_label(scope[depth - 1]),
                            style="rounded,filled",
                            fillcolor="#f7f7f7" if depth % 2 else "#eef2f8",
                            color="#9a9a9a",
                            labeljust="l",
                            fontsize="11",
                        )
                        clusters[sub] = cluster
            return clusters[key]

        if backward:
            graph.attr("edge", dir="back")  # arrows show the gradient flowing back
        op_groups: dict[tuple, graphviz.Digraph] = {}
        edges: list[tuple[str, str, bool]] = []
        for t in self.tensors:
            if id(t) in self.folded:
                continue
            tid = prefix + "t" + self.ids[id(t)]
            scope = self._scope_of(t)
            box = target(scope)
            box.node(tid, **(self._grad_node(t, grads.get(id(t))) if backward
                             else self._value_node(t)))
            if t._op is None:
                continue
            # op nodes sit in an unnamed subgraph of their box that sets their style once
            key = tuple(id(m) for m in scope)
            if key not in op_groups:
                op_groups[key] = graphviz.Digraph(node_attr=OP_STYLE)
            op_id = prefix + "op" + self.ids[id(t)]
            if getattr(t, "_anomaly", False):  # the op anomaly mode stopped at
                op_groups[key].node(op_id, label=self._op_label(t) + "\\nanomaly: NaN/Inf",
                                    style="filled", fillcolor=NONFINITE_COLOR, fontcolor="#ffffff")
            else:
                op_groups[key].node(op_id, label=self._op_label(t))
            for parent in _inputs(t):
                if id(parent) not in self.folded:
                    edges.append((prefix + "t" + self.ids[id(parent)], op_id,
                                  backward and not parent.requires_grad))
            edges.append((op_id, tid, False))

        for key, group in op_groups.items():
            (clusters[key] if key else graph).subgraph(group)
        # a cluster's Digraph is copied into its parent, so attach the deepest first
        for key in sorted(clusters, key=len, reverse=True):
            parent = clusters[key[:-1]] if len(key) > 1 else graph
            parent.subgraph(clusters[key])
        # edges last: a node first named by an edge would miss its subgraph's node style
        graph.edges((tail, head) for tail, head, no_gradient in edges if not no_gradient)
        for tail, head, no_gradient in edges:
            if no_gradient:
                graph.edge(tail, head, style="dashed", color="#bbbbbb", dir="none")
        for tail, head in self._layering_edges():
            graph.edge(prefix + "t" + self.ids[id(tail)], prefix + "t" + self.ids[id(head)],
                       style="invis", weight="0")

    def _layering_edges(self) -> list[tuple[Tensor, Tensor]]:
        """Invisible edges from a module's inputs to its parameters.

        They keep a module's box below the tensors it reads, so consecutive layers
        stack in one column instead of a staircase of overlapping boxes.
        """
        inputs: dict[int, dict[int, Tensor]] = {}
        for t in self.tensors:
            if t._op is None or not t._scope:
                continue
            module = id(t._scope[-1])
            for parent in _inputs(t):
                inside = self._scope_of(parent)
                if not any(id(m) == module for m in inside):
                    inputs.setdefault(module, {})[id(parent)] = parent
        return [
            (source, leaf)
            for leaf in self.tensors
            if id(leaf) in self.leaf_scope
            for source in inputs.get(id(self.leaf_scope[id(leaf)][-1]), {}).values()
        ]

    def _op_label(self, t: Tensor) -> str:
        """The op's name; unnamed scalar constants are written in, as in ``sub(1, ·)``."""
        inputs = _inputs(t)
        if not any(id(p) in self.folded for p in inputs):
            return _op_name(t)
        operands = [
            _format_number(_host(p.data).item()) if id(p) in self.folded else "·"
            for p in inputs
        ]
        return f"{_op_name(t)}({', '.join(operands)})"

    def _gradients(self) -> dict[int, np.ndarray]:
        return {
            key: _host(g.data) for key, g in _gradients_of(
                [t for t in self.tensors if id(t) in self.root_ids], self.tensors
            ).items()
        }

    def _value_node(self, t: Tensor) -> dict[str, str]:
        value = _host(t.data)
        if id(t) in self.root_ids:
            fill = ROOT_COLOR
        elif t._op is None:
            fill = PARAM_COLOR if t.requires_grad or id(t) in self.param_names else INPUT_COLOR
        else:
            fill = None
        sections = [("data", _summary(value, self.show_data))]
        if self.show_grad and t._grad is not None:
            sections.append(("grad", _summary(_host(t._grad.data), self.show_data)))
        attributes = {}
        if value.dtype.kind == "f" and not np.isfinite(value).all():
            fill = NONFINITE_COLOR
            attributes = {"color": NONFINITE_BORDER, "penwidth": "3", "fontcolor": "#ffffff"}
        elif id(t) in self.root_ids:
            attributes = {"penwidth": "2"}
        if fill is not None:
            attributes["fillcolor"] = fill
        title = self.labels[id(t)]
        return {"label": _html_label(title, _shape_text(value.shape, value.dtype), sections),
                **attributes}

    def _grad_node(self, t: Tensor, g: np.ndarray | None) -> dict[str, str]:
        name = self.labels[id(t)]
        if g is None:
            return {
                "label": _html_label(name, _shape_text(t.shape, t.data.dtype) + "  (no grad)", []),
                "style": "rounded,dashed",
                "color": "#aaaaaa",
                "fontcolor": "#777777",
            }
        magnitude = _rms(g)
        fill = gradient_color(magnitude)
        sections = [("grad", _summary(g, self.show_data))]
        if g.size > 1:
            sections.append(("rms ", [_format_number(magnitude)]))
        attributes = {"fillcolor": fill}
        if _text_color(fill) != "#000000":
            attributes["fontcolor"] = _text_color(fill)
        if not math.isfinite(magnitude):
            attributes.update(color=NONFINITE_BORDER, penwidth="3")
        label = _html_label(name, _shape_text(t.shape, t.data.dtype), sections)
        return {"label": label, **attributes}


def _legend(title: str | None = None) -> str:
    """The colour scale of the gradient-flow view, as an HTML label (under ``title`` if given).

    It is the label of the view's (sub)graph, so Graphviz puts it under the
    graph, as wide as it needs, instead of beside the nodes, where it would make
    the picture wider.
    """
    cells = []
    for exponent, _ in GRADIENT_STOPS:
        fill = gradient_color(10.0**exponent)
        cells.append(f'<td bgcolor="{fill}"><font color="{_text_color(fill)}">'
                     f"1e{int(exponent)}</font></td>")
    cells.append(f'<td bgcolor="{ZERO_COLOR}">0</td>')
    cells.append(f'<td bgcolor="{NONFINITE_COLOR}"><font color="#ffffff">NaN/Inf</font></td>')
    heading = f'<tr><td colspan="{len(cells)}" border="0"><font point-size="14">' \
        f"{html_text.escape(title)}</font></td></tr>" if title else ""
    return (
        f'<<font point-size="{MIN_FONT_PT + 1}"><table border="0" cellborder="1" cellspacing="0"'
        f' cellpadding="3">{heading}<tr><td colspan="{len(cells)}" border="0"><b>colour = RMS'
        f' of the gradient, log scale</b></td></tr><tr>{"".join(cells)}</tr>'
        '<tr><td colspan="3" border="0">vanishing</td><td colspan="3" border="0">healthy</td>'
        '<td colspan="3" border="0">exploding</td><td colspan="2" border="0"></td></tr>'
        "</table></font>>"
    )


def draw_graph(
    root: Tensor | Sequence[Tensor],
    *,
    params: Any = None,
    show_data: bool = False,
    show_grad: bool = True,
    rankdir: str = "LR",
    backward: bool | Literal["both"] = False,
    max_nodes: int | None = None,
) -> graphviz.Digraph:
    """The computation graph that produced ``root``, as a ``graphviz.Digraph``.

    The gradient-flow view computes gradients with the graph's own backward
    rules (the graph is kept and no ``.grad`` changes), so draw before
    ``backward()`` frees the graph, or call ``backward(retain_graph=True)``.

    Parameters
    ----------
    root
        The output Tensor (or a sequence of outputs) to draw back from.
    params
        Names for tensors: ``dict(model.named_parameters())``, (name, tensor) pairs,
        or a Module; matched by identity. Other tensors show ``t.name``. Module boxes
        are named from these too (``"0: Linear"``).
    show_data
        Also print the values of tensors with more than 16 elements
        (numpy-abbreviated), not only their mean/std/min/max.
    show_grad
        Show each tensor's stored ``.grad`` in the forward view.
    rankdir
        Graphviz layout direction, ``"LR"`` (left to right) or ``"TB"``.
    backward
        ``False`` the forward graph; ``True`` the gradient flow of ``root``
        (d root / d tensor for every tensor, ``root.sum()`` if not scalar): each
        tensor coloured by its gradient's RMS on a log scale with a legend, NaN/Inf
        in red, arrows against the data flow; ``"both"`` the two views side by side
        in one picture.
    max_nodes
        Raise ``ValueError`` instead of drawing more nodes than this.
    """
    if backward not in (False, True, "both"):
        raise ValueError(f"backward must be False, True or 'both', got {backward!r}")
    if rankdir not in ("LR", "RL", "TB", "BT"):
        raise ValueError(f"rankdir must be 'LR', 'RL', 'TB' or 'BT', got {rankdir!r}")
    roots = _as_roots(root)
    tensors = _collect(roots, max_nodes)
    drawer = _Drawer(tensors, roots, _param_names(params), show_data, show_grad)
    graph = graphviz.Digraph(
        name="tinygrad_nn",
        graph_attr={"rankdir": rankdir, "fontname": "Helvetica", "nodesep": "0.2",
                    "ranksep": "0.3", "newrank": "true"},
        node_attr={"fontname": "Helvetica", "fontsize": "10", "shape": "box",
                   "style": "rounded,filled", "fillcolor": "#ffffff", "color": "#555555"},
        edge_attr={"color": "#555555", "arrowsize": "0.7"},
    )
    if backward == "both":
        # listed backward first: dot then lays the forward view out on top
        for prefix, title, is_backward in (("b", "backward: gradient flow", True),
                                           ("f", "forward", False)):
            view = graphviz.Digraph(name=f"cluster_{prefix}view")
            view.attr(label=_legend(title) if is_backward else title, fontsize="14",
                      style="rounded", color="#666666", labeljust="l")
            drawer.draw(view, prefix, is_backward)
            graph.subgraph(view)
    else:
        drawer.draw(graph, "", bool(backward))
        if backward:
            graph.attr(label=_legend(), labelloc="b")
    return graph


def render(
    root: Tensor | Sequence[Tensor] | graphviz.Digraph,
    path: str | os.PathLike,
    format: str = "svg",
    *,
    max_nodes: int | None = 5000,
    **kw: Any,
) -> str:
    """Draw ``root`` (or an already drawn Digraph) and write it to ``path`` + ``.format``.

    ``"out/g"`` with ``format="svg"`` writes ``out/g.svg`` (a path that already ends
    in ``.svg`` is not suffixed twice) and returns that path; the DOT source is
    kept beside it as ``out/g.dot``. Other keywords go to :func:`draw_graph`;
    ``max_nodes`` (default 5000) guards against pictures Graphviz would take
    minutes to lay out. Without the Graphviz ``dot`` program the ``.dot`` file is
    still written and :class:`GraphvizNotFound` says how to install Graphviz.
    """
    if format not in graphviz.FORMATS:
        raise ValueError(
            f"unknown format {format!r}: use 'svg', 'png', 'pdf' or another Graphviz output "
            f"format ({', '.join(sorted(graphviz.FORMATS))})"
        )
    graph = root if isinstance(root, graphviz.Digraph) else draw_graph(
        root, max_nodes=max_nodes, **kw
    )
    base = Path(path)
    if base.suffix == f".{format}":
        base = base.with_suffix("")
    base.parent.mkdir(parents=True, exist_ok=True)
    source = base.parent / f"{base.name}.dot"
    graph.save(filename=source)
    if format in ("dot", "gv"):
        return str(source)
    target = base.parent / f"{base.name}.{format}"
    try:
        graph.render(filename=source, outfile=target, format=format, quiet=True)
    except graphviz.ExecutableNotFound as err:
        raise GraphvizNotFound(
            f"cannot draw {target}: the Graphviz 'dot' program was not found on PATH. "
            f"The graph's DOT source was written to {source}.\n{INSTALL_HINT}"
        ) from err
    return str(target)


# ---------------------------------------------------------------- explain


ELEMENTWISE_OPS = frozenset({
    "add", "sub", "mul", "div", "neg", "pow", "exp", "log", "sqrt", "sin", "cos", "tanh",
    "sigmoid", "relu", "leaky_relu", "softplus", "gelu", "abs", "maximum", "minimum",
    "clip", "where",
})


def _gradients_of(roots: list[Tensor], tensors: list[Tensor]) -> dict[int, Tensor]:
    """d sum(roots) / d t for every tensor that needs a gradient, keeping the graph."""
    wanted = [t for t in tensors if t.requires_grad]
    live_roots = [r for r in roots if r.requires_grad]
    if not wanted or not live_roots:
        return {}
    seeds = [Tensor(np.ones(r.shape, dtype=r.dtype), device=r.device) for r in live_roots]
    grads = _autograd_grad(live_roots, wanted, grad_outputs=seeds, retain_graph=True,
                           allow_unused=True)
    return {id(t): g for t, g in zip(wanted, grads, strict=True) if g is not None}


def _passed_gradients(node: Tensor, g: Tensor) -> list[Tensor | None]:
    """What ``node``'s op passes back to each of its inputs (``_inputs``), un-broadcast.

    For an op drawn on the user's inputs (``_drawn_as``), the gradient runs through
    the helper tensors between, each by its own backward rule, and stops at the
    user's inputs.
    """
    inputs = _inputs(node)
    if getattr(node, "_drawn_as", None) is None:
        return [None if d is None or not p.requires_grad else sum_to(d, p.shape)
                for d, p in zip(input_gradients(node, g, create_graph=True), inputs,
                                    strict=True)]
    stop = {id(t) for t in inputs}
    helpers, stack = {id(node): node}, [node]
    while stack:
        for parent in stack.pop()._parents:
            if parent._op is not None and id(parent) not in stop and id(parent) not in helpers:
                helpers[id(parent)] = parent
                stack.append(parent)
    pending: dict[int, Tensor] = {id(node): g}
    passed: dict[int, Tensor] = {}
    for helper in sorted(helpers.values(), key=lambda t: t._seq, reverse=True):  # output first
        upstream = pending.pop(id(helper), None)
        if upstream is None:
            continue
        for d, p in zip(input_gradients(helper, upstream, create_graph=True),
                        helper._parents, strict=True):
            if d is None or not p.requires_grad:
                continue
            into = passed if id(p) in stop else pending
            d = sum_to(d, p.shape)
            into[id(p)] = d if id(p) not in into else into[id(p)] + d
    return [passed.get(id(t)) for t in inputs]


def _backward_steps(
    roots: list[Tensor], tensors: list[Tensor]
) -> list[tuple[Tensor, np.ndarray, list[np.ndarray | None], list[np.ndarray | None] | None]]:
    """The backward pass op by op, in the order backpropagation runs them (output first).

    For each op reached by a gradient: ``(node, g, passed, local)`` with ``g`` the
    gradient arriving at its output, ``passed`` the gradient it sends to each of its
    inputs (``_inputs``: None where none goes) and ``local`` its elementwise local
    derivatives d out / d input aligned with them (``None`` for an op that has none,
    e.g. matmul). ``explain`` prints these steps and the explorer page steps through
    them; nothing's ``.grad`` changes.
    """
    grads = _gradients_of(roots, tensors)
    steps = []
    with no_grad():
        for node in sorted(tensors, key=lambda t: t._seq, reverse=True):  # backward's order
            g = grads.get(id(node))
            if node._op is None or g is None:
                continue
            passed = [None if d is None else _host(d.data)
                      for d in _passed_gradients(node, g)]
            local = None
            if _op_name(node) in ELEMENTWISE_OPS:  # then _inputs(node) is node._parents
                ones = Tensor(np.ones(node.shape, dtype=node.dtype), device=node.device)
                local = [None if d is None else _host(d.data)
                         for d in input_gradients(node, ones, create_graph=True)]
                if any((d is None) != (p is None) for d, p in zip(local, passed, strict=True)):
                    local = None
            steps.append((node, _host(g.data).copy(), passed, local))
    return steps


def explain(loss: Tensor, *, params: Any = None, file: Any = None) -> list[dict[str, Any]]:
    """Print the backward pass of ``loss`` step by step and return its rows.

    One row per op, in the order backpropagation runs them (output first), like
    the worked example of the "Neural Networks" document: the op, its forward
    value, the incoming gradient ``d loss / d output``, the local derivative
    ``d output / d input`` (for elementwise ops) and the gradient it passes to
    each input. Each row is a dict with ``"step"``, ``"op"``, ``"output"``
    (label), ``"value"``, ``"grad"``, ``"local"`` (a list aligned with
    ``"inputs"``, or ``None`` where no elementwise derivative exists, e.g.
    matmul) and ``"inputs"``: ``[(label, gradient passed to that input), ...]``
    after un-broadcasting. Labels are the ones :func:`draw_graph` writes on the
    boxes: parameter names from ``params`` (or the modules that own them), else
    ``t.name``, else the op's name (``matmul``, ``matmul_1``, ...).

    explain calls each op's backward rule itself: ``loss`` keeps its graph and
    no ``.grad`` changes, so ``loss.backward()`` still works afterwards. A
    non-scalar ``loss`` is explained as ``loss.sum()``. The table goes to
    ``file`` (default: standard output).
    """
    roots = _as_roots(loss)
    if len(roots) != 1:
        raise TypeError("explain takes a single loss Tensor")
    tensors = _collect(roots, None)
    drawer = _Drawer(tensors, roots, _param_names(params), show_data=False, show_grad=False)
    rows: list[dict[str, Any]] = []
    for node, g, passed, local in _backward_steps(roots, tensors):
        counted = [k for k, d in enumerate(passed) if d is not None]
        rows.append({
            "step": len(rows) + 1,
            "op": _op_name(node),
            "output": drawer.label(node),
            "value": _host(node.data).copy(),
            "grad": g,
            "local": None if local is None else [local[k] for k in counted],
            "inputs": [(drawer.label(_inputs(node)[k]), passed[k]) for k in counted],
        })
    name, given = drawer.labels[id(roots[0])]
    _print_table(rows, name if given else "loss", file)
    return rows


def _cell(a: np.ndarray | None) -> str:
    if a is None:
        return "-"
    if a.size > SMALL:
        return f"{tuple(a.shape)} rms {_rms(a):.3g}"
    return _one_line(a)


def _print_table(rows: list[dict[str, Any]], loss_label: str, file: Any) -> None:
    header = ("step", "op", "output", "value", f"d{loss_label}/d(output)", "local d(out)/d(in)",
              "input", f"d{loss_label}/d(input)")
    lines = []
    for row in rows:
        first = [str(row["step"]), row["op"], row["output"], _cell(row["value"]),
                 _cell(row["grad"])]
        inputs = row["inputs"] or [("-", None)]
        for k, (label, passed) in enumerate(inputs):
            local = _cell(row["local"][k]) if row["local"] is not None else "-"
            lead = first if k == 0 else [""] * len(first)
            lines.append(lead + [local, label, _cell(passed)])
    widths = [max([len(header[i])] + [len(line[i]) for line in lines]) for i in range(len(header))]
    text = ["  ".join(h.ljust(w) for h, w in zip(header, widths, strict=True)).rstrip()]
    text.append("  ".join("-" * w for w in widths))
    text += ["  ".join(c.ljust(w) for c, w in zip(line, widths, strict=True)).rstrip()
             for line in lines]
    print("\n".join(text), file=file)


# The stepping page and Jupyter display build on everything above (explorer.py).
from .explorer import html, show  # noqa: E402

__all__ += ["html", "show"]
