"""The market: the services a council can buy from, their directory, search and detail, and imports.

- _directory, _directory_sql: the provider directory: filter, sort and keyset-page the services;
- _search: the typo-tolerant free-text index over the market (the directory and Find placements use it);
- _detail: one service in full (prices, capabilities, QA, stops, households);
- _columns: the directory's stored sort and search columns, derived in one place for every writer;
- importers/: Ofsted's register and the council's own CSV of services.

Import from this package (or market.importers), never from its private modules.
"""

from broker_tui.services.market._columns import HomeOrigin, directory_columns, home_origin
from broker_tui.services.market._detail import PriceLine, ServiceDetail, ServiceNotFound, service_detail
from broker_tui.services.market._directory import (
    directory_count,
    directory_page,
    directory_regions,
    iter_services,
    warm_up_directory,
)
from broker_tui.services.market._directory_query import (
    JUDGEMENT_CHOICES,
    PAGE_SIZE,
    SORTS,
    Cursor,
    DirectoryPage,
    DirectoryQuery,
    DirectoryQueryError,
    DirectoryRow,
)
from broker_tui.services.market._search import (
    invalidate,
    market_index,
    search_rows,
    search_scored,
    search_services,
    warm_up_search,
)

__all__ = [
    "Cursor",
    "DirectoryPage",
    "DirectoryQuery",
    "DirectoryQueryError",
    "DirectoryRow",
    "HomeOrigin",
    "JUDGEMENT_CHOICES",
    "PAGE_SIZE",
    "PriceLine",
    "SORTS",
    "ServiceDetail",
    "ServiceNotFound",
    "directory_count",
    "directory_page",
    "directory_regions",
    "directory_columns",
    "home_origin",
    "invalidate",
    "iter_services",
    "market_index",
    "search_rows",
    "search_scored",
    "search_services",
    "service_detail",
    "warm_up_directory",
    "warm_up_search",
]
