"""The heirs of a death claim: declared with their shares, joining online, identified
by staff, and paid by share on approval (RULES.md §4).

The pure rules are `withdrawals.heirs` (order, representation, wills, shares, `split`)
and `withdrawals.survivor_benefits`; this module gives them their facts and carries
out what they decide. Money moves only through `accounts.ledger.post`.
"""

import re
from dataclasses import dataclass
from fractions import Fraction

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from accounts import ledger
from accounts.exceptions import DomainError, InvalidInput
from accounts.ledger import Leg
from accounts.models import Account, Cardholder, Contribution, LedgerTransaction, Scheme
from accounts.pii import id_digest, id_digests, id_number_in
from benefits import selectors as benefit_selectors
from casework import notes
from casework import services as casework
from core.rights import how_to_contest
from pensions import estate_arrears, retirement
from withdrawals import eligibility, heirs, survivor_benefits
from withdrawals import notes as withdrawal_notes
from withdrawals.exceptions import Forbidden, IllegalTransition
from withdrawals.models import (
    PAYOUT_CONFIRMED,
    PAYOUT_FAILED,
    PAYOUT_REQUEUED,
    WORKFLOW,
    Heir,
    HeirPayout,
    Status,
    SurvivorBenefitParameters,
    WithdrawalApplication,
)
from workinjury import death_services

MAX_HEIRS = 30
# Heirship proof is asked for at submission, once documents can be attached; every
# other refusal stands already when the heirs are declared.
PROVEN_LATER = frozenset({heirs.HEIRSHIP_UNPROVEN})
# The application relationship an heir-by-law relationship corresponds to.
APPLICATION_RELATIONSHIP = {
    heirs.SPOUSE: "spouse",
    heirs.CHILD: "child",
    heirs.PARENT: "parent",
    heirs.SIBLING: "sibling",
    heirs.GRANDPARENT: "grandparent",
    heirs.GRANDCHILD: "other_heir",
    heirs.TESTAMENTARY: "other_heir",
}
# A claim made before heirs were declared names the applicant's tie this way.
HEIR_RELATIONSHIP = {"spouse", "child", "parent", "sibling", "grandparent"}

SURVIVOR_PARAMETERS_MISSING = "survivor_parameters_missing"
LAW_SURVIVOR = survivor_benefits.LAW


# --- refusals ----------------------------------------------------------------------------


@dataclass(frozen=True)
class HeirsReason:
    """An heirs rule's refusal, shaped as `eligibility.Reason` so it stands beside the
    other reasons of a decision (stored as its code, rendered when shown)."""

    reason: heirs.Reason
    account: str = ""
    document: str = ""

    @property
    def code(self):
        return self.reason.code

    @property
    def legal_basis(self):
        return self.reason.legal_basis

    @property
    def params(self):
        return self.reason.params

    def message(self, language=None):
        if language is None:
            return self.reason.message()
        from django.utils import translation

        with translation.override(eligibility.supported_language(language)):
            return self.reason.message()

    def legal_basis_text(self):
        return self.reason.legal_basis_text()

    @property
    def message_en(self):
        return self.message("en")

    @property
    def message_zh(self):
        return self.message("zh-hans")


class HeirsRefused(DomainError):
    """The declared heirs break a rule of inheritance: every reason, with its law."""

    code = "heirs_refused"
    default_message = gettext_lazy("The heirs as declared cannot be accepted. See the reasons.")
    status = 400

    def __init__(self, reasons, **kwargs):
        self.reasons = tuple(reasons)
        kwargs.setdefault("field", "heirs")
        super().__init__(code=self.reasons[0].code if self.reasons else None, **kwargs)

    @property
    def codes(self):
        return tuple(reason.code for reason in self.reasons)

    def details(self):
        return {
            "reasons": [
                {
                    "code": reason.code,
                    "message": reason.message(),
                    "legal_basis": reason.legal_basis,
                    "account": "",
                    "document": "",
                }
                for reason in self.reasons
            ],
            "how_to_contest": how_to_contest(),
        }


class EstateAlreadyClaimed(DomainError):
    """Another heir already claims this estate: join that claim instead."""

    code = "estate_already_claimed"
    default_message = gettext_lazy(
        "Another heir has already opened a claim on this person's estate (%(reference)s). "
        "If you are named in it, join it from your invitations instead."
    )
    status = 409

    def __init__(self, reference, **kwargs):
        self.reference = reference
        super().__init__(str(self.default_message) % {"reference": reference}, **kwargs)

    def details(self):
        return {"claim": self.reference}


class AlreadyJoined(DomainError):
    code = "already_joined"
    default_message = gettext_lazy("You have already confirmed the shares of this claim.")
    status = 409


# --- the declaration -----------------------------------------------------------------------


@dataclass(frozen=True)
class Declared:
    national_id: str
    name: str
    relationship: str
    share: Fraction
    share_text: str


def _field(index, name):
    return f"heirs[{index}].{name}"


def parse_heirs(rows):
    """The heirs as the request names them, checked field by field (400 naming the
    field); the rules of inheritance come after, in :func:`check_estate`."""
    from withdrawals.services import clean_typed_text

    if not isinstance(rows, (list, tuple)) or not rows:
        raise InvalidInput(str(heirs.MESSAGES[heirs.NO_HEIRS]), code=heirs.NO_HEIRS, field="heirs")
    if len(rows) > MAX_HEIRS:
        raise InvalidInput(
            _("At most %(n)d heirs.") % {"n": MAX_HEIRS}, code="too_many", field="heirs"
        )
    declared = []
    for index, row in enumerate(rows):
        if not isinstance(row, dict):
            raise InvalidInput(
                _("Each heir is an object."), code="invalid", field=_field(index, "")
            )
        number = id_number_in(str(row.get("national_id") or ""))
        if number is None:
            raise InvalidInput(
                _("Enter a valid 18-character national ID number."),
                code="invalid_national_id",
                field=_field(index, "national_id"),
            )
        name = clean_typed_text(row.get("name"), _field(index, "name"))
        if not name or len(name) > 100:
            raise InvalidInput(
                _("Enter the heir's full name (at most 100 characters)."),
                code="required",
                field=_field(index, "name"),
            )
        relationship = str(row.get("relationship") or "")
        if relationship not in Heir.Relationship.values:
            raise InvalidInput(
                str(heirs.MESSAGES[heirs.RELATIONSHIP_UNKNOWN]),
                code=heirs.RELATIONSHIP_UNKNOWN,
                field=_field(index, "relationship"),
            )
        try:
            share = heirs.parse_share(str(row.get("share") or ""))
        except ValueError:
            raise InvalidInput(
                str(heirs.MESSAGES[heirs.SHARE_INVALID]),
                code=heirs.SHARE_INVALID,
                field=_field(index, "share"),
            ) from None
        declared.append(Declared(number, name, relationship, share, heirs.format_share(share)))
    return declared


def parse_proofs(proofs):
    proofs = proofs or []
    if isinstance(proofs, str):
        proofs = [proofs]
    unknown = [p for p in proofs if p not in heirs.PROOF_KINDS]
    if unknown:
        raise InvalidInput(
            _("There is no such proof of heirship."), code="invalid_choice", field="proofs"
        )
    return frozenset(proofs)


def _applicant_number(applicant):
    return id_number_in(str(getattr(applicant, "national_id", None) or "")) or ""


def estate_of(declared, *, cardholder, applicant, proofs):
    """The pure rules' view of a claim: keys are ID digests, never the numbers."""
    applicant_number = _applicant_number(applicant)
    return heirs.Estate(
        deceased_key=id_digest(cardholder.national_id),
        applicant_key=id_digest(applicant_number) if applicant_number else "-",
        heirs=tuple(
            heirs.Heir(
                key=id_digest(d.national_id),
                relationship=d.relationship,
                share=d.share,
                id_tail=d.national_id[-4:],
            )
            for d in declared
        ),
        proofs=frozenset(proofs),
    )


def check_estate(declared, *, cardholder, applicant, proofs):
    """Refuse (HeirsRefused, every reason) what the rules of inheritance refuse."""
    decision = heirs.evaluate(
        estate_of(declared, cardholder=cardholder, applicant=applicant, proofs=proofs)
    )
    standing = [r for r in decision.reasons if r.code not in PROVEN_LATER]
    if standing:
        raise HeirsRefused([HeirsReason(r) for r in standing])


def applicant_alone(applicant, relationship):
    """The applicant as the only heir, share 1 (a claim that names no heirs but
    claims survivor benefits, which are paid by share)."""
    number = _applicant_number(applicant)
    if not number or relationship not in HEIR_RELATIONSHIP:
        raise InvalidInput(
            _("Name every heir of the deceased, with their shares, to claim survivor benefits."),
            code=heirs.NO_HEIRS,
            field="heirs",
        )
    from withdrawals.selectors import applicant_identity

    name = applicant_identity(applicant).name or applicant.get_full_name()
    return [Declared(number, name, relationship, Fraction(1), "1")]


def open_estate_claim(cardholder, applicant):
    """Another heir's claim on this estate that is still going (not withdrawn or
    rejected), if any. The caller holds the cardholder's row lock."""
    return (
        WithdrawalApplication.objects.filter(cardholder=cardholder, reason=eligibility.DEATH)
        .exclude(status__in=[Status.WITHDRAWN, Status.REJECTED])
        .exclude(applicant=applicant)
        .order_by("pk")
        .first()
    )


def refuse_second_estate_claim(cardholder, applicant, *, declares_heirs):
    """One claim per estate: once heirs are declared on either side, a second heir is
    pointed to the claim that exists (409 with its reference)."""
    Cardholder.objects.select_for_update().filter(pk=cardholder.pk).first()
    existing = open_estate_claim(cardholder, applicant)
    if existing is None:
        return
    if declares_heirs or existing.heirs.exists():
        raise EstateAlreadyClaimed(existing.reference, field="cardholder")


def heirs_record(application, declared, *, actor):
    """Write the declared heirs on a new claim (in the caller's transaction). The
    applicant's own row counts as joined: they confirm the shares by declaring them."""
    applicant_number = _applicant_number(application.applicant)
    applicant_digest = id_digest(applicant_number) if applicant_number else None
    now = timezone.now()
    rows = []
    for position, d in enumerate(declared):
        mine = id_digest(d.national_id) == applicant_digest
        rows.append(
            Heir(
                application=application,
                position=position,
                national_id=d.national_id,
                name=d.name,
                relationship=d.relationship,
                share=d.share_text,
                is_applicant=mine,
                user=application.applicant if mine else None,
                joined_at=now if mine else None,
                bank_name=application.bank_name if mine else "",
                bank_account_holder=application.bank_account_holder if mine else "",
                bank_account_number=application.bank_account_number if mine else "",
            )
        )
    for row in rows:
        row.save()
    casework.case_note(
        application,
        actor,
        notes.note(
            withdrawal_notes.HEIRS_DECLARED,
            count=len(rows),
            shares=", ".join(r.share for r in rows),
        ),
    )
    return rows


# --- facts for the eligibility decision ----------------------------------------------------


def _proofs(application, stage):
    kinds = application.documents.values_list("kind", "finding")
    if stage == eligibility.APPROVAL:
        return frozenset(k for k, finding in kinds if finding == "passed") & heirs.PROOF_KINDS
    return frozenset(k for k, _finding in kinds) & heirs.PROOF_KINDS


def decision_reasons(application, stage):
    """The heirs rules' reasons at `stage` (submission: the documents attached count;
    approval: those that passed review, and every heir confirmed and identified)."""
    rows = list(application.heirs.all())
    if not rows or stage == eligibility.PRECHECK:
        return ()
    cardholder = Cardholder.objects.get(pk=application.cardholder_id)
    proofs = _proofs(application, stage)
    declared = [Declared(r.national_id, r.name, r.relationship, r.fraction, r.share) for r in rows]
    decision = heirs.evaluate(
        estate_of(declared, cardholder=cardholder, applicant=application.applicant, proofs=proofs)
    )
    reasons = list(decision.reasons)
    if stage == eligibility.APPROVAL:
        reasons.extend(
            heirs.approval_reasons(
                [
                    heirs.HeirStanding(
                        id_tail=r.national_id[-4:],
                        joined=r.joined,
                        identity_verified=r.identity_verified_at is not None,
                    )
                    for r in rows
                ],
                proofs,
            )
        )
    return tuple(HeirsReason(r) for r in reasons)


# --- co-heirs join ---------------------------------------------------------------------------


def invitations(user):
    """The claims naming `user` as a co-heir (by their registered ID number)."""
    number = _applicant_number(user)
    if not number:
        return Heir.objects.none()
    return (
        Heir.objects.filter(national_id_digest__in=id_digests(number), is_applicant=False)
        .exclude(application__status__in=[Status.WITHDRAWN, Status.REJECTED])
        .select_related("application", "application__cardholder", "application__applicant")
        .order_by("-application_id")
    )


def invitation_get(user, application_pk):
    heir = invitations(user).filter(application_id=application_pk).first()
    if heir is None:
        from core.errors import NotFound

        raise NotFound()
    return heir


def _joinable(application, heir):
    if application.status not in WORKFLOW.decided_states:
        return True
    # Approved on a certificate naming the payees: the share waits for the account.
    return (
        application.status == Status.APPROVED
        and heir.payouts.filter(
            destination=HeirPayout.Destination.BANK, status=HeirPayout.Status.PENDING
        ).exists()
    )


@transaction.atomic
def heir_join(
    application_pk,
    *,
    actor,
    bank_name,
    bank_account_holder,
    bank_account_number,
    confirm_shares,
    ip_address=None,
):
    """A co-heir named on a claim confirms the shares and gives a payee account in
    their own name. Their registered ID number must be among the declared heirs.
    Joining twice is refused (409); the application row is locked first, as the
    approval locks it, so a join and an approval never cross."""
    from withdrawals.services import _clean_bank, _require_payee_is_applicant

    # Whoever is not named learns nothing, not even what their input lacks.
    invitation_get(actor, application_pk)  # 404 unless the caller is named
    if confirm_shares is not True:
        raise InvalidInput(
            _("Confirm the heirs and their shares to join the claim."),
            code="required",
            field="confirm_shares",
        )
    name, holder, number = _clean_bank(bank_name, bank_account_holder, bank_account_number)
    application = WithdrawalApplication.objects.select_for_update().get(pk=application_pk)
    heir = (
        Heir.objects.select_for_update()
        .filter(
            application=application,
            national_id_digest__in=id_digests(_applicant_number(actor)),
        )
        .get()
    )
    if heir.joined:
        raise AlreadyJoined()
    if not _joinable(application, heir):
        raise IllegalTransition(_("This claim can no longer be joined."))
    _require_payee_is_applicant(actor, holder)
    now = timezone.now()
    Heir.objects.filter(pk=heir.pk).update(
        user=actor,
        joined_at=now,
        bank_name=name,
        bank_account_holder=holder,
        bank_account_number=number,
    )
    WithdrawalApplication.objects.filter(pk=application.pk).update(updated_at=now)
    casework.case_note(
        application,
        actor,
        notes.note(
            withdrawal_notes.HEIR_JOINED, name=heir.name, tail=re.sub(r"\D", "", number)[-4:]
        ),
        ip_address=ip_address,
    )
    heir.refresh_from_db()
    return heir


@transaction.atomic
def heir_verify_identity(application, *, actor, national_id, ip_address=None):
    """Staff record that a joined heir's identity document matches the heir declared
    (by ID number). The applicant's row is verified with the applicant. Again changes
    nothing."""
    from withdrawals import services

    services._require_perm(actor, "review_application")
    locked = WithdrawalApplication.objects.select_for_update().get(pk=application.pk)
    services.require_not_own(locked, actor)
    if locked.status not in WORKFLOW.open_states:
        raise IllegalTransition(_("Only a claim under review can have its applicant verified."))
    number = id_number_in(str(national_id or ""))
    heir = (
        Heir.objects.select_for_update()
        .filter(application=locked, national_id_digest__in=id_digests(number))
        .first()
        if number
        else None
    )
    if heir is None:
        raise InvalidInput(
            _("No heir with this ID number is declared on this claim."),
            code="heir_not_declared",
            field="national_id",
        )
    if heir.is_applicant:
        services.application_verify_applicant(locked, actor=actor, ip_address=ip_address)
    elif not heir.joined:
        raise DomainError(
            _("This heir has not joined the claim yet."),
            code=heirs.HEIR_NOT_JOINED,
            field="national_id",
        )
    if heir.identity_verified_at is None:
        now = timezone.now()
        Heir.objects.filter(pk=heir.pk).update(identity_verified_by=actor, identity_verified_at=now)
        casework.case_note(
            locked,
            actor,
            notes.note(withdrawal_notes.HEIR_VERIFIED, name=heir.name),
            ip_address=ip_address,
        )
    return heir


def applicant_heir_verified(application, actor):
    """The applicant verified without naming an ID: their heir row follows."""
    Heir.objects.filter(
        application=application, is_applicant=True, identity_verified_at__isnull=True
    ).update(identity_verified_by=actor, identity_verified_at=timezone.now())


# --- approval: the balances split by share --------------------------------------------------


def has_heirs(application):
    return Heir.objects.filter(application_id=application.pk).exists()


def _own_medical_account(heir, deceased_id):
    """An insured heir's open personal medical account, or None."""
    holder = (
        Cardholder.objects.with_national_id(heir.national_id)
        .exclude(pk=deceased_id)
        .filter(life_status=Cardholder.LifeStatus.LIVING)
        .first()
    )
    if holder is None:
        return None
    return (
        Account.objects.filter(
            cardholder=holder,
            kind=Account.Kind.PERSONAL,
            scheme=Scheme.MEDICAL,
            status=Account.Status.OPEN,
        )
        .values_list("id", flat=True)
        .first()
    )


def pay_by_share(application, accounts, *, actor):
    """Inside the approval's transaction: one ledger transaction empties and closes
    each claimed personal account, split by `heirs.split`; an insured heir's medical
    share goes into their own medical account, every other share to payouts payable
    for their bank. One HeirPayout row per heir and scheme. Returns (txn, total)."""
    rows = list(Heir.objects.select_for_update().filter(application=application))
    shares = [r.fraction for r in rows]
    payable = ledger.system_account(Account.SystemCode.PAYOUTS_PAYABLE)
    legs, plan = [], []
    for account in accounts:
        # Every claimed account is a leg, an empty one too: the posting closes it.
        legs.append(Leg(account.id, -account.balance))
        if account.balance <= 0:
            continue
        for heir, part in zip(rows, heirs.split(account.balance, shares), strict=True):
            if part <= 0:
                continue
            own = (
                _own_medical_account(heir, application.cardholder_id)
                if account.scheme == Scheme.MEDICAL
                else None
            )
            legs.append(Leg(own or payable.id, part))
            plan.append((heir, account.scheme, part, own is not None))
    total = sum((a.balance for a in accounts), 0)
    txn, _created = ledger.post(
        kind=LedgerTransaction.Kind.PAYOUT,
        idempotency_key=f"payout:{application.pk}",
        legs=legs,
        reference=application.reference,
        description=f"Withdrawal {application.reference} by share: "
        + ", ".join(f"{a.scheme} personal {a.balance}" for a in accounts),
        actor=actor,
        close_accounts=[a.id for a in accounts],
    )
    now = timezone.now()
    HeirPayout.objects.bulk_create(
        [
            HeirPayout(
                heir=heir,
                scheme=scheme,
                amount=part,
                destination=(
                    HeirPayout.Destination.OWN_MEDICAL_ACCOUNT
                    if own
                    else HeirPayout.Destination.BANK
                ),
                status=HeirPayout.Status.PAID if own else HeirPayout.Status.PENDING,
                paid_at=now if own else None,
                transaction=txn,
            )
            for heir, scheme, part, own in plan
        ]
    )
    return txn, total


# --- the pension owed at death (RULES §2, §4) --------------------------------------------------


def _bank_lines_by_share(rows, parts):
    """One bank payout line per heir and part: each (scheme, amount, transaction id)
    split by the heirs' shares (`heirs.split`, the remainder fen to the first share);
    an amount of nothing, or a share of nothing, makes no line."""
    shares = [row.fraction for row in rows]
    HeirPayout.objects.bulk_create(
        HeirPayout(
            heir=heir,
            scheme=scheme,
            amount=part,
            destination=HeirPayout.Destination.BANK,
            transaction_id=transaction_id,
        )
        for scheme, amount, transaction_id in parts
        if amount > 0
        for heir, part in zip(rows, heirs.split(amount, shares), strict=True)
        if part > 0
    )


def pay_pension_arrears(application, *, actor, by_share):
    """Inside the approval's transaction, before the personal balances are split: the
    pension months owed to the deceased and never paid (`pensions.estate_arrears`) move
    to payouts payable, once; with declared heirs each heir's share is its own payout
    line, otherwise the amount goes out with the claim's one payment. Returns the
    amount (0 when nothing is owed)."""
    txn, owed = estate_arrears.pension_estate_arrears_pay(
        application.cardholder, reference=application.reference, actor=actor
    )
    if txn is None:
        return 0
    if by_share:
        _bank_lines_by_share(
            list(Heir.objects.filter(application=application)),
            [(HeirPayout.Scheme.PENSION_ARREARS, owed.total, txn.pk)],
        )
    casework.case_note(
        application,
        actor,
        notes.note(
            withdrawal_notes.PENSION_ARREARS_PAID,
            first=f"{owed.months[0].month:%Y-%m}",
            last=f"{owed.months[-1].month:%Y-%m}",
            months=len(owed.months),
            amount=f"{owed.total:.2f}",
        ),
    )
    return owed.total


def pension_arrears_of(application):
    """The pension owed at death as the claim's pages show it, or None (also when a
    figure it needs is missing: the approval then refuses, naming it)."""
    if application.reason != eligibility.DEATH:
        return None
    try:
        return estate_arrears.estate_pension_of(application.cardholder)
    except DomainError:
        return None


# --- the work-death funeral and one-time subsidies (WIR Art. 39) ---------------------------


def pay_work_death_lump_sums(application, *, actor, by_share):
    """Inside the approval's transaction: the funeral subsidy and the one-time
    work-death subsidy an approved death at work left in payouts payable go out with
    this claim, once (`workinjury.death_services.lump_sums_to_heirs`). Nothing is posted
    again: with declared heirs each heir's share of each subsidy is its own payout line,
    otherwise the amount goes out with the claim's one payment. Returns the amount (0
    when there is none)."""
    sums = death_services.lump_sums_to_heirs(application.cardholder_id, application)
    if sums is None:
        return 0
    if by_share:
        _bank_lines_by_share(
            list(Heir.objects.filter(application=application)),
            [
                (HeirPayout.Scheme.WORK_DEATH_FUNERAL, sums.funeral, sums.funeral_transaction_id),
                (HeirPayout.Scheme.WORK_DEATH_SUBSIDY, sums.subsidy, sums.subsidy_transaction_id),
            ],
        )
    casework.case_note(
        application,
        actor,
        notes.note(
            withdrawal_notes.WORK_DEATH_LUMP_SUMS_PAID,
            funeral=f"{sums.funeral:.2f}",
            subsidy=f"{sums.subsidy:.2f}",
            recognition=sums.recognition,
        ),
    )
    return sums.total


def work_death_lump_sums_of(application):
    """The work-death lump sums as the claim's pages show them, or None (also when
    the claim was decided without them: it pays nothing more)."""
    if application.reason != eligibility.DEATH:
        return None
    sums = death_services.lump_sums_of(application.cardholder_id, application.pk)
    if sums is not None and not sums.paid and application.status in WORKFLOW.decided_states:
        return None
    return sums


# --- survivor benefits (SIL Art. 17) ---------------------------------------------------------


def survivor_parameters(region, on):
    """The figures in force for `region` on `on` (the national row 000000 when the
    region has none); None when there is none at all."""
    for candidate in (region, "000000"):
        row = (
            SurvivorBenefitParameters.objects.filter(region=candidate, effective_from__lte=on)
            .order_by("-effective_from")
            .first()
        )
        if row is not None:
            return row
    return None


def _contribution_years(cardholder, until):
    months = (
        Contribution.objects.filter(cardholder=cardholder, scheme=Scheme.PENSION, month__lte=until)
        .order_by()
        .dates("month", "month")
    )
    counted = retirement.contribution_months(months)
    return counted, retirement.whole_years(counted)


def survivor_award(application):
    """The award (or the code of why there is none) for a claim that asks for it."""
    cardholder = Cardholder.objects.get(pk=application.cardholder_id)
    died = cardholder.date_of_death or timezone.localdate()
    months, years = _contribution_years(cardholder, died)
    row = survivor_parameters(cardholder.region, died)
    if row is None:
        raise DomainError(
            _(
                "The survivor-benefit figures for region %(region)s on %(date)s are not "
                "recorded (last year's monthly per-capita urban disposable income and the "
                "months). Staff must enter them before this claim can be approved."
            )
            % {"region": cardholder.region, "date": died.isoformat()},
            code=SURVIVOR_PARAMETERS_MISSING,
            field="survivor_benefits",
        )
    return survivor_benefits.award(
        contribution_years=years,
        work_related=application.death_work_related,
        pension_insured=months > 0,
        drawing_unemployment_benefit=benefit_selectors.drawing_benefit_on(cardholder.pk, died),
        parameters=survivor_benefits.Parameters(
            monthly_disposable_income=row.monthly_disposable_income,
            funeral_grant_months=row.funeral_grant_months,
            base_months=row.base_months,
            threshold_years=row.threshold_years,
            months_per_further_year=row.months_per_further_year,
            max_months=row.max_months,
            source=row.source,
        ),
    )


SURVIVOR_NONE_MESSAGES = {
    survivor_benefits.NOT_COVERED_UNINSURED: gettext_lazy(
        "the deceased was not insured in the basic pension."
    ),
    survivor_benefits.NOT_COVERED_WORK_RELATED: gettext_lazy(
        "the death followed a work injury; the work-injury fund compensates instead."
    ),
}


def pay_survivor_benefits(application, *, actor):
    """Inside the approval's transaction: the funeral grant and the survivors' pension
    from the basic-pension fund to payouts payable, split between the heirs by share.
    Returns the fields to record on the application."""
    award = survivor_award(application)
    if isinstance(award, str):
        casework.case_note(
            application,
            actor,
            notes.note(
                withdrawal_notes.SURVIVOR_BENEFITS_NONE, reason=str(SURVIVOR_NONE_MESSAGES[award])
            ),
        )
        return {"survivor_benefits_code": award}
    rows = list(Heir.objects.filter(application=application))
    fund = ledger.fund_account_open(award.fund, application.cardholder.region)
    payable = ledger.system_account(Account.SystemCode.PAYOUTS_PAYABLE)
    total = award.funeral_grant + award.survivors_pension
    txn, _created = ledger.post(
        kind=LedgerTransaction.Kind.SURVIVOR_BENEFIT,
        idempotency_key=f"survivor-benefits:{application.pk}",
        legs=[Leg(fund.id, -total), Leg(payable.id, total)],
        reference=application.reference,
        description=f"Survivor benefits {application.reference}: funeral grant "
        f"{award.funeral_grant}, survivors' pension {award.survivors_pension}",
        actor=actor,
    )
    _bank_lines_by_share(
        rows,
        [
            (HeirPayout.Scheme.FUNERAL_GRANT, award.funeral_grant, txn.pk),
            (HeirPayout.Scheme.SURVIVORS_PENSION, award.survivors_pension, txn.pk),
        ],
    )
    casework.case_note(
        application,
        actor,
        notes.note(
            withdrawal_notes.SURVIVOR_BENEFITS_AWARDED
            if award.fund == survivor_benefits.PENSION_FUND
            else withdrawal_notes.SURVIVOR_BENEFITS_FROM_UNEMPLOYMENT,
            grant=f"{award.funeral_grant:.2f}",
            pension=f"{award.survivors_pension:.2f}",
            months=f"{award.survivors_pension_months.normalize():f}",
        ),
    )
    return {
        "funeral_grant": award.funeral_grant,
        "survivors_pension": award.survivors_pension,
        "survivor_benefits_code": "",
    }


def settle_if_done(application, *, actor=None):
    """When every share of an approved claim is paid, the claim is paid."""
    from withdrawals.services import _transition

    open_payouts = HeirPayout.objects.filter(heir__application=application).exclude(
        status=HeirPayout.Status.PAID
    )
    if application.status == Status.APPROVED and not open_payouts.exists():
        _transition(
            application, PAYOUT_CONFIRMED, actor, notes.note(withdrawal_notes.PAID, text="")
        )


# --- the bank's batch, one line per heir's share ---------------------------------------------


def payouts_waiting():
    """Heirs' bank shares of approved claims not yet sent, whose heir gave an account."""
    return (
        HeirPayout.objects.filter(
            destination=HeirPayout.Destination.BANK,
            status=HeirPayout.Status.PENDING,
            heir__application__status=Status.APPROVED,
        )
        .exclude(heir__bank_account_number="")
        .select_related("heir", "heir__application")
        .order_by("pk")
    )


@transaction.atomic
def payouts_mark_sent(ids, *, actor=None):
    """Mark the waiting shares among `ids` sent now, with the heir's bank details as a
    snapshot; returns those marked (a concurrent export marks none twice)."""
    locked = list(
        HeirPayout.objects.select_for_update()
        .filter(pk__in=ids, status=HeirPayout.Status.PENDING)
        .select_related("heir", "heir__application")
        .order_by("pk")
    )
    now = timezone.now()
    for payout in locked:
        payout.status, payout.sent_at = HeirPayout.Status.SENT, now
        payout.bank_name = payout.heir.bank_name
        payout.bank_account_holder = payout.heir.bank_account_holder
        payout.bank_account_number = payout.heir.bank_account_number
    HeirPayout.objects.bulk_update(
        locked, ["status", "sent_at", "bank_name", "bank_account_holder", "bank_account_number"]
    )
    return locked


def payout_by_reference(reference):
    """`WD-2026-000012/34` → the heir's payout 34 of that claim, or None."""
    claim, slash, pk = str(reference).rpartition("/")
    if not slash or not pk.isdigit():
        return None
    return (
        HeirPayout.objects.filter(pk=int(pk), heir__application__reference=claim)
        .select_related("heir", "heir__application")
        .first()
    )


def _lock_payout(payout):
    application = WithdrawalApplication.objects.select_for_update().get(
        pk=payout.heir.application_id
    )
    return application, HeirPayout.objects.select_for_update().select_related("heir").get(
        pk=payout.pk
    )


@transaction.atomic
def heir_payout_mark_paid(payout, *, actor=None, note=""):
    """The bank confirms one heir's share: payable → paid out, exactly once; when every
    share is paid, the claim is paid."""
    from withdrawals.exceptions import AlreadyDecided

    application, locked = _lock_payout(payout)
    if locked.status == HeirPayout.Status.PAID:
        raise AlreadyDecided(_("The payment was already confirmed."))
    if locked.status != HeirPayout.Status.SENT:
        raise DomainError(_("The payment was never sent to the bank."), code="not_sent")
    payable = ledger.system_account(Account.SystemCode.PAYOUTS_PAYABLE)
    paid_out = ledger.system_account(Account.SystemCode.PAID_OUT)
    ledger.post(
        kind=LedgerTransaction.Kind.PAYOUT_CONFIRMED,
        idempotency_key=f"payout-confirmed:heir-payout:{locked.pk}",
        legs=[Leg(payable.id, -locked.amount), Leg(paid_out.id, locked.amount)],
        reference=f"{application.reference}/{locked.pk}",
        description=f"Bank confirmed payout {application.reference}/{locked.pk}",
        actor=actor,
    )
    HeirPayout.objects.filter(pk=locked.pk).update(
        status=HeirPayout.Status.PAID, paid_at=timezone.now(), note=str(note or "")[:255]
    )
    casework.case_note(
        application,
        actor,
        notes.note(
            withdrawal_notes.HEIR_PAYOUT_PAID,
            name=locked.heir.name,
            amount=f"{locked.amount:.2f}",
            scheme=locked.scheme,
        ),
    )
    settle_if_done(application, actor=actor)
    return locked


@transaction.atomic
def heir_payout_mark_failed(payout, *, actor=None, note=""):
    """The bank reports one heir's share failed: nothing moves; the share stays payable,
    the claim shows the failed payment until the heir's account is corrected."""
    application, locked = _lock_payout(payout)
    if locked.status != HeirPayout.Status.SENT:
        raise DomainError(_("The payment was never sent to the bank."), code="not_sent")
    HeirPayout.objects.filter(pk=locked.pk).update(
        status=HeirPayout.Status.FAILED, note=str(note or "")[:255]
    )
    casework.case_note(
        application,
        actor,
        notes.note(
            withdrawal_notes.HEIR_PAYOUT_FAILED, name=locked.heir.name, scheme=locked.scheme
        ),
    )
    if application.allows(PAYOUT_FAILED):
        from withdrawals.services import _transition

        _transition(
            application, PAYOUT_FAILED, actor, notes.note(withdrawal_notes.PAYOUT_FAILED, text="")
        )
    return locked


def require_staff(actor, perm):
    if actor is None or not actor.has_perm(WORKFLOW.perm(perm)):
        raise Forbidden()


def survivor_fund(application):
    """The scheme whose fund pays the survivor benefits: the unemployment fund when the
    deceased was drawing unemployment benefit (SIL Art. 49), otherwise the pension fund."""
    cardholder = application.cardholder
    if cardholder.date_of_death and benefit_selectors.drawing_benefit_on(
        cardholder.pk, cardholder.date_of_death
    ):
        return survivor_benefits.UNEMPLOYMENT_FUND
    return survivor_benefits.PENSION_FUND


def survivor_status(application):
    """The survivor benefits as the claim shows them."""
    if not application.claims_survivor_benefits:
        return "not_claimed"
    if application.survivor_benefits_code:
        return "not_covered"
    if application.funeral_grant is None:
        return "pending"
    return "awarded"


def heir_rows(application):
    return list(
        Heir.objects.filter(application=application)
        .prefetch_related("payouts")
        .order_by("position", "id")
    )


# --- the browser's heirs step: declare (or change) the heirs of a draft ------------------------

# Which rows and fields of the declaration a refusal is about (the rest belong to the
# whole declaration).
SHARE_CODES = frozenset(
    {heirs.SHARE_NOT_POSITIVE, heirs.SHARES_NOT_WHOLE, heirs.UNEQUAL_SHARES_UNPROVEN}
)


def reason_places(reason, declared, *, cardholder):
    """[(row index, field)] a refusal of the rules points at, so a form can show it
    beside the rows concerned; [] when it is about the declaration as a whole."""
    code = reason.code
    if code == heirs.HEIR_DECLARED_TWICE:
        tail = dict(reason.params).get("id_tail", "")
        seen, places = set(), []
        for index, d in enumerate(declared):
            digest = id_digest(d.national_id)
            if digest in seen and d.national_id[-4:] == tail:
                places.append((index, "national_id"))
            seen.add(digest)
        return places
    if code == heirs.HEIR_IS_DECEASED:
        deceased = id_digest(cardholder.national_id)
        return [
            (index, "national_id")
            for index, d in enumerate(declared)
            if id_digest(d.national_id) == deceased
        ]
    if code == heirs.SECOND_ORDER_BESIDE_FIRST:
        return [
            (index, "relationship")
            for index, d in enumerate(declared)
            if d.relationship in heirs.SECOND_ORDER
        ]
    if code == heirs.REPRESENTATION_UNPROVEN:
        return [
            (index, "relationship")
            for index, d in enumerate(declared)
            if d.relationship == heirs.GRANDCHILD
        ]
    if code == heirs.WILL_HEIR_WITHOUT_WILL:
        return [
            (index, "relationship")
            for index, d in enumerate(declared)
            if d.relationship == heirs.TESTAMENTARY
        ]
    if code == heirs.SHARE_NOT_POSITIVE:
        return [(index, "share") for index, d in enumerate(declared) if d.share <= 0]
    return []


def _declaration(rows):
    return [(r.national_id_digest, r.relationship, r.share) for r in rows]


@transaction.atomic
def heirs_declare(application, rows, *, actor, proofs=(), claims_survivor_benefits=False):
    """The lead heir names every heir (themselves among them) with their shares, and
    the documents that will prove them, on their draft death claim. Refused field by
    field (InvalidInput naming `heirs[i].field`), then by the rules of inheritance
    (HeirsRefused, every reason). Declaring again replaces the heirs; when a share or
    an heir changed, co-heirs who had confirmed the old shares confirm again."""
    from withdrawals import services

    services._require_applicant(application, actor)
    locked = services._lock(application)
    if locked.reason != eligibility.DEATH:
        raise InvalidInput(
            _("Heirs and survivor benefits belong to a claim after a death."),
            code="not_a_death",
            field="heirs",
        )
    if not locked.is_editable:
        raise IllegalTransition(_("This application can no longer be changed."))
    declared = parse_heirs(rows)
    proof_kinds = parse_proofs(list(proofs))
    cardholder = Cardholder.objects.get(pk=locked.cardholder_id)
    refuse_second_estate_claim(cardholder, locked.applicant, declares_heirs=True)
    check_estate(declared, cardholder=cardholder, applicant=locked.applicant, proofs=proof_kinds)
    before = list(Heir.objects.select_for_update().filter(application=locked).order_by("position"))
    joined = {r.national_id_digest: r for r in before if r.joined and not r.is_applicant}
    Heir.objects.filter(application=locked).delete()
    written = heirs_record(locked, declared, actor=actor)
    unchanged = _declaration(before) == _declaration(written)
    if unchanged:
        # The same heirs and shares: co-heirs' confirmations stand.
        for row in written:
            old = joined.get(row.national_id_digest)
            if old is not None:
                Heir.objects.filter(pk=row.pk).update(
                    user=old.user,
                    joined_at=old.joined_at,
                    bank_name=old.bank_name,
                    bank_account_holder=old.bank_account_holder,
                    bank_account_number=old.bank_account_number,
                    identity_verified_by=old.identity_verified_by,
                    identity_verified_at=old.identity_verified_at,
                )
    elif joined:
        casework.case_note(locked, actor, notes.note(withdrawal_notes.HEIRS_REDECLARED))
    WithdrawalApplication.objects.filter(pk=locked.pk).update(
        heir_proofs=sorted(proof_kinds),
        claims_survivor_benefits=bool(claims_survivor_benefits),
        updated_at=timezone.now(),
    )
    application.heir_proofs = sorted(proof_kinds)
    application.claims_survivor_benefits = bool(claims_survivor_benefits)
    return written


# --- a failed share, re-sent to the account the heir corrects ----------------------------------


@transaction.atomic
def heir_payouts_resend(
    application_pk, *, actor, bank_name, bank_account_holder, bank_account_number
):
    """The heir whose share(s) the bank could not pay gives a corrected account in
    their own name: their failed payouts wait for the next batch again (nothing moves
    in the ledger: the money stayed payable). When no share of the claim is failed any
    more, the claim is approved again, so the batch takes it. Each share is still paid
    once: the bank's confirmation posts under the payout's own key."""
    from withdrawals.services import _clean_bank, _require_payee_is_applicant, _transition

    application = (
        WithdrawalApplication.objects.select_for_update().filter(pk=application_pk).first()
    )
    heir = (
        Heir.objects.select_for_update().filter(application=application, user=actor).first()
        if application is not None and actor is not None
        else None
    )
    if heir is None:
        from core.errors import NotFound

        raise NotFound()
    failed = list(
        HeirPayout.objects.select_for_update().filter(heir=heir, status=HeirPayout.Status.FAILED)
    )
    if not failed:
        raise IllegalTransition(_("None of your payments failed: there is nothing to send again."))
    name, holder, number = _clean_bank(bank_name, bank_account_holder, bank_account_number)
    _require_payee_is_applicant(actor, holder)
    Heir.objects.filter(pk=heir.pk).update(
        bank_name=name, bank_account_holder=holder, bank_account_number=number
    )
    if heir.is_applicant:
        WithdrawalApplication.objects.filter(pk=application.pk).update(
            bank_name=name, bank_account_holder=holder, bank_account_number=number
        )
    HeirPayout.objects.filter(pk__in=[p.pk for p in failed]).update(
        status=HeirPayout.Status.PENDING, sent_at=None
    )
    casework.case_note(
        application,
        actor,
        notes.note(
            withdrawal_notes.HEIR_PAYOUT_RESENT,
            name=heir.name,
            tail=re.sub(r"\D", "", number)[-4:],
        ),
    )
    still_failed = HeirPayout.objects.filter(
        heir__application=application, status=HeirPayout.Status.FAILED
    ).exists()
    if not still_failed and application.allows(PAYOUT_REQUEUED):
        _transition(
            application,
            PAYOUT_REQUEUED,
            actor,
            notes.note(
                withdrawal_notes.BANK_BY_APPLICANT, bank=name, tail=re.sub(r"\D", "", number)[-4:]
            ),
        )
    return failed


def failed_payouts_of(user, application):
    """The failed payouts of `user` as an heir of `application`."""
    return HeirPayout.objects.filter(
        heir__application=application, heir__user=user, status=HeirPayout.Status.FAILED
    )
