"""Redaction (脱敏) of each kind of personal data, without a database."""
from __future__ import annotations

import pytest

from workflow_service.modules.disclosure.redaction import (ACCOUNT_TOKEN, ADDRESS_TOKEN, ID_TOKEN, PHONE_TOKEN,
                                                           Redactor, masked_name)

PARTY = "楚雄某化工有限公司"
CODE = "91532301MA6K1234XB"


def redact(text, **kwargs):
    redactor = Redactor(party_name=PARTY, credit_code=CODE, **kwargs)
    return redactor.redact(text), redactor.counts


@pytest.mark.parametrize("value, token", [
    ("53230119851012341X", ID_TOKEN),        # 18 digits with the X check digit
    ("53230119851012341x", ID_TOKEN),
    ("532301198510123412", ID_TOKEN),
    ("532301851012341", ID_TOKEN),           # the old 15-digit card
    ("13987654321", PHONE_TOKEN),
    ("139-8765-4321", PHONE_TOKEN),
    ("+86 139 8765 4321", PHONE_TOKEN),
    ("0878-3123456", PHONE_TOKEN),
    ("(0871)65123456", PHONE_TOKEN),
    ("6228480012345678901", ACCOUNT_TOKEN),  # a 19-digit bank card
    ("6228 4800 1234 5678 901", ACCOUNT_TOKEN),
])
def test_each_kind_of_number_is_redacted(value, token):
    text, _ = redact(f"当事人员工（{value}）在场")
    assert value not in text and token in text


def test_numbers_after_their_keyword_are_redacted_even_when_short():
    text, counts = redact("联系电话：3123456；开户账号：12345678；银行卡号 8888 7777 6666")
    assert "3123456" not in text and "12345678" not in text and "8888" not in text
    assert counts["phone"] == 1 and counts["bank_account"] == 2


@pytest.mark.parametrize("text, gone", [
    ("住址：楚雄市鹿城镇紫溪路18号3栋2单元501室。", "紫溪路"),
    ("家住楚雄市开发区永安小区，", "永安小区"),
    ("其居住在云南省楚雄市鹿城镇南关村3组，", "南关村"),
    ("事发于楚雄市鹿城镇紫溪路18号3栋2单元501室内", "紫溪路18号"),
])
def test_home_addresses_are_redacted(text, gone):
    result, counts = redact(text)
    assert gone not in result and ADDRESS_TOKEN in result and counts["address"] >= 1


def test_names_known_from_the_case_and_names_introduced_as_people_are_masked():
    text, counts = redact("法定代表人李建国未组织培训，员工张三丰未佩戴安全帽，证人赵四称其不知情，王芳（身份证号532301198510123412）在场。",
                          known_names=["李建国"])
    for name in ("李建国", "张三丰", "赵四", "王芳"):
        assert name not in text
    assert "李某" in text and "张某未佩戴" in text and "赵某称" in text and "王某" in text
    assert counts["name"] == 4


def test_the_party_and_its_credit_code_are_kept_and_the_deciding_body_is_untouched():
    text, counts = redact(f"{PARTY}（统一社会信用代码{CODE}）违反《安全生产法》第二十八条，云南省楚雄市应急管理局决定罚款5000元。")
    assert PARTY in text and CODE in text and "云南省楚雄市应急管理局" in text and "5000元" in text
    assert sum(counts.values()) == 0


def test_terms_the_reviewer_adds_are_redacted_everywhere():
    text, _ = redact("经查，孙小明擅自拆除报警装置。", extra_terms=["孙小明"])
    assert "孙小明" not in text and "孙某" in text


def test_a_witness_whose_name_contains_the_individual_partys_name():
    redactor = Redactor(party_name="张三", known_names=["张三丰"])
    text = redactor.redact("当事人张三指使张三丰作业")
    assert text == "当事人张三指使张某作业"


def test_masking_keeps_compound_surnames():
    assert masked_name("欧阳修文") == "欧阳某" and masked_name("李四") == "李某"


def test_document_numbers_and_amounts_are_not_mistaken_for_personal_data():
    text = "依据532301-2026-000012号案卷，罚款30000元，2026年10月12日作出，楚应急罚〔2026〕12号。"
    assert redact(text)[0] == text


def test_verbs_after_a_person_word_are_not_taken_for_names():
    text = "主要负责人未履行安全生产管理职责，员工们在现场作业，法定代表人对此负责。"
    assert redact(text)[0] == text


def test_what_a_person_word_names_of_the_person_is_not_taken_for_a_name():
    # "值班负责人联系电话" once came out as "值班负责人联某话"; the number still goes, the words stay.
    shown = redact("值班负责人联系电话13812345678，法定代表人身份证号码未登记，安全员姓名张三。")[0]
    assert "负责人联系电话" in shown and "13812345678" not in shown and "法定代表人身份证号码" in shown
    assert "张三" not in shown
