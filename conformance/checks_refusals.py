"""A refusal never yields a green report: every refusal a simulator recorded on an exchange
(``summary["refusal"]``, see ``simulators/core/refusal.py``) fails the requirement(s) it breaks, with
the simulator's own diagnosis.

The map below says, per service, which requirement(s) each refusal code breaks. Codes are those the
simulators raise (INSi fault catalogue names, XDS error codes, the ``reason`` of protocol errors,
``core.*`` codes of the shared middleware). ``tests/conformance/test_refusals.py`` walks the
simulators' code and fails on any refusal code missing from this map, so a new refusal path cannot be
added without saying what it means for the DUI. Refusals that are not the DUI's fault (an injected
fault, a service outage, a bench bug) are listed in ``NOT_A_DEFECT`` with the reason, and a refusal
whose ``origin`` is not ``dui`` is never held against the DUI.
"""

from __future__ import annotations

from typing import Any

from simulators.core.exchange import Exchange
from simulators.core.refusal import refusal_of

from conformance.checks import LIVE, AssertionFailed, Check

GENERIC = "bench@6"  # a refusal with no more precise requirement

# Protocol errors raised below the services (hardened XML, SOAP 1.2 envelope, MTOM/XOP packaging):
# the DMP records their ``reason`` as its refusal code.
_XML_SOAP = ("doctype", "too_deep", "too_large", "malformed", "bad_encoding", "empty", "truncated", "after_body",
             "bad_header", "body_children", "missing_body", "unqualified_header", "wsa_duplicate", "wsa_empty_action",
             "media_type",
             "fault_code_unknown", "fault_without_code", "not_a_fault", "version_mismatch", "must_understand",
             "sender", "soap_fault", "invalid")
_MTOM = ("boundary_missing", "boundary_not_found", "duplicate_cid", "no_parts", "part_too_large", "start_not_found",
         "too_many_parts", "unknown_cid", "xop_href_invalid", "xop_include_not_alone", "bad_base64")


def _each(codes: tuple[str, ...], ids: tuple[str, ...]) -> dict[str, tuple[str, ...]]:
    return dict.fromkeys(codes, ids)


REFUSAL_REQUIREMENTS: dict[str, dict[str, tuple[str, ...]]] = {
    "*": {
        "core.session_unknown": (GENERIC,),
        "core.too_large": ("bench@2",),
    },
    "ins": {
        "siram_100": ("insi@4",), "desir_550": ("insi@4",),  # IDAM unknown
        "desir_560": ("insi@6",),  # certificate CN is not INSI-AUTO / INSI-MANU
        "insi_24": ("insi@8",),  # sex format
        "bench_requete": ("insi@1",),
        "bench_contexte": ("insi@3", "insi@4", "insi@5"),  # narrowed by the message, see _REFINE
        "bench_action": ("insi@2",),
        "bench_authentification": ("insi@6",),
    },
    "dmp": {
        **_each(_XML_SOAP, ("dmp@1",)),
        **_each(_MTOM, ("dmp@12",)),
        **_each(("unknown_action", "wrong_endpoint", "unknown_endpoint", "empty_body", "not_iti18", "not_iti41",
                 "not_iti43", "not_submit_objects", "no_object_list", "hl7_structure", "hl7_no_patient",
                 "hl7_unknown_interaction", "habilitation_action", "habilitation_unknown", "retrieve_empty",
                 "retrieve_incomplete"), ("dmp@1",)),
        **_each(("vihf_missing", "vihf_attribute_missing", "vihf_version", "vihf_structure", "vihf_structure_id",
                 "vihf_sector", "vihf_role", "vihf_confidentiality", "vihf_time"), ("dmp@2",)),
        **_each(("vihf_resource_urn", "vihf_resource_id", "vihf_ins", "vihf_ins_oid"), ("dmp@3",)),
        **_each(("vihf_purpose", "vihf_auth_mode"), ("dmp@4",)),
        **_each(("vihf_signature", "vihf_unsigned", "vihf_issuer", "vihf_expired", "vihf_not_yet_valid",
                 "vihf_cert_untrusted", "vihf_cert_usage", "vihf_cert_revoked", "vihf_cert_expired"), ("dmp@5",)),
        "vihf_tls_mismatch": ("dmp@6",),
        "hl7_ae": (GENERIC,),  # HL7v3 patient transaction refused (narrowed by the message below)
        "XDSPatientIdDoesNotMatch": ("dmp@7",),
        "XDSUnknownPatientId": ("dmp@3",),
        "XDSRegistryMetadataError": ("dmp@8",),
        "two_ss": ("dmp@8",),
        **_each(("XDSNonIdenticalHash", "XDSNonIdenticalSize", "XDSMissingDocument", "XDSMissingDocumentMetadata",
                 "XDSDuplicateUniqueIdInRegistry", "XDSDocumentUniqueIdError", "document_duplicate",
                 "document_without_id"), ("dmp@9",)),
        **_each(("XDSMetadataUpdateError", "XDSMetadataVersionError"), ("dmp@14",)),
        "XDSTooManyResults": ("dmp@16",),
        **_each(("XDSRegistryError", "XDSStoredQueryMissingParam", "XDSStoredQueryParamNumber",
                 "XDSUnknownStoredQuery", "XDSUnknownRepositoryId", "XDSRepositoryError"), (GENERIC,)),
    },
    "mss": {  # SMTP submission: "smtp.<enhanced status>" (or the reply code when it has none)
        "smtp.538": ("mss@1",),  # AUTH before STARTTLS
        "smtp.5.7.8": ("mss@4",),  # authentication refused
        "smtp.5.7.1": ("parcours@1",),  # outside the trust space (narrowed below)
        "smtp.5.1.1": (GENERIC,),
        "smtp.5.1.3": (GENERIC,),
        "smtp.5.3.4": ("mss@15",),
        "smtp.5.6.0": ("mss@7",),
        "smtp.5.5.0": (GENERIC,),
        "smtp.5.5.1": (GENERIC,),  # command out of sequence (e.g. a second STARTTLS inside TLS)
        "smtp.5.5.2": (GENERIC,),  # bare LF: lines end with CRLF (RFC 5321 §2.3.8)
        "smtp.552": ("mss@15",),  # too much mail data
        "smtp.500": ("mss@7",),  # line too long (RFC 5322 §2.1.1)
        **_each(("smtp.501", "smtp.503"), (GENERIC,)),  # SMTP syntax / command order
        # IMAP: "imap.auth.<reason>" (authenticator and PSC token reasons), "imap.command" (NO / BAD)
        "imap.auth.cleartext": ("mss@1",),
        **_each(tuple(f"imap.auth.{r}" for r in ("refused", "mechanism", "malformed", "session", "mismatch", "mailbox",
                                                 "no-certificate", "algorithm", "signature", "issuer", "type",
                                                 "expired", "invalid")), ("mss@4",)),
        "imap.command": (GENERIC,),
    },
    "psc": {  # Pro Santé Connect token endpoint: "oauth.<error>"
        **_each(("oauth.invalid_grant", "oauth.unsupported_grant_type", "oauth.invalid_token", "oauth.invalid_client",
                 "oauth.invalid_request", "oauth.invalid_scope", "oauth.unknown_user_id", "oauth.expired_token"),
                ("mss@4",)),
    },
    "annuaire": {  # FHIR OperationOutcome: "fhir.<issue code>"
        "fhir.security": ("annuaire@1",),
        "fhir.login": ("annuaire@1",),
        "fhir.invalid": ("annuaire@2",),  # e.g. a parameter the gateway does not know (mailbox-mss-type)
        "fhir.not-supported": ("annuaire@2",),
        "fhir.forbidden": ("annuaire@2",),
        "fhir.not-found": (GENERIC,),
        "fhir.processing": (GENERIC,),
    },
    "ror": {
        **_each(("oauth.invalid_request", "oauth.invalid_client", "oauth.unsupported_grant_type"), ("ror@1",)),
        "fhir.login": ("ror@2",),
        "fhir.security": ("ror@3",),
        **_each(("fhir.forbidden", "fhir.invalid", "fhir.not-supported", "fhir.not-found", "fhir.too-costly",
                 "fhir.processing"), (GENERIC,)),
    },
}

# Refusals that are never the DUI's fault, with the reason (shown when a test asks).
NOT_A_DEFECT: dict[str, dict[str, str]] = {
    "*": {"core.internal": "erreur interne du simulateur (défaut du banc)",
          "injected": "défaut injecté volontairement par le banc"},
    "ins": {"insi_102": "erreur technique du service INSi (panne du service)",
            "desir_1020": "service INSi indisponible (panne du service)",
            "insi_111": "indisponibilité des téléservices (panne du service)",
            "bench_interne": "erreur interne du simulateur INSi (défaut du banc)"},
    "dmp": {},
    "mss": {"smtp.5.2.1": "boîte désactivée ou messagerie fermée : le logiciel doit traiter l'avis de non-remise "
                          "(jugé par socle@3), l'envoi n'est pas fautif",
            "smtp.5.3.0": "transaction refusée par une panne injectée"},
    "psc": {"oauth.temporarily_unavailable": "Pro Santé Connect indisponible (panne du service)",
            "oauth.authorization_pending": "CIBA : validation sur l'e-CPS en attente, le logiciel interroge à nouveau "
                                           "(réponse normale du protocole)",
            "oauth.slow_down": "CIBA : interrogation trop rapprochée signalée par le serveur (réponse du protocole)",
            "oauth.access_denied": "le professionnel a refusé la connexion sur son e-CPS (pas un défaut du logiciel)"},
    "annuaire": {"fhir.transient": "Annuaire Santé indisponible (panne du service)",
                 "fhir.exception": "erreur du simulateur (défaut du banc)"},
    "ror": {"fhir.transient": "ROR en maintenance (panne du service)",
            "fhir.timeout": "passerelle expirée (panne du service)",
            "fhir.throttled": "trop de requêtes (limitation du service)",
            "fhir.exception": "erreur du simulateur (défaut du banc)",
            "oauth.temporarily_unavailable": "serveur de jetons indisponible (panne du service)"},
}

# A code that covers several requirements is narrowed by the simulator's message when it names one.
_REFINE: dict[tuple[str, str], tuple[tuple[str, tuple[str, ...]], ...]] = {
    ("ins", "bench_contexte"): (("MessageID", ("insi@3",)), ("ContexteLPS", ("insi@4",)),
                                ("ContexteBAM", ("insi@5",))),
    ("mss", "smtp.5.7.1"): (("Boîte de l'expéditeur supprimée", (GENERIC,)), ("Expéditeur", ("mss@4",)),
                            ("Un patient ne peut pas", (GENERIC,)), ("clos cet échange", (GENERIC,))),
    ("mss", "smtp.5.1.1"): (("patient non trouvé", ("mss@14",)),),
    ("mss", "smtp.5.1.3"): (("INS attendu", ("mss@14",)),),
    ("dmp", "hl7_ae"): (("INS du message", ("dmp@3",)), ("autorisation d'accès", ("dmp@15",)),
                        ("connexion secrète", ("dmp@13",)), ("CONSENTEMENT", ("dmp@18",))),
    ("ror", "fhir.not-found"): (("page de résultats", ("ror@8",)),),
    ("ror", "fhir.invalid"): (("_include", ("ror@7",)), ("age-range", ("ror@6",))),
}


def requirements_for(service: str, code: str, message: str = "") -> tuple[str, ...]:
    """Requirement ids a DUI refusal breaks; ``()`` when it is not a defect; GENERIC when unknown."""
    for needle, ids in _REFINE.get((service, code), ()):
        if needle in message:
            return ids
    for scope in (service, "*"):
        if code in REFUSAL_REQUIREMENTS.get(scope, {}):
            return REFUSAL_REQUIREMENTS[scope][code]
        if code in NOT_A_DEFECT.get(scope, {}):
            return ()
    return (GENERIC,)


def dui_refusal(exchange: Exchange) -> dict[str, Any] | None:
    """The refusal recorded on the exchange when it is the DUI's doing (not injected, not the bench)."""
    refusal = refusal_of(exchange.summary)
    if refusal is None or refusal.get("origin", "dui") != "dui" or exchange.fault:
        return None
    return refusal


def _broken(exchange: Exchange) -> tuple[str, ...]:
    """Requirement ids the DUI's refusal breaks: the trigger of every refusal check (computed once per
    exchange by `run_live_checks`)."""
    refusal = dui_refusal(exchange)
    if refusal is None:
        return ()
    return requirements_for(exchange.service, str(refusal["code"]), str(refusal.get("message", "")))


def _refusal_check(requirement_id: str) -> Check:
    def refused(exchange: Exchange) -> None:
        refusal = dui_refusal(exchange) or {}
        message = str(refusal.get("message", ""))
        if "attendu" not in message:
            message = f"attendu une requête acceptée, obtenu un refus du simulateur : {message}"
        raise AssertionFailed(f"refus {refusal.get('code')} ({exchange.service} {exchange.operation}) — {message}",
                              [exchange.id], [str(refusal.get("code", ""))])

    refused.__name__ = f"refused_{requirement_id.replace('@', '_')}"
    return Check(f"refus.{requirement_id}", "*", LIVE, (requirement_id,), refused,
                 "le simulateur a refusé la requête (diagnostic du simulateur)",
                 trigger=(_broken, requirement_id))


def cited_requirements() -> list[str]:
    ids = {GENERIC}
    for table in REFUSAL_REQUIREMENTS.values():
        for value in table.values():
            ids.update(value)
    for rules in _REFINE.values():
        for _needle, value in rules:
            ids.update(value)
    return sorted(ids)


def checks() -> list[Check]:
    return [_refusal_check(requirement_id) for requirement_id in cited_requirements()]
