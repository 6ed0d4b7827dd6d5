"""Sans-IO codecs: a recorded-shape request, the client's requests, RESULTAT and fault rendering."""

from __future__ import annotations

from pathlib import Path

import pytest

from simulators.codecs.soap import parse_fault
from simulators.ins.client_codec import InsiServiceFault, LpsIdentity, build_request, parse_response
from simulators.ins.codec import build_resultat, parse_request, request_summary, validate_request
from simulators.ins.faults import FAULTS, InsiFault, render_fault
from simulators.ins.model import InsPerson, LookupResult, Matricule, TraitsQuery, VitaleQuery

FIXTURE = Path(__file__).parents[1] / "fixtures" / "codecs" / "insi_rechercher_traits_request.xml"


def test_recorded_request_is_read_and_summarised() -> None:
    request, envelope = parse_request(FIXTURE.read_bytes(), "application/soap+xml; charset=utf-8")
    assert request.operation == "rechercherInsAvecTraitsIdentite"
    assert request.message_id == "uuid:3f2b8a6c-1d4e-4c7a-9b0e-5e6f7a8b9c0d"
    assert request.traits == TraitsQuery("MARTINEAU", ("FANNY",), "F", "1988-06-14", "35238")
    assert (request.lps.idam, request.lps.idam_r, request.lps.version) == ("SOCLEBENCH-DUI-01", "4", "01_00")
    assert request.bam.couverture_present and request.bam.couverture_empty
    validate_request(request)
    summary = request_summary(request, envelope)
    assert summary["traits"]["nom"] == "MARTINEAU" and summary["lps"]["emetteur"] == "10B0152872"
    assert "urn:siram:bam:ctxbam" in summary["namespaces"]


def test_client_requests_round_trip_through_the_server_codec() -> None:
    traits = TraitsQuery("D'ARTAGNAN DE L'HERAULT", ("JEAN", "A&B"), "M", "1950-00-00", "2A004")
    body, action, message_id = build_request(traits, LpsIdentity(idam="X<1>", emetteur="10B0152872"))
    request, _ = parse_request(body)
    assert (request.traits, request.action, request.message_id) == (traits, action, message_id)
    assert request.lps.idam == "X<1>" and request.lps.emetteur == "10B0152872"
    vitale = VitaleQuery("2751263220749", "74", "1800175056002", "", "ADRUN", "1975-12-31", "1")
    request, _ = parse_request(build_request(vitale, LpsIdentity())[0])
    assert request.vitale == vitale and request.operation == "rechercherInsAvecCarteVitale"


def test_content_type_action_is_used_when_wsa_action_is_absent() -> None:
    body, action, _ = build_request(TraitsQuery("A", ("B",), "M", "2000-01-01"), LpsIdentity())
    body = body.replace(f'<wsa:Action soap:mustUnderstand="true">{action}</wsa:Action>'.encode(), b"")
    request, _ = parse_request(body, f'application/soap+xml;charset=utf-8;action="{action}"')
    assert request.action == action
    request, _ = parse_request(body, "application/soap+xml")
    assert request.action == "" and request.operation == "rechercherInsAvecTraitsIdentite"
    validate_request(request)  # the body decides; the conformance check flags the missing Action


def _person(history: tuple[Matricule, ...] = ()) -> InsPerson:
    return InsPerson("p", "O'NEIL", ("ANNE", "MARIE"), "F", "1990-00-00", "99350",
                     Matricule("2902099350001", "52", "1.2.250.1.213.1.4.8"), history)


_LIVE_ORDER = ["<CR>", "<INSACTIF>", "<NumIdentifiant>2902099350001", "<Cle>52", "<OID>", "<INSHISTO>",
               "<NumIdentifiant>2902099350002", "<OID>", "<DateDeb>", "<DateFin>", "</INSHISTO>", "<TIQ>"]
_LEGACY_ORDER = ["<CR>", "<INSACTIF>", "<OID>", "<INSHISTO>", "<NumIdentifiant>2902099350002", "<TypeMatricule>NIR",
                 "<OID>", "<DateDeb>", "<DateFin>", "</INSHISTO>", "<TIQ>"]


@pytest.mark.parametrize("style, order", [("2026", _LIVE_ORDER), ("legacy", _LEGACY_ORDER)])
def test_resultat_order_as_recorded_prenom_switch_and_reading_back(style: str, order: list[str]) -> None:
    histo = Matricule("2902099350002", "25", "1.2.250.1.213.1.4.8", "NIR", "2001-01-01", "2002-01-01")
    body = build_resultat(LookupResult("00", _person((histo,))), include_prenom=True, style=style)
    text = body.decode()
    assert text.startswith('<?xml version="1.0" encoding="UTF-8"?>\n<soap:Envelope')
    positions, start = [], 0
    for tag in order:
        start = text.index(tag, start)
        positions.append(start)
    tail = ["<NomNaissance>O'NEIL", "<Prenom>ANNE", "<ListePrenom>ANNE MARIE", "<Sexe>F", "<DateNaissance>1990-00-00",
            "<LieuNaissance>99350"]
    assert [text.index(t) for t in tail] == sorted(text.index(t) for t in tail)
    assert ("<TypeMatricule>" in text) == (style == "legacy")  # the live service no longer sends it
    view = parse_response(body)
    assert (view.prenom, view.liste_prenom, len(view.history)) == ("ANNE", "ANNE MARIE", 1)
    assert "<Prenom>" not in build_resultat(LookupResult("00", _person())).decode()


@pytest.mark.parametrize("style", ["2026", "legacy"])
def test_faults_are_soap12_faults_with_siram_erreur(style: str) -> None:
    body = render_fault(FAULTS["siram_100"], "uuid:1", style=style)
    fault = parse_fault(body)
    assert fault.code == "Sender" and fault.lang == ("fr" if style == "2026" else "en")
    assert fault.subcodes == [("http://www.w3.org/2003/05/soap-envelope", "siram_100")]
    with pytest.raises(InsiServiceFault) as caught:
        parse_response(body, 500)
    assert (caught.value.fault.erreur_code, caught.value.fault.message_id) == ("desir_550", "uuid:1")
    assert body.startswith(b'<?xml version="1.0" encoding="UTF-8"?>\n<soap:Envelope')
    assert (b"<S:Fault" if style == "legacy" else b"<env:Body xmlns:env=") in body


def test_fault_detail_text_is_escaped() -> None:
    body = render_fault(FAULTS["bench_requete"], 'uuid:"<x>', detail="<script>&")
    assert parse_fault(body).detail[0].text == "<script>&"


def test_unknown_fault_name_is_a_programming_error() -> None:
    with pytest.raises(KeyError):
        InsiFault("insi_999")


def test_content_type_action_must_agree_with_wsa_action() -> None:
    body, action, _ = build_request(TraitsQuery("A", ("B",), "M", "2000-01-01"), LpsIdentity())
    request, _ = parse_request(body, f'application/soap+xml;action="{action}"')
    validate_request(request)
    other = action.replace("TraitsIdentite", "CarteVitale")
    request, _ = parse_request(body, f'application/soap+xml;action="{other}"')
    with pytest.raises(InsiFault) as caught:
        validate_request(request)
    assert caught.value.spec.erreur_code == "bench_action"


def _schema(name: str):
    from lxml import etree

    from simulators.ins.contract import schema

    return etree.XMLSchema(etree.fromstring(schema(name)))


def test_answers_and_requests_validate_against_the_served_schemas() -> None:
    from simulators.codecs.soap import parse_envelope

    histo = Matricule("2902099350002", "25", "1.2.250.1.213.1.4.8", "NIR", "2001-01-01", "2002-01-01")
    for result in (LookupResult("00", _person((histo,))), LookupResult("01"), LookupResult("02")):
        for style in ("2026", "legacy"):
            payload = parse_envelope(build_resultat(result, include_prenom=True, style=style)).payload
            _schema("INSi_RESULTAT.xsd").assertValid(payload)
    body, _, _ = build_request(TraitsQuery("O'NEIL", ("ANNE", "MARIE"), "F", "1990-00-00", "99350"), LpsIdentity())
    envelope = parse_envelope(body)
    _schema("INSi_RECSANS.xsd").assertValid(envelope.payload)
    _schema("CTXLPS.xsd").assertValid(envelope.headers[0])
    _schema("CTXBAM.xsd").assertValid(envelope.headers[-1])
    vitale = parse_envelope(build_request(VitaleQuery("2751263220749", "74"), LpsIdentity())[0]).payload
    _schema("INSi_RECVITALE.xsd").assertValid(vitale)
