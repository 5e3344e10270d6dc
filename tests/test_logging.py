"""National ID numbers never reach the logs in full."""

import logging

from sscard.log_filters import MaskingFormatter, mask_ids


def test_mask_ids_keeps_first_six_and_last_four():
    assert mask_ids("id=11010519491231002X ok") == "id=110105********002X ok"
    assert mask_ids("440524188001010014,44030519560308004x") == (
        "440524********0014,440305********004x"
    )


def test_mask_ids_leaves_other_numbers_alone():
    text = "amount 1234567.89, card A10000001, order 12345678901234567890"
    assert mask_ids(text) == text


def test_configured_log_output_is_masked_including_tracebacks(capsys):
    handler = logging.StreamHandler()
    handler.setFormatter(MaskingFormatter("%(levelname)s %(message)s"))
    logger = logging.getLogger("sscard.test.masking")
    logger.addHandler(handler)
    try:
        try:
            raise ValueError("no cardholder 110105198503150019")
        except ValueError:
            logger.exception("lookup failed for %s", "310104199007220028")
    finally:
        logger.removeHandler(handler)
    err = capsys.readouterr().err
    assert "110105198503150019" not in err
    assert "310104199007220028" not in err
    assert "110105********0019" in err
    assert "310104********0028" in err
