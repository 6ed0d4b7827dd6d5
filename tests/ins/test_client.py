"""The reference client: normalisation, CR 02 strategy, 01 memory, INSHISTO as a list, key/OID checks."""

from __future__ import annotations

from datetime import timedelta

from simulators.core.bench import Bench
from simulators.core.journal import ExchangeQuery
from simulators.core.pki import Pki
from simulators.ins.client import InsiClient, cps_assertion_factory
from tests.ins.conftest import http_client


def _sent(bench: Bench, session: str) -> list[dict]:
    return [e.summary["traits"] for e in bench.runtime.journal.query(ExchangeQuery(session=session))]


def test_02_is_narrowed_with_the_other_prenoms_then_the_birthplace(http_bench: Bench) -> None:
    client = http_client(http_bench, "client-02")
    outcome = client.search_traits("de vinci", ["Léonardo", "Andréa"], "M", "2014-02-01")
    assert (outcome.cr, outcome.premier_prenom, outcome.liste_prenom) == ("00", "LEONARDO", "LEONARDO ANDREA")
    assert [a.cr for a in outcome.attempts] == ["02", "00"]
    outcome = client.search_traits("DE VINCI", "LEONARDO", "M", "2014-02-01", "63220")
    assert [(a.query.prenoms, a.query.lieu_naissance, a.cr) for a in outcome.attempts] == [
        (("LEONARDO",), "", "02"), (("LEONARDO",), "63220", "00")]
    sent = _sent(http_bench, "client-02")
    assert sent[0]["nom"] == "DE VINCI" and sent[0]["prenoms"] == ["LEONARDO"]


def test_02_without_more_information_stops(http_bench: Bench) -> None:
    outcome = http_client(http_bench, "client-02-stop").search_traits("DE VINCI", "LEONARDO", "M", "2014-02-01")
    assert outcome.cr == "02" and len(outcome.attempts) == 1 and not outcome.usable


def test_01_is_not_repeated_within_a_minute(http_bench: Bench) -> None:
    now = [1000.0]
    client = InsiClient(http_client(http_bench, "client-01").url, clock=lambda: now[0])
    assert client.search_traits("TCHITCHI", "OLA", "F", "1936-06-21").cr == "01"
    assert client.search_traits("TCHITCHI", "OLA", "F", "1936-06-21").cached
    now[0] += 61
    assert not client.search_traits("TCHITCHI", "OLA", "F", "1936-06-21").cached
    assert len(_sent(http_bench, "client-01")) == 2


def test_history_is_a_list_and_keys_and_oids_are_checked(http_bench: Bench) -> None:
    client = http_client(http_bench, "client-checks")
    single = client.search_traits("ECETINSI", "PIERRE-ALAIN MURIEL FLORIANT", "M", "2009-07-14")
    assert [h.nir for h in single.history] == ["2090763220834"] and single.usable and single.status == "RECUP"
    hermann = client.search_traits("HERMANN", "GATIEN", "M", "1981-03-24")
    assert not hermann.usable and any("clé incorrecte : attendue 76, reçue 60" in w for w in hermann.warnings)
    fanny = client.search_traits("Lavergne", "Fanny Léa", "F", "2018-03-14")
    assert fanny.usable and any("test ou de démonstration" in w for w in fanny.warnings)
    production = InsiClient(client.url, production=True).search_traits("LAVERGNE", "FANNY", "F", "2018-03-14")
    assert not production.usable
    nia = client.search_traits("PROVISOIRE", "MATRICULE", "M", "2009-07-01")
    assert nia.usable and nia.oid == "1.2.250.1.213.1.4.9" and any("NIA" in w for w in nia.warnings)


def test_verification_compares_the_stored_matricule(http_bench: Bench) -> None:
    client = http_client(http_bench, "client-verify")
    assert client.verify("297022A02077878", "ADRTROIS", "DOMINIQUE", "F", "1997-02-26")
    assert not client.verify("297022A02077879", "ADRTROIS", "DOMINIQUE", "F", "1997-02-26")


def test_cps_assertion_is_minted_once_and_renewed_before_expiry(pki: Pki) -> None:
    factory = cps_assertion_factory(pki.certificate("cps"), pki.private_key("cps"), ps_id="00B6087510")
    assert factory() is factory()
    short = cps_assertion_factory(pki.certificate("cps"), pki.private_key("cps"), ps_id="00B6087510",
                                  lifetime=timedelta(minutes=4))
    assert short() is not short()
