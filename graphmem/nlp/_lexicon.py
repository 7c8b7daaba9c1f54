"""Word lists for coreference: pronoun features, gendered and person nouns, honorifics, name genders.

These describe English, not any test: pronouns by person/number/gender, nouns whose meaning
carries a gender ("mother") or marks a person ("doctor"), nouns that pick out an organization
or a place for definite descriptions ("the company"). First-name genders are a soft prior
read from ``first_names.tsv`` (1990 US Census lists, public domain); what a text says about a
name (a pronoun, an honorific, a gendered noun) always outweighs it. ``surnames.txt`` (same
source) only tells that a name the NER labelled a place or an organization may be a person's.
"""

from __future__ import annotations

from functools import lru_cache
from importlib import resources

__all__ = ["PRONOUNS", "REFLEXIVE", "HONORIFICS", "GENDERED_NOUNS", "PERSON_NOUNS", "ANIMAL_NOUNS", "ORG_NOUNS",
           "PLACE_NOUNS", "MOTION_VERBS", "female_share", "is_surname"]

#: word → (person, number, gender); gender m | f | n (inanimate) | "" (unknown or any).
PRONOUNS: dict[str, tuple[int, str, str]] = {
    **{w: (1, "sg", "") for w in ("i", "me", "my", "mine", "myself")},
    **{w: (1, "pl", "") for w in ("we", "us", "our", "ours", "ourselves")},
    **{w: (2, "", "") for w in ("you", "your", "yours", "yourself", "yourselves")},
    **{w: (3, "sg", "m") for w in ("he", "him", "his", "himself")},
    **{w: (3, "sg", "f") for w in ("she", "her", "hers", "herself")},
    **{w: (3, "sg", "n") for w in ("it", "its", "itself")},
    **{w: (3, "pl", "") for w in ("they", "them", "their", "theirs", "themselves")},
}
REFLEXIVE = {"myself", "ourselves", "yourself", "yourselves", "himself", "herself", "itself", "themselves"}

HONORIFICS: dict[str, str] = {
    **{w: "m" for w in ("mr", "mr.", "sir", "lord", "king", "prince", "duke", "mister", "monsieur", "herr",
                        "señor", "signor", "fr", "fr.", "brother", "uncle", "father")},
    **{w: "f" for w in ("mrs", "mrs.", "ms", "ms.", "miss", "madam", "madame", "mme", "mme.", "lady", "dame",
                        "queen", "princess", "duchess", "mademoiselle", "frau", "señora", "signora", "sister",
                        "aunt", "mother")},
}

_PAIRS = """
man woman | men women | boy girl | father mother | dad mom | daddy mommy | papa mama | mum mum |
son daughter | brother sister | husband wife | boyfriend girlfriend | fiance fiancee | groom bride |
uncle aunt | nephew niece | grandfather grandmother | grandpa grandma | grandson granddaughter |
stepfather stepmother | stepson stepdaughter | king queen | prince princess | duke duchess | lord lady |
emperor empress | actor actress | waiter waitress | host hostess | hero heroine | monk nun |
widower widow | gentleman lady | sir madam | mister missus | schoolboy schoolgirl | policeman policewoman |
chairman chairwoman | businessman businesswoman | spokesman spokeswoman | sportsman sportswoman |
congressman congresswoman | countryman countrywoman | headmaster headmistress | master mistress |
steward stewardess | baron baroness | count countess | tsar tsarina | abbot abbess | priest priestess |
godfather godmother | patriarch matriarch | bachelor bachelorette | lad lass | guy gal | sultan sultana
"""
GENDERED_NOUNS: dict[str, str] = {}
for _pair in _PAIRS.replace("\n", " ").split("|"):
    _m, _f = _pair.split()
    GENDERED_NOUNS.setdefault(_m, "m")
    GENDERED_NOUNS.setdefault(_f, "f")
GENDERED_NOUNS.update({"mum": "f", "ma": "f", "pa": "m", "sis": "f", "bro": "m", "lady": "f", "mom": "f",
                       "ballerina": "f", "housewife": "f", "maid": "f", "mistress": "f", "pope": "m"})

#: Nouns that name people (animate, gender open).
PERSON_NOUNS = set("""
person people child children kid kids baby parent parents sibling siblings cousin cousins friend friends
colleague colleagues coworker boss neighbor neighbour roommate partner spouse teacher student pupil doctor
nurse lawyer engineer manager director president chairperson ceo founder owner employee worker member
player singer musician artist writer author poet painter composer producer actor dancer coach captain
leader officer soldier agent detective scientist professor researcher journalist reporter editor
politician minister senator governor mayor judge chef cook driver pilot farmer guest client customer
patient doctor therapist dentist assistant secretary candidate winner champion rival opponent teammate
mentor student apprentice daughter son user fan critic historian philosopher architect designer
photographer filmmaker novelist playwright drummer guitarist pianist violinist vocalist rapper dj
boxer wrestler athlete cyclist runner swimmer footballer goalkeeper striker defender landlord landlady
tenant flatmate housemate classmate schoolmate teammate boyfriend girlfriend fiance fiancee ex grandparent
grandchild toddler teenager adult neighbor stranger visitor tourist passenger traveler traveller buyer
seller vendor supplier contractor plumber electrician mechanic technician carpenter builder cleaner
babysitter nanny tutor instructor trainer therapist counselor counsellor psychologist psychiatrist surgeon
physician pharmacist vet veterinarian dentist paramedic firefighter cop policeman detective sheriff
receptionist cashier clerk accountant banker consultant analyst developer programmer intern recruiter
supervisor colleague employer boss ceo cfo founder cofounder chairman spokesperson ambassador diplomat
president prime king queen prince princess monk priest pastor rabbi imam bishop pope nun
""".split()) | set(GENDERED_NOUNS)

#: Animals: referred to as "it", or as "he"/"she" by the people who keep them.
ANIMAL_NOUNS = set("""
dog puppy pup cat kitten kitty horse pony rabbit bunny hamster parrot bird fish turtle tortoise goat cow
pig sheep lamb chicken hen duck snake lizard mouse rat ferret guinea pet
""".split())

#: Head nouns of definite descriptions that refer back to an organization / a place.
ORG_NOUNS = set("""
company firm corporation business startup band group team club organization organisation agency party
university college school bank label studio newspaper magazine network government ministry department
institute foundation charity society association union league council committee board brand
manufacturer airline publisher restaurant shop store hospital church orchestra choir police staff crew
family army navy press media
""".split())

#: Verbs whose oblique ("moved to X", "lives in X") is a place.
MOTION_VERBS = set("""
move live go travel fly drive walk come return arrive stay settle relocate emigrate immigrate commute
head visit leave reach land tour holiday vacation
""".split())
PLACE_NOUNS = set("""
city town village country state nation capital region province county island place area district
neighborhood neighbourhood suburb continent kingdom republic territory
""".split())


@lru_cache(maxsize=1)
def _name_shares() -> dict[str, float]:
    text = (resources.files("graphmem.nlp") / "first_names.tsv").read_text(encoding="utf-8")
    out = {}
    for line in text.splitlines():
        if line and not line.startswith("#"):
            name, share = line.split("\t")
            out[name] = float(share)
    return out


def female_share(first_name: str) -> float | None:
    """The share of women among bearers of ``first_name`` in the 1990 US Census lists, or None.

    >>> female_share("Mary") > 0.95, female_share("John") < 0.05, female_share("Zxq")
    (True, True, None)
    """
    return _name_shares().get(first_name.lower())


@lru_cache(maxsize=1)
def _surnames() -> frozenset[str]:
    text = (resources.files("graphmem.nlp") / "surnames.txt").read_text(encoding="utf-8")
    return frozenset(line for line in text.splitlines() if line and not line.startswith("#"))


def is_surname(word: str) -> bool:
    """Whether ``word`` is among the 20,000 commonest US surnames of the 1990 Census.

    >>> is_surname("Rivera"), is_surname("Atomic")
    (True, False)
    """
    return word.lower() in _surnames()
