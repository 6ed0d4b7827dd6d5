"""The dashboard's DMP view (kind "patients", see simulators/dashboard/README.md): every dossier of a
session, its documents, and for each document who may read it.

`visible_to` is decided by the simulator's own `AccessPolicy` (consultation decision, then the
per-document rule), with the same "own documents without authorisation" exception the registry's
query gate applies, so the page shows what a reader would really get, never a second copy of the
rules. Professionals are shown twice: with the authorisation the store holds for their structure
(what a search would return now) and as if their structure held a valid one (what the habilitation
matrix and the confidentiality codes allow). Legal representatives are addressed by relation
("rl:MTH" mother, "rl:FTH" father, "rl:RESPRSN" the ASE or a guardian), resolved per patient.
"""

from __future__ import annotations

import time
import unicodedata
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

from simulators.dmp.model import (
    APPROVED, ARCHIVED, DELETED, DEPRECATED, RPLC, Authorization, DocumentEntry, Dossier,
)
from simulators.dmp.rules import EXPIRE, NON_EXISTE, PATIENT, PS, REPRESENTATIVE, VALIDE, AccessPolicy, Actor
from simulators.dmp.seed import professional_identity
from simulators.identities.world import build_world

# The professionals of the journeys whose reading rights a trainer shows (world ids).
DEFAULT_PROFESSIONALS = ("medecin-elise", "pmi-puericultrice", "pharmacien-montreuil", "mecs-psychologue",
                         "mecs-educateur", "sls-assistante-sociale", "psychologue-departement", "ase-referente")
RELATIONS = {"MTH": "Mère (représentante légale)", "FTH": "Père (représentant légal)",
             "RESPRSN": "ASE ou tuteur (représentant légal)"}
STATUS_LABELS = {APPROVED: "actif", ARCHIVED: "archivé", DEPRECATED: "remplacé", DELETED: "supprimé"}
READABLE = (APPROVED, ARCHIVED)  # what the consultation views list (admin view, FindDocuments by default)
MAX_DOCUMENTS = 200  # newest documents per patient


@dataclass(frozen=True)
class Viewer:
    id: str
    label: str
    actor: Actor | None  # None for a representative: resolved per dossier
    relation: str = ""
    assume_authorized: bool = False


def professional_viewers(world_seed: int, professionals: tuple[str, ...] = DEFAULT_PROFESSIONALS) -> list[Viewer]:
    return list(_professional_viewers(world_seed, professionals))


@lru_cache(maxsize=8)
def _professional_viewers(world_seed: int, professionals: tuple[str, ...]) -> tuple[Viewer, ...]:
    world = build_world(world_seed)
    out: list[Viewer] = []
    for pro_id in professionals:
        person, structure = professional_identity(world, pro_id)
        if not person.profession_code:
            continue
        # the actor the VIHF of the reference client yields (client.py: NameID = "FAMILY Given")
        actor = Actor(PS, structure.structure_id, f"{person.family} {person.given}",
                      f"{person.profession_code}^{person.profession_system}", structure.sector, "normal",
                      "INDIRECTE_RENFORCEE", False)
        name = f"{world.professional(pro_id).profession_label} — {structure.name}"
        out.append(Viewer(f"pro:{pro_id}", f"{name} (autorisations actuelles)", actor))
        out.append(Viewer(f"pro:{pro_id}:autorise", f"{name} (si autorisation valide)", actor, assume_authorized=True))
    return tuple(out)


def all_viewers(world_seed: int, professionals: tuple[str, ...] = DEFAULT_PROFESSIONALS) -> list[Viewer]:
    citizens = [Viewer("patient", "Patient", Actor(PATIENT, "", "", "", "", "normal", "", False))]
    citizens += [Viewer(f"rl:{code}", label, None, relation=code) for code, label in RELATIONS.items()]
    return citizens + professional_viewers(world_seed, professionals)  # the page starts with the first: the patient


def sees(policy: AccessPolicy, dossier: Dossier, entry: DocumentEntry, actor: Actor,
         auth: Authorization | None) -> tuple[bool, str]:
    """Consultation decision then document rule; without a (valid) authorisation a structure still
    reaches the documents it authored, as the registry's query gate (queries._Gate) lets it."""
    decision = policy.can_consult(dossier, auth, actor)
    if not decision.allowed:
        own_only = (decision.status in (NON_EXISTE, EXPIRE) and decision.key == "access_denied"
                    and policy.options.author_sees_own_documents)
        if not (own_only and any(actor.structure_id in a.structure_ids for a in entry.authors)):
            return False, decision.reason
    if entry.status not in READABLE:
        return False, f"document {STATUS_LABELS.get(entry.status, entry.status)}"
    return policy.visible(entry, dossier, auth, actor)


def _representative(dossier: Dossier, relation: str) -> Actor | None:
    rep = next((r for r in dossier.legal_representatives if r.relation == relation), None)
    if rep is None:
        return None
    return Actor(REPRESENTATIVE, "", rep.person_id or rep.name, "", "", "normal", "", False)


def _person(xcn: str) -> str:
    parts = xcn.split("^")
    return " ".join(p for p in (parts[2] if len(parts) > 2 else "", parts[1] if len(parts) > 1 else "") if p) or xcn


def author_of(entry: DocumentEntry) -> str:
    if not entry.authors:
        return ""
    author = entry.authors[0]
    structure = author.institutions[0].split("^")[0] if author.institutions else ""
    person = _person(author.person) if author.person else ""
    return f"{person} ({structure})" if person and structure else person or structure


def _date(dtm: str) -> str:
    digits = "".join(ch for ch in dtm if ch.isdigit())
    return f"{digits[:4]}-{digits[4:6]}-{digits[6:8]}" if len(digits) >= 8 else digits


def version_chains(entries: list[DocumentEntry], replaces: dict[str, str]) -> list[list[DocumentEntry]]:
    """Each document's versions, oldest first, following RPLC associations (new -> replaced); the
    registry gives every version its own entry (version 1, lid = its entryUUID)."""
    by_uuid = {e.entry_uuid: e for e in entries}
    replaced = set(replaces.values())
    chains = []
    for e in entries:
        if e.entry_uuid in replaced:
            continue
        chain, current = [e], e.entry_uuid
        while replaces.get(current) in by_uuid and len(chain) < 100:
            current = replaces[current]
            chain.append(by_uuid[current])
        chains.append(list(reversed(chain)))
    return chains


def document_row(chain: list[DocumentEntry], visible_to: dict[str, bool], why: dict[str, str]) -> dict[str, Any]:
    e = chain[-1]
    return {"id": e.entry_uuid, "unique_id": e.unique_id, "title": e.title,
            "type": (e.type_code.display or e.type_code.code) if e.type_code else "",
            "type_code": e.type_code.code if e.type_code else "", "author": author_of(e),
            "date": _date(e.creation_time or e.service_start), "status": STATUS_LABELS.get(e.status, e.status),
            "confidentiality": [c.code for c in e.confidentiality], "version": len(chain),
            "versions": [{"version": n, "id": v.entry_uuid, "unique_id": v.unique_id,
                          "status": STATUS_LABELS.get(v.status, v.status), "date": _date(v.creation_time)}
                         for n, v in enumerate(chain, 1)],
            "visible_to": visible_to, "why_hidden": why}


def patient_row(policy: AccessPolicy, dossier: Dossier, entries: list[DocumentEntry], replaces: dict[str, str],
                authorizations: list[Authorization], viewers: list[Viewer]) -> dict[str, Any]:
    stored = {a.structure_id: a for a in authorizations}
    resolved: list[tuple[Viewer, Actor | None, Authorization | None]] = []
    for v in viewers:
        actor = v.actor if v.actor is not None else _representative(dossier, v.relation)
        auth = None
        if actor is not None and actor.kind == PS:
            auth = stored.get(actor.structure_id)
            if v.assume_authorized:
                auth = Authorization(dossier.ins, actor.structure_id, VALIDE, granted_at=time.time(),
                                     treating_physician=bool(auth and auth.treating_physician))
        resolved.append((v, actor, auth))
    documents = []
    chains = sorted(version_chains([e for e in entries if not e.is_signature], replaces),
                    key=lambda c: (c[-1].creation_time, c[-1].entry_uuid), reverse=True)
    for chain in chains[:MAX_DOCUMENTS]:
        visible_to, why = {}, {}
        for v, actor, auth in resolved:
            ok, reason = sees(policy, dossier, chain[-1], actor, auth) if actor is not None else (
                False, f"pas de représentant légal « {RELATIONS.get(v.relation, v.relation)} » pour ce patient")
            visible_to[v.id] = ok
            if not ok:
                why[v.id] = reason
        documents.append(document_row(chain, visible_to, why))
    return {"ins": dossier.ins, "oid": dossier.oid, "name": f"{dossier.given} {dossier.family}".strip(),
            "birth_date": dossier.birth_date, "minor": policy.is_minor(dossier),
            "status": "ouvert" if dossier.state == "ACTIF" else "fermé", "state": dossier.state,
            "person_id": dossier.person_id,
            "legal_representatives": [{"relation": r.relation, "label": RELATIONS.get(r.relation, r.relation),
                                       "id": r.person_id, "name": r.name, "holds_authority": r.holds_authority}
                                      for r in dossier.legal_representatives],
            "authorizations": [{"structure_id": a.structure_id, "status": policy.authorization_status(
                dossier, a, Actor(PS, a.structure_id, a.subject, "", "", "normal", "", False)),
                                "treating_physician": a.treating_physician} for a in authorizations],
            "document_count": len(chains), "documents": documents}


def _sort_key(name: str) -> str:
    """"Élise" between "Elliot" and "Fanny", as a trainer reads the list."""
    return "".join(ch for ch in unicodedata.normalize("NFD", name.casefold()) if not unicodedata.combining(ch))


def dashboard_document(store: Any, policy: AccessPolicy, session: str, world_seed: int,
                       professionals: tuple[str, ...] = DEFAULT_PROFESSIONALS) -> dict[str, Any]:
    store.ensure_seeded(session)
    viewers = all_viewers(world_seed, professionals)
    t = store.entries_table
    patients = []
    for dossier in store.dossiers(session):
        entries = store.entries_where(session, t.c.patient_ins == dossier.ins)
        assocs = store.associations(session, [e.entry_uuid for e in entries]) if entries else []
        replaces = {a.source: a.target for a in assocs if a.type == RPLC}
        patients.append(patient_row(policy, dossier, entries, replaces,
                                    store.authorizations(session, dossier.ins), viewers))
    patients.sort(key=lambda p: (not p["documents"], _sort_key(p["name"])))
    return {"session": session, "viewers": [{"id": v.id, "label": v.label} for v in viewers], "patients": patients}
