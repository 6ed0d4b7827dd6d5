"""The professionals of each journey, with the profession codes the DMP/VIHF and the directory use.

Health professionals (TRE_G15: médecin 10, pharmacien 21, infirmier 60, ergothérapeute 94) get an
RPPS; psychologists too (they are registered in the RPPS since 2022-2023 — treat as
**UNCONFIRMED** for the exact date) with the TRE_R95 title code 93 that dmp.md gives. Social
professions (TRE_R94) and administrative staff (TRE_R85 312 "Autre professionnel") have no RPPS:
their MSSanté personal boxes are carried by their structure. The judge has no MSSanté box at all:
only an ordinary e-mail on the judiciary domain, outside the trust space.
"""

from __future__ import annotations

from dataclasses import dataclass

G15 = "1.2.250.1.71.1.2.7"  # TRE_G15 professions (RPPS)
R94 = "1.2.250.1.213.1.6.1.4"  # TRE_R94 social professions
R95 = "1.2.250.1.213.1.6.1.109"  # TRE_R95 titles (psychologue 93)
R85 = "1.2.250.1.213.1.6.1.107"  # TRE_R85 roles (312 autre professionnel)

PROFESSIONS: dict[str, tuple[str, str, str, bool]] = {
    # key: (code, system OID, label, registered in the RPPS)
    "medecin": ("10", G15, "Médecin", True),
    "pharmacien": ("21", G15, "Pharmacien", True),
    "infirmier": ("60", G15, "Infirmier", True),
    "ergotherapeute": ("94", G15, "Ergothérapeute", True),
    "psychologue": ("93", R95, "Psychologue", True),
    "orthophoniste": ("91", G15, "Orthophoniste", True),
    "psychomotricien": ("96", G15, "Psychomotricien", True),
    "assistant-social": ("41", R94, "Assistant de service social", False),
    "cesf": ("44", R94, "Conseiller en économie sociale et familiale", False),
    "educateur-specialise": ("51", R94, "Educateur spécialisé", False),
    "autre": ("312", R85, "Autre professionnel", False),
    "magistrat": ("", "", "Magistrat (hors santé)", False),
}


@dataclass(frozen=True)
class ProfessionalSpec:
    id: str
    civility: str
    first_name: str
    last_name: str
    role: str  # French, as the journeys name it
    profession: str  # key of PROFESSIONS
    establishment_id: str
    journeys: tuple[str, ...]
    specialty: str = ""  # savoir-faire code (TRE_R01), e.g. SM54 médecine générale


def _p(pid: str, civ: str, first: str, last: str, role: str, prof: str, est: str,
       *journeys: str, specialty: str = "") -> ProfessionalSpec:
    return ProfessionalSpec(pid, civ, first, last, role, prof, est, journeys, specialty)


PROFESSIONALS: tuple[ProfessionalSpec, ...] = (
    # Fanny
    _p("ergotherapeute-fanny", "MME", "Hélène", "Marchetti", "ergothérapeute", "ergotherapeute",
       "cabinet-ergo-saint-denis", "fanny"),
    _p("crip-evaluatrice", "MME", "Nadia", "Ouali", "évaluatrice de la CRIP", "assistant-social",
       "crip-93", "fanny"),
    _p("ase-gestionnaire", "MME", "Sandrine", "Leblanc", "gestionnaire ASE", "autre", "ase-93", "fanny"),
    _p("ase-responsable", "M", "Patrick", "Duval", "responsable ASE", "autre", "ase-93",
       "fanny", "elise"),
    _p("psychologue-departement", "M", "Antoine", "Mercier", "psychologue", "psychologue", "ase-93",
       "fanny"),
    _p("pmi-medecin", "DR", "Florence", "Chevalier", "médecin de PMI", "medecin", "pmi-saint-denis",
       "fanny", specialty="SM40"),
    _p("pmi-puericultrice", "MME", "Julie", "Renaud", "infirmière puéricultrice de PMI", "infirmier",
       "pmi-saint-denis", "fanny"),
    _p("sls-responsable", "MME", "Christine", "Faure", "responsable du SLS", "autre", "sls-saint-denis",
       "fanny"),
    _p("sls-assistante-sociale", "MME", "Amandine", "Roy", "assistante sociale du SLS",
       "assistant-social", "sls-saint-denis", "fanny"),
    _p("sls-secretaire", "MME", "Corinne", "Legrand", "secrétaire du SLS", "autre", "sls-saint-denis",
       "fanny"),
    # Elliot (AEMO team)
    _p("aemo-cheffe-de-service", "MME", "Sylvie", "Brunet", "cheffe de service AEMO", "autre",
       "aemo-bondy", "elliot", "fanny"),
    _p("aemo-psychologue", "M", "David", "Lambert", "psychologue AEMO", "psychologue", "aemo-bondy",
       "elliot"),
    _p("aemo-educateur", "M", "Mehdi", "Amrani", "éducateur spécialisé AEMO", "educateur-specialise",
       "aemo-bondy", "elliot", "fanny"),
    _p("aemo-assistante-sociale", "MME", "Pauline", "Girard", "assistante sociale AEMO",
       "assistant-social", "aemo-bondy", "elliot"),
    _p("aemo-cesf", "MME", "Lucie", "Carpentier", "CESF AEMO", "cesf", "aemo-bondy", "elliot"),
    _p("aemo-secretaire", "MME", "Nathalie", "Barbier", "secrétaire AEMO", "autre", "aemo-bondy",
       "elliot"),
    _p("infirmiere-scolaire-elliot", "MME", "Agnès", "Lemaire", "infirmière scolaire", "infirmier",
       "college-jean-moulin", "elliot"),
    # Elise
    _p("infirmiere-scolaire-elise", "MME", "Sabrina", "Colin", "infirmière scolaire", "infirmier",
       "college-marie-curie", "elise"),
    _p("crip-assistante-sociale", "MME", "Laure", "Picard", "assistante sociale de la CRIP",
       "assistant-social", "crip-93", "elise"),
    _p("juge-des-enfants", "M", "Xavier", "Delmas", "juge des enfants", "magistrat", "tribunal-bobigny",
       "elise", "elliot", "fanny"),
    _p("ase-referente", "MME", "Inès", "Boyer", "assistante sociale référente ASE", "assistant-social",
       "ase-93", "elise", "yanis"),
    _p("ase-educateur", "M", "Kevin", "Rolland", "éducateur ASE", "educateur-specialise", "ase-93",
       "elise"),
    _p("mecs-directrice", "MME", "Anne-Sophie", "Vidal", "directrice de MECS", "autre",
       "mecs-les-tilleuls", "elise"),
    _p("mecs-psychologue", "MME", "Claire", "Fournier", "psychologue de MECS", "psychologue",
       "mecs-les-tilleuls", "elise"),
    _p("mecs-educateur", "M", "Romain", "Guérin", "éducateur spécialisé de MECS", "educateur-specialise",
       "mecs-les-tilleuls", "elise"),
    _p("mecs-educatrice", "MME", "Léa", "Rousseau", "éducatrice spécialisée de MECS",
       "educateur-specialise", "mecs-les-tilleuls", "elise"),
    _p("mecs-secretaire", "MME", "Valérie", "Henry", "secrétaire de MECS", "autre", "mecs-les-tilleuls",
       "elise"),
    _p("medecin-elise", "DR", "Marc", "Lefebvre", "médecin généraliste", "medecin",
       "cabinet-medical-montreuil", "elise", specialty="SM54"),
    _p("pharmacien-montreuil", "M", "Olivier", "Simon", "pharmacien", "pharmacien",
       "pharmacie-mairie-montreuil", "elise"),
    # Lucas, Adrien
    _p("camsp-medecin", "DR", "Sarah", "Noël", "pédiatre du CAMSP", "medecin", "camsp-bondy", "lucas",
       specialty="SM40"),
    _p("dime-directeur", "M", "François", "Blanc", "directeur du DIME", "autre", "dime-les-coquelicots",
       "adrien", "lucas"),
    _p("mdph-gestionnaire", "MME", "Farida", "Mansour", "gestionnaire MDPH", "autre", "mdph-93", "adrien", "lucas"),
    # Elderly and adult disability (Puy-de-Dôme)
    _p("medecin-traitant-jaude", "DR", "Catherine", "Arnaud", "médecin traitant", "medecin",
       "cabinet-medical-jaude", "irene", "louis", "eleanore", "daniel", "christiane", "claude", "ginaud", specialty="SM54"),
    _p("infirmier-liberal-issoire", "M", "Julien", "Marty", "infirmier libéral", "infirmier",
       "cabinet-infirmier-issoire", "irene"),
    _p("pharmacien-jaude", "MME", "Émilie", "Bonnet", "pharmacienne", "pharmacien", "pharmacie-de-jaude",
       "irene", "christiane", "louis"),
    _p("chu-urgentiste", "DR", "Karim", "Hamidi", "médecin urgentiste", "medecin", "chu-clermont",
       "eleanore", "louis", "ginaud", specialty="SM54"),
    _p("chu-assistante-sociale", "MME", "Aurélie", "Prévost", "assistante sociale hospitalière",
       "assistant-social", "chu-clermont", "daniel"),
    _p("ehpad-medecin-coordonnateur", "DR", "Philippe", "Roger", "médecin coordonnateur d'EHPAD",
       "medecin", "ehpad-les-volcans", "eleanore", "daniel", "samir", specialty="SM54"),
    _p("ehpad-infirmiere", "MME", "Élodie", "Masson", "infirmière coordinatrice d'EHPAD", "infirmier",
       "ehpad-les-volcans", "eleanore", "samir", "daniel"),
    _p("foyer-educatrice", "MME", "Manon", "Perret", "éducatrice spécialisée du foyer de vie",
       "educateur-specialise", "foyer-de-vie-les-couteliers", "claude"),
    _p("esat-moniteur", "M", "Grégory", "Chauvin", "moniteur d'atelier ESAT", "autre",
       "esat-ateliers-de-riom", "ginaud"),
    _p("medecin-du-travail", "DR", "Hugo", "Besson", "médecin du travail", "medecin", "spst-63",
       "ginaud", specialty="SM54"),
)

# --- The thirteen elderly and disability journeys (scenarios-pa-ph.md): who they add -----------------------
# Aides-soignantes, home helps, MJPM and secretaries are "autre professionnel" (312): their exact
# TRE_R85/R94 codes are UNCONFIRMED; they have MSSanté boxes carried by their structure.
PA_PH: tuple[ProfessionalSpec, ...] = (
    # Irène (SSIAD)
    _p("ssiad-aide-soignante", "MME", "Martine", "Chabrol", "aide-soignante du SSIAD", "autre",
       "ssiad-val-d-allier", "irene"),
    _p("ssiad-infirmiere", "MME", "Sandrine", "Vigier", "infirmière coordinatrice du SSIAD", "infirmier",
       "ssiad-val-d-allier", "irene", "daniel"),
    # Eléanore (EHPAD, tele-expertise, emergency)
    _p("dermatologue-bondy", "DR", "Hélène", "Garnier", "dermatologue", "medecin", "cabinet-medical-bondy",
       "eleanore"),
    _p("chu-ioa", "MME", "Laetitia", "Fabre", "infirmière d'accueil et d'orientation", "infirmier",
       "chu-clermont", "eleanore", "louis", "ginaud"),
    _p("ehpad-aide-soignante-nuit", "MME", "Josiane", "Mallet", "aide-soignante de nuit", "autre",
       "ehpad-les-volcans", "eleanore"),
    _p("ehpad-secretaire", "MME", "Brigitte", "Coste", "secrétaire d'EHPAD", "autre", "ehpad-les-volcans",
       "daniel", "samir"),
    # Daniel (SMR)
    _p("smr-medecin", "DR", "Yves", "Pelletier", "médecin du SMR", "medecin", "smr-chu-clermont", "daniel",
       "claude", specialty="SM54"),
    # Christiane (résidence autonomie)
    _p("residence-animatrice", "MME", "Océane", "Dumas", "animatrice de la résidence", "autre",
       "residence-les-cerisiers", "christiane"),
    _p("idel-christiane", "MME", "Nicole", "Baptiste", "infirmière libérale", "infirmier",
       "cabinet-infirmier-issoire", "christiane"),
    # Samir (PASA of another organisation)
    _p("pasa-secretaire", "M", "Alain", "Vernet", "secrétaire du PASA", "autre", "pasa-les-sorbiers", "samir"),
    _p("pasa-medecin", "DR", "Agathe", "Morel", "médecin coordonnateur du PASA", "medecin", "pasa-les-sorbiers",
       "samir", specialty="SM54"),
    _p("pasa-psychologue", "M", "Thierry", "Bailly", "psychologue du PASA", "psychologue", "pasa-les-sorbiers",
       "samir"),
    # Louis (home, hospital, home)
    _p("saad-aide-a-domicile", "MME", "Fatou", "Diallo", "aide à domicile du SAAD", "autre", "saad-domicile-63",
       "louis"),
    _p("saad-responsable", "MME", "Isabelle", "Rey", "responsable du SAAD", "autre", "saad-domicile-63", "louis"),
    _p("idel-jeanne", "MME", "Jeanne", "Chassaing", "infirmière libérale", "infirmier", "cabinet-infirmier-issoire",
       "louis"),
    _p("savs-educateur", "M", "Olivier", "Teyssier", "éducateur du SAVS", "educateur-specialise", "savs-arverne",
       "louis"),
    _p("mjpm-mandataire", "MME", "Claire", "Aubert", "mandataire judiciaire", "autre", "mjpm-udaf63", "louis"),
    _p("chu-psychiatre", "DR", "Nicolas", "Imbert", "psychiatre du CHU", "medecin", "chu-clermont", "louis",
       specialty="SM42"),
    # Monsieur Claude (foyer de vie, holiday, SMR)
    _p("foyer-infirmiere", "MME", "Cécile", "Pradier", "infirmière du foyer de vie", "infirmier",
       "foyer-de-vie-les-couteliers", "claude"),
    _p("foyer-chef-de-service", "M", "Laurent", "Bouchet", "chef de service du foyer de vie", "autre",
       "foyer-de-vie-les-couteliers", "claude"),
    _p("ch-privas-ioa", "M", "Sébastien", "Roux", "infirmier d'accueil et d'orientation", "infirmier",
       "ch-privas", "claude"),
    # Monsieur Ginaud (ESAT and foyer d'hébergement)
    _p("esat-educateur", "M", "Damien", "Fayolle", "éducateur de l'ESAT", "educateur-specialise",
       "esat-ateliers-de-riom", "ginaud"),
    _p("foyer-hebergement-infirmiere", "MME", "Estelle", "Gauthier", "infirmière du foyer d'hébergement",
       "infirmier", "foyer-hebergement-riom", "ginaud"),
    _p("idel-ginaud", "M", "Pierre-Alain", "Rochette", "infirmier libéral", "infirmier", "cabinet-infirmier-issoire",
       "ginaud"),
    # Adrien (DIME, fall, hospital)
    _p("dime-secretaire", "MME", "Sonia", "Benoît", "secrétaire du DIME", "autre", "dime-les-coquelicots",
       "adrien", "lucas"),
    _p("dime-medecin", "DR", "Paul", "Lacroix", "médecin du DIME", "medecin", "dime-les-coquelicots", "adrien",
       "lucas", specialty="SM40"),
    _p("dime-educatrice", "MME", "Aïcha", "Traoré", "éducatrice du DIME", "educateur-specialise",
       "dime-les-coquelicots", "adrien"),
    _p("chi-ioa", "MME", "Murielle", "Petit", "infirmière d'accueil et d'orientation", "infirmier",
       "chi-montreuil", "adrien"),
    _p("chi-gilbert", "DR", "Bertrand", "Gilbert", "médecin urgentiste", "medecin", "chi-montreuil", "adrien",
       specialty="SM54"),
    _p("idel-adrien", "MME", "Rachida", "Haddad", "infirmière libérale", "infirmier", "cabinet-infirmier-montreuil",
       "adrien"),
    # Lucas (PMI, CAMSP, DIME)
    _p("pmi-rosny-medecin", "DR", "Élisabeth", "Moreau", "médecin de PMI", "medecin", "pmi-rosny", "lucas",
       specialty="SM40"),
    _p("camsp-secretaire", "MME", "Patricia", "Lopez", "secrétaire du CAMSP", "autre", "camsp-bondy", "lucas"),
    _p("camsp-psychomotricien", "M", "Hugo", "Marin", "psychomotricien du CAMSP", "psychomotricien", "camsp-bondy",
       "lucas"),
    _p("camsp-psychologue", "MME", "Anaïs", "Leroy", "psychologue du CAMSP", "psychologue", "camsp-bondy", "lucas"),
    _p("camsp-eje", "MME", "Justine", "Caron", "éducatrice de jeunes enfants du CAMSP", "autre", "camsp-bondy",
       "lucas"),
    _p("camsp-assistante-sociale", "MME", "Myriam", "Khelifi", "assistante sociale du CAMSP", "assistant-social",
       "camsp-bondy", "lucas"),
    _p("orthophoniste-rosny", "MME", "Laure", "Besnard", "orthophoniste", "orthophoniste",
       "cabinet-paramedical-rosny", "lucas"),
    _p("chi-geneticien", "DR", "Samuel", "Cohen", "généticien du CH", "medecin", "chi-montreuil", "lucas",
       specialty="SM54"),
    _p("creche-directrice", "MME", "Virginie", "Lemoine", "directrice de la crèche", "autre", "creche-les-lutins",
       "lucas"),
)
PROFESSIONALS = PROFESSIONALS + PA_PH
