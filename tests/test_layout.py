"""Guards for the house style: light imports, small modules, one place for env and ImportError."""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

SRC = Path(__file__).resolve().parents[1] / "src" / "voxcap"
HEAVY = ["torch", "onnxruntime", "piper", "f5_tts", "boto3", "fastapi", "runpod", "pocketsphinx"]


def loaded_after(code: str) -> set[str]:
    probe = f"{code}\nimport sys\nprint(' '.join(sys.modules))"
    run = subprocess.run(
        [sys.executable, "-c", probe], capture_output=True, text=True, check=True, timeout=60
    )
    return set(run.stdout.split())


def test_import_voxcap_is_light() -> None:
    modules = loaded_after("import voxcap")
    assert not {m for m in modules if m.split(".")[0] in HEAVY}


def test_help_is_light() -> None:
    code = (
        "import sys\nsys.argv = ['voxcap', '--help']\nfrom voxcap.cli import main\n"
        "try:\n    main()\nexcept SystemExit:\n    pass"
    )
    modules = loaded_after(code)
    assert "typer" in modules
    assert not {m for m in modules if m.split(".")[0] in HEAVY}


def sources() -> list[Path]:
    return sorted(SRC.rglob("*.py"))


def test_modules_stay_small() -> None:
    """Issue 31: no module over 400 lines (split by concept), and none that swaps its own
    class (the callable-module trick the align package once used)."""
    for path in sources():
        text = path.read_text()
        lines = len(text.splitlines())
        assert lines <= 400, f"{path.relative_to(SRC)} has {lines} lines"
        assert ".__class__ =" not in text, path


def test_environment_is_read_only_in_settings() -> None:
    for path in sources():
        if path.name != "settings.py":
            assert "os.environ" not in path.read_text(), path


def test_import_error_is_handled_only_in_deps() -> None:
    for path in sources():
        tree = ast.parse(path.read_text())
        for node in ast.walk(tree):
            if isinstance(node, ast.ExceptHandler) and node.type is not None:
                names = {n.id for n in ast.walk(node.type) if isinstance(n, ast.Name)}
                if "ImportError" in names or "ModuleNotFoundError" in names:
                    assert path.name == "_deps.py", path


def test_no_print_in_the_library() -> None:
    for path in sources():
        tree = ast.parse(path.read_text())
        calls = [
            n
            for n in ast.walk(tree)
            if isinstance(n, ast.Call) and isinstance(n.func, ast.Name) and n.func.id == "print"
        ]
        assert not calls, path


def test_a_missing_extra_is_named() -> None:
    import pytest

    from voxcap._deps import require
    from voxcap.errors import MissingDependency

    with pytest.raises(MissingDependency, match=r"pip install 'voxcap\[f5\]'"):
        require("voxcap_no_such_module", extra="f5")


def test_frameworks_stay_in_their_faces() -> None:
    homes = {
        "boto3": "storage/s3.py",
        "botocore": "storage/s3.py",
        "fastapi": "api/",
        "runpod": "runpod.py",
        "torch": "engines/",
        "f5_tts": "engines/",
    }
    for path in sources():
        rel = path.relative_to(SRC).as_posix()
        tree = ast.parse(path.read_text())
        for node in ast.walk(tree):
            names = []
            if isinstance(node, ast.Import):
                names = [a.name for a in node.names]
            elif isinstance(node, ast.ImportFrom) and node.module:
                names = [node.module]
            for name in names:
                home = homes.get(name.split(".")[0])
                assert home is None or rel.startswith(home), f"{name} imported in {rel}"
        if rel != "runpod.py":
            assert 'require("runpod"' not in path.read_text(), rel


def _module_imports(path: Path, package: Path) -> set[str]:
    """voxcap modules imported anywhere in ``path`` (lazy imports inside functions too: they
    only hide a cycle), except for type checking."""
    tree = ast.parse(path.read_text())
    for node in ast.walk(tree):
        if isinstance(node, ast.If) and "TYPE_CHECKING" in ast.unparse(node.test):
            node.body = []
    found: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and node.module and node.module.startswith("voxcap"):
            found.add(node.module)
            found.update(f"{node.module}.{a.name}" for a in node.names)
        elif isinstance(node, ast.Import):
            found.update(a.name for a in node.names if a.name.startswith("voxcap"))
    return found


def test_no_import_cycles_between_modules() -> None:
    """The structure review: reference -> pipeline -> runtime -> voices -> reference was a
    circle, hidden by a function-level import. No voxcap module imports, at any level, one
    that imports it back."""
    package = Path(__file__).resolve().parents[1] / "src"
    modules = {
        ".".join(p.relative_to(package).with_suffix("").parts).removesuffix(".__init__"): p
        for p in (package / "voxcap").rglob("*.py")
    }
    graph = {
        name: {m for m in _module_imports(path, package) if m in modules and m != name}
        for name, path in modules.items()
    }
    # a package's __init__ re-exporting its modules is not a cycle through its modules
    for name in graph:
        graph[name] = {m for m in graph[name] if not name.startswith(m + ".")}
    state: dict[str, int] = {}
    trail: list[str] = []

    def visit(node: str) -> None:
        state[node] = 1
        trail.append(node)
        for nxt in sorted(graph[node]):
            if state.get(nxt) == 1:
                raise AssertionError(" -> ".join([*trail[trail.index(nxt) :], nxt]))
            if nxt not in state:
                visit(nxt)
        trail.pop()
        state[node] = 2

    for node in sorted(graph):
        if node not in state:
            visit(node)


def test_import_voxcap_loads_nothing_heavy_and_names_resolve() -> None:
    """Issue 14: `import voxcap` under 150 ms (221 ms measured): names load on first use; the
    align package and the align function never shadow each other, in either import order."""
    code = (
        "import time\nt = time.perf_counter()\nimport voxcap\nt = time.perf_counter() - t\n"
        "import sys\nloaded = sorted(m for m in sys.modules if m.startswith('voxcap'))\n"
        "import voxcap.aligners.ctc\nassert voxcap.align.__module__ == 'voxcap.pipeline'\n"
        "assert voxcap.speak.__name__ == 'speak' and voxcap.Runtime.__name__ == 'Runtime'\n"
        "print(t, loaded)"
    )
    run = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    seconds, loaded = run.stdout.split(" ", 1)
    assert loaded.strip() == "['voxcap']"  # nothing but the package itself
    assert float(seconds) < 0.15


def test_the_layers_hold() -> None:
    """Issue 31: the import-linter contract in pyproject.toml (docs/ARCHITECTURE.md) names
    every top-level module, and no lower layer imports a higher one."""
    import tomllib

    config = tomllib.loads((SRC.parents[1] / "pyproject.toml").read_text())
    (contract,) = config["tool"]["importlinter"]["contracts"]
    layered = {m.strip() for layer in contract["layers"] for m in layer.split(":")}
    modules = {
        f"voxcap.{p.stem if p.is_file() else p.name}"
        for p in SRC.iterdir()
        if (p.suffix == ".py" and p.stem != "__init__") or (p / "__init__.py").is_file()
    }
    assert modules == layered, modules ^ layered
    lint = Path(sys.executable).parent / "lint-imports"
    run = subprocess.run(
        [str(lint)], capture_output=True, text=True, check=False, cwd=SRC.parents[1]
    )
    assert run.returncode == 0 and "1 kept, 0 broken" in run.stdout, run.stdout[-2000:]
