"""Default DMP state of a session, drawn from the shared world (simulators.identities).

Every person of the world with an INS gets an active DMP, with legal representatives for minors
(parents, or the ASE when it holds the authority, as for Yanis). The journeys' children get the
earlier documents their stories read (psychological, speech-therapy and psychomotor reports for
Élise, evaluations for Fanny), including one of each visibility; three CNAM test persons carry a
closed DMP and the two oppositions, so every branch of the access rules can be reached.
"""

from __future__ import annotations

import uuid
from datetime import datetime, UTC
from functools import lru_cache

from sqlalchemy.exc import IntegrityError

from simulators.dmp.cda import KINDS, CdaAuthor, CdaPatient, CdaSpec, build_cda
from simulators.dmp.metadata import Person as MetaPerson
from simulators.dmp.metadata import Structure, assemble, document_entry, ins_cx, submission_set, xds_author
from simulators.dmp.model import (
    INVISIBLE_PATIENT, INVISIBLE_REPS, MASQUE_PS, Dossier, DuplicateUniqueId, LegalRepresentative, Submission,
)
from simulators.identities.model import Establishment, Person
from simulators.identities.nir import explain_nir
from simulators.identities.world import World, build_world

RELATION_CODES = {"mere": "MTH", "pere": "FTH"}
CLOSED, OPPOSES_BREAK_GLASS, OPPOSES_EMERGENCY = (
    "cnam-adrtrois-dominique", "cnam-adrtrois-toussaint", "cnam-tchitchi-catarina")
TREATING = {"irene": "cabinet-medical-jaude", "louis": "cabinet-medical-jaude"}

# (patient, kind, author professional id, date, title, visibility)
SEED_DOCUMENTS: tuple[tuple[str, str, str, str, str, tuple[str, ...]], ...] = (
    ("elise", "bilan-psychologique", "psychologue-departement", "2025-03-10", "Bilan psychologique", ()),
    ("elise", "bilan-fonctionnel", "camsp-medecin", "2025-06-02", "Bilan orthophonique", ()),
    ("elise", "bilan-fonctionnel", "camsp-medecin", "2025-06-20", "Bilan psychomoteur", ()),
    ("elise", "synthese-psychiatrique", "medecin-elise", "2025-11-05", "Synthèse psychiatrique", ()),
    ("elise", "bilan-sante-enfant", "medecin-elise", "2026-02-14", "Consultation confidentielle", (INVISIBLE_REPS,)),
    ("elise", "bilan-sante-enfant", "medecin-elise", "2026-03-01", "Compte rendu masqué", (MASQUE_PS,)),
    ("elise", "bilan-sante-enfant", "medecin-elise", "2026-03-08", "Résultat avant annonce", (INVISIBLE_PATIENT,)),
    ("fanny", "evaluation-medico-sociale", "pmi-puericultrice", "2025-09-15", "Évaluation PMI", ()),
    ("fanny", "bilan-sante-enfant", "pmi-medecin", "2025-10-01", "Bilan de santé de l'enfant", ()),
    ("fanny", "bilan-psychologique", "psychologue-departement", "2025-12-03", "Bilan psychologique", ()),
    ("fanny", "autorisation-soins", "ase-gestionnaire", "2026-01-12", "Autorisation de soins", ()),
)


def _stable(key: str) -> uuid.UUID:
    return uuid.uuid5(uuid.NAMESPACE_URL, f"socle-bench/dmp/{key}")


def dossiers_from_world(world: World) -> list[Dossier]:
    out = []
    for p in world.persons:
        if p.ins is None or not p.dmp or explain_nir(p.ins.value):
            continue
        reps = []
        kinds = {r.person_id: r.kind for r in p.relations}
        for rid in p.legal_representatives:
            other = world.find(rid)
            if other is None:
                continue
            if isinstance(other, Establishment):
                reps.append(LegalRepresentative("RESPRSN", other.idnst, other.name))
            else:
                names = (other.display_first_name, other.display_last_name) if isinstance(other, Person) else \
                    (other.first_name, other.last_name)
                reps.append(LegalRepresentative(RELATION_CODES.get(kinds.get(rid, ""), "RESPRSN"), rid,
                                                f"{names[0]} {names[1]}"))
        d = Dossier(ins=p.ins.value, oid=p.ins.oid, family=p.display_last_name, given=p.display_first_name,
                    gender=p.sex, birth_date=p.birth_date, legal_representatives=reps, person_id=p.id)
        if p.id in TREATING:
            d.treating_physicians.append(world.establishment(TREATING[p.id]).idnst)
        if p.id == CLOSED:
            d.state, d.closing_date, d.closing_reason = "FERME", "20250101120000", "FERMETURE_DEMANDE_PATIENT"
        d.opposition_break_glass = p.id == OPPOSES_BREAK_GLASS
        d.opposition_emergency = p.id == OPPOSES_EMERGENCY
        out.append(d)
    return out


def professional_identity(world: World, pro_id: str) -> tuple[MetaPerson, Structure]:
    pro = world.professional(pro_id)
    est = world.establishment(pro.establishment_id)
    person = MetaPerson(pro.idnps or f"3{est.idnst[1:]}/{pro.id}", pro.last_name, pro.first_name,
                        pro.profession_code, pro.profession_system, pro.profession_label, pro.specialty_code)
    return person, Structure(est.idnst, est.name, est.sector_code or "SA41")


def seed_submissions(world: World) -> list[Submission]:
    subs = []
    for n, (pid, kind, pro_id, day, title, visibility) in enumerate(SEED_DOCUMENTS):
        p = world.person(pid)
        assert p.ins is not None
        person, structure = professional_identity(world, pro_id)
        when = datetime.fromisoformat(day).replace(hour=10, tzinfo=UTC)
        uid = f"2.25.{_stable(f'{world.seed}/{n}/doc').int}"
        spec = CdaSpec(kind=KINDS[kind], title=title, unique_id=uid, effective_time=when, service_start=when,
                       facility_code=structure.sector,
                       patient=CdaPatient(p.ins.value, p.ins.oid, p.birth_name, p.first_given_name, p.sex, p.birth_date),
                       author=CdaAuthor(person.idnps, person.family, person.given, person.profession_code,
                                        person.profession_system, structure.structure_id, structure.name),
                       body=f"%PDF-1.4\n% {title} de {p.display_first_name} (document synthétique)\n".encode())
        data = build_cda(spec)
        author = xds_author(person, structure)
        entry = document_entry(spec, data, author, unique_id=uid, entry_id=f"urn:uuid:{_stable(f'{world.seed}/{n}/entry')}",
                               visibility=visibility)
        ss = submission_set(ins_cx(p.ins.value, p.ins.oid), author, title=title)
        ss.entry_uuid = f"urn:uuid:{_stable(f'{world.seed}/{n}/ss')}"
        ss.unique_id = f"2.25.{_stable(f'{world.seed}/{n}/ssuid').int}"
        ss.submission_time = when.strftime("%Y%m%d%H%M%S")
        subs.append(assemble(ss, [(entry, data)]))
    return subs


@lru_cache(maxsize=8)
def _cached(seed: int) -> tuple[list[Dossier], list[Submission]]:
    world = build_world(seed)
    return dossiers_from_world(world), seed_submissions(world)


def make_seeder(world_seed: int, *, documents: bool = True, repository_uid: str):
    """The callable the store runs on a session's first use."""

    def seed(store, session: str) -> None:
        dossiers, subs = _cached(world_seed)
        try:
            with store.db.engine.begin() as conn:
                for d in dossiers:
                    store.save_dossier(session, d, conn=conn)
        except IntegrityError:
            pass  # another process sharing the database seeded the dossiers meanwhile
        if not documents:
            return
        for sub in subs:
            for e in sub.entries:
                e.repository_uid, e.lid = repository_uid, e.entry_uuid
            try:
                store.register(session, sub.submission_set, sub.entries, sub.associations,
                               [(e, sub.documents[e.entry_uuid]) for e in sub.entries])
            except DuplicateUniqueId:
                continue  # seeded by another process sharing the database

    return seed
