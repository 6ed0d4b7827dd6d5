"""The CNAM qualification-environment persons of insi.md §5, as world persons.

They are kept exactly as observed (traits, matricule, recorded key, history), including the flawed
ones: HERMANN carries the keys ``60``/``10`` of CNDA file TEST_2.08_cas2 although the mod-97 rule
gives 76/26, and is flagged ``invalid_key``. Persons the sources only know by their traits (the DE
VINCI LEONARDO homonyms, the fault persons) get fixed synthetic matricules, never seed-dependent, so
the INSi fixtures of every test run agree.
"""

from __future__ import annotations

from simulators.identities.ins import OID_INS_NIA, STATUS_RETRIEVED, InsMatricule, patient_mss_address
from simulators.identities.model import InsiBehaviour, InsiProbe, Person
from simulators.identities.nir import generate_nir, nir_key
from simulators.identities.traits import display_given_name

LIVE = "insi.md §5, réponse observée en qualification (padoa/tlsi-ins)"


def _person(
    pid: str, name: str, given: str, sex: str, date: str, place: str, nir13: str | None,
    oid: str, *, key: str | None = None, history: tuple[InsMatricule, ...] = (),
    behaviour: InsiBehaviour = InsiBehaviour(source=LIVE), tags: tuple[str, ...] = (),  # noqa: B008 - frozen dataclass: one shared immutable default
    story: str = "",
) -> Person:
    kind = "NIA" if oid == OID_INS_NIA else "NIR"
    ins = InsMatricule(nir13, key or nir_key(nir13), oid, type_matricule=kind) if nir13 else None
    usable = ins is not None and not ins.is_nia and ins.key_valid
    given_names = tuple(given.split(" "))
    return Person(
        id=pid, birth_name=name, given_names=given_names, sex=sex, birth_date=date,
        birth_place=place, display_first_name=display_given_name(given_names[0]),
        display_last_name=name, used_name="", ins=ins, ins_history=history,
        identity_status=STATUS_RETRIEVED,
        mes_address=patient_mss_address(ins.value) if ins and usable else "",
        tags=("cnam-test", *tags), insi=behaviour, story=story,
    )


def cnam_test_persons(nir_oid: str) -> tuple[Person, ...]:
    """The §5 persons; ``nir_oid`` is what INSi returns for their NIRs (``.8`` in qualification)."""
    hermann_history = (
        InsMatricule("1810363220456", "60", nir_oid),
        InsMatricule("2810363220456", "10", nir_oid),
    )
    return (
        _person("cnam-adrtrois-dominique", "ADRTROIS", "DOMINIQUE", "F", "1997-02-26", "2A020",
                "297022A020778", nir_oid, tags=("corse",)),
        _person("cnam-adrtrois-toussaint", "ADRTROIS", "TOUSSAINT", "M", "1960-01-01", "2B020",
                "160012B020777", nir_oid, tags=("corse",)),
        _person("cnam-tchitchi-catarina", "TCHITCHI", "CATARINA BELLA", "F", "1936-06-21", "63220",
                "2360663220836", nir_oid, story="Requête avec OLA : 01 (prénom hors liste)"),
        _person("cnam-ecetinsi-pierre-alain", "ECETINSI", "PIERRE-ALAIN MURIEL FLORIANT", "M",
                "2009-07-14", "63220", "1090763220834", nir_oid,
                history=(InsMatricule("2090763220834", "39", nir_oid, date_deb="2019-03-01",
                                      date_fin="2019-02-28"),)),
        _person("cnam-adrun-zoe", "ADRUN", "ZOE", "F", "1975-12-31", "63220", "2751263220749",
                nir_oid, behaviour=InsiBehaviour(production_cr="01", source=LIVE),
                story="00 en qualification, 01 en production"),
        _person("cnam-nessi-michelangelo", "NESSI", "MICHELANGELO ANTHONY", "M", "2010-08-07",
                "63220", "1100863220830", nir_oid,
                behaviour=InsiBehaviour(source="insi.md §5, mode virtuel padoa")),
        _person("cnam-provisoire-matricule", "PROVISOIRE", "MATRICULE", "M", "2009-07-01", "63220",
                "1090763220888", OID_INS_NIA, tags=("nia",),
                behaviour=InsiBehaviour(source="insi.md §5, fichier CNDA TEST_2.05"),
                story="NIA : même forme qu'un NIR, seul l'OID .9 le distingue"),
        _person("cnam-corse-anthony", "CORSE", "ANTHONY", "M", "1980-03-02", "2B020",
                "180032B020401", nir_oid, tags=("corse",),
                history=(InsMatricule("180032B020401", "23", nir_oid),),
                behaviour=InsiBehaviour(source="insi.md §5, fichier CNDA TEST_2.08_cas1")),
        _person("cnam-hermann-gatien", "HERMANN", "GATIEN", "M", "1981-03-24", "63220",
                "1810363220456", nir_oid, key="60", history=hermann_history, tags=("cle-invalide",),
                behaviour=InsiBehaviour(invalid_key=True,
                                        source="insi.md §5, fichier CNDA TEST_2.08_cas2"),
                story="Clés 60/10 enregistrées alors que le calcul donne 76/26 : cas de clé invalide"),
        _person("cnam-de-vinci-leonardo-1", "DE VINCI", "LEONARDO PIERO", "M", "2014-02-01",
                "63220", generate_nir("M", "2014-02-01", "63220", 501), nir_oid,
                tags=("homonyme",), behaviour=InsiBehaviour(expected_cr="02", source=LIVE),
                story="Homonyme : DE VINCI LEONARDO seul donne 02 ; le 2e prénom ou le COG départage"),
        _person("cnam-de-vinci-leonardo-2", "DE VINCI", "LEONARDO ANDREA", "M", "2014-02-01",
                "75114", generate_nir("M", "2014-02-01", "75114", 502), nir_oid,
                tags=("homonyme",), behaviour=InsiBehaviour(expected_cr="02", source=LIVE),
                story="Homonyme : DE VINCI LEONARDO seul donne 02 ; le 2e prénom ou le COG départage"),
        _person("cnam-daeion-coeur", "D'AEION", "COEUR", "M", "1987-01-25", "63220", None, nir_oid,
                tags=("panne",), behaviour=InsiBehaviour(fault="insi_102", source=LIVE),
                story="Erreur technique siram_40 / insi_102 observée en 2023"),
        _person("cnam-de-vinci-ruth", "DE VINCI", "RUTH", "F", "1976-07-14", "63220", None, nir_oid,
                tags=("panne",), behaviour=InsiBehaviour(fault="insi_102", source=LIVE),
                story="Erreur technique siram_40 / insi_102 observée en 2023"),
        _person("cnam-adrdeux-laurent", "ADRDEUX", "LAURENT", "M", "1981-01-01", "75056",
                "1810163220751", nir_oid, tags=("lieu-incoherent",),
                behaviour=InsiBehaviour(source="insi.md §5, test d'analyse Dart (clé 42 erronée)"),
                story="L'exemple Dart porte la clé 42 (la clé correcte 40 est enregistrée ici) et le "
                      "COG 75056 alors que le NIR code 63220 : gardé tel qu'observé"),
        _person("bench-lunaire-amina", "LUNAIRE", "AMINA", "F", "1958-00-00", "99350",
                generate_nir("F", "1958-00-00", "99350", 87), nir_oid, tags=("date-lunaire",),
                behaviour=InsiBehaviour(source="banc : date de naissance incomplète (00)"),
                story="Née au Maroc, jour et mois inconnus : date 1958-00-00"),
        _person("bench-lunaire-omar", "LUNAIRE", "OMAR KARIM", "M", "1962-03-00", "99352",
                generate_nir("M", "1962-03-00", "99352", 143), nir_oid, tags=("date-lunaire",),
                behaviour=InsiBehaviour(source="banc : date de naissance incomplète (00)"),
                story="Né en Algérie, jour inconnu : date 1962-03-00"),
    )


def insi_probes() -> tuple[InsiProbe, ...]:
    """Queries with a documented outcome that no single person of the base explains."""
    houilles = "CNDA : cas multi-prénoms, 01 pour chaque requête"
    return (
        InsiProbe("TCHITCHI", ("OLA",), "F", "1936-06-21", "01", note="prénom absent de la liste"),
        InsiProbe("DE VINCI", ("LEONARDO",), "M", "2014-02-01", "02", note="homonymes"),
        InsiProbe("DE VINCI", ("LEONARDODINO",), "M", "2004-02-01", "01",
                  note="attendu 01 (cas cassé en qualification en 2026)"),
        InsiProbe("HOUILLES", ("PIERRE",), "M", "1993-01-27", "01", note=houilles),
        InsiProbe("HOUILLES", ("PAUL",), "M", "1993-01-27", "01", note=houilles),
        InsiProbe("HOUILLES", ("JACQUES",), "M", "1993-01-27", "01", note=houilles),
        InsiProbe("HOUILLES", ("PIERRE PAUL JACQUES",), "M", "1993-01-27", "01", note=houilles),
        InsiProbe("PATB-QUATRE", ("LAURENCE",), "F", "1907-05-25", "01",
                  note="exemple de requête ; réponse inconnue, 01 supposé (non confirmé)"),
    )
