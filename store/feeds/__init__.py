"""Feeds: fetching over HTTP, OPML subscription files, feed discovery and entries."""
