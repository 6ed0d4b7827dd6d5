"""Parse once: the DMP live checks read the envelope and the ITI-41 submission the server decoded
(`Exchange.decoded`, memory only) and reach exactly the verdicts they reach by parsing the stored bytes
(an exchange read back from a journal), on accepted and refused requests alike."""

from __future__ import annotations

import dataclasses
import sys
from datetime import datetime, timedelta, UTC
from pathlib import Path

from conformance import checks_dmp
from simulators.core.bench import Bench
from tests.support.live import recording_checker, verdict_rows
from simulators.core.exchange import Exchange, new_exchange_id
from simulators.core.tls import requests_verify
from simulators.dmp.client import DmpClient
from simulators.dmp.codec.xds import DECODED_REQUEST, DECODED_SUBMISSION
from simulators.dmp.model import Submission
from simulators.dmp.simulator import DmpSimulator
from tests.conftest import make_config
from tests.dmp.conftest import SEED, cda_for, identity_for


def _symbolic(sub: Submission) -> Submission:
    """The same submission with symbolic ids (`Document01`, `SubmissionSet01`) the registry renames."""
    names = {e.entry_uuid: f"Document{n:02d}" for n, e in enumerate(sub.entries, 1)}
    assert sub.submission_set is not None
    names[sub.submission_set.entry_uuid] = "SubmissionSet01"
    for e in sub.entries:
        e.entry_uuid = names[e.entry_uuid]
    sub.submission_set.entry_uuid = names[sub.submission_set.entry_uuid]
    for n, a in enumerate(sub.associations, 1):
        a.id, a.source, a.target = f"Association{n:02d}", names.get(a.source, a.source), names.get(a.target, a.target)
    sub.documents = {names.get(k, k): v for k, v in sub.documents.items()}
    return sub



def test_decoded_request_and_parsed_bytes_give_the_same_verdicts(tmp_path: Path, pki, world, monkeypatch) -> None:
    parses: list[str] = []
    real_parse = checks_dmp.xds.parse_provide_and_register

    def counting_parse(payload, attachments):  # the server's own parse (the same module function) is not counted
        if sys._getframe(1).f_globals["__name__"] == checks_dmp.__name__:
            parses.append("submission")
        return real_parse(payload, attachments)

    monkeypatch.setattr(checks_dmp.xds, "parse_provide_and_register", counting_parse)
    base, checker, live = recording_checker()

    elise = world.person("elise")
    ins, oid = elise.ins.value, elise.ins.oid
    config = make_config(tmp_path, tls=True, seed=SEED, only=("dmp",))
    with Bench(config, [DmpSimulator()], pki=pki, live_checker=checker) as bench:
        client = DmpClient(bench.url("dmp"), identity_for(pki, world, "medecin-elise"), verify=requests_verify(pki),
                           session="parse-once")
        client.test_existence(ins, oid)
        client.set_authorization(ins, oid)
        first = cda_for(world, "elise", "medecin-elise", "ordonnance")
        assert client.feed([(first, ())]).ok
        assert client.provide_and_register(_symbolic(client.prepare([(cda_for(world, "elise", "medecin-elise",
                                                                                "dlu"), ())]))).ok
        bad_hash = client.prepare([(cda_for(world, "elise", "medecin-elise", "ordonnance"), ())])
        bad_hash.entries[0].hash = "0" * 40
        assert not client.provide_and_register(bad_hash).ok
        no_hash = client.prepare([(cda_for(world, "elise", "medecin-elise", "bilan-fonctionnel"), ())], sign=False)
        for e in no_hash.entries:
            e.hash, e.size = "", None
        client.provide_and_register(no_hash)
        assert not client.feed([(first, ())]).ok  # uniqueId already in the registry
        client.feed([(cda_for(world, "elise", "medecin-elise", "ordonnance"), ())], secret=True)
        client.provide_and_register(client.prepare([(cda_for(world, "elise", "medecin-elise", "dlu"), ())]), mtom=False)
        found = client.find_documents(ins, oid)
        old = next(e for e in found.entries if e.unique_id == first.unique_id)
        second = dataclasses.replace(cda_for(world, "elise", "medecin-elise", "ordonnance", replaces=first.unique_id),
                                     set_id=first.unique_id)
        client.feed([(second, ())], replaces={second.unique_id: old.entry_uuid})
        client.new_documents_since(ins, oid, datetime.now(UTC) - timedelta(minutes=5))
        assert bench.runtime.journal.flush(30)
        live_parses = len(parses)
    feeds = [ex for ex, _ in live if ex.operation == "ITI-41"]
    assert len(feeds) == 8
    assert all(DECODED_REQUEST in ex.decoded and DECODED_SUBMISSION in ex.decoded for ex in feeds)
    assert all(DECODED_REQUEST in ex.decoded for ex, _ in live if ex.method == "POST")
    assert live_parses == 0  # every submission came with the server's reading
    for exchange, verdicts in live:
        replay = Exchange.from_json(exchange.to_json())  # as read back from a journal: nothing decoded
        replay.id = new_exchange_id()  # a fresh reading, not the memoised one
        assert not replay.decoded
        assert verdict_rows(base(replay)) == verdicts, exchange.summary
    assert len(parses) == len(feeds)  # the replays were parsed
    outcomes = {str(v[1]) for _, verdicts in live for v in verdicts}
    assert {"fail", "pass"} <= outcomes, outcomes  # both sides were judged
