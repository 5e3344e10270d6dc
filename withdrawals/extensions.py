"""What the withdrawals app adds to accounts' pages and API (see accounts.extensions)."""

from accounts.extensions import AccountRow, Banner
from withdrawals.eligibility import AccountFacts, withdrawable
from withdrawals.selectors import own_accounts_with_claims


def own_account_rows(user):
    """The account list with, per account, whether it could be paid out: the accounts
    and their open claims in one query."""
    return [
        AccountRow(
            account.id,
            account.scheme,
            account.kind,
            account.balance,
            account.status,
            withdrawable=withdrawable(
                AccountFacts(
                    scheme=account.scheme,
                    kind=account.kind,
                    status=account.status,
                    balance=account.balance,
                    claimed_elsewhere=account.claimed,
                )
            ),
        )
        for account in own_accounts_with_claims(user)
    ]


def claims_about_me_banner(request):
    """The overview's banner when death claims name the user (counted at login into
    the session by `claims_about_me.count_at_login`)."""
    count = request.session.get("claims_about_me", 0) if hasattr(request, "session") else 0
    if not count:
        return None
    return Banner("withdrawals/includes/claims_about_me_banner.html", {"count": count})
