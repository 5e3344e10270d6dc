"""The staff side of withdrawals: the review queue, the application page with its
action buttons, payout batches and the audit list. Everything here is read-only;
changes happen only through the action views, each calling one service."""

from decimal import Decimal

from csp.decorators import csp_replace
from django.conf import settings
from django.contrib import admin
from django.core.exceptions import PermissionDenied
from django.db.models import Count, DecimalField, F, OuterRef, Q, Subquery, Value
from django.db.models.functions import Coalesce
from django.urls import path, reverse
from django.utils import timezone
from django.utils.html import format_html
from django.utils.timesince import timesince
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from accounts.models import Account
from accounts.pii import id_digests, id_number_in
from casework.staff import choices_filter, status_filter
from core import formatting
from sscard.admin_paging import BigListAdminMixin
from withdrawals import admin_views, selectors
from withdrawals.models import (
    WORKFLOW,
    ApplicationEvent,
    Finding,
    HeirNoticePeriod,
    HeirPayout,
    NoHeirRecord,
    Status,
    SupportingDocument,
    SurvivorBenefitParameters,
    WithdrawalApplication,
)

admin.site.index_template = "admin/sscard_index.html"
admin.site.site_header = _("sscard service center")
admin.site.site_title = _("sscard staff")
admin.site.index_title = _("Staff dashboard")


class OverdueFilter(admin.SimpleListFilter):
    title = _("overdue")
    parameter_name = "overdue"

    def lookups(self, request, model_admin):
        return [("yes", _("Overdue")), ("no", _("Within the service time"))]

    def queryset(self, request, queryset):
        if self.value() == "yes":
            return queryset.filter(admin_views.overdue_q())
        if self.value() == "no":
            return queryset.exclude(admin_views.overdue_q())
        return queryset


class ApplicantRegionFilter(admin.AllValuesFieldListFilter):
    """The pooling regions of the cardholders who applied, not of every cardholder
    (that would read the whole cardholder table on each page view)."""

    def __init__(self, field, request, params, model, model_admin, field_path):
        super().__init__(field, request, params, model, model_admin, field_path)
        self.lookup_choices = selectors.applicant_regions()


def _personal_balance(scheme):
    return Coalesce(
        Subquery(
            Account.objects.filter(
                cardholder_id=OuterRef("cardholder_id"),
                kind=Account.Kind.PERSONAL,
                scheme=scheme,
            ).values("balance")[:1]
        ),
        Value(Decimal("0.00")),
        output_field=DecimalField(max_digits=14, decimal_places=2),
    )


def _read_only(model_admin, request, obj=None):
    return [f.name for f in model_admin.model._meta.fields] + list(
        getattr(model_admin, "extra_readonly", ())
    )


class ReadOnlyAdmin(admin.ModelAdmin):
    """No add, change or delete through the admin, for anybody."""

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    def get_readonly_fields(self, request, obj=None):
        return _read_only(self, request, obj)


@admin.register(WithdrawalApplication)
class WithdrawalApplicationAdmin(BigListAdminMixin, ReadOnlyAdmin):
    list_display = (
        "reference",
        "reason",
        "cardholder_masked",
        "applicant_shown",
        "claimed_amount",
        "status_shown",
        "age",
        "automated_review",
    )
    list_display_links = ("reference",)
    list_filter = (
        status_filter(WORKFLOW),
        "reason",
        ("cardholder__region", ApplicantRegionFilter),
        OverdueFilter,
    )
    search_fields = ("reference",)
    search_help_text = _("Reference, card number or the full ID number (exact).")
    # Oldest submission first; drafts (never submitted) last.
    ordering = (F("submitted_at").asc(nulls_last=True), "id")
    show_full_result_count = False
    list_per_page = 50
    change_list_template = "admin/withdrawals/withdrawalapplication/change_list.html"
    change_form_template = "admin/withdrawals/withdrawalapplication/change_form.html"
    extra_readonly = ("status_shown",)
    fieldsets = (
        (
            _("Claim"),
            {
                "fields": (
                    "reference",
                    "status_shown",
                    "reason",
                    "relationship",
                    ("claims_pension", "claims_medical"),
                    ("created_at", "submitted_at", "decided_at"),
                )
            },
        ),
        (
            _("Staff"),
            {"fields": (("verified_by", "reviewed_by", "approved_by"),)},
        ),
        (
            _("Messages to the applicant"),
            {"fields": ("request_message", "rejection_reason")},
        ),
        (
            _("Pension notice (MOHRSS Order No. 13 Art. 6)"),
            {"fields": ("notice_shown_at", "notice_confirmed_at", "notice_confirmed_name")},
        ),
        (
            _("Payout"),
            {
                "fields": (
                    "amount",
                    "payout_transaction",
                    "payout_sent_at",
                    "bank_name",
                    "bank_account_holder",
                    "bank_account_number",
                )
            },
        ),
        (
            _("Eligibility record"),
            {
                "classes": ("collapse",),
                "fields": ("rules_version", "decision_stage", "decision_codes", "decisions"),
            },
        ),
    )

    def get_queryset(self, request):
        return (
            super()
            .get_queryset(request)
            .select_related("cardholder", "applicant")
            .annotate(
                pension_balance=_personal_balance("pension"),
                medical_balance=_personal_balance("medical"),
                docs_total=Count("documents"),
                docs_failed=Count("documents", filter=Q(documents__finding=Finding.FAILED)),
                docs_pending=Count("documents", filter=Q(documents__finding=Finding.PENDING)),
                docs_duplicate=Count(
                    "documents", filter=Q(documents__duplicate_of_other_cardholder=True)
                ),
            )
        )

    def get_search_results(self, request, queryset, search_term):
        term = search_term.strip()
        if not term:
            return queryset, False
        # ID numbers match exactly only, by digest: a partial ID search would leak who exists.
        number = id_number_in(term)
        if number is not None:
            return queryset.filter(cardholder__national_id_digest__in=id_digests(number)), False
        query = (
            Q(reference__iexact=term)
            | Q(reference__icontains=term)
            | Q(cardholder__card_number__iexact=term)
        )
        return queryset.filter(query), False

    @admin.display(description=_("status"), ordering="status")
    def status_shown(self, obj):
        return obj.get_status_display()

    @admin.display(description=_("cardholder"))
    def cardholder_masked(self, obj):
        """The person the claim is about (the deceased, for a death): name and masked ID."""
        holder = obj.cardholder
        return format_html(
            "{}<br><small>{}</small>",
            holder.display_name(get_language()),
            holder.masked_national_id,
        )

    @admin.display(description=_("applicant"))
    def applicant_shown(self, obj):
        return admin_views.display_person(obj.applicant)

    @admin.display(description=_("claimed amount"))
    def claimed_amount(self, obj):
        if obj.amount is not None:
            return formatting.money(obj.amount)
        total = Decimal("0.00")
        if obj.claims_pension:
            total += obj.pension_balance
        if obj.claims_medical:
            total += obj.medical_balance
        return formatting.money(total)

    @admin.display(description=_("waiting"), ordering="submitted_at")
    def age(self, obj):
        if obj.submitted_at is None:
            return "—"
        waited = timesince(obj.submitted_at, timezone.now(), depth=1)
        if admin_views.is_overdue(obj):
            return format_html(
                '<strong class="sscard-overdue">{} · {}</strong>', waited, _("overdue")
            )
        return waited

    @admin.display(description=_("automated check"))
    def automated_review(self, obj):
        if not obj.docs_total:
            return _("no documents")
        if obj.docs_pending:
            text = _("%(pending)d of %(n)d pending") % {
                "pending": obj.docs_pending,
                "n": obj.docs_total,
            }
        elif obj.docs_failed:
            text = _("%(failed)d of %(n)d with problems") % {
                "failed": obj.docs_failed,
                "n": obj.docs_total,
            }
        else:
            text = _("%(n)d passed") % {"n": obj.docs_total}
        if obj.docs_duplicate:
            text += " · " + _("%(n)d reused elsewhere") % {"n": obj.docs_duplicate}
        return text

    def get_urls(self):
        wrap = self.admin_site.admin_view
        return [
            path(
                "<int:pk>/action/<slug:name>/",
                wrap(lambda request, pk, name: admin_views.action_view(request, self, pk, name)),
                name="withdrawals_application_action",
            ),
            path(
                "payouts/",
                wrap(lambda request: admin_views.payouts_view(request, self)),
                name="withdrawals_payouts",
            ),
            # Not wrapped in admin_view: non-staff get a 404 here, not a login page.
            path(
                "document/<int:pk>/preview/",
                admin_views.document_preview,
                name="withdrawals_document_preview",
            ),
            *super().get_urls(),
        ]

    def changelist_view(self, request, extra_context=None):
        counts, overdue_count = selectors.changelist_counts()
        base = reverse("admin:withdrawals_withdrawalapplication_changelist")
        extra_context = {
            **(extra_context or {}),
            "status_counts": [
                {
                    "status": value,
                    "label": label,
                    "count": counts.get(value, 0),
                    "url": f"{base}?status__exact={value}",
                }
                for value, label in Status.choices
            ],
            "overdue_count": overdue_count,
            "overdue_url": f"{base}?overdue=yes",
            "sla_hours": settings.SSCARD_REVIEW_SLA_HOURS,
            "can_manage_payouts": request.user.has_perm("withdrawals.manage_payouts"),
        }
        return super().changelist_view(request, extra_context)

    # The page frames its documents' previews (same origin): widen the CSP for it alone.
    @csp_replace({"frame-src": ["'self'"], "object-src": ["'self'"]})
    def change_view(self, request, object_id, form_url="", extra_context=None):
        application = self.get_object(request, object_id)
        if application is not None and self.has_view_permission(request, application):
            extra_context = {
                **(extra_context or {}),
                **admin_views.application_page_context(request, application),
            }
        return super().change_view(request, object_id, form_url, extra_context)


@admin.register(ApplicationEvent)
class ApplicationEventAdmin(ReadOnlyAdmin):
    """The audit list: who did what, when and from where. Read-only; CSV export."""

    list_display = (
        "created_at",
        "application_link",
        "actor_shown",
        "old_status_shown",
        "new_status_shown",
        "note_short",
        "ip_address",
    )
    list_filter = (
        ("actor", admin.RelatedOnlyFieldListFilter),
        ("created_at", admin.DateFieldListFilter),
        status_filter(WORKFLOW, "new_status", _("to")),
        status_filter(WORKFLOW, "old_status", _("from")),
    )
    search_fields = ("case__reference",)
    ordering = ("-created_at", "-id")
    date_hierarchy = "created_at"
    show_full_result_count = False
    list_select_related = ("case", "actor")
    actions = ["export_csv"]
    change_list_template = "admin/withdrawals/applicationevent/change_list.html"
    extra_readonly = ("note_shown",)

    def get_queryset(self, request):
        return super().get_queryset(request).filter(kind=WORKFLOW.kind)

    @admin.display(description=_("application"), ordering="case__reference")
    def application_link(self, obj):
        url = reverse("admin:withdrawals_withdrawalapplication_change", args=[obj.case_id])
        return format_html('<a href="{}">{}</a>', url, obj.case.reference)

    @admin.display(description=_("from"), ordering="old_status")
    def old_status_shown(self, obj):
        return obj.get_old_status_display()

    @admin.display(description=_("to"), ordering="new_status")
    def new_status_shown(self, obj):
        return obj.get_new_status_display()

    @admin.display(description=_("actor"), ordering="actor")
    def actor_shown(self, obj):
        return admin_views.person_for_staff(obj.actor)

    @admin.display(description=_("note"))
    def note_short(self, obj):
        note = obj.note
        return note if len(note) <= 120 else note[:117] + "…"

    @admin.display(description=_("note"))
    def note_shown(self, obj):
        return obj.note

    @admin.action(description=_("Export the selected events as CSV"))
    def export_csv(self, request, queryset):
        return admin_views.audit_csv_response(queryset)

    def get_urls(self):
        return [
            path(
                "export/",
                self.admin_site.admin_view(self.export_filtered_view),
                name="withdrawals_audit_export",
            ),
            *super().get_urls(),
        ]

    def export_filtered_view(self, request):
        """Every event the list shows under its current filters, as CSV."""
        if not self.has_view_permission(request):
            raise PermissionDenied
        changelist = self.get_changelist_instance(request)
        return admin_views.audit_csv_response(changelist.get_queryset(request))


@admin.register(SupportingDocument)
class SupportingDocumentAdmin(ReadOnlyAdmin):
    list_display = (
        "id",
        "case",
        "kind_shown",
        "original_name",
        "content_type",
        "finding",
        "duplicate_of_other_cardholder",
        "preview",
    )
    list_filter = (
        choices_filter(WORKFLOW.document_kinds.choices, "kind", _("kind")),
        "finding",
        "duplicate_of_other_cardholder",
    )
    search_fields = ("case__reference",)
    list_select_related = ("case",)
    show_full_result_count = False
    extra_readonly = ("preview",)

    def get_queryset(self, request):
        return super().get_queryset(request).filter(case__kind=WORKFLOW.kind)

    @admin.display(description=_("kind"), ordering="kind")
    def kind_shown(self, obj):
        return obj.get_kind_display()

    @admin.display(description=_("preview"))
    def preview(self, obj):
        url = reverse("admin:withdrawals_document_preview", args=[obj.pk])
        return format_html('<a href="{}" target="_blank" rel="noopener">{}</a>', url, _("open"))


@admin.register(HeirPayout)
class HeirPayoutAdmin(ReadOnlyAdmin):
    """Each heir's share of a claim and where it stands (read only: the services and the
    bank's results file change them)."""

    list_display = ["id", "heir", "scheme", "amount", "destination", "status", "sent_at"]
    list_filter = ["status", "destination", "scheme"]
    list_select_related = ["heir"]


@admin.register(SurvivorBenefitParameters)
class SurvivorBenefitParametersAdmin(admin.ModelAdmin):
    """A province's survivor-benefit figures (data, each with its source)."""

    list_display = [
        "region",
        "effective_from",
        "monthly_disposable_income",
        "funeral_grant_months",
        "base_months",
        "max_months",
        "source",
    ]
    list_filter = ["region"]


@admin.register(HeirNoticePeriod)
class HeirNoticePeriodAdmin(admin.ModelAdmin):
    """Each region's notice period for heirs (data, each with its source)."""

    list_display = ["region", "effective_from", "days", "illustrative", "source"]
    list_filter = ["region", "illustrative"]


@admin.register(NoHeirRecord)
class NoHeirRecordAdmin(ReadOnlyAdmin):
    """Estates without heirs: one member of staff records, another confirms, and the
    confirmation moves the personal balances to the fund (withdrawals.estates)."""

    list_display = [
        "cardholder_shown",
        "notice_ended_on",
        "recorded_by",
        "confirmed_by",
        "amount",
        "transaction",
    ]
    list_select_related = ["cardholder", "recorded_by", "confirmed_by"]
    change_form_template = "admin/withdrawals/noheirrecord/change_form.html"

    @admin.display(description=_("deceased"))
    def cardholder_shown(self, obj):
        return format_html("{} · {}", obj.cardholder.name, obj.cardholder.masked_national_id)

    def has_add_permission(self, request, obj=None):
        return request.user.has_perm(WORKFLOW.perm("review_application"))

    def get_urls(self):
        wrap = self.admin_site.admin_view
        return [
            path(
                "<int:pk>/confirm/",
                wrap(lambda request, pk: admin_views.no_heir_confirm_view(request, self, pk)),
                name="withdrawals_noheirrecord_confirm",
            ),
            *super().get_urls(),
        ]

    def add_view(self, request, form_url="", extra_context=None):
        return admin_views.no_heir_record_view(request, self)

    def change_view(self, request, object_id, form_url="", extra_context=None):
        record = self.get_object(request, object_id)
        if record is not None:
            extra_context = {
                **(extra_context or {}),
                **admin_views.no_heir_page_context(request, record),
            }
        return super().change_view(request, object_id, form_url, extra_context)
