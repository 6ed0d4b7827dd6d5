"""ITI-18 answers assembled from cached serialised objects (simulators/dmp/fragments.py): byte for byte
the codec's output on a varied set of objects, and never stale after a change in the registry."""

from __future__ import annotations

import time
from pathlib import Path

import pytest

from simulators.core.db import open_database
from simulators.core.soap import Addressing, build_envelope
from simulators.dmp.codec import xds
from simulators.dmp.codec.ebrim import association_element, entry_element, object_ref, submission_set_elements
from simulators.dmp.context import DmpOptions, Services, load_caller
from simulators.dmp.fragments import FragmentCache, response_objects, serialise, splice
from simulators.dmp.model import (
    APPROVED, DEPRECATED, HAS_MEMBER, RPLC, Association, Author, Authorization, Code, DocumentEntry, SubmissionSet,
)
from simulators.dmp.queries import stored_query
from simulators.dmp.rules import AccessPolicy
from simulators.dmp.seed import make_seeder
from simulators.dmp.store import DmpStore
from simulators.dmp.valuesets import load_valuesets
from simulators.dmp.vihf import Role, VihfClaims, build_assertion, parse_vihf
from tests.dmp.conftest import SEED

ADDRESSING = Addressing(action="urn:ihe:iti:2007:RegistryStoredQueryResponse", message_id="urn:uuid:1",
                        relates_to="urn:uuid:<rim:RegistryObjectList/>", to="http://www.w3.org/2005/08/addressing/anonymous")


def _entries() -> list[DocumentEntry]:
    author = Author(person="123^DUPONT^Jean^^^^^^&1.2.250.1.71.4.2.1&ISO", roles=["Médecin"],
                    institutions=["Cabinet & Cie <test>^^^^^^^^^3123456789"], specialties=["G15_10/SM26"])
    full = DocumentEntry(
        entry_uuid="urn:uuid:aaaa", unique_id="1.2.3.4", lid="urn:uuid:lid-a", patient_id="1234^^^&1.2.250&ISO^NH",
        source_patient_id="1234^^^&1.2.250&ISO^NH", source_patient_info=["PID-5|DUPONT^Élise", "PID-7|20200101"],
        class_code=Code("10", "1.2.250.1.213.1.1.4.1", "Compte rendu"), type_code=Code("11488-4", "2.16.840.1.113883.6.1"),
        format_code=Code("urn:ihe:iti:xds-sd:pdf:2008", "1.3.6.1.4.1.19376.1.2.3"),
        facility_code=Code("SA01", "1.2.250.1.71.4.2.4", "Établissement"), practice_code=Code("ETABLISSEMENT", "x"),
        confidentiality=[Code("N", "2.16.840.1.113883.5.25", "Normal"), Code("MASQUE_PS", "1.2.250.1.213.1.1.4.13")],
        event_codes=[Code("E1", "s1"), Code("E2", "s2", "\"quoted\" 'x'")], authors=[author, Author(person="only")],
        legal_authenticator="99^LEGAL", mime_type="text/xml", hash="abc", size=0, creation_time="20250101",
        service_start="202501011200", service_stop="20250102", language="fr-FR", title="Titre <&> é",
        comments="Commentaire\nsur deux lignes", repository_uid="1.2.250.1.213.4.1.1.1.1",
        reference_ids=["r1^^^&1.2&ISO^urn:ihe:iti:xds:2013:order", "r2"], status=DEPRECATED, version=3)
    bare = DocumentEntry(entry_uuid="urn:uuid:bbbb", unique_id="9.9", patient_id="p^^^&o&ISO^NH")
    unicode_ = DocumentEntry(entry_uuid="urn:uuid:cccc", unique_id="u", lid="", title="日本語 \u00a0 ☃", size=12345,
                             type_code=Code("t", "s", ""), status=APPROVED)
    return [full, bare, unicode_]


def _sets() -> list[SubmissionSet]:
    return [SubmissionSet(entry_uuid="urn:uuid:ss1", unique_id="1.2.9", source_id="1.2.8", patient_id="1234^^^&1.2&ISO^NH",
                          submission_time="20250101120000", content_type=Code("04", "1.2.250.1.213.1.1.4.2", "Hosp"),
                          authors=[Author(person="a", institutions=["X^^^^^^^^^1"])], title="Lot", comments="c"),
            SubmissionSet(entry_uuid="urn:uuid:ss2")]


def _assocs() -> list[Association]:
    return [Association("urn:uuid:as1", HAS_MEMBER, "urn:uuid:ss1", "urn:uuid:aaaa",
                        slots={"SubmissionSetStatus": ["Original"]}),
            Association("urn:uuid:as2", RPLC, "urn:uuid:bbbb", "urn:uuid:aaaa", status=DEPRECATED)]


@pytest.mark.parametrize("warnings", [[], [xds.RegistryErrorItem("XDSPatientIdDoesNotMatch", "1 fiche <ignorée>",
                                                                  severity=xds.SEVERITY_WARNING)]])
def test_assembled_answer_is_the_codecs_byte_for_byte(warnings: list[xds.RegistryErrorItem]) -> None:
    cache = FragmentCache()
    entries, sets, assocs = _entries(), _sets(), _assocs()
    reference = build_envelope(xds.adhoc_query_response(
        [entry_element(e) for e in entries] + [el for s in sets for el in submission_set_elements(s)]
        + [association_element(a) for a in assocs], warnings), addressing=ADDRESSING, wsa_prefix=None)
    for _ in range(2):  # cold, then every fragment from the cache
        parts = ([cache.entry("s", e, f"v-{e.entry_uuid}") for e in entries]
                 + [cache.submission_set("s", s, "v") for s in sets] + [cache.association("s", a) for a in assocs])
        assembled = splice(build_envelope(response_objects(warnings), addressing=ADDRESSING, wsa_prefix=None), parts)
        assert assembled == reference
    assert cache.hits == len(parts)
    ids = [e.entry_uuid for e in entries] + ["urn:uuid:ss1"]
    refs = build_envelope(xds.adhoc_query_response([object_ref(i) for i in ids]), addressing=ADDRESSING, wsa_prefix=None)
    assert splice(build_envelope(response_objects(), addressing=ADDRESSING, wsa_prefix=None),
                  [cache.object_ref(i) for i in ids]) == refs
    empty = build_envelope(xds.adhoc_query_response([], warnings), addressing=ADDRESSING, wsa_prefix=None)
    assert splice(build_envelope(response_objects(warnings), addressing=ADDRESSING, wsa_prefix=None), []) == empty


def test_cache_is_bounded_and_drops_a_session() -> None:
    cache = FragmentCache(max_bytes=20_000)
    entries = [DocumentEntry(entry_uuid=f"urn:uuid:{n}", unique_id=str(n), title="x" * 500) for n in range(60)]
    for e in entries:
        cache.entry("a", e, "v")
    assert 0 < len(cache) < 60 and cache._bytes <= 20_000
    cache.entry("b", entries[0], "v")
    cache.drop_session("a")
    assert len(cache) == 1


# --- through the registry ---------------------------------------------------------------------------


@pytest.fixture
def services(tmp_path: Path):
    db = open_database(f"sqlite:///{tmp_path / 'r.db'}")
    options = DmpOptions.from_mapping({})
    store = DmpStore(db, seeder=make_seeder(SEED, repository_uid=options.repository_uid))
    store.create_tables()
    yield Services(store, load_valuesets(), options, AccessPolicy(load_valuesets(), options.access))
    db.dispose()


def _caller(services: Services, world):
    elise = world.person("elise")
    structure = world.establishment("cabinet-medical-montreuil").idnst
    claims = VihfClaims(structure_id=structure, activity_sector="SA41", subject_name="LEFEBVRE Marc",
                        roles=(Role("10", "1.2.250.1.71.1.2.7"), Role("SM54", "1.2.250.1.71.4.2.5")),
                        patient_ins=elise.ins.value)
    services.store.ensure_seeded("s")
    services.store.save_authorization("s", Authorization(elise.ins.value, structure, "VALIDE", time.time(), None))
    return load_caller(services, "s", parse_vihf(build_assertion(claims, "CN=X"), services.vs))


def _answer_is_current(services: Services, caller, world) -> bool:
    """The assembled FindDocuments (Approved + Deprecated) equals the codec's build of the registry as it is now."""
    q = xds.StoredQuery(xds.FIND_DOCUMENTS, params={
        "$XDSDocumentEntryPatientId": [f"{caller.ins}^^^&{world.person('elise').ins.oid}&ISO^NH"],
        "$XDSDocumentEntryStatus": [APPROVED, DEPRECATED]})
    objects, _, _ = stored_query(q, caller, services)
    t = services.store.entries_table
    fresh = services.store.entries_where("s", t.c.patient_ins == caller.ins)
    assert len(objects) == len(fresh) > 3
    return b"".join(objects) == serialise([entry_element(e) for e in fresh])


def _deprecate_first(services: Services, caller) -> None:
    t = services.store.entries_table
    first = services.store.entries_where("s", t.c.patient_ins == caller.ins)[0]
    services.store.register("s", None, [], [], [], status_changes=[(first.entry_uuid, DEPRECATED)])


def test_a_status_change_is_never_answered_from_a_stale_fragment(services: Services, world) -> None:
    caller = _caller(services, world)
    assert _answer_is_current(services, caller, world)
    assert services.store.fragments.misses > 0 and _answer_is_current(services, caller, world)
    assert services.store.fragments.hits > 0  # the second answer came from the cache
    _deprecate_first(services, caller)
    assert _answer_is_current(services, caller, world)
    services.store.drop_session("s")
    assert len(services.store.fragments) == 0


def test_the_staleness_check_fails_when_invalidation_is_skipped(services: Services, world,
                                                                monkeypatch: pytest.MonkeyPatch) -> None:
    """Seeded defect: a cache that ignores the stored version and is never told of changes."""
    original = FragmentCache._get
    monkeypatch.setattr(FragmentCache, "_get", lambda self, key, version, build: original(self, key, "", build))
    monkeypatch.setattr(FragmentCache, "discard", lambda self, *args: None)
    caller = _caller(services, world)
    assert _answer_is_current(services, caller, world)
    _deprecate_first(services, caller)
    assert not _answer_is_current(services, caller, world)
