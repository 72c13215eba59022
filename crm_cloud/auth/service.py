"""Users and the OAuth 2 authorization-code (PKCE) and refresh-token grants."""

from __future__ import annotations

import logging
import re
import uuid
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from urllib.parse import urlsplit

from sqlalchemy import delete, func, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from crm_cloud.auth.models import AuthCode, LoginFailure, RefreshToken, TokenFamily, User
from crm_cloud.core.config import Settings
from crm_cloud.core.db import Database
from crm_cloud.core.errors import AlreadyExists, AuthenticationError, InvalidInput, OAuthError
from crm_cloud.core.security import (
    KeyRing,
    hash_password,
    new_token,
    pkce_s256,
    token_hash,
    verify_password,
)
from crm_protocol.wire import TokenResponse

log = logging.getLogger(__name__)

#: The public client id of the desktop app (RFC 8252 native app).
DESKTOP_CLIENT_ID = "crm-desktop"
CLIENT_IDS = frozenset({DESKTOP_CLIENT_ID})

_VERIFIER_RE = re.compile(r"^[A-Za-z0-9\-._~]{43,128}$")
_CHALLENGE_RE = re.compile(r"^[A-Za-z0-9\-_]{43}$")
_EMAIL_RE = re.compile(r"^[^@\s]+@[^@\s]+$")


def utcnow() -> datetime:
    return datetime.now(UTC)


def as_utc(value: datetime) -> datetime:
    """SQLite hands back naive datetimes; they are UTC."""
    return value if value.tzinfo is not None else value.replace(tzinfo=UTC)


def normalize_email(email: str) -> str:
    return email.strip().lower()


# -- users ------------------------------------------------------------


def add_user(session: Session, email: str, name: str, password: str) -> User:
    email = normalize_email(email)
    errors = []
    if not _EMAIL_RE.match(email) or len(email) > 320:
        errors.append({"field": "email", "message": "Email is not a valid email address"})
    if not name.strip() or len(name) > 200:
        errors.append({"field": "name", "message": "Name is required (at most 200 characters)"})
    if len(password) < 8:
        errors.append({"field": "password", "message": "Password must have at least 8 characters"})
    if errors:
        raise InvalidInput("Invalid user", detail={"field_errors": errors})
    if session.execute(select(User.id).where(User.email == email)).first() is not None:
        raise AlreadyExists(f"A user with email {email} already exists")
    user = User(
        id=str(uuid.uuid4()),
        email=email,
        name=name.strip(),
        password_hash=hash_password(password),
        active=True,
        created_at=utcnow(),
    )
    session.add(user)
    try:
        session.flush()
    except IntegrityError as exc:
        raise AlreadyExists(f"A user with email {email} already exists") from exc
    return user


def get_active_user(session: Session, user_id: str) -> User | None:
    user = session.get(User, user_id)
    return user if user is not None and user.active else None


def list_users(session: Session) -> list[User]:
    return list(session.scalars(select(User).where(User.active.is_(True)).order_by(User.email)))


# -- clients and redirect URIs -----------------------------------------


def check_client(client_id: str | None, redirect_uri: str | None) -> str | None:
    """Return a reason the client/redirect pair is refused, or ``None`` if fine.

    Only loopback redirects are allowed (RFC 8252 §7.3): ``http://127.0.0.1:<port>/...``
    or ``http://[::1]:<port>/...``; the port may vary between requests.
    """
    if client_id not in CLIENT_IDS:
        return "Unknown application (client_id)."
    if not redirect_uri:
        return "The application sent no redirect address."
    try:
        parts = urlsplit(redirect_uri)
        port = parts.port
    except ValueError:
        return "The application's redirect address is malformed."
    if parts.scheme != "http" or parts.hostname not in ("127.0.0.1", "::1"):
        return "The application's redirect address must be a loopback address (127.0.0.1 or [::1])."
    if port is None or parts.username or parts.password or parts.fragment:
        return "The application's redirect address is not allowed."
    return None


# -- sign-in throttling ---------------------------------------------------


class TooManyFailures(Exception):
    def __init__(self, retry_after_s: int) -> None:
        super().__init__("too many failed sign-ins")
        self.retry_after_s = retry_after_s


@dataclass(frozen=True)
class CodeRequest:
    client_id: str
    redirect_uri: str
    code_challenge: str
    scope: str | None


class OAuthService:
    def __init__(self, db: Database, keys: KeyRing, settings: Settings) -> None:
        self.db = db
        self.keys = keys
        self.settings = settings

    def authenticate(self, email: str, password: str) -> User | None:
        """Check a sign-in; raise :class:`TooManyFailures` when the account is throttled."""
        email = normalize_email(email)
        now = utcnow()
        window_start = now - timedelta(seconds=self.settings.login_failure_window_s)
        with self.db.read() as session:
            recent = session.execute(
                select(func.count(), func.min(LoginFailure.at)).where(
                    LoginFailure.email == email, LoginFailure.at > window_start
                )
            ).one()
            if recent[0] >= self.settings.login_max_failures:
                oldest = as_utc(recent[1])
                retry = int((oldest - window_start).total_seconds()) + 1
                raise TooManyFailures(max(retry, 1))
            user = session.execute(select(User).where(User.email == email)).scalar_one_or_none()
        ok = verify_password(user.password_hash if user else None, password)
        if ok and user is not None and user.active:
            with self.db.write() as session:
                session.execute(delete(LoginFailure).where(LoginFailure.email == email))
            return user
        with self.db.write() as session:
            session.add(LoginFailure(email=email[:320], at=now))
            session.execute(
                delete(LoginFailure).where(LoginFailure.at < window_start - timedelta(days=1))
            )
        log.info("failed sign-in for %s", email)
        return None

    def issue_code(self, user: User, req: CodeRequest) -> str:
        code = new_token()
        with self.db.write() as session:
            session.add(
                AuthCode(
                    code_hash=token_hash(code),
                    user_id=user.id,
                    client_id=req.client_id,
                    redirect_uri=req.redirect_uri,
                    code_challenge=req.code_challenge,
                    scope=req.scope,
                    expires_at=utcnow() + timedelta(seconds=self.settings.auth_code_ttl_s),
                )
            )
        return code

    # -- token endpoint -------------------------------------------------

    def _issue(self, session: Session, user_id: str, client_id: str, family_id: str) -> TokenResponse:
        refresh = new_token()
        now = utcnow()
        session.add(
            RefreshToken(
                token_hash=token_hash(refresh),
                family_id=family_id,
                user_id=user_id,
                client_id=client_id,
                created_at=now,
                expires_at=now + timedelta(seconds=self.settings.refresh_token_ttl_s),
            )
        )
        ttl = self.settings.access_token_ttl_s
        return TokenResponse(
            access_token=self.keys.make_access_token(user_id, family_id, ttl),
            token_type="bearer",
            expires_in=ttl,
            refresh_token=refresh,
        )

    @staticmethod
    def _revoke_family(session: Session, family_id: str | None) -> None:
        if family_id is None:
            return
        session.execute(
            update(TokenFamily)
            .where(TokenFamily.id == family_id, TokenFamily.revoked_at.is_(None))
            .values(revoked_at=utcnow())
        )

    def exchange_code(
        self, code: str, code_verifier: str, redirect_uri: str, client_id: str
    ) -> TokenResponse:
        if client_id not in CLIENT_IDS:
            raise OAuthError("invalid_client", "Unknown client_id", status=401)
        if not _VERIFIER_RE.match(code_verifier):
            raise OAuthError("invalid_request", "code_verifier must be 43-128 unreserved characters")
        revoked = False
        with self.db.write() as session:
            row = session.get(AuthCode, token_hash(code), with_for_update=True)
            if row is None:
                raise OAuthError("invalid_grant", "The authorization code is not valid")
            if row.used_at is not None:
                log.warning("authorization code replayed; revoking the tokens issued from it")
                self._revoke_family(session, row.family_id)
                revoked = True
            else:
                row.used_at = utcnow()
                if as_utc(row.expires_at) < utcnow():
                    raise OAuthError("invalid_grant", "The authorization code has expired")
                if row.client_id != client_id or row.redirect_uri != redirect_uri:
                    raise OAuthError(
                        "invalid_grant", "The authorization code was issued to another client or redirect_uri"
                    )
                if pkce_s256(code_verifier) != row.code_challenge:
                    raise OAuthError("invalid_grant", "The code_verifier does not match the code_challenge")
                user = get_active_user(session, row.user_id)
                if user is None:
                    raise OAuthError("invalid_grant", "The account is disabled")
                family = TokenFamily(
                    id=str(uuid.uuid4()), user_id=user.id, client_id=client_id, created_at=utcnow()
                )
                session.add(family)
                session.flush()
                row.family_id = family.id
                return self._issue(session, user.id, client_id, family.id)
        assert revoked
        raise OAuthError("invalid_grant", "The authorization code was already used")

    def refresh(self, refresh_token: str, client_id: str) -> TokenResponse:
        if client_id not in CLIENT_IDS:
            raise OAuthError("invalid_client", "Unknown client_id", status=401)
        error: OAuthError | None = None
        with self.db.write() as session:
            row = session.get(RefreshToken, token_hash(refresh_token))
            if row is None or row.client_id != client_id:
                raise OAuthError("invalid_grant", "The refresh token is not valid")
            family = session.get(TokenFamily, row.family_id)
            if family is None or family.revoked_at is not None:
                raise OAuthError("invalid_grant", "The refresh token has been revoked")
            if row.used_at is not None:
                # A rotated-out token came back: it was stolen or leaked; kill the family.
                log.warning("refresh token replayed; revoking its family %s", family.id)
                self._revoke_family(session, family.id)
                error = OAuthError("invalid_grant", "The refresh token was already used; sign in again")
            elif as_utc(row.expires_at) < utcnow():
                raise OAuthError("invalid_grant", "The refresh token has expired")
            else:
                claimed_rows = session.execute(
                    update(RefreshToken)
                    .where(RefreshToken.token_hash == row.token_hash, RefreshToken.used_at.is_(None))
                    .values(used_at=utcnow())
                    .returning(RefreshToken.token_hash)
                    .execution_options(synchronize_session=False)
                ).all()
                if len(claimed_rows) != 1:
                    raise OAuthError("invalid_grant", "The refresh token was already used")
                if get_active_user(session, row.user_id) is None:
                    raise OAuthError("invalid_grant", "The account is disabled")
                return self._issue(session, row.user_id, client_id, family.id)
        assert error is not None
        raise error

    def revoke(self, token: str) -> None:
        """Revoke the family of a refresh or access token; unknown tokens are ignored (RFC 7009)."""
        with self.db.write() as session:
            row = session.get(RefreshToken, token_hash(token))
            if row is not None:
                self._revoke_family(session, row.family_id)
                return
            try:
                claims = self.keys.read_access_token(token)
            except AuthenticationError:
                return
            self._revoke_family(session, claims.family_id)

    def user_for_access_token(self, token: str) -> User:
        claims = self.keys.read_access_token(token)
        with self.db.read() as session:
            user = get_active_user(session, claims.user_id)
            if user is None:
                raise AuthenticationError("The account no longer exists or is disabled")
            if claims.family_id is not None:
                revoked = session.execute(
                    select(TokenFamily.revoked_at).where(TokenFamily.id == claims.family_id)
                ).first()
                if revoked is None or revoked[0] is not None:
                    raise AuthenticationError("The access token has been revoked")
            return user


def check_code_request(
    response_type: str | None, code_challenge: str | None, method: str | None
) -> tuple[str, str] | None:
    """Return ``(error, description)`` when the authorization request is refused."""
    if response_type != "code":
        return "unsupported_response_type", "Only response_type=code is supported"
    if not code_challenge:
        return "invalid_request", "PKCE is required: send code_challenge with code_challenge_method=S256"
    if method != "S256":
        return "invalid_request", "Only code_challenge_method=S256 is supported"
    if not _CHALLENGE_RE.match(code_challenge):
        return "invalid_request", "code_challenge is not a base64url SHA-256 value"
    return None
