"""Tab completion for the `:` command line and the `/` filter lines: what the word under the
cursor may become, from the names the engine knows (assets, groups, jobs, runs).

Plain functions, so the rules are testable without an app; the lines call `complete()`.
"""

from __future__ import annotations

from dataclasses import dataclass

from dagdeck.core.console_api import CompletionNames

COMMANDS: dict[str, str] = {
    "assets": "assets screen, optionally filtered: :assets group:shop",
    "asset": "open one asset: :asset KEY",
    "runs": "runs screen, optionally filtered: :runs status:failed",
    "run": "open a run: :run ID",
    "jobs": "jobs screen",
    "job": "select a job: :job NAME",
    "automation": "schedules and sensors",
    "backfills": "backfills: progress, cancel, retry failed partitions",
    "help": "every key binding",
    "reload": "load the definitions again",
    "quit": "leave the console (also :q)",
}
"""The `:` verbs and what each does: the command line's placeholder and completion read it."""

RUN_STATUSES = ("failed", "succeeded", "running", "cancelled", "queued")
SHORT_ID = 8


@dataclass(frozen=True)
class Completion:
    """`head` is the text kept before the completed word; `choices` what the word may become."""

    head: str
    choices: tuple[str, ...]


def _matching(word: str, names: list[str]) -> tuple[str, ...]:
    """Names starting with `word` first, then names containing it (case-insensitive), no repeats."""
    low = word.lower()
    starts = [n for n in names if n.lower().startswith(low)]
    inside = [n for n in names if low in n.lower() and n not in starts]
    return tuple(dict.fromkeys(starts + inside))


def _run_words(names: CompletionNames) -> list[str]:
    return (
        [f"status:{s}" for s in RUN_STATUSES]
        + [f"job:{j}" for j in names.jobs]
        + [r[:SHORT_ID] for r in names.runs]
    )


def _asset_words(names: CompletionNames) -> list[str]:
    return list(names.assets) + [f"group:{g}" for g in names.groups]


def _split(text: str) -> tuple[str, str]:
    """(everything before the last word, the last word)."""
    cut = max(text.rfind(" "), -1) + 1
    return text[:cut], text[cut:]


def complete_filter(text: str, screen: str, names: CompletionNames) -> Completion:
    """A `/` filter: asset keys and `group:` on the assets screen (a leading `+` or `*` of the
    selection syntax is kept), `status:`, `job:` and run ids on the runs screen."""
    head, word = _split(text)
    if screen == "runs":
        return Completion(head, _matching(word, _run_words(names)))
    ops = len(word) - len(word.lstrip("+*"))
    head, word = head + word[:ops], word[ops:]
    return Completion(head, _matching(word, _asset_words(names)))


def complete_command(text: str, names: CompletionNames) -> Completion:
    """A `:` command: the verb first, then the names that verb takes."""
    stripped = text.lstrip(":")
    lead = text[: len(text) - len(stripped)]
    if " " not in stripped:
        return Completion(lead, _matching(stripped, list(COMMANDS)))
    verb, _, _ = stripped.partition(" ")
    head, word = _split(stripped)
    words: list[str] = []
    match verb.lower():
        case "assets":
            words = _asset_words(names)
        case "asset":
            words = list(names.assets)
        case "runs":
            words = _run_words(names)
        case "run":
            words = [r[:SHORT_ID] for r in names.runs]
        case "job" | "jobs":
            words = list(names.jobs)
    return Completion(lead + head, _matching(word, words))
