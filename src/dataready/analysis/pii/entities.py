"""The PII entities dataready recognises and whether each is sensitive.

``Entity`` values are the tag names under the ``PII`` classification (``PII.Email`` …).  A
column carrying any applied *sensitive* entity also gets ``PII.Sensitive``; one carrying only
non-sensitive entities gets ``PII.NonSensitive``.

The mapping (documented here because users and stewards read it):

=================  ============  ===========================================================
Entity             Sensitive?    Why
=================  ============  ===========================================================
Email              sensitive     reaches a person directly
Phone              sensitive     reaches a person directly
PersonName         sensitive     names a person
FirstName          sensitive     part of a name; identifying with little else
LastName           sensitive     part of a name; identifying with little else
StreetAddress      sensitive     locates a person's home
DateOfBirth        sensitive     strong quasi-identifier, used in identity checks
NationalId         sensitive     government identifier (SSN, NINO, IdNr, NIR, DNI, BSN …)
Passport           sensitive     government identifier
CreditCard         sensitive     payment instrument (PCI DSS)
BankAccount        sensitive     payment instrument (IBAN, account numbers)
IpAddress          sensitive     online identifier (GDPR recital 30)
MacAddress         sensitive     device identifier (GDPR recital 30)
GeoCoordinates     sensitive     precise location
Username           sensitive     account identifier
Secret             sensitive     password, password hash, token or key
FreeText           sensitive     free text in which personal data was found
City               non-sensitive coarse location; a quasi-identifier only in combination
PostalCode         non-sensitive coarse location; a quasi-identifier only in combination
Country            non-sensitive coarse location
Gender             non-sensitive quasi-identifier
=================  ============  ===========================================================
"""

from __future__ import annotations

from enum import StrEnum


class Entity(StrEnum):
    """A kind of personal data; the value is the tag name under ``PII``."""

    EMAIL = "Email"
    PHONE = "Phone"
    PERSON_NAME = "PersonName"
    FIRST_NAME = "FirstName"
    LAST_NAME = "LastName"
    STREET_ADDRESS = "StreetAddress"
    CITY = "City"
    POSTAL_CODE = "PostalCode"
    COUNTRY = "Country"
    DATE_OF_BIRTH = "DateOfBirth"
    GENDER = "Gender"
    NATIONAL_ID = "NationalId"
    PASSPORT = "Passport"
    CREDIT_CARD = "CreditCard"
    BANK_ACCOUNT = "BankAccount"
    IP_ADDRESS = "IpAddress"
    MAC_ADDRESS = "MacAddress"
    GEO_COORDINATES = "GeoCoordinates"
    USERNAME = "Username"
    SECRET = "Secret"
    FREE_TEXT = "FreeText"

    @property
    def tag(self) -> str:
        """The fully qualified tag name, e.g. ``PII.Email``."""
        return f"{PII_CLASSIFICATION}.{self.value}"

    @property
    def sensitive(self) -> bool:
        """Whether the entity makes a column ``PII.Sensitive``."""
        return self not in NON_SENSITIVE


PII_CLASSIFICATION = "PII"
SENSITIVE_TAG = "PII.Sensitive"
NON_SENSITIVE_TAG = "PII.NonSensitive"

NON_SENSITIVE: frozenset[Entity] = frozenset(
    {Entity.CITY, Entity.POSTAL_CODE, Entity.COUNTRY, Entity.GENDER}
)

# Entities that compete for the same column: only the most confident of a group is applied
# (a column of "Mary Smith" is a full name, not also a first name and a username).
EXCLUSIVE_GROUPS: tuple[frozenset[Entity], ...] = (
    frozenset({Entity.PERSON_NAME, Entity.FIRST_NAME, Entity.LAST_NAME, Entity.USERNAME}),
    frozenset({Entity.STREET_ADDRESS, Entity.CITY, Entity.COUNTRY, Entity.POSTAL_CODE}),
    frozenset(
        {
            Entity.NATIONAL_ID,
            Entity.PASSPORT,
            Entity.CREDIT_CARD,
            Entity.BANK_ACCOUNT,
            Entity.PHONE,
        }
    ),
)
