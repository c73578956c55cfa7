"""Directing the read on every face: the CLI (voxcap lexicon, --lexicon, --speaker), the HTTP
API (/v1/lexicons, "lexicons", "pronunciations", "speakers"), the RunPod handler and the
studio's request body, each on real speech."""

from __future__ import annotations

import io
import json
from pathlib import Path
from types import ModuleType

import httpx
import webvtt

from .apihelp import Api
from .servers import run_voxcap as voxcap
from .test_directing import DIALOGUE, PLS

SPEAKERS = ["--speaker", "Ana=espeak:en-us+f3", "--speaker", "Ben=joe"]


def test_lexicons_on_the_cli(tmp_path: Path) -> None:
    env = {"VOXCAP_STORAGE": f"file://{tmp_path / 'store'}"}
    (tmp_path / "brand.pls").write_text(PLS)
    imported = voxcap("lexicon", "import", "brand", str(tmp_path / "brand.pls"), env=env)
    assert imported.returncode == 0, imported.stderr
    added = voxcap("lexicon", "add", "brand", "SQL", "--alias", "sequel", env=env)
    assert added.returncode == 0, added.stderr
    listed = json.loads(voxcap("lexicon", "list", "brand", "--json", env=env).stdout)
    assert {e["grapheme"] for e in listed} == {"tomatoes", "GlowCut", "Glowcut", "SQL"}
    names = json.loads(voxcap("lexicon", "list", "--json", env=env).stdout)
    assert names == [{"name": "brand", "entries": 4}]
    exported = voxcap("lexicon", "export", "brand", "--format", "tsv", env=env)
    assert "SQL\tsequel" in exported.stdout and "GlowCut\t/ɡloʊkʌt/" in exported.stdout
    voxcap("lexicon", "export", "brand", str(tmp_path / "out.pls"), env=env)
    assert "<grapheme>SQL</grapheme>" in (tmp_path / "out.pls").read_text()
    spoke = voxcap(
        "speak", "Learn SQL today.", "--engine", "piper", "--lexicon", "brand",
        "-o", str(tmp_path / "out"), "--captions", "json", env=env,
    )  # fmt: skip
    assert spoke.returncode == 0, spoke.stderr
    words = json.loads((tmp_path / "out" / "words.json").read_text())["words"]
    assert [w["text"] for w in words] == ["Learn", "SQL", "today."]
    removed = voxcap("lexicon", "remove", "brand", "SQL", env=env)
    assert removed.returncode == 0 and "3 left" in removed.stdout
    missing = voxcap("lexicon", "remove", "nope", env=env)
    assert missing.returncode == 2 and "(lexicon_not_found)" in missing.stderr
    bad = tmp_path / "bad.pls"
    bad.write_text("<lexicon><lexeme><grapheme>x</grapheme>")
    refused = voxcap("lexicon", "import", "brand", str(bad), env=env)
    assert refused.returncode == 2 and "PLS line 1" in refused.stderr
    assert voxcap("lexicon", "remove", "brand", env=env).returncode == 0


def test_a_dialogue_and_ssml_on_the_cli(tmp_path: Path) -> None:
    script = tmp_path / "skit.txt"
    script.write_text(DIALOGUE)
    out = tmp_path / "skit"
    run = voxcap(
        "speak", "-f", str(script), "--engine", "piper", *SPEAKERS, "--speaker-labels",
        "-o", str(out), "--captions", "vtt,srt,json",
    )  # fmt: skip
    assert run.returncode == 0, run.stderr
    vtt = webvtt.read(str(out / "captions.vtt"))
    assert next(c.voice for c in vtt) == "Ana" and "Ben" in {c.voice for c in vtt}
    assert (out / "captions.srt").read_text().count("Ben: ") == 1
    bad = voxcap("speak", "-f", str(script), "--speaker", "Ana", "-o", str(tmp_path / "x"))
    assert bad.returncode == 2 and "NAME=VOICE" in bad.stderr
    unknown = voxcap("speak", "-f", str(script), "--speaker", "Zed=joe", "-o", str(tmp_path / "y"))
    assert unknown.returncode == 2 and "no speaker 'Zed'" in unknown.stderr
    markup = voxcap(
        "speak", "<speak>Hi <break time='2s'>there</speak>", "-o", str(tmp_path / "z"),
    )  # fmt: skip
    assert markup.returncode == 2 and "SSML line 1" in markup.stderr
    assert not (tmp_path / "z").exists()  # refused before any work


def test_lexicons_and_a_dialogue_over_http(api: Api) -> None:
    with api.working(), api.client() as client:
        put = client.put(
            "/v1/lexicons/brand", content=PLS, headers={"content-type": "application/pls+xml"}
        )
        assert put.status_code == 200, put.text
        added = client.put(
            "/v1/lexicons/brand", json={"entries": [{"grapheme": "SQL", "alias": "sequel"}]}
        )
        assert len(added.json()["entries"]) == 4
        assert client.get("/v1/lexicons").json()[0]["name"] == "brand"
        tsv = client.get("/v1/lexicons/brand?format=tsv")
        assert tsv.headers["content-type"].startswith("text/tab-separated-values")
        assert "SQL\tsequel" in tsv.text
        gone = client.delete("/v1/lexicons/brand/entries/SQL")
        assert len(gone.json()["entries"]) == 3
        bad = client.put("/v1/lexicons/brand", json={"entries": [{"grapheme": "x"}]})
        assert bad.status_code == 422 and "alias or IPA" in bad.json()["error"]["message"]
        bomb = client.put(
            "/v1/lexicons/b2",
            content='<!DOCTYPE l [<!ENTITY a "a">]><lexicon>&a;</lexicon>',
            headers={"content-type": "application/pls+xml"},
        )
        assert bomb.status_code == 422 and "DOCTYPE" in bomb.json()["error"]["message"]
        big = client.put(
            "/v1/lexicons/big",
            content="word\talias\n" * 950_000,  # 10 MB
            headers={"content-type": "text/tab-separated-values"},
        )
        assert big.status_code == 422 and "over 1 MB" in big.json()["error"]["message"]
        assert client.get("/v1/lexicons/big").status_code == 404  # nothing saved
        job = client.post(
            "/v1/speech?wait=120",
            json={
                "text": DIALOGUE,
                "speakers": {"Ana": "espeak:en-us+f3", "Ben": "joe"},
                "lexicons": ["brand"],
                "pronunciations": [{"grapheme": "caption", "alias": "caption"}],
                "captions": ["vtt", "json"],
            },
        )
        assert job.json()["status"] == "succeeded", job.text
        result = job.json()["result"]
        assert {w["speaker"] for w in result["words"]} == {"Ana", "Ben"}
        vtt = webvtt.from_buffer(io.StringIO(httpx.get(result["captions"]["vtt"]["url"]).text))
        assert {c.voice for c in vtt} == {"Ana", "Ben"}
        for body, message in [
            ({"text": "<speak>Hi <b>x</b></speak>"}, "<b> is not supported"),
            ({"text": "Ana: Hi.\nBen: Yo.", "speakers": {"Cy": "joe"}}, "no speaker 'Cy'"),
            ({"text": "Hi.", "lexicons": ["nope"]}, "no lexicon named 'nope'"),
        ]:
            refused = client.post("/v1/speech", json=body)
            assert refused.status_code in (404, 422), refused.text
            assert message in refused.json()["error"]["message"]
        assert client.delete("/v1/lexicons/brand").status_code == 204
        gone = client.get("/v1/lexicons/brand")
        assert gone.status_code == 404 and gone.json()["error"]["code"] == "lexicon_not_found"


def test_a_dialogue_on_runpod(worker: ModuleType) -> None:
    output = worker.handler(
        {
            "id": "skit",
            "input": {
                "text": DIALOGUE,
                "speakers": {"ana": "espeak:en-us+f3", "ben": "piper:joe"},
                "pronunciations": [{"grapheme": "millisecond", "alias": "milli second"}],
                "captions": ["json"],
            },
        }
    )
    assert [w["speaker"] for w in output["words"]][:8] == ["Ana"] * 7 + ["Ben"]
    assert output["words"][-1]["text"] == "millisecond."
