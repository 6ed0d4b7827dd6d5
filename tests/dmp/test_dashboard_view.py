"""The dashboard's DMP view (`GET /_bench/dmp/dashboard`): dossiers, documents with their versions, and
for each reader whether the simulator's own rules let them see it, checked against real reads."""

from __future__ import annotations

from datetime import datetime, UTC

import requests

from simulators.dmp.model import INVISIBLE_PATIENT, INVISIBLE_REPS, MASQUE_PS
from simulators.dmp.seed import CLOSED
from tests.dashboard.view_contract import assert_view
from tests.dmp.conftest import cda_for

LONG_AGO = datetime(2000, 1, 1, tzinfo=UTC)


def view(bench, session: str) -> dict:
    reply = requests.get(f"{bench.admin_url}/_bench/dmp/dashboard", params={"session": session}, timeout=30)
    assert reply.status_code == 200, reply.text
    document = reply.json()
    assert_view("patients", document)
    return document


def patient(document: dict, ins: str) -> dict:
    return next(p for p in document["patients"] if p["ins"] == ins)


def seen_by(row: dict, viewer: str) -> set[str]:
    return {d["unique_id"] for d in row["documents"] if d["visible_to"][viewer]}


def found(client, ins: str, oid: str) -> set[str]:
    result = client.find_documents(ins, oid, since=LONG_AGO)
    return {e.unique_id for e in result.entries} if result.status.endswith("Success") else set()


def test_elise_projet_personnalise_hidden_from_the_pharmacist_shown_to_the_authorised_psychologist(
        make_client, world, dmp_bench, session) -> None:
    elise = world.person("elise")
    ins, oid = elise.ins.value, elise.ins.oid
    educator = make_client("mecs-educateur")
    spec = cda_for(world, "elise", "mecs-educateur", "projet-personnalise", title="Projet personnalisé")
    assert educator.feed([(spec, ())]).ok
    psychologist, pharmacist = make_client("mecs-psychologue"), make_client("pharmacien-montreuil")
    before = patient(view(dmp_bench, session), ins)
    # without an authorisation the MECS reaches only what it wrote (the educator's projet personnalisé)
    assert found(educator, ins, oid) == seen_by(before, "pro:mecs-educateur") == {spec.unique_id}
    assert found(psychologist, ins, oid) == seen_by(before, "pro:mecs-psychologue") == {spec.unique_id}
    assert psychologist.set_authorization(ins, oid)["authorization"] == "VALIDE"
    row = patient(view(dmp_bench, session), ins)
    assert (row["minor"], row["status"], row["name"]) == (True, "ouvert", "Élise d’Almeida-Roche")
    assert [(r["relation"], r["name"]) for r in row["legal_representatives"]] == [
        ("MTH", "Nathalie d'Almeida"), ("FTH", "Bruno d'Almeida")]
    assert [a["status"] for a in row["authorizations"]] == ["VALIDE"]
    [doc] = [d for d in row["documents"] if d["unique_id"] == spec.unique_id]
    assert (doc["title"], doc["type_code"], doc["status"], doc["version"]) == (
        "Projet personnalisé", "80788-3", "actif", 1)
    assert "Tilleuls" in doc["author"]
    visible = doc["visible_to"]
    assert visible["pro:mecs-psychologue"] and visible["pro:mecs-psychologue:autorise"]
    assert not visible["pro:pharmacien-montreuil"] and not visible["pro:pharmacien-montreuil:autorise"]
    assert "matrice d'habilitation" in doc["why_hidden"]["pro:pharmacien-montreuil:autorise"]
    assert visible["patient"] and visible["rl:MTH"]
    # the view says what the registry really answers: same rules, same outcome
    psy = found(psychologist, ins, oid)
    assert psy == seen_by(row, "pro:mecs-psychologue") and {"Bilan psychologique", "Projet personnalisé"} <= {
        d["title"] for d in row["documents"] if d["unique_id"] in psy}
    assert found(educator, ins, oid) == seen_by(row, "pro:mecs-educateur")  # same structure, its own matrix row
    assert "Bilan psychologique" not in {d["title"] for d in row["documents"] if d["visible_to"]["pro:mecs-educateur"]}
    assert found(pharmacist, ins, oid) == seen_by(row, "pro:pharmacien-montreuil") == set()
    assert pharmacist.set_authorization(ins, oid)["authorization"] == "VALIDE"
    row = patient(view(dmp_bench, session), ins)
    assert found(pharmacist, ins, oid) == seen_by(row, "pro:pharmacien-montreuil") == seen_by(
        row, "pro:pharmacien-montreuil:autorise")
    assert spec.unique_id not in seen_by(row, "pro:pharmacien-montreuil")


def test_confidentiality_codes_hide_documents_from_parents_patient_and_professionals(
        world, dmp_bench, session) -> None:
    elise = world.person("elise")
    document = view(dmp_bench, session)
    ids = [v["id"] for v in document["viewers"]]
    assert {"patient", "rl:MTH", "rl:FTH", "rl:RESPRSN", "pro:mecs-psychologue", "pro:sls-assistante-sociale",
            "pro:pmi-puericultrice", "pro:medecin-elise"} <= set(ids)
    row = patient(document, elise.ins.value)
    docs = {d["title"]: d for d in row["documents"]}
    secret = docs["Consultation confidentielle"]
    assert INVISIBLE_REPS in secret["confidentiality"]
    assert (secret["visible_to"]["rl:MTH"], secret["visible_to"]["rl:FTH"], secret["visible_to"]["patient"]) == (
        False, False, True)
    assert "représentants légaux" in secret["why_hidden"]["rl:MTH"]
    assert secret["visible_to"]["pro:medecin-elise"]  # its author
    hidden = docs["Résultat avant annonce"]
    assert INVISIBLE_PATIENT in hidden["confidentiality"] and not hidden["visible_to"]["patient"]
    masked = docs["Compte rendu masqué"]
    assert MASQUE_PS in masked["confidentiality"] and masked["visible_to"]["pro:medecin-elise"]
    assert not masked["visible_to"]["pro:pmi-puericultrice:autorise"]
    assert "MASQUE_PS" in masked["why_hidden"]["pro:pmi-puericultrice:autorise"]
    assert not any(d["visible_to"]["rl:RESPRSN"] for d in row["documents"])  # the ASE is not Élise's representative
    # the same answer as the admin's representative view (Mon espace santé)
    shown = requests.get(f"{dmp_bench.admin_url}/_bench/dmp/{session}/patients/{elise.ins.value}/documents",
                         params={"vue": "representant_legal", "representant": "elise-mere"}, timeout=10).json()
    assert {d["uniqueId"] for d in shown} == seen_by(row, "rl:MTH")
    closed = patient(document, world.person(CLOSED).ins.value)
    assert closed["status"] == "fermé"
    names = [p["name"] for p in document["patients"][:3]]
    assert names[:2] == ["Élise d’Almeida-Roche", "Fanny Lavergne"]  # dossiers with documents first, by name


def test_a_replaced_document_is_listed_once_with_its_versions(
        make_client, world, dmp_bench, session) -> None:
    fanny = world.person("fanny")
    puericultrice = make_client("pmi-puericultrice")
    first = cda_for(world, "fanny", "pmi-puericultrice", "evaluation-medico-sociale", title="Évaluation v1")
    fed = puericultrice.feed([(first, ())])
    assert fed.ok, fed.errors
    old_uuid = fed.submission.entries[0].entry_uuid
    second = cda_for(world, "fanny", "pmi-puericultrice", "evaluation-medico-sociale", title="Évaluation v2",
                     replaces=first.unique_id)
    assert puericultrice.feed([(second, ())], replaces={second.unique_id: old_uuid}).ok
    row = patient(view(dmp_bench, session), fanny.ins.value)
    titles = [d["title"] for d in row["documents"]]
    assert "Évaluation v2" in titles and "Évaluation v1" not in titles
    doc = next(d for d in row["documents"] if d["title"] == "Évaluation v2")
    assert doc["version"] == 2 and [(v["unique_id"], v["status"]) for v in doc["versions"]] == [
        (first.unique_id, "remplacé"), (second.unique_id, "actif")]


def test_invalid_session_name_is_refused(dmp_bench) -> None:
    reply = requests.get(f"{dmp_bench.admin_url}/_bench/dmp/dashboard", params={"session": "../x"}, timeout=10)
    assert reply.status_code == 400 and "session" in reply.json()["detail"]
