"""What the withdrawals app adds to accounts' pages and API (see accounts.extensions)."""

from accounts import user_reads
from accounts.extensions import AccountRow, Banner
from accounts.models import Account
from withdrawals.eligibility import AccountFacts, withdrawable
from withdrawals.selectors import claimed_schemes


def own_account_rows(user):
    """The account list with, per account, whether it could be paid out: the accounts
    and the claims that hold them come with the user's one query."""
    user = user_reads.read_with_versions(user)
    if user is None:
        return []
    claimed = claimed_schemes(user)
    return [
        AccountRow(
            version.id,
            version.scheme,
            version.kind,
            version.balance,
            version.status,
            withdrawable=withdrawable(
                AccountFacts(
                    scheme=version.scheme,
                    kind=version.kind,
                    status=version.status,
                    balance=version.balance,
                    claimed_elsewhere=version.kind == Account.Kind.PERSONAL
                    and version.scheme in claimed,
                )
            ),
        )
        for version in user_reads.account_versions(user)
        if version.kind != Account.Kind.SYSTEM
    ]


def claims_about_me_banner(request):
    """The overview's banner when death claims name the user (counted at login into
    the session by `claims_about_me.count_at_login`)."""
    count = request.session.get("claims_about_me", 0) if hasattr(request, "session") else 0
    if not count:
        return None
    return Banner("withdrawals/includes/claims_about_me_banner.html", {"count": count})
