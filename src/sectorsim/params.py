"""The one parameter schema of sectorsim.

Every model parameter is declared here once, as a field of a pydantic section: its type,
default, allowed range or choices, unit, description, source and English label; the rules tying
parameters together are the sections' validators. Scenario files, ``--set`` overrides, the CLI's
``params`` table, the docs' parameter table and the app's controls all read these declarations
through :data:`PARAMETERS`. What only the workshop app needs (which parameters are levers, their
sliders, the Dutch texts) lives in :mod:`sectorsim.app.levers`.

Dotted keys follow the nesting: the field ``initial_adopters`` of section ``adoption`` is
``adoption.initial_adopters`` and lives in the TOML table ``[adoption]``.
"""

from __future__ import annotations

import json as _json
import types
import typing
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, Literal, Self

from pydantic import BaseModel, ConfigDict, Field, model_validator


def param(
    default: Any,
    *,
    unit: str,
    description: str,
    source: str,
    label: str,
    ge: float | None = None,
    le: float | None = None,
) -> Any:
    """Declare one parameter: a pydantic ``Field`` carrying sectorsim's metadata."""
    extra = {"unit": unit, "source": source, "label": label}
    return Field(default, ge=ge, le=le, description=description, json_schema_extra=extra)


class Inconsistent(ValueError):
    """A rule tying parameters together is broken: ``key`` holds ``value``, ``allowed`` would fit.

    Raised by the schema's validators; pydantic reports it inside a ``ValidationError`` and
    :func:`sectorsim.config.validate` turns it into a ``ConfigError`` naming the file.
    """

    def __init__(self, key: str, value: Any, allowed: str):
        self.key, self.value, self.allowed = key, value, allowed
        super().__init__(f"{key} = {value!r} is inconsistent; allowed: {allowed}")


class Section(BaseModel):
    """A table of parameters: strict types, unknown keys rejected, immutable, always consistent."""

    model_config = ConfigDict(extra="forbid", strict=True, frozen=True)

    def model_copy(self, *, update: Mapping[str, Any] | None = None, deep: bool = False) -> Self:
        """A copy; with ``update``, validated like every other way of building a section."""
        copied = super().model_copy(update=update, deep=deep)
        return type(self).model_validate(dict(copied)) if update else copied


CALIB = "assumption, to be calibrated (docs/ODD.md)"
CALIBRATED = "ABC-SMC against MVOAlliantie-nd and WestWing-nd, docs/validation.md#calibration"


def calibrated(median: float, low: float, high: float) -> str:
    """The source of a parameter the calibration informs: its default is the previous
    calibration's point, kept because it meets the current targets; then the current posterior's
    median and 90% interval."""
    return (
        f"calibrated ({CALIBRATED}): the point of the previous calibration, which meets every "
        "target's tolerance of the current one (distance 0.54 on 16 fresh replicates; "
        f"tests/test_calibration.py); its posterior: median {median:.3g}, 90% interval "
        f"{low:.3g} to {high:.3g}"
    )


class SMEParams(Section):
    count: int = param(
        500,
        ge=10,
        le=1_000_000,
        unit="firms",
        label="Number of SMEs",
        description="Number of SMEs in the sector.",
        source="ODD §2",
    )
    segments: int = param(
        4,
        ge=1,
        le=100,
        unit="segments",
        label="Chain segments",
        description="Number of chain segments; SMEs in one segment are competitors.",
        source="ODD §2; DRIFT2015 (sector chains)",
    )
    share_small: float = param(
        0.15,
        ge=0.0,
        le=1.0,
        unit="share",
        label="Share of small firms",
        description="Share of small firms (10-49 employees); micro firms are the rest.",
        source="assumption after CBS size structure of Dutch industry",
    )
    share_medium: float = param(
        0.05,
        ge=0.0,
        le=1.0,
        unit="share",
        label="Share of medium firms",
        description="Share of medium-sized firms (50-249 employees).",
        source="assumption after CBS size structure of Dutch industry",
    )
    resources_micro: float = param(
        8_000.0,
        ge=1.0,
        le=10_000_000.0,
        unit="EUR/year",
        label="Resources of a micro firm",
        description="Median time and money a micro firm can spend on MVO per year (lognormal).",
        source="assumption; DRIFT2015 §4, MVOAlliantie-nd: limited time and money of SMEs",
    )
    resources_small: float = param(
        20_000.0,
        ge=1.0,
        le=10_000_000.0,
        unit="EUR/year",
        label="Resources of a small firm",
        description="Median MVO resources of a small firm per year (lognormal).",
        source=CALIB,
    )
    resources_medium: float = param(
        80_000.0,
        ge=1.0,
        le=10_000_000.0,
        unit="EUR/year",
        label="Resources of a medium firm",
        description="Median MVO resources of a medium-sized firm per year (lognormal).",
        source=CALIB,
    )
    resources_sigma: float = param(
        0.6,
        ge=0.0,
        le=3.0,
        unit="log EUR",
        label="Spread of resources",
        description="Standard deviation of log resources within a size class.",
        source=CALIB,
    )
    motivation_mean: float = param(
        0.35,
        ge=0.01,
        le=0.99,
        unit="[0,1]",
        label="Mean motivation",
        description="Mean intrinsic motivation for MVO (Beta distributed).",
        source="assumption; DRIFT2015: few koplopers, most firms business as usual",
    )
    openness_mean: float = param(
        0.5,
        ge=0.01,
        le=0.99,
        unit="[0,1]",
        label="Mean openness",
        description="Mean openness to cooperation and new ideas (Beta distributed).",
        source=CALIB,
    )
    leadership_mean: float = param(
        0.3,
        ge=0.01,
        le=0.99,
        unit="[0,1]",
        label="Mean leadership",
        description="Mean leadership, the third koploper trait (Beta distributed).",
        source=CALIB,
    )
    trait_concentration: float = param(
        6.0,
        ge=0.5,
        le=1000.0,
        unit="-",
        label="Trait concentration",
        description="Concentration a+b of the Beta distributions of the traits; higher is less spread.",
        source=CALIB,
    )

    @model_validator(mode="after")
    def _shares_fit(self) -> SMEParams:
        if self.share_small + self.share_medium > 1:
            rest = 1 - self.share_small
            raise Inconsistent(
                "sme.share_medium", self.share_medium, f"at most 1 - sme.share_small = {rest:g}"
            )
        return self


class NetworkParams(Section):
    kind: Literal["watts_strogatz", "erdos_renyi", "complete"] = param(
        "watts_strogatz",
        unit="-",
        label="Network type",
        description="Generator of the sector network (complete = full mixing, kept implicit).",
        source="ODD §2: clustered network (Watts & Strogatz 1998)",
    )
    mean_degree: float = param(
        8.0,
        ge=0.0,
        le=1000.0,
        unit="ties",
        label="Mean ties per firm",
        description="Mean number of network ties per SME (Watts-Strogatz rounds down to an even number).",
        source=CALIB,
    )
    rewiring: float = param(
        0.1,
        ge=0.0,
        le=1.0,
        unit="probability",
        label="Rewiring",
        description="Watts-Strogatz rewiring probability (0 = ring lattice, 1 = random).",
        source="Watts & Strogatz 1998 (small-world range)",
    )


class AdoptionParams(Section):
    rule: Literal["full", "bass", "threshold"] = param(
        "full",
        unit="-",
        label="Adoption rule",
        description="full = the sector model; bass and threshold = textbook special cases (0 -> 2 in one step).",
        source="ODD §6 M1, ODD §6 (textbook special cases)",
    )
    adopted_stage: int = param(
        2,
        ge=1,
        le=3,
        unit="stage",
        label="Adopted from stage",
        description="Lowest stage that counts as adopted (2 = own MVO plan and measures).",
        source="ODD §2",
    )
    initial_adopters: int = param(
        8,
        ge=0,
        le=1_000_000,
        unit="firms",
        label="Initial adopters",
        description="SMEs at the adopted stage at month 0 (full rule: drawn by koploper score).",
        source="WestWing-nd: ~1.6% of firms in high-risk sectors under IMVO covenants (2020)",
    )
    dwell: float = param(
        6.0,
        ge=1.0,
        le=120.0,
        unit="months",
        label="Minimum time per stage",
        description="Monthly step-up probability is sigmoid(u) / dwell: the fastest a firm moves a stage.",
        source='ODD §6 M1; MVOAlliantie-nd "Stap 1": 9-month koploper programme',
    )
    b0: float = param(
        -5.84,
        ge=-20.0,
        le=20.0,
        unit="logit",
        label="Baseline propensity",
        description="Intercept of the adoption utility u.",
        source=calibrated(-5.51, -6.9, -4.16),
    )
    b_motivation: float = param(
        0.665,
        ge=0.0,
        le=20.0,
        unit="logit",
        label="Weight of motivation",
        description="Effect of motivation on the adoption utility.",
        source=calibrated(1.66, 0.231, 3.52),
    )
    b_social: float = param(
        8.07,
        ge=0.0,
        le=50.0,
        unit="logit",
        label="Weight of imitation",
        description="Effect of the imitation signal (share of peers ahead, or threshold reached).",
        source="the logit imitation rule's weight (imitation.rule = 'logit', not the default): the best "
        + "sample of an earlier calibration under that rule (ABC rejection, posterior 90% interval 2.39 "
        + "to 9.84), not recalibrated since the linear rule became the default (docs/validation.md#calibration); "
        + "DRIFT2015 §4 \"Delen\": 'Ik moet ook zoiets gaan doen!'",
    )
    b_pressure: float = param(
        1.05,
        ge=0.0,
        le=20.0,
        unit="logit",
        label="Weight of pressure",
        description="Effect of chain, regulatory and campaign pressure on the adoption utility.",
        source=calibrated(3.24, 1.12, 5.53)
        + "; prior from 1: WestWing-nd names due diligence as the trigger",
    )
    b_knowledge: float = param(
        2.72,
        ge=0.0,
        le=20.0,
        unit="logit",
        label="Weight of action perspectives",
        description="Effect of the sector's stock of action perspectives K on the adoption utility.",
        source=calibrated(1.67, 0.106, 3.77)
        + '; DRIFT2015 §3 "Handelingsperspectief": action perspectives lower barriers',
    )
    b_cost: float = param(
        2.38,
        ge=0.0,
        le=20.0,
        unit="logit",
        label="Weight of cost",
        description="Effect of the net cost of the next stage, relative to resources.",
        source=calibrated(1.74, 0.585, 2.89)
        + "; DRIFT2015 §4, MVOAlliantie-nd: limited time and money",
    )
    cost_orienting: float = param(
        1_000.0,
        ge=0.0,
        le=10_000_000.0,
        unit="EUR",
        label="Cost of orienting",
        description="Cost (time and money) of moving from stage 0 to 1.",
        source=CALIB,
    )
    cost_implementing: float = param(
        8_000.0,
        ge=0.0,
        le=10_000_000.0,
        unit="EUR",
        label="Cost of implementing",
        description="Cost of moving from stage 1 to 2 (MVO plan and measures).",
        source='MVOAlliantie-nd "Stap 1": koploper programme and MVO plan',
    )
    p: float = param(
        0.003,
        ge=1e-9,
        le=1.0,
        unit="1/month",
        label="Bass innovation p",
        description="Bass rule: innovation (external influence) rate.",
        source="Bass 1969; Sultan et al. 1990 (p ~ 0.03/year)",
    )
    q: float = param(
        0.03,
        ge=0.0,
        le=10.0,
        unit="1/month",
        label="Bass imitation q",
        description="Bass rule: imitation rate.",
        source="Bass 1969; Sultan et al. 1990 (q ~ 0.38/year)",
    )
    threshold: float = param(
        0.18,
        ge=0.0,
        le=1.0,
        unit="share",
        label="Adoption threshold",
        description="Mean threshold: share of peers ahead at which an SME follows (threshold rule, complex contagion).",
        source="Granovetter 1978; Watts 2002 (phi = 0.18)",
    )
    threshold_sd: float = param(
        0.0,
        ge=0.0,
        le=1.0,
        unit="share",
        label="Spread of thresholds",
        description="Standard deviation of the per-SME threshold (normal truncated to (0, 1]).",
        source="Watts 2002",
    )

    @model_validator(mode="after")
    def _stage_fits_the_rule(self) -> AdoptionParams:
        if self.rule != "full" and self.adopted_stage > 2:
            raise Inconsistent(
                "adoption.adopted_stage",
                self.adopted_stage,
                "at most 2 with the bass and threshold rules (adopters go to stage 2)",
            )
        return self


class ImitationParams(Section):
    rule: Literal["linear", "logit", "complex"] = param(
        "linear",
        unit="-",
        label="Contagion",
        description="linear = the monthly step-up hazard rises linearly with the share of peers ahead (simple contagion, Bass-like); logit = the share enters the adoption utility; complex = pull only once the share reaches the SME's threshold.",
        source="ODD §6 M2; Bass 1969; Centola & Macy 2007",
    )
    linear_rate: float = param(
        0.03,
        ge=0.0,
        le=1.0,
        unit="1/month",
        label="Imitation hazard",
        description="Linear rule: monthly step-up hazard added when every peer is ahead (in proportion to the share ahead).",
        source=calibrated(0.0306, 0.00845, 0.0604)
        + "; prior around the Bass imitation q ~ 0.38/year (Sultan et al. 1990); ODD §6 M2",
    )
    segment_weight: float = param(
        0.3,
        ge=0.0,
        le=1.0,
        unit="share",
        label="Weight of competitors",
        description="Weight of competitors in the chain segment (vs network ties) in the reference group.",
        source='DRIFT2015 §4 "Delen": imitation of competitors out of jealousy',
    )


class PodiumParams(Section):
    visibility: float = param(
        0.0,
        ge=0.0,
        le=5.0,
        unit="x weight",
        label="Podium for koplopers",
        description="Extra weight of a koploper in its peers' reference group (0 = seen like any firm).",
        source="KplusV2020: give koplopers a podium",
    )
    months: int = param(
        -1,
        ge=-1,
        le=600,
        unit="months",
        label="Podium months",
        description="How long the podium runs from the programme's start (-1 = as long as the programme, 0 = no podium); it stops early when its money runs out.",
        source="ODD §6 M2; assumption",
    )
    fade_months: float = param(
        6.0,
        ge=0.0,
        le=120.0,
        unit="months",
        label="Podium fade",
        description="Half-life of the koplopers' extra visibility after the podium ends (0 = gone at once).",
        source="ODD §6 M2; assumption",
    )
    cost_per_month: float = param(
        500.0,
        ge=0.0,
        le=1000000.0,
        unit="EUR/month per unit",
        label="Podium cost",
        description="Programme money the podium costs a month per unit of visibility (symposia, media, prizes).",
        source="ODD §6 M8; assumption after the Koplopers programme budget (EUR 209,500 over two years)",
    )
    max_share: float = param(
        0.5,
        ge=0.0,
        le=1.0,
        unit="share",
        label="Podium ceiling",
        description="Ceiling on the koplopers' share of the weight in a firm's reference group: the podium cannot outweigh a firm's own peers.",
        source="ODD §6 M2; assumption",
    )


class RelapseParams(Section):
    rate: float = param(
        0.00545,
        ge=0.0,
        le=1.0,
        unit="1/month",
        label="Relapse rate",
        description="Monthly probability that an unsupported SME at stage 1-2 falls back to stage 0.",
        source=calibrated(0.0257, 0.00659, 0.0392) + "; ODD §6 M11",
    )


class PhaseParams(Section):
    smoothing_months: int = param(
        6,
        ge=1,
        le=60,
        unit="months",
        label="Smoothing window",
        description="Trailing moving-average window for the adoption share used in phase detection.",
        source="ODD §6 (transition phases and outcome)",
    )
    takeoff_share: float = param(
        0.05,
        ge=0.0,
        le=1.0,
        unit="share",
        label="Take-off share",
        description="Smoothed adoption share that ends predevelopment.",
        source="ODD §6 (transition phases and outcome)",
    )
    growth_min: float = param(
        0.002,
        ge=0.0,
        le=1.0,
        unit="share/month",
        label="Minimum growth",
        description="Monthly growth of the smoothed share that counts as acceleration.",
        source="ODD §6 (transition phases and outcome)",
    )
    stable_months: int = param(
        12,
        ge=1,
        le=120,
        unit="months",
        label="Months to stabilise",
        description="Months of growth below the minimum, after acceleration, that mark stabilisation.",
        source="ODD §6 (transition phases and outcome)",
    )
    setback_drop: float = param(
        0.2,
        ge=0.0,
        le=1.0,
        unit="share of peak",
        label="Setback drop",
        description="Fall from the peak (before critical mass) that counts as a setback.",
        source="ODD §6 (transition phases and outcome)",
    )

    self_carrying_months: int = param(
        24,
        ge=1,
        le=600,
        unit="months",
        label="Self-carrying test",
        description="Months after the programme over which adoption must not fall for the run to count as self-carrying.",
        source="ODD §7; assumption",
    )


class ProgrammeParams(Section):
    enabled: bool = param(
        True,
        unit="on/off",
        label="Sector programme",
        description="Whether a sector team runs a transition programme (false = no programme, the baseline).",
        source="DRIFT2015: IMVO programme 'Samen Veranderen'",
    )
    start_month: int = param(
        0,
        ge=0,
        le=600,
        unit="month",
        label="Programme start",
        description="Month in which the sector team starts (phase I).",
        source="ODD §3",
    )
    preparation_months: int = param(
        6,
        ge=1,
        le=60,
        unit="months",
        label="Phase I preparation",
        description="Length of phase I: sector analysis and recruiting koplopers.",
        source="DRIFT2015 §3, phase I (months 0-6)",
    )
    agenda_months: int = param(
        6,
        ge=1,
        le=60,
        unit="months",
        label="Phase II agenda setting",
        description="Length of phase II: coalition meetings build vision, ambition and agenda.",
        source="DRIFT2015 §3, phase II (months 6-12)",
    )
    duration: int = param(
        48,
        ge=2,
        le=600,
        unit="months",
        label="Programme length",
        description="Months from programme start until the sector team withdraws.",
        source="DRIFT2015 §1: four-year programme",
    )

    @model_validator(mode="after")
    def _phases_fit(self) -> ProgrammeParams:
        phases = self.preparation_months + self.agenda_months
        if phases >= self.duration:
            raise Inconsistent(
                "programme.duration",
                self.duration,
                f"more than programme.preparation_months + agenda_months = {phases}",
            )
        return self


class TeamParams(Section):
    capacity: int = param(
        20,
        ge=0,
        le=1000,
        unit="relationships",
        label="Team capacity",
        description="Coalition members the sector team's own staff can give attention to.",
        source='DRIFT2015 §3 "Het sectorteam": small sector team; assumption',
    )
    network_reach: float = param(
        0.3,
        ge=0.0,
        le=1.0,
        unit="share of SMEs",
        label="Team's network",
        description="Share of SMEs the sector team knows personally (recruitment pool, connector reach).",
        source="ODD §2; assumption",
    )


class CoalitionParams(Section):
    initial_size: int = param(
        12,
        ge=0,
        le=10_000,
        unit="SMEs",
        label="Koplopers at the start",
        description="Koplopers the team recruits in phase I.",
        source='DRIFT2015 §3 "Sectorcoalitie": coalition of 10-15 koplopers',
    )
    target_size: int = param(
        30,
        ge=0,
        le=100_000,
        unit="SMEs",
        label="Coalition target",
        description="Size the coalition is broadened toward; growth slows past it.",
        source='DRIFT2015 §3 "Sectorcoalitie": coalition grows to about 30',
    )
    large_firms: int = param(
        1,
        ge=0,
        le=1000,
        unit="firms",
        label="Large firms in the coalition",
        description="Large firms (most motivated first) that join the coalition in phase I.",
        source='DRIFT2015 §4 "Coalitiedeelnemers": chain partners in the coalition',
    )
    ngos: int = param(
        1,
        ge=0,
        le=1000,
        unit="organisations",
        label="NGOs in the coalition",
        description="NGOs and knowledge bodies that join the coalition in phase I.",
        source='DRIFT2015 §4 "Coalitiedeelnemers", SFEC-M6: NGO partners',
    )
    member_cost: float = param(
        3_000.0,
        ge=0.0,
        le=1_000_000.0,
        unit="EUR/year",
        label="Cost of membership",
        description="Time and money membership asks of an SME; acceptance falls when it is large against resources.",
        source="DRIFT2015 §4, MVOAlliantie-nd: limited time of SMEs; assumption",
    )
    acceptance: float = param(
        1.94,
        ge=-20.0,
        le=20.0,
        unit="logit",
        label="Willingness to join",
        description="Intercept of the acceptance probability of an invitation.",
        source=calibrated(0.612, -1.34, 1.77),
    )
    plan_uptake: float = param(
        0.631,
        ge=0.0,
        le=1.0,
        unit="probability",
        label="MVO plan uptake",
        description="Probability that a member below stage 2, not in a project, adopts its own MVO plan (stage 2) when the agenda phase (the koploper programme) ends.",
        source=calibrated(0.569, 0.237, 0.783)
        + '; MVOAlliantie-nd "Stap 1": the 9-month koploper programme ends with a baseline measurement and an MVO plan',
    )
    dropout_rate: float = param(
        0.066,
        ge=0.0,
        le=1.0,
        unit="1/month",
        label="Dropout",
        description="Monthly probability that a member without any enthusiasm leaves (scaled by 1 - enthusiasm).",
        source=calibrated(0.044, 0.0165, 0.0785) + "; ODD §6 M3",
    )
    enthusiasm_success: float = param(
        0.2,
        ge=0.0,
        le=1.0,
        unit="enthusiasm",
        label="Lift from success",
        description="Rise of a member's enthusiasm when its project succeeds.",
        source="ODD §6 M3",
    )
    enthusiasm_setback: float = param(
        0.15,
        ge=0.0,
        le=1.0,
        unit="enthusiasm",
        label="Hit from setbacks",
        description="Fall of enthusiasm after a failed project or a cartel scare.",
        source="ODD §6 M3",
    )
    enthusiasm_decay: float = param(
        0.03,
        ge=0.0,
        le=1.0,
        unit="1/month",
        label="Fading enthusiasm",
        description="Monthly fall of enthusiasm without attention, and after 12 months without results.",
        source="ODD §6 M3",
    )
    self_organisation: float = param(
        0.6,
        ge=0.0,
        le=1.0,
        unit="share",
        label="Self-organisation",
        description="After the team withdraws, members get attention cohesion x this from each other.",
        source="DRIFT2015 §3, phase IV: the team turns into a connector, then withdraws",
    )

    acceptance_slope: float = param(
        4.0,
        ge=0.0,
        le=50.0,
        unit="logit",
        label="Motivation in acceptance",
        description="Effect of motivation on the logit of accepting an invitation.",
        source="ODD §6 M3; assumption",
    )
    idle_months: int = param(
        12,
        ge=1,
        le=600,
        unit="months",
        label="Months without results",
        description="Months without a project result after which a member's enthusiasm fades.",
        source="ODD §6 M3; assumption",
    )


class CohesionParams(Section):
    meeting_rate: float = param(
        0.15,
        ge=0.0,
        le=1.0,
        unit="1/month",
        label="Meetings",
        description="Monthly closing of the gap to full cohesion in phase II.",
        source="DRIFT2015 §3, phase II: agenda setting",
    )
    upkeep_rate: float = param(
        0.03,
        ge=0.0,
        le=1.0,
        unit="1/month",
        label="Upkeep",
        description="Monthly closing of the gap to full cohesion while the team is active after phase II.",
        source=CALIB,
    )
    newcomer_cohesion: float = param(
        0.3,
        ge=0.0,
        le=1.0,
        unit="[0,1]",
        label="Cohesion of newcomers",
        description="Cohesion a new member brings; broadening dilutes the coalition's cohesion.",
        source="DRIFT2015: broadening as a risk to the shared agenda",
    )
    decay: float = param(
        0.03,
        ge=0.0,
        le=1.0,
        unit="1/month",
        label="Decay without team",
        description="Monthly fall of cohesion after the team withdraws, scaled by the distance to critical mass.",
        source="ODD §3: movement persists only if self-carrying",
    )
    groupthink: float = param(
        0.6,
        ge=0.0,
        le=1.0,
        unit="share",
        label="Groupthink",
        description="Share of a project's learning lost when the coalition is cohesive but not diverse.",
        source='DRIFT2015 §4 "Strategische reflectie": groupthink, narrow interpretation of IMVO',
    )

    neutral: float = param(
        0.5,
        ge=0.0,
        le=1.0,
        unit="[0,1]",
        label="Cohesion when switched off",
        description="Constant cohesion used when mechanisms.cohesion is off: neither a built nor a broken coalition.",
        source="ODD §6 M4; assumption",
    )


class ProjectParams(Section):
    rate: float = param(
        0.0378,
        ge=0.0,
        le=1.0,
        unit="1/month",
        label="Project start rate",
        description="Monthly chance that a free member starts a change project (x cohesion x sharing x funding).",
        source=calibrated(0.0384, 0.0216, 0.0891),
    )
    size: int = param(
        4,
        ge=1,
        le=100,
        unit="SMEs",
        label="SMEs per project",
        description="SMEs taking part in one change project (the starter, members, then partners).",
        source='MVOAlliantie-nd "Stap 2", "Stap 3": masterclasses of 5-10 firms, chain projects',
    )
    cost: float = param(
        30_000.0,
        ge=0.0,
        le=100_000_000.0,
        unit="EUR",
        label="Project cost",
        description="Cost of one change project.",
        source='MVOAlliantie-nd "Financiering": EUR 209,500 over two years; assumption',
    )
    radicalness_mean: float = param(
        0.5,
        ge=0.01,
        le=0.99,
        unit="[0,1]",
        label="Radicalness",
        description="Mean radicalness of projects (0 = optimising, 1 = system-breaking; Beta distributed).",
        source='DRIFT2015 §3 "Veranderprojecten": system-breaking change projects',
    )
    min_months: int = param(
        6,
        ge=1,
        le=120,
        unit="months",
        label="Shortest project",
        description="Duration of the least radical project.",
        source='MVOAlliantie-nd "Stap 3": projects of 6-24 months',
    )
    max_months: int = param(
        24,
        ge=1,
        le=120,
        unit="months",
        label="Longest project",
        description="Duration of the most radical project.",
        source='MVOAlliantie-nd "Stap 3": projects of 6-24 months',
    )
    success_base: float = param(
        0.779,
        ge=0.0,
        le=1.0,
        unit="probability",
        label="Success of a safe project",
        description="Success probability of a project with radicalness 0 and no support.",
        source=calibrated(0.727, 0.506, 0.92),
    )
    radical_penalty: float = param(
        0.5,
        ge=0.0,
        le=1.0,
        unit="probability",
        label="Risk of radical projects",
        description="Fall in success probability from radicalness 0 to 1.",
        source="ODD §6 M5",
    )
    support_bonus: float = param(
        0.15,
        ge=0.0,
        le=1.0,
        unit="probability",
        label="NGO support bonus",
        description="Rise in success probability with NGO knowledge support.",
        source="ODD §6 M5, M10",
    )
    funding_bonus: float = param(
        0.05,
        ge=0.0,
        le=1.0,
        unit="probability",
        label="Grant bonus",
        description="Rise in success probability of a project with a grant (more means, less haste).",
        source="ODD §6 M5",
    )
    knowledge_gain: float = param(
        0.16,
        ge=0.0,
        le=10.0,
        unit="K",
        label="Learning per success",
        description="Action perspective a successful project adds to K, times its radicalness.",
        source='DRIFT2015 §3 "Handelingsperspectief": action perspectives from change projects',
    )
    failure_learning: float = param(
        0.3,
        ge=0.0,
        le=1.0,
        unit="share",
        label="Learning from failure",
        description="Share of the learning a failed project still adds.",
        source="ODD §6 M5",
    )
    knowledge_decay: float = param(
        0.01,
        ge=0.0,
        le=1.0,
        unit="1/month",
        label="Forgetting",
        description="Monthly decay of the stock of action perspectives K.",
        source=CALIB,
    )

    radicalness_concentration: float = param(
        4.0,
        ge=0.5,
        le=1000.0,
        unit="-",
        label="Spread of radicalness",
        description="Concentration a+b of the Beta distribution of project radicalness; higher is less spread.",
        source="ODD §6 M5; assumption",
    )

    @model_validator(mode="after")
    def _months_ordered(self) -> ProjectParams:
        if self.min_months > self.max_months:
            raise Inconsistent(
                "projects.min_months",
                self.min_months,
                f"at most projects.max_months = {self.max_months}",
            )
        return self


class BroadeningParams(Section):
    start_month: int = param(
        24,
        ge=0,
        le=600,
        unit="months after start",
        label="Broadening from",
        description="Month (after programme start) from which the coalition opens to the wider sector (phase IV).",
        source="DRIFT2015 §3: phase IV broadening",
    )
    rate: float = param(
        0.01,
        ge=0.0,
        le=1.0,
        unit="1/month",
        label="Broadening rate",
        description="Monthly chance that an SME tied to a member, or known to the team, is invited and may join.",
        source=CALIB,
    )
    open: bool = param(
        True,
        unit="on/off",
        label="Open coalition",
        description="false = closed coalition ('smal & diep'): no new members, action perspectives stay inside.",
        source='DRIFT2015 §3 "Sectorcoalitie": broad or narrow-and-deep coalitions',
    )
    closed_access: float = param(
        0.2,
        ge=0.0,
        le=1.0,
        unit="share of K",
        label="Reach of a closed coalition",
        description="Share of the action perspectives that reaches non-members of a closed coalition.",
        source=CALIB,
    )
    beyond_target: float = param(
        0.3,
        ge=0.0,
        le=1.0,
        unit="x rate",
        label="Growth past the target",
        description="Joining rate once the coalition has reached its target size, relative to before.",
        source="ODD §3: grows toward the target and beyond",
    )

    team_reach: float = param(
        0.25,
        ge=0.0,
        le=1.0,
        unit="x member",
        label="Pull of the team",
        description="Pull of the team's invitation relative to that of a member the firm is tied to.",
        source="ODD §6 M6; assumption",
    )
    exposure_ties: float = param(
        2.0,
        ge=0.1,
        le=100.0,
        unit="ties",
        label="Ties to see all",
        description="Ties to members or innovators at which a non-member can use all shared action perspectives.",
        source="ODD §6 M6; assumption",
    )


class CartelParams(Section):
    safe_harbour_share: float = param(
        0.20,
        ge=0.0,
        le=1.0,
        unit="market share",
        label="Safe harbour",
        description="Combined market share of cooperating competitors below which there is no cartel risk.",
        source="EU 2023 horizontal guidelines (soft safe harbour for sustainability agreements)",
    )
    hazard: float = param(
        0.04,
        ge=0.0,
        le=1.0,
        unit="1/month",
        label="Cartel hazard",
        description="Monthly chance of a cartel flag for cooperation above the safe harbour.",
        source='DRIFT2015 §4 "Samenwerking": cartel risk of cooperation; assumption',
    )
    green_deal: bool = param(
        False,
        unit="on/off",
        label="Green Deal",
        description="A Green Deal with the government makes joint initiatives possible and lowers the hazard.",
        source='DRIFT2015 §4 "Samenwerking": Green Deals',
    )
    green_deal_factor: float = param(
        0.2,
        ge=0.0,
        le=1.0,
        unit="x hazard",
        label="Hazard under a Green Deal",
        description="Cartel hazard under a Green Deal, relative to without.",
        source=CALIB,
    )
    precompetitive: bool = param(
        False,
        unit="on/off",
        label="Pre-competitive sharing",
        description="Knowledge is shared pre-competitively: halves the hazard and removes the fear of large firms.",
        source='DRIFT2015 §4 "Delen": pre-competitive cooperation',
    )
    halt_share: float = param(
        0.5,
        ge=0.0,
        le=1.0,
        unit="share",
        label="Flags that halt",
        description="Share of flagged projects that halt; the rest must go through a tender.",
        source="ODD §6 M7",
    )
    tender_months: int = param(
        6,
        ge=0,
        le=60,
        unit="months",
        label="Tender delay",
        description="Delay of a flagged project that goes through a tender.",
        source="ODD §6 M7",
    )
    tender_cost: float = param(
        20_000.0,
        ge=0.0,
        le=10_000_000.0,
        unit="EUR",
        label="Tender cost",
        description="Extra cost of a tender, paid from the project channel while it lasts.",
        source=CALIB,
    )
    cohesion_hit: float = param(
        0.3,
        ge=0.0,
        le=1.0,
        unit="share",
        label="Cohesion lost to a flag",
        description="Share of the coalition's cohesion lost at a cartel flag.",
        source="ODD §6 M7",
    )
    chill: float = param(
        0.5,
        ge=0.0,
        le=1.0,
        unit="share",
        label="Chill after a flag",
        description="Drop in willingness to share knowledge after a flag (recovers at 5% a month).",
        source="ODD §6 M7",
    )
    fear_large_firms: float = param(
        0.4,
        ge=0.0,
        le=1.0,
        unit="share",
        label="Fear of large firms",
        description="Drop in knowledge sharing when large firms are in the coalition, unless sharing is pre-competitive.",
        source='DRIFT2015 §4 "Delen": SMEs fear large firms use their insights',
    )

    precompetitive_factor: float = param(
        0.5,
        ge=0.0,
        le=1.0,
        unit="x hazard",
        label="Pre-competitive factor",
        description="Factor on the flag hazard when sharing is pre-competitive.",
        source="ODD §6 M7; assumption",
    )
    chill_recovery: float = param(
        0.05,
        ge=0.0,
        le=1.0,
        unit="1/month",
        label="Recovery of sharing",
        description="Share of the chill after a cartel flag that wears off each month.",
        source="ODD §6 M7; assumption",
    )


class FundingParams(Section):
    budget: float = param(
        1_000_000.0,
        ge=0.0,
        le=1_000_000_000.0,
        unit="EUR",
        label="Programme budget",
        description="Total programme budget; spending stops when it is used up.",
        source='MVOAlliantie-nd "Financiering": EUR 209,500 for a regional programme; assumption for a sector',
    )
    share_vouchers: float = param(
        0.3,
        ge=0.0,
        le=1.0,
        unit="share",
        label="Share for vouchers",
        description="Share of the budget for vouchers that lower an SME's cost of implementing.",
        source="ODD §6 M8",
    )
    share_projects: float = param(
        0.5,
        ge=0.0,
        le=1.0,
        unit="share",
        label="Share for project grants",
        description="Share of the budget for change-project grants.",
        source="ODD §6 M8",
    )
    share_team: float = param(
        0.2,
        ge=0.0,
        le=1.0,
        unit="share",
        label="Share for team capacity",
        description="Share of the budget for extra sector-team capacity.",
        source="ODD §6 M8",
    )
    voucher_value: float = param(
        5_000.0,
        ge=0.0,
        le=1_000_000.0,
        unit="EUR",
        label="Voucher value",
        description="Value of one voucher against the cost of moving to stage 2.",
        source="assumption (MKB-vouchers)",
    )
    voucher_rate: float = param(
        0.1,
        ge=0.0,
        le=1.0,
        unit="1/month",
        label="Voucher uptake",
        description="Monthly share of orienting SMEs reached by the team that take up a voucher.",
        source=CALIB,
    )
    cofunding_share: float = param(
        0.5,
        ge=0.0,
        le=1.0,
        unit="share",
        label="Co-funding",
        description="Share of a project's cost its members pay themselves; a grant pays the rest.",
        source='MVOAlliantie-nd "Financiering", SFEC-M6: co-funding of projects',
    )
    cost_per_relationship: float = param(
        800.0,
        ge=1.0,
        le=1_000_000.0,
        unit="EUR/month",
        label="Cost of team attention",
        description="Staff cost of maintaining one extra coalition relationship for a month.",
        source=CALIB,
    )

    @model_validator(mode="after")
    def _shares_sum_to_one(self) -> FundingParams:
        if abs(self.share_vouchers + self.share_projects + self.share_team - 1.0) > 1e-6:
            rest = 1.0 - self.share_vouchers - self.share_projects
            raise Inconsistent(
                "funding.share_team",
                self.share_team,
                f"the three funding shares sum to 1, so {rest:g} with these vouchers and projects shares",
            )
        return self


class LargeFirmParams(Section):
    count: int = param(
        10,
        ge=0,
        le=1000,
        unit="firms",
        label="Large firms",
        description="Large firms (buyers, brands, retailers) in the sector.",
        source="ODD §2",
    )
    market_share: float = param(
        0.5,
        ge=0.0,
        le=1.0,
        unit="share",
        label="Market share of large firms",
        description="Share of each segment's market held by its large firms; SMEs share the rest by size.",
        source="assumption; sector differences in DRIFT2015 §4",
    )
    supplier_share: float = param(
        0.6,
        ge=0.0,
        le=1.0,
        unit="share of SMEs",
        label="SMEs supplying large firms",
        description="Share of SMEs that supply a large firm (chain ties).",
        source="ODD §2",
    )
    motivation_mean: float = param(
        0.4,
        ge=0.01,
        le=0.99,
        unit="[0,1]",
        label="Strategic motivation",
        description="Mean strategic motivation of large firms for IMVO (Beta distributed).",
        source=CALIB,
    )
    adoption_rate: float = param(
        0.005,
        ge=0.0,
        le=1.0,
        unit="1/month",
        label="Large-firm adoption",
        description="Monthly chance that a fully motivated large firm adopts IMVO policy (x drivers).",
        source=CALIB,
    )

    motivation_concentration: float = param(
        4.0,
        ge=0.5,
        le=1000.0,
        unit="-",
        label="Spread of motivation",
        description="Concentration a+b of the Beta distribution of large firms' strategic motivation.",
        source="ODD §5; assumption",
    )
    coalition_drive: float = param(
        0.5,
        ge=0.0,
        le=1.0,
        unit="drive",
        label="Drive from the coalition",
        description="What coalition membership adds to a large firm's drive to adopt IMVO policy.",
        source="ODD §6 M9; assumption",
    )
    due_diligence_drive: float = param(
        0.5,
        ge=0.0,
        le=1.0,
        unit="drive",
        label="Drive from due diligence",
        description="What the due-diligence obligation adds to a large firm's drive to adopt IMVO policy.",
        source="ODD §6 M9; assumption",
    )
    project_partner: float = param(
        0.5,
        ge=0.0,
        le=1.0,
        unit="probability",
        label="Joins projects",
        description="Chance that a coalition large firm joins a new change project as chain partner.",
        source="ODD §6 M5; assumption",
    )
    cofunding: float = param(
        0.25,
        ge=0.0,
        le=1.0,
        unit="share of cost",
        label="Large-firm co-funding",
        description="Share of a change project's cost a large-firm partner pays, lowering the SMEs' own contribution.",
        source="ODD §6 M5; assumption",
    )
    visibility: float = param(
        10.0,
        ge=0.0,
        le=1000.0,
        unit="SMEs",
        label="Visibility of a large firm",
        description="Weight, in SMEs, of an adopted coalition large firm in the reference group of its segment's SMEs.",
        source="ODD §6 M2; assumption",
    )


class ChainParams(Section):
    pressure: float = param(
        0.4,
        ge=0.0,
        le=1.0,
        unit="[0,1]",
        label="Chain pressure",
        description="Pressure on an SME whose large buyer requires responsible conduct from its suppliers.",
        source="DRIFT2015, WestWing-nd: chain responsibility",
    )
    requirement_rate: float = param(
        0.05,
        ge=0.0,
        le=1.0,
        unit="1/month",
        label="Supplier requirements",
        description="Monthly chance that an adopted large firm starts requiring it of its suppliers.",
        source=CALIB,
    )

    due_diligence_factor: float = param(
        2.0,
        ge=1.0,
        le=100.0,
        unit="x rate",
        label="Requirements under due diligence",
        description="Factor on the requirement rate while the due-diligence obligation is in force.",
        source="ODD §6 M9; assumption",
    )


class RegulationParams(Section):
    due_diligence_month: int = param(
        -1,
        ge=-1,
        le=1200,
        unit="month",
        label="Due diligence from",
        description="Month a due-diligence obligation takes effect (-1 = never).",
        source="WestWing-nd: due-diligence obligation as trigger",
    )
    pressure: float = param(
        0.3,
        ge=0.0,
        le=1.0,
        unit="[0,1]",
        label="Pressure of the obligation",
        description="Pressure of the obligation on a medium firm (small 0.75x, micro 0.5x).",
        source=CALIB,
    )

    micro_factor: float = param(
        0.5,
        ge=0.0,
        le=1.0,
        unit="x pressure",
        label="Obligation felt by micro firms",
        description="Share of the obligation's pressure a micro firm feels (medium firms feel all of it).",
        source="ODD §6 M9; assumption",
    )
    small_factor: float = param(
        0.75,
        ge=0.0,
        le=1.0,
        unit="x pressure",
        label="Obligation felt by small firms",
        description="Share of the obligation's pressure a small firm feels.",
        source="ODD §6 M9; assumption",
    )


class NGOParams(Section):
    count: int = param(
        5,
        ge=0,
        le=1000,
        unit="organisations",
        label="NGOs",
        description="NGOs and knowledge bodies (such as RVO) active in the sector.",
        source="ODD §2",
    )
    capacity: int = param(
        3,
        ge=0,
        le=1000,
        unit="projects",
        label="NGO capacity",
        description="Projects one NGO can support with knowledge at a time (coalition NGOs first).",
        source="ODD §6 M10",
    )
    campaign_rate: float = param(
        0.01,
        ge=0.0,
        le=1.0,
        unit="1/month",
        label="Campaigns",
        description="Monthly chance that an NGO runs a public campaign.",
        source="SFEC-M6: external pressure",
    )
    campaign_pressure: float = param(
        0.05,
        ge=0.0,
        le=1.0,
        unit="[0,1]",
        label="Campaign pressure",
        description="Sector-wide pressure a campaign adds (decays with shock.half_life).",
        source=CALIB,
    )

    outside_share: float = param(
        0.25,
        ge=0.0,
        le=1.0,
        unit="x capacity",
        label="Support from outside",
        description="Support capacity of an NGO or knowledge body outside the coalition, relative to a member.",
        source="ODD §6 M10; assumption",
    )
    sme_capacity: int = param(
        10,
        ge=0,
        le=100000,
        unit="SMEs",
        label="SMEs advised per NGO",
        description="SMEs an NGO in the coalition can advise at a time (outside: outside_share of that).",
        source="ODD §6 M10; assumption",
    )
    advice_cost_reduction: float = param(
        0.3,
        ge=0.0,
        le=1.0,
        unit="share of cost",
        label="Cost saved by advice",
        description="Share of the cost of its next stage that an NGO's advice saves an orienting SME.",
        source="ODD §6 M10; assumption",
    )


class ShockParams(Section):
    month: int = param(
        60,
        ge=0,
        le=1200,
        unit="month",
        label="Scandal month",
        description="Month of a scandal shock such as the Rana Plaza disaster.",
        source='SFEC-M6 "Profiteren van externe druk": Rana Plaza',
    )
    size: float = param(
        0.0,
        ge=0.0,
        le=1.0,
        unit="[0,1]",
        label="Scandal size",
        description="Sector-wide pressure the scandal adds (0 = no scandal).",
        source='SFEC-M6 "Profiteren van externe druk": Rana Plaza',
    )
    half_life: float = param(
        12.0,
        ge=0.1,
        le=600.0,
        unit="months",
        label="Half-life of public pressure",
        description="Half-life of the pressure from scandals and campaigns.",
        source=CALIB,
    )


class MechanismSwitches(Section):
    """Each mechanism can be switched off to isolate its effect (ODD §6)."""

    coalition: bool = param(
        True,
        unit="on/off",
        label="Coalition",
        description="M3: recruitment, invitations, enthusiasm and dropout.",
        source="ODD §6 M3",
    )
    cohesion: bool = param(
        True,
        unit="on/off",
        label="Cohesion",
        description="M4: agenda, cohesion and groupthink (off: cohesion fixed at cohesion.neutral, no groupthink).",
        source="ODD §6 M4",
    )
    projects: bool = param(
        True,
        unit="on/off",
        label="Change projects",
        description="M5: change projects, learning and visibility.",
        source="ODD §6 M5",
    )
    broadening: bool = param(
        True,
        unit="on/off",
        label="Broadening",
        description="M6: opening the coalition and spreading action perspectives.",
        source="ODD §6 M6",
    )
    cartel: bool = param(
        True,
        unit="on/off",
        label="Cartel risk",
        description="M7: cartel flags and the fear of sharing with large firms.",
        source="ODD §6 M7",
    )
    funding: bool = param(
        True,
        unit="on/off",
        label="Funding",
        description="M8: vouchers, project grants and team capacity (off: no money flows).",
        source="ODD §6 M8",
    )
    chain: bool = param(
        True,
        unit="on/off",
        label="Chain pressure",
        description="M9: large firms adopt IMVO policy and require it of their suppliers.",
        source="ODD §6 M9",
    )
    ngo: bool = param(
        True,
        unit="on/off",
        label="NGOs",
        description="M10: NGO support of projects and SMEs, and campaigns.",
        source="ODD §6 M10",
    )
    imitation: bool = param(
        True,
        unit="on/off",
        label="Imitation",
        description="M2: peers ahead pull an SME up.",
        source="ODD §6 M2",
    )
    relapse: bool = param(
        True,
        unit="on/off",
        label="Relapse",
        description="M11: unsupported SMEs fall back to business as usual.",
        source="ODD §6 M11",
    )
    regulation: bool = param(
        True,
        unit="on/off",
        label="Regulation",
        description="M9: the due-diligence obligation (off: it never takes effect).",
        source="ODD §6 M9",
    )
    shocks: bool = param(
        True,
        unit="on/off",
        label="Scandals",
        description="M10: scandal shocks that raise public pressure (off: no scandal).",
        source="ODD §6 M10",
    )


class CalendarParams(Section):
    start_year: int = param(
        2025,
        ge=1900,
        le=2200,
        unit="year",
        label="First year",
        description="Calendar year whose January is month 0; figures count time in years from it. No rule of the model reads it.",
        source="the period of the scenario (ODD §2, scales)",
    )


class Config(Section):
    """A complete, validated configuration of one model run (all sections)."""

    months: int = param(
        180,
        ge=1,
        le=1200,
        unit="months",
        label="Horizon",
        description="Number of monthly steps simulated.",
        source="ODD §2 (15 years)",
    )
    critical_mass_share: float = param(
        0.25,
        ge=0.01,
        le=0.99,
        unit="share",
        label="Critical mass",
        description="Adoption share that counts as critical mass (0.16 = Rogers' innovators + early adopters).",
        source="Centola et al. 2018 (tipping point ~25%)",
    )
    critical_mass_months: int = param(
        12,
        ge=1,
        le=1200,
        unit="months",
        label="Critical mass must last",
        description="Critical mass is reached in the first month of a stretch of this many months at or above critical_mass_share.",
        source="ODD §7; assumption: a year, so that one month's crossing does not count",
    )
    sme: SMEParams = SMEParams()
    network: NetworkParams = NetworkParams()
    adoption: AdoptionParams = AdoptionParams()
    imitation: ImitationParams = ImitationParams()
    podium: PodiumParams = PodiumParams()
    programme: ProgrammeParams = ProgrammeParams()
    team: TeamParams = TeamParams()
    coalition: CoalitionParams = CoalitionParams()
    cohesion: CohesionParams = CohesionParams()
    projects: ProjectParams = ProjectParams()
    broadening: BroadeningParams = BroadeningParams()
    cartel: CartelParams = CartelParams()
    funding: FundingParams = FundingParams()
    large_firms: LargeFirmParams = LargeFirmParams()
    chain: ChainParams = ChainParams()
    regulation: RegulationParams = RegulationParams()
    ngo: NGOParams = NGOParams()
    shock: ShockParams = ShockParams()
    relapse: RelapseParams = RelapseParams()
    phases: PhaseParams = PhaseParams()
    mechanisms: MechanismSwitches = MechanismSwitches()
    calendar: CalendarParams = CalendarParams()

    @model_validator(mode="after")
    def _fits_the_sector(self) -> Config:
        n = self.sme.count
        if self.adoption.initial_adopters > n:
            raise Inconsistent(
                "adoption.initial_adopters",
                self.adoption.initial_adopters,
                f"at most sme.count = {n}",
            )
        if self.network.kind != "complete" and self.network.mean_degree > n - 1:
            raise Inconsistent(
                "network.mean_degree", self.network.mean_degree, f"at most sme.count - 1 = {n - 1}"
            )
        return self

    def updated(self, changes: Mapping[str, Any]) -> Config:
        """A copy with ``{dotted key: value}`` changed, validated: a wrong, out-of-range,
        unknown or inconsistent value raises pydantic's ``ValidationError`` naming its key.
        A section's key takes a table of its keys, changing only those."""
        data = self.model_dump()
        for key, value in changes.items():
            _merge(data, key, value)
        return Config.model_validate(data)

    def flat(self) -> dict[str, Any]:
        """The configuration as ``{dotted key: value}``."""
        return {key: self.get(key) for key in PARAMETERS}

    def get(self, key: str) -> Any:
        """The value at a dotted key."""
        value: Any = self
        for part in key.split("."):
            value = getattr(value, part)
        return value


def _merge(data: dict[str, Any], key: str, value: Any) -> None:
    """Put ``value`` at the dotted ``key`` of the nested ``data``; a table only at its keys."""
    *tables, name = key.split(".")
    for table in tables:
        if not isinstance(data.get(table), dict):
            data[table] = {}
        data = data[table]
    if isinstance(value, Section):
        value = value.model_dump()
    if isinstance(value, Mapping) and isinstance(data.get(name), dict):
        for inner, item in value.items():
            _merge(data[name], inner, item)
    else:
        data[name] = value


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
