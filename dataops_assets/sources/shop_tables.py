"""Builders for shop.orders/returns/payments (one pass per order chunk) and helpdesk tickets.

Payments status rules: completed and pending orders -> 'captured' (pending = paid, not yet
shipped); refunded orders -> 'refunded'; cancelled orders -> one 'failed' payment. ~5% of
non-cancelled orders first have an extra 'failed' attempt a few minutes before.
"""

from __future__ import annotations

import numpy as np

from dataops_assets.sources.landing_tables import EXTRA_PAYMENT_RATE
from dataops_assets.sources.random_columns import (
    Chunk, Columns, LandingContext, categorical, event_times, key_sql, nullable, pick, round_money,
    seconds, weighted_sample,
)
from dataops_assets.sources.retail_tables import (
    CUSTOMER_KEY_WIDTH, PRODUCT_KEY_WIDTH, sample_customers, sample_products,
)

ORDER_CHUNK_ROWS = 800_000  # keeps payments (~1.05x orders) under 1M rows per part
ORDER_STATUSES = ("completed", "cancelled", "pending", "refunded")
RETURN_REASONS = ("damaged", "wrong_item", "not_as_described", "changed_mind", "late_delivery")
PAYMENT_METHODS = ("card", "paypal", "bank_transfer", "gift_card")
PAYMENT_STATUSES = ("captured", "failed", "refunded")
_PAYMENT_OF_ORDER = np.array([0, 1, 0, 2])  # order status code -> payment status code
HOUR = 3600


def build_order_chunk(ctx: LandingContext, chunk: Chunk) -> dict[str, Columns]:
    """Orders rows [start, stop) plus the returns and payments that belong to them."""
    rng, n = ctx.rng("orders", chunk.number), chunk.size
    order_num = ctx.ids("orders", 10**10)(chunk.start + rng.permutation(n))
    product, price = sample_products(ctx, rng, n)
    quantity = 1 + categorical(rng, n, (0.62, 0.2, 0.09, 0.05, 0.04))
    amount = round_money(quantity * price)
    status = categorical(rng, n, (0.85, 0.06, 0.04, 0.05))
    order_ts = event_times(rng, ctx.window, n)
    orders: Columns = {
        "_num": order_num, "_customer": sample_customers(ctx, rng, n), "_product": product,
        "order_id": key_sql("ORD-", "_num", 10),
        "customer_id": key_sql("CUST-", "_customer", CUSTOMER_KEY_WIDTH),
        "product_id": key_sql("PRD-", "_product", PRODUCT_KEY_WIDTH),
        "order_ts": order_ts, "quantity": quantity, "unit_price": price, "amount": amount,
        "status": pick(ORDER_STATUSES, status),
        "channel": pick(("web", "mobile", "marketplace"), categorical(rng, n, (0.5, 0.35, 0.15))),
    }
    order = {
        "num": order_num, "product": product, "quantity": quantity, "amount": amount,
        "status": status, "ts": order_ts,
    }
    return {
        "orders": orders,
        "returns": _returns(ctx, chunk, order),
        "payments": _payments(ctx, chunk, order),
    }


def _returns(ctx: LandingContext, chunk: Chunk, order: dict[str, np.ndarray]) -> Columns:
    rng, window = ctx.rng("returns", chunk.number), ctx.window
    total, orders = ctx.rows["returns"], ctx.rows["orders"]
    # Split the table's target across order chunks so the ids' index ranges never overlap.
    first, last = round(total * chunk.start / orders), round(total * chunk.stop / orders)
    # Returnable: completed/refunded and at least an hour before the window closes.
    eligible = np.flatnonzero(np.isin(order["status"], (0, 3)) & (order["ts"] < window.end - np.timedelta64(HOUR, "s")))
    weights = np.where(order["status"][eligible] == 3, 6.0, 1.0)  # refunds usually come with a return
    picked = eligible[weighted_sample(rng, weights, min(last - first, eligible.size))]
    n = picked.size
    order_qty = order["quantity"][picked]
    qty = 1 + np.floor(rng.random(n) * order_qty).astype(np.int64)
    lag = np.maximum(HOUR, rng.lognormal(np.log(5 * 86_400), 0.8, n))
    return {
        "_num": ctx.ids("returns", 10**8)(first + rng.permutation(n)),
        "_order": order["num"][picked], "_product": order["product"][picked],
        "return_id": key_sql("RET-", "_num", 8),
        "order_id": key_sql("ORD-", "_order", 10),
        "product_id": key_sql("PRD-", "_product", PRODUCT_KEY_WIDTH),
        "return_ts": np.minimum(order["ts"][picked] + seconds(lag), window.end),
        "quantity": qty,
        "refund_amount": np.minimum(round_money(order["amount"][picked] * qty / order_qty), order["amount"][picked]),
        "reason": pick(RETURN_REASONS, categorical(rng, n, (0.22, 0.14, 0.24, 0.28, 0.12))),
    }


def _payments(ctx: LandingContext, chunk: Chunk, order: dict[str, np.ndarray]) -> Columns:
    rng, window, n = ctx.rng("payments", chunk.number), ctx.window, chunk.size
    main_status = _PAYMENT_OF_ORDER[order["status"]]
    retried = (rng.random(n) < EXTRA_PAYMENT_RATE) & (main_status != 1)
    attempts = 1 + retried.astype(np.int64)
    owner = np.repeat(np.arange(n), attempts)
    attempt = np.arange(owner.size) - np.repeat(np.cumsum(attempts) - attempts, attempts)
    is_failed_try = retried[owner] & (attempt == 0)
    first_lag = rng.exponential(90.0, n)
    retry_lag = np.where(is_failed_try, 0.0, rng.exponential(240.0, owner.size))
    ts = order["ts"][owner] + seconds(1 + first_lag[owner] + retry_lag)
    status = np.where(is_failed_try, 1, main_status[owner])
    method = categorical(rng, owner.size, (0.6, 0.2, 0.12, 0.08))
    return {
        "_num": ctx.ids("payments", 10**10, capacity=2 * ctx.rows["orders"])(2 * (chunk.start + owner) + attempt),
        "_order": order["num"][owner],
        "payment_id": key_sql("PAY-", "_num", 10),
        "order_id": key_sql("ORD-", "_order", 10),
        "payment_ts": np.minimum(ts, window.end),
        "amount": order["amount"][owner],
        "method": pick(PAYMENT_METHODS, method),
        "status": pick(PAYMENT_STATUSES, status),
    }


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

