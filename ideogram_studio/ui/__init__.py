"""Widgets and thin view-models. Nothing here holds API rules: they come from ideogram_studio.api."""
