"""Keyed-by-page pagination with a fixed number of queries per page (items + one count).

The count stops at COUNT_CAP: past it a list says "more than 1,000" instead of counting
every row of a large table on every page view (bench/: counting 50,000 requests or half a
million ledger transactions took most of a list page's time)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, Generic, TypeVar

from sqlalchemy import Select, func, select
from sqlalchemy.orm import Session

from app.core.numbers import whole_number

T = TypeVar("T")
MAX_PER_PAGE = 200
COUNT_CAP = 1_000
# The highest page asked for: past the last page of any list (an empty page), yet an OFFSET
# every database takes (a page of 10**20 overflowed it).
MAX_PAGE = 1_000_000


@dataclass(frozen=True)
class Page(Generic[T]):
    items: Sequence[T]
    page: int
    per_page: int
    total: int  # at most COUNT_CAP
    capped: bool = False  # there are more than `total`

    @property
    def pages(self) -> int:
        return max(1, -(-self.total // self.per_page))

    @property
    def has_prev(self) -> bool:
        return self.page > 1

    @property
    def has_next(self) -> bool:
        if self.capped:
            return len(self.items) == self.per_page
        return self.page < self.pages


def paginate(
    session: Session, stmt: Select[Any], *, page: int = 1, per_page: int = 50
) -> Page[Any]:
    per_page = max(1, min(per_page, MAX_PER_PAGE))
    page = max(1, min(page, MAX_PAGE))
    counted = session.execute(
        select(func.count()).select_from(stmt.order_by(None).limit(COUNT_CAP + 1).subquery())
    ).scalar_one()
    items = (
        session.execute(stmt.limit(per_page).offset((page - 1) * per_page)).scalars().unique().all()
    )
    return Page(
        items=items,
        page=page,
        per_page=per_page,
        total=min(int(counted), COUNT_CAP),
        capped=int(counted) > COUNT_CAP,
    )


def page_arg(value: str | None) -> int:
    """`?page=`: the first page unless it is a number in ASCII digits; a page beyond MAX_PAGE
    is MAX_PAGE (past the end: an empty page with a link back)."""
    return max(1, whole_number(value, maximum=MAX_PAGE, clamp=True) or 1)
