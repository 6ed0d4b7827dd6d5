"""ITI-41 / ITI-18 / ITI-43 / ITI-57 rules of the registry and repository (dmp.md §4, §10)."""

from __future__ import annotations

from datetime import datetime, timedelta, UTC

import requests

from simulators.dmp.codec import xds
from simulators.dmp.model import (
    APPROVED, ARCHIVED, DELETED, DEPRECATED, INVISIBLE_PATIENT, MASQUE_PS, VISIBILITY_SYSTEM, Code,
)
from tests.dmp.conftest import cda_for


def elise(world):
    p = world.person("elise")
    return p.ins.value, p.ins.oid


def stats(bench, session: str) -> dict:
    return requests.get(f"{bench.admin_url}/_bench/dmp/{session}/stats", timeout=10).json()


def test_duplicate_unique_id_is_refused(make_client, world) -> None:
    doctor = make_client("medecin-elise")
    spec = cda_for(world, "elise", "medecin-elise", "ordonnance")
    assert doctor.feed([(spec, ())]).ok
    again = doctor.feed([(spec, ())])
    assert not again.ok and again.errors[0].code == "XDSDuplicateUniqueIdInRegistry"


def test_replacement_deprecates_the_replaced_entry(make_client, world) -> None:
    ins, oid = elise(world)
    doctor = make_client("medecin-elise")
    first = cda_for(world, "elise", "medecin-elise", "ordonnance")
    assert doctor.feed([(first, ())]).ok
    old = doctor.get_documents(ins, oid, unique_ids=[first.unique_id], return_type="LeafClass").entries[0]
    second = cda_for(world, "elise", "medecin-elise", "ordonnance", replaces=first.unique_id)
    assert doctor.feed([(second, ())], replaces={second.unique_id: old.entry_uuid}).ok
    both = {e.unique_id: e.status for e in doctor.get_documents(ins, oid, unique_ids=[first.unique_id, second.unique_id]).entries}
    assert both == {first.unique_id: DEPRECATED, second.unique_id: APPROVED}


def test_hash_and_size_must_match(make_client, world) -> None:
    doctor = make_client("medecin-elise")
    sub = doctor.prepare([(cda_for(world, "elise", "medecin-elise", "ordonnance"), ())])
    sub.entries[0].hash = "0" * 40
    result = doctor.provide_and_register(sub)
    assert not result.ok and result.errors[0].code == "XDSNonIdenticalHash"


def test_coded_values_come_from_the_dmp_value_sets(make_client, world) -> None:
    doctor = make_client("medecin-elise")
    sub = doctor.prepare([(cda_for(world, "elise", "medecin-elise", "ordonnance"), ())])
    sub.entries[0].practice_code = Code("CLINIQUE", "1.2.250.1.213.1.1.4.9")
    result = doctor.provide_and_register(sub)
    assert not result.ok and result.errors[0].code == "XDSRegistryMetadataError"
    assert "practiceSettingCode" in result.errors[0].context and "JDV_J62" in result.errors[0].context


def test_unsigned_or_tampered_lot_is_refused(make_client, world, dmp_bench, session) -> None:
    doctor = make_client("medecin-elise")
    unsigned = doctor.provide_and_register(doctor.prepare([(cda_for(world, "elise", "medecin-elise", "ordonnance"), ())], sign=False))
    assert not unsigned.ok and "non signé" in unsigned.errors[0].context
    sub = doctor.prepare([(cda_for(world, "elise", "medecin-elise", "ordonnance"), ())])
    sig = next(e for e in sub.entries if e.is_signature)
    data = sub.documents[sig.entry_uuid].replace(b"<ds:SignatureValue>", b"<ds:SignatureValue>AAAA")
    sub.documents[sig.entry_uuid] = data
    sig.hash, sig.size = "", None
    tampered = doctor.provide_and_register(sub)
    assert not tampered.ok and "XAdES" in tampered.errors[0].context
    assert stats(dmp_bench, session)["docs"] == 11  # the seed only: nothing half-stored


def test_cumul_masque_ps_and_invisible_patient_is_refused(make_client, world) -> None:
    result = make_client("medecin-elise").feed([(cda_for(world, "elise", "medecin-elise", "ordonnance"),
                                                 (MASQUE_PS, INVISIBLE_PATIENT))])
    assert not result.ok and "cumul" in result.errors[0].context


def test_closed_dmp_cannot_be_fed(make_client, world) -> None:
    from simulators.dmp.seed import CLOSED

    result = make_client("medecin-elise").feed([(cda_for(world, CLOSED, "medecin-elise", "ordonnance"), ())])
    assert not result.ok and result.errors[0].code == "XDSUnknownPatientId"


def test_delete_by_author_only_and_archive(make_client, world) -> None:
    ins, oid = elise(world)
    doctor = make_client("medecin-elise")
    spec = cda_for(world, "elise", "medecin-elise", "ordonnance")
    assert doctor.feed([(spec, ())]).ok
    entry = doctor.get_documents(ins, oid, unique_ids=[spec.unique_id]).entries[0]
    pharmacist = make_client("pharmacien-montreuil")
    pharmacist.set_authorization(ins, oid)
    status, errors = pharmacist.set_status(entry, DELETED)
    assert status.endswith("Failure") and "auteur" in errors[0].context
    status, errors = doctor.set_status(entry, ARCHIVED)
    assert status.endswith("Success"), errors
    archived = doctor.get_documents(ins, oid, unique_ids=[spec.unique_id]).entries[0]
    assert archived.status == ARCHIVED
    status, errors = doctor.set_status(archived, DELETED)
    assert status.endswith("Success"), errors
    docs, errors = pharmacist.retrieve(ins, oid, [spec.unique_id], repository_uid=entry.repository_uid)
    assert not docs and errors[0].code == "XDSDocumentUniqueIdError"


def test_new_documents_since_last_connection(make_client, world) -> None:
    ins, oid = elise(world)
    doctor = make_client("medecin-elise")
    doctor.set_authorization(ins, oid)
    since = datetime.now(UTC) - timedelta(seconds=5)
    spec = cda_for(world, "elise", "medecin-elise", "ordonnance")
    assert doctor.feed([(spec, ())]).ok
    fresh = doctor.new_documents_since(ins, oid, since)
    assert [e.unique_id for e in fresh] == [spec.unique_id]


def test_query_errors_and_object_refs(make_client, world) -> None:
    ins, oid = elise(world)
    doctor = make_client("medecin-elise")
    doctor.set_authorization(ins, oid)
    refs = doctor.find_documents(ins, oid, return_type="ObjectRef")
    assert refs.refs and not refs.entries and all(r.startswith("urn:uuid:") for r in refs.refs)
    unknown = doctor.query(ins, oid, "urn:uuid:00000000-0000-0000-0000-000000000000", {})
    assert unknown.errors[0].code == "XDSUnknownStoredQuery"
    missing = doctor.query(ins, oid, xds.FIND_DOCUMENTS, {"$XDSDocumentEntryPatientId": f"{ins}^^^&{oid}&ISO^NH"})
    assert missing.errors[0].code == "XDSStoredQueryMissingParam"
    archived_only = doctor.find_documents(ins, oid, statuses=(ARCHIVED,))
    assert archived_only.status.endswith("Success") and not archived_only.entries
    flag = {"$XDSDocumentEntryConfidentialityCode": [f"MASQUE_PS^^{VISIBILITY_SYSTEM}"]}
    assert [e.title for e in doctor.find_documents(ins, oid, extra=flag).entries] == ["Compte rendu masqué"]  # author
    pharmacist = make_client("pharmacien-montreuil")
    pharmacist.set_authorization(ins, oid)
    assert not pharmacist.find_documents(ins, oid, extra=flag).entries


def test_treating_physician_sees_masked_documents(make_client, world) -> None:
    ins, oid = elise(world)
    doctor = make_client("medecin-elise")
    doctor.set_authorization(ins, oid, role="MEDECIN_TRAITANT")
    titles = {e.title for e in doctor.find_documents(ins, oid).entries}
    assert "Compte rendu masqué" in titles


def test_injected_faults_take_the_protocol_shape(make_client, world, dmp_bench, session) -> None:
    from simulators.core.faults import FaultRule
    from simulators.dmp.client import DmpFault

    ins, oid = elise(world)
    doctor = make_client("medecin-elise")
    faults = dmp_bench.runtime.faults
    faults.add(FaultRule(kind="fault", session=session, service="dmp", operation="ITI-18", fault="too_many_results"))
    assert doctor.find_documents(ins, oid).errors[0].code == "XDSTooManyResults"
    faults.add(FaultRule(kind="fault", session=session, service="dmp", operation="TD0.2", fault="vihf_refuse"))
    try:
        doctor.test_existence(ins, oid)
    except DmpFault as fault:
        assert "défaut injecté" in fault.reason
    else:
        raise AssertionError("injected VIHF fault expected")
    faults.add(FaultRule(kind="error", session=session, service="dmp", operation="ITI-43"))
    try:
        doctor.retrieve(ins, oid, ["1.2"], repository_uid="1.2.250.1.213.4.1.1.1.1")
    except DmpFault as fault:
        assert fault.code == "Receiver" and fault.status == 503
    else:
        raise AssertionError("injected error expected")


def test_author_filter_and_iti57_changes_only_visibility(make_client, world) -> None:
    from dataclasses import replace
    import uuid

    from simulators.dmp.model import HAS_MEMBER, Association, Submission

    ins, oid = elise(world)
    doctor = make_client("medecin-elise")
    doctor.set_authorization(ins, oid)
    mine = doctor.find_documents(ins, oid, extra={"$XDSDocumentEntryAuthorPerson": ["%^Lefebvre^%"]}).entries
    assert mine and all("Lefebvre" in e.authors[0].person for e in mine)
    assert not doctor.find_documents(ins, oid, extra={"$XDSDocumentEntryAuthorPerson": ["%^Personne^%"]}).entries
    entry = mine[0]
    ss = doctor._update_set(entry)
    changed = replace(entry, entry_uuid=f"urn:uuid:{uuid.uuid4()}", type_code=Code("11488-4", "2.16.840.1.113883.6.1"))
    sub = Submission(ss, [changed], [Association(f"urn:uuid:{uuid.uuid4()}", HAS_MEMBER, ss.entry_uuid,
                                                 changed.entry_uuid, {"PreviousVersion": [str(entry.version)]})])
    status, errors = doctor.update(ins, oid, sub)
    assert status.endswith("Failure") and errors[0].code == "XDSMetadataUpdateError" and "type_code" in errors[0].context


def test_independent_metadata_errors_are_all_reported(make_client, world) -> None:
    """IHE registries report one RegistryError per problem: two documents each with its own metadata error,
    and a submission-set error, give three RegistryError elements, each with its location."""
    doctor = make_client("medecin-elise")
    sub = doctor.prepare([(cda_for(world, "elise", "medecin-elise", "ordonnance"), ()),
                          (cda_for(world, "elise", "medecin-elise", "ordonnance"), ())])
    sub.entries[0].practice_code = Code("CLINIQUE", "1.2.250.1.213.1.1.4.9")
    sub.entries[1].language = ""
    sub.submission_set.source_id = ""
    result = doctor.provide_and_register(sub)
    assert not result.ok
    contexts = [e.context for e in result.errors]
    assert len(result.errors) == 3, contexts
    assert any("sourceId" in c for c in contexts) and any("practiceSettingCode" in c for c in contexts)
    assert any("languageCode" in c for c in contexts)
    locations = {e.location for e in result.errors}
    assert {sub.entries[0].unique_id, sub.entries[1].unique_id} <= locations


def test_one_error_is_still_one_registry_error(make_client, world) -> None:
    doctor = make_client("medecin-elise")
    sub = doctor.prepare([(cda_for(world, "elise", "medecin-elise", "ordonnance"), ())])
    sub.entries[0].language = ""
    result = doctor.provide_and_register(sub)
    assert [e.code for e in result.errors] == ["XDSRegistryMetadataError"]
