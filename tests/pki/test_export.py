"""The client bundle: a DUI outside the bench's container gets its certificates, never a CA or server key."""

from __future__ import annotations

import argparse
import io
import threading
import zipfile
from pathlib import Path
from wsgiref.simple_server import WSGIRequestHandler, make_server

import pytest
from flask import Flask

from simulators.core.pki import Pki
from simulators.core.pki.blueprint import crl_blueprint
from simulators.core.pki.cli import register
from simulators.core.pki.export import client_bundle, extract_bundle
from simulators.core.pki.store import PkiError


def test_bundle_holds_client_certificates_and_no_authority_or_server_key(pki: Pki, tmp_path: Path) -> None:
    names = zipfile.ZipFile(io.BytesIO(client_bundle(pki))).namelist()
    assert "trust.pem" in names and "index.json" in names and "ca/organisations.crl" in names
    assert not [n for n in names if n.startswith("ca/") and n.endswith(".key")]
    servers = [r for r in pki.records() if r.profile == "server"]
    clients = [r for r in pki.records() if r.profile != "server"]
    assert clients and all(rel in names for r in clients for rel in r.files.values())
    assert not [rel for r in servers for rel in r.files.values() if rel in names]
    copy = extract_bundle(client_bundle(pki), tmp_path / "copy")
    assert {r.name for r in copy.records()} == {r.name for r in clients}
    some = clients[0].name
    assert copy.certificate(some) == pki.certificate(some)
    assert copy.private_key(some).private_numbers() == pki.private_key(some).private_numbers()


@pytest.mark.parametrize("member", ["../evil.pem", "/etc/evil", "ca/../../evil"])
def test_hostile_bundle_paths_are_refused(tmp_path: Path, member: str) -> None:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr(member, b"x")
    with pytest.raises(PkiError, match="unsafe path"):
        extract_bundle(buffer.getvalue(), tmp_path / "pki")
    assert not (tmp_path / "evil.pem").exists()
    with pytest.raises(PkiError, match="not a PKI bundle"):
        extract_bundle(b"PK\x03\x04 broken", tmp_path / "pki2")


class _Quiet(WSGIRequestHandler):
    def log_message(self, *args: object) -> None:
        pass


def test_pki_fetch_downloads_a_running_bench_pki(pki: Pki, tmp_path: Path, capsys: pytest.CaptureFixture) -> None:
    app = Flask("admin")
    app.register_blueprint(crl_blueprint(pki), url_prefix="/_bench/pki")
    server = make_server("127.0.0.1", 0, app, handler_class=_Quiet)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        parser = argparse.ArgumentParser()
        register(parser.add_subparsers(dest="command"))
        args = parser.parse_args(["pki", "fetch", "--bench-url", f"http://127.0.0.1:{server.server_port}",
                                  "--dir", str(tmp_path / "fetched")])
        assert args.func(args) == 0
        bad = parser.parse_args(["pki", "fetch", "--bench-url", "http://127.0.0.1:9", "--dir", str(tmp_path / "x")])
        assert bad.func(bad) == 1
    finally:
        server.shutdown()
    assert "cannot fetch the PKI" in capsys.readouterr().err
    fetched = Pki.load(tmp_path / "fetched")
    assert fetched.trust_path.read_bytes() == pki.trust_path.read_bytes()
    assert (tmp_path / "fetched").stat().st_mode & 0o777 == 0o700
