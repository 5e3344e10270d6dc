"""Django admin for the accounts app: people searchable, ID numbers masked, ledger read-only."""

from datetime import timedelta

from django.contrib import admin, messages
from django.contrib.auth.admin import GroupAdmin as BaseGroupAdmin
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin
from django.contrib.auth.models import Group
from django.urls import reverse
from django.utils import timezone
from django.utils.html import format_html, format_html_join
from django.utils.translation import gettext_lazy as _
from django_otp.plugins.otp_totp.admin import TOTPDeviceAdmin as BaseTOTPDeviceAdmin
from django_otp.plugins.otp_totp.models import TOTPDevice
from rest_framework_api_key.admin import APIKeyModelAdmin
from rest_framework_api_key.models import APIKey

from accounts import selectors, services
from accounts.exceptions import DomainError
from accounts.models import (
    Account,
    Cardholder,
    CardStatusChange,
    Contribution,
    ContributionRate,
    Employer,
    EmployerLogin,
    Institution,
    InstitutionAPIKey,
    InterestRate,
    LedgerEntry,
    LedgerTransaction,
    RecordChange,
    RetiredContributionRule,
    Settlement,
    User,
)
from accounts.pii import id_digests, id_number_in
from core import formatting
from sscard.admin_paging import BigListAdminMixin
from sscard.admin_permissions import TranslatedPermissionsMixin

FULL_ID_PERMISSION = "accounts.view_full_national_id"
LIFE_FIELDS = [
    "life_status",
    "date_of_death",
    "death_certificate_number",
    "emigrated_on",
    "emigration_country",
    "emigration_certificate_number",
    "nationality_given_up",
]


def can_see_full_id(request):
    return request.user.has_perm(FULL_ID_PERMISSION)


class NationalIdSearchMixin:
    """A search for a whole ID number finds the person by its keyed digest (the number
    itself is stored encrypted; a partial ID search would leak who exists anyway).
    Other terms search the ordinary `search_fields`."""

    national_id_digest_lookup = "national_id_digest"

    def get_search_results(self, request, queryset, search_term):
        number = id_number_in(search_term)
        if number is None:
            return super().get_search_results(request, queryset, search_term)
        lookup = f"{self.national_id_digest_lookup}__in"
        return queryset.filter(**{lookup: id_digests(number)}), False


def act_on_each(model_admin, request, queryset, call, done):
    """Run one service call per selected row; a refusal is reported for its row and
    the others still go ahead."""
    changed = 0
    for obj in queryset:
        try:
            call(obj)
            changed += 1
        except DomainError as exc:
            model_admin.message_user(request, f"{obj}: {exc.message}", messages.ERROR)
    if changed:
        model_admin.message_user(request, done % {"count": changed}, messages.SUCCESS)


def entries_link(account_id, text):
    """A link to the ledger entry list of one account."""
    url = reverse("admin:accounts_ledgerentry_changelist")
    return format_html('<a href="{}?account__id__exact={}">{}</a>', url, account_id, text)


class MonthListFilter(admin.DateFieldListFilter):
    """Whole months and years for a field holding the first day of a month: "today" or
    "past 7 days" would match nothing most days, after reading the whole table."""

    def __init__(self, field, request, params, model, model_admin, field_path):
        super().__init__(field, request, params, model, model_admin, field_path)
        this_month = timezone.localdate().replace(day=1)
        last_month = (this_month - timedelta(days=1)).replace(day=1)
        next_month = (this_month + timedelta(days=31)).replace(day=1)
        this_year = this_month.replace(month=1)
        last_year = this_year.replace(year=this_year.year - 1)
        next_year = this_year.replace(year=this_year.year + 1)
        self.links = (
            (_("Any date"), {}),
            *(
                (label, {self.lookup_kwarg_since: since, self.lookup_kwarg_until: until})
                for label, since, until in [
                    (_("This month"), this_month, next_month),
                    (_("Last month"), last_month, this_month),
                    (_("This year"), this_year, next_year),
                    (_("Last year"), last_year, this_year),
                ]
            ),
        )


# Every column headed, no empty delete column (templates/admin/edit_inline/).
READ_ONLY_INLINE = "admin/edit_inline/tabular_readonly.html"


class ReadOnlyAdminMixin:
    """Nobody adds, changes or deletes these rows here, superusers included."""

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(User)
class UserAdmin(TranslatedPermissionsMixin, NationalIdSearchMixin, BaseUserAdmin):
    list_display = ("masked_username", "email", "first_name", "is_staff", "is_active", "last_login")
    list_filter = ("is_staff", "is_superuser", "is_active", "groups")
    search_fields = ("=username", "first_name", "last_name", "email")
    # An ID login's username is the digest of the number.
    national_id_digest_lookup = "username"
    show_full_result_count = False
    # Recorded by the site, never typed.
    readonly_fields = ("last_login", "date_joined")

    def get_list_display(self, request):
        fields = list(super().get_list_display(request))
        if can_see_full_id(request):
            fields[fields.index("masked_username")] = "full_login"
        return fields

    @admin.display(description=_("username"), ordering="username")
    def masked_username(self, obj):
        # Cardholders and heirs log in with their ID number: mask it like everywhere else.
        return obj.masked_login

    @admin.display(description=_("username"), ordering="username")
    def full_login(self, obj):
        return obj.national_id or obj.username

    ROLE_FIELDS = {"is_staff", "is_superuser", "groups"}

    def save_related(self, request, form, formsets, change):
        # Groups are saved here, after the user row: only now are the new roles known.
        super().save_related(request, form, formsets, change)
        if change and self.ROLE_FIELDS & set(form.changed_data):
            user = form.instance
            services.user_end_logins(user=user)
            if user.pk == request.user.pk:
                # Editing oneself keeps this (second-factor verified) session.
                from django.contrib.auth import update_session_auth_hash

                update_session_auth_hash(request, type(user).objects.get(pk=user.pk))
            self.message_user(
                request,
                _("Their roles changed: every session and API token of %(user)s has ended.")
                % {"user": user.masked_login},
                messages.WARNING,
            )


class AccountInline(ReadOnlyAdminMixin, admin.TabularInline):
    template = READ_ONLY_INLINE
    model = Account
    fields = ("scheme", "kind", "balance", "status", "opened_at", "closed_at")
    readonly_fields = fields
    extra = 0
    can_delete = False
    show_change_link = True


class CardStatusChangeInline(ReadOnlyAdminMixin, admin.TabularInline):
    """The card's history, newest first: written by the card services only."""

    template = READ_ONLY_INLINE
    model = CardStatusChange
    fields = ("at", "from_status", "to_status", "reason", "actor")
    readonly_fields = fields
    extra = 0
    can_delete = False
    verbose_name_plural = _("card history")


class RecordChangeInline(ReadOnlyAdminMixin, admin.TabularInline):
    """The record's corrections, newest first: old and new value, who, in which case."""

    template = READ_ONLY_INLINE
    model = RecordChange
    fields = ("at", "field", "old_value", "new_value", "source", "actor")
    readonly_fields = fields
    extra = 0
    can_delete = False
    verbose_name_plural = _("record history")


@admin.register(Cardholder)
class CardholderAdmin(NationalIdSearchMixin, BigListAdminMixin, admin.ModelAdmin):
    list_display = (
        "name",
        "masked_id",
        "card_number",
        "card_status",
        "life_status",
        "employment_status",
        "region",
    )
    list_filter = ("card_status", "life_status", "employment_status", "card_financial_activated")
    search_fields = ("name", "=card_number")
    show_full_result_count = False
    list_per_page = 50
    raw_id_fields = ("user",)
    readonly_fields = ("masked_id", "created_at", "updated_at", "to_recover")
    inlines = [AccountInline, CardStatusChangeInline, RecordChangeInline]
    actions = ["report_lost", "reactivate"]

    @admin.display(description=_("national ID number"))
    def masked_id(self, obj):
        return obj.masked_national_id

    def get_inlines(self, request, obj):
        inlines = list(super().get_inlines(request, obj))
        if obj is None:  # a cardholder being added has no card or record history yet
            inlines.remove(CardStatusChangeInline)
            inlines.remove(RecordChangeInline)
        return inlines

    def get_list_display(self, request):
        fields = list(super().get_list_display(request))
        if can_see_full_id(request):
            fields[fields.index("masked_id")] = "national_id"
        return fields

    def get_fieldsets(self, request, obj=None):
        identity = ["name", "national_id", "gender", "date_of_birth", "ethnicity"]
        if obj is not None and not can_see_full_id(request):
            identity[1] = "masked_id"
        return [
            (None, {"fields": [*identity, "domicile", "phone", "region", "user"]}),
            (
                _("Card"),
                {"fields": ["card_number", "card_status", "card_financial_activated"]},
            ),
            (
                _("Status"),
                {"fields": ["employment_status", *LIFE_FIELDS, "to_recover"]},
            ),
            (_("Record"), {"fields": ["created_at", "updated_at"]}),
        ]

    @admin.display(description=_("settlements to recover"))
    def to_recover(self, obj):
        """Purchases settled on days after the date of death, before it was verified."""
        found = selectors.settlements_to_recover(obj) if obj is not None and obj.pk else None
        if not found or not found.settlements:
            return "—"
        rows = format_html_join(
            "",
            "<li>{} · {} · {} · {}</li>",
            (
                (
                    formatting.datetime_text(row.created_at),
                    row.institution.name,
                    formatting.money(row.amount),
                    row.idempotency_key[:40],
                )
                for row in found.settlements
            ),
        )
        return format_html(
            '<ul class="to-recover">{}</ul><p>{}: <strong>{}</strong></p>',
            rows,
            _("Total to recover"),
            formatting.money(found.total),
        )

    def get_readonly_fields(self, request, obj=None):
        fields = list(self.readonly_fields)
        if obj is not None:
            # The ID identifies the person; card and life status change through their
            # services (card actions below, death and emigration through claim review).
            fields += ["national_id", "card_status", *LIFE_FIELDS]
        return fields

    def get_search_results(self, request, queryset, search_term):
        # Staff may type an ID or card number in lower case; both are stored upper-case.
        term = search_term.strip()
        if len(term) <= 20 and " " not in term and any(c.isdigit() for c in term):
            term = term.upper()
        return super().get_search_results(request, queryset, term)

    def has_delete_permission(self, request, obj=None):
        return False  # their accounts and ledger history keep them

    def save_model(self, request, obj, form, change):
        if change:
            super().save_model(request, obj, form, change)
            return
        # A new cardholder is registered by the service, which also opens the accounts.
        created = services.cardholder_create(**form.cleaned_data)
        obj.pk = created.pk
        obj._state.adding = False

    @admin.action(description=_("Report the card lost"), permissions=["change"])
    def report_lost(self, request, queryset):
        act_on_each(
            self,
            request,
            queryset,
            lambda cardholder: services.card_report_lost(cardholder=cardholder, actor=request.user),
            _("%(count)d card(s) reported lost."),
        )

    @admin.action(description=_("Reactivate the card"), permissions=["change"])
    def reactivate(self, request, queryset):
        act_on_each(
            self,
            request,
            queryset,
            lambda cardholder: services.card_reactivate(cardholder=cardholder, actor=request.user),
            _("%(count)d card(s) reactivated."),
        )


@admin.register(Employer)
class EmployerAdmin(admin.ModelAdmin):
    list_display = ("name", "credit_code", "region")
    search_fields = ("name", "=credit_code")
    show_full_result_count = False


@admin.register(RecordChange)
class RecordChangeAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    """The audit trail of corrected identity fields. Read-only."""

    list_display = ("at", "cardholder_id", "field", "old_value", "new_value", "source", "actor")
    list_filter = ("field",)
    search_fields = ("=source",)
    list_select_related = ("actor",)


@admin.register(EmployerLogin)
class EmployerLoginAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    """Which login acts for which employer (`manage.py employer_login` links one)."""

    list_display = ("user", "employer", "created_at")
    search_fields = ("=employer__credit_code", "user__username")
    list_select_related = ("user", "employer")


@admin.register(Institution)
class InstitutionAdmin(admin.ModelAdmin):
    list_display = ("name", "code", "kind", "is_active")
    list_filter = ("kind", "is_active")
    search_fields = ("name", "=code")


@admin.register(Account)
class AccountAdmin(NationalIdSearchMixin, BigListAdminMixin, admin.ModelAdmin):
    list_display = (
        "id",
        "cardholder_name",
        "scheme",
        "kind",
        "system_code",
        "balance",
        "status",
        "entries",
    )
    list_filter = ("kind", "scheme", "status")
    # Sorting by the holder's name joins and sorts every account; id and balance do not join.
    sortable_by = ("id", "balance")
    search_fields = ("=cardholder__card_number", "cardholder__name")
    national_id_digest_lookup = "cardholder__national_id_digest"
    list_select_related = ("cardholder",)
    show_full_result_count = False
    raw_id_fields = ("cardholder",)
    readonly_fields = (
        "cardholder",
        "scheme",
        "kind",
        "system_code",
        "balance",
        "status",
        "opened_at",
        "closed_at",
    )

    @admin.display(description=_("cardholder"), ordering="cardholder__name")
    def cardholder_name(self, obj):
        return obj.cardholder.name if obj.cardholder_id else "—"

    @admin.display(description=_("ledger entries"))
    def entries(self, obj):
        return entries_link(obj.pk, _("entries"))

    actions = ["freeze", "unfreeze"]

    def has_add_permission(self, request):
        # Accounts are opened with the cardholder; system accounts by the ledger.
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    @admin.action(description=_("Freeze (no money may leave)"), permissions=["change"])
    def freeze(self, request, queryset):
        act_on_each(
            self,
            request,
            queryset,
            lambda account: services.account_freeze(account=account, actor=request.user),
            _("%(count)d account(s) frozen."),
        )

    @admin.action(description=_("Lift the freeze"), permissions=["change"])
    def unfreeze(self, request, queryset):
        act_on_each(
            self,
            request,
            queryset,
            lambda account: services.account_unfreeze(account=account, actor=request.user),
            _("%(count)d account(s) unfrozen."),
        )


class LedgerEntryInline(ReadOnlyAdminMixin, admin.TabularInline):
    template = READ_ONLY_INLINE
    model = LedgerEntry
    fields = ("account", "amount", "balance_after", "kind", "posted_at")
    readonly_fields = fields
    extra = 0
    can_delete = False


@admin.register(LedgerTransaction)
class LedgerTransactionAdmin(BigListAdminMixin, ReadOnlyAdminMixin, admin.ModelAdmin):
    list_display = ("id", "kind", "reference", "description", "posted_at")
    # A date filter (today, past 7 days, this month, this year) instead of a date
    # hierarchy: the hierarchy lists the years with a DISTINCT over the whole table.
    list_filter = ("kind", "posted_at")
    # Id order is posting order; other columns would sort millions of rows.
    sortable_by = ("id",)
    search_fields = ("=id", "=reference", "=idempotency_key")
    show_full_result_count = False
    inlines = [LedgerEntryInline]
    readonly_fields = (
        "kind",
        "idempotency_key",
        "reference",
        "description",
        "posted_at",
        "created_by",
        "reverses",
    )

    def get_actions(self, request):
        return {}  # not even "delete selected"


@admin.register(LedgerEntry)
class LedgerEntryAdmin(BigListAdminMixin, ReadOnlyAdminMixin, admin.ModelAdmin):
    """Every leg of every transaction, newest first. One account's entries are its
    link in the account column (served by the account/id index); the table has no
    other index a filter or sort could use, so there are none."""

    list_display = (
        "id",
        "transaction_link",
        "account_link",
        "kind",
        "amount",
        "balance_after",
        "posted_at",
    )
    sortable_by = ("id",)
    readonly_fields = ("transaction", "account", "amount", "balance_after", "kind", "posted_at")

    @admin.display(description=_("transaction"))
    def transaction_link(self, obj):
        url = reverse("admin:accounts_ledgertransaction_change", args=[obj.transaction_id])
        return format_html('<a href="{}">{}</a>', url, obj.transaction_id)

    @admin.display(description=_("account"))
    def account_link(self, obj):
        return entries_link(obj.account_id, obj.account_id)

    def get_actions(self, request):
        return {}


@admin.register(ContributionRate)
class ContributionRateAdmin(admin.ModelAdmin):
    list_display = (
        "region",
        "scheme",
        "payer",
        "destination",
        "rate",
        "wage_base_floor",
        "wage_base_ceiling",
        "effective_from",
        "effective_to",
        "source",
    )
    list_filter = ("scheme", "payer", "destination", "region")
    search_fields = ("=region",)


@admin.register(RetiredContributionRule)
class RetiredContributionRuleAdmin(admin.ModelAdmin):
    """A region whose rules let the retired keep contributing enters its row here."""

    list_display = ("region", "may_continue_flexible", "source")
    search_fields = ("=region",)


@admin.register(InterestRate)
class InterestRateAdmin(admin.ModelAdmin):
    """A year's rate is entered here once published; the interest run refuses without it."""

    list_display = ("year", "region", "scheme", "rate", "source")
    list_filter = ("scheme", "year", "region")
    search_fields = ("=region",)


@admin.register(Contribution)
class ContributionAdmin(
    NationalIdSearchMixin, BigListAdminMixin, ReadOnlyAdminMixin, admin.ModelAdmin
):
    list_display = (
        "month",
        "cardholder_id",
        "scheme",
        "payer",
        "wage_base",
        "to_pooled",
        "to_personal",
    )
    list_filter = ("scheme", "payer", ("month", MonthListFilter))
    # The (cardholder, scheme, month) index serves this order; other columns would sort
    # millions of rows.
    sortable_by = ("cardholder_id",)
    search_fields = ("=cardholder__card_number",)
    national_id_digest_lookup = "cardholder__national_id_digest"
    show_full_result_count = False
    # Newest first by id: an index walk (the model's month/scheme/payer order is a sort).
    ordering = ("-id",)
    raw_id_fields = ("cardholder", "employer", "transaction")

    def get_actions(self, request):
        return {}


@admin.register(Settlement)
class SettlementAdmin(BigListAdminMixin, ReadOnlyAdminMixin, admin.ModelAdmin):
    list_display = ("id", "institution", "cardholder_id", "amount", "description", "created_at")
    list_filter = ("institution__kind",)
    # Id order is the order they were made in; other columns would sort the table.
    sortable_by = ("id", "cardholder_id")
    list_select_related = ("institution",)
    search_fields = ("=idempotency_key", "=cardholder__card_number")
    show_full_result_count = False
    raw_id_fields = ("institution", "cardholder", "transaction")

    def get_actions(self, request):
        return {}


# The library registers its own generic key model; institutions' keys are the only kind here.
admin.site.unregister(APIKey)


@admin.register(InstitutionAPIKey)
class InstitutionAPIKeyAdmin(APIKeyModelAdmin):
    """Issuing a key shows it once; only its hash is stored."""

    list_display = [*APIKeyModelAdmin.list_display, "institution"]
    list_filter = ["institution", "created", "revoked"]
    search_fields = ["name", "prefix", "institution__name", "institution__code"]


admin.site.unregister(Group)


@admin.register(Group)
class GroupAdmin(TranslatedPermissionsMixin, BaseGroupAdmin):
    """Roles, their permissions named in the staff member's language."""


admin.site.unregister(TOTPDevice)


@admin.register(TOTPDevice)
class TOTPDeviceAdmin(BaseTOTPDeviceAdmin):
    """Staff authenticators. The package words its search help once, in whatever
    language is active at import; the throttling state is the device's own record."""

    search_help_text = _("Search by the staff member's username or e-mail address.")
    readonly_fields = [
        *BaseTOTPDeviceAdmin.readonly_fields,
        "throttling_failure_timestamp",
        "throttling_failure_count",
    ]
