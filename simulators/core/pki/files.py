"""Directory access for the PKI: atomic writes, an inter-process lock and the JSON index.

Several processes share one PKI directory (`serve` plus `socle-bench pki revoke`, compose services
on a volume), so writers take a file lock and every file is replaced atomically: a server reading a
CRL or a chain never sees half a file.
"""

from __future__ import annotations

import contextlib
import json
import os
import threading
from pathlib import Path
from typing import Any
from collections.abc import Iterator

try:
    import fcntl
except ImportError:  # pragma: no cover - non-POSIX
    fcntl = None  # type: ignore[assignment]


class PkiFiles:
    def __init__(self, directory: Path) -> None:
        self.directory = directory
        self._lock = threading.RLock()
        self._depth = 0
        self._index_stamp: tuple[int, int] = (0, 0)

    @property
    def index_path(self) -> Path:
        return self.directory / "index.json"

    @contextlib.contextmanager
    def locked(self) -> Iterator[None]:
        """Thread lock plus a file lock taken once per outermost call (flock is not re-entrant
        across file descriptors of one process)."""
        with self._lock:
            if self._depth:
                self._depth += 1
                try:
                    yield
                finally:
                    self._depth -= 1
                return
            self.directory.mkdir(parents=True, exist_ok=True)
            with open(self.directory / ".lock", "a+") as handle:
                if fcntl is not None:
                    fcntl.flock(handle, fcntl.LOCK_EX)
                self._depth = 1
                try:
                    yield
                finally:
                    self._depth = 0
                    if fcntl is not None:
                        fcntl.flock(handle, fcntl.LOCK_UN)

    def read_index(self) -> dict[str, Any]:
        stamp = self._stamp()
        data = json.loads(self.index_path.read_text(encoding="utf-8"))
        self._index_stamp = stamp
        return data

    def index_changed(self) -> bool:
        """True when another process (or handle) rewrote the index since we last read or wrote it."""
        return self._stamp() != self._index_stamp

    def save_index(self, index: dict[str, Any]) -> None:
        self.write("index.json", json.dumps(index, indent=2, ensure_ascii=False).encode("utf-8"))
        self._index_stamp = self._stamp()

    def _stamp(self) -> tuple[int, int]:
        """Inode and mtime: every save is an atomic replace, so a new inode means a new index."""
        stat = self.index_path.stat()
        return stat.st_ino, stat.st_mtime_ns

    def write(self, rel: str, data: bytes, *, private: bool = False) -> None:
        path = self.directory / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp = path.with_name(f".{path.name}.{os.getpid()}.{threading.get_ident()}.tmp")
        fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600 if private else 0o644)
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
        os.replace(tmp, path)
