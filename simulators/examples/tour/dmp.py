"""Tour steps of the DMP: TD0.x / TD1.x patient transactions, ITI-41/18/43/57, their refusals and faults."""

from __future__ import annotations

from typing import Any

import requests

from simulators.examples.tour.base import Step, Tour, elise, inject, ins_of, quietly
from simulators.core.tls import requests_cert
from simulators.dmp.client import DmpClient
from simulators.dmp.journey import cda_for, identity_for
from simulators.identities.nir import generate_nir, with_key


def dmp_client(t: Tour, professional: str = "mecs-educateur") -> Any:
    return DmpClient(t.services["dmp"], identity_for(t.pki, t.world, professional), verify=t.verify,
                     session=t.session)


def _dmp_patients(t: Tour) -> None:
    client = dmp_client(t)
    ins, oid = ins_of(t)
    p = elise(t)
    client.test_existence(ins, oid)  # TD0.2
    quietly(lambda: client.find_patients(family=p.birth_name, given=p.first_given_name, birth_date=p.birth_date,
                                          gender=p.sex, context=(ins, oid)))  # TD0.5


def _dmp_create(t: Tour) -> None:
    """TD1.1 for an adult without a DMP (synthetic NIR outside the world), then TD1.x closing and reactivation."""
    client = dmp_client(t)
    nir = generate_nir("F", "1980-05-12", "75056", 999)
    ins, oid = (nir if len(nir) == 15 else with_key(nir)), elise(t).ins.oid
    client.create_dmp(ins, oid, family="EXEMPLE", given="CLAIRE", gender="F", birth_date="1980-05-12")
    client.close_dmp(ins, oid)
    client.reactivate_dmp(ins, oid)


def _dmp_create_refused(t: Tour) -> None:
    p = elise(t)
    dmp_client(t).create_dmp(p.ins.value, p.ins.oid, family=p.birth_name, given=p.first_given_name, gender=p.sex,
                       birth_date=p.birth_date)


def _dmp_documents(t: Tour) -> None:
    educator = dmp_client(t)
    ins, oid = ins_of(t)
    spec = cda_for(t.world, "elise", "mecs-educateur", "projet-personnalise")
    educator.feed([(spec, ())])  # ITI-41
    educator.list_authorizations(ins, oid)  # TD0.3 (liste)
    found = educator.find_documents(ins, oid)  # ITI-18
    entry = next(e for e in found.entries if e.unique_id == spec.unique_id)
    educator.retrieve(ins, oid, [spec.unique_id], repository_uid=entry.repository_uid)  # ITI-43
    educator.set_visibility(entry, ("INVISIBLE_REPRESENTANTS_LEGAUX",))  # ITI-57 (TD3.3a)


def _dmp_registry_error(t: Tour) -> None:
    educator = dmp_client(t)
    spec = cda_for(t.world, "elise", "mecs-educateur", "projet-personnalise")
    sub = educator.prepare([(spec, ())])
    other = t.world.person("fanny")
    sub.submission_set.patient_id = sub.submission_set.patient_id.replace(spec.patient.ins, other.ins.value)
    educator.provide_and_register(sub)  # XDSPatientIdDoesNotMatch


def _dmp_without_authorization(t: Tour) -> None:
    ins, oid = ins_of(t)
    quietly(lambda: dmp_client(t, "mecs-psychologue").find_documents(ins, oid))  # no TD0.3 authorisation


def _dmp_vihf_fault(t: Tour) -> None:
    """A VIHF signed with an expired SIGN certificate: the envelope is refused with a SOAP 1.2 Fault."""
    ins, oid = ins_of(t)
    client = DmpClient(t.services["dmp"], identity_for(t.pki, t.world, "mecs-educateur", sign_variant="expired"),
                       verify=t.verify, session=t.session)
    quietly(lambda: client.test_existence(ins, oid))


def _dmp_get(t: Tour) -> None:
    requests.get(t.url("dmp", "/si-dmp-server/v2/services/patients"), cert=requests_cert(t.pki, "org-auth-cli"),
                 verify=t.verify, timeout=30)


def _dmp_wsdl(t: Tour) -> None:
    requests.get(t.url("dmp", "/si-dmp-server/v2/services/registry") + "?wsdl",
                 cert=requests_cert(t.pki, "org-auth-cli"), verify=t.verify, timeout=30)


def _dmp_injected(t: Tour) -> None:
    inject(t, "dmp", "dmp_indisponible")
    quietly(lambda: dmp_client(t).test_existence(*ins_of(t)))


STEPS: tuple[Step, ...] = (
    Step("dmp-patient", "dmp", "DMP, TD0.2 test d'existence et TD0.5 recherche de patients", _dmp_patients),
    Step("dmp-gestion", "dmp", "DMP, TD1.1 création, TD1.x fermeture puis réactivation", _dmp_create),
    Step("dmp-creation-refus", "dmp", "DMP, TD1.1 pour un patient qui a déjà un DMP : acquittement AE",
         _dmp_create_refused),
    Step("dmp-documents", "dmp", "DMP, ITI-41, TD0.3 liste, ITI-18, ITI-43 et ITI-57", _dmp_documents),
    Step("dmp-registry-error", "dmp", "DMP, ITI-41 refusé : RegistryError XDSPatientIdDoesNotMatch",
         _dmp_registry_error),
    Step("dmp-sans-autorisation", "dmp", "DMP, ITI-18 sans autorisation d'accès : RegistryError",
         _dmp_without_authorization),
    Step("dmp-panne-injectee", "dmp", "DMP, panne injectée dmp_indisponible : faute SOAP Receiver", _dmp_injected),
    Step("dmp-get", "dmp", "DMP, GET sur un point d'accès SOAP", _dmp_get),
    Step("dmp-wsdl", "dmp", "DMP, description WSDL d'un point d'accès (?wsdl)", _dmp_wsdl),
    Step("dmp-faute-vihf", "dmp", "DMP, VIHF signé par un certificat expiré : SOAP Fault", _dmp_vihf_fault),
)
