"""Placeholder: views are added by the moderation work in progress."""
