"""Redaction (脱敏) of natural persons' personal data before a decision is published (行政执法公示).

What is removed, in this order:
1. names the case's own records know (the legal representative, the officers who worked the case, terms the
   reviewer adds) → surname + 某 (the convention of published Chinese decisions: 张三 → 张某);
2. ID card numbers (18 digits, the last may be X; the old 15-digit form);
3. bank account / card numbers (after 账号/卡号…, or any run of 12–30 digits);
4. mobile numbers (+86 optional, spaces or hyphens allowed) and landlines with an area code, or any number
   after 电话/手机/联系方式;
5. home addresses: text after 住址/住所/家住/户籍地…, and anything shaped like an address with a house
   number (…市…路18号, …小区3栋2单元501室);
6. names after a word that introduces a person (员工、证人、法定代表人、经理…) → surname + 某.
The party's own name and an organisation's unified social credit code are protected from every pattern.

Limits (said plainly, also in the README): patterns cannot find every name in free text — a person mentioned
without a known name or an introducing word (e.g. "张三未佩戴安全帽" with no "员工" before it) is not found,
which is why a reviewer must confirm every draft and can add terms; an address without a house number or a
keyword is not found; over-redaction happens (a company's business address with a house number, a
government bank account in the payment instructions, a 3-character capture that eats one following
character). A person whose name contains the party's name as a part is handled, other overlaps are not. A name after an
introducing word is not recognised when it starts with a character that is mostly a verb or function word
(和 is one: a person surnamed 和 is found only as a known name or a reviewer's term).
"""
from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass, field

ID_TOKEN = "【身份证号已隐去】"
PHONE_TOKEN = "【电话已隐去】"
ADDRESS_TOKEN = "【住址已隐去】"
ACCOUNT_TOKEN = "【账号已隐去】"

# Compound surnames keep both characters (欧阳某); every other name keeps its first character.
_COMPOUND_SURNAMES = {"欧阳", "司马", "诸葛", "上官", "东方", "皇甫", "尉迟", "公孙", "慕容", "长孙", "宇文", "司徒",
                      "夏侯", "令狐", "端木", "南宫", "西门", "独孤", "申屠", "呼延"}

_HAN = "\u4e00-\u9fa5"
_ID = re.compile(r"(?<![0-9A-Za-z])(?:[1-9]\d{5}(?:18|19|20)\d{2}(?:0[1-9]|1[0-2])(?:0[1-9]|[12]\d|3[01])\d{3}[\dXx]"
                 r"|[1-9]\d{7}(?:0[1-9]|1[0-2])(?:0[1-9]|[12]\d|3[01])\d{3})(?![0-9A-Za-z])")
_ACCOUNT_AFTER_WORD = re.compile(r"((?:账号|账户|帐号|帐户|卡号|银行卡|银行账号)[:：\s为是]*)(\d[\d\s-]{6,40}\d)")
# Bank cards are written in groups of four separated by spaces; hyphenated runs are document numbers.
_LONG_NUMBER = re.compile(r"(?<![0-9A-Za-z-])\d(?: ?\d){11,29}(?![0-9A-Za-z-])")
_MOBILE = re.compile(r"(?<![0-9A-Za-z])(?:\+?86[ -]?)?1[3-9]\d(?:[ -]?\d{4}){2}(?![0-9A-Za-z])")
_LANDLINE = re.compile(r"(?<![0-9A-Za-z])(?:[(（]0\d{2,3}[)）]\s?|0\d{2,3}[ -]?)\d{7,8}(?:(?:-|转|ext\.?)\d{1,5})?(?![0-9A-Za-z])")
_PHONE_AFTER_WORD = re.compile(r"((?:电话|手机|手机号|手机号码|联系电话|联系方式|座机|微信|Tel|TEL|tel)[:：\s为是]*)"
                               r"(\+?[\d(（][\d\s()（）-]{4,20}\d)")
_ADDRESS_AFTER_WORD = re.compile(r"((?:家庭住址|现住址|住址|住所地|住所|户籍地|户籍所在地|居住地|经常居住地|家住|现住|住在|居住在|居住于)"
                                 r"[:：\s为是于在]*)([^，,。；;、\n)）]{2,60})")
_ADDRESS_PART = (rf"[{_HAN}]{{1,6}}?(?:自治区|自治州|自治县|省|市|州|县|区|镇|乡|街道|村委会|村|社区|大道|路|街|巷|弄|胡同|"
                 rf"小区|花园|公寓|家园|新村|苑|大厦)")
_ADDRESS = re.compile(rf"(?:{_ADDRESS_PART})+[{_HAN}]{{0,6}}?[\dA-Za-z一二三四五六七八九十]+(?:-\d+)*"
                      r"(?:号楼|号院|号|栋|幢|单元|组|室|户)(?:[\dA-Za-z-]+(?:号楼|号|栋|幢|单元|层|楼|室|户))*")
_PERSON_WORDS = ("法定代表人", "主要负责人", "实际控制人", "委托代理人", "安全管理人员", "作业人员", "操作人员", "负责人",
                 "证人", "员工", "职工", "工人", "操作工", "驾驶员", "司机", "电工", "焊工", "安全员", "班长", "组长",
                 "主任", "经理", "厂长", "矿长", "股东", "联系人", "代理人", "户主", "监护人", "受害人", "伤者", "死者",
                 "举报人", "投诉人", "姓名", "业主", "承包人", "雇员")
_PERSON = re.compile(rf"((?:{'|'.join(sorted(_PERSON_WORDS, key=len, reverse=True))})[:：\s]*(?:为|系|是|姓名[:：\s]*)?\s*)"
                     rf"([{_HAN}]{{2,4}})")
# A name is 2 or 3 characters; a third character that usually starts the next word is not part of it.
_AFTER_NAME = set("未无擅违因将对称说持驾操作进私已被向与和及的在于等曾也均并还又所为是系了其从到把让给使")
# After a word like 负责人, a verb or function word is not a name ("主要负责人未履行职责"). Only characters that
# are not common surnames are listed: when in doubt, redacting a verb garbles a sentence but leaks nothing.
_NOT_NAME_START = set("未无不没擅违对在应已均将把被是为系的也都及与和等亦仍曾拒私让要有负进作操持使从到签组履落开采现当因由"
                      "所其该以可须需必给称说表承了们各每一二三两几多或即就再又还并而且则至直按依经据冒虚伪超逾延迟拖少缺漏"
                      "误错受致造导引发出入上下中内外前后这那此")
# Words that follow a person word and name an attribute of that person, not the person ("负责人联系电话",
# "法定代表人身份证号码"): never taken for a name (a surname such as 联 or 身 would otherwise start one).
_NOT_NAME_WORDS = ("联系", "电话", "手机", "身份", "证件", "住址", "地址", "职务", "职责", "岗位", "签字", "签名",
                   "工作", "培训", "资格", "持证", "名单", "人数", "情况", "信息", "意见")
_NAME_BEFORE_ID = re.compile(rf"([{_HAN}]{{2,3}})(?=[，,（(]\s*(?:身份证|公民身份号码|身份证号))")
_CREDIT_CODE = re.compile(r"^[0-9A-HJ-NPQRTUWXY]{2}\d{6}[0-9A-HJ-NPQRTUWXY]{10}$")


def masked_name(name: str) -> str:
    name = name.strip()
    if len(name) >= 3 and name[:2] in _COMPOUND_SURNAMES:
        return name[:2] + "某"
    return (name[:1] + "某") if name else name


def is_credit_code(value: str) -> bool:
    """统一社会信用代码 (GB 32100-2015): 18 characters; an 18-digit ID number also fits this shape, so an
    organisation's code is only trusted for an organisation party."""
    return bool(_CREDIT_CODE.match(value or ""))


@dataclass
class Redactor:
    """One case's redaction: the party to keep, the names to remove."""

    party_name: str = ""
    credit_code: str = ""  # kept only for an organisation party
    known_names: list[str] = field(default_factory=list)
    extra_terms: list[str] = field(default_factory=list)
    counts: Counter = field(default_factory=Counter)

    def redact(self, text: str | None) -> str:
        if not text:
            return text or ""
        protected: dict[str, str] = {}

        def protect(value: str, s: str) -> str:
            if not value or value not in s:
                return s
            key = "\ue000" + chr(0xE100 + len(protected)) + "\ue001"
            protected[key] = value
            return s.replace(value, key)

        names = sorted({n.strip() for n in self.known_names if n and len(n.strip()) >= 2}, key=len, reverse=True)
        terms = sorted({t.strip() for t in self.extra_terms if t and t.strip()}, key=len, reverse=True)
        # A known person whose name contains the party's name goes before the party's name is protected.
        for name in names:
            if self.party_name and self.party_name in name and name != self.party_name:
                text = self._replace_literal(text, name, masked_name(name), "name")
        for term in terms:  # what the reviewer asked for wins over everything, the party's name included
            text = self._replace_literal(text, term, masked_name(term) if _is_han_name(term) else "【已隐去】", "term")
        text = protect(self.party_name, text)
        text = protect(self.credit_code, text)
        for name in names:
            if name != self.party_name:
                text = self._replace_literal(text, name, masked_name(name), "name")
        text = self._sub(_ID, text, ID_TOKEN, "id_number")
        text = self._sub_group(_ACCOUNT_AFTER_WORD, text, ACCOUNT_TOKEN, "bank_account")
        text = self._sub(_MOBILE, text, PHONE_TOKEN, "phone")
        text = self._sub(_LANDLINE, text, PHONE_TOKEN, "phone")
        text = self._sub_group(_PHONE_AFTER_WORD, text, PHONE_TOKEN, "phone")
        text = self._sub(_LONG_NUMBER, text, ACCOUNT_TOKEN, "bank_account")
        text = self._sub_group(_ADDRESS_AFTER_WORD, text, ADDRESS_TOKEN, "address")
        text = self._sub(_ADDRESS, text, ADDRESS_TOKEN, "address")
        text = self._names_in_context(text)
        for key, value in protected.items():
            text = text.replace(key, value)
        return text

    # -- helpers ------------------------------------------------------------------------------------
    def _replace_literal(self, text: str, value: str, token: str, kind: str) -> str:
        hits = text.count(value)
        if hits:
            self.counts[kind] += hits
            text = text.replace(value, token)
        return text

    def _sub(self, pattern, text, token, kind):
        text, hits = pattern.subn(token, text)
        self.counts[kind] += hits
        return text

    def _sub_group(self, pattern, text, token, kind):
        def repl(match):
            if "【" in match.group(2):  # already redacted by an earlier pattern
                return match.group(0)
            self.counts[kind] += 1
            return match.group(1) + token
        return pattern.sub(repl, text)

    def _names_in_context(self, text: str) -> str:
        def name_at(match) -> str:
            candidate = match.group(2)
            if candidate[0] in _NOT_NAME_START or candidate.startswith(_NOT_NAME_WORDS):
                return match.group(0)
            name = candidate[:2]
            if len(candidate) >= 3 and candidate[2] not in _AFTER_NAME:
                name = candidate[:3]
            if name.endswith("某") or "\ue000" in name:
                return match.group(0)
            self.counts["name"] += 1
            return match.group(1) + masked_name(name) + candidate[len(name):]

        text = _PERSON.sub(name_at, text)

        def before_id(match):
            name = match.group(1)
            if name.endswith("某"):
                return name
            self.counts["name"] += 1
            return masked_name(name)

        return _NAME_BEFORE_ID.sub(before_id, text)


def _is_han_name(term: str) -> bool:
    return 2 <= len(term) <= 4 and all("\u4e00" <= ch <= "\u9fa5" for ch in term)
