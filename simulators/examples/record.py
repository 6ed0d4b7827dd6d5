"""Record the samples anew: a real `socle-bench serve`, the reference DUI playing the journeys, the journal read
back through the admin API. Only public interfaces are used (CLI, admin API), like a vendor would.

    python -m simulators.examples [--out DIR] [--docs DIR]
"""

from __future__ import annotations

import argparse
import base64
import json
import os
import re
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import requests

from simulators.core.config import DEFAULT_PORTS
from simulators.examples import Sample, curl

JOURNEYS = ("fanny", "elliot", "elise")
PACKAGE_DATA = Path(__file__).with_name("data")
DOCS = Path(__file__).resolve().parents[2] / "docs"
BODY_LIMIT = 6000  # characters kept of a body: head and tail around the cut
DROPPED_HEADERS = {"date", "content-length", "connection", "keep-alive", "server", "host", "user-agent",
                   "accept-encoding", "x-request-id", "etag", "last-modified"}
SECRET_HEADERS = {"authorization": "Bearer <jeton>", "esante-api-key": "<clé d'API>", "cookie": "<cookie>"}
GUIDES = {"ins": "insi", "dmp": "dmp", "mss": "mssante", "annuaire": "annuaire", "psc": "psc", "ror": "ror"}


def record(out: Path = PACKAGE_DATA, docs: Path | None = DOCS, *, log: Any = sys.stderr) -> list[Sample]:
    with tempfile.TemporaryDirectory(prefix="socle-examples-") as tmp:
        work = Path(tmp)
        proc, admin = _serve(work)
        try:
            for journey in JOURNEYS:
                _play(journey, admin, work)
            exchanges = [e for journey in JOURNEYS for e in _exchanges(admin, f"exemples-{journey}")]
        finally:
            proc.send_signal(signal.SIGINT)
            proc.communicate(timeout=30)
    chosen = choose(exchanges)
    if out.exists():
        for old in out.glob("*/*.json"):
            old.unlink()
    for item in chosen:
        target = out / item.service / f"{item.name}.json"
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(json.dumps(item.as_json(), ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
    if docs is not None:
        write_guides(chosen, docs)
    print(f"{len(chosen)} samples from {len(exchanges)} exchanges -> {out}", file=log)
    return chosen


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
        if match:
            return proc, match.group(1)
    proc.kill()
    raise RuntimeError("the bench did not start:\n" + "".join(lines))


def _play(journey: str, admin: str, work: Path) -> None:
    proc = subprocess.run([sys.executable, "-m", "simulators.cli", "play", journey, "--bench-url", admin,
                           "--bench-pki", str(work / "data" / "pki"), "--session", f"exemples-{journey}"],
                          capture_output=True, text=True, timeout=600, cwd=work)
    if proc.returncode != 0:
        raise RuntimeError(f"play {journey} failed:\n{proc.stdout[-3000:]}\n{proc.stderr[-3000:]}")


def _exchanges(admin: str, session: str) -> list[dict[str, Any]]:
    answer = requests.get(f"{admin}/_bench/exchanges", params={"session": session, "bodies": "1", "limit": 1000},
                          timeout=30)
    answer.raise_for_status()
    return answer.json()["exchanges"]


def choose(exchanges: list[dict[str, Any]]) -> list[Sample]:
    """The first exchange of each (service, operation, outcome), in journey order."""
    seen: dict[tuple[str, str, str], Sample] = {}
    for ex in exchanges:
        outcome = "refus" if _refused(ex) else "ok"
        key = (ex["service"], ex["operation"] or "requete", outcome)
        if key not in seen:
            seen[key] = to_sample(ex, outcome)
    return list(seen.values())


def _refused(ex: dict[str, Any]) -> bool:
    status = int(ex.get("status") or 0)
    return status >= 400 or (ex.get("protocol") in ("smtp",) and status >= 400) or bool((ex.get("summary") or {}).get("fault"))


def to_sample(ex: dict[str, Any], outcome: str) -> Sample:
    operation = ex["operation"] or "requete"
    name = re.sub(r"[^a-z0-9._-]+", "-", operation.lower()).strip("-")[:60] or "requete"
    if outcome != "ok":
        name += "-refus"
    title = f"{operation} ({'refusé' if outcome != 'ok' else 'accepté'}, {ex.get('status')})"
    return Sample(service=ex["service"], name=name, title=title, protocol=ex.get("protocol", "http"),
                  operation=operation, method=ex.get("method", ""), path=_path(ex.get("path", "")),
                  request_headers=_headers(ex.get("request_headers") or {}), request_body=_body(ex, "request"),
                  status=int(ex.get("status") or 0), response_headers=_headers(ex.get("response_headers") or {}),
                  response_body=_body(ex, "response"))


def _path(path: str) -> str:
    return re.sub(r"^/s/exemples-[a-z]+", "/s/<session>", path)


def _headers(headers: dict[str, str]) -> dict[str, str]:
    kept = {}
    for name, value in headers.items():
        low = name.lower()
        if low in DROPPED_HEADERS:
            continue
        kept[name] = SECRET_HEADERS.get(low, value)
    return kept


def _body(ex: dict[str, Any], part: str) -> str:
    raw = ex.get(f"{part}_body_b64") or ex.get(f"{part}_body") or ""
    try:
        data = base64.b64decode(raw) if isinstance(raw, str) else bytes(raw)
    except ValueError:
        data = str(raw).encode()
    text = data.decode("utf-8", errors="replace")
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
    lines = ["", "_Generated by `python -m simulators.examples` from the reference DUI playing the journeys; "
                 "served by the admin API at `/_bench/examples/<service>/<name>`; checked by tests/docs._", ""]
    for item in items:
        lines += [f"### `{item.service}/{item.name}` — {item.title}", ""]
        if item.protocol == "http":
            lines += ["```http", f"{item.method} {item.path}",
                      *[f"{k}: {v}" for k, v in item.request_headers.items()], "", item.request_body.rstrip(), "```",
                      "", "```http", f"HTTP {item.status}",
                      *[f"{k}: {v}" for k, v in item.response_headers.items()], "", item.response_body.rstrip(),
                      "```", "", "As curl (body in `request.body`):", "", "```sh", curl(item), "```", ""]
        else:
            lines += [f"```text", item.request_body.rstrip(), "```", "", f"Reply: `{item.status}`", "",
                      "```text", item.response_body.rstrip(), "```", ""]
    return "\n".join(lines) + "\n"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m simulators.examples", description=__doc__)
    parser.add_argument("--out", type=Path, default=PACKAGE_DATA)
    parser.add_argument("--docs", type=Path, default=DOCS)
    args = parser.parse_args(argv)
    record(args.out, args.docs)
    return 0


if __name__ == "__main__":
    sys.exit(main())
