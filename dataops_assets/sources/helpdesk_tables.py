"""Builder for helpdesk.support_tickets."""

from __future__ import annotations

import numpy as np

from dataops_assets.sources.event_window import event_times
from dataops_assets.sources.random_columns import (
    Chunk, Columns, LandingContext, categorical, key_sql, nullable, pick, seconds,
)
from dataops_assets.sources.retail_tables import CUSTOMER_KEY_WIDTH, sample_customers

HOUR = 3600


def build_support_tickets(ctx: LandingContext, chunk: Chunk) -> dict[str, Columns]:
    rng, window, n = ctx.rng("support_tickets", chunk.number), ctx.window, chunk.size
    status = categorical(rng, n, (0.1, 0.1, 0.4, 0.4))  # open, pending, resolved, closed
    still_open = status < 2
    opened = event_times(rng, window, n)
    # Tickets still open are mostly recent: re-draw their open time from the last ~2 weeks.
    recent = window.end - seconds(np.minimum(rng.exponential(4 * 86_400, n), window.span_seconds - 1))
    opened = np.where(still_open, recent, opened)
    closed = np.minimum(opened + seconds(rng.lognormal(np.log(20 * HOUR), 1.0, n)), window.end)
    priority = categorical(rng, n, (0.35, 0.4, 0.18, 0.07))
    csat = 1 + categorical(rng, n, (0.07, 0.08, 0.15, 0.32, 0.38))
    # 40% overall without a score: all open/pending ones plus a quarter of the closed ones.
    no_csat = still_open | (rng.random(n) < 0.25)
    return {"support_tickets": {
        "_num": ctx.ids("support_tickets", 10**8)(chunk.start + rng.permutation(n)),
        "_customer": sample_customers(ctx, rng, n),
        "ticket_id": key_sql("TKT-", "_num", 8),
        "customer_id": key_sql("CUST-", "_customer", CUSTOMER_KEY_WIDTH),
        "opened_ts": opened,
        "closed_ts": nullable(closed, still_open),
        "priority": pick(("low", "medium", "high", "urgent"), priority),
        "status": pick(("open", "pending", "resolved", "closed"), status),
        "channel": pick(("email", "phone", "chat", "web"), categorical(rng, n, (0.35, 0.25, 0.25, 0.15))),
        "csat_score": nullable(csat, no_csat),
    }}
