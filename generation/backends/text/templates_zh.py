"""Chinese copy templates for the built-in text backend, by tone.

Slots (str.format fields): {p} product name, {brand}, {b}/{b2} short benefit phrases (补水保湿,
温和不刺激), {k}/{k2} ingredients or technologies (玻尿酸, 主动降噪), {a} who it is for (敏感肌),
{point} a selling point from the script, {deal} the price line (到手价199元), {ref} the reference
price (日常价299元), {offer} an offer (买一送一). A template is only used when every slot it names
has a value, so no template ever needs a fact that is not in the script or the product.

Templates never state a price, a stock level or a claim of their own: those come only from slots.
"""

HEADLINES: dict[str, tuple[str, ...]] = {
    "energetic": (
        "{b}，{p}冲就对了",
        "{p}｜{b}一步到位",
        "{k}加持，{b}不将就",
        "闭眼入！{b}{p}",
        "{b}拉满！就选{p}",
        "{p}来了，{b}安排上",
        "就要{b}！{p}",
        "{k}+{b}，一次到位",
        "{p}，{b}稳了",
        "今天就入{p}",
        "{brand}{p}，冲！",
        "{b}，狠狠拿下",
        "心动不如行动：{p}",
    ),
    "warm": (
        "{p}，{b}每一天",
        "{b}，交给{p}",
        "每天都想用的{p}",
        "日常{b}，就选{p}",
        "温柔{b}，从{p}开始",
        "刚刚好的{b}",
        "写给{a}的{p}",
        "{k}的温柔，{b}",
        "把{b}交给{brand}",
        "慢慢来，{b}",
        "{brand}，{b}刚刚好",
        "有{p}的日常",
    ),
    "premium": (
        "{brand}｜{p}",
        "{k}臻选，{b}之道",
        "质感之选：{p}",
        "{b}，自有分寸",
        "{p}，{b}的讲究",
        "{k}，精研之作",
        "{brand}{p}，{b}之选",
        "为{b}而生的{p}",
        "{b}，见于细节",
        "{brand}，臻享{b}",
        "细节里的{k}",
        "{p}，质感日常",
    ),
    "professional": (
        "{k}+{k2}，{b}",
        "{p}：{k}+{b}",
        "看懂{p}：{k}",
        "{k}，专注{b}",
        "认真聊聊{k}",
        "{p}的{k}与{b}",
        "{b}，看{k}",
        "{k}：{b}的关键",
        "干货：{p}的{k}",
        "{brand}{p}｜{k}",
        "{k}+{k2}，讲清楚",
    ),
    "playful": (
        "{b}搭子：{p}",
        "被{p}狠狠种草了",
        "谁懂啊，{b}的{p}",
        "{p}，{b}小能手",
        "今日份{b}已到账",
        "和{p}贴贴",
        "{b}，拿捏了",
        "{p}，真香",
        "{b}星人冲鸭",
        "偷偷爱上{p}",
        "一秒心动：{p}",
        "{k}，狠狠爱住",
    ),
    # Fits any tone: the volume behind the tone banks.
    "neutral": (
        "{b}｜{p}",
        "{p}｜{b}",
        "{b}，就选{p}",
        "{p}，{b}",
        "{b}，{b2}",
        "{k}×{b}",
        "{k}，{b}",
        "{b}之选：{p}",
        "{brand}｜{b}",
        "{brand}·{p}",
        "{brand}{p}",
        "{a}看过来：{p}",
        "{k}+{k2}",
        "{p}",
    ),
}

SUBHEADLINES: dict[str, tuple[str, ...]] = {
    "energetic": (
        "{point}，这波必须拿下！",
        "{point}，闭眼冲！",
        "{p}：{point}！",
        "{point}，一次到位！",
        "{brand}{p}，{b}不将就！",
    ),
    "warm": (
        "{point}，温柔陪伴每一天。",
        "{point}，用起来刚刚好。",
        "{p}，{point}。",
        "{p}，{b}，刚刚好。",
    ),
    "premium": (
        "{point}。{brand}，细节见真章。",
        "{point}，质感自然流露。",
        "{brand}{p}：{point}。",
        "{b}，是{brand}的分寸。",
    ),
    "professional": (
        "核心看点：{point}。",
        "{p}：{point}。",
        "一句话看懂：{point}。",
        "{point}。",
        "{p}，{k}与{b}一次说清。",
    ),
    "playful": (
        "{point}，谁用谁知道～",
        "{point}，真的会爱上！",
        "{p}：{point}，冲鸭！",
        "{b}这件事，{p}拿捏了～",
    ),
    "neutral": (
        "{brand}{p}，{b}。",
        "{brand}出品：{p}。",
        "{p}，来自{brand}。",
        "{p}。",
    ),
}

HOST_OPENERS: dict[str, tuple[str, ...]] = {
    "energetic": ("家人们看过来！", "所有人注意啦！", "来来来，直播间的朋友们！"),
    "warm": ("宝宝们，", "姐妹们，", "家人们，"),
    "premium": ("各位朋友，", "今天想和大家分享，"),
    "professional": ("给大家认真讲讲，", "各位朋友，"),
    "playful": ("姐妹们！", "宝子们！"),
}
HOST_INTROS: tuple[str, ...] = ("{p}来了，", "今天的主角是{p}，", "{brand}的{p}，", "这款{p}，")
HOST_POINT: dict[str, str] = {
    "energetic": "{point}！",
    "warm": "{point}。",
    "premium": "{point}。",
    "professional": "{point}。",
    "playful": "{point}！",
}
HOST_DEAL: tuple[str, ...] = ("今天{deal}！", "现在{deal}！")
HOST_DEAL_WITH_REFERENCE: tuple[str, ...] = ("{ref}，今天{deal}！", "{ref}，现在{deal}！")
HOST_OFFER: tuple[str, ...] = ("还有{offer}！", "{offer}！")
HOST_CLOSERS: dict[str, tuple[str, ...]] = {
    "energetic": ("喜欢的抓紧下单！", "三二一，上链接！", "喜欢的直接拍！"),
    "warm": ("喜欢的宝宝可以带回家～", "放心带回家～"),
    "premium": ("喜欢的朋友可以看看。", "值得细细体验。"),
    "professional": ("需要的朋友可以点开链接看看。", "按需入手就好。"),
    "playful": ("冲鸭～", "快去加购吧～"),
}

CTAS_WITH_DEAL: dict[str, tuple[str, ...]] = {
    "energetic": ("{deal}，立即抢购", "{deal}，马上下单"),
    "warm": ("{deal}，带它回家", "{deal}，现在就试试"),
    "premium": ("{deal}，即刻入手", "{deal}，即刻拥有"),
    "professional": ("{deal}，查看详情", "{deal}，立即购买"),
    "playful": ("{deal}，冲鸭", "{deal}，快加购"),
}
CTAS_WITH_OFFER: tuple[str, ...] = ("{offer}，立即购买", "{offer}，马上下单")
CTAS: dict[str, tuple[str, ...]] = {
    "energetic": ("立即抢购", "马上下单", "现在就冲"),
    "warm": ("带它回家", "现在就试试"),
    "premium": ("即刻探索", "即刻入手"),
    "professional": ("了解详情", "查看详情"),
    "playful": ("冲鸭，马上下单", "快加入购物车"),
}

SOCIAL_OPENERS: dict[str, tuple[str, ...]] = {
    "energetic": ("🔥挖到宝了！", "🔥这波必须安利！"),
    "warm": ("🌿最近的心头好～", "☁️分享一个温柔的好物"),
    "premium": ("关于质感这件事。", "值得细品的{p}。"),
    "professional": ("📝认真聊聊{p}。", "干货分享｜{p}"),
    "playful": ("✨救命！被{p}种草了", "💖谁懂啊，挖到宝藏了"),
}
SOCIAL_BODY = "{p}｜{point}。"
SOCIAL_MORE = "{point}。"
SOCIAL_DEAL = "{deal}。"
SOCIAL_OFFER = "{offer}。"
SOCIAL_CLOSERS: dict[str, tuple[str, ...]] = {
    "energetic": ("冲就完事了！", "喜欢就别犹豫！"),
    "warm": ("愿你的日常都刚刚好。", "温柔的小物，值得拥有。"),
    "premium": ("", "慢慢体会。"),
    "professional": ("理性种草，按需入手。", ""),
    "playful": ("快去试试吧～", "姐妹们冲～"),
}
SOCIAL_TAGS: dict[str, str] = {
    "energetic": "直播好物",
    "warm": "好物分享",
    "premium": "品质生活",
    "professional": "干货分享",
    "playful": "宝藏好物",
}

# Product facts as bullets when the script gives too few: always true of the product.
ATTRIBUTE_BULLET = "{name}：{value}"
FALLBACK_BULLETS: tuple[str, ...] = (
    "{brand}出品", "品类：{category}", "{p}", "认准{brand}", "用心出品", "品质之选", "日常好物",
    "详情见商品页",
)  # fmt: skip
# The product's name when there is no title and the script names none.
GENERIC_NAME = "好物"
NUMBERED_HEADLINE = "{p}之选 No.{n}"

PRICE_LABEL = "到手价"
REFERENCE_LABEL = "日常价"
PRICE_LABELS = (
    "到手价", "直播价", "秒杀价", "活动价", "券后价", "折后价", "福利价", "专享价", "专属价",
    "粉丝价",
)  # fmt: skip
REFERENCE_LABELS = ("原价", "日常价", "专柜价", "市场价", "吊牌价", "官方价", "官网价", "零售价")
CATALOG_PRICE_LABEL = "售价"

# English offers an English script made, in the words a Chinese page uses.
OFFER_TRANSLATIONS: dict[str, str] = {
    "buy one get one free": "买一送一",
    "buy one, get one free": "买一送一",
    "bogo": "买一送一",
    "free shipping": "包邮",
    "free delivery": "包邮",
    "free returns": "免费退换",
}
