# language: fr
@parcours @ph @louis @louis_domicile
Fonctionnalité: Louis, 59 ans (1/2) — du domicile à l'hôpital
  Louis vit chez lui avec un handicap psychique ; une aide à domicile du SAAD passe chaque jour et Jeanne,
  infirmière libérale, prépare son pilulier le vendredi. L'aide à domicile trouve une nouvelle ordonnance
  et, avec l'accord de Louis, la photographie pour Jeanne et sa responsable. Jeanne la transfère à la
  pharmacie. À sa visite, Louis ne va pas bien : le médecin traitant organise l'hospitalisation, Jeanne
  prévient en un seul message les acteurs sanitaires et sociaux et verse le DLU au DMP ; aux urgences,
  son INS est qualifiée et l'équipe suit le DLU.

  Contexte:
    Étant donné le parcours de "Louis" sur le banc socle-bench

  @mss
  Scénario: 1. L'aide à domicile photographie la nouvelle ordonnance pour l'infirmière et sa responsable
    Étant donné que "Louis" a donné son accord pour "la photo de son ordonnance"
    Quand "l'aide à domicile du SAAD" envoie par MSSanté "la photographie" de "Louis" à "l'infirmière libérale et la responsable du SAAD"
    Alors les boîtes MSSanté de "l'infirmière libérale et la responsable du SAAD" ont reçu "la photographie" avec leur pièce jointe
    Et la pièce jointe reçue par "l'infirmière libérale" est au format "image/jpeg"
    Et les échanges avec le service "MSSanté" sont conformes

  @mss
  Scénario: 2. Jeanne répond, puis transfère la photo à la pharmacie : à retirer demain à 9 h
    Étant donné que "l'aide à domicile du SAAD" envoie par MSSanté "la photographie" de "Louis" à "l'infirmière libérale et la responsable du SAAD"
    Quand "l'infirmière libérale" répond dans le fil de "la photographie" de "Louis" : "Bien reçu, je m'en occupe."
    Et "l'infirmière libérale" transfère par MSSanté "la photographie" de "Louis" à "la pharmacienne" : "Pour Louis, à retirer demain à 9 h."
    Alors "l'aide à domicile du SAAD" a reçu la réponse dans le fil de "la photographie"
    Et la boîte MSSanté de "la pharmacienne" a reçu "la photographie" avec sa pièce jointe
    Et le message transféré à "la pharmacienne" garde les pièces jointes et l'INS du message d'origine
    Et les échanges avec le service "MSSanté" sont conformes

  Scénario: 3. Louis ne va pas bien : Jeanne téléphone au médecin traitant, Louis accepte l'hospitalisation
    Quand "l'infirmière libérale" téléphone au médecin traitant
    Et hors socle, "Louis" accepte d'être hospitalisé
    Alors aucun service socle n'a été appelé

  @mss
  Scénario: 4. Le médecin traitant adresse le dossier au service hospitalier et le bon de transport à Jeanne
    Quand "le médecin traitant" envoie par MSSanté "le dossier d'admission et la lettre d'admission" de "Louis" au "psychiatre du CHU" avec son propre logiciel
    Et "le médecin traitant" envoie par MSSanté "le bon de transport" de "Louis" à "l'infirmière libérale" avec son propre logiciel
    Alors la boîte MSSanté du "psychiatre du CHU" a reçu "le dossier d'admission" avec ses pièces jointes
    Et la boîte MSSanté de "l'infirmière libérale" a reçu "le bon de transport" avec sa pièce jointe

  @mss @dmp @insi
  Scénario: 5. Jeanne prévient en un seul message le SAAD, le SAVS et la mandataire, puis verse le DLU au DMP
    Étant donné que l'INS de "Louis" a été qualifiée par "l'infirmière libérale"
    Quand "l'infirmière libérale" envoie par MSSanté "le message d'information" de "Louis" à "la responsable du SAAD, l'éducateur du SAVS et la mandataire judiciaire"
    Et "l'infirmière libérale" verse "le DLU" de "Louis" au DMP
    Alors un seul message MSSanté a été envoyé, à "la responsable du SAAD, l'éducateur du SAVS et la mandataire judiciaire"
    Et "le DLU" de "Louis" a été versé au DMP
    Et "le bon de transport" de "Louis" n'a été versé au DMP par personne
    Et les échanges avec le service "MSSanté" sont conformes
    Et les échanges avec le service "DMP" sont conformes

  @insi @dmp
  Scénario: 6. Aux urgences, l'INS de Louis est qualifiée et l'équipe suit le DLU
    Étant donné que le DMP de "Louis" contient "le DLU" déposé par "l'infirmière libérale"
    Quand "l'infirmière d'accueil et d'orientation" consulte le DMP de "Louis" avec son propre logiciel
    Alors le téléservice INSi a reçu les traits normalisés de "Louis"
    Et "l'infirmière d'accueil et d'orientation" voit "le DLU" dans le DMP de "Louis"
