"""Texts the tests submit: the seed, numbered stories for batches, an article with
lines an editor keeps or drops, and a sentence in each language the detector knows."""

from __future__ import annotations

from tests.support.paths import SEED


def post_seed(client, **fields):
    """POST the seed article to the API through a test client."""
    text = SEED.read_text(encoding="utf-8")
    return client.post("/api/v1/articles", json={"text": text, **fields})


def article(n: int, paragraphs: int = 2) -> dict:
    body = "\n\n".join(
        f"Story {n} continues with point {p}, and it says something of its own."
        for p in range(paragraphs)
    )
    return {"title": f"Headline number {n}", "text": body}


ARTICLE = "\n\n".join(
    [
        "Harbour wall to be rebuilt after storm",
        "By Ana Silva",
        "The council agreed on Tuesday to rebuild the harbour wall damaged in the storm.",
        "Work will start in the spring and is expected to last eight months.",
        "Sign up to our newsletter for the latest local news.",
        "Fishing boats will moor at the north quay while the work goes on.",
        "Residents can see the plans at the library until the end of the month.",
    ]
)


TEXTS = {
    "en": "The council voted on Tuesday to repair the old bridge before the winter storms.",
    "de": "Der Stadtrat hat am Dienstag beschlossen, die Brücke vor dem Winter zu sanieren.",
    "fr": "Le conseil municipal a voté mardi la réparation du vieux pont avant l'hiver.",
    "es": "El ayuntamiento votó el martes reparar el viejo puente antes del invierno.",
    "it": "Il consiglio comunale ha votato martedì per riparare il vecchio ponte.",
    "pt": "A câmara municipal votou na terça-feira a reparação da velha ponte.",
    "nl": "De gemeenteraad heeft dinsdag besloten de oude brug te herstellen.",
}


# Sentences of local news, for long paragraphs made of them (tests of cutting them up).
NEWS = [
    "The council met on Tuesday.",
    "It agreed the budget for the coming year after a long debate about the libraries.",
    "Residents said the plan would cost more than expected.",
    "A spokesman for the mayor, who was not at the meeting, declined to comment.",
    "Work on the bypass is due to start in the spring and last two years.",
    "Objectors have until Friday to write in.",
    "Traffic on the high street has doubled since the supermarket opened.",
]
