"""The approval rule on heirs, pure: every heir confirmed (or a certificate or judgment
names the payees), every joined heir identified."""

import pytest

from withdrawals import heirs
from withdrawals.heirs import HeirStanding, approval_reasons

JOINED = HeirStanding("0011", joined=True, identity_verified=True)
UNCHECKED = HeirStanding("0022", joined=True, identity_verified=False)
ABSENT = HeirStanding("0033", joined=False, identity_verified=False)


@pytest.mark.parametrize(
    "standing, proofs, codes",
    [
        ([JOINED], frozenset(), []),
        ([JOINED, ABSENT], frozenset(), [heirs.HEIR_NOT_JOINED]),
        ([JOINED, ABSENT], frozenset({heirs.HEIRS_AGREEMENT}), [heirs.HEIR_NOT_JOINED]),
        ([JOINED, ABSENT], frozenset({heirs.INHERITANCE_CERTIFICATE}), []),
        ([JOINED, ABSENT], frozenset({heirs.COURT_JUDGMENT}), []),
        ([UNCHECKED], frozenset({heirs.COURT_JUDGMENT}), [heirs.HEIR_IDENTITY_NOT_VERIFIED]),
    ],
)
def test_approval_reasons(standing, proofs, codes):
    reasons = approval_reasons(standing, proofs)
    assert [r.code for r in reasons] == codes
    assert all(r.legal_basis == heirs.LAW_PROOF for r in reasons)


def test_the_message_names_the_heir_by_the_tail_of_the_id_number():
    (reason,) = approval_reasons([ABSENT], frozenset())
    assert "0033" in reason.message()
