"""``socle-bench data show NAME`` and ``socle-bench data export``: the world seen from a terminal.

``register(subparsers)`` adds the ``data`` command to the top-level parser the lead builds in
simulators/cli.py; each handler is set as ``func`` and returns an exit code.
"""

from __future__ import annotations

import argparse
import sys
from typing import Any

from simulators.identities.ins import INS_OIDS, OID_INS_NIA, OID_INS_NIR, OID_INS_NIR_DEMO, OID_INS_NIR_TEST
from simulators.identities.model import Establishment, Person, Professional
from simulators.identities.world import DEFAULT_SEED, World, build_world

# ins.INS_OIDS names the kinds in French for the verdicts; the terminal card says it in English
OID_KINDS = {OID_INS_NIR: "INS-NIR", OID_INS_NIA: "INS-NIA", OID_INS_NIR_TEST: "test INS-NIR",
             OID_INS_NIR_DEMO: "demonstration INS-NIR"}
# the referential's own names of the statuses, shown next to the code (French domain terms)
STATUS_LABELS = {"PROV": "provisoire", "VALI": "validée", "RECUP": "récupérée", "QUAL": "qualifiée"}


def register(subparsers: Any) -> argparse.ArgumentParser:
    """Add ``data show`` and ``data export`` to an argparse subparsers object."""
    data = subparsers.add_parser("data", help="shared synthetic data set (personas, world)")
    actions = data.add_subparsers(dest="data_command", metavar="{show,export}")
    actions.required = True

    show = actions.add_parser("show", help="show a persona, a professional or an establishment")
    show.add_argument("name", help="identifier (fanny, elise, crip-93, ...) or 'list'")
    _world_options(show)
    show.set_defaults(func=run_show)

    export = actions.add_parser("export", help="export the world (to load into a DUI)")
    export.add_argument("--format", choices=("json",), default="json")
    export.add_argument("--output", "-o", default="-", help="output file ('-': standard output)")
    _world_options(export)
    export.set_defaults(func=run_export)
    return data


def _world_options(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--seed", type=int, default=DEFAULT_SEED, help=f"seed (default {DEFAULT_SEED})")
    parser.add_argument("--persona-oid", default=OID_INS_NIR_TEST, choices=sorted(INS_OIDS),
                        help="OID of the personas' INS (default .10, test INS-NIR)")
    parser.add_argument("--cnam-oid", default=OID_INS_NIR, choices=sorted(INS_OIDS),
                        help="OID of the CNAM test persons (default .8, as the qualification INSi)")


def _world(args: argparse.Namespace) -> World:
    return build_world(args.seed, persona_oid=args.persona_oid, cnam_oid=args.cnam_oid)


def run_export(args: argparse.Namespace) -> int:
    text = _world(args).to_json()
    if args.output == "-":
        sys.stdout.write(text)
    else:
        with open(args.output, "w", encoding="utf-8", newline="\n") as handle:
            handle.write(text)
    return 0


def run_show(args: argparse.Namespace) -> int:
    world = _world(args)
    if args.name == "list":
        for persona in world.personas():
            print(f"{persona.id:12} {persona.display_first_name} {persona.display_last_name} — {persona.story}")
        return 0
    record = world.find(args.name)
    if record is None:
        print(f"unknown: {args.name!r} (try 'socle-bench data show list')", file=sys.stderr)
        return 2
    print("\n".join(describe(world, record)))
    return 0


def describe(world: World, record: Person | Professional | Establishment) -> list[str]:
    """Human-readable card for any world record: English labels, the world's own (French) values."""
    if isinstance(record, Person):
        return _person_card(world, record)
    if isinstance(record, Professional):
        return _professional_card(world, record)
    return _establishment_card(record)


def _person_card(world: World, p: Person) -> list[str]:
    lines = [f"{p.display_first_name} {p.display_last_name} ({p.id})", f"  {p.story}" if p.story else ""]
    lines += [
        f"  Birth name: {p.birth_name}" + (f" (used name {p.used_name})" if p.used_name else ""),
        f"  Given names (ListePrenom): {p.liste_prenom} — first given name: {p.first_given_name}",
        f"  Sex: {p.sex}   Born: {p.birth_date}   Birthplace (COG): {p.birth_place}",
    ]
    if p.ins:
        kind = OID_KINDS.get(p.ins.oid, p.ins.oid)
        validity = "" if p.ins.key_valid else "  (INVALID KEY)"
        lines.append(f"  INS: {p.ins.value} — OID {p.ins.oid} ({kind}){validity}")
    for old in p.ins_history:
        lines.append(f"  Previous INS: {old.value} ({old.date_deb or '?'} → {old.date_fin or '?'})")
    status = STATUS_LABELS.get(p.identity_status)
    lines.append(f"  Initial identity status: {p.identity_status}" + (f" ({status})" if status else ""))
    if p.address:
        lines.append(f"  Address: {p.address.line}, {p.address.postal_code} {p.address.city}")
    if p.mes_address:
        lines.append(f"  Mon espace santé: {p.mes_address}")
    for rel in p.relations:
        other = world.find(rel.person_id)
        name = rel.person_id
        if isinstance(other, Person):
            name = f"{other.display_first_name} {other.display_last_name}"
        authority = ", parental authority" if rel.parental_authority else ""
        lines.append(f"  {rel.kind}: {name} ({rel.person_id}{authority})")
    if p.legal_representatives:
        lines.append(f"  Legal representatives: {', '.join(p.legal_representatives)}")
    if p.insi.fault or p.insi.expected_cr != "00" or p.insi.invalid_key or p.insi.production_cr:
        lines.append(f"  INSi: expected CR {p.insi.expected_cr}, fault {p.insi.fault or '-'}, "
                     f"production {p.insi.production_cr or '-'}")
    return [line for line in lines if line]


def _professional_card(world: World, p: Professional) -> list[str]:
    place = world.find(p.establishment_id)
    lines = [f"{p.civility} {p.first_name} {p.last_name} ({p.id}) — {p.role}",
             f"  Profession: {p.profession_label} ({p.profession_code or '-'})"]
    if p.rpps:
        lines.append(f"  RPPS: {p.rpps}   National identifier: {p.idnps}")
    if isinstance(place, Establishment):
        lines.append(f"  Organisation: {place.name} ({place.id})")
    lines.append(f"  MSSanté: {p.mss_address or 'none (outside the trust space)'}")
    if p.email:
        lines.append(f"  Ordinary e-mail: {p.email}")
    return lines


def _establishment_card(e: Establishment) -> list[str]:
    lines = [f"{e.name} ({e.id}) — {e.kind}",
             f"  Address: {e.address.line}, {e.address.postal_code} {e.address.city} "
             f"({e.address.latitude}, {e.address.longitude})"]
    if e.finess_et:
        lines.append(f"  FINESS EJ: {e.finess_ej}   FINESS ET: {e.finess_et}   category {e.category_code}")
    lines.append(f"  National organisation identifier: {e.idnst}   SIRET: {e.siret}")
    if e.mss_org_address:
        lines.append(f"  Organisational mailbox (BAL): {e.mss_org_address}")
    lines.extend(f"  Offer \"{offer.name}\" (offer type {offer.offer_type or '-'}): "
                 f"ages {offer.age_min}-{offer.age_max}, "
                 f"{offer.capacity_available}/{offer.capacity_installed} places available" for offer in e.offers)
    return lines


def main(argv: list[str] | None = None) -> int:
    """Standalone entry point (``python -m simulators.identities.cli data show fanny``)."""
    parser = argparse.ArgumentParser(prog="socle-bench")
    register(parser.add_subparsers(dest="command"))
    args = parser.parse_args(argv)
    return int(args.func(args))


if __name__ == "__main__":
    raise SystemExit(main())
