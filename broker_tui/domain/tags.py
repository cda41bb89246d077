"""Risks and specialist needs as tags, with fuzzy entry: what a broker types reaches the right tag.

`autsim`, `CCE` and `child criminal explotation` all find their tag: each tag has a label, its
abbreviation and the phrases people use; rapidfuzz scores the typed text against all of them.
"""

from __future__ import annotations

from dataclasses import dataclass

from rapidfuzz import fuzz, process, utils

from broker_tui.domain.vocabulary import TAGS, Tag

TAG_BY_CODE: dict[str, Tag] = {t.code: t for t in TAGS}
RISK_TAGS = tuple(t for t in TAGS if t.kind != "specialist")
SPECIALIST_TAGS = tuple(t for t in TAGS if t.kind == "specialist")

# Every way of naming a tag, processed once: (choice text, tag code).
_CHOICES: list[tuple[str, str]] = []
for _t in TAGS:
    for _text in (_t.code.replace("_", " "), _t.label, *_t.phrases):
        _CHOICES.append((utils.default_process(_text), _t.code))
_CHOICE_TEXTS = [c[0] for c in _CHOICES]


@dataclass(frozen=True)
class TagSuggestion:
    code: str
    label: str
    score: float


def _score(query: str, choice: str, **kwargs: object) -> float:
    # WRatio handles partial phrases; short abbreviations (CCE, HSB) need an exact-ish hit
    if len(query) <= 3 or len(choice) <= 3:
        return fuzz.ratio(query, choice)
    return max(fuzz.WRatio(query, choice), fuzz.ratio(query, choice))


def suggest_tags(text: str, *, limit: int = 5, cutoff: float = 70.0, kinds: tuple[str, ...] | None = None
                 ) -> list[TagSuggestion]:
    """The closest tags to what was typed, best first, one entry per tag."""
    query = utils.default_process(text or "")
    if not query:
        return []
    hits = process.extract(query, _CHOICE_TEXTS, scorer=_score, limit=None, score_cutoff=cutoff)
    best: dict[str, float] = {}
    for _choice, score, idx in hits:
        code = _CHOICES[idx][1]
        if kinds and TAG_BY_CODE[code].kind not in kinds:
            continue
        best[code] = max(best.get(code, 0.0), score)
    ranked = sorted(best.items(), key=lambda kv: (-kv[1], TAG_BY_CODE[kv[0]].label))
    return [TagSuggestion(code, TAG_BY_CODE[code].label, round(score, 1)) for code, score in ranked[:limit]]


# A clear match: the whole of what was typed is close to a whole way of naming the tag (a typo, another
# word order). The suggestions' score also gives credit for a part ("Loves dragons and parents" shares
# "and parent" with "Parent and child": 85.5), which is a good reason to offer a tag, never to take it.
CLEAR_MATCH = 80.0


def _whole_score(query: str, choice: str) -> float:
    return max(fuzz.ratio(query, choice), fuzz.token_sort_ratio(query, choice))


def resolve_tag(text: str, *, kinds: tuple[str, ...] | None = None) -> str | None:
    """The one tag the text clearly means (CLEAR_MATCH on the whole text), or None: keep it as free text."""
    query = utils.default_process(text or "")
    if not query:
        return None
    scores: dict[str, float] = {}
    for choice, code in _CHOICES:
        if not kinds or TAG_BY_CODE[code].kind in kinds:
            scores[code] = max(scores.get(code, 0.0), _whole_score(query, choice))
    clear = sorted((-score, TAG_BY_CODE[code].label, code) for code, score in scores.items() if score >= CLEAR_MATCH)
    return clear[0][2] if clear else None
