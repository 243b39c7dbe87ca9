"""How a language is written, as subtitles and transcripts need it: where spaces go, how wide a line is, and
where a line may break.

Japanese, Chinese, Thai and a few other scripts are written without spaces between words. Their text is
never joined with an ASCII space (a space next to one of their characters is dropped), lines are counted in
characters, and Chinese and Japanese lines may break between any two characters, except before closing
punctuation (、。」）！？ ...) or after an opening bracket (「（ ...), the Japanese rules of kinsoku shori.
"""  # noqa: RUF002 (full-width punctuation on purpose)

from __future__ import annotations

import re
import unicodedata

SPACELESS_LANGUAGES = frozenset({"ja", "zh", "yue", "th", "lo", "my", "km", "bo"})
"""Languages written without spaces between words."""
CHARACTER_BREAK_LANGUAGES = frozenset({"ja", "zh", "yue"})
"""Languages whose lines may break between any two characters (Thai and the others break only between the
model's words: a character there may be a vowel sign that belongs to the one before it)."""

DEFAULT_LINE_WIDTH = 42
"""Characters per subtitle line: Netflix's English style guide (and most Latin-script guides)."""
LINE_WIDTHS = {"ja": 13, "zh": 16, "yue": 16, "ko": 16}
"""Characters per line where the common guides differ: Netflix's Japanese guide (13 full-width
characters), its Simplified and Traditional Chinese guides (16) and its Korean guide (16)."""

# Unicode blocks of scripts written without spaces: CJK punctuation, kana, CJK ideographs and their
# extensions, compatibility ideographs, full-width forms, Thai, Lao, Tibetan, Myanmar, Khmer.
_SPACELESS = re.compile(
    "[\u0e00-\u0eff\u0f00-\u0fff\u1000-\u109f\u1780-\u17ff\u2e80-\u2fdf\u3000-\u303f\u3040-\u30ff"
    "\u3100-\u312f\u3190-\u31ff\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\ufe30-\ufe4f\uff00-\uff60"
    "\uff61-\uff9f\U00020000-\U0003134f]"
)
_SPACE_NEXT_TO_SPACELESS = re.compile(rf"(?<={_SPACELESS.pattern})[ \t]+|[ \t]+(?={_SPACELESS.pattern})")

NO_BREAK_BEFORE = frozenset(
    "、。，．・：；？！ー）」』】〕〉》］｝〙〗〟’”ゝゞヽヾぁぃぅぇぉっゃゅょゎゕゖァィゥェォッャュョヮヵヶ々〻…‥"  # noqa: RUF001
    ",.:;!?)]}%"
)
"""Characters a line may not start with (closing punctuation, small kana, the prolonged sound mark)."""
NO_BREAK_AFTER = frozenset("（「『【〔〈《［｛〘〖〝‘“([{")  # noqa: RUF001
"""Characters a line may not end with (opening brackets and quotes)."""
SENTENCE_ENDS = frozenset(".!?。！？…")  # noqa: RUF001
CLAUSE_ENDS = frozenset(",;:、，；：—")  # noqa: RUF001
_CLOSERS = "\"')]}”’」』）】"  # noqa: RUF001


def is_spaceless(character: str) -> bool:
    """Whether `character` belongs to a script written without spaces."""
    return bool(_SPACELESS.match(character))


def tidy_spaces(text: str) -> str:
    """`text` stripped, with no space left next to a character of a script written without spaces."""
    return _SPACE_NEXT_TO_SPACELESS.sub("", text.strip())


def join_pieces(pieces: list[str]) -> str:
    """Pieces of transcript (segments, cues) joined with a space, except where a side is spaceless."""
    return tidy_spaces(" ".join(piece.strip() for piece in pieces if piece.strip()))


def width(text: str) -> int:
    """A line's length as the style guides count it: characters, combining marks (Thai vowel signs,
    accents written separately) not counted."""
    return sum(1 for character in text if not unicodedata.combining(character))


def line_width_for(language: str) -> int:
    """The default characters per line for `language`."""
    return LINE_WIDTHS.get(language, DEFAULT_LINE_WIDTH)


def ends_sentence(text: str) -> bool:
    """Whether `text` ends a sentence (`.` `!` `?` or their full-width forms, maybe then a closing quote)."""
    stripped = text.rstrip().rstrip(_CLOSERS)
    return bool(stripped) and stripped[-1] in SENTENCE_ENDS


def ends_clause(text: str) -> bool:
    """Whether `text` ends with clause punctuation (`,` `;` `:` `、` ...)."""
    stripped = text.rstrip().rstrip(_CLOSERS)
    return bool(stripped) and stripped[-1] in CLAUSE_ENDS


def starts_phrase(left: str, right: str) -> bool:
    """Whether a Japanese phrase likely starts between `left` and `right`: after kana (a particle or an
    inflection) comes a kanji or katakana word. A cheap stand-in for a morphological analyser."""
    if not left or not right:
        return False
    return _HIRAGANA.match(left[-1]) is not None and _KANJI_OR_KATAKANA.match(right[0]) is not None


_HIRAGANA = re.compile("[\u3041-\u309f]")
_KANJI_OR_KATAKANA = re.compile("[\u30a0-\u30ff\u3400-\u4dbf\u4e00-\u9fff]")


def may_break_between(left: str, right: str) -> bool:
    """Whether a line may end after `left` and the next start with `right` (kinsoku shori)."""
    if not left or not right:
        return True
    return right[0] not in NO_BREAK_BEFORE and left[-1] not in NO_BREAK_AFTER


def inside_word(left: str, right: str) -> bool:
    """Whether `left` and `right` are likely one Japanese or Chinese word: two katakana or two kanji in a
    row (breaking there splits a word like プロジェクト)."""
    if not left or not right:
        return False
    return any(
        script.match(left[-1]) is not None and script.match(right[0]) is not None for script in _WORD_SCRIPTS
    )


_WORD_SCRIPTS = (re.compile("[\u30a0-\u30ff]"), re.compile("[\u3400-\u4dbf\u4e00-\u9fff]"))
"""Katakana, kanji."""
