"""Column-name evidence: split identifiers into tokens and match whole-token phrases.

``cust_email_addr``, ``EmailAddress``, ``e_mail``, ``EMAIL`` and ``email2`` all become token
lists (``["cust", "email", "addr"]`` …).  Each entity has phrases (token sequences that must
appear contiguously) with a strength, and a column whose tokens also hold a *negative* token
(``verified``, ``flag``, ``count``, ``id``, ``hash``, ``type``, ``date`` …) is vetoed for that
entity unless the token is part of the matched phrase (``birth_date``, ``national_id``,
``password_hash``).  Substrings never match: ``zip`` is not found in ``ship_mode``, nor
``tel`` in ``hotel``.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from dataready.analysis.pii.entities import Entity

STRONG = 1.0
WEAK = 0.6


def token_set(words: str) -> frozenset[str]:
    """A set of whitespace-separated words (vocabularies read better as prose)."""
    return frozenset(words.split())


_CAMEL = re.compile(r"[A-Z]+(?=[A-Z][a-z])|[A-Z]?[a-z]+|[A-Z]+|\d+")

# Single tokens that are really several words: expanded before matching.
COMPOUNDS: dict[str, tuple[str, ...]] = {
    "firstname": ("first", "name"),
    "lastname": ("last", "name"),
    "fullname": ("full", "name"),
    "givenname": ("given", "name"),
    "familyname": ("family", "name"),
    "middlename": ("middle", "name"),
    "maidenname": ("maiden", "name"),
    "username": ("user", "name"),
    "loginname": ("login", "name"),
    "screenname": ("screen", "name"),
    "displayname": ("display", "name"),
    "nickname": ("nick", "name"),
    "emailaddress": ("email", "address"),
    "mailaddress": ("mail", "address"),
    "zipcode": ("zip", "code"),
    "postcode": ("post", "code"),
    "postalcode": ("postal", "code"),
    "pincode": ("pin", "code"),
    "phonenumber": ("phone", "number"),
    "phoneno": ("phone", "no"),
    "cellphone": ("cell", "phone"),
    "mobilephone": ("mobile", "phone"),
    "birthdate": ("birth", "date"),
    "dateofbirth": ("date", "of", "birth"),
    "birthyear": ("birth", "year"),
    "ipaddress": ("ip", "address"),
    "ipaddr": ("ip", "addr"),
    "macaddress": ("mac", "address"),
    "streetaddress": ("street", "address"),
    "streetname": ("street", "name"),
    "cardnumber": ("card", "number"),
    "creditcard": ("credit", "card"),
    "accountnumber": ("account", "number"),
    "passportnumber": ("passport", "number"),
    "nationalid": ("national", "id"),
    "taxid": ("tax", "id"),
    "apikey": ("api", "key"),
    "accesstoken": ("access", "token"),
    "latlng": ("lat", "lng"),
    "latlon": ("lat", "lon"),
    "geolocation": ("geo", "location"),
    "homeaddress": ("home", "address"),
    "addressline": ("address", "line"),
}
# Abbreviations schemas use for words the phrases spell out.
ALIASES: dict[str, str] = {"nm": "name", "nbr": "number", "numb": "number"}
# Suffixes that mark a timestamp only at the end of a name (``created_at``, ``signup_on``):
# ``sex_at_birth`` is not a timestamp.
TRAILING_NEGATIVES: frozenset[str] = frozenset({"at", "on", "dt", "ts"})
# Adjacent tokens that are one word split by a separator (``e_mail``, ``e-mail``).
JOINS: dict[tuple[str, str], str] = {("e", "mail"): "email", ("tele", "phone"): "telephone"}


def split_identifier(name: str) -> tuple[str, ...]:
    """Lower-case whole tokens of an identifier, compounds expanded.

    >>> split_identifier("custEmailAddr2")
    ('cust', 'email', 'addr', '2')
    """
    raw = [ALIASES.get(t.lower(), t.lower()) for t in _CAMEL.findall(name)]
    joined: list[str] = []
    for token in raw:
        if joined and (joined[-1], token) in JOINS:
            joined[-1] = JOINS[(joined[-1], token)]
        else:
            joined.append(token)
    out: list[str] = []
    for token in joined:
        out.extend(COMPOUNDS.get(token, (token,)))
    return tuple(out)


# Tokens that, outside a matched phrase, mean the column is *about* the entity rather than
# holding it: a flag, a count, a key, a hash, a type, a date, a measure.
GLOBAL_NEGATIVES: frozenset[str] = token_set(
    """
    verified verification verify valid validated validation is has flag flg count cnt counts
    total sum avg mean min max qty quantity type types kind status level score rank ranking hash
    hashed md5 sha sha1 sha256 sha512 digest checksum encrypted enc encoded length len size
    format fmt enabled disabled opt optin optout consent bounced bounce confirmed domain provider
    template mask masked limit policy pattern regex category group label rule mode version id
    ids key pk fk uuid guid sk ref date time timestamp datetime created updated
    modified changed year years month week quarter duration days ratio rate pct percent share
    frequency freq visible visibility public required allowed index idx seq sequence
    code codes language locale lang timezone tz currency amount balance price cost fee
    """
)

# Qualifiers that make ``<q>_name`` a person's name (``customer_name``, ``holder_name``).
PERSON_QUALIFIERS: frozenset[str] = token_set(
    """
    full person customer cust client contact employee emp staff member patient student
    teacher author actor owner holder cardholder recipient sender beneficiary payee payer guest
    passenger driver applicant candidate manager parent guardian spouse billing shipping legal
    """
)
# Tables whose bare ``name`` column names a person.
PERSON_TABLES: frozenset[str] = token_set(
    """
    customer user person people employee staff member patient contact actor author student
    client guest passenger driver applicant candidate teacher subscriber
    """
)


@dataclass(frozen=True)
class NameRule:
    """Name evidence for one entity: phrases with strengths, extra negatives and allowances."""

    entity: Entity
    phrases: tuple[tuple[tuple[str, ...], float], ...]
    negatives: frozenset[str] = frozenset()
    allowed: frozenset[str] = frozenset()


def _rule(
    entity: Entity, strong: str, weak: str = "", negatives: str = "", allowed: str = ""
) -> NameRule:
    """Build a rule from space-separated phrases whose words are joined by ``+``."""
    phrases = [(tuple(p.split("+")), STRONG) for p in strong.split()]
    phrases += [(tuple(p.split("+")), WEAK) for p in weak.split()]
    return NameRule(
        entity, tuple(phrases), frozenset(negatives.split()), frozenset(allowed.split())
    )


_NOT_A_PERSON = (
    "product company file host table column brand business store shop org organisation "
    "organization department dept team project app application service server database db "
    "schema bank street city country state region district event campaign item model job "
    "role title course school venue hotel ship vendor supplier merchant partner tag initial"
)

NAME_RULES: tuple[NameRule, ...] = (
    _rule(
        Entity.EMAIL,
        "email e+mail mail+address email+address",
        "mail",
        "subject body sent campaign preference preferences opt server",
    ),
    _rule(
        Entity.PHONE,
        "phone telephone tel mobile fax msisdn cell+phone telefon telefono telefoon "
        "contact+number mobile+no",
        "cell handy whatsapp",
        "model brand make os carrier plan extension ext prefix country",
    ),
    _rule(
        Entity.PERSON_NAME,
        " ".join(f"{q}+name" for q in sorted(PERSON_QUALIFIERS)) + " naam",
        "",
        _NOT_A_PERSON,
    ),
    _rule(
        Entity.FIRST_NAME,
        "first+name given+name fname forename vorname prenom christian+name",
        "middle+name",
        _NOT_A_PERSON,
    ),
    _rule(
        Entity.LAST_NAME,
        "last+name surname family+name lname nachname apellido apellidos maiden+name",
        "",
        _NOT_A_PERSON,
    ),
    _rule(
        Entity.STREET_ADDRESS,
        "address addr street street+address address+line residence home+address "
        "mailing+address billing+address shipping+address strasse adresse direccion indirizzo",
        "house+number",
        "email mail ip mac web url wallet bitcoin btc eth crypto memory mem host server network "
        "net ipv4 ipv6 city country zip postal postcode state region district province",
    ),
    _rule(
        Entity.CITY,
        "city town municipality locality ciudad ville citta stadt",
        "",
        "size population tax limits",
    ),
    _rule(
        Entity.POSTAL_CODE,
        "postal+code post+code postcode zip zip+code plz postleitzahl cep codigo+postal "
        "code+postal postal",
        "pin+code",
        "",
        "code",
    ),
    _rule(
        Entity.COUNTRY,
        "country country+name nationality pais pays",
        "nation",
        "iso calling dial phone prefix alpha2 alpha3 iso2 iso3",
    ),
    _rule(
        Entity.DATE_OF_BIRTH,
        "birth birth+date date+of+birth birthday dob born born+on bday geburtsdatum birth+year "
        "year+of+birth yob fecha+nacimiento",
        "",
        "place city country weight order rate",
        "date year",
    ),
    _rule(Entity.GENDER, "gender sex geschlecht genero sexe", "", "offender ratio"),
    _rule(
        Entity.NATIONAL_ID,
        "ssn social+security national+id national+insurance nino nin tax+id itin idnr "
        "steuer+id nir insee dni nie nif codice+fiscale fiscal+code bsn aadhaar aadhar pesel "
        "cpf personnummer citizen+id government+id national+number identity+number id+card nhs "
        "medicare sin personal+identity+number hetu",
        "tin id+number personal+number",
        "country expiry expires issued issuer",
        "id code number no",
    ),
    _rule(
        Entity.PASSPORT,
        "passport",
        "",
        "country expiry expires issued issuer photo",
        "id no number nr num",
    ),
    _rule(
        Entity.CREDIT_CARD,
        "credit+card card+number card+no card+num cc+number ccn debit+card payment+card",
        "card pan",
        "limit brand expiry exp expiration holder name cvv cvc last four last4 bin iin "
        "fingerprint token reader game sim report gift loyalty wild",
    ),
    _rule(
        Entity.BANK_ACCOUNT,
        "iban bank+account account+number acct+number account+no acct+no bank+acct rekening "
        "konto kontonummer",
        "routing+number sort+code",
        "name manager owner holder",
        "code",
    ),
    _rule(
        Entity.IP_ADDRESS,
        "ip ip+address ip+addr ipv4 ipv6 client+ip remote+ip",
        "remote+addr",
        "range subnet netmask",
    ),
    _rule(Entity.MAC_ADDRESS, "mac+address hwaddr bssid", "mac", "os"),
    _rule(
        Entity.GEO_COORDINATES,
        "lat latitude lon lng longitude coordinates coords gps lat+lng lat+lon geo",
        "location geo+location",
        "accuracy precision name",
    ),
    _rule(
        Entity.USERNAME,
        "user+name login login+name screen+name handle user+login benutzername",
        "nick+name account+name display+name alias",
        "attempt attempts failed ip method",
    ),
    _rule(
        Entity.SECRET,
        "password passwd pwd secret api+key access+token refresh+token auth+token private+key "
        "secret+key passcode credential credentials client+secret passwort contrasena",
        "pass token pin salt",
        "expires expiry expiration length strength attempts rotation hint",
        "hash hashed digest encrypted enc key sha sha1 sha256 sha512 md5",
    ),
)


@dataclass(frozen=True)
class NameSignal:
    """The name evidence for one entity."""

    entity: Entity
    strength: float
    phrase: tuple[str, ...] = ()
    negated_by: str | None = None

    def as_evidence(self) -> dict[str, object]:
        out: dict[str, object] = {"tokens": list(self.phrase), "strength": self.strength}
        if self.negated_by:
            out["negated_by"] = self.negated_by
        return out


def _find(tokens: tuple[str, ...], phrase: tuple[str, ...]) -> bool:
    n = len(phrase)
    return any(tokens[i : i + n] == phrase for i in range(len(tokens) - n + 1))


def _table_is_personal(table_name: str) -> bool:
    return any(
        t.rstrip("s") in PERSON_TABLES or t in PERSON_TABLES for t in split_identifier(table_name)
    )


def name_signals(column: str, table: str = "") -> dict[Entity, NameSignal]:
    """Name evidence per entity for ``column`` in ``table`` (entities without any are absent)."""
    tokens = split_identifier(column)
    out: dict[Entity, NameSignal] = {}
    for rule in NAME_RULES:
        best: tuple[tuple[str, ...], float] | None = None
        for phrase, strength in rule.phrases:
            longer = best is None or (strength, len(phrase)) > (best[1], len(best[0]))
            if longer and _find(tokens, phrase):
                best = (phrase, strength)
        bare_name = "name" in tokens and all(t == "name" or t.isdigit() for t in tokens)
        if rule.entity is Entity.PERSON_NAME and best is None and bare_name:
            best = (("name",), 0.8) if _table_is_personal(table) else None
        if best is None:
            continue
        phrase, strength = best
        negatives = (GLOBAL_NEGATIVES - rule.allowed) | rule.negatives
        spoiler = next((t for t in tokens if t not in phrase and t in negatives), None)
        if spoiler is None and tokens[-1] in TRAILING_NEGATIVES and tokens[-1] not in phrase:
            spoiler = tokens[-1]
        out[rule.entity] = NameSignal(rule.entity, strength, phrase, spoiler)
    return out
