# language: fr
@parcours @pa @irene
Fonctionnalité: Irène, 85 ans — seule à domicile, suivie par un SSIAD
  À la toilette, l'aide-soignante du SSIAD découvre une plaie au talon. Avec l'accord d'Irène, elle la
  photographie et demande conseil à l'infirmière par MSSanté ; l'infirmière répond dans le fil, puis
  demande une ordonnance au médecin traitant dont elle trouve l'adresse dans l'Annuaire santé. Le
  médecin renvoie l'ordonnance par MSSanté et la verse au DMP ; l'infirmière la transfère à la
  pharmacie, qui livre et la retrouve dans le DMP.

  Contexte:
    Étant donné le parcours d'"Irène" sur le banc socle-bench

  @mss
  Scénario: 1. À la toilette, l'aide-soignante photographie la plaie et demande conseil à l'infirmière
    Étant donné qu'"Irène" a donné son accord pour "la photo de sa plaie"
    Quand "l'aide-soignante du SSIAD" envoie par MSSanté "la photo de plaie" d'"Irène" à "l'infirmière coordinatrice du SSIAD"
    Alors la boîte MSSanté de "l'infirmière coordinatrice du SSIAD" a reçu "la photo de plaie" avec sa pièce jointe
    Et la pièce jointe reçue par "l'infirmière coordinatrice du SSIAD" est au format "image/jpeg"
    Et les échanges avec le service "MSSanté" sont conformes

  @mss
  Scénario: 2. L'infirmière répond dans le même fil qu'elle passe refaire le pansement
    Étant donné que "l'aide-soignante du SSIAD" envoie par MSSanté "la photo de plaie" d'"Irène" à "l'infirmière coordinatrice du SSIAD"
    Quand "l'infirmière coordinatrice du SSIAD" répond dans le fil de "la photo de plaie" d'"Irène" : "Je passe ce matin refaire le pansement."
    Alors "l'aide-soignante du SSIAD" a reçu la réponse dans le fil de "la photo de plaie"
    Et les échanges avec le service "MSSanté" sont conformes

  @mss @annuaire
  Scénario: 3. Après le pansement, l'infirmière demande une ordonnance au médecin traitant, photo jointe
    Quand "l'infirmière coordinatrice du SSIAD" recherche dans l'Annuaire santé la boîte du "médecin traitant"
    Alors l'Annuaire santé a été interrogé et donne la boîte du "médecin traitant"
    Quand "l'infirmière coordinatrice du SSIAD" envoie par MSSanté "la photo de plaie" d'"Irène" au "médecin traitant"
    Alors la boîte MSSanté du "médecin traitant" a reçu "la photo de plaie" avec sa pièce jointe
    Et les échanges avec le service "Annuaire santé" sont conformes
    Et les échanges avec le service "MSSanté" sont conformes

  @mss @dmp @insi
  Scénario: 4. Le médecin traitant renvoie l'ordonnance par MSSanté et la verse au DMP
    Étant donné que l'INS d'"Irène" a été qualifiée par "l'infirmière coordinatrice du SSIAD"
    Quand "le médecin traitant" verse "l'ordonnance de pansements" d'"Irène" au DMP avec son propre logiciel
    Et "le médecin traitant" envoie par MSSanté "l'ordonnance de pansements" d'"Irène" à "l'infirmière coordinatrice du SSIAD" avec une archive XDM avec son propre logiciel
    Alors "l'ordonnance de pansements" d'"Irène" a été versée au DMP
    Et la boîte MSSanté de "l'infirmière coordinatrice du SSIAD" a reçu "l'ordonnance de pansements" avec sa pièce jointe

  @mss
  Scénario: 5. L'infirmière transfère l'ordonnance à la pharmacie : à livrer avant mardi
    Étant donné que l'INS d'"Irène" a été qualifiée par "l'infirmière coordinatrice du SSIAD"
    Et que "le médecin traitant" envoie par MSSanté "l'ordonnance de pansements" d'"Irène" à "l'infirmière coordinatrice du SSIAD" avec une archive XDM avec son propre logiciel
    Quand "l'infirmière coordinatrice du SSIAD" transfère par MSSanté "l'ordonnance de pansements" d'"Irène" à "la pharmacienne" : "À livrer avant mardi : Irène n'a pas d'aidant."
    Alors la boîte MSSanté de "la pharmacienne" a reçu "l'ordonnance de pansements" avec sa pièce jointe
    Et le message transféré à "la pharmacienne" garde les pièces jointes et l'INS du message d'origine
    Et les échanges avec le service "MSSanté" sont conformes

  @dmp
  Scénario: 6. La pharmacienne livre et retrouve l'ordonnance dans le DMP d'Irène
    Étant donné que le DMP d'"Irène" contient "l'ordonnance de pansements" déposée par "le médecin traitant"
    Quand "la pharmacienne" consulte le DMP d'"Irène" avec son propre logiciel
    Alors "la pharmacienne" voit "l'ordonnance de pansements" dans le DMP d'"Irène"
    Et les échanges avec le service "DMP" sont conformes
