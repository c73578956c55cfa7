"""Normalisation corpus: the pass rate of `written -> spoken` pairs per class of token.

    python bench/normalisation.py          # the table (docs/NORMALISATION.md), then failures

The corpus is tests/normalisation/<class>.tsv: one pair a line, the written text and the
tokens a careful narrator says for it (as voxcap's engines are given them: "ay em" for "a.m.").
A pair passes when the tokens of the whole text are exactly the expected ones.
"""

from __future__ import annotations

import sys
from dataclasses import dataclass
from pathlib import Path

from voxcap.text import prepare

CORPUS = Path(__file__).resolve().parent.parent / "tests" / "normalisation"


@dataclass(frozen=True)
class Pair:
    kind: str
    written: str
    spoken: str

    def said(self) -> str:
        return " ".join(t.text for t in prepare(self.written).tokens)

    @property
    def passes(self) -> bool:
        return self.said() == self.spoken


def pairs() -> list[Pair]:
    out = []
    for path in sorted(CORPUS.glob("*.tsv")):
        for line in path.read_text(encoding="utf-8").splitlines():
            if line.strip() and not line.startswith("#"):
                written, spoken = line.split("\t")
                out.append(Pair(path.stem, written, spoken))
    return out


def scores(corpus: list[Pair]) -> dict[str, tuple[int, int]]:
    """class -> (passed, total)."""
    table: dict[str, tuple[int, int]] = {}
    for pair in corpus:
        passed, total = table.get(pair.kind, (0, 0))
        table[pair.kind] = (passed + pair.passes, total + 1)
    return table


def main() -> None:
    corpus = pairs()
    table = scores(corpus)
    lines = ["| class | pairs | pass rate |", "|---|---|---|"]
    for kind, (passed, total) in table.items():
        lines.append(f"| {kind} | {total} | {100 * passed / total:.1f} % |")
    passed = sum(p for p, _ in table.values())
    lines.append(f"| **all** | {len(corpus)} | **{100 * passed / len(corpus):.1f} %** |")
    sys.stdout.write("\n".join(lines) + "\n\n")
    for pair in corpus:
        if not pair.passes:
            sys.stdout.write(
                f"{pair.kind}: {pair.written!r} -> {pair.said()!r}, not {pair.spoken!r}\n"
            )


if __name__ == "__main__":
    main()
