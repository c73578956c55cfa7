"""One contract suite for both stores: a local folder (served by a real uvicorn) and S3
(a real SeaweedFS that enforces SigV4)."""

from __future__ import annotations

import stat
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from voxcap.api.app import create_app
from voxcap.errors import (
    BucketNotFound,
    InvalidInput,
    ObjectNotFound,
    StorageAuthError,
    StorageError,
)
from voxcap.settings import Settings
from voxcap.storage import MAX_EXPIRES, Store, create_store, keys
from voxcap.storage.local import SECRET_FILE

from .servers import S3Server, run_voxcap, uvicorn_server


@pytest.fixture(scope="module")
def local_settings(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Settings]:
    root = tmp_path_factory.mktemp("store")
    settings = Settings(storage=f"file://{root}")
    with uvicorn_server(create_app(settings)) as url:
        yield settings.model_copy(update={"public_url": url})


def s3_settings(
    server: S3Server,
    bucket: str,
    monkeypatch: pytest.MonkeyPatch,
    secret: str | None = None,
    prefix: str = "tenant-a",
) -> Settings:
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", server.access_key)
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", secret or server.secret_key)
    return Settings(
        storage=f"s3://{bucket}/{prefix}",
        s3_endpoint_url=server.endpoint,
        s3_region="us-east-1",
        s3_addressing="path",
    )


@pytest.fixture(params=["local", "s3"])
def store(request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch) -> Store:
    if request.param == "local":
        return create_store(request.getfixturevalue("local_settings"))
    server = request.getfixturevalue("s3_server")
    bucket, prefix = request.getfixturevalue("s3_bucket"), request.getfixturevalue("s3_prefix")
    return create_store(s3_settings(server, bucket, monkeypatch, prefix=prefix))


def test_round_trip(store: Store) -> None:
    key = keys.output("job1", "speech.mp3")
    assert not store.exists(key)
    store.put(key, b"first", "audio/mpeg")
    store.put(key, b"second version", "audio/mpeg")
    assert store.get(key) == b"second version"
    assert store.exists(key)
    store.put(keys.output("job1", "captions.srt"), b"1\n", "application/x-subrip")
    store.put(keys.output("job2", "words.json"), b"{}", "application/json")
    assert store.list("outputs/job1/") == ["outputs/job1/captions.srt", "outputs/job1/speech.mp3"]
    store.delete(key)
    store.delete(key)  # deleting twice is fine
    assert not store.exists(key)
    with pytest.raises(ObjectNotFound):
        store.get(key)


@pytest.mark.parametrize(
    "bad",
    [
        "../etc/passwd",
        "/abs/key",
        "a/../../b",
        "a//b",
        "a\\b",
        "",
        ".voxcap-secret",
        "outputs/.tmp-x",
    ],
)
def test_keys_cannot_escape(store: Store, bad: str) -> None:
    with pytest.raises(InvalidInput):
        store.put(bad, b"x")


def test_signed_url_returns_the_exact_bytes(store: Store) -> None:
    payload = bytes(range(256)) * 50
    key = keys.output("job3", "speech.wav")
    store.put(key, payload, "audio/wav")
    signed = store.signed_url(key, 120, "narration.wav")
    assert signed.expires_at > time.time() + 100
    response = httpx.get(signed.url)
    assert response.status_code == 200
    assert response.content == payload
    assert 'filename="narration.wav"' in response.headers["content-disposition"]


def test_tampered_and_expired_urls_are_refused(store: Store) -> None:
    key = keys.output("job4", "captions.srt")
    store.put(key, b"1\n00:00:00,000 --> 00:00:01,000\nhi\n", "application/x-subrip")
    good = store.signed_url(key, 120).url
    for bad in [good.replace("ignature=", "ignature=0"), good.replace("job4", "job5")]:
        assert httpx.get(bad).status_code == 403, bad
    short = store.signed_url(key, 1).url
    time.sleep(2.2)
    assert httpx.get(short).status_code == 403


def test_expiry_is_capped_at_seven_days(store: Store) -> None:
    key = keys.output("job6", "a.txt")
    store.put(key, b"a")
    assert store.signed_url(key, 30 * 24 * 3600).expires_at <= time.time() + MAX_EXPIRES + 1


def test_local_errors_use_the_api_error_shape(local_settings: Settings) -> None:
    store = create_store(local_settings)
    key = keys.output("job7", "a.txt")
    store.put(key, b"a")
    url = store.signed_url(key, 120).url.replace("signature=", "signature=00")
    response = httpx.get(url)
    assert response.status_code == 403
    assert response.json() == {
        "error": {"code": "signature_invalid", "message": "invalid signature"}
    }


def test_local_signing_key_is_private_and_shared(tmp_path: Path) -> None:
    first = create_store(Settings(storage=f"file://{tmp_path}"))
    second = create_store(Settings(storage=f"file://{tmp_path}"))
    mode = (tmp_path / SECRET_FILE).stat().st_mode
    assert stat.S_IMODE(mode) == 0o600
    first.put("outputs/j/a.txt", b"a")
    url = first.signed_url("outputs/j/a.txt", 60).url
    assert second.verify_url(url) == "outputs/j/a.txt"  # type: ignore[attr-defined]


def test_s3_wrong_secret_is_one_clear_error(
    s3_server: S3Server, s3_bucket: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    store = create_store(s3_settings(s3_server, s3_bucket, monkeypatch, secret="wrong"))
    with pytest.raises(StorageAuthError, match="SignatureDoesNotMatch; check the credentials"):
        store.put("outputs/j/a.txt", b"a")


def test_s3_missing_bucket_and_unreachable_endpoint(
    s3_server: S3Server, monkeypatch: pytest.MonkeyPatch
) -> None:
    store = create_store(s3_settings(s3_server, "no-such-bucket", monkeypatch))
    with pytest.raises(BucketNotFound, match="'no-such-bucket' does not exist"):
        store.put("outputs/j/a.txt", b"a")
    dead = s3_settings(s3_server, "voxcap", monkeypatch).model_copy(
        update={"s3_endpoint_url": "http://127.0.0.1:9"}
    )
    with pytest.raises(StorageError, match=r"cannot reach S3 endpoint http://127\.0\.0\.1:9"):
        create_store(dead).put("outputs/j/a.txt", b"a")


def test_cli_checks_s3_credentials_before_any_work(
    s3_server: S3Server, s3_bucket: str, tmp_path: Path
) -> None:
    """newuser.md #17: a wrong S3 secret was found only after the synthesis. Here the engine
    (F5 without its weights) would fail the moment it loads: the store's refusal comes first."""
    env = {
        "AWS_ACCESS_KEY_ID": s3_server.access_key,
        "AWS_SECRET_ACCESS_KEY": "wrong",
        "VOXCAP_STORAGE": f"s3://{s3_bucket}/preflight",
        "VOXCAP_S3_ENDPOINT_URL": s3_server.endpoint,
        "VOXCAP_S3_REGION": "us-east-1",
        "VOXCAP_S3_ADDRESSING": "path",
        "VOXCAP_ENGINE": "f5",
        "VOXCAP_MODEL_DIR": str(tmp_path / "no-models"),
    }
    run = run_voxcap("speak", "Hello there.", env=env)
    assert run.returncode == 1 and "(storage_auth_failed)" in run.stderr, run.stderr
    assert "model_not_found" not in run.stderr
    right = run_voxcap(
        "speak", "Hello there.", env={**env, "AWS_SECRET_ACCESS_KEY": s3_server.secret_key}
    )
    assert "(model_not_found)" in right.stderr, right.stderr  # past the store: the engine's turn
