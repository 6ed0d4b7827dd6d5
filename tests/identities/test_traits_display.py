"""Display forms rebuilt from INS traits."""

from simulators.identities.traits import display_given_name
from simulators.identities.world import build_world


def test_compound_given_names_keep_each_capital() -> None:
    assert display_given_name("PIERRE-ALAIN") == "Pierre-Alain"
    assert display_given_name("MARIE ANNE") == "Marie Anne"
    assert display_given_name("JEAN'LOUIS") == "Jean'Louis"


def test_no_display_name_of_the_world_is_wrongly_capitalised() -> None:
    world = build_world(20261122)
    for person in world.persons:
        for part in person.display_first_name.replace("'", "-").replace(" ", "-").split("-"):
            assert not part or part[0].isupper(), f"{person.id}: {person.display_first_name!r}"
