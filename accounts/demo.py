"""The demo data: ten insured people (one without a login yet, one who died without
heirs), their employers, two medical institutions and the staff logins. README, tests
and anyone trying the application rely on these exact people.

`seed()` creates what is missing and touches nothing that exists, so running it again
changes nothing. Contributions go through the payroll import's posting path (the same
rules as `services.contribution_post`), purchases through `services.settlement_create`.
"""

import io
from dataclasses import dataclass
from datetime import date, datetime, time
from decimal import Decimal

from django.contrib.auth import get_user_model
from django.contrib.auth.hashers import make_password
from django.contrib.auth.models import Group
from django.core.management import call_command, get_commands
from django.db import transaction
from django.utils import timezone

from accounts import interest_service, services
from accounts.importing import Caches, PayrollRow, month_range, post_rows
from accounts.models import (
    Cardholder,
    ContributionRate,
    Employer,
    Institution,
    InterestRate,
    Scheme,
)
from accounts.pii import login_username
from accounts.reference_data import NATIONAL
from accounts.validators import generate_credit_code

DEMO_PASSWORD = "Demo-Pass-2026"  # noqa: S105 - published demo password


@dataclass(frozen=True)
class Person:
    name: str
    national_id: str
    card_number: str
    region: str
    domicile: str
    phone: str
    employment_status: str
    login: bool
    situation: str
    employer: str | None  # key into EMPLOYERS; None pays as flexibly employed
    wage: Decimal
    # Contribution months: (first month, count), or None for "the N months up to last month".
    first_month: date | None
    months: int
    romanised_name: str = ""  # the name in Latin letters, shown on English pages
    # Retired with a pension in payment: the pensions app's demo makes the claim.
    pensioner: bool = False


EMPLOYERS = {
    "zhongguancun": (
        "中关村软件有限公司 Zhongguancun Software Co., Ltd.",
        "91110108MA01A2B3C",
        "110100",
    ),
    "nanshan": (
        "深圳南山电子有限公司 Nanshan Electronics Co., Ltd.",
        "91440300MA5D8E9F1",
        "440300",
    ),
    "futian": ("深圳福田服装厂 Futian Garment Factory", "91440300MA5G2H3J4", "440300"),
    "changjiang": (
        "南京长江物流有限公司 Changjiang Logistics Co., Ltd.",
        "91320100MA1K2L3M5",
        "320100",
    ),
    "jinjiang": ("成都锦江纺织有限公司 Jinjiang Textiles Co., Ltd.", "91510100MA6N7P8Q9", "510100"),
}

PEOPLE = [
    Person(
        "张伟",
        "110105198503150019",
        "A10000001",
        "110100",
        "北京市朝阳区 Chaoyang District, Beijing",
        "13800000001",
        Cardholder.EmploymentStatus.EMPLOYED,
        True,
        "employed, 5 years of monthly contributions, pharmacy purchases",
        "zhongguancun",
        Decimal("12000.00"),
        None,
        60,
        romanised_name="Zhang Wei",
    ),
    Person(
        "李娜",
        "310104199007220028",
        "A10000002",
        "310100",
        "上海市徐汇区 Xuhui District, Shanghai",
        "13800000002",
        Cardholder.EmploymentStatus.FLEXIBLE,
        True,
        "flexibly employed, pays both parts",
        None,
        Decimal("8000.00"),
        None,
        36,
        romanised_name="Li Na",
    ),
    Person(
        "王芳",
        "44030519560308004X",
        "A10000003",
        "440300",
        "深圳市南山区 Nanshan District, Shenzhen",
        "13800000003",
        Cardholder.EmploymentStatus.RETIRED,
        False,
        "died in 2026, not yet recorded; no login; balances in both personal accounts",
        "futian",
        Decimal("7000.00"),
        date(2015, 1, 1),
        48,
        romanised_name="Wang Fang",
    ),
    Person(
        "刘洋",
        "440305198206110034",
        "A10000004",
        "440300",
        "深圳市南山区 Nanshan District, Shenzhen",
        "13800000004",
        Cardholder.EmploymentStatus.EMPLOYED,
        True,
        "Wang Fang's son, one of her two heirs; insured and employed",
        "nanshan",
        Decimal("15000.00"),
        None,
        48,
        romanised_name="Liu Yang",
    ),
    Person(
        "陈杰",
        "320102197809040053",
        "A10000005",
        "320100",
        "南京市玄武区 Xuanwu District, Nanjing",
        "13800000005",
        Cardholder.EmploymentStatus.UNEMPLOYED,
        True,
        "emigrated and gave up PRC nationality, not yet recorded",
        "changjiang",
        Decimal("20000.00"),
        date(2016, 1, 1),
        96,
        romanised_name="Chen Jie",
    ),
    Person(
        "赵敏",
        "510107195801200065",
        "A10000006",
        "510100",
        "成都市武侯区 Wuhou District, Chengdu",
        "13800000006",
        Cardholder.EmploymentStatus.RETIRED,
        True,
        "retired at 55 (cadre post) in 2013, pension in payment; living check current",
        "jinjiang",
        Decimal("5000.00"),
        date(1995, 1, 1),
        216,
        romanised_name="Zhao Min",
        pensioner=True,
    ),
    Person(
        "刘强",
        "440305195407110037",
        "A10000007",
        "440300",
        "深圳市南山区 Nanshan District, Shenzhen",
        "13800000007",
        Cardholder.EmploymentStatus.RETIRED,
        True,
        "Wang Fang's husband and co-heir; retired at 60, pension in payment; living check due",
        "nanshan",
        Decimal("9000.00"),
        date(1995, 1, 1),
        234,
        romanised_name="Liu Qiang",
        pensioner=True,
    ),
    Person(
        "杨静",
        "110105199609230425",
        "A10000011",
        "110100",
        "北京市朝阳区 Chaoyang District, Beijing",
        "13800000011",
        Cardholder.EmploymentStatus.EMPLOYED,
        False,
        "employed, two years of contributions, no login yet: register at /register/",
        "zhongguancun",
        Decimal("10500.00"),
        None,
        24,
        romanised_name="Yang Jing",
    ),
    Person(
        "吴刚",
        "440303198808090015",
        "A10000010",
        "110100",
        "深圳市罗湖区 Luohu District, Shenzhen",
        "13800000010",
        Cardholder.EmploymentStatus.EMPLOYED,
        True,
        "hurt at work four months ago; injury recognised, appraised at disability grade 7, "
        "one-time disability subsidy paid",
        "zhongguancun",
        Decimal("11000.00"),
        None,
        36,
        romanised_name="Wu Gang",
    ),
    # Died in 2025 with no spouse, child, parent, sibling or grandparent; nobody came
    # forward. The withdrawals app's demo records his verified death, so staff can
    # record and confirm an estate without heirs (the notice period is over).
    Person(
        "黄建华",
        "440304196802110051",
        "A10000012",
        "440300",
        "深圳市福田区 Futian District, Shenzhen",
        "13800000012",
        Cardholder.EmploymentStatus.EMPLOYED,
        False,
        "died on 20 June 2025 with no heir; nobody came forward",
        "futian",
        Decimal("8200.00"),
        date(2015, 7, 1),
        119,
        romanised_name="Huang Jianhua",
    ),
]

# Before 2015 the national table has no rates. The pensioners' working years need some:
# illustrative regional rows, labelled as such (RULES: a figure not known is data
# marked illustrative, never a constant in code).
HISTORY_RATE_SOURCE = "DEMO: illustrative regional rate before 2015, not a published figure"
HISTORY_RATES = [
    ("pension", "employer", "pooled", "0.2000"),
    ("pension", "employee", "personal", "0.0800"),
    ("medical", "employer", "pooled", "0.0560"),
    ("medical", "employer", "personal", "0.0240"),
    ("medical", "employee", "personal", "0.0200"),
]
HISTORY_REGIONS = ("440300", "510100")
HISTORY_FROM, HISTORY_TO = date(1995, 1, 1), date(2014, 12, 31)
# Wages of past decades: the last year's wage taken back 7 % a year (the growth of the
# illustrative average wages), so the contribution index stays plausible.
WAGE_GROWTH = Decimal("1.07")

INSTITUTIONS = [
    ("DEMO-H-110105", "朝阳中心医院 Chaoyang Central Hospital", Institution.Kind.HOSPITAL),
    ("DEMO-P-110105", "健康大药房 Jiankang Pharmacy", Institution.Kind.PHARMACY),
]

# Zhang Wei's purchases: (institution code, key, amount, description).
PURCHASES = [
    ("DEMO-P-110105", "demo-zhang-wei-1", "86.50", "Cold medicine"),
    ("DEMO-P-110105", "demo-zhang-wei-2", "128.00", "Blood pressure tablets, 1 month"),
    ("DEMO-P-110105", "demo-zhang-wei-3", "45.80", "Eye drops"),
    ("DEMO-P-110105", "demo-zhang-wei-4", "128.00", "Blood pressure tablets, 1 month"),
    ("DEMO-H-110105", "demo-zhang-wei-5", "312.40", "Outpatient visit and tests"),
]

STAFF = [
    ("reviewer", "reviewer"),
    ("approver", "approver"),
    ("auditor", "auditor"),
    # The labour-capacity appraisal committee (WIR Art. 23-25).
    ("committee", "appraisal_committee"),
]
EMPLOYER_LOGIN = "zhongguancun"
WU_GANG = "440303198808090015"


def _history_rates():
    for region in HISTORY_REGIONS:
        for scheme, payer, destination, rate in HISTORY_RATES:
            ContributionRate.objects.get_or_create(
                region=region,
                scheme=scheme,
                payer=payer,
                destination=destination,
                effective_from=HISTORY_FROM,
                defaults={
                    "rate": Decimal(rate),
                    "effective_to": HISTORY_TO,
                    "wage_base_floor": Decimal("1000.00"),
                    "wage_base_ceiling": Decimal("35000.00"),
                    "source": HISTORY_RATE_SOURCE,
                },
            )


def _wage(person, month, last):
    """The person's wage in `month`: `person.wage` in the last year worked, less 7 % a
    year before it for a long history (the pensioners)."""
    if not person.pensioner:
        return person.wage
    years = last.year - month.year
    return (person.wage / WAGE_GROWTH**years).quantize(Decimal("0.01"))


def _next_month(month):
    return date(month.year + month.month // 12, month.month % 12 + 1, 15)


def _months(person, today):
    if person.first_month:
        return month_range(person.first_month, person.months)
    year, month = (today.year, today.month - 1) if today.month > 1 else (today.year - 1, 12)
    last = date(year, month, 1)
    first_index = last.year * 12 + last.month - 1 - (person.months - 1)
    return month_range(date(first_index // 12, first_index % 12 + 1, 1), person.months)


class _Password:
    """One hash for every new demo login: hashing is slow on purpose, the demo is not."""

    def __init__(self):
        self.hash = None

    def __call__(self):
        if self.hash is None:
            self.hash = make_password(DEMO_PASSWORD)
        return self.hash


def demo_email(name):
    """``Zhang Wei`` → ``zhang.wei@demo.sscard.example``: an address for password
    reset and notices in the demo (sent to the console)."""
    latin = "".join(ch for ch in name if ch.isascii())
    return ".".join(latin.lower().split()) + "@demo.sscard.example"


def _user(login, password, **fields):
    """The user who logs in as `login` (a staff username or an ID number), created if missing."""
    user_model = get_user_model()
    username = login_username(login)
    user = user_model.objects.filter(username=username).first()
    if user is None:
        if username != login:
            fields["national_id"] = login
        user = user_model.objects.create(username=username, password=password(), **fields)
    return user


@transaction.atomic
def seed(today=None):
    """Create the demo data that is missing. Returns the login rows (username, who, role)."""
    today = today or timezone.localdate()
    if "setup_roles" in get_commands():
        call_command("setup_roles", stdout=io.StringIO())
    password = _Password()
    logins = []

    for username, group_name in STAFF:
        group, _ = Group.objects.get_or_create(name=group_name)
        user = _user(username, password, is_staff=True, email=f"{username}@demo.sscard.example")
        user.groups.add(group)
        logins.append((username, group_name.replace("_", " ").capitalize(), "staff"))
    _user(
        "admin",
        password,
        is_staff=True,
        is_superuser=True,
        email="admin@demo.sscard.example",
    )
    logins.append(("admin", "Administrator", "superuser"))

    for name, body, region in EMPLOYERS.values():
        Employer.objects.get_or_create(
            credit_code=generate_credit_code(body), defaults={"name": name, "region": region}
        )
    for code, name, kind in INSTITUTIONS:
        Institution.objects.get_or_create(code=code, defaults={"name": name, "kind": kind})
    # The Zhongguancun employer's own login: its work-injury filings and payroll files.
    employer_user = _user(EMPLOYER_LOGIN, password, email=demo_email("zhongguancun"))
    services.employer_login_link(
        user=employer_user, credit_code=generate_credit_code(EMPLOYERS["zhongguancun"][1])
    )
    logins.append((EMPLOYER_LOGIN, EMPLOYERS["zhongguancun"][0], "employer"))

    rows = []
    retiring = []
    for person in PEOPLE:
        cardholder = Cardholder.objects.with_national_id(person.national_id).first()
        retired = Cardholder.EmploymentStatus.RETIRED
        if cardholder is not None and cardholder.employment_status == retired:
            # Their working years were posted when they were created; the retired pay
            # nothing more.
            history = False
        else:
            history = True
        if cardholder is None:
            # The retired are created as they were while working; their status is set
            # once their working years' contributions are posted.
            cardholder = services.cardholder_create(
                name=person.name,
                romanised_name=person.romanised_name,
                national_id=person.national_id,
                card_number=person.card_number,
                region=person.region,
                domicile=person.domicile,
                phone=person.phone,
                ethnicity="汉族 Han",
                employment_status=(
                    Cardholder.EmploymentStatus.EMPLOYED
                    if person.employment_status == retired
                    else person.employment_status
                ),
                card_financial_activated=True,
            )
            if person.employment_status == retired:
                retiring.append((cardholder.pk, person.pensioner))
        services.cardholder_open_accounts(cardholder)
        if person.login:
            email = demo_email(person.romanised_name or person.name)
            user = _user(
                person.national_id,
                password,
                first_name=person.name,
                email=email,
                mobile=person.phone,
            )
            if not user.email:
                # Demo data seeded before people had addresses: give them one.
                type(user).objects.filter(pk=user.pk, email="").update(email=email)
            if cardholder.user_id is None:
                Cardholder.objects.filter(pk=cardholder.pk, user__isnull=True).update(user=user)
            logins.append((person.national_id, person.name, person.situation))
        else:
            logins.append(("—", person.name, person.situation))
        employer = generate_credit_code(EMPLOYERS[person.employer][1]) if person.employer else None
        if history:
            months = _months(person, today)
            rows += [
                PayrollRow(0, person.national_id, employer, month, _wage(person, month, months[-1]))
                for month in months
            ]
    # Each month's contributions arrive mid-way through the next month, so the history
    # and the balance chart look like years of real payments.
    _history_rates()
    caches = Caches()
    for month in sorted({row.month for row in rows}):
        arrived = timezone.make_aware(datetime.combine(_next_month(month), time(10, 0)))
        month_rows = [row for row in rows if row.month == month]
        result = post_rows(month_rows, caches=caches, posted_at=min(arrived, timezone.now()))
        if result.rejects:
            raise RuntimeError(f"demo contributions refused: {result.rejects[:3]}")
    Cardholder.objects.filter(pk__in=[pk for pk, pensioner in retiring if not pensioner]).update(
        employment_status=Cardholder.EmploymentStatus.RETIRED
    )
    # The pensioners claim their pension through the claim's own approval (which records
    # them as retired) before any interest is credited; without the pensions app they
    # are simply recorded as retired.
    if "seed_demo_pensions" in get_commands():
        call_command("seed_demo_pensions", today=today, stdout=io.StringIO())
    Cardholder.objects.filter(pk__in=[pk for pk, _pensioner in retiring]).update(
        employment_status=Cardholder.EmploymentStatus.RETIRED
    )

    zhang_wei = PEOPLE[0]
    institutions = {item.code: item for item in Institution.objects.all()}
    for code, key, amount, description in PURCHASES:
        services.settlement_create(
            institution=institutions[code],
            card_number=zhang_wei.card_number,
            amount=amount,
            description=description,
            idempotency_key=key,
        )
    _seed_zhou_ting(password, logins, today)
    # Wu Gang's accident at work: recognised, appraised and his one-time subsidy paid.
    if "seed_work_injury_demo" in get_commands():
        call_command(
            "seed_work_injury_demo",
            WU_GANG,
            EMPLOYER_LOGIN,
            today=today.isoformat(),
            stdout=io.StringIO(),
        )
    logins.append(seed_sun_li(today, password))
    if "seed_demo_estates" in get_commands():
        call_command("seed_demo_estates", stdout=io.StringIO())
    # Interest for every complete year with a published rate, oldest first (each year's
    # interest earns in the next), through the run an operator uses.
    published = (
        InterestRate.objects.filter(region=NATIONAL, scheme=Scheme.PENSION, year__lt=today.year)
        .order_by("year")
        .values_list("year", flat=True)
    )
    for year in published:
        interest_service.interest_credit_year(year, today=today)
    return logins


# Zhou Ting gave birth last month: her maternity allowance claim waits for her to submit.
ZHOU_TING = Person(
    "周婷",
    "320102199205060028",
    "A10000008",
    "320100",
    "南京市玄武区 Xuanwu District, Nanjing",
    "13800000008",
    Cardholder.EmploymentStatus.EMPLOYED,
    True,
    "gave birth last month; maternity allowance claim ready to submit",
    "changjiang",
    Decimal("9500.00"),
    None,
    36,
    romanised_name="Zhou Ting",
)


def _seed_zhou_ting(password, logins, today):
    """Zhou Ting, her login and three years of contributions through her employer; the
    maternity app (when installed) adds her employer's average wage and her draft claim.
    Creates only what is missing."""
    person = ZHOU_TING
    cardholder = Cardholder.objects.with_national_id(person.national_id).first()
    if cardholder is None:
        cardholder = services.cardholder_create(
            name=person.name,
            romanised_name=person.romanised_name,
            national_id=person.national_id,
            card_number=person.card_number,
            region=person.region,
            domicile=person.domicile,
            phone=person.phone,
            ethnicity="汉族 Han",
            employment_status=person.employment_status,
            card_financial_activated=True,
        )
    services.cardholder_open_accounts(cardholder)
    email = demo_email(person.romanised_name)
    user = _user(
        person.national_id, password, first_name=person.name, email=email, mobile=person.phone
    )
    if cardholder.user_id is None:
        Cardholder.objects.filter(pk=cardholder.pk, user__isnull=True).update(user=user)
    logins.append((person.national_id, person.name, person.situation))
    employer = generate_credit_code(EMPLOYERS[person.employer][1])
    rows = [
        PayrollRow(0, person.national_id, employer, month, person.wage)
        for month in _months(person, today)
    ]
    caches = Caches()
    for month in sorted({row.month for row in rows}):
        arrived = timezone.make_aware(datetime.combine(_next_month(month), time(10, 0)))
        result = post_rows(
            [row for row in rows if row.month == month],
            caches=caches,
            posted_at=min(arrived, timezone.now()),
        )
        if result.rejects:
            raise RuntimeError(f"demo contributions refused: {result.rejects[:3]}")
    if "seed_maternity_demo" in get_commands():
        call_command(
            "seed_maternity_demo", person.national_id, today=today.isoformat(), stdout=io.StringIO()
        )


# --- Sun Li: just lost her job, can register and claim unemployment benefit ----------

SUN_LI = Person(
    "孙丽",
    "110108198903120045",
    "A10000009",
    "110100",
    "北京市海淀区 Haidian District, Beijing",
    "13800000009",
    Cardholder.EmploymentStatus.EMPLOYED,
    True,
    "her employer ended her contract at the end of last month after seven years of "
    "contributions; can register as unemployed and claim 18 months of benefit",
    None,
    Decimal("9000.00"),
    None,
    84,
    romanised_name="Sun Li",
)
SUN_LI_EMPLOYER = (
    "北京海淀科技有限公司 Haidian Technology Co., Ltd.",
    "91110108MA7R889T0",
    "110100",
)
# The termination certificate her employer issued (SIL Art. 50), for her to upload.
SUN_LI_CERTIFICATE = "docs/demo/termination-certificate-sun-li.pdf"
# A skill certificate she obtained, for the skill-upgrade subsidy.
SUN_LI_SKILL_CERTIFICATE = "docs/demo/skill-certificate-sun-li.pdf"


def seed_sun_li(today, password):
    """Sun Li 孙丽 and her seven years (84 months, up to last month) of contributions
    from the employer that ended her contract at the end of last month; she is still
    recorded as employed until she registers. Returns her login row."""
    person = SUN_LI
    name, body, region = SUN_LI_EMPLOYER
    credit_code = generate_credit_code(body)
    Employer.objects.get_or_create(
        credit_code=credit_code, defaults={"name": name, "region": region}
    )
    cardholder = Cardholder.objects.with_national_id(person.national_id).first()
    if cardholder is None:
        cardholder = services.cardholder_create(
            name=person.name,
            romanised_name=person.romanised_name,
            national_id=person.national_id,
            card_number=person.card_number,
            region=person.region,
            domicile=person.domicile,
            phone=person.phone,
            ethnicity="汉族 Han",
            employment_status=person.employment_status,
            card_financial_activated=True,
        )
    services.cardholder_open_accounts(cardholder)
    email = demo_email(person.romanised_name)
    user = _user(
        person.national_id, password, first_name=person.name, email=email, mobile=person.phone
    )
    if cardholder.user_id is None:
        Cardholder.objects.filter(pk=cardholder.pk, user__isnull=True).update(user=user)
    rows = [
        PayrollRow(0, person.national_id, credit_code, month, person.wage)
        for month in _months(person, today)
    ]
    caches = Caches()
    for row in rows:
        arrived = timezone.make_aware(datetime.combine(_next_month(row.month), time(10, 0)))
        result = post_rows([row], caches=caches, posted_at=min(arrived, timezone.now()))
        if result.rejects:
            raise RuntimeError(f"demo contributions refused: {result.rejects[:3]}")
    # A subsidised course she can apply for once registered as unemployed.
    if "seed_demo_training" in get_commands():
        call_command("seed_demo_training", today=today, stdout=io.StringIO())
    return (person.national_id, person.name, person.situation)
