"""Record the samples anew: a real `socle-bench serve`, the reference DUI playing the journeys, the journal read
back through the admin API. Only public interfaces are used (CLI, admin API), like a vendor would.

    python -m simulators.examples [--out DIR] [--docs DIR]
"""

from __future__ import annotations

import argparse
import base64
import dataclasses
import fnmatch
import json
import os
import re
import signal
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import requests
from lxml import etree

from simulators.core.config import DEFAULT_PORTS
from simulators.codecs.xmlsafe import parse_xml
from simulators.examples import INDEX, Sample, body_shape, client_certificate, curl
from simulators.examples import tour

JOURNEYS = ("fanny", "elliot", "elise")
PACKAGE_DATA = Path(__file__).with_name("data")
DOCS = Path(__file__).resolve().parents[2] / "docs"
BODY_LIMIT = 6000  # characters kept of a body: head and tail around the cut
DROPPED_HEADERS = {"date", "content-length", "connection", "keep-alive", "server", "host", "user-agent", "peer",
                   "accept-encoding", "x-request-id", "etag", "last-modified"}
SECRET_HEADERS = {"authorization": "Bearer <jeton>", "esante-api-key": "<clé d'API>", "cookie": "<cookie>"}
GUIDES = {"ins": "insi", "dmp": "dmp", "mss": "mssante", "annuaire": "annuaire", "psc": "psc", "ror": "ror"}


def record(out: Path = PACKAGE_DATA, docs: Path | None = DOCS, *, log: Any = sys.stderr) -> list[Sample]:
    with tempfile.TemporaryDirectory(prefix="socle-examples-") as tmp:
        work = Path(tmp)
        proc, admin = _serve(work)
        try:
            missing: dict[str, str] = {}
            for journey in JOURNEYS:
                why = _play(journey, admin, work)
                if why:  # once more from an empty session: a journey is a long real run, a hiccup is not a change
                    print(f"journey {journey} failed, played again: {why[-600:]}", file=log)
                    requests.post(f"{admin}/_bench/sessions/exemples-{journey}/reset", timeout=30)
                    why = _play(journey, admin, work)
                if why:
                    missing[f"journey-{journey}"] = why
                    print(f"journey {journey} did not run: {why[:300]}", file=log)
            journeys = [e for journey in JOURNEYS for e in _exchanges(admin, f"exemples-{journey}")]
            transcripts: dict[str, str] = {}
            ran = tour.play(admin, str(work / "data" / "pki"), log=log, transcripts=transcripts)
            missing.update({label: why for label, why in ran.items() if why})
            steps = [(step, _exchanges(admin, tour.SESSION_PREFIX + step.label)) for step in tour.STEPS]
            ports = _port_map(admin)
        finally:
            proc.send_signal(signal.SIGINT)
            try:
                proc.wait(timeout=30)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait(timeout=30)
    chosen = [_with_ports(s, ports) for s in transcript_samples(transcripts) + select(steps, journeys)]
    for step, exchanges in steps:
        if not exchanges and step.journaled and step.label not in missing:
            missing[step.label] = "no exchange journaled"
    write_samples(chosen, out, missing)
    if docs is not None:
        write_guides(chosen, docs)
    print(f"{len(chosen)} samples from {len(journeys) + sum(len(e) for _, e in steps)} exchanges -> {out}"
          + (f"; missing: {', '.join(sorted(missing))}" if missing else ""), file=log)
    return chosen


def transcript_samples(transcripts: dict[str, str]) -> list[Sample]:
    """Client-side transcripts (C: / S: lines) as samples of the mail service."""
    out = []
    for name, transcript in sorted(transcripts.items()):
        protocol = "imap" if name.endswith("imap") else "smtp"
        text = re.sub(r"/s/(exemples|ex)-[a-z0-9.-]+", "/s/<session>", transcript)
        out.append(Sample(service="mss", name=name, title=f"transcription {protocol.upper()} côté client",
                          protocol=protocol, operation="transcript", method="SESSION", path="", request_headers={},
                          request_body=text, status=0, response_headers={}, response_body="",
                          note=f"Une session {protocol.upper()} complète telle que le client l'écrit (C:) et la lit "
                               "(S:), relevée par smtplib / imaplib en mode debug ; la chaîne XOAUTH2 est remplacée "
                               "par sa recette.", paths={"request": body_shape(text), "response": []}))
    return out


def _port_map(admin: str) -> dict[str, str]:
    """Ephemeral port of each service -> its documented default port, so samples read as with `make serve`."""
    ports = {urlsplit(admin).port: DEFAULT_PORTS.get("admin")}
    for entry in requests.get(f"{admin}/_bench/services", timeout=30).json():
        ports[urlsplit(entry["url"]).port] = DEFAULT_PORTS.get(entry["service"])
    return {str(k): str(v) for k, v in ports.items() if k and v}


SESSIONS = re.compile("|".join(re.escape(name) for name in sorted(
    [tour.SESSION_PREFIX + step.label for step in tour.STEPS] + [f"exemples-{j}" for j in JOURNEYS], key=len,
    reverse=True)) + r"(?![\w.-])")


def _with_ports(sample: Sample, ports: dict[str, str]) -> Sample:
    """Documented default ports instead of the ephemeral ones, `<session>` instead of the recorder's sessions."""
    def fix(text: str) -> str:
        text = SESSIONS.sub("<session>", text)
        return re.sub(r"\b(localhost|127\.0\.0\.1):(\d+)",
                      lambda m: f"{m.group(1)}:{ports.get(m.group(2), m.group(2))}", text)

    return dataclasses.replace(
        sample, path=fix(sample.path), origin=fix(sample.origin), request_body=fix(sample.request_body),
        response_body=fix(sample.response_body),
        request_headers={k: fix(v) for k, v in sample.request_headers.items()},
        response_headers={k: fix(v) for k, v in sample.response_headers.items()},
        checks=[fix(c) for c in sample.checks])


def write_samples(chosen: list[Sample], out: Path, missing: dict[str, str]) -> None:
    """One JSON per sample, and index.json: every sample and what could not be recorded (and why)."""
    if out.exists():
        for old in out.glob("*/*.json"):
            old.unlink()
    for item in chosen:
        target = out / item.service / f"{item.name}.json"
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(json.dumps(item.as_json(), ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
    index = {"generated_by": "python -m simulators.examples",
             "samples": [f"{s.service}/{s.name}" for s in chosen], "missing": dict(sorted(missing.items()))}
    out.mkdir(parents=True, exist_ok=True)
    (out / INDEX).write_text(json.dumps(index, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")


def _serve(work: Path) -> tuple[subprocess.Popen, str]:
    config = work / "bench.toml"
    config.write_text("[ports]\n" + "".join(f"{name} = 0\n" for name in DEFAULT_PORTS), encoding="utf-8")
    env = {**os.environ, "PYTHONUNBUFFERED": "1"}
    proc = subprocess.Popen([sys.executable, "-m", "simulators.cli", "serve", "--config", str(config),
                             "--data-dir", str(work / "data")], stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                            text=True, cwd=work, env=env)
    deadline = time.monotonic() + 90
    lines = []
    while time.monotonic() < deadline:
        line = proc.stdout.readline() if proc.stdout else ""
        if not line:
            break
        lines.append(line)
        match = re.search(r"admin (http://\S+)/_bench/health", line)
        if match:  # keep reading its output, or a full pipe would stall the bench
            threading.Thread(target=lambda: [None for _ in proc.stdout or ()], daemon=True).start()
            return proc, match.group(1)
    proc.kill()
    raise RuntimeError("the bench did not start:\n" + "".join(lines))


def _play(journey: str, admin: str, work: Path) -> str:
    """"" when the journey ran, else why not (the recorder goes on with what the bench does)."""
    proc = subprocess.run([sys.executable, "-m", "simulators.cli", "play", journey, "--bench-url", admin,
                           "--bench-pki", str(work / "data" / "pki"), "--session", f"exemples-{journey}"],
                          check=False, capture_output=True, text=True, timeout=600, cwd=work)
    if proc.returncode == 0:
        return ""
    return f"play {journey} exited {proc.returncode}: {proc.stdout[-1500:]} {proc.stderr[-1500:]}"


def _exchanges(admin: str, session: str) -> list[dict[str, Any]]:
    answer = requests.get(f"{admin}/_bench/exchanges", params={"session": session, "bodies": "1", "limit": "1000"},
                          timeout=30)
    answer.raise_for_status()
    return answer.json()["exchanges"]


Key = tuple[str, str, str]  # (service, operation, outcome)


def _key(ex: dict[str, Any]) -> Key:
    return ex["service"], ex["operation"] or "requete", "refus" if _refused(ex) else "ok"


def select(steps: list[tuple[tour.Step, list[dict[str, Any]]]], journeys: list[dict[str, Any]]) -> list[Sample]:
    """The tour's samples first (named after their step), then the journeys' for what the tour did not show.

    Within the tour, an exchange already shown by an earlier step (the token and AUTH before each mail) is left
    out unless the step names its operation in `keep`; a step left with nothing keeps its last exchange.
    """
    seen: set[Key] = set()
    chosen: list[Sample] = []
    for step, exchanges in steps:
        firsts: dict[Key, dict[str, Any]] = {}
        for ex in exchanges:
            firsts.setdefault(_key(ex), ex)
        new = {k: ex for k, ex in firsts.items() if k not in seen or fnmatch.fnmatch(k[1], step.keep or "\0")}
        if not step.journaled:
            new = {}
        elif not new and exchanges:
            new = {_key(exchanges[-1]): exchanges[-1]}
        seen.update(firsts)
        for (_, _, outcome), ex in new.items():
            base = to_sample(ex, outcome, note=step.title)
            name = step.label if len(new) == 1 else f"{step.label}.{base.name}"
            chosen.append(dataclasses.replace(base, name=name[:80]))
    for ex in journeys:
        key = _key(ex)
        if key not in seen:
            seen.add(key)
            chosen.append(to_sample(ex, key[2], note="parcours " + ex.get("session", "").removeprefix("exemples-")))
    return chosen


FAILURE_MARKS = ("ResponseStatusType:Failure", ":Fault>", "acknowledgement typeCode=\"AE\"",
                 "acknowledgement typeCode=\"AR\"")


def _refused(ex: dict[str, Any]) -> bool:
    """The bench said no: an error status or reply code, a SOAP fault, an XDS Failure, an HL7v3 AE/AR (DMP answers
    refusals with HTTP 200 and the error in the body)."""
    status = int(ex.get("status") or 0)
    if status >= 400 or (ex.get("summary") or {}).get("fault"):
        return True
    head = _body(ex, "response")[:4000]
    return any(mark in head for mark in FAILURE_MARKS)


def _origin(ex: dict[str, Any]) -> str:
    host = next((v for k, v in (ex.get("request_headers") or {}).items() if k.lower() == "host"), "")
    return f"https://{host}" if host and ex.get("protocol", "http") == "http" else ""


def to_sample(ex: dict[str, Any], outcome: str, note: str = "") -> Sample:
    operation = ex["operation"] or "requete"
    name = re.sub(r"[^a-z0-9._-]+", "-", operation.lower()).strip("-")[:60] or "requete"
    if outcome != "ok":
        name += "-refus"
    title = f"{operation} ({'refusé' if outcome != 'ok' else 'accepté'}, {ex.get('status')})"
    return Sample(service=ex["service"], name=name, title=title, protocol=ex.get("protocol", "http"),
                  operation=operation, method=ex.get("method", ""), path=_path(ex.get("path", "")),
                  request_headers=_headers(ex.get("request_headers") or {}), request_body=_body(ex, "request"),
                  status=int(ex.get("status") or 0), response_headers=_headers(ex.get("response_headers") or {}),
                  response_body=_body(ex, "response"), note=note, origin=_origin(ex),
                  client_cert=client_certificate(ex["service"], operation, _raw_text(ex, "request"),
                                                 (ex.get("caller") or {}).get("kind", "")),
                  paths={"request": body_shape(_raw_text(ex, "request")),
                         "response": body_shape(_raw_text(ex, "response"))},
                  checks=[f"{v.get('outcome')} {v.get('check')}: {v.get('message', '')}"[:300]
                          for v in ex.get("verdicts") or [] if v.get("outcome") in ("fail", "error")])


def _path(path: str) -> str:
    return re.sub(r"^/s/(exemples|ex)-[a-z0-9.-]+", "/s/<session>", path)


def _headers(headers: dict[str, str]) -> dict[str, str]:
    kept = {}
    for name, value in headers.items():
        low = name.lower()
        if low in DROPPED_HEADERS:
            continue
        kept[name] = SECRET_HEADERS.get(low, value)
    return kept


def _raw_text(ex: dict[str, Any], part: str) -> str:
    raw = ex.get(f"{part}_body_b64") or ex.get(f"{part}_body") or ""
    try:
        data = base64.b64decode(raw) if isinstance(raw, str) else bytes(raw)
    except ValueError:
        data = str(raw).encode()
    return data.decode("utf-8", errors="replace")


def _body(ex: dict[str, Any], part: str) -> str:
    """The body as a reader gets it: base64 runs and long bodies shortened (the shape is taken before)."""
    text = re.sub(r"\('127\.0\.0\.1', \d+\)", "('127.0.0.1', <port>)", _raw_text(ex, part))
    text = re.sub(r"[A-Za-z0-9+/=\r\n]{400,}", lambda m: m.group(0)[:120] + "…[base64 abrégé]", text)
    if len(text) > BODY_LIMIT:
        cut = len(text) - BODY_LIMIT
        text = text[: BODY_LIMIT * 2 // 3] + f"\n…[{cut} caractères omis]…\n" + text[-BODY_LIMIT // 3:]
    return text


def write_guides(chosen: list[Sample], docs: Path) -> None:
    """Regenerate the samples section of each guide between its markers (the prose around is kept)."""
    for service, guide in GUIDES.items():
        path = docs / f"{guide}.md"
        if not path.exists():
            continue
        text = path.read_text(encoding="utf-8")
        section = render_section([s for s in chosen if s.service == service])
        begin, end = "<!-- samples:begin -->", "<!-- samples:end -->"
        if begin in text and end in text:
            text = text[: text.index(begin)] + begin + "\n" + section + text[text.index(end):]
        path.write_text(text, encoding="utf-8")


def render_section(items: list[Sample]) -> str:
    """The generated part of a guide: each sample's request and answer, bodies indented for reading."""
    lines = ["", "_Generated by `python -m simulators.examples` from real runs (the reference DUI playing the "
                 "journeys, then the tour of the reference clients in `simulators/examples/tour/`); served by a "
                 "running bench at `/_bench/examples/<service>/<name>`; kept in step with the bench by "
                 "`tests/docs`._", ""]
    for item in items:
        lines += [f"### `{item.service}/{item.name}` — {item.title}", ""]
        if item.note:
            lines += [f"_{item.note}_", ""]
        if item.operation == "transcript":
            lines += ["```text", item.request_body.rstrip(), "```", ""]
        elif item.protocol == "http":
            lines += ["```http", f"{item.method} {item.path}",
                      *[f"{k}: {v}" for k, v in item.request_headers.items()], "", pretty(item.request_body), "```",
                      "", "```http", f"HTTP {item.status}",
                      *[f"{k}: {v}" for k, v in item.response_headers.items()], "", pretty(item.response_body),
                      "```", "", "As curl (body in `request.body`):", "", "```sh", curl(item), "```", ""]
        else:
            lines += [f"{item.protocol.upper()} `{item.method}`, connection: "
                      + ", ".join(f"{k}={v}" for k, v in item.request_headers.items()), "",
                      "```text", item.request_body.rstrip() or "(no body journaled)", "```", "",
                      f"Reply: `{item.status}`", "", "```text", item.response_body.rstrip() or "(no body journaled)",
                      "```", ""]
        if item.checks:
            lines += ["Live checks of the bench on this exchange (what `socle-bench check` reports):", "",
                      *[f"- {c}" for c in item.checks], ""]
    return "\n".join(lines).replace("\r\n", "\n").replace("\r", "\n") + "\n"  # as the guide is read back


def pretty(body: str) -> str:
    """XML and JSON indented (a shortened or multipart body is shown as recorded)."""
    text = body.strip()
    try:
        if text.startswith("<"):
            element = parse_xml(text.encode("utf-8"))
            etree.indent(element, space="  ")
            return etree.tostring(element, encoding="unicode")
        if text.startswith(("{", "[")):
            return json.dumps(json.loads(text), ensure_ascii=False, indent=2)
    except Exception:  # noqa: BLE001, S110 - not parseable as recorded (shortened, multipart): shown raw
        pass
    return body.rstrip()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m simulators.examples", description=__doc__)
    parser.add_argument("--out", type=Path, default=PACKAGE_DATA)
    parser.add_argument("--docs", type=Path, default=DOCS)
    args = parser.parse_args(argv)
    record(args.out, args.docs)
    return 0


if __name__ == "__main__":
    sys.exit(main())
