"""Feeds: fetching, subscriptions, entries and full text."""
