"""API shapes of withdrawal claims. Money is a string with two decimals."""

from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _
from rest_framework import serializers

from accounts.models import MONEY, Scheme
from accounts.validators import mask_card_number, mask_national_id
from core.rights import how_to_contest
from withdrawals import heir_services
from withdrawals import heirs as heirs_rules
from withdrawals.models import (
    DocumentKind,
    Finding,
    Reason,
    Relationship,
    Status,
    SupportingDocument,
)

SCHEME_CHOICES = Scheme.choices


def mask_bank_account(number):
    digits = "".join(ch for ch in str(number or "") if ch.isdigit())
    return f"****{digits[-4:]}" if len(digits) > 4 else "****"


# --- requests ---------------------------------------------------------------------------


class CardholderBlockSerializer(serializers.Serializer):
    """How an heir names the deceased: all three must match the card."""

    national_id = serializers.CharField(max_length=30)
    name = serializers.CharField(max_length=100)
    card_number = serializers.CharField(max_length=30)


class EligibilityRequestSerializer(serializers.Serializer):
    reason = serializers.CharField(
        max_length=40,
        help_text=_(
            '"death" or "emigration"; anything else is answered with the rule that refuses it.'
        ),
    )
    cardholder = CardholderBlockSerializer(
        required=False,
        allow_null=True,
        help_text=_("Heirs name the deceased; omitted when the cardholder asks for themselves."),
    )
    relationship = serializers.ChoiceField(
        choices=Relationship.choices,
        required=False,
        help_text=_('Defaults to "self" without a cardholder block, "other_heir" with one.'),
    )
    accounts = serializers.ListField(
        child=serializers.ChoiceField(choices=SCHEME_CHOICES),
        required=False,
        allow_empty=True,
        max_length=10,
        help_text=_("Schemes whose personal account is claimed; default: all with a balance."),
    )


class ReasonSerializer(serializers.Serializer):
    code = serializers.CharField()
    message = serializers.CharField()
    legal_basis = serializers.CharField()
    account = serializers.CharField(allow_blank=True)
    document = serializers.CharField(allow_blank=True)


def reasons_data(reasons):
    language = get_language() or "en"
    return [
        {
            "code": reason.code,
            "message": reason.message(language),
            "legal_basis": reason.legal_basis,
            "account": reason.account,
            "document": reason.document,
        }
        for reason in reasons
    ]


class DecisionSerializer(serializers.Serializer):
    allowed = serializers.BooleanField()
    rules_version = serializers.CharField()
    reasons = ReasonSerializer(many=True)
    how_to_contest = serializers.CharField(
        allow_blank=True,
        help_text=_("How to contest a refusal (SIL Art. 83, 60 days); empty when allowed."),
    )


def decision_data(decision):
    return {
        "allowed": decision.allowed,
        "rules_version": decision.rules_version,
        "reasons": reasons_data(decision.reasons),
        "how_to_contest": "" if decision.allowed else how_to_contest(),
    }


class ApplicationCreateSerializer(serializers.Serializer):
    reason = serializers.ChoiceField(choices=Reason.choices)
    cardholder = CardholderBlockSerializer(required=False, allow_null=True)
    relationship = serializers.ChoiceField(choices=Relationship.choices, required=False)
    accounts = serializers.ListField(
        child=serializers.ChoiceField(choices=SCHEME_CHOICES),
        required=False,
        allow_empty=False,
        max_length=10,
    )
    bank_name = serializers.CharField(max_length=100)
    bank_account_holder = serializers.CharField(max_length=100)
    bank_account_number = serializers.CharField(max_length=40)
    heirs = serializers.ListField(
        child=serializers.DictField(),
        required=False,
        allow_empty=False,
        max_length=30,
        help_text=_(
            "A death claim's heirs: [{national_id, name, relationship, share}], the "
            'applicant among them; share a fraction such as "1/2". Omitted: the '
            "applicant alone."
        ),
    )
    proofs = serializers.ListField(
        child=serializers.ChoiceField(choices=sorted(heirs_rules.PROOF_KINDS)),
        required=False,
        max_length=10,
        help_text=_("The proofs of heirship the heirs will attach (a will, a renunciation …)."),
    )
    claims_survivor_benefits = serializers.BooleanField(required=False, default=False)


class HeirsDeclareSerializer(serializers.Serializer):
    """The heirs of a draft death claim, declared again: replaces the heirs before."""

    heirs = serializers.ListField(
        child=serializers.DictField(),
        allow_empty=False,
        max_length=30,
        help_text=_(
            "Every heir: [{national_id, name, relationship, share}], the applicant among them; "
            'share a fraction such as "1/2".'
        ),
    )
    proofs = serializers.ListField(
        child=serializers.ChoiceField(choices=sorted(heirs_rules.PROOF_KINDS)),
        required=False,
        default=list,
        max_length=10,
        help_text=_("The proofs of heirship the heirs will attach (a will, a renunciation …)."),
    )
    claims_survivor_benefits = serializers.BooleanField(required=False, default=False)


class JoinSerializer(serializers.Serializer):
    bank_name = serializers.CharField(max_length=100)
    bank_account_holder = serializers.CharField(max_length=100)
    bank_account_number = serializers.CharField(max_length=40)
    confirm_shares = serializers.BooleanField()


class VerifyApplicantSerializer(serializers.Serializer):
    national_id = serializers.CharField(
        max_length=30,
        required=False,
        allow_blank=True,
        help_text=_("The heir whose identity was checked; omitted: the applicant."),
    )


class DocumentUploadSerializer(serializers.Serializer):
    kind = serializers.ChoiceField(choices=DocumentKind.choices)
    file = serializers.FileField(allow_empty_file=True, use_url=False)


class ConfirmNoticeSerializer(serializers.Serializer):
    full_name = serializers.CharField(max_length=100)


class VerifyDeathSerializer(serializers.Serializer):
    date_of_death = serializers.DateField()
    certificate_number = serializers.CharField(max_length=60)
    reuse_override_reason = serializers.CharField(
        max_length=2000,
        required=False,
        allow_blank=True,
        help_text=_(
            "Only to accept a certificate number already recorded for another person, "
            "after another staff member was refused: why it is right."
        ),
    )
    correction_reason = serializers.CharField(
        max_length=2000,
        required=False,
        allow_blank=True,
        help_text=_(
            "Only to replace facts already recorded by an earlier verification: why they "
            "were wrong (kept on the timeline)."
        ),
    )


class VerifyEmigrationSerializer(serializers.Serializer):
    date = serializers.DateField()
    country = serializers.CharField(max_length=80)
    certificate_number = serializers.CharField(max_length=60)
    nationality_given_up = serializers.BooleanField()
    reuse_override_reason = serializers.CharField(max_length=2000, required=False, allow_blank=True)
    correction_reason = serializers.CharField(
        max_length=2000,
        required=False,
        allow_blank=True,
        help_text=_(
            "Only to replace facts already recorded by an earlier verification: why they "
            "were wrong (kept on the timeline)."
        ),
    )


class RequestDocumentsSerializer(serializers.Serializer):
    message = serializers.CharField(max_length=2000)


class RejectSerializer(serializers.Serializer):
    reason = serializers.CharField(max_length=2000)


# --- responses ---------------------------------------------------------------------------


class DocumentSerializer(serializers.ModelSerializer):
    name = serializers.CharField(source="original_name")
    finding = serializers.ChoiceField(choices=Finding.choices)
    problems = serializers.ListField(child=serializers.CharField(), source="finding_codes")

    class Meta:
        model = SupportingDocument
        fields = [
            "id",
            "kind",
            "name",
            "size",
            "content_type",
            "uploaded_at",
            "finding",
            "problems",
        ]
        read_only_fields = fields


class EventSerializer(serializers.Serializer):
    at = serializers.DateTimeField(source="created_at")
    old_status = serializers.CharField(allow_blank=True)
    new_status = serializers.CharField()
    note = serializers.CharField(
        source="applicant_note",
        allow_blank=True,
        help_text=_("The note in the language the request asked for."),
    )
    note_code = serializers.CharField(
        allow_blank=True, help_text=_("The note's stable code (text: typed by a person).")
    )
    by = serializers.SerializerMethodField(help_text=_('"applicant", "staff" or "system".'))

    def get_by(self, event) -> str:
        if event.actor_id is None:
            return "system"
        if event.actor_id == event.application.applicant_id:
            return "applicant"
        return "staff"


class ApplicationCardholderSerializer(serializers.Serializer):
    name = serializers.CharField()
    masked_national_id = serializers.SerializerMethodField()
    masked_card_number = serializers.SerializerMethodField()
    life_status = serializers.CharField()

    def get_masked_national_id(self, cardholder) -> str:
        return mask_national_id(cardholder.national_id)

    def get_masked_card_number(self, cardholder) -> str:
        return mask_card_number(cardholder.card_number)


class LastDecisionSerializer(serializers.Serializer):
    stage = serializers.CharField(allow_blank=True)
    rules_version = serializers.CharField(allow_blank=True)
    codes = serializers.ListField(child=serializers.CharField())


class HeirPayoutSerializer(serializers.Serializer):
    scheme = serializers.CharField()
    amount = serializers.DecimalField(**MONEY)
    destination = serializers.CharField(help_text=_('"bank" or "own_medical_account".'))
    status = serializers.CharField(help_text=_('"pending", "sent", "paid" or "failed".'))


class HeirSerializer(serializers.Serializer):
    masked_national_id = serializers.CharField()
    name = serializers.CharField()
    relationship = serializers.CharField()
    share = serializers.CharField()
    joined = serializers.BooleanField()
    payouts = HeirPayoutSerializer(many=True, source="payouts.all")


class SurvivorBenefitsSerializer(serializers.Serializer):
    funeral_grant = serializers.DecimalField(**MONEY, allow_null=True)
    survivors_pension = serializers.DecimalField(**MONEY, allow_null=True)
    status = serializers.CharField(
        help_text=_('"not_claimed", "pending", "awarded" or "not_covered".')
    )


class PensionArrearsSerializer(serializers.Serializer):
    months = serializers.ListField(
        child=serializers.CharField(), help_text=_("The months owed, as YYYY-MM.")
    )
    amount = serializers.DecimalField(**MONEY)
    basic = serializers.DecimalField(**MONEY)
    personal = serializers.DecimalField(**MONEY)
    status = serializers.CharField(
        help_text=_('"owed" (paid on approval, by the heirs\' shares) or "paid".')
    )
    legal_basis = serializers.CharField()


class WorkDeathLumpSumsSerializer(serializers.Serializer):
    recognition = serializers.CharField(help_text=_("The work-injury recognition's reference."))
    died_on = serializers.DateField()
    funeral_subsidy = serializers.DecimalField(**MONEY)
    one_time_subsidy = serializers.DecimalField(**MONEY)
    amount = serializers.DecimalField(**MONEY)
    status = serializers.CharField(
        help_text=_('"owed" (paid on approval, by the heirs\' shares) or "paid".')
    )
    legal_basis = serializers.CharField()


class InvitationSerializer(serializers.Serializer):
    id = serializers.IntegerField(source="application.id")
    reference = serializers.CharField(source="application.reference")
    status = serializers.CharField(source="application.status")
    deceased_name = serializers.CharField(source="application.cardholder.name")
    applicant_name = serializers.SerializerMethodField()
    my_share = serializers.CharField(source="share")
    joined = serializers.BooleanField()
    heirs = serializers.SerializerMethodField()

    def get_applicant_name(self, heir) -> str:
        applicant = heir.application.heirs.filter(is_applicant=True).first()
        return applicant.name if applicant else ""

    def get_heirs(self, heir) -> HeirSerializer(many=True):
        rows = heir_services.heir_rows(heir.application)
        return [
            {k: v for k, v in row.items() if k != "payouts"}
            for row in HeirSerializer(rows, many=True).data
        ]


class ApplicationListSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    reference = serializers.CharField()
    reason = serializers.ChoiceField(choices=Reason.choices)
    relationship = serializers.ChoiceField(choices=Relationship.choices)
    status = serializers.ChoiceField(choices=Status.choices)
    accounts = serializers.ListField(
        child=serializers.ChoiceField(choices=SCHEME_CHOICES), source="schemes"
    )
    amount = serializers.DecimalField(
        **MONEY, allow_null=True, help_text=_("The sum paid out, once approved.")
    )
    cardholder = ApplicationCardholderSerializer()
    created_at = serializers.DateTimeField()
    submitted_at = serializers.DateTimeField(allow_null=True)
    decided_at = serializers.DateTimeField(allow_null=True)


class ApplicationSerializer(ApplicationListSerializer):
    bank_name = serializers.CharField()
    bank_account_holder = serializers.CharField()
    bank_account_number = serializers.SerializerMethodField()
    decision = serializers.SerializerMethodField()
    reasons = serializers.SerializerMethodField(
        help_text=_(
            "While the application can still be changed: what stands in the way of "
            "submitting it, with the law behind each reason. Empty when nothing does."
        )
    )
    request_message = serializers.CharField(allow_blank=True)
    rejection_reason = serializers.CharField(allow_blank=True)
    how_to_contest = serializers.SerializerMethodField(
        help_text=_("How to contest the rejection (SIL Art. 83, 60 days); empty unless rejected.")
    )
    needs_notice = serializers.BooleanField()
    notice_confirmed_at = serializers.DateTimeField(allow_null=True)
    required_documents = serializers.ListField(child=serializers.CharField())
    documents = DocumentSerializer(many=True)
    timeline = serializers.SerializerMethodField()
    next_step = serializers.SerializerMethodField()
    heirs = serializers.SerializerMethodField()
    survivor_benefits = serializers.SerializerMethodField()
    pension_arrears = serializers.SerializerMethodField(
        help_text=_(
            "A deceased pensioner's pension months owed and not paid, paid to the heirs "
            "with the claim; null when there are none."
        )
    )

    work_death_lump_sums = serializers.SerializerMethodField(
        help_text=_(
            "The funeral and one-time subsidies of a death at work (WIR Art. 39), paid to "
            "the heirs with the claim; null when there are none."
        )
    )

    def get_work_death_lump_sums(self, application) -> WorkDeathLumpSumsSerializer(allow_null=True):
        sums = heir_services.work_death_lump_sums_of(application)
        if sums is None:
            return None
        return WorkDeathLumpSumsSerializer(
            {
                "recognition": sums.recognition,
                "died_on": sums.died_on,
                "funeral_subsidy": sums.funeral,
                "one_time_subsidy": sums.subsidy,
                "amount": sums.total,
                "status": "paid" if sums.paid else "owed",
                "legal_basis": str(sums.legal_basis),
            }
        ).data

    def get_pension_arrears(self, application) -> PensionArrearsSerializer(allow_null=True):
        owed = heir_services.pension_arrears_of(application)
        if owed is None:
            return None
        return PensionArrearsSerializer(
            {
                "months": [f"{month:%Y-%m}" for month in owed.months],
                "amount": owed.amount,
                "basic": owed.basic,
                "personal": owed.personal,
                "status": "paid" if owed.paid else "owed",
                "legal_basis": str(owed.legal_basis),
            }
        ).data

    def get_heirs(self, application) -> HeirSerializer(many=True):
        return HeirSerializer(heir_services.heir_rows(application), many=True).data

    def get_survivor_benefits(self, application) -> SurvivorBenefitsSerializer:
        return SurvivorBenefitsSerializer(
            {
                "funeral_grant": application.funeral_grant,
                "survivors_pension": application.survivors_pension,
                "status": heir_services.survivor_status(application),
            }
        ).data

    def get_bank_account_number(self, application) -> str:
        return mask_bank_account(application.bank_account_number)

    def get_decision(self, application) -> LastDecisionSerializer:
        return {
            "stage": application.decision_stage,
            "rules_version": application.rules_version,
            "codes": list(application.decision_codes or []),
        }

    def get_how_to_contest(self, application) -> str:
        return how_to_contest() if application.status == Status.REJECTED else ""

    def get_reasons(self, application) -> ReasonSerializer(many=True):
        reasons = self.context.get("reasons", {}).get(application.pk, ())
        return reasons_data(reasons)

    def get_timeline(self, application) -> EventSerializer(many=True):
        timeline = self.context.get("timelines", {}).get(application.pk)
        events = timeline.events if timeline else []
        for event in events:
            event.case = application
        return EventSerializer(events, many=True).data

    def get_next_step(self, application) -> str:
        timeline = self.context.get("timelines", {}).get(application.pk)
        return timeline.next_step if timeline else ""


class QueueItemSerializer(ApplicationListSerializer):
    applicant = serializers.CharField(source="applicant.get_full_name")


# --- claims about me ---------------------------------------------------------------------


class ClaimAboutMeSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    reference = serializers.CharField()
    reason = serializers.ChoiceField(choices=Reason.choices)
    status = serializers.ChoiceField(choices=Status.choices)
    submitted_at = serializers.DateTimeField(allow_null=True)
    applicant_name = serializers.CharField(help_text=_("The applicant's name, masked."))
    relationship = serializers.ChoiceField(choices=Relationship.choices)


class ContestSerializer(serializers.Serializer):
    note = serializers.CharField(max_length=2000, required=False, allow_blank=True)


class ResolveContestSerializer(serializers.Serializer):
    outcome = serializers.ChoiceField(choices=[("resume", "resume"), ("reject", "reject")])
    reason = serializers.CharField(max_length=2000)
