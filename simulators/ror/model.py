"""Names of the ROR exposure model (ME 3.0): profile and extension URLs, NOS code systems, and the
small records the simulator passes around (clients, access profiles, pages).

URLs follow the current IG pattern only (ror.md §1.6); code systems follow the NOS pattern
`https://mos.esante.gouv.fr/NOS/TRE_Rxx-Name/FHIR/TRE-Rxx-Name` (ror.md §2.1).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

IG = "https://interop.esante.gouv.fr/ig/fhir/ror"
SD = f"{IG}/StructureDefinition/"
FHIR_VERSION = "4.0.1"
FHIR_JSON = "application/fhir+json"
DEFAULT_BASE = "/ws-diffusion-fhir"
TOKEN_PATH = "/auth/realms/ror/protocol/openid-connect/token"
JWKS_PATH = "/auth/realms/ror/protocol/openid-connect/certs"

RESOURCE_TYPES = ("HealthcareService", "Location", "Organization", "PractitionerRole", "Practitioner")
PROFILES = {
    "HealthcareService": SD + "ror-healthcareservice",
    "Location": SD + "ror-location",
    "Organization": SD + "ror-organization",
    "PractitionerRole": SD + "ror-practitionerrole",
    "Practitioner": SD + "ror-practitioner",
}


def ext(name: str) -> str:
    """Full URL of an ROR extension from its id (`ror-commune-cog`)."""
    return SD + name


def nos(tre: str) -> str:
    """Code system URL from its NOS name: `TRE_R66-CategorieEtablissement`."""
    return f"https://mos.esante.gouv.fr/NOS/{tre}/FHIR/{tre.replace('_', '-')}"


# Extensions used by search parameters and access rules.
EXT_PATIENT_TYPE = ext("ror-healthcareservice-patient-type")
EXT_SENSITIVE = ext("ror-healthcareservice-sensitive-unit")
EXT_CONTACT = ext("ror-healthcareservice-contact")
EXT_TERRITORIAL = ext("ror-territorial-division")
EXT_PSY_SECTOR = ext("ror-healthcareservice-psychiatric-sector")
EXT_CREATION = ext("ror-meta-creation-date")
EXT_COMMUNE = ext("ror-commune-cog")
EXT_SUPPORTED_CAPACITY = ext("ror-location-supported-capacity")
EXT_RESIDENTIAL_CAPACITY = ext("ror-location-residential-capacity")
EXT_EQUIPMENT = ext("ror-location-equipment")
EXT_LOCATION_STATUS = ext("ror-location-status")
EXT_COORD_RELIABILITY = ext("ror-coordinate-reliability")
EXT_CONFIDENTIALITY = ext("ror-confidentiality-level")
EXT_TELECOM_CONFIDENTIALITY = ext("ror-telecom-confidentiality-level")
EXT_CONTACT_CONFIDENTIALITY = ext("ror-contact-confidentiality-level")
EXT_TELECOM_CHANNEL = ext("ror-telecom-communication-channel")
EXT_ORG_PRICE = ext("ror-organization-price")
EXT_ORG_CLOSING = ext("ror-organization-closing-type")
EXT_ORG_DROP_ZONE = ext("ror-organization-drop-zone")
EXT_ORG_PERIOD = ext("organization-period")
EXT_DISTANCE = "http://hl7.org/fhir/StructureDefinition/location-distance"

# Code systems.
REGION = nos("TRE_R30-RegionOM")
CATEGORY_EG = nos("TRE_R66-CategorieEtablissement")
OFFER_TYPE = nos("TRE_R244-CategorieOrganisation")
ACTIVITY_FIELD = nos("TRE_R227-ChampActivite")
OPERATIONAL_ACTIVITY = nos("TRE_R211-ActiviteOperationnelle")
CARE_MODE = nos("TRE_R213-ModePriseEnCharge")
RECEPTION_TYPE = nos("TRE_R240-TemporaliteAccueil")
SPECIALISATION = nos("TRE_R245-SpecialisationDePriseEnCharge")
PUBLIC = nos("TRE_R239-PublicPrisEnCharge")
UCUM_ROR = nos("TRE_R247-UcumUniteMesure")
COMMUNE = nos("TRE_R13-CommuneOM")
LOCATION_FUNCTION = nos("TRE_R343-FonctionLieu")
CAPACITY_TYPE = nos("TRE_R329-NatureCapacite")
CAPACITY_STATUS = nos("TRE_R330-TypeStatutCapacite")
CAPACITY_TEMPORALITY = nos("TRE_R331-TemporaliteCapacite")
CAPACITY_GENDER = nos("TRE_R332-GenreCapacite")
CAPACITY_SOURCE = nos("TRE_R335-TypeSourceCapacite")
TEMPORARY_ASSIGNMENT = nos("TRE_R337-AffectationTemporaire")
RESIDENTIAL_TYPE = nos("TRE_R32-TypeHabitation")
CONFIDENTIALITY = nos("TRE_R283-NiveauConfidentialite")
CHANNEL = nos("TRE_R200-CanalCommunication")
CONTACT_PURPOSE = nos("TRE_R287-NatureContact")
STRUCTURE_ID_TYPE = nos("TRE_G07-TypeIdentifiantStructure")
OFFER_ID_TYPE = nos("TRE_R355-TypeIdentifiantOffre")
LOCATION_ID_TYPE = nos("TRE_R354-TypeIdentifiantRessourceOperationnelle")
OI_ID_TYPE = nos("TRE_R345-TypeIdentifiantAutre")
SECTOR = nos("TRE_R02-SecteurActivite")
LEGAL_STATUS = nos("TRE_R72-FinessStatutJuridique")
OI_TYPE = nos("TRE_R207-TypeOrganisationInterne")
TERRITORY_TYPE = nos("TRE_R201-TypeDivisionTerritoriale")
PROFESSION = nos("TRE_G15-ProfessionSante")
CIVILITY = nos("TRE_R81-Civilite")
UNIT_EXERCISE_MODE = nos("TRE_R23-ModeExercice")

IDNST_SYSTEM = "urn:oid:1.2.250.1.71.4.2.2"
RPPS_SYSTEM = "urn:oid:1.2.250.1.71.4.2.1"
FINESS_SYSTEM = "https://finess.esante.gouv.fr"
SIRENE_SYSTEM = "http://sirene.fr"
OI_SYSTEM = "https://oi.esante.gouv.fr"
UCUM = "http://unitsofmeasure.org"

# Four headers every FHIR call carries (ror.md §1.2).
ROR_HEADERS = ("Ror-Profil-Utilisateur-Code", "Ror-Profil-Utilisateur-System",
               "Ror-Role-Metier-Code", "Ror-Role-Metier-System")
EXAMPLE_HEADERS = {"Ror-Profil-Utilisateur-Code": "CU20",
                   "Ror-Profil-Utilisateur-System": "1.2.250.1.213.1.6.1.66",
                   "Ror-Role-Metier-Code": "AUTOMATE",
                   "Ror-Role-Metier-System": "1.2.250.1.213.1.1.4.6"}

PAGE_MAX = 200


@dataclass(frozen=True)
class RorClient:
    """An editor's registration: profile 0 authenticates with a secret, 1-5 with an IGC-Santé
    certificate whose subject CN is `cert_cn` (empty: any certificate of the trusted PKI)."""

    client_id: str
    profile: int
    secret: str = ""
    cert_cn: str = ""

    @property
    def uses_certificate(self) -> bool:
        return self.profile != 0


def default_clients() -> dict[str, RorClient]:
    clients = {"bench-profil-0": RorClient("bench-profil-0", 0, secret="secret-profil-0")}
    for profile in range(1, 6):
        cid = f"bench-profil-{profile}"
        clients[cid] = RorClient(cid, profile)
    return clients


@dataclass
class TokenClaims:
    client_id: str
    profile: int
    expires_at: int
    issued_at: int
    jti: str
    bound_thumbprint: str = ""  # RFC 8705 cnf.x5t#S256 when obtained over mTLS


@dataclass
class Page:
    """One page of search results, ready to be rendered as a searchset Bundle."""

    total: int
    matches: list[dict[str, Any]]
    includes: list[dict[str, Any]] = field(default_factory=list)
    distances: dict[str, float] = field(default_factory=dict)  # "Location/id" -> km
    offset: int = 0
    count: int = PAGE_MAX
    snapshot_id: str = ""
