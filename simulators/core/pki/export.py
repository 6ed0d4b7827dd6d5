"""The client side of the test PKI as one archive: what a DUI (or a CI job) needs to talk to the bench.

A bench in a container keeps its PKI on its own volume; a DUI outside needs the trust store, the CRLs and
the client certificates (AUTH_CLI, SIGN, CPS, with keys and PKCS#12). The archive is a PKI directory laid
out like the bench's own (``socle-bench pki list --dir`` and ``--bench-pki`` read it), without the
authorities' private keys and without the server keys: holding it lets a client *be* a test DUI, never
issue certificates or impersonate the bench.
"""

from __future__ import annotations

import io
import json
import zipfile
from pathlib import Path, PurePosixPath

from .store import Pki, PkiError

SERVER_PROFILE = "server"
BUNDLE_LIMIT = 16 * 1024 * 1024  # bytes, all members together; the default PKI is ~200 KB


def client_bundle(pki: Pki) -> bytes:
    """Zip of the PKI directory minus every private key a client must not hold."""
    for prepare in pki.bundle_preparers:
        prepare(pki)
    index = json.loads(pki.index_path.read_text(encoding="utf-8"))
    kept = {name: data for name, data in index["certificates"].items() if data.get("profile") != SERVER_PROFILE}
    members: dict[str, bytes] = {"index.json": json.dumps({**index, "certificates": kept}, indent=2).encode()}
    for rel in ("trust.pem", "crls.pem"):
        if (pki.directory / rel).exists():
            members[rel] = (pki.directory / rel).read_bytes()
    for path in sorted((pki.directory / "ca").glob("*")):
        if path.suffix != ".key" and path.is_file():
            members[f"ca/{path.name}"] = path.read_bytes()
    for data in kept.values():
        for rel in data.get("files", {}).values():
            members[rel] = (pki.directory / rel).read_bytes()
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        for name, content in members.items():
            archive.writestr(name, content)
    return buffer.getvalue()


def extract_bundle(data: bytes, directory: Path) -> Pki:
    """Unpack a client bundle into ``directory`` (paths and sizes checked) and open it."""
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
    except zipfile.BadZipFile as exc:
        raise PkiError(f"not a PKI bundle: {exc}") from exc
    infos = archive.infolist()
    if sum(info.file_size for info in infos) > BUNDLE_LIMIT:
        raise PkiError("PKI bundle too large")
    for info in infos:
        rel = PurePosixPath(info.filename)
        if rel.is_absolute() or ".." in rel.parts or info.is_dir() or not rel.parts:
            raise PkiError(f"unsafe path in PKI bundle: {info.filename!r}")
    directory.mkdir(parents=True, exist_ok=True)
    directory.chmod(0o700)
    for info in infos:
        target = directory.joinpath(*PurePosixPath(info.filename).parts)
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(archive.read(info))
        if target.suffix in (".key", ".p12"):
            target.chmod(0o600)
    return Pki.load(directory)
