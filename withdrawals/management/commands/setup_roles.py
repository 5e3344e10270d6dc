"""Create (or bring up to date) the staff groups: reviewer, approver, auditor, the
work-injury appraisal committee, and the employer logins' group."""

from django.apps import apps
from django.contrib.auth.management import create_permissions
from django.contrib.auth.models import Group, Permission
from django.core.management.base import BaseCommand
from django.db import transaction

APPS = (
    "accounts",
    "withdrawals",
    "pensions",
    "benefits",
    "maternity",
    "workinjury",
    "cards",
    "corrections",
)
VIEW_WORK = [
    "withdrawals.view_withdrawalapplication",
    "withdrawals.view_supportingdocument",
    "withdrawals.view_applicationevent",
    "withdrawals.view_noheirrecord",
    "withdrawals.view_heirnoticeperiod",
    "accounts.view_cardholder",
    "accounts.view_account",
    "pensions.view_retirementclaim",
    "pensions.view_livingcheckconfirmation",
    "pensions.view_relativelivingcheck",
    "maternity.view_maternityclaim",
    "maternity.view_employeraveragewage",
    "workinjury.view_injuryrecognition",
    "workinjury.view_labourcapacityappraisal",
    "workinjury.view_injuryallowancepayment",
    "workinjury.view_workdeathbenefit",
    "workinjury.view_workdeathdependant",
    "workinjury.view_workdeathpensionpayment",
    "workinjury.view_nationaldisposableincome",
    "cards.view_cardreplacement",
    "corrections.view_recordcorrection",
    "benefits.view_unemploymentclaim",
    "benefits.view_benefitpayment",
    "benefits.view_skillsubsidyclaim",
    "benefits.view_trainingapplication",
    "benefits.view_trainingcourse",
    "benefits.view_subsidypayment",
    "benefits.view_qualification",
]
ROLES = {
    "reviewer": [
        *VIEW_WORK,
        "withdrawals.review_application",
        "withdrawals.verify_life_event",
        "pensions.review_retirementclaim",
        "pensions.record_livingcheck",
        "maternity.review_maternityclaim",
        "workinjury.review_injuryrecognition",
        "cards.review_cardreplacement",
        "corrections.review_recordcorrection",
        "benefits.review_unemploymentclaim",
        "benefits.review_skillsubsidyclaim",
        # The training catalogue, and confirming enrolments and completions.
        "benefits.add_trainingcourse",
        "benefits.change_trainingcourse",
        "benefits.review_trainingapplication",
    ],
    "approver": [
        *VIEW_WORK,
        "withdrawals.approve_application",
        "withdrawals.manage_payouts",
        "pensions.approve_retirementclaim",
        # Correcting the bank account a pension in payment is paid to.
        "pensions.change_retirementclaim",
        "pensions.confirm_livingcheck",
        "maternity.approve_maternityclaim",
        "workinjury.decide_injuryrecognition",
        "cards.issue_cardreplacement",
        "corrections.decide_recordcorrection",
        "benefits.approve_unemploymentclaim",
        "benefits.approve_skillsubsidyclaim",
    ],
    # Reads the claims and the money, nothing else: not the logins, not the API keys,
    # not the e-mails sent, and never full ID numbers (view_full_national_id is a
    # "view_" permission too, which is why the list is written out).
    "auditor": [
        *VIEW_WORK,
        "accounts.view_ledgertransaction",
        "accounts.view_ledgerentry",
        "accounts.view_contribution",
        "accounts.view_contributionrate",
        "accounts.view_settlement",
        "accounts.view_employer",
        "accounts.view_institution",
        "accounts.view_recordchange",
    ],
    # The labour-capacity appraisal committee (WIR Art. 23-25): reads the recognised
    # injuries and records the conclusion of an appraisal, nothing else.
    "appraisal_committee": [
        "workinjury.view_injuryrecognition",
        "workinjury.view_labourcapacityappraisal",
        "workinjury.conclude_labourcapacityappraisal",
    ],
    # Employer logins (accounts.EmployerLogin), not staff: they file work-injury
    # recognitions for their own workers; their pages check the rest.
    "employer": ["workinjury.file_for_employer"],
}


def _perm(name):
    app_label, codename = name.split(".")
    return Permission.objects.get(content_type__app_label=app_label, codename=codename)


class Command(BaseCommand):
    help = (
        "Create the reviewer, approver, auditor and appraisal_committee groups with their "
        "permissions (idempotent)."
        "Create the reviewer, approver, auditor and employer groups with their permissions "
        "(idempotent)."
    )

    @transaction.atomic
    def handle(self, *args, **options):
        for label in APPS:
            create_permissions(apps.get_app_config(label), verbosity=0)
        wanted = {role: [_perm(name) for name in names] for role, names in ROLES.items()}
        for role, perms in wanted.items():
            group, created = Group.objects.get_or_create(name=role)
            group.permissions.set(perms)
            self.stdout.write(
                f"{role}: {'created' if created else 'updated'}, {len(perms)} permissions"
            )
