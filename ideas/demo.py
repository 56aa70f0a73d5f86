"""Demo data: the Musterstadt process for trying the platform, and bulk data for benchmarks.

`seed()` loads a small, realistic demo through the same workflow functions the web uses;
with any of ideas/users/votes/comments it then adds that many synthetic rows with bulk
inserts (deterministic, random.Random(42)), consistent counters included.
"""
import html
import random
import secrets
import string
from datetime import timedelta
from functools import lru_cache
from itertools import chain, islice
from types import SimpleNamespace
from typing import NamedTuple

from flask import current_app
from sqlalchemy import func, insert, select, text, update

from ideas import discussion, search, voting, workflow
from ideas.extensions import db
from ideas.models import (
    COLOURS,
    ActionField,
    AgeGroup,
    Channel,
    Comment,
    CommentStatus,
    Idea,
    IdeaStatus,
    ModerationEvent,
    ModerationMode,
    Process,
    ReportReason,
    Role,
    User,
    Vote,
    utcnow,
)
from ideas.passwords import hash_password
from ideas.sanitize import html_to_text, render_markdown

S = IdeaStatus
SLUG = "digitalstrategie-musterstadt"
PASSWORD = "ideenfenster-demo"  # the documented demo password  # nosec B105
CHUNK = 5_000
DISTRICTS = ("Altstadt", "Nordviertel", "Am Bahnhof", "Oberdorf", "Unterdorf",
             "Neubaugebiet Sonnenhang")
A = AgeGroup
FIELDS = (  # name, slug, description; colours follow COLOURS in this order
    ("Digitale Infrastruktur", "digitale-infrastruktur",
     "Schnelles Internet, Mobilfunk und offene Netze für die ganze Stadt und alle Ortsteile."),
    ("Bildung und Jugend", "bildung-und-jugend",
     "Digitale Bildung in Kita, Schule und Jugendarbeit – und mehr Mitsprache für junge Menschen."),
    ("Kommunale Wirtschaft", "kommunale-wirtschaft",
     "Handel, Handwerk und Gründungen vor Ort mit digitalen Angeboten stärken."),
    ("Tourismus", "tourismus",
     "Gäste informieren, Sehenswürdigkeiten erlebbar machen und Angebote online buchbar machen."),
    ("Silberne Gesellschaft", "silberne-gesellschaft",
     "Ältere Menschen beim digitalen Alltag unterstützen und ihre Teilhabe sichern."),
    ("Kommunale Verwaltung", "kommunale-verwaltung",
     "Behördengänge online erledigen, Politik transparent machen, Daten offen teilen."),
    ("Dorf- und Stadtentwicklung", "dorf-und-stadtentwicklung",
     "Mobilität, Verkehr und Planung in Kernstadt und Dörfern klug vernetzen."),
    ("Alltagsleben", "alltagsleben",
     "Vereine, Nachbarschaft und Freizeit: digitale Helfer für das tägliche Leben."),
)
INF, BIL, WIR, TOU, SIL, VER, DOR, ALL = range(8)
STAFF = (  # key, e-mail, role, name
    ("admin", "admin@example.org", Role.admin, "Anna Admin"),
    ("team", "team@example.org", Role.team, "Tom Projektteam"),
    ("mod", "moderation@example.org", Role.moderator, "Mia Moderation"),
    ("buerger", "buerger@example.org", Role.citizen, "Bernd Bürger"),
)
CITIZENS = (
    ("Jana", "K.", A.age_18_29, 0), ("Ömer", "Y.", A.age_30_44, 2), ("Heike", "S.", A.age_45_59, 3),
    ("Lukas", "M.", A.under_18, 1), ("Sabine", "W.", A.age_45_59, 4), ("Karl-Heinz", "B.", A.age_75_plus, 0),
    ("Aylin", "D.", A.age_18_29, 1), ("Thomas", "R.", A.age_30_44, 5), ("Ursula", "F.", A.age_60_74, 3),
    ("Mehmet", "A.", A.age_45_59, 2), ("Lea", "H.", A.under_18, 5), ("Jürgen", "P.", A.age_60_74, 4),
    ("Sophie", "L.", A.age_30_44, 0), ("Dariusz", "N.", A.age_30_44, 1), ("Monika", "G.", A.age_60_74, 2),
    ("Felix", "T.", A.age_18_29, 3), ("Katarina", "J.", A.age_45_59, 5), ("Paul", "E.", A.under_18, 4),
    ("Gisela", "Z.", A.age_75_plus, 1), ("Stefan", "V.", A.age_45_59, 0), ("Nina", "C.", A.age_30_44, 4),
    ("Hans", "O.", A.age_60_74, 0), ("Elif", "Ş.", A.age_18_29, 2), ("Marie", "U.", A.age_30_44, 5),
    ("Anton", "I.", A.age_75_plus, 3), ("Fatima", "R.", A.age_45_59, 1),
)
ANALOG_PLACES = {
    Channel.pinboard: "Pinnwand im Rathausfoyer",
    Channel.office_hours: "Bürgersprechstunde im Rathaus",
    Channel.workshop: "Digital-Werkstatt in der Stadthalle",
    Channel.school: "Projekttag an der Gesamtschule",
    Channel.letter_phone: "Brief an die Stadtverwaltung",
    Channel.event: "Infostand beim Stadtfest",
}
BERND = {"Freies WLAN in der Innenstadt", "Parkplatzsensoren in der Altstadt"}

# Field, channel, status, supports, title, description.
IDEAS = (
    (INF, "online", "accepted", 25, "Glasfaser für alle Ortsteile",
     "Im Oberdorf und im Unterdorf haben wir oft nur 16 Mbit/s. Homeoffice, Videotelefonate mit den "
     "Enkeln oder das Hochladen von Hausaufgaben sind so kaum möglich.\n\nDie Stadt sollte dafür sorgen, "
     "dass **alle Ortsteile** ans Glasfasernetz kommen, nicht nur die Kernstadt:\n\n"
     "- Fördermittel von Bund und Land nutzen\n- gemeinsam mit den Nachbargemeinden ausschreiben\n"
     "- bei jeder Straßenbaustelle Leerrohre mitverlegen"),
    (INF, "online", "published", 18, "Freies WLAN in der Innenstadt",
     "In der Fußgängerzone, auf dem Marktplatz und rund um das Rathaus sollte es kostenloses WLAN geben. "
     "Das hilft Gästen, Jugendlichen und allen, die wenig Datenvolumen haben – und belebt die Innenstadt."),
    (INF, "pinboard", "published", 7, "Kostenloses WLAN auf dem Marktplatz",
     "Auf dem Marktplatz und in der Innenstadt ein offenes WLAN einrichten, zum Beispiel mit Freifunk. "
     "Beim Wochenmarkt könnten dann auch die Händler Kartenzahlung anbieten."),
    (INF, "online", "under_review", 11, "Mobilfunklücke am Sonnenhang schließen",
     "Im Neubaugebiet Sonnenhang gibt es im Haus praktisch keinen Handyempfang. Im Notfall ist das "
     "gefährlich. Bitte mit den Netzbetreibern über einen zusätzlichen Mast sprechen."),
    (INF, "online", "published", 6, "Smarte Straßenbeleuchtung",
     "LED-Laternen, die nachts gedimmt werden und bei Bewegung heller leuchten, sparen viel Strom und "
     "schonen Insekten. Defekte Lampen könnten sich außerdem automatisch beim Bauhof melden."),
    (INF, "workshop", "published", 4, "Funknetz für Sensoren in der Stadt",
     "Ein stromsparendes Funknetz (LoRaWAN) würde Messungen ermöglichen: Pegelstände am Mühlbach, "
     "Füllstände der Glascontainer oder die Luftqualität an der Hauptstraße."),
    (INF, "office_hours", "published", 9, "WLAN in den Dorfgemeinschaftshäusern",
     "Vereine im Oberdorf und Unterdorf können bei Versammlungen nichts zeigen oder streamen, weil es "
     "in den Dorfgemeinschaftshäusern kein Internet gibt."),
    (BIL, "online", "accepted", 22, "Digitallabor im Jugendzentrum",
     "Ein offener Raum im Jugendzentrum, in dem Jugendliche ausprobieren können:\n\n"
     "- 3D-Drucker und Lötstation\n- Laptops zum Programmieren\n- Kamera und Schnittplatz für Videos\n\n"
     "Wichtig wäre eine **feste Betreuung** an zwei Nachmittagen pro Woche, gern auch mit Ehrenamtlichen."),
    (BIL, "school", "under_review", 16, "Jugendbeteiligungs-App",
     "Eine App, in der Jugendliche Umfragen beantworten, eigene Vorschläge machen und sehen können, "
     "was der Stadtrat dazu beschlossen hat. Erarbeitet von der Klasse 9b beim Projekttag."),
    (BIL, "online", "published", 14, "Tablets für alle Grundschulklassen",
     "Jede Grundschulklasse sollte einen Klassensatz Tablets bekommen, damit digitales Lernen nicht vom "
     "Geldbeutel der Eltern abhängt."),
    (BIL, "online", "published", 10, "IT-Betreuung für die Schulen",
     "Lehrkräfte sind keine Administratoren. Die Stadt als Schulträger sollte eine feste IT-Stelle für "
     "alle Schulen schaffen, damit Geräte und WLAN auch wirklich funktionieren."),
    (BIL, "school", "published", 8, "Programmier-AG an der Gesamtschule",
     "Viele Schülerinnen und Schüler wünschen sich eine AG, in der sie Spiele und Roboter programmieren "
     "können. Vielleicht können Firmen aus dem Gewerbegebiet dabei helfen."),
    (BIL, "workshop", "published", 5, "Medienkompetenz-Kurse für Eltern",
     "Abendkurse für Eltern: Wie viel Bildschirmzeit ist sinnvoll, welche Apps sind sicher, was tun "
     "bei Cybermobbing? Am besten in Zusammenarbeit mit der Volkshochschule."),
    (BIL, "online", "rejected", 3, "E-Sport-Raum im Jugendzentrum",
     "Ein eigener Raum mit Spielekonsolen und schnellen Rechnern für E-Sport-Turniere."),
    (BIL, "online", "published", 4, "Mehr digitale Medien in der Stadtbibliothek",
     "Die Onleihe der Stadtbibliothek sollte mehr E-Books und Hörbücher für Kinder und Jugendliche "
     "anbieten."),
    (WIR, "online", "under_review", 15, "Lokaler Online-Marktplatz für unsere Geschäfte",
     "Eine gemeinsame Plattform, auf der die Geschäfte der Innenstadt ihre Waren zeigen und zum Abholen "
     "oder Liefern anbieten. So können wir lokal einkaufen, auch wenn wir abends erst heimkommen."),
    (WIR, "online", "accepted", 17, "Co-Working-Space im alten Bahnhofsgebäude",
     "Das leerstehende Bahnhofsgebäude wäre ideal für einen Co-Working-Space. Viele Pendlerinnen und "
     "Pendler könnten dann ein oder zwei Tage pro Woche hier arbeiten statt im Stau zu stehen."),
    (WIR, "online", "published", 9, "Digitale Gutscheinkarte für die Innenstadt",
     "Eine Gutscheinkarte, die in allen teilnehmenden Geschäften und Restaurants gilt, online aufladbar. "
     "Das hält die Kaufkraft in Musterstadt."),
    (WIR, "event", "published", 3, "Gründerstammtisch digital vernetzen",
     "Für Gründerinnen und Gründer eine Online-Gruppe und einen monatlichen Stammtisch, um sich "
     "auszutauschen und gegenseitig zu helfen."),
    (WIR, "online", "published", 6, "Leerstandsbörse im Internet",
     "Alle leerstehenden Ladenlokale auf einer Karte mit Größe, Miete und Ansprechperson. Das erleichtert "
     "es, neue Geschäfte in die Innenstadt zu holen."),
    (WIR, "letter_phone", "published", 7, "Schnelles Internet im Gewerbegebiet",
     "Mehrere Betriebe im Gewerbegebiet Am Kreuzweg klagen über langsame Leitungen. Große Dateien an "
     "Kunden zu schicken, dauert Stunden."),
    (WIR, "office_hours", "published", 4, "Digitalisierungs-Sprechstunde für Handwerksbetriebe",
     "Eine regelmäßige Beratung für kleine Betriebe: Online-Terminbuchung, elektronische Rechnungen, "
     "Förderprogramme. Viele wissen nicht, wo sie anfangen sollen."),
    (TOU, "online", "implemented", 13, "Digitaler Stadtrundgang mit QR-Codes",
     "An den Sehenswürdigkeiten kleine Schilder mit QR-Codes anbringen. Wer sie scannt, bekommt Texte, "
     "alte Fotos und kurze Hörbeiträge zur Geschichte des Ortes."),
    (TOU, "online", "published", 8, "Wanderwege-App mit Offline-Karten",
     "Im Wald gibt es oft keinen Empfang. Eine App mit Offline-Karten der Rundwege und Hinweisen zu "
     "Einkehrmöglichkeiten wäre für Gäste und Einheimische praktisch."),
    (TOU, "letter_phone", "rejected", 2, "Wohnmobil-Stellplätze online buchen",
     "Die Stellplätze für Wohnmobile am Festplatz sollten online reservierbar sein."),
    (TOU, "workshop", "published", 5, "Virtueller Rundgang durch das Heimatmuseum",
     "Eine 360-Grad-Tour durch das Heimatmuseum, damit auch Menschen, die nicht mehr gut zu Fuß sind, "
     "die Ausstellung sehen können."),
    (TOU, "online", "published", 3, "Mehrsprachige Infotafeln am Bahnhof",
     "Ein digitaler Bildschirm am Bahnhof mit Informationen zu Bus, Unterkünften und Veranstaltungen "
     "auf Deutsch, Englisch und Niederländisch."),
    (TOU, "online", "published", 11, "Gemeinsamer Veranstaltungskalender",
     "Vereine, Kirchengemeinden und Stadt tragen ihre Termine in **einen** Kalender ein, statt dass "
     "jeder seine eigene Liste pflegt."),
    (TOU, "event", "rejected", 4, "Audioguide für die Burgruine",
     "Ein Audioguide zum Ausleihen oder per Handy, der die Geschichte der Burg erzählt."),
    (SIL, "workshop", "accepted", 23, "Jung hilft Alt: Smartphone-Sprechstunde",
     "Schülerinnen und Schüler erklären älteren Menschen einmal pro Woche ihr Smartphone oder Tablet: "
     "Fotos an die Enkel schicken, Videotelefonie, Online-Banking, Fahrplan-App.\n\n"
     "Beide Seiten lernen voneinander, und es kostet fast nichts."),
    (SIL, "online", "published", 9, "Digitale Nachbarschaftshilfe für Ältere",
     "Eine einfache Plattform, auf der Ältere um Hilfe bitten können, etwa beim Einkaufen oder bei "
     "Fahrten zum Arzt, und Nachbarn ihre Hilfe anbieten."),
    (SIL, "office_hours", "published", 7, "Tablet-Kurs für Senioren in der Stadtbibliothek",
     "Ein Kurs in kleinen Gruppen, langsam und mit viel Wiederholung. Leihgeräte wären gut für alle, "
     "die noch kein eigenes Tablet haben."),
    (SIL, "online", "under_review", 12, "Telemedizin-Sprechstunde im Oberdorf",
     "Seit die Hausarztpraxis im Oberdorf geschlossen hat, müssen Ältere weit fahren. Ein Raum mit "
     "Videosprechstunde und Unterstützung durch eine Pflegekraft könnte helfen."),
    (SIL, "letter_phone", "published", 6, "Einkaufsbringdienst per Telefon und App",
     "Die Geschäfte am Markt könnten gemeinsam einen Lieferdienst anbieten, den man per Telefon oder "
     "App bestellt. Für viele Ältere wäre das eine große Erleichterung."),
    (SIL, "online", "withdrawn", 1, "Online-Stammtisch für Senioren",
     "Ein wöchentlicher Videotreff für ältere Menschen, die nicht mehr so mobil sind."),
    (SIL, "online", "published", 8, "Große Schrift und Vorlesefunktion auf allen Seiten der Stadt",
     "Alle Internetseiten und Formulare der Stadt sollten eine große Schrift und eine Vorlesefunktion "
     "haben. Viele Ältere können das Kleingedruckte nicht lesen."),
    (VER, "online", "accepted", 21, "Ratssitzungen streamen",
     "Die öffentlichen Sitzungen des Stadtrats sollten live im Internet übertragen und als Aufzeichnung "
     "angeboten werden. Wer im Schichtdienst arbeitet oder kleine Kinder hat, kann abends nicht ins "
     "Rathaus kommen, möchte aber trotzdem wissen, was entschieden wird."),
    (VER, "online", "under_review", 19, "Neue Stadt-Homepage, barrierearm",
     "Die Internetseite der Stadt ist unübersichtlich und auf dem Handy kaum zu benutzen. Eine neue "
     "Homepage sollte:\n\n- barrierearm sein (Kontraste, Vorlesefunktion, Leichte Sprache)\n"
     "- auf dem Handy gut funktionieren\n- eine Suche haben, die Formulare und Ansprechpersonen findet"),
    (VER, "online", "implemented", 20, "Online-Terminvergabe im Bürgerbüro",
     "Statt eine Stunde im Flur zu warten, möchte ich meinen Termin für Personalausweis oder Ummeldung "
     "online buchen können."),
    (VER, "online", "published", 10, "Bauanträge online stellen",
     "Bauanträge und Bauvoranfragen sollten digital eingereicht werden können, mit Statusanzeige, "
     "wie weit die Bearbeitung ist."),
    (VER, "online", "published", 5, "Digitale Amtstafel",
     "Bekanntmachungen hängen bisher nur im Schaukasten am Rathaus. Eine digitale Amtstafel im Internet "
     "mit E-Mail-Benachrichtigung wäre zeitgemäß."),
    (VER, "pinboard", "published", 7, "Online-Formulare statt Papier",
     "Anträge wie Hundesteuer, Sperrmüll oder Anwohnerparkausweis bitte als Online-Formular, "
     "ohne Ausdrucken und Unterschreiben."),
    (VER, "online", "published", 6, "Open-Data-Portal der Stadt",
     "Die Stadt sollte Daten wie Haushaltspläne, Verkehrszählungen oder Standorte von Spielplätzen "
     "offen und maschinenlesbar veröffentlichen. Dann können Bürgerinnen und Bürger eigene Apps bauen."),
    (VER, "online", "published", 4, "Kartenzahlung im Bürgerbüro",
     "Im Bürgerbüro kann man nur bar zahlen. Kartenzahlung und Bezahlen mit dem Handy sollten möglich sein."),
    (DOR, "online", "accepted", 18, "Mängelmelder für Schlaglöcher und defekte Laternen",
     "Eine App oder Internetseite, in der man Schäden mit Foto und Standort melden kann. Der Bauhof "
     "sieht die Meldungen sofort, und man kann verfolgen, wann der Schaden behoben ist."),
    (DOR, "online", "published", 14, "Sichere Radwege zwischen Oberdorf und Kernstadt",
     "Die Landstraße zwischen Oberdorf und Kernstadt ist für Radfahrende gefährlich. Ein eigener, "
     "beleuchteter Radweg würde viele zum Umsteigen bewegen, gerade Schülerinnen und Schüler."),
    (DOR, "event", "published", 8, "Radwegenetz ausbauen und digital planen",
     "Das Radwegenetz sollte zwischen allen Ortsteilen lückenlos werden. Eine Online-Karte, auf der "
     "Bürgerinnen und Bürger Gefahrenstellen für Radfahrer eintragen, könnte die Planung unterstützen."),
    (DOR, "online", "under_review", 13, "Echtzeit-Anzeige an den Bushaltestellen",
     "An den wichtigsten Haltestellen eine Anzeige, wann der nächste Bus wirklich kommt. Dieselben Daten "
     "bitte auch in der Fahrplan-App."),
    (DOR, "online", "published", 9, "Car-Sharing-App mit E-Autos",
     "Zwei oder drei E-Autos zum Teilen, buchbar per App, am Bahnhof und im Neubaugebiet. Viele brauchen "
     "dann kein Zweitauto mehr."),
    (DOR, "office_hours", "published", 6, "Bürgerbus per App bestellen",
     "Der Bürgerbus fährt oft leer. Wenn man ihn per App oder Telefon bestellen könnte, wäre er flexibler "
     "und würde auch die Dörfer besser anbinden."),
    (DOR, "workshop", "published", 2, "3D-Stadtmodell für Bauprojekte",
     "Neue Bauprojekte in einem digitalen 3D-Modell der Stadt zeigen, damit alle sehen, wie sie sich "
     "ins Stadtbild einfügen."),
    (DOR, "online", "pending", 0, "Parkplatzsensoren in der Altstadt",
     "Sensoren an den Parkplätzen in der Altstadt zeigen in einer App freie Plätze an. Das spart den "
     "Parksuchverkehr durch die engen Gassen."),
    (ALL, "pinboard", "published", 10, "Digitale Pinnwand für Vereine und Nachbarschaft",
     "Ein digitales schwarzes Brett, auf dem Vereine Termine ankündigen und Nachbarn Dinge verschenken, "
     "verleihen oder Hilfe suchen können."),
    (ALL, "online", "published", 16, "Stadt-App mit Müllkalender und Nachrichten",
     "Eine App für alles: Abfuhrtermine mit Erinnerung, Neuigkeiten aus dem Rathaus, Baustellen, "
     "Veranstaltungen. Bitte **ohne** Werbung und mit sparsamen Berechtigungen."),
    (ALL, "online", "published", 7, "Freibad-Tickets online kaufen",
     "Im Sommer ist die Schlange an der Kasse lang. Tickets und Saisonkarten online kaufen und am "
     "Eingang den QR-Code scannen."),
    (ALL, "online", "published", 3, "Ladestationen für E-Bikes mit Anzeige in der Karte",
     "An Marktplatz, Freibad und Bahnhof Ladestationen für E-Bikes aufstellen und in einer Online-Karte "
     "anzeigen, welche gerade frei sind."),
    (ALL, "online", "published", 4, "Grillplätze und Hütten online reservieren",
     "Die Grillhütte am Waldsee kann man nur telefonisch zu Bürozeiten reservieren. Ein Online-Kalender "
     "würde das allen erleichtern."),
    (ALL, "event", "published", 5, "Repair-Café mit Online-Terminbuchung",
     "Im Repair-Café helfen Ehrenamtliche, Geräte zu reparieren. Mit Online-Terminen müsste niemand "
     "lange warten, und die Helfer wüssten vorher, was kommt."),
    (ALL, "online", "pending", 0, "Leihladen als Online-Tauschbörse",
     "Bohrmaschine, Leiter, Zelt: Vieles braucht man nur selten. Eine Online-Tauschbörse, in der man "
     "Dinge von Nachbarn ausleihen kann."),
    (ALL, "online", "published", 2, "Schulungen für Vereinsvorstände",
     "Kostenlose Kurse für Vereine zu Online-Mitgliederverwaltung, Datenschutz und Videokonferenzen."),
    (ALL, "school", "published", 3, "Spielplatz-Karte mit Ausstattung",
     "Eine Karte aller Spielplätze mit Fotos und Ausstattung, zum Beispiel ob es Schatten, Toiletten oder "
     "Geräte für Kleinkinder gibt. Ideen der Klasse 4a der Grundschule."),
)

ANSWERS = {
    "Glasfaser für alle Ortsteile":
        "Der Stadtrat hat den flächendeckenden Glasfaserausbau beschlossen. Gemeinsam mit dem Landkreis "
        "stellen wir einen Förderantrag für die Ortsteile, in denen sich der Ausbau für Anbieter nicht "
        "lohnt.\n\n**Nächste Schritte:**\n\n- Markterkundung bis Ende des Quartals\n- Förderantrag beim "
        "Bund\n- Bürgerversammlungen in Oberdorf und Unterdorf",
    "Digitallabor im Jugendzentrum":
        "Das Projektteam unterstützt die Idee. Das Jugendzentrum stellt einen Raum zur Verfügung, die "
        "Ausstattung wird aus dem Budget der Digitalstrategie bezahlt. Für die Betreuung suchen wir noch "
        "Ehrenamtliche.",
    "Co-Working-Space im alten Bahnhofsgebäude":
        "Die Wirtschaftsförderung prüft mit der Eigentümerin die Nutzung des Bahnhofsgebäudes. Ein "
        "Probebetrieb mit zehn Arbeitsplätzen ist für das nächste Jahr vorgesehen.",
    "Jung hilft Alt: Smartphone-Sprechstunde":
        "Eine großartige Idee, die fast nichts kostet. Die Sprechstunde findet ab sofort jeden zweiten "
        "Mittwoch in der Stadtbibliothek statt; Schülerinnen und Schüler der Gesamtschule helfen mit.",
    "Ratssitzungen streamen":
        "Der Ältestenrat hat zugestimmt: Öffentliche Ratssitzungen werden ab dem kommenden Halbjahr live "
        "übertragen. Wer nicht gezeigt werden möchte, wird nur mit Ton übertragen. Aufzeichnungen bleiben "
        "drei Monate abrufbar.",
    "Mängelmelder für Schlaglöcher und defekte Laternen":
        "Die Stadt führt einen Mängelmelder ein, der an das System des Bauhofs angebunden wird. Der "
        "Bearbeitungsstand jeder Meldung wird öffentlich angezeigt.",
    "Digitaler Stadtrundgang mit QR-Codes":
        "Umgesetzt! An 15 Sehenswürdigkeiten hängen jetzt Schilder mit QR-Codes, mit Texten auf Deutsch, "
        "Englisch und in Leichter Sprache. Vielen Dank an den Heimatverein für die Unterstützung.",
    "Online-Terminvergabe im Bürgerbüro":
        "Termine im Bürgerbüro können jetzt online gebucht werden. Die Terminvergabe per Telefon bleibt "
        "selbstverständlich möglich.",
    "E-Sport-Raum im Jugendzentrum":
        "Vielen Dank für den Vorschlag. Im Jugendzentrum fehlt leider der Platz für einen eigenen Raum, "
        "und die Mittel der Digitalstrategie dürfen dafür nicht verwendet werden. Die Geräte des "
        "Digitallabors können aber auch für Spieleabende genutzt werden.",
    "Wohnmobil-Stellplätze online buchen":
        "Die Stellplätze am Festplatz betreibt ein privates Unternehmen, das bereits eine Online-Buchung "
        "anbietet. Für die Stadt besteht hier kein Handlungsbedarf.",
    "Audioguide für die Burgruine":
        "Die Burgruine gehört dem Land, dessen Schlösserverwaltung selbst einen Audioguide plant. Wir haben "
        "Ihren Vorschlag dorthin weitergeleitet.",
}

TEAM = "team"
# Threads: (comment, reply, ...); a reply given as (TEAM, text) is written by the project team.
THREADS = {
    "Ratssitzungen streamen": (
        ("Ich arbeite im Schichtdienst und kann abends nie zu den Sitzungen. Ein Stream wäre für mich "
         "die einzige Möglichkeit, dabei zu sein.",
         "Geht mir genauso. Aufzeichnungen zum späteren Anschauen wären auch gut.",
         (TEAM, "Danke! Wir klären gerade mit dem Datenschutzbeauftragten, wie wir mit Ratsmitgliedern "
                "umgehen, die nicht gezeigt werden möchten.")),
        ("Was ist mit Ratsmitgliedern, die nicht gefilmt werden wollen?",
         "In anderen Städten wird dann nur der Ton übertragen. Das finde ich einen guten Kompromiss."),
    ),
    "Digitallabor im Jugendzentrum": (
        ("Mit dem 3D-Drucker könnte man Ersatzteile für Fahrräder drucken!", "Und Teile für den Modellbau."),
        ("Ich bin Elektriker im Ruhestand und würde einmal pro Woche beim Löten helfen.",
         (TEAM, "Das ist ein tolles Angebot! Das Jugendzentrum meldet sich bei Ihnen.")),
    ),
    "Glasfaser für alle Ortsteile": (
        ("Bei uns im Unterdorf bricht jede Videokonferenz ab. Bitte die Ortsteile zuerst!",
         "Im Oberdorf ist es leider genauso."),
        ("Gibt es einen Zuschuss für den Hausanschluss?",
         (TEAM, "Das hängt vom Förderprogramm ab. Wir informieren auf den Bürgerversammlungen, sobald "
                "der Förderbescheid da ist.")),
    ),
    "Neue Stadt-Homepage, barrierearm": (
        ("Die jetzige Seite ist auf dem Handy kaum zu lesen.",),
        ("Bitte auch an Leichte Sprache denken.",
         "Unbedingt. Meine Mutter ist sehbehindert und scheitert an den PDF-Formularen."),
    ),
    "Jugendbeteiligungs-App": (
        ("Wir aus der 9b finden die Idee super. Umfragen zum Jugendzentrum wären cool.",
         "Wichtig wäre, dass die Ergebnisse dann auch wirklich im Stadtrat ankommen."),
    ),
    "Jung hilft Alt: Smartphone-Sprechstunde": (
        ("Meine Oma hat so gelernt, mit uns per Video zu telefonieren. Eine tolle Sache!",),
        ("Könnte man das auch im Oberdorf anbieten? Nicht alle kommen bis in die Stadt.",
         (TEAM, "Ja, wir planen einen zweiten Termin im Dorfgemeinschaftshaus Oberdorf.")),
    ),
    "Freies WLAN in der Innenstadt": (
        ("Gab es das nicht schon als Vorschlag an der Pinnwand?",
         "Ja, der Vorschlag zum WLAN auf dem Marktplatz ist fast derselbe. Man könnte beide zusammenlegen."),
    ),
    "Sichere Radwege zwischen Oberdorf und Kernstadt": (
        ("Der Weg an der Landstraße ist im Winter gefährlich, weil er nicht beleuchtet ist.",
         "Es gibt einen ähnlichen Vorschlag zum Radwegenetz. Vielleicht kann man beide zusammenführen?"),
    ),
    "Online-Terminvergabe im Bürgerbüro": (
        ("Das wäre eine große Erleichterung, gerade für Berufstätige.",),
    ),
    "Lokaler Online-Marktplatz für unsere Geschäfte": (
        ("Als Inhaberin eines kleinen Ladens ist mir wichtig, dass die Gebühren niedrig bleiben.",
         "Vielleicht kann die Werbegemeinschaft das gemeinsam organisieren?"),
    ),
    "Echtzeit-Anzeige an den Bushaltestellen": (
        ("Gerade abends, wenn der Bus nur stündlich fährt, wäre das eine große Hilfe.",),
    ),
    "Co-Working-Space im alten Bahnhofsgebäude": (
        ("Ich pendle jeden Tag 50 Kilometer. Zwei Tage pro Woche hier zu arbeiten, wäre ein Traum.",),
    ),
    "E-Sport-Raum im Jugendzentrum": (("Tolle Idee, aber ist im Jugendzentrum dafür überhaupt Platz?",),),
}
COMMENTS = (
    "Gute Idee! Das würde ich sofort nutzen.",
    "Wie hoch wären ungefähr die Kosten? Das sollte man vorher offen sagen.",
    "In unserer Nachbargemeinde gibt es das schon, und es funktioniert gut.",
    "Wichtig ist, dass Menschen ohne Smartphone nicht abgehängt werden.",
    "Ich unterstütze das. Vielleicht kann man mit einem Pilotprojekt anfangen?",
    "Daran habe ich auch schon gedacht. Danke, dass Sie es hier eingebracht haben!",
    "Bitte auch an den Datenschutz denken.",
    "Könnten die Schulen dabei mitmachen? Die Jugendlichen hätten sicher Lust dazu.",
    "Das klingt sinnvoll. Wer kümmert sich aber langfristig um die Wartung?",
    "Ich würde mich gern ehrenamtlich beteiligen, falls Hilfe gebraucht wird.",
    "Für die Ortsteile wäre das besonders wichtig, nicht nur für die Innenstadt.",
    "Super Vorschlag, gerade für Familien mit kleinen Kindern.",
    "Vielleicht lässt sich das mit Fördermitteln vom Land finanzieren?",
    "Ich bin etwas skeptisch, ob das genutzt wird. Gibt es Erfahrungen aus anderen Städten?",
    "Eine einfache Bedienung ist hier das Wichtigste.",
    "Bitte auch in Leichter Sprache und auf Englisch anbieten.",
)
REPLIES = (
    "Das sehe ich genauso.",
    "Gute Frage, das würde mich auch interessieren.",
    "In der Digital-Werkstatt wurde darüber schon gesprochen, die Idee kam dort gut an.",
    "Ein Pilotprojekt fände ich auch am besten.",
    "Danke für den Hinweis, daran hatte ich nicht gedacht.",
)
PATHS = {S.under_review: (S.under_review,), S.accepted: (S.under_review, S.accepted),
         S.rejected: (S.under_review, S.rejected),
         S.implemented: (S.under_review, S.accepted, S.implemented)}

# Building blocks of synthetic ideas: (field, measure, reason).
MEASURES = (
    (INF, "Freies WLAN", "Gäste und Jugendliche mit wenig Datenvolumen könnten dann überall online gehen."),
    (INF, "Glasfaseranschluss", "Homeoffice und Videotelefonie funktionieren nur mit schnellem Internet."),
    (INF, "Besserer Mobilfunkempfang", "Im Notfall muss man überall telefonieren können."),
    (BIL, "Tablets für den Unterricht", "Digitales Lernen darf nicht vom Geldbeutel der Eltern abhängen."),
    (BIL, "Programmierkurs für Kinder", "Wer früh programmieren lernt, versteht die digitale Welt besser."),
    (BIL, "Digitale Lernwerkstatt", "Jugendliche brauchen einen Ort zum Ausprobieren und Tüfteln."),
    (WIR, "Online-Schaufenster für Geschäfte", "So bleibt die Kaufkraft in der Stadt."),
    (WIR, "Co-Working-Arbeitsplätze", "Pendler könnten öfter vor Ort arbeiten und Staus vermeiden."),
    (WIR, "Digitale Gutscheinkarte", "Der lokale Handel würde davon direkt profitieren."),
    (TOU, "QR-Code-Infotafeln", "Gäste könnten die Geschichte unserer Stadt auf eigene Faust entdecken."),
    (TOU, "Digitaler Wanderführer", "Offline-Karten helfen dort, wo es keinen Empfang gibt."),
    (TOU, "Online-Buchung von Führungen", "Spontane Besucher finden bisher keine Angebote."),
    (SIL, "Smartphone-Kurs für Senioren", "Viele Ältere möchten mit ihren Enkeln per Video sprechen."),
    (SIL, "Digitale Nachbarschaftshilfe", "Hilfe beim Einkaufen wäre so schnell organisiert."),
    (SIL, "Telemedizin-Angebot", "Der Weg zur nächsten Arztpraxis ist für viele zu weit."),
    (VER, "Online-Terminbuchung", "Niemand müsste mehr lange im Flur warten."),
    (VER, "Digitale Antragstellung", "Papierformulare kosten alle Beteiligten viel Zeit."),
    (VER, "Livestream der Ausschusssitzungen", "Politik wird so für alle nachvollziehbar."),
    (DOR, "Sichere Radwege", "Mehr Menschen würden das Rad nehmen, wenn die Wege sicher sind."),
    (DOR, "Echtzeit-Anzeige für den Bus", "Man wüsste endlich, wann der nächste Bus wirklich kommt."),
    (DOR, "Smarte Straßenlaternen", "Gedimmte Laternen sparen Strom und schonen Insekten."),
    (DOR, "Car-Sharing-Station", "Viele Familien bräuchten dann kein Zweitauto mehr."),
    (ALL, "Digitale Pinnwand für Vereine", "Termine und Angebote wären an einem Ort zu finden."),
    (ALL, "App für den Müllkalender", "Eine Erinnerung am Vorabend verhindert volle Tonnen."),
    (ALL, "Online-Reservierung von Grillplätzen", "Reservieren ginge dann auch nach Feierabend."),
)
PLACES = ("in der Altstadt", "im Nordviertel", "am Bahnhof", "im Oberdorf", "im Unterdorf",
          "am Sonnenhang", "auf dem Marktplatz", "im Rathaus", "an der Grundschule",
          "an der Gesamtschule", "im Jugendzentrum", "in der Stadtbibliothek", "im Freibad",
          "im Gewerbegebiet", "am Seniorenzentrum", "an der Stadthalle")
GROUPS = ("Familien mit Kindern", "ältere Menschen", "Jugendliche", "Pendlerinnen und Pendler",
          "Gäste unserer Stadt", "Menschen mit Behinderung", "Vereine und Ehrenamtliche", "kleine Betriebe")
TITLES = ("{m} {o}", "Idee: {m} {o}", "{m} {o} – bitte prüfen")
BODIES = (
    "Mein Vorschlag: {m} {o}. {d}\n\nDavon würden besonders {g} profitieren.",
    "**{m} {o}**\n\nWarum das wichtig ist:\n\n- {d}\n- In anderen Städten klappt das schon gut.\n"
    "- Der Aufwand wäre überschaubar.\n\nIch helfe gern bei der Umsetzung.",
    "Unser Wunsch aus der Nachbarschaft: {m} {o}. {d} Vor allem {g} hätten etwas davon.",
    "{d}\n\nDeshalb schlage ich vor: {m} {o}. Ein kleiner Schritt, der für {g} viel bewirken kann.",
)
SYNTHETIC_ANSWERS = {
    S.accepted: "Das Projektteam hat den Vorschlag geprüft und empfiehlt die Umsetzung.",
    S.rejected: "Vielen Dank! Nach Prüfung können wir den Vorschlag leider **nicht** umsetzen.",
    S.implemented: "Umgesetzt! Vielen Dank für Ihre Idee.",
}
SYNTHETIC_STATUSES = ((S.published, 84), (S.under_review, 8), (S.accepted, 4), (S.rejected, 2),
                      (S.implemented, 2))


def has_data() -> bool:
    """True if the database holds any process (then the demo would clash or confuse)."""
    return db.session.scalar(select(Process.id).limit(1)) is not None


def seed(ideas=None, users=None, votes=None, comments=None, echo=print) -> str:
    """Load the Musterstadt demo (once), then optionally that many synthetic rows; a summary."""
    process = db.session.scalar(select(Process).where(Process.slug == SLUG))
    if process is None:
        echo("Loading the Musterstadt demo …")
        process = _seed_demo(random.Random(7), utcnow())  # reproducible demo data  # nosec B311
    else:
        echo("The Musterstadt demo exists already; not loaded again.")
    if any(n is not None for n in (ideas, users, votes, comments)):
        _seed_scale(process, ideas or 0, users or 0, votes or 0, comments or 0, echo)
    db.session.commit()
    return _summary()


# --- The demo, through the workflow -----------------------------------------------------

def _seed_demo(rng: random.Random, now) -> Process:
    """Process, accounts, ideas, supports, comments and decisions, then plausible times."""
    process = Process(
        title="Digitalstrategie Musterstadt", slug=SLUG, moderation_mode=ModerationMode.post,
        description="Wie soll Musterstadt in zehn Jahren digital aussehen? In der Digital-Werkstatt "
                    "sammeln wir Ihre Ideen – online, in der Bürgersprechstunde, an der Pinnwand im "
                    "Rathaus und in den Schulen. Unterstützen Sie die Vorschläge, die Ihnen wichtig "
                    "sind; das Projektteam prüft jede Idee und antwortet öffentlich.",
        ideas_from=now - timedelta(days=30), ideas_until=now + timedelta(days=60),
        support_from=now - timedelta(days=30), support_until=now + timedelta(days=60),
        support_quota=None, created_at=now - timedelta(days=45),
    )
    for i, (name, slug, description) in enumerate(FIELDS):
        process.action_fields.append(
            ActionField(name=name, slug=slug, description=description, colour=COLOURS[i], position=i))
    db.session.add(process)
    staff, citizens = _demo_users(rng, now)
    planned = _demo_ideas(process, staff, citizens, rng)
    for idea, status, supports in planned:
        if status != S.pending:
            voters = [c for c in citizens if c.id != idea.author_id]
            for user in rng.sample(voters, min(supports, len(voters))):
                voting.add_support(user, idea)
    _demo_comments(planned, staff, citizens, rng)
    for idea, status, _ in planned:
        if status == S.withdrawn:
            workflow.withdraw(idea, idea.author)
        for step in PATHS.get(status, ()):
            workflow.change_status(idea, step, staff["team"])
        if idea.title in ANSWERS:
            idea.answer_source = ANSWERS[idea.title]
            idea.answer_html = render_markdown(ANSWERS[idea.title])
    for idea, status, _ in planned:
        _backdate(idea, status, rng, now)
    _moderation_examples(planned, staff, citizens, rng)
    _demo_workshop(process, planned, now)
    db.session.commit()
    return process


def _demo_workshop(process, planned, now) -> None:
    """The Digital-Werkstatt, with its dots on the accepted ideas typed in as the team would."""
    from ideas import workshops
    from ideas.models import Workshop

    workshop = Workshop(process_id=process.id, name="Digital-Werkstatt in der Stadthalle",
                        held_on=(now - timedelta(days=12)).date(), place="Stadthalle Musterstadt",
                        participants=38, note="Jede Person hatte fünf Klebepunkte.")
    db.session.add(workshop)
    db.session.flush()
    chosen = [idea for idea, status, _ in planned if status in (S.accepted, S.implemented)]
    dots = (14, 11, 9, 7, 5, 3, 2, 1)
    lines = [workshops.Line(n, idea.reference, str(d))
             for n, (idea, d) in enumerate(zip(chosen, dots), start=1)]
    workshops.record(workshop, workshops.check_lines(process, lines))


def _moderation_examples(planned, staff, citizens, rng) -> None:
    """Something for every tab of the moderation queue: reports, a hidden comment, prepared answers."""
    public = [idea for idea, status, _ in planned if status == S.published]
    commented = [idea for idea in public if idea.comment_count >= 2]
    if len(commented) >= 2:
        first, second = (db.session.scalars(
            select(Comment).where(Comment.idea_id == idea.id).order_by(Comment.id)).first()
            for idea in commented[:2])
        reporters = [c for c in citizens if c.id not in (first.author_id, second.author_id)]
        for reporter, reason in zip(reporters[:2], (ReportReason.offensive, ReportReason.off_topic)):
            discussion.report(reporter, first.idea, reason, comment=first)
        for reporter in reporters[2:5]:  # reaches the threshold: hidden until a moderator decides
            discussion.report(reporter, second.idea, ReportReason.spam, comment=second)
    if public:
        discussion.report(citizens[-1], public[-1], ReportReason.personal_data,
                          note="Im Text steht die Handynummer eines Nachbarn.")
    waiting = [idea for idea in public if idea.action_field and idea.action_field.slug == "kommunale-verwaltung"]
    for idea in waiting[:3]:
        workflow.prepare_answer(idea, staff["team"], S.accepted, PREPARED_ANSWER.format(title=idea.title))


PREPARED_ANSWER = (
    "Vielen Dank für Ihren Vorschlag „{title}“. Der Hauptausschuss hat beschlossen, ihn in die "
    "Digitalstrategie aufzunehmen. Die Verwaltung legt bis zum Sommer einen Zeitplan vor."
)


def _user(email, name, role, pw_hash, created, age_group=None, district=None) -> User:
    """A verified account that has accepted the current terms and privacy notice."""
    cfg = current_app.config
    return User(email=email, display_name=name, role=role, password_hash=pw_hash,
                email_verified_at=created, age_group=age_group, district=district,
                terms_version=cfg["TERMS_VERSION"], terms_accepted_at=created,
                privacy_version=cfg["PRIVACY_VERSION"], privacy_accepted_at=created,
                locale="de", created_at=created)


def _email_local(first: str, initial: str) -> str:
    """'Ömer', 'Y.' -> 'oemer.y' (ASCII, as people spell their addresses)."""
    value = f"{first}.{initial[0]}".lower()
    for a, b in (("ä", "ae"), ("ö", "oe"), ("ü", "ue"), ("ß", "ss"), ("ş", "s")):
        value = value.replace(a, b)
    return value


def _demo_users(rng, now) -> tuple[dict, list]:
    """The four demo accounts plus the citizens; one password hash for all."""
    pw_hash = hash_password(PASSWORD)
    staff = {key: _user(email, name, role, pw_hash, now - timedelta(days=50),
                        A.age_45_59 if role == Role.citizen else None,
                        "Oberdorf" if role == Role.citizen else None)
             for key, email, role, name in STAFF}
    citizens = [staff["buerger"]] + [
        _user(f"{_email_local(first, initial)}@example.org", f"{first} {initial}", Role.citizen,
              pw_hash, now - timedelta(days=rng.uniform(31, 45)), age, DISTRICTS[district])
        for first, initial, age, district in CITIZENS
    ]
    db.session.add_all([*staff.values(), *citizens])
    db.session.flush()
    return staff, citizens


def _demo_ideas(process, staff, citizens, rng) -> list:
    """Submit every idea of IDEAS; returns (idea, target status, supports) triples."""
    planned = []
    for field, channel, status, supports, title, body in IDEAS:
        channel, status = Channel(channel), IdeaStatus(status)
        if channel == Channel.online:
            author = citizens[0] if title in BERND else rng.choice(citizens[1:])
            district, entered_by = author.district, None
        else:
            author, district, entered_by = None, rng.choice(DISTRICTS), staff["team"]
        if status == S.pending:  # held back as in a pre-moderated process
            process.moderation_mode = ModerationMode.pre
        idea = workflow.submit_idea(process, author, title, body, process.action_fields[field],
                                    district, channel, entered_by)
        process.moderation_mode = ModerationMode.post
        idea.analog_place = ANALOG_PLACES.get(channel)
        planned.append((idea, status, supports))
    return planned


def _demo_comments(planned, staff, citizens, rng, extra: int = 49) -> None:
    """The prepared threads, then `extra` everyday comments and replies on public ideas."""
    by_title = {idea.title: idea for idea, _, _ in planned}

    def write(idea, item, parent=None):
        who, body = item if isinstance(item, tuple) else (None, item)
        author = staff[who] if who else rng.choice([c for c in citizens if c.id != idea.author_id])
        return discussion.add_comment(author, idea, body, parent)

    for title, thread in THREADS.items():
        for first, *replies in thread:
            parent = write(by_title[title], first)
            for reply in replies:
                write(by_title[title], reply, parent)
    public = [(idea, supports) for idea, status, supports in planned
              if status not in (S.pending, S.withdrawn)]
    tops: dict[int, list] = {}
    for _ in range(extra):
        idea = rng.choices([i for i, _ in public], weights=[s + 2 for _, s in public])[0]
        if tops.get(idea.id) and rng.random() < 0.3:
            write(idea, rng.choice(REPLIES), rng.choice(tops[idea.id]))
        else:
            tops.setdefault(idea.id, []).append(write(idea, rng.choice(COMMENTS)))


def _backdate(idea: Idea, status: IdeaStatus, rng, now) -> None:
    """Spread an idea, its events, supports and comments over the last 30 days, in order."""
    days = rng.uniform(16, 29.5) if status in PATHS and status != S.under_review else (
        rng.uniform(8, 26) if status == S.under_review else rng.uniform(0.2, 29.5))
    created = now - timedelta(days=days)
    span = now - created
    events = db.session.scalars(select(ModerationEvent).where(ModerationEvent.idea_id == idea.id)
                                .order_by(ModerationEvent.id)).all()
    times = [created] + sorted(created + span * rng.uniform(0.35, 0.9) for _ in events[1:])
    for event, at in zip(events, times):
        event.created_at = at
    closed = times[-1] if not idea.is_open and len(times) > 1 else now
    vote_ids = db.session.scalars(select(Vote.id).where(Vote.idea_id == idea.id)).all()
    if vote_ids:
        db.session.execute(update(Vote), [
            {"id": v, "created_at": created + (closed - created) * rng.random()} for v in vote_ids])
    comments = db.session.scalars(select(Comment).where(Comment.idea_id == idea.id)
                                  .order_by(Comment.id)).all()
    for comment, at in zip(comments, sorted(created + span * rng.uniform(0.02, 0.98) for _ in comments)):
        comment.created_at = at
    decided = [e.created_at for e in events if e.to_status in workflow.DECISIONS]
    idea.created_at, idea.updated_at = created, times[-1]
    idea.published_at = next((e.created_at for e in events if e.to_status == S.published), None)
    idea.decided_at = decided[-1] if decided else None
    idea.answer_published_at = idea.decided_at if idea.answer_html else None
    if idea.analog_place:
        idea.analog_date = created - timedelta(hours=rng.uniform(4, 72))
    idea.reference = f"{created.year}-{idea.id:05d}"
    search.refresh(idea)
    idea.hot_score = workflow.hot_score(idea.support_count, created)


# --- Synthetic data, in bulk ---------------------------------------------------------------

class Plan(NamedTuple):
    id: int
    author_id: int | None
    channel: Channel
    field_id: int
    suggested_id: int
    district: str
    status: IdeaStatus
    created: object
    closed: object    # supports end here: the decision, or now
    decided: object
    texts: tuple      # indexes into MEASURES, PLACES, GROUPS, TITLES, BODIES


def _seed_scale(process, n_ideas, n_users, n_votes, n_comments, echo) -> None:
    """Add synthetic users, ideas, supports and comments with bulk inserts, chunk by chunk."""
    rng, now = random.Random(42), utcnow()  # reproducible demo data  # nosec B311
    team_id, pw_hash = db.session.execute(
        select(User.id, User.password_hash).where(User.email == "team@example.org")).one()
    field_ids = [f.id for f in process.action_fields]
    user_ids = _bulk_users(n_users, pw_hash, rng, now, echo)
    pool = user_ids or db.session.scalars(select(User.id).where(User.role == Role.citizen)).all()
    if (n_votes or n_comments) and not n_ideas:
        raise ValueError("Synthetic supports and comments need synthetic ideas (--ideas).")
    if n_votes > n_ideas * (len(pool) - 1):
        raise ValueError("Too many supports for so few ideas and people.")
    plans = _plan_ideas(n_ideas, pool, field_ids, rng, now)
    weights = [min(rng.lognormvariate(0, 1.3), 250) for _ in plans]  # a few popular ideas
    supports = _apportion(n_votes, weights, len(pool) - 1, rng)
    comments = _apportion(n_comments, [w * rng.uniform(0.5, 1.5) for w in weights], n_comments, rng)
    _insert(Idea, (_idea_row(p, s, c, process.id, team_id) for p, s, c in zip(plans, supports, comments)),
            "ideas", n_ideas, echo)
    _insert(ModerationEvent, chain.from_iterable(_event_rows(p, team_id) for p in plans),
            "moderation events", None, echo)
    _insert(Vote, _vote_rows(plans, supports, pool, rng), "supports", n_votes, echo)
    _insert(Comment, _comment_rows(plans, comments, pool, _reserve_ids(Comment, n_comments), rng, now),
            "comments", n_comments, echo)
    if db.session.get_bind().dialect.name == "postgresql":
        db.session.execute(text("ANALYZE"))


def _reserve_ids(model, n: int) -> int:
    """The first of n free ids; on PostgreSQL the sequence moves past them at once."""
    start = (db.session.scalar(select(func.max(model.id))) or 0) + 1
    if n and db.session.get_bind().dialect.name == "postgresql":
        table = model.__tablename__
        db.session.execute(text(f"SELECT setval(pg_get_serial_sequence('\"{table}\"', 'id'), :last)"),
                           {"last": start + n - 1})
    return start


def _insert(model, rows, label: str, total: int | None, echo) -> None:
    """Insert rows (dicts) in chunks of CHUNK, committing and reporting as it goes."""
    rows, done = iter(rows), 0
    while chunk := list(islice(rows, CHUNK)):
        db.session.execute(insert(model), chunk)
        db.session.commit()
        done += len(chunk)
        if done // 100_000 != (done - len(chunk)) // 100_000:
            echo(f"  {label}: {done:,}" + (f" of {total:,}" if total else ""))
    if done:
        echo(f"  {label}: {done:,} done")


def _bulk_users(n: int, pw_hash: str, rng, now, echo) -> list[int]:
    """n verified citizens user{id}@example.org sharing one password hash; their ids."""
    start, cfg = _reserve_ids(User, n), current_app.config
    firsts = [first for first, *_ in CITIZENS] + ["Maria", "Peter", "Laura", "Jonas", "Emma", "Ali"]

    def rows():
        for user_id in range(start, start + n):
            created = now - timedelta(days=rng.uniform(60, 90))
            yield {"id": user_id, "email": f"user{user_id}@example.org",
                   "display_name": f"{rng.choice(firsts)} {rng.choice(string.ascii_uppercase)}.",
                   "password_hash": pw_hash, "role": Role.citizen, "email_verified_at": created,
                   "age_group": rng.choice(list(AgeGroup)), "district": rng.choice(DISTRICTS),
                   "terms_version": cfg["TERMS_VERSION"], "terms_accepted_at": created,
                   "privacy_version": cfg["PRIVACY_VERSION"], "privacy_accepted_at": created,
                   "locale": "de", "session_token": secrets.token_urlsafe(24), "trusted": False,
                   "created_at": created}

    _insert(User, rows(), "users", n, echo)
    return list(range(start, start + n))


def _plan_ideas(n: int, pool: list[int], field_ids: list[int], rng, now) -> list[Plan]:
    """Who, where, when and in which status each synthetic idea is; texts as indexes."""
    start, plans = _reserve_ids(Idea, n), []
    statuses, status_weights = zip(*SYNTHETIC_STATUSES)
    for idea_id in range(start, start + n):
        measure = rng.randrange(len(MEASURES))
        channel = Channel.online if rng.random() < 0.9 else rng.choice(list(ANALOG_PLACES))
        status = rng.choices(statuses, status_weights)[0]
        created = now - timedelta(days=rng.uniform(0, 60))
        decided = created + (now - created) * rng.uniform(0.5, 0.9) if status in SYNTHETIC_ANSWERS else None
        field_id = field_ids[MEASURES[measure][0]]
        plans.append(Plan(
            idea_id, rng.choice(pool) if channel == Channel.online else None, channel, field_id,
            field_id if rng.random() < 0.9 else rng.choice(field_ids), rng.choice(DISTRICTS), status,
            created, decided or now, decided,
            (measure, rng.randrange(len(PLACES)), rng.randrange(len(GROUPS)),
             rng.randrange(len(TITLES)), rng.randrange(len(BODIES)))))
    return plans


def _apportion(total: int, weights: list[float], cap: int, rng) -> list[int]:
    """Split total into whole numbers proportional to weights (largest remainder), none above cap."""
    counts, remaining, open_ = [0] * len(weights), total, list(range(len(weights)))
    while remaining and open_:
        weight_sum = sum(weights[i] for i in open_)
        shares = {i: remaining * weights[i] / weight_sum for i in open_}
        for i, share in shares.items():
            counts[i] = min(cap, counts[i] + int(share))
        left = total - sum(counts)
        for i in sorted(open_, key=lambda i: shares[i] % 1, reverse=True)[:left]:
            if counts[i] < cap:
                counts[i] += 1
        remaining = total - sum(counts)  # only what caps cut off goes round again
        open_ = [i for i in open_ if counts[i] < cap]
    return counts


@lru_cache(maxsize=None)
def _stems(fragment: str) -> tuple:
    """search.stems of a text fragment, computed once per distinct fragment."""
    return tuple(search.stems(fragment))


@lru_cache(maxsize=None)
def _template(kind: str, index: int) -> tuple:
    """A title or body template: source, its HTML (rendered once) and its text parsed."""
    source = (TITLES if kind == "title" else BODIES)[index]
    rendered = render_markdown(source) if kind == "body" else source
    plain = html_to_text(rendered) if kind == "body" else source
    return source, rendered, tuple(string.Formatter().parse(plain))


def _idea_row(plan: Plan, supports: int, comments: int, process_id: int, team_id: int) -> dict:
    """One idea as a row; body_html and search_text exactly as submit_idea would make them.

    Rendering and stemming every row would take minutes, so templates are rendered once and
    stems are cached per fragment: stems() works word by word, so the result is the same.
    """
    measure, place, group, title_no, body_no = plan.texts
    values = {"m": MEASURES[measure][1], "o": PLACES[place], "d": MEASURES[measure][2], "g": GROUPS[group]}
    title_source, _, title_parts = _template("title", title_no)
    body_source, body_html, body_parts = _template("body", body_no)
    reference = f"{plan.created.year}-{plan.id:05d}"
    fragments = (f for literal, name, _, _ in (*title_parts, *body_parts)
                 for f in (literal, values.get(name, "")))
    words = dict.fromkeys(chain.from_iterable(_stems(f) for f in fragments if f))
    answer = SYNTHETIC_ANSWERS.get(plan.status)
    analog = plan.channel != Channel.online
    return {
        "id": plan.id, "reference": reference, "process_id": process_id,
        "title": title_source.format(**values), "body_source": body_source.format(**values),
        "body_html": body_html.format(**{k: html.escape(v, quote=False) for k, v in values.items()}),
        "search_text": " ".join([*words, _reference_words(reference)]), "author_id": plan.author_id,
        "channel": plan.channel, "suggested_field_id": plan.suggested_id, "action_field_id": plan.field_id,
        "district": plan.district, "status": plan.status,
        "answer_html": _rendered(answer) if answer else None, "answer_published_at": plan.decided,
        "entered_by_id": team_id if analog else None,
        "analog_date": plan.created - timedelta(days=1) if analog else None,
        "analog_place": ANALOG_PLACES.get(plan.channel), "support_count": supports,
        "comment_count": comments, "hot_score": workflow.hot_score(supports, plan.created),
        "created_at": plan.created, "updated_at": _event_rows(plan, team_id)[-1]["created_at"],
        "published_at": plan.created, "decided_at": plan.decided,
    }


def _reference_words(reference: str) -> str:
    """The part of search.index_text that comes from the reference (an idea without text)."""
    return search.index_text(SimpleNamespace(title="", body_html="", reference=reference))


@lru_cache(maxsize=None)
def _rendered(source: str) -> str:
    """render_markdown, once per distinct text."""
    return render_markdown(source)


def _event_rows(plan: Plan, team_id: int) -> list[dict]:
    """The status history of a synthetic idea: published, then the way to its status."""
    rows = [{"idea_id": plan.id, "actor_id": plan.author_id or team_id, "from_status": None,
             "to_status": S.published, "created_at": plan.created}]
    path = PATHS.get(plan.status, ())
    end = plan.decided or plan.created + (plan.closed - plan.created) * 0.6
    for k, step in enumerate(path, start=1):
        rows.append({"idea_id": plan.id, "actor_id": team_id, "from_status": rows[-1]["to_status"],
                     "to_status": step, "created_at": plan.created + (end - plan.created) * (k / len(path))})
    return rows


def _vote_rows(plans, supports, pool, rng):
    """Unique (person, idea) supports, never by the idea's author, before any decision."""
    for plan, k in zip(plans, supports):
        if k:
            chosen = [u for u in rng.sample(pool, min(k + 1, len(pool))) if u != plan.author_id][:k]
            span = plan.closed - plan.created
            for user_id in chosen:
                yield {"user_id": user_id, "idea_id": plan.id,
                       "created_at": plan.created + span * rng.random()}


def _comment_rows(plans, counts, pool, next_id: int, rng, now):
    """Comments in time order per idea; about a third are replies to an earlier comment."""
    for plan, k in zip(plans, counts):
        tops, span = [], now - plan.created
        for fraction in sorted(rng.random() for _ in range(k)):
            parent = rng.choice(tops) if tops and rng.random() < 0.33 else None
            yield {"id": next_id, "idea_id": plan.id, "author_id": rng.choice(pool), "parent_id": parent,
                   "body": rng.choice(REPLIES if parent else COMMENTS), "status": CommentStatus.visible,
                   "created_at": plan.created + span * (0.01 + 0.98 * fraction)}
            if parent is None:
                tops.append(next_id)
            next_id += 1


def _summary() -> str:
    """Counts and the demo accounts, for the developer who ran the command."""
    def count(model) -> int:
        return db.session.scalar(select(func.count()).select_from(model))

    lines = [
        f"Demo data: {count(Process)} process(es), {count(ActionField)} action fields, "
        f"{count(User):,} accounts, {count(Idea):,} ideas, {count(Vote):,} supports, "
        f"{count(Comment):,} comments.",
        f"Demo accounts (password for all: {PASSWORD}):",
    ]
    lines += [f"  {email:<26} {role.value:<10} {name}" for _, email, role, name in STAFF]
    lines.append("  … and citizens such as jana.k@example.org, oemer.y@example.org (same password).")
    return "\n".join(lines)
