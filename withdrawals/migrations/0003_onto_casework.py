"""Withdrawal applications become the first kind of casework case.

Every row moves, keeping its id (so references, URLs and foreign keys stay):

- withdrawals_withdrawalapplication → casework_case (what every case has) and
  withdrawals_application (what only a withdrawal has, keyed by the case id);
- withdrawals_applicationevent → casework_event, the finished note text turned into a
  note code and its parameters where it is one the code wrote (in English or Chinese);
  anything else (staff's own words, unknown text) is kept as it was, as free text;
- withdrawals_supportingdocument → casework_document;
- withdrawals_eventnotification → casework_notification.

The old model names stay as proxies (admin pages and permissions keep their names).
The old tables are dropped by the next migration, once this one has committed.
"""

import re
from pathlib import Path

import django.db.models.deletion
import polib
from django.conf import settings
from django.core.management.color import no_style
from django.db import migrations, models
from django.utils import translation

KIND = "withdrawal"
BATCH = 2000

CASE_COLUMNS = (
    "reference, cardholder_id, applicant_id, status, rules_version, decision_stage, "
    "decision_codes, decisions, request_message, rejection_reason, verified_by_id, "
    "reviewed_by_id, approved_by_id, created_at, submitted_at, decided_at, updated_at, "
    "review_queued_at, review_attempts"
)
WITHDRAWAL_COLUMNS = (
    "reason, relationship, claims_pension, claims_medical, bank_name, bank_account_holder, "
    "bank_account_number, amount, payout_transaction_id, notice_shown_at, "
    "notice_confirmed_at, notice_confirmed_name, payout_sent_at"
)
DOCUMENT_COLUMNS = (
    "kind, stored_name, original_name, size, sha256, content_type, uploaded_by_id, "
    "uploaded_at, finding, finding_codes, finding_detail, reviewed_at, "
    "duplicate_of_other_cardholder"
)

# The notes the code wrote before, as their English messages (frozen here: the code's
# messages may change later, the old rows do not). Matched in every language of the
# site through the translation catalogue.
TEMPLATES = (
    ("started", "Application started."),
    ("submitted", "Submitted for review."),
    ("withdrawn", "Withdrawn by the applicant."),
    ("document_added", "Document added: %(kind)s."),
    ("document_removed", "Document removed: %(kind)s."),
    ("review_started", "Automated document check started."),
    (
        "review_finished",
        (
            "Automated document check finished: %(n)d checked, %(failed)d with problems.",
            "%(duplicates)d file(s) also used for another cardholder.",
        ),
    ),
    (
        "review_finished",
        "Automated document check finished: %(n)d checked, %(failed)d with problems.",
    ),
    ("review_requeued", "Document check queued again (it was taking too long)."),
    (
        "review_given_up",
        "The automatic document check did not finish after %(n)d rounds; it is not "
        "queued again. A staff member must look at it.",
    ),
    ("eligibility_refused", "Eligibility check (%(stage)s) refused: %(codes)s"),
    ("death_verified", "Death verified: died on %(date)s, certificate %(number)s."),
    (
        "emigration_verified",
        "Emigration verified: settled in %(country)s on %(date)s, certificate %(number)s; "
        "PRC nationality given up: %(given_up)s.",
    ),
    ("notice_confirmed", "Written notice read and confirmed by %(name)s."),
    ("approved", "Approved: %(amount)s yuan to be paid to %(holder)s."),
    ("payout_sent", "Sent to the bank for payment."),
    ("paid", "Paid: the bank confirmed the transfer."),
    ("payout_failed", "The bank could not make the payment."),
    ("bank_corrected", "Bank details corrected; the payment goes out with the next batch."),
)
# Never translated: the task name and the error are the program's own words.
TASK_GAVE_UP = re.compile(
    r"^Automatic (?P<task>\S+) gave up after (?P<retries>\d+) retries \((?P<error>[^)]*)\); "
    r"a staff member must look at it\.$"
)
DOCUMENT_KINDS = (
    ("death_certificate", "Death certificate"),
    ("heirship_proof", "Proof of heirship or kinship"),
    ("applicant_id", "Applicant's identity document"),
    ("exit_certificate", "Exit / overseas settlement certificate"),
    ("nationality_proof", "Proof of giving up PRC nationality"),
    ("other", "Other"),
)
# A status change whose note was the staff member's (or the bank's) own words.
TYPED_BY_STATUS = {
    "needs_documents": "documents_requested",
    "rejected": "rejected",
    "paid": "paid",
    "payout_failed": "payout_failed",
}
_PLACEHOLDER = re.compile(r"%\\\(([a-z_]+)\\\)([sd])")


def _pattern(text):
    def group(match):
        name, kind = match.groups()
        return rf"(?P<{name}>\d+)" if kind == "d" else rf"(?P<{name}>.+?)"

    return re.compile("^" + _PLACEHOLDER.sub(group, re.escape(text)) + "$", re.DOTALL)


def _text(template, translate=str):
    """A template (or sentences written one after another) in one language."""
    parts = template if isinstance(template, tuple) else (template,)
    return " ".join(translate(part) for part in parts)


def _catalogues():
    """One translate function per language of the site: the project's .po files
    (read directly, so the copy works whether or not they were compiled), then the
    compiled catalogues (Django's own words such as yes / no)."""
    found = {}
    for root in settings.LOCALE_PATHS:
        for po_path in Path(root).glob("*/LC_MESSAGES/django.po"):
            entries = {
                e.msgid: e.msgstr for e in polib.pofile(str(po_path)) if e.msgstr and not e.fuzzy
            }
            found[translation.to_language(po_path.parent.parent.name)] = entries
    for code, _name in settings.LANGUAGES:
        found.setdefault(code, {})

    def translator(language, entries):
        def translate(text):
            if text in entries:
                return entries[text]
            with translation.override(language):
                return translation.gettext(text)

        return translate

    return [translator(language, entries) for language, entries in found.items()]


def _matchers():
    """(code, regex) for every old note in every language, and the words that stood
    for document kinds and yes / no."""
    patterns, kinds, yes = [], {}, {}
    for translate in _catalogues():
        for code, text in TEMPLATES:
            patterns.append((code, _pattern(_text(text, translate))))
        for value, label in DOCUMENT_KINDS:
            kinds[translate(label)] = value
        yes[translate("yes")] = True
        yes[translate("no")] = False
    for code, text in TEMPLATES:
        patterns.append((code, _pattern(_text(text))))
    for value, label in DOCUMENT_KINDS:
        kinds[label] = value
    yes.update({"yes": True, "no": False})
    return patterns, kinds, yes


def convert_note(note, old_status, new_status, matchers):
    """(code, params) of an old note text."""
    text = (note or "").strip()
    if not text:
        return "", {}
    patterns, kinds, yes = matchers
    for code, pattern in patterns:
        match = pattern.match(text)
        if match is None:
            continue
        params = match.groupdict()
        if code in ("document_added", "document_removed"):
            if params["kind"] not in kinds:
                continue
            params["kind"] = kinds[params["kind"]]
        if code == "emigration_verified":
            if params["given_up"] not in yes:
                continue
            params["given_up"] = yes[params["given_up"]]
        if code == "eligibility_refused":
            params["codes"] = [c.strip() for c in params["codes"].split(",") if c.strip()]
        for name in ("n", "failed", "duplicates"):
            if name in params:
                params[name] = int(params[name])
        return code, params
    match = TASK_GAVE_UP.match(text)
    if match is not None:
        params = match.groupdict()
        params["retries"] = int(params["retries"])
        return "task_gave_up", params
    if old_status != new_status and new_status in TYPED_BY_STATUS:
        return TYPED_BY_STATUS[new_status], {"text": note}
    return "text", {"text": note}


def copy_rows(apps, schema_editor):
    connection = schema_editor.connection
    with connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO casework_case (id, kind, {CASE_COLUMNS}) "
            f"SELECT id, %s, {CASE_COLUMNS} FROM withdrawals_withdrawalapplication",
            [KIND],
        )
        cursor.execute(
            f"INSERT INTO withdrawals_application (case_ptr_id, {WITHDRAWAL_COLUMNS}) "
            f"SELECT id, {WITHDRAWAL_COLUMNS} FROM withdrawals_withdrawalapplication"
        )
        cursor.execute(
            f"INSERT INTO casework_document (id, case_id, {DOCUMENT_COLUMNS}) "
            f"SELECT id, application_id, {DOCUMENT_COLUMNS} FROM withdrawals_supportingdocument"
        )
    _copy_events(apps, connection)
    with connection.cursor() as cursor:
        cursor.execute(
            "INSERT INTO casework_notification (id, event_id, recipient, sent_at) "
            "SELECT id, event_id, recipient, sent_at FROM withdrawals_eventnotification"
        )
    models_moved = [
        apps.get_model("casework", name) for name in ("Case", "Event", "Document", "Notification")
    ]
    statements = connection.ops.sequence_reset_sql(no_style(), models_moved)
    if statements:
        with connection.cursor() as cursor:
            for statement in statements:
                cursor.execute(statement)


def _copy_events(apps, connection):
    # Raw INSERTs: the ORM would stamp created_at (auto_now_add) with the present time.
    params_field = apps.get_model("casework", "Event")._meta.get_field("note_params")
    matchers = _matchers()
    last = 0
    while True:
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT id, application_id, actor_id, created_at, old_status, new_status, "
                "note, ip_address FROM withdrawals_applicationevent WHERE id > %s "
                "ORDER BY id LIMIT %s",
                [last, BATCH],
            )
            rows = cursor.fetchall()
        if not rows:
            return
        values = []
        for pk, case_id, actor_id, created_at, old, new, note, ip_address in rows:
            code, params = convert_note(note, old, new, matchers)
            values.append(
                (
                    pk,
                    case_id,
                    KIND,
                    actor_id,
                    created_at,
                    old,
                    new,
                    code,
                    params_field.get_db_prep_save(params, connection),
                    ip_address,
                )
            )
        with connection.cursor() as cursor:
            cursor.executemany(
                "INSERT INTO casework_event (id, case_id, kind, actor_id, created_at, "
                "old_status, new_status, note_code, note_params, ip_address) "
                "VALUES (%s, %s, %s, %s, %s, %s, %s, %s, %s, %s)",
                values,
            )
        last = rows[-1][0]


def _old_note(code, params, labels):
    """The English text of a note code (going back to the old tables)."""
    params = dict(params or {})
    if code in ("", None):
        return ""
    if "text" in params and (code not in dict(TEMPLATES) or params["text"]):
        return params["text"]
    if code == "task_gave_up":
        return (
            f"Automatic {params.get('task')} gave up after {params.get('retries')} retries "
            f"({params.get('error')}); a staff member must look at it."
        )
    if "kind" in params:
        params["kind"] = labels.get(params["kind"], params["kind"])
    if "given_up" in params:
        params["given_up"] = "yes" if params["given_up"] else "no"
    if "codes" in params:
        params["codes"] = ", ".join(params["codes"])
    for template_code, text in TEMPLATES:
        if template_code != code:
            continue
        if isinstance(text, tuple) and not params.get("duplicates"):
            continue
        try:
            return _text(text) % params
        except (KeyError, TypeError, ValueError):
            continue
    return str(params)


def copy_back(apps, schema_editor):
    """Undo: put every row back into the old tables and empty casework's."""
    connection = schema_editor.connection
    Event = apps.get_model("casework", "Event")
    labels = dict(DOCUMENT_KINDS)
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
        columns = ", ".join(f"c.{name.strip()}" for name in CASE_COLUMNS.split(","))
        kind_columns = ", ".join(f"w.{name.strip()}" for name in WITHDRAWAL_COLUMNS.split(","))
        cursor.execute(
            f"INSERT INTO withdrawals_withdrawalapplication (id, {CASE_COLUMNS}, "
            f"{WITHDRAWAL_COLUMNS}) SELECT c.id, {columns}, {kind_columns} "
            "FROM casework_case c JOIN withdrawals_application w ON w.case_ptr_id = c.id"
        )
        cursor.execute(
            f"INSERT INTO withdrawals_supportingdocument (id, application_id, "
            f"{DOCUMENT_COLUMNS}) SELECT id, case_id, {DOCUMENT_COLUMNS} "
            "FROM casework_document WHERE case_id IN (SELECT case_ptr_id FROM "
            "withdrawals_application)"
        )
    rows = []
    for event in Event.objects.filter(kind=KIND).order_by("id").iterator():
        rows.append(
            (
                event.id,
                event.case_id,
                event.actor_id,
                event.created_at,
                event.old_status,
                event.new_status,
                _old_note(event.note_code, event.note_params, labels),
                event.ip_address,
            )
        )
    created = apps.get_model("casework", "Event")._meta.get_field("created_at")
    with connection.cursor() as cursor:
        cursor.executemany(
            "INSERT INTO withdrawals_applicationevent (id, application_id, actor_id, "
            "created_at, old_status, new_status, note, ip_address) "
            "VALUES (%s, %s, %s, %s, %s, %s, %s, %s)",
            [
                (r[0], r[1], r[2], created.get_db_prep_save(r[3], connection), *r[4:])
                for r in rows
            ],
        )
        cursor.execute(
            "INSERT INTO withdrawals_eventnotification (id, event_id, recipient, sent_at) "
            "SELECT n.id, n.event_id, n.recipient, n.sent_at FROM casework_notification n "
            "JOIN casework_event e ON e.id = n.event_id WHERE e.kind = %s",
            [KIND],
        )
        cursor.execute(
            "DELETE FROM casework_notification WHERE event_id IN "
            "(SELECT id FROM casework_event WHERE kind = %s)",
            [KIND],
        )
        if connection.vendor == "postgresql":
            cursor.execute("ALTER TABLE casework_event DISABLE TRIGGER casework_event_append_only")
        cursor.execute("DELETE FROM casework_event WHERE kind = %s", [KIND])
        if connection.vendor == "postgresql":
            cursor.execute("ALTER TABLE casework_event ENABLE TRIGGER casework_event_append_only")
        cursor.execute(
            "DELETE FROM casework_document WHERE case_id IN "
            "(SELECT id FROM casework_case WHERE kind = %s)",
            [KIND],
        )
        cursor.execute("DELETE FROM withdrawals_application")
        cursor.execute("DELETE FROM casework_case WHERE kind = %s", [KIND])
    _reset_old_sequences(connection)


def _reset_old_sequences(connection):
    if connection.vendor != "postgresql":
        return
    with connection.cursor() as cursor:
        for table in (
            "withdrawals_withdrawalapplication",
            "withdrawals_applicationevent",
            "withdrawals_supportingdocument",
            "withdrawals_eventnotification",
        ):
            cursor.execute(
                f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), "
                f"COALESCE(MAX(id), 1), MAX(id) IS NOT NULL) FROM {table}"
            )


class Migration(migrations.Migration):
    dependencies = [
        ("accounts", "0007_hot_balances_and_admin_filter_indexes"),
        ("casework", "0002_event_append_only"),
        ("withdrawals", "0002_event_append_only"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        # The old tables stay (for the copy below) but leave the project's state.
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.DeleteModel(name="EventNotification"),
                migrations.DeleteModel(name="ApplicationEvent"),
                migrations.DeleteModel(name="SupportingDocument"),
                migrations.DeleteModel(name="WithdrawalApplication"),
            ],
        ),
        migrations.CreateModel(
            name="WithdrawalApplication",
            fields=[
                (
                    "case_ptr",
                    models.OneToOneField(
                        auto_created=False,
                        on_delete=django.db.models.deletion.CASCADE,
                        parent_link=True,
                        primary_key=True,
                        related_name="+",
                        serialize=False,
                        to="casework.case",
                    ),
                ),
                (
                    "reason",
                    models.CharField(
                        choices=[
                            ("death", "The cardholder has died"),
                            ("emigration", "The cardholder has emigrated and settled abroad"),
                        ],
                        max_length=20,
                        verbose_name="reason",
                    ),
                ),
                (
                    "relationship",
                    models.CharField(
                        choices=[
                            ("self", "I am the cardholder"),
                            ("spouse", "Spouse"),
                            ("child", "Child"),
                            ("parent", "Parent"),
                            ("sibling", "Brother or sister"),
                            ("grandparent", "Grandparent"),
                            ("other_heir", "Other legal heir"),
                        ],
                        max_length=20,
                        verbose_name="relationship to the cardholder",
                    ),
                ),
                (
                    "claims_pension",
                    models.BooleanField(
                        default=False, verbose_name="claims the pension personal account"
                    ),
                ),
                (
                    "claims_medical",
                    models.BooleanField(
                        default=False, verbose_name="claims the medical personal account"
                    ),
                ),
                ("bank_name", models.CharField(max_length=100, verbose_name="bank")),
                (
                    "bank_account_holder",
                    models.CharField(max_length=100, verbose_name="account holder"),
                ),
                (
                    "bank_account_number",
                    models.CharField(max_length=40, verbose_name="bank account number"),
                ),
                (
                    "amount",
                    models.DecimalField(
                        blank=True,
                        decimal_places=2,
                        max_digits=14,
                        null=True,
                        verbose_name="amount paid out",
                    ),
                ),
                (
                    "notice_shown_at",
                    models.DateTimeField(blank=True, null=True, verbose_name="notice shown at"),
                ),
                (
                    "notice_confirmed_at",
                    models.DateTimeField(
                        blank=True, null=True, verbose_name="notice confirmed at"
                    ),
                ),
                (
                    "notice_confirmed_name",
                    models.CharField(
                        blank=True, max_length=100, verbose_name="name typed to confirm the notice"
                    ),
                ),
                (
                    "payout_sent_at",
                    models.DateTimeField(blank=True, null=True, verbose_name="sent to the bank at"),
                ),
                (
                    "payout_transaction",
                    models.ForeignKey(
                        blank=True,
                        null=True,
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="withdrawal_applications",
                        to="accounts.ledgertransaction",
                    ),
                ),
            ],
            options={
                "verbose_name": "withdrawal application",
                "verbose_name_plural": "withdrawal applications",
                "db_table": "withdrawals_application",
                "ordering": ["-case_ptr_id"],
                "permissions": [
                    ("review_application", "Can review withdrawal applications"),
                    ("verify_life_event", "Can verify a death or an emigration"),
                    ("approve_application", "Can approve withdrawal applications"),
                    ("manage_payouts", "Can export payout batches and import bank results"),
                ],
                "constraints": [
                    models.CheckConstraint(
                        condition=models.Q(
                            ("claims_pension", True), ("claims_medical", True), _connector="OR"
                        ),
                        name="withdrawal_claims_an_account",
                    ),
                    models.CheckConstraint(
                        condition=models.Q(
                            ("amount__isnull", True), ("amount__gt", 0), _connector="OR"
                        ),
                        name="withdrawal_amount_positive",
                    ),
                ],
            },
            bases=("casework.case",),
        ),
        migrations.CreateModel(
            name="ApplicationEvent",
            fields=[],
            options={
                "verbose_name": "application event",
                "verbose_name_plural": "application events",
                "proxy": True,
                "indexes": [],
                "constraints": [],
            },
            bases=("casework.event",),
        ),
        migrations.CreateModel(
            name="EventNotification",
            fields=[],
            options={
                "verbose_name": "notification sent",
                "verbose_name_plural": "notifications sent",
                "proxy": True,
                "indexes": [],
                "constraints": [],
            },
            bases=("casework.notification",),
        ),
        migrations.CreateModel(
            name="SupportingDocument",
            fields=[],
            options={
                "verbose_name": "supporting document",
                "verbose_name_plural": "supporting documents",
                "proxy": True,
                "indexes": [],
                "constraints": [],
            },
            bases=("casework.document",),
        ),
        migrations.RunPython(copy_rows, copy_back),
    ]
