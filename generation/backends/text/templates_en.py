"""English copy templates for the built-in text backend, by tone.

Slots (str.format fields): {p} product name, {brand}, {b}/{b2} short benefit phrases (gentle on
sensitive skin, hydrating), {adj}/{adj2} benefit adjectives only (lightweight, fragrance-free),
{k}/{k2} ingredients or technologies (hyaluronic acid), {a} who it is for (sensitive skin),
{point} a selling point from the script, {deal} the price (only $19.99), {ref} the reference
price (was $39), {offer} an offer (free shipping). A template is only used when every slot it
names has a value; templates never state a price, stock level or claim of their own.
The first letter of every field is capitalised after filling.
"""

HEADLINES: dict[str, tuple[str, ...]] = {
    "energetic": (
        "{p}: {b}, zero compromise",
        "Your {k} fix: {p}",
        "All in on {k}",
        "Level up with {p}",
        "Run, don't walk: {p}",
        "{adj} and ready: {p}",
        "{p} is here. Go!",
        "Don't miss {p}",
        "{adj}, {adj2}, done",
        "{brand} {p}, go go go",
    ),
    "warm": (
        "Meet {p}",
        "Say hello to {p}",
        "Treat yourself to {p}",
        "Everyday care: {p}",
        "{p}, made for every day",
        "{adj}, the everyday way",
        "Made for {a}: {p}",
        "A little kindness: {p}",
        "{adj} and kind: {p}",
        "{brand}, with care",
    ),
    "premium": (
        "{brand} {p}",
        "The art of {k}",
        "{p}. Quietly {adj}.",
        "{adj}, refined: {p}",
        "{p}, elevated",
        "Understated, {adj}: {p}",
        "The {p} ritual",
        "{k}, considered",
        "{brand}: {b}",
        "Crafted around {k}",
    ),
    "professional": (
        "{k} + {k2}",
        "Inside {p}: {k}",
        "What's in it: {k}",
        "Built around {k}",
        "The facts: {b}",
        "{p}, explained",
        "{p}: {k}, {adj}",
        "Why {k} matters",
        "{brand} {p}: the details",
    ),
    "playful": (
        "Obsessed with {p}",
        "{p}? Yes please",
        "Hello, {adj} vibes",
        "{adj} and we love it",
        "Our {k} era",
        "Main character: {p}",
        "Adding {p} to cart",
        "{k}, but make it fun",
        "{p} has entered the chat",
        "Plot twist: {p} is {adj}",
    ),
    "neutral": (
        "{p}: {b}",
        "{adj} {p}",
        "{adj}, {adj2} {p}",
        "{p}, {b}",
        "{p} with {k}",
        "Made with {k}",
        "{b}, by {brand}",
        "{brand} {p}",
        "{b} | {p}",
        "{k} | {b}",
        "For {a}: {p}",
        "{k} + {k2}",
        "{p}",
    ),
}

SUBHEADLINES: dict[str, tuple[str, ...]] = {
    "energetic": (
        "{p}: {point_mid}. A must!",
        "{point}. Don't wait!",
        "Why it's a yes: {point_mid}.",
        "{brand} {p}: {b}, no compromise.",
    ),
    "warm": (
        "{p}: {point_mid}.",
        "Why you'll love it: {point_mid}.",
        "{point}. Just right for every day.",
        "{brand} {p}, for every day.",
    ),
    "premium": (
        "{point}. {brand}, in every detail.",
        "{brand} {p}: {point_mid}.",
        "The essence: {point_mid}.",
    ),
    "professional": (
        "Key point: {point_mid}.",
        "{p}: {point_mid}.",
        "In short: {point_mid}.",
        "{p}: made with {k}.",
    ),
    "playful": (
        "{point}. Try it and see!",
        "Plot twist: {point_mid}.",
        "{p}: {point_mid}. Yes please!",
    ),
    "neutral": (
        "{brand} {p}: {b}.",
        "{p}, from {brand}.",
        "{p}.",
    ),
}

HOST_OPENERS: dict[str, tuple[str, ...]] = {
    "energetic": ("Okay everyone, listen up! ", "Everybody, look at this! "),
    "warm": ("Hi lovelies! ", "Hello, friends! "),
    "premium": ("Good evening, everyone. ", "Tonight I'd like to share something special. "),
    "professional": ("Let's talk details. ", "Here's what you need to know. "),
    "playful": ("Besties! ", "Okay, I'm obsessed! "),
}
HOST_INTROS: tuple[str, ...] = ("This is {p}. ", "Meet {p}. ", "{brand}'s {p} is here. ")
HOST_POINT: dict[str, str] = {
    "energetic": "{point}! ",
    "warm": "{point}. ",
    "premium": "{point}. ",
    "professional": "{point}. ",
    "playful": "{point}! ",
}
HOST_DEAL: tuple[str, ...] = ("Tonight it's {deal}! ", "Right now it's {deal}! ")
HOST_DEAL_WITH_REFERENCE: tuple[str, ...] = (
    "It's usually {ref_amount}, tonight it's {deal}! ",
    "Regular price {ref_amount}, live it's {deal}! ",
)
HOST_OFFER: tuple[str, ...] = ("Plus {offer}! ", "And {offer}! ")
HOST_CLOSERS: dict[str, tuple[str, ...]] = {
    "energetic": ("Tap the link and grab yours!", "Go, go, go!"),
    "warm": ("Take one home and treat yourself.", "Check it out in the link."),
    "premium": ("Take a closer look in the link.", "It's worth experiencing."),
    "professional": ("Details are in the link.", "Have a look at the full details."),
    "playful": ("Add it to your cart, bestie!", "You know what to do!"),
}

CTAS_WITH_DEAL: dict[str, tuple[str, ...]] = {
    "energetic": ("Grab it now, {deal}", "{deal}: shop now"),
    "warm": ("Take it home, {deal}", "{deal}: try it today"),
    "premium": ("{deal}: discover it", "Make it yours, {deal}"),
    "professional": ("{deal}: see the details", "{deal}: buy now"),
    "playful": ("{deal}: add to cart!", "Yes please, {deal}"),
}
CTAS_WITH_OFFER: tuple[str, ...] = ("{offer}: shop now", "Shop now, {offer}")
CTAS: dict[str, tuple[str, ...]] = {
    "energetic": ("Shop now", "Grab yours"),
    "warm": ("Take it home", "Try it today"),
    "premium": ("Discover more", "Make it yours"),
    "professional": ("See the details", "Learn more"),
    "playful": ("Add to cart!", "Treat yourself"),
}

SOCIAL_OPENERS: dict[str, tuple[str, ...]] = {
    "energetic": ("🔥 Found it!", "🔥 You need this one."),
    "warm": ("🌿 My current favourite.", "☁️ A little something I love."),
    "premium": ("On quality.", "Worth savouring: {p}."),
    "professional": ("📝 Let's talk about {p}.", "The details on {p}."),
    "playful": ("✨ Okay, obsessed with {p}.", "💖 Who else is into this?"),
}
SOCIAL_BODY = "{p}: {point_mid}."
SOCIAL_MORE = "{point}."
SOCIAL_DEAL = "{deal}."
SOCIAL_OFFER = "{offer}."
SOCIAL_CLOSERS: dict[str, tuple[str, ...]] = {
    "energetic": ("Don't sleep on it!", "Go get it!"),
    "warm": ("Treat yourself.", "Everyday, made nicer."),
    "premium": ("", "Take your time with it."),
    "professional": ("Buy what you need, nothing more.", ""),
    "playful": ("Try it, thank me later!", "You're welcome, besties!"),
}
SOCIAL_TAGS: dict[str, str] = {
    "energetic": "LiveShopping",
    "warm": "EverydayFavourites",
    "premium": "QuietLuxury",
    "professional": "KnowWhatYouBuy",
    "playful": "NewObsession",
}

ATTRIBUTE_BULLET = "{name}: {value}"
FALLBACK_BULLETS: tuple[str, ...] = (
    "By {brand}", "Category: {category}", "{p}", "Made by {brand}", "Thoughtfully made",
    "An everyday favourite", "A quality pick", "Details on the product page",
)  # fmt: skip
# The product's name when there is no title and the script names none.
GENERIC_NAME = "our pick"
NUMBERED_HEADLINE = "{p}, edition No.{n}"

PRICE_LABEL = "only"
REFERENCE_LABEL = "was"
CATALOG_PRICE_LABEL = ""

# Chinese offers from a Chinese script, in English, when the copy is English.
OFFER_TRANSLATIONS: dict[str, str] = {
    "买一送一": "buy one get one free",
    "第二件半价": "second item half price",
    "包邮": "free shipping",
    "全国包邮": "free shipping",
    "顺丰包邮": "free express shipping",
    "两件包邮": "free shipping on two",
    "送运费险": "free return shipping",
    "七天无理由退换": "7-day returns",
    "一年质保": "1-year warranty",
}

# Benefit words that can stand before a noun (Lightweight serum, not Hydration serum).
ADJECTIVE_SUFFIXES = ("ing", "ive", "-free", "less", "proof", "weight", "ful", "able", "ible")
ADJECTIVES = frozenset(
    {
        "gentle", "soft", "smooth", "calm", "light", "plump", "bouncy", "comfortable", "durable",
        "breathable", "waterproof", "long-lasting", "non-sticky", "non-greasy", "non-irritating",
        "fresh", "clear", "quiet", "warm", "crisp", "lightweight", "silky", "creamy", "juicy",
        "cozy",
    }
)  # fmt: skip
