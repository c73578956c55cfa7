"""A folder as an object store; signed URLs are HMAC-SHA256 tokens served by ``voxcap serve``."""

from __future__ import annotations

import hashlib
import hmac
import logging
import os
import secrets
import tempfile
import time
from pathlib import Path
from urllib.parse import parse_qs, quote, unquote, urlencode, urlparse

from voxcap.errors import (
    ObjectExists,
    ObjectNotFound,
    SignatureExpired,
    SignatureInvalid,
    StorageError,
)
from voxcap.settings import Settings
from voxcap.storage import keys
from voxcap.storage.base import MAX_EXPIRES, SignedUrl

SECRET_FILE = ".voxcap-secret"
log = logging.getLogger(__name__)


class LocalStore:
    """Objects are files under ``root``; writes go to a temp file and are renamed into place."""

    def __init__(self, root: Path, secret: bytes, public_url: str, expires: int = 3600) -> None:
        self.root = root
        self.url = root.as_uri()
        self._secret = secret
        self._public_url = public_url.rstrip("/")
        self._expires = expires

    @staticmethod
    def root_of(settings: Settings) -> Path:
        """The folder a ``file://`` storage URL names."""
        parsed = urlparse(settings.storage)
        return Path(parsed.netloc + parsed.path).expanduser().resolve()

    @classmethod
    def from_settings(cls, settings: Settings) -> LocalStore:
        root = cls.root_of(settings)
        try:
            root.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            raise StorageError(f"cannot create storage folder {root}: {exc.strerror}") from None
        if settings.signing_secret is not None:
            secret = settings.signing_secret.get_secret_value().encode()
        else:
            secret = _stored_secret(root)
        return cls(root, secret, settings.public_url, settings.url_expires)

    def _path(self, key: str) -> Path:
        return self.root / keys.check(key)

    def put(
        self,
        key: str,
        data: bytes,
        content_type: str = "application/octet-stream",
        *,
        exclusive: bool = False,
    ) -> None:
        path = self._path(key)
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            write_atomic(path, data, exclusive=exclusive)
        except FileExistsError:
            raise ObjectExists(f"{key} already exists") from None
        except OSError as exc:
            log.error("cannot write %s in %s: %s", key, self.root, exc)
            raise StorageError(f"cannot write {key}: {exc.strerror}") from None

    def get(self, key: str) -> bytes:
        try:
            return self._path(key).read_bytes()
        except FileNotFoundError:
            raise ObjectNotFound(f"no object {key}") from None
        except OSError as exc:
            raise StorageError(f"cannot read {key}: {exc.strerror}") from None

    def exists(self, key: str) -> bool:
        return self._path(key).is_file()

    def delete(self, key: str) -> None:
        path = self._path(key)
        path.unlink(missing_ok=True)
        for parent in path.parents:  # tidy empty folders up to the root
            if parent == self.root or not parent.is_relative_to(self.root):
                break
            try:
                parent.rmdir()
            except OSError:
                break

    def list(self, prefix: str) -> list[str]:
        """Walks only the folder the prefix names; objects that vanish meanwhile (another
        process deleting) are simply not listed."""
        folder = self.root / prefix.rsplit("/", 1)[0] if "/" in prefix else self.root
        found = []
        for parent, dirs, files in os.walk(folder):  # os.walk skips what it cannot read
            dirs[:] = [d for d in dirs if not d.startswith(".")]
            base = Path(parent).relative_to(self.root).as_posix()
            for name in files:
                key = name if base == "." else f"{base}/{name}"
                if key.startswith(prefix) and not name.startswith("."):
                    found.append(key)
        return sorted(found)

    def local_path(self, key: str) -> Path:
        return self._path(key)

    def signed_url(
        self, key: str, expires: int | None = None, filename: str | None = None
    ) -> SignedUrl:
        lifetime = min(expires or self._expires, MAX_EXPIRES)
        expires_at = int(time.time()) + lifetime
        filename = filename or key.rsplit("/", 1)[-1]
        query = {
            "expires": expires_at,
            "filename": filename,
            "signature": self._sign(keys.check(key), expires_at, filename),
        }
        return SignedUrl(f"{self._public_url}/files/{quote(key)}?{urlencode(query)}", expires_at)

    def verify(self, key: str, expires_at: int, filename: str, signature: str) -> None:
        """Check a signed URL's token (constant time).

        Raises:
            SignatureInvalid: the signature does not match (tampered or another key).
            SignatureExpired: the URL is past its expiry.
        """
        expected = self._sign(keys.check(key), expires_at, filename)
        given = signature.encode("utf-8", "surrogateescape")
        if not hmac.compare_digest(expected.encode(), given):
            raise SignatureInvalid("invalid signature")
        if time.time() > expires_at:
            raise SignatureExpired("this link has expired")

    def verify_url(self, url: str) -> str:
        """Check a URL made by :meth:`signed_url`; returns its key. Raises SignatureInvalid."""
        parts = urlparse(url)
        query = parse_qs(parts.query)
        try:
            expires_at = int(query["expires"][0])
            filename, signature = query["filename"][0], query["signature"][0]
        except (KeyError, ValueError):
            raise SignatureInvalid("the link is missing its signature") from None
        key = unquote(
            parts.path.removeprefix(urlparse(self._public_url).path).removeprefix("/files/")
        )
        self.verify(key, expires_at, filename, signature)
        return key

    def _sign(self, key: str, expires_at: int, filename: str) -> str:
        message = f"{key}\n{expires_at}\n{filename}".encode()
        return hmac.new(self._secret, message, hashlib.sha256).hexdigest()


def write_atomic(path: Path, data: bytes, exclusive: bool = False) -> None:
    """Write ``data`` to a temp file beside ``path`` and rename it into place: readers see
    the old file or the new one, never half of one. Temp files are named ``.tmp-*``.

    With ``exclusive`` the temp file is hard-linked into place instead, which fails with
    FileExistsError when ``path`` exists: of concurrent writers exactly one wins.
    """
    fd, tmp = tempfile.mkstemp(prefix=".tmp-", dir=path.parent)
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
        if exclusive:
            os.link(tmp, path)
            os.unlink(tmp)
        else:
            os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def _stored_secret(root: Path) -> bytes:
    """A random signing key kept (mode 0600) in the store folder, created on first use."""
    path = root / SECRET_FILE
    if not path.exists():
        fd, tmp = tempfile.mkstemp(prefix=".tmp-", dir=root)
        with os.fdopen(fd, "w") as fh:
            fh.write(secrets.token_hex(32))
        os.chmod(tmp, 0o600)
        try:
            os.link(tmp, path)  # first writer wins; others read its key
        except FileExistsError:
            pass
        finally:
            os.unlink(tmp)
    return path.read_text().strip().encode()
