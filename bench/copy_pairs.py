"""True and false positive rates of library.copy_hashes at each SimHash distance threshold.

    .venv/bin/python bench/copy_pairs.py

A small labelled set of marketing copy for five products, in Chinese and English:

- positives (same copy, edited): a punctuation change, an emoji added, one word swapped for a
  synonym (written by hand), every one-character edit of each Chinese line and every one-word
  edit of each English line, and for whole copies the selling points reordered plus a
  punctuation edit;
- negatives (different copy): every pair of different headlines of the same product in the
  same language, template-like pairs that share the product name and most of the wording
  ("…限时第二件半价" / "…限时买一送一"), different whole copies of the same product, and
  lines of different products in the same language.

It prints the distance distribution of each kind and TPR/FPR for thresholds 0–24, for all
pairs and per language; the chosen DUPLICATE_DISTANCE is marked.
"""

import itertools
import statistics
import sys
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from library import copy_hashes  # noqa: E402

# (line, the same line with one word swapped for a synonym), three per product and language.
LINES: dict[str, list[tuple[str, str]]] = {
    "sunscreen": [
        (
            "清爽防晒不油腻，夏日出门轻松一抹就够，SPF50+全天守护",
            "清爽防晒不黏腻，夏日出门轻松一抹就够，SPF50+全天守护",
        ),
        (
            "海边暴晒也不怕，轻薄水感防晒霜，防水防汗持久有效",
            "海边暴晒也不怕，轻盈水感防晒霜，防水防汗持久有效",
        ),
        (
            "学生党通勤必备，温和不刺激，敏感肌也能放心用的防晒",
            "上班族通勤必备，温和不刺激，敏感肌也能放心用的防晒",
        ),
        (
            "Lightweight SPF 50 that never feels greasy",
            "Featherlight SPF 50 that never feels greasy",
        ),
        (
            "Beach-proof sun care: water and sweat resistant",
            "Beach-ready sun care: water and sweat resistant",
        ),
        (
            "Gentle daily sunscreen for sensitive skin",
            "Gentle everyday sunscreen for sensitive skin",
        ),
    ],
    "serum": [
        (
            "玻尿酸精华液深层补水，一瓶喝饱水，告别干燥起皮",
            "玻尿酸精华液深层保湿，一瓶喝饱水，告别干燥起皮",
        ),
        (
            "熬夜急救精华，改善暗沉，第二天醒来皮肤透亮有光泽",
            "熬夜修护精华，改善暗沉，第二天醒来皮肤透亮有光泽",
        ),
        (
            "三十天淡化细纹，实验室测试有效，成分党安心之选",
            "三十天淡化细纹，实验室验证有效，成分党安心之选",
        ),
        ("Hyaluronic serum that drenches dry skin", "Hyaluronic serum that quenches dry skin"),
        (
            "Late nights, bright mornings: the overnight rescue serum",
            "Late nights, glowing mornings: the overnight rescue serum",
        ),
        (
            "Visibly smoother lines in 30 days, lab tested",
            "Visibly softer lines in 30 days, lab tested",
        ),
    ],
    "tea": [
        ("高山云雾绿茶，明前头采，一口回甘满嘴清香", "高山云雾绿茶，明前嫩采，一口回甘满嘴清香"),
        (
            "办公室下午茶好搭档，冷泡热泡都好喝，独立小包装",
            "办公室下午茶好伙伴，冷泡热泡都好喝，独立小包装",
        ),
        (
            "送长辈送客户都体面，礼盒装高山茶，中秋节限定款",
            "送长辈送客户都体面，礼盒装高山茶，中秋节特别款",
        ),
        (
            "First-flush mountain green tea, sweet finish",
            "First-flush highland green tea, sweet finish",
        ),
        (
            "Cold brew or hot, your perfect afternoon cup",
            "Cold brew or hot, your ideal afternoon cup",
        ),
        (
            "A gift box of mountain tea for the Mid-Autumn Festival",
            "A gift set of mountain tea for the Mid-Autumn Festival",
        ),
    ],
    "earbuds": [
        (
            "主动降噪真无线耳机，地铁上也能安静听歌，续航三十小时",
            "主动降噪真无线耳机，地铁里也能安静听歌，续航三十小时",
        ),
        (
            "运动防汗不掉落，跑步健身戴一整天也不累耳朵",
            "运动防汗不脱落，跑步健身戴一整天也不累耳朵",
        ),
        (
            "通透模式一键切换，开会通话声音清晰，双麦克风降噪",
            "通透模式一键开启，开会通话声音清晰，双麦克风降噪",
        ),
        (
            "Noise cancelling earbuds with 30 hours of battery",
            "Noise cancelling earbuds with 30 hours of playtime",
        ),
        (
            "Sweat-proof earbuds that stay put on every run",
            "Sweat-proof earbuds that stay secure on every run",
        ),
        (
            "Crystal-clear calls with dual beamforming mics",
            "Crystal-clear calls with twin beamforming mics",
        ),
    ],
    "sneakers": [
        (
            "轻量缓震跑鞋，每一步都像踩在云上，专业跑者推荐",
            "轻量缓震跑鞋，每一步都像踩在棉花上，专业跑者推荐",
        ),
        (
            "百搭小白鞋，配裙子配牛仔裤都好看，通勤约会都能穿",
            "百搭小白鞋，配裙子配休闲裤都好看，通勤约会都能穿",
        ),
        ("透气网面鞋身，夏天穿一整天脚也不闷不出汗", "透气网眼鞋身，夏天穿一整天脚也不闷不出汗"),
        ("Cloud-soft cushioning for every mile", "Cloud-soft cushioning for every run"),
        (
            "The white sneaker that goes with everything",
            "The white sneaker that pairs with everything",
        ),
        ("Breathable mesh keeps feet cool all day", "Breathable mesh keeps feet fresh all day"),
    ],
}

# Same product, same template, different offer or claim: different copy that shares most text.
TEMPLATE_NEGATIVES = [
    ("清爽防晒霜限时第二件半价，今晚直播间下单立享", "清爽防晒霜限时买一送一，今晚直播间下单立享"),
    (
        "玻尿酸精华液新客首单立减二十元，库存有限先到先得",
        "玻尿酸精华液会员专享满三百减五十，库存有限先到先得",
    ),
    ("高山云雾绿茶，中秋礼盒装，下单送精美茶具", "高山云雾绿茶，新年礼盒装，下单送定制手提袋"),
    (
        "Noise cancelling earbuds: 20% off this weekend only",
        "Noise cancelling earbuds: free case with every order today",
    ),
    (
        "Cloud-soft running shoes, now in three new colours",
        "Cloud-soft running shoes, free returns within 30 days",
    ),
]

COPIES: dict[str, list[dict[str, Any]]] = {
    "sunscreen": [
        {
            "headline": "清爽防晒不油腻",
            "subheadline": "SPF50+ PA++++ 轻薄水感",
            "bullets": ["一抹成膜不搓泥", "防水防汗持久", "敏感肌可用", "30ml随身装"],
            "cta": "立即抢购",
            "host_line": "家人们，夏天出门就靠它，轻轻一抹一整天都不怕晒！",
            "social_post": "夏天通勤防晒终于找到本命了☀️ 清爽不油，上妆也不搓泥 #防晒 #夏日护肤",
        },
        {
            "headline": "海边暴晒也不怕",
            "subheadline": "高倍防护 防水防汗",
            "bullets": ["游泳冲浪都能用", "八十分钟防水", "温和不刺激", "大容量家庭装"],
            "cta": "马上下单",
            "host_line": "要去海边的姐妹看过来，这支下水都不会掉，给全家一起用！",
            "social_post": "海岛度假必带清单📝 这支防晒下水也稳稳的 #海边度假 #防晒推荐",
        },
    ],
    "earbuds": [
        {
            "headline": "Silence the commute",
            "subheadline": "Active noise cancelling, 30-hour battery",
            "bullets": ["Hybrid ANC", "30 h with case", "IPX4 sweat-proof", "Dual mics for calls"],
            "cta": "Shop now",
            "host_line": "Pop these in on the train and the whole world goes quiet, trust me!",
            "social_post": "My commute finally feels calm 🎧 #earbuds #commute",
        },
        {
            "headline": "Made for the run",
            "subheadline": "Secure fit earbuds that never slip",
            "bullets": [
                "Wing-tip fit",
                "Sweat-proof IPX5",
                "Quick charge 10 min",
                "Heart-rate sync",
            ],
            "cta": "Get yours",
            "host_line": "I ran ten kilometres in these and they did not move once!",
            "social_post": "New running buddy unlocked 🏃 #running #fitness",
        },
    ],
}


def char_edits(line: str) -> list[str]:
    """The line with each of its CJK characters in turn replaced by 好 (or 佳 for 好)."""
    return [
        line[:i] + ("佳" if ch == "好" else "好") + line[i + 1 :]
        for i, ch in enumerate(line)
        if "\u4e00" <= ch <= "\u9fff"
    ]


def word_edits(line: str) -> list[str]:
    """The line with each of its words in turn replaced by "great"."""
    words = line.split(" ")
    return [" ".join([*words[:i], "great", *words[i + 1 :]]) for i in range(len(words))]


def punctuation_changed(line: str) -> str:
    for old, new in (("，", "！"), (", ", " - "), (": ", " — ")):
        if old in line:
            return line.replace(old, new, 1)
    return line + "!"


def labelled_pairs() -> list[tuple[str, str, str, bool]]:
    """(kind, a, b, is_duplicate) for every labelled pair."""
    pairs: list[tuple[str, str, str, bool]] = []
    for lines in LINES.values():
        for line, swapped in lines:
            pairs.append(("punctuation", line, punctuation_changed(line), True))
            pairs.append(("emoji", line, line + " 🔥", True))
            pairs.append(("word swapped", line, swapped, True))
            if any("\u4e00" <= ch <= "\u9fff" for ch in line):
                pairs.extend(("one character", line, edit, True) for edit in char_edits(line))
            else:
                pairs.extend(("one word", line, edit, True) for edit in word_edits(line))
        for language in ("zh", "en"):
            same = [line for line, _ in lines if line.isascii() == (language == "en")]
            for a, b in itertools.combinations(same, 2):
                pairs.append(("other headline", a, b, False))
    for (_, lines_a), (_, lines_b) in itertools.combinations(LINES.items(), 2):
        for (a, _), (b, _) in itertools.product(lines_a, lines_b):
            if a.isascii() == b.isascii():
                pairs.append(("other product", a, b, False))
    for a, b in TEMPLATE_NEGATIVES:
        pairs.append(("same template", a, b, False))
    for copies in COPIES.values():
        for written in copies:
            reordered = {**written, "bullets": list(reversed(written["bullets"]))}
            reordered["headline"] = punctuation_changed(str(written["headline"]))
            pairs.append(
                (
                    "copy reordered",
                    copy_hashes.copy_text(written),
                    copy_hashes.copy_text(reordered),
                    True,
                )
            )
        for first, second in itertools.combinations(copies, 2):
            texts = (copy_hashes.copy_text(first), copy_hashes.copy_text(second))
            pairs.append(("other copy", *texts, False))
    return pairs


def _rates(scored: list[tuple[str, int, bool]], threshold: int) -> tuple[float, float]:
    positives = [distance for _, distance, label in scored if label]
    negatives = [distance for _, distance, label in scored if not label]
    tpr = sum(d <= threshold for d in positives) / len(positives)
    fpr = sum(d <= threshold for d in negatives) / len(negatives)
    return tpr, fpr


def main() -> None:
    pairs = labelled_pairs()
    scored = [
        (kind, copy_hashes.hamming(copy_hashes.simhash(a), copy_hashes.simhash(b)), label)
        for kind, a, b, label in pairs
    ]
    chinese = [row for row, (_, a, _, _) in zip(scored, pairs, strict=True) if not a.isascii()]
    english = [row for row, (_, a, _, _) in zip(scored, pairs, strict=True) if a.isascii()]
    positives = sum(label for *_, label in scored)
    print(f"{len(scored)} pairs: {positives} positives, {len(scored) - positives} negatives\n")
    print(f"{'kind':<16}{'n':>4}{'min':>6}{'median':>8}{'max':>6}")
    for kind in dict.fromkeys(kind for kind, *_ in scored):
        distances = [distance for k, distance, _ in scored if k == kind]
        print(
            f"{kind:<16}{len(distances):>4}{min(distances):>6}"
            f"{statistics.median(distances):>8}{max(distances):>6}"
        )
    print(f"\n{'':>9}{'all':>12}{'Chinese':>12}{'English':>12}")
    print(f"{'threshold':>9}" + f"{'TPR':>6}{'FPR':>6}" * 3)
    for threshold in range(25):
        row = "".join(
            f"{tpr:>6.2f}{fpr:>6.2f}"
            for tpr, fpr in (_rates(rows, threshold) for rows in (scored, chinese, english))
        )
        mark = "  <- DUPLICATE_DISTANCE" if threshold == copy_hashes.DUPLICATE_DISTANCE else ""
        print(f"{threshold:>9}{row}{mark}")
    texts = [a for _, a, _, _ in pairs]
    started = time.perf_counter()
    for text in texts:
        copy_hashes.simhash(text)
    per_text = (time.perf_counter() - started) / len(texts) * 1e6
    longest = max(len(text) for text in texts)
    print(f"\nsimhash: {per_text:.0f} µs per text on average (longest {longest} characters)")


if __name__ == "__main__":
    main()
