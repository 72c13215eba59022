"""Password hashing, opaque tokens, access-token JWTs and signed form blobs."""

from __future__ import annotations

import base64
import hashlib
import hmac
import secrets
import threading
import time
from dataclasses import dataclass
from typing import Any

import jwt
import orjson
from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from crm_cloud.core.db import Database
from crm_cloud.core.errors import AuthenticationError

_hasher = PasswordHasher()  # argon2id with the library's recommended parameters
_DUMMY_HASH = _hasher.hash(secrets.token_urlsafe(16))

JWT_ALGORITHM = "HS256"


def hash_password(password: str) -> str:
    return _hasher.hash(password)


def verify_password(password_hash: str | None, password: str) -> bool:
    """Check ``password``; with no hash (unknown user) spend the same time and fail."""
    try:
        return _hasher.verify(password_hash or _DUMMY_HASH, password) and password_hash is not None
    except (VerificationError, InvalidHashError):
        return False


def new_token(nbytes: int = 32) -> str:
    return secrets.token_urlsafe(nbytes)


def token_hash(token: str) -> str:
    """Hash for storing a random high-entropy token (codes, refresh tokens)."""
    return hashlib.sha256(token.encode()).hexdigest()


def b64url(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def b64url_decode(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def pkce_s256(verifier: str) -> str:
    return b64url(hashlib.sha256(verifier.encode("ascii")).digest())


@dataclass(frozen=True)
class AccessClaims:
    user_id: str
    family_id: str | None


class KeyRing:
    """The server's signing key: from settings, else generated once and kept in the database."""

    def __init__(self, db: Database, configured: str | None) -> None:
        self._db = db
        self._key: bytes | None = configured.encode() if configured else None
        self._lock = threading.Lock()

    @property
    def key(self) -> bytes:
        if self._key is None:
            with self._lock:
                if self._key is None:
                    self._key = self._load_or_create().encode()
        return self._key

    def _load_or_create(self) -> str:
        from crm_cloud.auth.models import ServerKey

        with self._db.read() as session:
            value = session.execute(select(ServerKey.value).where(ServerKey.name == "signing")).scalar()
        if value is not None:
            return value
        try:
            with self._db.write() as session:
                session.add(ServerKey(name="signing", value=secrets.token_urlsafe(48)))
        except IntegrityError:
            pass  # another worker created it first
        with self._db.read() as session:
            return session.execute(
                select(ServerKey.value).where(ServerKey.name == "signing")
            ).scalar_one()

    def _subkey(self, purpose: str) -> bytes:
        return hmac.new(self.key, purpose.encode(), hashlib.sha256).digest()

    # -- access tokens -------------------------------------------------

    def make_access_token(self, user_id: str, family_id: str | None, ttl_s: int) -> str:
        now = int(time.time())
        claims = {"sub": user_id, "fam": family_id, "iat": now, "exp": now + ttl_s, "typ": "access"}
        return jwt.encode(claims, self._subkey("access-token"), algorithm=JWT_ALGORITHM)

    def read_access_token(self, token: str) -> AccessClaims:
        try:
            claims = jwt.decode(
                token,
                self._subkey("access-token"),
                algorithms=[JWT_ALGORITHM],
                options={"require": ["sub", "exp", "iat"]},
            )
        except jwt.ExpiredSignatureError as exc:
            raise AuthenticationError("The access token has expired", code="token_expired") from exc
        except jwt.PyJWTError as exc:
            raise AuthenticationError("The access token is not valid") from exc
        if claims.get("typ") != "access" or not isinstance(claims.get("sub"), str):
            raise AuthenticationError("The access token is not valid")
        fam = claims.get("fam")
        return AccessClaims(user_id=claims["sub"], family_id=fam if isinstance(fam, str) else None)

    # -- signed blobs (sign-in form state) -----------------------------

    def sign(self, payload: dict[str, Any]) -> str:
        body = b64url(orjson.dumps(payload))
        mac = hmac.new(self._subkey("blob"), body.encode(), hashlib.sha256).digest()
        return f"{body}.{b64url(mac)}"

    def unsign(self, blob: str) -> dict[str, Any] | None:
        body, _, mac = blob.partition(".")
        expected = b64url(hmac.new(self._subkey("blob"), body.encode(), hashlib.sha256).digest())
        if not mac or not hmac.compare_digest(mac, expected):
            return None
        try:
            data = orjson.loads(b64url_decode(body))
        except (ValueError, orjson.JSONDecodeError):
            return None
        return data if isinstance(data, dict) else None
