"""Seeded databases for the benchmark's data sizes, built once and reused.

A data set of 1,000,000 documents or exchanges takes minutes to insert: it is built once through the
bench's own bulk SQL inserts into a SQLite file under the cache directory, keyed by kind, size, seed
and a digest of the table definitions (a schema change builds a new file), then copied into each
run's working directory (the run writes to its copy, never to the cached file).

    path, info = seeded_file("dmp", 100_000, schema_digest(metadata), build)
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

CACHE = Path(os.environ.get("SOCLE_BENCH_BENCH_CACHE") or Path(__file__).with_name(".cache")) / "seeded"


def schema_digest(metadata: Any, version: int = 1) -> str:
    """Short digest of the tables' columns and indexes (SQLAlchemy MetaData) and of the seeding
    helper's own `version`: a cached file is reused only for the same shape of rows."""
    parts = [f"v{version}"]
    for table in sorted(metadata.tables.values(), key=lambda t: t.name):
        parts.append(table.name + ":" + ",".join(f"{c.name}/{c.type}" for c in table.columns))
        parts.extend(sorted(f"ix:{ix.name}:{','.join(c.name for c in ix.columns)}" for ix in table.indexes))
    return hashlib.sha256("\n".join(parts).encode()).hexdigest()[:12]


def seeded_file(kind: str, size: int, digest: str, build: Callable[[Path], object], *,
                cache: Path | None = None) -> tuple[Path, dict[str, Any]]:
    """The cached SQLite file for (kind, size, digest), building it with `build(path)` when missing.

    Returns the path and {"seed_s": seconds the build took (when it was built), "cached": bool}."""
    root = cache or CACHE
    root.mkdir(parents=True, exist_ok=True)
    path = root / f"{kind}-{size}-{digest}.db"
    meta = path.with_suffix(".json")
    if path.exists() and meta.exists():
        info = json.loads(meta.read_text(encoding="utf-8"))
        return path, {**info, "cached": True}
    partial = path.with_suffix(f".building-{os.getpid()}")
    partial.unlink(missing_ok=True)
    t0 = time.perf_counter()
    try:
        build(partial)
        os.replace(partial, path)
    finally:
        partial.unlink(missing_ok=True)
        for suffix in ("-wal", "-shm", "-journal"):
            Path(f"{partial}{suffix}").unlink(missing_ok=True)
    info = {"seed_s": round(time.perf_counter() - t0, 1), "size": size, "kind": kind,
            "bytes": path.stat().st_size, "built_at": time.time()}
    meta.write_text(json.dumps(info), encoding="utf-8")
    return path, {**info, "cached": False}


def working_copy(cached: Path, target: Path) -> Path:
    """Copy the cached file where the run's bench reads and writes it."""
    target.parent.mkdir(parents=True, exist_ok=True)
    shutil.copyfile(cached, target)
    return target
