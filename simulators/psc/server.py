"""Pro Santé Connect over HTTP (Flask): the Keycloak realm `esante-wallet` paths of the real
service (mss.md §2.3, [S6]) plus the wallet's `/auth` login page. Every endpoint the discovery
document advertises is served here; every refusal is an OAuth error (RFC 6749 §5.2 JSON, or a
redirect with `error=` for the authorization endpoint once the redirect URI is trusted)."""

from __future__ import annotations

import json
from typing import Any

from flask import Blueprint, Flask, Response, current_app, jsonify, redirect, request
from markupsafe import escape
from werkzeug.exceptions import HTTPException
from werkzeug.wrappers import Response as BaseResponse  # what redirect() returns (flask's Response derives from it)

from simulators.core.flaskapp import flask_app
from simulators.core.refusal import refuse_in
from simulators.core.service import request_context

from .codec import (
    OIDC, REALM, WALLET_AUTH, absolute_http_uri, add_query, basic_credentials, discovery_document, error_body,
    grant_types,
)
from .model import CIBA_GRANT, OAuthError
from .rules import ProSanteConnect, RedirectError
from .tokens import USERINFO_CLAIMS

FAULTS = {
    "ciba_refus": "CIBA : le professionnel refuse la demande sur son application e-CPS",
    "indisponible": "Pro Santé Connect indisponible (503 temporarily_unavailable)",
}
bp = Blueprint("psc", __name__)


def _psc() -> ProSanteConnect:
    return current_app.extensions["psc"]


def _ctx():  # the bench's RequestContext
    return request_context(request.environ)


def _oauth_error(exc: OAuthError) -> Response:
    response = jsonify(error_body(exc))
    response.status_code = exc.status
    response.headers["Cache-Control"] = "no-store"
    if exc.status == 401:
        response.headers["WWW-Authenticate"] = (f'Bearer error="{exc.error}"' if exc.error == "invalid_token"
                                                else 'Basic realm="esante-wallet"')
    _ctx().summary.update(granted=False, error=exc.error)
    refuse_in(request.environ, f"oauth.{exc.error}", exc.description)
    return response


@bp.errorhandler(OAuthError)
def _handle_oauth_error(exc: OAuthError) -> Response:
    return _oauth_error(exc)


def _form() -> dict[str, str]:
    return dict(request.form.items())


def _unavailable() -> bool:
    """An injected fault, rendered as PSC would fail: 503 temporarily_unavailable. `ciba_refus` is
    not an outage: the backchannel endpoint turns it into a refused request (elsewhere it is moot)."""
    decision = _ctx().fault()
    if decision.action in ("error", "fault"):
        _ctx().fault_rendered = True
        return decision.fault != "ciba_refus"
    return False


def _base() -> str:
    return request.host_url.rstrip("/") + _ctx().base_path


@bp.get(REALM + "/.well-known/wallet-openid-configuration")
@bp.get(REALM + "/.well-known/openid-configuration")
def discovery() -> Response:
    _ctx().operation = "discovery"
    psc = _psc()
    document = discovery_document(issuer=psc.issuer.issuer, base=_base(), claims=list(USERINFO_CLAIMS),
                                  grants=grant_types(allow_test_password_grant=psc.options.allow_test_password_grant))
    return jsonify(document)


@bp.get(OIDC + "/certs")
def certs() -> Response:
    _ctx().operation = "jwks"
    return jsonify(_psc().issuer.jwks())


# -- authorization endpoint and the e-CPS login page -----------------------------------------
PAGE = """<!doctype html><html lang="fr"><head><meta charset="utf-8"><title>Pro Santé Connect (banc de test)</title>
<style>body{{font-family:sans-serif;max-width:32em;margin:3em auto}}label{{display:block;margin-top:1em}}
input,select{{width:100%;padding:.4em}}.erreur{{color:#a00}}</style></head><body>
<h1>Pro Santé Connect</h1><p>Connexion avec votre <strong>e-CPS</strong> (simulée par socle-bench).</p>
{error}<form method="post" action="{action}"><input type="hidden" name="request_id" value="{request_id}">
<label for="identifier">Identifiant national (RPPS)</label>
<input id="identifier" name="identifier" list="professionnels" autocomplete="username" required>
<datalist id="professionnels">{options}</datalist>
<label for="code">Code e-CPS</label><input id="code" name="code" type="password" required>
<p><button id="se-connecter" type="submit">Se connecter</button></p></form></body></html>"""


def _login_page(request_id: str, error: str = "", status: int = 200) -> Response:
    options = "".join(f'<option value="{escape(u.national_id)}">{escape(u.first_name)} {escape(u.last_name)} '
                      f'— {escape(u.profession_label)}</option>' for u in _psc().directory.users)
    body = PAGE.format(action=escape(_ctx().base_path + request.path), request_id=escape(request_id),
                       options=options, error=f'<p class="erreur" role="alert">{escape(error)}</p>' if error else "")
    return Response(body, status=status, mimetype="text/html")


def _error_page(exc: OAuthError) -> Response:
    _ctx().summary.update(granted=False, error=exc.error)
    body = (f'<!doctype html><html lang="fr"><head><meta charset="utf-8"><title>Erreur</title></head><body>'
            f'<h1>Demande refusée</h1><p>{escape(exc.error)} : {escape(exc.description)}</p></body></html>')
    return Response(body, status=400 if exc.status == 302 else exc.status, mimetype="text/html")


@bp.route(OIDC + "/auth", methods=["GET", "POST"])
@bp.route(WALLET_AUTH, methods=["GET", "POST"])
def authorize() -> BaseResponse:
    ctx = _ctx()
    psc = _psc()
    if request.method == "POST" and request.form.get("request_id"):
        ctx.operation = "login"
        try:
            auth, code = psc.login(request.form["request_id"], request.form.get("identifier", ""),
                                   request.form.get("code", ""))
        except OAuthError as exc:
            if exc.error == "access_denied":
                ctx.summary.update(granted=False, identifier=request.form.get("identifier", "")[:64])
                return _login_page(request.form["request_id"], exc.description, status=401)
            return _error_page(exc)
        ctx.summary.update(granted=True, client_id=auth.client_id)
        return redirect(add_query(auth.redirect_uri, {"code": code, "state": auth.state, "iss": psc.issuer.issuer}))
    ctx.operation = "authorize"
    params = dict((request.form if request.method == "POST" else request.args).items())
    try:
        _check_session(psc, ctx.session, params)
        auth = psc.authorize(params, ctx.session)
    except RedirectError as exc:
        ctx.summary.update(granted=False, error=exc.error)
        return redirect(add_query(exc.request.redirect_uri, {"error": exc.error, "error_description": exc.description,
                                                             "state": exc.request.state, "iss": psc.issuer.issuer}))
    except OAuthError as exc:
        return _error_page(exc)
    return _login_page(auth.request_id)


SESSION_SECRET_HEADER = "X-Bench-Session-Secret"  # the admin API's header (core.admin_auth.SECRET_HEADER)


def _check_session(psc: ProSanteConnect, session: str, form: Any) -> None:
    """A token opens the session's mailboxes: for a protected bench session, only with its secret
    (header, or `session_secret` where a browser cannot set headers)."""
    secret = request.headers.get(SESSION_SECRET_HEADER, "") or str(form.get("session_secret", "") or "")
    if not psc.session_allowed(session or "default", secret):
        raise OAuthError(401, "invalid_client", f"session de banc protégée {session[:60]!r} : secret de session "
                                                f"requis ({SESSION_SECRET_HEADER} ou session_secret)")


# -- token endpoint ------------------------------------------------------------------------
@bp.post(OIDC + "/token")
def token() -> Response:
    ctx = _ctx()
    form = _form()
    grant = form.get("grant_type", "")
    ctx.operation = f"token.{grant[:40] or 'unknown'}"
    if _unavailable():
        raise OAuthError(503, "temporarily_unavailable", "Pro Santé Connect indisponible (panne injectée)")
    psc = _psc()
    basic = basic_credentials(request.headers.get("Authorization", ""))
    if grant == "authorization_code":
        body = psc.exchange_code(form, psc.authenticate_client(form, basic))
    elif grant == CIBA_GRANT:
        body = psc.ciba_token(form, psc.authenticate_client(form, basic))
    elif grant == "refresh_token":
        client = psc.authenticate_client(form, basic) if (basic or form.get("client_id")) else None
        body = psc.refresh(form, client)
    elif grant == "password":
        ttl = form.get("expires_in")
        _check_session(psc, form.get("session", "") or ctx.session, form)
        body = psc.password(form, form.get("session", "") or ctx.session,
                            int(ttl) if ttl and ttl.lstrip("-").isdigit() and len(ttl) < 10 else None)
    else:
        raise OAuthError(400, "unsupported_grant_type", f"grant_type non pris en charge : {grant[:60]!r}")
    ctx.summary.update(granted=True, grant=grant)
    response = jsonify(body)
    response.headers["Cache-Control"] = "no-store"
    response.headers["Pragma"] = "no-cache"
    return response


@bp.post(OIDC + "/ext/ciba/auth")
def backchannel_authentication() -> Response:
    ctx = _ctx()
    ctx.operation = "ciba.auth"
    if _unavailable():
        raise OAuthError(503, "temporarily_unavailable", "Pro Santé Connect indisponible (panne injectée)")
    refused = ctx.decision is not None and ctx.decision.action == "fault" and ctx.decision.fault == "ciba_refus"
    if refused:
        ctx.fault_rendered = True
    psc = _psc()
    form = _form()
    client = psc.authenticate_client(form, basic_credentials(request.headers.get("Authorization", "")))
    _check_session(psc, ctx.session, form)
    body = psc.backchannel(form, client, ctx.session, refused=refused)
    ctx.summary.update(login_hint=form.get("login_hint", "")[:64], refused=refused)
    return jsonify(body)


# -- resource side -------------------------------------------------------------------------
def _bearer() -> str:
    auth = request.headers.get("Authorization", "")
    if auth.lower().startswith("bearer "):
        return auth[7:].strip()
    return request.form.get("access_token", "") if request.method == "POST" else ""


@bp.route(OIDC + "/userinfo", methods=["GET", "POST"])
def userinfo() -> Response:
    _ctx().operation = "userinfo"
    return jsonify(_psc().userinfo(_bearer()))


@bp.post(OIDC + "/token/introspect")
def introspect() -> Response:
    _ctx().operation = "introspect"
    psc = _psc()
    form = _form()
    basic = basic_credentials(request.headers.get("Authorization", ""))
    if basic or form.get("client_id"):
        psc.authenticate_client(form, basic)
    result = psc.introspect(form.get("token", ""))
    _ctx().summary.update(active=result["active"])
    return jsonify(result)


@bp.route(OIDC + "/logout", methods=["GET", "POST"])
def end_session() -> BaseResponse:
    _ctx().operation = "logout"
    params: dict[str, Any] = dict(request.values.items())
    sid = _psc().end_session(str(params.get("id_token_hint", "")))
    _ctx().summary.update(sid=sid)
    target = str(params.get("post_logout_redirect_uri", ""))
    if target:
        if not absolute_http_uri(target):
            raise OAuthError(400, "invalid_request", "post_logout_redirect_uri invalide")
        return redirect(add_query(target, {"state": str(params.get("state", ""))}))
    return Response('<!doctype html><html lang="fr"><meta charset="utf-8"><title>Déconnexion</title>'
                    "<p>Vous êtes déconnecté de Pro Santé Connect.</p></html>", mimetype="text/html")


def oauth_render_error(status: int, message: str, _ctx: Any) -> tuple[int, list[tuple[str, str]], bytes]:
    """The middleware's errors (injected faults, body limits, bench bugs) in the OAuth shape."""
    error = "temporarily_unavailable" if status == 503 else "server_error" if status >= 500 else "invalid_request"
    body = json.dumps({"error": error, "error_description": message}, ensure_ascii=False).encode("utf-8")
    return status, [("Content-Type", "application/json"), ("Cache-Control", "no-store")], body


def _http_error(exc: HTTPException) -> Response:
    response = jsonify({"error": "invalid_request", "error_description": f"{exc.code} {exc.name}"})
    response.status_code = exc.code or 400
    return response


def create_app(psc: ProSanteConnect) -> Flask:
    app = flask_app("psc")
    app.extensions["psc"] = psc
    app.register_blueprint(bp)
    app.register_error_handler(HTTPException, _http_error)
    return app
