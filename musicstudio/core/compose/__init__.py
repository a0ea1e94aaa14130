"""Composing: the compiled incremental composer and its in-graph sampling."""
