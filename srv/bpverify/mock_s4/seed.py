"""Seed data of the mocked S/4HANA: 28 business partners with addresses in 14 countries.

17100001-17100005 and their addresses are CAP's mock data for the contract (same values), so our
service answers exactly as the CAP reference does. Partners marked `# invalid` carry a postal code that
does not fit their country's format: the verification process must find them.
"""

from __future__ import annotations

# BusinessPartner, FullName/Name1 (or "First Last" for persons), Category, SearchTerm1, Blocked
PARTNERS: tuple[tuple[str, str, str, str, bool], ...] = (
    ("17100001", "Inlandskunde DE 1", "2", "DE1", False),
    ("17100002", "Inlandskunde DE 2", "2", "DE2", False),
    ("17100003", "Domestic US Customer 3", "2", "US3", False),
    ("17100004", "Anna Schmidt", "1", "SCHMIDT", False),
    ("17100005", "Blocked Supplier GmbH", "2", "BLOCKED", True),
    ("17100006", "Maschinenbau Rhein AG", "2", "RHEIN", False),
    ("17100007", "Ostsee Logistik GmbH", "2", "OSTSEE", False),
    ("17100008", "Lukas Weber", "1", "WEBER", False),
    ("17100009", "Pacific Trading Inc.", "2", "PACIFIC", False),
    ("17100010", "Great Lakes Supply LLC", "2", "LAKES", False),
    ("17100011", "Alpenblick Hotel GmbH", "2", "ALPEN", False),
    ("17100012", "Uhrwerk Genf SA", "2", "GENF", False),
    ("17100013", "Boulangerie du Marais SARL", "2", "MARAIS", False),
    ("17100014", "Claire Dubois", "1", "DUBOIS", False),
    ("17100015", "Thames Components Ltd", "2", "THAMES", False),
    ("17100016", "Highland Wool Ltd", "2", "HIGHLAND", False),
    ("17100017", "Officine Milano S.p.A.", "2", "MILANO", False),
    ("17100018", "Aceites del Sur S.L.", "2", "SUR", False),
    ("17100019", "Grachten Handel B.V.", "2", "GRACHTEN", False),
    ("17100020", "Wisła Meble Sp. z o.o.", "2", "WISLA", False),
    ("17100021", "Sakura Electronics K.K.", "2", "SAKURA", False),
    ("17100022", "Ganges Textiles Pvt Ltd", "2", "GANGES", False),
    ("17100023", "Café Paulista Ltda", "2", "PAULISTA", False),
    ("17100024", "Maple Leaf Foods Corp", "2", "MAPLE", True),
    ("17100025", "Southern Cross Mining Pty", "2", "SOUTHERN", False),
    ("17100026", "Jonas Berg", "1", "BERG", False),
    ("17100027", "Nordlicht Energie GmbH", "2", "NORDLICHT", False),
    ("17100028", "Sunset Boulevard Studios", "2", "SUNSET", False),
)

# BusinessPartner, AddressID, Country, CityName, StreetName, HouseNumber, PostalCode, ValidityStartDate
ADDRESSES: tuple[tuple[str, str, str, str, str, str, str, str], ...] = (
    ("17100001", "124462", "DE", "Walldorf", "Dietmar-Hopp-Allee 16", "", "69190", "2020-01-01T00:00:00Z"),
    ("17100002", "124463", "DE", "Berlin", "Unter den Linden 1", "", "10117", "2020-01-01T00:00:00Z"),
    ("17100003", "124464", "US", "Palo Alto", "3410 Hillview Ave", "", "94304", "2020-01-01T00:00:00Z"),
    ("17100003", "124465", "US", "New York", "350 5th Ave", "", "10118", "2021-06-01T00:00:00Z"),
    ("17100004", "124466", "AT", "Wien", "Stephansplatz 1", "", "1010", "2020-01-01T00:00:00Z"),
    ("17100005", "124467", "CH", "Zuerich", "Bahnhofstrasse 1", "", "8001", "2020-01-01T00:00:00Z"),
    ("17100006", "124468", "DE", "Köln", "Rheinuferstraße", "12", "50667", "2020-03-01T00:00:00Z"),
    ("17100007", "124469", "DE", "Rostock", "Am Strande", "3", "1805", "2020-03-01T00:00:00Z"),  # invalid
    ("17100008", "124470", "DE", "München", "Leopoldstraße", "40", "80802", "2021-01-01T00:00:00Z"),
    ("17100008", "124471", "DE", "Hamburg", "Jungfernstieg", "7", "2O354", "2022-01-01T00:00:00Z"),  # invalid
    ("17100009", "124472", "US", "Seattle", "Pike Street", "1501", "98101", "2020-05-01T00:00:00Z"),
    ("17100010", "124473", "US", "Chicago", "N Michigan Ave", "875", "6061", "2020-05-01T00:00:00Z"),  # invalid
    ("17100011", "124474", "AT", "Innsbruck", "Maria-Theresien-Straße", "18", "6020", "2020-06-01T00:00:00Z"),
    ("17100012", "124475", "CH", "Genève", "Rue du Rhône", "62", "1204", "2020-06-01T00:00:00Z"),
    ("17100013", "124476", "FR", "Paris", "Rue des Rosiers", "27", "75004", "2020-07-01T00:00:00Z"),
    ("17100014", "124477", "FR", "Lyon", "Rue de la République", "5", "6900", "2021-07-01T00:00:00Z"),  # invalid
    ("17100015", "124478", "GB", "London", "Bankside", "20", "SE1 9TG", "2020-08-01T00:00:00Z"),
    ("17100016", "124479", "GB", "Inverness", "High Street", "4", "IV99 ZZZ", "2020-08-01T00:00:00Z"),  # invalid
    ("17100017", "124480", "IT", "Milano", "Via Montenapoleone", "8", "20121", "2020-09-01T00:00:00Z"),
    ("17100018", "124481", "ES", "Sevilla", "Calle Sierpes", "15", "41004", "2020-09-01T00:00:00Z"),
    ("17100019", "124482", "NL", "Amsterdam", "Herengracht", "182", "1016 BR", "2020-10-01T00:00:00Z"),
    ("17100020", "124483", "PL", "Warszawa", "Nowy Świat", "22", "00-373", "2020-10-01T00:00:00Z"),
    ("17100021", "124484", "JP", "Tokyo", "Ginza", "4-6-16", "104-0061", "2020-11-01T00:00:00Z"),
    ("17100022", "124485", "IN", "Mumbai", "Marine Drive", "3", "4000", "2020-11-01T00:00:00Z"),  # invalid
    ("17100023", "124486", "BR", "São Paulo", "Avenida Paulista", "1578", "01310-200", "2020-12-01T00:00:00Z"),
    ("17100024", "124487", "CA", "Toronto", "King St W", "100", "M5X 1A9", "2020-12-01T00:00:00Z"),
    ("17100025", "124488", "AU", "Perth", "St Georges Terrace", "240", "6000", "2021-02-01T00:00:00Z"),
    ("17100026", "124489", "AT", "Graz", "Herrengasse", "16", "80100", "2021-02-01T00:00:00Z"),  # invalid
    ("17100027", "124490", "DE", "Kiel", "Holstenstraße", "1", "24103", "2021-03-01T00:00:00Z"),
    ("17100028", "124491", "US", "Los Angeles", "Sunset Blvd", "8000", "", "2021-03-01T00:00:00Z"),  # missing
)

VALIDITY_END = "9999-12-31T23:59:59Z"
