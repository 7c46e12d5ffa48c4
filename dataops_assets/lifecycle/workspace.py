"""Where a dataset lives: `$DATAOPS_HOME/datasets/<dataset_id>/`, its own landing zone, warehouse and
published outputs, so a sandbox run never touches another dataset's (or the main run's) tables."""

from __future__ import annotations

import datetime as dt
import hashlib
import secrets
import shutil
from dataclasses import dataclass, replace
from pathlib import Path

from dataops_assets.governance.masking import find_masking_key
from dataops_assets.settings import Settings
from dataops_assets.sources.landing_contract import LandingContract

SANDBOX_SCALE = 0.01  # the synthetic generator's scale for sandbox datasets
SANDBOX_DAYS = 90


@dataclass(frozen=True)
class DatasetWorkspace:
    dataset_id: str
    root: Path
    settings: Settings  # the platform's settings with home = the dataset's folder

    @property
    def landing_dir(self) -> Path:
        return self.root / "landing"

    @property
    def target_dir(self) -> Path:
        """dbt's target and log folder for this dataset's builds."""
        return self.root / "dbt"


def workspace(settings: Settings, dataset_id: str) -> DatasetWorkspace:
    """The dataset's folder, with settings homed there: same instance, same masking key as the platform."""
    root = settings.home / "datasets" / dataset_id
    key = find_masking_key(settings.home, settings.masking_key_text)
    return DatasetWorkspace(dataset_id, root, replace(settings, home=root, dagster_home=settings.instance_dir,
                                                      masking_key_text=key))


def prepare_landing(settings: Settings, space: DatasetWorkspace, stage: str, landing: LandingContract) -> str:
    """Fill the dataset's landing zone for its stage; returns where the data came from. Every attempt
    starts from an empty dataset folder: a killed earlier attempt may have left anything half written."""
    if space.root.exists():
        shutil.rmtree(space.root)
    if stage == "sandbox":
        from dataops_assets.sources.generator import generate_landing

        seed = int(hashlib.sha256(space.dataset_id.encode()).hexdigest()[:8], 16)
        generate_landing(space.landing_dir, landing, scale=SANDBOX_SCALE, seed=seed,
                         end_date=dt.datetime.now(dt.timezone.utc).replace(tzinfo=None, microsecond=0),
                         days=SANDBOX_DAYS)
        return f"synthetic generator (scale {SANDBOX_SCALE}, seed {seed})"
    if stage == "pilot":
        from dataops_assets.lifecycle.sanitize import leaked_values, sanitize_landing

        sanitize_landing(settings.landing_dir, space.landing_dir, pilot_key(settings), landing.values())
        leaked = leaked_values(settings.landing_dir, space.landing_dir)
        if leaked:  # scanned whole, never sampled: a pilot dataset never holds raw personal data
            shutil.rmtree(space.landing_dir)
            raise ValueError(f"{space.landing_dir}: raw personal data found after sanitizing ({leaked}); removed")
        return f"sanitized copy of {settings.landing_dir}"
    space.root.mkdir(parents=True, exist_ok=True)
    space.landing_dir.symlink_to(settings.landing_dir, target_is_directory=True)
    return f"{settings.landing_dir} as delivered"


def pilot_key(settings: Settings) -> bytes:
    """The key pilot pseudonyms are derived from: created once per DATAOPS_HOME, never printed."""
    path = settings.home / ".pilot_key"
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(secrets.token_bytes(32))
        path.chmod(0o600)
    return path.read_bytes()
