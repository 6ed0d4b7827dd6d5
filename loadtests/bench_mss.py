"""MSSanté benchmark: messages/s accepted and delivered (50 KB IHE_XDM attachment) and IMAP fetch
latency, side by side with MailDev receiving the same messages in the same run.

The bench runs in its own (spawned) process, as under `serve`. Each sender thread keeps one SMTP
connection (STARTTLS + XOAUTH2 once, then one transaction per message, as a DUI's queue would);
"delivered" is when the recipient's IMAP INBOX shows every message (EXISTS), polled with NOOP.
IMAP fetch latency is UID FETCH BODY[] of random messages on one connection. MailDev (npm,
installed into loadtests/.cache on first use) gets the very same bytes over plain SMTP without
authentication (it has neither STARTTLS+XOAUTH2 nor IMAP): its "delivered" is its REST list showing
them all and its fetch is GET /email/<id>/source. Read the ratios with that difference in mind.

    python -m loadtests.bench_mss [--messages 400] [--threads 4]
"""

from __future__ import annotations

import argparse
import json
import random
import shutil
import smtplib
import socket
import statistics
import subprocess
import tempfile
import threading
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from loadtests.production import production_bench, rss_mb, runtime_facts
from loadtests.common import percentile, spawned_server
from urllib.parse import urlparse
from simulators.core.config import load_config
from simulators.core.journal import ExchangeQuery
from simulators.core.pki import Pki
from simulators.core.pki.testing import make_test_pki
from simulators.core.tls import client_context
from simulators.identities.world import build_world
from simulators.mss.client import build_patient_xdm, compose, get_token, MailClient, Patient, wire_bytes, xdm_subject
from simulators.mss.factory import SERVICE as MSS

CACHE = Path(__file__).resolve().parent / ".cache"
MAILDEV_BIN = CACHE / "node_modules" / "maildev" / "bin" / "maildev"
SESSION = "bench"
XDM_TARGET_BYTES = 50 * 1024
SENDER_ID, RECIPIENT_ID = "aemo-educateur", "crip-93"


def _serve(work_dir: str, conn: Any) -> None:  # pragma: no cover - child process

    pki = Pki.load(Path(work_dir) / "pki")
    config = load_config(None, data_dir=Path(work_dir) / "data", tls=True).ephemeral()
    with production_bench(config, [MSS], pki=pki) as bench:
        conn.send({"urls": {name: bench.url(name) for name in ("smtp", "imap", "psc")}, "seed": config.seed})
        conn.recv()  # the sending starts (connections, STARTTLS and AUTH included)
        cpu0 = time.process_time()
        conn.recv()  # every message is delivered
        send_cpu = time.process_time() - cpu0
        conn.recv()  # the run is over
        flushed = bench.runtime.journal.flush(60)
        conn.send({"journal_count": bench.runtime.journal.count(SESSION), "journal_flushed": flushed,
                   "xdm_analysed": _xdm_analysed(bench.runtime.journal), "facts": runtime_facts(bench),
                   "server_cpu_s": round(send_cpu, 3), **rss_mb()})


def _xdm_analysed(journal: Any) -> int:
    """Journaled SMTP submissions whose IHE_XDM.zip the operator parsed and checked (summary "xdm")."""
    page = journal.query(ExchangeQuery(session=SESSION, limit=10_000), bodies=False)
    return sum(1 for e in page if e.protocol == "smtp" and isinstance(e.summary.get("xdm"), dict))



def _ms(values: list[float], q: float) -> float:
    return round(percentile(values, q) * 1000, 2)


def build_message(seed: int, sender: str, recipient: str) -> bytes:
    """One realistic submission: X-MSS-* headers and a ~50 KB IHE_XDM.zip (incompressible CDA text)."""
    person = build_world(seed).person("elliot")
    patient = Patient(person.known_ins.value, person.known_ins.oid, person.birth_name, person.first_given_name,
                      person.birth_date, person.sex)
    rng = random.Random(seed)
    length, xdm = 60_000, b""
    for _ in range(5):  # converge the zip size on the target
        filler = "".join(rng.choice("abcdefghijklmnopqrstuvwxyz0123456789 ") for _ in range(length))
        xdm, _ = build_patient_xdm(patient, code="11488-4", label="Compte rendu", body_text=filler)
        if abs(len(xdm) - XDM_TARGET_BYTES) < 1024:
            break
        length = int(length * XDM_TARGET_BYTES / len(xdm))
    msg = compose(sender, "Bench_DUI_AEMO", [recipient], xdm_subject("Compte rendu", patient), "Compte rendu joint.",
                  xdm=xdm, cda_codes=["11488-4"], ins_qualified=True)
    return wire_bytes(msg)


def _send_all(connect: Callable[[], smtplib.SMTP], sender: str, recipient: str, message: bytes, count: int,
              threads: int) -> tuple[float, list[float], list[str]]:
    """`count` messages over `threads` persistent connections; (seconds, latencies, errors)."""
    latencies: list[float] = []
    errors: list[str] = []
    lock = threading.Lock()
    share = [count // threads + (1 if n < count % threads else 0) for n in range(threads)]
    barrier = threading.Barrier(threads + 1)

    def worker(n: int) -> None:
        try:
            client = connect()
        except Exception as exc:  # noqa: BLE001 - reported in the figures
            errors.append(f"connexion : {exc}")
            barrier.wait()
            return
        barrier.wait()
        for _ in range(share[n]):
            t0 = time.perf_counter()
            try:
                client.sendmail(sender, [recipient], message)
                with lock:
                    latencies.append(time.perf_counter() - t0)
            except smtplib.SMTPException as exc:
                errors.append(type(exc).__name__)
        client.quit()

    workers = [threading.Thread(target=worker, args=(n,)) for n in range(threads)]
    for w in workers:
        w.start()
    barrier.wait()
    started = time.perf_counter()
    for w in workers:
        w.join()
    return time.perf_counter() - started, latencies, errors


def _bench_operator(urls: dict[str, str], pki: Any, seed: int, count: int, threads: int, fetches: int,
                    message: bytes, sender: str, recipient: str, mark: Callable[[], None]) -> dict[str, Any]:
    psc = urls["psc"].split("/auth/")[0]
    verify = str(pki.root_path)
    tokens = {a: get_token(psc, a, session=SESSION, verify=verify).access_token for a in (sender, recipient)}
    mail = MailClient("127.0.0.1", int(urlparse(urls["smtp"]).port or 0), int(urlparse(urls["imap"]).port or 0),
                      client_context(pki))
    watcher = mail.imap(recipient, tokens[recipient])
    watcher.select("INBOX")
    mark()
    started, cpu0 = time.perf_counter(), time.process_time()
    seconds, latencies, errors = _send_all(lambda: mail.smtp(sender, tokens[sender]), sender, recipient, message,
                                           count, threads)
    exists = 0
    deadline = time.perf_counter() + 60
    while exists < len(latencies) and time.perf_counter() < deadline:
        watcher.noop()
        _typ, exists_data = watcher.select("INBOX", readonly=True)
        exists = int(exists_data[0] or 0)
    delivered_s = time.perf_counter() - started
    client_cpu_s = time.process_time() - cpu0  # the senders' smtplib + TLS, in this (GIL-bound) process
    mark()
    _typ, data = watcher.uid("SEARCH", "ALL")
    uids = (data[0] or b"").split()
    rng = random.Random(seed)
    fetch_latencies = []
    for _ in range(fetches if uids else 0):
        t0 = time.perf_counter()
        watcher.uid("FETCH", rng.choice(uids).decode(), "(BODY.PEEK[])")
        fetch_latencies.append(time.perf_counter() - t0)
    watcher.logout()
    return {"sent": len(latencies), "errors": len(errors), "error_kinds": sorted(set(errors))[:5],
            "accepted_per_s": round(len(latencies) / seconds, 1) if seconds else 0.0,
            "delivered": exists, "delivered_per_s": round(exists / delivered_s, 1) if delivered_s else 0.0,
            "smtp_p50_ms": _ms(latencies, 0.5), "smtp_p99_ms": _ms(latencies, 0.99),
            "fetch_p50_ms": _ms(fetch_latencies, 0.5), "fetch_p99_ms": _ms(fetch_latencies, 0.99),
            "fetch_mean_ms": round(statistics.fmean(fetch_latencies) * 1000, 2) if fetch_latencies else 0.0,
            "client_cpu_ms_per_message": round(client_cpu_s * 1000 / max(exists, 1), 2)}


# --- MailDev ---------------------------------------------------------------------------------------
def ensure_maildev() -> tuple[Path | None, str]:
    """The MailDev entry point, installing it with npm into loadtests/.cache when missing."""
    if MAILDEV_BIN.exists():
        return MAILDEV_BIN, ""
    npm, node = shutil.which("npm"), shutil.which("node")
    if not npm or not node:
        return None, "MailDev skipped: npm or node not found on this machine"
    CACHE.mkdir(parents=True, exist_ok=True)
    done = subprocess.run([npm, "install", "--prefix", str(CACHE), "--no-audit", "--no-fund", "maildev@2"],
                          capture_output=True, text=True, timeout=300, check=False)
    if done.returncode != 0 or not MAILDEV_BIN.exists():
        return None, f"MailDev skipped: npm install maildev failed ({done.stderr.strip()[-200:]})"
    return MAILDEV_BIN, ""


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _bench_maildev(count: int, threads: int, fetches: int, message: bytes, sender: str, recipient: str,
                   seed: int) -> dict[str, Any]:
    import requests

    entry, reason = ensure_maildev()
    if entry is None:
        return {"skipped": reason}
    smtp_port, web_port = _free_port(), _free_port()
    with tempfile.TemporaryDirectory(prefix="maildev-") as store:
        process = subprocess.Popen([shutil.which("node") or "node", str(entry), "--smtp", str(smtp_port), "--web",
                                    str(web_port), "--ip", "127.0.0.1", "--mail-directory", store, "--silent"],
                                   stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        try:
            web = f"http://127.0.0.1:{web_port}"
            deadline = time.perf_counter() + 30
            while True:
                try:
                    requests.get(web + "/email", timeout=1)
                    break
                except requests.RequestException:
                    if time.perf_counter() > deadline or process.poll() is not None:
                        return {"skipped": "MailDev did not start within 30 s"}
                    time.sleep(0.2)

            def connect() -> smtplib.SMTP:
                client = smtplib.SMTP("127.0.0.1", smtp_port, timeout=30)
                client.ehlo("bench.test")
                return client
            started = time.perf_counter()
            seconds, latencies, errors = _send_all(connect, sender, recipient, message, count, threads)
            listed: list[dict[str, Any]] = []
            while len(listed) < len(latencies) and time.perf_counter() < started + 60:
                listed = requests.get(web + "/email", timeout=30).json()
            delivered_s = time.perf_counter() - started
            rng = random.Random(seed)
            fetch_latencies = []
            for _ in range(fetches if listed else 0):
                t0 = time.perf_counter()
                requests.get(f"{web}/email/{rng.choice(listed)['id']}/source", timeout=30)
                fetch_latencies.append(time.perf_counter() - t0)
        finally:
            process.terminate()
            try:
                process.wait(10)
            except subprocess.TimeoutExpired:
                process.kill()
    version = json.loads((entry.parent.parent / "package.json").read_text(encoding="utf-8")).get("version", "?")
    return {"version": version, "sent": len(latencies), "errors": len(errors),
            "accepted_per_s": round(len(latencies) / seconds, 1) if seconds else 0.0,
            "delivered": len(listed), "delivered_per_s": round(len(listed) / delivered_s, 1) if delivered_s else 0.0,
            "smtp_p50_ms": _ms(latencies, 0.5), "smtp_p99_ms": _ms(latencies, 0.99),
            "fetch_p50_ms": _ms(fetch_latencies, 0.5), "fetch_p99_ms": _ms(fetch_latencies, 0.99),
            "fetch_mean_ms": round(statistics.fmean(fetch_latencies) * 1000, 2) if fetch_latencies else 0.0}


def bench_mss(*, messages: int = 400, threads: int = 4, fetches: int = 200, maildev: bool = True) -> dict[str, Any]:
    """Run both sides; default run ~20-40 s depending on the machine."""
    with tempfile.TemporaryDirectory(prefix="bench-mss-") as work_dir:
        pki = make_test_pki(Path(work_dir) / "pki", key_type="ec-p256")
        with spawned_server(_serve, work_dir) as parent:
            if not parent.poll(60):
                raise RuntimeError("the MSSanté bench did not start within 60 s")
            info = parent.recv()
            world = build_world(info["seed"])
            sender = world.professional(SENDER_ID).mss_address
            recipient = world.establishment(RECIPIENT_ID).mss_org_address
            message = build_message(info["seed"], sender, recipient)
            operator = _bench_operator(info["urls"], pki, info["seed"], messages, threads, fetches, message,
                                       sender, recipient, lambda: parent.send("mark"))
            parent.send("stop")
            operator.update(parent.recv() if parent.poll(90) else {})
            if operator.get("server_cpu_s") and operator.get("delivered"):
                operator["server_cpu_ms_per_message"] = round(operator["server_cpu_s"] * 1000 / operator["delivered"], 2)
    other = _bench_maildev(messages, threads, fetches, message, sender, recipient, info["seed"]) if maildev \
        else {"skipped": "MailDev disabled (--no-maildev)"}
    return {"service": "mss", "messages": messages, "threads": threads, "message_bytes": len(message),
            "xdm_target_bytes": XDM_TARGET_BYTES, "operator": operator, "maildev": other}


def run(quick: bool = False) -> dict[str, Any]:
    """Entry point of `python -m loadtests.bench mss`."""
    return bench_mss(messages=60 if quick else 400, threads=4, fetches=30 if quick else 200)


def table(result: dict[str, Any]) -> list[tuple[str, str]]:
    op, md = result["operator"], result["maildev"]
    rows = [("message (bytes, XDM ~50 KB)", str(result["message_bytes"])),
            ("sent / threads", f"{result['messages']} / {result['threads']}")]
    labels = [("accepted/s", "accepted_per_s"), ("delivered/s", "delivered_per_s"), ("delivered", "delivered"),
              ("SMTP p50 ms", "smtp_p50_ms"), ("SMTP p99 ms", "smtp_p99_ms"), ("fetch p50 ms", "fetch_p50_ms"),
              ("fetch p99 ms", "fetch_p99_ms"), ("errors", "errors")]
    rows.append(("server CPU ms/message", str(op.get("server_cpu_ms_per_message", "-"))))
    rows.append(("bench client CPU ms/message", str(op.get("client_cpu_ms_per_message", "-"))))
    for label, key in labels:
        other = md.get(key, "-") if "skipped" not in md else "-"
        rows.append((label, f"socle-bench {op.get(key)}  |  MailDev {other}"))
    if "skipped" in md:
        rows.append(("MailDev", md["skipped"]))
    else:
        rows.append(("MailDev", f"v{md['version']}: plain SMTP without AUTH; fetch = GET /email/<id>/source"))
    rows.append(("socle-bench", f"STARTTLS + XOAUTH2, journal on, XDM checked on {op.get('xdm_analysed', '-')} "
                                f"messages; fetch = IMAP UID FETCH BODY[]"))
    return rows


def main() -> None:
    parser = argparse.ArgumentParser(description="MSSanté load benchmark (SMTP/IMAP) compared with MailDev")
    parser.add_argument("--messages", type=int, default=400)
    parser.add_argument("--threads", type=int, default=4)
    parser.add_argument("--fetches", type=int, default=200)
    parser.add_argument("--no-maildev", action="store_true")
    args = parser.parse_args()
    result = bench_mss(messages=args.messages, threads=args.threads, fetches=args.fetches,
                       maildev=not args.no_maildev)
    print(json.dumps(result, ensure_ascii=False, indent=2))
    for label, value in table(result):
        print(f"  {label:<30} {value}")


if __name__ == "__main__":
    main()
