"""The INSi fault catalogue (insi.md §2.5) and its rendering as SOAP 1.2 Faults with ``siram:Erreur``.

The observed faults keep their recorded code, subcode, severity (including the live server's
non-schema ``fatal``) and texts. A few faults the real service surely has but that no public source
shows (malformed request, missing context header, Action/body mismatch) are marked ``bench`` in
their name: they follow the same envelope so a client's fault handling is exercised, but their codes
are the bench's own invention and say so.

Two wire styles: ``2026`` (``soap:`` prefixes, ``xml:lang="fr"``, the live format since ~2026) and
``legacy`` (``S:`` prefixes, ``xml:lang="en"``).
"""

from __future__ import annotations

from dataclasses import dataclass

from simulators.core.errors import BenchError
from simulators.codecs.soap import SOAP11_NS, SOAP12_NS

from simulators.ins.model import NS_SIRAM, XML_DECLARATION

UNAVAILABLE = ("Le service est temporairement inaccessible. Veuillez renouveler votre demande ultérieurement. "
               "Si le problème persiste, contactez l'éditeur du progiciel ou votre responsable informatique.")
FAULT_STYLES = ("2026", "legacy")


@dataclass(frozen=True)
class FaultSpec:
    name: str
    code: str  # Sender | Receiver
    subcode: str  # siram_NNN, written as soap:siram_NNN
    erreur_code: str  # siram:Erreur@code
    severite: str
    reason: str
    text: str  # siram:Erreur text content
    description: str  # French, for the fault-injection catalogue
    status: int = 500


_SPECS = (
    FaultSpec("siram_100", "Sender", "siram_100", "desir_550", "erreur",
              "L'accès par ce progiciel au service n'est pas autorisé. Contactez l'éditeur du progiciel ou "
              "votre responsable informatique.", "Numéro d'autorisation du logiciel inconnu.",
              "IDAM (numéro d'autorisation CNDA) inconnu : siram_100 / desir_550"),
    FaultSpec("desir_560", "Sender", "siram_100", "DESIR_560", "erreur", "Niveau d'accès insuffisant",
              "Vous ne disposez pas des droits suffisants pour accéder à ce service",
              "CN du certificat différent de INSI-AUTO / INSI-MANU : DESIR_560 (sous-code non observé)"),
    FaultSpec("insi_102", "Receiver", "siram_40", "insi_102", "fatal", UNAVAILABLE,
              "L'appel au service de recherche avec les traits d'identité renvoie une erreur technique.",
              "Erreur technique du service de recherche : siram_40 / insi_102 (sévérité « fatal »)"),
    FaultSpec("desir_1020", "Sender", "siram_40", "desir_1020", "fatale", UNAVAILABLE,
              "Le service appelé est temporairement indisponible",
              "Service indisponible : siram_40 / desir_1020 (sévérité « fatale »)"),
    FaultSpec("insi_24", "Sender", "siram_40", "insi_24", "erreur", "le format du champ sexe est incorrect",
              "le format du champ sexe est incorrect",
              "Sexe vide ou invalide : insi_24 (enveloppe non confirmée)"),
    FaultSpec("insi_111", "Receiver", "siram_40", "insi_111", "fatale", "Indisponibilité des téléservices",
              "Indisponibilité des téléservices", "Indisponibilité des téléservices : insi_111 (non confirmé)"),
    FaultSpec("bench_requete", "Sender", "siram_40", "bench_requete", "erreur",
              "La requête n'est pas conforme au contrat du service.", "Requête invalide.",
              "Requête mal formée ou invalide (code propre au banc)"),
    FaultSpec("bench_contexte", "Sender", "siram_40", "bench_contexte", "erreur",
              "Les en-têtes de contexte de la requête sont absents ou incomplets.", "Contexte invalide.",
              "En-tête ContexteLPS / ContexteBAM / MessageID absent ou incomplet (code propre au banc)"),
    FaultSpec("bench_action", "Sender", "siram_40", "bench_action", "erreur",
              "L'action demandée ne correspond pas au contenu de la requête.", "Action invalide.",
              "wsa:Action inconnue ou incohérente avec l'élément du corps (code propre au banc)"),
    FaultSpec("bench_authentification", "Sender", "siram_100", "bench_authentification", "erreur",
              "Authentification refusée.", "Assertion absente, invalide ou expirée.",
              "Profil CPx : assertion SAML absente, mal signée ou expirée (code propre au banc)"),
    FaultSpec("bench_interne", "Receiver", "siram_40", "bench_interne", "fatale", UNAVAILABLE,
              "Erreur interne du simulateur.", "Erreur interne du simulateur (code propre au banc)"),
)
FAULTS: dict[str, FaultSpec] = {spec.name: spec for spec in _SPECS}
FAULTS["desir_550"] = FAULTS["siram_100"]  # the Erreur code is the name vendors know


def catalogue() -> dict[str, str]:
    """Name -> French description, for `rt.faults.register_catalogue`."""
    return {name: spec.description for name, spec in FAULTS.items()}


def _escape(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace('"', "&quot;")


def render_fault(spec: FaultSpec, message_id: str = "", *, style: str = "2026", detail: str = "") -> bytes:
    """Bytes of the Fault envelope, as recorded (padoa/tlsi-ins service-errors fixtures, insi.md §2.5).

    ``2026``: ``<soap:Envelope><env:Body xmlns:env><soap:Fault>``, ``xml:lang="fr"``, Erreur attributes
    code, messageID, severite. ``legacy``: ``<env:Body xmlns:S xmlns:env><S:Fault xmlns:ns4=…>``,
    ``xml:lang="en"``, attributes severite, code. ``detail`` replaces the Erreur text (validation messages).
    """
    mid = f' messageID="{_escape(message_id)}"' if message_id else ""
    text = _escape(detail or spec.text)
    if style == "legacy":
        p, lang = "S", "en"
        body = f'<env:Body xmlns:S="{SOAP12_NS}" xmlns:env="{SOAP12_NS}"><S:Fault xmlns:ns4="{SOAP11_NS}">'
        erreur = (f'<siram:Erreur severite="{_escape(spec.severite)}" code="{_escape(spec.erreur_code)}"{mid} '
                  f'xmlns:siram="{NS_SIRAM}">{text}</siram:Erreur>')
    else:
        p, lang = "soap", "fr"
        body = f'<env:Body xmlns:env="{SOAP12_NS}"><soap:Fault>'
        erreur = (f'<siram:Erreur code="{_escape(spec.erreur_code)}"{mid} severite="{_escape(spec.severite)}" '
                  f'xmlns:siram="{NS_SIRAM}">{text}</siram:Erreur>')
    return (
        f'{XML_DECLARATION}<soap:Envelope xmlns:soap="{SOAP12_NS}">{body}'
        f"<{p}:Code><{p}:Value>{p}:{spec.code}</{p}:Value>"
        f"<{p}:Subcode><{p}:Value>{p}:{spec.subcode}</{p}:Value></{p}:Subcode></{p}:Code>"
        f'<{p}:Reason><{p}:Text xml:lang="{lang}">{_escape(spec.reason)}</{p}:Text></{p}:Reason>'
        f"<{p}:Detail>{erreur}</{p}:Detail></{p}:Fault></env:Body></soap:Envelope>"
    ).encode()


class InsiFault(BenchError):
    """Raised where an INSi-level refusal is understood; the adapter renders it with `render_fault`."""

    def __init__(self, name: str, detail: str = "") -> None:
        super().__init__(f"{name}: {detail}" if detail else name)
        self.spec = FAULTS[name]
        self.detail = detail
