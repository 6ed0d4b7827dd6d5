"""Seeded DMP defects: VIHF attributes and signature, WS-Addressing, XDS metadata pairs, hashes, signed
submission sets, RPLC, MTOM, masking, authorisation, searches, documents reserved to MSSanté, CDA header.

Each is the reference DMP connector (``simulators.dmp.client.DmpClient``) with one thing changed: a claim of
the VIHF before it is signed, a field of the submission before it is sent, or the bytes on the wire
(``DmpClient.tamper``). Whatever the simulated DMP answers (it refuses most of them), the report must fail
the named requirement.
"""

from __future__ import annotations

import contextlib
import dataclasses
import re
from datetime import datetime, timedelta, UTC
from typing import Any
from collections.abc import Callable

import pytest

from simulators.dmp.cda import DocumentKind
from simulators.dmp.client import DmpClient
from simulators.dmp.codec import habilitations as hab
from simulators.dmp.journey import cda_for, identity_for
from simulators.dmp.metadata import ins_cx
from simulators.dmp.model import APPROVED, DEPRECATED, INVISIBLE_PATIENT, MASQUE_PS, SIGNS, Code
from simulators.dmp.vihf import build_assertion, sign_assertion
from features.steps.cast import Cast
from tests.conformance.defects.harness import DefectBench, assert_caught

SAML = "urn:oasis:names:tc:SAML:2.0:assertion"


class Kit:
    def __init__(self, bench: DefectBench) -> None:
        cast = Cast(bench.world, "elise")
        self.bench = bench
        self.actor = cast.professional("le médecin généraliste")
        self.elise = cast.person("Élise")
        self.ins, self.oid = self.elise.ins.value, self.elise.ins.oid

    def client(self, session: str, tamper: Callable[[bytes, str], tuple[bytes, str]] | None = None) -> DmpClient:
        identity = identity_for(self.bench.pki, self.bench.world, self.actor.id)
        return DmpClient(self.bench.target(session).service_url("dmp"), identity,
                         verify=self.bench.credentials.trust_bundle, session=session, tamper=tamper)

    def spec(self, kind_name: str = "ordonnance", **changes: Any):
        spec = cda_for(self.bench.world, self.elise.id, self.actor.id, kind_name)
        return dataclasses.replace(spec, **changes) if changes else spec


# --- VIHF ----------------------------------------------------------------------------------------------------------
def _vihf_call(kit: Kit, session: str, mutate: Callable[[Any], None] = lambda a: None, *, sign: bool = True,
               after_sign: Callable[[Any], None] = lambda a: None, **claim_changes: Any) -> None:
    client = kit.client(session)
    claims = dataclasses.replace(client.claims(kit.ins, kit.oid), **claim_changes)
    from simulators.core.pki.profiles import dn_string

    assertion = build_assertion(claims, dn_string(client.identity.sign_cert.subject))
    mutate(assertion)
    if sign:
        assertion = sign_assertion(assertion, client.identity.sign_cert, client.identity.sign_key)
    else:
        signature = assertion.find("{http://www.w3.org/2000/09/xmldsig#}Signature")
        if signature is not None:
            assertion.remove(signature)
    after_sign(assertion)
    payload = hab.build_request(hab.HabilitationRequest(hab.LIST, mode="TOUTE"))
    with contextlib.suppress(Exception):  # refused: the report judges the request
        client.call("habilitations", hab.ACTION_PREFIX + hab.LIST, payload, kit.ins, kit.oid, assertion=assertion)


def _attribute(assertion: Any, name: str) -> Any:
    return next(a for a in assertion.iter(f"{{{SAML}}}Attribute") if a.get("Name") == name)


def drop(name: str) -> Callable[[Any], None]:
    def mutate(assertion: Any) -> None:
        element = _attribute(assertion, name)
        element.getparent().remove(element)
    return mutate


def value(name: str, text: str) -> Callable[[Any], None]:
    def mutate(assertion: Any) -> None:
        _attribute(assertion, name).find(f"{{{SAML}}}AttributeValue").text = text
    return mutate


def coded(name: str, code: str) -> Callable[[Any], None]:
    def mutate(assertion: Any) -> None:
        next(iter(_attribute(assertion, name).find(f"{{{SAML}}}AttributeValue"))).set("code", code)
    return mutate


MANDATORY = ("VIHF_Version", "Identifiant_Structure", "Secteur_Activite", "urn:oasis:names:tc:xacml:2.0:subject:role",
             "urn:oasis:names:tc:xspa:1.0:subject:purposeofuse", "urn:oasis:names:tc:xacml:2.0:resource:resource-id",
             "Ressource_URN", "Authentification_Mode", "LPS_Nom", "LPS_Version", "LPS_ID_HOMOLOGATION_DMP",
             "urn:oasis:names:tc:xspa:1.0:subject:subject-id")


def _resource(kit: Kit, cx: str) -> Callable[[Any], None]:
    return value("urn:oasis:names:tc:xacml:2.0:resource:resource-id", cx)


def _bad_key(ins: str) -> str:
    return ins[:13] + f"{(int(ins[13:]) % 97) + 1:02d}"


# --- WS-Addressing and transport (on the wire) ---------------------------------------------------------------------
def _wire(kit: Kit, session: str, tamper: Callable[[bytes, str], tuple[bytes, str]]) -> None:
    client = kit.client(session, tamper)
    with contextlib.suppress(Exception):
        client.list_authorizations(kit.ins, kit.oid)


def sub_bytes(pattern: str, replacement: str) -> Callable[[bytes, str], tuple[bytes, str]]:
    return lambda body, ctype: (re.sub(pattern.encode(), replacement.encode(), body, count=1), ctype)


# --- submissions ---------------------------------------------------------------------------------------------------
def _feed(kit: Kit, session: str, change: Callable[[Any], None] = lambda sub: None, *, kind: str = "ordonnance",
          visibility: tuple[str, ...] = (), secret: bool = False, sign: bool = True, mtom: bool = True,
          spec_changes: dict[str, Any] | None = None, client: DmpClient | None = None) -> Any:
    client = client or kit.client(session)
    sub = client.prepare([(kit.spec(kind, **(spec_changes or {})), visibility)], sign=sign)
    change(sub)
    try:
        return client.provide_and_register(sub, secret=secret, mtom=mtom)
    except Exception:  # noqa: BLE001
        return None


def _docs(sub: Any) -> list[Any]:
    return [e for e in sub.entries if not e.is_signature]


def set_code(attr: str, code: Code) -> Callable[[Any], None]:
    def change(sub: Any) -> None:
        for entry in _docs(sub):
            setattr(entry, attr, code)
    return change


def set_entry(**fields: Any) -> Callable[[Any], None]:
    def change(sub: Any) -> None:
        for entry in _docs(sub):
            for name, v in fields.items():
                setattr(entry, name, v(entry) if callable(v) else v)
    return change


def other_patient(kit: Kit) -> Callable[[Any], None]:
    other = next(p for p in kit.bench.world.persons if p.ins is not None and p.id != kit.elise.id)

    def change(sub: Any) -> None:
        _docs(sub)[0].patient_id = ins_cx(other.ins.value, other.ins.oid)
    return change


def drop_signs(sub: Any) -> None:
    sub.associations[:] = [a for a in sub.associations if a.type != SIGNS]


def bad_signature(sub: Any) -> None:
    signature = next(e for e in sub.entries if e.is_signature)
    data = sub.documents[signature.entry_uuid]
    sub.documents[signature.entry_uuid] = data.replace(b"DigestValue>", b"DigestValue>AAAA", 1)


def duplicate_unique_id(kit: Kit, session: str) -> None:
    client = kit.client(session)
    spec = kit.spec()
    client.feed([(spec, ())])
    again = dataclasses.replace(kit.spec(), unique_id=spec.unique_id)
    with contextlib.suppress(Exception):
        client.feed([(again, ())])


def new_version_same_set_id(kit: Kit, session: str) -> None:
    client = kit.client(session)
    first = kit.spec("projet-personnalise", set_id="2.25.4242" + str(abs(hash(session)) % 10**8))
    client.feed([(first, ())])
    with contextlib.suppress(Exception):
        client.feed([(kit.spec("projet-personnalise", set_id=first.set_id, version=2), ())])


def new_version_related_document(kit: Kit, session: str) -> None:
    client = kit.client(session)
    first = kit.spec("projet-personnalise")
    client.feed([(first, ())])
    with contextlib.suppress(Exception):
        client.feed([(kit.spec("projet-personnalise", replaces=first.unique_id, version=2), ())])


def never_dmp(code: str, system: str, title: str) -> Callable[[Kit, str], None]:
    def defect(kit: Kit, session: str) -> None:
        _feed(kit, session, spec_changes={"kind": DocumentKind(code, system, title, "95"), "title": title})
    return defect


def consult_without_authorization(kit: Kit, session: str) -> None:
    client = kit.client(session)
    with contextlib.suppress(Exception):
        client.find_documents(kit.ins, kit.oid)


def _authorized(kit: Kit, session: str) -> DmpClient:
    client = kit.client(session)
    client.set_authorization(kit.ins, kit.oid)
    return client


def first_search(**kwargs: Any) -> Callable[[Kit, str], None]:
    def defect(kit: Kit, session: str) -> None:
        _authorized(kit, session).find_documents(kit.ins, kit.oid, **kwargs)
    return defect


def new_docs_by_find_documents(kit: Kit, session: str) -> None:
    client = _authorized(kit, session)
    client.find_documents(kit.ins, kit.oid)
    client.find_documents(kit.ins, kit.oid, since=datetime.now(UTC) - timedelta(days=3))


def cda_changes(**changes: Any) -> Callable[[Kit, str], None]:
    return lambda kit, session: _feed(kit, session, spec_changes=changes)


def cda_bytes(old: bytes, new: bytes) -> Callable[[Kit, str], None]:
    """A CDA edited by hand after generation (hash and size recomputed, as a DUI would)."""
    def defect(kit: Kit, session: str) -> None:
        import hashlib

        from simulators.dmp.cda import build_cda
        from simulators.dmp.metadata import assemble, document_entry, submission_set, xds_author

        client = kit.client(session)
        spec = kit.spec()
        data = build_cda(spec).replace(old, new, 1)
        author = xds_author(client.identity.person, client.identity.structure)
        ss = submission_set(ins_cx(kit.ins, kit.oid), author, content_type=(client.identity.structure.sector,
                                                                          "1.2.250.1.71.4.2.4"))
        entry = document_entry(spec, data, author, unique_id=spec.unique_id, visibility=())
        entry.hash, entry.size = hashlib.sha1(data, usedforsecurity=False).hexdigest(), len(data)
        sub = assemble(ss, [(entry, data)], replaces={}, signer=(client.identity.sign_cert, client.identity.sign_key))
        with contextlib.suppress(Exception):
            client.provide_and_register(sub)
    return defect


LOINC = "2.16.840.1.113883.6.1"
A05 = "1.2.250.1.213.1.1.4.12"
CLASS = "1.2.250.1.213.1.1.4.1"

DEFECTS: list[tuple[str, str, Callable[[Kit, str], None]]] = [
    # dmp@2: every mandatory VIHF attribute forgotten in turn, and wrong values
    *[(f"vihf-sans-{name.rsplit(':', 1)[-1]}", "dmp@2", (lambda n: lambda kit, s: _vihf_call(kit, s, drop(n)))(name))
      for name in MANDATORY],
    ("vihf-version-2", "dmp@2", lambda kit, s: _vihf_call(kit, s, value("VIHF_Version", "2.0"))),
    ("vihf-secteur-sans-systeme", "dmp@2", lambda kit, s: _vihf_call(kit, s, value("Secteur_Activite", "SA05"))),
    ("vihf-structure-vide", "dmp@2", lambda kit, s: _vihf_call(kit, s, value("Identifiant_Structure", ""))),
    ("vihf-role-inconnu", "dmp@2", lambda kit, s: _vihf_call(kit, s, coded(
        "urn:oasis:names:tc:xacml:2.0:subject:role", "99"))),
    # dmp@3
    ("ressource-urn-test", "dmp@3", lambda kit, s: _vihf_call(kit, s, value("Ressource_URN", "urn:dmp:test"))),
    ("resource-id-ins-nu", "dmp@3", lambda kit, s: _vihf_call(kit, s, _resource(kit, kit.ins))),
    ("resource-id-oid-nir-faux", "dmp@3", lambda kit, s: _vihf_call(
        kit, s, _resource(kit, f"{kit.ins}^^^&1.2.250.1.213.1.4.2&ISO^NH"))),
    ("resource-id-cle-fausse", "dmp@3", lambda kit, s: _vihf_call(
        kit, s, _resource(kit, ins_cx(_bad_key(kit.ins), kit.oid)))),
    # dmp@4
    ("purposeofuse-urgence", "dmp@4", lambda kit, s: _vihf_call(kit, s, coded(
        "urn:oasis:names:tc:xspa:1.0:subject:purposeofuse", "urgence"))),
    ("authentification-indirect", "dmp@4", lambda kit, s: _vihf_call(kit, s, value("Authentification_Mode",
                                                                                   "INDIRECT"))),
    ("authentification-minuscules", "dmp@4", lambda kit, s: _vihf_call(kit, s, value("Authentification_Mode",
                                                                                     "indirecte"))),
    # dmp@5
    ("vihf-non-signe", "dmp@5", lambda kit, s: _vihf_call(kit, s, sign=False)),
    ("vihf-modifie-apres-signature", "dmp@5", lambda kit, s: _vihf_call(
        kit, s, after_sign=value("LPS_Version", "9.9"))),
    ("vihf-issuer-autre-dn", "dmp@5", lambda kit, s: _vihf_call(kit, s, lambda a: a.find(f"{{{SAML}}}Issuer").__setattr__(
        "text", "CN=Autre structure,O=Ailleurs,C=FR"))),
    # dmp@1 on the wire
    ("messageid-sans-urn", "dmp@1", lambda kit, s: _wire(kit, s, sub_bytes(r"urn:uuid:", "uuid:"))),
    ("sans-wsa-to", "dmp@1", lambda kit, s: _wire(kit, s, sub_bytes(r"<To [^>]*>[^<]*</To>", ""))),
    ("action-sans-mustunderstand", "dmp@1", lambda kit, s: _wire(kit, s, sub_bytes(
        r'(<Action [^>]*?) [a-zA-Z0-9]+:mustUnderstand="(true|1)"', r"\1"))),
    ("soap-1-1", "dmp@1", lambda kit, s: _wire(kit, s, lambda b, c: (b.replace(
        b"http://www.w3.org/2003/05/soap-envelope", b"http://schemas.xmlsoap.org/soap/envelope/"),
        "text/xml; charset=utf-8"))),
    # dmp@7
    ("fiche-autre-patient", "dmp@7", lambda kit, s: _feed(kit, s, other_patient(kit))),
    # dmp@8: one code out of its value set, and class/type pairs that do not go together
    ("classcode-hors-jdv", "dmp@8", lambda kit, s: _feed(kit, s, set_code("class_code", Code("99", CLASS)))),
    ("typecode-hors-jdv", "dmp@8", lambda kit, s: _feed(kit, s, set_code("type_code", Code("11488-4", LOINC)))),
    ("formatcode-hors-jdv", "dmp@8", lambda kit, s: _feed(kit, s, set_code(
        "format_code", Code("urn:ihe:iti:xds:2017:mimeTypeSufficient", "1.3.6.1.4.1.19376.1.2.3")))),
    ("facility-hors-jdv", "dmp@8", lambda kit, s: _feed(kit, s, set_code(
        "facility_code", Code("SA99", "1.2.250.1.71.4.2.4")))),
    ("practice-hors-jdv", "dmp@8", lambda kit, s: _feed(kit, s, set_code(
        "practice_code", Code("PSY", "1.2.250.1.213.1.1.4.9")))),
    ("classcode-mauvais-systeme", "dmp@8", lambda kit, s: _feed(kit, s, set_code("class_code", Code("42", LOINC)))),
    ("confidentialite-hors-jdv", "dmp@8", lambda kit, s: _feed(kit, s, set_entry(
        confidentiality=[Code("SECRET", "2.16.840.1.113883.5.25")]))),
    ("paire-ordonnance-classe-compte-rendu", "dmp@8", lambda kit, s: _feed(kit, s, set_code(
        "class_code", Code("10", CLASS)))),
    ("paire-projet-classe-prescription", "dmp@8", lambda kit, s: _feed(kit, s, set_code(
        "class_code", Code("42", CLASS)), kind="projet-personnalise")),
    ("paire-bilan-classe-synthese", "dmp@8", lambda kit, s: _feed(kit, s, set_code(
        "class_code", Code("11", CLASS)), kind="bilan-psychologique")),
    # dmp@9
    ("hash-faux", "dmp@9", lambda kit, s: _feed(kit, s, set_entry(hash="0" * 40))),
    ("hash-sha256", "dmp@9", lambda kit, s: _feed(kit, s, set_entry(
        hash=lambda e: __import__("hashlib").sha256(b"x").hexdigest()))),
    ("taille-fausse", "dmp@9", lambda kit, s: _feed(kit, s, set_entry(size=lambda e: (e.size or 0) + 1))),
    ("uniqueid-reutilise", "dmp@9", duplicate_unique_id),
    # dmp@10
    ("lot-non-signe", "dmp@10", lambda kit, s: _feed(kit, s, sign=False)),
    ("association-signs-absente", "dmp@10", lambda kit, s: _feed(kit, s, drop_signs)),
    ("signature-xades-alteree", "dmp@10", lambda kit, s: _feed(kit, s, bad_signature)),
    # dmp@11
    ("nouvelle-version-meme-setid-sans-rplc", "dmp@11", new_version_same_set_id),
    ("nouvelle-version-relateddocument-sans-rplc", "dmp@11", new_version_related_document),
    ("version-2-sans-rplc", "dmp@11", lambda kit, s: _feed(kit, s, kind="projet-personnalise",
                                                           spec_changes={"set_id": "2.25.77", "version": 2})),
    # dmp@12
    ("iti41-sans-mtom", "dmp@12", lambda kit, s: _feed(kit, s, mtom=False)),
    # dmp@13
    ("connexion-secrete-sans-invisible-rl", "dmp@13", lambda kit, s: _feed(kit, s, secret=True)),
    # dmp@14
    ("cumul-masque-ps-invisible-patient", "dmp@14", lambda kit, s: _feed(
        kit, s, visibility=(MASQUE_PS, INVISIBLE_PATIENT))),
    # dmp@15
    ("consultation-sans-autorisation", "dmp@15", consult_without_authorization),
    # dmp@16 (RECOMMANDATION: warning)
    ("premiere-recherche-5-ans", "dmp@16", first_search(since=datetime.now(UTC) - timedelta(days=5 * 365))),
    ("premiere-recherche-tous-statuts", "dmp@16", first_search(statuses=(APPROVED, DEPRECATED))),
    # dmp@17 (RECOMMANDATION)
    ("nouveaux-documents-par-finddocuments", "dmp@17", new_docs_by_find_documents),
    # dmp@19: documents reserved to MSSanté
    ("rapport-echeance-au-dmp", "dmp@19", lambda kit, s: _feed(kit, s, kind="rapport-echeance")),
    ("dipc-au-dmp", "dmp@19", never_dmp("11490-0", LOINC, "DIPC - Document individuel de prise en charge")),
    ("contrat-sejour-au-dmp", "dmp@19", never_dmp("11490-0", LOINC, "Contrat de séjour")),
    ("ppe-au-dmp", "dmp@19", never_dmp("80788-3", LOINC, "Projet pour l'enfant")),
    ("cr-educatif-au-dmp", "dmp@19", never_dmp("11490-0", LOINC, "Compte rendu éducatif")),
    ("evaluation-sociale-au-dmp", "dmp@19", never_dmp("34842-5", LOINC, "Rapport d'évaluation sociale")),
    ("recueil-ip-au-dmp", "dmp@19", never_dmp("11490-0", LOINC, "Recueil d'information préoccupante")),
    # dmp@20: CDA header edited by hand
    ("cda-sans-custodian", "dmp@20", cda_bytes(b"<custodian>", b"<!--custodian-->")),
    ("cda-sans-confidentialitycode", "dmp@20", cda_bytes(b"<confidentialityCode", b"<confidentialityCodeX")),
]


@pytest.fixture(scope="module")
def kit(defect_bench: DefectBench) -> Kit:
    return Kit(defect_bench)


@pytest.mark.parametrize(("name", "expected", "defect"), DEFECTS, ids=[d[0] for d in DEFECTS])
def test_dmp_defect_is_caught(kit: Kit, request: pytest.FixtureRequest, name: str, expected: str, defect) -> None:
    session = kit.bench.session("dmp")
    defect(kit, session)
    assert_caught(request.node, kit.bench, session, service="dmp", defect=name, expected=expected)
