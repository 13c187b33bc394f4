"""Classify one column: name, values and profile evidence combined into entity findings.

``classify_column`` is the entry point.  For every entity it gathers the name signal
(``names.py``), the value match (``detectors.py``, ``people.py``), applies the profile gates
(type family, cardinality, length) and combines them (``specs.combine``) into a confidence.
All findings are returned; those at or above ``confidence_threshold`` are marked ``applied``,
and of entities competing for one column (``EXCLUSIVE_GROUPS``) only the strongest is.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from typing import Any

from dataready.analysis.pii import people  # noqa: F401  (registers the dictionary detectors)
from dataready.analysis.pii.detectors import DETECTORS, ValueMatch
from dataready.analysis.pii.entities import (
    EXCLUSIVE_GROUPS,
    Entity,
)
from dataready.analysis.pii.evidence import (
    MAX_STRUCTURED_LENGTH,
    UNCLASSIFIABLE_FAMILIES,
    ColumnEvidence,
    SampleView,
)
from dataready.analysis.pii.freetext import looks_like_text, scan_text
from dataready.analysis.pii.names import NameSignal, name_signals, split_identifier, token_set
from dataready.analysis.pii.specs import (
    LOW_CARDINALITY_MIN_VALUES,
    MEASURE_TOKENS,
    SPECS,
    combine,
)
from dataready.analysis.pii.validators import is_uuid
from dataready.analysis.recognisers import Recogniser, catalogue, recognisers_version
from dataready.analysis.tags import TagProposal
from dataready.errors import ValidationFailed

DEFAULT_CONFIDENCE_THRESHOLD = 0.8
# The profile's ``formats`` shares are computed over this many values when an older profile
# does not say (``formats_values``).
PROFILE_FORMATS_FALLBACK_VALUES = 100
_FREE_TEXT_HINTS = token_set(
    "comment comments note notes description remarks remark message body text feedback memo "
    "content bio about summary details narrative reason"
)


@dataclass(frozen=True)
class EntityFinding:
    """One entity the column may hold, with its confidence and the evidence behind it."""

    entity: Entity
    confidence: float
    evidence: dict[str, Any] = field(default_factory=dict)
    applied: bool = False

    @property
    def tag(self) -> str:
        return self.entity.tag


@dataclass(frozen=True)
class ColumnClassification:
    """Every finding for one column, strongest first, and why a column was skipped."""

    column: str
    table: str
    findings: tuple[EntityFinding, ...] = ()
    skipped_reason: str | None = None
    sample_size: int = 0
    threshold: float = DEFAULT_CONFIDENCE_THRESHOLD

    @property
    def applied(self) -> tuple[EntityFinding, ...]:
        return tuple(f for f in self.findings if f.applied)

    @property
    def entities(self) -> tuple[Entity, ...]:
        """The applied entities, strongest first."""
        return tuple(f.entity for f in self.applied)

    @property
    def top(self) -> Entity | None:
        return self.entities[0] if self.applied else None

    @property
    def sensitive(self) -> bool:
        return any(f.entity.sensitive for f in self.applied)

    def tags(self) -> list[TagProposal]:
        """Tag proposals: ``PII.<Entity>`` per finding plus ``PII.Sensitive``/``NonSensitive``."""
        from dataready.analysis.tag_derivation import pii_sensitivity  # it imports this module

        out = [TagProposal(f.tag, f.confidence, f.evidence, f.applied) for f in self.findings]
        found = {f.entity: f.confidence for f in self.applied}
        if (derived := pii_sensitivity(found)) is not None:
            tag, chosen = derived
            evidence = {"entities": [e.value for e in chosen]}
            out.insert(0, TagProposal(tag, max(found[e] for e in chosen), evidence, True))
        return out


def _uuid_share(sample: SampleView) -> float:
    return sample.share(is_uuid)[1] if sample.checked else 0.0


def _measure_token(tokens: tuple[str, ...]) -> str | None:
    return next((t for t in tokens if t in MEASURE_TOKENS), None)


def profile_formats() -> dict[str, Entity]:
    """Profile format names (the profiler's ``formats``) that stand for an entity's values.

    They are the reported recognisers that declare an ``entity``: a share in the profile is
    the share of values that recogniser ``matches``, i.e. that the entity's detector would
    count as validated.
    """
    return {r.name: Entity(r.entity) for r in catalogue().reported if r.entity is not None}


def _profile_match(sample: SampleView, entity: Entity) -> ValueMatch | None:
    """The entity's value evidence read from the profile's formats (used without a sample).

    The shares of the entity's recognisers add up (``ipv4`` and ``ipv6`` never both match a
    value).  A share is what the detector would count as validated; it counts as standalone
    only for recognisers whose every match stands alone: the profile does not record the
    layout a phone number was written in, so a profile's ``phone`` share needs the name.
    A profile whose ``formats_version`` is not the data file's version is not read; one that
    predates the field is.
    """
    version = sample.profile.get("formats_version")
    if version is not None and version != recognisers_version():
        return None  # recognised by other rules: the shares do not mean what ours would
    formats = profile_formats()
    used: list[Recogniser] = []
    share = 0.0
    for fmt, value in sorted(sample.formats.items()):
        if formats.get(fmt) is entity and isinstance(value, int | float):
            used.append(catalogue().by_name[fmt])
            share += float(value)
    if not used:
        return None
    n = sample.profile.get("formats_values")
    if not isinstance(n, int) or isinstance(n, bool) or n <= 0:
        n = PROFILE_FORMATS_FALLBACK_VALUES
    hits = round(min(share, 1.0) * n)
    alone = hits if all(r.standalone for r in used) else 0
    pattern = "profile:" + "+".join(r.name for r in used)
    return ValueMatch(pattern, n, hits, hits, alone, f"recognisers-v{recognisers_version()}")


def _evaluate(
    entity: Entity,
    sample: SampleView,
    family: str,
    name: NameSignal | None,
    measure: str | None,
) -> EntityFinding | None:
    spec = SPECS[entity]
    if family not in spec.families:
        return None
    if measure is not None and (name is None or name.negated_by):
        return None  # a count, hash, flag or type of the entity, whatever its values
    if name is not None and name.negated_by:
        # ``email_id`` holding e-mails: the name is not evidence, but the values may be.
        name = NameSignal(name.entity, 0.0, name.phrase, name.negated_by)
    structured = sample.max_length <= MAX_STRUCTURED_LENGTH or entity is Entity.STREET_ADDRESS
    match = DETECTORS[entity](sample) if sample.checked and structured else None
    if match is None and not sample.checked:
        # The profile's formats are the same recognisers over the profiled values: read them
        # only when there is no sample, so one recognition is never counted twice.
        match = _profile_match(sample, entity)
    strength = name.strength if name is not None else 0.0
    if name is not None and name.negated_by and (match is None or match.standalone == 0):
        return None
    if match is None:
        confidence, how = combine(strength, 0.0, 0.0, 0.0, 0, spec)
    else:
        confidence, how = combine(
            strength,
            match.matched_share,
            match.validated_share,
            match.standalone_share,
            match.checked,
            spec,
        )
    evidence: dict[str, Any] = {"method": how, "sample_size": sample.size}
    if name is not None:
        evidence["name"] = name.as_evidence()
    if match is not None:
        evidence["values"] = match.as_evidence()
    few = sample.non_blank >= LOW_CARDINALITY_MIN_VALUES and sample.distinct_count <= 2
    if spec.identifier and few:
        confidence = min(confidence, 0.4)
        evidence["profile"] = {"distinct_count": sample.distinct_count, "gate": "low-cardinality"}
    if confidence <= 0.05:
        return None
    return EntityFinding(entity, round(confidence, 4), evidence)


def _free_text(sample: SampleView, tokens: tuple[str, ...]) -> EntityFinding | None:
    if not looks_like_text(sample):
        return None
    scan = scan_text(sample)
    if scan.values_with_pii < 2 and scan.share < 0.5:
        return None
    hinted = any(t in _FREE_TEXT_HINTS for t in tokens)
    confidence = min(0.97, 0.7 + scan.share + (0.05 if hinted else 0.0))
    evidence = {"method": "embedded", "sample_size": sample.size, "values": scan.as_evidence()}
    return EntityFinding(Entity.FREE_TEXT, round(confidence, 4), evidence)


def _apply(findings: list[EntityFinding], threshold: float) -> tuple[EntityFinding, ...]:
    findings.sort(key=lambda f: (-f.confidence, f.entity.value))
    taken: set[Entity] = set()
    out = []
    for f in findings:
        rivals = set().union(*(g for g in EXCLUSIVE_GROUPS if f.entity in g)) - {f.entity}
        ok = f.confidence >= threshold and not (rivals & taken)
        if ok:
            taken.add(f.entity)
        out.append(replace(f, applied=ok))
    return tuple(out)


def classify_column(
    evidence: ColumnEvidence, *, confidence_threshold: float = DEFAULT_CONFIDENCE_THRESHOLD
) -> ColumnClassification:
    """Classify one column.

    Args:
        evidence: The column's name, type, sample and optional profile.
        confidence_threshold: Findings at or above it are applied (default 0.8).

    Returns:
        Every finding, strongest first, with ``applied`` set; or a classification with
        ``skipped_reason`` when the column cannot hold classifiable values.
    """
    if not 0.0 <= confidence_threshold <= 1.0:
        raise ValidationFailed(
            f"confidence_threshold must be between 0 and 1, not {confidence_threshold}",
            field="confidence_threshold",
        )
    sample = SampleView.of(evidence)
    base = ColumnClassification(
        evidence.name, evidence.table_name, sample_size=sample.size, threshold=confidence_threshold
    )
    family = evidence.type_family
    if family in UNCLASSIFIABLE_FAMILIES:
        return replace(base, skipped_reason=f"type family {family!r} holds no classifiable values")
    if sample.size and not sample.texts:
        return replace(base, skipped_reason="every sampled value is null or blank")
    if _uuid_share(sample) >= 0.9:
        return replace(base, skipped_reason="values are UUIDs (keys, not personal data)")
    tokens = split_identifier(evidence.name)
    names = name_signals(evidence.name, evidence.table_name)
    measure = _measure_token(tokens)
    findings = [
        f
        for entity in SPECS
        if (f := _evaluate(entity, sample, family, names.get(entity), measure)) is not None
    ]
    if family in {"string", "other"} and (text := _free_text(sample, tokens)) is not None:
        findings.append(text)
    return replace(base, findings=_apply(findings, confidence_threshold))
