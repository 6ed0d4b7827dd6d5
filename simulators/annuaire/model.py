"""Canonical URLs, code systems and profiles of the Annuaire Santé v2 (mss.md §5, the ANS API v2
documentation pages `resources/*.md`, `use-case/uc-bal-mss.md`, `getting-started/test-api.md`)."""

from __future__ import annotations

from typing import Protocol

IG = "https://interop.esante.gouv.fr/ig/fhir/annuaire/StructureDefinition/"
FR_CORE = "https://hl7.fr/ig/fhir/core/StructureDefinition/"
NOS = "https://mos.esante.gouv.fr/NOS/"
SOURCE = "https://annuaire.sante.fr"  # meta.source of every documented example
LANGUAGE = "fr"
LAST_UPDATED = "2026-01-01T00:00:00.000+01:00"
FHIR_VERSION = "4.0.1"
PAGE_SIZE = 50  # "Le service développé renvoie les 50 premiers résultats" (api-basics.md)
PAGE_MAX = 10000  # `Device?_count=10000` is a documented query (modifying-search-results.md)
RESOURCE_TYPES = ("Practitioner", "PractitionerRole", "Device", "Organization", "HealthcareService")
DEFAULT_API_KEYS = ("socle-bench-test-key", "socle-bench-dui-de-reference")

PROFILES = {
    "Practitioner": [FR_CORE + "fr-core-practitioner", IG + "as-dp-practitioner"],
    "PractitionerRole": [FR_CORE + "fr-core-practitioner-role", IG + "as-dp-practitionerrole"],
    "Organization": [FR_CORE + "fr-core-organization", IG + "as-dp-organization"],
    "HealthcareService:social": [IG + "as-dp-healthcareservice-social-equipment"],
    "HealthcareService:activity": [IG + "as-dp-healthcareservice-healthcare-activity"],
    "Device": [IG + "as-dp-device"],
}

EMAIL_TYPE_URL = FR_CORE + "fr-core-contact-point-email-type"
METADATA_URL = IG + "as-ext-mailbox-mss-metadata"
ORG_TYPES_URL = IG + "as-ext-organization-types"
DATA_TRACE_URL = IG + "as-ext-data-trace"  # UNCONFIRMED shape: sub-extension `systeme-information`
TRE_R256 = NOS + "TRE_R256-TypeMessagerie/FHIR/TRE-R256-TypeMessagerie"
TRE_R257 = NOS + "TRE_R257-TypeBAL/FHIR/TRE-R257-TypeBAL"
TRE_R02 = NOS + "TRE_R02-SecteurActivite/FHIR/TRE-R02-SecteurActivite"
TRE_R66 = NOS + "TRE_R66-CategorieEtablissement/FHIR/TRE-R66-CategorieEtablissement"
TRE_G15 = NOS + "TRE_G15-ProfessionSante/FHIR/TRE-G15-ProfessionSante"
TRE_R85 = NOS + "TRE_R85-RolePriseCharge/FHIR/TRE-R85-RolePriseCharge"
TRE_R227 = NOS + "TRE_R227-ChampActivite/FHIR/TRE-R227-ChampActivite"
TRE_R244 = NOS + "TRE_R244-CategorieOrganisation/FHIR/TRE-R244-CategorieOrganisation"
TRE_R272 = NOS + "TRE_R272-EquipementMaterielLourd/FHIR/TRE-R272-EquipementMaterielLourd"
ORG_KIND = "https://hl7.fr/ig/fhir/core/CodeSystem/fr-core-cs-v2-3307"
ID_TYPE = "https://hl7.fr/ig/fhir/core/CodeSystem/fr-core-cs-v2-0203"
OID_IDNPS = "urn:oid:1.2.250.1.71.4.2.1"
OID_IDNST = "urn:oid:1.2.250.1.71.4.2.2"
RPPS_SYSTEM = "https://rpps.esante.gouv.fr"
FINESS_SYSTEM = "https://finess.esante.gouv.fr"
ARHGOS_SYSTEM = "https://arhgos.esante.gouv.fr"  # UNCONFIRMED system of the ARHGOS authorisation number
BENCH_SYSTEM = "https://socle-bench.test/identifiant"

# What the directory publishes comes from the MSSanté operator's mailboxes (mss.md §7 "Feed the same
# data to the directory mock"); the Annuaire only reads them, through this structural type, so it
# imports nothing of the operator (the dependency goes MSS -> Annuaire). `simulators.mss.model.Mailbox`
# is one; the kind "PAT" (a Mon espace santé box of a person) is never published.
PATIENT_KIND = "PAT"


class PublishedMailbox(Protocol):
    """The fields of a mailbox the directory reads (a `simulators.mss.model.Mailbox` fits)."""

    @property
    def address(self) -> str: ...
    @property
    def kind(self) -> str: ...  # PER | ORG | APP | CAB | PAT
    @property
    def owner_id(self) -> str: ...
    @property
    def rpps(self) -> str: ...
    @property
    def idnps(self) -> str: ...
    @property
    def idnst(self) -> str: ...
    @property
    def finess(self) -> str: ...
    @property
    def establishment_id(self) -> str: ...
    @property
    def organisation_name(self) -> str: ...
    @property
    def service(self) -> str: ...
    @property
    def description(self) -> str: ...
    @property
    def liste_rouge(self) -> bool: ...
    @property
    def digitization(self) -> bool: ...
    @property
    def active(self) -> bool: ...
    @property
    def profession_code(self) -> str: ...
    @property
    def profession_label(self) -> str: ...
    @property
    def first_name(self) -> str: ...
    @property
    def last_name(self) -> str: ...
    @property
    def civility(self) -> str: ...
