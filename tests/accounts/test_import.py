"""The monthly payroll import: amounts, bad rows, idempotency, and the ledger afterwards."""

import io
from collections import defaultdict
from datetime import date
from decimal import Decimal

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from accounts import services
from accounts.importing import (
    PayrollFileError,
    PayrollRow,
    import_payroll,
    month_range,
    post_rows,
    read_payroll,
)
from accounts.models import Account, Cardholder, Contribution, LedgerEntry, LedgerTransaction
from accounts.validators import generate_credit_code
from bench.population import synthetic_population, write_payroll_csv
from tests.factories import CardholderFactory, EmployerFactory

pytestmark = pytest.mark.django_db

TODAY = date(2026, 6, 15)
HEADER = "employer_credit_code,national_id,month,wage_base\n"


def run(text, **options):
    return import_payroll(io.StringIO(HEADER + text), today=TODAY, **options)


def balances(cardholder):
    return {
        (account.scheme, account.kind): account.balance
        for account in Account.objects.filter(cardholder=cardholder)
    }


def assert_ledger_consistent():
    sums = defaultdict(Decimal)
    per_account = defaultdict(list)
    for txn_id, account_id, amount, after in LedgerEntry.objects.order_by("id").values_list(
        "transaction_id", "account_id", "amount", "balance_after"
    ):
        sums[txn_id] += amount
        per_account[account_id].append((amount, after))
    assert all(total == 0 for total in sums.values())
    for account in Account.objects.all():
        running = Decimal("0.00")
        for amount, after in per_account[account.id]:
            running += amount
            assert after == running, f"balance_after broken on account {account.id}"
        assert account.balance == running, f"balance of account {account.id} != its entries"


@pytest.fixture
def employer():
    return EmployerFactory()


@pytest.fixture
def alice():
    return CardholderFactory(name="Alice")


@pytest.fixture
def bob():
    return CardholderFactory(name="Bob", employment_status=Cardholder.EmploymentStatus.FLEXIBLE)


def test_employee_row_posts_employer_and_employee_parts_of_all_five_schemes(employer, alice):
    summary = run(f"{employer.credit_code},{alice.national_id},2026-01,10000.00\n")

    assert (summary.rows_read, summary.rows_posted, summary.rows_rejected) == (1, 1, 0)
    assert summary.transactions_posted == 7  # maternity is collected with medical since 2020
    assert balances(alice) == {
        ("pension", "pooled"): Decimal("1600.00"),
        ("pension", "personal"): Decimal("800.00"),
        ("medical", "pooled"): Decimal("880.00"),
        ("medical", "personal"): Decimal("200.00"),
        ("unemployment", "pooled"): Decimal("100.00"),
        ("work_injury", "pooled"): Decimal("40.00"),
        ("maternity", "pooled"): Decimal("0.00"),
    }
    rows = Contribution.objects.filter(cardholder=alice)
    assert rows.count() == 7
    pension = rows.get(scheme="pension", payer="employee")
    assert (pension.month, pension.employer, pension.to_personal) == (
        date(2026, 1, 1),
        employer,
        Decimal("800.00"),
    )
    assert (
        pension.transaction.idempotency_key == f"contribution:{alice.pk}:pension:2026-01:employee"
    )
    assert_ledger_consistent()


def test_flexibly_employed_row_pays_both_parts(employer, bob):
    run(f"{employer.credit_code},{bob.national_id},2026-01,10000.00\n")

    assert balances(bob) == {
        ("pension", "pooled"): Decimal("1200.00"),
        ("pension", "personal"): Decimal("800.00"),
        ("medical", "pooled"): Decimal("600.00"),
        ("medical", "personal"): Decimal("200.00"),
        ("unemployment", "pooled"): Decimal("0.00"),
        ("work_injury", "pooled"): Decimal("0.00"),
        ("maternity", "pooled"): Decimal("0.00"),
    }
    assert set(Contribution.objects.filter(cardholder=bob).values_list("scheme", "payer")) == {
        ("pension", "flexible"),
        ("medical", "flexible"),
    }
    assert_ledger_consistent()


def test_wage_base_is_clamped_to_the_bounds(employer, alice, bob):
    run(
        f"{employer.credit_code},{alice.national_id},2026-01,1000\n"
        f"{employer.credit_code},{bob.national_id},2026-01,100000\n"
    )

    low = Contribution.objects.get(cardholder=alice, scheme="pension", payer="employee")
    assert (low.wage_base_declared, low.wage_base, low.to_personal) == (
        Decimal("1000.00"),
        Decimal("4000.00"),
        Decimal("320.00"),
    )
    high = Contribution.objects.get(cardholder=bob, scheme="pension")
    assert (high.wage_base, high.to_personal) == (Decimal("35000.00"), Decimal("2800.00"))


def test_every_bad_row_is_reported_with_its_line_and_posts_nothing(employer, alice, bob):
    carol = CardholderFactory(name="Carol")
    good = alice.national_id
    wrong_check = good[:17] + ("0" if good[17] != "0" else "1")
    stranger = "11010519491231002X"  # valid, but nobody holds it
    # The employer's code with another check character.
    bad_check = employer.credit_code[:-1] + ("1" if employer.credit_code[-1] == "0" else "0")
    text = (
        f"{employer.credit_code},{wrong_check},2026-01,5000\n"  # line 2
        f"{employer.credit_code},{stranger},2026-01,5000\n"  # 3
        f"{generate_credit_code('91350100MA0000000')},{good},2026-01,5000\n"  # 4: unknown
        f"{employer.credit_code},{good},2026-13,5000\n"  # 5
        f"{employer.credit_code},{good},2026-07,5000\n"  # 6: after TODAY
        f"{employer.credit_code},{good},2026-02,-5\n"  # 7
        f"{employer.credit_code},{good},2026-02,abc\n"  # 8
        f"{employer.credit_code},{good},2026-02,5000.001\n"  # 9
        f"{employer.credit_code},{bob.national_id},2026-02,5000\n"  # 10: good
        f"{employer.credit_code},{bob.national_id},2026-02,6000\n"  # 11: duplicate of 10
        f"{employer.credit_code},{good}\n"  # 12
        f"{employer.credit_code},{carol.national_id},2014-12,5000\n"  # 13: before any rate
        f"{bad_check},{good},2026-02,5000\n"  # 14
        f"{employer.credit_code},{good},2026-03,5000\n"  # 15: good
    )

    summary = run(text)

    assert [(reject.line, reject.code) for reject in summary.rejects] == [
        (2, "invalid_national_id"),
        (3, "unknown_cardholder"),
        (4, "unknown_employer"),
        (5, "invalid_month"),
        (6, "future_month"),
        (7, "negative_wage"),
        (8, "invalid_wage"),
        (9, "too_many_decimals"),
        (11, "duplicate_row"),
        (12, "malformed_row"),
        (13, "no_rate_in_force"),
        (14, "invalid_credit_code"),
    ]
    assert summary.rejects[8].message == "duplicate of line 10 (same person and month)"
    assert (summary.rows_read, summary.rows_posted, summary.rows_rejected) == (14, 2, 12)
    assert set(Contribution.objects.values_list("cardholder", "month").distinct()) == {
        (bob.pk, date(2026, 2, 1)),
        (alice.pk, date(2026, 3, 1)),
    }
    assert Contribution.objects.get(cardholder=bob, scheme="pension").wage_base_declared == 5000
    assert not Contribution.objects.filter(cardholder=carol).exists()
    assert_ledger_consistent()


def test_rerunning_the_same_file_posts_nothing_twice(employer, alice, bob):
    text = "".join(
        f"{employer.credit_code},{person.national_id},{month},8000\n"
        for month in ("2026-01", "2026-02")
        for person in (alice, bob)
    )
    first = run(text, chunk_size=3)
    counts = (LedgerTransaction.objects.count(), LedgerEntry.objects.count())
    before = {person.pk: balances(person) for person in (alice, bob)}

    second = run(text, chunk_size=3)

    assert (first.rows_posted, first.transactions_posted) == (4, 18)
    assert (second.rows_posted, second.rows_already_posted, second.transactions_posted) == (
        0,
        4,
        0,
    )
    assert (LedgerTransaction.objects.count(), LedgerEntry.objects.count()) == counts
    assert {person.pk: balances(person) for person in (alice, bob)} == before
    assert_ledger_consistent()


def test_duplicates_are_found_across_chunks(employer, alice):
    text = "".join(
        f"{employer.credit_code},{alice.national_id},2026-0{m},5000\n" for m in (1, 2, 3)
    )
    text += f"{employer.credit_code},{alice.national_id},2026-01,5000\n"

    summary = run(text, chunk_size=2)

    assert [(reject.line, reject.code) for reject in summary.rejects] == [(5, "duplicate_row")]
    assert summary.rows_posted == 3


def test_import_gives_the_same_result_as_contribution_post(employer):
    pairs = [
        (CardholderFactory(), CardholderFactory()),
        (
            CardholderFactory(employment_status="flexible"),
            CardholderFactory(employment_status="flexible"),
        ),
    ]
    wages = {date(2025, 11, 1): "3999.99", date(2025, 12, 1): "12345.67", date(2026, 1, 1): "40000"}
    text = ""
    for by_service, by_import in pairs:
        for month, wage in wages.items():
            for scheme in ("pension", "medical", "unemployment", "work_injury", "maternity"):
                if by_service.employment_status == "flexible" and scheme not in (
                    "pension",
                    "medical",
                ):
                    continue  # no flexible rate for the other schemes: nothing to post
                services.contribution_post(
                    cardholder=by_service, scheme=scheme, month=month, wage=wage, employer=employer
                )
            text += f"{employer.credit_code},{by_import.national_id},{month:%Y-%m},{wage}\n"

    run(text)

    fields = ("scheme", "month", "payer", "wage_base_declared", "wage_base", "to_pooled")
    for by_service, by_import in pairs:
        assert balances(by_import) == balances(by_service)
        assert sorted(
            Contribution.objects.filter(cardholder=by_import).values_list(*fields, "to_personal")
        ) == sorted(
            Contribution.objects.filter(cardholder=by_service).values_list(*fields, "to_personal")
        )
    assert_ledger_consistent()


def test_import_skips_what_contribution_post_already_posted(employer, alice):
    services.contribution_post(
        cardholder=alice, scheme="pension", month=date(2026, 1, 1), wage="10000", employer=employer
    )

    summary = run(f"{employer.credit_code},{alice.national_id},2026-01,10000\n")

    assert summary.rows_posted == 1
    assert summary.transactions_posted == 5  # the two pension parts existed
    assert balances(alice)[("pension", "personal")] == Decimal("800.00")
    assert_ledger_consistent()


def test_row_for_a_closed_account_is_rejected_and_posts_nothing(employer, alice):
    Account.objects.filter(cardholder=alice, scheme="pension", kind="personal").update(
        status=Account.Status.CLOSED
    )

    summary = run(f"{employer.credit_code},{alice.national_id},2026-01,10000\n")

    assert [(reject.line, reject.code) for reject in summary.rejects] == [(2, "account_closed")]
    assert not Contribution.objects.exists()


def test_post_rows_without_employer_for_the_self_paying(bob):
    result = post_rows([PayrollRow(1, bob.national_id, None, date(2026, 1, 1), Decimal("8000"))])

    assert result.rows_posted == 1
    assert set(Contribution.objects.values_list("employer", flat=True)) == {None}


def test_file_with_a_wrong_header_is_refused():
    with pytest.raises(PayrollFileError):
        list(read_payroll(io.StringIO("id,month,wage\n1,2,3\n"), today=TODAY))


def test_command_prints_rejects_and_summary_and_strict_exits_non_zero(tmp_path, employer, alice):
    path = tmp_path / "payroll.csv"
    path.write_text(
        HEADER
        + f"{employer.credit_code},{alice.national_id},2026-01,9000\n"
        + f"{employer.credit_code},{alice.national_id},2026-01,9000\n",
        encoding="utf-8",
    )
    out = io.StringIO()

    call_command("import_contributions", str(path), stdout=out)

    text = out.getvalue()
    assert "line 3: duplicate of line 2" in text
    assert "rows read: 2" in text
    assert "posted: 1 rows (7 transactions)" in text
    assert "rejected: 1" in text
    with pytest.raises(CommandError) as failed:
        call_command("import_contributions", str(path), "--strict", stdout=io.StringIO())
    assert failed.value.returncode == 1
    again = io.StringIO()
    call_command("import_contributions", str(path), stdout=again)
    assert "skipped as already posted: 1" in again.getvalue()


def test_generated_payroll_imports_cleanly_in_chunks():
    synthetic_population(40, employers=3)
    out = io.StringIO()
    rows = write_payroll_csv(out, months=month_range(date(2025, 1, 1), 3))
    out.seek(0)

    summary = import_payroll(out, chunk_size=25, today=TODAY)

    assert (summary.rows_read, summary.rows_posted, summary.rows_rejected) == (rows, rows, 0)
    # 36 employed people x 8 parts + 4 flexibly employed x 2, per month.
    assert summary.transactions_posted == 3 * (36 * 7 + 4 * 2)
    assert_ledger_consistent()


@pytest.mark.postgres
def test_bulk_path_on_postgresql_keeps_the_ledger_consistent_and_reruns_cleanly():
    synthetic_population(600, employers=7)
    out = io.StringIO()
    rows = write_payroll_csv(out, months=month_range(date(2025, 6, 1), 4))
    text = out.getvalue()

    first = import_payroll(io.StringIO(text), chunk_size=700, today=TODAY)
    counts = (LedgerTransaction.objects.count(), Contribution.objects.count())
    second = import_payroll(io.StringIO(text), chunk_size=1000, today=TODAY)

    assert (first.rows_posted, first.rows_rejected) == (rows, 0)
    assert (second.rows_posted, second.rows_already_posted) == (0, rows)
    assert (LedgerTransaction.objects.count(), Contribution.objects.count()) == counts
    assert counts[0] == counts[1] == 4 * (540 * 7 + 60 * 2)
    assert_ledger_consistent()


def test_one_person_in_consecutive_chunks_keeps_the_balance_chain(employer, alice):
    # Chunks of one row: every chunk starts from the balances the previous one left.
    text = "".join(
        f"{employer.credit_code},{alice.national_id},2026-0{month},{wage}\n"
        for month, wage in ((1, "10000"), (2, "12000.50"), (3, "9000"))
    )

    summary = run(text, chunk_size=1)

    assert (summary.rows_posted, summary.transactions_posted) == (3, 21)
    pension = Account.objects.get(cardholder=alice, scheme="pension", kind="personal")
    # 8 % of each month's wage, in order.
    assert list(
        LedgerEntry.objects.filter(account=pension).order_by("id").values_list("balance_after")
    ) == [(Decimal("800.00"),), (Decimal("1760.04"),), (Decimal("2480.04"),)]
    assert_ledger_consistent()


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_import_outside_a_transaction_prepares_chunks_ahead_and_reruns_cleanly():
    # Outside an atomic block the next chunk is read on a second connection while the
    # current one is written; the result must be the same as chunk by chunk.
    synthetic_population(120, employers=3)
    out = io.StringIO()
    rows = write_payroll_csv(out, months=month_range(date(2025, 1, 1), 3))
    text = out.getvalue() + "not,a,payroll row\n"

    chunks = []
    first = import_payroll(
        io.StringIO(text),
        chunk_size=50,
        today=TODAY,
        on_chunk=lambda summary, rejects: chunks.append(summary.rows_read),
    )
    second = import_payroll(io.StringIO(text), chunk_size=70, today=TODAY)

    assert (first.rows_read, first.rows_posted, first.rows_rejected) == (rows + 1, rows, 1)
    assert chunks == [*range(50, rows + 1, 50), rows + 1]
    assert first.transactions_posted == 3 * (108 * 7 + 12 * 2)
    assert (second.rows_posted, second.rows_already_posted) == (0, rows)
    assert Contribution.objects.count() == first.transactions_posted
    assert_ledger_consistent()


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_a_bad_file_fails_the_same_when_read_ahead():
    with pytest.raises(PayrollFileError):
        import_payroll(io.StringIO("id,month,wage\n1,2,3\n"), today=TODAY)
    undecodable = io.TextIOWrapper(io.BytesIO(HEADER.encode() + b"\xff,\n"), encoding="utf-8")
    with pytest.raises(UnicodeDecodeError):
        import_payroll(undecodable, today=TODAY)


def test_a_balance_moved_by_someone_else_during_the_import_is_respected(employer, alice):
    # The second chunk is drafted on the balances the first one left; a posting made in
    # between (here from the chunk callback) must not be overwritten or mis-chained.
    text = "".join(
        f"{employer.credit_code},{alice.national_id},2026-0{month},10000\n" for month in (1, 2)
    )

    def post_meanwhile(summary, rejects):
        if summary.rows_read == 1:
            services.contribution_post(
                cardholder=alice,
                scheme="pension",
                month=date(2026, 3, 1),
                wage="10000",
                employer=employer,
            )

    summary = run(text, chunk_size=1, on_chunk=post_meanwhile)

    assert (summary.rows_posted, summary.transactions_posted) == (2, 14)
    assert balances(alice)[("pension", "personal")] == Decimal("2400.00")
    assert_ledger_consistent()
