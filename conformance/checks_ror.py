"""``ror@`` checks: how a DUI uses the ROR FHIR API (ror.md §7), judged from recorded exchanges.

Queries are re-read from the request line with the simulator's own sans-IO codec (the same
parsing the server applies), token and session facts come from the summary the server records
(client, profile, bearer state, page tokens, included references).
"""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Callable, Iterable, Sequence
from typing import Any
from urllib.parse import parse_qsl, urlsplit

from simulators.core.exchange import Exchange
from simulators.ror.codec import SearchError, parse_name
from simulators.ror.filtercodec import leaves, parse_filter
from simulators.ror.model import ROR_HEADERS, nos
from simulators.ror.params import PARAMS

from conformance.checks import LIVE, SESSION, Check, Finding, expect_true, skip
from conformance.outcomes import Outcome
import itertools

NOS_RE = re.compile(r"^https://mos\.esante\.gouv\.fr/NOS/(TRE|JDV)_([A-Z0-9]+)-([A-Za-z0-9]+)"
                    r"/FHIR/(TRE|JDV)-([A-Z0-9]+)-([A-Za-z0-9]+)$")
FREE_TOKENS = {"_id", "identifier", "active"}  # identifiers and booleans need no NOS system
OTHER_SYSTEMS = {"status": "http://hl7.org/fhir/location-status"}
OFFER_TYPE = nos("TRE_R244-CategorieOrganisation")
EG_TYPES = {nos("TRE_R66-CategorieEtablissement"), nos("TRE_R02-SecteurActivite"), nos("TRE_R72-FinessStatutJuridique"),
            nos("TRE_R69-FinessAgregatStatutJuridiqueNiv2"), nos("TRE_R207-TypeOrganisationInterne")}
TOKEN_RENEW_MARGIN_S = 60
N_PLUS_ONE_READS = 3
_FHIR_OPS = ("search-", "read-", "export")
_TYPOS = ("__include", "_revincluded", "_includes", "_revincludes")
QUERY_MEMO, CRITERIA_MEMO = "ror.checks.query", "ror.checks.criteria"  # `Exchange.decoded` keys (_memo)


def _is_fhir_call(exchange: Exchange) -> bool:
    return exchange.protocol == "http" and exchange.operation.startswith(_FHIR_OPS)


def _is_search(exchange: Exchange) -> bool:
    operation = exchange.operation
    return exchange.protocol == "http" and operation.startswith("search-") and operation != "search-page"


def _resource_type(exchange: Exchange) -> str:
    return exchange.operation.removeprefix("search-")


def _memo(exchange: Exchange, name: str, compute: Callable[[Exchange], tuple[Any, ...]]) -> tuple[Any, ...]:
    """What `compute` reads from the request, once per exchange for all the checks (and their
    `applies` filters) that ask: kept in `Exchange.decoded` (memory only) with the request line and
    body it was read from, so an exchange whose request differs is read again."""
    source = (exchange.method, exchange.path, exchange.request_body)
    found = exchange.decoded.get(name)
    if found is not None and found[0] == source:
        return found[1]
    value = compute(exchange)
    exchange.decoded[name] = (source, value)
    return value


def query_pairs(exchange: Exchange) -> tuple[tuple[str, str], ...]:
    return _memo(exchange, QUERY_MEMO, _query_pairs)


def _query_pairs(exchange: Exchange) -> tuple[tuple[str, str], ...]:
    pairs = parse_qsl(urlsplit(exchange.path).query, keep_blank_values=True)
    if exchange.method == "POST" and exchange.request_body:
        pairs += parse_qsl(exchange.request_body.decode("utf-8", "replace"), keep_blank_values=True)
    return tuple(pairs)


def _target(rtype: str, chain: tuple[str, ...]) -> str | None:
    for link in chain:
        pdef = PARAMS.get(rtype, {}).get(link)
        if pdef is None or pdef.type != "reference":
            return None
        rtype = pdef.target
    return rtype


def criteria(exchange: Exchange) -> tuple[tuple[str, str, str, str, str], ...]:
    """(label as sent, target type, parameter, one value, `_filter` operator) of every criterion."""
    return _memo(exchange, CRITERIA_MEMO, _criteria)


def _criteria(exchange: Exchange) -> tuple[tuple[str, str, str, str, str], ...]:
    rtype = _resource_type(exchange)
    out = []
    for key, value in query_pairs(exchange):
        if key == "_filter":
            try:
                for clause in leaves(parse_filter(value)):
                    target = _target(rtype, clause.chain)
                    if target:
                        out += [(clause.label, target, clause.name, v, clause.op) for v in clause.values]
            except SearchError:
                continue
            continue
        if key.startswith("_") and key not in ("_id", "_tag", "_lastUpdated"):
            continue
        try:
            clause = parse_name(key)
        except SearchError:
            continue
        target = _target(clause.has[0] if clause.has else rtype, clause.chain)
        if target:
            out += [(key, target, clause.name, v, "") for v in value.split(",")]
    return tuple(out)


def _system(value: str) -> str | None:
    return value.split("|", 1)[0] if "|" in value else None


# --- live checks ---------------------------------------------------------------------------------------
def token_request(exchange: Exchange) -> str:
    summary = exchange.summary
    expect_true(summary.get("grant_type") == "client_credentials",
                f"attendu grant_type=client_credentials, obtenu {summary.get('grant_type')!r}")
    profile = summary.get("profile")
    if profile is None:
        skip("client inconnu du simulateur : profil d'accès indéterminé")
    if profile >= 1:
        expect_true(not summary.get("secret_sent"),
                    f"attendu aucun client_secret pour le profil {profile} (authentification mTLS), obtenu un secret",
                    evidence=["client_secret"])
    return f"jeton demandé en client_credentials (profil {profile})"


def bearer_valid(exchange: Exchange) -> str:
    summary = exchange.summary
    expect_true(bool(summary.get("bearer")), "attendu Authorization: Bearer <jeton>, obtenu aucun jeton",
                evidence=["Authorization"])
    error = summary.get("token_error")
    expect_true(not error, f"attendu un jeton valide et non expiré, obtenu « {error} »")
    return "jeton porteur valide"


_OID = re.compile(r"^[0-2](\.(0|[1-9]\d*))+$")
_CODE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.-]*$")
# what a header holds when the developer never replaced the example or the template value
PLACEHOLDERS = frozenset({"code", "system", "string", "xxx", "xx", "todo", "tbd", "null", "none", "undefined", "test",
                          "changeme", "valeur", "value", "default", "exemple", "example", "oid", "0", "1.2.3",
                          "1.2.3.4", "a_remplacer", "to_replace"})


def ror_headers_present(exchange: Exchange) -> str:
    """Present and meaningful: systems are OIDs, codes are codes, none is a template placeholder."""
    sent = {name.lower(): value.strip() for name, value in exchange.request_headers.items()}
    missing = [h for h in ROR_HEADERS if not sent.get(h.lower())]
    expect_true(not missing, f"attendu les quatre en-têtes Ror-*, obtenu sans {', '.join(missing)}")
    bad = []
    for header in ROR_HEADERS:
        value = sent[header.lower()]
        form = _OID if header.endswith("-System") else _CODE
        if value.lower().strip("<>{}[]$") in PLACEHOLDERS or not form.match(value):
            bad.append(f"{header}: {value!r}")
    expect_true(not bad, "attendu des valeurs réelles (OID pour les systèmes, code du profil ou du rôle), obtenu "
                + ", ".join(bad), evidence=[b.split(": ", 1)[1].strip("'") for b in bad])
    return "quatre en-têtes Ror-* renseignés"


def full_tokens(exchange: Exchange) -> str:
    judged = 0
    for label, target, name, value, _op in criteria(exchange):
        pdef = PARAMS.get(target, {}).get(name)
        if pdef is None or pdef.type != "token" or name in FREE_TOKENS or label.endswith(":missing"):
            continue
        judged += 1
        system = _system(value)
        expect_true(system is not None and system != "",
                    f"attendu une paire system|code pour {label}, obtenu le code nu {value!r}", evidence=[value])
        expected = OTHER_SYSTEMS.get(name)
        if expected and target == "Location":
            expect_true(system == expected, f"attendu le système {expected} pour {label}, obtenu {system!r}")
            continue
        match = NOS_RE.match(system or "")
        expect_true(match is not None and match.group(2) == match.group(5) and match.group(3) == match.group(6),
                    f"attendu une URI de système NOS exacte (https://mos.esante.gouv.fr/NOS/TRE_…/FHIR/TRE-…) "
                    f"pour {label}, obtenu {system!r}", evidence=[system or value])
    if not judged:
        skip("aucun critère de type token dans cette recherche")
    return f"{judged} jeton(s) en system|code NOS"


def offer_type_versus_category(exchange: Exchange) -> str:
    judged = 0
    for label, target, name, value, _op in criteria(exchange):
        system = _system(value)
        if target == "HealthcareService" and name == "service-category":
            judged += 1
            expect_true(system in (None, "", OFFER_TYPE),
                        f"attendu un type d'offre TRE_R244 dans {label}, obtenu le système {system!r} "
                        "(une catégorie d'établissement, MECS comprise, se cherche par organization.type)",
                        evidence=[value])
        elif target == "Organization" and name == "type" and system:
            judged += 1
            expect_true(system in EG_TYPES, f"attendu une catégorie d'établissement (TRE_R66) dans {label}, "
                                            f"obtenu le système {system!r}", evidence=[value])
    if not judged:
        skip("ni service-category ni organization.type dans cette recherche")
    return "type d'offre et catégorie d'établissement bien placés"


_AGE_RE = re.compile(r"^(eq|ne|gt|lt|ge|le|sa|eb|ap)?(\d+(?:\.\d+)?)")


def age_as_pair(exchange: Exchange) -> str:
    lows: list[tuple[str, str, str]] = []  # (prefix, number, label)
    highs: list[tuple[str, str, str]] = []
    for label, target, name, value, op in criteria(exchange):
        if target != "HealthcareService" or name not in ("age-range-low", "age-range-high"):
            continue
        match = _AGE_RE.match(value)
        prefix = op or (match.group(1) if match and match.group(1) else "eq")
        number = value.split("|")[0] if op else (match.group(2) if match else value)
        (lows if name == "age-range-low" else highs).append((prefix, number, label))
    if not lows and not highs:
        skip("aucun critère d'âge dans cette recherche")
    for prefix, number, label in lows:
        expect_true(prefix in ("le", "lt"), f"attendu age-range-low le{number}, obtenu {label} {prefix} {number}")
    for prefix, number, label in highs:
        expect_true(prefix in ("ge", "gt"), f"attendu age-range-high ge{number}, obtenu {label} {prefix} {number}")
    expect_true(bool(lows) and bool(highs),
                "attendu la paire age-range-low le X et age-range-high ge X, obtenu un seul des deux critères")
    return "âge exprimé par la paire low/high"


def include_hierarchy(exchange: Exchange) -> str:
    pairs = query_pairs(exchange)
    typos = [k for k, _ in pairs if k.split(":")[0] in _TYPOS]
    expect_true(not typos, f"attendu _include / _revinclude, obtenu {', '.join(typos)}", evidence=typos)
    flat = [v for k, v in pairs if k == "_include" and "Organization:partof" in v.split(",")]
    expect_true(not flat, "attendu _include:iterate=Organization:partof pour toute la chaîne EJ/EG/OI, "
                          "obtenu _include=Organization:partof (un seul niveau, et refusé)",
                evidence=["_include=Organization:partof"])
    iterate = any(k == "_include:iterate" and "Organization:partof" in v.split(",") for k, v in pairs)
    if not iterate:
        skip("hiérarchie des organisations non demandée")
    return "_include:iterate=Organization:partof"


# --- session checks ----------------------------------------------------------------------------------------
def token_reused(exchanges: Sequence[Exchange]) -> Iterable[Finding]:
    tokens: dict[str, list[Exchange]] = defaultdict(list)
    rejected: dict[str, list[float]] = defaultdict(list)
    for exchange in sorted(exchanges, key=lambda e: (e.started_at, e.id)):
        client = str(exchange.summary.get("client_id", ""))
        if exchange.operation == "token" and exchange.status == 200:
            tokens[client].append(exchange)
        elif _is_fhir_call(exchange) and exchange.status == 401:
            rejected[client].append(exchange.started_at)
    findings = []
    for client, issued in tokens.items():
        for previous, current in itertools.pairwise(issued):
            lifetime = float(previous.summary.get("token_exp_in", 0))
            left = previous.started_at + lifetime - current.started_at
            forced = any(previous.started_at <= t <= current.started_at for t in rejected.get(client, ()))
            if left > TOKEN_RENEW_MARGIN_S and not forced:
                findings.append(Finding(Outcome.FAIL, f"attendu la réutilisation du jeton jusqu'à son expiration, "
                                        f"obtenu un nouveau jeton pour {client} alors que le précédent restait valide "
                                        f"{left:.0f} s", (previous.id, current.id)))
    if not any(len(v) > 1 for v in tokens.values()):
        skip("un seul jeton obtenu par client : rien à juger")
    return findings or [Finding(Outcome.PASS, "jetons réutilisés jusqu'à leur expiration")]


def next_links_followed(exchanges: Sequence[Exchange]) -> Iterable[Finding]:
    followed = {str(e.summary.get("page_of")) for e in exchanges if e.operation == "search-page" and e.status == 200}
    paged = [e for e in exchanges if e.status == 200 and e.summary.get("has_next")]
    if not paged:
        skip("aucune recherche avec plus d'une page de résultats")
    findings = [Finding(Outcome.FAIL, f"attendu le suivi de Bundle.link[next] (total {e.summary.get('total')}, "
                                      f"{e.summary.get('returned')} entrées reçues), "
                                      "obtenu aucune page suivante demandée", (e.id,))
                for e in paged if str(e.summary.get("next_token")) not in followed]
    return findings or [Finding(Outcome.PASS, f"{len(paged)} page(s) suivie(s) par leur lien next")]


def no_n_plus_one_reads(exchanges: Sequence[Exchange]) -> Iterable[Finding]:
    ordered = sorted(exchanges, key=lambda e: (e.started_at, e.id))
    delivered: set[str] = set()
    reads_after_bare_search: list[Exchange] = []
    bare_search = False
    findings = []
    for exchange in ordered:
        if _is_search(exchange) and exchange.status == 200:
            delivered.update(exchange.summary.get("included_refs") or ())
            bare_search = exchange.operation == "search-HealthcareService" and not exchange.summary.get("includes")
            reads_after_bare_search = []
        elif exchange.operation.startswith("read-") and exchange.status == 200:
            ref = str(exchange.summary.get("read", ""))
            if ref in delivered:
                findings.append(Finding(Outcome.FAIL, f"attendu la lecture de {ref} dans les entrées incluses, "
                                                      "obtenu une lecture unitaire supplémentaire", (exchange.id,)))
            elif bare_search and ref.split("/")[0] in ("Organization", "Location", "PractitionerRole"):
                reads_after_bare_search.append(exchange)
                if len(reads_after_bare_search) == N_PLUS_ONE_READS:
                    findings.append(Finding(Outcome.FAIL, f"attendu _include/_revinclude sur la recherche d'offres, "
                                                          f"obtenu {N_PLUS_ONE_READS} lectures unitaires ou plus",
                                            tuple(e.id for e in reads_after_bare_search)))
    if not any(_is_search(e) for e in ordered):
        skip("aucune recherche observée")
    return findings or [Finding(Outcome.PASS, "références résolues depuis les entrées incluses")]


def _has_token_criteria(exchange: Exchange) -> bool:
    return any((pdef := PARAMS.get(target, {}).get(name)) is not None and pdef.type == "token"
               and name not in FREE_TOKENS and not label.endswith(":missing")
               for label, target, name, _v, _op in criteria(exchange))


def _has_category_criteria(exchange: Exchange) -> bool:
    return any((target, name) in (("HealthcareService", "service-category"), ("Organization", "type"))
               for _l, target, name, _v, _op in criteria(exchange))


def _has_age_criteria(exchange: Exchange) -> bool:
    return any(target == "HealthcareService" and name in ("age-range-low", "age-range-high")
               for _l, target, name, _v, _op in criteria(exchange))


def _asks_hierarchy(exchange: Exchange) -> bool:
    return any(k.split(":")[0] in _TYPOS or (k.startswith("_include") and "Organization:partof" in v.split(","))
               for k, v in query_pairs(exchange))


def checks() -> list[Check]:
    # a search without the criterion a check judges is "not applicable" (applies filter), never a skip result
    return [
        Check("ror.token-request", "ror", LIVE, ("ror@1",), token_request, "Jeton client_credentials, mTLS sans secret",
              ("token",)),
        Check("ror.bearer-valid", "ror", LIVE, ("ror@2",), bearer_valid, "Jeton porteur valide", applies=_is_fhir_call),
        Check("ror.token-reused", "ror", SESSION, ("ror@2",), token_reused, "Jeton réutilisé jusqu'à expiration"),
        Check("ror.headers", "ror", LIVE, ("ror@3",), ror_headers_present, "En-têtes Ror-*", applies=_is_fhir_call),
        Check("ror.full-tokens", "ror", LIVE, ("ror@4",), full_tokens, "Jetons system|code NOS",
              applies=lambda e: _is_search(e) and _has_token_criteria(e)),
        Check("ror.offer-type-vs-category", "ror", LIVE, ("ror@5",), offer_type_versus_category,
              "Type d'offre et catégorie d'établissement", applies=lambda e: _is_search(e) and _has_category_criteria(e)),
        Check("ror.age-pair", "ror", LIVE, ("ror@6",), age_as_pair, "Âge en paire low/high",
              applies=lambda e: _is_search(e) and _has_age_criteria(e)),
        Check("ror.include-hierarchy", "ror", LIVE, ("ror@7",), include_hierarchy, "Hiérarchie par _include:iterate",
              applies=lambda e: _is_search(e) and _asks_hierarchy(e)),
        Check("ror.next-links", "ror", SESSION, ("ror@8",), next_links_followed, "Pages suivantes lues"),
        Check("ror.no-n-plus-one", "ror", SESSION, ("ror@9",), no_n_plus_one_reads, "Pas de lectures N+1"),
    ]
