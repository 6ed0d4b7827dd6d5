"""dmp@ checks over real exchanges: the reference client passes, and a DUI that breaks a rule is
flagged with a message saying what was expected and what was sent."""

from __future__ import annotations

from datetime import datetime, timedelta, UTC

from conformance import checks_dmp, checks_dmp_session, checks_dmp_vihf
from conformance.checks import run_check
from conformance.outcomes import Outcome
from conformance.registry import default_registry
from conformance.requirements import load_catalogue
from simulators.dmp.model import APPROVED
from tests.dmp.conftest import cda_for


def checks() -> list:
    """The whole DMP check set, in catalogue order (envelope and VIHF, content, session)."""
    return [*checks_dmp_vihf.checks(), *checks_dmp.checks(), *checks_dmp_session.checks()]


def exchanges(bench, session: str) -> list:
    journal = bench.runtime.journal
    journal.flush()
    return list(journal.iter_session(session))


def outcomes(bench, session: str) -> dict[str, set[Outcome]]:
    recorded = exchanges(bench, session)
    result: dict[str, set[Outcome]] = {}
    for check in checks():
        if check.kind == "live":
            for ex in recorded:
                if check.applies_to(ex):
                    result.setdefault(check.id, set()).update(f.outcome for f in run_check(check, ex, [ex.id]))
        else:
            result.setdefault(check.id, set()).update(f.outcome for f in run_check(check, recorded, []))
    return result


def test_every_check_cites_a_known_requirement() -> None:
    catalogue = load_catalogue()
    cited = {r for c in checks() for r in c.requirements}
    assert all(catalogue.get(r) is not None for r in cited)
    cited |= set(default_registry().cited_requirements())  # dmp@21 lives in checks_official
    dmp_ids = {r.id for r in catalogue if r.id.startswith("dmp@") and not r.untested}
    assert dmp_ids <= cited


def test_reference_client_passes(make_client, world, dmp_bench, session) -> None:
    elise = world.person("elise")
    ins, oid = elise.ins.value, elise.ins.oid
    client = make_client("medecin-elise")
    assert client.test_existence(ins, oid).observations["AUTORISATION"] == "NON_EXISTE"
    client.set_authorization(ins, oid)
    first = cda_for(world, "elise", "medecin-elise", "ordonnance")
    assert client.feed([(first, ())]).ok
    found = client.find_documents(ins, oid)
    old = next(e for e in found.entries if e.unique_id == first.unique_id)
    second = cda_for(world, "elise", "medecin-elise", "ordonnance", replaces=first.unique_id)
    second.set_id = first.unique_id
    assert client.feed([(second, ())], replaces={second.unique_id: old.entry_uuid}).ok
    client.retrieve(ins, oid, [second.unique_id], repository_uid=old.repository_uid)
    client.new_documents_since(ins, oid, datetime.now(UTC) - timedelta(minutes=5))
    result = outcomes(dmp_bench, session)
    failed = {check for check, found in result.items() if Outcome.FAIL in found or Outcome.ERROR in found}
    assert not failed, failed
    assert Outcome.PASS in result["dmp.signed-lot"] and Outcome.PASS in result["dmp.first-search"]
    assert Outcome.PASS in result["dmp.consultation-authorized"] and Outcome.PASS in result["dmp.new-documents"]


def test_bad_dui_is_flagged(make_client, world, dmp_bench, session) -> None:
    elise = world.person("elise")
    ins, oid = elise.ins.value, elise.ins.oid
    client = make_client("medecin-elise")
    client.find_documents(ins, oid, since=datetime(2000, 1, 1, tzinfo=UTC), statuses=(APPROVED,))
    educational = cda_for(world, "elise", "medecin-elise", "rapport-echeance", title="Rapport d'échéance AEMO")
    client.provide_and_register(client.prepare([(educational, ())], sign=False))
    client.feed([(cda_for(world, "elise", "medecin-elise", "ordonnance"), ())], secret=True)
    duplicate = cda_for(world, "elise", "medecin-elise", "ordonnance")
    assert client.feed([(duplicate, ())]).ok
    copy = cda_for(world, "elise", "medecin-elise", "ordonnance")
    copy.set_id = duplicate.unique_id
    client.feed([(copy, ())])
    client.find_documents(ins, oid, since=datetime.now(UTC) - timedelta(days=1))
    result = outcomes(dmp_bench, session)
    for check in ("dmp.first-search", "dmp.never-to-dmp", "dmp.signed-lot", "dmp.secret-connection",
                  "dmp.replacement", "dmp.consultation-authorized", "dmp.new-documents"):
        assert Outcome.FAIL in result[check], (check, result[check])


def test_envelope_and_mtom_rules_are_judged(make_client, world, dmp_bench, session) -> None:
    import base64

    from simulators.codecs.soap import Addressing, build_envelope, soap12_content_type
    from simulators.dmp.codec import xds
    from simulators.dmp.vihf import security_header

    client = make_client("medecin-elise")
    spec = cda_for(world, "elise", "medecin-elise", "ordonnance")
    sub = client.prepare([(spec, ())])
    payload, attachments = xds.provide_and_register_request(sub)
    for doc, (_, _, data) in zip(payload.iterfind("{urn:ihe:iti:xds-b:2007}Document"), attachments, strict=False):
        doc.remove(doc[0])
        doc.text = base64.b64encode(data).decode()
    envelope = build_envelope(payload, headers=[security_header(client.vihf(spec.patient.ins, spec.patient.ins_oid))],
                              addressing=Addressing(action=xds.ACTION_ITI41, message_id="42"), wsa_prefix=None)
    response = client.http.post(client.endpoint("repository"), data=envelope, timeout=30, verify=client.verify,
                                cert=client.identity.tls_cert, headers={"Content-Type": soap12_content_type(xds.ACTION_ITI41)})
    assert b"Success" in response.content  # the simulator is lenient; the report is not
    result = outcomes(dmp_bench, session)
    assert Outcome.FAIL in result["dmp.mtom"] and Outcome.FAIL in result["dmp.soap12-addressing"]
    assert Outcome.PASS in result["dmp.vihf-signature"] and Outcome.PASS in result["dmp.vihf-tls-dn"]
