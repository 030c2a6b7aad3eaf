"""tg.viz: graph pictures (draw_graph, render) and the step-by-step explain()."""

from __future__ import annotations

import math
import re
import shutil
import xml.etree.ElementTree as ET

import numpy as np
import pytest

import tinygrad_nn as tg
from tinygrad_nn import nn, viz

# ---------------------------------------------------------------- helpers


def parse_dot(source: str) -> dict:
    """Nodes (id -> attribute text), edges, op node ids, and the cluster labels around nodes."""
    nodes: dict[str, str] = {}
    edges: list[tuple[str, str]] = []
    clusters: list[str] = []
    ops: set[str] = set()
    node_clusters: dict[str, list[str]] = {}
    stack: list[dict] = []  # open subgraphs: {"cluster": bool, "label": str, "ops": bool}
    for line in source.splitlines():
        text = line.strip()
        if text.startswith("subgraph ") or text == "{":
            stack.append({"cluster": text.startswith("subgraph cluster_"), "label": "",
                          "ops": False})
        elif text == "}" and stack:
            group = stack.pop()
            if group["cluster"]:
                clusters.append(group["label"])
        elif text.startswith("node [") and stack:
            stack[-1]["ops"] = "shape=ellipse" in text
        elif re.match(r"^(\S+) -> (\S+)", text):
            tail, head = re.match(r"^(\S+) -> (\S+)", text).groups()
            edges.append((tail, head))
        elif stack and re.match(r"^\w+=", text):
            label = re.search(r'\blabel=(<.*>(?=(?:\s+\w+=[^\s<]+)*$)|"[^"]*"|\S+)', text)
            if label:  # an HTML label (the legend under a title) counts by its text
                stack[-1]["label"] = re.sub(r"<[^>]*>", " ", label.group(1)).strip('" ')
        elif re.match(r"^(\S+) \[(.*)\]$", text):
            nid, attrs = re.match(r"^(\S+) \[(.*)\]$", text).groups()
            if nid in ("graph", "node", "edge"):
                continue
            nodes[nid] = attrs
            node_clusters[nid] = [g["label"] for g in stack if g["cluster"]]
            if stack and stack[-1]["ops"]:
                ops.add(nid)
    return {"nodes": nodes, "edges": edges, "clusters": clusters, "ops": ops,
            "node_clusters": node_clusters}


def node_named(graph: dict, name: str) -> str:
    """The id of the tensor node whose bold title is ``name``."""
    found = [nid for nid, attrs in graph["nodes"].items() if f"<b>{name}</b>" in attrs]
    assert len(found) == 1, f"expected one node titled {name!r}, found {found}"
    return found[0]


def op_nodes(graph: dict) -> dict[str, str]:
    """Op node id -> op label."""
    labels = {}
    for nid in graph["ops"]:
        match = re.search(r'label=(?:"([^"]*)"|(\S+?))(?:\s|$)', graph["nodes"][nid])
        labels[nid] = match.group(1) if match.group(1) is not None else match.group(2)
    return labels


def fill_of(graph: dict, node_id: str) -> tuple[int, int, int]:
    color = re.search(r'fillcolor="(#[0-9a-f]{6})"', graph["nodes"][node_id]).group(1)
    return int(color[1:3], 16), int(color[3:5], 16), int(color[5:7], 16)


def luminance(rgb: tuple[int, int, int]) -> float:
    return 0.299 * rgb[0] + 0.587 * rgb[1] + 0.114 * rgb[2]


def column_worked_example() -> dict[str, tg.Tensor]:
    """Document 000's 2-2-1 sigmoid network, column convention, each tensor named."""
    t = {
        "X": tg.tensor(np.array([[0.5], [0.2]])),
        "W1": tg.tensor(np.array([[0.1, 0.4], [0.8, 0.6]]), requires_grad=True),
        "b1": tg.tensor(np.array([[0.3], [0.9]]), requires_grad=True),
        "W2": tg.tensor(np.array([[0.3, 0.7]]), requires_grad=True),
        "b2": tg.tensor(np.array([[0.5]]), requires_grad=True),
    }
    t["Z1"] = t["W1"] @ t["X"] + t["b1"]
    t["A1"] = t["Z1"].sigmoid()
    t["Z2"] = t["W2"] @ t["A1"] + t["b2"]
    t["Yhat"] = t["Z2"].sigmoid()
    t["J"] = -(t["Yhat"].log()).mean()  # binary cross-entropy with y = 1
    for name, tensor in t.items():
        tensor.name = name
    return t


def module_worked_example() -> tuple[nn.Module, tg.Tensor]:
    """The same network as nn.Sequential (row convention), with nn.BCELoss."""
    model = nn.Sequential(nn.Linear(2, 2), nn.Sigmoid(), nn.Linear(2, 1), nn.Sigmoid()).double()
    model.load_state_dict({
        "0.weight": np.array([[0.1, 0.4], [0.8, 0.6]]), "0.bias": np.array([0.3, 0.9]),
        "2.weight": np.array([[0.3, 0.7]]), "2.bias": np.array([0.5]),
    })  # fmt: skip
    x = tg.tensor(np.array([[0.5, 0.2]]))
    y = tg.tensor(np.array([[1.0]]))
    return model, nn.BCELoss()(model(x), y)


def exact_worked_example() -> dict[str, np.ndarray]:
    """The document's quantities in float64 numpy, by the chain rule written out."""
    X = np.array([[0.5], [0.2]])
    W1, b1 = np.array([[0.1, 0.4], [0.8, 0.6]]), np.array([[0.3], [0.9]])
    W2, b2 = np.array([[0.3, 0.7]]), np.array([[0.5]])
    A1 = 1 / (1 + np.exp(-(W1 @ X + b1)))
    Yhat = 1 / (1 + np.exp(-(W2 @ A1 + b2)))
    dZ2 = Yhat - 1.0
    dZ1 = (W2.T @ dZ2) * A1 * (1 - A1)
    return {"dZ2": dZ2, "dW2": dZ2 @ A1.T, "db2": dZ2, "dZ1": dZ1, "dW1": dZ1 @ X.T, "db1": dZ1,
            "sigma'(Z1)": A1 * (1 - A1)}


# ---------------------------------------------------------------- draw_graph: forward


def test_worked_example_has_a_node_per_named_tensor_and_per_op() -> None:
    t = column_worked_example()
    graph = parse_dot(viz.draw_graph(t["J"]).source)
    for name in ("X", "W1", "b1", "W2", "b2", "Z1", "A1", "Z2", "Yhat", "J"):
        node_named(graph, name)
    ops = sorted(op_nodes(graph).values())
    assert ops == sorted(["matmul", "add", "sigmoid", "matmul", "add", "sigmoid", "log", "mean",
                          "neg"])


def test_worked_example_edges_follow_the_data_flow() -> None:
    t = column_worked_example()
    graph = parse_dot(viz.draw_graph(t["J"]).source)
    ops = op_nodes(graph)
    edges = set(graph["edges"])

    def producer(name: str) -> str:
        (op,) = [a for a, b in edges if b == node_named(graph, name) and a in ops]
        return op

    def inputs_of(op: str) -> set[str]:
        return {a for a, b in edges if b == op}

    add1 = producer("Z1")
    assert ops[add1] == "add"
    assert node_named(graph, "b1") in inputs_of(add1)
    (product,) = inputs_of(add1) - {node_named(graph, "b1")}  # the tensor W1 @ X
    (matmul1,) = inputs_of(product)
    assert ops[matmul1] == "matmul"
    assert inputs_of(matmul1) == {node_named(graph, "W1"), node_named(graph, "X")}
    assert ops[producer("A1")] == "sigmoid"
    assert inputs_of(producer("A1")) == {node_named(graph, "Z1")}
    assert ops[producer("Yhat")] == "sigmoid"
    assert inputs_of(producer("Yhat")) == {node_named(graph, "Z2")}
    # every edge goes from a tensor to an op or from an op to a tensor
    for a, b in graph["edges"]:
        assert (a in ops) != (b in ops)


def test_parameter_names_come_from_params_and_modules_become_clusters() -> None:
    model, loss = module_worked_example()
    graph = parse_dot(viz.draw_graph(loss, params=dict(model.named_parameters())).source)
    for name in ("0.weight", "0.bias", "2.weight", "2.bias"):
        node_named(graph, name)
    assert sorted(graph["clusters"]) == sorted(
        ["Sequential", "0: Linear", "1: Sigmoid", "2: Linear", "3: Sigmoid", "BCELoss"]
    )
    assert graph["node_clusters"][node_named(graph, "0.weight")] == ["Sequential", "0: Linear"]
    assert graph["node_clusters"][node_named(graph, "2.bias")] == ["Sequential", "2: Linear"]
    sigmoid_ops = [nid for nid, op in op_nodes(graph).items() if op == "sigmoid"]
    assert sorted(graph["node_clusters"][nid][-1] for nid in sigmoid_ops) == [
        "1: Sigmoid", "3: Sigmoid"
    ]


def test_without_params_parameters_take_their_modules_names() -> None:
    model, loss = module_worked_example()
    graph = parse_dot(viz.draw_graph(loss).source)
    assert graph["node_clusters"][node_named(graph, "2.weight")] == ["Sequential", "2: Linear"]
    node_named(graph, "0.bias")


def test_params_may_be_the_module_itself() -> None:
    model, loss = module_worked_example()
    assert viz.draw_graph(loss, params=model).source == viz.draw_graph(
        loss, params=dict(model.named_parameters())
    ).source


def test_small_tensors_show_values_and_grads_large_ones_statistics() -> None:
    w = tg.tensor([[1.5, -2.0]], requires_grad=True)
    w.name = "w"
    big = tg.tensor(np.arange(20.0), requires_grad=True)
    big.name = "big"
    loss = (w * 3.0).sum() + big.mean()
    loss.backward(retain_graph=True)
    graph = parse_dot(viz.draw_graph(loss).source)
    small_label = graph["nodes"][node_named(graph, "w")]
    assert "[[1.5,&#160;-2]]" in small_label and "(1, 2) float32" in small_label
    assert "grad&#160;[[3,&#160;3]]" in small_label
    big_label = graph["nodes"][node_named(graph, "big")]
    assert "mean&#160;9.5" in big_label and "max&#160;19" in big_label
    assert "(20,) float64" in big_label
    # the unnamed constant 3 is no node of its own: it is written into its op's label
    assert "mul(·, 3)" in op_nodes(graph).values()
    assert len(graph["nodes"]) == len(graph["ops"]) + 6  # w, big, w*3, its sum, mean, loss


def test_nan_in_a_forward_value_is_drawn_red() -> None:
    x = tg.tensor([-1.0, 4.0], requires_grad=True)
    root = x.sqrt()
    root.name = "root"
    graph = parse_dot(viz.draw_graph(root).source)
    r, g, b = fill_of(graph, node_named(graph, "root"))
    assert r > 200 and g < 60 and b < 60


# ---------------------------------------------------------------- draw_graph: gradient flow


def test_gradient_flow_colours_follow_gradient_magnitude() -> None:
    scales = {"vanished": 1e-10, "small": 1e-6, "healthy": 1e-2, "large": 1e2, "huge": 1e6}
    total = None
    for name, scale in scales.items():
        leaf = tg.tensor(np.ones(3), requires_grad=True)
        leaf.name = name
        term = (leaf * scale).sum()
        total = term if total is None else total + term
    graph = parse_dot(viz.draw_graph(total, backward=True).source)
    fills = {name: fill_of(graph, node_named(graph, name)) for name in scales}
    assert luminance(fills["vanished"]) > 230  # pale
    r, g, b = fills["small"]
    assert b > r + 50 and b > g  # blue
    r, g, b = fills["healthy"]
    assert g > r and g > b  # green
    r, g, b = fills["large"]
    assert r > g > b and r > 200  # yellow-orange
    r, g, b = fills["huge"]
    assert r > g > b and luminance(fills["huge"]) < 100  # dark orange
    # from healthy upward the colours darken with the magnitude
    assert luminance(fills["healthy"]) > luminance(fills["large"]) > luminance(fills["huge"])
    label = graph["nodes"][node_named(graph, "small")]
    assert "grad&#160;[1e-06,&#160;1e-06,&#160;1e-06]" in label


def test_gradient_flow_marks_a_planted_nan_red_and_arrows_point_backward() -> None:
    a = tg.tensor([1.0, 2.0], requires_grad=True)
    a.name = "a"
    b = tg.tensor([1.0, 2.0], requires_grad=True)
    b.name = "b"
    loss = (a * tg.tensor([math.nan, 1.0])).sum() + (b * 2.0).sum()
    graph = parse_dot(viz.draw_graph(loss, backward=True).source)
    r, g, bl = fill_of(graph, node_named(graph, "a"))
    assert r > 200 and g < 60 and bl < 60
    assert "NaN" in graph["nodes"][node_named(graph, "a")]
    assert fill_of(graph, node_named(graph, "b")) != (r, g, bl)  # a finite gradient of 2
    assert "dir=back" in viz.draw_graph(loss, backward=True).source
    assert "NaN/Inf" in viz.draw_graph(loss, backward=True).source  # the legend


def test_gradient_flow_shows_exact_gradients_and_leaves_grad_untouched() -> None:
    t = column_worked_example()
    exact = exact_worked_example()
    graph = parse_dot(viz.draw_graph(t["J"], backward=True).source)
    label = graph["nodes"][node_named(graph, "Z2")]
    assert f"grad&#160;[[{exact['dZ2'].item():.4g}]]" in label
    assert t["W1"].grad is None
    t["J"].backward()  # the graph is still there
    np.testing.assert_allclose(t["W1"].grad.numpy(), exact["dW1"], rtol=1e-12)


def test_forward_and_backward_side_by_side_in_one_picture() -> None:
    t = column_worked_example()
    graph = parse_dot(viz.draw_graph(t["J"], backward="both").source)
    assert "forward" in graph["clusters"]
    (backward_view,) = [c for c in graph["clusters"] if c.startswith("backward: gradient flow")]
    assert "colour = RMS of the gradient" in backward_view  # the legend, under the title
    titled_w1 = [nid for nid, attrs in graph["nodes"].items() if "<b>W1</b>" in attrs]
    views = sorted(graph["node_clusters"][nid][0] for nid in titled_w1)
    assert views == [backward_view, "forward"]


def test_drawing_a_freed_graph_says_to_retain_it() -> None:
    t = column_worked_example()
    t["J"].backward()
    with pytest.raises(RuntimeError, match="retain_graph=True"):
        viz.draw_graph(t["J"])


def test_bad_arguments_are_named() -> None:
    t = column_worked_example()
    with pytest.raises(ValueError, match="backward must be"):
        viz.draw_graph(t["J"], backward="sideways")
    with pytest.raises(TypeError, match="Tensor"):
        viz.draw_graph(np.ones(3))
    with pytest.raises(TypeError, match="named_parameters"):
        viz.draw_graph(t["J"], params={"w": np.ones(2)})
    with pytest.raises(TypeError, match="got int"):
        viz.draw_graph(t["J"], params=5)
    with pytest.raises(ValueError, match="rankdir"):
        viz.draw_graph(t["J"], rankdir="XX")
    with pytest.raises(TypeError, match="single loss"):
        viz.explain([t["J"], t["Z2"]])


def test_render_rejects_an_unknown_format_before_writing(tmp_path) -> None:
    t = column_worked_example()
    with pytest.raises(ValueError, match="unknown format 'nope'.*svg"):
        viz.render(t["J"], tmp_path / "g", format="nope")
    assert list(tmp_path.iterdir()) == []


def test_a_100000_op_chain_draws_without_recursion_error() -> None:
    x = tg.tensor([0.5], requires_grad=True)
    y = x
    for _ in range(100_000):
        y = y.sin()
    graph = viz.draw_graph(y)
    source = graph.source
    assert source.count("[label=sin]") == 100_000
    with pytest.raises(ValueError, match="max_nodes=1000"):
        viz.draw_graph(y, max_nodes=1000)


# ---------------------------------------------------------------- render


def test_render_writes_a_valid_svg_with_the_real_dot(tmp_path) -> None:
    assert shutil.which("dot"), "the Graphviz 'dot' program must be installed for this test"
    t = column_worked_example()
    path = viz.render(t["J"], tmp_path / "out" / "g")
    assert path == str(tmp_path / "out" / "g.svg")
    root = ET.parse(path).getroot()
    assert root.tag.endswith("svg")
    texts = {"".join(el.itertext()) for el in root.iter() if el.tag.endswith("text")}
    assert {"W1", "b1", "matmul", "sigmoid"} <= texts
    assert (tmp_path / "out" / "g.dot").read_text().startswith("digraph")
    png = viz.render(t["J"], tmp_path / "out" / "g", format="png", backward=True)
    assert open(png, "rb").read(8) == b"\x89PNG\r\n\x1a\n"


def test_render_without_graphviz_raises_and_keeps_the_dot(tmp_path, monkeypatch) -> None:
    t = column_worked_example()
    monkeypatch.setenv("PATH", "")
    with pytest.raises(viz.GraphvizNotFound) as info:
        viz.render(t["J"], tmp_path / "g")
    message = str(info.value)
    assert "apt-get install graphviz" in message and "brew install graphviz" in message
    assert "conda install" in message and str(tmp_path / "g.dot") in message
    assert isinstance(info.value, RuntimeError)
    assert (tmp_path / "g.dot").read_text().startswith("digraph")
    assert not (tmp_path / "g.svg").exists()


def test_render_refuses_pictures_too_large_to_read(tmp_path) -> None:
    x = tg.tensor([0.5], requires_grad=True)
    y = x
    for _ in range(3000):
        y = y.sin()
    with pytest.raises(ValueError, match="max_nodes=5000"):
        viz.render(y, tmp_path / "g")
    assert not (tmp_path / "g.dot").exists()


# ---------------------------------------------------------------- explain


def _row_for(rows: list[dict], output: str) -> dict:
    (row,) = [r for r in rows if r["output"] == output]
    return row


def _passed_to(rows: list[dict], label: str) -> np.ndarray:
    (grad,) = [g for r in rows for name, g in r["inputs"] if name == label]
    return grad


def test_explain_gives_the_documents_gradients(capsys) -> None:
    t = column_worked_example()
    exact = exact_worked_example()
    rows = viz.explain(t["J"])
    np.testing.assert_allclose(_row_for(rows, "Z2")["grad"], exact["dZ2"], rtol=1e-12)
    np.testing.assert_allclose(_passed_to(rows, "W2"), exact["dW2"], rtol=1e-12)
    np.testing.assert_allclose(_passed_to(rows, "b2"), exact["db2"], rtol=1e-12)
    np.testing.assert_allclose(_row_for(rows, "Z1")["grad"], exact["dZ1"], rtol=1e-12)
    np.testing.assert_allclose(_passed_to(rows, "W1"), exact["dW1"], rtol=1e-12)
    np.testing.assert_allclose(_passed_to(rows, "b1"), exact["db1"], rtol=1e-12)
    # the document's printed values, within the rounding it carries along
    np.testing.assert_allclose(_row_for(rows, "Z2")["grad"], [[-0.224]], atol=1e-3)
    np.testing.assert_allclose(_passed_to(rows, "W2"), [[-0.136, -0.180]], atol=1e-3)
    np.testing.assert_allclose(_row_for(rows, "Z1")["grad"], [[-0.0161], [-0.0246]], atol=1e-4)
    np.testing.assert_allclose(
        _passed_to(rows, "W1"), [[-0.0080, -0.0032], [-0.0123, -0.0049]], atol=1e-4
    )
    # the sigmoid row: incoming gradient times local derivative is what reaches Z1
    sigmoid = _row_for(rows, "A1")
    assert sigmoid["op"] == "sigmoid"
    np.testing.assert_allclose(sigmoid["local"][0], exact["sigma'(Z1)"], rtol=1e-12)
    np.testing.assert_allclose(sigmoid["grad"] * sigmoid["local"][0], exact["dZ1"], rtol=1e-12)
    np.testing.assert_allclose(sigmoid["value"], 1 / (1 + np.exp(-np.array([[0.43], [1.42]]))))
    printed = capsys.readouterr().out
    assert "sigmoid" in printed and "W1" in printed and "-0.2235" in printed


def test_explain_walks_the_backward_pass_in_execution_order(capsys) -> None:
    t = column_worked_example()
    rows = viz.explain(t["J"])
    outputs = [r["output"] for r in rows]
    assert outputs[0] == "J"
    assert outputs.index("Yhat") < outputs.index("Z2") < outputs.index("A1") < outputs.index("Z1")
    assert [r["step"] for r in rows] == list(range(1, len(rows) + 1))
    lines = capsys.readouterr().out.splitlines()
    header, rule = lines[0], lines[1]
    # aligned: each header word starts a column of dashes, and so does each row's op
    starts = [m.start() for m in re.finditer(r"-+", rule)]
    assert [header.index(word) for word in ("step", "op", "output", "value")] == starts[:4]
    first_lines = [line for line in lines[2:] if line[: starts[1]].strip()]
    assert len(first_lines) == len(rows)
    for line, row in zip(first_lines, rows, strict=True):
        assert line[starts[1]:].startswith(row["op"])


def test_explain_keeps_the_graph_and_does_not_touch_grad(capsys) -> None:
    t = column_worked_example()
    viz.explain(t["J"])
    assert t["W1"].grad is None and t["b2"].grad is None
    t["J"].backward()
    np.testing.assert_allclose(t["W1"].grad.numpy(), exact_worked_example()["dW1"], rtol=1e-12)


def test_explain_names_parameters_from_params(capsys) -> None:
    model, loss = module_worked_example()
    rows = viz.explain(loss, params=model)
    exact = exact_worked_example()
    np.testing.assert_allclose(_passed_to(rows, "0.weight"), exact["dW1"], rtol=1e-12)
    np.testing.assert_allclose(_passed_to(rows, "2.bias"), exact["db2"].ravel(), rtol=1e-12)
    assert "0.weight" in capsys.readouterr().out


# ---------------------------------------------------------------- the user's own tensors


def tensor_titles(graph: dict) -> dict[str, str]:
    """Tensor node id -> the title written on its box (a given name or a made-up one)."""
    titles = {}
    for nid, attrs in graph["nodes"].items():
        match = re.search(r"<tr><td><[bi]>([^<]*)<", attrs)
        if match and nid not in graph["ops"]:
            titles[nid] = match.group(1)
    return titles


def shape_line(graph: dict, node_id: str) -> str:
    return re.search(r'point-size="\d+">(\([^)]*\) \w+)', graph["nodes"][node_id]).group(1)


def test_a_1d_operand_of_matmul_is_drawn_as_the_users_1d_tensor(capsys) -> None:
    torch = pytest.importorskip("torch")
    x = tg.tensor([0.5, 0.2], dtype=tg.float64)
    W = tg.tensor([[0.1, 0.4], [0.8, 0.6]], dtype=tg.float64, requires_grad=True)
    b = tg.tensor([0.3, 0.9], dtype=tg.float64, requires_grad=True)
    x.name, W.name, b.name = "x", "W", "b"
    loss = -((W @ x + b).sigmoid().log()).sum()
    for backward in (False, True):
        graph = parse_dot(viz.draw_graph(loss, backward=backward).source)
        assert shape_line(graph, node_named(graph, "x")) == "(2,) float64"
        assert "reshape" not in op_nodes(graph).values()
        assert "(2, 1)" not in viz.draw_graph(loss, backward=backward).source
        (matmul,) = [nid for nid, label in op_nodes(graph).items() if label == "matmul"]
        assert {tail for tail, head in graph["edges"] if head == matmul} == {
            node_named(graph, "W"), node_named(graph, "x")}
    rows = viz.explain(loss)
    capsys.readouterr()
    assert [row["op"] for row in rows] == ["neg", "sum", "log", "sigmoid", "add", "matmul"]
    (label, passed_to_W), = rows[-1]["inputs"]
    tW = torch.tensor([[0.1, 0.4], [0.8, 0.6]], dtype=torch.float64, requires_grad=True)
    tx, tb = torch.tensor([0.5, 0.2], dtype=torch.float64), torch.tensor([0.3, 0.9],
                                                                         dtype=torch.float64)
    (-((tW @ tx + tb).sigmoid().log()).sum()).backward()
    assert label == "W"
    np.testing.assert_allclose(passed_to_W, tW.grad.numpy(), rtol=1e-10, atol=0)
    assert W.grad is None  # explain computed it without touching .grad


def test_cross_entropy_with_class_labels_draws_the_labels_not_a_one_hot(capsys) -> None:
    torch = pytest.importorskip("torch")
    logits_values = np.array([[2.0, -1.0, 0.5], [0.1, 0.2, 0.3], [-1.0, 3.0, 0.0]])
    labels_values = np.array([0, 2, 1])
    logits = tg.tensor(logits_values, requires_grad=True)
    labels = tg.tensor(labels_values)
    logits.name, labels.name = "logits", "labels"
    loss = nn.CrossEntropyLoss()(logits, labels)
    source = viz.draw_graph(loss).source
    graph = parse_dot(source)
    assert shape_line(graph, node_named(graph, "labels")) == "(3,) int64"
    assert set(tensor_titles(graph).values()) == {"logits", "labels", "cross_entropy"}
    assert "(3, 3) float64" not in source.replace(shape_line(graph, node_named(graph, "logits")),
                                                  "")
    rows = viz.explain(loss)
    capsys.readouterr()
    ((label, passed),) = rows[0]["inputs"]
    t_logits = torch.tensor(logits_values, requires_grad=True)
    torch.nn.CrossEntropyLoss()(t_logits, torch.tensor(labels_values)).backward()
    assert label == "logits"
    np.testing.assert_allclose(passed, t_logits.grad.numpy(), rtol=1e-10, atol=0)


def test_explain_and_the_picture_call_every_tensor_by_the_same_name(capsys) -> None:
    tg.manual_seed(0)
    model = nn.Sequential(nn.Linear(3, 4), nn.Tanh(), nn.Linear(4, 2))
    x = tg.randn(5, 3)
    x.name = "x"
    loss = ((model(x) - 1.0) ** 2).mean()
    rows = viz.explain(loss, params=model)
    capsys.readouterr()
    labels_in_table = {row["output"] for row in rows} | {
        label for row in rows for label, _ in row["inputs"]}
    for backward in (False, True):
        titles = set(tensor_titles(parse_dot(viz.draw_graph(loss, backward=backward,
                                                             params=model).source)).values())
        assert labels_in_table <= titles
    assert {"0.weight", "0.bias", "2.weight", "2.bias", "linear", "tanh"} <= labels_in_table
    assert not any(label.startswith("%") for label in labels_in_table)
