"""Named loggers into a rotating file in the profile folder, and stderr."""

from __future__ import annotations

import logging
import logging.handlers
import re
from pathlib import Path

LOG_FORMAT = "%(asctime)s %(levelname)-7s %(name)s: %(message)s"

_SECRET_RE = re.compile(r"(refresh_token|access_token|code|password|Authorization)([=:\"' ]+)([^&\s\"',]+)",
                        re.IGNORECASE)


class RedactSecrets(logging.Filter):
    """Tokens and passwords never reach a log, even inside an error message."""

    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        redacted = _SECRET_RE.sub(r"\1\2[redacted]", message)
        if redacted != message:
            record.msg, record.args = redacted, None
        return True


def setup_logging(log_dir: Path, level: str = "INFO") -> Path:
    log_dir.mkdir(parents=True, exist_ok=True)
    path = log_dir / "crm-desktop.log"
    root = logging.getLogger()
    root.setLevel(level.upper())
    file_handler = logging.handlers.RotatingFileHandler(path, maxBytes=2_000_000, backupCount=3,
                                                        encoding="utf-8")
    file_handler.setFormatter(logging.Formatter(LOG_FORMAT))
    stream = logging.StreamHandler()
    stream.setFormatter(logging.Formatter(LOG_FORMAT))
    stream.setLevel(logging.WARNING)
    for handler in (file_handler, stream):
        handler.addFilter(RedactSecrets())
        root.addHandler(handler)
    logging.getLogger("httpx").setLevel(logging.WARNING)
    logging.getLogger("httpcore").setLevel(logging.WARNING)
    return path
