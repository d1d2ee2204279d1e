"""Feeds: fetching over HTTP, OPML subscriptions, discovery, entries and full text."""
