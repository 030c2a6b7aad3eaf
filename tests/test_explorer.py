"""tg.viz.html: the backward-pass explorer page, tested in a real browser.

The page is opened in Debian's Chromium (headless, every host name unresolvable,
so a page that reached for the network would show it), driven through
chromedriver by Selenium. Steps are taken by clicking the page's own buttons and
numbers are read from what the page shows, then compared with tinygrad_nn's own
``.grad`` after ``loss.backward()`` and with the worked example's algebra done
here in numpy.
"""

from __future__ import annotations

import io
import json
import re
import shutil
from collections.abc import Iterator
from pathlib import Path

import numpy as np
import pytest
from selenium import webdriver  # the dev extra
from selenium.webdriver.chrome.service import Service
from selenium.webdriver.common.by import By

import tinygrad_nn as tg
from tinygrad_nn import nn, viz

BROWSERS = ("chromium", "chromium-browser", "google-chrome")


@pytest.fixture(scope="module")
def browser() -> Iterator[webdriver.Chrome]:
    """One headless Chromium for the module, with the network cut off."""
    binary = next(filter(None, map(shutil.which, BROWSERS)), None)
    driver_path = shutil.which("chromedriver")
    if binary is None or driver_path is None:
        pytest.fail(
            "the explorer page is tested in a real browser: install Chromium and its driver "
            "(Debian/Ubuntu: apt-get install chromium chromium-driver; .ci/run does)"
        )
    options = webdriver.ChromeOptions()
    options.binary_location = binary
    for argument in ("--headless=new", "--no-sandbox", "--disable-dev-shm-usage",
                     "--window-size=1440,900", "--host-resolver-rules=MAP * ~NOTFOUND"):
        options.add_argument(argument)
    options.set_capability("goog:loggingPrefs", {"browser": "ALL"})
    driver = webdriver.Chrome(service=Service(driver_path), options=options)
    yield driver
    driver.quit()


def worked_example() -> tuple[tg.Tensor, dict[str, tg.Tensor]]:
    """The documents' 2-2-1 sigmoid network on x = [0.5, 0.2], y = 1: the loss J and W1..b2."""
    hidden, output = nn.Linear(2, 2).double(), nn.Linear(2, 1).double()
    hidden.load_state_dict({"weight": np.array([[0.1, 0.4], [0.8, 0.6]]),
                            "bias": np.array([0.3, 0.9])})
    output.load_state_dict({"weight": np.array([[0.3, 0.7]]), "bias": np.array([0.5])})
    x = tg.tensor(np.array([[0.5, 0.2]]))
    y = tg.tensor(np.array([[1.0]]))
    loss = nn.BCELoss()(output(hidden(x).sigmoid()).sigmoid(), y)
    params = {"W1": hidden.weight, "b1": hidden.bias, "W2": output.weight, "b2": output.bias}
    return loss, params


def by_hand() -> dict[str, np.ndarray]:
    """The worked example's forward values and gradients, by the chain rule in numpy."""
    W1, b1 = np.array([[0.1, 0.4], [0.8, 0.6]]), np.array([0.3, 0.9])
    W2, b2 = np.array([0.3, 0.7]), 0.5
    x = np.array([0.5, 0.2])
    a1 = 1 / (1 + np.exp(-(W1 @ x + b1)))
    yhat = 1 / (1 + np.exp(-(W2 @ a1 + b2)))
    dz2 = yhat - 1.0  # sigmoid + binary cross-entropy, y = 1
    dz1 = dz2 * W2 * a1 * (1 - a1)
    return {"a1": a1, "yhat": yhat, "dz2": dz2, "dW2": dz2 * a1, "dW1": np.outer(dz1, x)}


def open_page(driver: webdriver.Chrome, path: Path) -> None:
    driver.get(path.as_uri())
    driver.get_log("browser")  # start each page with an empty console log


def counter(driver: webdriver.Chrome) -> str:
    return driver.find_element(By.ID, "step-counter").text


def step_to_end(driver: webdriver.Chrome) -> int:
    """Click "step" until it is disabled; the number of clicks."""
    clicks = 0
    button = driver.find_element(By.ID, "step-next")
    while button.is_enabled():
        button.click()
        clicks += 1
        assert clicks < 1000, "the step button never disabled itself"
    return clicks


def grads_shown(driver: webdriver.Chrome) -> dict[str, object]:
    """Leaf name -> the exact .grad values in the page's table (None where it shows None)."""
    shown = {}
    for row in driver.find_elements(By.CSS_SELECTOR, "#grads tr"):
        name = row.find_element(By.CSS_SELECTOR, "td.name").text
        shown[name] = json.loads(row.find_element(By.CSS_SELECTOR, "td.grad")
                                 .get_attribute("data-exact"))
    return shown


def svg_node(driver: webdriver.Chrome, view: str, title: str):
    """The <g> of the node whose bold name (or op label) in ``view``'s picture is ``title``."""
    found = [g for g in driver.find_elements(By.CSS_SELECTOR, f"#{view}-view g.node")
             if any(t.text == title for t in g.find_elements(By.TAG_NAME, "text"))]
    assert len(found) == 1, f"expected one node {title!r} in the {view} view, found {len(found)}"
    return found[0]


def numbers(text: str) -> list[float]:
    return [float(n) for n in re.findall(r"-?\d+\.?\d*(?:e-?\d+)?", text)]


# ---------------------------------------------------------------- the page itself


def test_page_is_one_self_contained_file(tmp_path: Path, browser: webdriver.Chrome) -> None:
    loss, params = worked_example()
    page = tg.viz.html(loss, tmp_path / "explorer", params=params)
    assert (tmp_path / "explorer.html").read_text(encoding="utf-8") == page
    assert not re.search(r"<script[^>]+src=|<link|@import|url\(", page)
    # the only addresses are XML namespace names, which are never fetched
    assert set(re.findall(r"https?://[^\s\"'<>]+", page)) <= {
        "http://www.w3.org/2000/svg", "http://www.w3.org/1999/xlink"}
    open_page(browser, tmp_path / "explorer.html")
    assert browser.execute_script("return performance.getEntriesByType('resource').length") == 0
    assert counter(browser) == "step 0 of 5"
    errors = [entry for entry in browser.get_log("browser") if entry["level"] == "SEVERE"]
    assert errors == []


def test_stepping_to_the_end_fills_each_leaf_grad_with_backwards_values(
    tmp_path: Path, browser: webdriver.Chrome
) -> None:
    loss, params = worked_example()
    tg.viz.html(loss, tmp_path / "page.html", params=params)
    assert all(p.grad is None for p in params.values())  # the page touched no .grad
    loss.backward()  # the graph was kept: backward still works
    open_page(browser, tmp_path / "page.html")
    assert grads_shown(browser) == dict.fromkeys(params)  # every leaf starts at None
    assert step_to_end(browser) == 5  # BCE, sigmoid, linear, sigmoid, linear
    assert counter(browser) == "step 5 of 5"
    shown = grads_shown(browser)
    assert sorted(shown) == sorted(params)
    for name, p in params.items():
        assert np.array_equal(np.array(shown[name]), p.grad.numpy()), name
    # and the document's dW1, worked out here by the chain rule in numpy
    np.testing.assert_allclose(shown["W1"], by_hand()["dW1"], rtol=1e-12)
    # stepping back empties the .grad again, as before the first step
    browser.find_element(By.ID, "step-first").click()
    assert counter(browser) == "step 0 of 5"
    assert grads_shown(browser) == dict.fromkeys(params)


def test_each_step_outlines_its_op_and_shows_local_derivative_and_gradient_passed_on(
    tmp_path: Path, browser: webdriver.Chrome
) -> None:
    loss, params = worked_example()
    tg.viz.html(loss, tmp_path / "page.html", params=params)
    open_page(browser, tmp_path / "page.html")
    expected = by_hand()
    yhat = expected["yhat"]

    browser.find_element(By.ID, "step-next").click()  # step 1: the loss
    current = browser.find_elements(By.CSS_SELECTOR, "#forward-view g.node.current")
    assert [g.text.strip() for g in current] == ["binary_cross_entropy(·, 1)"]
    panel = browser.find_element(By.ID, "step").text
    assert "Step 1: binary_cross_entropy" in panel
    assert "dL/dp = g · (p − y) / (p (1 − p)) / n" in panel
    # dJ/dYhat = -(1/Yhat) for y = 1, shown to 4 significant digits
    assert f"{-1 / yhat:.4g}" in panel

    browser.find_element(By.ID, "step-next").click()  # step 2: the output sigmoid
    panel = browser.find_element(By.ID, "step").text
    assert "∂out/∂a = σ(a) (1 − σ(a)) = out (1 − out)" in panel
    assert f"{yhat * (1 - yhat):.4g}" in panel  # its local derivative
    assert f"{(yhat - 1):.4g}" in panel  # what it passes on: dZ2 = Yhat - y
    outlined = browser.find_elements(By.CSS_SELECTOR, "#forward-view g.node.current ellipse")
    assert len(outlined) == 1
    assert outlined[0].value_of_css_property("stroke") == "rgb(214, 39, 40)"

    browser.find_element(By.ID, "step-next").click()  # step 3: the output layer
    panel = browser.find_element(By.ID, "step").text
    assert "dL/dW = gᵀ @ x" in panel and "added to W2.grad" in panel
    assert f"{expected['dW2'][1]:.4g}" in panel  # dW2 = dZ2 A1^T


def test_clicking_a_node_shows_its_values(tmp_path: Path, browser: webdriver.Chrome) -> None:
    loss, params = worked_example()
    tg.viz.html(loss, tmp_path / "page.html", params=params)
    open_page(browser, tmp_path / "page.html")
    svg_node(browser, "forward", "W1").click()
    selected = browser.find_element(By.ID, "selected")
    assert selected.find_element(By.TAG_NAME, "h2").text == "W1"
    value = selected.find_element(By.CSS_SELECTOR, ".value").text
    assert numbers(value) == [0.1, 0.4, 0.8, 0.6]
    assert "shape (2, 2) · float64" in selected.text
    assert "nothing yet" in selected.text  # no gradient before the first step
    assert "selected" in svg_node(browser, "forward", "W1").get_attribute("class")

    step_to_end(browser)  # the panel follows the walk: W1's .grad is now there
    grad = browser.find_element(By.CSS_SELECTOR, "#selected .grad").text
    shown = [float(f"{v:.4g}") for v in by_hand()["dW1"].ravel()]  # 4 significant digits
    assert numbers(grad) == shown

    svg_node(browser, "forward", "binary_cross_entropy(·, 1)").click()  # an op: rule, in, out
    text = browser.find_element(By.ID, "selected").text
    assert text.startswith("op binary_cross_entropy")
    assert "L = −(1/n) Σ [y ln p + (1 − y) ln(1 − p)]" in text


def test_forward_and_backward_views(tmp_path: Path, browser: webdriver.Chrome) -> None:
    loss, params = worked_example()
    tg.viz.html(loss, tmp_path / "page.html", params=params)
    open_page(browser, tmp_path / "page.html")
    forward, backward = (browser.find_element(By.ID, f"{v}-view") for v in ("forward", "backward"))
    assert forward.is_displayed() and not backward.is_displayed()
    browser.find_element(By.ID, "view-backward").click()
    assert backward.is_displayed() and not forward.is_displayed()
    # the gradient-flow picture: W1's box carries its gradient, dimmed until the walk gets there
    w1 = svg_node(browser, "backward", "W1")
    assert "grad" in w1.text
    assert w1.value_of_css_property("opacity") == "0.25"
    step_to_end(browser)
    assert w1.value_of_css_property("opacity") == "1"
    assert smallest_text_px(browser) >= 9
    browser.find_element(By.ID, "view-forward").click()
    assert forward.is_displayed() and not backward.is_displayed()
    assert smallest_text_px(browser) >= 9


def smallest_text_px(driver: webdriver.Chrome) -> float:
    """The smallest rendered font size, in screen pixels, of any text shown on the page."""
    return driver.execute_script("""
        let smallest = Infinity;
        for (const t of document.querySelectorAll("svg text")) {
          if (t.getClientRects().length === 0) continue;  // in the hidden view
          const size = parseFloat(getComputedStyle(t).fontSize) * t.getScreenCTM().a;
          smallest = Math.min(smallest, size);
        }
        for (const e of document.querySelectorAll("body *:not(svg *)")) {
          if (e.getClientRects().length === 0 || !e.childNodes.length) continue;
          smallest = Math.min(smallest, parseFloat(getComputedStyle(e).fontSize));
        }
        return smallest;""")


def test_a_leaf_used_three_times_and_broadcast_gets_backwards_grad_exactly(
    tmp_path: Path, browser: webdriver.Chrome
) -> None:
    rng = np.random.default_rng(7)
    x = tg.tensor(rng.normal(size=(3, 4)), requires_grad=True)
    w = tg.tensor(rng.normal(size=(4,)), requires_grad=True)
    b = tg.tensor(rng.normal(size=(1,)), requires_grad=True)
    x.name, w.name, b.name = "x", "w", "b"
    loss = ((x * x * x + x * w) * x + b).tanh().mean()
    tg.viz.html(loss, tmp_path / "page.html")
    loss.backward()
    open_page(browser, tmp_path / "page.html")
    step_to_end(browser)
    shown = grads_shown(browser)
    for name, t in (("x", x), ("w", w), ("b", b)):
        assert np.array_equal(np.array(shown[name]), t.grad.numpy()), name


def steps_shown(driver: webdriver.Chrome) -> list[tuple[str, list[str]]]:
    """Click "step" to the end; each step's heading and its "operand = input" lines."""
    shown = []
    button = driver.find_element(By.ID, "step-next")
    while button.is_enabled():
        button.click()
        panel = driver.find_element(By.ID, "step")
        shown.append((panel.find_element(By.TAG_NAME, "h2").text,
                      [b.text for b in panel.find_elements(By.CSS_SELECTOR, ".passes > b")]))
        assert len(shown) < 1000, "the step button never disabled itself"
    return shown


def as_explain_prints(rows: list[dict]) -> list[tuple[str, list[str]]]:
    """explain's rows as the page should head its steps: op, output, and the inputs' names."""
    return [(f"Step {r['step']}: {r['op']} → {r['output']}", [label for label, _ in r["inputs"]])
            for r in rows]


def test_cross_entropy_on_class_labels_is_one_step_on_the_users_logits(
    tmp_path: Path, browser: webdriver.Chrome
) -> None:
    rng = np.random.default_rng(5)
    model = nn.Sequential(nn.Linear(4, 5), nn.Tanh(), nn.Linear(5, 3)).double()
    x = tg.tensor(rng.normal(size=(6, 4)))
    labels = tg.tensor(np.array([0, 2, 1, 1, 0, 2], dtype=np.int64))
    loss = nn.functional.cross_entropy(model(x), labels)
    tg.viz.html(loss, tmp_path / "page.html", params=model)
    rows = viz.explain(loss, params=model, file=io.StringIO())
    loss.backward()
    open_page(browser, tmp_path / "page.html")
    shown = [(heading, [line.split(" = ")[1] for line in inputs])
             for heading, inputs in steps_shown(browser)]
    # the page's steps are explain's, named as the pictures name the boxes; the loss is one
    # step whose only input is the logits (the int64 labels get no gradient)
    assert shown == as_explain_prints(rows)
    assert shown[0] == ("Step 1: cross_entropy → cross_entropy", ["linear_1"])
    assert len(shown) == 4  # cross_entropy, linear, tanh, linear: no helper tensor's op
    boxes = [g.find_elements(By.TAG_NAME, "text")[0].text
             for g in browser.find_elements(By.CSS_SELECTOR, "#forward-view g.node")
             if not g.find_elements(By.TAG_NAME, "ellipse")]
    named = {name for heading, inputs in shown for name in inputs + [heading.split(" → ")[1]]}
    assert named <= set(boxes)  # every name the steps use is written on a box of the picture
    grads = grads_shown(browser)
    assert sorted(grads) == sorted(name for name, _ in model.named_parameters())
    for name, p in model.named_parameters():
        assert np.array_equal(np.array(grads[name]), p.grad.numpy()), name
    # what the loss passes to the logits z: (softmax(z) - onehot(y)) / n, here in numpy
    first, last = model[0], model[2]
    z = np.tanh(x.numpy() @ first.weight.numpy().T + first.bias.numpy()) @ \
        last.weight.numpy().T + last.bias.numpy()
    softmax = np.exp(z - z.max(1, keepdims=True))
    softmax /= softmax.sum(1, keepdims=True)
    onehot = np.eye(3)[labels.numpy()]
    passed = browser.execute_script("return DATA.steps[0].inputs[0].passed.exact")
    np.testing.assert_allclose(passed, (softmax - onehot) / 6, rtol=1e-12)
    browser.find_element(By.ID, "step-first").click()
    browser.find_element(By.ID, "step-next").click()
    panel = browser.find_element(By.ID, "step").text
    assert "dL/dz = g · (softmax(z) − onehot(target)) / n" in panel
    assert f"{(softmax - onehot)[0, 0] / 6:.4g}" in panel


def test_matmul_with_a_vector_steps_through_the_users_own_vector(
    tmp_path: Path, browser: webdriver.Chrome
) -> None:
    rng = np.random.default_rng(11)
    W = tg.tensor(rng.normal(size=(3, 4)), requires_grad=True)
    x = tg.tensor(rng.normal(size=(4,)), requires_grad=True)
    W.name, x.name = "W", "x"
    loss = (W @ x).tanh().sum()
    tg.viz.html(loss, tmp_path / "page.html")
    rows = viz.explain(loss, file=io.StringIO())
    loss.backward()
    open_page(browser, tmp_path / "page.html")
    shown = steps_shown(browser)
    assert [(heading, [line.split(" = ")[1] for line in inputs])
            for heading, inputs in shown] == as_explain_prints(rows)
    assert shown[-1] == ("Step 3: matmul → matmul", ["A = W", "B = x"])  # no reshaped x
    ops = [g.text for g in browser.find_elements(By.CSS_SELECTOR, "#forward-view g.node")
           if g.find_elements(By.TAG_NAME, "ellipse")]
    assert sorted(ops) == ["matmul", "sum", "tanh"]
    grads = grads_shown(browser)
    for name, t in (("W", W), ("x", x)):
        assert np.array_equal(np.array(grads[name]), t.grad.numpy()), name


# ---------------------------------------------------------------- without a browser


def test_html_needs_graphviz_and_says_how_to_get_it(monkeypatch: pytest.MonkeyPatch) -> None:
    loss, params = worked_example()
    monkeypatch.setenv("PATH", "")
    with pytest.raises(viz.GraphvizNotFound, match="apt-get install graphviz"):
        tg.viz.html(loss, params=params)


def test_html_rejects_what_has_no_backward_pass() -> None:
    with pytest.raises(ValueError, match="does not require grad"):
        tg.viz.html(tg.tensor([1.0, 2.0]).sum())
    with pytest.raises(TypeError, match="expects a Tensor"):
        tg.viz.html(np.ones(3))
    loss, _ = worked_example()
    with pytest.raises(TypeError, match="single loss"):
        tg.viz.html([loss, loss])


def test_show_outside_jupyter_points_to_files() -> None:
    loss, _ = worked_example()
    with pytest.raises(RuntimeError, match="tg.viz.html"):
        tg.viz.show(loss)
