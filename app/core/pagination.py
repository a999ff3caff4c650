"""Keyed-by-page pagination with a fixed number of queries per page (items + one count)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, Generic, TypeVar

from sqlalchemy import Select, func, select
from sqlalchemy.orm import Session

T = TypeVar("T")
MAX_PER_PAGE = 200


@dataclass(frozen=True)
class Page(Generic[T]):
    items: Sequence[T]
    page: int
    per_page: int
    total: int

    @property
    def pages(self) -> int:
        return max(1, -(-self.total // self.per_page))

    @property
    def has_prev(self) -> bool:
        return self.page > 1

    @property
    def has_next(self) -> bool:
        return self.page < self.pages


def paginate(
    session: Session, stmt: Select[Any], *, page: int = 1, per_page: int = 50
) -> Page[Any]:
    per_page = max(1, min(per_page, MAX_PER_PAGE))
    page = max(1, page)
    total = session.execute(
        select(func.count()).select_from(stmt.order_by(None).subquery())
    ).scalar_one()
    items = (
        session.execute(stmt.limit(per_page).offset((page - 1) * per_page)).scalars().unique().all()
    )
    return Page(items=items, page=page, per_page=per_page, total=int(total))


def page_arg(value: str | None) -> int:
    try:
        return max(1, int(value or 1))
    except ValueError:
        return 1
