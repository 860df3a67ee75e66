"""Reusable widgets of the app (the course map, an IME-friendly input)."""
