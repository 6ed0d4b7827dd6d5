# language: fr
@parcours @ph @adrien @adrien_chute
Fonctionnalité: Adrien (2/2) — une chute au DIME, les urgences, le retour
  Adrien tombe et doit être recousu. Le DIME verse son DLU à jour au DMP et ouvre un échange avec la
  famille dans Mon espace santé. Aux urgences, l'IOA vérifie sa carte d'identité, qualifie son INS et lit
  le DLU ; le Dr Gilbert verse le compte rendu et une ordonnance de pansements au DMP. Les parents les
  lisent dans Mon espace santé et répondent dans l'échange ouvert par le DIME, qui lit à son tour les
  documents de sortie. L'infirmière libérale écrit ensuite à l'adresse Mon espace santé d'Adrien.

  Contexte:
    Étant donné le parcours d'"Adrien" sur le banc socle-bench

  @dmp @mss @insi
  Scénario: 1. Le DIME verse le DLU au DMP et ouvre un échange avec la famille dans Mon espace santé
    Étant donné que l'INS d'"Adrien" a été qualifiée par "la secrétaire du DIME"
    Quand "le médecin du DIME" verse "le DLU" d'"Adrien" au DMP
    Et "l'éducatrice du DIME" envoie par MSSanté "le message d'information" d'"Adrien" à "Adrien"
    Alors "le DLU" d'"Adrien" a été versé au DMP
    Et le message a été adressé à l'adresse Mon espace santé d'"Adrien", construite depuis son INS qualifiée
    Et "la mère d'Adrien" lit "le message d'information" dans la messagerie de Mon espace santé d'"Adrien"
    Et les échanges avec le service "MSSanté" sont conformes

  @insi @dmp
  Scénario: 2. Aux urgences, l'IOA vérifie sa carte d'identité, qualifie son INS et lit le DLU
    Étant donné que le DMP d'"Adrien" contient "le DLU" déposé par "le médecin du DIME"
    Quand "l'infirmière d'accueil et d'orientation" consulte le DMP d'"Adrien" avec son propre logiciel
    Alors le téléservice INSi a reçu les traits normalisés d'"Adrien"
    Et "l'infirmière d'accueil et d'orientation" voit "le DLU" dans le DMP d'"Adrien"

  @dmp
  Scénario: 3. Le Dr Gilbert verse le compte rendu et l'ordonnance de pansements au DMP
    Quand "le médecin urgentiste" verse "le compte rendu de passage aux urgences et l'ordonnance de pansements" d'"Adrien" au DMP avec son propre logiciel
    Alors "le compte rendu de passage aux urgences et l'ordonnance de pansements" d'"Adrien" ont été versés au DMP

  @dmp @mss
  Scénario: 4. Les parents lisent les documents dans Mon espace santé et répondent dans l'échange du DIME
    Étant donné que l'INS d'"Adrien" a été qualifiée par "la secrétaire du DIME"
    Et que le DMP d'"Adrien" contient "le compte rendu de passage aux urgences et l'ordonnance de pansements" déposés par "le médecin urgentiste"
    Et que "l'éducatrice du DIME" envoie par MSSanté "le message d'information" d'"Adrien" à "Adrien"
    Alors "la mère d'Adrien" voit "le compte rendu de passage aux urgences et l'ordonnance de pansements" dans Mon espace santé d'"Adrien"
    Quand "la mère d'Adrien" répond depuis Mon espace santé d'"Adrien" à "l'éducatrice du DIME" : "Adrien est rentré, nous avons trouvé une infirmière pour les pansements."
    Alors la boîte MSSanté de "l'éducatrice du DIME" a reçu la réponse de Mon espace santé d'"Adrien"
    Et les échanges avec le service "MSSanté" sont conformes

  @dmp
  Scénario: 5. Le DIME lit les documents de sortie dans le DMP
    Étant donné que l'INS d'"Adrien" a été qualifiée par "la secrétaire du DIME"
    Et que le DMP d'"Adrien" contient "le compte rendu de passage aux urgences et l'ordonnance de pansements" déposés par "le médecin urgentiste"
    Quand "le médecin du DIME" consulte le DMP d'"Adrien"
    Alors "le médecin du DIME" voit "le compte rendu de passage aux urgences et l'ordonnance de pansements" dans le DMP d'"Adrien"
    Et les échanges avec le service "DMP" sont conformes

  @mss
  Scénario: 6. L'infirmière libérale téléphone aux parents, puis écrit à l'adresse Mon espace santé d'Adrien
    Quand "l'infirmière libérale" téléphone aux parents d'Adrien
    Et "l'infirmière libérale" envoie par MSSanté "les conseils de santé et rendez-vous" d'"Adrien" à "Adrien" avec son propre logiciel
    Alors la boîte MSSanté d'"Adrien" a reçu "les conseils de santé et rendez-vous" avec sa pièce jointe
    Et les échanges avec le service "MSSanté" sont conformes
