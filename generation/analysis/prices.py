"""Prices and offers: what the buyer pays now, what it was, the reductions and the extras.

Chinese and English patterns both run on every script (a Chinese script may say "$19.99").
A match claims its characters: discounts are read first ("立减20元" is not a price of 20), then
reference prices, then current prices. A bare amount counts only with a currency sign, or after
a word that makes it a price (到手价, 只要, only); "不到100块钱" and "价值89元" are neither.
"""

import re
from collections.abc import Iterator
from dataclasses import dataclass, replace
from decimal import Decimal, InvalidOperation

from generation.analysis.types import PriceKind, PriceMention

# ---------------------------------------------------------------------------------------------
# Chinese numerals: 一百九十九 → 199, 两千五 → 2500, 九块九 → 9.9, 三点五 → 3.5

_CN_DIGITS = {"零": 0, "〇": 0, "一": 1, "二": 2, "两": 2, "三": 3, "四": 4, "五": 5, "六": 6,
              "七": 7, "八": 8, "九": 9}  # fmt: skip
_CN_UNITS = {"十": 10, "百": 100, "千": 1000, "万": 10000}
CN_NUMBER = "[零〇一二两三四五六七八九十百千万点]+"


def parse_chinese_number(text: str) -> Decimal | None:
    """The value of a Chinese numeral, or None if it isn't one."""
    if not text or any(c not in _CN_DIGITS and c not in _CN_UNITS and c != "点" for c in text):
        return None
    whole, _, fraction = text.partition("点")
    total = 0
    section = 0  # the part below 万
    digit: int | None = None
    last_unit = 1
    for char in whole:
        if char in _CN_DIGITS:
            digit = _CN_DIGITS[char]
        else:
            unit = _CN_UNITS[char]
            if unit == 10000:
                total += (section + (digit or 0)) * unit
                section, digit, last_unit = 0, None, unit
                continue
            section += (1 if digit is None else digit) * unit
            digit, last_unit = None, unit
    if digit is not None:
        # 两千五 means 2500, 一百二 means 120: a trailing digit is one unit below the last.
        section += digit * (
            last_unit // 10 if last_unit >= 100 and whole[-2:-1] in _CN_UNITS else 1
        )
    value = Decimal(total + section)
    if fraction:
        digits = "".join(str(_CN_DIGITS[c]) for c in fraction if c in _CN_DIGITS)
        if len(digits) != len(fraction):
            return None
        value += Decimal(f"0.{digits}")
    return value


def _number(text: str) -> Decimal | None:
    text = text.replace(",", "").strip()
    if not text:
        return None
    if re.fullmatch(r"\d+(?:\.\d+)?", text):
        try:
            return Decimal(text)
        except InvalidOperation:
            return None
    return parse_chinese_number(text)


# ---------------------------------------------------------------------------------------------
# Patterns

_ARABIC = r"\d{1,3}(?:,\d{3})+(?:\.\d+)?|\d+(?:\.\d+)?"
# An amount in Chinese text: ¥199, 199元, 199块钱, 19块9, 一百九十九元; a Chinese numeral needs
# a unit or a currency sign (才一瓶 is not a price).
_ZH_AMOUNT = (
    rf"(?P<sign>[¥￥])?\s*(?:(?P<yuan>{_ARABIC}|{CN_NUMBER})\s*块(?P<jiao>[二三四五六七八九\d])(?![\d元块瓶支盒件套个片张斤只袋罐箱份次天])"
    rf"|(?P<num>{_ARABIC})\s*(?P<unit>元|块钱|块|rmb|RMB)?"
    rf"|(?P<cn>{CN_NUMBER})\s*(?P<cnunit>元|块钱|块)?)"
)
_GAP = r"[是为只要仅需就才也都卖：:\s]{0,4}"

_PRICE_LABELS_ZH = (
    "到手价|直播价|秒杀价|活动价|券后价|折后价|福利价|专享价|专属价|粉丝价|团购价|拼团价|补贴价"
    "|现价|售价|到手|只要|仅需|只需|仅售|仅要|低至|才要|直接"
)
_REFERENCE_LABELS_ZH = (
    "原价|日常价|专柜价|市场价|吊牌价|官方价|官网价|建议零售价|零售价|门店价|线下价|平时价|平常价"
    "|划线价|指导价|正价|标价|平时|平常|以前"
)
_PRICE_ZH = re.compile(rf"(?P<label>{_PRICE_LABELS_ZH}){_GAP}{_ZH_AMOUNT}")
_REFERENCE_ZH = re.compile(rf"(?P<label>{_REFERENCE_LABELS_ZH}){_GAP}{_ZH_AMOUNT}")
_SIGNED_ZH = re.compile(rf"(?<![\d.])[¥￥]\s*(?P<num>{_ARABIC})(?:\s*(?:元|块钱|块))?")

_DISCOUNT_AMOUNT_ZH = re.compile(
    rf"(?:满\s*(?:{_ARABIC})\s*(?:元)?\s*减|立减|直降|直减|立省|再减|领券减|券减|优惠|省|减)\s*"
    rf"(?P<num>{_ARABIC}|{CN_NUMBER}(?=元|块))\s*(?:元|块钱|块)?"
)
# 8折, 8.5折, 85折, 八五折, 五折, 打了3折; not 折叠, 折扣 (no number), 折腾.
_DISCOUNT_ZH = re.compile(
    r"(?:打了?)?(?P<rate>\d(?:\.\d)?|\d{2}|[一二三四五六七八九][一二三四五六七八九]?)\s*折(?![叠腾磨射线])"
)
_HALF_PRICE_ZH = re.compile(r"(?<!第二件)(?<!第2件)(?<!二件)半价")


def _money(suffix: str = "") -> str:
    """An amount of money in English text: $19.99, £5, 20 dollars (groups named with `suffix`)."""
    return (
        rf"(?P<sign{suffix}>[$£€¥￥])\s?"
        rf"(?P<num{suffix}>\d{{1,3}}(?:,\d{{3}})+(?:\.\d{{1,2}})?|\d+(?:\.\d{{1,2}})?)"
        rf"|(?P<word{suffix}>\d+(?:\.\d{{1,2}})?)\s?(?:dollars|bucks|usd)\b"
    )


_REFERENCE_EN = re.compile(
    r"\b(?:was|were|originally|original price(?: is| was| of)?|regular price(?: is| was| of)?"
    r"|regularly|retails? (?:for|at)|retail price(?: is| was| of)?|rrp|msrp|usually|normally"
    r"|list price(?: is| was| of)?|compare at)\s*:?\s*(?:is\s+|was\s+|of\s+)?"
    rf"(?:{_money()})",
    re.I,
)
_PRICE_EN = re.compile(
    r"\b(?:only|just|now|today(?:'s price is)?|tonight|for|at|price(?:d)?(?: at| is)?|deal price"
    r"|live price|sale price|special price|yours for|down to|get it for)\s*:?\s*"
    rf"(?:{_money()})",
    re.I,
)
_BARE_MONEY_EN = re.compile(_money(), re.I)
_NOT_A_PRICE_EN = re.compile(
    r"\b(?:worth|value|valued(?: at)?|save|saving|extra|over|under|above|spend|orders? over)\s*$",
    re.I,
)
_DISCOUNT_PERCENT_EN = re.compile(r"(?P<pct>\d{1,2}(?:\.\d+)?)\s?%\s?off\b", re.I)
_DISCOUNT_MONEY_EN = re.compile(rf"(?:{_money()})\s?off\b", re.I)
_SAVE_EN = re.compile(rf"\bsave\s+(?:(?P<pct>\d{{1,2}})\s?%|{_money()})", re.I)
_HALF_PRICE_EN = re.compile(r"\bhalf[- ](?:price|off)\b", re.I)

_CURRENCY_SIGNS = {"$": "USD", "£": "GBP", "€": "EUR", "¥": "CNY", "￥": "CNY"}


@dataclass(frozen=True)
class _Found:
    start: int
    end: int
    mention: PriceMention


def _zh_amount(match: re.Match[str]) -> Decimal | None:
    if match.group("yuan") is not None:  # 19块9 → 19.9
        yuan = _number(match.group("yuan"))
        jiao = match.group("jiao")
        jiao_value = int(jiao) if jiao.isdigit() else _CN_DIGITS.get(jiao, 0)
        return None if yuan is None else yuan + Decimal(jiao_value) / 10
    if match.group("num") is not None:
        return _number(match.group("num"))
    if match.group("cn") is not None:
        return _number(match.group("cn"))
    return None


def _rate_percent_off(rate: str) -> Decimal | None:
    """折 is the share paid, in tenths: 8折 pays 80%, so 20% off; 85折 and 八五折 are 15% off."""
    if rate.isdigit() and len(rate) == 2:
        paid = Decimal(rate) / 10
    elif re.fullmatch(r"\d(?:\.\d)?", rate):
        paid = Decimal(rate)
    elif all(c in _CN_DIGITS for c in rate):
        digits = "".join(str(_CN_DIGITS[c]) for c in rate)
        paid = Decimal(digits) / (10 if len(digits) == 2 else 1)
    else:
        return None
    if not Decimal(0) < paid < Decimal(10):
        return None
    return (Decimal(100) - paid * 10).normalize()


def _normal(value: Decimal) -> Decimal:
    """199.00 → 199, 19.90 → 19.9: the amount as a person would write it."""
    normal = value.normalize()
    return normal.quantize(Decimal(1)) if normal == normal.to_integral() else normal


def _iter_found(text: str) -> Iterator[_Found]:
    # Reductions first: their numbers are not prices.
    for match in _DISCOUNT_AMOUNT_ZH.finditer(text):
        amount = _number(match.group("num"))
        if amount:
            yield _Found(match.start(), match.end(), _mention(PriceKind.DISCOUNT, match, amount))
    for match in _DISCOUNT_ZH.finditer(text):
        percent = _rate_percent_off(match.group("rate"))
        if percent is not None:
            yield _Found(
                match.start(), match.end(), _mention(PriceKind.DISCOUNT, match, percent=percent)
            )
    for match in _HALF_PRICE_ZH.finditer(text):
        yield _Found(
            match.start(), match.end(), _mention(PriceKind.DISCOUNT, match, percent=Decimal(50))
        )
    for match in _DISCOUNT_PERCENT_EN.finditer(text):
        yield _Found(
            match.start(),
            match.end(),
            _mention(PriceKind.DISCOUNT, match, percent=Decimal(match.group("pct"))),
        )
    for match in _DISCOUNT_MONEY_EN.finditer(text):
        yield _Found(match.start(), match.end(), _money_mention(PriceKind.DISCOUNT, match))
    for match in _SAVE_EN.finditer(text):
        if match.group("pct"):
            mention = _mention(PriceKind.DISCOUNT, match, percent=Decimal(match.group("pct")))
        else:
            mention = _money_mention(PriceKind.DISCOUNT, match)
        yield _Found(match.start(), match.end(), mention)
    for match in _HALF_PRICE_EN.finditer(text):
        yield _Found(
            match.start(), match.end(), _mention(PriceKind.DISCOUNT, match, percent=Decimal(50))
        )
    # Then what it was, then what it is.
    for pattern, kind in ((_REFERENCE_ZH, PriceKind.REFERENCE), (_PRICE_ZH, PriceKind.PRICE)):
        for match in pattern.finditer(text):
            # A Chinese numeral without 元 is a price only right after a price word (原价三百).
            bare_numeral = match.group("cn") is not None and match.group("cnunit") is None
            if bare_numeral and not match.group("label").endswith("价"):
                continue
            amount = _zh_amount(match)
            if amount:
                yield _Found(match.start(), match.end(), _mention(kind, match, amount))
    for pattern, kind in ((_REFERENCE_EN, PriceKind.REFERENCE), (_PRICE_EN, PriceKind.PRICE)):
        for match in pattern.finditer(text):
            yield _Found(match.start(), match.end(), _money_mention(kind, match))
    for match in _SIGNED_ZH.finditer(text):
        amount = _number(match.group("num"))
        if amount:
            yield _Found(match.start(), match.end(), _mention(PriceKind.PRICE, match, amount))
    for match in _BARE_MONEY_EN.finditer(text):
        if not _NOT_A_PRICE_EN.search(text[max(0, match.start() - 20) : match.start()]):
            yield _Found(match.start(), match.end(), _money_mention(PriceKind.PRICE, match))


def _mention(
    kind: PriceKind,
    match: re.Match[str],
    amount: Decimal | None = None,
    *,
    percent: Decimal | None = None,
    currency: str = "CNY",
) -> PriceMention:
    return PriceMention(
        kind=kind,
        text=match.group(0).strip(),
        amount=None if amount is None else _normal(amount),
        percent=None if percent is None else _normal(percent),
        currency=currency,
    )


def _money_mention(kind: PriceKind, match: re.Match[str]) -> PriceMention:
    groups = match.groupdict()
    sign = groups.get("sign")
    number = groups.get("num") or groups.get("word")
    currency = _CURRENCY_SIGNS.get(sign or "", "USD")
    amount = _number(number) if number else None
    return _mention(kind, match, amount, currency=currency)


def extract_prices(text: str) -> tuple[PriceMention, ...]:
    """Every price, reference price and discount, in script order, each (kind, value) once."""
    taken: list[tuple[int, int]] = []
    found: list[_Found] = []
    for item in _iter_found(text):
        if any(item.start < end and start < item.end for start, end in taken):
            continue
        taken.append((item.start, item.end))
        found.append(item)
    found.sort(key=lambda item: item.start)
    # A percentage has no currency of its own: it takes the script's (the first amount's).
    currency = next((item.mention.currency for item in found if item.mention.amount), "CNY")
    seen: set[tuple[PriceKind, Decimal | None, Decimal | None]] = set()
    mentions = []
    for item in found:
        mention = item.mention
        if mention.amount is None:
            mention = replace(mention, currency=currency)
        key = (mention.kind, mention.amount, mention.percent)
        if key not in seen:
            seen.add(key)
            mentions.append(mention)
    return tuple(mentions)


# ---------------------------------------------------------------------------------------------
# Offers

_GIFT = r"[^，,。.！!？?；;\n]{1,16}"
_OFFER_PATTERNS_ZH: tuple[tuple[re.Pattern[str], str | None], ...] = (
    (re.compile(r"买[一二三四五1-5]送[一二三四五1-5]"), None),
    (re.compile(r"第[二2]件(?:半价|[0-9一二三四五六七八九十零]+(?:元|块)|免费|[0-9一二三四五六七八九]折)"),
     None),
    (re.compile(r"[两2]件包邮"), "两件包邮"),
    (re.compile(r"(?:顺丰|全国|全场)?包邮"), None),
    (re.compile(r"(?:赠|送)?运费险"), "送运费险"),
    (re.compile(r"(?:七|7)天无理由(?:退换货?|退货)?"), "七天无理由退换"),
    (re.compile(r"(?:一|1)年质保|质保(?:一|1|两|2|三|3)年"), None),
    (re.compile(r"只换不修"), None),
    (re.compile(r"晒单返现\s*\d+\s*元?"), None),
    (re.compile(rf"(?:下单|拍下|购买|拍)(?:就|即|还|再)?(?:送|赠){_GIFT}"), None),
    (re.compile(rf"(?:加赠|额外送|再送|赠送){_GIFT}"), None),
)  # fmt: skip
_FIRST_N_ZH = re.compile(rf"前\s*(?P<n>\d+|{CN_NUMBER})\s*(?:名|位|单)")
_GIFT_ZH = re.compile(rf"(?:送|赠)(?P<gift>{_GIFT})")
_OFFER_PATTERNS_EN: tuple[tuple[re.Pattern[str], str | None], ...] = (
    (re.compile(r"\bbuy one,? get one(?: free| half off| 50% off)?\b", re.I), None),
    (re.compile(r"\bBOGO\b", re.I), "BOGO"),
    (re.compile(r"\bbuy (?:two|three|2|3) get (?:one|1)(?: free)?\b", re.I), None),
    (re.compile(r"\b(?:2 for 1|two for one)\b", re.I), None),
    (re.compile(r"\bfree (?:shipping|delivery)\b", re.I), None),
    (re.compile(r"\b(?:\d+-day )?free returns\b", re.I), None),
    (re.compile(r"\bfree (?:gift|samples?)\b(?: with (?:every|each|your) order)?", re.I), None),
    (re.compile(r"\bgift with purchase\b", re.I), None),
    (
        re.compile(
            r"\b(?:the )?first \d+ (?:orders|buyers|customers|people|shoppers)\b[^.!?]{0,12}?"
            r"\b(?:get|gets|receive|will get)\s+(?:a |an )?[^.!?,]{2,40}",
            re.I,
        ),
        None,
    ),
)
_OFFER_TRIM_EN = re.compile(r",?\s*(?:worth|valued at)\s+[$£€¥]?\d[\d.,]*$", re.I)


def _offer_key(offer: str) -> str:
    first_n = re.match(r"(?:the )?(前\s*\S+?(?:名|位|单)|first \d+)", offer, re.I)
    if first_n:
        return first_n.group(1).lower()
    if "包邮" in offer:
        return "包邮"
    return re.sub(r"\W+", "", offer.lower())


def extract_offers(text: str) -> tuple[str, ...]:
    """The offers in script order, each once: 买一送一, 前100名送…, 包邮, free shipping."""
    found: list[tuple[int, str]] = []
    taken: list[tuple[int, int]] = []

    def add(start: int, end: int, offer: str) -> None:
        if any(start < stop and begin < end for begin, stop in taken):
            return
        taken.append((start, end))
        found.append((start, offer.strip()))

    # 前100名下单的宝宝，再额外送价值89元的补水面膜5片 → 前100名送价值89元的补水面膜5片
    for match in _FIRST_N_ZH.finditer(text):
        window_end = min(len(text), match.end() + 40)
        stop = re.search(r"[。！!？?\n]", text[match.end() : window_end])
        window = (
            text[match.end() : match.end() + stop.start()]
            if stop
            else text[match.end() : window_end]
        )
        gift = _GIFT_ZH.search(window)
        if gift:
            add(match.start(), match.end() + gift.end(), f"{match.group(0)}送{gift.group('gift')}")
    for patterns in (_OFFER_PATTERNS_ZH, _OFFER_PATTERNS_EN):
        for pattern, canonical in patterns:
            for match in pattern.finditer(text):
                offer = canonical or _OFFER_TRIM_EN.sub("", match.group(0))
                offer = re.sub(r"^the ", "", offer, flags=re.I)
                add(match.start(), match.end(), offer)
    found.sort()
    offers: list[str] = []
    keys: set[str] = set()
    for _, offer in found:
        key = _offer_key(offer)
        if key not in keys:
            keys.add(key)
            offers.append(offer)
    return tuple(offers)
