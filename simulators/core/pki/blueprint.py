"""HTTP publication of the test PKI, mounted on the admin app under /_bench/pki.

The CRL distribution points of every issued certificate point here, so a DUI that checks revocation
(MSSanté ECO.1.1.6, DMP EX_AIR-080) can fetch the CRLs exactly as it would from igc-sante.esante.gouv.fr.
"""

from __future__ import annotations

from cryptography.hazmat.primitives.serialization import Encoding
from flask import Blueprint, Response, abort

from .export import client_bundle
from .store import Pki, PkiError


def crl_blueprint(pki: Pki) -> Blueprint:
    bp = Blueprint("bench_pki", __name__, url_prefix="/pki")

    @bp.get("/<ca>.crl")
    def crl(ca: str) -> Response:
        try:
            pki.ensure_fresh_crls()
            data = pki.crl_path(ca).read_bytes()
        except PkiError:
            abort(404)
        return Response(data, mimetype="application/pkix-crl",
                        headers={"Cache-Control": "max-age=60"})

    @bp.get("/<ca>.crt")
    def ca_certificate(ca: str) -> Response:
        try:
            data = pki.authority_certificate(ca).public_bytes(Encoding.DER)
        except PkiError:
            abort(404)
        return Response(data, mimetype="application/pkix-cert")

    @bp.get("/trust.pem")
    def trust_bundle() -> Response:
        """Root + intermediates in one PEM file, what a DUI imports as its trust store."""
        return Response(pki.trust_path.read_bytes(), mimetype="application/x-pem-file")

    @bp.get("/client-bundle.zip")
    def client_certificates() -> Response:
        """Trust store, CRLs and the test DUI's certificates (no authority or server key)."""
        pki.ensure_fresh_crls()
        return Response(client_bundle(pki), mimetype="application/zip",
                        headers={"Content-Disposition": 'attachment; filename="socle-bench-pki.zip"',
                                 "Cache-Control": "no-store"})

    return bp
