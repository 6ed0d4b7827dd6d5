"""INS = matricule (NIR or NIA) + OID of the assigning authority + traits (insi.md §3-§4).

The OID is what separates a NIR from a NIA and production from test data, so it travels with every
matricule. The CNAM qualification INSi answers ``.8`` even for its fictitious persons while DMP and
CI-SIS test material uses ``.10``: the world therefore takes the OIDs as parameters (see world.py).
"""

from __future__ import annotations

from dataclasses import dataclass

from simulators.identities.nir import explain_nir

OID_INS_NIR = "1.2.250.1.213.1.4.8"
OID_INS_NIA = "1.2.250.1.213.1.4.9"
OID_INS_NIR_TEST = "1.2.250.1.213.1.4.10"
OID_INS_NIR_DEMO = "1.2.250.1.213.1.4.11"
OID_INS_C = "1.2.250.1.213.1.4.2"

INS_OIDS = {
    OID_INS_NIR: "INS-NIR",
    OID_INS_NIA: "INS-NIA",
    OID_INS_NIR_TEST: "INS-NIR de test",
    OID_INS_NIR_DEMO: "INS-NIR de démonstration",
}
#: OIDs that a production system should never see (flagged as a test-data leak).
NON_PRODUCTION_OIDS = frozenset({OID_INS_NIR_TEST, OID_INS_NIR_DEMO})

#: Identity statuses (RNIV / FR Core), mutually exclusive.
STATUS_PROVISIONAL = "PROV"
STATUS_VALIDATED = "VALI"
STATUS_RETRIEVED = "RECUP"
STATUS_QUALIFIED = "QUAL"
IDENTITY_STATUSES = (STATUS_PROVISIONAL, STATUS_VALIDATED, STATUS_RETRIEVED, STATUS_QUALIFIED)

PATIENT_MSS_DOMAIN = "patient.mssante.fr"


@dataclass(frozen=True)
class InsMatricule:
    """One matricule INS as INSi returns it in INSACTIF / INSHISTO."""

    nir: str  # 13 characters, without key
    key: str  # 2 digits as recorded (may be wrong on purpose: see ``key_valid``)
    oid: str
    type_matricule: str = "NIR"
    date_deb: str | None = None
    date_fin: str | None = None

    @property
    def value(self) -> str:
        """The 15-character matricule (``NumIdentifiant`` + ``Cle``)."""
        return self.nir + self.key

    @property
    def key_valid(self) -> bool:
        return explain_nir(self.value) is None

    @property
    def is_nia(self) -> bool:
        return self.oid == OID_INS_NIA


def ins_cx(matricule: str, oid: str) -> str:
    """HL7 CX form used in XDS metadata and the VIHF: ``<INS>^^^&<OID>&ISO^NH``."""
    return f"{matricule}^^^&{oid}&ISO^NH"


def patient_mss_address(matricule: str) -> str:
    """Mon espace santé address of a person; only legitimate for a qualified INS."""
    return f"{matricule}@{PATIENT_MSS_DOMAIN}"


def explain_ins(matricule: str, oid: str, *, production: bool = False) -> str | None:
    """Why an INS (matricule + OID) cannot be used, in French; None when usable."""
    reason = explain_nir(matricule)
    if reason:
        return f"matricule INS invalide ({reason}) : l'INS ne doit pas être utilisé"
    if oid not in INS_OIDS:
        return f"OID d'autorité d'affectation inconnu : {oid}"
    if production and oid in NON_PRODUCTION_OIDS:
        return f"OID {oid} ({INS_OIDS[oid]}) interdit en production"
    return None
