"""S3-compatible object storage (AWS, Backblaze B2, Cloudflare R2, MinIO, SeaweedFS) via boto3.

Credentials come from the standard AWS chain (environment, profile, instance role). Errors are
translated into one clear line each; transient ones are retried by botocore's standard mode.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any, NoReturn
from urllib.parse import urlparse

from voxcap._deps import require
from voxcap.errors import (
    BucketNotFound,
    InvalidInput,
    ObjectExists,
    ObjectNotFound,
    StorageAuthError,
    StorageError,
)
from voxcap.settings import Settings
from voxcap.storage import keys
from voxcap.storage.base import MAX_EXPIRES, SignedUrl

_AUTH = {
    "InvalidAccessKeyId",
    "SignatureDoesNotMatch",
    "AccessDenied",
    "InvalidToken",
    "ExpiredToken",
    "403",
    "Forbidden",
    "Unauthorized",
    "401",
}


class S3Store:
    """Objects under ``s3://bucket/prefix``."""

    def __init__(
        self, client: Any, bucket: str, prefix: str, endpoint: str | None, expires: int = 3600
    ) -> None:
        self._client = client
        self.bucket = bucket
        self.prefix = prefix.strip("/") + "/" if prefix.strip("/") else ""
        self.endpoint = endpoint or "AWS S3"
        self.url = f"s3://{bucket}/{self.prefix}"
        self._expires = expires

    @classmethod
    def from_settings(cls, settings: Settings) -> S3Store:
        boto3 = require("boto3", extra="s3")
        from botocore.config import Config

        parsed = urlparse(settings.storage)
        if not parsed.netloc:
            raise InvalidInput(
                f"VOXCAP_STORAGE={settings.storage!r} names no bucket: use s3://bucket/prefix"
            )
        config = Config(
            signature_version="s3v4",
            retries={"mode": "standard", "max_attempts": 5},
            s3={"addressing_style": settings.s3_addressing},
            connect_timeout=10,
            read_timeout=60,
        )
        client = boto3.session.Session().client(
            "s3",
            endpoint_url=settings.s3_endpoint_url,
            region_name=settings.s3_region,
            config=config,
        )
        endpoint = settings.s3_endpoint_url or client.meta.endpoint_url
        return cls(client, parsed.netloc, parsed.path, endpoint, settings.url_expires)

    def _key(self, key: str) -> str:
        return self.prefix + keys.check(key)

    def put(
        self,
        key: str,
        data: bytes,
        content_type: str = "application/octet-stream",
        *,
        exclusive: bool = False,
    ) -> None:
        """``exclusive`` sends ``If-None-Match: *`` (AWS S3, R2, MinIO and B2 answer 412 when
        the key exists; a server that ignores the header lets the last writer win)."""
        extra = {"IfNoneMatch": "*"} if exclusive else {}
        self._call("write", key, "put_object", Body=data, ContentType=content_type, **extra)

    def get(self, key: str) -> bytes:
        body: bytes = self._call("read", key, "get_object")["Body"].read()
        return body

    def exists(self, key: str) -> bool:
        try:
            self._call("check", key, "head_object")
        except ObjectNotFound:
            return False
        return True

    def delete(self, key: str) -> None:
        self._call("delete", key, "delete_object")

    def list(self, prefix: str) -> list[str]:
        found: list[str] = []
        try:
            pages = self._client.get_paginator("list_objects_v2").paginate(
                Bucket=self.bucket, Prefix=self.prefix + prefix
            )
            for page in pages:
                found.extend(o["Key"][len(self.prefix) :] for o in page.get("Contents", []))
        except Exception as exc:  # noqa: BLE001 - botocore errors, translated below
            self._fail(exc, "list", prefix)
        return sorted(found)

    def local_path(self, key: str) -> Path | None:
        return None

    def signed_url(
        self, key: str, expires: int | None = None, filename: str | None = None
    ) -> SignedUrl:
        import mimetypes
        import time

        lifetime = min(expires or self._expires, MAX_EXPIRES)
        filename = filename or key.rsplit("/", 1)[-1]
        params = {
            "Bucket": self.bucket,
            "Key": self._key(key),
            "ResponseContentDisposition": f'attachment; filename="{filename}"',
            "ResponseContentType": mimetypes.guess_type(filename)[0] or "application/octet-stream",
        }
        url = self._client.generate_presigned_url("get_object", Params=params, ExpiresIn=lifetime)
        return SignedUrl(url, int(time.time()) + lifetime)

    def _call(self, action: str, key: str, method: str, **kwargs: Any) -> Any:
        try:
            return getattr(self._client, method)(Bucket=self.bucket, Key=self._key(key), **kwargs)
        except Exception as exc:  # noqa: BLE001 - botocore errors, translated below
            self._fail(exc, action, key)

    def _fail(self, exc: Exception, action: str, key: str) -> NoReturn:
        """Translate a botocore exception into one clear voxcap error."""
        from botocore.exceptions import BotoCoreError, ClientError, NoCredentialsError

        where = f"{self.url} at {self.endpoint}"
        if isinstance(exc, NoCredentialsError):
            raise StorageAuthError(
                f"no S3 credentials found for {where}: set AWS_ACCESS_KEY_ID and "
                "AWS_SECRET_ACCESS_KEY, a profile, or an instance role"
            ) from None
        if isinstance(exc, ClientError):
            code = str(exc.response.get("Error", {}).get("Code", ""))
            if code in {"NoSuchKey", "404", "NotFound"} and action != "list":
                raise ObjectNotFound(f"no object {key}") from None
            if code in {"PreconditionFailed", "412", "ConditionalRequestConflict"}:
                raise ObjectExists(f"{key} already exists") from None
            if code == "NoSuchBucket":
                raise BucketNotFound(f"bucket {self.bucket!r} does not exist at {where}") from None
            if code in _AUTH:
                hint = (
                    " (Backblaze B2: use an application key ID and key with access to this bucket)"
                    if "backblazeb2" in self.endpoint
                    else ""
                )
                raise StorageAuthError(
                    f"S3 refused to {action} {key} at {where}: {code}; check the credentials{hint}"
                ) from None
            raise StorageError(f"S3 could not {action} {key} at {where}: {code}") from None
        if isinstance(exc, BotoCoreError):
            raise StorageError(f"cannot reach S3 endpoint {self.endpoint}: {exc}") from None
        raise exc
