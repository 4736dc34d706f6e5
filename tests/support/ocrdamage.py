"""OCR damage of the kind the seed report shows, applied to a clean report with a fixed seed:
toned vowels read as digits or other letters ("Th6ng", "vdn", "hiQn"), diacritics lost, words
run together, 1 read as l and 0 as O. For testing the reader on reports it was not tuned to."""

from __future__ import annotations

import random

# what a toned letter becomes, from the seed's damage (seed-figures-q1-2019.md)
STAND_INS = {
    "ô": "6", "ố": "6", "ồ": "6", "ổ": "6", "ộ": "Q", "ê": "6", "ế": "6", "ề": "e", "ệ": "Q",
    "ă": "d", "â": "d", "ấ": "d", "ầ": "d", "ậ": "Q", "ạ": "4", "ư": "u", "ứ": "ir", "ừ": "u",
    "ự": "g", "ơ": "o", "ờ": "o", "ớ": "6", "ở": "o", "ợ": "q", "đ": "d", "à": "a", "á": "a",
    "ả": "a", "ã": "a", "ì": "i", "í": "i", "ỉ": "i", "ị": "!", "ò": "o", "ó": "6", "ỏ": "o",
    "õ": "o", "ọ": "o", "ù": "u", "ú": "u", "ủ": "u", "ũ": "u", "ụ": "p", "ỳ": "y", "ý": "y",
    "ỷ": "y", "ỹ": "y", "ỵ": "y", "è": "e", "é": "6", "ẻ": "e", "ẽ": "e", "ẹ": "e", "ắ": "d",
    "ằ": "d", "ẳ": "d", "ẵ": "d", "ặ": "d", "ễ": "e", "ể": "e", "ẫ": "d", "ẩ": "d", "ữ": "t",
    "ử": "t", "ỗ": "6", "ỡ": "o",
}  # fmt: skip


def damage(text: str, seed: int, rate: float = 0.8) -> str:
    rng = random.Random(seed)
    out: list[str] = []
    for ch in text:
        low = ch.lower()
        if low in STAND_INS and rng.random() < rate:
            sub = STAND_INS[low]
            out.append(sub.upper() if ch.isupper() and rng.random() < 0.5 else sub)
        elif ch == " " and rng.random() < 0.03:
            continue  # two words run together
        elif ch == "1" and rng.random() < 0.08:
            out.append("l")
        elif ch == "0" and rng.random() < 0.05:
            out.append("O")
        else:
            out.append(ch)
    return "".join(out)
