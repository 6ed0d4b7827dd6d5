"""Domain records of the INSi téléservice (insi.md §1-§3): what a request asks, what the base holds,
what a lookup answers. No I/O and no XML here, so rules, store, codec and client share them.
"""

from __future__ import annotations

from dataclasses import dataclass

# --- Namespaces and actions (insi.md §1-§2) ---------------------------------------------------
NS_RECSANS = "http://www.cnamts.fr/INSiRecSans"
NS_RECVIT = "http://www.cnamts.fr/INSiRecVit"
NS_RESULTAT = "http://www.cnamts.fr/INSiResultat"
NS_CTXLPS = "urn:siram:lps:ctxlps"
NS_CTXBAM = "urn:siram:bam:ctxbam"
XML_DECLARATION = '<?xml version="1.0" encoding="UTF-8"?>\n'  # every recorded answer starts with it (insi.md §2.3)
NS_SIRAM = "urn:siram"
NS_WSSE = "http://docs.oasis-open.org/wss/2004/01/oasis-200401-wss-wssecurity-secext-1.0.xsd"
NS_SAML2 = "urn:oasis:names:tc:SAML:2.0:assertion"
NS_WEBSERVICE = "http://www.cnamts.fr/webservice"

OP_TRAITS = "rechercherInsAvecTraitsIdentite"
OP_VITALE = "rechercherInsAvecCarteVitale"
ACTION_PREFIX = "urn:ServiceIdentiteCertifiee:1.0.0:"
ACTIONS = {ACTION_PREFIX + OP_TRAITS: OP_TRAITS, ACTION_PREFIX + OP_VITALE: OP_VITALE}
BODY_OPERATIONS = {f"{{{NS_RECSANS}}}RECSANSVITALE": OP_TRAITS, f"{{{NS_RECVIT}}}RECVITALE": OP_VITALE}
OPERATION_BODIES = {OP_TRAITS: "RECSANSVITALE", OP_VITALE: "RECVITALE"}

LPS_VERSION = "01_00"
BAM_VERSION = "01_02"

CR_FOUND, CR_NONE, CR_SEVERAL = "00", "01", "02"
LIBELLE_CR = {CR_FOUND: "OK", CR_NONE: "Aucune identite trouvee", CR_SEVERAL: "Plusieurs identites trouvees"}

ORG_CERT_CNS = frozenset({"INSI-AUTO", "INSI-MANU"})


# --- Request side ------------------------------------------------------------------------------
@dataclass(frozen=True)
class ContexteLPS:
    version: str = ""
    nature: str = ""
    id: str = ""
    temps: str = ""
    emetteur: str = ""
    idam: str = ""
    idam_r: str = ""
    lps_version: str = ""
    instance: str = ""
    nom: str = ""


@dataclass(frozen=True)
class ContexteBAM:
    version: str = ""
    nature: str = ""
    id: str = ""
    temps: str = ""
    emetteur: str = ""
    couverture_present: bool = False
    couverture_empty: bool = True


@dataclass(frozen=True)
class TraitsQuery:
    """RECSANSVITALE: the traits exactly as sent (``prenoms`` keeps one entry per Prenom element)."""

    nom_naissance: str = ""
    prenoms: tuple[str, ...] = ()
    sexe: str = ""
    date_naissance: str = ""
    lieu_naissance: str = ""

    @property
    def prenom_tokens(self) -> tuple[str, ...]:
        """Given names one by one, whether sent in several elements or space separated in one."""
        return tuple(t for p in self.prenoms for t in p.split(" ") if t)


@dataclass(frozen=True)
class VitaleQuery:
    """RECVITALE: the carte Vitale is only a key to the beneficiary (insi.md §2.2)."""

    matricule_individu: str = ""
    cle_individu: str = ""
    matricule_od: str = ""
    cle_od: str = ""
    nom_naissance: str = ""
    date_naissance: str = ""
    rang_naissance: str = ""


@dataclass(frozen=True)
class InsiRequest:
    operation: str
    action: str
    message_id: str
    lps: ContexteLPS | None
    bam: ContexteBAM | None
    traits: TraitsQuery | None = None
    vitale: VitaleQuery | None = None
    assertions: tuple[object, ...] = ()  # lxml saml:Assertion elements found in wsse:Security
    security_present: bool = False
    content_type_action: str = ""  # action= parameter of the SOAP 1.2 media type, when sent
    wsa_action: str = ""  # the wsa:Action header itself (clients are expected to send it)


# --- Identity base -----------------------------------------------------------------------------
@dataclass(frozen=True)
class Matricule:
    """One INSACTIF/INSHISTO entry: ``nir`` is 13 characters, ``cle`` the 2-digit key as recorded."""

    nir: str
    cle: str
    oid: str
    type_matricule: str = ""
    date_deb: str = ""
    date_fin: str = ""

    @property
    def value(self) -> str:
        return self.nir + self.cle


@dataclass(frozen=True)
class InsPerson:
    """A person of the simulated national base (the world's persons, or a vendor's own)."""

    id: str
    nom_naissance: str
    prenoms: tuple[str, ...]
    sexe: str
    date_naissance: str
    lieu_naissance: str
    ins: Matricule | None
    history: tuple[Matricule, ...] = ()
    fault: str = ""  # catalogue fault forced for this person (e.g. insi_102)
    rang_naissance: str = "1"
    ouvrant_droit: str = ""  # 13-char NIR of the insured holding the card (carte Vitale search)
    origin: str = "world"  # world | config | admin
    tags: tuple[str, ...] = ()
    nom_usage: str = ""  # used name (married name...), never an INS trait: sending it is a DUI error
    production_cr: str = ""  # known production answer when it differs from qualification (ADRUN ZOE: 01)

    @property
    def liste_prenom(self) -> str:
        return " ".join(self.prenoms)

    def to_json(self) -> dict:
        def mat(m: Matricule) -> dict:
            return {k: v for k, v in m.__dict__.items() if v}

        return {
            "id": self.id, "nom_naissance": self.nom_naissance, "prenoms": list(self.prenoms),
            "sexe": self.sexe, "date_naissance": self.date_naissance, "lieu_naissance": self.lieu_naissance,
            "ins": mat(self.ins) if self.ins else None, "history": [mat(h) for h in self.history],
            "fault": self.fault, "rang_naissance": self.rang_naissance, "ouvrant_droit": self.ouvrant_droit,
            "origin": self.origin, "tags": list(self.tags), "production_cr": self.production_cr,
            "nom_usage": self.nom_usage,
        }


@dataclass(frozen=True)
class LookupResult:
    cr: str
    person: InsPerson | None = None
    candidates: tuple[str, ...] = ()  # ids of every matching person (journal, dashboard)
    fault: str = ""  # a person-level forced fault won over the answer

    @property
    def libelle(self) -> str:
        return LIBELLE_CR[self.cr]


@dataclass(frozen=True)
class ResponseView:
    """A RESULTAT as a client reads it (client.py, conformance)."""

    cr: str
    libelle: str
    ins: Matricule | None = None
    history: tuple[Matricule, ...] = ()
    nom_naissance: str = ""
    prenom: str = ""
    liste_prenom: str = ""
    sexe: str = ""
    date_naissance: str = ""
    lieu_naissance: str = ""


@dataclass(frozen=True)
class FaultView:
    """A SOAP fault as a client reads it: ``siram:Erreur`` attributes plus the texts."""

    code: str
    subcode: str
    erreur_code: str
    severite: str
    message_id: str
    reason: str
    text: str
    lang: str = ""
