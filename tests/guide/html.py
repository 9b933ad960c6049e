"""Reading the guide's pages: headings, element ids, links and the text people read."""

from __future__ import annotations

import re
from html.parser import HTMLParser


class Page(HTMLParser):
    """Headings (level, id, text) and ids inside <main>, links, and paragraph/list texts."""

    def __init__(self, html: str) -> None:
        super().__init__(convert_charrefs=True)
        self.headings: list[tuple[int, str, str]] = []
        self.ids: set[str] = set()
        self.links: list[str] = []
        self.blocks: list[str] = []  # the text of each <p> and <li> of the main column
        self._in_main = 0
        self._nav = 0
        self._heading: list | None = None
        self._block: list[str] | None = None
        self.feed(html)
        self.close()

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "main":
            self._in_main += 1
        if not self._in_main:
            return
        if attrs.get("id"):
            self.ids.add(attrs["id"])
        if tag == "nav":
            self._nav += 1
        if tag == "a" and attrs.get("href"):
            self.links.append(attrs["href"])
        if re.fullmatch(r"h[1-6]", tag):
            self._heading = [int(tag[1]), attrs.get("id", ""), ""]
        if tag in {"p", "li"} and not self._nav and self._block is None:
            self._block = []

    def handle_endtag(self, tag):
        if tag == "main":
            self._in_main -= 1
        if tag == "nav" and self._nav:
            self._nav -= 1
        if re.fullmatch(r"h[1-6]", tag) and self._heading is not None:
            level, anchor, text = self._heading
            self.headings.append((level, anchor, " ".join(text.split())))
            self._heading = None
        if tag in {"p", "li"} and self._block is not None:
            self.blocks.append(" ".join("".join(self._block).split()))
            self._block = None

    def handle_data(self, data):
        if self._heading is not None:
            self._heading[2] += data
        if self._block is not None:
            self._block.append(data)


def sentences(text: str) -> list[str]:
    return [s for s in re.split(r"(?<=[.!?])\s+", text) if re.search(r"\w", s)]


class EmptyStates(HTMLParser):
    """Each element with the ``empty-state`` class: its text and whether it holds a link."""

    def __init__(self, html: str) -> None:
        super().__init__(convert_charrefs=True)
        self.found: list[dict] = []
        self._open: list[dict] = []  # empty states being read, innermost last, with depth
        self.feed(html)
        self.close()

    VOID = {"br", "img", "input", "hr", "meta", "link", "source", "wbr"}

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag in self.VOID:
            return
        for state in self._open:
            state["depth"] += 1
            if tag == "a" and attrs.get("href"):
                state["links"].append(attrs["href"])
        if "empty-state" in (attrs.get("class") or "").split():
            self._open.append({"depth": 1, "text": "", "links": []})

    def handle_endtag(self, tag):
        if tag in self.VOID:
            return
        for state in list(self._open):
            state["depth"] -= 1
            if state["depth"] == 0:
                self._open.remove(state)
                state["text"] = " ".join(state["text"].split())
                self.found.append(state)

    def handle_data(self, data):
        for state in self._open:
            state["text"] += data


def syllables(word: str) -> int:
    """A rough English syllable count (vowel groups, less a silent ending), enough for a grade."""
    word = re.sub(r"[^a-z]", "", word.lower())
    if len(word) <= 3:
        return 1 if word else 0
    word = re.sub(r"(?:[^laeiouy]es|ed|[^laeiouy]e)$", "", word)
    word = re.sub(r"^y", "", word)
    return max(1, len(re.findall(r"[aeiouy]{1,2}", word)))


def reading_grade(texts: list[str]) -> float:
    """Flesch-Kincaid grade level: US school grade, so reading age is about grade + 5."""
    found = [s for text in texts for s in sentences(text)]
    words = [w for s in found for w in re.findall(r"[A-Za-z']+", s)]
    per_sentence = len(words) / len(found)
    per_word = sum(syllables(w) for w in words) / len(words)
    return 0.39 * per_sentence + 11.8 * per_word - 15.59
