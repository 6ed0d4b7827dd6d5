"""Names of the ROR exposure model (ME 3.0): profile and extension URLs, NOS code systems, and the
small records the simulator passes around (clients, access profiles, pages).

URLs follow the current IG pattern only (ror.md §1.6); code systems follow the NOS pattern
`https://mos.esante.gouv.fr/NOS/TRE_Rxx-Name/FHIR/TRE-Rxx-Name` (ror.md §2.1).
"""

from __future__ import annotations

from dataclasses import dataclass

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

# Code systems the code refers to by name (the others are built with `nos()` where used).
REGION = nos("TRE_R30-RegionOM")
CATEGORY_EG = nos("TRE_R66-CategorieEtablissement")
OFFER_TYPE = nos("TRE_R244-CategorieOrganisation")
UCUM_ROR = nos("TRE_R247-UcumUniteMesure")
COMMUNE = nos("TRE_R13-CommuneOM")
CAPACITY_STATUS = nos("TRE_R330-TypeStatutCapacite")
CAPACITY_TEMPORALITY = nos("TRE_R331-TemporaliteCapacite")
SECTOR = nos("TRE_R02-SecteurActivite")

IDNST_SYSTEM = "urn:oid:1.2.250.1.71.4.2.2"
RPPS_SYSTEM = "urn:oid:1.2.250.1.71.4.2.1"
FINESS_SYSTEM = "https://finess.esante.gouv.fr"
SIRENE_SYSTEM = "http://sirene.fr"
OI_SYSTEM = "https://oi.esante.gouv.fr"

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
    organisation (AUTH_CLI) certificate: the one whose SHA-256 fingerprint is `cert_sha256`, else one whose
    subject CN is `cert_cn`, else (the bench's open demo registrations) any AUTH_CLI of the trusted PKI.
    A person's card (CPS) never authenticates an editor."""

    client_id: str
    profile: int
    secret: str = ""
    cert_cn: str = ""
    cert_sha256: str = ""

    def public(self) -> dict[str, object]:
        """What the admin API shows: never the secret."""
        return {"client_id": self.client_id, "profile": self.profile, "cert_cn": self.cert_cn,
                "cert_sha256": self.cert_sha256, "uses_certificate": self.uses_certificate,
                "has_secret": bool(self.secret)}

    @property
    def uses_certificate(self) -> bool:
        return self.profile != 0


def default_clients() -> dict[str, RorClient]:
    clients = {"bench-profil-0": RorClient("bench-profil-0", 0, secret="secret-profil-0")}
    for profile in range(1, 6):
        cid = f"bench-profil-{profile}"
        clients[cid] = RorClient(cid, profile)
    return clients


@dataclass(frozen=True)  # shared by the requests that present the same token (auth.TokenIssuer.verify)
class TokenClaims:
    client_id: str
    profile: int
    expires_at: int
    issued_at: int
    jti: str
    bound_thumbprint: str = ""  # RFC 8705 cnf.x5t#S256 when obtained over mTLS
    session: str = ""  # the bench session the token was issued in: valid there only
