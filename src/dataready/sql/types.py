"""Normalise declared column types to a small set of type families.

Engines spell the same idea many ways (``character varying(20)``, ``VARCHAR2``, ``STRING``,
``nvarchar(max)``); profilers and rule suggesters only need to know the family. The mapping
is pure: it reads the declared type text (as the catalog reports it) and, optionally, the
dialect name for the few spellings whose meaning depends on the engine (MySQL's
``tinyint(1)`` is a boolean; SQLite falls back to its column-affinity rules).
"""

from __future__ import annotations

import re
from enum import StrEnum


class TypeFamily(StrEnum):
    """The coarse type of a column, shared by every engine."""

    INTEGER = "integer"
    DECIMAL = "decimal"
    FLOAT = "float"
    BOOLEAN = "boolean"
    STRING = "string"
    BINARY = "binary"
    DATE = "date"
    TIME = "time"
    TIMESTAMP = "timestamp"
    JSON = "json"
    UUID = "uuid"
    ARRAY = "array"
    INTERVAL = "interval"
    RANGE = "range"
    """PostgreSQL range types (``int4range``, ``tstzrange``, ...)."""
    STRUCT = "struct"
    """Named fields per value (DuckDB ``STRUCT``)."""
    OTHER = "other"


_F = TypeFamily

# Base type name (lower case, without arguments) -> family.
_BY_NAME: dict[str, TypeFamily] = {
    **dict.fromkeys(
        [
            "int",
            "integer",
            "int2",
            "int4",
            "int8",
            "int16",
            "int32",
            "int64",
            "int128",
            "smallint",
            "bigint",
            "tinyint",
            "mediumint",
            "hugeint",
            "uhugeint",
            "utinyint",
            "usmallint",
            "uinteger",
            "ubigint",
            "serial",
            "smallserial",
            "bigserial",
            "serial2",
            "serial4",
            "serial8",
            "oid",
            "xid",
            "cid",
            "year",
            "byteint",
            "long",
            "short",
            "signed",
            "unsigned",
            "varint",
        ],
        _F.INTEGER,
    ),
    **dict.fromkeys(
        [
            "numeric",
            "decimal",
            "dec",
            "money",
            "smallmoney",
            "bignumeric",
            "bigdecimal",
            "number",
            "fixed",
        ],
        _F.DECIMAL,
    ),
    **dict.fromkeys(
        [
            "float",
            "float4",
            "float8",
            "float32",
            "float64",
            "real",
            "double",
            "double precision",
            "binary_float",
            "binary_double",
        ],
        _F.FLOAT,
    ),
    **dict.fromkeys(["bool", "boolean", "logical"], _F.BOOLEAN),
    **dict.fromkeys(
        [
            "char",
            "character",
            "varchar",
            "character varying",
            "nchar",
            "nvarchar",
            "national character",
            "national char",
            "national character varying",
            "national varchar",
            "varchar2",
            "nvarchar2",
            "text",
            "tinytext",
            "mediumtext",
            "longtext",
            "ntext",
            "clob",
            "nclob",
            "string",
            "bpchar",
            "name",
            "citext",
            "enum",
            "set",
            "long varchar",
            "sysname",
            "uniqueidentifierstr",
            '"char"',
            "xml",
            "inet",
            "cidr",
            "macaddr",
            "macaddr8",
            "tsvector",
            "tsquery",
        ],
        _F.STRING,
    ),
    **dict.fromkeys(
        [
            "blob",
            "tinyblob",
            "mediumblob",
            "longblob",
            "binary",
            "varbinary",
            "bytea",
            "bytes",
            "raw",
            "long raw",
            "image",
            "bit varying",
            "varbit",
            "bitstring",
            "binary varying",
            "binary large object",
        ],
        _F.BINARY,
    ),
    "date": _F.DATE,
    **dict.fromkeys(["time", "timetz", "time with time zone", "time without time zone"], _F.TIME),
    **dict.fromkeys(
        [
            "timestamp",
            "timestamptz",
            "timestamp with time zone",
            "timestamp without time zone",
            "timestamp with local time zone",
            "datetime",
            "datetime2",
            "datetimeoffset",
            "smalldatetime",
            "timestamp_ntz",
            "timestamp_ltz",
            "timestamp_tz",
            "timestamp_s",
            "timestamp_ms",
            "timestamp_ns",
            "timestamp_us",
        ],
        _F.TIMESTAMP,
    ),
    **dict.fromkeys(["json", "jsonb", "variant", "object", "super"], _F.JSON),
    **dict.fromkeys(["uuid", "uniqueidentifier"], _F.UUID),
    **dict.fromkeys(["array", "list"], _F.ARRAY),
    "interval": _F.INTERVAL,
}

# PostgreSQL spellings that mean something else elsewhere (MySQL ``bit(1)`` is a flag).
_POSTGRES: dict[str, TypeFamily] = {
    **dict.fromkeys(["bit", "bit varying", "varbit"], _F.STRING),  # bit strings: '0101'
    # geometric types have no equality operator: profiled as their text
    **dict.fromkeys(["point", "line", "lseg", "box", "path", "polygon", "circle"], _F.STRING),
    **dict.fromkeys(
        ["int4range", "int8range", "numrange", "tsrange", "tstzrange", "daterange"], _F.RANGE
    ),
}

_ARGS = re.compile(r"\([^()]*\)")
_SPACES = re.compile(r"\s+")
_MYSQL_BOOL = re.compile(r"^tinyint\s*\(\s*1\s*\)")
_NUMBER_SCALE_ZERO = re.compile(r"^number\s*\(\s*\d+\s*(,\s*0\s*)?\)$")


def _base_name(declared: str) -> str:
    """Lower-case the type, drop arguments and modifiers such as ``unsigned``."""
    text = _SPACES.sub(" ", declared.strip().lower())
    while True:
        stripped = _ARGS.sub("", text)
        if stripped == text:
            break
        text = stripped
    for modifier in (" unsigned", " signed", " zerofill", " not null", " null"):
        text = text.replace(modifier, "")
    return text.strip().strip(" ")


def _sqlite_affinity(declared: str) -> TypeFamily:
    """SQLite's column-affinity rules (https://sqlite.org/datatype3.html, 3.1)."""
    upper = declared.upper()
    if "INT" in upper:
        return _F.INTEGER
    if any(s in upper for s in ("CHAR", "CLOB", "TEXT")):
        return _F.STRING
    if "BLOB" in upper:
        return _F.BINARY
    if not upper.strip():
        return _F.OTHER
    if any(s in upper for s in ("REAL", "FLOA", "DOUB")):
        return _F.FLOAT
    return _F.DECIMAL


def type_family(declared: str | None, dialect: str | None = None) -> TypeFamily:
    """The family of a declared type.

    Args:
        declared: the type as the catalog spells it, e.g. ``character varying(20)``,
            ``int(11) unsigned``, ``INTEGER[]``, ``STRUCT(a INTEGER)``.
        dialect: the SQLAlchemy dialect name (``postgresql``, ``mysql``, ``sqlite``,
            ``duckdb``, ``snowflake``, ...) for engine-specific spellings.

    Returns:
        The family; ``TypeFamily.OTHER`` for types outside the list (geometry, struct, map).
    """
    if declared is None:
        return _F.OTHER
    text = _SPACES.sub(" ", declared.strip().lower())
    if not text:
        return _F.OTHER
    if text.endswith("]") or (text.startswith("_") and dialect == "postgresql"):
        return _F.ARRAY  # INTEGER[], text[][], INTEGER[3], pg's _int4 udt names
    if text.startswith(("array<", "array(", "array ")):
        return _F.ARRAY
    if text.startswith(("struct(", "struct<")) and dialect == "duckdb":
        return _F.STRUCT
    if text.startswith(("struct", "row(", "row ", "map(", "map<", "union(", "record")):
        return _F.OTHER
    if text.startswith("interval"):
        return _F.INTERVAL
    if dialect in ("mysql", "mariadb") and _MYSQL_BOOL.match(text):
        return _F.BOOLEAN
    if _NUMBER_SCALE_ZERO.match(text):
        return _F.INTEGER  # Snowflake/Oracle NUMBER(p) or NUMBER(p, 0)
    if dialect == "postgresql" and _base_name(text) in _POSTGRES:
        return _POSTGRES[_base_name(text)]
    if text in ("bit", "bit(1)"):
        return _F.BOOLEAN  # MySQL/SQL Server flags; a one-bit string elsewhere
    name = _base_name(text)
    family = _BY_NAME.get(name)
    if family is not None:
        return family
    if name.startswith(("timestamp", "datetime")):
        return _F.TIMESTAMP
    if name.startswith("time"):
        return _F.TIME
    if dialect == "sqlite":
        return _sqlite_affinity(declared)
    return _F.OTHER
