# language: fr
@parcours @pa @daniel
Fonctionnalité: Daniel, 82 ans — du SMR à un EHPAD doté d'une unité de vie protégée
  Trois semaines après une fracture du col, Daniel, atteint d'une maladie d'Alzheimer évoluée, déambule :
  le retour à domicile est exclu. Avec lui, l'assistante sociale et le médecin du SMR cherchent dans le
  ROR un EHPAD doté d'une unité de vie protégée près de chez son cousin. L'EHPAD Les Volcans accepte ; à
  l'admission, la secrétaire qualifie son INS, le médecin coordonnateur et l'infirmière coordinatrice
  lisent son DMP, puis l'EHPAD y verse son projet personnalisé et son DLU pour le médecin traitant.

  Contexte:
    Étant donné le parcours de "Daniel" sur le banc socle-bench

  @ror
  Scénario: 1. Le SMR cherche dans le ROR un EHPAD avec unité de vie protégée près du cousin de Daniel
    Quand "l'assistante sociale hospitalière" recherche dans le ROR "un EHPAD" avec "une unité de vie protégée" à moins de 20 km du domicile du "cousin de Daniel", pour son âge, avec des places disponibles
    Alors le ROR propose "l'EHPAD Les Volcans"
    Et le ROR ne propose pas "l'EHPAD La Roseraie et l'EHPAD Le Clos Fleuri"
    Et les résultats du ROR sont classés du plus proche au plus lointain, avec leur distance
    Et les échanges avec le service "ROR" sont conformes

  Scénario: 2. L'EHPAD accepte la demande et organise une visite, hors socle
    Quand hors socle, "le médecin coordonnateur d'EHPAD" accepte la demande d'admission dans ViaTrajectoire et organise une visite
    Alors aucun service socle n'a été appelé

  @insi
  Scénario: 3. À l'admission, la secrétaire qualifie l'INS de Daniel sur présentation de sa pièce d'identité
    Quand "la secrétaire d'EHPAD" qualifie l'INS de "Daniel" avec sa pièce d'identité
    Alors le téléservice INSi a reçu les traits normalisés de "Daniel"
    Et le statut de l'INS de "Daniel" est "qualifiée"
    Et les échanges avec le service "INSi" sont conformes

  @dmp @insi
  Scénario: 4. Daniel et sa famille informés, le médecin et l'infirmière coordinateurs lisent son DMP
    Étant donné que l'INS de "Daniel" a été qualifiée par "la secrétaire d'EHPAD"
    Et que le DMP de "Daniel" contient "la synthèse des antécédents, la désignation de la personne de confiance et les directives anticipées" déposés par "le médecin traitant"
    Et que le DMP de "Daniel" contient "le projet personnalisé d'accompagnement" déposé par "l'infirmière coordinatrice du SSIAD"
    Et que "Daniel" a donné son accord pour "la consultation de son DMP par l'EHPAD"
    Quand "le médecin coordonnateur d'EHPAD" consulte le DMP de "Daniel"
    Alors "le médecin coordonnateur d'EHPAD" voit "la synthèse des antécédents, la désignation de la personne de confiance, les directives anticipées et le projet personnalisé d'accompagnement" dans le DMP de "Daniel"
    Quand "l'infirmière coordinatrice d'EHPAD" consulte le DMP de "Daniel"
    Alors "l'infirmière coordinatrice d'EHPAD" voit "la synthèse des antécédents et le projet personnalisé d'accompagnement" dans le DMP de "Daniel"
    Et les échanges avec le service "DMP" sont conformes

  @dmp @mss
  Scénario: 5. L'EHPAD verse le projet personnalisé et le DLU au DMP, puis écrit au médecin traitant
    Étant donné que l'INS de "Daniel" a été qualifiée par "la secrétaire d'EHPAD"
    Quand "le médecin coordonnateur d'EHPAD" verse "le projet personnalisé d'accompagnement et le DLU" de "Daniel" au DMP, avec son accord
    Alors "le projet personnalisé d'accompagnement et le DLU" de "Daniel" ont été versés au DMP
    Quand "le médecin coordonnateur d'EHPAD" envoie par MSSanté "le message d'information" de "Daniel" au "médecin traitant"
    Alors la boîte MSSanté du "médecin traitant" a reçu "le message d'information" avec sa pièce jointe
    Et les échanges avec le service "DMP" sont conformes
    Et les échanges avec le service "MSSanté" sont conformes
