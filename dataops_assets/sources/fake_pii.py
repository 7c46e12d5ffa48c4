"""Built-in word lists for fake personal data (names, addresses, email domains).

Everything here is invented or generic; no Faker dependency. Accented names are kept on
purpose (they exercise unicode handling); emails are built from an ASCII-folded form.
"""

from __future__ import annotations

FIRST_NAMES: tuple[str, ...] = tuple(dict.fromkeys(
    """
    James Mary Robert Patricia John Jennifer Michael Linda David Elizabeth William Barbara
    Richard Susan Joseph Jessica Thomas Sarah Charles Karen Christopher Lisa Daniel Nancy
    Matthew Betty Anthony Margaret Mark Sandra Donald Ashley Steven Kimberly Paul Emily
    Andrew Donna Joshua Michelle Kenneth Carol Kevin Amanda Brian Melissa George Deborah
    Timothy Stephanie Ronald Rebecca Jason Sharon Edward Laura Jeffrey Cynthia Ryan Amy
    Jacob Angela Gary Helen Nicholas Anna Eric Brenda Jonathan Pamela Stephen Nicole Larry
    Emma Justin Samantha Scott Katherine Brandon Christine Benjamin Debra Samuel Rachel
    Oliver Olivia Harry Amelia Jack Isla Noah Ava Leo Mia Lukas Hannah Felix Lena Jonas
    Marie Maximilian Sophie Paul Lea Léa Louis Chloé Hugo Manon Jules Camille Gabriel Inès
    Arthur Zoë Lucas Jade Hiroshi Yuki Haruto Sakura Sota Aoi Ren Hina Kenji Yui Liam
    Charlotte Ethan Grace Mason Chloe Logan Ruby Aiden Matilda Cooper Ella Björn Jürgen
    """.split())
)

LAST_NAMES: tuple[str, ...] = tuple(dict.fromkeys(
    """
    Smith Johnson Williams Brown Jones Garcia Miller Davis Rodriguez Martinez Hernandez
    Lopez Gonzalez Wilson Anderson Thomas Taylor Moore Jackson Martin Lee Perez Thompson
    White Harris Sanchez Clark Ramirez Lewis Robinson Walker Young Allen King Wright Scott
    Torres Nguyen Hill Flores Green Adams Nelson Baker Hall Rivera Campbell Mitchell Carter
    Roberts Evans Turner Phillips Parker Collins Edwards Stewart Morris Murphy Cook Rogers
    Morgan Cooper Peterson Reed Bailey Bell Kelly Howard Ward Cox Richardson Wood Watson
    Brooks Bennett Gray Hughes Price Sanders Patel Singh Chen Wang Müller Schmidt Schneider
    Fischer Weber Meyer Wagner Becker Schulz Hoffmann Koch Richter Klein Wolf Schröder
    Martin Bernard Dubois Thomas Robert Richard Petit Durand Leroy Moreau Simon Laurent
    Lefèvre Michel Fournier Girard Bonnet Dupont Lambert Fontaine Rousseau Sato Suzuki
    Takahashi Tanaka Watanabe Ito Yamamoto Nakamura Kobayashi Kato Yoshida Yamada MacDonald
    Campbell Stewart Thomson Wilson Murray Fraser Byrne Ryan OConnor Walsh Kowalski Novak
    """.split())
)

EMAIL_DOMAINS: tuple[str, ...] = (
    "example.com", "example.org", "example.net", "mail.example.com", "inbox.example.org",
    "post.example.net", "webmail.example.com", "customers.example.org",
)

# Street names per country; the address format around them is country-specific (see SQL).
STREETS: dict[str, tuple[str, ...]] = {
    "US": (
        "Maple Avenue", "Oak Street", "Pine Street", "Cedar Lane", "Elm Street", "Washington Avenue",
        "Lake Drive", "Hillside Road", "Park Avenue", "Sunset Boulevard", "Main Street",
        "Highland Avenue", "River Road", "Church Street", "Walnut Street", "Meadow Lane",
        "Franklin Avenue", "Jefferson Street", "Willow Way", "Spring Street",
    ),
    "CA": (
        "King Street", "Queen Street", "Yonge Street", "Maple Crescent", "Dundas Street",
        "Bloor Street", "Wellington Street", "Rue Sainte-Catherine", "Granville Street",
        "Jasper Avenue", "Portage Avenue", "Elgin Street", "Lakeshore Road", "Birch Drive",
    ),
    "UK": (
        "High Street", "Station Road", "Church Lane", "Victoria Road", "Green Lane", "Manor Road",
        "Park Road", "Kings Road", "Queens Road", "Mill Lane", "The Crescent", "London Road",
        "York Road", "Chapel Street", "Baker Street", "Windsor Close",
    ),
    "DE": (
        "Hauptstraße", "Bahnhofstraße", "Schulstraße", "Gartenstraße", "Dorfstraße",
        "Bergstraße", "Lindenstraße", "Kirchstraße", "Waldweg", "Goethestraße", "Schillerstraße",
        "Am Markt", "Mozartstraße", "Rosenweg", "Friedrichstraße",
    ),
    "FR": (
        "rue de la Paix", "avenue Victor Hugo", "rue du Moulin", "boulevard Voltaire",
        "rue de l'Église", "place de la République", "rue Pasteur", "avenue Jean Jaurès",
        "rue des Écoles", "rue de la Gare", "chemin des Vignes", "rue Nationale",
        "allée des Tilleuls", "quai de Seine",
    ),
    "AU": (
        "George Street", "Pitt Street", "Collins Street", "Bourke Street", "Queen Street",
        "Beach Road", "Ocean Parade", "Wattle Avenue", "Gum Tree Lane", "Harbour Street",
        "Bay Road", "Eucalyptus Drive", "Kings Way", "Station Street",
    ),
    "JP": (
        "Shibuya", "Shinjuku", "Minato", "Chiyoda", "Meguro", "Setagaya", "Nakano", "Taito",
        "Kita", "Chuo", "Naka", "Higashiyama", "Sakyo", "Tenjin",
    ),
}

CITIES: dict[str, tuple[str, ...]] = {
    "US": (
        "New York", "Los Angeles", "Chicago", "Houston", "Phoenix", "Philadelphia", "San Antonio",
        "San Diego", "Dallas", "Austin", "Seattle", "Denver", "Boston", "Atlanta", "Portland",
    ),
    "CA": ("Toronto", "Montreal", "Vancouver", "Calgary", "Ottawa", "Edmonton", "Winnipeg", "Halifax"),
    "UK": ("London", "Manchester", "Birmingham", "Leeds", "Glasgow", "Edinburgh", "Bristol", "Liverpool"),
    "DE": ("Berlin", "Hamburg", "München", "Köln", "Frankfurt am Main", "Stuttgart", "Düsseldorf", "Leipzig"),
    "FR": ("Paris", "Lyon", "Marseille", "Toulouse", "Nice", "Nantes", "Strasbourg", "Bordeaux", "Lille"),
    "AU": ("Sydney", "Melbourne", "Brisbane", "Perth", "Adelaide", "Canberra", "Hobart"),
    "JP": ("Tokyo", "Osaka", "Yokohama", "Nagoya", "Sapporo", "Fukuoka", "Kyoto", "Kobe"),
}

# Share of customers per country (US most common); order matches landing_tables.COUNTRIES.
COUNTRY_WEIGHTS: dict[str, float] = {
    "US": 0.42, "CA": 0.08, "UK": 0.14, "DE": 0.11, "FR": 0.09, "AU": 0.08, "JP": 0.08,
}
