"""Seeded INSi defects: SOAP 1.2 and WS-Addressing, ContexteLPS / ContexteBAM, authentication (mutual TLS and
CPx), traits (normalisation, birth name, formats), the CR 02 retry strategy, bulk lookups, fault handling,
repeats after 01.

The request is what the reference client builds (``simulators.ins.client_codec.build_request``) with one thing
changed on the wire, posted over mutual TLS with the INSI-AUTO certificate (or to the CPx endpoint).
"""

from __future__ import annotations

import re
import time
from typing import Any
from collections.abc import Callable

import pytest
import requests

from simulators.ins.client import cps_assertion_factory
from simulators.ins.client_codec import LpsIdentity, build_request
from simulators.ins.model import TraitsQuery
from tests.conformance.defects.harness import DefectBench, assert_caught

ELISE = TraitsQuery("D'ALMEIDA-ROCHE", ("ELISE",), "F", "2011-09-22", "")
LEONARDO = TraitsQuery("DE VINCI", ("LEONARDO",), "M", "2014-02-01", "")  # two homonyms: CR 02
COEUR = TraitsQuery("D'AEION", ("COEUR",), "M", "1987-01-25", "")  # the service fails (insi_102)
NOBODY = TraitsQuery("PERSONNE", ("INCONNU",), "M", "1990-01-01", "")  # CR 01
Edit = Callable[[bytes, str], tuple[bytes, str]]


class Kit:
    def __init__(self, bench: DefectBench) -> None:
        self.bench = bench
        self.http = requests.Session()

    def post(self, session: str, query: TraitsQuery, edit: Edit | None = None, *, endpoint: str = "ins",
             cert: tuple[str, str] | bool | None = True, lps: LpsIdentity | None = None,
             assertions: tuple[Any, ...] = ()) -> requests.Response:
        body, action, _ = build_request(query, lps or LpsIdentity(), assertions=assertions)
        ctype = f'application/soap+xml;charset=UTF-8;action="{action}"'
        if edit is not None:
            body, ctype = edit(body, ctype)
        credentials = self.bench.credentials
        client_cert = credentials.insi_cert if cert is True else (cert or None)
        return self.http.post(self.bench.url(endpoint, session, "/lps"), data=body, headers={"Content-Type": ctype},
                              cert=client_cert, verify=credentials.trust_bundle, timeout=30)


def sub(pattern: str, replacement: str, count: int = 1) -> Edit:
    return lambda body, ctype: (re.sub(pattern.encode(), replacement.encode(), body, count=count), ctype)


def ctype(value: str) -> Edit:
    return lambda body, _ctype: (body, value)


def one(edit: Edit | None = None, query: TraitsQuery = ELISE, **post: Any) -> Callable[[Kit, str], None]:
    return lambda kit, session: kit.post(session, query, edit, **post) and None


def traits(**changes: Any) -> Callable[[Kit, str], None]:
    fields = {"nom_naissance": ELISE.nom_naissance, "prenoms": ELISE.prenoms, "sexe": ELISE.sexe,
              "date_naissance": ELISE.date_naissance, "lieu_naissance": ELISE.lieu_naissance, **changes}
    return one(query=TraitsQuery(**fields))


def same_message_id(kit: Kit, session: str) -> None:
    fixed = "uuid:11111111-2222-3333-4444-555555555555"
    for _ in range(2):
        kit.post(session, ELISE, sub(r"<wsa:MessageID>[^<]*</wsa:MessageID>", f"<wsa:MessageID>{fixed}</wsa:MessageID>"))


def after_02(*retries: TraitsQuery) -> Callable[[Kit, str], None]:
    def defect(kit: Kit, session: str) -> None:
        kit.post(session, LEONARDO)
        for query in retries:
            kit.post(session, query)
    return defect


def bulk(kit: Kit, session: str) -> None:
    for i in range(31):
        kit.post(session, TraitsQuery("MARTIN", (f"JEAN{chr(65 + i % 26)}{chr(65 + i // 26)}",), "M", "1980-01-01", ""))


def fault_retries(count: int, pause_s: float = 0.0) -> Callable[[Kit, str], None]:
    def defect(kit: Kit, session: str) -> None:
        for _ in range(count):
            kit.post(session, COEUR)
            time.sleep(pause_s)
    return defect


def repeat_after_01(kit: Kit, session: str) -> None:
    kit.post(session, NOBODY)
    kit.post(session, NOBODY)


def cpx(edit: Edit | None = None, with_assertion: bool = False) -> Callable[[Kit, str], None]:
    def defect(kit: Kit, session: str) -> None:
        assertions: tuple[Any, ...] = ()
        if with_assertion:
            pki = kit.bench.pki
            assertions = (cps_assertion_factory(pki.certificate("cps"), pki.private_key("cps"), ps_id="00B6087510")(),)
        kit.post(session, ELISE, edit, endpoint="ins-cpx", cert=None, assertions=assertions)
    return defect


def org_cert(kit: Kit, session: str) -> None:
    kit.post(session, ELISE, cert=kit.bench.credentials.org_cert)


LPS = r"<ctxlps:ContexteLPS[^>]*>.*</ctxlps:ContexteLPS>"
BAM = r"<ctxbam:ContexteBAM[^>]*>.*</ctxbam:ContexteBAM>"
DEFECTS: list[tuple[str, str, Callable[[Kit, str], None]]] = [
    # insi@1
    ("content-type-text-xml", "insi@1", one(ctype("text/xml; charset=utf-8"))),
    ("content-type-absent-json", "insi@1", one(ctype("application/json"))),
    ("enveloppe-soap-1-1", "insi@1", one(sub("http://www.w3.org/2003/05/soap-envelope",
                                             "http://schemas.xmlsoap.org/soap/envelope/"))),
    ("xml-tronque", "insi@1", one(lambda b, c: (b[:-40], c))),
    # insi@2
    ("sans-action", "insi@2", one(lambda b, c: (re.sub(rb"<wsa:Action[^>]*>[^<]*</wsa:Action>", b"", b, count=1),
                                                "application/soap+xml;charset=UTF-8"))),
    ("action-vitale-corps-traits", "insi@2", one(sub(r"rechercherInsAvecTraitsIdentite</wsa:Action>",
                                                     "rechercherInsAvecCarteVitale</wsa:Action>"))),
    ("action-inconnue", "insi@2", one(sub(r"rechercherInsAvecTraitsIdentite</wsa:Action>",
                                          "rechercherIns</wsa:Action>"))),
    # insi@3
    ("messageid-sans-prefixe", "insi@3", one(sub(r"<wsa:MessageID>uuid:", "<wsa:MessageID>"))),
    ("messageid-urn-uuid", "insi@3", one(sub(r"<wsa:MessageID>uuid:", "<wsa:MessageID>urn:uuid:"))),
    ("messageid-pas-un-uuid", "insi@3", one(sub(r"<wsa:MessageID>[^<]*<", "<wsa:MessageID>uuid:42<"))),
    ("messageid-reutilise", "insi@3", same_message_id),
    # insi@4
    ("sans-contexte-lps", "insi@4", one(sub(LPS, ""))),
    ("lps-version-01-01", "insi@4", one(sub(r'Nature="CTXLPS" Version="01_00"', 'Nature="CTXLPS" Version="01_01"'))),
    ("lps-temps-heure-locale", "insi@4", one(sub(r"<ctxlps:Temps>[^<]*</ctxlps:Temps>",
                                                 "<ctxlps:Temps>2026-12-03T13:00:00+01:00</ctxlps:Temps>"))),
    ("lps-temps-sans-zone", "insi@4", one(sub(r"<ctxlps:Temps>([^<]*)Z</ctxlps:Temps>",
                                              r"<ctxlps:Temps>\1</ctxlps:Temps>"))),
    ("lps-idam-r-3", "insi@4", one(lps=LpsIdentity(idam_r="3"))),
    ("lps-sans-nom", "insi@4", one(sub(r"<ctxlps:Nom>[^<]*</ctxlps:Nom>", ""))),
    ("lps-sans-instance", "insi@4", one(sub(r"<ctxlps:Instance>[^<]*</ctxlps:Instance>", ""))),
    ("lps-id-vide", "insi@4", one(sub(r"<ctxlps:Id>[^<]*</ctxlps:Id>", "<ctxlps:Id></ctxlps:Id>"))),
    # insi@5
    ("sans-contexte-bam", "insi@5", one(sub(BAM, ""))),
    ("bam-version-01-00", "insi@5", one(sub(r'<ctxbam:ContexteBAM Version="01_02"', '<ctxbam:ContexteBAM Version="01_00"'))),
    ("bam-sans-couverture", "insi@5", one(sub(r"<ctxbam:COUVERTURE/>", ""))),
    ("bam-couverture-remplie-par-traits", "insi@5", one(sub(
        r"<ctxbam:COUVERTURE/>", "<ctxbam:COUVERTURE><ctxbam:Regime>01</ctxbam:Regime></ctxbam:COUVERTURE>"))),
    ("bam-temps-date-seule", "insi@5", one(sub(r"<ctxbam:Temps>[^<]*</ctxbam:Temps>",
                                               "<ctxbam:Temps>2026-12-03</ctxbam:Temps>"))),
    # insi@6
    ("certificat-d-organisation-au-lieu-d-insi-auto", "insi@6", org_cert),
    ("cpx-sans-assertion", "insi@6", cpx()),
    ("cpx-assertion-alteree", "insi@6", cpx(sub(r"(<([A-Za-z0-9]+:)?NameID[^>]*>)[^<]*<", r"\g<1>00B0000000<"),
                                            with_assertion=True)),
    # insi@7
    ("nom-en-minuscules", "insi@7", traits(nom_naissance="d'almeida-roche")),
    ("nom-avec-apostrophe-typographique", "insi@7", traits(nom_naissance="D’ALMEIDA-ROCHE")),
    ("prenom-accentue", "insi@7", traits(prenoms=("ÉLISE",))),
    ("prenom-avec-point", "insi@7", traits(prenoms=("J.",))),
    ("nom-d-usage-au-lieu-du-nom-de-naissance", "insi@7", one(query=TraitsQuery(
        "D'ALMEIDA", ("NATHALIE",), "F", "1984-04-08", ""))),
    # insi@8
    ("sexe-h", "insi@8", traits(sexe="H")),
    ("sexe-minuscule", "insi@8", traits(sexe="f")),
    ("date-jj-mm-aaaa", "insi@8", traits(date_naissance="22/09/2011")),
    ("date-sans-tirets", "insi@8", traits(date_naissance="20110922")),
    ("lieu-naissance-4-caracteres", "insi@8", traits(lieu_naissance="9304")),
    ("lieu-naissance-code-postal-libelle", "insi@8", traits(lieu_naissance="93100 MONTREUIL")),
    # insi@9
    ("aucune-relance-apres-02", "insi@9", after_02()),
    ("relance-identique-apres-02", "insi@9", after_02(LEONARDO)),
    ("relance-sans-prenom-apres-02", "insi@9", after_02(TraitsQuery("DE VINCI", (), "M", "2014-02-01", "63220"))),
    # insi@14
    ("recherche-en-masse", "insi@14", bulk),
    # insi@15
    ("relance-immediate-apres-faute", "insi@15", fault_retries(2)),
    ("boucle-de-reessais-apres-faute", "insi@15", fault_retries(5)),
    # insi@17 (RECOMMANDATION)
    ("meme-recherche-apres-01", "insi@17", repeat_after_01),
]


@pytest.fixture(scope="module")
def kit(defect_bench: DefectBench) -> Kit:
    return Kit(defect_bench)


@pytest.mark.parametrize(("name", "expected", "defect"), DEFECTS, ids=[d[0] for d in DEFECTS])
def test_ins_defect_is_caught(kit: Kit, request: pytest.FixtureRequest, name: str, expected: str, defect) -> None:
    session = kit.bench.session("ins")
    defect(kit, session)
    assert_caught(request.node, kit.bench, session, service="insi", defect=name, expected=expected)
