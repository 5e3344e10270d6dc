"""The Civil Code's heirs and shares (withdrawals.heirs), and dividing money by them."""

from decimal import Decimal
from fractions import Fraction

import pytest

from withdrawals import heirs as h

DECEASED = "deceased"


def heir(key, relationship, share="1/2"):
    return h.Heir(key=key, relationship=relationship, share=h.parse_share(share), id_tail=key[-4:])


def estate(*declared, applicant="a", proofs=(h.INHERITANCE_CERTIFICATE,)):
    return h.Estate(DECEASED, applicant, tuple(declared), frozenset(proofs))


def codes(*declared, **kwargs):
    return h.evaluate(estate(*declared, **kwargs)).codes


def test_spouse_and_child_with_certificate_inherit_half_each():
    decision = h.evaluate(estate(heir("a", h.SPOUSE), heir("b", h.CHILD)))
    assert decision.allowed
    assert decision.reasons == ()


def test_a_sibling_beside_a_spouse_is_refused_under_article_1127():
    decision = h.evaluate(estate(heir("a", h.SIBLING), heir("b", h.SPOUSE)))
    assert decision.codes == (h.SECOND_ORDER_BESIDE_FIRST,)
    assert decision.reasons[0].legal_basis == h.LAW_ORDER


def test_a_sibling_inherits_when_the_first_order_renounced():
    assert (
        codes(heir("a", h.SIBLING), heir("b", h.SPOUSE), proofs=(h.HEIRS_AGREEMENT, h.RENUNCIATION))
        == ()
    )


def test_second_order_alone_inherits():
    assert codes(heir("a", h.SIBLING), heir("b", h.GRANDPARENT)) == ()


def test_grandchildren_represent_a_predeceased_child_only_with_that_death_proved():
    declared = (heir("a", h.SPOUSE), heir("b", h.GRANDCHILD, "1/4"), heir("c", h.GRANDCHILD, "1/4"))
    assert codes(*declared, proofs=(h.HEIRS_AGREEMENT,)) == (h.REPRESENTATION_UNPROVEN,)
    assert codes(*declared, proofs=(h.HEIRS_AGREEMENT, h.PREDECEASED_CHILD_DEATH)) == ()


def test_grandchildren_sharing_a_parents_half_do_not_count_as_unequal_shares():
    declared = (heir("a", h.SPOUSE), heir("b", h.GRANDCHILD, "1/4"), heir("c", h.GRANDCHILD, "1/4"))
    assert codes(*declared, proofs=(h.NO_OTHER_HEIR, h.PREDECEASED_CHILD_DEATH)) == (
        h.HEIRSHIP_UNPROVEN,
    )
    decision = h.evaluate(estate(*declared, proofs=(h.PREDECEASED_CHILD_DEATH, h.WILL)))
    assert h.UNEQUAL_SHARES_UNPROVEN not in decision.codes


def test_a_will_heir_needs_the_will():
    declared = (heir("a", h.TESTAMENTARY, "1"),)
    assert codes(*declared) == (h.WILL_HEIR_WITHOUT_WILL,)
    assert codes(*declared, proofs=(h.WILL,)) == ()


@pytest.mark.parametrize(
    ("shares", "total"), [(("1/2", "1/3"), "5/6"), (("1/2", "2/3"), "7/6"), (("1", "1"), "2")]
)
def test_shares_that_do_not_make_the_whole_are_refused_with_their_total(shares, total):
    decision = h.evaluate(estate(heir("a", h.SPOUSE, shares[0]), heir("b", h.CHILD, shares[1])))
    assert decision.codes == (h.SHARES_NOT_WHOLE,)
    assert dict(decision.reasons[0].params) == {"total": total}
    assert total in decision.reasons[0].message()


def test_unequal_shares_need_an_agreement_or_other_share_proof():
    declared = (heir("a", h.SPOUSE, "2/3"), heir("b", h.CHILD, "1/3"))
    assert codes(*declared, proofs=()) == (h.UNEQUAL_SHARES_UNPROVEN, h.HEIRSHIP_UNPROVEN)
    for proof in h.SHARE_PROOFS:
        assert codes(*declared, proofs=(proof,)) == ()


def test_a_single_heir_may_declare_there_is_no_other():
    assert codes(heir("a", h.CHILD, "1"), proofs=(h.NO_OTHER_HEIR,)) == ()
    assert codes(heir("a", h.CHILD, "1"), proofs=()) == (h.HEIRSHIP_UNPROVEN,)
    # Two heirs cannot each declare there is no other.
    assert codes(heir("a", h.CHILD), heir("b", h.CHILD), proofs=(h.NO_OTHER_HEIR,)) == (
        h.HEIRSHIP_UNPROVEN,
    )


def test_an_heir_declared_twice_the_deceased_and_an_absent_applicant_each_have_a_code():
    assert codes(heir("a", h.SPOUSE), heir("a", h.CHILD)) == (h.HEIR_DECLARED_TWICE,)
    assert codes(heir("a", h.SPOUSE), heir(DECEASED, h.CHILD)) == (h.HEIR_IS_DECEASED,)
    assert codes(heir("b", h.SPOUSE), heir("c", h.CHILD)) == (h.APPLICANT_NOT_DECLARED,)
    assert codes(heir("a", "neighbour"), heir("b", h.CHILD)) == (h.RELATIONSHIP_UNKNOWN,)
    assert codes() == (h.NO_HEIRS,)


def test_a_share_of_nothing_is_refused():
    assert codes(heir("a", h.SPOUSE, "1"), heir("b", h.CHILD, "0")) == (h.SHARE_NOT_POSITIVE,)


@pytest.mark.parametrize("text", ["", "half", "1/0", "-1/2", "1.5", "1/", "/2", "½"])
def test_a_share_that_is_not_a_fraction_is_refused(text):
    with pytest.raises(ValueError, match=h.SHARE_INVALID):
        h.parse_share(text)


def test_shares_read_and_print_as_fractions():
    assert h.parse_share(" 2/4 ") == Fraction(1, 2)
    assert h.format_share(Fraction(1, 2)) == "1/2"
    assert h.format_share(Fraction(1)) == "1"
    assert h.equal_shares(3) == [Fraction(1, 3)] * 3


def test_every_code_has_a_message():
    assert set(h.MESSAGES) == set(h.CODES)
    for basis in (h.LAW_ORDER, h.LAW_REPRESENTATION, h.LAW_SHARES, h.LAW_WILL, h.LAW_PROOF):
        assert basis in h.LEGAL_BASIS_TEXTS


@pytest.mark.parametrize(
    ("amount", "shares", "parts"),
    [
        ("100.00", ["1/3", "1/3", "1/3"], ["33.34", "33.33", "33.33"]),
        ("0.01", ["1/2", "1/2"], ["0.01", "0.00"]),
        ("71299.30", ["1/2", "1/2"], ["35649.65", "35649.65"]),
        ("10.00", ["1/6", "1/2", "1/3"], ["1.67", "5.00", "3.33"]),
        ("0.00", ["1"], ["0.00"]),
    ],
)
def test_split_leaves_no_fen_unassigned_and_gives_the_remainder_to_the_first(amount, shares, parts):
    result = h.split(Decimal(amount), [h.parse_share(share) for share in shares])
    assert result == [Decimal(part) for part in parts]
    assert sum(result) == Decimal(amount)


def test_split_refuses_shares_that_are_not_the_whole():
    with pytest.raises(ValueError, match=h.SHARES_NOT_WHOLE):
        h.split(Decimal("10"), [Fraction(1, 2)])
