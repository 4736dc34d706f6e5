"""Words and numbers of running text: Vietnamese number forms (``7.848``, ``99,57``), OCR damage
(``l0`` = 10, ``a94``, digits glued to words), and the numbers that are never figures."""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field
from decimal import Decimal
from functools import lru_cache

from kpi.numbers import NumberError, parse_number

VOWELS = frozenset("aeiouy")
#: characters OCR puts where a toned vowel was ("Th6ng", "tr€n", "hiQn", "nh?n", "d[ch")
VOWEL_STANDINS = frozenset("0123456789?€[]{}$*<>|\\^~@&q")

# Characters read as digits inside a number; "a" only when nothing else fits (see _damaged).
_DIGIT_LOOKALIKES = {"l": "1", "I": "1", "|": "1", "O": "0", "o": "0", "a": "4"}
_DAMAGED = re.compile(r"^[0-9lI|Ooa]{2,4}$")
_NO_DIGIT = re.compile(r"^[$#@§&][a-zA-Z]?$|^[a-zA-Z][$#@§&]$")
_CLEAN = re.compile(r"^\d+(?:[.,]\d+)*$")
_PERCENT = re.compile(r"^(\d+(?:,\d+)?)(%|Yo|yo|o/o|Vo|%o)$")
_GLUED_AFTER = re.compile(r"^([^\W\d_]{2,})(\d+(?:[.,]\d{3})*)$")  # "dich42", "dộ4"
_LEVEL_WORD = re.compile(r"d[o0q]$")  # "mức độ4": the one place a single digit is glued
_GLUED_BEFORE = re.compile(r"^(\d+(?:[.,]\d+)*)([^\W\d_]\S+)$")  # "2019s6", "358d!ch"
_DAMAGED_GROUPED = re.compile(r"^[0-9lIOo]{1,3}(?:\.[0-9lIOo]{3})+$")  # "4.l05"
_URL = re.compile(r"://|^www\.|@|\.(?:vn|com|net|org|gov|edu)\b", re.I)
_LEAD = "([{\"'“‘«*+^•-–—"
_TRAIL = ")]}\"'”’»,.;:!?"
_SPLIT_INNER = re.compile(r"(?<=[^\W\d_]),|,(?=[^\W\d_])|[:;]|(?<=[^\W\d_])\.(?=[^\W\d_])")
_SECTION = re.compile(r"^(?:\d{1,2}\.)+\d{0,2}\.?$|^\d{1,2}\)$")


def fold(text: str) -> str:
    """A tone-insensitive key: no diacritics, đ -> d, lower case ("Quý" -> "quy")."""
    nfd = unicodedata.normalize("NFD", text.replace("đ", "d").replace("Đ", "D"))
    return "".join(c for c in nfd if unicodedata.category(c) != "Mn").lower()


@dataclass
class Token:
    """A word, a number or a punctuation mark of one line (offsets in the line as read)."""

    text: str
    line: int  # index into the document's lines
    start: int
    end: int
    kind: str  # word | number | punct | code
    key: str = ""
    value: Decimal | None = None
    percent: bool = False
    damaged: bool = False  # digits read from other characters
    no_digit: bool = False  # a number's place holds no digit at all ("$g")
    glued: bool = False  # digits glued to a word ("dich42")
    piece: str = ""  # the whitespace-delimited piece the token came from
    first_in_line: bool = False
    comma_before: bool = False
    reasons: list[str] = field(default_factory=list)


def _damaged_value(raw: str) -> Decimal | None:
    if not any(c.isdigit() for c in raw) or raw.isdigit():
        return None
    chars = list(raw)
    # Counts below ten are written with a leading zero ("09"): an unclear first character of a
    # two-character count is that zero.
    if len(chars) == 2 and chars[0] == "a":
        chars[0] = "0"
    digits = "".join(_DIGIT_LOOKALIKES.get(c, c) for c in chars)
    return Decimal(digits) if digits.isdigit() else None


def _word_or_number(text: str, line: int, start: int, piece: str) -> list[Token]:
    end = start + len(text)
    if _URL.search(text) or ("/" in text and any(c.isdigit() for c in text)):
        return [Token(text, line, start, end, "code", fold(text), piece=piece)]
    if re.search(r"\d-\d|\d-[A-Za-z]|[A-Za-z]-\d", text):
        return [Token(text, line, start, end, "code", fold(text), piece=piece)]
    m = _PERCENT.match(text)
    if m:
        tok = _number(m.group(1), line, start, start + len(m.group(1)), piece)
        if tok is not None:
            tok.percent = True
            tok.end = end
            return [tok]
    if _CLEAN.match(text):
        tok = _number(text, line, start, end, piece)
        if tok is not None:
            return [tok]
        return [Token(text, line, start, end, "code", text, piece=piece)]
    if _DAMAGED_GROUPED.match(text) and any(c.isdigit() for c in text):
        value = _damaged_value(text.replace(".", ""))
        if value is not None:
            return [
                Token(
                    text, line, start, end, "number", text, value=value, damaged=True, piece=piece
                )
            ]
    if _DAMAGED.match(text):
        value = _damaged_value(text)
        if value is not None:
            return [
                Token(
                    text, line, start, end, "number", text, value=value, damaged=True, piece=piece
                )
            ]
    m = _GLUED_AFTER.match(text)
    if m:
        word, digits = m.group(1), m.group(2)
        if len(digits) == 1 and len(word) > 2 and word[-1] in "lI|O":
            # "nhQnl1": the last letter is the number's first digit ("11"), damaged
            value = _damaged_value(word[-1] + digits)
            if value is not None:
                at = start + len(word) - 1
                return [
                    Token(word[:-1], line, start, at, "word", fold(word[:-1]), piece=piece),
                    Token(
                        word[-1] + digits,
                        line,
                        at,
                        end,
                        "number",
                        word[-1] + digits,
                        value=value,
                        damaged=True,
                        glued=True,
                        piece=piece,
                    ),
                ]
        # "thus6" is "thư số", not a number 6: one glued digit only after "độ" ("mức độ4")
        single = len(digits) == 1 and not _LEVEL_WORD.search(fold(word))
        tok = None if single else _number(digits, line, start + len(word), end, piece)
        if tok is not None:
            tok.glued = True
            # "nhQnl1": the last letter may be a digit of the number ("11")
            tok.damaged = word[-1] in "lI|Oo"
            return [
                Token(word, line, start, start + len(word), "word", fold(word), piece=piece),
                tok,
            ]
    m = _GLUED_BEFORE.match(text)
    if m and not _DAMAGED.match(text):
        digits, word = m.group(1), m.group(2)
        tok = _number(digits, line, start, start + len(digits), piece)
        if tok is not None:
            tok.glued = True
            w = Token(word, line, start + len(digits), end, "word", fold(word), piece=piece)
            return [tok, w]
    if _NO_DIGIT.match(text):
        return [Token(text, line, start, end, "number", text, no_digit=True, piece=piece)]
    return [Token(text, line, start, end, "word", fold(text), piece=piece)]


def _number(text: str, line: int, start: int, end: int, piece: str) -> Token | None:
    try:
        parsed = parse_number(text)
    except NumberError:
        return None
    return Token(text, line, start, end, "number", text, value=parsed.value, piece=piece)


@lru_cache(maxsize=4096)
def _split_piece(piece: str, first: bool) -> tuple[tuple[str, int, str], ...]:
    """(text, offset, kind) parts of a whitespace-delimited piece: leading and trailing marks
    peeled off, commas between letters and colons split."""
    out: list[tuple[str, int, str]] = []
    i, j = 0, len(piece)
    while i < j and piece[i] in _LEAD:
        out.append((piece[i], i, "punct"))
        i += 1
    trail: list[tuple[str, int, str]] = []
    while j > i and piece[j - 1] in _TRAIL:
        # "7.848." keeps its number; "1." and "2.2." keep the dot that makes them a heading.
        if first and piece[j - 1] == "." and _SECTION.match(piece[i:j]):
            break
        trail.append((piece[j - 1], j - 1, "punct"))
        j -= 1
    core = piece[i:j]
    pos = i
    for part in _SPLIT_INNER.split(core):
        if part:
            out.append((part, pos, "text"))
        pos += len(part)
        if pos < j:
            if piece[pos] != ".":  # "hoat.dQng": a dot OCR put between letters ends nothing
                out.append((piece[pos], pos, "punct"))
            pos += 1
    out.extend(reversed(trail))
    return tuple(out)


def tokenize(text: str, line: int) -> list[Token]:
    """The tokens of one line."""
    tokens: list[Token] = []
    for m in re.finditer(r"\S+", text):
        piece = m.group(0)
        for part, offset, kind in _split_piece(piece, not tokens):
            start = m.start() + offset
            if kind == "punct":
                tokens.append(
                    Token(part, line, start, start + len(part), "punct", part, piece=piece)
                )
            else:
                tokens.extend(_word_or_number(part, line, start, piece))
    if tokens:
        tokens[0].first_in_line = True
    return tokens


# ----------------------------------------------------------------------------------------------
# Word similarity, tolerant of OCR damage
# ----------------------------------------------------------------------------------------------


def _sub_cost(t: str, p: str, first: bool) -> float:
    if t == p:
        return 0.0
    if p in VOWELS:
        if t in VOWEL_STANDINS and not (t == "q" and first):
            return 0.25
        if t in VOWELS:
            return 0.6
        if t == "d" and p == "a":
            return 0.3
    return 1.0


@lru_cache(maxsize=200_000)
def similarity(text_word: str, phrase_word: str) -> float:
    """1 for the same folded word, near 1 for an OCR-damaged form of it ("tr6n" for "tren"),
    0 for another word. Digits in a phrase word must be the same digits."""
    if text_word == phrase_word:
        return 1.0
    if phrase_word.isdigit() or text_word.isdigit():
        return 0.0
    n, m = len(text_word), len(phrase_word)
    if abs(n - m) > max(2, m // 2):
        return 0.0
    prev = [float(j) for j in range(m + 1)]
    for i in range(1, n + 1):
        cur = [float(i)] + [0.0] * m
        tc = text_word[i - 1]
        for j in range(1, m + 1):
            pc = phrase_word[j - 1]
            soft = 0.6 if (pc in VOWELS or tc in VOWELS or tc in VOWEL_STANDINS) else 1.0
            cur[j] = min(
                prev[j] + soft,
                cur[j - 1] + soft,
                prev[j - 1] + _sub_cost(tc, pc, i == 1),
            )
        prev = cur
    return max(0.0, 1.0 - prev[m] / max(n, m))
