"""Article ids for ordering and search: the search id (`sid`) and the FTS rowid (`fid`)."""

from __future__ import annotations

import datetime as dt

# Articles are ordered by a search id: minutes since year 1 of their date, then their
# id reversed, so that `ORDER BY sid DESC` is newest first and, within one minute
# (the items of one newsletter issue), the order of the file. It is the FTS rowid,
# so date ranges and "newest first" are answered by the index alone.
SID_SPAN = 10_000_000
MAX_ARTICLE_ID = SID_SPAN - 1


def minutes(published: str) -> int:
    """Minutes since 0001-01-01 of `YYYY-MM-DD` or `YYYY-MM-DDTHH:MM`."""
    moment = dt.datetime.fromisoformat(published if "T" in published else published + "T00:00")
    return (moment - dt.datetime(1, 1, 1)) // dt.timedelta(minutes=1)


def search_id(published: str, article_id: int) -> int:
    return minutes(published) * SID_SPAN + (MAX_ARTICLE_ID - article_id)


def day_sid(day: str) -> int:
    """The smallest search id on a day: `after:` and `before:` bounds."""
    return minutes(day) * SID_SPAN


# The FTS rowid is another id, the `fid`: the day, then a slot in the day. Search ids
# of articles a few minutes apart differ by ~10^8, so each rowid in an FTS5 doclist
# took 4-5 bytes; days a slot range apart take 1-2, and the three indexes a third of
# the space (less to write at import, less to read at search). Days keep their order,
# so `after:`/`before:` are rowid ranges; inside a day the slots follow the order of
# import, and search sorts by `sid` where the order within a day matters.
DAY_SLOTS = 8192  # < 2^13: the step from one day to the next stays a 2-byte varint


def day_fid(day: str) -> int:
    """The smallest fid on a day (`YYYY-MM-DD`, or a timestamp starting with one)."""
    return dt.date.fromisoformat(day[:10]).toordinal() * DAY_SLOTS
