# language: fr
@parcours @ph @adrien @adrien_admission
Fonctionnalité: Adrien (1/2) — admission en DIME
  Ses parents, qui gèrent son espace Mon espace santé, ont demandé à la MDPH une orientation en DIME. La
  MDPH envoie la notification, depuis sa boîte organisationnelle, à l'adresse Mon espace santé d'Adrien,
  où sa mère la lit. Le directeur du DIME l'admet (ViaTrajectoire, hors socle) ; à l'admission, son INS
  est qualifiée et le médecin du DIME lit son DMP ; avec l'accord des parents, le projet personnalisé y
  est versé, et ils le lisent dans Mon espace santé.

  Contexte:
    Étant donné le parcours d'"Adrien" sur le banc socle-bench

  @mss
  Scénario: 1. La MDPH envoie la notification à l'adresse Mon espace santé d'Adrien ; sa mère la lit
    Quand "la gestionnaire MDPH" envoie par MSSanté "la notification MDPH" d'"Adrien" à "Adrien" depuis la boîte de "la MDPH" avec son propre logiciel
    Alors la boîte MSSanté d'"Adrien" a reçu "la notification MDPH" avec sa pièce jointe
    Et "la mère d'Adrien" lit "la notification MDPH" dans la messagerie de Mon espace santé d'"Adrien"

  Scénario: 2. Le directeur du DIME admet Adrien, hors socle
    Quand hors socle, "le directeur du DIME" prononce l'admission dans ViaTrajectoire, suivie par les parents
    Alors aucun service socle n'a été appelé

  @insi @dmp
  Scénario: 3. À l'admission, la secrétaire qualifie l'INS ; le médecin du DIME lit le DMP
    Étant donné que le DMP d'"Adrien" contient "le bilan de santé et de prévention" déposé par "le médecin urgentiste"
    Quand "la secrétaire du DIME" qualifie l'INS d'"Adrien" avec sa pièce d'identité
    Alors le statut de l'INS d'"Adrien" est "qualifiée"
    Quand "le médecin du DIME" consulte le DMP d'"Adrien"
    Alors "le médecin du DIME" voit "le bilan de santé et de prévention" dans le DMP d'"Adrien"
    Et les échanges avec le service "INSi" sont conformes
    Et les échanges avec le service "DMP" sont conformes

  @dmp
  Scénario: 4. Avec l'accord des parents, le projet personnalisé va au DMP ; ils le lisent dans Mon espace santé
    Étant donné que l'INS d'"Adrien" a été qualifiée par "la secrétaire du DIME"
    Et que "la mère d'Adrien" a donné son accord pour "le versement du projet personnalisé au DMP"
    Quand "le médecin du DIME" verse "le projet personnalisé d'accompagnement" d'"Adrien" au DMP
    Alors "le projet personnalisé d'accompagnement" d'"Adrien" a été versé au DMP
    Et "la mère d'Adrien" voit "le projet personnalisé d'accompagnement" dans Mon espace santé d'"Adrien"
    Et les échanges avec le service "DMP" sont conformes
