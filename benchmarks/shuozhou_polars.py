"""The bundled Shuozhou rulebook written by hand as one Polars query: the baseline `score` is
measured against.

What a data engineer would write from the policy text with the rulebook's readings: parameters
as of `AS_OF` inlined as literals, derived facts (SME sector and size class, ceramics, above
scale) as expressions, Polars' three-valued `&`/`|` for unknown facts, and a rule eligible where
its condition is true. Only the profile-level rules are written; the per-item rules (projects,
awards, exhibitions…) are not, so `COVERED` says how many of the rulebook's rules the baseline
does. Output: one row per eligible (row, rule_id), with the amount where the text gives one.
"""

from __future__ import annotations

from datetime import date

import polars as pl

AS_OF = date(2019, 6, 1)
WAN, YI = 10_000, 100_000_000

code = pl.col("industry_code")
# 民营 as the rulebook reads it by default: private or collective, or mixed and not state-controlled
ownership = pl.col("ownership")
private = ownership.is_in(["private", "collective"]) | (
    (ownership == "mixed") & ~pl.col("state_controlled")
)
industrial = code.str.starts_with("B") | code.str.starts_with("C") | code.str.starts_with("D")
mining = code.str.starts_with("B")
ceramics = code.str.starts_with("C307")
# 规模以上: in the database for the last complete year when the years are known, else revenue
above_scale = (
    pl.when(pl.col("above_scale_years").is_not_null())
    .then(pl.col("above_scale_years").list.contains(AS_OF.year - 1))
    .otherwise(pl.col("main_business_revenue") >= 20_000_000)
)
not_dishonest = ~pl.col("credit_status").is_in(
    ["seriously_dishonest", "long_term_default", "malicious_arrears"]
)


def cases(branches: list[tuple[pl.Expr, str]], otherwise: str) -> pl.Expr:
    """The first branch whose test holds; unknown as soon as a test before it is unknown."""
    chain = None
    for test, value in branches:
        chain = (pl.when(test.is_null()) if chain is None else chain.when(test.is_null())).then(
            pl.lit(None, pl.String)
        )
        chain = chain.when(test).then(pl.lit(value))
    assert chain is not None
    return chain.otherwise(pl.lit(otherwise))


SECTOR_PREFIXES: list[tuple[tuple[str, ...], str]] = [
    (("J",), "finance"),
    (("A",), "agriculture"),
    (("B", "C", "D"), "industry"),
    (("E",), "construction"),
    (("F51",), "wholesale"),
    (("F52",), "retail"),
    (("G53",), "other"),
    (("G591",), "transport"),
    (("G59",), "warehousing"),
    (("G60",), "post"),
    (("G",), "transport"),
    (("H61",), "hotels"),
    (("H62",), "catering"),
    (("I63", "I64"), "telecoms"),
    (("I65",), "software"),
    (("K701",), "real_estate_development"),
    (("K702",), "property_management"),
    (("L",), "leasing_business_services"),
]

Bounds = tuple[int | None, int | None, int | None]
"""Lower bounds on (employees, operating_revenue, total_assets); None: not a criterion."""
SIZE_BOUNDS: dict[str, tuple[Bounds, Bounds, Bounds]] = {  # large, medium, small (2011 standard)
    "agriculture": ((None, 2 * YI, None), (None, 500 * WAN, None), (None, 50 * WAN, None)),
    "industry": ((1000, 4 * YI, None), (300, 2000 * WAN, None), (20, 300 * WAN, None)),
    "construction": (
        (None, 8 * YI, 8 * YI),
        (None, 6000 * WAN, 5000 * WAN),
        (None, 300 * WAN, 300 * WAN),
    ),
    "wholesale": ((200, 4 * YI, None), (20, 5000 * WAN, None), (5, 1000 * WAN, None)),
    "retail": ((300, 2 * YI, None), (50, 500 * WAN, None), (10, 100 * WAN, None)),
    "transport": ((1000, 3 * YI, None), (300, 3000 * WAN, None), (20, 200 * WAN, None)),
    "warehousing": ((200, 3 * YI, None), (100, 1000 * WAN, None), (20, 100 * WAN, None)),
    "post": ((1000, 3 * YI, None), (300, 2000 * WAN, None), (20, 100 * WAN, None)),
    "hotels": ((300, 1 * YI, None), (100, 2000 * WAN, None), (10, 100 * WAN, None)),
    "catering": ((300, 1 * YI, None), (100, 2000 * WAN, None), (10, 100 * WAN, None)),
    "telecoms": ((2000, 10 * YI, None), (100, 1000 * WAN, None), (10, 100 * WAN, None)),
    "software": ((300, 1 * YI, None), (100, 1000 * WAN, None), (10, 50 * WAN, None)),
    "real_estate_development": (
        (None, 20 * YI, 1 * YI),
        (None, 1000 * WAN, 5000 * WAN),
        (None, 100 * WAN, 2000 * WAN),
    ),
    "property_management": (
        (1000, 5000 * WAN, None),
        (300, 1000 * WAN, None),
        (100, 500 * WAN, None),
    ),
    "leasing_business_services": (
        (300, None, 12 * YI),
        (100, None, 8000 * WAN),
        (10, None, 100 * WAN),
    ),
    "other": ((300, None, None), (100, None, None), (10, None, None)),
}
SIZE_FIELDS = ("employees", "operating_revenue", "total_assets")


def _at_least(sector: pl.Expr, size: int) -> pl.Expr:
    """The sector's row of the standard meets every lower bound of class `size`."""
    terms = []
    for name, rows in SIZE_BOUNDS.items():
        term = sector == name
        for field, bound in zip(SIZE_FIELDS, rows[size], strict=True):
            if bound is not None:
                term = term & (pl.col(field) >= bound)
        terms.append(term)
    return pl.any_horizontal(terms)


def _sector() -> pl.Expr:
    return cases(
        [
            (pl.any_horizontal([code.str.starts_with(p) for p in prefixes]), sector)
            for prefixes, sector in SECTOR_PREFIXES
        ],
        "other",
    )


CLASSES = ("unclassified", "large", "medium", "small", "micro")
"""The size classes in the order the standard's cases test them."""


def _possible_classes(sector: pl.Expr) -> list[pl.Expr]:
    """Whether each class of the 2011 standard may be the enterprise's (never null): a class
    is possible unless a test before it is certainly met or its own is certainly not, so a
    15-person wholesaler with its revenue unknown may be small or micro but not medium."""
    tests = [sector == "finance", _at_least(sector, 0), _at_least(sector, 1), _at_least(sector, 2)]
    out = []
    for k, name in enumerate(CLASSES):
        passed = [~t.fill_null(False) for t in tests[:k]]
        own = [tests[k].fill_null(True)] if k < len(tests) else []
        out.append(pl.all_horizontal([*passed, *own, pl.lit(True)]).alias(f"_may_{name}"))
    return out


sector = pl.col("_sector")
may = {name: pl.col(f"_may_{name}") for name in CLASSES}
sme = ~may["unclassified"] & ~may["large"]
small_or_micro = sme & ~may["medium"]
years = pl.col("above_scale_years")
first_year = years.list.min()
entered = industrial & (years.list.len() > 0) & (first_year >= 2018)
# measure 36's 小微 judged at entry: implied by a first entry unless the entry size says otherwise
small_at_entry = (
    pl.when(pl.col("size_class_at_first_entry").is_not_null())
    .then(pl.col("size_class_at_first_entry").is_in(["small", "micro"]))
    .otherwise(True)
)
# 小型微利企业 under 财税〔2019〕13号, and its income-tax saving
income = pl.col("taxable_income").cast(pl.Float64)
small_low_profit = (
    (income <= 3_000_000) & (pl.col("employees") <= 300) & (pl.col("total_assets") <= 50_000_000)
)
relief = pl.when(small_low_profit).then(
    0.25 * income
    - pl.min_horizontal(income, 1_000_000) * 0.05
    - pl.max_horizontal(income - 1_000_000, 0) * 0.10
)


def streak_of(n: int) -> pl.Expr:
    """In the above-scale database `n` consecutive years from the first (that one included)."""
    return pl.all_horizontal([years.list.contains(first_year + k) for k in range(1, n)])


ALL = pl.lit(True)
NONE = pl.lit(None, pl.Float64)

RULES: dict[str, tuple[pl.Expr, pl.Expr]] = {
    # rule id: (when it is eligible, its amount)
    "m2.no_initial_track_record_threshold": (private & pl.col("has_industry_qualification"), NONE),
    "m3.compliant_production_protected": (
        (pl.col("staggered_production") | mining) & pl.col("meets_environmental_standards"),
        NONE,
    ),
    "m4.lawful_commitments_honoured": (pl.col("holds_government_commitment"), NONE),
    "m5.government_project_arrears_priority": (
        private & (pl.col("government_project_arrears") > 0),
        NONE,
    ),
    "m14.ceramic_tax_retention_award": (
        ceramics & above_scale & (pl.col("annual_sales") >= 50_000_000) & not_dishonest,
        pl.col("local_tax_retained").cast(pl.Float64),
    ),
    "m14.inclusive_tax_relief": (
        small_low_profit | pl.col("vat_small_scale_taxpayer") | pl.col("is_tech_startup"),
        relief,
    ),
    "m14.tax_payment_deferral": (private & pl.col("tax_payment_difficulty"), NONE),
    # layoffs below the unemployment target (not stated), or at most 20% of 30 insured or fewer
    "m15.job_stabilization_refund": (
        pl.col("ui_enrolled")
        & (pl.col("ui_months_insured") >= 12)
        & (
            (pl.col("layoffs") == 0)
            | (
                (pl.col("ui_insured_staff") <= 30)
                & (pl.col("layoffs") <= 0.2 * pl.col("ui_insured_staff"))
            )
        )
        & pl.col("complies_with_industrial_environmental_policy")
        & pl.col("sound_finances")
        & not_dishonest,
        pl.col("ui_premiums_paid").cast(pl.Float64) * 0.5,
    ),
    "m15.unemployment_insurance_rate_cut": (
        pl.col("ui_enrolled"),
        pl.col("ui_wage_base").cast(pl.Float64) * 0.02,
    ),
    "m16.provincial_fees_zero": (ALL, NONE),
    "m18.park_factory_rent_reduction": (pl.col("rents_park_factory"), NONE),
    "m19.electricity_market_trading": (private, NONE),
    "m19.park_bundled_trading": (pl.col("in_park"), NONE),
    "m20.direct_gas_supply": (private & pl.col("natural_gas_user"), NONE),
    "m20.ceramic_park_gas_supply": (
        ceramics & pl.col("county").is_in(["怀仁市", "应县"]) & pl.col("in_park"),
        NONE,
    ),
    "m21.freight_three_inspections_in_one": (
        pl.col("operates_freight_trucks") | code.str.starts_with("G543"),
        NONE,
    ),
    "m23.no_blind_loan_withdrawal": (pl.col("temporary_operating_difficulty"), NONE),
    "m23.tax_credit_loan": (pl.col("taxes_paid") > 0, NONE),
    "m23.receivables_financing": (small_or_micro, NONE),
    "m23.movable_and_ip_pledge_financing": (ALL, NONE),
    "m23.advanced_manufacturing_credit_preference": (pl.col("growth_advanced_manufacturer"), NONE),
    "m23.ceramic_dedicated_lending": (ceramics, NONE),
    "m24.guarantee_fee_subsidy": (pl.col("guarantee_fees_paid") > 0, NONE),
    "m25.ceramic_loan_interest_subsidy": (
        ceramics
        & (pl.col("annual_sales") >= 50_000_000)
        & (pl.col("employees") >= 500)
        & not_dishonest,
        NONE,
    ),
    "m25.bridge_loan_service": (private & pl.col("backbone_private_enterprise"), NONE),
    "m25.ceramic_emergency_fund_quota": (ceramics, NONE),
    "m26.neeq_listing_award": (
        pl.col("neeq_listed") & (pl.col("neeq_listing_year") >= 2018) & not_dishonest,
        NONE,
    ),
    "m26.equity_exchange_listing_award": (
        pl.col("equity_exchange_listed")
        & (pl.col("equity_exchange_listing_year") >= 2018)
        & not_dishonest,
        NONE,
    ),
    "m26.shareholding_reform_award": (
        sme
        & pl.col("shareholding_reformed")
        & (pl.col("shareholding_reform_year") >= 2018)
        & pl.col("in_listing_pool")
        & (pl.col("listing_pool_entry_year") == pl.col("shareholding_reform_year"))
        & not_dishonest,
        NONE,
    ),
    "m26.listing_pool_cultivation": (private & pl.col("in_listing_pool"), NONE),
    "m27.serious_dishonesty_exclusion": (~not_dishonest, NONE),
    "m27.credit_worthy_preferential_rates": (
        private & (pl.col("credit_status") == "trustworthy"),
        NONE,
    ),
    "m29.sme_development_fund": (sme & not_dishonest, NONE),
    "m31.fly_ash_ceramic_award": (
        ceramics
        & (pl.col("fly_ash_share") >= 0.2)
        & (pl.col("fly_ash_tonnes") >= 100_000)
        & not_dishonest,
        NONE,
    ),
    "m31.solid_waste_tax_preference": (pl.col("solid_waste_utilisation"), NONE),
    "m32.military_contract_matching": (
        (
            pl.col("civil_military_fusion_funds_received")
            | (pl.col("new_defence_contract_amount") >= 10_000_000)
        )
        & not_dishonest,
        NONE,
    ),
    "m33.ceramic_equipment_upgrade_award": (
        ceramics & pl.col("equipment_upgrade_certified") & not_dishonest,
        NONE,
    ),
    "m35.export_credit_insurance": (pl.col("export_revenue") > 0, NONE),
    "m35.overseas_income_tax_credit": (pl.col("overseas_income") > 0, NONE),
    "m36.above_scale_award_2y": (
        entered & small_at_entry & streak_of(2) & not_dishonest,
        pl.lit(200_000.0),
    ),
    "m36.above_scale_award_3y": (
        entered & small_at_entry & streak_of(3) & not_dishonest,
        pl.lit(60_000.0),
    ),
    "m36.above_scale_tax_adaptation": (entered, NONE),  # amount: a date, not written
    "m37.procurement_sme_set_aside": (sme, NONE),
    "m37.procurement_small_micro_set_aside": (small_or_micro, NONE),
    "m38.talent_platform": (private, NONE),
    "m39.entrepreneur_training": (private & pl.col("key_private_enterprise"), NONE),
    "m43.annual_commendation": (private | small_or_micro, NONE),
    "m44.enterprise_hotline": (private, NONE),
}
COVERED = tuple(RULES)


def eligible(frame: pl.DataFrame, row_offset: int = 0) -> pl.DataFrame:
    """(row, rule_id, amount) for every eligible profile-level rule of `frame`'s rows."""
    base = frame.lazy().with_row_index("row", offset=row_offset)
    base = base.with_columns(_sector().alias("_sector"))
    base = base.with_columns(_possible_classes(sector))
    return eligible_rows(base, RULES)


def eligible_rows(base: pl.LazyFrame, rules: dict[str, tuple[pl.Expr, pl.Expr]]) -> pl.DataFrame:
    """(row, rule_id, amount) of each rule's eligible rows: `rules` maps a rule id to its test
    and its amount, over `base`'s columns (a `row` column among them)."""
    parts = [
        base.filter(test).select(
            pl.col("row").cast(pl.Int64),
            pl.lit(rule_id).alias("rule_id"),
            amount.cast(pl.Float64).alias("amount"),
        )
        for rule_id, (test, amount) in rules.items()
    ]
    return pl.concat(parts).collect()
