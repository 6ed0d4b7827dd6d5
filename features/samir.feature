# language: fr
@parcours @pa @samir
Fonctionnalité: Samir, 79 ans — résident d'EHPAD, deux jours par semaine au PASA d'un autre organisme
  Au premier jour de PASA, la secrétaire qualifie son INS ; le médecin coordonnateur et le psychologue du
  PASA lisent son DMP, chacun selon sa profession. L'EHPAD envoie son dossier au PASA, tient son DLU à
  jour dans le DMP, et les deux structures échangent leurs transmissions de boîte organisationnelle à
  boîte organisationnelle. Après la synthèse annuelle en visioconférence, le projet personnalisé, mis
  à jour avec Samir et sa famille, est versé au DMP, où le PASA le lit.

  Contexte:
    Étant donné le parcours de "Samir" sur le banc socle-bench

  @insi @dmp
  Scénario: 1. Au PASA, la secrétaire qualifie l'INS ; le médecin et le psychologue lisent le DMP
    Étant donné que le DMP de "Samir" contient "la synthèse des antécédents et la désignation de la personne de confiance" déposées par "le médecin coordonnateur d'EHPAD"
    Quand "la secrétaire du PASA" qualifie l'INS de "Samir" avec sa pièce d'identité
    Alors le statut de l'INS de "Samir" est "qualifiée"
    Quand "le médecin coordonnateur du PASA" consulte le DMP de "Samir"
    Alors "le médecin coordonnateur du PASA" voit "la synthèse des antécédents et la désignation de la personne de confiance" dans le DMP de "Samir"
    Quand "le psychologue du PASA" consulte le DMP de "Samir"
    Alors "le psychologue du PASA" voit "la désignation de la personne de confiance" dans le DMP de "Samir"
    Mais "le psychologue du PASA" ne voit pas "la synthèse des antécédents" dans le DMP de "Samir"
    Et les échanges avec le service "INSi" sont conformes
    Et les échanges avec le service "DMP" sont conformes

  @mss @dmp @insi
  Scénario: 2. L'EHPAD qualifie à son tour l'INS, envoie le dossier au PASA et verse le DLU au DMP
    Quand "la secrétaire d'EHPAD" qualifie l'INS de "Samir" avec sa pièce d'identité
    Et "l'infirmière coordinatrice d'EHPAD" envoie par MSSanté "le dossier d'admission" de "Samir" au "PASA de l'EHPAD Les Sorbiers" depuis la boîte de "l'EHPAD Les Volcans"
    Et "l'infirmière coordinatrice d'EHPAD" verse "le DLU" de "Samir" au DMP
    Alors la boîte MSSanté du "PASA de l'EHPAD Les Sorbiers" a reçu "le dossier d'admission" avec sa pièce jointe
    Et "le DLU" de "Samir" a été versé au DMP
    Et les échanges avec le service "MSSanté" sont conformes
    Et les échanges avec le service "DMP" sont conformes

  @mss
  Scénario: 3. Les deux structures échangent leurs transmissions, de boîte organisationnelle à boîte organisationnelle
    Quand "l'infirmière coordinatrice d'EHPAD" envoie par MSSanté "les transmissions" de "Samir" au "PASA de l'EHPAD Les Sorbiers" depuis la boîte de "l'EHPAD Les Volcans"
    Et "le médecin coordonnateur du PASA" envoie par MSSanté "les transmissions" de "Samir" à "l'EHPAD Les Volcans" depuis la boîte du "PASA de l'EHPAD Les Sorbiers"
    Alors les boîtes MSSanté de "l'EHPAD Les Volcans et le PASA de l'EHPAD Les Sorbiers" ont reçu "les transmissions" avec leur pièce jointe
    Et les échanges avec le service "MSSanté" sont conformes

  @dmp
  Scénario: 4. Après la synthèse annuelle, le projet personnalisé mis à jour va au DMP ; le PASA le lit
    Étant donné que l'INS de "Samir" a été qualifiée par "la secrétaire d'EHPAD"
    Et que hors socle, "le médecin coordonnateur d'EHPAD" anime la synthèse annuelle en visioconférence avec Samir et sa famille
    Et que "Samir" a donné son accord pour "le versement de son projet personnalisé au DMP"
    Quand "le médecin coordonnateur d'EHPAD" verse "le projet personnalisé d'accompagnement" de "Samir" au DMP
    Alors "le projet personnalisé d'accompagnement" de "Samir" a été versé au DMP
    Quand "le psychologue du PASA" consulte le DMP de "Samir"
    Alors "le psychologue du PASA" voit "le projet personnalisé d'accompagnement" dans le DMP de "Samir"
    Et les échanges avec le service "DMP" sont conformes
