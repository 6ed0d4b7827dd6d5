"""``parcours@`` checks: the rules the child-protection journeys exercise, judged on the exchanges.

They are part of the shipped catalogue (``requirements.csv``) and of ``default_registry()``: a
report on any session judges them, not only a journey run.
"""

from __future__ import annotations

import unicodedata
from functools import lru_cache
from typing import Any
from collections.abc import Iterable, Sequence

from simulators.core.exchange import Exchange
from simulators.identities.establishments import ESTABLISHMENTS
from simulators.identities.mssante import JUDICIARY_DOMAIN, fixed_domains

from conformance.checks import LIVE, SESSION, Check, Finding, expect_true, skip
from conformance.outcomes import Outcome

NEVER_DMP_WORDS = ("dipc", "contrat de sejour", "fiche contact", "projet pour l'enfant", "contrat d'accueil",
                   "cr educatif", "compte rendu educatif", "inventaire des effets", "recueil d'ip",
                   "information preoccupante", "rapport d'evaluation sociale", "fiche navette",
                   "protocole d'actions", "rapport d'echeance", "rapport au juge", "jugement")


def _fold(text: str) -> str:
    return unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode("ascii").lower().replace("’", "'")


@lru_cache(maxsize=1)
def trust_domains() -> frozenset[str]:
    """The MSSanté trust space of the world, from the specs alone: domain names do not depend on the
    seed, so no world needs drawing here."""
    domains = {d.name for d in fixed_domains() if d.in_trust_space}
    return frozenset(domains | {e.domain for e in ESTABLISHMENTS if e.domain and e.domain != JUDICIARY_DOMAIN})


def no_mss_outside_trust(exchange: Exchange) -> str:
    domains = trust_domains()
    recipients = [r for r in exchange.summary.get("recipients") or [] if isinstance(r, dict)]
    if not recipients:
        skip("aucun destinataire enregistré pour cet envoi")
    outside = [r["recipient"] for r in recipients if str(r.get("recipient", "")).rpartition("@")[2].lower() not in domains]
    expect_true(not outside, "attendu aucun destinataire hors de l'espace de confiance MSSanté, obtenu un envoi vers "
                f"{', '.join(outside)} (refusé par l'opérateur ; la Justice se contacte par courriel ordinaire)",
                evidence=outside)
    return f"{len(recipients)} destinataire(s) dans l'espace de confiance"


def _submitted_documents(exchange: Exchange) -> list[dict[str, Any]]:
    summary = exchange.summary
    documents = summary.get("documents") or summary.get("entries") or []
    return [d for d in documents if isinstance(d, dict)]


def _is_feed(exchange: Exchange) -> bool:
    name = exchange.operation.lower().replace("-", "").replace("_", "")
    return "iti41" in name or "provideandregister" in name


def no_educational_document_in_dmp(exchange: Exchange) -> str:
    documents = _submitted_documents(exchange)
    if not documents:
        skip("aucune fiche de document lisible dans le résumé du dépôt")
    wrong = []
    for document in documents:
        words = _fold(" ".join(str(document.get(k, "")) for k in ("title", "type_label", "type_code", "type")))
        if "export_dui" in words or any(w in words for w in NEVER_DMP_WORDS):
            wrong.append(str(document.get("title") or document.get("type_code")))
    expect_true(not wrong, "attendu aucun document éducatif ou social versé au DMP, obtenu : " + ", ".join(wrong),
                evidence=wrong)
    return f"{len(documents)} document(s) de santé versé(s)"


def dmp_after_qualification(exchanges: Sequence[Exchange]) -> Iterable[Finding]:
    """Every DMP call about an INS follows an INSi answer 00 for that INS earlier in the session."""
    if not any(e.service == "dmp" for e in exchanges):
        skip("aucun appel au DMP dans la session")
    qualified: set[str] = set()
    findings = []
    for exchange in sorted(exchanges, key=lambda e: (e.started_at, e.id)):
        if exchange.service == "ins" and exchange.summary.get("cr") == "00":
            qualified.add(str((exchange.summary.get("ins") or {}).get("matricule", "")))
        elif exchange.service == "dmp":
            ins = str(exchange.summary.get("patient_ins") or exchange.summary.get("ins") or "")
            if ins and ins not in qualified:
                findings.append(Finding(Outcome.FAIL, f"attendu une INS qualifiée avant d'utiliser le DMP, obtenu un appel "
                                        f"{exchange.operation} pour l'INS {ins} sans recherche INSi aboutie",
                                        (exchange.id,), (ins,)))
    return findings or [Finding(Outcome.PASS, "chaque appel au DMP suit une qualification de l'INS")]


def checks() -> list[Check]:
    return [
        Check("parcours.mss-hors-espace-de-confiance", "mss", LIVE, ("parcours@1",), no_mss_outside_trust,
              "aucun envoi MSSanté hors de l'espace de confiance", operations=("send",)),
        Check("parcours.dmp-documents-educatifs", "dmp", LIVE, ("parcours@2",), no_educational_document_in_dmp,
              "aucun document éducatif ou social au DMP", applies=_is_feed),
        Check("parcours.dmp-apres-qualification", "*", SESSION, ("parcours@3",), dmp_after_qualification,
              "DMP utilisé seulement avec une INS qualifiée", context=True),
    ]

