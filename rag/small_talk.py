"""What is said to the assistant rather than asked of the documents: a greeting, thanks, a request
for help, or which documents there are.

Asked of the documents, "hello" or "thanks!" found no passage near it and was answered "The
documents do not say.", with four passages no one asked for: a first reader took the product for
broken. These are recognised whole (``kind_of``: in English, and in French, German, Spanish,
Italian, Portuguese and Dutch too; a word or two around them allowed) and answered,
in English as the page is, without retrieval or the model (``reply``); anything more is a question.

This module neither retrieves nor prompts the model.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence

SHOWN_NAMES = 20  # a list of the documents names this many, then says how many more

_KINDS = {
    "greeting": r"(hi|hello|hey|hiya|howdy|greetings|good (morning|afternoon|evening|day))"
    r"( there| groundline| all| everyone)?"
    # the same in the languages readers of a European office write in: French, German, Spanish, Italian,
    # Portuguese, Dutch
    r"|bonjour|bonsoir|salut|hallo|guten (morgen|tag|abend)|moin|servus|hola|buenos días|buenas (tardes|noches)"
    r"|ciao|buongiorno|buonasera|olá|ola|bom dia|boa (tarde|noite)|hoi|goedemorgen|goedemiddag|goedenavond",
    "thanks": r"((ok|okay|great|cool|perfect|nice|awesome|thank you|got it)\s*)?"
    r"(thanks|thank you|thx|ty|cheers|much appreciated)( (so|very) much| a lot| again)?"
    r"|merci( beaucoup| bien)?|danke( schön| sehr)?|vielen dank|(muchas )?gracias|grazie( mille)?"
    r"|obrigad[oa]|dank (je|u)( wel)?|bedankt",
    "help": r"help( me)?|what can you do|what do you do|how do(es)? (this|it|you) work|who are you|what are you"
    r"|how (do|should|can) i use (this|you|it)"
    r"|aide( moi)?|(que|qu'est ce que) (peux|pouvez) (tu|vous) faire|(qu'est ce que tu sais|tu sais) faire( quoi)?"
    r"|qui es tu|hilfe|was kannst du( tun| machen)?|was können sie( tun)?|wer bist du"
    r"|ayuda|ayúdame|qué puedes hacer|quién eres|aiuto|cosa (puoi|sai) fare|chi sei"
    r"|ajuda|o que (você pode|podes) fazer|quem é você|wat kun (je|jij)( doen)?|wie ben je",
    "documents": r"(what|which) (documents|files|docs|sources) (do you have|are there|have you got|can you see"
    r"|are (loaded|ingested|available)|can i ask about)|(list|show)( me)?( the| all| your| all the| all of the)?"
    r" (documents|files|docs|sources)|how many (documents|files|docs)( are there| do you have)?"
    r"|quels (documents|fichiers) (as tu|avez vous|y a t il)|welche (dokumente|dateien) (hast du|haben sie|gibt es)"
    r"|qué (documentos|archivos) (tienes|tiene|hay)|quali (documenti|file) (hai|ha|ci sono)"
    r"|quais (documentos|arquivos|ficheiros) (você tem|tens|há)|welke (documenten|bestanden) (heb je|hebt u|zijn er)",
}
_WHOLE = {kind: re.compile(rf"(please )?({pattern})( please)?") for kind, pattern in _KINDS.items()}
_NOT_WORDS = re.compile(r"[^\w\s']+")


def kind_of(said: str) -> str | None:
    """Which of the things said to the assistant ``said`` is, whole: ``greeting``, ``thanks``,
    ``help`` or ``documents``; None for a question of the documents.

    >>> [kind_of(s) for s in ("Hello!", "thanks a lot :)", "What can you do?", "Which documents do you have?")]
    ['greeting', 'thanks', 'help', 'documents']
    >>> [kind_of(s) for s in ("Hello, who denied arms deals?", "help with the budget", "list the ports")]
    [None, None, None]
    >>> [kind_of(s) for s in ("Bonjour !", "Guten Morgen", "¡Hola!", "Merci beaucoup", "Muchas gracias", "Dank je wel")]
    ['greeting', 'greeting', 'greeting', 'thanks', 'thanks', 'thanks']
    >>> [kind_of(s) for s in ("Que peux-tu faire ?", "Was kannst du?", "¿Qué puedes hacer?", "Cosa sai fare?")]
    ['help', 'help', 'help', 'help']
    >>> [kind_of(s) for s in ("Quels documents as-tu ?", "Welche Dokumente gibt es?", "Welke bestanden zijn er?")]
    ['documents', 'documents', 'documents']
    """
    words = " ".join(_NOT_WORDS.sub(" ", said.lower()).split())
    return next((kind for kind, whole in _WHOLE.items() if whole.fullmatch(words)), None)


def reply(said: str, documents: Callable[[], Sequence[str]], chosen: bool = False) -> str | None:
    """The assistant's own reply to ``said`` (None: a question, for the documents to answer);
    ``documents()``: the documents asked within, ``chosen`` by the reader or else every one.

    >>> reply("hi", lambda: ["a.txt", "b.txt"])
    'Hello. Ask me about your 2 documents: I answer from them alone, each sentence citing the lines it rests on.'
    >>> reply("Which files do you have?", lambda: ["a.txt"], chosen=True)
    'You are asking within 1 chosen document: a.txt.'
    >>> reply("Who denied arms deals?", lambda: []) is None
    True
    """
    kind = kind_of(said)
    if kind is None:
        return None
    if kind == "thanks":
        return "You're welcome."
    names = list(documents())
    if not names:
        return "No documents have been ingested yet: add some, then ask about them."
    count = f"{len(names):,} {'chosen ' if chosen else ''}document{'s' if len(names) != 1 else ''}"
    match kind:
        case "greeting":
            cited = "each sentence citing the lines it rests on"
            return f"Hello. Ask me about your {count}: I answer from them alone, {cited}."
        case "help":
            return (
                f"I answer questions about your {count} from them alone: each sentence of an answer cites the "
                "lines it rests on, and where they do not say, I say so and show the closest passages. Ask for a "
                'summary ("summarize the documents", or of one: "summarize report.pdf"), name a document in a '
                "question to ask it alone, or search the documents without asking, for every place words appear."
            )
        case _:
            shown = ", ".join(names[:SHOWN_NAMES])
            more = f" and {len(names) - SHOWN_NAMES:,} more" if len(names) > SHOWN_NAMES else ""
            return f"{'You are asking within' if chosen else 'There are'} {count}: {shown}{more}."
