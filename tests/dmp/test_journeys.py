"""End-to-end over mutual TLS: the DMP steps of the Élise and Fanny journeys through the reference
client, with the access rules a child-protection DUI meets."""

from __future__ import annotations

import requests

from simulators.core.pki import CertRequest
from simulators.dmp.cda import build_cda
from simulators.core.tls import requests_cert, requests_verify
from simulators.dmp.client import DmpClient, DmpIdentity
from simulators.dmp.context import DEFAULT_REPOSITORY_UID
from simulators.dmp.metadata import Person, Structure
from simulators.dmp.model import APPROVED, DEPRECATED, INVISIBLE_REPS, MASQUE_PS
from tests.dmp.conftest import cda_for

REPO = DEFAULT_REPOSITORY_UID


def ins_of(world, pid: str) -> tuple[str, str]:
    p = world.person(pid)
    return p.ins.value, p.ins.oid


def history(bench, session: str, ins: str) -> list[dict]:
    return requests.get(f"{bench.admin_url}/_bench/dmp/{session}/patients/{ins}/historique", timeout=10).json()


def parent_client(bench, pki, session: str, parent_id: str) -> DmpClient:
    """A legal representative's access (Mon espace santé, simulated with the TRE_A00 role code)."""
    name = "dmp-mes-citoyen"
    common = {"cn": "MON ESPACE SANTE", "organisation": "CNAM", "structure_id": "1990000001"}
    pki.issue(CertRequest("auth-cli", name=f"{name}-auth", **common), exist_ok=True)
    pki.issue(CertRequest("sign", name=f"{name}-sign", **common), exist_ok=True)
    identity = DmpIdentity(structure=Structure("1990000001", "Mon espace santé", "SA41"),
                           person=Person(parent_id, "PARENT", "Test", "REPRESENTANT_LEGAL", "1.2.250.1.213.1.1.4.6"),
                           sign_cert=pki.certificate(f"{name}-sign"), sign_key=pki.private_key(f"{name}-sign"),
                           tls_cert=requests_cert(pki, f"{name}-auth"), nameid=parent_id)
    return DmpClient(bench.url("dmp"), identity, verify=requests_verify(pki), session=session)


def test_elise_projet_personnalise_fed_found_and_retrieved_byte_identical(make_client, world, dmp_bench, session) -> None:
    ins, oid = ins_of(world, "elise")
    educator = make_client("mecs-educateur")
    spec = cda_for(world, "elise", "mecs-educateur", "projet-personnalise")
    fed = educator.feed([(spec, ())])
    assert fed.ok, fed.errors
    psychologist = make_client("mecs-psychologue")
    assert psychologist.set_authorization(ins, oid)["authorization"] == "VALIDE"
    found = psychologist.find_documents(ins, oid)
    assert found.status.endswith("Success"), found.errors
    entry = next(e for e in found.entries if e.unique_id == spec.unique_id)
    assert entry.type_code.code == "80788-3" and entry.status == APPROVED
    docs, errors = psychologist.retrieve(ins, oid, [spec.unique_id], repository_uid=entry.repository_uid)
    sent = fed.submission.documents[next(e.entry_uuid for e in fed.submission.entries if e.unique_id == spec.unique_id)]
    assert not errors and docs[0].data == sent
    actions = {(h["action"], h["outcome"]) for h in history(dmp_bench, session, ins)}
    assert {("alimentation", "autorise"), ("recherche", "autorise"), ("consultation", "autorise")} <= actions


def test_consultation_refused_without_authorization_except_break_glass(make_client, world, dmp_bench, session) -> None:
    ins, oid = ins_of(world, "elise")
    psychologist = make_client("mecs-psychologue")
    refused = psychologist.find_documents(ins, oid)
    assert refused.status.endswith("Failure") and "autorisation" in refused.errors[0].context
    docs, errors = psychologist.retrieve(ins, oid, ["2.25.1"], repository_uid=REPO)
    assert not docs and errors
    emergency = psychologist.find_documents(ins, oid, purpose="bris_de_glace")
    assert emergency.status.endswith("Success") and emergency.entries
    modes = [(h["action"], h["mode"], h["outcome"]) for h in history(dmp_bench, session, ins)]
    assert ("recherche", "bris_de_glace", "autorise") in modes and ("recherche", "normal", "refuse") in modes


def test_break_glass_refused_when_patient_opposed(make_client, world) -> None:
    from simulators.dmp.seed import OPPOSES_BREAK_GLASS

    ins, oid = ins_of(world, OPPOSES_BREAK_GLASS)
    result = make_client("medecin-elise").find_documents(ins, oid, purpose="bris_de_glace")
    assert result.status.endswith("Failure") and "opposé" in result.errors[0].context


def test_invisible_to_legal_representatives_hidden_from_a_parent(make_client, world, dmp_bench, pki, session) -> None:
    ins, oid = ins_of(world, "elise")
    doctor = make_client("medecin-elise")
    secret = cda_for(world, "elise", "medecin-elise", "ordonnance", title="Ordonnance confidentielle")
    public = cda_for(world, "elise", "medecin-elise", "ordonnance", title="Ordonnance")
    assert doctor.feed([(secret, (INVISIBLE_REPS,))], secret=True).ok
    assert doctor.feed([(public, ())]).ok
    mother = parent_client(dmp_bench, pki, session, "elise-mere")
    seen = {e.unique_id for e in mother.find_documents(ins, oid).entries}
    assert public.unique_id in seen and secret.unique_id not in seen
    docs, errors = mother.retrieve(ins, oid, [secret.unique_id], repository_uid=REPO)
    assert not docs and "représentants légaux" in errors[0].context
    stranger = parent_client(dmp_bench, pki, session, "fanny-mere")
    assert stranger.find_documents(ins, oid).status.endswith("Failure")


def test_secret_connection_requires_the_invisible_code(make_client, world) -> None:
    doctor = make_client("medecin-elise")
    result = doctor.feed([(cda_for(world, "elise", "medecin-elise", "ordonnance"), ())], secret=True)
    assert not result.ok and "INVISIBLE_REPRESENTANTS_LEGAUX" in result.errors[0].context


def test_masking_by_iti57_creates_a_new_metadata_version(make_client, world) -> None:
    ins, oid = ins_of(world, "elise")
    doctor = make_client("medecin-elise")
    spec = cda_for(world, "elise", "medecin-elise", "ordonnance")
    assert doctor.feed([(spec, ())]).ok
    original = next(e for e in doctor.get_documents(ins, oid, unique_ids=[spec.unique_id]).entries)
    status, errors = doctor.set_visibility(original, (MASQUE_PS,))
    assert status.endswith("Success"), errors
    versions = doctor.query(ins, oid, "urn:uuid:14d4debf-8f97-4251-9a74-a90016b0af0d", {
        "$XDSDocumentEntryPatientId": f"{ins}^^^&{oid}&ISO^NH", "$XDSDocumentEntryStatus": [APPROVED, DEPRECATED]}).entries
    mine = sorted((e for e in versions if e.unique_id == spec.unique_id), key=lambda e: e.version)
    assert [(e.version, e.status) for e in mine] == [(1, DEPRECATED), (2, APPROVED)]
    assert mine[0].lid == mine[1].lid and mine[0].entry_uuid != mine[1].entry_uuid
    assert MASQUE_PS in mine[1].visibility
    pharmacist = make_client("pharmacien-montreuil")
    pharmacist.set_authorization(ins, oid)
    assert spec.unique_id not in {e.unique_id for e in pharmacist.find_documents(ins, oid).entries}
    stale, errors = doctor.set_visibility(original, ())
    assert stale.endswith("Failure") and errors[0].code == "XDSMetadataVersionError"


def test_patient_id_mismatch_is_refused(make_client, world) -> None:
    doctor = make_client("medecin-elise")
    spec = cda_for(world, "elise", "medecin-elise", "ordonnance")
    sub = doctor.prepare([(spec, ())])
    sub.entries[0].patient_id = sub.entries[0].patient_id.replace(spec.patient.ins, world.person("fanny").ins.value)
    result = doctor.provide_and_register(sub)
    assert not result.ok and result.errors[0].code == "XDSPatientIdDoesNotMatch"

    fanny_cda = cda_for(world, "fanny", "medecin-elise", "ordonnance")
    fanny_cda.unique_id = spec.unique_id
    sub = doctor.prepare([(spec, ())], sign=False)
    entry = sub.entries[0]
    sub.documents[entry.entry_uuid] = build_cda(fanny_cda)  # Fanny's CDA under Élise's metadata
    entry.hash, entry.size = "", None
    result = doctor.provide_and_register(sub)
    assert not result.ok and result.errors[0].code == "XDSPatientIdDoesNotMatch"
    assert "recordTarget" in result.errors[0].context


def test_fanny_social_worker_sees_medico_social_and_administrative_only(make_client, world) -> None:
    ins, oid = ins_of(world, "fanny")
    social = make_client("sls-assistante-sociale")
    social.set_authorization(ins, oid)
    titles = {e.title for e in social.find_documents(ins, oid).entries}
    assert titles == {"Évaluation PMI", "Autorisation de soins"}
    nurse = make_client("pmi-puericultrice")
    nurse.set_authorization(ins, oid)
    nurse_titles = {e.title for e in nurse.find_documents(ins, oid).entries}
    assert {"Évaluation PMI", "Bilan de santé de l'enfant"} <= nurse_titles
    assert "Bilan psychologique" not in titles


def test_accesses_are_published_for_the_dashboard(make_client, world, dmp_bench, session) -> None:
    subscription = dmp_bench.runtime.events.subscribe()
    try:
        spec = cda_for(world, "elise", "mecs-educateur")
        assert make_client("mecs-educateur").feed([(spec, ())]).ok
        events = [e for e in subscription.drain() if e.topic == "dmp" and e.session == session]
    finally:
        dmp_bench.runtime.events.unsubscribe(subscription)
    assert [(e.data["action"], e.data["document"]) for e in events] == [("alimentation", spec.unique_id)]


def test_patient_blocks_a_structure_from_mon_espace_sante(make_client, world, dmp_bench, session) -> None:
    ins, oid = ins_of(world, "elise")
    psychologist = make_client("mecs-psychologue")
    psychologist.set_authorization(ins, oid)
    mecs = world.establishment("mecs-les-tilleuls").idnst
    url = f"{dmp_bench.admin_url}/_bench/dmp/{session}/patients/{ins}"
    assert requests.patch(url, json={"blocked": [mecs]}, timeout=10).status_code == 200
    assert psychologist.test_existence(ins, oid).observations["AUTORISATION"] == "INTERDIT"
    refused = psychologist.find_documents(ins, oid, purpose="bris_de_glace")
    assert refused.status.endswith("Failure") and "bloqué" in refused.errors[0].context
    assert requests.patch(url, json={"blocked": "x"}, timeout=10).status_code == 400


def test_parents_without_authority_lose_access_the_ase_gains_it(make_client, world, dmp_bench, pki, session) -> None:
    ins, oid = ins_of(world, "elise")
    mother = parent_client(dmp_bench, pki, session, "elise-mere")
    assert mother.find_documents(ins, oid).status.endswith("Success")
    ase = world.establishment("ase-93")
    reps = [{"relation": "MTH", "person_id": "elise-mere", "name": "Nathalie", "holds_authority": False},
            {"relation": "RESPRSN", "person_id": ase.idnst, "name": ase.name}]
    url = f"{dmp_bench.admin_url}/_bench/dmp/{session}/patients/{ins}"
    assert requests.patch(url, json={"legal_representatives": reps}, timeout=10).status_code == 200
    assert mother.find_documents(ins, oid).status.endswith("Failure")
    view = requests.get(f"{url}/documents", params={"vue": "representant_legal", "representant": ase.idnst}, timeout=10)
    assert view.status_code == 200 and "Consultation confidentielle" not in {d["titre"] for d in view.json()}
    patient_view = requests.get(f"{url}/documents", params={"vue": "patient"}, timeout=10).json()
    titles = {d["titre"] for d in patient_view}
    assert "Consultation confidentielle" in titles and "Résultat avant annonce" not in titles


def test_a_spec_without_unique_id_gets_one_shared_by_the_cda_and_the_entry(make_client, world) -> None:
    """CdaSpec.unique_id says "generated when empty": ITI-41 accepts it and the CDA id is the entry's uniqueId."""
    ins, oid = ins_of(world, "elise")
    educator = make_client("mecs-educateur")
    spec = cda_for(world, "elise", "mecs-educateur", "projet-personnalise")
    spec.unique_id = ""
    fed = educator.feed([(spec, ())])
    assert fed.ok, fed.errors
    entry = next(e for e in fed.submission.entries if e.type_code and e.type_code.code == spec.kind.type_code)
    assert entry.unique_id.startswith("2.25.") and spec.unique_id == ""
    cda = fed.submission.documents[entry.entry_uuid]
    assert f'root="{entry.unique_id}"'.encode() in cda
    found = educator.find_documents(ins, oid)
    assert entry.unique_id in {e.unique_id for e in found.entries}
