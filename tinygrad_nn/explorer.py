"""A page that steps through the backward pass, and inline pictures in Jupyter.

``tg.viz.html(loss, "explorer.html")`` writes one self-contained HTML page (no
network: the graph is Graphviz's SVG written into the page, the numbers a JSON
object beside it, the script and style inline). A learner presses "step" and
watches backpropagation run the way the documents' worked example does by hand:
the op being differentiated is outlined in red, the panel shows its local
derivative and the gradient it passes to each input, formula and numbers, and
the ``.grad`` of each leaf fills in as the walk goes. Clicking any box or
ellipse shows that tensor's (or op's) values; "forward" and "backward" switch
between the value picture and the gradient-flow picture of ``draw_graph``.

The page, the pictures and ``viz.explain`` say the same thing: its boxes are
``draw_graph``'s (the same names: a parameter's or ``t.name``, else the op's,
``matmul``, ``matmul_1``, ...), and its steps are the ones ``explain`` prints, in
the order backpropagation runs the ops -- an op built from helper tensors inside
(cross_entropy on class labels, matmul with a 1-D operand) is one step on the
user's own inputs, as it is drawn. Like ``explain``, the page is made without
touching any ``.grad``, so ``loss.backward()`` still works afterwards and gives
exactly the ``.grad`` the last step shows.

``tg.viz.show(root)`` displays the graph inline in Jupyter (``explorer=True``:
the stepping page itself, in a frame).
"""

from __future__ import annotations

import html as html_text
import json
import os
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import graphviz
import numpy as np

from .tensor import Tensor
from .viz import (
    INSTALL_HINT,
    GraphvizNotFound,
    _as_roots,
    _backward_steps,
    _collect,
    _Drawer,
    _host,
    _inputs,
    _one_line,
    _op_name,
    _param_names,
    _summary,
    draw_graph,
)

__all__ = ["html", "show"]

EXACT_LIMIT = 256  # tensors with at most this many elements carry every value into the page

# op -> (forward formula, operand names, one rule per operand). For elementwise ops the
# rule is the local derivative d out / d operand (the page multiplies it by g); for the
# others it is the gradient passed on, written with g = dL/d(out).
OP_RULES: dict[str, tuple[str, tuple[str, ...], tuple[str, ...]]] = {
    "add": ("out = a + b", ("a", "b"), ("1", "1")),
    "sub": ("out = a − b", ("a", "b"), ("1", "−1")),
    "mul": ("out = a · b", ("a", "b"), ("b", "a")),
    "div": ("out = a / b", ("a", "b"), ("1 / b", "−a / b²")),
    "pow": ("out = aᵇ", ("a", "b"), ("b · aᵇ⁻¹", "aᵇ · ln a")),
    "neg": ("out = −a", ("a",), ("−1",)),
    "exp": ("out = eᵃ", ("a",), ("eᵃ = out",)),
    "log": ("out = ln a", ("a",), ("1 / a",)),
    "sqrt": ("out = √a", ("a",), ("1 / (2 √a)",)),
    "sin": ("out = sin a", ("a",), ("cos a",)),
    "cos": ("out = cos a", ("a",), ("−sin a",)),
    "tanh": ("out = tanh a", ("a",), ("1 − out²",)),
    "sigmoid": ("out = σ(a) = 1 / (1 + e⁻ᵃ)", ("a",), ("σ(a) (1 − σ(a)) = out (1 − out)",)),
    "relu": ("out = max(a, 0)", ("a",), ("1 where a > 0, else 0",)),
    "leaky_relu": ("out = a where a > 0, else s · a", ("a",), ("1 where a > 0, else s",)),
    "softplus": ("out = ln(1 + eᵃ)", ("a",), ("σ(a)",)),
    "gelu": ("out = a · Φ(a)", ("a",), ("Φ(a) + a · φ(a)",)),
    "abs": ("out = |a|", ("a",), ("sign(a)",)),
    "clip": ("out = a clipped to [lo, hi]", ("a",), ("1 inside [lo, hi], else 0",)),
    "maximum": ("out = max(a, b)", ("a", "b"), ("1 where a > b", "1 where b ≥ a")),
    "minimum": ("out = min(a, b)", ("a", "b"), ("1 where a < b", "1 where b ≤ a")),
    "where": ("out = a where cond, else b", ("a", "b"), ("1 where cond", "1 where not cond")),
    "matmul": ("out = A @ B", ("A", "B"), ("dL/dA = g @ Bᵀ", "dL/dB = Aᵀ @ g")),
    "linear": (
        "out = x @ Wᵀ + b   (the documents' Z = W X + b, one example per row)",
        ("x", "W", "b"),
        ("dL/dx = g @ W", "dL/dW = gᵀ @ x", "dL/db = g summed over the rows (examples)"),
    ),
    "conv2d": (
        "out = x ⋆ W + b   (each filter W slid over x)",
        ("x", "W", "b"),
        ("dL/dx = g slid back through the flipped filters (a transposed convolution)",
         "dL/dW = x ⋆ g   (each input patch times the gradient at its position)",
         "dL/db = g summed over examples and positions"),
    ),
    "max_pool2d": ("out = max over each window of a", ("a",),
                   ("dL/da = g sent to the largest element of each window, 0 elsewhere",)),
    "sum": ("out = Σ a", ("a",), ("dL/da = g copied to every element that was summed",)),
    "mean": ("out = (1/n) Σ a", ("a",), ("dL/da = g / n, copied to each of the n elements",)),
    "reshape": ("out = a reshaped", ("a",), ("dL/da = g reshaped back to a's shape",)),
    "permute": ("out = a with its axes reordered", ("a",),
                ("dL/da = g with the axes put back",)),
    "expand": ("out = a broadcast to a larger shape", ("a",),
               ("dL/da = g summed over the copies",)),
    "getitem": ("out = a[index]", ("a",), ("dL/da = g put back at index, 0 elsewhere",)),
    "pad": ("out = a padded", ("a",), ("dL/da = g with the padding cut off",)),
    "cat": ("out = the inputs joined along an axis", ("a",),
            ("dL/d(each input) = its slice of g",)),
    "softmax": ("out = eᵃ / Σ eᵃ", ("a",), ("dL/da = out ⊙ (g − Σ g ⊙ out)",)),
    "log_softmax": ("out = a − ln Σ eᵃ", ("a",), ("dL/da = g − softmax(a) Σ g",)),
    "binary_cross_entropy": (
        "L = −(1/n) Σ [y ln p + (1 − y) ln(1 − p)]",
        ("p", "y"),
        ("dL/dp = g · (p − y) / (p (1 − p)) / n", "dL/dy = g · (ln(1 − p) − ln p) / n"),
    ),
    "cross_entropy": (
        "L = −(1/n) Σ ln softmax(z)[target]",
        ("z", "target"),
        ("dL/dz = g · (softmax(z) − onehot(target)) / n", "-"),
    ),
}
GENERIC_RULE = "dL/d(input) = g pulled back through this op's backward rule"
# matmul promotes a 1-D operand to a matrix, multiplies, and drops the added axis again
VECTOR_MATMUL = ", with a 1-D A read as a row and a 1-D B as a column (g gets the axis back)"


# ---------------------------------------------------------------- the page's data


def _values(a: np.ndarray) -> dict[str, Any]:
    """An array for the page: text lines as viz prints them, and every value when small."""
    exact = a.tolist() if a.size <= EXACT_LIMIT and a.dtype.kind in "fiub" else None
    return {"text": "\n".join(_summary(a, a.size <= EXACT_LIMIT)), "exact": exact}


def _kind(t: Tensor, root: Tensor) -> str:
    if t is root:
        return "loss" if t.numel() == 1 else "output"
    if t._op is not None:
        return "intermediate"
    return "leaf with requires_grad" if t.requires_grad else "input (no gradient)"


def _rule(op: str, position: int) -> tuple[str, str]:
    """(operand name, rule) for an op's input at ``position``."""
    _, operands, rules = OP_RULES.get(op, ("", (), ()))
    if position < len(operands):
        return operands[position], rules[position]
    return f"input {position + 1}", GENERIC_RULE


def _page_data(root: Tensor, params: Any, tensors: list[Tensor]) -> dict[str, Any]:
    """Every tensor and op of the graph, and the backward walk ``explain`` prints.

    Names and element ids are the pictures' own (one ``_Drawer`` over the same
    tensors), and the steps are ``explain``'s (``_backward_steps``): an op built
    from helper tensors is one step on the user's own inputs, as it is drawn.
    """
    drawer = _Drawer(tensors, [root], _param_names(params), show_data=False, show_grad=False)
    tensor_id = {id(t): "t" + drawer.ids[id(t)] for t in tensors}  # as draw_graph's SVG
    op_id = {id(t): "op" + drawer.ids[id(t)] for t in tensors}

    def name(t: Tensor) -> str:  # an unnamed scalar constant is written as its value
        return drawer.label(t) if id(t) not in drawer.folded else _one_line(_host(t.data))

    nodes: dict[str, Any] = {}
    for t in tensors:
        value = _host(t.data)
        nodes[tensor_id[id(t)]] = {
            "label": name(t),
            "shape": list(t.shape),
            "dtype": value.dtype.name,
            "kind": _kind(t, root),
            "leaf": t._op is None and t.requires_grad,
            "value": _values(value),
        }
        if t._op is not None:
            op = _op_name(t)
            nodes[op_id[id(t)]] = {
                "op": op,
                "forward": OP_RULES.get(op, (f"out = {op}(inputs)",))[0],
                "output": tensor_id[id(t)],
                "inputs": [tensor_id[id(p)] for p in _inputs(t)],
            }

    # the gradient each tensor has received so far; backward starts from dL/dL = 1
    seed = np.ones(root.shape, dtype=_host(root.data).dtype)
    received: dict[int, np.ndarray] = {id(root): seed}
    steps = []
    for node, g, passed, local in _backward_steps([root], tensors):
        op = _op_name(node)
        inputs, updates = [], {}
        for position, (parent, sent) in enumerate(zip(_inputs(node), passed, strict=True)):
            if sent is None:
                continue  # no gradient goes to this input (it needs none)
            operand, rule = _rule(op, position)
            if op == "matmul" and any(p.ndim == 1 for p in _inputs(node)):
                rule += VECTOR_MATMUL
            entry = {"node": tensor_id[id(parent)], "label": name(parent), "operand": operand,
                     "passed": _values(sent)}
            if local is not None:
                entry["local"] = _values(local[position])
                entry["local_rule"] = f"∂out/∂{operand} = {rule}"
                entry["rule"] = f"dL/d{operand} = g ⊙ ∂out/∂{operand}"
                if sent.shape != tuple(node.shape):
                    entry["rule"] += f", summed down to {operand}'s shape {sent.shape}"
            else:
                entry["rule"] = rule
            inputs.append(entry)
            total = received.get(id(parent))
            received[id(parent)] = sent.copy() if total is None else total + sent
            updates[tensor_id[id(parent)]] = _values(received[id(parent)])
        steps.append({
            "op": op_id[id(node)],
            "name": op,
            "out": tensor_id[id(node)],
            "grad": _values(g),
            "inputs": inputs,
            "received": updates,
        })
    return {"root": tensor_id[id(root)], "nodes": nodes,
            "start": {tensor_id[id(root)]: _values(seed)}, "steps": steps}


# ---------------------------------------------------------------- the page


def _svg(graph: graphviz.Digraph, view: str) -> str:
    """The graph as inline SVG (no XML prolog), its element ids prefixed by ``view``."""
    try:
        svg = graph.pipe(format="svg", encoding="utf-8")
    except graphviz.ExecutableNotFound as err:
        raise GraphvizNotFound(
            "cannot lay out the explorer page's graph: the Graphviz 'dot' program was not "
            f"found on PATH.\n{INSTALL_HINT}"
        ) from err
    svg = svg[svg.index("<svg"):]
    return svg.replace(' id="', f' id="{view}-')


def _script_json(data: Any) -> str:
    """JSON that is safe inside <script>: NaN and Infinity are JavaScript, "</" is escaped."""
    return json.dumps(data, separators=(",", ":")).replace("</", "<\\/")


def html(
    root: Tensor | Sequence[Tensor],
    path: str | os.PathLike | None = None,
    *,
    params: Any = None,
    rankdir: str = "TB",
    max_nodes: int | None = 400,
) -> str:
    """One self-contained HTML page that steps through the backward pass of ``root``.

    The page shows the graph (Graphviz's SVG, inline), a control that runs
    backpropagation one op at a time -- the current op outlined, its local
    derivative and the gradient it passes to each input shown with their
    formula, the ``.grad`` of every leaf filled in so far -- and the values of
    any node that is clicked. It loads nothing from the network. No ``.grad``
    changes and the graph is kept (as in :func:`tinygrad_nn.viz.explain`).

    Parameters
    ----------
    root
        The loss: a Tensor (a non-scalar one is explained as ``root.sum()``).
    path
        Where to write the page (``.html`` is added when missing); ``None`` writes
        nothing and only returns it.
    params
        Names for tensors, as for :func:`tinygrad_nn.viz.draw_graph`:
        ``dict(model.named_parameters())``, (name, tensor) pairs, or a Module.
    rankdir
        Graphviz layout direction: ``"TB"`` (loss at the bottom) or ``"LR"``.
    max_nodes
        Raise ``ValueError`` for a graph of more nodes than this (a page that
        large is unreadable); ``None`` for no limit.

    Returns
    -------
    str
        The page's HTML text. Raises :class:`tinygrad_nn.viz.GraphvizNotFound`
        without the Graphviz ``dot`` program.
    """
    roots = _as_roots(root)
    if len(roots) != 1:
        raise TypeError("html takes a single loss Tensor")
    loss = roots[0]
    if not loss.requires_grad:
        raise ValueError(
            "this tensor does not require grad, so there is no backward pass to step "
            "through: build it from tensors made with requires_grad=True (or a Module's "
            "parameters)"
        )
    tensors = _collect(roots, max_nodes)
    pictures = {
        view: _svg(draw_graph(loss, params=params, show_grad=False, rankdir=rankdir,
                              backward=view == "backward", max_nodes=max_nodes), view)
        for view in ("forward", "backward")
    }
    data = _page_data(loss, params, tensors)
    title = f"Stepping through the backward pass of {data['nodes'][data['root']]['label']}"
    page = (
        PAGE.replace("{{TITLE}}", html_text.escape(title))
        .replace("{{STYLE}}", STYLE)
        .replace("{{FORWARD_SVG}}", pictures["forward"])
        .replace("{{BACKWARD_SVG}}", pictures["backward"])
        .replace("{{DATA}}", _script_json(data))
        .replace("{{SCRIPT}}", SCRIPT)
    )
    if path is not None:
        target = Path(path)
        if target.suffix.lower() not in (".html", ".htm"):
            target = target.with_name(target.name + ".html")
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(page, encoding="utf-8")
    return page


def show(root: Tensor | Sequence[Tensor], *, explorer: bool = False, height: int = 720,
         **kw: Any) -> None:
    """Display the graph of ``root`` inline in Jupyter.

    ``explorer=False`` shows :func:`tinygrad_nn.viz.draw_graph`'s picture (other
    keywords go to it); ``explorer=True`` shows the :func:`html` page in a frame
    ``height`` pixels tall, stepping and clicking included. Outside IPython
    (a plain script) it raises ``RuntimeError``: write a file with
    ``tg.viz.render`` or ``tg.viz.html`` instead.
    """
    try:
        from IPython import get_ipython
        from IPython.display import display
    except ImportError:
        get_ipython = None
    if get_ipython is None or get_ipython() is None:
        raise RuntimeError(
            "tg.viz.show displays inline in Jupyter/IPython, and this is not one: write a "
            "picture with tg.viz.render(root, 'graph.svg') or a page with "
            "tg.viz.html(root, 'graph.html') instead"
        )
    if not explorer:
        display(draw_graph(root, **kw))
        return
    frame = (
        f'<iframe srcdoc="{html_text.escape(html(root, **kw), quote=True)}" '
        f'title="backward pass explorer" '
        f'style="width: 100%; height: {int(height)}px; border: 1px solid #ccc"></iframe>'
    )
    display({"text/html": frame, "text/plain": "<backward pass explorer>"}, raw=True)


PAGE = """<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{{TITLE}}</title>
<style>{{STYLE}}</style>
</head>
<body>
<header>
  <h1>{{TITLE}}</h1>
  <div class="controls">
    <button id="step-first" title="back to the start (Home)">« start</button>
    <button id="step-prev" title="one op back (←)">◀ back</button>
    <button id="step-next" class="primary"
            title="backpropagate through the next op (→)">step ▶</button>
    <button id="step-last" title="run to the end (End)">end »</button>
    <span id="step-counter"></span>
    <span class="views">view:
      <button id="view-forward" class="toggle">forward (values)</button>
      <button id="view-backward" class="toggle">backward (gradient flow)</button>
    </span>
  </div>
  <div class="legend">
    <span><i style="border: 3px solid #d62728"></i>op being differentiated</span>
    <span><i style="border: 3px solid #ff7f0e"></i>its output: g = dL/d(output)</span>
    <span><i style="border: 3px dashed #1f6feb"></i>its inputs: receive g × local derivative</span>
    <span><i style="border: 2px solid #2ca02c"></i>has received its gradient</span>
    <span><i style="background: #c7e9c0; border: 1px solid #555"></i>op already done</span>
  </div>
</header>
<main>
  <section id="graph">
    <div id="forward-view" class="view">{{FORWARD_SVG}}</div>
    <div id="backward-view" class="view">{{BACKWARD_SVG}}</div>
  </section>
  <aside>
    <section id="step" class="card"></section>
    <section class="card"><h2><code>.grad</code> of the leaves so far</h2>
      <table id="grads"><tbody></tbody></table></section>
    <section id="selected" class="card"><h2>Click a box or an op</h2>
      <p class="hint">to see its values here.</p></section>
  </aside>
</main>
<script>const DATA = {{DATA}};</script>
<script>{{SCRIPT}}</script>
</body>
</html>
"""

STYLE = """
* { box-sizing: border-box; }
body { margin: 0; font: 15px/1.45 system-ui, -apple-system, "Segoe UI", Helvetica, Arial,
       sans-serif; color: #1d1d1f; background: #fafafa; }
header { position: sticky; top: 0; z-index: 2; background: #fff; border-bottom: 1px solid #ddd;
         padding: 8px 16px; }
h1 { font-size: 18px; margin: 0 0 6px; }
h2 { font-size: 15px; margin: 0 0 6px; }
.controls { display: flex; flex-wrap: wrap; gap: 6px; align-items: center; }
button { font: inherit; padding: 4px 12px; border: 1px solid #aaa; border-radius: 6px;
         background: #f4f4f4; cursor: pointer; }
button:hover { background: #e8e8e8; }
button:disabled { opacity: 0.45; cursor: default; }
button.primary { background: #1f6feb; color: #fff; border-color: #1f6feb; }
button.toggle.on { background: #333; color: #fff; border-color: #333; }
#step-counter { margin: 0 12px; font-weight: 600; }
.views { margin-left: auto; }
.legend { display: flex; flex-wrap: wrap; gap: 14px; margin-top: 6px; font-size: 13px;
          color: #333; }
.legend i { display: inline-block; width: 22px; height: 12px; margin-right: 5px;
            vertical-align: -1px; border-radius: 3px; background: #fff; }
main { display: flex; align-items: flex-start; gap: 12px; padding: 12px 16px; }
#graph { flex: 1 1 auto; min-width: 0; overflow: auto; max-height: calc(100vh - 136px);
         background: #fff; border: 1px solid #ddd; border-radius: 8px; padding: 8px; }
.view { display: none; }
.view svg { display: block; margin: 0 auto; }
.view.on { display: block; }
aside { flex: 0 0 430px; display: flex; flex-direction: column; gap: 12px;
        max-height: calc(100vh - 136px); overflow: auto; }
.card { background: #fff; border: 1px solid #ddd; border-radius: 8px; padding: 10px 12px; }
.hint { color: #555; margin: 0; }
.formula { font-family: "DejaVu Serif", Georgia, serif; font-size: 16px; margin: 4px 0; }
pre, .num { font-family: "DejaVu Sans Mono", Menlo, Consolas, monospace; font-size: 13px;
            margin: 2px 0; white-space: pre-wrap; }
.passes { border-left: 3px solid #1f6feb; padding-left: 8px; margin: 8px 0; }
table { border-collapse: collapse; width: 100%; }
td { padding: 3px 6px; border-bottom: 1px solid #eee; vertical-align: top; }
td.name { font-weight: 600; white-space: nowrap; }
tr.fresh td { background: #fff4c2; }
.none { color: #888; font-style: italic; }
svg g.node { cursor: pointer; }
#forward-view svg g.node.done > ellipse { fill: #c7e9c0; }
#forward-view svg g.node.has-grad > path, #forward-view svg g.node.has-grad > polygon {
  stroke: #2ca02c; stroke-width: 2.5px; }
#graph svg g.node.current > ellipse, #graph svg g.node.current > path,
#graph svg g.node.current > polygon { stroke: #d62728; stroke-width: 4px; }
#graph svg g.node.output > path, #graph svg g.node.output > polygon,
#graph svg g.node.output > ellipse { stroke: #ff7f0e; stroke-width: 3px; }
#graph svg g.node.input > path, #graph svg g.node.input > polygon,
#graph svg g.node.input > ellipse { stroke: #1f6feb; stroke-width: 3px; stroke-dasharray: 6 3; }
#graph svg g.node.selected > path, #graph svg g.node.selected > polygon,
#graph svg g.node.selected > ellipse { stroke: #7b2cbf; stroke-width: 4px; }
#graph svg g.edge.current > path { stroke: #d62728; stroke-width: 2.5px; }
#graph svg g.edge.current > polygon { stroke: #d62728; fill: #d62728; }
#backward-view svg g.node.pending, #backward-view svg g.edge.pending { opacity: 0.25; }
"""

SCRIPT = r"""
"use strict";
const nodes = DATA.nodes, steps = DATA.steps;
let current = 0;            // steps done: 0 = forward pass only, steps.length = backward done
let view = "forward";
let selected = null;
const ENTITIES = {"&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;"};
const esc = (s) => String(s).replace(/[&<>"']/g, (c) => ENTITIES[c]);
const $ = (id) => document.getElementById(id);
const views = ["forward", "backward"];
const svgNodes = {}, svgEdges = {};  // view -> id -> <g>
for (const v of views) {
  svgNodes[v] = {}; svgEdges[v] = [];
  for (const g of document.querySelectorAll(`#${v}-view g.node`)) {
    const id = g.querySelector("title").textContent;
    svgNodes[v][id] = g;
    g.dataset.node = id;
    g.addEventListener("click", () => select(id));
  }
  for (const g of document.querySelectorAll(`#${v}-view g.edge`)) {
    const [tail, head] = g.querySelector("title").textContent.split("->");
    svgEdges[v].push({g, tail, head});
  }
}
const leaves = Object.keys(nodes).filter((id) => nodes[id].leaf);
function receivedUpTo(k) {  // tensor id -> gradient received after k steps
  const got = Object.assign({}, DATA.start);
  for (let i = 0; i < k; i++) Object.assign(got, steps[i].received);
  return got;
}
function values(v) { return `<pre class="num">${esc(v.text)}</pre>`; }
function nameOf(id) { return nodes[id].label; }

function renderStep() {
  const box = $("step");
  $("step-counter").textContent = `step ${current} of ${steps.length}`;
  $("step-first").disabled = $("step-prev").disabled = current === 0;
  $("step-next").disabled = $("step-last").disabled = current === steps.length;
  if (current === 0) {
    box.innerHTML = `<h2>Before the backward pass</h2>
      <p class="hint">The forward pass has run: every box holds its value. Backpropagation
      starts at the loss L = <b>${esc(nameOf(DATA.root))}</b> with dL/dL = 1 and visits the
      ops from the loss back to the inputs, each one multiplying the gradient it receives,
      <i>g</i>, by its local derivative. Press <b>step ▶</b> (or →).</p>`;
    return;
  }
  const s = steps[current - 1], op = nodes[s.op];
  let text = `<h2>Step ${current}: <code>${esc(s.name)}</code> → ${esc(nameOf(s.out))}</h2>
    <p class="formula">${esc(op.forward)}</p>
    <p>receives <i>g</i> = dL/d${esc(nameOf(s.out))} =</p>${values(s.grad)}`;
  for (const inp of s.inputs) {
    text += `<div class="passes"><b>${esc(inp.operand)} = ${esc(inp.label)}</b>`;
    if (inp.local) text += `<p class="formula">${esc(inp.local_rule)} =</p>${values(inp.local)}`;
    text += `<p class="formula">${esc(inp.rule)} =</p>${values(inp.passed)}`;
    if (nodes[inp.node].leaf) text += `<p class="hint">added to ${esc(inp.label)}.grad</p>`;
    text += `</div>`;
  }
  box.innerHTML = text;
}

function renderGrads() {
  const got = receivedUpTo(current);
  const fresh = current > 0 ? steps[current - 1].received : {};
  const rows = leaves.map((id) => {
    const g = got[id];
    const exact = esc(JSON.stringify(g ? g.exact : null));
    const cell = g ? `<td class="grad" data-exact="${exact}">${values(g)}</td>`
                   : `<td class="grad none" data-exact="${exact}">None</td>`;
    const name = `<td class="name">${esc(nameOf(id))}</td>`;
    return `<tr data-node="${id}" class="${id in fresh ? "fresh" : ""}">${name}${cell}</tr>`;
  });
  document.querySelector("#grads tbody").innerHTML = rows.join("");
}

function renderSelected() {
  const box = $("selected");
  if (selected === null) return;
  const n = nodes[selected];
  const got = receivedUpTo(current);
  let text;
  if (n.op !== undefined) {
    const done = steps.findIndex((s) => s.op === selected);
    const when = done < 0 ? "no gradient flows through it"
      : `differentiated at step ${done + 1}${done < current ? "" : " (not yet)"}`;
    const inputs = n.inputs.map((i) => esc(nameOf(i))).join(", ");
    text = `<h2>op <code>${esc(n.op)}</code></h2><p class="formula">${esc(n.forward)}</p>
      <p>inputs: ${inputs}; output: ${esc(nameOf(n.output))}</p>
      <p class="hint">${when}</p>`;
  } else {
    const about = `${esc(n.kind)} · shape (${n.shape.join(", ")}) · ${esc(n.dtype)}`;
    text = `<h2>${esc(n.label)}</h2><p class="hint">${about}</p>
      <p>value</p><div class="value">${values(n.value)}</div>`;
    const g = got[selected];
    text += `<p>${n.leaf ? ".grad" : "dL/d(this)"} received so far</p>` +
      (g ? `<div class="grad">${values(g)}</div>` : `<p class="none">nothing yet</p>`);
  }
  box.innerHTML = text;
}

function renderGraph() {
  const got = receivedUpTo(current);
  const s = current > 0 ? steps[current - 1] : null;
  const doneOps = new Set(steps.slice(0, current).map((t) => t.op));
  const reached = new Set([...Object.keys(got), ...doneOps]);
  for (const v of views) {
    for (const [id, g] of Object.entries(svgNodes[v])) {
      const isOp = id.startsWith("op");
      g.classList.toggle("current", s !== null && id === s.op);
      g.classList.toggle("output", s !== null && id === s.out);
      g.classList.toggle("input", s !== null && s.inputs.some((i) => i.node === id));
      g.classList.toggle("selected", id === selected);
      g.classList.toggle("done", isOp && doneOps.has(id));
      g.classList.toggle("has-grad", !isOp && id in got);
      g.classList.toggle("pending", id in nodes && !reached.has(id));
    }
    for (const e of svgEdges[v]) {
      e.g.classList.toggle("current", s !== null && (e.head === s.op || e.tail === s.op));
      e.g.classList.toggle("pending", !(doneOps.has(e.head) || doneOps.has(e.tail)));
    }
  }
  const focus = svgNodes[view][s === null ? DATA.root : s.op];
  if (focus) focus.scrollIntoView({block: "center", inline: "center"});
}

function render() { renderStep(); renderGrads(); renderSelected(); renderGraph(); }
function go(k) { current = Math.max(0, Math.min(steps.length, k)); render(); }
function select(id) { selected = id; render(); }
function setView(v) {
  view = v;
  for (const w of views) {
    $(`${w}-view`).classList.toggle("on", w === v);
    $(`view-${w}`).classList.toggle("on", w === v);
  }
  renderGraph();
}
$("step-first").onclick = () => go(0);
$("step-prev").onclick = () => go(current - 1);
$("step-next").onclick = () => go(current + 1);
$("step-last").onclick = () => go(steps.length);
$("view-forward").onclick = () => setView("forward");
$("view-backward").onclick = () => setView("backward");
document.addEventListener("keydown", (e) => {
  const keys = {ArrowRight: current + 1, ArrowLeft: current - 1, Home: 0, End: steps.length};
  if (e.key in keys) { go(keys[e.key]); e.preventDefault(); }
});
setView("forward");
render();
"""
