"""The demo data: exactly the people the README promises, safe to run twice."""

import io
from collections import defaultdict
from datetime import date
from decimal import Decimal

import pytest
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db.models import Sum
from django.utils import timezone

from accounts.management.commands.seed_demo import DEMO_PASSWORD
from accounts.models import (
    Account,
    Cardholder,
    Contribution,
    Employer,
    Institution,
    LedgerEntry,
    LedgerTransaction,
    Settlement,
)
from accounts.pii import login_username

pytestmark = pytest.mark.django_db

PEOPLE = {
    "110105198503150019": ("张伟", "Zhang Wei", "A10000001", "employed"),
    "310104199007220028": ("李娜", "Li Na", "A10000002", "flexible"),
    "44030519560308004X": ("王芳", "Wang Fang", "A10000003", "retired"),
    "440305198206110034": ("刘洋", "Liu Yang", "A10000004", "employed"),
    "320102197809040053": ("陈杰", "Chen Jie", "A10000005", "unemployed"),
    "510107195801200065": ("赵敏", "Zhao Min", "A10000006", "retired"),
    "440305195407110037": ("刘强", "Liu Qiang", "A10000007", "retired"),
    "320102199205060028": ("周婷", "Zhou Ting", "A10000008", "employed"),
    "110105199609230425": ("杨静", "Yang Jing", "A10000011", "employed"),
    "440303198808090015": ("吴刚", "Wu Gang", "A10000010", "employed"),
}
MODELS = [
    get_user_model(),
    Group,
    Cardholder,
    Employer,
    Institution,
    Account,
    LedgerTransaction,
    LedgerEntry,
    Contribution,
    Settlement,
]


def seed():
    out = io.StringIO()
    call_command("seed_demo", stdout=out)
    return out.getvalue()


def counts():
    return {model.__name__: model.objects.count() for model in MODELS}


def personal(national_id):
    return {
        account.scheme: account.balance
        for account in Account.objects.filter(
            cardholder__in=Cardholder.objects.with_national_id(national_id),
            kind=Account.Kind.PERSONAL,
        )
    }


@pytest.fixture
def seeded(settings):
    settings.DEBUG = True
    return seed()


def test_running_it_twice_changes_nothing(seeded):
    first = counts()
    balances = dict(Account.objects.values_list("id", "balance"))

    seed()

    assert counts() == first
    assert dict(Account.objects.values_list("id", "balance")) == balances
    # The people above, Sun Li (seed_sun_li) and Huang Jianhua, who died without heirs.
    assert first["Cardholder"] == 12


def test_the_nine_people_are_there_as_described(seeded):
    for national_id, (name, romanised, card, employment) in PEOPLE.items():
        person = Cardholder.objects.with_national_id(national_id).get()
        assert (
            person.name,
            person.romanised_name,
            person.card_number,
            person.employment_status,
        ) == (
            name,
            romanised,
            card,
            employment,
        )
        # Wang Fang's death and Chen Jie's emigration are not yet recorded.
        assert person.life_status == Cardholder.LifeStatus.LIVING
        assert person.card_status == Cardholder.CardStatus.ACTIVE
        assert person.accounts.count() == 7


def test_logins_use_the_id_number_and_the_demo_password_but_wang_fang_has_none(seeded):
    users = get_user_model().objects
    zhang = users.get(username=login_username("110105198503150019"))
    assert zhang.check_password(DEMO_PASSWORD)
    assert zhang.cardholder.card_number == "A10000001"
    assert not users.filter(username=login_username("44030519560308004X")).exists()
    assert Cardholder.objects.with_national_id("44030519560308004X").get().user is None
    # Yang Jing is living and insured but has not registered: the demo of registration.
    yang = Cardholder.objects.with_national_id("110105199609230425").get()
    assert (yang.user, yang.life_status, yang.card_number) == (None, "living", "A10000011")
    with_login = Cardholder.objects.filter(user__isnull=False)
    assert with_login.count() == 9
    assert all(holder.user.national_id == holder.national_id for holder in with_login)
    assert all(holder.user.username == holder.national_id_digest for holder in with_login)


def test_every_demo_login_has_an_email_address_for_reset_and_notices(seeded):
    users = get_user_model().objects
    zhang = users.get(username=login_username("110105198503150019"))
    assert zhang.email == "zhang.wei@demo.sscard.example"
    for holder in Cardholder.objects.filter(user__isnull=False).select_related("user"):
        assert holder.user.email.endswith("@demo.sscard.example"), holder.user
    assert not users.filter(email="").exists()


def test_staff_logins_have_their_roles(seeded):
    users = get_user_model().objects
    for name, group in (
        ("reviewer", "reviewer"),
        ("approver", "approver"),
        ("auditor", "auditor"),
        ("committee", "appraisal_committee"),
    ):
        user = users.get(username=name)
        assert user.is_staff and not user.is_superuser
        assert list(user.groups.values_list("name", flat=True)) == [group]
    admin = users.get(username="admin")
    assert admin.is_superuser and admin.check_password(DEMO_PASSWORD)


def test_balances_are_where_the_story_needs_them(seeded):
    for national_id in PEOPLE:
        balances = personal(national_id)
        assert balances["pension"] > 0 and balances["medical"] > 0
    # 60 months of 8 % (pension) and 2 % (medical) on 12,000, less five purchases, plus
    # the interest of every complete year with a published rate; before the 2021 medical
    # reform (to the end of 2021) the employer's 2.4 % went to the personal account too.
    interest = dict(
        LedgerEntry.objects.filter(
            account__cardholder__card_number="A10000001", account__kind="personal", kind="interest"
        )
        .values("account__scheme")
        .annotate(total=Sum("amount"))
        .values_list("account__scheme", "total")
    )
    balances = personal("110105198503150019")
    before_reform = Contribution.objects.filter(
        cardholder__card_number="A10000001",
        scheme="medical",
        payer="employer",
        month__lt=date(2022, 1, 1),
    ).count()
    assert {scheme: balances[scheme] - interest[scheme] for scheme in balances} == {
        "pension": Decimal("57600.00"),
        "medical": Decimal("13699.30") + before_reform * Decimal("288.00"),
    }
    assert interest["pension"] > 0 and interest["medical"] > 0


def test_interest_is_credited_for_every_complete_year_with_a_published_rate(seeded):
    from accounts.interest_service import interest_key
    from accounts.models import InterestRate

    published = set(
        InterestRate.objects.filter(region="000000", scheme="pension").values_list(
            "year", flat=True
        )
    )
    for account in Account.objects.filter(kind="personal"):
        first = account.entries.order_by("posted_at").first()
        local_year = timezone.localtime(first.posted_at).year
        owed = {year for year in published if local_year <= year < timezone.localdate().year}
        credited = {
            year
            for year in owed
            if LedgerTransaction.objects.filter(idempotency_key=interest_key(account.pk, year))
        }
        assert credited == owed, account
    assert Settlement.objects.filter(cardholder__card_number="A10000001").count() == 5


def test_contribution_histories(seeded):
    months = defaultdict(set)
    payers = defaultdict(set)
    for card, month, payer in Contribution.objects.values_list(
        "cardholder__card_number", "month", "payer"
    ):
        months[card].add(month)
        payers[card].add(payer)
    today = timezone.localdate()
    this_month = today.replace(day=1)
    assert len(months["A10000001"]) == 60
    assert max(months["A10000001"]) < this_month
    assert (this_month.year * 12 + this_month.month) - (
        max(months["A10000001"]).year * 12 + max(months["A10000001"]).month
    ) == 1
    assert payers["A10000001"] == {"employer", "employee"}
    assert payers["A10000002"] == {"flexible"}
    assert payers["A10000004"] == {"employer", "employee"}
    # Retired: contributions long ago, none in recent years.
    assert max(months["A10000006"]).year < today.year - 5


def test_ledger_invariants_hold_on_the_demo_data(seeded):
    sums = defaultdict(Decimal)
    per_account = defaultdict(Decimal)
    for txn_id, account_id, amount in LedgerEntry.objects.values_list(
        "transaction_id", "account_id", "amount"
    ):
        sums[txn_id] += amount
        per_account[account_id] += amount
    assert sums and all(total == 0 for total in sums.values())
    for account in Account.objects.all():
        assert account.balance == per_account[account.id]
        if account.kind != Account.Kind.SYSTEM:
            assert account.balance >= 0
    out = io.StringIO()
    call_command("ledger_audit", stdout=out)
    assert "Ledger OK" in out.getvalue()


def test_prints_the_demo_logins(seeded):
    assert "Demo-Pass-2026" in seeded
    for username in ("reviewer", "approver", "auditor", "admin", "110105198503150019"):
        assert username in seeded


def test_refused_with_debug_off_unless_forced(settings):
    settings.DEBUG = False
    with pytest.raises(CommandError):
        call_command("seed_demo", stdout=io.StringIO())
    assert not Cardholder.objects.exists()

    call_command("seed_demo", "--force", stdout=io.StringIO())

    assert Cardholder.objects.count() == 12


def test_zhao_min_and_liu_qiang_draw_a_pension_fixed_by_the_approval(seeded):
    from pensions import living_check, selectors
    from pensions.models import LivingCheckConfirmation, RetirementClaim

    today = timezone.localdate()
    liu = Cardholder.objects.with_national_id("440305195407110037").get()
    assert (liu.date_of_birth, liu.gender, liu.region) == (date(1954, 7, 11), "M", "440300")
    assert liu.user.check_password(DEMO_PASSWORD)
    assert liu.user.email == "liu.qiang@demo.sscard.example"
    zhao = Cardholder.objects.with_national_id("510107195801200065").get()
    claims = {}
    for holder in (liu, zhao):
        claim = RetirementClaim.objects.get(cardholder=holder)
        assert claim.status == "approved"
        assert claim.verified_by.username == "reviewer"
        assert claim.approved_by.username == "approver"
        # The award is what the approval computed from the record.
        assert (
            claim.contribution_months
            == Contribution.objects.filter(
                cardholder=holder, scheme="pension", payer="employee"
            ).count()
        )
        assert claim.basic_monthly > 0 and claim.personal_monthly > 0
        assert claim.average_wage_year == claim.retirement_date.year - 1
        assert claim.balance_at_retirement == sum(
            Contribution.objects.filter(cardholder=holder, scheme="pension").values_list(
                "to_personal", flat=True
            )
        )
        claims[holder.pk] = claim
    liu_claim, zhao_claim = claims[liu.pk], claims[zhao.pk]
    # Men retire at 60: 11 July 2014, paid from August; 19.5 years of contributions.
    assert (liu_claim.retirement_date, liu_claim.starts_on) == (date(2014, 7, 11), date(2014, 8, 1))
    assert (liu_claim.contribution_months, liu_claim.divisor) == (234, 139)
    # A woman in a cadre post retires at 55: 20 January 2013; 18 years of contributions.
    assert (zhao_claim.category, zhao_claim.retirement_date) == ("female_cadre", date(2013, 1, 20))
    assert (zhao_claim.contribution_months, zhao_claim.divisor) == (216, 170)
    # Liu Qiang's living check runs out within the month: the reminder state shows.
    due = selectors.living_check_due(liu_claim)
    assert today < due <= living_check.add_months(today, 1)
    assert living_check.state(due, today) == living_check.REMINDER_DUE
    assert living_check.state(selectors.living_check_due(zhao_claim), today) == living_check.CURRENT
    # Confirmed every year since the pension began, twice through their son.
    history = LivingCheckConfirmation.objects.filter(claim=liu_claim)
    assert history.filter(how="relative").exists() and history.filter(how="online").exists()
    assert all(row.released_months == [] for row in history)
    assert not LivingCheckConfirmation.objects.filter(claim=zhao_claim, how="relative").exists()


def test_zhou_ting_has_a_maternity_claim_ready_to_submit(seeded):
    from maternity.models import MaternityClaim
    from maternity.selectors import estimate

    claim = MaternityClaim.objects.get(cardholder__card_number="A10000008")
    today = timezone.localdate()
    assert claim.status == "draft" and claim.event == "birth"
    assert (claim.event_date.year, claim.event_date.month) != (today.year, today.month)
    assert claim.event_date < today
    assert list(claim.documents.values_list("kind", flat=True)) == ["birth_certificate"]
    figures = estimate(claim)
    # 9,000 ÷ 30 × (98 + 30 illustrative Jiangsu days)
    assert figures.days == 128 and figures.amount == Decimal("38400.00")
