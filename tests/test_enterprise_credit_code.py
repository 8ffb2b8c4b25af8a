"""统一社会信用代码 check character (GB 32100-2015)."""
import pytest

from workflow_service.modules.system.codes import (check_character, credit_code_problem,
                                                              is_valid_credit_code, make_credit_code)


@pytest.mark.parametrize("code", ["91350100M000100Y43", "91110000600037341L", "911100001000280016",
                                  " 91350100m000100y43 "])
def test_published_codes_are_valid(code):
    assert credit_code_problem(code) is None


def test_one_mistyped_character_is_caught_with_the_expected_check_character():
    problem = credit_code_problem("91350100M000100Y44")
    assert "校验位错误" in problem and "“3”" in problem


@pytest.mark.parametrize("code, words", [
    ("", "不能为空"), ("9135010", "18 位"), ("91350100M00010OY43", "不允许的字符"),
    ("B1350100M000100Y43", "登记管理部门代码"), ("913501A0M000100Y4X", "行政区划代码"),
])
def test_malformed_codes_are_refused_with_a_reason(code, words):
    assert words in credit_code_problem(code)


def test_every_single_character_substitution_is_detected():
    code = "91350100M000100Y43"
    for i in range(17):
        for c in "0123456789ABCDEFGHJKLMNPQRTUWXY":
            if c != code[i]:
                changed = code[:i] + c + code[i + 1:]
                assert not is_valid_credit_code(changed), changed


def test_make_credit_code_appends_the_check_character():
    assert make_credit_code("91350100M000100Y4") == "91350100M000100Y43"
    assert check_character("91110000600037341") == "L"
