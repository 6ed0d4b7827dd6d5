"""Access rules of the DMP: who may consult a dossier, which documents each caller sees, what a
feed must respect (dmp.md §5).

Pure functions over records (no storage): the registry service asks here and records the
answer in the patient's access history. The habilitation matrix is data
(valuesets/habilitations.json); the options marked UNCONFIRMED in the spec are `AccessOptions`.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from simulators.dmp.model import (
    INVISIBLE_PATIENT, INVISIBLE_REPS, MASQUE_PS, Authorization, DocumentEntry, Dossier,
)
from simulators.dmp.valuesets import ValueSets
from simulators.dmp.vihf import Vihf

VALIDE, INTERDIT, EXPIRE, NON_EXISTE = "VALIDE", "INTERDIT", "EXPIRE", "NON_EXISTE"
PS, PATIENT, REPRESENTATIVE = "ps", "patient", "representant_legal"


@dataclass
class AccessOptions:
    """Knobs for rules the sources leave open (service options of the same names)."""

    age_majority: int = 18
    minors_management: bool = True  # DMP parameter fonctions-gestion-mineurs
    cumul_invisible_patient_masque_ps: bool = False  # DMP parameter cumul-invisible_patient-masque_ps
    authorization_validity_days: float | None = 365.0  # historic rule, current value UNCONFIRMED
    break_glass_direct_only: bool = False  # DEVCOOP: bris de glace only with CPS; off by default
    centre_15_professions: tuple[str, ...] = ("10",)
    author_sees_own_documents: bool = True
    today: date | None = None  # fixed date for reproducible minor computations

    @classmethod
    def from_options(cls, options: dict[str, Any]) -> AccessOptions:
        known = {k: v for k, v in options.items() if k in cls.__dataclass_fields__}
        if "centre_15_professions" in known:
            known["centre_15_professions"] = tuple(known["centre_15_professions"])
        if isinstance(known.get("today"), str):
            known["today"] = date.fromisoformat(known["today"])
        return cls(**known)


@dataclass(frozen=True)
class Actor:
    kind: str  # ps | patient | representant_legal
    structure_id: str
    subject: str
    profession: str  # code^system of the first role
    sector: str
    mode: str  # normal | bris_de_glace | centre_15
    auth_mode: str
    secret: bool


@dataclass(frozen=True)
class Decision:
    allowed: bool
    reason: str = ""  # French, for RegistryError codeContext and the access history
    status: str = ""  # authorization status as TD0.2 reports it
    key: str = ""  # errors.json key when refused


@dataclass
class AccessPolicy:
    vs: ValueSets
    options: AccessOptions = field(default_factory=AccessOptions)

    def __post_init__(self) -> None:
        matrix = self.vs.habilitations
        self._groups = {role: name for name, g in matrix["groups"].items() for role in g["roles"]}
        self._categories = {code: cat for cat, codes in matrix["categories"].items() for code in codes}

    # --- who ----------------------------------------------------------------------------------------
    def actor(self, vihf: Vihf) -> Actor:
        role = vihf.profession
        citizen = self.vs.vihf.get("citizen_roles", {})
        kind = citizen.get(role.code, PS) if role is not None and role.system == "1.2.250.1.213.1.1.4.6" else PS
        return Actor(kind=kind, structure_id=vihf.structure_id, subject=vihf.nameid,
                     profession=role.key if role else "", sector=vihf.activity_sector, mode=vihf.purpose_of_use,
                     auth_mode=vihf.auth_mode, secret=vihf.secret_connection)

    def group(self, actor: Actor) -> str | None:
        return self._groups.get(actor.profession)

    def category(self, type_code: str) -> str:
        return self._categories.get(type_code, "autre")

    def is_minor(self, dossier: Dossier) -> bool:
        if not dossier.birth_date or not self.options.minors_management:
            return False
        today = self.options.today or date.today()
        try:
            born = date.fromisoformat(dossier.birth_date.replace("-00", "-01"))
        except ValueError:
            return False
        age = today.year - born.year - ((today.month, today.day) < (born.month, born.day))
        return age < self.options.age_majority

    # --- consultation ---------------------------------------------------------------------------------
    def authorization_status(self, dossier: Dossier, auth: Authorization | None, actor: Actor,
                             now: float | None = None) -> str:
        if actor.structure_id in dossier.blocked or actor.subject in dossier.blocked:
            return INTERDIT
        if auth is None:
            return NON_EXISTE
        if auth.status == INTERDIT:
            return INTERDIT
        if auth.expires_at is not None and (now or time.time()) >= auth.expires_at:
            return EXPIRE
        return auth.status

    def can_consult(self, dossier: Dossier | None, auth: Authorization | None, actor: Actor) -> Decision:
        if dossier is None:
            return Decision(False, "Aucun DMP pour cet INS.", NON_EXISTE, "unknown_patient")
        if dossier.state != "ACTIF":
            return Decision(False, f"DMP fermé le {dossier.closing_date or '?'} : consultation impossible.",
                            NON_EXISTE, "dmp_closed")
        if actor.kind == PATIENT:
            return Decision(True, "accès du patient à son propre DMP", VALIDE)
        if actor.kind == REPRESENTATIVE:
            return self._representative(dossier, actor)
        status = self.authorization_status(dossier, auth, actor)
        if status == INTERDIT:
            return Decision(False, "Professionnel ou structure bloqué par le patient.", status, "access_denied")
        if actor.mode == "bris_de_glace":
            if dossier.opposition_break_glass:
                return Decision(False, "Le patient s'est opposé à l'accès en mode bris de glace.", status, "access_denied")
            if self.options.break_glass_direct_only and actor.auth_mode != "DIRECTE":
                return Decision(False, "Le bris de glace exige une authentification directe (carte CPS).", status,
                                "access_denied")
            return Decision(True, "accès en mode bris de glace", status)
        if actor.mode == "centre_15":
            if dossier.opposition_emergency:
                return Decision(False, "Le patient s'est opposé à l'accès par le centre de régulation (centre 15).",
                                status, "access_denied")
            if actor.profession.split("^")[0] not in self.options.centre_15_professions:
                return Decision(False, "Le mode centre_15 est réservé aux médecins régulateurs.", status, "access_denied")
            return Decision(True, "accès en mode centre 15 (régulation)", status)
        if status != VALIDE:
            label = {NON_EXISTE: "aucune autorisation d'accès", EXPIRE: "autorisation d'accès expirée"}[status]
            return Decision(False, f"Consultation refusée : {label} pour la structure {actor.structure_id} "
                            "(TD0.3 setAuthorization requis).", status, "access_denied")
        return Decision(True, "autorisation valide", status)

    def _representative(self, dossier: Dossier, actor: Actor) -> Decision:
        reps = [r for r in dossier.legal_representatives if r.holds_authority]
        if not any(actor.subject in (r.person_id, r.name) or actor.structure_id == r.person_id for r in reps):
            return Decision(False, f"{actor.subject} n'est pas représentant légal titulaire de l'autorité parentale.",
                            INTERDIT, "access_denied")
        if not self.is_minor(dossier):
            return Decision(False, "Le patient est majeur : ses représentants légaux n'accèdent plus à son DMP.",
                            INTERDIT, "access_denied")
        return Decision(True, "accès d'un représentant légal", VALIDE)

    # --- documents --------------------------------------------------------------------------------------
    def visible(self, entry: DocumentEntry, dossier: Dossier, auth: Authorization | None, actor: Actor) -> tuple[bool, str]:
        """Whether `actor` sees `entry` (status filters are the query's business)."""
        flags = entry.visibility
        if actor.kind == PATIENT:
            return (INVISIBLE_PATIENT not in flags, "document invisible au patient")
        if actor.kind == REPRESENTATIVE:
            hidden = flags & {INVISIBLE_PATIENT, INVISIBLE_REPS}
            return (not hidden, "document invisible aux représentants légaux")
        own = self.options.author_sees_own_documents and any(
            actor.structure_id in a.structure_ids for a in entry.authors)
        if own:
            return True, ""
        if MASQUE_PS in flags and not self._treating(dossier, auth, actor):
            return False, "document masqué aux professionnels (MASQUE_PS)"
        if entry.is_signature:
            return False, "fiche de signature"
        group = self.group(actor)
        if group is None:
            return False, f"profession {actor.profession} absente de la matrice d'habilitation"
        spec = self.vs.habilitations["groups"][group]
        if spec.get("sectors", "*") != "*" and actor.sector not in spec["sectors"]:
            return False, f"secteur {actor.sector} non habilité pour le groupe {group}"
        category = self.category(entry.type_code.code if entry.type_code else "")
        if category not in spec["categories"]:
            return False, f"matrice d'habilitation : le groupe {group} ne lit pas les documents « {category} »"
        return True, ""

    @staticmethod
    def _treating(dossier: Dossier, auth: Authorization | None, actor: Actor) -> bool:
        return (bool(auth and auth.treating_physician) or actor.structure_id in dossier.treating_physicians
                or actor.subject in dossier.treating_physicians)

    # --- feeding --------------------------------------------------------------------------------------
    def check_feed(self, dossier: Dossier | None, entries: list[DocumentEntry], actor: Actor) -> Decision:
        if dossier is None:
            return Decision(False, "Aucun DMP pour cet INS : alimentation impossible.", NON_EXISTE, "unknown_patient")
        if dossier.state != "ACTIF":
            return Decision(False, "DMP fermé : alimentation impossible.", NON_EXISTE, "dmp_closed")
        if actor.kind != PS:
            return Decision(False, "Seul un professionnel ou une structure alimente le DMP par l'interface LPS.",
                            "", "access_denied")
        if actor.secret and not self.is_minor(dossier):
            return Decision(False, "Connexion secrète (INVISIBLE_REPRESENTANTS_LEGAUX) réservée au DMP d'un mineur.",
                            "", "secret_connection")
        for entry in entries:
            if entry.is_signature:
                continue
            flags = entry.visibility
            if actor.secret and INVISIBLE_REPS not in flags:
                return Decision(False, f"Connexion secrète : le document {entry.unique_id} doit porter "
                                "INVISIBLE_REPRESENTANTS_LEGAUX.", "", "secret_connection")
            if (not self.options.cumul_invisible_patient_masque_ps and MASQUE_PS in flags
                    and INVISIBLE_PATIENT in flags):
                return Decision(False, f"Document {entry.unique_id} : cumul MASQUE_PS et INVISIBLE_PATIENT interdit "
                                "(paramètre cumul-invisible_patient-masque_ps).", "", "visibility_cumul")
        return Decision(True)
