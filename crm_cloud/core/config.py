"""Server settings, read from ``CRM_CLOUD_*`` environment variables."""

from __future__ import annotations

from pathlib import Path

import platformdirs
from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict


def default_database_url() -> str:
    data_dir = Path(platformdirs.user_data_dir("crm-cloud", appauthor=False))
    data_dir.mkdir(parents=True, exist_ok=True)
    return f"sqlite:///{data_dir / 'crm-cloud.sqlite3'}"


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="CRM_CLOUD_", extra="ignore")

    #: SQLAlchemy URL; ``sqlite:///path`` or ``postgresql+psycopg://user:pw@host/db``.
    database_url: str = Field(default_factory=default_database_url)
    #: Key for signing access tokens and sign-in forms.  When unset a random key
    #: is generated once and stored in the database, so every worker shares it.
    secret_key: str | None = None
    server_name: str = "CRM Cloud"
    access_token_ttl_s: int = Field(default=900, ge=1)
    refresh_token_ttl_s: int = Field(default=60 * 24 * 3600, ge=60)
    auth_code_ttl_s: int = Field(default=60, ge=1)
    #: How long a rendered sign-in form stays valid.
    signin_form_ttl_s: int = Field(default=1800, ge=60)
    login_max_failures: int = Field(default=10, ge=1)
    login_failure_window_s: int = Field(default=900, ge=1)
    #: Days of change history (tombstones, access changes) the sync feed keeps;
    #: ``None`` keeps it forever.  When set, ``serve`` purges older history at
    #: start and then daily, and it is the default of ``crm-cloud history purge``.
    history_days: int | None = Field(default=None, ge=1)
