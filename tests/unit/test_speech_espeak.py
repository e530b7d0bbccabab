"""What espeak-ng (en-gb) makes of the normaliser's doubtful choices, asked of espeak-ng
itself (`espeak-ng -x` prints the phonemes it would speak)."""

from __future__ import annotations

import subprocess

import pytest

from workers.pipeline.speech import to_spoken


def phonemes(text: str) -> str:
    result = subprocess.run(
        ["espeak-ng", "-q", "-v", "en-gb", "-x", text],
        capture_output=True,
        text=True,
        timeout=30,
        check=True,
    )
    return " ".join(result.stdout.split())


@pytest.mark.parametrize(
    ("written", "heard", "not_heard"),
    [
        # dotted, ICU is spelled even in a short text; as written it is "eye-koo"
        ("in ICU.", ",aIs,i:j'u:", "'aIku:"),
        ("VAT.", "v,i:;,eIt'i:", "v'at"),
        # "A and E" would start with the article's schwa; "A-and-E" with "ay"
        ("He was taken to A&E.", "'eIand'i:", "a# and"),
        ("Firms cut R&D.", "'A@randd'i:", "_and"),
        # a lone A before a number is "ay", not "uh"
        ("The A380 landed.", "'eITr'i:", "a# Tr'i:"),
        ("Traffic on the M25.", "'Em tw'Entif'aIv", "k'oUl@n"),
        ("It passed by a 2:1 margin.", "t'u: t@ w'0n", "k'oUl@n"),
        ("The film got 4/5 from critics.", "f'o@r- ,aUt@v f'aIv", "sl'aS"),
        ("She won the 400m hurdles.", "m'i:t3", "m'Ili@n"),
        ("MI5.", ",Em'aI f'aIv", "m'aI"),
    ],
)
def test_espeak_says_the_normalised_text_as_intended(written: str, heard: str, not_heard: str):
    said = phonemes(to_spoken(written))
    assert heard in said
    assert not_heard not in said.replace(heard, "")
    assert not_heard in phonemes(written) or heard not in phonemes(written), (
        "the written form was already fine: the rule is not needed"
    )
