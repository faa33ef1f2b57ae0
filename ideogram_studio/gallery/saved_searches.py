"""Saved searches ("smart collections"): a name and a search in the library's own syntax, kept in
`saved_searches.json` in the library folder and written atomically. Their counts are live because
they are searches, not stored lists: the side bar runs each query to count it.
"""

from __future__ import annotations

import json
import threading
from dataclasses import asdict, dataclass
from pathlib import Path

from ._util import now_iso
from .errors import GalleryError
from .files import atomic_write

FILE_NAME = "saved_searches.json"
MAX_NAME = 80
MAX_QUERY = 2_000


class SavedSearchError(GalleryError, ValueError):
    """A name or query that cannot be saved (empty, too long, a duplicate name)."""


@dataclass(frozen=True)
class SavedSearch:
    name: str
    query: str
    created: str


class SavedSearches:
    def __init__(self, folder: Path) -> None:
        self.path = folder / FILE_NAME
        self._lock = threading.Lock()
        self._items: list[SavedSearch] = self._load()

    def _load(self) -> list[SavedSearch]:
        try:
            data = json.loads(self.path.read_text("utf-8"))
        except FileNotFoundError:
            return []
        except (OSError, UnicodeDecodeError, json.JSONDecodeError, RecursionError):
            # A damaged file must not cost the library: start empty, keep the file aside for the designer.
            self.path.replace(self.path.with_suffix(".damaged.json"))
            return []
        items = data.get("searches") if isinstance(data, dict) else None
        out: list[SavedSearch] = []
        for item in items if isinstance(items, list) else []:
            if isinstance(item, dict) and all(isinstance(item.get(k), str) for k in ("name", "query", "created")):
                out.append(SavedSearch(item["name"], item["query"], item["created"]))
        return out

    def _save(self) -> None:
        data = {"version": 1, "searches": [asdict(s) for s in self._items]}
        atomic_write(self.path, json.dumps(data, ensure_ascii=False, indent=1).encode(), action="save the searches")

    def all(self) -> list[SavedSearch]:
        with self._lock:
            return list(self._items)

    def add(self, name: str, query: str) -> SavedSearch:
        name, query = _checked(name, query)
        with self._lock:
            if any(s.name.casefold() == name.casefold() for s in self._items):
                raise SavedSearchError(f"There is already a saved search called “{name}”.")
            item = SavedSearch(name, query, now_iso())
            self._items.append(item)
            self._save()
        return item

    def rename(self, old: str, new: str) -> None:
        new, _ = _checked(new, "x")
        with self._lock:
            if old.casefold() != new.casefold() and any(s.name.casefold() == new.casefold() for s in self._items):
                raise SavedSearchError(f"There is already a saved search called “{new}”.")
            self._items = [SavedSearch(new, s.query, s.created) if s.name == old else s for s in self._items]
            self._save()

    def update_query(self, name: str, query: str) -> None:
        _, query = _checked(name, query)
        with self._lock:
            self._items = [SavedSearch(s.name, query, s.created) if s.name == name else s for s in self._items]
            self._save()

    def remove(self, name: str) -> None:
        with self._lock:
            self._items = [s for s in self._items if s.name != name]
            self._save()

    def move(self, name: str, index: int) -> None:
        with self._lock:
            item = next((s for s in self._items if s.name == name), None)
            if item is None:
                return
            self._items.remove(item)
            self._items.insert(max(0, min(index, len(self._items))), item)
            self._save()


def _checked(name: str, query: str) -> tuple[str, str]:
    name, query = " ".join(name.split()), query.strip()
    if not name:
        raise SavedSearchError("A saved search needs a name.")
    if len(name) > MAX_NAME:
        raise SavedSearchError(f"A name of at most {MAX_NAME} characters, please.")
    if not query:
        raise SavedSearchError("There is nothing to save: the search is empty.")
    if len(query) > MAX_QUERY:
        raise SavedSearchError(f"A search of at most {MAX_QUERY:,} characters can be saved.")
    return name, query
