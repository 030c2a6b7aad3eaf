"""tg.compile: a replayed step equals the eager step bitwise, guards record again, value reads
fall back to eager with one warning naming the line, and replays do not grow memory."""

from __future__ import annotations

import gc
import tracemalloc
import warnings

import numpy as np
import pytest

import tinygrad_nn as tg
import tinygrad_nn.nn.functional as F  # noqa: N812
from benchmarks import impl_tinygrad, impl_tinygrad_nn
from benchmarks.workloads import WORKLOADS, make_data
from tinygrad_nn import nn, optim
from tinygrad_nn.capture import CompileWarning

# ----- helpers ------------------------------------------------------------------------------


def _state_of(model: nn.Module, opt: optim.Optimizer | None) -> list:
    """Everything a step changes: parameters, buffers, grads, optimizer state."""
    out = []
    for p in model.parameters():
        out.append(p.numpy().copy())
        out.append(None if p.grad is None else p.grad.numpy().copy())
    out += [b.numpy().copy() for b in model.buffers()]
    if opt is not None:
        for p in (p for g in opt.param_groups for p in g["params"]):
            for key, value in sorted(opt.state.get(p, {}).items()):
                out.append((key, value.copy() if isinstance(value, np.ndarray) else value))
        out += [g["lr"] for g in opt.param_groups]
    return out


def _assert_bitwise(a: list, b: list) -> None:
    assert len(a) == len(b)
    for x, y in zip(a, b, strict=True):
        if isinstance(x, tuple):
            assert x[0] == y[0]
            x, y = x[1], y[1]
        if isinstance(x, np.ndarray):
            assert x.dtype == y.dtype and x.shape == y.shape
            assert np.array_equal(x, y, equal_nan=True), (x, y)
        else:
            assert x == y


def _twins(build, steps: int = 6, data=None):
    """Run the step of two identical setups, one eager and one compiled; compare each step."""
    eager, compiled = build(), build()
    step = tg.compile(compiled["step"])
    for i in range(steps):
        args = () if data is None else data(i)
        want = eager["step"](*args)
        got = step(*args)
        if isinstance(want, tg.Tensor):
            assert np.array_equal(want.numpy(), got.numpy(), equal_nan=True)
        _assert_bitwise(_state_of(eager["model"], eager.get("opt")),
                        _state_of(compiled["model"], compiled.get("opt")))
    return step


def _mlp(seed: int = 0, batchnorm: bool = False, dropout: bool = False) -> nn.Sequential:
    tg.manual_seed(seed)
    layers = [nn.Linear(6, 16)]
    if batchnorm:
        layers.append(nn.BatchNorm1d(16))
    layers.append(nn.ReLU())
    if dropout:
        layers.append(nn.Dropout(0.3))
    layers.append(nn.Linear(16, 3))
    return nn.Sequential(*layers)


_X = np.random.default_rng(5).standard_normal((8, 6)).astype(np.float32)
_LABELS = np.random.default_rng(6).integers(0, 3, size=8)


def _classifier(make_opt, scheduler=None, **model_kwargs):
    def build():
        model = _mlp(**model_kwargs)
        opt = make_opt(model.parameters())
        sched = scheduler(opt) if scheduler else None
        x, y = tg.Tensor(_X), tg.Tensor(_LABELS)

        def step():
            opt.zero_grad()
            loss = F.cross_entropy(model(x), y)
            loss.backward()
            opt.step()
            if sched is not None:
                sched.step()
            return loss

        return {"model": model, "opt": opt, "step": step}

    return build


# ----- bitwise equal to eager ----------------------------------------------------------------


@pytest.mark.parametrize("key", list(WORKLOADS))
def test_every_benchmark_workload_replays_bitwise(key):
    kind = WORKLOADS[key].kind
    module = impl_tinygrad_nn if kind == "cnn" else impl_tinygrad
    eager = module.BUILDERS[kind](make_data(key, quick=True))
    compiled = module.BUILDERS[kind](make_data(key, quick=True))

    def step():
        compiled.step()
        return compiled.loss

    replay = tg.compile(step)
    for _ in range(5):
        eager.step()
        loss = replay()
        assert np.array_equal(eager.loss.numpy(), loss.numpy())
        for a, b in zip(eager.parameters(), compiled.parameters(), strict=True):
            assert np.array_equal(a, b)
    assert replay.traces and replay.eager_reason is None


@pytest.mark.parametrize("make_opt", [
    lambda ps: optim.SGD(ps, lr=0.1),
    lambda ps: optim.SGD(ps, lr=0.1, momentum=0.9, nesterov=True, weight_decay=1e-3),
    lambda ps: optim.Adam(ps, lr=1e-2),
    lambda ps: optim.Adam(ps, lr=1e-2, amsgrad=True, weight_decay=1e-2),
    lambda ps: optim.AdamW(ps, lr=1e-2),
    lambda ps: optim.RMSprop(ps, lr=1e-2, momentum=0.5),
], ids=["sgd", "sgd-nesterov", "adam", "adam-amsgrad", "adamw", "rmsprop"])
def test_optimizers_replay_bitwise_with_fresh_step_counts(make_opt):
    step = _twins(_classifier(make_opt))
    assert step.eager_reason is None
    # one recording: zero_grad and step run as Python on replay, so neither the optimizer's
    # new state nor the .grad left by the first call changes what the step records
    assert step.recordings == 1


def test_a_scheduler_inside_or_outside_the_step_keeps_the_rate_fresh():
    inside = _twins(_classifier(
        lambda ps: optim.SGD(ps, lr=0.5, momentum=0.9),
        scheduler=lambda o: optim.lr_scheduler.StepLR(o, step_size=2, gamma=0.5)))
    assert inside.recordings == 1

    eager, compiled = (_classifier(lambda ps: optim.Adam(ps, lr=0.05))() for _ in range(2))
    schedulers = [optim.lr_scheduler.CosineAnnealingLR(p["opt"], T_max=4)
                  for p in (eager, compiled)]
    step = tg.compile(compiled["step"])
    for _ in range(6):
        want, got = eager["step"](), step()
        for scheduler in schedulers:
            scheduler.step()  # between calls, outside the compiled step
        assert np.array_equal(want.numpy(), got.numpy())
        _assert_bitwise(_state_of(eager["model"], eager["opt"]),
                        _state_of(compiled["model"], compiled["opt"]))
    assert step.recordings == 1


def test_batchnorm_and_dropout_with_a_seeded_generator_replay_bitwise():
    def build():
        parts = _classifier(lambda ps: optim.SGD(ps, lr=0.1), batchnorm=True, dropout=True)()
        tg.manual_seed(123)  # both twins draw the same dropout masks, step by step
        return parts

    eager, compiled = build(), build()
    step = tg.compile(compiled["step"])
    tg.manual_seed(7)
    state = tg.random.generator().bit_generator.state
    losses = []
    for _ in range(5):
        tg.random.generator().bit_generator.state = state
        want = eager["step"]()
        state_after = tg.random.generator().bit_generator.state
        tg.random.generator().bit_generator.state = state
        got = step()
        assert tg.random.generator().bit_generator.state == state_after
        state = state_after
        assert np.array_equal(want.numpy(), got.numpy())
        losses.append(float(got.numpy()))
        _assert_bitwise(_state_of(eager["model"], eager["opt"]),
                        _state_of(compiled["model"], compiled["opt"]))
    assert step.eager_reason is None
    assert len(set(losses)) == len(losses)  # fresh masks: no two steps alike


def test_arguments_are_copied_in_each_call_and_batches_differ():
    rng = np.random.default_rng(0)
    batches = [(tg.Tensor(rng.standard_normal((8, 6)).astype(np.float32)),
                tg.Tensor(rng.integers(0, 3, size=8))) for _ in range(6)]

    def build():
        model = _mlp()
        opt = optim.Adam(model.parameters(), lr=1e-2)

        def step(x, y):
            opt.zero_grad()
            loss = F.cross_entropy(model(x), y)
            loss.backward()
            opt.step()
            return loss

        return {"model": model, "opt": opt, "step": step}

    step = _twins(build, data=lambda i: batches[i])
    assert len(step.traces) == 1


def test_cnn_with_conv_pool_and_momentum_replays_bitwise():
    def build():
        tg.manual_seed(1)
        model = nn.Sequential(nn.Conv2d(1, 3, 3, padding=1), nn.ReLU(), nn.MaxPool2d(2),
                              nn.Flatten(), nn.Linear(3 * 3 * 3, 4))
        opt = optim.SGD(model.parameters(), lr=0.05, momentum=0.9)
        x = tg.Tensor(np.random.default_rng(2).standard_normal((5, 1, 6, 6)).astype(np.float32))
        y = tg.Tensor(np.random.default_rng(3).integers(0, 4, size=5))

        def step():
            opt.zero_grad()
            loss = F.cross_entropy(model(x), y)
            loss.backward()
            opt.step()
            return loss

        return {"model": model, "opt": opt, "step": step}

    _twins(build)


def test_fuzzed_graphs_replay_bitwise():
    unary = [lambda t: t.tanh(), lambda t: t.sigmoid(), lambda t: t.relu(),
             lambda t: (t.tanh() * 2).exp(),
             lambda t: t * t, lambda t: t.T, lambda t: t.sum(axis=0, keepdims=True),
             lambda t: t.reshape(-1).reshape(t.shape), lambda t: t.softmax(axis=-1),
             lambda t: t[1:], lambda t: t.abs().sqrt()]
    binary = [lambda a, b: a + b, lambda a, b: a * b, lambda a, b: a - b,
              lambda a, b: a @ b.T, lambda a, b: tg.maximum(a, b)]
    for seed in range(12):
        rng = np.random.default_rng(seed)
        plan = [(int(rng.integers(2)), int(rng.integers(11)), int(rng.integers(5)),
                 int(rng.integers(3))) for _ in range(8)]

        def build(plan=plan, seed=seed):
            rng = np.random.default_rng(100 + seed)
            ps = [nn.Parameter(rng.standard_normal((4, 4)) * 0.5) for _ in range(3)]
            model = nn.Module()
            for i, p in enumerate(ps):
                setattr(model, f"p{i}", p)
            opt = optim.SGD(ps, lr=0.01, momentum=0.5)

            def step():
                opt.zero_grad()
                values = list(ps)
                for is_binary, u, b, pick in plan:
                    a = values[-1]
                    if a.shape != (4, 4):
                        a = a.sum() * ps[pick] if a.ndim else a * ps[pick]
                    out = binary[b](a, ps[pick]) if is_binary else unary[u](a)
                    values.append(out)
                loss = values[-1].sum()
                loss.backward()
                opt.step()
                return loss

            return {"model": model, "opt": opt, "step": step}

        _twins(build, steps=4)


# ----- guards --------------------------------------------------------------------------------


def _sgd_setup():
    model = _mlp()
    opt = optim.SGD(model.parameters(), lr=0.1)

    def step(x):
        opt.zero_grad()
        loss = (model(x) ** 2).mean()
        loss.backward()
        opt.step()
        return loss

    return model, opt, tg.compile(step)


def test_a_new_shape_dtype_or_grad_mode_records_again():
    model, _, step = _sgd_setup()
    x = tg.Tensor(_X)
    for _ in range(3):
        step(x)
    assert step.recordings == 1
    step(tg.Tensor(_X[:5]))
    assert step.recordings == 2
    model.double()  # float64 input needs float64 weights, as in PyTorch
    step(tg.Tensor(_X.astype(np.float64)))
    assert step.recordings == 3
    model.float()
    with tg.no_grad():
        with pytest.raises(RuntimeError, match="does not require grad"):
            step(x)
    assert step.recordings == 4


def test_training_flag_data_assignment_load_state_dict_and_to_record_again():
    model, opt, step = _sgd_setup()
    x = tg.Tensor(_X)
    step(x)
    step(x)
    count = step.recordings
    model.eval()
    step(x)
    assert step.recordings == count + 1
    model.train()
    step(x)
    first = model[0].weight
    first.data = np.zeros_like(first.numpy())  # rebinds the array the step read
    before = step.recordings
    loss = step(x)
    assert step.recordings == before + 1
    eager_model = _mlp()
    eager_model.load_state_dict(model.state_dict())
    model.load_state_dict(eager_model.state_dict())
    step(x)
    # whatever load_state_dict does to the arrays, the replay after it equals eager
    eager_opt = optim.SGD(eager_model.parameters(), lr=0.1)
    for p, q in zip(model.parameters(), eager_model.parameters(), strict=True):
        q.data = p.numpy().copy()
    for _ in range(2):
        eager_opt.zero_grad()
        want = (eager_model(x) ** 2).mean()
        want.backward()
        eager_opt.step()
        loss = step(x)
        assert np.array_equal(want.numpy(), loss.numpy())
    model.to(tg.float64)
    step(tg.Tensor(_X.astype(np.float64)))
    assert model[0].weight.grad.dtype == np.float64


def test_a_parameter_replaced_in_its_module_records_again():
    model, _, step = _sgd_setup()
    x = tg.Tensor(_X)
    step(x)
    step(x)
    count = step.recordings
    model[0].weight = nn.Parameter(np.zeros((16, 6), dtype=np.float32))
    step(x)
    assert step.recordings == count + 1


# ----- falling back to eager -----------------------------------------------------------------


def _reads(kind: str):
    model = _mlp()
    x = tg.Tensor(_X)
    log = []

    def step():
        loss = (model(x) ** 2).mean()
        if kind == "item":
            log.append(loss.item())
        elif kind == "bool":
            if loss > 100:
                loss = loss * 0
        elif kind == "float":
            log.append(float(loss))
        elif kind == "numpy":
            log.append(loss.numpy())
        elif kind == "tolist":
            log.append(loss.reshape(1).tolist())
        return loss

    return step, log


@pytest.mark.parametrize("kind", ["item", "bool", "float", "numpy", "tolist"])
def test_a_value_read_in_user_code_runs_eagerly_with_one_warning_naming_the_line(kind):
    fn, log = _reads(kind)
    step = tg.compile(fn)
    with pytest.warns(CompileWarning, match=r"runs eagerly.*test_compile\.py:\d+") as caught:
        for _ in range(3):
            step()
    assert len([w for w in caught if issubclass(w.category, CompileWarning)]) == 1
    assert step.eager_reason is not None and not step.traces
    if kind != "bool":
        assert len(log) == 3  # every call ran the Python, eagerly


def test_a_check_inside_a_loss_becomes_a_value_guard_not_a_stale_replay():
    model = _mlp()
    opt = optim.SGD(model.parameters(), lr=0.1)

    def step(x, y):
        opt.zero_grad()
        loss = F.cross_entropy(model(x), y)
        loss.backward()
        opt.step()
        return loss

    compiled = tg.compile(step)
    x = tg.Tensor(_X)
    for _ in range(3):
        compiled(x, tg.Tensor(_LABELS))
    assert compiled.eager_reason is None
    bad = _LABELS.copy()
    bad[0] = 7  # out of range: the check inside cross_entropy must still raise
    recordings = compiled.recordings
    with pytest.raises(ValueError, match="out of bounds"):
        compiled(x, tg.Tensor(bad))
    assert compiled.recordings == recordings + 1  # the value guard missed: it recorded again


def test_anomaly_mode_and_hooks_run_eagerly_with_a_warning():
    model, _, step = _sgd_setup()
    x = tg.Tensor(_X)
    with tg.detect_anomaly(), pytest.warns(CompileWarning, match="anomaly"):
        step(x)
    assert not step.traces
    model[0].weight.register_hook(lambda g: g * 2)
    with pytest.warns(CompileWarning, match="hook"):
        step(x)
    assert step.eager_reason is not None


def test_versions_are_bumped_as_in_eager():
    def build():
        w = tg.Tensor(np.ones(3), requires_grad=True)

        def step():
            nonlocal w
            loss = (w * w).sum()
            loss.backward()
            with tg.no_grad():
                w -= 0.1 * w.grad
                w.grad = None
            return loss

        return w, step

    w1, eager = build()
    w2, fn = build()
    step = tg.compile(fn)
    for _ in range(4):
        eager()
        step()
        assert w1._version == w2._version
        assert np.array_equal(w1.numpy(), w2.numpy())


# ----- memory --------------------------------------------------------------------------------


def test_no_memory_growth_over_a_thousand_replays():
    model = _mlp()
    opt = optim.Adam(model.parameters(), lr=1e-3)
    x, y = tg.Tensor(_X), tg.Tensor(_LABELS)

    def step():
        opt.zero_grad()
        loss = F.cross_entropy(model(x), y)
        loss.backward()
        opt.step()
        return loss

    compiled = tg.compile(step)
    for _ in range(20):
        compiled()
    gc.collect()
    tracemalloc.start()
    try:
        for _ in range(100):
            compiled()
        gc.collect()
        after_warmup = tracemalloc.get_traced_memory()[0]
        for _ in range(1000):
            compiled()
        gc.collect()
        grown = tracemalloc.get_traced_memory()[0] - after_warmup
    finally:
        tracemalloc.stop()
    assert grown < 4096, grown
    assert compiled.recordings == 1


def test_decorator_form_and_eager_escape_hatch():
    w = tg.Tensor(np.arange(3.0), requires_grad=True)

    @tg.compile
    def f():
        return (w * 2).sum()

    assert float(f().numpy()) == 6.0
    assert float(f().numpy()) == 6.0
    assert float(f.eager().numpy()) == 6.0
    with pytest.raises(TypeError, match="expects a function"):
        tg.compile(3)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        f()


def test_peak_memory_of_a_replayed_step_is_at_most_eagers():
    data = make_data("W3")
    peaks = {}
    for name, steps_before in (("eager", 0), ("compiled", 2)):
        gc.collect()
        tracemalloc.start()
        try:
            bench = impl_tinygrad.Mlp(data)
            step = bench.step
            if name == "compiled":
                step = tg.compile(lambda bench=bench: bench.step())
            base = tracemalloc.get_traced_memory()[0]
            for _ in range(steps_before):
                step()
            tracemalloc.reset_peak()
            step()
            step()
            peaks[name] = tracemalloc.get_traced_memory()[1] - base
        finally:
            tracemalloc.stop()
    # the buffers a replay keeps count too: they stayed above `base`
    assert peaks["compiled"] <= 1.1 * peaks["eager"], peaks


def _example(name: str):
    import importlib.util
    from pathlib import Path

    path = Path(__file__).resolve().parent.parent / "examples" / f"{name}.py"
    spec = importlib.util.spec_from_file_location(f"example_{name}", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.mark.parametrize("example", ["04_moons", "06_cnn"])
def test_the_examples_training_loops_replay_bitwise(example):
    """The examples' loops (DataLoader batches, a short last batch, Adam) under compile."""
    if example == "04_moons":
        X, y = tg.data.make_moons(200, noise=0.1, seed=0)
        targets = y.reshape(-1, 1).astype(np.float32)

        def make():
            tg.manual_seed(0)
            model = nn.Sequential(nn.Linear(2, 16), nn.ReLU(), nn.Linear(16, 16), nn.ReLU(),
                                  nn.Linear(16, 1))
            return model, nn.BCEWithLogitsLoss()
    else:
        cnn = _example("06_cnn")
        X, targets = cnn.make_shapes(90)

        def make():
            tg.manual_seed(0)
            return cnn.make_model(), nn.CrossEntropyLoss()

    runs = []
    for compiled in (False, True):
        model, loss_fn = make()
        optimizer = optim.Adam(model.parameters(), lr=0.01)
        loader = tg.data.DataLoader(tg.data.TensorDataset(X, targets), batch_size=32,
                                    shuffle=True, seed=0)

        def step(inputs, labels, model=model, loss_fn=loss_fn, optimizer=optimizer):
            optimizer.zero_grad()
            loss = loss_fn(model(inputs), labels)
            loss.backward()
            optimizer.step()
            return loss

        run = tg.compile(step) if compiled else step
        losses = [run(inputs, labels).numpy().copy() for _ in range(3)
                  for inputs, labels in loader]
        runs.append((losses, [p.numpy().copy() for p in model.parameters()], run))
    (want_losses, want_params, _), (losses, params, compiled_step) = runs
    _assert_bitwise(want_losses, losses)
    _assert_bitwise(want_params, params)
    assert compiled_step.eager_reason is None
    assert compiled_step.recordings == 2  # a full batch, and the short last one


def test_a_cuda_step_runs_eagerly_with_a_warning_and_eagers_values():
    try:
        import cupy

        has_gpu = cupy.cuda.runtime.getDeviceCount() > 0
    except Exception:  # noqa: BLE001 - no CuPy, or CuPy without a driver
        has_gpu = False
    if not has_gpu:
        pytest.skip("needs a GPU (CuPy and a CUDA device)")
    results = []
    for compiled in (False, True):
        tg.manual_seed(0)
        model = _mlp().to("cuda")
        opt = optim.SGD(model.parameters(), lr=0.1)
        x = tg.Tensor(_X).to("cuda")

        def step(model=model, opt=opt, x=x):
            opt.zero_grad()
            loss = (model(x) ** 2).mean()
            loss.backward()
            opt.step()
            return loss

        run = tg.compile(step) if compiled else step
        if compiled:
            with pytest.warns(CompileWarning, match="cuda"):
                losses = [run().numpy() for _ in range(3)]
        else:
            losses = [run().numpy() for _ in range(3)]
        results.append(losses)
    _assert_bitwise(results[0], results[1])


def test_an_update_through_p_data_inside_the_step_keeps_replaying():
    def build():
        w = tg.Tensor(np.array([0.5, -0.25]), requires_grad=True)

        def step():
            loss = (w.tanh() * w).sum()
            loss.backward()
            w.data -= 0.1 * w.grad  # the documents' update, on the arrays
            w.grad = None
            return loss

        return w, step

    (w1, eager), (w2, fn) = build(), build()
    step = tg.compile(fn)
    for _ in range(5):
        assert np.array_equal(eager().numpy(), step().numpy())
        assert np.array_equal(w1.numpy(), w2.numpy()) and w1._version == w2._version
    assert step.recordings == 1


_batch = tg.Tensor(_X)
_rate = 0.1


def test_a_global_or_closure_rebound_between_calls_records_again():
    global _batch, _rate
    w = tg.Tensor(np.ones((6, 2), dtype=np.float32), requires_grad=True)

    def step():
        loss = (_batch @ w).sum()
        loss.backward()
        with tg.no_grad():
            w.data -= _rate * w.grad
        w.grad = None
        return loss

    compiled = tg.compile(step)
    try:
        compiled()
        compiled()
        assert compiled.recordings == 1
        _batch = tg.Tensor(_X * 2)  # a new batch bound to the same name
        want = float((_X * 2).sum(axis=0) @ w.numpy().sum(axis=1) / 1)
        got = compiled()
        assert compiled.recordings == 2
        assert np.isclose(float(got.numpy()), want)
        _rate = 0.2
        compiled()
        assert compiled.recordings == 3
    finally:
        _batch, _rate = tg.Tensor(_X), 0.1


_own_rng = np.random.default_rng(0)


def test_numpy_random_draws_are_fresh_or_the_step_runs_eagerly():
    w = tg.Tensor(np.ones(4), requires_grad=True)

    def legacy():
        return (w * tg.Tensor(np.random.randn(4))).sum()

    step = tg.compile(legacy)
    np.random.seed(3)
    got = [float(step().numpy()) for _ in range(3)]
    np.random.seed(3)
    want = [float(legacy().numpy()) for _ in range(3)]
    assert got == want and len(set(got)) == 3 and step.eager_reason is None

    def own():
        return (w * tg.Tensor(_own_rng.standard_normal(4))).sum()

    with pytest.warns(CompileWarning, match="random generator of its own"):
        step = tg.compile(own)
        values = [float(step().numpy()) for _ in range(3)]
    assert len(set(values)) == 3  # every call drew, eagerly


def test_a_module_setting_or_a_frozen_parameter_records_again():
    tg.manual_seed(0)
    model = nn.Sequential(nn.Linear(6, 16), nn.BatchNorm1d(16), nn.Dropout(0.3),
                          nn.Linear(16, 3))
    opt = optim.SGD(model.parameters(), lr=0.1)
    x = tg.Tensor(_X)

    def step():
        opt.zero_grad()
        loss = (model(x) ** 2).mean()
        loss.backward()
        opt.step()
        return loss

    compiled = tg.compile(step)
    compiled()
    compiled()
    count = compiled.recordings
    model[1].momentum = 0.5  # a Python number the forward reads
    compiled()
    assert compiled.recordings == count + 1
    model[2].p = 0.0
    compiled()
    assert compiled.recordings == count + 2
    model[0].weight.requires_grad_(False)  # frozen: no gradient for it any more
    compiled()
    assert compiled.recordings == count + 3
    assert model[0].weight.grad is None
