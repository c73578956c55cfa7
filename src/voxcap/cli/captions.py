"""``voxcap captions check``: a subtitle file against the broadcast rules."""

from __future__ import annotations

import json
from dataclasses import asdict
from pathlib import Path
from typing import Annotated

import typer
from rich.table import Table

from voxcap.cli.app import guarded, out
from voxcap.errors import InvalidInput

app = typer.Typer(help="Caption files: check them against subtitle rules.", no_args_is_help=True)


@app.command()
def check(
    file: Annotated[Path, typer.Argument(help="An SRT, WebVTT or ASS file.")],
    max_lines: Annotated[int, typer.Option(min=1)] = 2,
    max_chars: Annotated[int, typer.Option(min=1, help="Longest line.")] = 42,
    min_duration: Annotated[float, typer.Option(min=0, help="Seconds.")] = 5 / 6,
    max_duration: Annotated[float, typer.Option(min=0, help="Seconds.")] = 7.0,
    max_cps: Annotated[float, typer.Option(min=1, help="Characters per second.")] = 20.0,
    min_gap_frames: Annotated[int, typer.Option(min=0)] = 2,
    fps: Annotated[float, typer.Option(min=1, help="Frame rate the gaps count in.")] = 30.0,
    allow: Annotated[
        list[str] | None,
        typer.Option(
            help="RULE=PERCENT of cues that may fail a rule, repeatable (default cps=5, "
            "function_word=2, the others 0)."
        ),
    ] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print the report as JSON.")] = False,
) -> None:
    """Report FILE against the rules (per rule: cues failing, and %, and which cues); exit 1
    when a rule fails more cues than --allow lets it."""

    def run() -> bool:
        import pysubs2

        from voxcap.captions.broadcast import ALLOWED, RULE_NAMES, Rules
        from voxcap.captions.broadcast import check as check_cues

        rules = Rules(
            max_lines, max_chars, min_duration, max_duration, max_cps, min_gap_frames, fps
        )
        allowed = ALLOWED | _allowances(allow or [], set(RULE_NAMES))
        try:
            subs = pysubs2.load(str(file))
        except (OSError, UnicodeDecodeError, pysubs2.exceptions.Pysubs2Error) as exc:
            raise InvalidInput(f"cannot read {file} as SRT, WebVTT or ASS: {exc}") from None
        events = sorted((e for e in subs if not e.is_comment), key=lambda e: e.start)
        cues = [(e.start / 1000, e.end / 1000, e.plaintext.split("\n")) for e in events]
        failures = check_cues(cues, rules)
        over = [r for r in RULE_NAMES if failures.percent(r) > allowed.get(r, 0.0)]
        if as_json:
            report = {
                "cues": failures.total,
                "rules": {
                    r: {
                        "failing": failures.counts[r],
                        "percent": round(failures.percent(r), 2),
                        "allowed": allowed.get(r, 0.0),
                        "cues": [k + 1 for k in failures.cues[r]],  # numbered from 1, as in SRT
                    }
                    for r in RULE_NAMES
                },
                "over": over,
            }
            out.print_json(json.dumps(report))
        else:
            table = Table("rule", "cues failing", "%", "allowed %", "")
            for rule, text in RULE_NAMES.items():
                table.add_row(
                    f"{rule}: {text.format(**asdict(rules))}",
                    str(failures.counts[rule]),
                    f"{failures.percent(rule):.1f}",
                    f"{allowed.get(rule, 0.0):g}",
                    "over" if rule in over else "ok",
                )
            out.print(f"{file}: {failures.total} cues")
            out.print(table)
            for rule in RULE_NAMES:
                for k in failures.cues[rule][:SHOWN]:
                    start, end, lines = cues[k]
                    text = " / ".join(lines)
                    out.print(f"{rule}: cue {k + 1} ({start:.2f}-{end:.2f} s) {text}", markup=False)
                if len(failures.cues[rule]) > SHOWN:
                    out.print(f"{rule}: and {len(failures.cues[rule]) - SHOWN} more cues")
        return bool(over)

    if guarded(run):
        raise typer.Exit(1)


SHOWN = 5  # failing cues listed per rule


def _allowances(specs: list[str], known: set[str]) -> dict[str, float]:
    allowed: dict[str, float] = {}
    for spec in specs:
        rule, _, value = spec.partition("=")
        try:
            percent = float(value)
        except ValueError:
            percent = -1.0
        if rule not in known or not 0 <= percent <= 100:
            raise InvalidInput(
                f"--allow {spec!r}: give RULE=PERCENT with a rule of {', '.join(sorted(known))}"
            )
        allowed[rule] = percent
    return allowed
