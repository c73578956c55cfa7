"""The normalisation corpus (tests/normalisation/<class>.tsv), each pair a test, and inputs
that must never crash the reader."""

from __future__ import annotations

import importlib.util
import random
import sys
from pathlib import Path

import pytest

from voxcap.errors import EmptyText
from voxcap.text import prepare
from voxcap.text.rules import CLASSES

_spec = importlib.util.spec_from_file_location(
    "normalisation_bench", Path(__file__).parent.parent / "bench" / "normalisation.py"
)
assert _spec is not None and _spec.loader is not None
bench = importlib.util.module_from_spec(_spec)
sys.modules["normalisation_bench"] = bench
_spec.loader.exec_module(bench)
CORPUS = bench.pairs()


@pytest.mark.parametrize("pair", CORPUS, ids=lambda p: f"{p.kind}:{p.written}")
def test_corpus_pair(pair: bench.Pair) -> None:
    assert pair.said() == pair.spoken


def test_corpus_covers_every_class_and_meets_the_pass_rates() -> None:
    table = bench.scores(CORPUS)
    assert len(CORPUS) >= 300
    assert {m.CLASS for m in CLASSES} <= set(table)
    assert all(total >= 20 for _, total in table.values())
    assert sum(p for p, _ in table.values()) / len(CORPUS) >= 0.95
    assert all(passed / total >= 0.85 for passed, total in table.values())


@pytest.mark.parametrize(
    "text",
    [
        "9" * 5000,
        "1" + "0" * 400,
        "1" + "0" * 400 + "th",
        "$" + "9" * 400,
        "$" + "9" * 20 + ".99 million",
        "1/0 0/0 99:99 25:61 2025-13-45 13/13/2013 0th",
        "$ € £ % # @ / & + = ° × - -- ... !!! ??? 🎉 🚀",
        "v 3. .3 3.. ..3 3.3.3.3.3.3.3 1e10 0x1F 1,2,3 1,,000",
        "A. B. C. Ph.D.. e.g.. U.S.A.A. St. St st. ST. No. no. NO.",
        "IIII MMMM MCMXCIV Henry MMMM Chapter MMMCMXCIX",
        "https:// @ # #_ @_ .com www. a@b a@b.c http://x",
        "(555) ) ( () 1-2-3-4-5-6-7 +-5 -+5 --5 5-- 5%% %5",
        "Привет мир 你好 مرحبا `^¨",
    ],
)
def test_nothing_crashes_and_every_word_keeps_its_tokens(text: str) -> None:
    script = prepare(text)
    assert script.words == tuple(text.split())
    indexes = [t.word for t in script.tokens]
    assert indexes == sorted(indexes)
    assert all(t.text and " " not in t.text for t in script.tokens)


def test_long_digit_strings_are_read_digit_by_digit_in_engine_sized_sentences() -> None:
    script = prepare("9" * 5000)
    assert [t.text for t in script.tokens] == ["nine"] * 5000
    assert max(len(s.tokens) for s in script.sentences) <= 60


def test_random_text_never_crashes() -> None:
    rng = random.Random(7)
    alphabet = "0123456789$€£¥₹%°:/.,-+#@&'()ABCXIVMabcxyz "
    for _ in range(2000):
        text = "".join(rng.choice(alphabet) for _ in range(rng.randint(1, 40)))
        try:
            script = prepare(text)
        except EmptyText:
            continue
        assert [t.word for t in script.tokens] == sorted(t.word for t in script.tokens)


@pytest.mark.slow
def test_cli_speaks_a_310_digit_number(tmp_path: Path) -> None:
    from .servers import run_voxcap

    # the reliability report's repro, which crashed every face with OverflowError
    run = run_voxcap("speak", "1" + "0" * 310, "--engine", "piper", "--out", str(tmp_path))
    assert run.returncode == 0, run.stderr
    words = (tmp_path / "words.csv").read_text().splitlines()
    assert len(words) == 2  # the header and the one written word, timed
