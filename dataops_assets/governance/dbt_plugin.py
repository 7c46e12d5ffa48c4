"""dbt-duckdb plugin (profiles.yml `plugins`): hands the masking key to DuckDB outside the SQL.

Each connection and cursor dbt opens gets the HMAC key's inner and outer pads as session variables
(`dataops_hmac_inner`, `dataops_hmac_outer`), which macros/masking.sql reads with getvariable(). The key
never appears in compiled SQL, run results or logs. Without a usable key the variable
`dataops_masking_error` holds the one-line reason, and the first masked value fails the query with it.
Loaded only by dbt: this module imports dbt-duckdb.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

from dbt.adapters.duckdb.plugins import BasePlugin

from dataops_assets.governance.masking import KEY_ENV, MaskingKeyError, hmac_pads, read_masking_key


class Plugin(BasePlugin):
    def initialize(self, plugin_config: dict[str, Any]) -> None:
        home = Path(os.environ.get("DATAOPS_HOME") or ".")
        try:
            inner, outer = hmac_pads(read_masking_key(home, os.environ.get(KEY_ENV)))
            self._statements = [f"SET VARIABLE dataops_hmac_inner = unhex('{inner.hex()}')",
                                f"SET VARIABLE dataops_hmac_outer = unhex('{outer.hex()}')"]
        except MaskingKeyError as exc:
            message = str(exc).replace("'", "''")
            self._statements = [f"SET VARIABLE dataops_masking_error = '{message}'"]

    def configure_connection(self, conn) -> None:
        self._apply(conn)

    def configure_cursor(self, cursor) -> None:  # a cursor is a new DuckDB session: variables do not carry over
        self._apply(cursor)

    def _apply(self, connection) -> None:
        for statement in self._statements:
            connection.execute(statement)
