"""One-click faults for trainers: "INSi indisponible", "DMP lent", "MSS refuse", "jeton expiré".

A button is a list of candidate rules; each candidate names its service and, for named protocol
faults, the fault it needs from that service's catalogue (as advertised by GET /_bench/faults).
The first candidate a running service can honour wins, so a button uses the real protocol fault
(insi_102: the SOAP Fault a DUI sees in production) when the service has it and the generic error
otherwise, and is disabled with a French reason when no running service can play it.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

# Agreed name for the expired-token fault the MSS/PSC and ROR services register (README); the ROR's
# existing "token refused" fault stands in until it registers the agreed one.
EXPIRED_TOKEN_FAULTS = ("jeton_expire", "token_expired", "expired_token")


@dataclass(frozen=True)
class Candidate:
    service: str
    kind: str  # FaultRule.kind: latency | error | fault | drop | timeout
    fault: str = ""
    latency_ms: float = 0.0


@dataclass(frozen=True)
class Preset:
    id: str
    label: str  # French, on the button
    description: str
    candidates: tuple[Candidate, ...]
    all_services: bool = False  # apply every honourable candidate (an expired token hits MSS and ROR)


PRESETS: tuple[Preset, ...] = (
    Preset("insi-down", "INSi indisponible", "Le téléservice INSi répond par une erreur technique (insi_102).",
           (Candidate("ins", "fault", "insi_102"), Candidate("ins", "error"))),
    Preset("dmp-slow", "DMP lent", "Chaque réponse du DMP arrive avec 3 secondes de retard.",
           (Candidate("dmp", "latency", latency_ms=3000.0),)),
    Preset("mss-refuses", "MSS refuse", "L'opérateur MSSanté refuse les messages (SMTP 554).",
           (Candidate("mss", "fault", "smtp_554"), Candidate("mss", "error"))),
    Preset("token-expired", "Jeton expiré", "Les jetons Pro Santé Connect / ROR sont refusés comme expirés.",
           (*tuple(Candidate(service, "fault", name) for service in ("mss", "psc", "ror") for name in EXPIRED_TOKEN_FAULTS), Candidate("ror", "fault", "ror_token_rejected")), all_services=True),
)


@dataclass
class PresetState:
    id: str
    label: str
    description: str
    available: bool
    reason: str = ""  # French, why the button is disabled
    rules: list[dict[str, Any]] = field(default_factory=list)  # bodies to POST to /_bench/faults
    active_rule_ids: list[str] = field(default_factory=list)

    @property
    def active(self) -> bool:
        return bool(self.active_rule_ids)


def _honours(candidate: Candidate, running: set[str], catalogues: dict[str, dict[str, str]]) -> bool:
    if candidate.service not in running:
        return False
    return candidate.kind != "fault" or candidate.fault in catalogues.get(candidate.service, {})


def _rule(candidate: Candidate, session: str, preset_id: str) -> dict[str, Any]:
    rule: dict[str, Any] = {"kind": candidate.kind, "session": session, "service": candidate.service}
    if candidate.kind == "fault":
        rule["fault"] = candidate.fault
    if candidate.kind == "latency":
        rule["latency_ms"] = candidate.latency_ms
    rule["id"] = f"ui-{preset_id}-{candidate.service}-{session}"[:64]
    return rule


def preset_states(session: str, running: set[str], catalogues: dict[str, dict[str, str]],
                  rules: list[dict[str, Any]], presets: tuple[Preset, ...] = PRESETS) -> list[PresetState]:
    """What each button does for this session, whether it can, and whether it is on."""
    states = []
    for preset in presets:
        chosen: list[Candidate] = []
        for candidate in preset.candidates:
            if _honours(candidate, running, catalogues) and all(c.service != candidate.service for c in chosen):
                chosen.append(candidate)
                if not preset.all_services:
                    break
        bodies = [_rule(c, session, preset.id) for c in chosen]
        ids = {b["id"] for b in bodies}
        state = PresetState(preset.id, preset.label, preset.description, bool(chosen), rules=bodies,
                            active_rule_ids=[r["id"] for r in rules if r.get("id") in ids])
        if not chosen:
            state.reason = _reason(preset, running)
        states.append(state)
    return states


def _reason(preset: Preset, running: set[str]) -> str:
    services = sorted({c.service for c in preset.candidates})
    if not running.intersection(services):
        return f"service non démarré ({', '.join(services)})"
    return "défaut non proposé par le catalogue du service"
