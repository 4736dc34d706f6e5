"""Bytes to Unicode NFC: UTF-8 (with or without BOM), UTF-16, cp1258, and text typed in the
legacy TCVN3 (ABC, ``.VnTime``) and VNI fonts, detected from font names or character statistics."""

from __future__ import annotations

import re
import unicodedata

from loaders.report.model import ReportError

# TCVN3 (TCVN 5712:1993, VN3): each toned small letter is one Latin-1 look-alike. It has no
# toned capitals: headings set in the capital fonts (.VnTimeH) store the small letters' codes.
_TCVN3_SMALL = "µ¸¶·¹¨»¾¼½Æ©ÇÊÈÉËÌÐÎÏÑªÒÕÓÔÖ×ÝØÜÞßãáâä«åèæçé¬êíëìîïóñòô\u00adõøö÷ùúýûüþ®"
_UNICODE_SMALL = "àáảãạăằắẳẵặâầấẩẫậèéẻẽẹêềếểễệìíỉĩịòóỏõọôồốổỗộơờớởỡợùúủũụưừứửữựỳýỷỹỵđ"
_TCVN3_CAPS = {"¡": "Ă", "¢": "Â", "£": "Ê", "¤": "Ô", "¥": "Ơ", "¦": "Ư", "§": "Đ"}
TCVN3 = dict(zip(_TCVN3_SMALL, _UNICODE_SMALL, strict=True)) | _TCVN3_CAPS

# VNI: a base letter followed by one or two mark characters.
_VNI_TONES = {"ø": "\u0300", "ù": "\u0301", "û": "\u0309", "õ": "\u0303", "ï": "\u0323"}
_VNI_TONES |= {k.upper(): v for k, v in list(_VNI_TONES.items())}
# after a, e, o: circumflex with a tone in one character
_VNI_CIRC = {"â": "", "à": "\u0300", "á": "\u0301", "å": "\u0309", "ã": "\u0303", "ä": "\u0323"}
_VNI_CIRC |= {k.upper(): v for k, v in list(_VNI_CIRC.items())}
# after a: breve with a tone in one character
_VNI_BREVE = {"ê": "", "è": "\u0300", "é": "\u0301", "ú": "\u0309", "ü": "\u0303", "ë": "\u0323"}
_VNI_BREVE |= {k.upper(): v for k, v in list(_VNI_BREVE.items())}
# i with its tone in one character, and the single-character letters
_VNI_I = {"ì": "ì", "í": "í", "æ": "ỉ", "ó": "ĩ", "ò": "ị", "Ì": "Ì", "Í": "Í", "Æ": "Ỉ"}
_VNI_I |= {"Ó": "Ĩ", "Ò": "Ị"}
_VNI_SINGLE = {"ô": "ơ", "Ô": "Ơ", "ö": "ư", "Ö": "Ư", "ñ": "đ", "Ñ": "Đ"}

_VI_LETTERS = re.compile(r"[\u1ea0-\u1ef9ơưăđƠƯĂĐ]")
_TCVN3_MARKERS = set("µ¸¶·¹¨»¾¼½Æ©ÇÊÈËÌÐÎÏÑªÒÕÓÔÖ×ÝØÜÞß«¬®\u00ad")
_VNI_PAIR = re.compile(r"[aeiouyAEIOUY][øùûõïâàáåãäêèéúüëØÙÛÕÏÂÀÁÅÃÄÊÈÉÚÜË]|[öÖôÔ][øùûõï]|ñ")


def nfc(text: str) -> str:
    return unicodedata.normalize("NFC", text)


def _textual(text: str, encoding: str) -> tuple[str, str]:
    """The text, unless it is mostly control characters or unassigned code points (a binary
    file decoded by mistake)."""
    bad = sum(
        1
        for c in text
        if (unicodedata.category(c) in ("Cc", "Cn", "Co", "Cs") and c not in "\n\r\t\f")
    )
    if bad > max(2, len(text) // 100):
        raise ReportError("not_text")
    return nfc(text), encoding


def decode_bytes(data: bytes) -> tuple[str, str]:
    """The text of a plain-text file and the encoding it was in.

    UTF-8 (a BOM is dropped), UTF-16 (with a BOM, or recognised by its zero bytes), else
    Windows-1258, the Vietnamese code page. Legacy fonts' text is converted afterwards
    (:func:`convert_legacy`), since it arrives in any of these.
    """
    if data.startswith(b"\xef\xbb\xbf"):
        try:
            return _textual(data[3:].decode("utf-8"), "utf-8-sig")
        except UnicodeDecodeError as exc:
            raise ReportError("not_text") from exc
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        try:
            return _textual(data.decode("utf-16"), "utf-16")
        except UnicodeDecodeError as exc:
            raise ReportError("not_text") from exc
    if len(data) >= 4:
        even, odd = data[0::2], data[1::2]
        try:
            if odd.count(0) > len(odd) * 0.3 and even.count(0) < len(even) * 0.05:
                return _textual(data.decode("utf-16-le"), "utf-16-le")
            if even.count(0) > len(even) * 0.3 and odd.count(0) < len(odd) * 0.05:
                return _textual(data.decode("utf-16-be"), "utf-16-be")
        except UnicodeDecodeError as exc:
            raise ReportError("not_text") from exc
    if b"\x00" in data:
        raise ReportError("not_text")
    try:
        return _textual(data.decode("utf-8"), "utf-8")
    except UnicodeDecodeError:
        pass
    as_1258 = nfc(data.decode("cp1258", errors="replace"))
    as_latin = data.decode("latin-1")
    # A legacy-font file is single-byte: Latin-1 keeps its look-alike characters intact.
    if detect_legacy(as_latin):
        return as_latin, "latin-1"
    return as_1258, "cp1258"


def detect_legacy(text: str) -> str | None:
    """``tcvn3`` or ``vni`` when the character statistics say the text was typed in such a
    font, else None. Real Vietnamese Unicode letters make it Unicode."""
    letters = sum(1 for c in text if c.isalpha())
    if letters < 20:
        return None
    vi = len(_VI_LETTERS.findall(text))
    if vi > letters * 0.01:
        return None
    tcvn = sum(1 for c in text if c in _TCVN3_MARKERS)
    vni = len(_VNI_PAIR.findall(text))
    if tcvn >= max(3, letters * 0.01) and tcvn >= vni:
        return "tcvn3"
    if vni >= max(3, letters * 0.01):
        return "vni"
    return None


def from_tcvn3(text: str, capitals: bool = False) -> str:
    out = "".join(TCVN3.get(c, c) for c in text)
    return nfc(out.upper() if capitals else out)


def from_vni(text: str) -> str:
    out: list[str] = []
    i = 0
    n = len(text)
    while i < n:
        c = text[i]
        nxt = text[i + 1] if i + 1 < n else ""
        low = c.lower()
        if c in _VNI_SINGLE:
            base = _VNI_SINGLE[c]
            if nxt in _VNI_TONES:
                out.append(nfc(base + _VNI_TONES[nxt]))
                i += 2
                continue
            out.append(base)
        elif c in _VNI_I:
            out.append(_VNI_I[c])
        elif low in "aeo" and nxt in _VNI_CIRC:
            out.append(nfc(c + "\u0302" + _VNI_CIRC[nxt]))
            i += 2
            continue
        elif low == "a" and nxt in _VNI_BREVE:
            out.append(nfc(c + "\u0306" + _VNI_BREVE[nxt]))
            i += 2
            continue
        elif low in "aeiouy" and nxt in _VNI_TONES:
            out.append(nfc(c + _VNI_TONES[nxt]))
            i += 2
            continue
        elif low == "y" and nxt in ("î", "Î"):
            out.append("ỵ" if c == "y" else "Ỵ")
            i += 2
            continue
        else:
            out.append(c)
        i += 1
    return nfc("".join(out))


def convert_legacy(text: str, encoding: str | None, *, capitals: bool = False) -> str:
    """The Unicode NFC text of a legacy-font text (``encoding`` from :func:`detect_legacy` or a
    font name); ``capitals`` for the TCVN3 capital fonts."""
    if encoding == "tcvn3":
        return from_tcvn3(text, capitals)
    if encoding == "vni":
        return from_vni(text)
    return nfc(text)


def font_encoding(font: str | None) -> tuple[str | None, bool]:
    """What a Word run's font name says: (``tcvn3`` | ``vni`` | None, capitals)."""
    if not font:
        return None, False
    name = font.strip()
    if name.startswith(".Vn"):
        return "tcvn3", name.upper().endswith("H")
    if name.upper().startswith("VNI"):
        return "vni", False
    return None, False
