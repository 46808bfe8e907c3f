"""What counts as a reason: the words an explicit opt-out (a suppression, a named opt-out in the config) must
say it in. Pure functions; every layer (config, plan, guardrails) judges a reason alike."""

from __future__ import annotations

import re

MIN_REASON_WORDS = 4
"""A reason must say why in a sentence: this many different words of letters, not "ok", "temp",
``xxxxxxxxxxxx`` or ``aaaa aaaa aaaa aaaa``."""
REASON_TAG_LIMIT = 63
"""The longest tag value a reason is written into: Google Cloud's label values (1 to 63 characters of
lower-case letters, digits, ``_`` and ``-``; Google Cloud docs, "Labels overview", requirements for labels,
read 2026-11-27), the stricter of the two clouds (AWS tag values take 256)."""

_WORD = re.compile(r"[^\W\d_]{2,}")


def meaningful_words(reason: str) -> set[str]:
    """The different words of letters in ``reason``, a letter repeated (``aaaa``, ``xxxxxxxx``) not one."""
    return {word for word in (w.casefold() for w in _WORD.findall(reason)) if len(set(word)) > 1}


def reason_tag_value(reason: str) -> str:
    """``reason`` as a tag or label value both clouds accept: lower case, every run of other characters a
    single ``-`` (``"Checkpoints are lost on preemption"`` → ``checkpoints-are-lost-on-preemption``)."""
    return re.sub(r"[^a-z0-9]+", "-", reason.casefold()).strip("-")


def reason_problem(reason: str) -> str | None:
    """What is wrong with ``reason`` as an opt-out's reason written into a tag, or None: fewer than
    :data:`MIN_REASON_WORDS` different words (as the tag keeps them), or a tag value over
    :data:`REASON_TAG_LIMIT` characters."""
    value = reason_tag_value(reason)
    words = meaningful_words(value.replace("-", " "))
    if len(words) < MIN_REASON_WORDS:
        return (
            f"not a reason: at least {MIN_REASON_WORDS} different words of letters (ASCII, as the tag keeps "
            f"them) that say why, found {len(words)}"
        )
    if len(value) > REASON_TAG_LIMIT:
        return (
            f"too long for a label: written as {value!r} it has {len(value)} characters, at most "
            f"{REASON_TAG_LIMIT} (Google Cloud label values)"
        )
    return None
