"""Evidence bundle and requirement texts for the page, from the conformance package.

The dashboard judges nothing itself: it hands the session's exchanges to the same report builder
and bundle writer as `socle-bench check --bundle`, so the zip downloaded from the page is the one
a vendor would get from CI for the same exchanges and the same checks.
"""

from __future__ import annotations

import io
import threading
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from simulators.core.errors import BenchError
from simulators.core.journal import Journal

if TYPE_CHECKING:
    from conformance.registry import CheckRegistry
    from conformance.requirements import Catalogue

# The conformance engine is imported when the page first needs it (a requirement text, a bundle), not
# when the dashboard is built: `serve` answers without waiting for the whole check registry.
RegistryFactory = Callable[[], "CheckRegistry"]


def _shipped_registry() -> CheckRegistry:
    from conformance.registry import default_registry  # lazy: see above

    return default_registry()


class EmptySessionError(BenchError, LookupError):
    """No exchange to judge; a bundle of nothing would prove nothing."""


class Evidence:
    def __init__(self, registry_factory: RegistryFactory | None = None) -> None:
        self._registry_factory = registry_factory or _shipped_registry
        self._lock = threading.Lock()
        self._catalogue: Catalogue | None = None
        self._registry: CheckRegistry | None = None

    def _load(self) -> tuple[CheckRegistry, Catalogue]:
        with self._lock:
            if self._registry is None or self._catalogue is None:
                from conformance.requirements import load_catalogue  # lazy: see above

                self._registry = self._registry_factory()
                self._catalogue = load_catalogue().merged(self._registry.requirements)
            return self._registry, self._catalogue

    def requirements(self) -> dict[str, Any]:
        _, catalogue = self._load()
        return {"version": catalogue.version,
                "requirements": {r.id: {"service": r.service, "level": r.level, "text": r.text,
                                        "source": r.source} for r in catalogue}}

    def requirement(self, requirement_id: str) -> dict[str, str]:
        _, catalogue = self._load()
        found = catalogue.get(requirement_id)
        if found is None:
            return {"id": requirement_id, "level": "", "text": "exigence absente du catalogue", "source": ""}
        return {"id": found.id, "level": found.level, "text": found.text, "source": found.source}

    def bundle(self, journal: Journal, session: str, *, source: str) -> tuple[bytes, dict[str, Any]]:
        """The zip bytes and its manifest."""
        exchanges = list(journal.iter_session(session))
        if not exchanges:
            raise EmptySessionError(f"aucun échange dans la session {session!r} : rien à exporter")
        from conformance.bundle import write_bundle  # lazy: see above
        from conformance.evaluate import build_report  # lazy: see above

        registry, catalogue = self._load()
        report = build_report(session=session, exchanges=exchanges, registry=registry, catalogue=catalogue,
                              source=source)
        buffer = io.BytesIO()
        manifest = write_bundle(buffer, report, catalogue)  # type: ignore[arg-type]  # zipfile takes a file
        return buffer.getvalue(), manifest
