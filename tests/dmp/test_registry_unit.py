"""The registry without HTTP: transaction handlers called directly on a store (fast, exact)."""

from __future__ import annotations

import time
from dataclasses import replace
from pathlib import Path

import pytest

from simulators.core.db import open_database
from simulators.dmp.codec import xds
from simulators.dmp.context import DmpOptions, Services, load_caller
from simulators.dmp.model import APPROVED, Authorization
from simulators.dmp.queries import stored_query
from simulators.dmp.rules import AccessPolicy
from simulators.dmp.seed import make_seeder
from simulators.dmp.store import DmpStore
from simulators.dmp.valuesets import load_valuesets
from simulators.dmp.vihf import Role, VihfClaims, build_assertion, parse_vihf
from tests.dmp.conftest import SEED


@pytest.fixture
def services(tmp_path: Path):
    db = open_database(f"sqlite:///{tmp_path / 'r.db'}")
    options = DmpOptions.from_options({"max_results": 3, "error_contexts": {"access_denied": "Accès refusé (texte du site)."}})
    store = DmpStore(db, seeder=make_seeder(SEED, repository_uid=options.repository_uid))
    store.create_tables()
    yield Services(store, load_valuesets(), options, AccessPolicy(load_valuesets(), options.access))
    db.dispose()


def caller_for(services: Services, world, *, authorized: bool):
    elise = world.person("elise")
    structure = world.establishment("cabinet-medical-montreuil").idnst
    claims = VihfClaims(structure_id=structure, activity_sector="SA41", subject_name="LEFEBVRE Marc",
                        roles=(Role("10", "1.2.250.1.71.1.2.7"), Role("SM54", "1.2.250.1.71.4.2.5")),
                        patient_ins=elise.ins.value)
    vihf = parse_vihf(build_assertion(claims, "CN=X"), services.vs)
    services.store.ensure_seeded("s")
    if authorized:
        services.store.save_authorization("s", Authorization(elise.ins.value, structure, "VALIDE", time.time(), None))
    return load_caller(services, "s", vihf)


def find(ins: str, oid: str) -> xds.StoredQuery:
    return xds.StoredQuery(xds.FIND_DOCUMENTS, params={"$XDSDocumentEntryPatientId": [f"{ins}^^^&{oid}&ISO^NH"],
                                                       "$XDSDocumentEntryStatus": [APPROVED]})


def test_too_many_results(services, world) -> None:
    caller = caller_for(services, world, authorized=True)
    with pytest.raises(xds.RegistryFailure) as info:
        stored_query(find(caller.ins, world.person("elise").ins.oid), caller, services)
    assert info.value.errors[0].code == "XDSTooManyResults"


def test_site_specific_refusal_text(services, world) -> None:
    stranger = caller_for(services, world, authorized=False)
    stranger.actor = replace(stranger.actor, structure_id="1000")  # authored nothing, no authorisation
    with pytest.raises(xds.RegistryFailure) as info:
        stored_query(find(stranger.ins, world.person("elise").ins.oid), stranger, services)
    assert info.value.errors[0].context == "Accès refusé (texte du site)."
    assert info.value.errors[0].code == "XDSRegistryError"
