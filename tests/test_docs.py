"""The docs run: every ```python block of README.md and docs/*.md is executed (blocks marked
``<!-- compile-only: why -->`` are compiled), every option a ``voxcap`` command line in them
uses exists, the README's offline quickstart works, and docs/ERRORS.md is the error tree's
table (first-use report #10, #12)."""

from __future__ import annotations

import os
import re
import shlex
from collections.abc import Iterator
from pathlib import Path

import pytest

import voxcap.errors
from voxcap.runtime import Runtime

from .apihelp import live_api
from .servers import run_voxcap

ROOT = Path(__file__).resolve().parents[1]
DOCS = [ROOT / "README.md", *sorted((ROOT / "docs").glob("*.md"))]
BLOCK = re.compile(r"(<!-- compile-only: [^>]+ -->\n)?```(\w*)\n(.*?)```", re.S)
COMMANDS = re.compile(
    r"\bvoxcap ((?:voices|models|captions|brands|lexicon) [a-z]+|speak|align|spoken|doctor|"
    r"serve|worker)\b([^\n`;]*)"
)


def blocks(path: Path, language: str) -> Iterator[tuple[str, bool]]:
    """(code, compile_only) of each block in ``language`` in ``path``."""
    for marker, lang, code in BLOCK.findall(path.read_text()):
        if lang == language:
            yield code, bool(marker)


def python_docs() -> list[Path]:
    return [p for p in DOCS if any(True for _ in blocks(p, "python"))]


@pytest.mark.slow
@pytest.mark.parametrize("doc", python_docs(), ids=lambda p: p.name)
def test_every_python_block_runs(
    doc: Path, tmp_path: Path, runtime: Runtime, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Run in order, sharing one namespace per file (as a reader would paste them), in an empty
    folder with a local store. The OpenAI example runs against a live API on loopback."""
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("VOXCAP_STORAGE", f"file://{tmp_path / 'store'}")
    namespace: dict[str, object] = {"__name__": "__docs__"}
    with live_api(tmp_path / "api", runtime, api_keys=["key1"]) as api:
        for number, (code, compile_only) in enumerate(blocks(doc, "python")):
            code = code.replace("http://127.0.0.1:8000", api.url)
            compiled = compile(code, f"{doc.name} block {number + 1}", "exec")
            if not compile_only:
                exec(compiled, namespace)
    if doc.name == "LIBRARY.md":
        assert sorted(p.name for p in (tmp_path / "out").iterdir()) == [
            "captions.ass",
            "captions.srt",
            "speech.mp3",
        ]
    if doc.name == "API.md":
        assert (tmp_path / "hello.mp3").stat().st_size > 1000


def cli_lines() -> list[tuple[str, str, str]]:
    """(file, command, rest of the line) for every voxcap command line in the docs' shell and
    synopsis blocks."""
    found = []
    for path in DOCS:
        for lang in ("bash", ""):
            for code, _ in blocks(path, lang):
                for line in code.splitlines():
                    for segment in line.split("&&"):
                        for command, rest in COMMANDS.findall(segment):
                            found.append((path.name, command, rest))
    return found


def test_every_documented_cli_option_exists() -> None:
    lines = cli_lines()
    assert len(lines) > 30
    helps: dict[str, str] = {}
    for name, command, rest in lines:
        if command not in helps:
            run = run_voxcap(*command.split(), "--help")
            assert run.returncode == 0, (command, run.stderr)
            helps[command] = run.stdout
        for option in re.findall(r"(?<![\w-])--[a-z][a-z0-9-]*", rest):
            assert option in helps[command], f"{name}: `voxcap {command}` has no {option}"


@pytest.mark.slow
def test_the_offline_quickstart_works(tmp_path: Path) -> None:
    readme = (ROOT / "README.md").read_text()
    line = next(
        s.strip()
        for code, _ in blocks(ROOT / "README.md", "bash")
        for s in code.split("&&")
        if "--engine piper --out demo" in s
    )
    assert line in readme
    args = shlex.split(line.replace(".venv/bin/voxcap", "voxcap"))[1:]
    env = {"VOXCAP_STORAGE": f"file://{tmp_path / 'store'}"}
    os.chdir(tmp_path)
    try:
        run = run_voxcap(*args, env=env)
    finally:
        os.chdir(ROOT)
    assert run.returncode == 0, run.stderr
    made = {p.name for p in (tmp_path / "demo").iterdir()}
    assert {"video.mp4", "speech.mp3", "captions.srt", "captions.ass", "words.json"} <= made


def test_the_error_table_is_the_error_tree() -> None:
    text = (ROOT / "docs" / "ERRORS.md").read_text()
    documented = text.split("<!-- errors:start -->\n", 1)[1].split("<!-- errors:end -->", 1)[0]
    assert documented == voxcap.errors.table(), "regenerate docs/ERRORS.md (see its header)"
    codes = [c.code for c in voxcap.errors.tree()]
    assert len(codes) == len(set(codes)), "two error classes share a code"


def test_security_md_names_tests_that_exist() -> None:
    text = (ROOT / "docs" / "SECURITY.md").read_text()
    references = re.findall(r"(test_\w+\.py)(?:::(\w+))?", text)
    assert len(references) > 10
    for filename, name in references:
        source = (ROOT / "tests" / filename).read_text()
        assert not name or f"def {name}(" in source, f"{filename}::{name}"
