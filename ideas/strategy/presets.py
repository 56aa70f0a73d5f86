"""Ready-made sets of action fields a new process can start with (the town's content, in German)."""
from flask_babel import lazy_gettext as _l

from ideas.models import COLOURS, ActionField

DIGITAL_WORKSHOP = [
    ("Digitale Infrastruktur", "Schnelles Netz, offenes WLAN und verlässliche Technik für alle Ortsteile.",
     ["Glasfaser bis in jeden Ortsteil", "Freies WLAN an öffentlichen Orten"]),
    ("Bildung und Jugend", "Digitale Bildung in Kita, Schule und Freizeit für alle jungen Menschen.",
     ["Jede Schule digital gut ausgestattet", "Medienkompetenz für Kinder und Jugendliche stärken"]),
    ("Kommunale Wirtschaft", "Unterstützung für Handel, Handwerk und Gewerbe im digitalen Wandel.",
     ["Lokale Händler online sichtbar machen", "Gründungen mit digitalen Angeboten fördern"]),
    ("Tourismus", "Gäste finden digital zu Angeboten, Wegen und Erlebnissen vor Ort.",
     ["Touristische Angebote digital buchbar machen", "Digitale Gästeinformation ausbauen"]),
    ("Silberne Gesellschaft", "Ältere Menschen nutzen digitale Angebote sicher und selbstbestimmt.",
     ["Digitale Sprechstunden für Seniorinnen und Senioren", "Barrierearme digitale Angebote"]),
    ("Kommunale Verwaltung", "Eine moderne Verwaltung, die digital, schnell und verständlich arbeitet.",
     ["Anträge vollständig online stellen", "Interne Abläufe papierlos gestalten"]),
    ("Dorf- und Stadtentwicklung", "Digitale Werkzeuge für lebendige Ortskerne und gute Planung.",
     ["Bürgerbeteiligung an Planungen digital ermöglichen", "Leerstand digital erfassen und vermitteln"]),
    ("Alltagsleben", "Digitale Angebote, die den Alltag der Menschen vor Ort erleichtern.",
     ["Vereine und Ehrenamt digital vernetzen", "Mobilitätsangebote einfach finden"]),
]

CITY_STRATEGY = [
    ("Infrastruktur und Standortentwicklung", "Digitale Netze und Standortqualität für Wohnen und Arbeiten.",
     ["Flächendeckendes Glasfasernetz", "Attraktiver digitaler Wirtschaftsstandort"]),
    ("Nachhaltigkeit und Mobilität", "Digitale Lösungen für Klimaschutz und bequeme Mobilität.",
     ["Mobilitätsangebote in einer App bündeln", "Energieverbrauch städtischer Gebäude digital steuern"]),
    ("Bildung/Kultur/Ehrenamt", "Digitale Teilhabe an Bildung, Kultur und ehrenamtlichem Engagement.",
     ["Digitale Lernorte in Bibliotheken", "Ehrenamtliche digital unterstützen"]),
    ("Digitaler Kulturwandel in der Verwaltung",
     "Eine Verwaltung, die digitale Arbeit lebt und Mitarbeitende mitnimmt.",
     ["Fortbildungen zu digitalem Arbeiten für alle Mitarbeitenden", "Neue Arbeitsweisen erproben"]),
    ("Digitale Bürgerdienste", "Verwaltungsleistungen einfach, sicher und rund um die Uhr online nutzen.",
     ["Die wichtigsten Leistungen online anbieten", "Termine im Bürgerbüro online buchen"]),
]

PRESETS = {
    "workshop": (_l("Digital-Werkstatt (8 fields)"), DIGITAL_WORKSHOP),
    "city": (_l("City strategy (5 fields)"), CITY_STRATEGY),
}
CHOICES = [("none", _l("None"))] + [(key, label) for key, (label, _fields) in PRESETS.items()]


def build_fields(preset: str) -> list[ActionField]:
    """The preset's action fields in order, ready to append to a new process."""
    if preset not in PRESETS:
        return []
    from ideas.strategy.forms import slugify
    return [
        ActionField(name=name, slug=slugify(name), description=description, goals=list(goals),
                    colour=COLOURS[i % len(COLOURS)], position=i)
        for i, (name, description, goals) in enumerate(PRESETS[preset][1])
    ]
