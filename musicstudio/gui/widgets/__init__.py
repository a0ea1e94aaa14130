"""Reusable widgets: the piano roll, the live loss chart and the token histogram."""
