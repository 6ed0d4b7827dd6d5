"""Admin API (/_bench/mss), session reset, fault injection, Reply-To in patient threads."""

from __future__ import annotations

import smtplib

import pytest
import requests

from simulators.core.faults import FaultRule
from simulators.mss.client import compose
from simulators.mss.rules import TrustSpace
from tests.mss.test_operator import AEMO_EDUC, CRIP, ELLIOT_INS, ERGO


def test_mailbox_admin_and_liste_blanche(mss_bench, mail, token_for, session) -> None:
    admin = mss_bench.admin_url + "/_bench/mss"
    boxes = requests.get(f"{admin}/sessions/{session}/mailboxes", params={"kind": "APP"}, timeout=10).json()
    assert boxes and all(b["kind"] == "APP" for b in boxes)
    new = {"address": "nouvelle.bal@cd93.mssante.test", "kind": "ORG", "display_name": "Nouvelle BAL"}
    assert requests.post(f"{admin}/sessions/{session}/mailboxes", json=new, timeout=10).status_code == 201
    outside = dict(new, address="x@ailleurs.example")
    assert requests.post(f"{admin}/sessions/{session}/mailboxes", json=outside, timeout=10).status_code == 400
    mail.send(compose(ERGO, "Ergo", [new["address"]], "Bienvenue", "x"), ERGO, token_for(ERGO, session=session))
    listed = requests.get(f"{admin}/sessions/{session}/mailboxes/{new['address']}/messages", timeout=10).json()
    assert [m["subject"] for m in listed] == ["Bienvenue"]
    raw = requests.get(f"{admin}/sessions/{session}/mailboxes/{new['address']}/messages/{listed[0]['uid']}",
                       timeout=10)
    assert raw.headers["Content-Type"].startswith("message/rfc822") and b"Bienvenue" in raw.content
    token = requests.post(f"{admin}/sessions/{session}/tokens", json={"address": new["address"]}, timeout=10).json()
    assert len(mail.fetch_all(new["address"], token["access_token"])) == 1
    assert requests.delete(f"{admin}/sessions/{session}/mailboxes/{new['address']}", timeout=10).status_code == 204
    with pytest.raises(smtplib.SMTPRecipientsRefused):
        mail.send(compose(ERGO, "Ergo", [new["address"]], "Encore", "x"), ERGO, token_for(ERGO, session=session))
    trust = TrustSpace.from_xml(requests.get(f"{admin}/liste-blanche.xml", timeout=10).content)
    assert trust.allows("cd93.mssante.test") and not trust.allows("tribunal-judiciaire.justice.test")


def test_session_reset_empties_the_mailboxes(mss_bench, mail, token_for, session) -> None:
    mail.send(compose(ERGO, "Ergo", [CRIP], "Avant", "x"), ERGO, token_for(ERGO, session=session))
    token = token_for(CRIP, session=session)
    assert len(mail.fetch_all(CRIP, token)) == 1
    assert mss_bench.runtime is not None
    mss_bench.runtime.sessions.reset(session)
    assert mail.fetch_all(CRIP, token) == []


def test_injected_smtp_fault_is_a_protocol_reply(mss_bench, mail, token_for, session) -> None:
    assert mss_bench.runtime is not None
    mss_bench.runtime.faults.add(FaultRule(kind="fault", session=session, service="mss", operation="send",
                                           fault="smtp_451", max_hits=1))
    token = token_for(ERGO, session=session)
    with pytest.raises(smtplib.SMTPDataError) as failed:
        mail.send(compose(ERGO, "Ergo", [CRIP], "Panne", "x"), ERGO, token)
    assert failed.value.smtp_code == 451
    assert mail.send(compose(ERGO, "Ergo", [CRIP], "Reprise", "x"), ERGO, token) == {}


def test_patient_reply_goes_to_reply_to(mail, token_for, session) -> None:
    elliot = f"{ELLIOT_INS}@patient.mssante.fr"
    pro = token_for(AEMO_EDUC, session=session)
    mail.send(compose(AEMO_EDUC, "AEMO", [elliot], "Suivi", "x", reply_to=CRIP), AEMO_EDUC, pro)
    patient = token_for(elliot, session=session)
    assert mail.send(compose(elliot, "Elliot", [CRIP], "Re: Suivi", "ok"), elliot, patient) == {}


def test_minors_have_their_own_patient_box(mss_bench, session) -> None:
    from tests.mss.test_operator import WORLD

    admin = mss_bench.admin_url + "/_bench/mss"
    boxes = {b["owner_id"]: b for b in requests.get(f"{admin}/sessions/{session}/mailboxes",
                                                    params={"kind": "PAT"}, timeout=10).json()}
    assert boxes["elliot"]["address"] == f"{ELLIOT_INS}@patient.mssante.fr" and boxes["elliot"]["minor"] is True
    assert boxes["elliot-mere"]["minor"] is False
    assert boxes["elliot-mere"]["address"] == WORLD.person("elliot-mere").mes_address


def test_liste_blanche_file_replaces_the_trust_space(tmp_path, pki) -> None:
    from simulators.core.bench import Bench
    from simulators.core.tls import client_context
    from simulators.mss.factory import SERVICE as MSS
    from simulators.mss.client import MailClient, get_token
    from tests.conftest import make_config
    from tests.mss.conftest import port_of

    path = tmp_path / "listeblanche.xml"
    path.write_bytes(TrustSpace.of(["paramedical.mssante.test", "horizon-enfance.mssante.test"]).to_xml())
    config = make_config(tmp_path, tls=True, services={"mss": {"liste_blanche": str(path)}})
    with Bench(config, [MSS], pki=pki) as bench:
        mail = MailClient("127.0.0.1", port_of(bench, "smtp"), port_of(bench, "imap"), client_context(pki))
        token = get_token(bench.url("psc").split("/auth/")[0], ERGO, verify=str(pki.root_path)).access_token
        refused = mail.send(compose(ERGO, "Ergo", [CRIP, AEMO_EDUC], "x", "x"), ERGO, token)
        assert list(refused) == [CRIP] and b"5.7.1" in refused[CRIP][1]
