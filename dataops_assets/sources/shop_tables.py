"""Builders for shop.orders/returns/payments, one pass per order chunk.

Payments: every order has one main payment, 'captured' for the order amount (pending orders
are paid, not yet shipped), or 'failed' for a cancelled order. ~5% of non-cancelled orders
first have a 'failed' attempt a few minutes before. A refund is its own 'refunded' payment
(positive amount = money given back), at most one per order:
- refunded orders: the full order amount; the quarter of them with a return have a
  full-quantity return with the same refund_amount, and the refund follows the return;
- completed orders with a return: the return's refund_amount, dated after the return.
Returns belong only to completed and refunded orders. Times are capped at the window end.
"""

from __future__ import annotations

import numpy as np

from dataops_assets.sources.event_window import event_times
from dataops_assets.sources.landing_tables import (
    EXTRA_PAYMENT_RATE, ORDER_STATUS_SHARES, RETURNS_ON_REFUNDED_ORDERS,
)
from dataops_assets.sources.random_columns import (
    Chunk, Columns, LandingContext, categorical, key_sql, pick, round_money, seconds,
)
from dataops_assets.sources.retail_tables import (
    CUSTOMER_KEY_WIDTH, PRODUCT_KEY_WIDTH, sample_customers, sample_products,
)

ORDER_CHUNK_ROWS = 800_000  # keeps payments (~1.13x orders) under 1M rows per part
ORDER_STATUSES = tuple(ORDER_STATUS_SHARES)
COMPLETED, CANCELLED, PENDING, REFUNDED = range(4)
RETURN_REASONS = ("damaged", "wrong_item", "not_as_described", "changed_mind", "late_delivery")
PAYMENT_METHODS = ("card", "paypal", "bank_transfer", "gift_card")
PAYMENT_STATUSES = ("captured", "failed", "refunded")
CAPTURED, FAILED, REFUND = range(3)
PAYMENTS_PER_ORDER = 3  # payment id slots per order: failed attempt, main payment, refund
HOUR, DAY = 3600, 86_400


def build_order_chunk(ctx: LandingContext, chunk: Chunk) -> dict[str, Columns]:
    """Orders rows [start, stop) plus the returns and payments that belong to them."""
    rng, n = ctx.rng("orders", chunk.number), chunk.size
    order_num = ctx.ids("orders", 10**10)(chunk.start + rng.permutation(n))
    product, price = sample_products(ctx, rng, n)
    quantity = 1 + categorical(rng, n, (0.62, 0.2, 0.09, 0.05, 0.04))
    amount = round_money(quantity * price)
    status = categorical(rng, n, tuple(ORDER_STATUS_SHARES.values()))
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
    returned = _returned(ctx, chunk, order)
    return {
        "orders": orders,
        "returns": _returns(ctx, chunk, order, returned),
        "payments": _payments(ctx, chunk, order, returned),
    }


def _returned(ctx: LandingContext, chunk: Chunk, order: dict[str, np.ndarray]) -> dict[str, np.ndarray]:
    """The chunk's returns: order position, quantity, refund amount and time.

    Refunded orders return everything, so their one refund is recorded with the same amount
    in returns and payments.
    """
    rng, total, orders = ctx.rng("returns", chunk.number), ctx.rows["returns"], ctx.rows["orders"]
    # Split the table's target across order chunks so the ids' index ranges never overlap.
    wanted = round(total * chunk.stop / orders) - round(total * chunk.start / orders)
    returnable = order["ts"] < ctx.window.end - np.timedelta64(HOUR, "s")
    refunded = np.flatnonzero(returnable & (order["status"] == REFUNDED))
    completed = np.flatnonzero(returnable & (order["status"] == COMPLETED))
    n_refunded = min(round(RETURNS_ON_REFUNDED_ORDERS * wanted), refunded.size)
    n_completed = min(wanted - n_refunded, completed.size)
    pos = np.sort(np.concatenate([
        rng.choice(refunded, n_refunded, replace=False), rng.choice(completed, n_completed, replace=False),
    ]))
    order_qty, amount = order["quantity"][pos], order["amount"][pos]
    whole = order["status"][pos] == REFUNDED
    qty = np.where(whole, order_qty, 1 + np.floor(rng.random(pos.size) * order_qty).astype(np.int64))
    refund = np.where(qty == order_qty, amount, np.minimum(round_money(amount * qty / order_qty), amount))
    lag = np.maximum(HOUR, rng.lognormal(np.log(5 * DAY), 0.8, pos.size))
    ts = np.minimum(order["ts"][pos] + seconds(lag), ctx.window.end)
    return {"pos": pos, "quantity": qty, "refund": refund, "ts": ts}


def _returns(ctx: LandingContext, chunk: Chunk, order: dict[str, np.ndarray], returned: dict[str, np.ndarray]) -> Columns:
    rng, pos = ctx.rng("returns/columns", chunk.number), returned["pos"]
    first = round(ctx.rows["returns"] * chunk.start / ctx.rows["orders"])
    return {
        "_num": ctx.ids("returns", 10**8)(first + rng.permutation(pos.size)),
        "_order": order["num"][pos], "_product": order["product"][pos],
        "return_id": key_sql("RET-", "_num", 8),
        "order_id": key_sql("ORD-", "_order", 10),
        "product_id": key_sql("PRD-", "_product", PRODUCT_KEY_WIDTH),
        "return_ts": returned["ts"],
        "quantity": returned["quantity"],
        "refund_amount": returned["refund"],
        "reason": pick(RETURN_REASONS, categorical(rng, pos.size, (0.22, 0.14, 0.24, 0.28, 0.12))),
    }


def _payments(ctx: LandingContext, chunk: Chunk, order: dict[str, np.ndarray], returned: dict[str, np.ndarray]) -> Columns:
    rng, n, status, pos = ctx.rng("payments", chunk.number), chunk.size, order["status"], returned["pos"]
    has_attempt = (rng.random(n) < EXTRA_PAYMENT_RATE) & (status != CANCELLED)
    attempt_ts = order["ts"] + seconds(1 + rng.exponential(90.0, n))
    main_ts = attempt_ts + seconds(np.where(has_attempt, rng.exponential(240.0, n), 0.0))
    main_method = categorical(rng, n, (0.6, 0.2, 0.12, 0.08))
    attempt_method = categorical(rng, n, (0.6, 0.2, 0.12, 0.08))
    has_return = np.zeros(n, bool)
    has_return[pos] = True
    refund_amount = order["amount"].copy()
    refund_amount[pos] = returned["refund"]
    # A return's refund follows the return within days; a refund without one follows the payment.
    refund_from = main_ts.copy()
    refund_from[pos] = returned["ts"]
    refund_lag = np.where(has_return, rng.exponential(DAY, n), rng.lognormal(np.log(3 * DAY), 0.8, n))
    refund_ts = np.maximum(refund_from + seconds(60 + refund_lag), main_ts)

    attempt, refund = np.flatnonzero(has_attempt), np.flatnonzero(has_return | (status == REFUNDED))
    owner = np.concatenate([attempt, np.arange(n), refund])
    slot = np.repeat([0, 1, 2], [attempt.size, n, refund.size])
    main_status = np.where(status == CANCELLED, FAILED, CAPTURED)
    return {
        "_num": ctx.ids("payments", 10**10, capacity=PAYMENTS_PER_ORDER * ctx.rows["orders"])(
            PAYMENTS_PER_ORDER * (chunk.start + owner) + slot
        ),
        "_order": order["num"][owner],
        "payment_id": key_sql("PAY-", "_num", 10),
        "order_id": key_sql("ORD-", "_order", 10),
        "payment_ts": np.minimum(np.concatenate([attempt_ts[attempt], main_ts, refund_ts[refund]]), ctx.window.end),
        "amount": np.concatenate([order["amount"][attempt], order["amount"], refund_amount[refund]]),
        "method": pick(PAYMENT_METHODS, np.concatenate([attempt_method[attempt], main_method, main_method[refund]])),
        "status": pick(PAYMENT_STATUSES, np.concatenate([
            np.full(attempt.size, FAILED), main_status, np.full(refund.size, REFUND),
        ])),
    }
