"""Insured people, employers, money accounts and the double-entry ledger."""

from decimal import Decimal

from django.conf import settings
from django.contrib.auth.models import AbstractUser
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from encrypted_fields.fields import EncryptedCharField
from rest_framework_api_key.models import AbstractAPIKey

from accounts.names import display_name, names_match
from accounts.pii import NationalIdDigestField, id_digests
from accounts.validators import (
    mask_card_number,
    mask_national_id,
    parse_national_id,
    validate_credit_code,
    validate_national_id,
)

MONEY = {"max_digits": 14, "decimal_places": 2}
ZERO = Decimal("0.00")


class User(AbstractUser):
    """A login. Cardholders and heirs sign in with their national ID number, stored
    as its keyed digest in `username` (see accounts.pii) and encrypted in
    `national_id`; staff with an ordinary username. The insured person is `Cardholder`."""

    # Null, not "", for staff: the encrypted field stores an empty value as NULL.
    national_id = EncryptedCharField(_("national ID number"), max_length=18, blank=True, null=True)
    # Raised to end every session and API token of the user at once (a change of staff
    # status or roles: accounts.services.user_end_logins).
    auth_epoch = models.PositiveIntegerField(default=0, editable=False)
    # Where notices go besides the e-mail, and in which language; with none chosen they
    # speak both languages of the site.
    mobile = models.CharField(_("mobile number"), max_length=11, blank=True)
    preferred_language = models.CharField(
        _("preferred language"), max_length=10, choices=settings.LANGUAGES, blank=True
    )

    def __str__(self):
        return self.masked_login

    def role_fingerprint(self):
        """What a login's powers rest on: staff and superuser flags, the staff's groups
        and the auth epoch. Sessions and staff tokens carry it, so any change (by the
        service, the admin or a shell) ends them. Groups cost a query, and only staff
        have them to lose."""
        groups = ""
        if self.pk and (self.is_staff or self.is_superuser):
            ids = getattr(self, "_role_group_ids", None)
            if ids is None:
                ids = self._role_group_ids = sorted(self.groups.values_list("pk", flat=True))
            groups = ",".join(map(str, ids))
        return f"{self.auth_epoch}|{int(self.is_staff)}|{int(self.is_superuser)}|{groups}"

    def _get_session_auth_hash(self, secret=None):
        if not (self.is_staff or self.is_superuser or self.auth_epoch):
            return super()._get_session_auth_hash(secret=secret)  # cardholders' as before
        from django.utils.crypto import salted_hmac

        return salted_hmac(
            "accounts.User.session_auth_hash",
            f"{self.password}|{self.role_fingerprint()}",
            secret=secret,
            algorithm="sha256",
        ).hexdigest()

    @property
    def masked_login(self):
        """The login as anyone else sees it: an ID number masked, a staff username as is."""
        return mask_national_id(self.national_id) if self.national_id else self.username

    class Meta:
        verbose_name = _("user")
        verbose_name_plural = _("users")
        permissions = [
            ("view_full_national_id", _("Can see full national ID numbers")),
        ]


class Scheme(models.TextChoices):
    PENSION = "pension", _("Pension")
    MEDICAL = "medical", _("Medical")
    UNEMPLOYMENT = "unemployment", _("Unemployment")
    WORK_INJURY = "work_injury", _("Work injury")
    MATERNITY = "maternity", _("Maternity")


# Only pension and medical insurance keep a personal (individual) account.
PERSONAL_SCHEMES = (Scheme.PENSION, Scheme.MEDICAL)


class CardholderQuerySet(models.QuerySet):
    def with_national_id(self, number):
        """Cardholders with this (normalised) ID number: a look-up by keyed digest,
        because the number itself is stored encrypted."""
        return self.filter(national_id_digest__in=id_digests(number))


class Cardholder(models.Model):
    """An insured person and their social security card."""

    class Gender(models.TextChoices):
        MALE = "M", _("Male")
        FEMALE = "F", _("Female")

    class CardStatus(models.TextChoices):
        ACTIVE = "active", _("Active")
        REPORTED_LOST = "reported_lost", _("Reported lost")
        FROZEN = "frozen", _("Frozen")
        CANCELLED = "cancelled", _("Cancelled")

    class EmploymentStatus(models.TextChoices):
        EMPLOYED = "employed", _("Employed")
        UNEMPLOYED = "unemployed", _("Unemployed")
        RETIRED = "retired", _("Retired")
        FLEXIBLE = "flexible", _("Flexibly employed")

    class LifeStatus(models.TextChoices):
        LIVING = "living", _("Living")
        DECEASED = "deceased", _("Deceased")
        EMIGRATED = "emigrated", _("Emigrated and settled abroad")

    user = models.OneToOneField(
        User, null=True, blank=True, on_delete=models.SET_NULL, related_name="cardholder"
    )
    name = models.CharField(
        _("name"), max_length=100, help_text=_("As on the ID card, in Chinese characters.")
    )
    romanised_name = models.CharField(
        _("romanised name"),
        max_length=100,
        blank=True,
        help_text=_("The name in Latin letters (for example Hanyu Pinyin), shown in English."),
    )
    national_id = EncryptedCharField(
        _("national ID number"), max_length=18, validators=[validate_national_id]
    )
    national_id_digest = NationalIdDigestField(unique=True)
    gender = models.CharField(_("gender"), max_length=1, choices=Gender.choices)
    date_of_birth = models.DateField(_("date of birth"))
    ethnicity = models.CharField(_("ethnicity"), max_length=40, blank=True)
    domicile = models.CharField(_("household registration"), max_length=200, blank=True)
    phone = models.CharField(_("phone"), max_length=30, blank=True)
    region = models.CharField(
        _("pooling region"),
        max_length=6,
        default="000000",
        help_text=_("Administrative division code of the pooling region; 000000 is national."),
    )
    card_number = models.CharField(_("card number"), max_length=20, unique=True)
    card_status = models.CharField(
        _("card status"), max_length=20, choices=CardStatus.choices, default=CardStatus.ACTIVE
    )
    card_financial_activated = models.BooleanField(_("financial function activated"), default=False)
    employment_status = models.CharField(
        _("employment status"),
        max_length=20,
        choices=EmploymentStatus.choices,
        default=EmploymentStatus.EMPLOYED,
    )
    life_status = models.CharField(
        _("life status"), max_length=20, choices=LifeStatus.choices, default=LifeStatus.LIVING
    )
    date_of_death = models.DateField(_("date of death"), null=True, blank=True)
    death_certificate_number = models.CharField(
        _("death certificate number"), max_length=60, blank=True
    )
    emigrated_on = models.DateField(_("date of emigration"), null=True, blank=True)
    emigration_country = models.CharField(_("country of settlement"), max_length=80, blank=True)
    emigration_certificate_number = models.CharField(
        _("exit / settlement certificate number"), max_length=60, blank=True
    )
    nationality_given_up = models.BooleanField(_("PRC nationality given up"), default=False)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = CardholderQuerySet.as_manager()

    class Meta:
        verbose_name = _("cardholder")
        verbose_name_plural = _("cardholders")
        ordering = ["id"]
        constraints = [
            models.CheckConstraint(
                condition=~Q(life_status="deceased") | Q(date_of_death__isnull=False),
                name="deceased_has_date_of_death",
            ),
        ]

    def __str__(self):
        return f"{self.name} ({self.masked_national_id})"

    def display_name(self, language=None):
        """The name for a reader: romanised on English pages when there is one,
        else as on the ID card."""
        return display_name(self.name, self.romanised_name, language)

    def matches_name(self, typed):
        """Is ``typed`` this person's registered or romanised name (see accounts.names)?"""
        return names_match(typed, self.name, self.romanised_name)

    @property
    def masked_national_id(self):
        return mask_national_id(self.national_id)

    @property
    def masked_card_number(self):
        return mask_card_number(self.card_number)

    def clean(self):
        super().clean()
        if not self.national_id:
            return
        try:
            parsed = parse_national_id(self.national_id)
        except ValidationError as exc:
            raise ValidationError({"national_id": exc.messages}) from None
        self.national_id = parsed.number
        errors = {}
        # The digest is the unique column; forms never show it, so say it here.
        if Cardholder.objects.with_national_id(parsed.number).exclude(pk=self.pk).exists():
            errors["national_id"] = _("A cardholder with this ID number already exists.")
        if self.date_of_birth and self.date_of_birth != parsed.birth_date:
            errors["date_of_birth"] = _("The date of birth does not match the ID number.")
        if self.gender and self.gender != parsed.gender:
            errors["gender"] = _("The gender does not match the ID number.")
        if errors:
            raise ValidationError(errors)


class Employer(models.Model):
    name = models.CharField(_("name"), max_length=200)
    credit_code = models.CharField(
        _("unified social credit code"),
        max_length=18,
        unique=True,
        validators=[validate_credit_code],
    )
    region = models.CharField(_("region"), max_length=6, default="000000")

    class Meta:
        verbose_name = _("employer")
        verbose_name_plural = _("employers")
        ordering = ["name"]

    def __str__(self):
        return f"{self.name} ({self.credit_code})"


class Institution(models.Model):
    """A hospital or pharmacy that settles purchases against personal medical accounts."""

    class Kind(models.TextChoices):
        HOSPITAL = "hospital", _("Hospital")
        PHARMACY = "pharmacy", _("Pharmacy")

    name = models.CharField(_("name"), max_length=200)
    code = models.CharField(_("code"), max_length=40, unique=True)
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices)
    is_active = models.BooleanField(_("active"), default=True)

    class Meta:
        verbose_name = _("medical institution")
        verbose_name_plural = _("medical institutions")
        ordering = ["name"]

    def __str__(self):
        return self.name


FUND_PREFIX = "fund_"


def fund_code(scheme, region):
    """The system code of a scheme's fund in a pooling region: `fund_<scheme>_<region>`
    (one system account per scheme and region; no fixed choice names them)."""
    return f"{FUND_PREFIX}{scheme}_{region}"


def fund_of(code):
    """(scheme, region) of a fund's system code, or None for any other code."""
    if not code.startswith(FUND_PREFIX):
        return None
    scheme, _sep, region = code.removeprefix(FUND_PREFIX).rpartition("_")
    return scheme, region


class Account(models.Model):
    """Money in one place. Its balance is the sum of its ledger entries, kept
    materialised and changed only by the ledger service under a row lock."""

    class Kind(models.TextChoices):
        PERSONAL = "personal", _("Personal account")
        POOLED = "pooled", _("Pooled account")
        SYSTEM = "system", _("System account")

    class Status(models.TextChoices):
        OPEN = "open", _("Open")
        FROZEN = "frozen", _("Frozen")
        CLOSED = "closed", _("Closed")

    class SystemCode(models.TextChoices):
        CONTRIBUTIONS_RECEIVED = "contributions_received", _("Contributions received")
        SETTLEMENTS_PAYABLE = "settlements_payable", _("Medical settlements payable")
        PAYOUTS_PAYABLE = "payouts_payable", _("Payouts payable")
        PAID_OUT = "paid_out", _("Paid out to banks")
        INTEREST_CREDITED = "interest_credited", _("Interest credited to personal accounts")
        BENEFITS_PAYABLE = "benefits_payable", _("Benefits payable")

    cardholder = models.ForeignKey(
        Cardholder, null=True, blank=True, on_delete=models.PROTECT, related_name="accounts"
    )
    scheme = models.CharField(_("scheme"), max_length=20, choices=Scheme.choices, blank=True)
    kind = models.CharField(_("kind"), max_length=10, choices=Kind.choices)
    system_code = models.CharField(
        _("system account"), max_length=30, choices=SystemCode.choices, blank=True
    )
    balance = models.DecimalField(_("balance"), default=ZERO, **MONEY)
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default="open")
    opened_at = models.DateTimeField(default=timezone.now)
    closed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("account")
        verbose_name_plural = _("accounts")
        ordering = ["id"]
        constraints = [
            models.UniqueConstraint(
                fields=["cardholder", "scheme", "kind"],
                condition=Q(cardholder__isnull=False),
                name="one_account_per_cardholder_scheme_kind",
            ),
            models.UniqueConstraint(
                fields=["system_code"],
                condition=Q(kind="system"),
                name="one_system_account_per_code",
            ),
            models.CheckConstraint(
                condition=Q(kind="system") | Q(balance__gte=0),
                name="holder_accounts_never_negative",
            ),
            models.CheckConstraint(
                condition=~Q(kind="personal") | Q(scheme__in=["pension", "medical"]),
                name="personal_accounts_only_pension_medical",
            ),
            models.CheckConstraint(
                condition=(Q(kind="system") & Q(cardholder__isnull=True) & ~Q(system_code=""))
                | (~Q(kind="system") & Q(cardholder__isnull=False) & ~Q(scheme="")),
                name="system_or_holder_account",
            ),
        ]

    def __str__(self):
        if self.kind == self.Kind.SYSTEM:
            fund = fund_of(self.system_code)
            if fund is not None:
                return _("%(scheme)s fund, region %(region)s") % {
                    "scheme": dict(Scheme.choices).get(fund[0], fund[0]),
                    "region": fund[1],
                }
            return self.get_system_code_display()
        return f"{self.get_scheme_display()} · {self.get_kind_display()}"

    @property
    def is_personal(self):
        return self.kind == self.Kind.PERSONAL


class AppendOnlyQuerySet(models.QuerySet):
    """Ledger rows are never changed or removed; a mistake gets a reversing transaction."""

    def update(self, **kwargs):
        raise TypeError(f"{self.model.__name__} rows are append-only")

    def delete(self):
        raise TypeError(f"{self.model.__name__} rows are append-only")


class AppendOnlyModel(models.Model):
    objects = AppendOnlyQuerySet.as_manager()

    class Meta:
        abstract = True

    def save(self, *args, **kwargs):
        if not self._state.adding:
            raise TypeError(f"{type(self).__name__} rows are append-only")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise TypeError(f"{type(self).__name__} rows are append-only")


class LedgerTransaction(AppendOnlyModel):
    """One movement of money: two or more entries summing to zero. Append-only."""

    class Kind(models.TextChoices):
        CONTRIBUTION = "contribution", _("Contribution")
        SETTLEMENT = "settlement", _("Medical settlement")
        PAYOUT = "payout", _("Withdrawal payout")
        PAYOUT_CONFIRMED = "payout_confirmed", _("Payout confirmed by the bank")
        CORRECTION = "correction", _("Correction")
        INTEREST = "interest", _("Interest")
        PENSION = "pension", _("Pension payment")
        PENSION_RECOVERY = "pension_recovery", _("Recovery of overpaid pension")
        PENSION_ARREARS = "pension_arrears", _("Arrears of a pension increase")
        RETIREE_MEDICAL = "retiree_medical", _("Retiree's medical account credit from the pool")
        BENEFIT = "benefit", _("Benefit payment")
        BENEFIT_MEDICAL = "benefit_medical", _("Medical contribution paid by a fund")
        POOLED_TO_FUND = "pooled_to_fund", _("Pooled record returned to the fund")
        SURVIVOR_BENEFIT = "survivor_benefit", _("Survivor benefits")
        ESTATE_TO_FUND = "estate_to_fund", _("Estate without heirs to the fund")

    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices)
    # Unique and indexed through Meta, not field options: on PostgreSQL those would add
    # a second, LIKE-pattern index per column that every posting has to maintain.
    idempotency_key = models.CharField(_("idempotency key"), max_length=200)
    reference = models.CharField(_("reference"), max_length=100, blank=True)
    description = models.CharField(_("description"), max_length=255, blank=True)
    posted_at = models.DateTimeField(_("posted at"), default=timezone.now, db_index=True)
    created_by = models.ForeignKey(
        User, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    reverses = models.OneToOneField(
        "self", null=True, blank=True, on_delete=models.PROTECT, related_name="reversed_by"
    )

    class Meta:
        verbose_name = _("ledger transaction")
        verbose_name_plural = _("ledger transactions")
        ordering = ["-id"]
        constraints = [
            models.UniqueConstraint(fields=["idempotency_key"], name="ledger_idempotency_key"),
        ]
        indexes = [
            models.Index(fields=["reference"], name="ledger_reference"),
            # Almost every transaction is a contribution or a settlement, so filtering by
            # any other kind otherwise walks the whole table; this index holds only the few.
            models.Index(
                fields=["kind", "id"],
                name="ledger_rare_kind",
                condition=~Q(kind__in=["contribution", "settlement"]),
            ),
        ]

    def __str__(self):
        return f"{self.get_kind_display()} #{self.pk}"


class LedgerEntry(AppendOnlyModel):
    """One leg of a transaction on one account. Append-only: PostgreSQL refuses
    UPDATE and DELETE on this table (see the ledger migration's trigger)."""

    transaction = models.ForeignKey(
        LedgerTransaction, on_delete=models.PROTECT, related_name="entries"
    )
    # No index of its own: the (account, -id) keyset index serves every lookup by account.
    account = models.ForeignKey(
        Account, on_delete=models.PROTECT, related_name="entries", db_index=False
    )
    amount = models.DecimalField(_("amount"), **MONEY)
    balance_after = models.DecimalField(_("balance after"), **MONEY)
    # Copied from the transaction so history pages filter without a join.
    kind = models.CharField(_("kind"), max_length=20, choices=LedgerTransaction.Kind.choices)
    posted_at = models.DateTimeField(_("posted at"))

    class Meta:
        verbose_name = _("ledger entry")
        verbose_name_plural = _("ledger entries")
        ordering = ["-id"]
        indexes = [
            models.Index(fields=["account", "-id"], name="entry_account_keyset"),
            models.Index(fields=["account", "kind", "-id"], name="entry_account_kind_keyset"),
            models.Index(fields=["account", "posted_at"], name="entry_account_posted"),
        ]
        constraints = [
            models.CheckConstraint(condition=~Q(amount=0), name="entry_amount_not_zero"),
        ]

    def __str__(self):
        return f"{self.account}: {self.amount}"


class ContributionRate(models.Model):
    """A contribution rate in force: data, because rates differ by region, scheme, year."""

    class Payer(models.TextChoices):
        EMPLOYER = "employer", _("Employer")
        EMPLOYEE = "employee", _("Employee")
        FLEXIBLE = "flexible", _("Flexibly employed person")

    class Destination(models.TextChoices):
        POOLED = "pooled", _("Pooled account")
        PERSONAL = "personal", _("Personal account")

    region = models.CharField(
        _("region"), max_length=6, default="000000", help_text=_("000000: national default")
    )
    scheme = models.CharField(_("scheme"), max_length=20, choices=Scheme.choices)
    payer = models.CharField(_("payer"), max_length=10, choices=Payer.choices)
    destination = models.CharField(_("destination"), max_length=10, choices=Destination.choices)
    rate = models.DecimalField(_("rate"), max_digits=6, decimal_places=4)
    wage_base_floor = models.DecimalField(_("wage base floor"), **MONEY)
    wage_base_ceiling = models.DecimalField(_("wage base ceiling"), **MONEY)
    effective_from = models.DateField(_("effective from"))
    effective_to = models.DateField(_("effective to"), null=True, blank=True)
    source = models.CharField(_("source"), max_length=255, blank=True)

    class Meta:
        verbose_name = _("contribution rate")
        verbose_name_plural = _("contribution rates")
        ordering = ["region", "scheme", "payer", "destination", "-effective_from"]
        constraints = [
            models.UniqueConstraint(
                fields=["region", "scheme", "payer", "destination", "effective_from"],
                name="one_rate_per_start",
            ),
            models.CheckConstraint(condition=Q(rate__gte=0, rate__lt=1), name="rate_is_fraction"),
            models.CheckConstraint(
                condition=Q(wage_base_ceiling__gte=models.F("wage_base_floor")),
                name="wage_base_bounds_ordered",
            ),
            models.CheckConstraint(
                condition=~Q(destination="personal") | Q(scheme__in=["pension", "medical"]),
                name="personal_rates_only_pension_medical",
            ),
        ]

    def __str__(self):
        return f"{self.region} {self.scheme} {self.payer}→{self.destination} {self.rate}"


class RetiredContributionRule(models.Model):
    """Whether a retired person of a region may keep contributing as flexibly employed:
    data, because regions differ. Without a row of its own a region follows the national
    row (000000); without that, a pension in payment ends contributions (SIL Art. 16)."""

    region = models.CharField(
        _("region"), max_length=6, unique=True, help_text=_("000000: national default")
    )
    may_continue_flexible = models.BooleanField(
        _("the retired may continue as flexibly employed"), default=False
    )
    source = models.CharField(_("source"), max_length=255)

    class Meta:
        verbose_name = _("contribution rule for the retired")
        verbose_name_plural = _("contribution rules for the retired")
        ordering = ["region"]

    def __str__(self):
        return f"{self.region} {self.may_continue_flexible}"


class InterestRate(models.Model):
    """The yearly interest rate credited to personal accounts of one scheme in one
    region (SIL Art. 14): data, with the source it was taken from. The national rows
    (region 000000) are the default for a region without its own."""

    region = models.CharField(
        _("region"), max_length=6, default="000000", help_text=_("000000: national default")
    )
    scheme = models.CharField(
        _("scheme"),
        max_length=20,
        choices=[(scheme.value, scheme.label) for scheme in PERSONAL_SCHEMES],
    )
    year = models.PositiveSmallIntegerField(_("year"))
    rate = models.DecimalField(_("rate"), max_digits=6, decimal_places=4)
    source = models.CharField(_("source"), max_length=255)

    class Meta:
        verbose_name = _("interest rate")
        verbose_name_plural = _("interest rates")
        ordering = ["region", "scheme", "-year"]
        constraints = [
            models.UniqueConstraint(
                fields=["region", "scheme", "year"], name="one_interest_rate_per_year"
            ),
            models.CheckConstraint(
                condition=Q(rate__gte=0, rate__lt=1), name="interest_rate_is_fraction"
            ),
            models.CheckConstraint(
                condition=Q(scheme__in=["pension", "medical"]),
                name="interest_rates_only_pension_medical",
            ),
        ]

    def __str__(self):
        return f"{self.region} {self.scheme} {self.year} {self.rate}"


class Contribution(models.Model):
    """One payer's monthly contribution for one scheme, and the money it moved."""

    # Indexed by the (cardholder, scheme, month) index below, not on its own.
    cardholder = models.ForeignKey(
        Cardholder, on_delete=models.PROTECT, related_name="contributions", db_index=False
    )
    employer = models.ForeignKey(
        Employer, null=True, blank=True, on_delete=models.PROTECT, related_name="contributions"
    )
    scheme = models.CharField(_("scheme"), max_length=20, choices=Scheme.choices)
    month = models.DateField(_("month"), help_text=_("The first day of the month paid for."))
    payer = models.CharField(_("payer"), max_length=10, choices=ContributionRate.Payer.choices)
    wage_base_declared = models.DecimalField(_("declared wage"), **MONEY)
    wage_base = models.DecimalField(_("wage base"), **MONEY)
    to_pooled = models.DecimalField(_("to the pooled account"), default=ZERO, **MONEY)
    to_personal = models.DecimalField(_("to the personal account"), default=ZERO, **MONEY)
    transaction = models.OneToOneField(
        LedgerTransaction, on_delete=models.PROTECT, related_name="contribution"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("contribution")
        verbose_name_plural = _("contributions")
        ordering = ["-month", "scheme", "payer"]
        constraints = [
            models.UniqueConstraint(
                fields=["cardholder", "scheme", "month", "payer"],
                name="one_contribution_per_payer_month",
            ),
        ]
        indexes = [models.Index(fields=["cardholder", "scheme", "month"])]

    def __str__(self):
        return f"{self.cardholder_id} {self.scheme} {self.month:%Y-%m} {self.payer}"

    @property
    def total(self):
        return self.to_pooled + self.to_personal


class Settlement(models.Model):
    """A hospital or pharmacy purchase paid from a personal medical account."""

    institution = models.ForeignKey(
        Institution, on_delete=models.PROTECT, related_name="settlements"
    )
    cardholder = models.ForeignKey(Cardholder, on_delete=models.PROTECT, related_name="settlements")
    amount = models.DecimalField(_("amount"), **MONEY)
    description = models.CharField(_("description"), max_length=255, blank=True)
    idempotency_key = models.CharField(_("idempotency key"), max_length=200)
    request_fingerprint = models.CharField(max_length=64)
    transaction = models.OneToOneField(
        LedgerTransaction, on_delete=models.PROTECT, related_name="settlement"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("settlement")
        verbose_name_plural = _("settlements")
        ordering = ["-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["institution", "idempotency_key"], name="one_settlement_per_key"
            ),
            models.CheckConstraint(condition=Q(amount__gt=0), name="settlement_amount_positive"),
        ]

    def __str__(self):
        return f"{self.institution} {self.amount}"


# --- API keys for medical institutions ---------------------------------------------


class InstitutionAPIKey(AbstractAPIKey):
    """A key a hospital or pharmacy sends as ``Authorization: Api-Key <key>``; it
    allows medical settlements on behalf of that institution and nothing else. Only
    a hash is stored; the key itself is shown once, when staff issue it."""

    institution = models.ForeignKey(Institution, on_delete=models.CASCADE, related_name="api_keys")

    class Meta(AbstractAPIKey.Meta):
        verbose_name = _("institution API key")
        verbose_name_plural = _("institution API keys")


class StaffTokenProof(models.Model):
    """The second factor behind a staff API token: which authenticator confirmed the
    login that issued it, and the roles it was issued for. A staff request with a token
    that has none, or whose device or roles have changed since, is refused."""

    token = models.OneToOneField(
        "authtoken.Token", on_delete=models.CASCADE, related_name="staff_proof"
    )
    device = models.ForeignKey("otp_totp.TOTPDevice", on_delete=models.CASCADE, related_name="+")
    role_fingerprint = models.CharField(max_length=64)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("staff token proof")
        verbose_name_plural = _("staff token proofs")

    def __str__(self):
        return f"token of user {self.token.user_id} via device {self.device_id}"


class StaffEnrolmentCode(models.Model):
    """A one-time code an operator issues (`manage.py staff_totp USER --enrolment-code`)
    so a staff member can set up their first authenticator: a password alone never
    does. Only its hash is kept; using it, or issuing a new one, ends it."""

    user = models.OneToOneField(User, on_delete=models.CASCADE, related_name="+")
    code_hash = models.CharField(max_length=128)
    expires_at = models.DateTimeField()
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("staff enrolment code")
        verbose_name_plural = _("staff enrolment codes")

    def __str__(self):
        return f"enrolment code of user {self.user_id}"


# --- the card's history --------------------------------------------------------------


class CardStatusChange(AppendOnlyModel):
    """One change of a card's status and why: the card's own history, shown to the
    cardholder. Append-only (the model, its queryset and a PostgreSQL trigger refuse
    changes). Written only by the card services of accounts.services."""

    class Reason(models.TextChoices):
        REPORTED_LOST = "reported_lost", _("Reported lost")
        LOSS_REPORT_LIFTED = "loss_report_lifted", _("Loss report lifted by the cardholder")
        REACTIVATED = "reactivated", _("Put back in use by a service centre")
        DEATH_VERIFIED = "death_verified", _("Cancelled after a verified death")
        EMIGRATION_PAID = "emigration_paid", _("Cancelled after the payout on settling abroad")
        REPLACED = "replaced", _("Replaced by a new card; this card number is cancelled")

    cardholder = models.ForeignKey(
        Cardholder, on_delete=models.PROTECT, related_name="card_changes", db_index=False
    )
    from_status = models.CharField(_("from"), max_length=20, choices=Cardholder.CardStatus.choices)
    to_status = models.CharField(_("to"), max_length=20, choices=Cardholder.CardStatus.choices)
    reason = models.CharField(_("reason"), max_length=30, choices=Reason.choices)
    # Null: the system (a bank's payment confirmation, a data import).
    actor = models.ForeignKey(
        User, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    at = models.DateTimeField(_("at"), default=timezone.now)
    # The card number the change concerned (for a replacement: the old, cancelled
    # one), since a person may have had more than one. Blank on older rows.
    card_number = models.CharField(_("card number"), max_length=20, blank=True, default="")

    class Meta:
        verbose_name = _("card status change")
        verbose_name_plural = _("card status changes")
        ordering = ["-at", "-id"]
        indexes = [models.Index(fields=["cardholder", "-at"], name="card_change_holder_at")]

    def __str__(self):
        return f"{self.cardholder_id}: {self.from_status} → {self.to_status} ({self.reason})"

    @property
    def masked_card_number(self):
        return mask_card_number(self.card_number)


class ReplacedCardNumber(AppendOnlyModel):
    """A card number a replacement cancelled: it never pays again and is never issued
    again. Append-only (the model, its queryset and a PostgreSQL trigger refuse
    changes). Written only by `accounts.services.card_replace`."""

    card_number = models.CharField(_("card number"), max_length=20, unique=True)
    cardholder = models.ForeignKey(
        Cardholder, on_delete=models.PROTECT, related_name="replaced_cards"
    )
    replaced_by = models.CharField(_("replaced by card number"), max_length=20)
    reference = models.CharField(_("case reference"), max_length=20, blank=True)
    replaced_at = models.DateTimeField(_("replaced at"), default=timezone.now)

    class Meta:
        verbose_name = _("replaced card number")
        verbose_name_plural = _("replaced card numbers")
        ordering = ["-replaced_at", "-id"]

    def __str__(self):
        return mask_card_number(self.card_number)


# Which card status each change starts from and leads to: the one place that says it.
# Services compare-and-set along these rows; pages and the API ask `card_allows`.
_Card = Cardholder.CardStatus
_Why = CardStatusChange.Reason
CARD_TRANSITIONS = {
    _Why.REPORTED_LOST: ((_Card.ACTIVE, _Card.FROZEN), _Card.REPORTED_LOST),
    _Why.LOSS_REPORT_LIFTED: ((_Card.REPORTED_LOST,), _Card.ACTIVE),
    _Why.REACTIVATED: ((_Card.REPORTED_LOST, _Card.FROZEN), _Card.ACTIVE),
    _Why.DEATH_VERIFIED: ((_Card.ACTIVE, _Card.REPORTED_LOST, _Card.FROZEN), _Card.CANCELLED),
    _Why.EMIGRATION_PAID: ((_Card.ACTIVE, _Card.REPORTED_LOST, _Card.FROZEN), _Card.CANCELLED),
    # A replacement (accounts.services.card_replace only): the lost or damaged card's
    # number is cancelled for good (accounts.ReplacedCardNumber) and the person's card,
    # now the new one, is active. The history row names the old number.
    _Why.REPLACED: ((_Card.ACTIVE, _Card.REPORTED_LOST), _Card.ACTIVE),
}
del _Card, _Why


def card_allows(status, reason):
    """May a card in `status` make the change `reason` (a CardStatusChange.Reason)?"""
    sources, _target = CARD_TRANSITIONS[reason]
    return status in sources


# --- the record's corrections --------------------------------------------------------


class RecordChange(AppendOnlyModel):
    """One change of an identity field of a cardholder's record, with the value before
    and after, who made it and on what ground (the approved correction's reference).
    Append-only (the model, its queryset and a PostgreSQL trigger refuse changes);
    written only by `accounts.services.cardholder_record_correct`."""

    cardholder = models.ForeignKey(
        Cardholder, on_delete=models.PROTECT, related_name="record_changes", db_index=False
    )
    field = models.CharField(_("field"), max_length=30)
    old_value = models.CharField(_("old value"), max_length=200, blank=True)
    new_value = models.CharField(_("new value"), max_length=200, blank=True)
    # The case the change was decided in (its reference), e.g. RC-2026-000012.
    source = models.CharField(_("decided in"), max_length=40)
    actor = models.ForeignKey(User, on_delete=models.PROTECT, related_name="+")
    at = models.DateTimeField(_("at"), default=timezone.now)

    class Meta:
        verbose_name = _("record change")
        verbose_name_plural = _("record changes")
        ordering = ["-at", "-id"]
        indexes = [models.Index(fields=["cardholder", "-at"], name="record_change_holder_at")]

    def __str__(self):
        return f"{self.cardholder_id}: {self.field} {self.old_value!r} → {self.new_value!r}"


# --- employers' own logins --------------------------------------------------------------


class EmployerLogin(models.Model):
    """A login that acts for one employer (found by its credit code): it files the
    employer's work-injury recognitions and uploads its payroll and average wages,
    for that employer only."""

    user = models.OneToOneField(
        User, on_delete=models.CASCADE, related_name="employer_login", verbose_name=_("login")
    )
    employer = models.ForeignKey(
        Employer, on_delete=models.PROTECT, related_name="logins", verbose_name=_("employer")
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        verbose_name = _("employer login")
        verbose_name_plural = _("employer logins")
        ordering = ["employer", "user"]

    def __str__(self):
        return f"{self.user} → {self.employer.credit_code}"
