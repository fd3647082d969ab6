"""What the workshop app adds to the parameter schema: its levers and the Dutch texts.

The schema (:mod:`sectorsim.params`) says what a parameter is: type, default, allowed range,
unit, source and English texts. Here, once each, is what the app needs on top: which parameters
are levers on the page and in what order, each lever's slider (minimum, maximum, step; a switch
has none) and the Dutch name of every parameter, with a Dutch help text for the levers.
"""

from __future__ import annotations

from dataclasses import dataclass

from sectorsim.params import PARAMETERS, ParamSpec


@dataclass(frozen=True)
class Lever:
    """A parameter the participants move: its Dutch texts and its slider (``None``: a switch)."""

    key: str
    label_nl: str
    description_nl: str
    slider: tuple[float, float, float] | None = None

    @property
    def spec(self) -> ParamSpec:
        """What the schema says about the parameter."""
        return PARAMETERS[self.key]

    @property
    def type(self) -> str:
        return self.spec.type

    @property
    def unit(self) -> str:
        return self.spec.unit

    def text(self, language: str) -> tuple[str, str]:
        """(label, help text) in ``language`` ("en" or "nl")."""
        if language == "nl":
            return self.label_nl, self.description_nl
        return self.spec.label, self.spec.description


#: The levers of the workshop, by dotted key, in the order the page shows them in their groups.
LEVERS: dict[str, Lever] = {
    lever.key: lever
    for lever in (
        Lever(
            "sme.count",
            label_nl="Aantal mkb-bedrijven",
            description_nl="Aantal mkb-bedrijven in de sector.",
            slider=(100, 5000, 100),
        ),
        Lever(
            "podium.visibility",
            label_nl="Podium voor koplopers",
            description_nl="Extra gewicht van een koploper in de referentiegroep van collega's (0 = gezien als elk ander bedrijf).",
            slider=(0.0, 5.0, 0.5),
        ),
        Lever(
            "team.capacity",
            label_nl="Capaciteit sectorteam",
            description_nl="Aantal coalitieleden waaraan de eigen mensen van het sectorteam aandacht kunnen geven.",
            slider=(0, 100, 5),
        ),
        Lever(
            "coalition.initial_size",
            label_nl="Koplopers bij de start",
            description_nl="Koplopers die het sectorteam in fase I werft.",
            slider=(0, 60, 1),
        ),
        Lever(
            "coalition.target_size",
            label_nl="Beoogde coalitiegrootte",
            description_nl="Grootte waarnaar de coalitie wordt verbreed; daarboven groeit ze trager.",
            slider=(0, 150, 5),
        ),
        Lever(
            "coalition.large_firms",
            label_nl="Grote bedrijven in coalitie",
            description_nl="Grote bedrijven (de meest gemotiveerde eerst) die in fase I aan de coalitie deelnemen.",
            slider=(0, 5, 1),
        ),
        Lever(
            "coalition.ngos",
            label_nl="ngo's in coalitie",
            description_nl="Ngo's en kennisinstellingen die in fase I aan de coalitie deelnemen.",
            slider=(0, 5, 1),
        ),
        Lever(
            "broadening.start_month",
            label_nl="Verbreding vanaf",
            description_nl="Maand (na de start van het programma) vanaf wanneer de coalitie zich openstelt voor de rest van de sector (fase IV).",
            slider=(0, 120, 3),
        ),
        Lever(
            "broadening.rate",
            label_nl="Tempo verbreding",
            description_nl="Kans per maand dat een mkb'er met een band met een lid, of bekend bij het team, wordt uitgenodigd en kan toetreden.",
            slider=(0.0, 0.1, 0.005),
        ),
        Lever(
            "broadening.open",
            label_nl="Open coalitie",
            description_nl="Uit = gesloten coalitie ('smal & diep'): geen nieuwe leden, handelingsperspectieven blijven binnen de coalitie.",
        ),
        Lever(
            "cartel.safe_harbour_share",
            label_nl="Veilige haven",
            description_nl="Gezamenlijk marktaandeel van samenwerkende concurrenten waaronder geen kartelrisico is.",
            slider=(0.0, 0.5, 0.05),
        ),
        Lever(
            "cartel.green_deal",
            label_nl="Green Deal",
            description_nl="Een Green Deal met de overheid maakt gezamenlijke initiatieven mogelijk en verlaagt het kartelrisico.",
        ),
        Lever(
            "funding.budget",
            label_nl="Programmabudget",
            description_nl="Totaal programmabudget; uitgaven stoppen als het op is.",
            slider=(0.0, 5000000.0, 100000.0),
        ),
        Lever(
            "funding.share_vouchers",
            label_nl="Aandeel vouchers",
            description_nl="Deel van het budget voor vouchers die de kosten van implementeren voor een mkb'er verlagen.",
            slider=(0.0, 1.0, 0.05),
        ),
        Lever(
            "funding.share_projects",
            label_nl="Aandeel projectsubsidie",
            description_nl="Deel van het budget voor subsidie op veranderprojecten.",
            slider=(0.0, 1.0, 0.05),
        ),
        Lever(
            "regulation.due_diligence_month",
            label_nl="Gepaste zorgvuldigheid vanaf",
            description_nl="Maand waarin een verplichting tot gepaste zorgvuldigheid ingaat (-1 = nooit).",
            slider=(-1, 180, 1),
        ),
        Lever(
            "shock.month",
            label_nl="Maand schandaal",
            description_nl="Maand van een schandaal zoals de ramp met Rana Plaza.",
            slider=(0, 180, 1),
        ),
        Lever(
            "shock.size",
            label_nl="Omvang schandaal",
            description_nl="Publieke druk die het schandaal toevoegt aan de hele sector (0 = geen schandaal).",
            slider=(0.0, 1.0, 0.05),
        ),
    )
}

#: The Dutch name of every parameter that is not a lever.
NAMES_NL: dict[str, str] = {
    "months": "Looptijd",
    "critical_mass_share": "Kritische massa",
    "critical_mass_months": "Kritische massa moet duren",
    "sme.segments": "Ketensegmenten",
    "sme.share_small": "Aandeel kleine bedrijven",
    "sme.share_medium": "Aandeel middelgrote bedrijven",
    "sme.resources_micro": "Middelen micro-bedrijf",
    "sme.resources_small": "Middelen klein bedrijf",
    "sme.resources_medium": "Middelen middelgroot bedrijf",
    "sme.resources_sigma": "Spreiding middelen",
    "sme.motivation_mean": "Gemiddelde motivatie",
    "sme.openness_mean": "Gemiddelde openheid",
    "sme.leadership_mean": "Gemiddeld leiderschap",
    "sme.trait_concentration": "Concentratie eigenschappen",
    "network.kind": "Type netwerk",
    "network.mean_degree": "Gemiddeld aantal relaties",
    "network.rewiring": "Herbedrading",
    "adoption.rule": "Adoptieregel",
    "adoption.adopted_stage": "Geadopteerd vanaf fase",
    "adoption.initial_adopters": "Beginnende adopters",
    "adoption.dwell": "Minimale tijd per fase",
    "adoption.b0": "Basisneiging",
    "adoption.b_motivation": "Gewicht motivatie",
    "adoption.b_social": "Gewicht navolging",
    "adoption.b_pressure": "Gewicht druk",
    "adoption.b_knowledge": "Gewicht handelingsperspectieven",
    "adoption.b_cost": "Gewicht kosten",
    "adoption.cost_orienting": "Kosten oriënteren",
    "adoption.cost_implementing": "Kosten implementeren",
    "adoption.p": "Bass innovatie p",
    "adoption.q": "Bass imitatie q",
    "adoption.threshold": "Adoptiedrempel",
    "adoption.threshold_sd": "Spreiding drempels",
    "imitation.rule": "Besmetting",
    "imitation.linear_rate": "Navolgingskans",
    "imitation.segment_weight": "Gewicht concurrenten",
    "podium.months": "Podiummaanden",
    "podium.fade_months": "Uitdoven podium",
    "podium.cost_per_month": "Kosten podium",
    "podium.max_share": "Plafond podium",
    "programme.enabled": "Sectorprogramma",
    "programme.start_month": "Start programma",
    "programme.preparation_months": "Fase I voorbereiding",
    "programme.agenda_months": "Fase II agendavorming",
    "programme.duration": "Looptijd programma",
    "team.network_reach": "Netwerk sectorteam",
    "coalition.member_cost": "Kosten lidmaatschap",
    "coalition.acceptance": "Bereidheid om mee te doen",
    "coalition.plan_uptake": "Overname MVO-plan",
    "coalition.dropout_rate": "Uitval",
    "coalition.enthusiasm_success": "Impuls door succes",
    "coalition.enthusiasm_setback": "Klap door tegenslag",
    "coalition.enthusiasm_decay": "Afnemend enthousiasme",
    "coalition.self_organisation": "Zelforganisatie",
    "coalition.acceptance_slope": "Motivatie bij toetreden",
    "coalition.idle_months": "Maanden zonder resultaat",
    "cohesion.meeting_rate": "Bijeenkomsten",
    "cohesion.upkeep_rate": "Onderhoud",
    "cohesion.newcomer_cohesion": "Binding nieuwkomers",
    "cohesion.decay": "Verval zonder team",
    "cohesion.groupthink": "Groepsdenken",
    "cohesion.neutral": "Binding zonder mechanisme",
    "projects.rate": "Startkans projecten",
    "projects.size": "Mkb per project",
    "projects.cost": "Projectkosten",
    "projects.radicalness_mean": "Radicaliteit",
    "projects.min_months": "Kortste project",
    "projects.max_months": "Langste project",
    "projects.success_base": "Succes veilig project",
    "projects.radical_penalty": "Risico radicale projecten",
    "projects.support_bonus": "Bonus ngo-steun",
    "projects.funding_bonus": "Bonus subsidie",
    "projects.knowledge_gain": "Leren per succes",
    "projects.failure_learning": "Leren van mislukking",
    "projects.knowledge_decay": "Vergeten",
    "projects.radicalness_concentration": "Spreiding radicaliteit",
    "broadening.closed_access": "Bereik gesloten coalitie",
    "broadening.beyond_target": "Groei boven doel",
    "broadening.team_reach": "Trekkracht team",
    "broadening.exposure_ties": "Relaties voor volledig zicht",
    "cartel.hazard": "Kartelrisico",
    "cartel.green_deal_factor": "Risico met Green Deal",
    "cartel.precompetitive": "Precompetitief delen",
    "cartel.halt_share": "Stopzettingen",
    "cartel.tender_months": "Vertraging aanbesteding",
    "cartel.tender_cost": "Kosten aanbesteding",
    "cartel.cohesion_hit": "Bindingsverlies door vlag",
    "cartel.chill": "Terughoudendheid na vlag",
    "cartel.fear_large_firms": "Angst voor grote bedrijven",
    "cartel.precompetitive_factor": "Factor precompetitief",
    "cartel.chill_recovery": "Herstel van delen",
    "funding.share_team": "Aandeel teamcapaciteit",
    "funding.voucher_value": "Waarde voucher",
    "funding.voucher_rate": "Gebruik vouchers",
    "funding.cofunding_share": "Cofinanciering",
    "funding.cost_per_relationship": "Kosten teamaandacht",
    "large_firms.count": "Grote bedrijven",
    "large_firms.market_share": "Marktaandeel grote bedrijven",
    "large_firms.supplier_share": "Toeleveranciers",
    "large_firms.motivation_mean": "Strategische motivatie",
    "large_firms.adoption_rate": "Adoptie grote bedrijven",
    "large_firms.motivation_concentration": "Spreiding motivatie",
    "large_firms.coalition_drive": "Drijfveer coalitie",
    "large_firms.due_diligence_drive": "Drijfveer zorgplicht",
    "large_firms.project_partner": "Doet mee in projecten",
    "large_firms.cofunding": "Cofinanciering grootbedrijf",
    "large_firms.visibility": "Zichtbaarheid grootbedrijf",
    "chain.pressure": "Ketendruk",
    "chain.requirement_rate": "Eisen aan leveranciers",
    "chain.due_diligence_factor": "Eisen onder zorgplicht",
    "regulation.pressure": "Druk van de verplichting",
    "regulation.micro_factor": "Zorgplicht micro",
    "regulation.small_factor": "Zorgplicht klein",
    "ngo.count": "ngo's",
    "ngo.capacity": "Capaciteit ngo",
    "ngo.campaign_rate": "Campagnes",
    "ngo.campaign_pressure": "Campagnedruk",
    "ngo.outside_share": "Steun van buiten",
    "ngo.sme_capacity": "Mkb'ers begeleid per ngo",
    "ngo.advice_cost_reduction": "Kostenbesparing advies",
    "shock.half_life": "Halfwaardetijd publieke druk",
    "relapse.rate": "Terugvalkans",
    "phases.smoothing_months": "Afvlakvenster",
    "phases.takeoff_share": "Drempel take-off",
    "phases.growth_min": "Minimale groei",
    "phases.stable_months": "Maanden tot stabilisatie",
    "phases.setback_drop": "Terugval",
    "phases.self_carrying_months": "Toets zelfdragend",
    "mechanisms.coalition": "Coalitie",
    "mechanisms.cohesion": "Binding",
    "mechanisms.projects": "Veranderprojecten",
    "mechanisms.broadening": "Verbreding",
    "mechanisms.cartel": "Kartelrisico",
    "mechanisms.funding": "Financiering",
    "mechanisms.chain": "Ketendruk",
    "mechanisms.ngo": "ngo's",
    "mechanisms.imitation": "Navolging",
    "mechanisms.relapse": "Terugval",
    "mechanisms.regulation": "Regelgeving",
    "mechanisms.shocks": "Schandalen",
    "calendar.start_year": "Eerste jaar",
}


def label(key: str, language: str) -> str:
    """A parameter's name in ``language`` ("en" or "nl")."""
    if language != "nl":
        return PARAMETERS[key].label
    return LEVERS[key].label_nl if key in LEVERS else NAMES_NL[key]
