"""Mock Pro Santé Connect (Keycloak realm `esante-wallet`): discovery, token, refresh, JWKS, userinfo.

The real PSC authenticates a person with a CPS card or e-CPS in a browser; a test bench cannot, so
the token endpoint takes the Resource Owner Password grant: `username` is the MSSanté address
(PER/ORG) and `password` the bench e-CPS code (option `psc_password`, default `socle-bench`).
Test-only parameters: `expires_in` (seconds, may be negative to get an already expired token) and
`session` (the bench session the token opens on SMTP/IMAP).
"""

from __future__ import annotations

from collections.abc import Callable

from flask import Flask, jsonify, request

from simulators.core.refusal import refuse_in

from simulators.core.service import request_context

from .psc_tokens import PscIssuer, TokenError

REALM = "/auth/realms/esante-wallet"
OIDC = REALM + "/protocol/openid-connect"
KnownAddress = Callable[[str, str], bool]  # (session, address) -> the box exists and is PER/ORG/CAB


def _error(status: int, error: str, description: str):  # noqa: ANN202 - Flask response tuple
    refuse_in(request.environ, f"oauth.{error}", description)
    return jsonify({"error": error, "error_description": description}), status


def create_app(issuer: PscIssuer, *, known_address: KnownAddress, password: str = "socle-bench") -> Flask:
    app = Flask("psc")

    def discovery():  # noqa: ANN202
        request_context(request.environ).operation = "discovery"
        base = request.host_url.rstrip("/") + request_context(request.environ).base_path
        return jsonify({"issuer": issuer.issuer, "token_endpoint": base + OIDC + "/token",
                        "userinfo_endpoint": base + OIDC + "/userinfo", "jwks_uri": base + OIDC + "/certs",
                        "introspection_endpoint": base + OIDC + "/token/introspect",
                        "authorization_endpoint": base + REALM + "/protocol/openid-connect/auth",
                        "grant_types_supported": ["password", "refresh_token"],
                        "id_token_signing_alg_values_supported": ["ES256"], "acr_values_supported": ["eidas1"]})

    app.add_url_rule(REALM + "/.well-known/wallet-openid-configuration", "wallet-discovery", discovery)
    app.add_url_rule(REALM + "/.well-known/openid-configuration", "discovery", discovery)

    @app.get(OIDC + "/certs")
    def certs():  # noqa: ANN202
        request_context(request.environ).operation = "jwks"
        return jsonify(issuer.jwks())

    @app.post(OIDC + "/token")
    def token():  # noqa: ANN202
        ctx = request_context(request.environ)
        grant = request.form.get("grant_type", "")
        ctx.operation = f"token.{grant or 'unknown'}"
        decision = ctx.fault()
        if decision.action in ("fault", "error"):
            ctx.fault_rendered = True
            return _error(503, "temporarily_unavailable", "Pro Santé Connect indisponible (panne injectée)")
        ttl = request.form.get("expires_in", type=int)
        if grant == "password":
            username, secret = request.form.get("username", "").strip().lower(), request.form.get("password", "")
            session = request.form.get("session", "") or ctx.session
            if secret != password or not known_address(session, username):
                ctx.summary.update(granted=False, username=username)
                return _error(401, "invalid_grant", "identifiants e-CPS invalides ou boîte inconnue")
            response = issuer.issue(username, email=username, session=session, ttl_s=ttl)
            ctx.summary.update(granted=True, username=username, session=session)
            return jsonify(response)
        if grant == "refresh_token":
            try:
                claims = issuer.verify(request.form.get("refresh_token", ""), typ="Refresh")
            except TokenError as exc:
                ctx.summary.update(granted=False, reason=exc.reason)
                return _error(400, "invalid_grant", str(exc))
            ctx.summary.update(granted=True, username=claims.get("email"), refreshed=True)
            return jsonify(issuer.issue(claims["sub"], email=claims.get("email", ""),
                                        session=claims.get("session", ""), ttl_s=ttl))
        return _error(400, "unsupported_grant_type", f"grant_type non pris en charge : {grant!r}")

    @app.route(OIDC + "/userinfo", methods=["GET", "POST"])
    def userinfo():  # noqa: ANN202
        request_context(request.environ).operation = "userinfo"
        auth = request.headers.get("Authorization", "")
        try:
            claims = issuer.verify(auth[7:] if auth.lower().startswith("bearer ") else "")
        except TokenError as exc:
            return _error(401, "invalid_token", str(exc))
        return jsonify({k: claims[k] for k in ("sub", "email", "preferred_username", "SubjectNameID") if k in claims})

    @app.post(OIDC + "/token/introspect")
    def introspect():  # noqa: ANN202
        request_context(request.environ).operation = "introspect"
        try:
            claims = issuer.verify(request.form.get("token", ""))
        except TokenError:
            return jsonify({"active": False})
        return jsonify(dict(claims, active=True))

    return app
