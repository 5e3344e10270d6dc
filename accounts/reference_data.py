"""Starting data every installation needs: national default rates and system accounts.

Regions add their own rate rows; nothing in code assumes these figures.
"""

from datetime import date
from decimal import Decimal

NATIONAL = "000000"
RATES_START = date(2015, 1, 1)
WAGE_BASE_FLOOR = Decimal("4000.00")
WAGE_BASE_CEILING = Decimal("35000.00")

# The national defaults as migration 0003 first wrote them, one rate per part from 2015:
# (scheme, payer, destination, rate). Kept for the migrations only; 0012 replaces them
# with the table over time below.
FIRST_RATES = [
    ("pension", "employer", "pooled", "0.1600"),
    ("pension", "employee", "personal", "0.0800"),
    ("medical", "employer", "pooled", "0.0800"),
    ("medical", "employee", "personal", "0.0200"),
    ("unemployment", "employer", "pooled", "0.0050"),
    ("unemployment", "employee", "pooled", "0.0050"),
    ("work_injury", "employer", "pooled", "0.0040"),
    ("maternity", "employer", "pooled", "0.0080"),
    ("pension", "flexible", "pooled", "0.1200"),
    ("pension", "flexible", "personal", "0.0800"),
    ("medical", "flexible", "pooled", "0.0600"),
    ("medical", "flexible", "personal", "0.0200"),
]

# The national default table over time (RULES §8): (scheme, payer, destination, rate,
# effective from, effective to, source). A region's own rows replace these for it.
BEFORE_2019_CUT = date(2019, 4, 30)
PENSION_CUT = date(2019, 5, 1)
MATERNITY_END = date(2019, 12, 31)
MERGED = date(2020, 1, 1)
MEDICAL_REFORM_END = date(2021, 12, 31)
MEDICAL_REFORM = date(2022, 1, 1)

PENSION_EMPLOYER_BEFORE = (
    "SIL Art. 12: employer pension 20 % of wages until 30 April 2019 (19 % in many "
    "provinces from 2016; a region enters its own)"
)
PENSION_EMPLOYER_AFTER = "国办发〔2019〕13号: employer pension reduced to 16 % from 1 May 2019"
PENSION_EMPLOYEE = "SIL Art. 12; 国发〔2005〕38号: employee 8 % to the personal account"
PENSION_FLEXIBLE = (
    "SIL Art. 10; 国发〔2005〕38号: the flexibly employed pay 20 %, 8 % to the personal account"
)
MEDICAL_BEFORE_REFORM = (
    "SIL Art. 23: employer medical 8 % (regional 6–8 %); until the outpatient mutual-aid "
    "reform about 30 % of it (2.4 % of wages) is credited to the personal account (regional)"
)
MEDICAL_MERGED_BEFORE_REFORM = (
    "国办发〔2019〕10号: maternity (0.8 %) merged into medical from 2020, so the pooled "
    "part is 5.6 % + 0.8 %; 2.4 % still to the personal account until the 2021 reform"
)
MEDICAL_AFTER_REFORM = (
    "国办发〔2021〕14号 (outpatient mutual aid, applied here from 1 January 2022; a region "
    "enters its own date): the whole employer part, with the merged maternity 0.8 %, to the pool"
)
MEDICAL_EMPLOYEE = "SIL Art. 23: employee 2 % to the personal account"
MEDICAL_FLEXIBLE = "SIL Art. 23: the flexibly employed pay 8 %, 2 % to the personal account"
UNEMPLOYMENT = (
    "SIL Art. 44: employer and employee together 1 % (the phased reduction since 2019); "
    "a region enters its earlier, higher rates"
)
WORK_INJURY = "SIL Art. 33; WIR: employer only, 0.2–1.9 % by industry risk class (default 0.4 %)"
MATERNITY = (
    "SIL Art. 53: employer only, 0.8 %; merged into medical insurance from 2020 "
    "(国办发〔2019〕10号: merged everywhere by the end of 2019)"
)

NATIONAL_RATES = [
    (
        "pension",
        "employer",
        "pooled",
        "0.2000",
        RATES_START,
        BEFORE_2019_CUT,
        PENSION_EMPLOYER_BEFORE,
    ),
    ("pension", "employer", "pooled", "0.1600", PENSION_CUT, None, PENSION_EMPLOYER_AFTER),
    ("pension", "employee", "personal", "0.0800", RATES_START, None, PENSION_EMPLOYEE),
    ("medical", "employer", "pooled", "0.0560", RATES_START, MATERNITY_END, MEDICAL_BEFORE_REFORM),
    (
        "medical",
        "employer",
        "personal",
        "0.0240",
        RATES_START,
        MEDICAL_REFORM_END,
        MEDICAL_BEFORE_REFORM,
    ),
    (
        "medical",
        "employer",
        "pooled",
        "0.0640",
        MERGED,
        MEDICAL_REFORM_END,
        MEDICAL_MERGED_BEFORE_REFORM,
    ),
    ("medical", "employer", "pooled", "0.0880", MEDICAL_REFORM, None, MEDICAL_AFTER_REFORM),
    ("medical", "employee", "personal", "0.0200", RATES_START, None, MEDICAL_EMPLOYEE),
    ("unemployment", "employer", "pooled", "0.0050", RATES_START, None, UNEMPLOYMENT),
    ("unemployment", "employee", "pooled", "0.0050", RATES_START, None, UNEMPLOYMENT),
    ("work_injury", "employer", "pooled", "0.0040", RATES_START, None, WORK_INJURY),
    ("maternity", "employer", "pooled", "0.0080", RATES_START, MATERNITY_END, MATERNITY),
    # Flexibly employed people pay both parts of pension and medical themselves.
    ("pension", "flexible", "pooled", "0.1200", RATES_START, None, PENSION_FLEXIBLE),
    ("pension", "flexible", "personal", "0.0800", RATES_START, None, PENSION_FLEXIBLE),
    ("medical", "flexible", "pooled", "0.0600", RATES_START, None, MEDICAL_FLEXIBLE),
    ("medical", "flexible", "personal", "0.0200", RATES_START, None, MEDICAL_FLEXIBLE),
]

# The national rule for the retired; a region whose rules let a retired person keep
# contributing as flexibly employed enters its own row (RetiredContributionRule).
RETIRED_RULE_SOURCE = (
    "SIL Art. 16: a pension in payment ends the insured person's contributions "
    "(national default; a region may let the retired continue as flexibly employed)"
)


def ensure_retired_rule(rule_model):
    rule_model.objects.get_or_create(
        region=NATIONAL, defaults={"may_continue_flexible": False, "source": RETIRED_RULE_SOURCE}
    )


SYSTEM_ACCOUNTS = [
    "contributions_received",
    "settlements_payable",
    "payouts_payable",
    "paid_out",
    "interest_credited",
]

# The national crediting rate (记账利率) of the basic-pension personal account, published
# yearly by MOHRSS and MOF (SIL Art. 14). A later year's rate is added when published.
PENSION_CREDITING_RATES = {
    2016: "0.0831",
    2017: "0.0712",
    2018: "0.0829",
    2019: "0.0761",
    2020: "0.0604",
    2021: "0.0669",
    2022: "0.0612",
    2023: "0.0397",
    2024: "0.0262",
}
PENSION_RATE_SOURCE = (
    "MOHRSS and MOF, national crediting rate of the basic-pension personal account for {year}"
)
# The medical personal account earns interest by local rule, commonly near the bank
# demand-deposit rate. These are not published figures: they let the demo show interest.
MEDICAL_DEMO_RATES = {
    2016: "0.0035",
    2017: "0.0035",
    2018: "0.0035",
    2019: "0.0035",
    2020: "0.0035",
    2021: "0.0030",
    2022: "0.0025",
    2023: "0.0020",
    2024: "0.0015",
}
MEDICAL_DEMO_SOURCE = (
    "DEMO: illustrative rate near the bank demand-deposit rate for {year}, not a published "
    "figure; a region enters its own by local rule"
)


def ensure_interest_rates(rate_model):
    """Create the national interest rates if missing (idempotent); the historical model
    may be passed, as the data migration does."""
    for scheme, rates, source in (
        ("pension", PENSION_CREDITING_RATES, PENSION_RATE_SOURCE),
        ("medical", MEDICAL_DEMO_RATES, MEDICAL_DEMO_SOURCE),
    ):
        for year, rate in rates.items():
            rate_model.objects.get_or_create(
                region=NATIONAL,
                scheme=scheme,
                year=year,
                defaults={"rate": Decimal(rate), "source": source.format(year=year)},
            )


def ensure_national_defaults(rate_model, account_model):
    """Create the national rates and system accounts if missing (idempotent).

    Takes the models as arguments so the data migration can pass its historical ones.
    """
    for scheme, payer, destination, rate, start, end, source in NATIONAL_RATES:
        rate_model.objects.get_or_create(
            region=NATIONAL,
            scheme=scheme,
            payer=payer,
            destination=destination,
            effective_from=start,
            defaults={
                "rate": Decimal(rate),
                "effective_to": end,
                "source": source,
                "wage_base_floor": WAGE_BASE_FLOOR,
                "wage_base_ceiling": WAGE_BASE_CEILING,
            },
        )
    ensure_system_accounts(account_model)


def ensure_system_accounts(account_model):
    for code in SYSTEM_ACCOUNTS:
        account_model.objects.get_or_create(kind="system", system_code=code)
