"""The DMP's per-request savings give the answers of the uncached path, and changed inputs are never
answered from memory: JSON rows without `asdict`, bounded memos of CDA headers, XAdES verifications
and certificates, the live check's memory of verified VIHF signatures, the caller's dossier and
authorisation in one statement, the shared entries of query answers."""

from __future__ import annotations

import dataclasses
import time
from datetime import datetime, timedelta, UTC
from pathlib import Path

import pytest

from conformance import checks_dmp, checks_dmp_vihf
from simulators.codecs import saml
from simulators.codecs.xmlsafe import parse_xml, to_bytes
from simulators.core.db import open_database
from simulators.core.exchange import Exchange
from simulators.dmp import cda, xades
from simulators.dmp.client import DmpClient
from simulators.dmp.memo import BoundedMemo
from simulators.dmp.model import DEPRECATED, AccessRecord, Authorization
from simulators.dmp.records import plain
from simulators.dmp.seed import make_seeder
from simulators.dmp.store import DmpStore
from simulators.dmp.valuesets import load_valuesets
from simulators.dmp.vihf import Role, VihfClaims, build_vihf, parse_vihf, signer_certificate
from tests.dmp.conftest import SEED, cda_for, identity_for
from tests.dmp.test_fragments import _assocs, _entries, _sets


def test_plain_is_asdict_and_copies_every_container() -> None:
    records = [*_entries(), *_sets(), *_assocs(),
               AccessRecord("1", 1.5, "recherche", "s", "a", "10", "normal", "autorise", detail="d")]
    for record in records:
        assert plain(record) == dataclasses.asdict(record)
    entry = _entries()[0]
    row = plain(entry)
    row["confidentiality"].clear()
    row["authors"][0]["roles"].append("x")
    assert entry.confidentiality and entry.authors[0].roles == ["Médecin"]  # nothing shared with the record


def test_bounded_memo_remembers_answers_not_failures_and_forgets_the_oldest() -> None:
    memo: BoundedMemo[int] = BoundedMemo(2)
    calls: list[str] = []

    def compute(key: str, value: int):
        return lambda: calls.append(key) or value

    assert memo.get("a", compute("a", 1)) == 1 and memo.get("a", compute("a", 9)) == 1
    with pytest.raises(ZeroDivisionError):
        memo.get("z", lambda: 1 // 0)
    assert memo.get("z", compute("z", 3)) == 3  # a failure is computed again
    memo.get("b", compute("b", 2))  # "a" is now the oldest and goes
    assert memo.get("a", compute("a", 4)) == 4 and calls == ["a", "z", "b", "a"] and len(memo) == 2


def test_cda_header_is_remembered_by_exact_bytes(world) -> None:
    data = cda.build_cda(cda_for(world, "elise", "medecin-elise", "ordonnance"))
    other = data.replace(b'code="FR"', b'code="BE"', 1)
    assert cda.read_cda_header(data) is cda.read_cda_header(data)
    assert cda.read_cda_header(data).issues == cda._read_cda_header(data).issues == []
    assert [i.code for i in cda.read_cda_header(other).issues] == ["cda_realm"]  # changed bytes, new reading


def test_xades_verification_is_remembered_only_for_the_same_lot(pki, world) -> None:
    client = DmpClient("https://unused", identity_for(pki, world, "medecin-elise"), verify=False, session="x")
    sub = client.prepare([(cda_for(world, "elise", "medecin-elise", "ordonnance"), ())])
    sig = next(e for e in sub.entries if e.is_signature)
    docs = {e.unique_id: sub.documents[e.entry_uuid] for e in sub.entries if not e.is_signature}
    assert sub.submission_set is not None
    uid = sub.submission_set.unique_id
    first = xades.verify_signature(sub.documents[sig.entry_uuid], uid, docs)
    assert xades.verify_signature(sub.documents[sig.entry_uuid], uid, docs) is first
    tampered = {k: v.replace(b"</ClinicalDocument>", b"<!-- x --></ClinicalDocument>") for k, v in docs.items()}
    with pytest.raises(xades.SignatureProblem):
        xades.verify_signature(sub.documents[sig.entry_uuid], uid, tampered)
    with pytest.raises(xades.SignatureProblem):
        xades.verify_signature(sub.documents[sig.entry_uuid], "1.2.3", docs)


def _signed_vihf(pki, world) -> bytes:
    identity = identity_for(pki, world, "medecin-elise")
    claims = VihfClaims(structure_id="3999", activity_sector="SA41", subject_name="LEFEBVRE Marc",
                        roles=(Role("10", "1.2.250.1.71.1.2.7"), Role("SM54", "1.2.250.1.71.4.2.5")), patient_ins=world.person("elise").ins.value)
    return to_bytes(build_vihf(claims, identity.sign_cert, identity.sign_key))


def test_vihf_signature_check_remembers_bytes_and_still_judges_time_and_tampering(pki, world, monkeypatch) -> None:
    raw = _signed_vihf(pki, world)
    cert = signer_certificate(parse_xml(raw).find(f"{{{saml.DS_NS}}}Signature"))
    verified: list[bytes] = []
    real = saml.verify_signature
    monkeypatch.setattr(checks_dmp_vihf.saml, "verify_signature",
                        lambda data, **kw: verified.append(data) or real(data, **kw))
    now = datetime.now(UTC)
    checks_dmp_vihf._verify_vihf_signature(raw, cert, now)
    checks_dmp_vihf._verify_vihf_signature(raw, cert, now + timedelta(seconds=5))
    assert len(verified) == 1  # the replayed assertion is not verified again
    with pytest.raises(saml.SamlError):  # outside the certificate's validity: verified again, and refused
        checks_dmp_vihf._verify_vihf_signature(raw, cert, cert.not_valid_after_utc + timedelta(days=1))
    tampered = raw.replace(b"LEFEBVRE Marc", b"LEFEBVRE Paul")
    with pytest.raises(saml.SamlError):
        checks_dmp_vihf._verify_vihf_signature(tampered, cert, now)
    assert len(verified) == 3


@pytest.fixture
def store(tmp_path: Path):
    db = open_database(f"sqlite:///{tmp_path / 'r.db'}")
    store = DmpStore(db, seeder=make_seeder(SEED, repository_uid="1.2.3"))
    store.create_tables()
    store.ensure_seeded("s")
    yield store
    db.dispose()


def test_dossier_and_authorization_is_the_two_reads(store: DmpStore, world) -> None:
    elise = world.person("elise").ins.value

    def both(ins: str, structure: str) -> tuple:
        dossier = store.dossier("s", ins)
        return dossier, (store.authorization("s", ins, structure) if dossier else None)

    cases = [(elise, "3999"), ("000000000000000", "3999")]
    store.save_authorization("s", Authorization(elise, "3999", "VALIDE", time.time(), None, treating_physician=True))
    cases.append((elise, "4000"))
    for ins, structure in cases:
        assert store.dossier_and_authorization("s", ins, structure) == both(ins, structure)
    assert store.dossier_and_authorization("s", elise, "3999")[1] is not None
    store.delete_authorization("s", elise, "3999")
    assert store.dossier_and_authorization("s", elise, "3999") == both(elise, "3999")
    assert store.dossier_and_authorization("s", elise, "3999")[1] is None


def test_answered_entries_are_shared_until_their_row_changes(store: DmpStore, world) -> None:
    t = store.entries_table
    elise = world.person("elise").ins.value
    stored: dict[str, str] = {}
    first = store.entries_where("s", t.c.patient_ins == elise, stored=stored)
    again = store.entries_where("s", t.c.patient_ins == elise, stored={})
    assert first == store.entries_where("s", t.c.patient_ins == elise)  # the uncached reading
    assert all(a is b for a, b in zip(first, again, strict=True))
    assert not any(a is b for a, b in zip(first, store.entries_where("s", t.c.patient_ins == elise), strict=True))
    store.register("s", None, [], [], [], status_changes=[(first[0].entry_uuid, DEPRECATED)])
    after = store.entries_where("s", t.c.patient_ins == elise, stored={})
    assert after[0].entry_uuid == first[0].entry_uuid and after[0].status == DEPRECATED
    assert after == store.entries_where("s", t.c.patient_ins == elise)


def test_a_duplicate_uniqueid_is_refused_as_before_without_its_own_lookup(make_client, world, dmp_bench,
                                                                          monkeypatch) -> None:
    """The registry's key finds a duplicate (no lookup before each registration); the refusal names the
    uniqueId as the lookup did, and still comes before a bad replacement's refusal."""
    elise = world.person("elise")
    client = make_client("medecin-elise")
    client.set_authorization(elise.ins.value, elise.ins.oid)
    spec = cda_for(world, "elise", "medecin-elise", "ordonnance")
    assert client.feed([(spec, ())]).ok
    lookups: list[list[str]] = []
    real = DmpStore.existing_unique_id
    monkeypatch.setattr(DmpStore, "existing_unique_id", lambda self, s, uids: lookups.append(uids) or real(self, s, uids))
    assert client.feed([(cda_for(world, "elise", "medecin-elise", "ordonnance"), ())]).ok
    assert lookups == []  # a new document: no lookup
    expected = (f"uniqueId {spec.unique_id} déjà présent dans le DMP : utiliser un remplacement (RPLC) ou un "
                "nouvel identifiant.")
    again = client.feed([(spec, ())])
    assert [(e.code, e.context, e.location) for e in again.errors] == [
        ("XDSDuplicateUniqueIdInRegistry", expected, spec.unique_id)]
    replacing = client.feed([(spec, ())], replaces={spec.unique_id: "urn:uuid:00000000-0000-0000-0000-000000000000"})
    assert [(e.code, e.context) for e in replacing.errors] == [("XDSDuplicateUniqueIdInRegistry", expected)]


def test_never_dmp_titles_in_one_search_match_keyword_by_keyword() -> None:
    import re

    from simulators.dmp.valuesets import _fold, load_valuesets

    vs = load_valuesets()
    keywords = vs.never_dmp["title_keywords"]

    def one_by_one(title: str) -> bool:
        return any(re.search(rf"\b{re.escape(k)}\b", _fold(title)) for k in keywords)

    titles = ["Projet pour l'enfant (PPE)", "Rapport d'échéance AEMO", "Ordonnance", "appel", "PPE", "ppex",
              "Compte rendu éducatif", "Fiche navette MDPH", "information préoccupante", "DIPC-2025", "xdipc", ""]
    for title in titles + [k.upper() for k in keywords] + [k + "s" for k in keywords]:
        assert vs.is_never_dmp("", title) is one_by_one(title), title
    assert vs.is_never_dmp("EXPORT_DUI", "") and not vs.is_never_dmp("", "Ordonnance")


def _iti18_exchange(assertion) -> Exchange:
    from simulators.codecs.soap import Addressing, build_envelope, soap12_content_type
    from simulators.dmp.codec import xds
    from simulators.dmp.vihf import security_header

    payload = xds.adhoc_query_request(xds.FIND_DOCUMENTS, {"$XDSDocumentEntryPatientId": ["x^^^&1.2&ISO^NH"]})
    body = build_envelope(payload, headers=[security_header(assertion)], wsa_prefix=None,
                          addressing=Addressing(action=xds.ACTION_ITI18, message_id="urn:uuid:1", to="https://dmp"))
    return Exchange(session="s", service="dmp", operation="ITI-18", started_at=time.time(), method="POST",
                    request_headers={"Content-Type": soap12_content_type(xds.ACTION_ITI18)}, request_body=body)


def test_checks_read_one_vihf_once_and_another_vihf_anew(pki, world) -> None:
    raw = _signed_vihf(pki, world)
    reading = checks_dmp.read(_iti18_exchange(parse_xml(raw)))
    assert reading.vihf is not None, (reading.error, reading.vihf_error)
    first = reading.vihf
    replayed = checks_dmp.read(_iti18_exchange(parse_xml(raw))).vihf
    other = checks_dmp.read(_iti18_exchange(parse_xml(raw.replace(b"LEFEBVRE Marc", b"LEFEBVRE Paul")))).vihf
    assert first is not None and replayed is first  # the same bytes: the same reading
    assert other is not None and other.subject_name != first.subject_name
    assert other == parse_vihf(parse_xml(raw.replace(b"LEFEBVRE Marc", b"LEFEBVRE Paul")), load_valuesets())


def test_filtered_entries_are_the_entries_where_of_the_same_conditions(store: DmpStore, world) -> None:
    """A prepared statement per shape of conditions: every shape and every value gives the expression's rows."""
    t = store.entries_table
    elise = world.person("elise").ins.value
    rows = store.entries_where("s", t.c.patient_ins == elise)
    types = sorted({e.type_code.code for e in rows if e.type_code})
    assert len(types) > 1
    cases = [([("=", "patient_ins", elise)], [t.c.patient_ins == elise])]
    cases.extend(([("=", "patient_ins", elise), ("in", "type_code", [code])],  # one shape, other values
                  [t.c.patient_ins == elise, t.c.type_code.in_([code])]) for code in types)
    cases += [([("=", "patient_ins", elise), ("in", "type_code", types[:2]), (">=", "service_start", "2000"),
                ("<", "creation_time", "2999"), ("like", "conf", "% N %")],
               [t.c.patient_ins == elise, t.c.type_code.in_(types[:2]), t.c.service_start >= "2000",
                t.c.creation_time < "2999", t.c.conf.like("% N %")]),
              ([("=", "patient_ins", "000")], [t.c.patient_ins == "000"])]
    for limit in (None, 2):
        for filters, conditions in cases:
            got = store.entries_filtered("s", filters, limit=limit)
            assert got == store.entries_where("s", *conditions, limit=limit), filters
    assert [e.type_code.code for e in store.entries_filtered("s", cases[1][0])] == [types[0]] * len(
        store.entries_filtered("s", cases[1][0]))
    assert store.entries_filtered("s", cases[-1][0]) == [] and store.entries_filtered("t", cases[0][0]) == []
