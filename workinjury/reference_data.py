"""The regional work-injury funds the demo regions pay from: set up as data, so that
a payment never creates the fund it needs (accounts.ledger.fund_account)."""

from pensions.reference_data import FUND_REGIONS


def ensure_work_injury_funds(account_model):
    from accounts.models import fund_code

    for region in FUND_REGIONS:
        account_model.objects.get_or_create(
            kind="system", system_code=fund_code("work_injury", region), defaults={"scheme": ""}
        )
