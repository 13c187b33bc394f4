"""How each engine spells the profiling SQL, and what it may be asked.

:class:`ProfileDialect` carries a connector's capability flags into the pure SQL layer;
:func:`spelling` holds the per-dialect syntax (length, trim, hashing, "now", counting with
a filter) keyed by the SQLAlchemy dialect name, ANSI for engines it does not know.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from dataready.sql.quoting import quote_identifier


@dataclass(frozen=True, slots=True)
class Spelling:
    length: str
    """Character length of ``{c}``."""
    blank: str
    """True when non-empty text ``{c}`` holds only spaces, tabs and line breaks."""
    hash: str | None
    """An integer hash of ``{c}``; ``None``: no hash-sampled distinct."""
    random_below: str | None
    """True for a fraction ``{p}`` of rows; ``None``: no random filter."""
    now_date: str
    now_timestamp: str
    now_timestamp_tz: str
    stddev: str | None
    """Sample standard deviation of ``{c}``; ``None``: computed from a sum of squares."""
    to_text: str = "CAST({c} AS TEXT)"
    sum_squares: str = "SUM({c} * {c})"
    distinct_text: str = "{c}"
    """The operand of COUNT(DISTINCT) for text: byte equality, whatever the collation."""
    float_special: str | None = None
    """``{c}`` compared to ``{v}`` (NaN, Infinity or -Infinity); ``None``: none stored."""
    special_literals: tuple[str, str, str] = ("'NaN'", "'Infinity'", "'-Infinity'")
    count_if: str = "SUM(CASE WHEN {cond} THEN 1 ELSE 0 END)"
    fence: str = ""
    """Appended to the per-row subquery so the planner evaluates its expressions once."""
    typed_hash: tuple[tuple[str, str], ...] = ()
    """(type prefix, hash) pairs tried before ``hash``: cheaper than hashing text."""
    samples_views: bool = False
    """The sampling clause applies to views too (else: tables only)."""
    random_order: str | None = None
    """A random number per row, to ``ORDER BY`` for a random cap; ``None``: no random cap."""
    count_sized_below: str | None = None
    """True for about ``{rows}`` rows of ``{table}``, the share computed in the statement from
    its ``COUNT(*)``; only where counting is cheap and there is no row estimate (SQLite walks
    the b-tree without decoding rows). ``None``: no such filter."""
    array_length: str | None = None
    """Elements of array ``{c}`` (0 for an empty one); ``None``: no arrays, only nulls."""
    range_bounds: tuple[str, str, str] | None = None
    """Lower bound, upper bound, and "is empty" of range ``{c}``; ``None``: no ranges."""
    no_equality: tuple[str, ...] = ()
    """Declared types without an equality operator: distinct counts compare their text."""
    text_hash_key: str | None = None
    """A 64-bit hash of text ``{c}`` (byte equality) that a hash-sampled distinct count both
    samples on and counts, instead of the text itself: sorting integers is cheaper than
    sorting text, and two of ``n`` distinct values collide with probability ``n**2 / 2**65``
    (below 1e-8 for a million values), far under the sampling error; ``None``: count text."""
    sample_agg: str | None = None
    """An aggregate collecting ``{c}`` of the rows where ``{keep}`` holds into one typed array,
    in input order (so the arrays of one statement line up row by row): the aggregate statement
    then also carries the sketches' sample, and the profile reads the table once. ``None``: no
    such aggregate (the sample is a separate statement)."""
    sample_agg_types: frozenset[str] = frozenset()
    """Declared base types (lower case, without arguments) whose arrays the driver reads back
    as values of the same Python types as a plain row; another type keeps the separate read."""


_TRIM_SET = "' ' || {chr}(9) || {chr}(10) || {chr}(13)"
_FILTER = "COUNT(*) FILTER (WHERE {cond})"

_SPELLING: dict[str, Spelling] = {
    "postgresql": Spelling(
        length="LENGTH({c})",
        # Only text that sorts before '!' (starts with whitespace) is trimmed at all.
        blank="{c} COLLATE \"C\" < '!' AND BTRIM({c}, " + _TRIM_SET.format(chr="CHR") + ") = ''",
        hash="HASHTEXT(CAST({c} AS TEXT))",
        random_below="RANDOM() < {p}",
        random_order="RANDOM()",
        now_date="CURRENT_DATE",
        now_timestamp="LOCALTIMESTAMP",
        now_timestamp_tz="CURRENT_TIMESTAMP",
        stddev="STDDEV_SAMP({c})",
        distinct_text='{c} COLLATE "C"',
        float_special="{c} = CAST({v} AS DOUBLE PRECISION)",
        count_if=_FILTER,
        fence=" OFFSET 0",
        typed_hash=(
            ("smallint", "HASHINT4({c})"),
            ("integer", "HASHINT4({c})"),
            ("bigint", "HASHINT8({c})"),
            ("numeric", "HASH_NUMERIC({c})"),
            ("double precision", "HASHFLOAT8({c})"),
            ("real", "HASHFLOAT8({c})"),
            ("timestamp without time zone", "TIMESTAMP_HASH({c})"),
            ("timestamp with time zone", "TIMESTAMP_HASH(CAST({c} AS TIMESTAMP))"),
            ("date", "HASHINT4({c} - DATE '2000-01-01')"),
            ("uuid", "UUID_HASH({c})"),
            ("text", "HASHTEXT({c})"),
            ("character varying", "HASHTEXT({c})"),
        ),
        text_hash_key='HASHTEXTEXTENDED({c} COLLATE "C", 0)',
        array_length="CARDINALITY({c})",
        range_bounds=("LOWER({c})", "UPPER({c})", "ISEMPTY({c})"),
        no_equality=("point", "line", "lseg", "box", "path", "polygon", "circle", "xml", "json"),
        sample_agg="ARRAY_AGG({c}) FILTER (WHERE {keep})",
        sample_agg_types=frozenset(
            {
                "smallint",
                "integer",
                "bigint",
                "numeric",
                "real",
                "double precision",
                "boolean",
                "date",
                "uuid",
                "text",
                "character",
                "character varying",
                "timestamp without time zone",
                "timestamp with time zone",
                "time without time zone",
            }
        ),
    ),
    "duckdb": Spelling(
        length="LENGTH({c})",
        blank="TRIM({c}, " + _TRIM_SET.format(chr="CHR") + ") = ''",
        hash="HASH({c})",
        random_below="RANDOM() < {p}",
        random_order="RANDOM()",
        now_date="CURRENT_DATE",
        now_timestamp="CAST(CURRENT_TIMESTAMP AS TIMESTAMP)",
        now_timestamp_tz="CURRENT_TIMESTAMP",
        stddev="STDDEV_SAMP({c})",
        float_special="{c} = CAST({v} AS DOUBLE)",
        count_if=_FILTER,
        samples_views=True,
        array_length="LEN({c})",
    ),
    "mysql": Spelling(
        length="CHAR_LENGTH({c})",
        blank="{c} REGEXP '^[[:space:]]+$'",
        hash="CRC32({c})",
        random_below="RAND() < {p}",
        random_order="RAND()",
        now_date="CURRENT_DATE",
        now_timestamp="CURRENT_TIMESTAMP",
        now_timestamp_tz="CURRENT_TIMESTAMP",
        stddev="STDDEV_SAMP({c})",
        to_text="CAST({c} AS CHAR)",
        distinct_text="CAST({c} AS BINARY)",
    ),
    "sqlite": Spelling(
        length="LENGTH({c})",
        blank="TRIM({c}, " + _TRIM_SET.format(chr="CHAR") + ") = ''",
        hash=None,
        random_below="(ABS(RANDOM()) % 1000000) < CAST({p} * 1000000 AS INTEGER)",
        random_order="RANDOM()",
        count_sized_below="(ABS(RANDOM()) % 1000000) < "
        "(SELECT CAST({rows} * 1000000.0 / MAX(COUNT(*), 1) AS INTEGER) FROM {table})",
        now_date="DATE('now')",
        now_timestamp="DATETIME('now')",
        now_timestamp_tz="DATETIME('now')",
        stddev=None,
        sum_squares="TOTAL({c} * {c})",
        float_special="{c} = {v}",
        special_literals=("NULL", "9e999", "-9e999"),  # SQLite stores no NaN
        count_if=_FILTER,
    ),
}
_SPELLING["mariadb"] = _SPELLING["mysql"]
_ANSI = Spelling(
    length="CHAR_LENGTH({c})",
    blank="TRIM({c}) = ''",
    hash=None,
    random_below=None,
    now_date="CURRENT_DATE",
    now_timestamp="CURRENT_TIMESTAMP",
    now_timestamp_tz="CURRENT_TIMESTAMP",
    stddev="STDDEV_SAMP({c})",
    to_text="CAST({c} AS VARCHAR(4000))",
)


def spelling(dialect: str) -> Spelling:
    return _SPELLING.get(dialect, _ANSI)


@dataclass(frozen=True, slots=True)
class ProfileDialect:
    """What the profiler may ask of an engine: its dialect and capability flags."""

    name: str
    """The SQLAlchemy dialect name (``postgresql``, ``mysql``, ``sqlite``, ``duckdb``, …)."""
    supports_tablesample: bool = False
    approx_distinct_function: str | None = None
    supports_native_quantiles: bool = False

    def quote(self, name: str) -> str:
        return quote_identifier(name, self.name)

    @property
    def supports_hash_distinct(self) -> bool:
        """Hash-sampled distinct counts are possible (the engine has a hash function)."""
        return spelling(self.name).hash is not None

    @property
    def supports_random_filter(self) -> bool:
        return spelling(self.name).random_below is not None

    @property
    def supports_count_sized_filter(self) -> bool:
        """A random share can be sized in the statement from a cheap ``COUNT(*)``."""
        return spelling(self.name).count_sized_below is not None

    @property
    def supports_aggregate_sample(self) -> bool:
        """The aggregate statement can carry a uniform sample of rows (one pass, not two)."""
        spell = spelling(self.name)
        return spell.sample_agg is not None and spell.random_below is not None

    def carries(self, declared_type: str) -> bool:
        """A column of ``declared_type`` can be carried in the aggregate's sample."""
        base = re.sub(r"\(.*?\)", "", declared_type or "").strip().lower()
        return " ".join(base.split()) in spelling(self.name).sample_agg_types

    @property
    def supports_random_order(self) -> bool:
        """Rows can be capped at random (``ORDER BY random() LIMIT n``)."""
        return spelling(self.name).random_order is not None
