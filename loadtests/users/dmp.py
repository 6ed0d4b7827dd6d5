"""DMP load user: feeding (ITI-41, MTOM, signed submission set), searching (ITI-18 FindDocuments) and
retrieving (ITI-43) documents with the reference DMP connector, as the child's physician does.

The author/patient pairs are those of the DMP seed (the author has access to the patient's DMP);
the DUI's AUTH_CLI and SIGN certificates for the author's structure are issued in the bench's own
test PKI on first use, as `socle-bench pki issue` would.
"""

from __future__ import annotations

from typing import Any

from locust import task

from conformance.drivers.base import Document

from ..clients import DEFAULT_REPOSITORY_UID, DMP_WRITERS, dmp_identity, dmp_spec
from .base import BenchUser, Measure
from simulators.dmp.client import DmpClient


class DmpUser(BenchUser):
    abstract = True

    def on_start(self) -> None:
        self.world = self.target.world()
        self.pro_id, self.patient_id, self.kind = self.rng.choice(DMP_WRITERS)
        self.patient = self.world.person(self.patient_id)
        self.seen: list[Any] = []
        if self.dui is not None:
            return  # the DUI calls the DMP itself
        pki = self.target.pki()  # the VIHF is signed with the structure's SIGN certificate, TLS or not
        key = f"dmp-identity-{self.pro_id}"
        if key not in self.target.cache:
            self.target.cache[key] = dmp_identity(pki, self.world, self.pro_id)
        self.dmp = DmpClient(self.target.url("dmp", session=False), self.target.cache[key],
                             verify=str(pki.trust_path), session=self.target.session)

    @task(1)
    def feed(self) -> None:
        # the CDA and the signed submission set are the DUI's own work: built before timing
        submission = self.dmp.prepare([(dmp_spec(self.dmp.identity, self.patient, self.kind), ())]) \
            if self.dui is None else None

        def direct(m: Measure) -> None:
            assert submission is not None, "prepared above when no DUI drives the run"
            result = self.dmp.provide_and_register(submission)
            m.length = sum(len(d) for d in result.submission.documents.values())
            if not result.ok:
                m.fail(f"ITI-41 : {'; '.join(f'{e.code} {e.context}' for e in result.errors)}")
        self.act("SOAP", "DMP ITI-41 alimenter", direct, lambda dui: dui.feed_dmp(self.actor(), self.patient, Document(
            kind=self.kind, title="Bilan de santé (charge)", content=b"%PDF-1.4\n% document synthetique\n")))

    @task(3)
    def search(self) -> None:
        p = self.patient

        def direct(m: Measure) -> None:
            found = self.dmp.find_documents(p.ins.value, p.ins.oid)
            if found.errors:
                m.fail(f"ITI-18 : {[e.code for e in found.errors]}")
            self.seen = found.entries or self.seen
            m.length = len(found.entries)
        self.act("SOAP", "DMP ITI-18 rechercher", direct, lambda dui: dui.consult_dmp(self.actor(), p))

    @task(2)
    def retrieve(self) -> None:
        if self.dui is not None:
            return  # consult_dmp (the search task) covers what the DUI shows of the DMP
        if not self.seen:
            return self.search()
        entry = self.rng.choice(self.seen)
        p = self.patient

        def direct(m: Measure) -> None:
            docs, errors = self.dmp.retrieve(p.ins.value, p.ins.oid, [entry.unique_id],
                                             repository_uid=entry.repository_uid or DEFAULT_REPOSITORY_UID)
            if errors:
                m.fail(f"ITI-43 : {[e.code for e in errors]}")
            m.length = sum(len(getattr(d, "data", b"") or b"") for d in docs)
        self.act("SOAP", "DMP ITI-43 consulter", direct)

    def actor(self) -> Any:
        return self.world.professional(self.pro_id)
