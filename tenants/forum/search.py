"""Search in Russian without a plaintext index (docs/forum.md, "Search").

A post's text is cut into words, each normalised (lower case, «ё» as «е», Snowball's Russian
stemmer for Cyrillic words and its English one for Latin words: «счётчики», «счетчиков» and
«счётчик» all become «счетчик»), and each form is hashed with HMAC-SHA-256 under the
association's blind-index key (``core.crypto.keyring.blind_indexes``, the key material of the
emails' blind index, domain-separated by the field name ``forum.word``). The first 8 bytes of
each hash are kept as a signed 64-bit integer in ``Post.words`` (a GIN-indexed array), so the
database holds no word of what members wrote; a query is normalised and hashed the same way and
matched with ``@>`` (every word of the query).

Equal words give equal hashes, so someone holding the database alone learns how often the same
(unknown) word form occurs, nothing more; without the provider key the hashes cannot be tested
against a dictionary. 64 bits make a false match between two different words unlikely beyond
any practical number of word forms.
"""

from __future__ import annotations

import re
from functools import lru_cache

import snowballstemmer

from core.crypto import keyring

FIELD = "forum.word"
#: Words shorter than this are not indexed (prepositions, single letters).
MIN_LENGTH = 2
#: The most distinct word forms kept per post, and words taken from a query.
MAX_WORDS = 2000
MAX_QUERY_WORDS = 10

_WORD = re.compile(r"[^\W_]+", re.UNICODE)
_CYRILLIC = re.compile(r"[а-я]")


@lru_cache(maxsize=1)
def _stemmers():
    return snowballstemmer.stemmer("russian"), snowballstemmer.stemmer("english")


@lru_cache(maxsize=50_000)
def normalise(word: str) -> str:
    """A word's form for the index: lower case, ё → е, stemmed."""
    word = word.lower().replace("ё", "е")
    russian, english = _stemmers()
    stemmer = russian if _CYRILLIC.search(word) else english
    return stemmer.stemWord(word)


def forms(text: str, limit: int = MAX_WORDS) -> list[str]:
    """The distinct normalised word forms of ``text``, in first-seen order."""
    seen: dict[str, None] = {}
    for match in _WORD.finditer(text or ""):
        word = match.group()
        if len(word) < MIN_LENGTH:
            continue
        seen.setdefault(normalise(word), None)
        if len(seen) >= limit:
            break
    return list(seen)


def _as_int(digest: str) -> int:
    return int.from_bytes(bytes.fromhex(digest[:16]), "big", signed=True)


def hashes(text: str, *, limit: int = MAX_WORDS) -> list[int]:
    """The keyed hashes of ``text``'s word forms (what ``Post.words`` holds)."""
    found = forms(text, limit)
    if not found:
        return []
    return sorted({_as_int(d) for d in keyring.blind_indexes(found, field=FIELD)})


def query_hashes(query: str) -> list[int]:
    """The hashes a query must all match (its first ``MAX_QUERY_WORDS`` words)."""
    return hashes(query, limit=MAX_QUERY_WORDS)
