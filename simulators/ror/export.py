"""`$export` as the ROR runs it (ror.md §1.11): kick-off answers 202 with `Content-Location` to
`$export-poll-status?_jobId=…`; polling answers 202 until the job is "done" (after
`export_delay_s`), then a manifest whose `output[].url` are JSON files (`application/fhir+json`,
one Bundle of type collection per resource type; ndjson is not offered, as in the ROR).
Jobs live in memory for an hour; the extract is computed at kick-off, so it is a consistent snapshot.
"""

from __future__ import annotations

import threading
import time
import uuid
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import parse_qsl, quote

from simulators.fhir.dates import instant
from simulators.ror.codec import SearchError, parse_search

ACCEPTED_FORMATS = {"", "application/fhir+json", "application/json"}
JOB_TTL_S = 3600.0


@dataclass
class ExportJob:
    id: str
    session: str
    client_id: str
    request_url: str
    created: float
    files: dict[str, list[dict[str, Any]]] = field(default_factory=dict)


def parse_kickoff(args: dict[str, str]) -> tuple[list[str], str, bool]:
    """(types, HealthcareService search query from `_typeFilter` and `_since`, complete extract)."""
    allowed = {"_type", "_typeFilter", "includeAssociatedData", "_outputFormat", "_since"}
    unknown = sorted(set(args) - allowed)
    if unknown:
        raise SearchError(f"$export : paramètre inconnu {unknown[0]!r}")
    output_format = args.get("_outputFormat", "")
    if output_format not in ACCEPTED_FORMATS:
        raise SearchError(f"$export : _outputFormat {output_format!r} non pris en charge "
                          "(application/fhir+json uniquement, pas de ndjson)")
    types = [t for t in args.get("_type", "HealthcareService").split(",") if t]
    if types != ["HealthcareService"]:
        raise SearchError("$export : seul _type=HealthcareService est pris en charge (comme le ROR)")
    type_filter = args.get("_typeFilter", "")
    query = ""
    if type_filter:
        rtype, _, query = type_filter.partition("?")
        if rtype != "HealthcareService":
            raise SearchError("$export : _typeFilter doit porter sur HealthcareService")
        parse_search(parse_qsl(query, keep_blank_values=True))  # syntax check now, not at poll time
    since = args.get("_since", "")
    if since:
        query = "&".join(q for q in (query, f"_lastUpdated=ge{quote(since)}") if q)
        parse_search(parse_qsl(query, keep_blank_values=True))
    complete = args.get("includeAssociatedData", "") == "_myCompleteExtract"
    return types, query, complete


class ExportJobs:
    def __init__(self, delay_s: float) -> None:
        self.delay_s = delay_s
        self._jobs: dict[str, ExportJob] = {}
        self._lock = threading.Lock()

    def start(self, session: str, client_id: str, request_url: str,
              files: dict[str, list[dict[str, Any]]]) -> ExportJob:
        job = ExportJob(uuid.uuid4().hex, session, client_id, request_url, time.time(), files)
        with self._lock:
            now = time.time()
            for jid in [j for j, x in self._jobs.items() if now - x.created > JOB_TTL_S]:
                del self._jobs[jid]
            self._jobs[job.id] = job
        return job

    def get(self, session: str, job_id: str) -> ExportJob | None:
        job = self._jobs.get(job_id)
        return job if job is not None and job.session == session else None

    def ready(self, job: ExportJob) -> bool:
        return time.time() - job.created >= self.delay_s

    def manifest(self, job: ExportJob, base_url: str) -> dict[str, Any]:
        return {"transactionTime": instant(job.created), "request": job.request_url, "requiresAccessToken": True,
                "output": [{"type": rtype, "url": f"{base_url}/$export-file?_jobId={job.id}&_type={rtype}",
                            "count": len(items)} for rtype, items in job.files.items() if items],
                "error": []}

    def drop_session(self, session: str) -> None:
        with self._lock:
            for jid in [j for j, x in self._jobs.items() if x.session == session]:
                del self._jobs[jid]
