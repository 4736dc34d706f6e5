"""Indicator phrases (``data/report_phrases.toml``) matched around each number, on folded text
that tolerates OCR damage; numbers that are not figures are left out first."""

from __future__ import annotations

import tomllib
from collections.abc import Sequence
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

from kpi.catalogue import Catalogue
from kpi.config import DATA_DIR
from loaders.report.numbers import VOWEL_STANDINS, VOWELS, Token, similarity, tokenize

PHRASES_FILE = DATA_DIR / "report_phrases.toml"

#: a phrase's words must match at least this well (mean similarity) to propose anything
MIN_SCORE = 0.72
#: below this a proposal is flagged for review even without damage
SURE_SCORE = 0.84
NEAR_WINDOW = 40

QUALIFIERS: dict[tuple[str, ...], str] = {
    ("tren",): "at_least",
    ("hon",): "at_least",
    ("it", "nhat"): "at_least",
    ("toi", "thieu"): "at_least",
    ("khoang",): "approx",
    ("khoang", "chung"): "approx",
    ("gan",): "approx",
    ("xap", "xi"): "approx",
    ("uoc",): "approx",
    ("uoc", "tinh"): "approx",
    ("uoc", "dat"): "approx",
    ("duoi",): "at_most",
    ("khong", "qua"): "at_most",
    ("toi", "da"): "at_most",
}

#: a word right before a number that makes it a date, a period, a level's name or a change
_BEFORE_NOT_FIGURE = {
    "ngay": "date",  # a day up to 31
    "thang": "date",  # a month up to 12
    "quy": "period",  # a quarter up to 4
    "doan": "period",
    "do": "level_name",  # "mức độ 3"
    "thu": "ordinal",  # "lần thứ 2"
    "khoa": "ordinal",
    "dieu": "article",
    "khoan": "article",
    "chuong": "article",
    "tang": "change",
    "giam": "change",
    "them": "change",
    "gio": "time",
    "luc": "time",
    "phien": "ordinal",
    "tu": "document",  # "Thông tư 25"
    "dinh": "document",  # "Nghị định 61", "Quyết định 45"
    "thi": "document",  # "Chỉ thị 05"
    "niem": "anniversary",  # "Kỷ niệm 74 năm"
    "thoai": "phone",
    "fax": "phone",
    "hotline": "phone",
}
#: a word right after a number that makes it a duration, an anniversary or money
_AFTER_NOT_FIGURE = {
    "nam": "duration",
    "thang": "duration",
    "ngay": "duration",
    "gio": "duration",
    "phut": "duration",
    "tuan": "duration",
    "dong": "money",
    "trieu": "money",
    "ty": "money",
    "nghin": "money",
    "ngan": "money",
    "vnd": "money",
    "usd": "money",
    "lan": "times",
}
#: after a percentage: a share of a plan or a comparison, not a figure
_AFTER_PERCENT = {("ke", "hoach"), ("chi", "tieu"), ("so", "voi"), ("cung", "ky")}
_CLAUSE_END = {".", ";", "(", ")"}


@dataclass(frozen=True)
class Phrase:
    indicator: str
    before: tuple[str, ...]
    after: tuple[str, ...]
    near: tuple[str, ...] = ()
    text: str = ""
    #: a catalogue name standing as a label: only right before "N" after a colon or "là"
    label: bool = False

    @property
    def words(self) -> tuple[str, ...]:
        return self.before + self.after


def phrase_words(text: str) -> tuple[str, ...]:
    """The folded words of a phrase; "..." (words may come between) and "|" (alternatives of a
    ``near``) are kept as marks."""
    out: list[str] = []
    for k, alt in enumerate(text.split("|")):
        if k:
            out.append("|")
        for j, part in enumerate(alt.split("...")):
            if j:
                out.append("...")
            out.extend(t.key for t in tokenize(part, 0) if t.kind != "punct")
    return tuple(out)


def parse_phrases(data: dict[str, object]) -> dict[str, list[Phrase]]:
    """indicator code -> its phrases; ``{n}`` marks where the number stands."""
    out: dict[str, list[Phrase]] = {}
    table = data.get("indicator", {})
    if not isinstance(table, dict):
        raise ValueError("report phrases: expected [indicator.CODE] tables")
    for code, entry in table.items():
        items = entry.get("phrases", []) if isinstance(entry, dict) else []
        near_default = entry.get("near", "") if isinstance(entry, dict) else ""
        if isinstance(near_default, list):
            near_default = " | ".join(near_default)
        phrases: list[Phrase] = []
        for item in items:
            text, near = (
                (item, near_default)
                if isinstance(item, str)
                else (
                    item["text"],
                    item.get("near", near_default),
                )
            )
            if text.count("{n}") != 1:
                raise ValueError(f"report phrases: {code}: {text!r} needs exactly one {{n}}")
            before, after = text.split("{n}")
            phrases.append(
                Phrase(code, phrase_words(before), phrase_words(after), phrase_words(near), text)
            )
        out[code] = phrases
    return out


@lru_cache(maxsize=4)
def load_phrases(path: Path = PHRASES_FILE) -> dict[str, list[Phrase]]:
    with path.open("rb") as fh:
        return parse_phrases(tomllib.load(fh))


def with_names(phrases: dict[str, list[Phrase]], cat: Catalogue) -> dict[str, list[Phrase]]:
    """The phrases plus each indicator's catalogue name as a label before its number ("Hồ sơ
    đang giải quyết: 430", "Số hồ sơ đang giải quyết là 430"): lists of figures name them so."""
    out: dict[str, list[Phrase]] = {}
    for code, plist in phrases.items():
        if code not in cat:
            out[code] = list(plist)
            continue
        name = cat[code].name_vi
        near = plist[0].near if plist else ()
        extra = [
            Phrase(code, phrase_words(name), (), near, f"{name}: {{n}}", label=True),
            Phrase(code, phrase_words(f"số {name}"), (), near, f"số {name}: {{n}}", label=True),
        ]
        known = {(p.before, p.after) for p in plist}
        out[code] = list(plist) + [p for p in extra if (p.before, p.after) not in known]
    return out


@dataclass
class Candidate:
    """A number and the indicator a phrase says it is."""

    token: Token
    indicator: str
    score: float  # mean similarity of the phrase's words, penalised for gaps
    weight: float  # how much of the phrase was found: ranks competing readings
    qualifier: str
    phrase: str
    reasons: list[str] = field(default_factory=list)


def _content(stream: Sequence[Token]) -> tuple[list[int], dict[int, int]]:
    idx = [i for i, t in enumerate(stream) if t.kind != "punct"]
    return idx, {s: c for c, s in enumerate(idx)}


def _window_score(words: Sequence[Token], phrase: Sequence[str]) -> float:
    return sum(similarity(w.key, p) for w, p in zip(words, phrase, strict=True))


def _crosses(stream: Sequence[Token], a: int, b: int, marks: set[str]) -> bool:
    return any(stream[k].kind == "punct" and stream[k].text in marks for k in range(a + 1, b))


def qualifier_before(content: Sequence[Token], c: int) -> tuple[str, int]:
    """The qualifier word(s) standing right before content position ``c``, and how many
    (-1: the qualifier is the end of a word OCR ran together, "đ4ttr6n", to be checked)."""
    ordered = sorted(QUALIFIERS.items(), key=lambda kv: -len(kv[0]))
    for words, qual in ordered:
        k = len(words)
        if c - k < 0:
            continue
        found = content[c - k : c]
        if all(t.kind == "word" for t in found) and all(
            t.key == w
            or (len(w) >= 4 and abs(len(t.key) - len(w)) <= 1 and similarity(t.key, w) >= 0.8)
            for t, w in zip(found, words, strict=True)
        ):
            return qual, k
    if c > 0 and content[c - 1].kind == "word":
        key = content[c - 1].key
        for words, qual in ordered:
            w = words[-1]
            if (
                len(words) == 1
                and len(w) >= 4
                and len(key) >= len(w) + 2
                and similarity(key[-len(w) :], w) >= 0.85
            ):
                return qual, -1
    return "exact", 0


def ocr_equal(text_word: str, word: str, shortest: int = 3) -> bool:
    """The same word, or OCR's form of it with stand-ins for its vowels only ("ndm" = "nam");
    words shorter than ``shortest`` must be exact."""
    if len(text_word) != len(word):
        return False
    if len(word) < shortest:
        return text_word == word
    return all(
        t == w or (w in VOWELS and (t in VOWEL_STANDINS or (w == "a" and t == "d")))
        for t, w in zip(text_word, word, strict=True)
    )


def not_a_figure(stream: Sequence[Token], content: Sequence[int], c: int) -> str | None:
    """Why the number at content position ``c`` is not a figure, or None."""
    tok = stream[content[c]]
    if tok.value is None and not tok.no_digit:
        return "unreadable"
    piece = tok.piece
    if tok.first_in_line and tok.text == piece.rstrip(".)") and piece.endswith((".", ")")):
        return "section"
    nxt_tok = stream[content[c] + 1] if content[c] + 1 < len(stream) else None
    if (
        tok.first_in_line
        and tok.value is not None
        and tok.value < 100
        and tok.text.isdigit()
        and nxt_tok is not None
        and nxt_tok.line == tok.line
        and nxt_tok.kind == "word"
        and nxt_tok.text[:1].isupper()
    ):
        return "serial"  # "5 Dịch vụ công trực tuyến ...": a table row's number (STT)
    if tok.value is not None and not tok.damaged and not tok.glued:
        digits = tok.text.replace(".", "").replace(",", "")
        if tok.text.isdigit() and len(tok.text) == 4 and 1900 <= int(tok.text) <= 2100:
            return "year"
        if tok.text.isdigit() and len(tok.text) >= 7:
            return "code"  # phone numbers, dates without separators
        if digits.startswith("0") and len(digits) >= 9:
            return "phone"
        if "," in tok.text and not tok.percent and tok.value == tok.value.to_integral_value():
            return None
    prev = [stream[content[k]] for k in range(max(0, c - 3), c)]
    # Walk back over an enumeration ("mức độ 3, 4"; "ngày 5 và 6"), not over a colon.
    s = content[c]
    while (
        s >= 2
        and (stream[s - 1].text == "," or stream[s - 1].key == "va")
        and stream[s - 2].kind == "number"
    ):
        s -= 2
    if s != content[c]:
        k = next(j for j, idx in enumerate(content) if idx == s)
        prev = [stream[content[j]] for j in range(max(0, k - 3), k)]
    if (
        len(prev) >= 2
        and tok.value is not None
        and tok.value <= 4
        and similarity(prev[-1].key, "do") >= 0.5
        and similarity(prev[-2].key, "muc") >= 0.6
    ):
        return "level_name"  # "mức độ 3", however damaged
    if prev:
        last = prev[-1]
        if last.kind == "word":
            reason = _BEFORE_NOT_FIGURE.get(last.key)
            if reason is None:
                for word, why in _BEFORE_NOT_FIGURE.items():
                    if ocr_equal(last.key, word, shortest=2):
                        reason = why
                        break
            if reason == "level_name" and not (
                len(prev) >= 2 and similarity(prev[-2].key, "muc") >= 0.6
            ):
                reason = None
            if reason == "document" and not (
                len(prev) >= 2
                and (prev[-2].key, last.key)
                in {("thong", "tu"), ("nghi", "dinh"), ("quyet", "dinh"), ("chi", "thi")}
            ):
                reason = None
            if (
                reason == "ordinal"
                and last.key == "thu"
                and not (len(prev) >= 2 and prev[-2].key in ("lan", "lan thu"))
            ):
                reason = None
            limit = {"date": 31 if last.key.startswith("ng") else 12, "period": 4}.get(reason or "")
            # "tháng 3" is a date, "hệ thống 1.931" (OCR "th5ng") is not; long runs of digits
            # after such a word are dates or periods run together ("quý 112019").
            if (
                limit
                and tok.value is not None
                and tok.value > limit
                and (len(tok.text) < 5 or not tok.text.isdigit())
            ):
                reason = None
            if reason:
                return reason
        # "tăng 406 người": the change, however many words the qualifier takes
        for t in prev:
            if t.kind == "word" and t.key in ("tang", "giam"):
                return "change"
    nxt = stream[content[c] + 1 :][:8]
    words_after = [t for t in nxt if t.kind != "punct"]
    if words_after and words_after[0].kind == "word":
        after_why = _AFTER_NOT_FIGURE.get(words_after[0].key)
        if after_why == "times" and len(words_after) > 1 and words_after[1].key == "thu":
            after_why = None
        if after_why:
            return after_why
    if tok.percent and len(nxt) >= 2 and (nxt[0].key, nxt[1].key) in _AFTER_PERCENT:
        return "share_of_plan"
    # "... so với quý trước" in the same clause: a comparison
    for t in nxt:
        if t.kind == "punct" and t.text in _CLAUSE_END | {","}:
            break
        if t.kind == "word" and t.key in ("tang", "giam", "bang"):
            break
        if t.key == "so":
            after = stream[stream.index(t) + 1 :][:1]
            if after and after[0].key == "voi":
                return "comparison"
    return None


#: words in a number's clause that put it in another period than the report's quarter
_OTHER_PERIOD = (
    ("luy", "ke"),
    ("tu", "dau", "nam"),
    ("dau", "nam"),
    ("cung", "ky"),
    ("quy", "truoc"),
    ("ky", "truoc"),
    ("nam", "truoc"),
    ("ke", "hoach"),
    ("du", "kien"),
    ("chi", "tieu"),
    ("phan", "dau"),
    ("ca", "nam"),
    ("thang", "dau"),
)


def other_period(stream: Sequence[Token], index: int, year: int | None) -> bool:
    """Whether the clause before a number (back to "." or ";") puts it in another period: the
    same quarter last year, the year so far, a plan, another year ("Cùng kỳ năm trước tiếp
    nhận 39.000 hồ sơ", "Lũy kế 9 tháng ...", "Năm 2020 đã cấp ...")."""
    keys: list[str] = []
    k = index - 1
    while k >= 0 and len(keys) < 20:
        t = stream[k]
        if t.kind == "punct" and t.text in (".", ";"):
            break
        if t.kind != "punct":
            if (
                year
                and t.kind == "number"
                and t.text.isdigit()
                and len(t.text) == 4
                and 1990 <= int(t.text) <= 2100
                and int(t.text) != year
            ):
                return True
            keys.append(t.key)
        k -= 1
    keys.reverse()
    for marker in _OTHER_PERIOD:
        n = len(marker)
        for i in range(len(keys) - n + 1):
            if tuple(keys[i : i + n]) != marker:
                continue
            if marker == ("ke", "hoach") and keys[i + n : i + n + 1] in (["so"], ["ubnd"]):
                continue  # "Kế hoạch số 12/KH-UBND": a document, not a plan's figure
            return True
    return False


def match_stream(
    stream: Sequence[Token],
    phrases: dict[str, list[Phrase]],
    cat: Catalogue,
    year: int | None = None,
) -> tuple[list[Candidate], list[tuple[Token, str]]]:
    """Every number of running text with the indicator its best phrase names, and the numbers
    left out with the reason (not figures, or figures of another period)."""
    content, _pos = _content(stream)
    words = [stream[i] for i in content]
    for i in content:
        stream[i].comma_before = i > 0 and stream[i - 1].text == ","
    ends = {
        c
        for c in range(len(content) - 1)
        if any(
            stream[k].kind == "punct" and stream[k].text in (".", ";")
            for k in range(content[c] + 1, content[c + 1])
        )
    }
    out: list[Candidate] = []
    skipped: list[tuple[Token, str]] = []
    excluded: set[int] = set()
    for c, tok in enumerate(words):
        if tok.kind == "number":
            why = not_a_figure(stream, content, c)
            if why is None and other_period(stream, content[c], year):
                why = "other_period"
            if why:
                skipped.append((tok, why))
                excluded.add(c)
    for c, tok in enumerate(words):
        if tok.kind != "number" or c in excluded:
            continue
        qualifier, qlen = qualifier_before(words, c)
        glued_qualifier = qlen < 0
        qlen = max(qlen, 0)
        # "tổ chức, 26": a label does not stand before its number across a comma
        s_idx = content[c]
        comma = s_idx > 0 and stream[s_idx - 1].text == ","
        before = [None] if comma else _side(words, excluded, c, -1, ends)
        colon = s_idx > 0 and stream[s_idx - 1].text == ":"
        labelled = colon or (c > 0 and words[c - 1].key == "la")
        after = _side(words, excluded, c, 1, ends)
        best: Candidate | None = None
        for code, plist in phrases.items():
            ind = cat.indicators.get(code)
            if ind is None or not _fits(tok, ind.percent, ind.is_ratio):
                continue
            mine: Candidate | None = None
            surest = 0.0
            for ph in plist:
                if ph.label and not labelled:
                    continue
                scored = _score(before, after, words, c, ph, 0 if ph.label else qlen)
                if scored is None:
                    continue
                score, weight = scored
                surest = max(surest, score)
                if mine is None or (weight, score) > (mine.weight, mine.score):
                    mine = Candidate(tok, code, score, weight, qualifier, ph.text)
            if mine is None:
                continue
            # The longest fitting phrase ranks the indicator; how sure the reading is comes
            # from its best-fitting phrase.
            mine.score = surest
            if best is None or (mine.weight, mine.score) > (best.weight, best.score):
                best = mine
        if best is not None:
            if glued_qualifier:
                best.reasons.append("qualifier_glued")
            neighbours = [
                words[k] for k in (c - 1, c + 1) if 0 <= k < len(words) and k not in excluded
            ]
            if any(n.kind == "number" and n.line == tok.line for n in neighbours):
                # "44.120 39.870 41.236": a table flattened into text, its columns unknown
                best.reasons.append("number_row")
            out.append(best)
    return out, skipped


def _fits(tok: Token, percent: bool, ratio: bool) -> bool:
    """Percentages go to percentage indicators only, counts to counts."""
    return tok.percent == percent or (ratio and tok.percent)


def _side(
    words: Sequence[Token], excluded: set[int], c: int, step: int, ends: set[int]
) -> list[Token | None]:
    """The words before (step -1, nearest first) or after the number, up to a sentence end
    ("." or ";"; ``ends`` holds the positions followed by one); a number that is a figure
    itself ends the side too (None marks where)."""
    out: list[Token | None] = []
    k = c
    while len(out) < 16:
        if (k if step > 0 else k - 1) in ends:
            break
        k += step
        if not 0 <= k < len(words):
            break
        t = words[k]
        if t.kind == "number" and k not in excluded:
            out.append(None)
            break
        out.append(t)
    return out


def _segments(words: tuple[str, ...]) -> list[list[str]]:
    segs: list[list[str]] = [[]]
    for w in words:
        if w == "...":
            segs.append([])
        else:
            segs[-1].append(w)
    return [s for s in segs if s]


def _edge(key: str, word: str, suffix: bool) -> float:
    """A phrase word at the end (``suffix``) or start of a longer word that OCR ran together
    ("ti6pnhflnvidua" ends with "dua")."""
    if len(key) < len(word) + 3:
        return 0.0
    part = key[-len(word) :] if suffix else key[: len(word)]
    return 0.9 * similarity(part, word)


def _align(
    text: Sequence[Token | None],
    seg: Sequence[str],
    start: int,
    edge: bool | None = None,
    backward: bool = False,
) -> float:
    """Best sum of similarities of ``seg`` laid on text from ``start`` on, one text word per
    phrase word, one text word for two phrase words run together by OCR ("titikho6n"), or two
    text words for one word OCR split ("tr.uc"). ``backward``: both run from the number back,
    so joined words are joined the other way round."""
    n = len(seg)
    best = [-1.0] * (n + 1)
    best[0] = 0.0
    pos = [start] * (n + 1)
    for j in range(1, n + 1):
        i = pos[j - 1]
        cand = -1.0
        if best[j - 1] >= 0 and i < len(text) and text[i] is not None:
            key = text[i].key  # type: ignore[union-attr]
            sim = similarity(key, seg[j - 1])
            if j == 1 and edge is not None:
                sim = max(sim, _edge(key, seg[0], edge))
            cand = best[j - 1] + sim
            where = i + 1
        if best[j - 1] >= 0 and i + 1 < len(text) and text[i] is not None:
            nxt = text[i + 1]
            key = text[i].key  # type: ignore[union-attr]
            if nxt is not None and len(key) <= 3 and len(nxt.key) <= 3:
                # one phrase word OCR split in two ("tr.uc")
                joined = nxt.key + key if backward else key + nxt.key
                split = best[j - 1] + 0.9 * similarity(joined, seg[j - 1])
                if split > cand:
                    cand, where = split, i + 2
        if j >= 2 and best[j - 2] >= 0:
            i2 = pos[j - 2]
            if i2 < len(text) and text[i2] is not None:
                pair = seg[j - 1] + seg[j - 2] if backward else seg[j - 2] + seg[j - 1]
                merged = best[j - 2] + 2 * similarity(text[i2].key, pair)  # type: ignore[union-attr]
                if merged > cand:
                    cand, where = merged, i2 + 1
        if cand < 0:
            return best[j - 1]  # the text ran out: the remaining words count nothing
        best[j], pos[j] = cand, where
    return best[n]


def _side_score(
    text: Sequence[Token | None],
    words: tuple[str, ...],
    max_gap: int,
    free: int,
    suffix: bool,
) -> tuple[float, float, int] | None:
    """(sum of similarities, gap penalty, commas inside) of one side of a phrase; segments after
    the first may begin up to five words on ("..." in a phrase)."""
    segs = _segments(words)
    if not segs:
        return 0.0, 0.0, 0
    best: tuple[float, float, int] | None = None
    first = segs[0]
    for gap in range(0, max_gap + 1):
        if gap + len(first) > len(text) or any(t is None for t in text[:gap]):
            break
        s = _align(text, first, gap, suffix if gap == 0 else None, backward=suffix)
        pen = 0.04 * max(0, gap - free)
        commas = 0
        if not suffix:
            # "3.797 hồ sơ, trực tuyến 124": after a number, a comma inside the phrase makes it
            # likely the next number's words (a tie-breaker, see _score)
            window = text[: gap + len(first)]
            commas = sum(1 for t in window if t is not None and t.comma_before)
        if best is None or s - pen > best[0] - best[1]:
            best = (s, pen, commas)
    if best is None:
        return None
    total, pen, commas = best
    at = len(first)
    for seg in segs[1:]:
        options = [
            _align(text, seg, at + k, backward=suffix) for k in range(0, 6) if at + k < len(text)
        ]
        total += max(options, default=0.0)
        at += len(seg)
    return total, pen, commas


def _maybe(t: Token | None, word: str) -> bool:
    if t is None:
        return False
    return t.key[:1] == word[:1] or word in t.key or similarity(t.key, word) >= 0.5


def _score(
    before: Sequence[Token | None],
    after: Sequence[Token | None],
    words: Sequence[Token],
    c: int,
    ph: Phrase,
    qlen: int,
) -> tuple[float, float] | None:
    b_words = tuple(reversed(ph.before))
    a_words = ph.after
    kb = len([w for w in b_words if w != "..."])
    ka = len([w for w in a_words if w != "..."])
    if kb + ka < (1 if ph.near else 2):
        return None
    # Quick refusal: the phrase word next to the number must be there (or close).
    if kb and not any(_maybe(t, b_words[0]) for t in before[:4]):
        return None
    if ka and not any(_maybe(t, a_words[0]) for t in after[:2]):
        return None
    total = penalty = 0.0
    if kb:
        side = _side_score(before, b_words, 1 if ph.label else 3, qlen, True)
        if side is None:
            return None
        total += side[0]
        penalty += side[1]
    commas = 0
    if ka:
        side = _side_score(after, a_words, 1, 0, False)
        if side is None:
            return None
        total += side[0]
        commas = side[2]
        penalty += side[1] * 1.5
    mean = total / (kb + ka) - penalty
    if mean < MIN_SCORE:
        return None
    bonus = 0.0
    if ph.near:
        dist = _near(words, c, ph.near)
        if dist is None:
            return None
        bonus = 1.0 * (1 - dist / NEAR_WINDOW)
    # Each word found counts for, each word missing against: a longer phrase wins a number only
    # when its extra words are there.
    weight = 3 * total - 2 * (kb + ka) - penalty * (kb + ka) - 1.5 * commas
    return mean, weight + bonus


def _near(words: Sequence[Token], c: int, near: tuple[str, ...]) -> int | None:
    """How many words before the number the nearest of the ``near`` alternatives (separated by
    "|" in the data) stands, or None."""
    alternatives: list[list[str]] = [[]]
    for w in near:
        if w == "|":
            alternatives.append([])
        else:
            alternatives[-1].append(w)
    best: int | None = None
    for alt in alternatives:
        k = len(alt)
        if not k:
            continue
        for d in range(0, NEAR_WINDOW):
            end = c - d
            start = end - k
            if start < 0:
                break
            window = words[start:end]
            score = sum(similarity(w.key, p) for w, p in zip(window, alt, strict=True)) / k
            if score >= 0.72:
                if not _overridden(words, end, c, alt):
                    best = d if best is None else min(best, d)
                break
    return best


def _overridden(words: Sequence[Token], start: int, c: int, alt: list[str]) -> bool:
    """A section named by number ("mức độ 3") that another of its kind ("mức độ 4", however
    damaged: "mirc dộ4") follows before the figure: the figure belongs to the later one."""
    if not alt or not alt[-1].isdigit():
        return False
    label = alt[:-1]
    k = len(label)
    for i in range(start, c - k + 1):
        window = words[i : i + k]
        if sum(similarity(w.key, p) for w, p in zip(window, label, strict=True)) / k < 0.72:
            continue
        nxt = words[i + k] if i + k < c else None
        if nxt is not None and nxt.kind == "number" and nxt.text != alt[-1]:
            return True
    return False


@lru_cache(maxsize=2048)
def label_words(label: str) -> tuple[str, ...]:
    return tuple(t.key for t in tokenize(label, 0) if t.kind != "punct")


@lru_cache(maxsize=65536)
def _f_score(words: tuple[str, ...], target: tuple[str, ...]) -> float:
    if not words or not target:
        return 0.0
    recall = sum(max(similarity(w, p) for w in words) for p in target) / len(target)
    precision = sum(max(similarity(w, p) for p in target) for w in words) / len(words)
    if recall + precision == 0:
        return 0.0
    return 2 * recall * precision / (recall + precision)


def label_score(label: str, ph: Phrase) -> float:
    """How well a table row's label fits a phrase's words (F-score over words)."""
    target = tuple(w for w in ph.words + ph.near if w not in ("...", "|"))
    return _f_score(label_words(label), target)
