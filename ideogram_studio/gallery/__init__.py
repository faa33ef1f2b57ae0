"""The gallery: image files with their metadata, the SQLite index, thumbnails, the job journal.

Plain Python (no Qt); synchronous and thread-safe. Files are the truth: the index can always be
rebuilt from `images/`, `annotations/` and `collections.json` in the data folder.
"""

from __future__ import annotations

from .errors import (
    GalleryError,
    ImageRejectedError,
    IndexCorruptError,
    LibraryInUseError,
    NotFoundError,
    SecretInMetadataError,
    StorageError,
)
from .gallery import DATA_DIR_ENV, Gallery, default_data_dir
from .importer import ExportReport, ImportReport, Namer, export_fields, slugify
from .journal import JobRecord
from .lock import LibraryLock
from .maintenance import IntegrityReport, RebuildReport, rebuild_index
from .metadata import KEYWORD, LineageLink
from .models import Collection, FacetValue, ImageRef, ImageRow, Page, PurgeReport, StoredImage
from .query import Cursor, ImageQuery, Sort, fts_query

__all__ = [
    "DATA_DIR_ENV", "KEYWORD", "Collection", "Cursor", "ExportReport", "FacetValue", "Gallery",
    "GalleryError", "ImageQuery", "ImageRef", "ImageRejectedError", "ImageRow", "ImportReport",
    "IndexCorruptError", "IntegrityReport", "JobRecord", "LibraryInUseError", "LibraryLock", "LineageLink",
    "Namer", "NotFoundError", "Page",
    "PurgeReport", "RebuildReport", "SecretInMetadataError", "Sort", "StorageError", "StoredImage",
    "default_data_dir", "export_fields", "fts_query", "rebuild_index", "slugify",
]
