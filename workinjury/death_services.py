"""Every write of the death-at-work benefits (WIR Art. 39): one function per use case,
one transaction.

A reviewer records that a recognised work injury led to the worker's death, with the
relatives the worker supported; someone else decides. The approval fixes the figures
(the region's average wage and the national income of the year before the death, the
worker's own wage of Art. 64), pays the funeral subsidy and the one-time subsidy from
the region's work-injury fund once (the benefit is one per injury, each payment one
transaction), and sets each dependant's monthly pension, paid by the monthly benefit
run (`pay_dependants_pensions`). Whoever filed the recognition is told the decision,
its legal basis and how to contest it.

The two lump sums then wait in payouts payable for the worker's close relatives: the
heirs' claim on the deceased (withdrawals) shows them and, when staff approve it, pays
them out by the heirs' shares, in the approval's transaction (`lump_sums_to_heirs`). No
money moves again then: each heir's share becomes a payout line for the bank, and the
benefit records the claim it went with, so no second claim can pay it.
"""

from dataclasses import dataclass
from datetime import date

from django.conf import settings
from django.core.mail import send_mail
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, override

from accounts import ledger
from accounts.models import Account, Cardholder, LedgerTransaction, Scheme
from benefits import work_injury_rules as rules
from benefits.exceptions import MissingFigure
from benefits.payment_run import RunResult
from casework import notes
from casework import services as casework
from casework.exceptions import AlreadyDecided, Forbidden, SamePerson
from core.errors import InvalidInput
from core.rights import HOW_TO_CONTEST
from workinjury import death_rules, selectors
from workinjury import notes as injury_notes
from workinjury.exceptions import AppraisalRefused, MissingNationalIncome, WorkDeathRefused
from workinjury.models import (
    WORKFLOW,
    InjuryRecognition,
    NationalDisposableIncome,
    WorkDeathBenefit,
    WorkDeathDependant,
    WorkDeathPensionPayment,
)

FUND_MISSING = "work_injury_fund_missing"
MAX_REASON = 2000


def _require_perm(actor, perm):
    if actor is None or not actor.is_active or not actor.has_perm(WORKFLOW.perm(perm)):
        raise Forbidden()


def _first_of_next_month(day):
    return date(day.year + day.month // 12, day.month % 12 + 1, 1)


def _refused(exc, **kwargs):
    return WorkDeathRefused(exc.code, **kwargs)


@transaction.atomic
def work_death_record(recognition, *, actor, died_on, dependants, today=None):
    """Record that the recognised work injury led to the worker's death on `died_on`,
    with the dependants: a list of {name, relation, lone, until}. A reviewer's step; the
    decision is someone else's. Refused with a code (WorkDeathRefused)."""
    _require_perm(actor, "review_injuryrecognition")
    today = today or timezone.localdate()
    if died_on is None:
        raise InvalidInput(_("Give the date of death."), code="required", field="died_on")
    Cardholder.objects.select_for_update().get(pk=recognition.cardholder_id)
    locked = InjuryRecognition.objects.select_for_update().get(pk=recognition.pk)
    if WorkDeathBenefit.objects.filter(recognition=locked).exists():
        raise WorkDeathRefused("work_death_already_recorded")
    try:
        death_rules.check_record(
            recognised=locked.status == InjuryRecognition.Status.RECOGNISED,
            accident_on=locked.accident_date,
            died_on=died_on,
            today=today,
        )
    except death_rules.DeathRuleError as exc:
        field = None if exc.code == death_rules.NOT_RECOGNISED else "died_on"
        raise _refused(exc, field=field, status=400 if field else None) from None
    rows = []
    for position, item in enumerate(dependants or []):
        name = str(item.get("name") or "").strip()
        if not name:
            raise WorkDeathRefused("work_death_no_dependant_name", field="dependants", status=400)
        relation = item.get("relation")
        if relation not in death_rules.RELATIONS:
            raise WorkDeathRefused(death_rules.RELATION_UNKNOWN, field="dependants", status=400)
        rows.append(
            WorkDeathDependant(
                position=position,
                name=name[:100],
                relation=relation,
                lone=bool(item.get("lone")),
                until=item.get("until"),
            )
        )
    benefit = WorkDeathBenefit.objects.create(
        recognition=locked, died_on=died_on, recorded_by=actor
    )
    for row in rows:
        row.benefit = benefit
    WorkDeathDependant.objects.bulk_create(rows)
    casework.case_note(
        locked,
        actor,
        notes.note(injury_notes.WORK_DEATH_RECORDED, date=died_on.isoformat(), count=len(rows)),
    )
    return benefit


def figures(benefit, cardholder, recognition, dependants):
    """Every figure of the decision from the data as it stands. Refuses, naming the
    figure, when the region's average wage of the year before the death or of the year
    before the injury, or the national income of the year before the death, is missing."""
    from pensions.models import RegionalAverageWage

    year = benefit.died_on.year - 1
    regional = RegionalAverageWage.objects.filter(region=cardholder.region, year=year).first()
    if regional is None:
        raise MissingFigure(figure="regional_average_wage", region=cardholder.region, year=year)
    income = NationalDisposableIncome.objects.filter(year=year).first()
    if income is None:
        raise MissingNationalIncome(year=year)
    wage_row = selectors.regional_average_row(cardholder.region, recognition.accident_date)
    if wage_row is None:
        raise MissingFigure(
            figure="regional_average_wage",
            region=cardholder.region,
            year=recognition.accident_date.year - 1,
        )
    try:
        wage = rules.own_wage(
            selectors.wage_months(cardholder, recognition.accident_date), wage_row.amount
        )
    except rules.InjuryRuleError as exc:
        raise AppraisalRefused(exc.code, status=422) from None
    pensions = death_rules.dependants_pensions(
        [death_rules.Dependant(item.relation, item.lone) for item in dependants], wage.bounded
    )
    return regional, income, wage, pensions


def _pay(key, amount, fund, payable, reference, description, actor):
    txn, _created = ledger.post(
        kind=LedgerTransaction.Kind.BENEFIT,
        idempotency_key=key,
        legs=[ledger.Leg(fund.id, -amount), ledger.Leg(payable.id, amount)],
        reference=reference,
        description=description,
        actor=actor,
    )
    return txn


def _tell(benefit, recognition, subject, body_lines):
    """Whoever filed the recognition learns the decision in their language, with its
    legal basis and how to contest it."""
    user = recognition.applicant
    if user is None or not user.email:
        return
    with override(user.preferred_language or "zh-hans"):
        subject_text = str(subject)
        body = "\n\n".join(str(line) for line in body_lines(benefit))
        body += "\n\n" + _("Legal basis: %(law)s.") % {"law": death_rules.LAW}
        body += "\n\n" + str(HOW_TO_CONTEST)
    address = user.email
    reference = recognition.reference
    transaction.on_commit(
        lambda: send_mail(
            f"[{reference}] {subject_text}", body, settings.DEFAULT_FROM_EMAIL, [address]
        )
    )


def _approved_lines(benefit):
    lines = [
        _(
            "The death of %(date)s is recognised as caused by the work injury. From the "
            "work-injury fund:"
        )
        % {"date": benefit.died_on.isoformat()},
        _(
            "Funeral subsidy: %(amount)s (6 × the regional average monthly wage of "
            "%(year)s, %(wage)s)."
        )
        % {
            "amount": f"{benefit.funeral_subsidy:.2f}",
            "year": benefit.regional_year,
            "wage": f"{benefit.regional_average:.2f}",
        },
        _(
            "One-time work-death subsidy: %(amount)s (20 × the national urban per-capita "
            "disposable income of %(year)s, %(income)s)."
        )
        % {
            "amount": f"{benefit.one_time_subsidy:.2f}",
            "year": benefit.income_year,
            "income": f"{benefit.income_amount:.2f}",
        },
    ]
    for item in benefit.dependants.all():
        lines.append(
            _("Dependants' pension for %(name)s: %(amount)s a month from %(start)s.")
            % {
                "name": item.name,
                "amount": f"{item.monthly_amount:.2f}",
                "start": benefit.pension_from.isoformat(),
            }
        )
    if benefit.pensions_capped:
        lines.append(
            _(
                "The dependants' pensions together may not exceed the worker's own wage "
                "(%(wage)s): each was cut in the same proportion."
            )
            % {"wage": f"{benefit.own_wage:.2f}"}
        )
    return lines


def _lock_for_decision(benefit, actor):
    locked = WorkDeathBenefit.objects.select_for_update().get(pk=benefit.pk)
    if locked.status != WorkDeathBenefit.Status.RECORDED:
        raise AlreadyDecided()
    if actor.pk == locked.recorded_by_id:
        raise SamePerson()
    return locked


def work_death_approve(benefit, *, actor, today=None):
    """Decide the death-at-work benefits: someone other than who recorded the death.
    Fixes the figures, pays the funeral and one-time subsidies (each once) and sets
    the dependants' pensions from the month after the death. Two decisions at once:
    the row lock lets one win; the other is AlreadyDecided."""
    _require_perm(actor, "decide_injuryrecognition")
    with transaction.atomic():
        recognition_id = WorkDeathBenefit.objects.values_list("recognition_id", flat=True).get(
            pk=benefit.pk
        )
        recognition = InjuryRecognition.objects.select_related("applicant").get(pk=recognition_id)
        cardholder = Cardholder.objects.select_for_update().get(pk=recognition.cardholder_id)
        locked = _lock_for_decision(benefit, actor)
        if actor.pk in (recognition.applicant_id, cardholder.user_id):
            raise SamePerson()
        dependants = list(locked.dependants.order_by("position"))
        regional, income, wage, pensions = figures(locked, cardholder, recognition, dependants)
        funeral = death_rules.funeral_subsidy(regional.amount)
        subsidy = death_rules.one_time_subsidy(income.amount)
        fund = ledger.fund_account(Scheme.WORK_INJURY, cardholder.region)
        if fund is None:
            raise WorkDeathRefused(FUND_MISSING, status=422, region=cardholder.region)
        payable = ledger.system_account(Account.SystemCode.PAYOUTS_PAYABLE)
        reference = recognition.reference
        funeral_txn = _pay(
            f"work-death-funeral:{locked.pk}",
            funeral,
            fund,
            payable,
            reference,
            f"Work-death funeral subsidy {reference}: 6 × {regional.amount}",
            actor,
        )
        subsidy_txn = _pay(
            f"work-death-subsidy:{locked.pk}",
            subsidy,
            fund,
            payable,
            reference,
            f"One-time work-death subsidy {reference}: 20 × {income.amount}",
            actor,
        )
        for item, item_share, amount in zip(
            dependants, pensions.shares, pensions.amounts, strict=True
        ):
            item.share = item_share
            item.monthly_amount = amount
        WorkDeathDependant.objects.bulk_update(dependants, ["share", "monthly_amount"])
        fields = {
            "status": WorkDeathBenefit.Status.APPROVED,
            "decided_by": actor,
            "decided_at": timezone.now(),
            "regional_average": regional.amount,
            "regional_year": regional.year,
            "regional_source": regional.source[:200],
            "funeral_subsidy": funeral,
            "income_amount": income.amount,
            "income_year": income.year,
            "income_source": income.source[:200],
            "one_time_subsidy": subsidy,
            "wage_months": wage.months,
            "wage_average": wage.average,
            "bound_applied": wage.bound_applied,
            "own_wage": wage.bounded,
            "pensions_total": pensions.total,
            "pensions_capped": pensions.capped,
            "pension_from": _first_of_next_month(locked.died_on),
            "funeral_transaction": funeral_txn,
            "subsidy_transaction": subsidy_txn,
        }
        for name, value in fields.items():
            setattr(locked, name, value)
        locked.save(update_fields=list(fields))
        casework.case_note(
            recognition,
            actor,
            notes.note(
                injury_notes.WORK_DEATH_APPROVED,
                funeral=f"{funeral:.2f}",
                subsidy=f"{subsidy:.2f}",
                pensions=f"{pensions.total:.2f}",
                start=locked.pension_from.isoformat(),
            ),
        )
        _tell(locked, recognition, _("Death-at-work benefits decided"), _approved_lines)
    return locked


@transaction.atomic
def work_death_refuse(benefit, *, actor, code, reason):
    """Refuse the benefits, naming the rule (the death was not caused by the work
    injury) and the reason whoever filed reads, with how to contest it."""
    _require_perm(actor, "decide_injuryrecognition")
    if code != death_rules.NOT_FROM_INJURY:
        raise InvalidInput(
            _("Choose the rule the decision rests on."), code="invalid_choice", field="code"
        )
    text = str(reason or "").strip()
    if not text or len(text) > MAX_REASON:
        raise InvalidInput(
            _("Give the reason the family reads, in at most %(n)d characters.") % {"n": MAX_REASON},
            code="required",
            field="reason",
        )
    locked = _lock_for_decision(benefit, actor)
    recognition = InjuryRecognition.objects.select_related("applicant").get(
        pk=locked.recognition_id
    )
    locked.status = WorkDeathBenefit.Status.REFUSED
    locked.decided_by = actor
    locked.decided_at = timezone.now()
    locked.refusal_code = code
    locked.refusal_reason = text
    locked.save(
        update_fields=["status", "decided_by", "decided_at", "refusal_code", "refusal_reason"]
    )
    casework.case_note(recognition, actor, notes.free_text(text))

    def lines(item):
        return [
            _("The death-at-work benefits are refused (%(code)s): %(reason)s")
            % {"code": item.refusal_code, "reason": item.refusal_reason}
        ]

    _tell(locked, recognition, _("Death-at-work benefits refused"), lines)
    return locked


# --- the two lump sums, paid to the heirs with their claim on the deceased ---------------

LUMP_SUMS_BASIS = gettext_lazy(
    "Regulations on Work-Related Injury Insurance (WIR), Art. 39(1) and (3): the funeral "
    "subsidy and the one-time work-death subsidy go to the close relatives; Civil Code of "
    "the PRC, Art. 1130 (the heirs' shares)"
)


@dataclass(frozen=True)
class WorkDeathLumpSums:
    """What the heirs' claim shows and pays: the two subsidies an approved death at
    work posted to payouts payable, and whether they went with the claim already."""

    benefit_id: int
    recognition: str
    died_on: date
    funeral: object
    subsidy: object
    funeral_transaction_id: int
    subsidy_transaction_id: int
    paid: bool
    legal_basis: object = LUMP_SUMS_BASIS

    @property
    def total(self):
        return self.funeral + self.subsidy


def _posted_benefits(cardholder_id):
    return (
        WorkDeathBenefit.objects.filter(
            recognition__cardholder_id=cardholder_id,
            status=WorkDeathBenefit.Status.APPROVED,
            funeral_transaction__isnull=False,
            subsidy_transaction__isnull=False,
        )
        .select_related("recognition")
        .order_by("pk")
    )


def _lump_sums(benefit, paid):
    return WorkDeathLumpSums(
        benefit_id=benefit.pk,
        recognition=benefit.recognition.reference,
        died_on=benefit.died_on,
        funeral=benefit.funeral_subsidy,
        subsidy=benefit.one_time_subsidy,
        funeral_transaction_id=benefit.funeral_transaction_id,
        subsidy_transaction_id=benefit.subsidy_transaction_id,
        paid=paid,
    )


def lump_sums_of(cardholder_id, claim_id):
    """The lump sums the heirs' claim `claim_id` on the deceased shows: paid with it,
    or waiting for it (no claim took them yet); None when the deceased has no approved
    death at work, or another claim paid them."""
    benefits = _posted_benefits(cardholder_id)
    mine = benefits.filter(heirs_claim_id=claim_id).first()
    if mine is not None:
        return _lump_sums(mine, paid=True)
    waiting = benefits.filter(heirs_claim__isnull=True).first()
    return None if waiting is None else _lump_sums(waiting, paid=False)


def lump_sums_to_heirs(cardholder_id, claim):
    """Inside the approval of the heirs' claim on the deceased: the claim takes the
    lump sums still waiting in payouts payable, once (the benefit row held, its
    `heirs_claim` set). Returns them, or None when there are none to take."""
    benefit = (
        _posted_benefits(cardholder_id)
        .filter(heirs_claim__isnull=True)
        .select_for_update(of=("self",))
        .first()
    )
    if benefit is None:
        return None
    taken = WorkDeathBenefit.objects.filter(pk=benefit.pk, heirs_claim__isnull=True).update(
        heirs_claim=claim
    )
    return _lump_sums(benefit, paid=True) if taken else None


# --- the dependants' pensions, paid by the monthly benefit run -------------------------


def pension_key(dependant_id, month):
    return f"work-death-pension:{dependant_id}:{month:%Y-%m}"


def pensions_due(month, region=None):
    rows = WorkDeathDependant.objects.filter(
        benefit__status=WorkDeathBenefit.Status.APPROVED,
        benefit__pension_from__lte=month,
        monthly_amount__gt=0,
    ).exclude(until__lt=month)
    if region:
        rows = rows.filter(benefit__recognition__cardholder__region=region)
    return rows


def pay_dependants_pensions(month, region=None):
    """Pay `month` (its first day) of every dependant's pension due: the region's
    work-injury fund −P · benefits payable +P, with its payment row. The key and the
    unique (dependant, month) pay a month once; a second run posts nothing."""
    result = RunResult()
    rows = list(
        pensions_due(month, region)
        .order_by("pk")
        .values_list(
            "pk",
            "benefit__recognition__cardholder__region",
            "monthly_amount",
            "benefit__recognition__reference",
        )
    )
    if not rows:
        return result
    done = set(
        WorkDeathPensionPayment.objects.filter(
            month=month, dependant_id__in=[row[0] for row in rows]
        ).values_list("dependant_id", flat=True)
    )
    payable = ledger.system_account(Account.SystemCode.BENEFITS_PAYABLE)
    funds = {}
    for pk, region_code, amount, reference in rows:
        if pk in done:
            result.already_paid += 1
            continue
        if region_code not in funds:
            funds[region_code] = ledger.fund_account(Scheme.WORK_INJURY, region_code)
        fund = funds[region_code]
        if fund is None:
            result.refused.append((pk, FUND_MISSING))
            continue
        with transaction.atomic():
            _txn, created = ledger.post(
                kind=LedgerTransaction.Kind.BENEFIT,
                idempotency_key=pension_key(pk, month),
                legs=[ledger.Leg(fund.pk, -amount), ledger.Leg(payable.pk, amount)],
                reference=reference,
                description=f"Work-death dependants' pension {month:%Y-%m}",
                record=WorkDeathPensionPayment(dependant_id=pk, month=month, amount=amount),
            )
        if created:
            result.paid += 1
        else:
            result.already_paid += 1
    return result
