# language: fr
@parcours @ph @louis @louis_retour
Fonctionnalité: Louis, 59 ans (2/2) — un mois plus tard, le retour à domicile
  Avec l'accord de Louis, le médecin du service verse au DMP le compte rendu d'hospitalisation, le compte
  rendu d'examen et l'ordonnance. À la demande de Louis, l'éducateur du SAVS prévient le SAAD, Jeanne et
  la mandataire. Jeanne lit les trois documents dans le DMP ; l'éducateur, acteur social, est informé
  mais ne les voit pas. Jeanne fait livrer les médicaments et envoie conseils et rendez-vous au SAVS et
  au SAAD.

  Contexte:
    Étant donné le parcours de "Louis" sur le banc socle-bench

  @dmp
  Scénario: 7. Avec l'accord de Louis, le psychiatre verse les trois documents de sortie au DMP
    Étant donné que "Louis" a donné son accord pour "le versement de ses documents de sortie au DMP"
    Quand "le psychiatre du CHU" verse "le compte rendu d'hospitalisation, le compte rendu d'examen et l'ordonnance" de "Louis" au DMP avec son propre logiciel
    Alors "le compte rendu d'hospitalisation, le compte rendu d'examen et l'ordonnance" de "Louis" ont été versés au DMP

  @mss
  Scénario: 8. À la demande de Louis, l'éducateur du SAVS prévient le SAAD, Jeanne et la mandataire
    Quand "l'éducateur du SAVS" envoie par MSSanté "le message d'information" de "Louis" à "la responsable du SAAD, l'infirmière libérale et la mandataire judiciaire"
    Alors un seul message MSSanté a été envoyé, à "la responsable du SAAD, l'infirmière libérale et la mandataire judiciaire"
    Et les échanges avec le service "MSSanté" sont conformes

  Scénario: 9. La responsable du SAAD prépare la reprise ; la mandataire approvisionne le compte, hors socle
    Quand hors socle, "la responsable du SAAD" planifie la reprise des passages
    Et hors socle, "la mandataire judiciaire" approvisionne le compte de Louis
    Alors aucun service socle n'a été appelé

  @dmp @mss @insi
  Scénario: 10. Jeanne lit les documents de sortie ; l'éducateur n'y a pas accès ; conseils au SAVS et au SAAD
    Étant donné que l'INS de "Louis" a été qualifiée par "l'infirmière libérale"
    Et que le DMP de "Louis" contient "le compte rendu d'hospitalisation, le compte rendu d'examen et l'ordonnance" déposés par "le psychiatre du CHU"
    Quand "l'infirmière libérale" consulte le DMP de "Louis"
    Alors "l'infirmière libérale" voit "le compte rendu d'hospitalisation, le compte rendu d'examen et l'ordonnance" dans le DMP de "Louis"
    Quand "l'éducateur du SAVS" consulte le DMP de "Louis"
    Alors "l'éducateur du SAVS" ne voit pas "le compte rendu d'hospitalisation, le compte rendu d'examen et l'ordonnance" dans le DMP de "Louis"
    Quand "l'infirmière libérale" envoie par MSSanté "les conseils de santé et rendez-vous" de "Louis" à "l'éducateur du SAVS et la responsable du SAAD"
    Alors les boîtes MSSanté de "l'éducateur du SAVS et la responsable du SAAD" ont reçu "les conseils de santé et rendez-vous" avec leur pièce jointe
    Et les échanges avec le service "DMP" sont conformes
    Et les échanges avec le service "MSSanté" sont conformes
