"""PSC's tokens (access, refresh, ID token) and the claims the real PSC puts in them.

Signed with ES256 through the shared JOSE codec (`simulators.codecs.jose`, PyJWT). Lifetimes are
options: access 300 s by default (DevBox-Santé: the PSC token "est généralement valable 4-5
minutes", mss.md §2.3 [S9]), refresh 1800 s. `acr` is `eidas1`, the connector's default level
(ANS keycloak-prosanteconnect `psc.properties`, mss.md [S6]).

Claim names follow what PSC publishes: `SubjectNameID` carries the professional's national id
(ANS "Introspection" page: present when the access token is introspected), `SubjectRefPro` the
professional situation (exercices / activities, from the Annuaire Santé: "Identifiant national :
RPPS (ou ADELI)", "type d'activité (salarié ou libéral) et lieu d'activité" — data.gouv.fr API
Pro Santé Connect). The nested field names of `SubjectRefPro` are the best-supported reading and
UNCONFIRMED in detail. `sub` is the national id (PSC calls it the user's "identifiant technique";
the bench uses the national id so it is stable and never the mail address). `email` and `session`
are bench additions: the mailbox the MSSanté operator maps the login to, and the test session.
"""

from __future__ import annotations

import time
import uuid
from dataclasses import dataclass
from typing import Any

from simulators.codecs import jose
from simulators.codecs.jose import JoseError, SigningKey

from .model import PscUser

ISSUER = "https://psc.socle-bench.test/auth/realms/esante-wallet"
AUDIENCE = "mssante"
ACCESS_TTL_S = 300
REFRESH_TTL_S = 1800
ACR = "eidas1"
SCOPE = "openid scope_all"
TokenError = JoseError  # historical name (simulators.mss.psc_tokens)


def refpro(user: PscUser) -> dict[str, Any]:
    activity = {"codeModeExercice": "S" if user.organisation_id else "L", "codeSecteurDActivite": "",
                "codeSectionPharmacien": "", "codeRole": "", "numeroSiretSite": "", "numeroSirenSite": "",
                "numeroFinessSite": user.finess, "numeroFinessetablissementJuridique": "",
                "identifiantTechniqueDeLaStructure": user.organisation_id, "raisonSocialeSite": user.organisation_name,
                "enseigneCommercialeSite": ""}
    exercise = {"codeProfession": user.profession_code, "codeCategorieProfessionnelle": "C",
                "codeCiviliteDExercice": user.civility, "nomDExercice": user.last_name.upper(),
                "prenomDExercice": user.first_name, "codeTypeSavoirFaire": "S" if user.specialty_code else "",
                "codeSavoirFaire": user.specialty_code, "activities": [activity]}
    return {"codeCivilite": user.civility, "exercices": [exercise]}


def identity_claims(user: PscUser) -> dict[str, Any]:
    """The identity part of PSC's tokens and userinfo for a professional."""
    return {"sub": user.national_id, "SubjectNameID": user.national_id, "preferred_username": user.national_id,
            "given_name": user.first_name, "family_name": user.last_name.upper(),
            "SubjectOrganization": user.organisation_name, "SubjectRefPro": refpro(user),
            "otherIds": [{"identifiant": user.rpps, "origine": "RPPS", "qualite": 1}] if user.rpps else [],
            "email": user.email}


USERINFO_CLAIMS = ("sub", "SubjectNameID", "preferred_username", "given_name", "family_name",
                   "SubjectOrganization", "SubjectRefPro", "otherIds", "email", "acr")


@dataclass
class PscIssuer:
    """Issues and verifies PSC tokens with one persisted key (see `store.signing_key`)."""

    key: SigningKey
    issuer: str = ISSUER
    access_ttl_s: int = ACCESS_TTL_S
    refresh_ttl_s: int = REFRESH_TTL_S
    leeway_s: float = 0.0

    @property
    def kid(self) -> str:
        return self.key.kid

    def jwks(self) -> dict[str, Any]:
        return jose.jwks([self.key])

    def sign(self, claims: dict[str, Any]) -> str:
        return jose.sign(claims, self.key)

    def issue(self, subject: str, *, email: str, session: str = "", ttl_s: int | None = None,
              now: float | None = None, extra: dict[str, Any] | None = None, client_id: str = "socle-bench-dui",
              scope: str = SCOPE, nonce: str = "", sid: str = "", auth_time: int | None = None) -> dict[str, Any]:
        """An OAuth token response (access + refresh + ID token), PSC-shaped claims."""
        now = time.time() if now is None else now
        ttl = self.access_ttl_s if ttl_s is None else ttl_s
        sid = sid or str(uuid.uuid4())
        base: dict[str, Any] = {"iss": self.issuer, "sub": subject, "iat": int(now), "jti": str(uuid.uuid4()),
                                "auth_time": int(now) if auth_time is None else auth_time, "email": email,
                                "preferred_username": subject, "SubjectNameID": subject, "acr": ACR, "azp": client_id,
                                "scope": scope, "sid": sid, "session_state": sid}
        if session:
            base["session"] = session
        base.update(extra or {})
        access = dict(base, typ="Bearer", aud=AUDIENCE, exp=int(now + ttl))
        refresh = {k: v for k, v in base.items() if k not in ("SubjectRefPro",)}
        refresh.update(typ="Refresh", aud=self.issuer, exp=int(now + self.refresh_ttl_s), jti=str(uuid.uuid4()))
        response: dict[str, Any] = {"access_token": self.sign(access), "refresh_token": self.sign(refresh),
                                    "token_type": "Bearer", "expires_in": ttl,
                                    "refresh_expires_in": self.refresh_ttl_s, "scope": scope,
                                    "session_state": sid, "not-before-policy": 0}
        if "openid" in scope.split():
            id_claims = dict(base, typ="ID", aud=client_id, exp=int(now + ttl), jti=str(uuid.uuid4()))
            if nonce:
                id_claims["nonce"] = nonce
            response["id_token"] = self.sign(id_claims)
        return response

    def verify(self, token: str, *, typ: str = "Bearer", now: float | None = None,
               check_expiry: bool = True) -> dict[str, Any]:
        claims = jose.verify(token, [self.key], issuer=self.issuer, now=now, leeway=self.leeway_s,
                             check_expiry=check_expiry)
        if claims.get("typ") != typ:
            raise JoseError("type", f"jeton de type {str(claims.get('typ'))[:20]!r}, {typ!r} attendu")
        return claims
