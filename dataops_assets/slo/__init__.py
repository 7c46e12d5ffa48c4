"""SLOs from each product's spec: freshness policies, schedules, retries, SLIs, error budgets, breach alerts."""
