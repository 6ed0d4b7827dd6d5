"""``insi@`` checks: what a DUI calling the INSi téléservice must do, judged from recorded exchanges.

Each exchange is read back with the INSi codecs (simulators/ins/reading.py) rather than from the
simulator's summary, so a journal written by another tool is judged the same way. The one exception
is what only the simulator can know: that the name sent is a person's used name (summary
``nom_usage``), which turns a plain 01 into a birth-name error.

How many distinct identities a software may look up per minute is nowhere published: the default
(30 per minute and per caller) is the bench's reading of "not in bulk over a whole base". It is set
by `[services.ins] bulk_per_minute` or a session's option `ins.bulk_per_minute`, recorded by the
simulator on each exchange (`summary.bulk_limit`), or forced with `checks(bulk_per_minute=...)`.
"""

from __future__ import annotations

import re
from collections import defaultdict
from datetime import datetime
from collections.abc import Iterable, Sequence

from simulators.core.exchange import Exchange
from simulators.codecs.soap import parse_content_type
from simulators.identities.traits import explain_birth_date, explain_sex, explain_trait
from simulators.ins.model import (
    ACTIONS, BAM_VERSION, LPS_VERSION, OP_TRAITS, OP_VITALE, OPERATION_BODIES, ORG_CERT_CNS, InsiRequest,
    TraitsQuery,
)
from simulators.ins.reading import Reading, content_type, read

from conformance.checks import LIVE, SESSION, Check, Finding, expect, expect_true, skip
from conformance.outcomes import Outcome

OPERATIONS = (OP_TRAITS, OP_VITALE)
BULK_PER_MINUTE = 30
REPEAT_WINDOW_S = 60.0
RETRY_02_WINDOW_S = 600.0
FAULT_RETRY_MIN_S = 1.0
FAULT_RETRY_MAX = 3
# Faults that mean "the service is unavailable": a client must back off. Sender faults about the
# request itself (context, action, traits) may be corrected and re-sent at once.
SERVICE_FAULTS = frozenset({"insi_102", "desir_1020", "insi_111", "bench_interne"})
_UUID = re.compile(r"^uuid:[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$")
_UTC = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|\+00:00)$")
_COG = re.compile(r"^[A-Za-z0-9]{5}$")


def _request(exchange: Exchange) -> InsiRequest:
    reading = read(exchange)
    if reading.request is None:
        skip(f"requête illisible ({reading.error}) : jugée par insi@1")
    return reading.request


# --- live checks ---------------------------------------------------------------------------------
def soap12_envelope(exchange: Exchange) -> str:
    media = parse_content_type(content_type(exchange))[0]
    expect(media, "application/soap+xml", "type de contenu de la requête", exchanges=[exchange])
    reading = read(exchange)
    expect_true(reading.request is not None, f"attendu une enveloppe SOAP 1.2 INSi lisible, obtenu : {reading.error}",
                exchanges=[exchange])
    return "enveloppe SOAP 1.2 en application/soap+xml"


def action_matches_body(exchange: Exchange) -> str:
    req = _request(exchange)
    # No wsa:Action but the SOAP 1.2 `action` media-type parameter (RFC 3902; what zeep and .NET stubs
    # generated from the official WSDL 1.5.0 send, since the WSDL declares no Action header part): the
    # action is conveyed, and the simulator of the real service accepts it; whether the live INSi requires
    # the header is UNCONFIRMED (insi.md §1). Neither one is the defect.
    expect_true(bool(req.wsa_action or req.action),
                "attendu l'action de l'opération (en-tête wsa:Action ou paramètre action du Content-Type "
                "SOAP 1.2), obtenu aucune", exchanges=[exchange])
    operation = ACTIONS.get(req.action)
    expect_true(operation is not None, f"attendu une action INSi connue, obtenu {req.action!r}",
                exchanges=[exchange], evidence=[req.action])
    expect(OPERATION_BODIES[req.operation], OPERATION_BODIES[operation],  # type: ignore[index]
           f"élément du corps pour l'action {operation}", exchanges=[exchange])
    return f"action {req.action}" + ("" if req.wsa_action else " (paramètre action du Content-Type)")


def message_id_format(exchange: Exchange) -> str:
    req = _request(exchange)
    expect_true(bool(_UUID.match(req.message_id)),
                f"attendu un wsa:MessageID « uuid:<UUID> », obtenu {req.message_id!r}",
                exchanges=[exchange], evidence=[req.message_id] if req.message_id else [])
    return req.message_id


def _utc(value: str) -> bool:
    if not _UTC.match(value):
        return False
    try:
        datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        return False
    return True


def contexte_lps(exchange: Exchange) -> str:
    lps = _request(exchange).lps
    expect_true(lps is not None, "attendu un en-tête ctxlps:ContexteLPS, obtenu aucun", exchanges=[exchange])
    assert lps is not None
    expect(lps.version, LPS_VERSION, "ContexteLPS@Version", exchanges=[exchange])
    expect_true(bool(lps.id), "attendu ContexteLPS/Id, obtenu un Id vide ou absent", exchanges=[exchange])
    expect_true(_utc(lps.temps), f"attendu ContexteLPS/Temps en UTC ISO 8601 (…Z), obtenu {lps.temps!r}",
                exchanges=[exchange], evidence=[lps.temps] if lps.temps else [])
    expect(lps.idam_r, "4", "attribut R de LPS/IDAM", exchanges=[exchange])
    missing = [name for name, value in (("IDAM", lps.idam), ("Version", lps.lps_version),
                                        ("Instance", lps.instance), ("Nom", lps.nom)) if not value]
    expect(missing, [], "éléments de ContexteLPS/LPS manquants", exchanges=[exchange])
    return f"ContexteLPS {lps.version}, IDAM {lps.idam}"


def contexte_bam(exchange: Exchange) -> str:
    req = _request(exchange)
    bam = req.bam
    expect_true(bam is not None, "attendu un en-tête ctxbam:ContexteBAM, obtenu aucun", exchanges=[exchange])
    assert bam is not None
    expect(bam.version, BAM_VERSION, "ContexteBAM@Version", exchanges=[exchange])
    expect_true(bool(bam.id) and _utc(bam.temps),
                f"attendu ContexteBAM/Id et Temps en UTC, obtenu Id={bam.id!r} Temps={bam.temps!r}",
                exchanges=[exchange])
    expect_true(bam.couverture_present, "attendu ContexteBAM/COUVERTURE, obtenu aucun", exchanges=[exchange])
    if req.operation == OP_TRAITS:
        expect_true(bam.couverture_empty, "attendu COUVERTURE vide pour la recherche par traits, obtenu une "
                                          "couverture remplie", exchanges=[exchange])
    return f"ContexteBAM {bam.version}"


def authenticated(exchange: Exchange) -> str:
    caller = exchange.caller
    if caller.kind == "saml":
        return f"assertion SAML de {caller.subject}"
    if caller.kind == "tls" and caller.attributes.get("cn") in ORG_CERT_CNS:
        return f"certificat {caller.attributes['cn']}"
    reading = read(exchange)
    cpx = exchange.summary.get("profile") == "cpx"  # the CPx endpoint: an assertion is the only credential
    if caller.kind == "anonymous" and not cpx and not (reading.request and reading.request.security_present):
        skip("banc sans TLS : l'authentification ne peut pas être jugée")
    security = bool(reading.request and reading.request.security_present)
    got = (f"certificat CN={caller.attributes.get('cn')!r}" if caller.kind == "tls" and not cpx
           else "une assertion refusée" if reading.fault == "bench_authentification" and security
           else "aucune assertion SAML dans wsse:Security" if cpx else "aucune authentification")
    expect_true(False, f"attendu un certificat INSI-AUTO/INSI-MANU ou une assertion SAML valide, obtenu {got}",
                exchanges=[exchange])
    return ""


def traits_normalised(exchange: Exchange) -> str:
    traits = _traits(exchange)
    problems = [p for p in [explain_trait(traits.nom_naissance, "nom de naissance")]
                + [explain_trait(p, "prénom") for p in traits.prenoms] if p]
    expect_true(not problems, "attendu des traits normalisés, obtenu : " + " ; ".join(problems),
                exchanges=[exchange], evidence=[traits.nom_naissance, *traits.prenoms])
    suspects = exchange.summary.get("nom_usage") or []  # the simulator saw a used name match the traits
    expect_true(not suspects, f"attendu le nom de naissance, obtenu le nom d'usage {traits.nom_naissance!r} "
                              f"(identité {', '.join(suspects)})", exchanges=[exchange],
                evidence=[traits.nom_naissance])
    return "traits normalisés, nom de naissance"


def traits_format(exchange: Exchange) -> str:
    traits = _traits(exchange)
    problems = [p for p in (explain_sex(traits.sexe), explain_birth_date(traits.date_naissance)) if p]
    if traits.lieu_naissance and not _COG.match(traits.lieu_naissance):
        problems.append(f"lieu de naissance {traits.lieu_naissance!r} : code COG de 5 caractères attendu")
    expect_true(not problems, "attendu sexe, date et lieu au format INSi, obtenu : " + " ; ".join(problems),
                exchanges=[exchange])
    return "format des traits conforme"


def _traits(exchange: Exchange) -> TraitsQuery:
    req = _request(exchange)
    if req.traits is None:
        skip("recherche par carte Vitale : pas de traits saisis à juger")
    return req.traits


# --- session checks ------------------------------------------------------------------------------
def _calls(exchanges: Sequence[Exchange]) -> list[tuple[Exchange, Reading]]:
    ordered = sorted((e for e in exchanges if e.operation in OPERATIONS), key=lambda e: (e.started_at, e.id))
    return [(e, r) for e in ordered if (r := read(e)).request is not None]


def _by_caller(calls: list[tuple[Exchange, Reading]]) -> dict[tuple[str, str], list[tuple[Exchange, Reading]]]:
    groups: dict[tuple[str, str], list[tuple[Exchange, Reading]]] = defaultdict(list)
    for exchange, reading in calls:
        groups[(exchange.session, exchange.caller.subject)].append((exchange, reading))
    return groups


def message_ids_unique(exchanges: Sequence[Exchange]) -> Iterable[Finding]:
    seen: dict[str, Exchange] = {}
    findings = []
    for exchange, reading in _calls(exchanges):
        mid = reading.request.message_id  # type: ignore[union-attr]
        if mid and mid in seen:
            findings.append(Finding(Outcome.FAIL, f"attendu un wsa:MessageID différent à chaque appel, obtenu "
                                                  f"{mid} réutilisé", (seen[mid].id, exchange.id), (mid,)))
        seen.setdefault(mid, exchange)
    if not seen:
        skip("aucun appel INSi lisible")
    return findings or [Finding(Outcome.PASS, f"{len(seen)} MessageID distincts")]


def _extends(before: TraitsQuery, after: TraitsQuery) -> str:
    """How a retry after 02 narrows the query: "prenoms", "lieu", or "" when it does not."""
    if (before.nom_naissance, before.sexe, before.date_naissance) != (after.nom_naissance, after.sexe,
                                                                     after.date_naissance):
        return "other"
    old, new = before.prenom_tokens, after.prenom_tokens
    if len(new) > len(old) and new[:len(old)] == old and after.lieu_naissance == before.lieu_naissance:
        return "prenoms"
    if new == old and after.lieu_naissance and not before.lieu_naissance:
        return "lieu"
    return ""


def retry_after_02(exchanges: Sequence[Exchange]) -> Iterable[Finding]:
    findings = []
    for calls in _by_caller(_calls(exchanges)).values():
        traits_calls = [(e, r, t) for e, r in calls if r.request is not None and (t := r.request.traits) is not None]
        for i, (exchange, reading, before) in enumerate(traits_calls):
            if reading.cr != "02":
                continue
            follow = next(((e, t) for e, _r, t in traits_calls[i + 1:]
                           if e.started_at - exchange.started_at <= RETRY_02_WINDOW_S
                           and _extends(before, t) != "other"), None)
            if follow is None:
                findings.append(Finding(Outcome.FAIL, "attendu une nouvelle recherche ajoutant les autres prénoms "
                                        "puis le lieu de naissance après le compte rendu 02, obtenu aucune relance",
                                        (exchange.id,)))
            elif not _extends(before, follow[1]):
                after = follow[1]
                findings.append(Finding(Outcome.FAIL, "attendu une relance ajoutant, dans l'ordre, les autres "
                                        f"prénoms puis le lieu de naissance, obtenu prénoms {list(after.prenoms)} "
                                        f"et lieu {after.lieu_naissance!r}", (exchange.id, follow[0].id)))
    if not findings and not any(r.cr == "02" for _, r in _calls(exchanges)):
        skip("aucun compte rendu 02 dans la session")
    return findings or [Finding(Outcome.PASS, "relances correctes après chaque 02")]


def no_bulk_lookups(exchanges: Sequence[Exchange], per_minute: int | None = None) -> Iterable[Finding]:
    """`per_minute` None: the limit the simulator recorded as in force (`summary.bulk_limit`), else 30."""
    findings = []
    limits = set()
    for (_, subject), calls in _by_caller(_calls(exchanges)).items():
        limit = per_minute or int(calls[-1][0].summary.get("bulk_limit") or BULK_PER_MINUTE)
        limits.add(limit)
        window: list[tuple[float, object, str]] = []
        for exchange, reading in calls:
            req = reading.request
            key = req.traits or req.vitale  # type: ignore[union-attr]
            window = [w for w in window if exchange.started_at - w[0] < 60.0]
            window.append((exchange.started_at, key, exchange.id))
            distinct = {w[1] for w in window}
            if len(distinct) > limit:
                findings.append(Finding(Outcome.FAIL, f"attendu au plus {limit} identités différentes "
                                        f"recherchées par minute, obtenu {len(distinct)} en moins d'une minute "
                                        f"({subject or 'appelant anonyme'}) : appel en masse",
                                        tuple(w[2] for w in window)))
                break
    shown = "/".join(str(n) for n in sorted(limits)) or str(per_minute or BULK_PER_MINUTE)
    return findings or [Finding(Outcome.PASS, f"au plus {shown} identités par minute et par appelant")]


def _query(reading: Reading) -> object:
    request = reading.request
    return (request.traits or request.vitale) if request is not None else None


def faults_handled(exchanges: Sequence[Exchange]) -> Iterable[Finding]:
    findings, faults_seen = [], 0
    for calls in _by_caller(_calls(exchanges)).values():
        streak: dict[object, int] = {}
        for i, (exchange, reading) in enumerate(calls):
            key = _query(reading)
            failed = exchange.status == 0 or reading.fault in SERVICE_FAULTS
            if not failed:
                streak.pop(key, None)
                continue
            faults_seen += 1
            streak[key] = streak.get(key, 0) + 1
            ended = exchange.started_at + exchange.duration_ms / 1000.0
            retry = next((e for e, r in calls[i + 1:] if _query(r) == key), None)
            if retry is not None and retry.started_at - ended < FAULT_RETRY_MIN_S:
                findings.append(Finding(Outcome.FAIL, f"attendu une attente d'au moins {FAULT_RETRY_MIN_S:g} s "
                                        f"avant de relancer après une faute ({reading.fault or 'sans réponse'}), "
                                        f"obtenu {max(retry.started_at - ended, 0):.2f} s", (exchange.id, retry.id)))
            if streak[key] == FAULT_RETRY_MAX + 1:
                findings.append(Finding(Outcome.FAIL, f"attendu au plus {FAULT_RETRY_MAX} relances d'une même "
                                        f"recherche en erreur, obtenu une boucle de réessais", (exchange.id,)))
    if not faults_seen:
        skip("aucune faute ni absence de réponse INSi dans la session")
    return findings or [Finding(Outcome.PASS, f"{faults_seen} faute(s) gérée(s) sans boucle de réessai")]


def no_repeat_after_01(exchanges: Sequence[Exchange], window_s: float = REPEAT_WINDOW_S) -> Iterable[Finding]:
    findings = []
    for calls in _by_caller(_calls(exchanges)).values():
        last_none: dict[TraitsQuery, Exchange] = {}
        for exchange, reading in calls:
            traits = reading.request.traits  # type: ignore[union-attr]
            if traits is None:
                continue
            previous = last_none.get(traits)
            if previous is not None and exchange.started_at - previous.started_at < window_s:
                findings.append(Finding(Outcome.FAIL, f"attendu aucune nouvelle recherche aux traits identiques "
                                        f"moins de {window_s:g} s après un 01, obtenu une relance après "
                                        f"{exchange.started_at - previous.started_at:.1f} s",
                                        (previous.id, exchange.id), (traits.nom_naissance,)))
            if reading.cr == "01":
                last_none[traits] = exchange
    return findings or [Finding(Outcome.PASS, "aucune recherche répétée après un 01")]


def checks(*, bulk_per_minute: int | None = None, repeat_window_s: float = REPEAT_WINDOW_S) -> list[Check]:
    """`bulk_per_minute` None: judge with the limit recorded on the exchanges (service or session option)."""
    ins_call = lambda e: e.method == "POST" and e.operation in OPERATIONS  # noqa: E731
    post = lambda e: e.method == "POST"  # noqa: E731
    return [
        Check("ins.soap12-envelope", "ins", LIVE, ("insi@1",), soap12_envelope,
              "Enveloppe SOAP 1.2 en application/soap+xml", applies=post),
        Check("ins.action", "ins", LIVE, ("insi@2",), action_matches_body,
              "wsa:Action cohérente avec l'opération et le corps", applies=ins_call),
        Check("ins.message-id-format", "ins", LIVE, ("insi@3",), message_id_format,
              "wsa:MessageID au format uuid:", applies=ins_call),
        Check("ins.message-id-unique", "ins", SESSION, ("insi@3",), message_ids_unique,
              "wsa:MessageID unique par appel"),
        Check("ins.contexte-lps", "ins", LIVE, ("insi@4",), contexte_lps, "En-tête ContexteLPS complet",
              applies=ins_call),
        Check("ins.contexte-bam", "ins", LIVE, ("insi@5",), contexte_bam, "En-tête ContexteBAM complet",
              applies=ins_call),
        Check("ins.authentication", "ins", LIVE, ("insi@6",), authenticated,
              "Certificat INSI-AUTO/INSI-MANU ou assertion CPx", applies=ins_call),
        Check("ins.traits-normalised", "ins", LIVE, ("insi@7",), traits_normalised, "Traits normalisés",
              applies=ins_call),
        Check("ins.traits-format", "ins", LIVE, ("insi@8",), traits_format, "Format de Sexe, DateNaissance, "
              "LieuNaissance", applies=ins_call),
        Check("ins.retry-after-02", "ins", SESSION, ("insi@9",), retry_after_02,
              "Relance avec les autres prénoms puis le lieu après un 02"),
        Check("ins.no-bulk", "ins", SESSION, ("insi@14",),
              lambda exchanges: no_bulk_lookups(exchanges, bulk_per_minute), "Pas d'appels en masse"),
        Check("ins.faults-handled", "ins", SESSION, ("insi@15",), faults_handled,
              "Fautes gérées sans boucle de réessai"),
        Check("ins.no-repeat-after-01", "ins", SESSION, ("insi@17",),
              lambda exchanges: no_repeat_after_01(exchanges, repeat_window_s),
              "Pas de recherche identique répétée dans la minute après un 01"),
    ]
