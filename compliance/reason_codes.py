"""Why a reviewer or moderator rejected a render: a code each, mapped to the law it applies.

Codes are stable (they are stored on decisions and shown to brands); labels and article texts
may be reworded. A brand's own reviewers may also use `brand_policy` (their own standards, no
law involved); staff decisions must name a law, so `brand_policy` is not theirs to use.
"""

from dataclasses import dataclass

from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _


@dataclass(frozen=True)
class ReasonCode:
    code: str
    label: Promise
    article: str  # the provision, as cited in decisions ("" for the brand's own policy)
    staff: bool = True  # may a platform moderator use it


REASON_CODES: dict[str, ReasonCode] = {
    reason.code: reason
    for reason in (
        ReasonCode(
            "superlative",
            _("Absolute or superlative terms"),
            "《中华人民共和国广告法》第九条第（三）项：不得使用“国家级”、“最高级”、“最佳”等用语",
        ),
        ReasonCode(
            "false_or_misleading",
            _("False or misleading content"),
            "《中华人民共和国广告法》第四条、第二十八条：广告不得含有虚假或者引人误解的内容",
        ),
        ReasonCode(
            "unsubstantiated_claim",
            _("Data, rankings or awards without a valid source"),
            "《中华人民共和国广告法》第十一条：引证内容应当真实、准确，并表明出处",
        ),
        ReasonCode(
            "medical_claim",
            _("Disease prevention or treatment claims"),
            "《中华人民共和国广告法》第十七条：除医疗、药品、医疗器械广告外，禁止涉及疾病治疗功能",
        ),
        ReasonCode(
            "guarantee",
            _("Guarantees of efficacy, safety or returns"),
            "《中华人民共和国广告法》第十六条、第二十五条：不得对功效、安全性或者收益作出保证性承诺",
        ),
        ReasonCode(
            "price_comparison",
            _("Unverifiable or inflated reference price"),
            "《明码标价和禁止价格欺诈规定》第十六条、第十七条：划线价等被比较价格不得高于"
            "本次促销活动前七日内最低交易价格",
        ),
        ReasonCode(
            "ai_label",
            _("AI-generated content not labelled"),
            "《人工智能生成合成内容标识办法》第四条：生成合成内容应当添加显式标识",
        ),
        ReasonCode(
            "other_law",
            _("Another legal provision (name it in the note)"),
            "见备注 / see the note",
        ),
        ReasonCode(
            "brand_policy",
            _("The brand's own standards"),
            "",
            staff=False,
        ),
    )
}


def reason_code_get(code: str, *, staff: bool) -> ReasonCode:
    """The reason for `code`; KeyError when unknown or not open to this kind of decider."""
    reason = REASON_CODES[code]
    if staff and not reason.staff:
        raise KeyError(code)
    return reason


def reason_code_choices(*, staff: bool) -> list[tuple[str, str]]:
    return [(r.code, str(r.label)) for r in REASON_CODES.values() if r.staff or not staff]
