"""The bench's state on disk is private: the data directory is 0700, the database and secrets 0600.

The journal holds what DUIs sent (tokens are redacted, bodies are not), the PKI holds private keys:
nobody but the bench's user has to read them.
"""

from __future__ import annotations

import os
import stat
from pathlib import Path

DIR_MODE = 0o700
FILE_MODE = 0o600


def private_dir(path: Path | str) -> Path:
    """Create the directory (and parents) if needed and make it owner-only."""
    path = Path(path)
    path.mkdir(mode=DIR_MODE, parents=True, exist_ok=True)
    if stat.S_IMODE(path.stat().st_mode) & 0o077:
        path.chmod(DIR_MODE)
    return path


def private_file(path: Path | str) -> Path:
    """Create the file empty if missing, owner read/write only, without truncating existing content."""
    path = Path(path)
    private_dir(path.parent)
    fd = os.open(path, os.O_CREAT | os.O_WRONLY, FILE_MODE)
    os.close(fd)
    if stat.S_IMODE(path.stat().st_mode) != FILE_MODE:
        path.chmod(FILE_MODE)
    return path


def write_private(path: Path | str, text: str) -> Path:
    """Write a secret: the file never exists with wider permissions, not even for a moment."""
    path = private_file(path)
    fd = os.open(path, os.O_WRONLY | os.O_TRUNC)
    with os.fdopen(fd, "w", encoding="utf-8") as fh:
        fh.write(text)
    return path
