"""The simulator over plain HTTP: wire format, validation faults, injected faults, carte Vitale search,
options. (Authentication profiles are in test_mtls.py / test_cpx.py.)"""

from __future__ import annotations


from collections.abc import Iterator
from pathlib import Path

import pytest
import requests

from simulators.core.bench import Bench
from simulators.core.journal import ExchangeQuery
from simulators.ins.model import TraitsQuery, VitaleQuery
from simulators.ins.server import InsSimulator
from tests.conftest import make_config
from tests.ins.conftest import session_url
from tests.ins.helpers import ZOE, answer, fault, post, request_bytes

ECETINSI_RESPONSE = (Path(__file__).resolve().parents[1] / "fixtures" / "ins" / "live-ecetinsi-pierre-alain.xml").read_bytes()


def test_response_bytes_follow_the_live_service(http_bench: Bench) -> None:
    reply = post(session_url(http_bench, "wire"),
                 request_bytes(TraitsQuery("ECETINSI", ("PIERRE-ALAIN",), "M", "2009-07-14")))
    assert reply.status_code == 200
    assert reply.headers["Content-Type"] == "application/soap+xml;charset=UTF-8"
    assert reply.content == ECETINSI_RESPONSE


def test_01_has_no_individu(http_bench: Bench) -> None:
    reply = post(session_url(http_bench, "wire"), request_bytes(TraitsQuery("TCHITCHI", ("OLA",), "F", "1936-06-21")))
    assert b"<CR><CodeCR>01</CodeCR><LibelleCR>Aucune identite trouvee</LibelleCR></CR></RESULTAT>" in reply.content


def test_lunar_birth_date_is_returned_as_stored(http_bench: Bench) -> None:
    amina = TraitsQuery("LUNAIRE", ("AMINA",), "F", "1958-00-00")
    response = answer(session_url(http_bench, "lunar"), request_bytes(amina))
    assert (response.cr, response.date_naissance, response.lieu_naissance) == ("00", "1958-00-00", "99350")


def test_birthplace_filters_only_when_sent(http_bench: Bench) -> None:
    url = session_url(http_bench, "lieu")
    leonardo = ("DE VINCI", ("LEONARDO",), "M", "2014-02-01")
    assert answer(url, request_bytes(TraitsQuery(*leonardo))).cr == "02"
    assert answer(url, request_bytes(TraitsQuery(*leonardo, "75114"))).ins.nir == "1140275114502"
    assert answer(url, request_bytes(TraitsQuery(*leonardo, "13055"))).cr == "01"
    assert answer(url, request_bytes(TraitsQuery("DE VINCI", ("LEONARDO", "ANDREA"), "M", "2014-02-01"))).cr == "00"


def test_carte_vitale_search_by_own_matricule_and_by_card_holder(http_bench: Bench) -> None:
    url = session_url(http_bench, "vitale")
    own = answer(url, request_bytes(VitaleQuery(matricule_individu="2751263220749", cle_individu="74")))
    assert (own.cr, own.nom_naissance) == ("00", "ADRUN")
    world = http_bench.runtime  # the child Fanny is found through her parent's card
    from simulators.ins.seed import world_persons
    fanny = next(p for p in world_persons(world.config.seed) if p.id == "fanny")
    child = answer(url, request_bytes(VitaleQuery(matricule_od=fanny.ouvrant_droit, date_naissance="2018-03-14",
                                                  rang_naissance="1")))
    assert (child.cr, child.ins.nir) == ("00", fanny.ins.nir)
    assert answer(url, request_bytes(VitaleQuery(matricule_individu="1999999999999"))).cr == "01"


@pytest.mark.parametrize(("name", "code", "subcode", "erreur", "severite"), [
    ("insi_102", "Receiver", "siram_40", "insi_102", "fatal"),
    ("desir_1020", "Sender", "siram_40", "desir_1020", "fatale"),
    ("insi_24", "Sender", "siram_40", "insi_24", "erreur"),
    ("siram_100", "Sender", "siram_100", "desir_550", "erreur"),
    ("desir_550", "Sender", "siram_100", "desir_550", "erreur"),
    ("desir_560", "Sender", "siram_100", "DESIR_560", "erreur"),
    ("insi_111", "Receiver", "siram_40", "insi_111", "fatale"),
])
def test_catalogue_faults_are_injectable_by_name(http_bench: Bench, name, code, subcode, erreur, severite) -> None:
    session = f"inject-{name}"
    rule = requests.post(http_bench.admin_url + "/_bench/faults", timeout=10,
                         json={"kind": "fault", "service": "ins", "session": session, "fault": name})
    assert rule.status_code == 201, rule.text
    body = request_bytes()
    got = fault(session_url(http_bench, session), body)
    assert (got.code, got.subcode, got.erreur_code, got.severite) == (code, subcode, erreur, severite)
    assert got.message_id.startswith("uuid:") and got.message_id.encode() in body
    assert got.lang == "fr"


def test_generic_error_rule_answers_service_unavailable(http_bench: Bench) -> None:
    requests.post(http_bench.admin_url + "/_bench/faults", timeout=10,
                  json={"kind": "error", "service": "ins", "session": "inject-error"})
    assert fault(session_url(http_bench, "inject-error"), request_bytes()).erreur_code == "desir_1020"


def test_unknown_fault_name_is_refused_by_the_admin_api(http_bench: Bench) -> None:
    rule = requests.post(http_bench.admin_url + "/_bench/faults", timeout=10,
                         json={"kind": "fault", "service": "ins", "fault": "insi_999"})
    assert rule.status_code == 400 and "insi_102" in rule.text


def test_validation_faults(http_bench: Bench) -> None:
    url = session_url(http_bench, "validation")
    empty_sex = request_bytes(TraitsQuery("ADRUN", ("ZOE",), "", "1975-12-31"))
    assert fault(url, empty_sex).erreur_code == "insi_24"
    assert fault(url, request_bytes(TraitsQuery("ADRUN", ("ZOE",), "F", "31/12/1975"))).erreur_code == "bench_requete"
    assert fault(url, request_bytes(TraitsQuery("ADRUN", ("ZOE",), "F", "1975-12-31", "632"))).erreur_code == \
        "bench_requete"
    body = request_bytes()
    no_bam = body[:body.index(b"<ctxbam:ContexteBAM")] + body[body.index(b"</ctxbam:ContexteBAM>") + 21:]
    assert "ContexteBAM absent" in fault(url, no_bam).text
    no_mid = body.replace(b"<wsa:MessageID>", b"<wsa:To>").replace(b"</wsa:MessageID>", b"</wsa:To>")
    assert "MessageID" in fault(url, no_mid).text
    wrong_action = body.replace(b"rechercherInsAvecTraitsIdentite</wsa:Action>",
                                b"rechercherInsAvecCarteVitale</wsa:Action>")
    assert fault(url, wrong_action).erreur_code == "bench_action"
    no_idam_r = body.replace(b'<ctxlps:IDAM R="4">', b"<ctxlps:IDAM>")
    assert "IDAM@R" in fault(url, no_idam_r).text


@pytest.fixture(scope="module")
def tuned_bench(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Bench]:
    options = {"idam_allowlist": ["DUI-CONNU"], "fault_style": "legacy", "response_style": "legacy",
               "include_prenom": True, "prenom_match": "any", "returned_oid": "1.2.250.1.213.1.4.10",
               "exclude": ["cnam-adrun-zoe"], "bulk_per_minute": 5,
               "persons": [{"id": "vendor-1", "nom_naissance": "EDITEUR", "prenoms": "ALICE MARIE", "sexe": "F",
                            "date_naissance": "1990-05-17", "lieu_naissance": "35238", "ins": "290053523800142"}]}
    config = make_config(tmp_path_factory.mktemp("ins-tuned"), services={"ins": options})
    with Bench(config, [InsSimulator()]) as bench:
        yield bench


def test_options_change_the_wire_and_the_rules(tuned_bench: Bench) -> None:
    url = session_url(tuned_bench, "tuned")
    known = {"idam": "DUI-CONNU"}
    unknown = fault(url, request_bytes(TraitsQuery("TCHITCHI", ("BELLA",), "F", "1936-06-21")))
    assert (unknown.subcode, unknown.erreur_code, unknown.lang) == ("siram_100", "desir_550", "en")
    assert unknown.reason.startswith("L'accès par ce progiciel au service n'est pas autorisé.")
    assert unknown.text == "Numéro d'autorisation du logiciel inconnu."
    reply = post(url, request_bytes(TraitsQuery("TCHITCHI", ("BELLA",), "F", "1936-06-21"), **known))
    assert reply.content.startswith(b'<?xml version="1.0" encoding="UTF-8"?>\n<soap:Envelope '
                                    b'xmlns:soap="http://www.w3.org/2003/05/soap-envelope"><S:Body xmlns:S=')
    bella = answer(url, request_bytes(TraitsQuery("TCHITCHI", ("BELLA",), "F", "1936-06-21"), **known))
    assert (bella.cr, bella.prenom, bella.ins.oid) == ("00", "CATARINA", "1.2.250.1.213.1.4.10")
    nia = answer(url, request_bytes(TraitsQuery("PROVISOIRE", ("MATRICULE",), "M", "2009-07-01"), **known))
    assert nia.ins.oid == "1.2.250.1.213.1.4.9"
    assert answer(url, request_bytes(ZOE, **known)).cr == "01"
    vendor = answer(url, request_bytes(TraitsQuery("EDITEUR", ("MARIE",), "F", "1990-05-17"), **known))
    assert (vendor.ins.nir, vendor.ins.cle, vendor.liste_prenom) == ("2900535238001", "42", "ALICE MARIE")
    recorded = tuned_bench.runtime.journal.query(ExchangeQuery(session="tuned"))
    assert {e.summary.get("bulk_limit") for e in recorded} == {5}


def test_unknown_option_value_stops_the_start(tmp_path) -> None:
    from simulators.ins.options import OptionsError

    config = make_config(tmp_path, services={"ins": {"prenom_match": "fuzzy"}})
    with pytest.raises(OptionsError, match="prenom_match"):
        Bench(config, [InsSimulator()]).start()
