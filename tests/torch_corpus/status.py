"""Print, per corpus program, whether it passes, the first error it hits under tinygrad_nn,
and the PyTorch names it uses that tinygrad_nn does not have yet.

    PYTHONPATH=$PWD python3 tests/torch_corpus/status.py [--markdown] [p01 p02 ...]

It feeds STATUS.md; the test itself is tests/test_torch_corpus.py. The name scan reads the
program's source: module-level names (`torch.linspace`, `nn.ModuleList`, `F.silu`,
`from torch.utils.data import Subset`) are looked up on tinygrad_nn's module of the same
name; a method or attribute used on any other object (`x.mm(...)`, `p.copy_(...)`) is
reported when real torch.Tensor or torch.nn.Module has it and tinygrad_nn's class lacks it.
A name that exists but behaves differently only shows in the first error.
"""

from __future__ import annotations

import ast
import importlib
import sys
import traceback
from pathlib import Path

import torch

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from torch_corpus.harness import PROGRAMS, assert_same_numbers, run_program  # noqa: E402

import tinygrad_nn  # noqa: E402


def first_error(error: BaseException, program: Path) -> str:
    """The exception and the program line that raised it (the last frame in the program)."""
    frames = [f for f in traceback.extract_tb(error.__traceback__) if f.filename == str(program)]
    where = f"line {frames[-1].lineno}: {frames[-1].line}" if frames else "comparing results"
    message = str(error).splitlines()[0] if str(error) else ""
    return f"{type(error).__name__}: {message}  [{where}]"


def _tinygrad_module(torch_name: str) -> object | None:
    try:
        return importlib.import_module("tinygrad_nn" + torch_name[len("torch") :])
    except ImportError:
        return None


def _has(module_name: str, dotted: str) -> bool:
    """Whether `torch_module.dotted` resolves on tinygrad_nn's module of the same name."""
    target = _tinygrad_module(module_name)
    if target is None:
        return False
    for part in dotted.split("."):
        if not hasattr(target, part):
            sub = _tinygrad_module(f"{module_name}.{part}") if hasattr(target, "__path__") else None
            if sub is None:
                return False
            target, module_name = sub, f"{module_name}.{part}"
        else:
            target = getattr(target, part)
            module_name = f"{module_name}.{part}"
    return True


def missing_names(program: Path) -> list[str]:
    """PyTorch names the program's source uses that tinygrad_nn lacks (see the module doc)."""
    tree = ast.parse(program.read_text())
    aliases: dict[str, str] = {}  # local name -> torch module or torch object it stands for
    other_modules: set[str] = set()  # np, math, random...: their attributes are not torch's
    missing: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            for alias in node.names:
                if alias.name.split(".")[0] != "torch":
                    other_modules.add(alias.asname or alias.name.split(".")[0])
                else:
                    if not _has("torch", alias.name[len("torch.") :] or "__name__"):
                        missing.add(f"import {alias.name}")
                    aliases[alias.asname or "torch"] = alias.name if alias.asname else "torch"
        elif isinstance(node, ast.ImportFrom) and (node.module or "").split(".")[0] != "torch":
            other_modules.update(alias.asname or alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            for alias in node.names:
                dotted = f"{node.module}.{alias.name}"
                if not _has("torch", dotted[len("torch.") :]):
                    missing.add(f"{node.module}.{alias.name}")
                aliases[alias.asname or alias.name] = dotted
    # names that str / list / dict also have (`line.split()`, `d.values()`) are left out
    python_methods = set(dir(str)) | set(dir(list)) | set(dir(dict)) | set(dir(tuple))
    module_methods = set(dir(torch.nn.Module)) - set(dir(tinygrad_nn.nn.Module)) - python_methods
    tensor_methods = set(dir(torch.Tensor)) - set(dir(tinygrad_nn.Tensor)) - python_methods
    for node in ast.walk(tree):
        if not isinstance(node, ast.Attribute):
            continue
        chain, root = [node.attr], node.value
        while isinstance(root, ast.Attribute):
            chain.insert(0, root.attr)
            root = root.value
        if isinstance(root, ast.Name) and root.id in other_modules:
            continue
        if isinstance(root, ast.Name) and root.id in aliases:
            prefix = aliases[root.id]
            for part in chain:
                prefix = f"{prefix}.{part}"
                if not _resolves_in_real_torch(prefix):
                    break
                if not _has("torch", prefix[len("torch.") :]):
                    missing.add(prefix)
                    break
        elif node.attr in tensor_methods and not node.attr.startswith("_"):
            missing.add(f"Tensor.{node.attr}")
        elif node.attr in module_methods and not node.attr.startswith("_"):
            missing.add(f"Module.{node.attr}")
    return sorted(missing)


def _resolves_in_real_torch(dotted: str) -> bool:
    target: object = torch
    for part in dotted.split(".")[1:]:
        if not hasattr(target, part):
            try:
                target = importlib.import_module(f"{target.__name__}.{part}")  # type: ignore[attr-defined]
            except (ImportError, AttributeError):
                return False
        else:
            target = getattr(target, part)
    return True


def feature(name: str) -> str:
    """The missing feature a name stands for: names in a missing module group under it."""
    parts = name.split(".")
    for depth in range(len(parts), 1, -1):
        module = ".".join(parts[:depth])
        is_module = module in sys.modules and module.startswith("torch.")
        if is_module and _resolves_in_real_torch(module) and not _has("torch", module[6:]):
            return module
    return name


def main(selected: list[str], markdown: bool) -> None:
    """Run the selected programs (all by default): one block each, or STATUS.md's tables."""
    rows: list[tuple[Path, str, str, list[str]]] = []
    blocked_by: dict[str, set[str]] = {}  # missing feature -> programs that use it
    programs = [p for p in PROGRAMS if not selected or any(p.stem.startswith(s) for s in selected)]
    for program in programs:
        names = missing_names(program)
        for name in names:
            blocked_by.setdefault(feature(name), set()).add(program.stem[:3])
        try:
            expected = run_program(program, "torch")
        except Exception as error:  # noqa: BLE001 - a report, not a handler
            rows.append((program, "PyTorch itself fails", first_error(error, program), names))
            continue
        try:
            actual = run_program(program, "tinygrad_nn")
            assert_same_numbers(expected, actual, program.stem)
        except Exception as error:  # noqa: BLE001
            rows.append((program, "no", first_error(error, program), names))
            continue
        rows.append((program, "yes", "", names))
    passed = sum(row[1] == "yes" for row in rows)
    if not markdown:
        for program, passes, error, names in rows:
            print(f"{program.stem}: {passes} {error}\n    missing: {', '.join(names) or '-'}")
        print(f"{passed}/{len(rows)} pass")
        return
    print(f"{passed} of {len(rows)} programs pass.\n")
    print("| program | passes | first error under tinygrad_nn | names it uses that are missing |")
    print("| --- | --- | --- | --- |")
    for program, passes, error, names in rows:
        cell = error.replace("|", "\\|")
        print(f"| {program.stem} | {passes} | `{cell}` | {', '.join(names) or '-'} |")
    print("\n| missing feature | programs | which |\n| --- | --- | --- |")
    for name, users in sorted(blocked_by.items(), key=lambda item: (-len(item[1]), item[0])):
        print(f"| `{name}` | {len(users)} | {' '.join(sorted(users))} |")


if __name__ == "__main__":
    arguments = sys.argv[1:]
    main([a for a in arguments if a != "--markdown"], "--markdown" in arguments)
