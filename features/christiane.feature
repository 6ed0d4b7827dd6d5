# language: fr
@parcours @pa @christiane
Fonctionnalité: Christiane, 88 ans — résidence autonomie ; sa fille l'aide dans Mon espace santé
  Christiane fait un malaise bref au cours de danse. L'animatrice écrit en un seul message à l'infirmière
  libérale et au médecin traitant ; l'infirmière répond dans le fil, relève les constantes et les envoie
  au médecin, qui change l'ordonnance et la verse au DMP. Sa fille, qui utilise Mon espace santé de sa
  mère avec son accord, y voit l'ordonnance et répond dans les échanges que la pharmacie et l'infirmière
  ont ouverts : Mon espace santé ne laisse pas un patient écrire le premier.

  Contexte:
    Étant donné le parcours de "Christiane" sur le banc socle-bench

  @mss
  Scénario: 1. Après un malaise, l'animatrice prévient l'infirmière et le médecin en un seul message
    Quand "l'animatrice de la résidence" envoie par MSSanté "le message d'information" de "Christiane" à "l'infirmière libérale et le médecin traitant"
    Alors un seul message MSSanté a été envoyé, à "l'infirmière libérale et le médecin traitant"
    Et les boîtes MSSanté de "l'infirmière libérale et le médecin traitant" ont reçu "le message d'information" avec leur pièce jointe
    Et les échanges avec le service "MSSanté" sont conformes

  @mss
  Scénario: 2. L'infirmière répond dans le fil qu'elle prendra les constantes ce soir
    Étant donné que "l'animatrice de la résidence" envoie par MSSanté "le message d'information" de "Christiane" à "l'infirmière libérale et le médecin traitant"
    Quand "l'infirmière libérale" répond dans le fil du "message d'information" de "Christiane" : "Je prends ses constantes ce soir : son antihypertenseur vient de changer."
    Alors "l'animatrice de la résidence" a reçu la réponse dans le fil du "message d'information"
    Et les échanges avec le service "MSSanté" sont conformes

  @mss @dmp @insi
  Scénario: 3. Les constantes montrent une hypotension ; le médecin renvoie une nouvelle ordonnance et la verse au DMP
    Étant donné que l'INS de "Christiane" a été qualifiée par "l'infirmière libérale"
    Quand "l'infirmière libérale" envoie par MSSanté "le relevé des constantes" de "Christiane" au "médecin traitant"
    Alors la boîte MSSanté du "médecin traitant" a reçu "le relevé des constantes" avec sa pièce jointe
    Quand "le médecin traitant" envoie par MSSanté "l'ordonnance" de "Christiane" à "l'infirmière libérale" avec une archive XDM avec son propre logiciel
    Et "le médecin traitant" verse "l'ordonnance" de "Christiane" au DMP avec son propre logiciel
    Alors la boîte MSSanté de "l'infirmière libérale" a reçu "l'ordonnance" avec sa pièce jointe
    Et "l'ordonnance" de "Christiane" a été versée au DMP

  Scénario: 4. L'infirmière téléphone à la fille de Christiane pour les médicaments, hors socle
    Quand "l'infirmière libérale" téléphone à la fille de Christiane pour qu'elle aille chercher les médicaments
    Alors aucun service socle n'a été appelé

  @mss @dmp
  Scénario: 5. Dans Mon espace santé de sa mère, la fille voit l'ordonnance et l'envoie à la pharmacie
    Étant donné que le DMP de "Christiane" contient "l'ordonnance" déposée par "le médecin traitant"
    Et que "la pharmacienne" envoie par MSSanté "le message d'information" de "Christiane" à "Christiane" avec son propre logiciel
    Alors "la fille de Christiane" voit "l'ordonnance" dans Mon espace santé de "Christiane"
    Quand "la fille de Christiane" répond depuis Mon espace santé de "Christiane" à "la pharmacienne" en joignant "l'ordonnance" : "Voici la nouvelle ordonnance de ma mère, je passe la prendre."
    Alors la boîte MSSanté de "la pharmacienne" a reçu la réponse de Mon espace santé de "Christiane"
    Et Mon espace santé de "Christiane" refuse un premier message au "médecin traitant"

  @mss
  Scénario: 6. La fille dit à l'infirmière quand les médicaments arriveront, pour le pilulier
    Étant donné que l'INS de "Christiane" a été qualifiée par "l'infirmière libérale"
    Et que "l'infirmière libérale" envoie par MSSanté "le message d'information" de "Christiane" à "Christiane"
    Quand "la fille de Christiane" répond depuis Mon espace santé de "Christiane" à "l'infirmière libérale" : "Les médicaments arrivent demain matin."
    Alors la boîte MSSanté de "l'infirmière libérale" a reçu la réponse de Mon espace santé de "Christiane"
    Et les échanges avec le service "MSSanté" sont conformes
