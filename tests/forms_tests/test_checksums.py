import datetime as dt

from forms.checksums import id_card_check_char, id_card_problem, uscc_check_char, uscc_problem


def test_the_commonly_cited_id_number_is_valid_and_its_check_character_is_x():
    assert id_card_check_char("11010519491231002") == "X"
    assert id_card_problem("11010519491231002X") is None


def test_an_id_number_with_a_wrong_check_character_is_refused():
    assert id_card_problem("110105194912310021") == "check"


def test_id_numbers_computed_by_our_own_checksum_are_valid():
    for first17 in ("44078419850615123", "44078420000229456", "32010619990101001"):
        number = first17 + id_card_check_char(first17)
        assert id_card_problem(number) is None


def test_an_id_number_with_an_impossible_or_future_birth_date_is_refused():
    impossible = "44078420010230123"  # 30 February
    future = "440784" + (dt.date.today() + dt.timedelta(days=400)).strftime("%Y%m%d") + "123"
    assert id_card_problem(impossible + id_card_check_char(impossible)) == "birth_date"
    assert id_card_problem(future + id_card_check_char(future)) == "birth_date"


def test_id_numbers_of_the_wrong_shape_are_refused():
    for bad in ("", "1101051949123100", "01010519491231002X", "11010519491231002Y", "1101051949123100X2"):
        assert id_card_problem(bad) == "format"


def test_the_commonly_cited_credit_code_is_valid():
    assert uscc_check_char("91350100M000100Y4") == "3"
    assert uscc_problem("91350100M000100Y43") is None


def test_a_credit_code_with_a_wrong_check_character_is_refused():
    assert uscc_problem("91350100M000100Y44") == "check"


def test_a_credit_code_whose_check_is_the_zero_symbol_round_trips():
    # Search for a body whose MOD 31 check is 0, the edge of (31 - sum % 31) % 31.
    for n in range(1000):
        body = f"9144078{n:03d}MA4W0AB"[:17]
        if uscc_check_char(body) == "0":
            assert uscc_problem(body + "0") is None
            break
    else:
        raise AssertionError("no body with check 0 found in range")


def test_credit_codes_with_forbidden_letters_or_wrong_length_are_refused():
    for bad in ("91350100M000100Y4", "91350100M000100YI3", "9135010OM000100Y43", "913501A0M000100Y43"):
        assert uscc_problem(bad) == "format"
