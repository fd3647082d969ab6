"""The one parameter schema of sectorsim.

Every model parameter is declared here once, as a field of a pydantic section: its type,
default, allowed range or choices, unit, description, source and labels (English and Dutch).
Scenario files, ``--set`` overrides, the CLI's ``params`` table, the docs' parameter table and
the app's controls all read these declarations through :data:`PARAMETERS`.

Dotted keys follow the nesting: the field ``initial_adopters`` of section ``adoption`` is
``adoption.initial_adopters`` and lives in the TOML table ``[adoption]``.
"""

from __future__ import annotations

import json as _json
import types
import typing
from dataclasses import dataclass
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field


def param(
    default: Any,
    *,
    unit: str,
    description: str,
    source: str,
    label: str,
    label_nl: str,
    ge: float | None = None,
    le: float | None = None,
) -> Any:
    """Declare one parameter: a pydantic ``Field`` carrying sectorsim's metadata."""
    return Field(
        default,
        ge=ge,
        le=le,
        description=description,
        json_schema_extra={"unit": unit, "source": source, "label": label, "label_nl": label_nl},
    )


class Section(BaseModel):
    """A table of parameters: strict types, unknown keys rejected, immutable."""

    model_config = ConfigDict(extra="forbid", strict=True, frozen=True)


SPEC = "MODEL_SPEC"
CALIB = "assumption, to be calibrated (docs/ODD.md)"


class SMEParams(Section):
    count: int = param(
        500,
        ge=10,
        le=1_000_000,
        unit="firms",
        label="Number of SMEs",
        label_nl="Aantal mkb-bedrijven",
        description="Number of SMEs in the sector.",
        source=f"{SPEC} §2",
    )
    segments: int = param(
        4,
        ge=1,
        le=100,
        unit="segments",
        label="Chain segments",
        label_nl="Ketensegmenten",
        description="Number of chain segments; SMEs in one segment are competitors.",
        source=f"{SPEC} §2; essay 000 (sector chains)",
    )
    share_small: float = param(
        0.15,
        ge=0.0,
        le=1.0,
        unit="share",
        label="Share of small firms",
        label_nl="Aandeel kleine bedrijven",
        description="Share of small firms (10-49 employees); micro firms are the rest.",
        source="assumption after CBS size structure of Dutch industry",
    )
    share_medium: float = param(
        0.05,
        ge=0.0,
        le=1.0,
        unit="share",
        label="Share of medium firms",
        label_nl="Aandeel middelgrote bedrijven",
        description="Share of medium-sized firms (50-249 employees).",
        source="assumption after CBS size structure of Dutch industry",
    )
    resources_micro: float = param(
        5_000.0,
        ge=1.0,
        le=10_000_000.0,
        unit="EUR/year",
        label="Resources of a micro firm",
        label_nl="Middelen micro-bedrijf",
        description="Median time and money a micro firm can spend on MVO per year (lognormal).",
        source="assumption; seed 000/001: limited time and money of SMEs",
    )
    resources_small: float = param(
        20_000.0,
        ge=1.0,
        le=10_000_000.0,
        unit="EUR/year",
        label="Resources of a small firm",
        label_nl="Middelen klein bedrijf",
        description="Median MVO resources of a small firm per year (lognormal).",
        source=CALIB,
    )
    resources_medium: float = param(
        80_000.0,
        ge=1.0,
        le=10_000_000.0,
        unit="EUR/year",
        label="Resources of a medium firm",
        label_nl="Middelen middelgroot bedrijf",
        description="Median MVO resources of a medium-sized firm per year (lognormal).",
        source=CALIB,
    )
    resources_sigma: float = param(
        0.6,
        ge=0.0,
        le=3.0,
        unit="log EUR",
        label="Spread of resources",
        label_nl="Spreiding middelen",
        description="Standard deviation of log resources within a size class.",
        source=CALIB,
    )
    motivation_mean: float = param(
        0.35,
        ge=0.01,
        le=0.99,
        unit="[0,1]",
        label="Mean motivation",
        label_nl="Gemiddelde motivatie",
        description="Mean intrinsic motivation for MVO (Beta distributed).",
        source="assumption; seed 000: few koplopers, most firms business as usual",
    )
    openness_mean: float = param(
        0.5,
        ge=0.01,
        le=0.99,
        unit="[0,1]",
        label="Mean openness",
        label_nl="Gemiddelde openheid",
        description="Mean openness to cooperation and new ideas (Beta distributed).",
        source=CALIB,
    )
    leadership_mean: float = param(
        0.3,
        ge=0.01,
        le=0.99,
        unit="[0,1]",
        label="Mean leadership",
        label_nl="Gemiddeld leiderschap",
        description="Mean leadership, the third koploper trait (Beta distributed).",
        source=CALIB,
    )
    trait_concentration: float = param(
        6.0,
        ge=0.5,
        le=1000.0,
        unit="-",
        label="Trait concentration",
        label_nl="Concentratie eigenschappen",
        description="Concentration a+b of the Beta distributions of the traits; higher is less spread.",
        source=CALIB,
    )


class NetworkParams(Section):
    kind: Literal["watts_strogatz", "erdos_renyi", "complete"] = param(
        "watts_strogatz",
        unit="-",
        label="Network type",
        label_nl="Type netwerk",
        description="Generator of the sector network (complete = full mixing, kept implicit).",
        source=f"{SPEC} §2: clustered network (Watts & Strogatz 1998)",
    )
    mean_degree: float = param(
        8.0,
        ge=0.0,
        le=1000.0,
        unit="ties",
        label="Mean ties per firm",
        label_nl="Gemiddeld aantal relaties",
        description="Mean number of network ties per SME (Watts-Strogatz rounds down to an even number).",
        source=CALIB,
    )
    rewiring: float = param(
        0.1,
        ge=0.0,
        le=1.0,
        unit="probability",
        label="Rewiring",
        label_nl="Herbedrading",
        description="Watts-Strogatz rewiring probability (0 = ring lattice, 1 = random).",
        source="Watts & Strogatz 1998 (small-world range)",
    )


class AdoptionParams(Section):
    rule: Literal["full", "bass", "threshold"] = param(
        "full",
        unit="-",
        label="Adoption rule",
        label_nl="Adoptieregel",
        description="full = the sector model; bass and threshold = textbook special cases (0 -> 2 in one step).",
        source=f"{SPEC} §4 M1, §6",
    )
    adopted_stage: int = param(
        2,
        ge=1,
        le=3,
        unit="stage",
        label="Adopted from stage",
        label_nl="Geadopteerd vanaf fase",
        description="Lowest stage that counts as adopted (2 = own MVO plan and measures).",
        source=f"{SPEC} §2",
    )
    initial_adopters: int = param(
        5,
        ge=0,
        le=1_000_000,
        unit="firms",
        label="Initial adopters",
        label_nl="Beginnende adopters",
        description="SMEs at the adopted stage at month 0 (full rule: drawn by koploper score).",
        source="seed 002: ~1.6% of firms in high-risk sectors under IMVO covenants (2020)",
    )
    dwell: float = param(
        6.0,
        ge=1.0,
        le=120.0,
        unit="months",
        label="Minimum time per stage",
        label_nl="Minimale tijd per fase",
        description="Monthly step-up probability is sigmoid(u) / dwell: the fastest a firm moves a stage.",
        source=f"{SPEC} §4 M1; seed 001: 9-month koploper programme",
    )
    b0: float = param(
        -4.0,
        ge=-20.0,
        le=20.0,
        unit="logit",
        label="Baseline propensity",
        label_nl="Basisneiging",
        description="Intercept of the adoption utility u.",
        source=CALIB,
    )
    b_motivation: float = param(
        2.0,
        ge=0.0,
        le=20.0,
        unit="logit",
        label="Weight of motivation",
        label_nl="Gewicht motivatie",
        description="Effect of motivation on the adoption utility.",
        source=CALIB,
    )
    b_social: float = param(
        4.0,
        ge=0.0,
        le=50.0,
        unit="logit",
        label="Weight of imitation",
        label_nl="Gewicht navolging",
        description="Effect of the imitation signal (share of peers ahead, or threshold reached).",
        source="seed 000: 'Ik moet ook zoiets gaan doen!'",
    )
    b_pressure: float = param(
        3.0,
        ge=0.0,
        le=20.0,
        unit="logit",
        label="Weight of pressure",
        label_nl="Gewicht druk",
        description="Effect of chain, regulatory and campaign pressure on the adoption utility.",
        source=CALIB,
    )
    b_knowledge: float = param(
        2.0,
        ge=0.0,
        le=20.0,
        unit="logit",
        label="Weight of action perspectives",
        label_nl="Gewicht handelingsperspectieven",
        description="Effect of the sector's stock of action perspectives K on the adoption utility.",
        source="seed 000: action perspectives lower barriers",
    )
    b_cost: float = param(
        1.5,
        ge=0.0,
        le=20.0,
        unit="logit",
        label="Weight of cost",
        label_nl="Gewicht kosten",
        description="Effect of the net cost of the next stage, relative to resources.",
        source="seed 000/001: limited time and money",
    )
    cost_orienting: float = param(
        1_000.0,
        ge=0.0,
        le=10_000_000.0,
        unit="EUR",
        label="Cost of orienting",
        label_nl="Kosten oriënteren",
        description="Cost (time and money) of moving from stage 0 to 1.",
        source=CALIB,
    )
    cost_implementing: float = param(
        15_000.0,
        ge=0.0,
        le=10_000_000.0,
        unit="EUR",
        label="Cost of implementing",
        label_nl="Kosten implementeren",
        description="Cost of moving from stage 1 to 2 (MVO plan and measures).",
        source="seed 001: koploper programme and MVO plan",
    )
    cost_innovating: float = param(
        30_000.0,
        ge=0.0,
        le=10_000_000.0,
        unit="EUR",
        label="Cost of innovating",
        label_nl="Kosten innoveren",
        description="Cost of moving from stage 2 to 3 (change projects, chain innovation).",
        source=CALIB,
    )
    p: float = param(
        0.003,
        ge=1e-9,
        le=1.0,
        unit="1/month",
        label="Bass innovation p",
        label_nl="Bass innovatie p",
        description="Bass rule: innovation (external influence) rate.",
        source="Bass 1969; Sultan et al. 1990 (p ~ 0.03/year)",
    )
    q: float = param(
        0.03,
        ge=0.0,
        le=10.0,
        unit="1/month",
        label="Bass imitation q",
        label_nl="Bass imitatie q",
        description="Bass rule: imitation rate.",
        source="Bass 1969; Sultan et al. 1990 (q ~ 0.38/year)",
    )
    threshold: float = param(
        0.18,
        ge=0.0,
        le=1.0,
        unit="share",
        label="Adoption threshold",
        label_nl="Adoptiedrempel",
        description="Mean threshold: share of peers ahead at which an SME follows (threshold rule, complex contagion).",
        source="Granovetter 1978; Watts 2002 (phi = 0.18)",
    )
    threshold_sd: float = param(
        0.0,
        ge=0.0,
        le=1.0,
        unit="share",
        label="Spread of thresholds",
        label_nl="Spreiding drempels",
        description="Standard deviation of the per-SME threshold (normal truncated to (0, 1]).",
        source="Watts 2002",
    )


class ImitationParams(Section):
    rule: Literal["simple", "complex"] = param(
        "simple",
        unit="-",
        label="Contagion",
        label_nl="Besmetting",
        description="simple = pull rises linearly with the share of peers ahead; complex = only once it reaches the SME's threshold.",
        source="Centola & Macy 2007",
    )
    segment_weight: float = param(
        0.3,
        ge=0.0,
        le=1.0,
        unit="share",
        label="Weight of competitors",
        label_nl="Gewicht concurrenten",
        description="Weight of competitors in the chain segment (vs network ties) in the reference group.",
        source="seed 000: imitation of competitors out of jealousy",
    )


class PodiumParams(Section):
    visibility: float = param(
        0.0,
        ge=0.0,
        le=20.0,
        unit="x weight",
        label="Podium for koplopers",
        label_nl="Podium voor koplopers",
        description="Extra weight of a koploper in its peers' reference group (0 = seen like any firm).",
        source="seed 004: give koplopers a podium",
    )


class RelapseParams(Section):
    rate: float = param(
        0.015,
        ge=0.0,
        le=1.0,
        unit="1/month",
        label="Relapse rate",
        label_nl="Terugvalkans",
        description="Monthly probability that an unsupported SME at stage 1-2 falls back to stage 0.",
        source=f"{SPEC} §4 M11; assumption",
    )


class PhaseParams(Section):
    smoothing_months: int = param(
        6,
        ge=1,
        le=60,
        unit="months",
        label="Smoothing window",
        label_nl="Afvlakvenster",
        description="Trailing moving-average window for the adoption share used in phase detection.",
        source=f"{SPEC} §5",
    )
    takeoff_share: float = param(
        0.05,
        ge=0.0,
        le=1.0,
        unit="share",
        label="Take-off share",
        label_nl="Drempel take-off",
        description="Smoothed adoption share that ends predevelopment.",
        source=f"{SPEC} §5",
    )
    growth_min: float = param(
        0.002,
        ge=0.0,
        le=1.0,
        unit="share/month",
        label="Minimum growth",
        label_nl="Minimale groei",
        description="Monthly growth of the smoothed share that counts as acceleration.",
        source=f"{SPEC} §5",
    )
    stable_months: int = param(
        12,
        ge=1,
        le=120,
        unit="months",
        label="Months to stabilise",
        label_nl="Maanden tot stabilisatie",
        description="Months of growth below the minimum, after acceleration, that mark stabilisation.",
        source=f"{SPEC} §5",
    )
    setback_drop: float = param(
        0.2,
        ge=0.0,
        le=1.0,
        unit="share of peak",
        label="Setback drop",
        label_nl="Terugval",
        description="Fall from the peak (before critical mass) that counts as a setback.",
        source=f"{SPEC} §5",
    )


class MechanismSwitches(Section):
    imitation: bool = param(
        True,
        unit="on/off",
        label="Imitation",
        label_nl="Navolging",
        description="M2: peers ahead pull an SME up.",
        source=f"{SPEC} §4 M2",
    )
    relapse: bool = param(
        True,
        unit="on/off",
        label="Relapse",
        label_nl="Terugval",
        description="M11: unsupported SMEs fall back to business as usual.",
        source=f"{SPEC} §4 M11",
    )


class Config(Section):
    """A complete, validated configuration of one model run (all sections)."""

    months: int = param(
        180,
        ge=1,
        le=1200,
        unit="months",
        label="Horizon",
        label_nl="Looptijd",
        description="Number of monthly steps simulated.",
        source=f"{SPEC} §2 (15 years)",
    )
    critical_mass_share: float = param(
        0.25,
        ge=0.01,
        le=0.99,
        unit="share",
        label="Critical mass",
        label_nl="Kritische massa",
        description="Adoption share that counts as critical mass (0.16 = Rogers' innovators + early adopters).",
        source="Centola et al. 2018 (tipping point ~25%)",
    )
    sme: SMEParams = SMEParams()
    network: NetworkParams = NetworkParams()
    adoption: AdoptionParams = AdoptionParams()
    imitation: ImitationParams = ImitationParams()
    podium: PodiumParams = PodiumParams()
    relapse: RelapseParams = RelapseParams()
    phases: PhaseParams = PhaseParams()
    mechanisms: MechanismSwitches = MechanismSwitches()

    def flat(self) -> dict[str, Any]:
        """The configuration as ``{dotted key: value}``."""
        return {key: self.get(key) for key in PARAMETERS}

    def get(self, key: str) -> Any:
        """The value at a dotted key."""
        value: Any = self
        for part in key.split("."):
            value = getattr(value, part)
        return value


@dataclass(frozen=True)
class ParamSpec:
    """What the schema says about one parameter, flattened for front ends."""

    key: str
    type: str
    default: Any
    unit: str
    description: str
    source: str
    label: str
    label_nl: str
    ge: float | None = None
    le: float | None = None
    choices: tuple[str, ...] | None = None

    def allowed(self) -> str:
        """Human description of the allowed values."""
        if self.choices:
            return "one of " + ", ".join(repr(c) for c in self.choices)
        if self.type == "bool":
            return "true or false"
        kind = "an integer" if self.type == "int" else "a number"
        if self.ge is not None and self.le is not None:
            return f"{kind} from {_fmt(self.ge)} to {_fmt(self.le)} ({self.unit})"
        return f"{kind} ({self.unit})"

    def to_dict(self) -> dict[str, Any]:
        return {k: v for k, v in self.__dict__.items()}


def _fmt(x: float) -> str:
    return f"{x:,.0f}".replace(",", "_") if float(x).is_integer() and abs(x) >= 1e4 else f"{x:g}"


def _spec(key: str, field: Any) -> ParamSpec:
    extra = field.json_schema_extra
    ge = le = None
    for meta in field.metadata:
        ge = getattr(meta, "ge", ge)
        le = getattr(meta, "le", le)
    ann = field.annotation
    choices = tuple(typing.get_args(ann)) if typing.get_origin(ann) is Literal else None
    type_name = "str" if choices else ann.__name__
    return ParamSpec(
        key=key,
        type=type_name,
        default=field.default,
        unit=extra["unit"],
        description=field.description,
        source=extra["source"],
        label=extra["label"],
        label_nl=extra["label_nl"],
        ge=ge,
        le=le,
        choices=choices,
    )


def _collect(model: type[Section], prefix: str = "") -> dict[str, ParamSpec]:
    specs: dict[str, ParamSpec] = {}
    for name, field in model.model_fields.items():
        ann = field.annotation
        if isinstance(ann, type) and issubclass(ann, Section):
            specs.update(_collect(ann, f"{prefix}{name}."))
        elif not isinstance(ann, types.GenericAlias):
            specs[prefix + name] = _spec(prefix + name, field)
    return specs


#: Every parameter by dotted key, in schema order.
PARAMETERS: dict[str, ParamSpec] = _collect(Config)


def markdown_table() -> str:
    """The parameter table of docs/ODD.md, generated from the schema."""
    lines = [
        "| key | default | allowed | unit | description | source |",
        "|---|---|---|---|---|---|",
    ]
    for s in PARAMETERS.values():
        default = _json.dumps(s.default)
        lines.append(
            f"| `{s.key}` | `{default}` | {s.allowed()} | {s.unit} | {s.description} | {s.source} |"
        )
    return "\n".join(lines)


#: The sections (TOML tables) of the schema.
SECTIONS: frozenset[str] = frozenset(k.split(".")[0] for k in PARAMETERS if "." in k)
