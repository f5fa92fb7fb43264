"""Words as attribution compares them: content words, stemmed, a verb's forms as the verb; whether one
set of them holds another; a sentence's clauses.

This module does not score or cite (``rag.attribution`` does).
"""

from __future__ import annotations

import functools
import re
from collections.abc import Sequence

import Stemmer
from lemminflect import getAllInflections, getAllLemmas, getInflection, getLemma

WORD = re.compile(r"[A-Za-z0-9]+(?:['’][A-Za-z]+)?")
# (every form of "say": "What did Maria Lindqvist say?" held "say", which "Maria Lindqvist said ..." did not,
# and was refused as far from every passage; "now", "still", ...: "Lena Haugland is the head nurse now.", asked
# "Who is the head nurse now?", held a word that "His successor is Lena Haugland, ..." did not, 0.496 under 0.5)
_STOPWORDS = frozenset(
    """a an and are as at be been being but by can could did do does for from had has have he
    her hers him his how i if in into is it its me my no nor not of on or our she so such than
    that the their them then there these they this those to too under up us was we were what
    when where which while who whom whose why will with would you your also any all about said
    says say saying according now currently still just""".split()
)

# a sentence's clauses, near enough: what its commas, brackets and full stops part (two sentences Punkt
# took for one, at an abbreviation it does not know, are two clauses)
_CLAUSE = re.compile(r"(?:[^,;:()\[\]—.]|\.(?!\s))+")
DETERMINERS = frozenset("the a an its his her their our your this that these those".split())


def clauses(sentence: str) -> list[str]:
    """A sentence's clauses (``_CLAUSE``).

    >>> clauses("In 1884, Tesla began working for Edison.")
    ['In 1884', ' Tesla began working for Edison.']
    """
    return _CLAUSE.findall(sentence)


def clause_at(sentence: str, at: int) -> re.Match:
    """The clause (``_CLAUSE``) of a sentence that the character at ``at`` is in."""
    return next(c for c in _CLAUSE.finditer(sentence) if c.start() <= at < c.end())


# A doer's noun (or its verb) whose act has a verb of another word: the header field "Author: Priya Raman"
# says she wrote it (asked "Who wrote the postmortem?", the 1.5B model's "Priya Raman wrote the postmortem."
# matched that line at 0.49: no word of "wrote" in it)
_ACT_OF = {"author": "write", "authors": "write", "authored": "write", "authoring": "write"}


@functools.lru_cache(maxsize=65536)
def _lemma(word: str) -> str:
    """A verb's form as the verb (lemminflect's dictionary: "sold" -> "sell", "fought" -> "fight"), a
    doer's noun as the verb of what it does ("owners" -> "own", "manager" -> "manage"); any other word
    as it is. A stemmer strips suffixes; it cannot tell that "sold" is "sell", nor that the city that
    is "the authority's sole owner" is said to own it.

    >>> [_lemma(w) for w in ("sold", "owners", "manager", "investor", "tower", "number", "water", "Author")]
    ['sell', 'own', 'manage', 'invest', 'tower', 'number', 'water', 'write']
    """
    if word.lower() in _ACT_OF:
        return _ACT_OF[word.lower()]
    lemmas = getLemma(word, "VERB", lemmatize_oov=False)
    return lemmas[0] if lemmas else _doer_verb(word) or word


def _doer_verb(word: str) -> str | None:
    """The verb a doer's noun is made of ("owner": "own", "producer": "produce", "editor": "edit"), or None:
    a word that is no noun ending "er" or "or", one that is a verb too ("tower", "number": no "tow", no
    "numb"), or one no verb is the rest of ("water"), of four letters or more after "or" ("mayor": no "may",
    "armor": no "arm").

    >>> _doer_verb("owner"), _doer_verb("sailor"), _doer_verb("mayor"), _doer_verb("armor"), _doer_verb("tower")
    ('own', 'sail', None, None, None)
    """
    forms = getAllLemmas(word)
    nouns = forms.get("NOUN", ())
    if "VERB" in forms or not nouns or not nouns[0].endswith(("er", "or")):
        return None
    noun = nouns[0]
    least = 4 if noun.endswith("or") else 3  # "own" of "owner"; not "may" of "mayor"
    return next((b for b in (noun[:-2], noun[:-1]) if len(b) >= least and getAllInflections(b, "VERB")), None)


def verb_form(word: str, tag: str) -> str | None:
    """The verb of which a word is the ``tag`` form (Penn's: VBD the simple past, VBN the past participle,
    VBZ the present's third person) in a spelling of its own, or None: any other word, the verb's own
    spelling ("set", "increase"), a capitalised word (a name: "Moscow violates").

    >>> verb_form("invited", "VBD"), verb_form("sold", "VBN"), verb_form("increases", "VBZ")
    ('invite', 'sell', 'increase')
    >>> verb_form("rows", "VBD"), verb_form("invite", "VBD"), verb_form("Invited", "VBD"), verb_form("set", "VBN")
    (None, None, None, None)
    """
    lemmas = getLemma(word, "VERB", lemmatize_oov=False) if word.islower() else ()
    if not lemmas or lemmas[0] == word:
        return None
    return lemmas[0] if word in getInflection(lemmas[0], tag=tag) else None


def held(words: set[str], terms: set[str]) -> set[str]:
    """Which of the stemmed ``words`` ``terms`` holds, a country's name and its people's counting as one
    word (the stemmer keeps "russia" from "russian", "korea" from "korean"): the same, or one the other
    with a letter or two more, the shorter of five letters or more. "Russia and North Korea", in an answer
    cited to "... security on the Korean Peninsula", was sent to another line for "Korea".

    >>> sorted(held({"russia", "korea", "north", "art"}, {"russian", "korean", "arts", "nort"}))
    ['korea', 'russia']
    """
    same = words & terms

    def kin(word: str) -> bool:
        return len(word) >= 5 and any(
            0 < abs(len(t) - len(word)) <= 2
            and min(len(t), len(word)) >= 5
            and (t.startswith(word) or word.startswith(t))
            for t in terms
        )

    return same | {w for w in words - same if kin(w)}


class Wording:
    """A text's terms (``terms``), by a stemmer kept from call to call."""

    def __init__(self) -> None:
        self.stemmer = Stemmer.Stemmer("english")

    def terms(self, text: str) -> set[str]:
        """Stemmed content words, a verb's irregular forms as the verb: ``terms("Denied arms deals")``
        -> {'deni', 'arm', 'deal'}; "sold" is "sell", as "sells" and "selling" are.

        >>> a = Wording()
        >>> a.terms("North Korea sold weapons.") == a.terms("North Korea sells weapons.")
        True
        """
        words = [w.lower() for w in WORD.findall(text)]
        return set(self.stemmer.stemWords([_lemma(w) for w in words if w not in _STOPWORDS]))

    def first_terms(self, words: Sequence[str]) -> frozenset[str]:
        """The stemmed terms of the first content word among ``words`` (none: empty): the word after the one
        a denial governs (``Denial.then``)."""
        return next((frozenset(t) for word in words if (t := self.terms(word))), frozenset())

    def verb(self, word: str) -> bool:
        """Whether a word is a content word that may be a verb (not a name: "Moscow violates")."""
        return word[0].islower() and bool(self.terms(word)) and bool(getLemma(word, "VERB", lemmatize_oov=False))

    def only_verb(self, word: str) -> bool:
        """Whether a word is a content word that is a verb and nothing else: no noun or adjective of the
        same spelling ("rear", "front" and "research" are nouns too), or a verb's own form ("began").

        >>> w = Wording()
        >>> w.only_verb("began"), w.only_verb("proceeded"), w.only_verb("rear"), w.only_verb("client")
        (True, True, False, False)
        """
        if not self.verb(word):
            return False
        lemma = getLemma(word, "VERB", lemmatize_oov=False)[0]
        return lemma != word or not any(getLemma(word, tag, lemmatize_oov=False) for tag in ("NOUN", "ADJ"))
