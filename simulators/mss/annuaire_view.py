"""Deprecated path, kept for one release: use `simulators.annuaire.admin` (the Annuaire Santé's own
dashboard view)."""

from simulators.annuaire.admin import NOTE_FR, annuaire_blueprint, annuaire_document

__all__ = ["NOTE_FR", "annuaire_blueprint", "annuaire_document"]
