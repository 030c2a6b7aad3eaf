"""PyTorch programs run unchanged with tinygrad_nn imported as torch, and give PyTorch's numbers.

Each program in tests/torch_corpus/ runs twice: with real PyTorch, then with every
`torch[.sub]` import resolved to `tinygrad_nn[.sub]`. Both runs must pass the program's own
asserts (invariants of randomly initialised training), and the numbers it leaves in
`results` (made from fixed formulas or numpy's seeded generator) must agree.
tests/torch_corpus/STATUS.md lists what each program hits today.
"""

import sys

import pytest
import torch
from torch_corpus.harness import PROGRAMS, assert_same_numbers, run_program, torch_is_tinygrad_nn

import tinygrad_nn

# Programs that still hit a known gap, each with what it is; strict: one that starts
# passing fails here until it is taken off the list.
KNOWN_GAPS: dict[str, str] = {}


@pytest.mark.parametrize("program", [
    pytest.param(path, marks=pytest.mark.xfail(reason=KNOWN_GAPS[path.stem], strict=True))
    if path.stem in KNOWN_GAPS else path
    for path in PROGRAMS
], ids=[path.stem for path in PROGRAMS])
def test_program_gives_pytorchs_numbers(program):
    expected = run_program(program, "torch")
    assert sys.modules["torch"] is torch
    actual = run_program(program, "tinygrad_nn")
    assert_same_numbers(expected, actual, program.stem)


def test_corpus_is_large_enough():
    assert len(PROGRAMS) >= 30, [path.name for path in PROGRAMS]


def test_torch_names_resolve_to_tinygrad_nn_only_inside_the_switch():
    import torch.nn.functional

    real_functional = sys.modules["torch.nn.functional"]
    with torch_is_tinygrad_nn():
        import torch as inside
        import torch.nn as inside_nn
        import torch.nn.functional as inside_functional

        assert inside is tinygrad_nn
        assert inside_nn is tinygrad_nn.nn
        assert inside_functional is tinygrad_nn.nn.functional
        with pytest.raises(ModuleNotFoundError, match="torch.no_such_module"):
            import torch.no_such_module  # noqa: F401
    import torch as outside

    assert outside is torch
    assert sys.modules["torch.nn.functional"] is real_functional
    assert not any(
        module is tinygrad_nn or getattr(module, "__name__", "").startswith("tinygrad_nn")
        for name, module in sys.modules.items()
        if name == "torch" or name.startswith("torch.")
    )
