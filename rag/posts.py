"""Who holds what post: the posts a source sentence gives the people it names ("treasurer Ines Carvalho"),
the post an answer sentence gives someone ("The treasurer is Dr. Samuel Achterberg."), and whether a source
sentence gives that post to another while naming the one the answer gives it to (``Posts.miscast``).

Asked "Who is the treasurer?" of board minutes opening "Present: chair Dr. Samuel Achterberg, director Amara
Okafor, treasurer Ines Carvalho, ...", the 1.5B model answered "The treasurer is Dr. Samuel Achterberg.": every
word of it is on the line, which word overlap and MiniLM score high, and the verifier, shown the question and
the line, rightly says the line answers it. The line gives the post to another.

This module does not score or cite (``rag.attribution`` does).
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Sequence
from typing import NamedTuple

from lemminflect import getLemma

from rag.wording import Wording, held, verb_form

# a name: capitalised words, after titles ("Dr. Samuel Achterberg", "Brig. Gen. Pat Ryder", "Maria Lindqvist")
_PARTICLE = r"(?:de|van|von|der|den|da|di|du|del|della|le|la|bin|ibn)\s+"  # "Mr. de Vries", "Ludwig van Beethoven"
_NAME = (
    rf"(?:(?:[A-Z][a-z]{{0,4}}\.|Dr|Mr|Mrs|Ms|Prof|Sir|Dame)\s+)*(?:{_PARTICLE})*[A-Z][\w'’-]*"
    rf"(?:\s+(?:{_PARTICLE})*[A-Z][\w'’-]*){{0,3}}"
)
# a post before its holder's name: a small word, or a capitalised one that opens the sentence or a clause
# ("Chief executive Maria Lindqvist said", "Present: chair Dr. Samuel Achterberg, director Amara Okafor")
# or the post, then its holder set apart by commas ("The on-call engineer, Sofia Brandt, was paged.")
_TITLED = re.compile(
    rf"(?:(?<=[a-z]\s)|(?<=^)|(?<=[,:;(]\s))(?P<post>[a-z][\w-]*|[A-Z][a-z-]+)(?:\s+|,\s+(?={_NAME},))(?P<name>{_NAME})"
)
# an answer sentence that gives a post: "The treasurer is N.", "N is the treasurer (of ...)."
_POST_IS = re.compile(rf"^\W*[Tt]he\s+(?:[\w'’-]+\s+){{0,3}}?(?P<post>[a-z][\w-]*)\s+(?:is|was)\s+(?P<name>{_NAME})")
_IS_POST = re.compile(
    rf"^\W*(?P<name>{_NAME})\s+(?:is|was)\s+(?:the|a|an)\s+(?:[\w'’-]+\s+){{0,2}}?(?P<post>[a-z][\w-]*)"
    r"(?=\s+(?:of|at|for|in|on|who|that|which|and)\b|\W*$)"
)
# a question whether someone holds the post: "Is Ms. Lindgren the trip leader?"
_ASKED_POST = re.compile(rf"^\W*(?:Is|Was)\s+(?P<name>{_NAME})\s+(?P<post>the\s+[^?]+?)\s*\?\s*$")
_TITLES = "Mr Mrs Ms Miss Mx Dr Prof Sir Dame"  # before a name, and no part of whose it is
_VERB_TAGS = ("VBD", "VBZ", "VBN", "VBG")


class Post(NamedTuple):
    """A post and who holds it, as a sentence says."""

    said: str  # its words: "treasurer Ines Carvalho"
    post: frozenset[str]  # the stemmed terms of the post
    holder: frozenset[str]  # and of its holder's name


def given_away(given: list[Post], titled: list[Post]) -> Iterator[tuple[Post, Post]]:
    """Each post an answer sentence gives (``given``) that a source sentence gives another (``titled``), as the
    answer's and the source's."""
    for claim in given:
        for post in titled:
            if claim.post == post.post and not held(set(claim.holder), set(post.holder)):
                yield claim, post


class Posts:
    """Reads who holds what post, by a ``Wording``'s terms."""

    def __init__(self, wording: Wording) -> None:
        self.wording = wording
        self._titles = wording.terms(_TITLES)

    def holder(self, name: str) -> set[str]:
        """The terms of a holder's name, without its title: "Ms. Lindgren" and "Ms. Okonkwo" are two people.

        >>> sorted(Posts(Wording()).holder("Dr. Samuel Achterberg"))
        ['achterberg', 'samuel']
        """
        return self.wording.terms(name) - self._titles

    def titled(self, quote: str) -> list[Post]:
        """Each name a sentence puts after a post ("treasurer Ines Carvalho"): the post a noun, not a small word
        ("in Paris"), nor a verb's form ("visited Oslo", "said Kirby").

        >>> line = "Present: chair Dr. Samuel Achterberg, director Amara Okafor, treasurer Ines Carvalho."
        >>> [p.said for p in Posts(Wording()).titled(line)]
        ['chair Dr. Samuel Achterberg', 'director Amara Okafor', 'treasurer Ines Carvalho']
        >>> Posts(Wording()).titled("Maria Lindqvist visited Oslo in May, said Kirby, including Paul Nkemelu.")
        []
        """
        out = []
        for m in _TITLED.finditer(quote):
            post = m.group("post")
            # a noun ("Maria Lindqvist": a first name is none), and no verb's form
            if not getLemma(post.lower(), "NOUN", lemmatize_oov=False) or any(verb_form(post, t) for t in _VERB_TAGS):
                continue
            terms, holder = self.wording.terms(post), self.holder(m.group("name"))
            if terms and holder:
                out.append(Post(m.group(0), frozenset(terms), frozenset(holder)))
        return out

    def given(self, sentence: str) -> list[Post]:
        """The posts an answer sentence gives: "The treasurer is N.", "N is the chief executive (of ...).",
        and a post before a name, as a source sentence says it.

        >>> a = Posts(Wording())
        >>> [(sorted(p.post), sorted(p.holder)) for p in a.given("The treasurer is Dr. Samuel Achterberg.")]
        [(['treasur'], ['achterberg', 'samuel'])]
        >>> [sorted(p.post) for p in a.given("Maria Lindqvist is the chief executive of the authority.")]
        [['execut']]
        >>> a.given("The deficit was 200,000 euros."), a.given("The dental unit opened in March.")
        ([], [])
        """
        found = [m for pattern in (_POST_IS, _IS_POST) if (m := pattern.match(sentence))]
        out = [
            Post(
                m.group(0),
                frozenset(self.wording.terms(m.group("post"))),
                frozenset(self.holder(m.group("name"))),
            )
            for m in found
        ]
        return [p for p in out if p.post and p.holder] + self.titled(sentence)

    def refused(self, question: str, line: str) -> bool:
        """Whether a line gives the post a question asks whether someone holds ("Is Ms. Lindgren the trip
        leader?") to another ("Ms. Okonkwo is the trip leader and can be reached on ..."): it says no. A post
        asked with "a" is one of several ("Was Tesla an engineer?"), and not read so.

        >>> a = Posts(Wording())
        >>> line = "Ms. Okonkwo is the trip leader and can be reached on 06 1234 5678."
        >>> a.refused("Is Ms. Lindgren the trip leader?", line), a.refused("Is Ms. Okonkwo the trip leader?", line)
        (True, False)
        >>> a.refused("Is Ms. Lindgren a trip leader?", line), a.refused("Where is the trip leader?", line)
        (False, False)
        """
        asked = _ASKED_POST.match(question)
        if not asked:
            return False
        claimed = self.given(f"{asked.group('name')} is {asked.group('post')}.")
        return any(given_away(claimed, self.given(line)))

    @staticmethod
    def others(given: list[Post], titled: list[Post]) -> bool:
        """Whether a source sentence gives a post an answer sentence gives (``given``) to another (``titled``):
        never a second source for it, whether or not it names the answer's holder ("The on-call engineer, Sofia
        Brandt, was paged." for "Jonas Weber was the on-call engineer who raised the limit.").

        >>> a = Posts(Wording())
        >>> said = "Jonas Weber was the on-call engineer who raised the limit."
        >>> line = "The on-call engineer, Sofia Brandt, was paged."
        >>> Posts.others(a.given(said), a.titled(line)), Posts.others(a.given(said), a.titled("Engineer Jonas Weber"))
        (True, False)
        """
        return any(given_away(given, titled))

    @staticmethod
    def taken(given: list[Post], titled: Sequence[list[Post]]) -> str:
        """What a source sentence says, where it gives the post an answer sentence gives someone as the one who
        holds it ("the on-call engineer") to another, set apart by commas, and no source sentence (``titled``:
        each one's posts) gives it to the answer's holder: its words ("engineer, Sofia Brandt"); else "".

        >>> a = Posts(Wording())
        >>> said = a.given("Jonas Weber was the on-call engineer who raised the limit.")
        >>> lines = [a.titled("The on-call engineer, Sofia Brandt, was paged."), a.titled("Jonas Weber raised it.")]
        >>> Posts.taken(said, lines), Posts.taken(said, lines + [a.titled("Lead engineer Jonas Weber came.")])
        ('engineer, Sofia Brandt', '')
        >>> Posts.taken(a.given("Jonas Weber was an engineer."), lines)  # one of several
        ''
        """
        for claim in given:
            if "the" not in claim.said.lower().split():
                continue
            holders = [post for posts in titled for post in posts if post.post == claim.post]
            if any(held(set(claim.holder), set(post.holder)) for post in holders):
                continue
            # only a post its holder is set apart from by commas, as a post is named: "the name Eleventh Doctor"
            # (of "Susan Foreman is the name of Doctor Who's granddaughter.") names no one's post
            apart = [post for post in holders if ", " in post.said]
            if apart:
                return apart[0].said
        return ""

    def miscast(self, given: list[Post], titled: list[Post], terms: set[str]) -> str:
        """What a source sentence of these terms says of a post an answer sentence gives (``given``), where it
        gives the post to another (``titled``) and names the one the answer gives it to elsewhere: its words
        ("treasurer Ines Carvalho"); else "".

        >>> a = Posts(Wording())
        >>> line = "Present: chair Dr. Samuel Achterberg, director Amara Okafor, treasurer Ines Carvalho."
        >>> titled, terms = a.titled(line), a.wording.terms(line)
        >>> a.miscast(a.given("The treasurer is Dr. Samuel Achterberg."), titled, terms)
        'treasurer Ines Carvalho'
        >>> a.miscast(a.given("The treasurer is Ines Carvalho."), titled, terms)
        ''
        >>> a.miscast(a.given("The treasurer is Paul Nkemelu."), titled, terms)  # not named there: not gainsaid
        ''
        """
        named = (
            post
            for claim, post in given_away(given, titled)
            if held(set(claim.holder), terms - post.holder) == claim.holder
        )
        return next((post.said for post in named), "")
