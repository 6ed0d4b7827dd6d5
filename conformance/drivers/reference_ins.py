"""Reference DUI, INSi part: traits lookup with the reference client, then the identity document check.

The identity document is the person of the world as written on their ID card (display names, birth
date and place). QUAL needs the INSi answer to agree with it; otherwise the identity stays at the
status it had (PROV) and the warnings say why, as an identity-vigilance referent would read them.
"""

from __future__ import annotations

from simulators.identities.model import Person, Professional
from simulators.identities.traits import normalise_birth_name, normalise_given_names

from conformance.drivers.base import BenchTarget, DriverError, IdentityResult
from simulators.ins.client import InsiClient, InsiServiceFault, LpsIdentity


class InsPart:
    def __init__(self, target: BenchTarget) -> None:
        credentials = target.credentials
        self.client = InsiClient(
            target.session_url("ins", "/lps"),
            cert=credentials.insi_cert if credentials else None,
            verify=credentials.trust_bundle if credentials else True,
            lps=LpsIdentity(nom="urn:lps:socle-bench-dui-de-reference:1.0.0"),
            timeout=30.0)

    def qualify(self, actor: Professional, person: Person) -> IdentityResult:
        written_name = person.display_last_name if not person.used_name else person.birth_name
        try:
            outcome = self.client.search_traits(written_name, person.display_first_name, person.sex,
                                                person.birth_date, person.birth_place)
        except InsiServiceFault as exc:
            raise DriverError(f"le téléservice INSi a répondu par une faute : {exc}") from exc
        warnings = list(outcome.warnings)
        response = outcome.response
        if not outcome.usable or response is None:
            warnings.append(f"compte rendu INSi {outcome.cr} : identité non récupérée")
            return IdentityResult(status=person.identity_status, cr=outcome.cr, warnings=tuple(warnings))
        document_ok = (normalise_birth_name(person.birth_name) == response.nom_naissance
                       and tuple(normalise_given_names(person.display_first_name))[:1]
                       == tuple(response.liste_prenom.split(" "))[:1]
                       and person.birth_date == response.date_naissance and person.sex == response.sexe)
        if not document_ok:
            warnings.append("les traits INSi ne correspondent pas à la pièce d'identité : identité récupérée, non qualifiée")
        return IdentityResult(
            status="QUAL" if document_ok else "RECUP", ins=outcome.matricule, oid=outcome.oid,
            birth_name=response.nom_naissance, given_names=response.liste_prenom, sex=response.sexe,
            birth_date=response.date_naissance, birth_place=response.lieu_naissance, cr=outcome.cr,
            warnings=tuple(warnings))
