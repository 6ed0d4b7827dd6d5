"""Records of the shared world: persons, professionals, establishments, MSSanté domains.

Every simulator seeds itself from these (INSi identity base, MSS mailboxes and directory, DMP
patients and legal representatives, ROR offers), so they carry the fields each of those needs and
nothing service-specific beyond that. All records are frozen and hold tuples, so the cached world
can be shared between sessions without copies.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from simulators.identities.ins import InsMatricule


@dataclass(frozen=True)
class Address:
    line: str  # "12 rue des Lilas"
    postal_code: str
    city: str
    commune_code: str  # COG
    latitude: float
    longitude: float


@dataclass(frozen=True)
class Relation:
    """A family link seen from the person who carries it (``kind`` is the *other* person's role)."""

    kind: str  # mere, pere, enfant, fille, fils, conjoint, frere, soeur, cousin, tuteur
    person_id: str
    parental_authority: bool = False  # the other person holds parental authority over this one


@dataclass(frozen=True)
class InsiBehaviour:
    """How the INSi simulator should treat this person beyond plain matching.

    ``expected_cr`` is what a traits search with the exact traits returns; ``fault`` forces a SOAP
    fault (e.g. ``insi_102``); ``production_cr`` records a known prod/qualif difference; ``source``
    says where the case comes from (insi.md §5 CNDA file or live observation).
    """

    expected_cr: str = "00"
    fault: str | None = None
    production_cr: str | None = None
    invalid_key: bool = False
    source: str = ""


@dataclass(frozen=True)
class Person:
    id: str
    birth_name: str  # INS trait, normalised
    given_names: tuple[str, ...]  # INS trait (ListePrenom), normalised, in order
    sex: str  # M | F
    birth_date: str  # YYYY-MM-DD, may hold 00 parts
    birth_place: str  # COG (5 chars), 99xxx abroad
    display_first_name: str  # as the person writes it (accents kept)
    display_last_name: str  # used name as written
    used_name: str  # nom d'usage, normalised ("" when same as birth name)
    ins: InsMatricule | None
    ins_history: tuple[InsMatricule, ...] = ()
    identity_status: str = "PROV"  # status in a vendor DUI at journey start (PROV/VALI/RECUP/QUAL)
    address: Address | None = None
    phone: str = ""
    email: str = ""  # ordinary e-mail, outside MSSanté
    # Mon espace santé address (<INS>@patient.mssante.fr) for an NIR with a valid key. It exists
    # whatever ``identity_status``; a DUI may only write to it once the INS is qualified (ECO.2.2.6).
    mes_address: str = ""
    relations: tuple[Relation, ...] = ()
    legal_representatives: tuple[str, ...] = ()  # person ids, or an establishment id (ASE)
    establishment_id: str = ""  # where the person lives or is cared for, when relevant
    dmp: bool = True  # has an open DMP
    tags: tuple[str, ...] = ()  # persona, child, parent, elderly, disability, cnam-test, homonym...
    insi: InsiBehaviour = field(default_factory=InsiBehaviour)
    story: str = ""  # one line, French

    @property
    def liste_prenom(self) -> str:
        return " ".join(self.given_names)

    @property
    def first_given_name(self) -> str:
        return self.given_names[0] if self.given_names else ""

    @property
    def known_ins(self) -> InsMatricule:
        """The INS of a person known to have one (the journeys' patients); ValueError for one without."""
        if self.ins is None:
            raise ValueError(f"{self.id} n'a pas d'INS")
        return self.ins


@dataclass(frozen=True)
class Professional:
    id: str
    civility: str  # MME | M | DR
    first_name: str  # display form
    last_name: str
    role: str  # journey role, French ("ergothérapeute", "juge des enfants", ...)
    profession_code: str
    profession_system: str  # OID of TRE_G15 / TRE_R94 / TRE_R95 / TRE_R85
    profession_label: str
    specialty_code: str = ""  # savoir-faire (TRE_R01), e.g. SM54 for a GP
    rpps: str | None = None
    adeli: str | None = None
    idnps: str | None = None  # national PS id (8+RPPS, 0+ADELI)
    establishment_id: str = ""
    mss_address: str = ""  # personal (PER) box, or "" when none
    email: str = ""  # ordinary e-mail (judiciary)
    phone: str = ""
    journeys: tuple[str, ...] = ()


@dataclass(frozen=True)
class Offer:
    """An ROR-style offer (HealthcareService + Location capacity) of an establishment."""

    id: str
    name: str
    offer_type: str | None  # TRE_R244 code; None for child-protection (no ROR offer type exists)
    offer_type_label: str
    activity_field: str  # TRE_R227, "04" médico-social
    age_min: int
    age_max: int
    publics: tuple[str, ...]  # TRE_R239 codes
    capacity_type: str  # TRE_R329: 01 lit, 02 place
    capacity_installed: int
    capacity_available: int
    gender: str = "03"  # TRE_R332 indifférencié


@dataclass(frozen=True)
class Establishment:
    id: str
    name: str
    kind: str  # short French label: "CRIP", "MECS", "EHPAD", "pharmacie"...
    category_code: str | None  # TRE_R66 FINESS category
    category_label: str
    finess_ej: str | None
    finess_et: str | None
    siret: str | None
    idnst: str  # Struct_IdNat: 1+FINESS ET, or 3+SIRET
    legal_entity: str  # EJ name
    address: Address
    department: str
    sector_code: str | None = None  # TRE_R02 SAxx where known
    offers: tuple[Offer, ...] = ()
    mss_domain: str = ""
    mss_org_address: str = ""  # organisational (ORG) box
    phone: str = ""
    parent_id: str = ""  # e.g. the departmental council for CRIP/SLS/ASE/PMI
    journeys: tuple[str, ...] = ()


@dataclass(frozen=True)
class MssDomain:
    name: str
    operator: str
    in_trust_space: bool
    note: str = ""


@dataclass(frozen=True)
class InsiProbe:
    """A traits query with a known INSi outcome that matches no single person of the base."""

    birth_name: str
    given_names: tuple[str, ...]
    sex: str
    birth_date: str
    expected_cr: str
    birth_place: str = ""
    note: str = ""
